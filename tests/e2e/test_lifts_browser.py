"""The lift video lab end to end in headless Chromium: attach a squat clip the test generates (known
motion), say "analyse my squat, 140 kg", watch the live progress step, get the per-rep table with
uncertainties, the stop advice and the annotated video inline; the analysis is in the database.
The language model is down: routing, the analysis and the report are code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session, select
from support.app import attach_and_watch, browser, login, new_page, seeded_data_dir, wait_ready
from support.postgres import free_port

from powerforge.config import Settings
from storage.engine import make_engine
from storage.tables.lifts import LiftAnalysisRow
from vision.synthetic import RepSpec, SceneSpec, render

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def lifter(tmp_path: Path) -> Settings:
    return seeded_data_dir(tmp_path, {"lifter": "lifter-pass-1"})[0]


def test_squat_clip_gives_reps_stop_advice_and_video(app_factory, lifter: Settings, tmp_path: Path) -> None:
    reps = [RepSpec(con_s=c, ecc_s=0.9, rom_m=0.5, top_pause_s=0.5) for c in (0.6, 0.75, 0.95)]
    clip = render(tmp_path / "squat.mp4", reps, SceneSpec(seed=21, width=270, height=480, plate_px=120))
    server = app_factory(lifter.data_dir, LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1")
    with browser(server.url) as b:
        page = new_page(b, server.url)
        login(page, server.url, "lifter", "lifter-pass-1")
        wait_ready(page)
        seen, text, _ = attach_and_watch(page, clip.path, "analyse my squat, 140 kg", "mean conc. velocity")
    # Live progress: at least one state between queued and done reached the page (which stage a 500 ms
    # poll catches depends on the machine's speed: a small clip is tracked in well under a second).
    assert any(re.search(r"\b[1-9]\d?% · (reading|following|drawing|no plate)", s) for s in seen), seen
    assert "3 squat reps with 140 kg" in text and "±" in text, text
    assert "stop this set" in text  # ~37 % velocity loss against the default 20 % threshold
    engine = make_engine(lifter.db_url)
    with Session(engine) as s:
        [row] = list(s.exec(select(LiftAnalysisRow)))
    engine.dispose()
    assert row.rep_count == 3 and row.load_kg == 140.0 and row.annotated_path
    assert row.best_mcv_m_s == pytest.approx(max(r.mcv for r in clip.reps), abs=0.03)
