"""The chat graph, built for a weak model and a strong one: route → arguments → tool → reply.

    START → route ─┬─ chat ─────────────────────────────────────────────→ reply → END
                   └─ tool → tool_args (check code's or the model's arguments;
                                        forced call with the problem fed back) ─┬→ run_tool → reply → END
                                                                                └→ reply (no usable arguments)

- Routing is code first (agent.router); the model is asked only when code cannot tell, and then one
  grammar-constrained call ("required": only a well-formed call of an offered tool) picks among the
  shortlisted tools and `chat` and fills the arguments, so a small model cannot wander off. A long
  list (no shortlist) is routed by a forced enum call first.
- Every call carries who chose its arguments (`ToolCall.origin`): code's are trusted; the model's must
  be backed by the athlete's words (`agent.grounding`), and a write it chose waits for a yes.
- The argument step forces the chosen tool through `agent.structured.structured_call`: rejected
  arguments (or a text answer) go back to the model with the reason up to `agent_tool_retries` times,
  then the user gets a clear sentence.
- The reply step never binds tools: the model adds words around results that code rendered, and
  only text that code has cleaned and checked reaches the screen (`agent.graphs.reply`).

Nodes are module-level functions; what a turn needs (account, model, tools…) arrives as LangGraph's run
context (`TurnContext`, passed to `astream(..., context=...)`), never in the checkpointed state.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from pydantic import Field, ValidationError, create_model
from sqlalchemy import Engine

from agent import prompts
from agent.graphs.reply import Evidence, checked_reply, clean_reply, last_reply
from agent.grounding import ground, has_optional_fields_only
from agent.router import CHAT, catalog, pattern_hints, routable, route_by_code
from agent.shortlist import shortlist_for
from agent.state import ChatState, ToolCall
from agent.structured import (
    LLMUnavailable,
    StructuredCallFailed,
    invoke,
    llm_error_message,
    message_text,
    structured_call,
    validation_text,
)
from agent.tools.base import Action, Attachment, ProgressFn, Tool, ToolContext, ToolError, ToolOutput, load_tools
from powerforge.config import Settings

__all__ = ["TurnContext", "build_chat_graph", "clean_reply", "last_reply", "llm_error_message"]

log = logging.getLogger(__name__)
HISTORY_MESSAGES = 8  # earlier human/assistant messages given to the model (small context windows)
SHORTLIST = 5  # tools offered to the model when code cannot route
REFUSAL = (
    "I can only show and change your own data: other people's logs, accounts and results stay private, "
    "whoever asks. Ask me about your own training, food or rounds."
)
ONE_CALL_MAX = SHORTLIST + 4  # up to this many offered tools, one call picks the tool and fills its arguments
_CHAT_CALL = {
    "type": "function",
    "function": {
        "name": CHAT,
        "description": "Answer in words: a question, advice, an explanation, small talk, anything else.",
        "parameters": {"type": "object", "properties": {}},
    },
}


@dataclass
class TurnContext:
    """What one turn runs with: LangGraph's run context (`astream(..., context=...)`), never checkpointed."""

    account_id: int
    settings: Settings
    model: BaseChatModel | None
    tools: dict[str, Tool] = field(default_factory=load_tools)
    thread_id: str | None = None  # the graph thread's key (analytics keeps its last chart per thread)
    engine: Engine | None = None
    jobs: Any = None
    progress: ProgressFn | None = None
    now: datetime | None = None
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def choosable(self) -> dict[str, Tool]:
        """The tools the model may pick (`agent.router.routable`)."""
        return routable(self.tools)


Ctx = Runtime[TurnContext]


# --------------------------------------------------------------------------- messages for the model
def _system() -> SystemMessage:
    """One short, stable system prefix for every call (lets llama.cpp/vLLM reuse its KV cache)."""
    return SystemMessage(prompts.load("system"))


def _history(state: ChatState) -> list[BaseMessage]:
    """Earlier turns as plain human/assistant text (tool plumbing folded into the assistant's words)."""
    out: list[BaseMessage] = []
    for m in state.get("messages", [])[:-1]:
        if isinstance(m, HumanMessage):
            out.append(HumanMessage(message_text(m)))
        elif isinstance(m, AIMessage) and not m.tool_calls:
            shown = m.additional_kwargs.get("summaries") or []
            text = " ".join([*(f"[shown: {s}]" for s in shown), message_text(m)]).strip()
            if text:
                out.append(AIMessage(text))
    return out[-HISTORY_MESSAGES:]


def _last_user_text(state: ChatState) -> str:
    for m in reversed(state.get("messages", [])):
        if isinstance(m, HumanMessage):
            return message_text(m)
    return ""


def _with_instruction(state: ChatState, instruction: str) -> HumanMessage:
    atts = [Attachment(**a) for a in state.get("attachments") or []]
    note = "".join(f"\n[attached: {a.filename} ({a.mime})]" for a in atts)
    return HumanMessage(f"{_last_user_text(state)}{note}\n\n({instruction})")


def _call(name: str, args: dict[str, Any], origin: Literal["code", "model"], id_: str | None = None) -> ToolCall:
    return ToolCall(name=name, args=args, id=id_ or f"call_{uuid.uuid4().hex[:12]}", origin=origin)


# --------------------------------------------------------------------------- nodes
async def route(state: ChatState, runtime: Ctx) -> dict[str, Any]:
    """Pick the tool (or chat): a button, then code, then the model over a shortlist."""
    ctx = runtime.context
    reset: dict[str, Any] = {"outputs": [], "llm_error": None, "call": None}
    direct = state.get("direct")
    if direct:
        call = _call(direct["tool"], direct.get("args") or {}, "code")
        return {**reset, "route": direct["tool"], "call": call, "routed_by": "button"}
    atts = [Attachment(**a) for a in state.get("attachments") or []]
    text = _last_user_text(state)
    # `route` still holds the previous turn's choice here: it lets follow-ups stay in their domain.
    decided = route_by_code(text, atts, ctx.tools, previous=state.get("route"))
    if decided is not None:
        by_code = None if decided.args is None else _call(decided.tool, decided.args, "code")
        return {**reset, "route": decided.tool, "call": by_code, "routed_by": decided.by}
    if ctx.model is None:
        return {**reset, "route": CHAT, "routed_by": "fallback"}
    names = await asyncio.to_thread(_candidates, ctx.choosable, text, atts)
    if len(names) <= ONE_CALL_MAX:
        return {**reset, **await _pick_and_fill(state, ctx, ctx.model, names)}
    route_model = create_model(  # the enum holds only the shortlisted actions
        "route",
        __doc__="Pick the action that serves the athlete's last message.",
        action=(Literal[tuple(names)], Field(description="The action's name")),  # type: ignore[arg-type]
    )
    model = ctx.model.bind_tools([route_model], tool_choice="route")
    offered = {n: ctx.choosable[n] for n in names if n in ctx.choosable}
    instruction = prompts.render("route", catalog=catalog(offered))
    try:
        msg = await invoke(model, [_system(), *_history(state), _with_instruction(state, instruction)])
    except LLMUnavailable as e:
        return {**reset, "route": CHAT, "routed_by": "fallback", "llm_error": llm_error_message(ctx.settings, e)}
    choice = CHAT
    for c in msg.tool_calls:
        try:
            choice = route_model.model_validate(c["args"]).action  # type: ignore[attr-defined]
            break
        except ValidationError:
            continue
    return {**reset, "route": choice, "routed_by": "model"}


async def _pick_and_fill(state: ChatState, ctx: TurnContext, model: BaseChatModel, names: list[str]) -> dict[str, Any]:
    """One grammar-constrained call picks the tool and fills its arguments over the shortlist.

    The server's "required" mode admits only a well-formed call of an offered tool, so the answer is
    a tool with schema-valid arguments, or `chat`. Half the model time of route-then-fill on a CPU.
    """
    offered = {n: ctx.choosable[n] for n in names if n in ctx.choosable}
    schemas: list[Any] = [_CHAT_CALL, *(t.schema() for t in offered.values())]
    bound = model.bind_tools(schemas, tool_choice="required")
    instruction = prompts.render("route_call", catalog=catalog(offered))
    try:
        msg = await invoke(bound, [_system(), *_history(state), _with_instruction(state, instruction)])
    except LLMUnavailable as e:
        return {"route": CHAT, "routed_by": "fallback", "llm_error": llm_error_message(ctx.settings, e)}
    c = next((c for c in msg.tool_calls if c["name"] in offered), None)
    if c is None:  # `chat`, or text instead of a call
        return {"route": CHAT, "routed_by": "model"}
    return {
        "route": c["name"],
        "routed_by": "model",
        "call": _call(c["name"], c.get("args") or {}, "model", c.get("id")),
    }


def _candidates(choosable: dict[str, Tool], text: str, atts: list[Attachment]) -> list[str]:
    """The shortlisted action names for the model (all routable tools if embeddings are missing)."""
    query = text + "".join(f" [attached {a.mime}]" for a in atts)
    hinted = [n for n in pattern_hints(text, choosable) if n in choosable]  # a write's weak pattern fired
    try:
        picked = [c.name for c in shortlist_for(choosable).top(query, k=SHORTLIST)]
    except Exception:  # no embedding model: fall back to the whole catalogue
        log.warning("semantic shortlist unavailable; offering every tool to the model", exc_info=True)
        picked = sorted(choosable)
    return list(dict.fromkeys([CHAT, *hinted, *[n for n in picked if n != CHAT]]))


class _NotForThisTool(Exception):
    """Nothing the model chose is in the message: it was not a request for this tool."""


def _checker(tool: Tool, text: str, origin: Literal["code", "model"]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Code's check of a call's arguments: schema-valid, and (when the model chose them) backed by the words.

    Returns the arguments to run; raises ValueError with a reason the model can act on, or
    `_NotForThisTool` when grounding left nothing of a request for this tool.
    """

    def check(raw: dict[str, Any]) -> dict[str, Any]:
        if origin == "model" and not tool.grounds_itself:
            grounded, dropped = ground(tool.args_model, raw, text)
            if dropped and not grounded and has_optional_fields_only(tool.args_model):
                log.info("model routed %r to %s with ungrounded %s; answering as chat", raw, tool.name, dropped)
                raise _NotForThisTool(tool.name)
            raw = grounded
        tool.args_model.model_validate(raw)
        return raw

    return check


async def tool_args(state: ChatState, runtime: Ctx) -> dict[str, Any]:
    """The routed tool's checked call: code's or the model's arguments as they are when they pass, else a
    forced call of the tool with the reason fed back (`structured_call`); else a clear sentence."""
    ctx = runtime.context
    name = state.get("route") or CHAT
    tool = ctx.tools[name]
    text = _last_user_text(state)
    proposed = state.get("call")
    problem: str | None = None
    if proposed is not None:
        try:
            args = _checker(tool, text, proposed["origin"])(proposed["args"])
            return {"call": {**proposed, "args": args}}
        except _NotForThisTool:
            return {"call": None, "route": CHAT, "routed_by": "grounding"}
        except ValidationError as e:
            problem = validation_text(e)
        except ValueError as e:
            problem = str(e)
    if ctx.model is None:
        if problem is None:
            out = _failure(
                f"I need the language model to understand that request for `{name}`, and none is configured."
            )
            return {"call": None, "route": CHAT, "outputs": [*state.get("outputs", []), out.model_dump()]}
        return {"call": None, **_give_up(state, problem)}
    msgs: list[BaseMessage] = [_system(), *_history(state)]
    msgs.append(_with_instruction(state, prompts.render("tool_args", tool=name)))
    # An earlier attempt (code's or the routing call's arguments) counts against the retries.
    retries = ctx.settings.agent_tool_retries - (1 if problem else 0)
    try:
        args = await structured_call(
            ctx.model, tool.schema(), msgs, _checker(tool, text, "model"), retries=retries, problem=problem
        )
    except _NotForThisTool:
        return {"call": None, "route": CHAT, "routed_by": "grounding"}
    except StructuredCallFailed as e:
        return {"call": None, **_give_up(state, e.problem)}
    except LLMUnavailable as e:
        return {"call": None, "llm_error": llm_error_message(ctx.settings, e), "route": CHAT}
    return {"call": _call(name, args, "model")}


def _give_up(state: ChatState, problem: str) -> dict[str, Any]:
    out = _failure(f"I couldn't work out the details for that ({problem}). Could you say it another way?")
    return {"outputs": [*state.get("outputs", []), out.model_dump()]}


async def run_tool(state: ChatState, runtime: Ctx) -> dict[str, Any]:
    """Run the checked call (a write the model chose asks for a yes first) and keep its output."""
    ctx = runtime.context
    call = state["call"]
    assert call is not None  # the edge runs this node only with a checked call
    tool = ctx.tools[call["name"]]
    args = tool.args_model.model_validate(call["args"])  # checked in `tool_args`
    asked = AIMessage(content="", tool_calls=[{"name": call["name"], "args": call["args"], "id": call["id"]}])
    if tool.kind == "write" and call["origin"] == "model":
        # A write the model chose (no fast path parsed the line) is never run unasked: a 1.5B model had
        # logged a meal for a request to raise a daily carb target. The athlete sees what it understood, then
        # confirms.
        out = _confirm(tool, args)
        msg = ToolMessage(content="asked the athlete to confirm", tool_call_id=call["id"], name=tool.name)
        return {"messages": [asked, msg], "outputs": [*state.get("outputs", []), out.model_dump()]}
    tctx = ToolContext(
        account_id=ctx.account_id, settings=ctx.settings, thread_id=ctx.thread_id, engine=ctx.engine,
        attachments=[Attachment(**a) for a in state.get("attachments") or []], text=_last_user_text(state),
        now=ctx.now or datetime.now(UTC), progress=ctx.progress, jobs=ctx.jobs, scratch=ctx.scratch,
    )  # fmt: skip
    try:
        output = await asyncio.to_thread(tool.run, tctx, args)
        if not isinstance(output, ToolOutput):
            raise TypeError(f"tool {tool.name} returned {type(output).__name__}, not ToolOutput")
    except ToolError as e:
        output = _failure(str(e))
    except Exception:
        log.exception("tool %s failed", tool.name)
        output = _failure(
            f"Something went wrong in `{tool.name}`; nothing was changed. The error is in the server log."
        )
    msg = ToolMessage(
        content=json.dumps({"ok": output.ok, "summary": output.summary}), tool_call_id=call["id"],
        name=tool.name, status="success" if output.ok else "error",
    )  # fmt: skip
    return {"messages": [asked, msg], "outputs": [*state.get("outputs", []), output.model_dump()]}


async def reply(state: ChatState, runtime: Ctx) -> dict[str, Any]:
    """The coach's words around what code rendered, checked before they are shown."""
    ctx = runtime.context
    outputs = [ToolOutput(**o) for o in state.get("outputs", [])]
    summaries = [o.summary for o in outputs]
    if llm_error := state.get("llm_error"):
        return {"messages": [_final(llm_error, summaries)]}
    if state.get("routed_by") == "refuse":  # said by code: a small model had answered "Sure, …"
        return {"messages": [_final(REFUSAL, summaries)]}
    if outputs and all(o.final for o in outputs):
        return {"messages": [_final("", summaries)]}
    if ctx.model is None:
        text = "" if outputs else "I can only run plain commands right now: no language model is configured."
        return {"messages": [_final(text, summaries)]}
    msgs: list[BaseMessage] = [_system(), *_history(state)]
    if outputs:
        shown = "\n".join(f"- {'OK' if o.ok else 'FAILED'}: {o.summary}" for o in outputs)
        instruction = prompts.load("reply" if all(o.ok for o in outputs) else "reply_error")
        msgs.append(
            HumanMessage(f"{_last_user_text(state)}\n\nTool result shown to the athlete:\n{shown}\n\n({instruction})")
        )
    else:
        msgs.append(_with_instruction(state, prompts.load("reply_chat")))
    shown_before = [s for m in state.get("messages", []) if isinstance(m, AIMessage)
                    for s in m.additional_kwargs.get("summaries") or []]  # fmt: skip
    evidence = Evidence.of(_last_user_text(state), shown_before, outputs)
    try:
        text = await checked_reply(ctx.model, msgs, evidence, runtime.stream_writer)
    except LLMUnavailable as e:
        text = llm_error_message(ctx.settings, e)
    if not text and not outputs:
        text = "Sorry, I couldn't put a reply together. Could you rephrase that?"
    return {"messages": [_final(text, summaries)]}


# --------------------------------------------------------------------------- edges
def after_route(state: ChatState, runtime: Ctx) -> str:
    if state.get("route") in (None, CHAT) or state.get("route") not in runtime.context.tools:
        return "reply"
    return "tool_args"


def after_args(state: ChatState) -> str:
    return "run_tool" if state.get("call") is not None and state.get("route") != CHAT else "reply"


def build_chat_graph(checkpointer: Any = None) -> Any:
    """Compile the chat graph; each run gets its `TurnContext` (tools, model, account) as its context."""
    g = StateGraph(ChatState, context_schema=TurnContext)
    g.add_node("route", route)
    g.add_node("tool_args", tool_args)
    g.add_node("run_tool", run_tool)
    g.add_node("reply", reply)
    g.add_edge(START, "route")
    g.add_conditional_edges("route", after_route, ["tool_args", "reply"])
    g.add_conditional_edges("tool_args", after_args, ["run_tool", "reply"])
    g.add_edge("run_tool", "reply")
    g.add_edge("reply", END)
    return g.compile(checkpointer=checkpointer)


# --------------------------------------------------------------------------- helpers
def _failure(message: str) -> ToolOutput:
    return ToolOutput(ok=False, summary=message, markdown=message, final=True)


def _confirm(tool: Tool, args: Any) -> ToolOutput:
    """Code's question before a write the model chose: what it understood, and a button that does it."""
    chosen = args.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    what = " ".join(tool.description.split()).split(". ")[0].rstrip(".")
    detail = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in chosen.items())[:240]
    text = f"Do you want me to {what[:1].lower()}{what[1:]}" + (f" ({detail})" if detail else "") + "?"
    text += " Nothing is saved until you confirm."
    button = Action(label="✅ Yes, do it", tool=tool.name, args=args.model_dump(mode="json", exclude_none=True))
    return ToolOutput(summary=text, markdown=text, actions=[button], data={"confirm": tool.name, "args": chosen},
                      final=True)  # fmt: skip


def _final(text: str, summaries: list[str]) -> AIMessage:
    return AIMessage(content=text, additional_kwargs={"summaries": summaries})
