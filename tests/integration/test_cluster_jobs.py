"""Celery + Redis job backend on real servers (redis-server, PostgreSQL, `celery worker` processes).

A worker killed with SIGKILL mid-job leaves its message unacknowledged; after the visibility timeout
Redis hands it to the second worker, which runs the job once more: one result, one final message.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from support.cluster import cluster_env, start_worker, wait_for, wait_ready

from powerforge.config import Settings
from powerforge.jobs import register_job
from storage.engine import make_engine

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(240)]

KIND = "test_cluster_slow"
register_job(KIND, "support.cluster_jobs:slow_count")


class Events:
    """Every event of one account seen by a separate subscriber connection (a second app process's view)."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, account_id: int, payload: dict) -> None:
        with self.lock:
            self.items.append(payload)

    def of(self, job_id: str, status: str) -> list[dict]:
        with self.lock:
            return [p for p in self.items if p["job_id"] == job_id and p["status"] == status]


def test_worker_killed_mid_job_runs_again_once(cluster_settings: Settings, tmp_path: Path) -> None:
    from powerforge.cluster.events import Subscriber
    from powerforge.cluster.runner import CeleryJobRunner
    from powerforge.cluster.worker import TASK, make_celery
    from storage.accounts import create_account
    from storage.jobs import get_job

    s = cluster_settings
    engine = make_engine(s.db_url)
    account = create_account("athlete", "correct-horse-1", engine=engine)
    marker = tmp_path / "starts.txt"
    workers: list = []
    seen = Events()
    subscriber = Subscriber(s.redis_url, seen).start()
    runner = CeleryJobRunner(s, engine=engine)
    try:
        workers = [start_worker(name, cluster_env(s), tmp_path, wait=False) for name in ("a", "b")]
        for w in workers:
            wait_ready(w)
        progress: list = []
        job_id, future = runner.submit(KIND, account.id, {"n": 12, "sleep": 0.5, "marker": str(marker)},
                                       listener=progress.append)  # fmt: skip
        assert future is not None
        wait_for(lambda: len(seen.of(job_id, "running")) >= 3, 60, "the job to be running")
        holders = [w for w in workers if "received" in w.proc.text()]
        assert len(holders) == 1  # prefetch 1: only the worker running it holds the message
        first = holders[0]
        second = next(w for w in workers if w is not first)
        row = get_job(job_id, engine=engine)
        assert row is not None and row.status == "running" and 0 < row.progress < 1, "kill must land mid-job"
        first.proc.kill()  # SIGKILL the whole worker: main process and its pool process
        first.proc.proc.wait(10)

        result = future.result(timeout=90)
        assert result == {"counted": 12}
        row = get_job(job_id, engine=engine)
        assert row is not None and row.status == "done" and row.result == {"counted": 12}
        starts = marker.read_text().split()
        assert len(starts) == 2 and starts[0] != starts[1], starts  # killed once, run again once
        wait_for(lambda: "succeeded" in second.proc.text() and "'done'" in second.proc.text(), 15, "b's log")
        time.sleep(1.0)  # a duplicate final event would arrive within this
        assert len(seen.of(job_id, "done")) == 1  # one message, seen by another process's subscriber
        assert [e.status for e in progress].count("done") == 1

        # A redelivered copy of a finished job does nothing: no third start, no second message.
        make_celery(s).send_task(TASK, args=[job_id, "support.cluster_jobs:slow_count", s.db_url], queue="video")
        wait_for(lambda: "'already-ended'" in second.proc.text(), 30, "the duplicate to be dropped")
        time.sleep(0.5)
        assert marker.read_text().split() == starts
        assert len(seen.of(job_id, "done")) == 1
    finally:
        runner.shutdown()
        subscriber.stop()
        for w in workers:
            w.proc.stop()
        engine.dispose()


def test_a_dead_workers_job_is_requeued_at_once_not_after_the_visibility_timeout(
    cluster_settings: Settings, tmp_path: Path
) -> None:
    """What the cluster supervisor does when it sees a worker die (an hour's visibility timeout here)."""
    from powerforge.cluster.recover import requeue_orphans
    from powerforge.cluster.runner import CeleryJobRunner
    from storage.accounts import create_account
    from storage.jobs import get_job

    s = cluster_settings.model_copy(update={"celery_visibility_timeout_s": 3600.0})
    env = {**cluster_env(s), "CELERY_VISIBILITY_TIMEOUT_S": "3600"}
    engine = make_engine(s.db_url)
    account = create_account("athlete", "correct-horse-1", engine=engine)
    marker = tmp_path / "starts.txt"
    workers: list = []
    runner = CeleryJobRunner(s, engine=engine)
    try:
        workers = [start_worker(name, env, tmp_path, wait=False) for name in ("a", "b")]
        for w in workers:
            wait_ready(w)
        job_id, future = runner.submit(KIND, account.id, {"n": 12, "sleep": 0.5, "marker": str(marker)})
        assert future is not None
        wait_for(lambda: marker.exists() and len(marker.read_text().split()) == 1, 60, "the job to start")
        time.sleep(1.0)
        assert requeue_orphans(s, engine) == []  # running (its worker holds the lock): left alone
        holder = next(w for w in workers if "received" in w.proc.text())
        holder.proc.kill()
        holder.proc.proc.wait(10)
        assert get_job(job_id, engine=engine).status == "running"  # the row still says so; the lock says not

        assert requeue_orphans(s, engine) == [job_id]
        assert future.result(timeout=60) == {"counted": 12}
        assert len(marker.read_text().split()) == 2
        assert requeue_orphans(s, engine) == []  # done: nothing to requeue
    finally:
        runner.shutdown()
        for w in workers:
            w.proc.stop()
        engine.dispose()


def test_cancel_and_failures_on_a_worker_reach_the_caller_in_words(cluster_settings: Settings, tmp_path: Path) -> None:
    """Cancel stops a running job; a bad input's message reaches the person; a bug's text does not."""
    from powerforge.cluster.runner import CeleryJobRunner, JobFailed
    from powerforge.jobs import JOB_FAILED, JobCancelled
    from storage import checkins as outbox
    from storage.accounts import create_account
    from storage.jobs import get_job

    register_job("test_explode", "support.sample_jobs:explode")
    register_job("test_explode_bug", "support.sample_jobs:explode_bug")
    s = cluster_settings
    engine = make_engine(s.db_url)
    account = create_account("athlete", "correct-horse-1", engine=engine)
    runner = CeleryJobRunner(s, engine=engine)
    worker = None
    try:
        worker = start_worker("w", cluster_env(s), tmp_path)
        marker = tmp_path / "starts.txt"
        job_id, future = runner.submit(KIND, account.id, {"n": 200, "sleep": 0.1, "marker": str(marker)})
        wait_for(lambda: marker.exists(), 60, "the job to start")
        runner.cancel(job_id)
        with pytest.raises(JobCancelled):
            future.result(timeout=60)
        assert get_job(job_id, engine=engine).status == "cancelled"

        bad_id, bad = runner.submit("test_explode", account.id, {})
        with pytest.raises(ValueError, match="no video stream"):
            bad.result(timeout=60)
        bug_id, bug = runner.submit("test_explode_bug", account.id, {})
        with pytest.raises(JobFailed) as failed:
            bug.result(timeout=60)
        assert str(failed.value) == JOB_FAILED and "missing" not in str(failed.value)
        assert get_job(bug_id, engine=engine).status == "failed"

        notices = {r.idempotency_key: r.text for r in outbox.messages(account.id, engine=engine)}
        assert f"job:{job_id}" not in notices  # a cancel the person asked for needs no notice
        assert "no video stream" in notices[f"job:{bad_id}"]
        assert JOB_FAILED in notices[f"job:{bug_id}"] and "missing" not in notices[f"job:{bug_id}"]
    finally:
        runner.shutdown()
        if worker is not None:
            worker.proc.stop()
        engine.dispose()


def test_an_unreachable_queue_fails_the_job_with_a_sentence(pg_settings: Settings) -> None:
    """Redis down at submit: the caller gets the one-sentence failure and the row says failed, not queued."""
    from support.postgres import free_port

    from powerforge.cluster.runner import CeleryJobRunner, JobFailed
    from powerforge.jobs import JOB_FAILED
    from storage.accounts import create_account
    from storage.jobs import list_jobs
    from storage.migrate import upgrade

    upgrade(pg_settings.db_url)
    s = pg_settings.model_copy(update={"jobs_backend": "celery", "redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    engine = make_engine(s.db_url)
    account = create_account("athlete", "correct-horse-1", engine=engine)
    runner = CeleryJobRunner(s, engine=engine)
    try:
        with pytest.raises(JobFailed, match=JOB_FAILED[:30]):
            runner.submit(KIND, account.id, {"n": 1, "marker": "/dev/null"})
        [job] = list_jobs(account.id, engine=engine)
        assert job.status == "failed" and "unreachable" in (job.error or "")
    finally:
        runner.shutdown()
        engine.dispose()


def test_a_real_lift_analysis_runs_on_a_worker(cluster_settings: Settings, shared_data: Path, tmp_path: Path) -> None:
    """The real `lift_analysis` job (pose pass included) on a Celery worker: progress, a stored analysis."""
    from support.striking import share_blazepose

    import vision.jobs  # noqa: F401  (registers lift_analysis)
    from powerforge.cluster.runner import CeleryJobRunner
    from storage.accounts import create_account
    from storage.jobs import get_job

    s = cluster_settings
    if not share_blazepose(s.models_dir):
        pytest.skip("BlazePose bundle not installed (powerforge models pull blazepose-full; make test-deps does)")
    engine = make_engine(s.db_url)
    account = create_account("athlete", "correct-horse-1", engine=engine)
    runner = CeleryJobRunner(s, engine=engine)
    worker = None
    try:
        worker = start_worker("w", cluster_env(s), tmp_path)
        events: list = []
        params = {"path": str(shared_data / "media/lifts/small-squat.mp4"), "lift": "squat", "account_id": account.id,
                  "data_dir": str(s.data_dir), "database_url": s.db_url}  # fmt: skip
        job_id, future = runner.submit("lift_analysis", account.id, params, listener=events.append)
        result = future.result(timeout=240)
        assert result["analysis_id"] and result["lift"] == "squat"
        assert get_job(job_id, engine=engine).status == "done"
        fractions = [e.fraction for e in events if e.status == "running"]
        assert fractions and fractions == sorted(fractions)  # progress travelled worker -> Redis -> this process
        assert [e.status for e in events][-1] == "done"
    finally:
        runner.shutdown()
        if worker is not None:
            worker.proc.stop()
        engine.dispose()
