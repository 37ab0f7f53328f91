"""Long jobs in a real process pool: progress events, results, failures, cancel, idempotency."""

from __future__ import annotations

import asyncio

import pytest

from powerforge.jobs import JobRunner, register_job, run_inline
from storage.jobs import fail_interrupted, get_job, list_jobs

register_job("test_count", "support.sample_jobs:count")
register_job("test_explode", "support.sample_jobs:explode")


@pytest.fixture
def runner(engine):
    r = JobRunner(max_workers=1, engine=engine)
    yield r
    r.shutdown()


async def test_job_reports_progress_and_result(runner, engine, account):
    events = []
    job_id, future = runner.submit("test_count", account.id, {"n": 4}, listener=events.append)
    job = await runner.wait(job_id, future)
    assert job.status == "done" and job.result == {"counted": 4} and job.progress == 1.0
    fractions = [e.fraction for e in events if e.status == "running"]
    assert fractions == sorted(fractions) and len(fractions) >= 3
    # The job's last progress event can be superseded: one the pump took just as the job ended is dropped
    # (nothing may follow "done"), so the 1.0 comes with "done" itself. It failed 3 runs in 12 expecting 1.0 twice.
    assert events[-1].status == "done" and events[-1].fraction == 1.0


async def test_failure_is_recorded_with_its_message(runner, engine, account):
    job_id, future = runner.submit("test_explode", account.id, {})
    job = await runner.wait(job_id, future)
    assert job.status == "failed" and "no video stream" in job.error


async def test_same_idempotency_key_runs_once(runner, engine, account):
    first, f1 = runner.submit("test_count", account.id, {"n": 2}, idempotency_key="upload-1")
    again, f2 = runner.submit("test_count", account.id, {"n": 2}, idempotency_key="upload-1")
    assert first == again and f2 is None
    await runner.wait(first, f1)
    assert len(list_jobs(account.id, engine=engine)) == 1


async def test_cancel_stops_a_running_job(runner, engine, account):
    job_id, future = runner.submit("test_count", account.id, {"n": 200, "sleep": 0.02})
    await asyncio.sleep(1.0)
    runner.cancel(job_id)
    job = await runner.wait(job_id, future)
    assert job.status == "cancelled"


def test_jobs_of_other_accounts_are_invisible(engine, account):
    from storage.jobs import create_job

    job, _ = create_job(account.id, "test_count", {"n": 1}, engine=engine)
    assert get_job(job.id, account.id, engine) is not None
    assert get_job(job.id, account.id + 1, engine) is None


def test_interrupted_jobs_are_marked_failed_on_start(engine, account):
    from storage.jobs import create_job, update_job

    job, _ = create_job(account.id, "test_count", {"n": 1}, engine=engine)
    update_job(job.id, status="running", engine=engine)
    assert fail_interrupted(engine) == 1
    assert "upload is kept" in get_job(job.id, engine=engine).error


def test_inline_run_uses_the_same_function():
    seen = []
    assert run_inline("test_count", {"n": 3}, seen.append) == {"counted": 3}
    assert len(seen) == 3


def test_row_is_final_as_soon_as_the_result_is(runner, engine, account):
    """A caller blocking on result() must never read its job back as still running (a race CI once lost)."""
    for n in range(1, 6):
        job_id, future = runner.submit("test_count", account.id, {"n": n})
        assert future.result(timeout=60) == {"counted": n}
        job = get_job(job_id, account.id, engine)
        assert job.status == "done" and job.result == {"counted": n}


def test_a_new_stage_is_reported_however_fast_the_last_one_was():
    from powerforge.jobs import Progress

    seen: list[str] = []
    progress = Progress("j", lambda e: seen.append(e.message), lambda: False)
    for msg in ["reading", "tracking: frame 15", "tracking: frame 30", "drawing", "drawing"]:
        progress(0.5, msg)
    assert seen == ["reading", "tracking: frame 15", "drawing"]  # within a stage, throttled


def test_progress_never_goes_backwards_across_stages_or_threads():
    import threading

    from powerforge.jobs import Progress

    shown: list[float] = []
    progress = Progress("j", lambda e: shown.append(e.fraction), lambda: False)
    progress(0.6, "following the bar: frame 90")
    progress(0.4, "reading the body: rep 1")  # a stage whose own estimate starts lower
    assert shown == [0.6, 0.6]

    def stage(name: str, values: list[float]) -> None:
        for i, v in enumerate(values):
            progress(v, f"{name}{i}:")  # every message a new stage: none throttled

    threads = [threading.Thread(target=stage, args=(n, [0.6 + 0.01 * k for k in range(30)])) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert shown == sorted(shown) and len(shown) == 62
