"""Reviewing punches in the browser (issue 17): analyse a generated round (real RTMPose backend on stand-in
ONNX files, as in test_striking_browser.py), say "review my punches", and label every punch with one click
each: no typing, as many clicks as punches, every label stored with its keypoint window. The language
model is down: the review lines are code-routed and the buttons call the tool directly. Then a second
round is reviewed, "train my punch model" runs the training job and its report is read, and "how good is
my punch model?" shows it again."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import (
    attach_and_watch,
    browser,
    login,
    new_page,
    seeded_data_dir,
    send,
    wait_for_assistant,
    wait_ready,
)
from support.postgres import free_port
from support.striking import install_standin_rtmpose, pulse_video

from powerforge.config import Settings
from storage.engine import make_engine

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def boxer(tmp_path: Path) -> tuple[Settings, int]:
    settings, ids = seeded_data_dir(tmp_path, {"boxer": "boxer-pass-1"})
    return settings, ids["boxer"]


def test_review_two_rounds_one_click_per_punch_then_retrain(app_factory, boxer: tuple[Settings, int], tmp_path: Path):
    from storage.striking import current_labels, latest_round

    boxer, account_id = boxer
    install_standin_rtmpose(boxer.models_dir)
    clip = pulse_video(tmp_path / "round.mp4", [1.0, 2.6, 4.2], seconds=6.0)
    clip2 = pulse_video(tmp_path / "round2.mp4", [1.2, 3.0], seconds=5.0)
    down = f"http://127.0.0.1:{free_port()}/v1"
    server = app_factory(boxer.data_dir, LLM_BASE_URL=down, POSE_BACKEND="rtmpose")
    with browser(server.url) as b:
        page = new_page(b, server.url)
        login(page, server.url, "boxer", "boxer-pass-1")
        wait_ready(page)
        _progress, report, _videos = attach_and_watch(page, clip, "check my round", "Round:")
        assert "Round: 3 punches" in report, report
        n = len(wait_for_assistant(page, 2))
        send(page, "review my punches")
        msgs = wait_for_assistant(page, n + 1)
        assert "Review: 3 punches" in msgs[-1] and "What was it?" in msgs[-1], msgs[-1]
        shown = page.locator("[data-step-type='assistant_message'] img")
        shown.last.wait_for(timeout=30_000)  # the key frame of the punch asked about
        clicks = 0
        while "What was it?" in msgs[-1]:
            page.get_by_role("button", name="cross").last.click()  # the newest message's buttons
            clicks += 1
            msgs = wait_for_assistant(page, len(msgs) + 1)
            assert clicks <= 3, msgs[-1]
        assert "All 3 punches of this round are labelled" in msgs[-1], msgs[-1]
        assert page.locator("#chat-input").input_value() == ""  # nothing typed besides the request

        # a second round, reviewed the same way, then retrain and read the report (the job runs in the pool)
        _progress, report, _videos = attach_and_watch(page, clip2, "check my round", "Round: 2 punches")
        msgs = wait_for_assistant(page, len(msgs) + 1)
        send(page, "review my punches")
        msgs = wait_for_assistant(page, len(msgs) + 1)
        while "What was it?" in msgs[-1]:
            page.get_by_role("button", name="lead hook").last.click()
            clicks += 1
            msgs = wait_for_assistant(page, len(msgs) + 1)
        assert clicks == 5, msgs[-1]
        send(page, "train my punch model")
        msgs = wait_for_assistant(page, len(msgs) + 1, timeout=600)
        assert "Your punch model v1" in msgs[-1] and "leave-one-round-out" in msgs[-1], msgs[-1]
        assert "rules" in msgs[-1] and ("Served" in msgs[-1] or "Not served" in msgs[-1]), msgs[-1]
        send(page, "how good is my punch model?")
        msgs = wait_for_assistant(page, len(msgs) + 1)
        assert "Your punch model v1" in msgs[-1] and "Serving:" in msgs[-1], msgs[-1]
    engine = make_engine(boxer.db_url)
    try:
        row = latest_round(account_id, engine)
        assert row is not None and row.punch_count == 2
        labels = [r for r in current_labels(row.account_id, engine=engine) if r.punch_number]
        assert clicks == len(labels) == 5  # one click, one label
        assert sorted(r.label for r in labels) == ["cross"] * 3 + ["lead_hook"] * 2 and all(r.window for r in labels)
    finally:
        engine.dispose()
