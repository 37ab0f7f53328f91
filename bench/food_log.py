"""Parse + lookup + log, per meal line, on a real SQLite database.

For each meal line (the issue's examples and other everyday ones) the three stages are timed
cumulatively: parse the line into items; parse and resolve every item to a food and grams; and the
whole thing including the diary write (one transaction). Baseline measured in the same run: writing an
already-resolved entry (the database transaction alone), so the ratio shows what understanding the
line costs on top of storing it.

    uv run python bench/food_log.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from nutrition.diary import FoodBook, log_results, resolve_line
from nutrition.foods import generic_foods
from nutrition.meal_text import parse_meal_line
from powerforge.config import Settings, override_settings
from storage import nutrition as repo
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import upgrade

LINES = [
    "had 2 eggs and a slice of toast for breakfast",
    "150g oats with 300ml whole milk",
    "lunch was half a chicken breast and a cup of cooked white rice",
    "2 tbsp peanut butter",
    "330ml coke",
    "a banana and 30 g almonds",
    "dinner: 200g salmon, 1 baked potato and 2 cups broccoli",
    "1 medium apple",
    "3 slices of bacon, 2 scrambled eggs and a coffee",
    "a glass of red wine",
    "100g greek yogurt with 1 tbsp honey and 50 g blueberries",
    "2 slices of cheese pizza for dinner",
]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings(_env_file=None, data_dir=Path(tmp) / "var", database_url="", llm_embedded=False)
        s.ensure_dirs()
        override_settings(s)
        engine = make_engine(s.db_url)
        upgrade(engine=engine)
        account = create_account("bench", "bench-pass-1", engine=engine).id
        generic_foods()  # the table loads once per process; not part of a line's cost
        day = date(2026, 11, 24)
        stages: dict[str, list[float]] = {
            "parse": [],
            "parse + lookup": [],
            "parse + lookup + log": [],
            "db write only": [],
        }
        logged = pending = 0
        for _ in range(args.repeat):
            for line in LINES:
                t = time.perf_counter()
                parse_meal_line(line)
                stages["parse"].append(time.perf_counter() - t)

                t = time.perf_counter()
                book = FoodBook(account, engine)
                results, _meal, _off = resolve_line(line, book)
                stages["parse + lookup"].append(time.perf_counter() - t)

                t = time.perf_counter()
                book = FoodBook(account, engine)
                results, meal, _off = resolve_line(line, book)
                rows = log_results(account, results, day, meal or "snack", "bench", engine)
                stages["parse + lookup + log"].append(time.perf_counter() - t)
                logged += len(rows)
                pending += sum(1 for r in results if r.status != "ok")

                fields = {"day": day, "meal": "snack", "food_ref": "quick", "food_name": "Quick add", "kcal": 100.0}
                t = time.perf_counter()
                repo.add_entries(account, [fields], engine=engine)
                stages["db write only"].append(time.perf_counter() - t)
        engine.dispose()
        override_settings(None)

    base = statistics.median(stages["db write only"])
    n = len(LINES) * args.repeat
    print(
        f"{len(LINES)} meal lines x {args.repeat} repeats on SQLite (WAL); {logged} items logged, "
        f"{pending} left for the person to choose (ambiguous or unknown)\n"
    )
    print("| stage                     | lines | p50 ms | p95 ms | lines/s | p50 vs db write |")
    print("|---------------------------|-------|--------|--------|---------|-----------------|")
    for name, times in stages.items():
        ms = [x * 1000 for x in times]
        print(
            f"| {name:25} | {n:5} | {statistics.median(ms):6.2f} | {pct(ms, 0.95):6.2f} | "
            f"{1 / statistics.median(times):7.0f} | {statistics.median(times) / base:14.2f}x |"
        )


if __name__ == "__main__":
    main()
