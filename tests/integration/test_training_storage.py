"""Training storage on real databases: the migration branch on SQLite and PostgreSQL matches the
SQLModel tables, program versions and schedule, logging, PR queries, imports (idempotent), isolation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage import training as repo
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import alembic_config, current_heads, upgrade
from storage.tables import load_all
from training.csvio import parse_export
from training.loads import Max
from training.sets import SetRecord
from training.templates import expand, get_template

TABLES = (
    "training_exercises", "training_exercise_muscles", "training_maxes", "training_programs", "training_drafts",
    "training_scheduled_sessions", "training_sessions", "training_sets", "training_progress", "training_settings",
)  # fmt: skip


def _schema_matches_models(engine) -> None:
    insp = inspect(engine)
    meta = load_all().metadata
    for name in TABLES:
        db_cols = {c["name"] for c in insp.get_columns(name)}
        model_cols = {c.name for c in meta.tables[name].columns}
        assert db_cols == model_cols, (name, db_cols ^ model_cols)
    idx = {i["name"] for i in insp.get_indexes("training_sets")}
    assert {"ix_training_sets_best_load", "ix_training_sets_best_e1rm", "ix_training_sets_account_exercise_time"} <= idx
    # applied: a head itself, or below another domain's branch that depends on it (lift videos do)
    script = ScriptDirectory.from_config(alembic_config())
    below, todo = set(), list(current_heads(engine))
    while todo:
        rev = script.get_revision(todo.pop())
        if rev is not None and rev.revision not in below:
            below.add(rev.revision)
            for up in (rev.down_revision, rev.dependencies):
                todo.extend([up] if isinstance(up, str) else list(up or ()))
    assert "training_0001" in below


def test_migration_on_sqlite(engine):
    _schema_matches_models(engine)
    upgrade(engine=engine)  # idempotent


def test_migration_and_repository_on_postgres(pg_settings):
    eng = make_engine(pg_settings.db_url)
    try:
        upgrade(engine=eng)
        _schema_matches_models(eng)
        acc = create_account("pg-lifter", "correct-horse-9", engine=eng)
        _program_and_logging(acc.id, eng)
    finally:
        eng.dispose()


def _program_and_logging(account_id: int, eng) -> None:
    program = expand(get_template("linear_beginner"), days=3, maxes={"back_squat": Max(140)})
    row = repo.activate_program(account_id, program, start=date(2025, 1, 8), maxes_kg={"back_squat": 140.0},
                                engine=eng)  # fmt: skip
    assert repo.get_maxes(account_id, eng)["back_squat"].one_rm_kg == 140
    nxt = repo.next_scheduled(account_id, eng)
    assert (nxt.week_index, nxt.day_index, nxt.name, nxt.planned_date) == (1, 0, "Workout A", date(2025, 1, 13))
    now = datetime(2025, 1, 13, 18, 0, tzinfo=UTC)
    sess, rows = repo.log_sets(
        account_id, [SetRecord("back_squat", 100, 5, 8.0), SetRecord("back_squat", 100, 5)], now=now,
        program_id=row.id, scheduled_id=nxt.id, engine=eng,
    )  # fmt: skip
    assert [r.set_index for r in rows] == [1, 2] and rows[0].e1rm_kg == pytest.approx(100 / 0.811, abs=0.01)
    assert repo.last_set(account_id, "back_squat", eng).id == rows[1].id
    assert repo.next_scheduled(account_id, eng).name == "Workout B"  # the planned one is done
    # 30 minutes later the same session continues; 5 hours later a new one starts
    later, more = repo.log_sets(
        account_id, [SetRecord("back_squat", 105, 3)], now=now + timedelta(minutes=30), engine=eng
    )
    assert later.id == sess.id and more[0].set_index == 3
    other, _ = repo.log_sets(account_id, [SetRecord("bench_press", 80, 5)], now=now + timedelta(hours=5), engine=eng)
    assert other.id != sess.id
    b = repo.bests(account_id, "back_squat", engine=eng)
    assert (b.has_history, b.max_load_kg, b.reps_at(100), b.reps_at(104)) == (True, 105, 5, 3)
    hist = repo.e1rm_history(account_id, "back_squat", engine=eng)
    assert len(hist) == 1 and hist[0][1] == pytest.approx(123.3, abs=0.01)


def test_program_versions_keep_done_sessions_and_drafts_are_single_use(engine, account):
    p = expand(get_template("upper_lower_hypertrophy"), days=4, weeks=4)
    d = repo.create_draft(account.id, "program", {"program": p.model_dump(mode="json")}, engine=engine)
    v1 = repo.activate_program(account.id, p, start=date(2025, 3, 3), draft_id=d.id, engine=engine)
    with pytest.raises(repo.DraftGone, match="already approved"):
        repo.activate_program(account.id, p, start=date(2025, 3, 3), draft_id=d.id, engine=engine)
    first = repo.next_scheduled(account.id, engine)
    repo.log_sets(account.id, [SetRecord("bench_press", 80, 8)], now=datetime(2025, 3, 3, 17, tzinfo=UTC),
                  scheduled_id=first.id, engine=engine)  # fmt: skip
    v2 = repo.activate_program(account.id, p, start=date(2025, 4, 1), lineage_id=v1.lineage_id, change_note="x",
                               engine=engine)  # fmt: skip
    assert (v2.version, v2.lineage_id, v2.start_date) == (2, v1.lineage_id, date(2025, 3, 3))
    assert [r.status for r in repo.program_versions(account.id, v1.lineage_id, engine)] == ["superseded", "active"]
    nxt = repo.next_scheduled(account.id, engine)
    assert (nxt.program_id, nxt.week_index, nxt.day_index) == (v2.id, 1, 1)  # the done session is not re-planned
    # a new draft of the same kind replaces an older pending one
    a = repo.create_draft(account.id, "edit", {}, engine=engine)
    b = repo.create_draft(account.id, "edit", {}, engine=engine)
    assert repo.get_draft(account.id, a.id, engine).status == "superseded"
    assert repo.latest_pending_draft(account.id, "edit", engine).id == b.id


def test_accounts_are_isolated(engine, account):
    other = create_account("someone-else", "another-pass-1", engine=engine)
    repo.log_sets(account.id, [SetRecord("deadlift", 200, 1)], now=datetime(2025, 1, 1, tzinfo=UTC), engine=engine)
    assert repo.last_set(other.id, engine=engine) is None
    assert repo.bests(other.id, "deadlift", engine=engine).has_history is False
    draft = repo.create_draft(account.id, "program", {}, engine=engine)
    assert repo.get_draft(other.id, draft.id, engine) is None
    assert repo.export_rows(other.id, engine=engine) == []


STRONG = """Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE
2024-03-04 18:02:11,Lower A,1h 5m,Squat (Barbell),1,140,5,0,0,,,8
2024-03-04 18:02:11,Lower A,1h 5m,Squat (Barbell),2,140,5,0,0,,,8.5
2024-03-04 18:02:11,Lower A,1h 5m,Cable Woodchop,1,15,12,0,0,,,
2024-03-06 07:30:00,Upper A,52m,Bench Press (Barbell),1,100,5,0,0,,,9
"""


def test_import_is_idempotent_keeps_unknown_exercises_and_exports(engine, account):
    report = parse_export(STRONG)
    first = repo.import_sessions(account.id, report, engine)
    assert (first.sessions_added, first.sets_added, first.duplicates) == (2, 4, 0)
    assert first.custom_exercises == ["Cable Woodchop"]
    again = repo.import_sessions(account.id, parse_export(STRONG), engine)
    assert (again.sessions_added, again.sets_added, again.duplicates) == (0, 0, 2)
    assert repo.count_sets(account.id, engine) == 4
    rows = repo.export_rows(account.id, engine=engine)
    assert [r.exercise_name for r in rows] == ["Back Squat", "Back Squat", "Cable Woodchop", "Bench Press"]
    assert rows[0].set_order == "1" and rows[1].set_order == "2"
    b = repo.bests(account.id, "back_squat", engine=engine)
    assert b.max_e1rm_kg == pytest.approx(140 / 0.811, abs=0.01)
