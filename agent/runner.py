"""Runs one chat turn through the graph: the single entry point for the web app, the CLI and tests.

Turns on one thread are serialised (two concurrent runs on a LangGraph thread lose an update): by an
asyncio lock in this process and, on PostgreSQL, by an advisory lock on the thread, so app processes
behind one proxy (cluster mode) cannot interleave two turns of one thread either.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from agent.checkpoint import open_checkpointer
from agent.graphs.chat import TurnContext, build_chat_graph, clean_reply, last_reply
from agent.llm import chat_model
from agent.llm_queue import llm_turn
from agent.tools.base import Attachment, ProgressFn, Tool, ToolOutput, load_tools
from powerforge.config import Settings
from services.turns import turn_lock


@dataclass
class TurnResult:
    reply: str
    outputs: list[ToolOutput] = field(default_factory=list)
    route: str | None = None
    routed_by: str | None = None
    llm_error: str | None = None

    @property
    def text(self) -> str:
        """Everything the user reads, in order: code-rendered results, then the coach's words."""
        parts = [o.markdown or o.summary for o in self.outputs]
        if self.reply:
            parts.append(self.reply)
        return "\n\n".join(p for p in parts if p)


def graph_thread_id(account_id: int, thread_id: str) -> str:
    """LangGraph thread key: scoped by account so one user can never load another's state."""
    return f"{account_id}:{thread_id}"


class Coach:
    """The compiled chat graph with its checkpointer and per-thread locks."""

    def __init__(
        self,
        settings: Settings,
        graph: Any,
        model: BaseChatModel | None,
        jobs: Any = None,
        tools: dict[str, Tool] | None = None,
    ):
        self.settings = settings
        self.graph = graph
        self.model = model
        self.jobs = jobs
        self.tools = tools if tools is not None else load_tools()
        self._locks: dict[str, asyncio.Lock] = {}

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        settings: Settings,
        *,
        model: BaseChatModel | str | None = "default",
        tools: dict[str, Tool] | None = None,
        jobs: Any = None,
    ) -> AsyncIterator[Coach]:
        """A coach whose graph state lives in the app database (model="default": the configured LLM)."""
        llm = chat_model(settings) if model == "default" else model
        async with open_checkpointer(settings) as saver:
            yield cls(settings, build_chat_graph(checkpointer=saver), llm, jobs, tools)  # type: ignore[arg-type]

    async def turn(
        self,
        *,
        account_id: int,
        thread_id: str,
        text: str = "",
        attachments: list[Attachment] | None = None,
        direct: dict[str, Any] | None = None,
        on_token: Callable[[str], Any] | None = None,
        on_progress: ProgressFn | None = None,
        on_status: Callable[[str], Any] | None = None,
    ) -> TurnResult:
        """One turn. `on_status` hears waits on the model ("2 messages ahead of you", "the model is
        restarting"; "" when the wait is over)."""
        key = graph_thread_id(account_id, thread_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        context = TurnContext(account_id=account_id, settings=self.settings, model=self.model, tools=self.tools,
                              thread_id=key, jobs=self.jobs, progress=on_progress)  # fmt: skip
        config = {"configurable": {"thread_id": key}, "recursion_limit": self.settings.agent_recursion_limit}
        label = text or (f"[{direct['tool']}]" if direct else "")
        state_in = {
            "messages": [HumanMessage(label)],
            "attachments": [a.model_dump() for a in attachments or []],
            "direct": direct,
        }
        final: dict[str, Any] = {}
        async with lock, turn_lock(self.settings.db_url, key):  # this process, then all processes
            modes = ["values", "custom"]  # the reply's words come only as code-checked text, never raw tokens
            with llm_turn(on_status):  # the turn's model calls share one place in the queue and one status
                async for mode, chunk in self.graph.astream(state_in, config, context=context, stream_mode=modes):
                    if mode == "values":
                        final = chunk
                    elif on_token is not None and isinstance(chunk, dict) and chunk.get("reply_text"):
                        result = on_token(chunk["reply_text"])
                        if asyncio.iscoroutine(result):
                            await result
        ai = last_reply(final.get("messages", []))
        return TurnResult(
            reply=clean_reply(ai.content) if ai is not None and isinstance(ai.content, str) else "",
            outputs=[ToolOutput(**o) for o in final.get("outputs") or []],
            route=final.get("route"),
            routed_by=final.get("routed_by"),
            llm_error=final.get("llm_error"),
        )

    async def history(self, account_id: int, thread_id: str) -> list[Any]:
        """The thread's messages as the agent remembers them (for tests and debugging)."""
        snap = await self.graph.aget_state({"configurable": {"thread_id": graph_thread_id(account_id, thread_id)}})
        return list(snap.values.get("messages", [])) if snap and snap.values else []
