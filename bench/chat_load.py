"""N concurrent chats through the real app's agent (Coach: router, tools, queue) on the REAL embedded model.

A fresh SQLite database with N people; every person sends the same mix of lines, code-placed (logging
and conversions) and model-placed (free talk the router leaves to the model), all at once. Counted:
errors (exceptions or failed turns), false "down" messages (a "can't reach the language model" reply
while the server is alive), server deaths, and latency p50/p95 per kind of line (code / model). The
baseline is the same lines sent by ONE person alone, measured in the same run; ratios are N-chat
latency over the solo latency.

The lines below were written for this bench (never taken from shared/eval).

    uv run python bench/chat_load.py --chats 20 [--model qwen2.5-1.5b-instruct] [--threads 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.llm import env_missing_reason, llm_server, model_installed

from agent.runner import Coach
from powerforge.config import Settings, override_settings
from storage.accounts import create_account
from storage.engine import dispose_all, make_engine
from storage.migrate import upgrade

LINES = [  # (line, the kind of placement it is written for; the measured kind is what the router did)
    ("bench 85 kg for 6", "code"),
    ("how much is 150 lb in kg?", "code"),
    ("weighed 79.4 kg this morning", "code"),
    ("I slept badly and my legs feel heavy, any advice for today?", "model"),
    ("thanks, that's useful", "model"),
    ("what's a good way to warm up before heavy squats?", "model"),
]
DOWN = "can't reach the language model"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


PARTIAL = ROOT / "bench" / "out" / "chat_load.partial.jsonl"  # every turn as it ends: a run cut short still tells


async def one_chat(coach: Coach, account_id: int, thread: str, rows: list[dict[str, Any]],
                   lines: list[tuple[str, str]]) -> None:  # fmt: skip
    for text, meant in lines:
        t0 = time.perf_counter()
        row: dict[str, Any] = {"line": text, "meant": meant}
        try:
            r = await coach.turn(account_id=account_id, thread_id=thread, text=text)
            failed = [o.summary for o in r.outputs if not o.ok]  # a failed tool is an error, not an answer
            row.update(kind="code" if r.routed_by == "code" else "model", ok=bool(r.text.strip()) and not failed,
                       down=DOWN in r.text or r.llm_error is not None, route=r.route, failed=failed)  # fmt: skip
        except Exception as exc:  # counted, never hidden
            row.update(kind=meant, ok=False, down=False, error=f"{type(exc).__name__}: {exc}")
        row["s"] = time.perf_counter() - t0
        row["thread"] = thread
        rows.append(row)
        with PARTIAL.open("a") as f:
            f.write(json.dumps(row) + "\n")


async def run(settings: Settings, people: list[int], tag: str, lines: list[tuple[str, str]],
              every: int = 1) -> list[dict[str, Any]]:  # fmt: skip
    """Every person sends the code-placed lines; every `every`-th also the model-placed ones."""
    rows: list[dict[str, Any]] = []
    plans = [[ln for ln in lines if ln[1] == "code" or i % every == 0] for i in range(len(people))]
    async with Coach.open(settings) as coach:
        await asyncio.gather(
            *(one_chat(coach, a, f"{tag}-{a}", rows, plan) for a, plan in zip(people, plans, strict=True))
        )
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out = {}
    for kind in ("code", "model"):
        times = [r["s"] for r in rows if r["kind"] == kind]
        out[kind] = {"n": len(times), "p50": pct(times, 0.5), "p95": pct(times, 0.95)}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chats", type=int, default=20)
    p.add_argument("--model", default="qwen2.5-1.5b-instruct")
    p.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default LLM_EMBEDDED_THREADS)")
    p.add_argument("--max-tokens", type=int, default=None)
    p.add_argument("--model-lines", type=int, default=None,
                   help="send only the first K of the model-placed lines (the model's throughput bounds a run: "
                        "N chats x K lines x the time of one model line)")  # fmt: skip
    p.add_argument(
        "--model-every",
        type=int,
        default=1,
        help="only every Nth person sends the model-placed lines (all send the code-placed ones)",
    )
    args = p.parse_args()
    model_lines = [ln for ln in LINES if ln[1] == "model"][: args.model_lines]
    lines = [ln for ln in LINES if ln[1] == "code" or ln in model_lines]
    reason = env_missing_reason()
    if reason or not model_installed(args.model):
        sys.exit(reason or f"model {args.model} is not installed (powerforge models pull {args.model})")

    tmp = Path(tempfile.mkdtemp(prefix="chat-load-"))
    with llm_server(args.model, tmp, threads=args.threads) as running:
        update: dict[str, Any] = {"data_dir": tmp / "var", "database_url": ""}
        if args.max_tokens:
            update["llm_max_tokens"] = args.max_tokens
        settings = running.settings.model_copy(update=update)
        settings.ensure_dirs()
        override_settings(settings)  # tools write to this run's database, never the project's
        engine = make_engine(settings.db_url)
        upgrade(engine=engine)
        people = [create_account(f"load{i}", "load-pass-123", engine=engine).id for i in range(args.chats + 1)]

        t0 = time.perf_counter()
        PARTIAL.parent.mkdir(parents=True, exist_ok=True)
        PARTIAL.write_text("")
        solo = asyncio.run(run(settings, people[:1], "solo", lines))
        solo_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        load = asyncio.run(run(settings, people[1:], "load", lines, max(1, args.model_every)))
        load_s = time.perf_counter() - t0
        alive = running.server.alive()
        load_avg = os.getloadavg()  # other processes compete for the same cores: said with the numbers
        dispose_all()

    base, many = summary(solo), summary(load)
    errors = [r for r in load if not r["ok"] and not r["down"]]
    downs = [r for r in load if r["down"]]
    threads = running.settings.llm_embedded_threads
    print(f"\nchat load: {args.chats} concurrent chats × {len(lines)} lines, model {args.model}, threads {threads}; "
          f"solo run {solo_s:.0f} s, load run {load_s:.0f} s; {os.cpu_count()} cores, load average at the end "
          f"{load_avg[0]:.1f} / {load_avg[1]:.1f} / {load_avg[2]:.1f} (1/5/15 min)")  # fmt: skip
    print(f"{'kind':<7}{'turns':>7}{'solo p50 s':>12}{'solo p95 s':>12}{'load p50 s':>12}{'load p95 s':>12}"
          f"{'p50 ratio':>11}{'p95 ratio':>11}")  # fmt: skip
    for kind in ("code", "model"):
        b, m = base[kind], many[kind]
        r50 = m["p50"] / b["p50"] if b["n"] and b["p50"] else float("nan")
        r95 = m["p95"] / b["p95"] if b["n"] and b["p95"] else float("nan")
        print(f"{kind:<7}{m['n']:>7}{b['p50']:>12.2f}{b['p95']:>12.2f}{m['p50']:>12.2f}{m['p95']:>12.2f}"
              f"{r50:>11.1f}{r95:>11.1f}")  # fmt: skip
    print(f"errors: {len(errors)}   false 'down' messages: {len(downs)}   server alive at the end: {alive}   "
          f"turns answered: {sum(r['ok'] for r in load)}/{len(load)}")  # fmt: skip
    for r in (errors + downs)[:5]:
        print("  ", json.dumps(r)[:300])
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "chat_load.json").write_text(json.dumps({"solo": solo, "load": load, "args": vars(args)}, indent=1))
    print(f"median of all load turns: {statistics.median(r['s'] for r in load):.2f} s")


if __name__ == "__main__":
    main()
