"""The striking lab end to end in headless Chromium: attach a boxing clip, say "check my round", watch the
live progress step, get the round report and the annotated video inline.

Two clips: the shared shadow-boxing jab (real BlazePose, the bundle `make test-deps` pulls), and one the
test generates (so it runs without ../shared and without the pull), analysed by the real RTMPose
backend on stand-in ONNX files whose right wrist follows the frame's brightness (pulses are punches).
The language model is down in both: routing, the analysis and the report are code."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from support.app import attach_and_watch, browser, login, new_page, seeded_data_dir, wait_ready
from support.postgres import free_port
from support.striking import install_standin_rtmpose, pulse_video, share_blazepose

from powerforge.config import Settings
from storage.engine import make_engine
from storage.tables.striking import StrikeSession

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def boxer(tmp_path: Path) -> Settings:
    return seeded_data_dir(tmp_path, {"boxer": "boxer-pass-1"})[0]


def _rounds(settings: Settings) -> list[StrikeSession]:
    engine = make_engine(settings.db_url)
    with Session(engine) as s:
        rows = list(s.exec(select(StrikeSession)))
    engine.dispose()
    return rows


def _check_my_round(server, clip: Path) -> tuple[list[str], str, int]:
    """Attach, ask, and watch: (progress lines seen before the report, the report, inline videos)."""
    with browser(server.url) as b:
        page = new_page(b, server.url)
        login(page, server.url, "boxer", "boxer-pass-1")
        wait_ready(page)
        return attach_and_watch(page, clip, "check my round", "Round:")


def test_shared_jab_clip_gives_one_jab_with_progress_and_video(shared_data: Path, app_factory, boxer: Settings):
    clip = shared_data / "media/boxing/jab_clearBG.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} is absent")
    if not share_blazepose(boxer.models_dir):
        pytest.skip("BlazePose is not installed: powerforge models pull blazepose-full (make test-deps does it)")
    down = f"http://127.0.0.1:{free_port()}/v1"
    server = app_factory(boxer.data_dir, LLM_BASE_URL=down, POSE_BACKEND="blazepose")
    progress, report, videos = _check_my_round(server, clip)
    assert progress and all("% · " in p for p in progress)  # the live step showed the work as it went
    assert "Round: 1 punch in" in report and "jab" in report, report
    assert videos >= 1
    [stored] = _rounds(boxer)
    assert stored.punch_count == 1 and stored.video_path


def test_generated_clip_without_shared_data(app_factory, boxer: Settings, tmp_path: Path):
    install_standin_rtmpose(boxer.models_dir)
    clip = pulse_video(tmp_path / "round.mp4", [1.0, 2.6], seconds=8.0)  # long enough to watch the pose pass
    down = f"http://127.0.0.1:{free_port()}/v1"
    server = app_factory(boxer.data_dir, LLM_BASE_URL=down, POSE_BACKEND="rtmpose")
    progress, report, videos = _check_my_round(server, clip)
    assert any("pose: frame" in p for p in progress), progress
    assert "Round: 2 punches" in report, report
    assert videos >= 1
    [stored] = _rounds(boxer)
    assert stored.punch_count == 2
