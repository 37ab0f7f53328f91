"""Memory retrieval with 100 k notes: latency of a search (embed the question + Chroma HNSW + note rows
from SQL), with and without a date filter, against an exact brute-force search measured in the same
run (the same query vectors dotted with all 100 k stored vectors in numpy), plus HNSW recall@10.

The store is built once under bench/out/memory_100k/ (embedding 100 k notes takes a few minutes).

    uv run python bench/analytics_memory.py [--notes 100000] [--queries 50] [--rebuild]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np

from analytics.memory import Memory
from models.embedding import encoder
from storage import analytics as sql
from storage.accounts import create_account, get_account_by_name
from storage.engine import make_engine
from storage.migrate import upgrade

OUT = ROOT / "bench" / "out" / "memory_100k"
START = date(2016, 11, 25)
SUBJECTS = ["Squats", "Bench", "Deadlifts", "Overhead press", "Rows", "Pull-ups", "Sparring", "Bag work", "Pads",
            "Shadow boxing", "Conditioning", "Breakfast", "Dinner", "Meal prep", "Sleep", "Warm-up", "Lunges",
            "Hip thrusts", "Front squats", "Paused bench"]  # fmt: skip
FEELINGS = ["felt strong", "felt heavy", "moved fast", "were a grind", "felt sloppy", "went smoothly", "felt easy",
            "were painful", "felt flat", "were the best in weeks", "felt rushed", "were cut short"]  # fmt: skip
BODY = ["left knee", "right shoulder", "lower back", "right wrist", "left hip", "neck", "elbow", "hamstring", "ankle",
        "upper back"]  # fmt: skip
DETAILS = ["after a bad night's sleep", "with a new belt", "at the new gym", "before work", "on an empty stomach",
           "with a training partner", "after a long day", "in the heat", "with music loud",
           "with a coach watching"]  # fmt: skip
QUERIES = ["when did my knee start hurting", "how did bench feel", "shoulder pain on presses", "sparring went badly",
           "best squat day", "ate too much at dinner", "lower back tight after deadlifts", "felt fast and strong",
           "training with a partner", "slept badly before training"]  # fmt: skip


def make_notes(n: int, rng: np.random.Generator, first: int = 0) -> list[dict]:
    notes = []
    days = (date(2026, 11, 24) - START).days
    for i in range(n):
        s, f, b, d = (rng.integers(len(x)) for x in (SUBJECTS, FEELINGS, BODY, DETAILS))
        kind = rng.integers(3)
        if kind == 0:
            text = f"{SUBJECTS[s]} {FEELINGS[f]} {DETAILS[d]}."
        elif kind == 1:
            feel = "sore" if rng.random() < 0.5 else "tight"
            text = f"{BODY[b].capitalize()} {feel} during {SUBJECTS[s].lower()}, {DETAILS[d]}."
        else:
            text = f"{SUBJECTS[s]} {FEELINGS[f]}; {BODY[b]} fine. Set {int(rng.integers(1, 6))} was the hardest."
        notes.append({"day": START + timedelta(days=int(rng.integers(days))), "kind": "note", "text": text,
                      "source_ref": f"bench:{first + i}"})  # fmt: skip
    return notes


def build(n: int, rebuild: bool) -> None:
    if (OUT / "done").exists() and not rebuild:
        return
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    eng = make_engine(f"sqlite:///{OUT / 'notes.db'}")
    upgrade(engine=eng)
    acc = create_account("athlete", "bench-password-1", engine=eng)
    t = time.perf_counter()
    for chunk in range(0, n, 20_000):
        sql.upsert_notes(acc.id, make_notes(min(20_000, n - chunk), np.random.default_rng(chunk), chunk), eng)
    mem = Memory(OUT, acc.id, eng)
    added = mem.sync()["added"]
    print(f"indexed {added:,} notes in {time.perf_counter() - t:.0f} s")
    (OUT / "done").write_text("ok")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--rebuild", action="store_true")
    ns = ap.parse_args()
    build(ns.notes, ns.rebuild)
    eng = make_engine(f"sqlite:///{OUT / 'notes.db'}")
    acc = get_account_by_name("athlete", eng)
    mem = Memory(OUT, acc.id, eng)
    count = mem.count()
    qs = [QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {i}") for i in range(ns.queries)]
    mem.search(qs[0])  # load the model and the index once

    def lat(fn) -> list[float]:
        out = []
        for q in qs:
            t = time.perf_counter()
            fn(q)
            out.append(time.perf_counter() - t)
        return out

    enc = encoder()
    embed = lat(lambda q: enc.encode([q]))
    full = lat(lambda q: mem.search(q, k=10, min_similarity=0.0))
    month = lat(lambda q: mem.search(q, start=date(2025, 10, 1), end=date(2025, 10, 31), k=10, min_similarity=0.0))
    got = mem.collection.get(include=["embeddings"])
    ids = np.array(got["ids"])
    vectors = np.asarray(got["embeddings"], dtype=np.float32)

    def brute(q: str) -> list[str]:
        v = enc.encode([q])[0]
        top = np.argpartition(-(vectors @ v), 10)[:10]
        return list(ids[top])

    exact = lat(brute)
    # Generated notes repeat phrasings, so many share a similarity: a result counts as found when it is at
    # least as similar as the exact 10th best (ties are interchangeable).
    recall = []
    for q in qs:
        v = enc.encode([q])[0]
        tenth = np.sort(vectors @ v)[-10]
        hits = mem.search(q, k=10, min_similarity=0.0)
        recall.append(sum(h.similarity >= tenth - 1e-4 for h in hits) / 10)

    def row(name: str, xs: list[float], base: list[float] | None = None) -> str:
        xs_sorted = sorted(xs)
        p95 = xs_sorted[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
        ratio = f"{statistics.median(base) / statistics.median(xs):6.1f}×" if base else "      "
        return f"{name:<44} {statistics.median(xs) * 1000:8.1f} {p95 * 1000:8.1f}  {ratio}"

    print(f"\n{count:,} notes indexed (MiniLM int8, Chroma HNSW cosine), {len(qs)} queries\n")
    print(f"{'search':<44} {'p50 ms':>8} {'p95 ms':>8}  vs exact")
    print(row("embed the question only", embed))
    print(row("exact: embed + numpy dot over all vectors", exact, exact))
    print(row("memory.search, no filter (HNSW + SQL rows)", full, exact))
    print(row("memory.search, one-month date filter", month, exact))
    print(f"\nHNSW recall@10 vs exact (ties counted as found): {statistics.mean(recall):.3f}")


if __name__ == "__main__":
    main()
