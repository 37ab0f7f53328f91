"""Rep review end to end on a real analysis: a set with a shallow rep the segmentation leaves out; the athlete
reviews it with the buttons (one click per rep), says one was missed, and the next analysis of that lift
counts it. Real job function, real database, real tools; the clip is rendered with a known truth."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.uploads import attach

from agent.tools.base import ToolContext, load_tools
from vision.synthetic import RepSpec, SceneSpec, render

SCENE = {"width": 180, "height": 320, "plate_px": 90.0, "lead_s": 0.5, "tail_s": 0.4, "distractors": 1}


class _Progress:
    job_id = "inline"

    def __call__(self, fraction: float, message: str) -> None:
        pass


@pytest.fixture(scope="module")
def shallow_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reps = [RepSpec(con_s=0.7, ecc_s=0.8, rom_m=rom, top_pause_s=0.4) for rom in (0.65, 0.65, 0.28, 0.65)]
    return render(tmp_path_factory.mktemp("reps") / "squat_shallow.mp4", reps, SceneSpec(seed=21, **SCENE)).path


def _analyse(settings, account, path: str) -> dict:
    from vision.jobs import analyse_job

    params = {"path": path, "account_id": account.id, "lift": "squat", "load_kg": 100.0,
              "data_dir": str(settings.data_dir), "database_url": settings.database_url}  # fmt: skip
    return analyse_job(params, _Progress())


def _ctx(settings, engine, account, text: str) -> ToolContext:
    return ToolContext(account_id=account.id, settings=settings, engine=engine, attachments=[], text=text)


def test_review_buttons_teach_the_next_analysis_a_missed_rep(settings, engine, account, shallow_set, tmp_path) -> None:
    att = attach(settings, engine, account, shallow_set)
    first = _analyse(settings, account, att.path)
    assert len(first["reps"]) == 3 and first["rep_share"] == 0.5  # the 0.28 m rep is under half the tallest

    tools = load_tools()
    args = tools["review_reps"].match("review my reps", [])
    assert args is not None
    out = tools["review_reps"].run(_ctx(settings, engine, account, "review my reps"), args)
    assert out.data["reps"] == 3 and out.data["labelled"] == 0 and out.images
    clicks = 0
    while out.data["next"] is not None:
        n = out.data["next"]
        # the person's answers: every rep is a rep; after rep 2 there was one it missed
        button = next(a for a in out.actions if a.args["label"] == "ok")
        out = tools["label_rep"].run(_ctx(settings, engine, account, ""), tools["label_rep"].args_model(**button.args))
        clicks += 1
        if n == 2:
            missed = tools["label_rep"].args_model(**(button.args | {"label": "missed_after"}))
            out = tools["label_rep"].run(_ctx(settings, engine, account, ""), missed)
            clicks += 1
    assert clicks == 4 and out.data["labelled"] == 3

    report = tools["rep_counting_report"].run(_ctx(settings, engine, account, ""), tools["rep_counting_report"]
                                              .match("how good is my rep counting?", []))  # fmt: skip
    squat = report.data["squat"]
    assert (squat["right"], squat["missed"], squat["recall"]) == (3, 1, 0.75)
    assert squat["learned_share"] is not None and squat["learned_share"] < 0.43

    # the labelled dataset as files, with the features learning used
    import json

    from typer.testing import CliRunner

    from powerforge.cli import _discover, app

    _discover()
    res = CliRunner().invoke(app, ["lift", "rep-labels", "--user", account.username, "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in (tmp_path / "rep_labels.jsonl").read_text().splitlines()]
    assert sorted(r["label"] for r in rows) == ["missed_after", "ok", "ok", "ok"]
    assert all(r["features"]["share"] is not None for r in rows)

    second = _analyse(settings, account, att.path)
    assert second["rep_share"] == squat["learned_share"]
    assert len(second["reps"]) == 4
    roms = sorted(r["rom_m"] for r in second["reps"])
    assert roms[0] == pytest.approx(0.28, abs=0.04) and roms[1] == pytest.approx(0.65, abs=0.06)


def test_review_without_an_analysis_says_what_to_do(settings, engine, account) -> None:
    from agent.tools.base import ToolError

    tools = load_tools()
    with pytest.raises(ToolError, match="attach a clip"):
        tools["review_reps"].run(_ctx(settings, engine, account, "review my reps"), tools["review_reps"].args_model())
    with pytest.raises(ToolError, match="labelled any reps"):
        tools["rep_counting_report"].run(_ctx(settings, engine, account, ""), tools["rep_counting_report"].args_model())
