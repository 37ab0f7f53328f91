"""The tool contract: typed arguments in, a typed `ToolOutput` out, plus how the router finds it.

Tools are thin adapters over domain code. Each domain module in `agent/tools/` calls `register()`
at import time; `load_tools()` imports them all, so adding a domain never edits a central list.

Routing hints live beside each tool:
- `match(text, attachments)` is the code fast path: return the arguments when code is sure (no LLM);
- `intents` are regexes meaning "this tool, but let the model fill the arguments";
- `examples` feed the model's routing prompt when neither fires;
- `yields_to` / `outranks` declare who wins when two fast paths claim the same words. There are no
  priority numbers: an undeclared tie on any tool's example is an error when the registry loads
  (`agent.router.check_precedence`), so import order and file names never decide a route.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from powerforge.config import Settings

log = logging.getLogger(__name__)


class Attachment(BaseModel):
    """A stored upload that came with the current message."""

    upload_id: str
    filename: str
    mime: str
    path: str
    size_bytes: int

    @property
    def is_video(self) -> bool:
        return self.mime.startswith("video/")

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


class Action(BaseModel):
    """A button under a message; clicking it runs `tool` with `args` directly (no model involved)."""

    label: str
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    tooltip: str = ""


class ToolOutput(BaseModel):
    """What every tool returns. Numbers the user reads are in `markdown`/`summary`, computed by code."""

    model_config = ConfigDict(extra="forbid")

    ok: bool = True
    summary: str = Field(description="One or two factual sentences for the model to talk about.")
    markdown: str = Field(default="", description="Code-rendered content shown to the user (tables).")
    data: dict[str, Any] = Field(default_factory=dict, description="Structured result (CLI --json).")
    images: list[str] = Field(default_factory=list, description="PNG paths to show inline.")
    videos: list[str] = Field(default_factory=list, description="Video paths to show inline.")
    files: list[str] = Field(default_factory=list, description="Files offered for download.")
    actions: list[Action] = Field(default_factory=list)
    # When True the reply step adds no model words (confirmations, questions asked by code).
    final: bool = False


class ToolError(Exception):
    """A problem the user can act on; its message is shown as is (no stack traces in chat)."""


ProgressFn = Callable[[float, str], None]


@dataclass
class ToolContext:
    """Everything a tool may use. Tools never import Chainlit or LangGraph."""

    account_id: int
    settings: Settings
    thread_id: str | None = None
    engine: Engine | None = None
    attachments: list[Attachment] = field(default_factory=list)
    text: str = ""
    now: datetime | None = None
    progress: ProgressFn | None = None
    jobs: Any = None  # powerforge.jobs.JobRunner when the app runs one
    scratch: dict[str, Any] = field(default_factory=dict)

    def report(self, fraction: float, message: str) -> None:
        if self.progress is not None:
            self.progress(fraction, message)

    @property
    def output_dir(self) -> Path:
        """Where a tool writes files it shows (charts, annotated videos) for this account."""
        path = self.settings.files_dir / "outputs" / str(self.account_id)
        path.mkdir(parents=True, exist_ok=True)
        return path


# "analyse my squat", "check this round": a request to analyse a clip. Without a clip attached, the video
# tools still claim it so the athlete hears "attach a video" from code (left to the model, a 1.5B model
# answered with an invented analysis). Questions about progress over time are not this.
ANALYSE_ASK = re.compile(r"^\W*(please\s+|can you\s+|could you\s+)?(analy[sz]e|check|review|look at|rate)\s+"
                         r"(my|this|the|that)\b", re.I)  # fmt: skip
OVER_TIME = re.compile(r"\b(progress|trend|over (the )?(last|past)|since|lately|e1rm|history|this (week|month|year))\b",
                       re.I)  # fmt: skip


def asks_to_analyse_a_clip(text: str) -> bool:
    return bool(ANALYSE_ASK.match(text or "")) and not OVER_TIME.search(text or "")


MatchFn = Callable[[str, list[Attachment]], "BaseModel | dict[str, Any] | None"]


@dataclass
class Tool:
    name: str
    description: str
    args_model: type[BaseModel]
    run: Callable[[ToolContext, Any], ToolOutput]
    domain: str
    examples: list[str] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    match: MatchFn | None = None
    # Declared precedence between fast paths: the tools this one gives way to, and those it wins over (declare
    # it on whichever side knows the other). Transitive; a cycle or an undeclared tie fails at load.
    yields_to: tuple[str, ...] = ()
    outranks: tuple[str, ...] = ()
    long_running: bool = False
    kind: Literal["read", "write"] = "read"
    # True when the tool checks a model's arguments against the words itself (the generic check would
    # drop catalogue keys such as metric="e1rm" that no athlete types verbatim).
    grounds_itself: bool = False

    def __post_init__(self) -> None:
        self._intent_res = [re.compile(p, re.IGNORECASE) for p in self.intents]

    def intent_matches(self, text: str) -> bool:
        return any(r.search(text) for r in self._intent_res)

    def schema(self) -> dict[str, Any]:
        """OpenAI function schema for this tool."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.args_model.model_json_schema(),
            },
        }


_REGISTRY: dict[str, Tool] = {}


def register(tool: Tool) -> Tool:
    if tool.name in _REGISTRY and _REGISTRY[tool.name] is not tool:
        raise ValueError(f"Tool name '{tool.name}' registered twice.")
    _REGISTRY[tool.name] = tool
    return tool


def tool(
    *,
    name: str,
    description: str,
    args: type[BaseModel],
    domain: str,
    examples: list[str] | None = None,
    intents: list[str] | None = None,
    match: MatchFn | None = None,
    yields_to: tuple[str, ...] | list[str] = (),
    outranks: tuple[str, ...] | list[str] = (),
    long_running: bool = False,
    kind: Literal["read", "write"] = "read",
    grounds_itself: bool = False,
) -> Callable[[Callable[[ToolContext, Any], ToolOutput]], Callable[[ToolContext, Any], ToolOutput]]:
    """Decorator form of `register` for a function `fn(ctx, args) -> ToolOutput`."""

    def wrap(fn: Callable[[ToolContext, Any], ToolOutput]) -> Callable[[ToolContext, Any], ToolOutput]:
        register(
            Tool(
                name=name, description=description, args_model=args, run=fn, domain=domain,
                examples=examples or [], intents=intents or [], match=match, yields_to=tuple(yields_to),
                outranks=tuple(outranks), long_running=long_running, kind=kind,
                grounds_itself=grounds_itself,
            )
        )  # fmt: skip
        return fn

    return wrap


_CHECKED: set[frozenset[str]] = set()


def load_tools() -> dict[str, Tool]:
    """Import every module of this package (each registers its tools) and return the registry.

    The first load of a registry checks the declared precedence (`agent.router.check_precedence`): a
    tie between fast paths that no declaration breaks stops the app at start-up, not a user's message.
    """
    import agent.tools as pkg

    for info in pkgutil.walk_packages(pkg.__path__, prefix="agent.tools."):
        if info.name != "agent.tools.base":
            importlib.import_module(info.name)
    tools = dict(_REGISTRY)
    key = frozenset(tools)
    if key not in _CHECKED:
        from agent.router import check_precedence

        check_precedence(tools)
        _CHECKED.add(key)
    return tools


def get_tool(name: str) -> Tool:
    tools = load_tools()
    if name not in tools:
        raise KeyError(name)
    return tools[name]


def stored_attachment(ctx: ToolContext, upload_id: str) -> Attachment | None:
    """An earlier upload of this account as an attachment with a file on this machine (fetched from the S3 upload
    store when this process has no copy), or None when it is not theirs. A store that is down is a ToolError whose
    one sentence says so; its cause is logged by the store."""
    from services.uploads import UploadStoreUnavailable, find_upload

    try:
        up = find_upload(ctx.account_id, upload_id, ctx.settings.files_dir, ctx.engine)
    except UploadStoreUnavailable as e:
        raise ToolError(str(e)) from e
    if up is None:
        return None
    return Attachment(upload_id=up.id, filename=up.filename, mime=up.mime, path=str(up.path), size_bytes=up.size_bytes)


def run_job(
    ctx: ToolContext,
    kind: str,
    params: dict[str, Any],
    *,
    upload_id: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Run a long job for a tool: in the app's process pool when it has one, else in this thread.

    Progress goes to `ctx.report` either way. A domain error (ValueError and kin, a missing model)
    becomes a ToolError with its own message; anything else says the upload is kept for a retry.
    """
    from powerforge.jobs import run_inline
    from services.jobs import finished_result

    def forward(event: Any) -> None:
        ctx.report(event.fraction, event.message)

    params = {**params, "data_dir": str(ctx.settings.data_dir), "database_url": ctx.settings.database_url}
    try:
        if ctx.jobs is None:
            return run_inline(kind, params, forward)
        job_id, future = ctx.jobs.submit(
            kind, ctx.account_id, params, upload_id=upload_id, thread_id=ctx.thread_id,
            idempotency_key=idempotency_key, listener=forward,
        )  # fmt: skip
        if future is not None:
            return future.result()
        result = finished_result(job_id, ctx.account_id, ctx.engine)  # the same request is already queued or done
        if result is None:
            raise ToolError("That video is already being analysed; I'll post the result when it's done.")
        return result
    except ToolError:
        raise
    except Exception as e:
        from powerforge.jobs import JOB_FAILED, is_input_error

        if ctx.jobs is None:  # the pool logs its own failures (with the worker's traceback)
            level = logging.WARNING if is_input_error(e) else logging.ERROR
            log.log(level, "job %s failed inline: %s", kind, e, exc_info=e)
        if is_input_error(e):
            raise ToolError(str(e)) from e
        raise ToolError(JOB_FAILED) from e
