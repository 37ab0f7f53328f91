"""The lift video lab end to end on clips the test makes: stored upload -> chat tool -> job (inline and
in a real process pool) -> database (SQLite; PostgreSQL when available) -> table, annotated video,
link to the logged set, stop advice, load-velocity profile; the CLI; and bad input through the same
path (clear message, upload kept, nothing half-written)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from support.uploads import attach

from agent.tools.base import Attachment, ToolContext, ToolError, load_tools
from vision.synthetic import RepSpec, SceneSpec, SyntheticClip, render, write_audio_only

SCENE = {"width": 180, "height": 320, "plate_px": 90.0, "lead_s": 0.5, "tail_s": 0.4, "distractors": 1}


def _set(con: list[float], seed: int) -> tuple[list[RepSpec], SceneSpec]:
    reps = [RepSpec(con_s=c, ecc_s=0.8, rom_m=0.5, top_pause_s=0.4) for c in con]
    return reps, SceneSpec(seed=seed, **SCENE)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SyntheticClip]:
    folder = tmp_path_factory.mktemp("lift_clips")
    sets = {
        "100": _set([0.55, 0.6, 0.62], 11),  # light: fast reps
        "140": _set([0.7, 0.85, 1.05], 12),  # heavier, slowing down: ~33 % velocity loss
        "160": _set([1.0, 1.15, 1.3], 13),
    }
    return {k: render(folder / f"squat_{k}.mp4", reps, scene) for k, (reps, scene) in sets.items()}


def _ctx(settings, engine, account, att: list[Attachment], text: str, events: list | None = None) -> ToolContext:
    return ToolContext(
        account_id=account.id,
        settings=settings,
        engine=engine,
        attachments=att,
        text=text,
        progress=(lambda f, m: events.append((f, m))) if events is not None else None,
    )


def test_tool_analyses_links_the_logged_set_and_suggests_a_stop(settings, engine, account, clips) -> None:
    from storage.lifts import list_analyses, reps_of
    from storage.tables.lifts import LiftVideo
    from storage.training import log_sets
    from training.sets import SetRecord

    _, logged = log_sets(account.id, [SetRecord("back_squat", 140.0, 3)], now=datetime.now(UTC), engine=engine)
    att = attach(settings, engine, account, clips["140"].path)
    tools = load_tools()
    text = "analyse my squat, it felt like 4 reps"  # the clip holds 3: the athlete's count is checked, not trusted
    args = tools["analyse_lift"].match(text, [att])
    assert args is not None and args.lift == "squat" and args.load_kg is None and args.reps == 4
    events: list[tuple[float, str]] = []
    out = tools["analyse_lift"].run(_ctx(settings, engine, account, [att], text, events), args)

    assert out.data["load_kg"] == 140.0  # taken from the set just logged
    assert out.data["training_set_id"] == logged[0].id
    assert len(out.data["reps"]) == 3
    truth = clips["140"].reps
    for r, t in zip(out.data["reps"], truth, strict=True):
        assert r["mcv"] == pytest.approx(t.mcv, abs=0.03)
    assert out.data["velocity_loss_pct"] > 20 and out.data["stop_suggested"]
    assert "stop this set" in out.markdown and "default threshold 20%" in out.markdown
    assert "| rep | mean conc. velocity (m/s)" in out.markdown and " ± " in out.markdown
    assert "Attached to the set you logged" in out.markdown
    assert "You said 4 reps; I counted 3 in the clip" in out.markdown and out.data["reps_counted"] == 3
    assert out.videos and Path(out.videos[0]).is_file() and Path(out.videos[0]).stat().st_size > 10_000
    assert events and events[-1][0] == 1.0 and any("following the bar" in m for _, m in events)
    fractions = [f for f, _ in events]
    assert fractions == sorted(fractions)

    rows = list_analyses(account.id, engine=engine)
    assert len(rows) == 1 and rows[0].training_set_id == logged[0].id and rows[0].rep_count == 3
    assert [r.number for r in reps_of(account.id, rows[0].id, engine=engine)] == [1, 2, 3]
    from storage.engine import read_session

    with read_session(engine) as s:
        video = s.exec(select(LiftVideo)).one()
    assert video.upload_id == att.upload_id and video.sha256 and video.fps == pytest.approx(30)
    assert rows[0].annotated_path and not Path(rows[0].annotated_path).is_absolute()


def test_profile_builds_up_and_the_threshold_is_adjustable(settings, engine, account, clips) -> None:
    tools = load_tools()
    for load in ("100", "140", "160"):
        att = attach(settings, engine, account, clips[load].path)
        text = f"how fast was my squat? {load} kg"
        out = tools["analyse_lift"].run(
            _ctx(settings, engine, account, [att], text), tools["analyse_lift"].match(text, [att])
        )
    prof = out.data["profile"]
    assert prof is not None and prof["n"] == 3 and prof["slope"] < 0
    assert "e1RM" in out.markdown
    best = {k: max(r.mcv for r in c.reps) for k, c in clips.items()}
    slope = (best["160"] - best["100"]) / 60
    assert prof["slope"] == pytest.approx(slope, rel=0.35)

    ask = "show my squat load-velocity profile"
    shown = tools["lift_profile"].run(_ctx(settings, engine, account, [], ask), tools["lift_profile"].match(ask, []))
    assert shown.data["e1rm_kg"] == pytest.approx(prof["e1rm_kg"])
    assert "e1RM" in shown.markdown and "0.30 m/s" in shown.markdown
    ask = "squats at 75% - what bar speed should I aim for?"
    at = tools["lift_profile"].run(_ctx(settings, engine, account, [], ask), tools["lift_profile"].match(ask, []))
    expected = 0.25 * prof["intercept"] + 0.75 * prof["mvt"]  # the line at three quarters of the way to the e1RM
    assert at.data["velocity_at_percent_m_s"] == pytest.approx(expected, abs=0.006)
    assert at.data["load_at_percent_kg"] == pytest.approx(0.75 * prof["e1rm_kg"], abs=0.06)
    assert f"{at.data['velocity_at_percent_m_s']:.2f} ±" in at.markdown and "75%" in at.summary
    ask = "set my squat MVT to 0.35 m/s, load-velocity"
    args = tools["lift_profile"].match(ask, [])
    assert args is not None and args.mvt_m_s == 0.35
    higher = tools["lift_profile"].run(_ctx(settings, engine, account, [], ask), args)
    assert higher.data["mvt"] == 0.35 and higher.data["e1rm_kg"] < prof["e1rm_kg"]  # a faster 1RM speed: lower e1RM
    from storage.lifts import get_profile

    row = get_profile(account.id, "squat", engine)
    assert row is not None and row.mvt_custom and row.mvt_m_s == 0.35


def test_matching_leaves_boxing_and_plain_chat_alone() -> None:
    tools = load_tools()
    video = Attachment(upload_id="u1", filename="a.mp4", mime="video/mp4", path="/x/a.mp4", size_bytes=10)
    m = tools["analyse_lift"].match
    assert m("analyse my deadlift 180kg, 10 kg plates", [video]).model_dump() == {
        "upload_id": "u1",
        "lift": "deadlift",
        "load_kg": 180.0,
        "plate_mm": 450.0,
        "rom_cm": None,
        "stop_pct": None,
        "reps": None,
    }
    assert m("check my bar path", [video]) is not None
    assert m("check my round of shadow boxing", [video]) is None
    # no video: code still routes the ask to the tool, which asks for one (see the test below)
    assert m("analyse my squat", []).upload_id is None
    assert m("how is my squat progress", []) is None
    assert tools["lift_profile"].match("what's my bench e1RM from my videos?", []).lift == "bench"


def test_bad_files_give_a_clear_message_and_keep_the_upload(settings, engine, account, tmp_path, clips) -> None:
    from storage.lifts import list_analyses
    from storage.uploads import get_upload

    tools = load_tools()
    data = clips["100"].path.read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 3])  # a phone that stopped writing
    cases = {
        "cut.mp4": tmp_path / "cut.mp4",
        "voice.mp4": write_audio_only(tmp_path / "voice.mp4"),
        # someone moving, but no barbell plate anywhere
        "no_bar.mp4": render(
            tmp_path / "no_bar.mp4", [RepSpec(), RepSpec()], SceneSpec(seed=3, show_plate=False, **SCENE)
        ).path,
    }
    messages = {}
    for name, path in cases.items():
        att = attach(settings, engine, account, path)
        with pytest.raises(ToolError) as err:
            tools["analyse_lift"].run(
                _ctx(settings, engine, account, [att], "analyse my squat"),
                tools["analyse_lift"].match("analyse my squat", [att]),
            )
        messages[name] = str(err.value)
        up = get_upload(att.upload_id, account.id, settings.files_dir, engine)
        assert up is not None and up.path.is_file()  # kept for a retry
    assert "damaged" in messages["cut.mp4"] or "can't read" in messages["cut.mp4"]
    assert "only sound" in messages["voice.mp4"]
    # no plate and no pose model installed: says so, with the install command
    assert "couldn't find a barbell" in messages["no_bar.mp4"]
    assert "powerforge models pull blazepose-full" in messages["no_bar.mp4"]
    assert list_analyses(account.id, engine=engine) == []
    with pytest.raises(ToolError, match="Attach a video"):
        tools["analyse_lift"].run(
            _ctx(settings, engine, account, [], "analyse my squat"), tools["analyse_lift"].args_model()
        )


@pytest.mark.slow
def test_job_runs_in_a_process_pool_with_progress(settings, engine, account, clips) -> None:
    import vision.jobs as lift_jobs
    from powerforge.jobs import JobRunner
    from storage.jobs import get_job
    from storage.lifts import analysis_for_job

    att = attach(settings, engine, account, clips["100"].path)
    runner = JobRunner(max_workers=1, engine=engine)
    events = []
    try:
        params = {
            "path": att.path,
            "account_id": account.id,
            "upload_id": att.upload_id,
            "lift": "squat",
            "load_kg": 100.0,
            "data_dir": str(settings.data_dir),
            "database_url": settings.database_url,
        }
        job_id, future = runner.submit(
            lift_jobs.KIND,
            account.id,
            params,
            upload_id=att.upload_id,
            idempotency_key=f"lift:{att.upload_id}",
            listener=events.append,
        )
        result = future.result(timeout=600)
        # the same upload again: the existing job, no second run
        again, none = runner.submit(lift_jobs.KIND, account.id, params, idempotency_key=f"lift:{att.upload_id}")
        assert again == job_id and none is None
    finally:
        runner.shutdown()
    assert len(result["reps"]) == 3
    row = analysis_for_job(account.id, job_id, engine)
    assert row is not None and row.id == result["analysis_id"] and row.load_kg == 100.0
    job = get_job(job_id, account.id, engine)
    assert job is not None and job.status == "done"
    assert any(e.message.startswith("following the bar") for e in events)


def test_cli_json_and_errors(settings, clips, tmp_path) -> None:
    from typer.testing import CliRunner

    from powerforge.cli import _discover, app

    _discover()
    runner = CliRunner()
    out = tmp_path / "annotated.mp4"
    res = runner.invoke(
        app,
        [
            "lift",
            "analyse",
            str(clips["100"].path),
            "--lift",
            "squat",
            "--load",
            "100kg",
            "--plate-mm",
            "450",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["ok"] and doc["load_kg"] == 100.0 and len(doc["reps"]) == 3
    assert {"mcv", "mcv_sd", "peak_v", "mpv", "rom_m", "concentric_s", "horizontal_dev_m"} <= set(doc["reps"][0])
    assert doc["video"]["fps"] == pytest.approx(30) and doc["video"]["rotation"] == 0
    assert len(doc["bar_path_m"]["t"]) == len(doc["bar_path_m"]["x"]) > 50
    assert out.is_file() and doc["annotated_video"] == str(out)
    (tmp_path / "notes.mp4").write_text("not a video")
    res = runner.invoke(app, ["lift", "analyse", str(tmp_path / "notes.mp4"), "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout) == {
        "ok": False,
        "error": "'notes.mp4' is a text file, not a video (whatever its extension says).",
    }
    res = runner.invoke(app, ["lift", "analyse", str(clips["100"].path), "--load", "heavy", "--json"])
    assert res.exit_code == 2 and "can't read the load" in json.loads(res.stdout)["error"]


def test_storage_on_postgres(pg_settings) -> None:
    from storage.accounts import create_account
    from storage.engine import make_engine
    from storage.lifts import get_analysis, reps_of, save_analysis
    from storage.migrate import upgrade
    from vision.service import refresh_profile

    eng = make_engine(pg_settings.db_url)
    upgrade(engine=eng)
    acc = create_account("pglifter", "correct-horse-1", engine=eng)
    rep = {
        "number": 1,
        "start_t": 1.0,
        "end_t": 1.6,
        "rom_m": 0.5,
        "rom_sd": 0.01,
        "concentric_s": 0.6,
        "concentric_sd": 0.01,
        "mcv": 0.8,
        "mcv_sd": 0.02,
        "peak_v": 1.2,
        "peak_v_sd": 0.04,
        "mpv": 0.8,
        "mpv_sd": 0.02,
        "horizontal_dev_m": 0.02,
        "horizontal_dev_sd": 0.002,
        "eccentric_s": 1.0,
        "velocity_loss_pct": 0.0,
    }
    for i, (load, v) in enumerate(((100.0, 0.8), (140.0, 0.55))):
        result = {
            "lift": "squat",
            "load_kg": load,
            "source": "plate",
            "reps": [rep | {"mcv": v}],
            "scale": {"method": "plate", "px_per_m": 400.0, "relative_uncertainty": 0.02},
            "velocity_loss_pct": None,
        }
        video = {
            "path": f"v{i}.mp4",
            "sha256": f"{i}" * 64,
            "width": 360,
            "height": 640,
            "fps": 30.0,
            "duration_s": 10.0,
        }
        row = save_analysis(acc.id, video=video, result=result, engine=eng)
    assert get_analysis(acc.id, row.id, eng).best_mcv_m_s == 0.55
    assert len(reps_of(acc.id, row.id, eng)) == 1
    prof, reason = refresh_profile(acc.id, "squat", eng)
    assert reason is None and prof.e1rm_kg == pytest.approx(100 + 40 * (0.8 - 0.30) / 0.25)
    eng.dispose()


def test_asking_for_an_analysis_without_a_clip_says_to_attach_one(settings, engine, account) -> None:
    from agent.tools.base import ToolError

    tools = load_tools()
    args = tools["analyse_lift"].match("analyse my squat", [])
    with pytest.raises(ToolError, match="Attach a video of your lift"):
        tools["analyse_lift"].run(_ctx(settings, engine, account, [], "analyse my squat"), args)


def test_a_file_that_is_not_a_video_is_named_when_a_clip_is_asked_for(settings, engine, account, tmp_path) -> None:
    from agent.tools.base import Attachment, ToolError

    text_file = tmp_path / "squat.mp4"
    text_file.write_text("not a video at all\n")  # a text file under a video's name: stored as text, not a clip
    att = Attachment(upload_id="u1", filename="squat.mp4", mime="text/plain", path=str(text_file), size_bytes=19)
    tools = load_tools()
    args = tools["analyse_lift"].match("analyse my squat", [att])
    with pytest.raises(ToolError, match=r"“squat\.mp4” is not a video .*text/plain.*Attach a video of your lift"):
        tools["analyse_lift"].run(_ctx(settings, engine, account, [att], "analyse my squat"), args)
