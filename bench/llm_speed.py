"""Speed of the embedded LLM server per installed model, on this machine.

For each installed model (SmolLM2-135M, Qwen2.5-0.5B, Qwen2.5-1.5B) a real server (pf_llm.serve in
llm_server's env) is started and measured through its OpenAI API:

- prompt tokens/s: a ~600-token prompt with a fresh prefix (no KV-cache reuse), 1 token out;
- decode tokens/s: 64 tokens forced out (min_tokens), timed between the first and last streamed token;
- time to first token: a streamed chit-chat reply (coach system prompt, cached prefix as in the app);
- whole-request latency p50/p95: a short chit-chat reply, and a forced tool call (log a set).

Ratios are against the fastest model measured in the same run (throughput: value / best; latency:
value / best). Results also go to bench/out/llm_speed.json.

    uv run python bench/llm_speed.py [--models NAME ...] [--runs 6] [--threads 2 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.llm import env_missing_reason, model_installed, running_llm_server

from powerforge.config import Settings

MODELS = ["smollm2-135m-instruct", "qwen2.5-0.5b-instruct", "qwen2.5-1.5b-instruct"]
SYSTEM = (
    "You are Power Forge, a friendly strength and boxing coach. Answer in one or two short sentences. "
    "Numbers come from tools, never from you."
)
CHAT_LINES = ["Hi coach!", "Thanks, that was a good session.", "How are you today?", "Good morning!",
              "I feel tired today.", "See you tomorrow."]  # fmt: skip
LOG_LINES = ["squat 140 kg for 5 reps", "bench 100kg x 3", "deadlift 180 kg 2 reps", "squatted 120 kg for 8",
             "bench press 90 kg, 10 reps", "pulled 200 kg once"]  # fmt: skip
LOG_SET = {
    "type": "function",
    "function": {
        "name": "log_set",
        "description": "Record one set of a barbell lift the user just did.",
        "parameters": {
            "type": "object",
            "properties": {
                "exercise": {"type": "string", "enum": ["squat", "bench", "deadlift"]},
                "load_kg": {"type": "number"},
                "reps": {"type": "integer"},
            },
            "required": ["exercise", "load_kg", "reps"],
        },
    },
}
FILLER = " ".join(
    f"Note {i}: keep the bar path straight, brace before each rep, and rest three minutes." for i in range(30)
)


def post(s: Settings, body: dict[str, Any]) -> tuple[dict[str, Any], float]:
    t = time.perf_counter()
    r = httpx.post(s.llm_base_url + "/chat/completions", json={"model": s.llm_model, **body}, timeout=900)
    r.raise_for_status()
    return r.json(), time.perf_counter() - t


def stream(s: Settings, body: dict[str, Any]) -> tuple[float, float, int]:
    """(time to first token, time of last token, content pieces) of a streamed request."""
    t0, first, last, pieces = time.perf_counter(), None, 0.0, 0
    body = {"model": s.llm_model, "stream": True, **body}
    with httpx.stream("POST", s.llm_base_url + "/chat/completions", json=body, timeout=900) as r:
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            delta = json.loads(line[6:])["choices"][0]["delta"]
            if delta.get("content"):
                now = time.perf_counter() - t0
                first = now if first is None else first
                last, pieces = now, pieces + 1
    return first or 0.0, last, pieces


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def measure(s: Settings, runs: int) -> dict[str, float]:
    msgs = lambda line: [{"role": "system", "content": SYSTEM}, {"role": "user", "content": line}]  # noqa: E731
    post(s, {"messages": msgs("Hello"), "max_tokens": 8})  # warm-up (page in the weights)

    prompt_rates = []
    for _ in range(max(2, runs // 2)):
        nonce = uuid.uuid4().hex  # a fresh first token: nothing of the prompt is in the KV cache
        data, dt = post(s, {"messages": [{"role": "system", "content": nonce + " " + SYSTEM + " " + FILLER},
                                         {"role": "user", "content": "Summarise."}], "max_tokens": 1})  # fmt: skip
        prompt_rates.append(data["usage"]["prompt_tokens"] / dt)

    decode_rates = []
    for _ in range(max(2, runs // 2)):
        first, last, pieces = stream(s, {"messages": msgs("Tell me about squats in detail."), "max_tokens": 64,
                                         "min_tokens": 64, "temperature": 0.7})  # fmt: skip
        if pieces > 1 and last > first:
            decode_rates.append((pieces - 1) / (last - first))

    ttft, chat, tool = [], [], []
    for i in range(runs):
        first, _last, _ = stream(s, {"messages": msgs(CHAT_LINES[i % len(CHAT_LINES)]), "max_tokens": 48})
        ttft.append(first)
        _data, dt = post(s, {"messages": msgs(CHAT_LINES[(i + 1) % len(CHAT_LINES)]), "max_tokens": 48})
        chat.append(dt)
        data, dt = post(s, {"messages": msgs(LOG_LINES[i % len(LOG_LINES)]), "tools": [LOG_SET],
                            "tool_choice": {"type": "function", "function": {"name": "log_set"}}})  # fmt: skip
        assert data["choices"][0]["message"]["tool_calls"], data
        tool.append(dt)
    return {
        "prompt_tok_s": statistics.median(prompt_rates),
        "decode_tok_s": statistics.median(decode_rates) if decode_rates else 0.0,
        "ttft_s": statistics.median(ttft),
        "chat_p50_s": pct(chat, 0.5),
        "chat_p95_s": pct(chat, 0.95),
        "tool_p50_s": pct(tool, 0.5),
        "tool_p95_s": pct(tool, 0.95),
    }


HIGHER_IS_BETTER = {"prompt_tok_s", "decode_tok_s"}
COLUMNS = [("prompt_tok_s", "prompt tok/s"), ("decode_tok_s", "decode tok/s"), ("ttft_s", "TTFT s"),
           ("chat_p50_s", "chat p50 s"), ("chat_p95_s", "chat p95 s"), ("tool_p50_s", "tool p50 s"),
           ("tool_p95_s", "tool p95 s")]  # fmt: skip


def table(results: dict[str, dict[str, float]]) -> str:
    best = {}
    for key, _ in COLUMNS:
        values = [r[key] for r in results.values() if r[key] > 0]
        best[key] = (max if key in HIGHER_IS_BETTER else min)(values) if values else 0.0
    head = f"| {'model, threads':<27} | {'load s':>6} | " + " | ".join(f"{label:>17}" for _, label in COLUMNS) + " |"
    lines = [head, "|" + "|".join("-" * (len(c) + 0) for c in head.split("|")[1:-1]) + "|"]
    for name, r in results.items():
        cells = []
        for key, _ in COLUMNS:
            ratio = r[key] / best[key] if best[key] else 0.0
            cells.append(f"{r[key]:>8.2f} ({ratio:4.2f}x)")
        lines.append(f"| {name:<27} | {r['load_s']:>6.1f} | " + " | ".join(f"{c:>17}" for c in cells) + " |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="*", default=MODELS)
    p.add_argument("--runs", type=int, default=6)
    p.add_argument("--threads", type=int, nargs="+", default=[2, 1], help="llama.cpp thread counts to compare")
    args = p.parse_args()
    reason = env_missing_reason()
    if reason:
        sys.exit(reason)
    todo = [m for m in args.models if model_installed(m)]
    for m in set(args.models) - set(todo):
        print(f"skipping {m}: not installed (powerforge models pull {m})")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in todo:
            for threads in args.threads:
                t = time.perf_counter()
                with running_llm_server(name, Path(tmp), threads=threads) as s:
                    load = time.perf_counter() - t
                    print(f"measuring {name}, {threads} thread(s), {args.runs} runs …", flush=True)
                    results[f"{name} t{threads}"] = {"load_s": load, **measure(s, args.runs)}
    load_avg = os.getloadavg()
    print(f"\nEmbedded LLM speed, threads {args.threads}, {os.cpu_count()} CPUs, load average "
          f"{load_avg[0]:.1f}/{load_avg[1]:.1f}/{load_avg[2]:.1f} (1/5/15 min; other work on the machine "
          "skews absolute numbers)")  # fmt: skip
    print("ratios: against the best row of this run (throughput value/best, latency value/best)\n")
    print(table(results))
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    doc = {"threads": args.threads, "loadavg": load_avg, "results": results}
    (out / "llm_speed.json").write_text(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
