"""Training queries over 1 M logged sets on SQLite: PR lookups, e1RM history, session and weekly volume.

Builds a fresh database with the project's migrations, fills `training_sets` with 1 M sets (20 lifters ×
50 000 sets over ~6 years, realistic loads/reps/RPE, e1RM computed by `training.e1rm` as the app does),
then times the repository's queries (p50/p95 over many calls with random lifters and lifts). Baseline,
measured in the same run on the same data: the same SQL after dropping the training indexes (what the
queries would cost without them). Prints a table with the ratio baseline / indexed.

    uv run python bench/training_queries.py [--sets 1000000] [--reps 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from powerforge.config import Settings, override_settings
from storage import training as repo
from storage.accounts import create_account
from storage.engine import dispose_all, make_engine
from storage.migrate import upgrade
from storage.tables.core import new_id
from storage.tables.training import TrainingSession, TrainingSet
from training.e1rm import e1rm_kg

LIFTS = {"back_squat": 140, "bench_press": 100, "deadlift": 180, "overhead_press": 60, "barbell_row": 90,
         "romanian_deadlift": 120, "lat_pulldown": 70, "leg_press": 220, "pull_up": 0, "dumbbell_curl": 16}  # fmt: skip
INDEXES = ("ix_training_sets_best_load", "ix_training_sets_best_e1rm", "ix_training_sets_account_exercise_time",
           "ix_training_sets_account_time", "ix_training_sets_session_id")  # fmt: skip


def fill(engine, accounts: list[int], n_sets: int, rng: random.Random) -> None:
    per = n_sets // len(accounts)
    start = datetime(2019, 1, 1, tzinfo=UTC)
    sessions, sets = [], []
    with engine.begin() as conn:
        for acc in accounts:
            made = 0
            day = 0
            while made < per:
                sid = new_id()
                t0 = start + timedelta(days=day, hours=17)
                sessions.append({"id": sid, "account_id": acc, "name": "", "started_at": t0, "source": "chat",
                                 "notes": "", "created_at": t0})  # fmt: skip
                for ex in rng.sample(list(LIFTS), 5):
                    base = LIFTS[ex] * (1 + day / 4000)
                    for k in range(5):
                        if made >= per:
                            break
                        reps = rng.choice((1, 3, 5, 5, 8, 10, 12))
                        load = round(base * rng.uniform(0.55, 0.9) / 2.5) * 2.5 if base else 0.0
                        rpe = rng.choice((None, 7, 7.5, 8, 8.5, 9, 9.5))
                        warm = k == 0 and rng.random() < 0.3
                        sets.append({
                            "id": new_id(), "account_id": acc, "session_id": sid, "exercise_id": ex, "set_index": k + 1,
                            "load_kg": load, "added_load": False, "reps": reps, "rpe": rpe, "warmup": warm,
                            "set_type": "warmup" if warm else "normal", "amrap": False,
                            "e1rm_kg": None if warm or not load else e1rm_kg(load, reps, rpe), "notes": "",
                            "performed_at": t0 + timedelta(minutes=made % 25 * 3), "created_at": t0,
                        })  # fmt: skip
                        made += 1
                day += 2
                if len(sets) >= 50_000:
                    conn.execute(insert(TrainingSession.__table__), sessions)
                    conn.execute(insert(TrainingSet.__table__), sets)
                    sessions, sets = [], []
        if sets:
            conn.execute(insert(TrainingSession.__table__), sessions)
            conn.execute(insert(TrainingSet.__table__), sets)
        conn.execute(text("ANALYZE"))


def queries(engine, accounts: list[int], rng: random.Random) -> dict[str, Callable[[], object]]:
    def acc_lift() -> tuple[int, str]:
        return rng.choice(accounts), rng.choice([k for k, v in LIFTS.items() if v])

    def pr_lookup() -> object:  # what logging a set asks before it announces PRs
        a, ex = acc_lift()
        b = repo.bests(a, ex, engine=engine)
        return b.max_load_kg, b.max_e1rm_kg, b.reps_at(b.max_load_kg * 0.8)

    def e1rm_year() -> object:  # the chart under a logged set
        a, ex = acc_lift()
        return repo.e1rm_history(a, ex, since=datetime(2024, 1, 1, tzinfo=UTC), engine=engine)

    def last_set() -> object:  # what the lift-video engineer attaches a velocity to
        a, ex = acc_lift()
        return repo.last_set(a, ex, engine=engine)

    def session_volume() -> object:
        a = rng.choice(accounts)
        with engine.connect() as c:
            sid = c.execute(select(TrainingSession.id).where(TrainingSession.account_id == a)
                            .order_by(TrainingSession.started_at.desc()).limit(1)).scalar()  # fmt: skip
        return repo.session_volume(a, sid, engine)

    def weekly_tonnage() -> object:  # 12 weeks of tonnage per lift (what analytics charts)
        a = rng.choice(accounts)
        since = datetime(2024, 6, 1, tzinfo=UTC)
        with engine.connect() as c:
            return c.execute(
                select(TrainingSet.exercise_id, func.sum(TrainingSet.load_kg * TrainingSet.reps))
                .where(TrainingSet.account_id == a, TrainingSet.warmup.is_(False),
                       TrainingSet.performed_at >= since, TrainingSet.performed_at < since + timedelta(weeks=12))
                .group_by(TrainingSet.exercise_id)
            ).all()  # fmt: skip

    return {"PR lookup (3 queries)": pr_lookup, "e1RM history, 1 year": e1rm_year, "last set of a lift": last_set,
            "session volume": session_volume, "12-week tonnage by lift": weekly_tonnage}  # fmt: skip


def timings(fn: Callable[[], object], n: int) -> tuple[float, float]:
    fn()  # warm
    ms = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--lifters", type=int, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pf-bench-"))
    s = Settings(_env_file=None, data_dir=tmp, database_url="", llm_embedded=False)
    s.ensure_dirs()
    override_settings(s)
    engine = make_engine(s.db_url)
    upgrade(engine=engine)
    repo.ensure_library(engine)
    accounts = [create_account(f"lifter{i}", "bench-pass-123", engine=engine).id for i in range(args.lifters)]
    rng = random.Random(7)
    t = time.perf_counter()
    fill(engine, accounts, args.sets, rng)
    build_s = time.perf_counter() - t
    with engine.connect() as c:
        n = c.execute(select(func.count()).select_from(TrainingSet)).scalar()
    size_mb = (tmp / "powerforge.db").stat().st_size / 1e6
    print(f"{n:,} sets, {len(accounts)} lifters, built in {build_s:.0f} s, database {size_mb:.0f} MB\n")

    indexed = {k: timings(fn, args.reps) for k, fn in queries(engine, accounts, random.Random(1)).items()}
    with engine.begin() as c:
        for ix in INDEXES:
            c.execute(text(f"DROP INDEX IF EXISTS {ix}"))
    base_reps = max(5, args.reps // 20)
    baseline = {k: timings(fn, base_reps) for k, fn in queries(engine, accounts, random.Random(1)).items()}

    print("| query | p50 ms | p95 ms | p95 without indexes (baseline) ms | ratio |")
    print("|---|---|---|---|---|")
    for k, (p50, p95) in indexed.items():
        b95 = baseline[k][1]
        print(f"| {k} | {p50:.2f} | {p95:.2f} | {b95:.1f} | {b95 / p95:.0f}× faster |")
    print(f"\n(indexed: {args.reps} calls each; baseline: {base_reps} calls each, same data, same SQL)")
    engine.dispose()
    dispose_all()


if __name__ == "__main__":
    main()
