"""The chat graph's state: the conversation plus what this turn decided and produced."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class ToolCall(TypedDict):
    """One call of a tool this turn, and who chose its arguments.

    `origin` "code": a fast path or a button decided them (trusted, run as they are); "model": the
    model filled them, so they must be backed by the athlete's words, and a write waits for a yes.
    """

    name: str
    args: dict[str, Any]
    id: str
    origin: Literal["code", "model"]


class ChatState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    # --- per turn (reset by the runner's input) ---
    attachments: list[dict[str, Any]]  # agent.tools.base.Attachment dumps
    direct: dict[str, Any] | None  # {"tool": name, "args": {...}} from a button: no routing, no model
    route: str | None  # tool name or "chat"
    routed_by: str | None  # "code" | "smalltalk" | "advice" | "pattern" | "model" | "button" | "fallback" | "grounding"
    call: ToolCall | None  # the routed tool's call: proposed by `route`, checked by `tool_args`, run by `run_tool`
    outputs: list[dict[str, Any]]  # agent.tools.base.ToolOutput dumps of this turn
    llm_error: str | None  # why the model could not be reached, shown to the user
