"""Decide how one chat request uses its tools: not at all, model's choice, one forced tool, or any tool.

Kept apart from the llama.cpp handler so the decision (which OpenAI clients rely on) is unit-tested
without a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pf_llm.toolcalls import tool_name

Mode = Literal["text", "auto", "forced", "required"]


class ToolChoiceError(ValueError):
    """The request names a tool it does not offer (answered as HTTP 400)."""


@dataclass(frozen=True)
class ToolPlan:
    mode: Mode
    tools: list[dict[str, Any]]  # the tools the model sees (and may call)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(tool_name(t) for t in self.tools)


def plan_tools(
    tools: list[dict[str, Any]] | None,
    tool_choice: Any = None,
    functions: list[dict[str, Any]] | None = None,
    function_call: Any = None,
) -> ToolPlan:
    """OpenAI semantics: tools + no choice = "auto"; "none" ignores tools; a named choice forces it.

    Legacy `functions`/`function_call` are mapped onto `tools`/`tool_choice` first.
    """
    if functions and not tools:
        tools = [{"type": "function", "function": f} for f in functions]
    if function_call is not None and tool_choice is None:
        if isinstance(function_call, str):
            tool_choice = function_call
        elif isinstance(function_call, dict) and function_call.get("name"):
            tool_choice = {"type": "function", "function": {"name": function_call["name"]}}
    tools = [t for t in (tools or []) if tool_name(t)]
    if not tools or tool_choice == "none":
        return ToolPlan("text", [])
    if isinstance(tool_choice, dict):
        name = (tool_choice.get("function") or {}).get("name") or tool_choice.get("name")
        chosen = [t for t in tools if tool_name(t) == name]
        if not chosen:
            offered = ", ".join(sorted(tool_name(t) for t in tools))
            raise ToolChoiceError(f"tool_choice names '{name}', which is not among the tools ({offered})")
        return ToolPlan("forced", chosen[:1])
    if tool_choice == "required":
        return ToolPlan("required", tools)
    return ToolPlan("auto", tools)


__all__ = ["Mode", "ToolChoiceError", "ToolPlan", "plan_tools"]
