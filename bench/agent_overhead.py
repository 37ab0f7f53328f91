"""Agent overhead per turn, LLM time excluded (a scripted model answers instantly).

Baseline, measured in the same run: calling the same tool function directly (no graph, no
checkpoint). The ratio shows what routing, validation, state and the SQLite checkpointer cost.

    uv run python bench/agent_overhead.py [--turns 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from langchain_core.messages import AIMessage
from support.scripted_model import ScriptedChatModel, call

from agent.runner import Coach
from agent.tools.base import ToolContext, load_tools
from agent.tools.core import ConvertArgs
from powerforge.config import Settings, override_settings
from storage.accounts import create_account
from storage.migrate import upgrade


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


async def main(turns: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="pf-bench-"))
    settings = Settings(_env_file=None, data_dir=tmp, llm_embedded=False)
    settings.ensure_dirs()
    override_settings(settings)
    upgrade(settings.db_url)
    account = create_account("bench", "bench-pass-1")
    tool = load_tools()["convert_units"]
    ctx = ToolContext(account_id=account.id, settings=settings)

    base = []
    for _ in range(turns):
        t = time.perf_counter()
        tool.run(ctx, ConvertArgs(value=225, from_unit="lb", to_unit="kg"))
        base.append(time.perf_counter() - t)

    rows = []
    cases = {
        "code-routed tool (convert)": (lambda: [], "how much is 225 lb in kg?"),
        "model-routed tool (scripted)": (
            lambda: [
                call("convert_units", value=5, from_unit="km", to_unit="mi"),
            ],
            "what's five k in miles",
        ),
        "chat reply (scripted)": (lambda: [AIMessage("Keep your bar path over mid-foot.")], "hi"),
    }
    for name, (script, text) in cases.items():
        model = ScriptedChatModel()
        times = []
        async with Coach.open(settings, model=model) as coach:
            for i in range(turns):
                model.script[:] = script()
                t = time.perf_counter()
                await coach.turn(account_id=account.id, thread_id=f"bench-{name}-{i % 10}", text=text)
                times.append(time.perf_counter() - t)
        rows.append((name, times))

    b50 = statistics.median(base)
    print(f"\nAgent overhead per turn, LLM excluded ({turns} turns each, SQLite checkpointer)\n")
    print(f"{'case':<32} {'p50 ms':>9} {'p95 ms':>9} {'× direct tool call':>20}")
    print(f"{'direct tool call (baseline)':<32} {b50 * 1e3:>9.3f} {pct(base, 0.95) * 1e3:>9.3f} {1.0:>20.1f}")
    for name, times in rows:
        p50, p95 = statistics.median(times), pct(times, 0.95)
        print(f"{name:<32} {p50 * 1e3:>9.2f} {p95 * 1e3:>9.2f} {p50 / b50:>20.0f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=200)
    asyncio.run(main(ap.parse_args().turns))
