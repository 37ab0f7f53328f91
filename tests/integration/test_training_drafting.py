"""Program drafting through a model: a scripted OpenAI-compatible server on 127.0.0.1 (exact replies,
so retries and rejections are checked exactly), and the real embedded model for the two common
requests. Code builds and checks whatever the model proposes; nothing invalid is ever saved."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from support.postgres import free_port

from agent.drafting import DraftRejected, propose_program
from agent.tools.base import ToolContext, load_tools
from powerforge.config import Settings
from storage import training as repo
from training.builder import parse_request
from training.loads import Max
from training.plates import Equipment
from training.templates import templates


class ScriptedOpenAI:
    """Answers /v1/chat/completions with the next scripted tool-call arguments and records every request."""

    def __init__(self, replies: list[dict[str, Any]]):
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                name = body["tools"][0]["function"]["name"]
                args = outer.replies.pop(0) if outer.replies else {}
                reply = {
                    "id": f"chatcmpl-{len(outer.requests)}", "object": "chat.completion", "created": 0,
                    "model": body.get("model", "scripted"),
                    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                        "role": "assistant", "content": None,
                        "tool_calls": [{"id": f"call_{len(outer.requests)}", "type": "function",
                                        "function": {"name": name, "arguments": json.dumps(args)}}],
                    }}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                }  # fmt: skip
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> ScriptedOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *_a: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def texts(self, i: int) -> str:
        return json.dumps(self.requests[i]["messages"])


def _settings(settings: Settings, url: str) -> Settings:
    return settings.model_copy(update={"llm_base_url": url, "llm_timeout_s": 20.0, "llm_max_retries": 0})


BOXER_DAY = {"name": "Strength A", "weekday": "Monday", "exercises": [
    {"exercise": "trap bar deadlift", "sets": 3, "reps": "5", "load": "75%"},
    {"exercise": "landmine press", "sets": 3, "reps": "8", "load": "RPE 8"},
    {"exercise": "leg blaster", "sets": 2, "reps": "10", "load": "BW", "section": "conditioning"},
]}  # fmt: skip


@pytest.fixture
def run_tool(engine, account):
    tools = load_tools()

    def run(name: str, settings: Settings, **args: Any):
        t = tools[name]
        ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, text=args.get("request", ""))
        return t.run(ctx, t.args_model.model_validate(args))

    return run


def test_model_proposal_is_checked_and_retried_until_valid(settings, engine, account, run_tool):
    fixed = json.loads(json.dumps(BOXER_DAY))
    fixed["exercises"][2] = {"exercise": "burpee", "sets": 2, "reps": "10", "load": "BW", "section": "conditioning"}
    second = {**fixed, "name": "Strength B", "weekday": "Thursday"}
    replies = [
        {"template": "custom", "name": "Fight camp strength"},  # step 1: no template fits
        {"days": [BOXER_DAY, second]},  # step 2: an unknown exercise …
        {"days": [fixed, second], "deload_every": 4},  # … corrected after code's objection
    ]
    with ScriptedOpenAI(replies) as llm:
        out = run_tool(
            "program_draft", _settings(settings, llm.url), request="plan for a boxer, 2 days a week of strength"
        )
    assert len(llm.requests) == 3
    retry = llm.texts(2)  # the third request carries code's objection back to the model
    assert "leg blaster" in retry and "don't know the exercise" in retry
    assert out.ok and out.data["draft_id"] and "drafted with the model, checked by code" in out.markdown
    program = out.data["program"]
    assert program["name"] == "Fight camp strength" and len(program["weeks"]) == 8
    assert program["weeks"][3]["deload"] is True
    names = {p["exercise"] for s in program["weeks"][0]["workouts"][0]["sections"] for p in s["items"]}
    assert names == {"trap_bar_deadlift", "landmine_press", "burpee"}
    assert repo.active_program(account.id, engine) is None  # a draft until the button


def test_a_proposal_that_never_validates_is_rejected_with_reasons(settings, engine, account, run_tool):
    bad = {"days": [{"name": "Day 1", "exercises": [
        {"exercise": "back squat", "sets": 3, "reps": "0", "load": "130%"}]}]}  # fmt: skip
    with ScriptedOpenAI([{"template": "custom"}, bad, bad, bad, bad]) as llm:
        out = run_tool(
            "program_draft", _settings(settings, llm.url), request="plan for a boxer, 2 days a week of strength"
        )
    assert not out.ok and "nothing was saved" in out.markdown
    assert "0 reps is outside 1-50" in out.markdown and "130% is not a usable percentage" in out.markdown
    assert len(llm.requests) == 4  # the choice, then the outline's first try and two retries
    assert out.actions and all(a.tool == "program_draft" for a in out.actions)  # templates offered instead
    assert repo.latest_pending_draft(account.id, "program", engine) is None


def test_model_down_offers_templates_and_model_chosen_template_uses_code_numbers(settings, engine, account, run_tool):
    down = settings.model_copy(update={"llm_base_url": f"http://127.0.0.1:{free_port()}/v1", "llm_timeout_s": 3.0})
    out = run_tool("program_draft", down, request="something to get fitter for rugby")
    assert out.ok and "Which kind of program" in out.markdown and len(out.actions) >= 6
    req = parse_request("plan for 10 weeks, 3 days, squat 150 bench 100 deadlift 200")
    with ScriptedOpenAI([{"template": "dup_powerlifting", "days_per_week": 4, "weeks": 6}]) as llm:
        program, _notes, proposal = propose_program(
            req.text, req, {k: Max(v) for k, v in req.maxes_kg.items()}, Equipment.default(),
            _settings(settings, llm.url),
        )  # fmt: skip
    # what the person said wins over what the model proposed
    assert proposal.days_per_week == 4 and program.days_per_week == 3 and len(program.weeks) == 10
    assert "Code already read: 3 days a week; 10 weeks" in llm.texts(0)


def test_edits_code_cannot_read_go_to_the_model(settings, engine, account, run_tool):
    out = run_tool("program_draft", settings, request="4-day upper lower program for 8 weeks")
    run_tool("program_approve", settings, draft_id=out.data["draft_id"])
    ops = {"ops": [{"kind": "add", "new_exercise": "sled push", "day": "friday", "sets": 4, "reps": "1",
                    "load": "RPE 8"}]}  # fmt: skip
    with ScriptedOpenAI([{"ops": [{"kind": "swap", "exercise": "zumba", "new_exercise": "sled push"}]}, ops]) as llm:
        edit = run_tool("program_edit", _settings(settings, llm.url), request="finish fridays with some sled work")
    assert len(llm.requests) == 2 and "zumba" in llm.texts(1)
    assert "Sled Push 4×1 @ RPE 8" in edit.markdown and edit.data["draft_id"]


# --------------------------------------------------------------------------- the real embedded model
QWEN = "qwen2.5-1.5b-instruct"


@pytest.fixture(scope="module")
def real_llm(tmp_path_factory) -> Iterator[Settings]:
    from support.llm import env_missing_reason, model_installed, running_llm_server

    if reason := env_missing_reason():
        pytest.skip(reason)
    if not model_installed(QWEN):
        pytest.skip(f"{QWEN} is not installed (powerforge models pull {QWEN})")
    with running_llm_server(QWEN, tmp_path_factory.mktemp("llm")) as s:
        yield s


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize(
    ("request_text", "days", "weeks"),
    [
        ("Build me a 4-day upper/lower program for 8 weeks, intermediate, squat 140 bench 100 deadlift 180", 4, 8),
        ("a 12-week powerlifting peaking block, 3 days a week", 3, 12),
    ],
)
def test_real_model_drafts_the_common_requests(real_llm: Settings, settings, request_text, days, weeks):
    """Even when the model (not code) picks the structure, the result is valid and keeps the stated numbers."""
    s = settings.model_copy(update={k: getattr(real_llm, k) for k in (
        "llm_base_url", "llm_model", "llm_temperature", "llm_timeout_s", "llm_max_retries")})  # fmt: skip
    req = parse_request(request_text)
    maxes = {k: Max(v) for k, v in req.maxes_kg.items()}
    try:
        program, _notes, proposal = propose_program(request_text, req, maxes, Equipment.default(), s)
    except DraftRejected as e:  # allowed outcome: rejected with reasons, never a broken program
        assert e.problems
        pytest.fail(f"the real model's proposals were all rejected: {e.problems}")
    assert program.days_per_week == days and len(program.weeks) == weeks
    assert proposal.template in {*templates(), "custom"}


def test_the_model_can_choose_every_template():
    from typing import get_args

    from agent.drafting import TemplateId

    assert set(get_args(TemplateId)) == {*templates(), "custom"}
