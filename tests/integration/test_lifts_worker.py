"""The natural workout flow on the app's REAL process pool (spawned worker, not inline): log a set, attach
a clip, ask for the analysis -> the analysis is stored and linked to that set.

A spawned worker starts with an empty interpreter: it imports only what the job imports, so a foreign key
to a table no job module imported (`lift_analyses.training_set_id` -> `training_sets`) once crashed it
with NoReferencedTableError while every inline test passed. A failure inside a job is logged with its
traceback and reaches the person as one sentence that says what to do.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from support.uploads import attach

from agent.tools.base import ToolContext, ToolError, load_tools
from powerforge.jobs import JobRunner, register_job
from vision.synthetic import RepSpec, SceneSpec, render

register_job("test_explode_bug", "support.sample_jobs:explode_bug")


@pytest.fixture
def runner(engine):
    r = JobRunner(max_workers=1, engine=engine)
    yield r
    r.shutdown()


@pytest.mark.slow
def test_logged_set_then_clip_is_analysed_and_linked_in_a_spawned_worker(settings, engine, account, runner, tmp_path):
    from storage.lifts import list_analyses, reps_of
    from storage.training import log_sets
    from training.sets import SetRecord

    reps = [RepSpec(con_s=c, ecc_s=0.8, rom_m=0.5, top_pause_s=0.4) for c in (0.6, 0.7, 0.8)]
    scene = SceneSpec(seed=21, width=180, height=320, plate_px=90.0, lead_s=0.5, tail_s=0.4, distractors=1)
    clip = render(tmp_path / "squat.mp4", reps, scene)
    _, logged = log_sets(account.id, [SetRecord("back_squat", 100.0, 3)], now=datetime.now(UTC), engine=engine)
    att = attach(settings, engine, account, clip.path)
    tool = load_tools()["analyse_lift"]
    text = "analyse my squat, it was 100 kg"
    args = tool.match(text, [att])
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, attachments=[att], text=text,
                      jobs=runner)  # fmt: skip
    out = tool.run(ctx, args)

    assert out.data["training_set_id"] == logged[0].id
    assert len(out.data["reps"]) == 3
    rows = list_analyses(account.id, engine=engine)
    assert len(rows) == 1 and rows[0].training_set_id == logged[0].id and rows[0].load_kg == 100.0
    assert [r.number for r in reps_of(account.id, rows[0].id, engine=engine)] == [1, 2, 3]


def test_every_table_is_registered_by_one_call():
    import subprocess
    import sys

    code = (
        "from storage.tables import load_all; import storage.tables.lifts as l; "
        "names = set(load_all().metadata.tables); "
        "assert {'training_sets', 'lift_analyses', 'jobs', 'uploads'} <= names, names; "
        "[fk.column for t in load_all().metadata.sorted_tables for fk in t.foreign_keys]"  # resolves every FK
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_bug_inside_a_job_is_logged_with_traceback_and_told_in_one_sentence(
    settings, engine, account, runner, caplog
):
    from agent.tools.base import run_job

    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, jobs=runner)
    with caplog.at_level(logging.ERROR), pytest.raises(ToolError) as failed:
        run_job(ctx, "test_explode_bug", {})
    message = str(failed.value)
    assert "KeyError" not in message and "upload is kept" in message and "try again" in message
    assert message.count(". ") == 0  # one sentence
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "test_explode_bug" in logged and "Traceback" in logged and "explode_bug" in logged
