"""Job outcomes in cluster mode: written once, and one notice per job whoever gets there first."""

from __future__ import annotations

from storage import checkins as outbox
from storage.job_outcomes import finish_job, outbox_key, settle_notice, start_attempt, write_notice
from storage.jobs import create_job, get_job


def _notices(account_id: int, job_id: str, engine) -> list:
    return [r for r in outbox.messages(account_id, engine=engine) if r.idempotency_key == outbox_key(job_id)]


def test_an_outcome_is_recorded_once(engine, account):
    job, _ = create_job(account.id, "k", {}, engine=engine)
    assert start_attempt(job.id, engine)
    assert finish_job(job.id, "done", engine, result={"n": 1})
    assert not finish_job(job.id, "done", engine, result={"n": 2})  # a second worker's copy
    assert not start_attempt(job.id, engine)  # an ended job is not started again
    assert get_job(job.id, engine=engine).result == {"n": 1}


def test_the_waiting_turn_settles_the_notice(engine, account):
    job, _ = create_job(account.id, "k", {}, engine=engine)
    finish_job(job.id, "done", engine)
    assert write_notice(job, "finished", engine) is not None
    assert write_notice(job, "finished", engine) is None  # once per job
    assert settle_notice(job.id, "turn:a", engine)
    [row] = _notices(account.id, job.id, engine)
    assert row.status == "delivered" and row.session_id == "turn:a"
    assert outbox.unread_count(account.id, engine) == 0


def test_a_turn_that_settles_before_the_notice_exists_is_not_told_twice(engine, account):
    """The worker died between recording the outcome and writing the notice; its redelivery writes it later."""
    job, _ = create_job(account.id, "k", {}, engine=engine)
    finish_job(job.id, "done", engine)
    assert settle_notice(job.id, "turn:a", engine)  # the turn showed the result
    assert write_notice(job, "finished", engine) is None  # the redelivered task's late notice: key taken
    [row] = _notices(account.id, job.id, engine)
    assert row.status == "delivered"
    assert outbox.unread_count(account.id, engine) == 0


def test_a_notice_nobody_settled_waits_for_the_next_visit(engine, account):
    job, _ = create_job(account.id, "k", {}, engine=engine)
    finish_job(job.id, "failed", engine, error="no video stream")
    write_notice(job, "did not finish: no video stream", engine)
    assert [r.text for r in outbox.pending_messages(account.id, engine)] == ["did not finish: no video stream"]
