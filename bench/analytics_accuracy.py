"""Question-set accuracy: the code fast path, and the embedded CPU model filling the typed query with the
`ask` tool forced (the chat graph's own path, `agent.tools.analytics.fill_with_model`).

A prediction is right when it would draw the same chart as the expected query (analytics.questionset:
same metric, lifts, muscles, filters, grouping, dates, comparison). The model is asked the questions
the fast path does not take (what it does in the app), and with --all every question (how it would do
alone). The baseline, measured in the same run, is the fast path's latency.

    uv run python bench/analytics_accuracy.py [--models qwen2.5-1.5b-instruct,qwen2.5-0.5b-instruct] [--all]
    uv run python bench/analytics_accuracy.py --url http://gpu-box:8000/v1 --model-name Qwen/Qwen2.5-7B-Instruct
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.tools.analytics import fill_with_model
from analytics import questionset
from analytics.fastpath import ground, parse_question
from analytics.query import AnalyticsQuery
from powerforge.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fast_path(items: list[questionset.Item]) -> tuple[questionset.Score, float]:
    t = time.perf_counter()
    score = questionset.score(items, parse_question)
    return score, (time.perf_counter() - t) / len(items)


def shared_report(path: Path, show_misses: bool) -> None:
    """The shared development set, field by field, for the fast path (a question it declines is wrong on
    every field: in the app the model would get it, and --models measures that separately)."""
    items = questionset.load_shared(path)
    fields = questionset.FIELDS
    right = dict.fromkeys(fields, 0)
    asked = dict.fromkeys(fields, 0)
    whole = taken = 0
    misses: list[str] = []
    for it in items:
        got = parse_question(it.question)
        taken += got is not None
        res = questionset.shared_fields(it.row, got)
        for k, ok in res.items():
            asked[k] += 1
            right[k] += ok
        whole += all(res.values())
        if not all(res.values()):
            bad = [k for k, ok in res.items() if not ok]
            shown = got.model_dump(exclude_defaults=True) if got else None
            misses.append(f"  ✗ {it.question!r}: {', '.join(bad)} — got {shown}")
    print(f"Shared development set: {len(items)} questions ({path}) — a DEVELOPMENT score\n")
    print(f"{'field':<10} {'scored':>6} {'right':>5} {'acc':>7}")
    for k in fields:
        print(f"{k:<10} {asked[k]:>6} {right[k]:>5} {right[k] / max(asked[k], 1):7.1%}")
    print(f"{'all fields':<10} {len(items):>6} {whole:>5} {whole / len(items):7.1%}   (fast path took {taken})")
    if show_misses and misses:
        print("\nMisses:")
        print("\n".join(misses))


def ask_model(items: list[questionset.Item], settings: Settings) -> tuple[int, int, list[float], list[str]]:
    """Every question on one event loop (the OpenAI client keeps its connections on the loop)."""
    return asyncio.run(_ask_all(items, settings))


async def _ask_all(items: list[questionset.Item], settings: Settings) -> tuple[int, int, list[float], list[str]]:
    right, total, times, misses = 0, 0, [], []
    for it in items:
        total += 1
        t = time.perf_counter()
        try:
            args = await fill_with_model(it.question, settings)
            # As the ask tool does: keep only what the words support, then validate.
            data = ground(args.query_fields(), it.question) if args.metric else {}
            got = AnalyticsQuery.model_validate(data) if args.metric else None
        except Exception as e:  # an invalid query counts as wrong, with the reason
            got, err = None, f"{type(e).__name__}: {str(e)[:80]}"
        else:
            err = "no metric" if got is None else ""
        times.append(time.perf_counter() - t)
        diff = questionset.differences(it.expect, got) if got is not None else [err]
        if diff:
            misses.append(f"  ✗ {it.question!r}: {'; '.join(diff)}")
        else:
            right += 1
    return right, total, times, misses


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="qwen2.5-1.5b-instruct,qwen2.5-0.5b-instruct")
    ap.add_argument("--all", action="store_true", help="also ask the model every question, not only the rest")
    ap.add_argument("--url", help="an already running OpenAI-compatible server (e.g. vLLM) instead of the embedded one")
    ap.add_argument("--model-name", help="model name at --url")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--shared", nargs="?", const=str(questionset.SHARED), help="score the shared development set "
                    "field by field (fast path only) and stop")  # fmt: skip
    ap.add_argument("--misses", action="store_true", help="with --shared: list the misses")
    ns = ap.parse_args()
    if ns.shared:
        shared_report(Path(ns.shared), ns.misses)
        return
    items = questionset.load()
    score, fast_s = fast_path(items)
    rest = [it for it in items if parse_question(it.question) is None]
    print(f"Question set: {len(items)} questions ({questionset.QUESTIONS.relative_to(ROOT)})\n")
    print(f"{'predictor':<34} {'asked':>5} {'right':>5} {'acc':>6} {'p50 s':>7} {'vs fast path':>12}")
    head = f"{'fast path (code)':<34} {score.taken:>5} {score.right:>5} {score.precision:6.1%} {fast_s:7.4f}"
    print(f"{head} {'1.0×':>12}"
          f"   coverage {score.taken}/{len(items)} = {score.taken / len(items):.0%}")  # fmt: skip
    targets = [(m, None) for m in ns.models.split(",") if m] if not ns.url else [(ns.model_name or "remote", ns.url)]
    all_misses: list[str] = []
    for model, url in targets:
        sets = [("rest", rest)] + ([("all", items)] if ns.all else [])
        if url:
            settings = Settings(_env_file=None, llm_base_url=url, llm_model=model, llm_temperature=0.0,
                                llm_timeout_s=120, llm_max_retries=0)  # fmt: skip
            ctx = None
        else:
            from models.llm_server import EmbeddedServer

            settings = Settings(llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model=model,
                                llm_embedded_model=model, llm_embedded_threads=ns.threads, llm_embedded_ctx=4096,
                                llm_temperature=0.0, llm_timeout_s=300, llm_max_retries=0)  # fmt: skip
            ctx = EmbeddedServer(settings, log_path=Path(tempfile.mkdtemp()) / f"llm-{model}.log")
        try:
            if ctx is not None:
                ctx.__enter__()
            for name, subset in sets:
                if not subset:
                    continue
                right, total, times, misses = ask_model(subset, settings)
                p50 = statistics.median(times)
                print(f"{model + ' (' + name + ')':<34} {total:>5} {right:>5} {right / total:6.1%} {p50:7.2f} "
                      f"{p50 / max(fast_s, 1e-9):11.0f}×")  # fmt: skip
                all_misses += [f"{model} ({name}):", *misses]
        except Exception as e:
            print(f"{model:<34} could not run: {type(e).__name__}: {e}")
        finally:
            if ctx is not None:
                ctx.__exit__(None, None, None)
    combined = [it for it in items if parse_question(it.question) is not None]
    print(f"\nIn the app the fast path answers {len(combined)} questions and the model the other {len(rest)}.")
    if all_misses:
        print("\nModel misses:")
        print("\n".join(all_misses))


if __name__ == "__main__":
    main()
