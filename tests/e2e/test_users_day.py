"""A user's day in the browser, in the order a person lives it, on the real app with its real process
pool and the real embedded language model (llama.cpp):

log breakfast → weigh in → draft a program and approve it → log a set → attach the clip of that set
(the analysis is linked to the logged set: the path that crashed in the spawned worker) → attach a
boxing clip → ask a chart question → set a reminder → a line only the model can answer → restart the
app → come back: the thread is still there and the coach still answers.

The lines here are this test's own; the model is the installed default-size Qwen when present, else
SmolLM2-135M (pulled for real). Skipped with the reason when the llm_server environment is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
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
from support.llm import behaviour_threads, browser_test_model, llm_server
from support.striking import install_standin_rtmpose, pulse_video

from powerforge.config import Settings
from storage import checkins as checkin_repo
from storage import training as train_repo
from storage.engine import make_engine
from storage.tables.lifts import LiftAnalysisRow, LiftRepLabel
from storage.tables.striking import StrikeSession
from vision.synthetic import RepSpec, SceneSpec, render

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHAT_POST = 'POST /v1/chat/completions HTTP/1.1" 200'


def _say(page, text: str, timeout: float = 300) -> str:
    n = len(wait_for_assistant(page, 1))
    send(page, text)
    return wait_for_assistant(page, n + 1, timeout=timeout)[-1]


def test_a_users_day(app_factory, tmp_path: Path) -> None:
    model = browser_test_model()
    settings, ids = seeded_data_dir(tmp_path, {"dana": "dana-pass-1"})
    assert isinstance(settings, Settings)
    account_id = ids["dana"]
    install_standin_rtmpose(settings.models_dir)  # the boxing clip below drives the stand-in's wrist
    reps = [RepSpec(con_s=c, ecc_s=0.9, rom_m=0.5, top_pause_s=0.5) for c in (0.6, 0.7, 0.85)]
    squat = render(tmp_path / "squat.mp4", reps, SceneSpec(seed=7, width=270, height=480, plate_px=120))
    round_clip = pulse_video(tmp_path / "round.mp4", [1.0, 2.6], seconds=5.0)

    with llm_server(model, tmp_path, threads=behaviour_threads()) as llm:
        env = {"LLM_BASE_URL": llm.settings.llm_base_url, "LLM_MODEL": llm.settings.llm_model,
               "LLM_TIMEOUT_S": "600", "POSE_BACKEND": "rtmpose"}  # fmt: skip
        server = app_factory(settings.data_dir, **env)
        with browser(server.url) as b:
            page = new_page(b, server.url)
            login(page, server.url, "dana", "dana-pass-1")
            wait_ready(page)
            wait_for_assistant(page, 1)

            assert "Logged" in _say(page, "2 eggs and a banana for breakfast")
            assert "81.6 kg" in _say(page, "weighed in at 81.6 kg this morning")

            drafted = _say(page, "novice linear program 3 days a week, squat 100 bench 80 deadlift 120")
            assert "Nothing is saved until you approve it" in drafted, drafted
            n = len(wait_for_assistant(page, 1))
            page.get_by_role("button", name="✅ Save program").click()
            assert "Saved" in wait_for_assistant(page, n + 1)[-1]

            assert "Logged" in _say(page, "squat 70x5x3 @7")
            _seen, report, _videos = attach_and_watch(
                page, squat.path, "analyse my squat, it was 70 kg", "reps with 70 kg"
            )
            assert "3 squat reps with 70 kg" in report, report
            # review the set's reps: one click per rep, no typing (the labels teach rep counting)
            msgs = wait_for_assistant(page, 1)
            send(page, "review my reps")
            msgs = wait_for_assistant(page, len(msgs) + 1)
            assert "Review: 3 reps" in msgs[-1], msgs[-1]
            clicks = 0
            while "was it a rep" in msgs[-1] and clicks < 3:
                page.get_by_role("button", name="✓ a rep").last.click()  # the newest message's buttons
                clicks += 1
                msgs = wait_for_assistant(page, len(msgs) + 1)
            assert clicks == 3 and "All 3 reps of this set are labelled" in msgs[-1], msgs[-1]

            _seen, report, _videos = attach_and_watch(page, round_clip, "check my boxing round", "Round:")
            assert "Round: 2 punches" in report, report

            page.wait_for_timeout(500)
            before = page.locator("img").count()
            chart = _say(page, "chart my bodyweight over the last month")
            assert "81.6" in chart, chart
            page.wait_for_function(f"document.querySelectorAll('img').length > {before}", timeout=30_000)

            asked = _say(page, "remind me to foam roll every day at 21:30")
            assert "Save?" in asked, asked
            n = len(wait_for_assistant(page, 1))
            page.get_by_role("button", name="✅ Save").last.click()
            page.wait_for_selector("text=/Saved: #\\d+/", timeout=60_000)

            served = llm.log().count(CHAT_POST)
            chat = _say(page, "thanks coach, that was a good day", timeout=600)
            assert chat.strip() and "can't reach" not in chat and "<tool_call>" not in chat, chat
            assert llm.log().count(CHAT_POST) > served  # the model really answered this one

        server.restart()
        with browser(server.url) as b:
            page = new_page(b, server.url)
            login(page, server.url, "dana", "dana-pass-1")
            wait_ready(page)
            page.locator("#thread-history").get_by_text("2 eggs", exact=False).first.click()
            page.wait_for_selector("text=/3 squat reps with 70 kg/", timeout=60_000)
            assert "Logged" in _say(page, "bench 60x8 @6")

    engine = make_engine(settings.db_url)
    try:
        with Session(engine) as s:
            [analysis] = list(s.exec(select(LiftAnalysisRow)))
            [boxing] = list(s.exec(select(StrikeSession)))
            rep_labels = [r.label for r in s.exec(select(LiftRepLabel))]
        squat_set = train_repo.last_set(account_id, "back_squat", engine)
        assert analysis.rep_count == 3 and analysis.training_set_id is not None
        assert rep_labels == ["ok", "ok", "ok"]
        assert squat_set is not None and (squat_set.load_kg, squat_set.reps) == (70, 5)
        assert boxing.punch_count == 2
        assert train_repo.last_set(account_id, "bench_press", engine) is not None
        assert any("foam roll" in c.text for c in checkin_repo.list_schedules(account_id, engine=engine))
    finally:
        engine.dispose()
