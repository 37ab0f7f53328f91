"""Uploads in an S3-compatible bucket (UPLOADS_URL=s3://…, issue 18) against a real server on 127.0.0.1
(`rclone serve s3`, started and stopped here by PID): one process stores, another process with an empty data
dir analyses the clip; per-user isolation; a refused file leaves no object; a damaged object is not used; a
server that is down gives one clear sentence and loses nothing."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from support.s3_server import ACCESS_KEY, SECRET_KEY, S3Server, start_s3

from powerforge.config import Settings, override_settings
from storage.upload_store import UploadStoreUnavailable
from storage.uploads import UploadRejected, get_upload, store_upload

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "uploads"
PREFIX = "pf"


def _start(base: Path) -> S3Server:
    server = start_s3(base, (BUCKET,))
    if isinstance(server, str):
        pytest.skip(server)
    return server


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = _start(tmp_path_factory.mktemp("s3"))
    yield server
    server.stop()


def _s3_env(server: S3Server) -> dict[str, str]:
    return {"UPLOADS_URL": f"s3://{BUCKET}/{PREFIX}", "S3_ENDPOINT_URL": server.endpoint,
            "S3_ACCESS_KEY_ID": ACCESS_KEY, "S3_SECRET_ACCESS_KEY": SECRET_KEY, "S3_REGION": "us-east-1"}  # fmt: skip


def _on_bucket(settings: Settings, server: S3Server) -> Settings:
    updates = {k.lower(): v for k, v in _s3_env(server).items()}
    s3_settings = settings.model_copy(update=updates)
    override_settings(s3_settings)  # the conftest fixture puts the environment's settings back afterwards
    return s3_settings


def _store(settings: Settings, engine, account_id: int, path: Path, name: str | None = None):
    limits = {"max_bytes": settings.upload_max_bytes, "allowed": settings.allowed_upload_types}
    return store_upload(path, filename=name or path.name, account_id=account_id, files_dir=settings.files_dir,
                        engine=engine, **limits)  # fmt: skip


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory):
    from vision.synthetic import RepSpec, SceneSpec, render

    reps = [RepSpec(con_s=c, ecc_s=0.8, rom_m=0.5, top_pause_s=0.4) for c in (0.55, 0.6, 0.62)]
    scene = SceneSpec(seed=11, width=180, height=320, plate_px=90.0, lead_s=0.5, tail_s=0.4, distractors=1)
    return render(tmp_path_factory.mktemp("s3clip") / "squat.mp4", reps, scene)


def test_a_worker_with_an_empty_data_dir_analyses_a_clip_another_process_stored(
    settings, engine, account, s3, clip, tmp_path
) -> None:
    from storage.lifts import list_analyses
    from storage.tables.lifts import LiftVideo

    app = _on_bucket(settings, s3)
    up = _store(app, engine, account.id, clip.path)
    key = f"{PREFIX}/uploads/{account.id}/{up.id}.mp4"
    assert key in s3.objects(BUCKET)
    assert _sha(s3.root / BUCKET / key) == up.sha256 == _sha(clip.path)  # the bucket holds the bytes
    assert up.path.is_file() and up.path.is_relative_to(app.files_dir.resolve())  # the receiving process keeps a copy
    up.path.unlink()  # the worker below can only get the clip from the bucket

    worker_dir = tmp_path / "worker"  # another process, another data dir, empty: as on another machine
    params = {"path": str(up.path), "account_id": account.id, "upload_id": up.id, "lift": "squat", "load_kg": 100.0,
              "data_dir": str(worker_dir), "database_url": app.db_url}  # fmt: skip
    script = (
        "import json, sys\nimport vision.jobs\nfrom powerforge.jobs import run_inline\n"
        "print(json.dumps(run_inline('lift_analysis', json.loads(sys.argv[1])), default=str))"
    )
    env = {**os.environ, **_s3_env(s3), "DATA_DIR": str(worker_dir), "LLM_EMBEDDED": "false", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(params)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert len(result["reps"]) == 3
    for r, t in zip(result["reps"], clip.reps, strict=True):
        assert r["mcv"] == pytest.approx(t.mcv, abs=0.03)
    cached = worker_dir / "files" / "uploads" / str(account.id) / f"{up.id}.mp4"
    assert cached.is_file() and _sha(cached) == up.sha256  # fetched once, whole, checked
    assert not up.path.exists()  # and not from the first process's copy
    assert [a.rep_count for a in list_analyses(account.id, engine=engine)] == [3]
    with engine.connect() as c:
        videos = c.execute(select(LiftVideo.upload_id, LiftVideo.path)).all()
    assert [(v.upload_id, v.path) for v in videos] == [(up.id, f"uploads/{account.id}/{up.id}.mp4")]

    from vision.service import analysis_video

    shown = analysis_video(list_analyses(account.id, engine=engine)[0], app.files_dir, engine)  # rep review, in A
    assert shown == up.path and _sha(shown) == up.sha256  # fetched back into the first process's empty cache


@pytest.mark.slow
def test_the_chat_tool_on_the_real_process_pool_gets_the_clip_from_the_bucket(
    settings, engine, account, s3, clip, monkeypatch
) -> None:
    from support.uploads import attach

    from agent.tools.base import ToolContext, load_tools
    from powerforge.jobs import JobRunner

    for name, value in _s3_env(s3).items():
        monkeypatch.setenv(name, value)  # the spawned worker reads its settings from the environment, as in production
    app = _on_bucket(settings, s3)
    att = attach(app, engine, account, clip.path)
    Path(att.path).unlink()  # no local copy anywhere: the worker must fetch the clip from the bucket
    tool = load_tools()["analyse_lift"]
    text = "analyse my squat, it was 100 kg"
    runner = JobRunner(max_workers=1, engine=engine)
    try:
        ctx = ToolContext(account_id=account.id, settings=app, engine=engine, attachments=[att], text=text,
                          jobs=runner)  # fmt: skip
        out = tool.run(ctx, tool.match(text, [att]))
    finally:
        runner.shutdown()
    assert len(out.data["reps"]) == 3
    assert Path(att.path).is_file() and _sha(Path(att.path)) == _sha(clip.path)  # fetched, whole


def test_another_account_gets_nothing_of_an_upload(settings, engine, account, s3, clip, tmp_path) -> None:
    from powerforge.jobs import job_input_path
    from services.uploads import find_upload
    from storage.accounts import create_account

    app = _on_bucket(settings, s3)
    up = _store(app, engine, account.id, clip.path)
    friend = create_account("friend", "correct-horse-2", engine=engine)
    reader = app.model_copy(update={"data_dir": tmp_path / "reader", "database_url": app.db_url})  # an empty cache
    assert find_upload(friend.id, up.id, reader.files_dir, engine) is None
    assert get_upload(up.id, friend.id, reader.files_dir, engine) is None
    params = {"path": "/nonexistent/clip.mp4", "account_id": friend.id, "upload_id": up.id}
    assert job_input_path(params, reader) == Path("/nonexistent/clip.mp4")  # not the owner's clip
    assert _files(reader.files_dir) == []  # nothing of it was fetched for the other account
    mine = find_upload(account.id, up.id, reader.files_dir, engine)
    assert mine is not None and mine.path.is_file() and _sha(mine.path) == up.sha256


def test_a_refused_file_leaves_no_object_and_no_row(settings, engine, account, s3, tmp_path) -> None:
    from storage.tables.core import Upload

    app = _on_bucket(settings, s3).model_copy(update={"upload_max_mb": 1})
    before = s3.objects(BUCKET)
    fake = tmp_path / "lift.mp4"
    fake.write_bytes(bytes(range(256)) * 8)  # binary of no known type
    with pytest.raises(UploadRejected, match="can't recognise"):
        _store(app, engine, account.id, fake)
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\x00" * (2 * 1024 * 1024))
    with pytest.raises(UploadRejected, match="limit"):
        _store(app, engine, account.id, big)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(UploadRejected, match="empty"):
        _store(app, engine, account.id, empty)
    assert s3.objects(BUCKET) == before
    assert _files(app.files_dir / "uploads") == []
    with engine.connect() as c:
        assert c.execute(select(Upload.id)).all() == []


def test_an_upload_whose_row_cannot_be_written_leaves_no_object(settings, engine, account, s3, clip) -> None:
    app = _on_bucket(settings, s3)
    before = s3.objects(BUCKET)
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        _store(app, engine, 987654, clip.path)  # no such account: the row fails after the bytes went up
    assert s3.objects(BUCKET) == before
    assert _files(app.files_dir / "uploads") == []


def test_a_damaged_object_is_refused_and_not_cached(settings, engine, account, s3, clip, tmp_path) -> None:
    app = _on_bucket(settings, s3)
    up = _store(app, engine, account.id, clip.path)
    obj = s3.root / BUCKET / PREFIX / "uploads" / str(account.id) / f"{up.id}.mp4"
    obj.write_bytes(obj.read_bytes()[:-100] + b"\x00" * 100)
    reader = tmp_path / "reader"
    with pytest.raises(ValueError, match="damaged"):
        get_upload(up.id, account.id, reader, engine)
    assert _files(reader) == []  # no half or wrong copy stays behind for the next reader


def test_a_store_that_is_down_says_so_in_one_sentence_and_loses_nothing(
    settings, engine, account, clip, tmp_path, caplog
) -> None:
    from storage.tables.core import Upload

    server = _start(tmp_path / "s3down")
    try:
        app = _on_bucket(settings, server)
        kept = _store(app, engine, account.id, clip.path)
    finally:
        server.stop()
    caplog.set_level(logging.ERROR, logger="storage.upload_store")
    with pytest.raises(UploadStoreUnavailable) as refused:
        _store(app, engine, account.id, clip.path, name="second.mp4")
    message = str(refused.value)
    assert message.startswith("The file store is unreachable right now, so I couldn't save 'second.mp4'")
    assert "nothing was lost" in message and "\n" not in message
    assert any(r.exc_info for r in caplog.records)  # the cause is in the log, with its traceback
    with engine.connect() as c:
        assert [row.id for row in c.execute(select(Upload.id)).all()] == [kept.id]  # no row without its bytes
    assert _files(app.files_dir / "uploads") == [kept.path]  # no temp file left behind

    with pytest.raises(UploadStoreUnavailable, match=r"couldn't open 'squat\.mp4'"):
        get_upload(kept.id, account.id, tmp_path / "other", engine)  # not cached here, the store is down
    assert _files(tmp_path / "other") == []

    from agent.tools.base import ToolContext, ToolError, load_tools

    kept.path.unlink()  # this process's copy is gone too: a chat tool asked to analyse it again says why it can't
    tool = load_tools()["analyse_lift"]
    ctx = ToolContext(account_id=account.id, settings=app, engine=engine, attachments=[], text="analyse it again")
    with pytest.raises(ToolError, match=r"^The file store is unreachable right now, so I couldn't open 'squat\.mp4'"):
        tool.run(ctx, tool.args_model(upload_id=kept.id, lift="squat"))
    with engine.connect() as c:
        assert [row.id for row in c.execute(select(Upload.id)).all()] == [kept.id]  # the upload is still there


def test_the_s3_client_is_imported_only_when_a_bucket_is_used() -> None:
    code = "import sys, storage.uploads, powerforge.jobs, vision.jobs; print('boto3' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_celery_worker_with_an_empty_data_dir_analyses_a_clip_that_is_only_in_the_bucket(
    cluster_settings, s3, clip, tmp_path
) -> None:
    """The cluster shape: the app stores into the bucket, a `celery worker` (PostgreSQL, Redis, its own empty
    DATA_DIR as on another machine) fetches the clip and runs the real lift analysis."""
    from support.cluster import cluster_env, start_worker

    import vision.jobs  # noqa: F401  (registers lift_analysis)
    from powerforge.cluster.runner import CeleryJobRunner
    from storage.accounts import create_account
    from storage.engine import make_engine
    from storage.jobs import get_job

    app = _on_bucket(cluster_settings, s3)
    engine = make_engine(app.db_url)
    account = create_account("athlete", "correct-horse-1", engine=engine)
    up = _store(app, engine, account.id, clip.path)
    up.path.unlink()  # only the bucket has it now
    worker_dir = tmp_path / "worker-machine"
    runner = CeleryJobRunner(app, engine=engine)
    worker = None
    try:
        worker = start_worker("s3", {**cluster_env(app), **_s3_env(s3), "DATA_DIR": str(worker_dir)}, tmp_path)
        params = {"path": str(up.path), "lift": "squat", "load_kg": 100.0, "account_id": account.id,
                  "upload_id": up.id, "database_url": app.db_url}  # fmt: skip
        job_id, future = runner.submit("lift_analysis", account.id, params, upload_id=up.id)
        result = future.result(timeout=240)
        assert get_job(job_id, engine=engine).status == "done"
        assert len(result["reps"]) == 3
        cached = worker_dir / "files" / "uploads" / str(account.id) / f"{up.id}.mp4"
        assert cached.is_file() and _sha(cached) == up.sha256 and not up.path.exists()
    finally:
        runner.shutdown()
        if worker is not None:
            worker.proc.stop()
        engine.dispose()
