"""Routing and tool-call accuracy of the agent with the real embedded LLM, per model size.

Each line goes through the same graph the app uses (a fresh thread per line), against a real
llama.cpp server started for the run. Reported per model: the share of lines code routed without the
model, tool accuracy (overall / code path / model path), argument accuracy, and whole-turn latency
p50/p95 for a logging line and a chit-chat line. Baseline for the latency ratio: the same turns with
a scripted model that answers instantly (agent overhead only), measured in the same run.

    uv run python bench/agent_accuracy.py [--models qwen2.5-1.5b-instruct qwen2.5-0.5b-instruct] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from langchain_core.messages import AIMessage
from support.llm import env_missing_reason, model_installed, running_llm_server
from support.scripted_model import ScriptedChatModel

from agent.runner import Coach
from powerforge.config import Settings, override_settings
from storage.accounts import create_account
from storage.engine import dispose_all
from storage.migrate import upgrade

BY_CODE = ("code", "smalltalk", "advice", "pattern")  # routes decided without the model


@dataclass
class Case:
    text: str
    tool: str  # expected tool, or "chat"
    args: dict[str, Any] = field(default_factory=dict)  # key arguments that must match (case-insensitive str)


CASES: list[Case] = [
    # core
    Case("how much is 225 lb in kg?", "convert_units", {"value": 225, "from_unit": "lb", "to_unit": "kg"}),
    Case("what's 5 stone in kilos", "convert_units", {"value": 5, "to_unit": "kilos"}),
    Case("could you turn eighty kilos into pounds for me", "convert_units", {"value": 80}),
    Case("I'm 183 cm tall", "update_profile", {"height_cm": 183}),
    Case("I box southpaw these days", "update_profile", {"stance": "southpaw"}),
    Case("show my profile", "whoami"),
    # nutrition
    Case("had 2 eggs and a slice of toast for breakfast", "log_food"),
    Case("150g oats with 300ml whole milk", "log_food"),
    Case("2 tbsp peanut butter", "log_food"),
    Case("330ml coke", "log_food"),
    Case("just finished a big bowl of greek yogurt with honey", "log_food"),
    Case("quick add 450 kcal 30 g protein for dinner", "food_quick_add"),
    Case("how much do I have left today?", "food_day"),
    Case("weighed 82.4 kg this morning", "body_weight_log"),
    Case("how many calories in a banana?", "food_info"),
    Case("5449000011527", "food_barcode"),
    Case("what are my maintenance calories?", "nutrition_expenditure"),
    # training
    Case("squat 140x5 @8", "train_log_sets"),
    Case("bench 3x5 at 100", "train_log_sets"),
    Case("did 225 for 8 on deadlift", "train_log_sets"),
    Case("knocked out five sets of five on overhead press with 60 kilos", "train_log_sets"),
    Case("what's my workout today?", "train_today"),
    Case("what plates for 142.5?", "train_plates"),
    Case(
        "build me a 4-day upper/lower program for 8 weeks, intermediate, squat 140 bench 100 deadlift 180",
        "program_draft",
    ),
    Case("swap Thursday's deadlift for RDLs", "program_edit"),
    Case("my bench max is 100 kg", "train_set_maxes"),
    # analytics and memory
    Case("show my squat e1RM over the last 6 months", "ask"),
    Case("weekly tonnage for the last 12 weeks", "ask"),
    Case("how did my bench sessions feel in October?", "recall"),
    Case("note: left knee sore after squats", "remember_note"),
    Case("how was my week?", "weekly_review"),
    # check-ins
    Case("remind me to log dinner at 8pm every day", "checkin_create"),
    Case("what reminders do I have?", "checkin_list"),
    # striking
    Case("am I dropping my right hand when I jab?", "strike_followup"),
    # plain chat (must NOT become a tool call)
    Case("hi", "chat"),
    Case("how should I brace for a heavy squat?", "chat"),
    Case("what's the capital of France?", "chat"),
    Case("thanks coach, that was a good session", "chat"),
    Case("any tips to stop my elbows flaring on bench?", "chat"),
]
LOGGING_LINE = "had 2 eggs and a slice of toast for breakfast"
CHAT_LINE = "how should I brace for a heavy squat?"


def _args_ok(expected: dict[str, Any], got: dict[str, Any] | None) -> bool:
    if not expected:
        return True
    if got is None:
        return False
    for key, want in expected.items():
        have = got.get(key)
        if isinstance(want, (int, float)):
            try:
                if abs(float(have) - float(want)) > 1e-6:
                    return False
            except (TypeError, ValueError):
                return False
        elif str(have).strip().lower() != str(want).lower():
            return False
    return True


def _tool_args(history: list[Any]) -> dict[str, Any] | None:
    for m in reversed(history):
        if isinstance(m, AIMessage) and m.tool_calls:
            return dict(m.tool_calls[0]["args"])
        if m.type == "human":
            return None
    return None


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


async def run_cases(settings: Settings, model: Any, repeat: int) -> dict[str, Any]:
    upgrade(settings.db_url)
    account = create_account(f"bench{int(time.time() * 1000) % 10**9}", "bench-pass-1")
    rows = []
    async with Coach.open(settings, model=model) as coach:
        for i, case in enumerate(CASES):
            t = time.perf_counter()
            result = await coach.turn(account_id=account.id, thread_id=f"acc-{i}", text=case.text)
            elapsed = time.perf_counter() - t
            args = _tool_args(await coach.history(account.id, f"acc-{i}"))
            route = result.route or "chat"
            rows.append((case, route, result.routed_by, args, elapsed, result.text))
        lat: dict[str, list[float]] = {"log": [], "chat": []}
        for r in range(repeat):
            for key, line in (("log", LOGGING_LINE), ("chat", CHAT_LINE)):
                t = time.perf_counter()
                await coach.turn(account_id=account.id, thread_id=f"lat-{key}-{r}", text=line)
                lat[key].append(time.perf_counter() - t)
    return {"rows": rows, "lat": lat}


def summarise(name: str, res: dict[str, Any], verbose: bool) -> dict[str, Any]:
    rows = res["rows"]
    code = [r for r in rows if r[2] in BY_CODE]
    model = [r for r in rows if r[2] not in BY_CODE]

    def acc(rs: list) -> float:
        return sum(r[1] == r[0].tool for r in rs) / len(rs) if rs else float("nan")

    args_rows = [r for r in rows if r[0].args and r[1] == r[0].tool]
    args_acc = sum(_args_ok(r[0].args, r[3]) for r in args_rows) / len(args_rows) if args_rows else float("nan")
    if verbose:
        for case, route, by, args, elapsed, _text in rows:
            mark = "ok " if route == case.tool else "BAD"
            print(f"  {mark} {elapsed:6.2f}s {by or '-':9} {route:22} <- {case.text[:60]!r} args={args}")
    return {
        "model": name,
        "n": len(rows),
        "code_share": len(code) / len(rows),
        "acc": acc(rows),
        "acc_code": acc(code),
        "acc_model": acc(model),
        "args": args_acc,
        "log_p50": statistics.median(res["lat"]["log"]),
        "log_p95": pct(res["lat"]["log"], 0.95),
        "chat_p50": statistics.median(res["lat"]["chat"]),
        "chat_p95": pct(res["lat"]["chat"], 0.95),
    }


def scripted_model() -> ScriptedChatModel:
    """Answers every call instantly: routes to chat, replies one sentence (the overhead baseline)."""

    def step(messages: list, bound: dict) -> AIMessage:
        if bound.get("tool_choice") == "route":
            return AIMessage("", tool_calls=[{"name": "route", "args": {"action": "chat"}, "id": "r"}])
        if bound.get("tool_choice") == "required":  # one call picks the tool and fills it: chat
            return AIMessage("", tool_calls=[{"name": "chat", "args": {}, "id": "r"}])
        return AIMessage("Keep going.")

    return ScriptedChatModel(fallback=step)


async def main(models: list[str], repeat: int, verbose: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="pf-acc-"))
    results = []
    base = Settings(_env_file=None, data_dir=tmp / "scripted", llm_embedded=False)
    base.ensure_dirs()
    override_settings(base)
    results.append(summarise("scripted (no LLM time)", await run_cases(base, scripted_model(), repeat), False))
    dispose_all()
    reason = env_missing_reason()
    for name in models:
        if reason or not model_installed(name):
            print(f"skip {name}: {reason or 'not installed (powerforge models pull ' + name + ')'}")
            continue
        with running_llm_server(name, tmp) as llm_settings:
            s = llm_settings.model_copy(update={"data_dir": tmp / name, "database_url": ""})
            s.ensure_dirs()
            override_settings(s)
            print(f"== {name}")
            results.append(summarise(name, await run_cases(s, "default", repeat), verbose))
            dispose_all()
    base_log, base_chat = results[0]["log_p50"], results[0]["chat_p50"]
    print(f"\nAgent accuracy on {len(CASES)} lines (expected tool + key arguments), whole-turn latency in s\n")
    head = (
        f"{'model':<26}{'code-routed':>12}{'tool acc':>10}{'code acc':>10}{'model acc':>10}{'args acc':>10}"
        f"{'log p50':>9}{'log p95':>9}{'chat p50':>9}{'chat p95':>9}{'log ×base':>10}{'chat ×base':>11}"
    )
    print(head)
    for r in results:
        print(
            f"{r['model']:<26}{r['code_share']:>12.0%}{r['acc']:>10.0%}{r['acc_code']:>10.0%}{r['acc_model']:>10.0%}"
            f"{r['args']:>10.0%}{r['log_p50']:>9.2f}{r['log_p95']:>9.2f}{r['chat_p50']:>9.2f}{r['chat_p95']:>9.2f}"
            f"{r['log_p50'] / base_log:>10.0f}{r['chat_p50'] / base_chat:>11.0f}"
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="*", default=["qwen2.5-1.5b-instruct", "qwen2.5-0.5b-instruct"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    asyncio.run(main(a.models, a.repeat, a.verbose))
