"""Score the app's routing on the development chat set (`../shared/eval/chat_lines.jsonl`).

Every line goes through the app's own routing: `agent.router.route_by_code` first; lines code cannot
place go through the real chat graph with the real embedded model (unless `--code-only`). Tools run as
dry runs (they record their validated arguments and change nothing), so a video line never runs the
pipeline and a write line writes nothing.

Reported (all DEVELOPMENT scores: the set is read to find classes of miss, never copied into the app):
- tool right: the chosen tool is one the line's intent allows (`INTENT_TOOLS` below);
- key arguments right: every key argument of `expect` is found in the chosen tool's arguments
  (numbers by value, names by meaning through a few aliases; a tool that takes the raw text,
  `train_log_sets.text` and `log_food.text`, is checked against what its own parser reads from that text:
  exercise and sets, meal and foods);
- coverage by code vs model, and the precision of code routing (of the lines code placed, how many right);
- WRITE errors: a tool that changes data chosen for a line whose intent allows no such tool.

    uv run python bench/chat_eval.py --code-only            # seconds, no model
    uv run python bench/chat_eval.py [--limit 60] [-v]      # with the real embedded model (slow on CPU)
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from agent.router import CHAT, route_by_code
from agent.tools.base import Attachment, Tool, ToolContext, ToolOutput, load_tools

EVAL = ROOT.parent / "shared" / "eval" / "chat_lines.jsonl"
SHARED_DATA = ROOT.parent / "shared" / "data"
BY_CODE = ("code", "smalltalk", "advice", "pattern", "refuse")  # routes decided without the model

# The eval's intents → the app's tools that serve them (any one of them is right).
INTENT_TOOLS: dict[str, set[str]] = {
    "log_food": {"log_food"},
    "lookup_barcode": {"food_barcode"},
    "quick_add": {"food_quick_add"},
    "nutrition_summary": {"food_day", "food_week", "ask"},
    "copy_meal": {"food_copy"},
    "edit_food_entry": {"food_edit", "food_delete"},
    "undo": {"food_undo", "train_undo", "undo_last"},
    "custom_food": {"food_custom", "food_recipe"},
    "set_targets": {"nutrition_targets"},
    "expenditure": {"nutrition_expenditure", "ask"},
    "log_weight": {"body_weight_log"},
    "weight_trend": {"body_weight_trend", "ask"},
    "build_program": {"program_draft"},
    "edit_program": {"program_edit"},
    "today_workout": {"train_today", "program_show"},
    "log_set": {"train_log_sets"},
    "e1rm": {"train_e1rm", "ask"},
    "prs": {"ask", "train_rep_max"},
    "plate_calc": {"train_plates"},
    "set_maxes": {"train_set_maxes"},
    "import_file": {"train_import", "food_import"},
    "export_data": {"train_export", "food_export", "export_all"},
    "analyse_lift_video": {"analyse_lift"},
    "video_result_query": {"lift_result", "ask"},
    "lift_profile": {"lift_profile"},
    "analyse_striking_video": {"analyse_strikes"},
    "striking_habit_query": {"strike_followup", "ask"},
    "correct_punch_label": {"correct_punch"},
    "chart": {"ask"},
    "remember_note": {"remember_note"},
    "memory_search": {"recall"},
    "weekly_review": {"weekly_review"},
    "schedule_checkin": {"checkin_create"},
    "cancel_checkin": {"checkin_cancel", "checkin_cancel_it"},
    "list_checkins": {"checkin_list"},
    "change_checkin": {"checkin_update"},
    "convert_units": {"convert_units"},
    "update_profile": {"update_profile"},
    "coaching_question": {CHAT},
    "chitchat": {CHAT},
    "off_topic": {CHAT},
    "refuse": {CHAT},
}
# Undo lines that name what they undo must reach that domain's undo.
UNDO_TARGET = {"food": {"food_undo", "undo_last"}, "set": {"train_undo", "undo_last"}}
# Tools that change the athlete's data (or a draft/schedule they own), even if marked "read" for grounding.
EXTRA_WRITES = {"program_edit", "checkin_create", "checkin_update"}

# Argument keys the tools take in another form (the check looks for the value, not the key)
SKIP_KEYS = {"per", "type", "bodyweight", "no_cross_user_data", "to", "action", "chart", "group_by", "when", "format",
             "mode", "kind", "recurrence"}  # fmt: skip
ALIASES = {
    "back squat": ["squat"], "bench press": ["bench", "bp"], "overhead press": ["ohp", "press"],
    "romanian deadlift": ["rdl", "romanian"], "pull-up": ["pull", "pullup", "chin"], "lb": ["lb", "pound", "imperial"],
    "kg": ["kg", "kilo"], "g": ["g", "gram"], "oz": ["oz", "ounce"], "weigh-in": ["weigh"],
    "log food": ["food", "log"], "weekly review": ["review", "weekly"], "guard_drop": ["drop"],
    "telegraph": ["telegraph"], "combos": ["combo"], "powerlifting|strength": ["powerlifting", "strength", "meet"],
    "velocity": ["velocity", "speed"], "push/pull/legs": ["ppl", "push"], "mfp": ["myfitnesspal", "mfp"],
    "nutrition": ["food", "nutrition"], "workouts": ["train", "workout"], "hypertrophy": ["hypertroph"],
    "deadlift": ["deadlift", "dl", "dedlift", "dealift"], "top_set": ["top"], "hard_sets": ["hard"],
    "prs": ["pr"], "rpe": ["rpe"], "calories": ["calor", "kcal"], "punches": ["punch"],
    "adherence": ["adheren"], "bodyweight": ["weight"], "strong": ["strong"], "hevy": ["hevy"],
    "volume": ["volume", "tonnage"], "protein": ["protein", "macro"], "carbs": ["carb", "macro"],
    "fat": ["fat", "macro"],
}  # fmt: skip
# A tool that serves only one value of a key argument carries it by being chosen.
TOOL_IMPLIES = {
    "food_import": {"source": "mfp"}, "food_export": {"what": "nutrition"}, "train_export": {"what": "workouts"},
    "export_all": {"what": "all"},
    "food_recipe": {"type": "recipe"}, "food_delete": {"action": "delete"}, "food_edit": {"action": "edit"},
    "body_weight_trend": {"metric": "bodyweight"}, "food_undo": {"target": "food"}, "train_undo": {"target": "set"},
}  # fmt: skip
UNIT_KEYS = {"kg", "lb", "added_kg", "bar_kg"}


# --------------------------------------------------------------------------- argument check
def _flatten(value: Any, out: list[Any]) -> list[Any]:
    if isinstance(value, dict):
        for k, v in value.items():
            out.append(str(k))
            _flatten(v, out)
    elif isinstance(value, list | tuple):
        for v in value:
            _flatten(v, out)
    elif value is not None:
        out.append(value)
    return out


def _numbers(text: str) -> set[float]:
    from agent.grounding import _numbers_in

    return _numbers_in(text.lower())


def _found_number(want: float, nums: set[float]) -> bool:
    return any(abs(want - n) < 1e-6 for n in nums) or any(abs(want * 2.20462 - n) < 0.6 for n in nums)


def _found_text(want: str, blob: str) -> bool:
    for alt in want.lower().split("|"):
        words = [w for w in re.findall(r"[a-z0-9]+", alt) if len(w) > 1 or w.isdigit()]
        keys = ALIASES.get(alt, [])
        if keys and any(k in blob for k in keys):
            return True
        if words and all(w[:5] in blob for w in words):
            return True
        if words and any(w[:5] in blob for w in words if len(w) > 3):
            return True
    return False


def _time_numbers(want: str) -> set[float]:
    h, m = (int(x) for x in want.split(":"))
    return {float(h), float(h % 12 or 12)} | ({float(m)} if m else set())


def args_right(expect: dict[str, Any], args: dict[str, Any] | None, tool: str = "") -> bool | None:
    """True/False, or None when the line has no key argument to check."""
    implied = TOOL_IMPLIES.get(tool, {})
    keys = {k: v for k, v in expect.items()
            if k not in SKIP_KEYS and k != "no_tool" and v not in ("today", "all") and implied.get(k) != v}  # fmt: skip
    if not keys:
        return None
    if args is None:
        return False
    flat = _flatten(args, [])
    blob = " ".join(str(x).lower().replace("_", " ") for x in flat)
    if re.search(r"\bquarter\b", blob):
        blob += " 0.25"
    nums = {float(x) for x in flat if isinstance(x, int | float) and not isinstance(x, bool)} | _numbers(blob)
    return all(_value_found(key, want, blob, nums) for key, want in keys.items())


def _value_found(key: str, want: Any, blob: str, nums: set[float]) -> bool:
    if isinstance(want, bool):
        return True
    if isinstance(want, int | float):
        return _found_number(float(want), nums)
    if isinstance(want, str):
        if key == "time" and re.fullmatch(r"\d\d:\d\d", want):
            return bool(_time_numbers(want) & nums)
        return _found_text(want, blob)
    if isinstance(want, list):
        if want and all(isinstance(x, str) for x in want):  # several metrics
            return all(_found_text(x, blob) for x in want)
        if len(want) == 2 and isinstance(want[0], int | float):  # [quantity, unit]
            return _found_number(float(want[0]), nums)
        if len(want) == 3 and isinstance(want[0], str) and isinstance(want[1], int | float):  # [food, qty, unit]
            return _found_text(want[0], blob) and (want[1] == 1 or _found_number(float(want[1]), nums))
        return all(_value_found(key, x, blob, nums) for x in want)
    if isinstance(want, dict):  # {"bench press": {"kg": 110}} or {"kg": 110}
        return all((k in UNIT_KEYS or _found_text(k, blob)) and _value_found(k, v, blob, nums)
                   for k, v in want.items())  # fmt: skip
    return True


# --------------------------------------------------------------------------- lines and attachments
def load_lines(path: Path = EVAL) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _first(pattern: str) -> Path | None:
    return next(iter(sorted(SHARED_DATA.rglob(pattern))), None) if SHARED_DATA.exists() else None


def attachment_for(kind: str | None) -> list[Attachment]:
    if not kind:
        return []
    if kind == "csv":
        path = _first("*.csv")
        return [Attachment(upload_id="eval-csv", filename="export.csv", mime="text/csv", path=str(path or "x.csv"),
                           size_bytes=path.stat().st_size if path else 1)]  # fmt: skip
    path = _first("*.mp4")
    name = "round.mp4" if kind == "boxing_video" else "lift.mp4"
    return [Attachment(upload_id=f"eval-{kind}", filename=name, mime="video/mp4", path=str(path or name),
                       size_bytes=path.stat().st_size if path else 1)]  # fmt: skip


# --------------------------------------------------------------------------- scoring
@dataclasses.dataclass
class Row:
    line: dict[str, Any]
    tool: str | None  # None: code could not place it (code-only run)
    by: str
    args: dict[str, Any] | None
    seconds: float = 0.0

    @property
    def intent(self) -> str:
        return self.line["intent"]

    def allowed(self) -> set[str]:
        allowed = set(INTENT_TOOLS[self.intent])
        target = self.line["expect"].get("target")
        if self.intent == "undo" and target in UNDO_TARGET:
            allowed = set(UNDO_TARGET[target])
        return allowed

    @property
    def tool_ok(self) -> bool:
        return self.tool in self.allowed()

    @property
    def args_ok(self) -> bool | None:
        if not self.tool_ok:
            return False
        if self.tool == CHAT:
            return None
        return args_right(self.line["expect"], read_by_tool(self.tool, self.args), self.tool or "")

    @property
    def right(self) -> bool:
        return self.tool_ok and self.args_ok is not False


def is_write(name: str | None, tools: dict[str, Tool]) -> bool:
    return name in tools and (tools[name].kind == "write" or name in EXTRA_WRITES)


def read_by_tool(tool: str | None, args: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a tool that takes the raw line will read from it, through its own parser (scored instead of the
    raw words, which cannot show that 'pb' is peanut butter, or that 'one forty for eight' is 140 × 8)."""
    if not args or not args.get("text") or tool not in ("train_log_sets", "log_food"):
        return args
    text = str(args["text"])
    if tool == "train_log_sets":
        from training.library import library
        from training.parse import SetLineError, parse_sets

        try:
            entries = parse_sets(text)
        except SetLineError:
            return {"read": None}
        out = []
        for e in entries:
            found = library().resolve(e.exercise_text).exercise
            out.append({"exercise": found.name if found else e.exercise_text, "sets": len(e.sets),
                        "reps": [s.reps for s in e.sets], "load": [s.load for s in e.sets if s.load is not None],
                        "unit": [s.unit for s in e.sets if s.unit], "rpe": [s.rpe for s in e.sets if s.rpe],
                        "rir": [10 - s.rpe for s in e.sets if s.rpe],
                        "seconds": [s.duration_s for s in e.sets if s.duration_s]})  # fmt: skip
        return {"read": out}
    from nutrition.diary import FoodBook
    from nutrition.meal_text import parse_meal_line

    book = FoodBook(None)
    line = parse_meal_line(text, book.is_food)
    items = []
    for item in line.items:
        match = book.find(item.food)
        name = match.hits[0].food.name if match.hits and match.confident else ""
        items.append({"food": f"{item.food} {name}".strip(), "amount": item.amount.value,
                      "unit": item.amount.unit or item.amount.text})  # fmt: skip
    return {"read": {"meal": line.meal, "items": items}}


def code_rows(lines: list[dict[str, Any]], tools: dict[str, Tool]) -> list[Row]:
    rows = []
    for line in lines:
        t = time.perf_counter()
        r = route_by_code(line["say"], attachment_for(line.get("attachment")), tools)
        elapsed = time.perf_counter() - t
        if r is None:
            rows.append(Row(line, None, "none", None, elapsed))
        else:
            rows.append(Row(line, r.tool, r.by, r.args, elapsed))
    return rows


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({n / d:.0%})" if d else "-"


def report(title: str, rows: list[Row], tools: dict[str, Tool], verbose: bool) -> None:
    n = len(rows)
    code = [r for r in rows if r.by in BY_CODE]
    model = [r for r in rows if r.by not in BY_CODE and r.tool is not None]
    unplaced = [r for r in rows if r.tool is None]
    writes = [r for r in rows if is_write(r.tool, tools) and not r.tool_ok]
    with_args = [r for r in rows if r.tool_ok and r.args_ok is not None]
    print(f"\n== {title}: {n} lines (DEVELOPMENT score: this set is read to find classes of miss)\n")
    print(f"{'measure':<44}{'value':>18}")
    for label, value in [
        ("tool right (all lines)", _pct(sum(r.tool_ok for r in rows), n)),
        ("tool + key arguments right (all lines)", _pct(sum(r.right for r in rows), n)),
        ("key arguments right (where tool right)", _pct(sum(bool(r.args_ok) for r in with_args), len(with_args))),
        ("placed by code (coverage)", _pct(len(code), n)),
        ("  precision of code routing (tool right)", _pct(sum(r.tool_ok for r in code), len(code))),
        ("  code: tool + arguments right", _pct(sum(r.right for r in code), len(code))),
        ("placed by the model", _pct(len(model), n)),
        ("  model: tool right", _pct(sum(r.tool_ok for r in model), len(model))),
        ("  model: tool + arguments right", _pct(sum(r.right for r in model), len(model))),
        ("not placed (code-only run)", _pct(len(unplaced), n)),
        ("WRITE errors (write tool, wrong intent)", str(len(writes))),
    ]:
        print(f"{label:<44}{value:>18}")
    if model:
        secs = sorted(r.seconds for r in model)
        p95 = secs[min(len(secs) - 1, round(0.95 * (len(secs) - 1)))]
        print(f"{'  model-placed turn p50 / p95 (s)':<44}{f'{statistics.median(secs):.1f} / {p95:.1f}':>18}")
    by_intent: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_intent[r.intent].append(r)
    print(f"\n{'intent':<24}{'n':>4}{'tool':>6}{'+args':>7}{'code':>6}{'code ok':>9}  wrong tools")
    for intent in sorted(by_intent):
        rs = by_intent[intent]
        wrong = Counter(r.tool or "-" for r in rs if not r.tool_ok)
        c = [r for r in rs if r.by in BY_CODE]
        print(f"{intent:<24}{len(rs):>4}{sum(r.tool_ok for r in rs):>6}{sum(r.right for r in rs):>7}{len(c):>6}"
              f"{sum(r.tool_ok for r in c):>9}  {', '.join(f'{k}×{v}' for k, v in wrong.most_common())}")  # fmt: skip
    if writes:
        print("\nWRITE errors:")
        for r in writes:
            print(f"  {r.intent:<22} → {r.tool:<18} ({r.by}) {r.line['say'][:70]!r}")
    if verbose:
        print("\nMisses:")
        for r in rows:
            if not r.right:
                mark = "tool" if not r.tool_ok else "args"
                print(f"  {mark} {r.intent:<20} → {r.tool!s:<18} {r.by:<9} {r.line['say'][:60]!r} "
                      f"args={json.dumps(r.args)[:160]} want={json.dumps(r.line['expect'])[:120]}")  # fmt: skip


# --------------------------------------------------------------------------- model path
def dry_run_tools(tools: dict[str, Tool], seen: dict[str, dict[str, Any]]) -> dict[str, Tool]:
    """The same tools with `run` replaced by a recorder: validated arguments kept, nothing changed."""

    def recorder(name: str) -> Any:
        def run(ctx: ToolContext, args: Any) -> ToolOutput:
            seen[ctx.thread_id or ""] = args.model_dump(mode="json", exclude_none=True)
            return ToolOutput(summary=f"(dry run of {name})", final=True)

        return run

    return {n: dataclasses.replace(t, run=recorder(n)) for n, t in tools.items()}


async def model_rows(
    lines: list[dict[str, Any]], tools: dict[str, Tool], model_name: str, log: Any, threads: int
) -> list[Row]:
    from support.llm import env_missing_reason, model_installed, running_llm_server

    from agent.runner import Coach, graph_thread_id
    from powerforge.config import override_settings
    from storage.accounts import create_account
    from storage.engine import dispose_all
    from storage.migrate import upgrade

    reason = env_missing_reason() or (None if model_installed(model_name) else f"{model_name} not installed")
    if reason:
        raise SystemExit(f"model path unavailable: {reason} (use --code-only)")
    tmp = Path(tempfile.mkdtemp(prefix="pf-chat-eval-"))
    seen: dict[str, dict[str, Any]] = {}
    dry = dry_run_tools(tools, seen)
    rows: list[Row] = []
    with running_llm_server(model_name, tmp, threads=threads) as llm_settings:
        s = llm_settings.model_copy(update={"data_dir": tmp / "data", "database_url": ""})
        s.ensure_dirs()
        override_settings(s)
        upgrade(s.db_url)
        account = create_account(f"eval{int(time.time() * 1000) % 10**9}", "eval-pass-1")
        async with Coach.open(s, tools=dry) as coach:
            for i, line in enumerate(lines):
                thread = f"eval-{i}"
                t = time.perf_counter()
                res = await coach.turn(account_id=account.id, thread_id=thread, text=line["say"],
                                       attachments=attachment_for(line.get("attachment")))  # fmt: skip
                elapsed = time.perf_counter() - t
                tool = res.route if res.route in tools else CHAT
                args = seen.get(graph_thread_id(account.id, thread))
                asked = [o for o in res.outputs if o.data.get("confirm") == tool]
                if args is None and asked:  # a write the model chose waits for a yes: score what it would do
                    args = asked[0].data.get("args")
                row = Row(line, tool, res.routed_by or "?", args, elapsed)
                rows.append(row)
                print(f"{i:>3} {elapsed:6.1f}s {row.by:<9} {'ok ' if row.right else 'BAD'} {tool:<18} "
                      f"{line['say'][:60]!r} reply={res.reply[:80]!r}", file=log, flush=True)  # fmt: skip
        dispose_all()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--code-only", action="store_true", help="route by code only; no model")
    ap.add_argument("--model", default="qwen2.5-1.5b-instruct")
    ap.add_argument("--limit", type=int, default=0, help="only the first N lines the model would place")
    ap.add_argument("--every", type=int, default=1, help="only every K-th of those lines (a spread subset)")
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads (1 is faster on a busy machine)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` still stops the model server it started
    if not EVAL.exists():
        raise SystemExit(f"{EVAL} is missing (the development set lives in ../shared/eval)")
    tools = load_tools()
    lines = load_lines()
    code = code_rows(lines, tools)
    report("code only (lines code cannot place count as misses)", code, tools, a.verbose)
    if a.code_only:
        return
    # the model places these, or fills the arguments of a tool a pattern named (code's chat routes need no model)
    todo = [r.line for r in code if r.tool is None or (r.tool != CHAT and r.args is None)]
    todo = todo[:: max(1, a.every)]
    if a.limit:
        todo = todo[: a.limit]
    print(f"\nmodel path: {len(todo)} lines through the real graph with {a.model} (dry-run tools)", flush=True)
    done = {id(r.line): r for r in asyncio.run(model_rows(todo, tools, a.model, sys.stdout, a.threads))}
    rows = [done.get(id(r.line), r) for r in code]
    if a.limit or a.every > 1:
        rows = [r for r in rows if id(r.line) in done or (r.tool is not None and r.args is not None)]
    report(f"full routing, code then {a.model}", rows, tools, a.verbose)


if __name__ == "__main__":
    main()
