"""The chat graph's state: the conversation plus what this turn decided and produced."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class ChatState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    # --- per turn (reset by the runner's input) ---
    attachments: list[dict[str, Any]]  # agent.tools.base.Attachment dumps
    direct: dict[str, Any] | None  # {"tool": name, "args": {...}} from a button: no routing, no model
    route: str | None  # tool name or "chat"
    routed_by: str | None  # "code" | "smalltalk" | "advice" | "pattern" | "model" | "button" | "fallback" | "grounding"
    tool_args: dict[str, Any] | None  # arguments decided by code
    attempts: int  # tool-argument attempts this turn
    outputs: list[dict[str, Any]]  # agent.tools.base.ToolOutput dumps of this turn
    llm_error: str | None  # why the model could not be reached, shown to the user
