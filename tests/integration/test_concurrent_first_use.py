"""First use by several people at once on a fresh database (issue 11): every first log of each kind —
food, sets, body weight, a saved check-in — is stored for everyone, with no error, on SQLite and
PostgreSQL. Before, two first set-logs seeded the shared exercise library together and one failed
with `UNIQUE constraint failed: training_exercises.id`."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from agent.router import route_by_code
from agent.tools.base import ToolContext, ToolOutput, load_tools
from powerforge.config import Settings
from storage import checkins as checkins_repo
from storage import nutrition as nutrition_repo
from storage import training as training_repo
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.tables.training import TrainingExercise, TrainingSet

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]

PEOPLE = 6
FIRST_LOGS = [  # (line typed, tool that code routes it to)
    ("squat 100x5", "train_log_sets"),
    ("had 2 eggs for breakfast", "log_food"),
    ("weighed 80.5 kg this morning", "body_weight_log"),
    ("remind me to log dinner at 8pm every day", "checkin_create"),
]


def _first_use(settings: Settings, engine: Engine, account_id: int, text: str, expect: str) -> ToolOutput:
    tools = load_tools()
    route = route_by_code(text, [], tools)
    assert route is not None and route.tool == expect and route.args is not None, (text, route)
    tool = tools[route.tool]
    ctx = ToolContext(account_id=account_id, settings=settings, engine=engine, text=text, now=datetime.now(UTC))
    out = tool.run(ctx, tool.args_model.model_validate(route.args))
    save = next((a for a in out.actions if a.tool == "checkin_save"), None)
    if save is not None:  # a check-in is stored when its preview is saved
        saver = tools[save.tool]
        out = saver.run(ctx, saver.args_model.model_validate(save.args))
    return out


def _everyone_at_once(settings: Settings, engine: Engine) -> None:
    ids = [create_account(f"p{i}", "first-use-pass", engine=engine).id for i in range(PEOPLE)]
    jobs = [(a, text, tool) for a in ids for text, tool in FIRST_LOGS]
    start = threading.Barrier(len(jobs))
    results: dict[tuple[int, str], Any] = {}

    def work(account_id: int, text: str, tool: str) -> None:
        start.wait()
        try:
            results[(account_id, tool)] = _first_use(settings, engine, account_id, text, tool)
        except Exception as exc:  # recorded, asserted below with every other failure
            results[(account_id, tool)] = exc

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    failed = {k: v for k, v in results.items() if not isinstance(v, ToolOutput) or not v.ok}
    assert len(results) == len(jobs) and not failed, failed

    with Session(engine) as s:
        library = s.exec(select(func.count()).select_from(TrainingExercise)).one()
        sets = s.exec(select(TrainingSet.account_id)).all()
    assert sorted(sets) == sorted(ids)  # one stored set per person
    assert library >= 10
    today = datetime.now(UTC).date()
    for a in ids:
        assert len(checkins_repo.list_schedules(a, engine=engine)) == 1, a
        assert nutrition_repo.list_entries(a, today - timedelta(days=1), today + timedelta(days=1), engine=engine), a
        assert len(nutrition_repo.list_weights(a, engine=engine)) == 1, a


def _fresh_process_state() -> None:
    """Forget that this process already seeded a database (as a freshly started process would)."""
    training_repo._SYNCED.clear()


def test_first_logs_at_once_on_a_fresh_sqlite_file(settings: Settings):
    engine = make_engine(settings.db_url)
    upgrade(engine=engine)
    _fresh_process_state()
    _everyone_at_once(settings, engine)


@pytest.mark.slow
def test_first_logs_at_once_on_postgres(pg_settings: Settings):
    engine = make_engine(pg_settings.db_url)
    upgrade(engine=engine)
    _fresh_process_state()
    _everyone_at_once(pg_settings, engine)


SEED = """
import sys, time
from storage.engine import make_engine
from storage.training import ensure_library
engine = make_engine(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
ensure_library(engine)
"""


def _seed_from_processes(url: str, n: int = 4) -> None:
    """`n` separate processes seed one fresh database at the same instant (an in-process lock can't help)."""
    at = time.time() + 8.0  # every process has imported and connected by then
    procs = [
        subprocess.Popen([sys.executable, "-c", SEED, url, str(at)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for _ in range(n)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    failed = [e for p, e in zip(procs, errors, strict=True) if p.returncode != 0]
    assert not failed, failed[0][-2000:]
    engine = make_engine(url)
    with Session(engine) as s:
        n_rows = s.exec(select(func.count()).select_from(TrainingExercise)).one()
    engine.dispose()
    assert n_rows == len(training_repo.library().exercises)


def test_library_seeding_races_between_processes(settings: Settings):
    upgrade(settings.db_url)
    _seed_from_processes(settings.db_url)


@pytest.mark.slow
def test_library_seeding_races_between_processes_on_postgres(pg_settings: Settings):
    upgrade(pg_settings.db_url)
    _seed_from_processes(pg_settings.db_url)


def test_app_processes_starting_together_set_up_the_chat_memory_once(pg_settings: Settings) -> None:
    """Cluster mode starts its app processes together: each sets up LangGraph's checkpoint tables on an empty
    database. Before, one failed with 'type "checkpoint_migrations" already exists' and came up without its coach."""
    import asyncio

    from agent.checkpoint import open_checkpointer

    async def start_one() -> None:
        async with open_checkpointer(pg_settings):
            pass

    async def start_together() -> None:
        await asyncio.gather(*(start_one() for _ in range(4)))

    asyncio.run(start_together())
    with make_engine(pg_settings.db_url).connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM checkpoint_migrations").scalar()
