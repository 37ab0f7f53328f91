"""What check-ins cost: parsing a request, writing a due message safely, catching up after a restart.

Each row has a baseline measured in the same run:
- parse: `checkins.parse.parse_request` vs `dateparser.parse` on the same phrases (the library alone,
  which cannot read recurrences, ask am/pm or refuse past times);
- fire: `service.fire` (content + idempotent outbox write + schedule update, one transaction) vs a plain
  INSERT of the same row in its own transaction (what "no safety" would cost);
- catch-up: the start-up sweep over N schedules (which are due? write each once) vs only reading them;
- second sweep: the same sweep again (everything already written: must write nothing).

    uv run python bench/checkins_bench.py [--schedules 400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dateparser

from checkins import service
from checkins.parse import parse_request
from powerforge.config import Settings, override_settings
from storage import checkins as repo
from storage.accounts import create_account
from storage.engine import make_engine, transaction
from storage.migrate import upgrade
from storage.tables.checkins import CheckinOutbox
from storage.tables.core import new_id

PHRASES = [
    "remind me to log dinner at 8pm every day",
    "send me a weekly review every Sunday at 6pm",
    "ask me how I slept every morning at 7",
    "remind me to take creatine on weekdays at 9am",
    "remind me to drink water in 20 minutes",
    "remind me to pack my bag on 25 December at 10am",
    "turn on the morning readiness check and the Sunday review",
    "remind me to stretch tomorrow at 7am",
]
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schedules", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    opts = ap.parse_args()

    rows: list[tuple[str, str, float, str, float, int]] = []
    dateparser.parse("tomorrow at 7am", languages=["en"])  # warm both (dateparser loads its tables once)
    parse_request(PHRASES[0], NOW, "Europe/London")
    n_parse = 50
    ours = best_of(
        lambda: [parse_request(p, NOW, "Europe/London") for _ in range(n_parse) for p in PHRASES], opts.repeat
    )
    base = best_of(
        lambda: [dateparser.parse(p, languages=["en"]) for _ in range(n_parse) for p in PHRASES], opts.repeat
    )
    rows.append(("parse a request", "parse_request", ours, "dateparser.parse", base, n_parse * len(PHRASES)))

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), database_url="", llm_embedded=False)
        settings.ensure_dirs()
        override_settings(settings)
        engine = make_engine(settings.db_url)
        upgrade(engine=engine)
        n = opts.schedules
        per_account = service.MAX_ACTIVE
        accounts = [create_account(f"user{i}", "correct-horse-1", engine=engine) for i in range(n // per_account)]
        start = NOW - timedelta(days=2)
        ids: list[int] = []
        for acc in accounts:
            for j in range(per_account):
                spec = parse_request(f"remind me to drink {j} at 8pm every day", start, "UTC")
                saved, _ = service.save(acc.id, spec, now=start, engine=engine)
                ids.extend(r.id for r in saved)

        # fire: one due occurrence per schedule, written safely, vs a plain insert per row
        def fire_all() -> None:
            for sid in ids:
                service.fire(sid, now=NOW, engine=engine)

        def plain_inserts() -> None:
            for sid in ids:
                with transaction(engine) as s:
                    s.add(CheckinOutbox(account_id=accounts[0].id, schedule_id=sid, kind="reminder",
                                        idempotency_key=new_id(), scheduled_for=NOW, text="x", actions=[]))  # fmt: skip

        t = time.perf_counter()
        fire_all()  # this is also the catch-up sweep's write work after a restart
        fired = time.perf_counter() - t
        base_insert = best_of(plain_inserts, 1)
        rows.append(("write a due message", "service.fire", fired, "plain INSERT", base_insert, len(ids)))

        now_read = best_of(lambda: repo.active_schedules(engine), opts.repeat)
        sweep_again = best_of(
            lambda: [service.due(r, NOW) for r in repo.active_schedules(engine)], opts.repeat
        )  # what each reconcile tick costs when nothing is due
        rows.append(("sweep, nothing due", "due() over all", sweep_again, "read schedules", now_read, len(ids)))
        second = best_of(fire_all, 1)
        rows.append(("fire again (dedup)", "service.fire", second, "plain INSERT", base_insert, len(ids)))
        written = len([m for a in accounts for m in repo.messages(a.id, limit=1000, engine=engine) if m.text != "x"])
        engine.dispose()
        override_settings(None)

    print(f"\ncheck-ins, {len(ids)} schedules in {len(accounts)} accounts (SQLite, WAL); best of {opts.repeat}\n")
    print(f"| {'step':<22} | {'ours':<16} | {'per item':>10} | {'baseline':<17} | {'per item':>10} | {'ratio':>6} |")
    print(f"|{'-' * 24}|{'-' * 18}|{'-' * 12}|{'-' * 19}|{'-' * 12}|{'-' * 8}|")
    for step, name, t_ours, base_name, t_base, count in rows:
        print(
            f"| {step:<22} | {name:<16} | {t_ours / count * 1e6:>8.0f}µs | {base_name:<17} | "
            f"{t_base / count * 1e6:>8.0f}µs | {t_ours / t_base:>5.2f}× |"
        )
    print(f"\nmessages written by two full passes of fire over {len(ids)} schedules: {written} (one each)")


if __name__ == "__main__":
    main()
