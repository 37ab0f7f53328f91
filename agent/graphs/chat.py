"""The chat graph, built for a weak model and a strong one: route → (arguments) → tool → reply.

    START → route ─┬─ chat ──────────────────────────────→ reply → END
                   ├─ tool + arguments from one model call ──→ run_tool ─┐
                   └─ tool → [args by code | forced model call] → run_tool ─┬→ reply → END
                                                    ↑ retry with the error ─┘

- Routing is code first (agent.router); the model is asked only when code cannot tell, and then one
  grammar-constrained call ("required": only a well-formed call of an offered tool) picks among the
  shortlisted tools and `chat` and fills the arguments, so a small model cannot wander off. A long
  list (no shortlist) is routed by a forced enum call first.
- The tool step forces the chosen tool; invalid arguments go back to the model as a correctable
  message up to `agent_tool_retries` times, then the user gets a clear sentence.
- The reply step never binds tools: the model adds words around results that code rendered, and
  anything that looks like raw tool-call JSON is stripped before it reaches the user.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.config import get_stream_writer
from langgraph.constants import TAG_NOSTREAM
from langgraph.graph import END, START, StateGraph
from pydantic import Field, ValidationError, create_model
from sqlalchemy import Engine

from agent import prompts
from agent.grounding import ground, has_optional_fields_only
from agent.numbers import numbers_in_data, unsupported_numbers, unsupported_trend
from agent.router import CHAT, catalog, pattern_hints, routable, route_by_code
from agent.shortlist import shortlist_for
from agent.state import ChatState
from agent.tools.base import Action, Attachment, ProgressFn, Tool, ToolContext, ToolError, ToolOutput, load_tools
from powerforge.config import Settings

log = logging.getLogger(__name__)
NO_CALL = "__no_tool_call__"  # marks a forced call the model answered with text instead
CODE_CALL = "pfcode_"  # id prefix of tool calls whose arguments code decided (trusted, not grounded)
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
class TurnDeps:
    """Run-time dependencies of one turn, passed in `config["configurable"]["deps"]` (never checkpointed)."""

    account_id: int
    settings: Settings
    model: BaseChatModel | None
    engine: Engine | None = None
    jobs: Any = None
    progress: ProgressFn | None = None
    now: datetime | None = None
    scratch: dict[str, Any] = field(default_factory=dict)


def _deps(config: RunnableConfig) -> TurnDeps:
    return config["configurable"]["deps"]


# --------------------------------------------------------------------------- model plumbing
_LLM_ERRORS: tuple[type[BaseException], ...]
try:  # the OpenAI SDK's error family covers connection refused, timeouts and 5xx answers
    import httpx
    import openai

    _LLM_ERRORS = (openai.APIError, httpx.HTTPError, ConnectionError, TimeoutError, asyncio.TimeoutError)
except ImportError:  # pragma: no cover
    _LLM_ERRORS = (ConnectionError, TimeoutError)


class LLMUnavailable(Exception):
    """The language model could not be reached or answered with an error."""


def llm_error_message(settings: Settings, exc: BaseException) -> str:
    from models.llm_server import installing_message  # a first start: the embedded server is still installing

    if (installing := installing_message(settings)) is not None:
        return installing
    kind = type(exc).__name__
    return (
        f"I can't reach the language model at {settings.llm_base_url} right now ({kind}). "
        "Your data is safe and logging by plain commands still works; start the model server "
        "(`powerforge serve` starts the embedded one) or try again in a moment."
    )


async def _invoke(model: Runnable[LanguageModelInput, BaseMessage], messages: list[BaseMessage]) -> AIMessage:
    try:
        result = await model.ainvoke(messages)
    except _LLM_ERRORS as e:
        raise LLMUnavailable(str(e)) from e
    if not isinstance(result, AIMessage):
        raise LLMUnavailable("the model returned no message")
    return result


def _system() -> SystemMessage:
    """One short, stable system prefix for every call (lets llama.cpp/vLLM reuse its KV cache)."""
    return SystemMessage(prompts.load("system"))


def _history(state: ChatState) -> list[BaseMessage]:
    """Earlier turns as plain human/assistant text (tool plumbing folded into the assistant's words)."""
    out: list[BaseMessage] = []
    for m in state.get("messages", [])[:-1]:
        if isinstance(m, HumanMessage):
            out.append(HumanMessage(_text(m)))
        elif isinstance(m, AIMessage) and not m.tool_calls:
            shown = m.additional_kwargs.get("summaries") or []
            text = " ".join([*(f"[shown: {s}]" for s in shown), _text(m)]).strip()
            if text:
                out.append(AIMessage(text))
    return out[-HISTORY_MESSAGES:]


def _text(m: BaseMessage) -> str:
    if isinstance(m.content, str):
        return m.content
    return " ".join(p.get("text", "") for p in m.content if isinstance(p, dict))


def _last_user_text(state: ChatState) -> str:
    for m in reversed(state.get("messages", [])):
        if isinstance(m, HumanMessage):
            return _text(m)
    return ""


def _with_instruction(state: ChatState, instruction: str) -> HumanMessage:
    atts = [Attachment(**a) for a in state.get("attachments") or []]
    note = "".join(f"\n[attached: {a.filename} ({a.mime})]" for a in atts)
    return HumanMessage(f"{_last_user_text(state)}{note}\n\n({instruction})")


# --------------------------------------------------------------------------- nodes
def build_chat_graph(tools: dict[str, Tool] | None = None, checkpointer: Any = None) -> Any:
    """Compile the chat graph over `tools` (default: every registered tool)."""
    registry = tools if tools is not None else load_tools()
    choosable = routable(registry)

    async def route(state: ChatState, config: RunnableConfig) -> dict[str, Any]:
        reset = {"outputs": [], "attempts": 0, "llm_error": None, "tool_args": None}
        direct = state.get("direct")
        if direct:
            return {**reset, "route": direct["tool"], "tool_args": direct.get("args") or {}, "routed_by": "button"}
        atts = [Attachment(**a) for a in state.get("attachments") or []]
        text = _last_user_text(state)
        # `route` still holds the previous turn's choice here: it lets follow-ups stay in their domain.
        decided = route_by_code(text, atts, registry, previous=state.get("route"))
        if decided is not None:
            return {**reset, "route": decided.tool, "tool_args": decided.args, "routed_by": decided.by}
        deps = _deps(config)
        if deps.model is None:
            return {**reset, "route": CHAT, "routed_by": "fallback"}
        names = await asyncio.to_thread(_candidates, text, atts)
        if len(names) <= ONE_CALL_MAX:
            return {**reset, **await _pick_and_fill(state, deps, names)}
        route_model = create_model(  # the enum holds only the shortlisted actions
            "route",
            __doc__="Pick the action that serves the athlete's last message.",
            action=(Literal[tuple(names)], Field(description="The action's name")),  # type: ignore[arg-type]
        )
        model = deps.model.bind_tools([route_model], tool_choice="route")
        offered = {n: choosable[n] for n in names if n in choosable}
        instruction = prompts.render("route", catalog=catalog(offered))
        try:
            msg = await _invoke(model, [_system(), *_history(state), _with_instruction(state, instruction)])
        except LLMUnavailable as e:
            return {**reset, "route": CHAT, "routed_by": "fallback", "llm_error": llm_error_message(deps.settings, e)}
        choice = CHAT
        for call in msg.tool_calls:
            try:
                choice = route_model.model_validate(call["args"]).action  # type: ignore[attr-defined]
                break
            except ValidationError:
                continue
        return {**reset, "route": choice, "routed_by": "model"}

    async def _pick_and_fill(state: ChatState, deps: TurnDeps, names: list[str]) -> dict[str, Any]:
        """One grammar-constrained call picks the tool and fills its arguments over the shortlist.

        The server's "required" mode admits only a well-formed call of an offered tool, so the answer is
        a tool with schema-valid arguments, or `chat`. Half the model time of route-then-fill on a CPU.
        """
        offered = {n: choosable[n] for n in names if n in choosable}
        schemas: list[Any] = [_CHAT_CALL, *(t.schema() for t in offered.values())]
        model = deps.model.bind_tools(schemas, tool_choice="required")  # type: ignore[union-attr]
        instruction = prompts.render("route_call", catalog=catalog(offered))
        try:
            msg = await _invoke(model, [_system(), *_history(state), _with_instruction(state, instruction)])
        except LLMUnavailable as e:
            return {"route": CHAT, "routed_by": "fallback", "llm_error": llm_error_message(deps.settings, e)}
        call = next((c for c in msg.tool_calls if c["name"] in offered), None)
        if call is None:  # `chat`, or text instead of a call
            return {"route": CHAT, "routed_by": "model"}
        made = {
            "name": call["name"],
            "args": call.get("args") or {},
            "id": call.get("id") or f"call_{uuid.uuid4().hex[:12]}",
        }
        return {"route": call["name"], "routed_by": "model", "messages": [AIMessage(content="", tool_calls=[made])]}

    def _candidates(text: str, atts: list[Attachment]) -> list[str]:
        """The shortlisted action names for the model (all routable tools if embeddings are missing)."""
        query = text + "".join(f" [attached {a.mime}]" for a in atts)
        hinted = [n for n in pattern_hints(text, choosable) if n in choosable]  # a write's weak pattern fired
        try:
            picked = [c.name for c in shortlist_for(choosable).top(query, k=SHORTLIST)]
        except Exception:  # no embedding model: fall back to the whole catalogue
            log.warning("semantic shortlist unavailable; offering every tool to the model", exc_info=True)
            picked = sorted(choosable)
        return list(dict.fromkeys([CHAT, *hinted, *[n for n in picked if n != CHAT]]))

    async def tool_args(state: ChatState, config: RunnableConfig) -> dict[str, Any]:
        """Produce the AIMessage that calls the routed tool: from code's arguments or a forced model call."""
        name = state["route"] or CHAT
        tool = registry[name]
        if state.get("tool_args") is not None and state.get("attempts", 0) == 0:
            call = {"name": name, "args": state["tool_args"], "id": f"{CODE_CALL}{uuid.uuid4().hex[:12]}"}
            return {"messages": [AIMessage(content="", tool_calls=[call])]}
        deps = _deps(config)
        if deps.model is None:
            out = _failure(
                f"I need the language model to understand that request for `{name}`, and none is configured."
            )
            return {"outputs": [*state.get("outputs", []), out.model_dump()], "route": CHAT}
        model = deps.model.bind_tools([tool.schema()], tool_choice=name)
        msgs: list[BaseMessage] = [_system(), *_history(state)]
        msgs.append(_with_instruction(state, prompts.render("tool_args", tool=name)))
        # On a retry the model sees its previous attempt and the validation error, and corrects it.
        for m in state.get("messages", [])[-2:]:
            if isinstance(m, ToolMessage) and m.status == "error":
                msgs.append(HumanMessage(f"Your previous arguments were rejected: {m.content}. Call `{name}` again."))
        try:
            msg = await _invoke(model, msgs)
        except LLMUnavailable as e:
            return {"llm_error": llm_error_message(deps.settings, e), "route": CHAT}
        calls = [c for c in msg.tool_calls if c["name"] == name] or [
            {"name": name, "args": {NO_CALL: _text(msg)[:300]}, "id": f"call_{uuid.uuid4().hex[:12]}"}
        ]
        return {"messages": [AIMessage(content="", tool_calls=calls[:1])]}

    async def run_tool(state: ChatState, config: RunnableConfig) -> dict[str, Any]:
        deps = _deps(config)
        call = state["messages"][-1].tool_calls[0]  # type: ignore[union-attr]
        tool = registry[call["name"]]
        attempts = state.get("attempts", 0) + 1
        try:
            if NO_CALL in call["args"]:
                raise ValueError(f"no call of `{tool.name}` was made (the reply was text: {call['args'][NO_CALL]!r})")
            raw = call["args"]
            model_filled = not (call["id"] or "").startswith(CODE_CALL)
            if model_filled and not tool.grounds_itself:  # model-filled: words must back it
                raw, dropped = ground(tool.args_model, raw, _last_user_text(state))
                if dropped and not raw and has_optional_fields_only(tool.args_model):
                    # Nothing the model chose is in the message: it was not a request for this tool.
                    log.info("model routed %r to %s with ungrounded %s; answering as chat", call["args"], tool.name,
                             dropped)  # fmt: skip
                    note = ToolMessage(content="not applicable", tool_call_id=call["id"], name=tool.name)
                    return {"messages": [note], "route": CHAT, "routed_by": "grounding"}
            args = tool.args_model.model_validate(raw)
        except (ValidationError, ValueError) as e:
            problem = _validation_text(e) if isinstance(e, ValidationError) else str(e)
            msg = ToolMessage(content=problem, tool_call_id=call["id"], name=tool.name, status="error")
            if attempts <= deps.settings.agent_tool_retries and deps.model is not None:
                return {"messages": [msg], "attempts": attempts}
            out = _failure(f"I couldn't work out the details for that ({problem}). Could you say it another way?")
            return {"messages": [msg], "attempts": attempts, "outputs": [*state.get("outputs", []), out.model_dump()]}
        if tool.kind == "write" and not (call["id"] or "").startswith(CODE_CALL):
            # A write the model chose (no fast path parsed the line) is never run unasked: a 1.5B model had
            # logged a meal for a request to raise a daily carb target. The athlete sees what it understood, then
            # confirms.
            out = _confirm(tool, args)
            msg = ToolMessage(content="asked the athlete to confirm", tool_call_id=call["id"], name=tool.name)
            return {"messages": [msg], "attempts": attempts, "outputs": [*state.get("outputs", []), out.model_dump()]}
        ctx = ToolContext(
            account_id=deps.account_id, settings=deps.settings, thread_id=config["configurable"].get("thread_id"),
            engine=deps.engine, attachments=[Attachment(**a) for a in state.get("attachments") or []],
            text=_last_user_text(state), now=deps.now or datetime.now(UTC), progress=deps.progress,
            jobs=deps.jobs, scratch=deps.scratch,
        )  # fmt: skip
        try:
            output = await asyncio.to_thread(tool.run, ctx, args)
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
        return {"messages": [msg], "attempts": attempts, "outputs": [*state.get("outputs", []), output.model_dump()]}

    async def reply(state: ChatState, config: RunnableConfig) -> dict[str, Any]:
        deps = _deps(config)
        outputs = [ToolOutput(**o) for o in state.get("outputs", [])]
        summaries = [o.summary for o in outputs]
        if llm_error := state.get("llm_error"):
            return {"messages": [_final(llm_error, summaries)]}
        if state.get("routed_by") == "refuse":  # said by code: a small model had answered "Sure, …"
            return {"messages": [_final(REFUSAL, summaries)]}
        if outputs and all(o.final for o in outputs):
            return {"messages": [_final("", summaries)]}
        if deps.model is None:
            text = "" if outputs else "I can only run plain commands right now: no language model is configured."
            return {"messages": [_final(text, summaries)]}
        msgs: list[BaseMessage] = [_system(), *_history(state)]
        if outputs:
            shown = "\n".join(f"- {'OK' if o.ok else 'FAILED'}: {o.summary}" for o in outputs)
            instruction = prompts.load("reply" if all(o.ok for o in outputs) else "reply_error")
            msgs.append(
                HumanMessage(
                    f"{_last_user_text(state)}\n\nTool result shown to the athlete:\n{shown}\n\n({instruction})"
                )
            )
        else:
            msgs.append(_with_instruction(state, prompts.load("reply_chat")))
        try:
            text = await _checked_reply(deps.model, msgs, _Evidence.of(state, outputs))
        except LLMUnavailable as e:
            text = llm_error_message(deps.settings, e)
        if not text and not outputs:
            text = "Sorry, I couldn't put a reply together. Could you rephrase that?"
        return {"messages": [_final(text, summaries)]}

    def after_route(state: ChatState) -> str:
        if state.get("route") in (None, CHAT) or state.get("route") not in registry:
            return "reply"
        last = state["messages"][-1] if state.get("messages") else None
        if isinstance(last, AIMessage) and last.tool_calls and last.tool_calls[0]["name"] == state["route"]:
            return "run_tool"  # the model picked the tool and filled its arguments in one call
        return "tool_args"

    def after_args(state: ChatState) -> str:
        last = state["messages"][-1] if state.get("messages") else None
        if state.get("route") == CHAT or not (isinstance(last, AIMessage) and last.tool_calls):
            return "reply"
        return "run_tool"

    def after_tool(state: ChatState) -> str:
        if state.get("route") == CHAT:
            return "reply"
        last = state["messages"][-1]
        retry = isinstance(last, ToolMessage) and last.status == "error" and len(state.get("outputs", [])) == 0
        return "tool_args" if retry else "reply"

    g = StateGraph(ChatState)
    g.add_node("route", route)
    g.add_node("tool_args", tool_args)
    g.add_node("run_tool", run_tool)
    g.add_node("reply", reply)
    g.add_edge(START, "route")
    g.add_conditional_edges("route", after_route, ["tool_args", "run_tool", "reply"])
    g.add_conditional_edges("tool_args", after_args, ["run_tool", "reply"])
    g.add_conditional_edges("run_tool", after_tool, ["tool_args", "reply"])
    g.add_edge("reply", END)
    return g.compile(checkpointer=checkpointer)


# --------------------------------------------------------------------------- words that cannot lie
@dataclass
class _Evidence:
    """What a reply may draw numbers and trends from: this turn's tool outputs and the athlete's words."""

    allowed: set[float]
    datas: list[dict[str, Any]]
    has_output: bool

    @classmethod
    def of(cls, state: ChatState, outputs: list[ToolOutput]) -> _Evidence:
        shown = [s for m in state.get("messages", []) if isinstance(m, AIMessage)
                 for s in m.additional_kwargs.get("summaries") or []]  # fmt: skip
        sources: list[Any] = [_last_user_text(state), shown]
        sources += [(o.summary, o.markdown, o.data) for o in outputs]
        return cls(numbers_in_data(*sources), [o.data for o in outputs], bool(outputs))

    def problem(self, text: str) -> str | None:
        """Why `text` cannot be shown (numbers or a trend the data does not hold), or None."""
        bad = unsupported_numbers(text, self.allowed)
        if bad:
            return f"numbers that are not in the data: {', '.join(bad)}"
        if not self.has_output and not _ABOUT_YOUR_DATA.search(text):
            return None  # coaching words ("consistency is key", "to maintain strength") claim nothing about data
        trend = unsupported_trend(text, self.datas)
        return f'a trend ("{trend}") from too few data points' if trend else None

    def allowed_text(self) -> str:
        shown = sorted(self.allowed)[:40]
        return ", ".join(f"{n:g}" for n in shown) or "none"


# A sentence that speaks of the athlete's own record: only such a sentence can claim a trend in a chat turn.
_ABOUT_YOUR_DATA = re.compile(
    r"\b(you('ve| have)? been|your (\w+ ){0,2}(weight|bodyweight|squat|bench|deadlift|press|lifts?|e1rm|1rm|"
    r"calories|intake|protein|carbs|macros|velocity|bar speed|volume|training|sessions?|sleep|punch\w*|"
    r"numbers|progress|results?))\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


async def _checked_reply(model: BaseChatModel, msgs: list[BaseMessage], ev: _Evidence) -> str:
    """The model's reply, shown only once code has checked it.

    Sentences stream as soon as they are clean (no tool-call JSON) and carry no unsupported number; the
    first that fails stops the stream. A failing reply is regenerated once with the allowed numbers;
    if that fails too, a turn with a tool result keeps only the tool's own text, and a chat turn keeps
    only the sentences that pass.
    """
    quiet = model.with_config(tags=[TAG_NOSTREAM])  # raw tokens never reach the screen
    write = _writer()
    text, shown, streaming = "", 0, True
    try:
        async for chunk in quiet.astream(msgs):
            text += _text(chunk) if isinstance(chunk, BaseMessage) else str(chunk)
            while streaming and (m := _SENTENCE_END.search(text, shown)):
                sentence = text[shown : m.end()]
                if (
                    "{" in sentence
                    or "<" in sentence
                    or clean_reply(sentence) != sentence.strip()
                    or ev.problem(sentence)
                ):
                    streaming = False
                    break
                write({"reply_text": sentence if shown else sentence.lstrip()})
                shown = m.end()
    except _LLM_ERRORS as e:
        raise LLMUnavailable(str(e)) from e
    text = clean_reply(text)
    problem = ev.problem(text)
    if problem is None:
        if streaming and text[shown:].strip():
            write({"reply_text": text[shown:] if shown else text})
        return text
    log.info("reply rejected (%s): %r", problem, text[:200])
    retry = [*msgs, AIMessage(text),
             HumanMessage(prompts.render("reply_numbers", problem=problem, allowed=ev.allowed_text()))]  # fmt: skip
    again = clean_reply(_text(await _invoke(quiet, retry)))
    if ev.problem(again) is None:
        return again
    log.info("regenerated reply rejected too (%s): %r", ev.problem(again), again[:200])
    if ev.has_output:
        return ""  # the tool's own text says it, with its own numbers
    return " ".join(s for s in re.split(r"(?<=[.!?])\s+", again) if ev.problem(s) is None).strip()


def _writer() -> Any:
    try:
        return get_stream_writer()
    except Exception:  # outside a graph run (direct calls in tests): nothing to stream to
        return lambda _chunk: None


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


def _validation_text(e: ValidationError) -> str:
    parts = []
    for err in e.errors()[:4]:
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


_TOOL_CALL_TAG = re.compile(r"<tool_call>.*?(</tool_call>|$)", re.DOTALL)
_JSON_CALL = re.compile(r"\{[^{}]*\"(name|arguments|function|tool_calls?)\"\s*:.*\}", re.DOTALL)


def clean_reply(text: str) -> str:
    """Strip anything that looks like raw tool-call JSON or template tokens from a model reply."""
    text = _TOOL_CALL_TAG.sub("", text)
    text = re.sub(r"<\|[^|>]+\|>", "", text)
    text = _JSON_CALL.sub("", text)
    text = re.sub(r"\[shown:[^\]]*\]", "", text).strip()  # the history's notation echoed: a made-up tool result
    if text.startswith("{") or text.startswith("[{"):  # a coach's sentence never opens with JSON
        return ""
    return text


def last_reply(messages: list[AnyMessage]) -> AIMessage | None:
    for m in reversed(messages):
        if isinstance(m, AIMessage) and not m.tool_calls:
            return m
    return None
