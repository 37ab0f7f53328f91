"""A scripted chat model for unit tests of the graph: it replays prepared AI messages (tool calls
included) and records what it was asked, including the tools bound and the forced tool choice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

Step = AIMessage | Exception | Callable[[list[BaseMessage], dict[str, Any]], AIMessage]


def call(name: str, **args: Any) -> AIMessage:
    """An AI message that calls tool `name` with `args`."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call_{name}"}])


class ScriptedChatModel(BaseChatModel):
    script: list[Any] = Field(default_factory=list, repr=False)  # Step items (pydantic must not coerce them)
    log: list[dict[str, Any]] = Field(default_factory=list, repr=False)  # shared by bound copies
    bound: dict[str, Any] = Field(default_factory=dict)
    fallback: Any = Field(default=None, repr=False)  # a Step used when the script is empty (benchmarks)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: list[Any], *, tool_choice: Any = None, **kwargs: Any) -> ScriptedChatModel:
        names = []
        for t in tools:
            if isinstance(t, dict):
                names.append(t.get("function", {}).get("name"))
            else:
                names.append(getattr(t, "__name__", str(t)))
        return self.model_copy(update={"bound": {"tools": names, "tool_choice": tool_choice}})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.log.append({"messages": messages, **self.bound})
        if not self.script and self.fallback is None:
            raise AssertionError("the scripted model ran out of steps")
        step = self.script.pop(0) if self.script else self.fallback
        if isinstance(step, Exception):
            raise step
        msg = step(messages, self.bound) if callable(step) else step
        return ChatResult(generations=[ChatGeneration(message=msg)])
