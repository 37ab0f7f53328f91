"""Chainlit entry point: sign-in, chat start/resume, messages, uploads and buttons.

Handlers stay short and delegate: uploads to `storage.uploads`, the turn to `agent.runner.Coach`,
rendering to `webapp.render`. Started by `powerforge serve` (which migrates the database and starts
the embedded LLM server first); `chainlit run app.py` works too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.data import get_data_layer
from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.server import app as fastapi_app

from agent.runner import TurnResult
from agent.tools.base import Attachment
from powerforge.config import async_db_url, get_settings
from storage.accounts import authenticate
from storage.uploads import UploadRejected, UploadStoreUnavailable, store_upload
from webapp.checkins import chat_ended, chat_opened, welcome_note
from webapp.file_store import LocalFileStorage, OwnedDataLayer, files_router, mount_first
from webapp.reconnect import came_back, keep_thread, settle_line_in_flight, unanswered_line
from webapp.reconnect import install as install_reconnect
from webapp.render import ACTION_NAME, actions_for, elements_for
from webapp.scratch_files import use_own_scratch_dir
from webapp.services import services, shutdown_services, startup_services

log = logging.getLogger("powerforge.app")
# The check-in scheduler's reconcile tick runs every 30 s; at INFO it filled the terminal with two lines
# per tick. Its warnings and errors (a missed or failed job) still show.
logging.getLogger("apscheduler").setLevel(logging.WARNING)
settings = get_settings()
settings.ensure_dirs()
file_store = LocalFileStorage(settings.files_dir / "chat", settings.upload_max_bytes, settings.allowed_upload_types)
mount_first(fastapi_app, files_router(file_store))
use_own_scratch_dir()  # another app process stopping no longer deletes this one's in-flight uploads
install_reconnect()  # a tab whose app process died resumes its thread on the process it reconnects to

# Starter prompts, shown as buttons under the welcome message (Chainlit hides its own starters as soon
# as a thread has a message, and every chat opens with the welcome).
STARTERS = [
    ("🍳 Log breakfast", "had 2 eggs and a slice of toast for breakfast"),
    ("🏋️ Today's workout", "what's my workout today?"),
    ("✅ Log a set", "squat 140x5 @8"),
    ("📈 My progress", "show my squat e1RM over the last 6 months"),
    ("⚖️ Convert units", "how much is 225 lb in kg?"),
]
SAY_ACTION = "pf_say"


WELCOME = (
    "Hi {name} — I'm your Power Forge coach. Tell me what you ate, log a set, attach a lift or boxing video, "
    "or ask about your progress. Try one of the suggestions below."
)


@cl.on_app_startup
async def on_startup() -> None:
    await startup_services(settings)


@cl.on_app_shutdown
async def on_shutdown() -> None:
    await shutdown_services()


@cl.data_layer
def data_layer() -> SQLAlchemyDataLayer:
    return OwnedDataLayer(conninfo=async_db_url(settings.db_url), storage_provider=file_store)


@cl.password_auth_callback
async def password_auth(username: str, password: str) -> cl.User | None:
    account = await asyncio.to_thread(authenticate, username.strip(), password)
    if account is None:
        return None
    return cl.User(
        identifier=account.username,
        display_name=account.display_name or account.username,
        metadata={"account_id": account.id, "role": "admin" if account.is_admin else "user"},
    )


def _account_id() -> int:
    user = cl.user_session.get("user")
    if user is None or "account_id" not in (user.metadata or {}):
        raise PermissionError("not signed in")
    return int(user.metadata["account_id"])


def _thread_id() -> str:
    return cl.context.session.thread_id


async def _keep_thread() -> None:
    """Once per session and thread: record it, so another app process can resume this tab after a crash."""
    thread_id = _thread_id()
    if cl.user_session.get("pf_thread_kept") != thread_id:
        await keep_thread(cl.context.session.id, _account_id(), thread_id)
        cl.user_session.set("pf_thread_kept", thread_id)


@cl.on_chat_start
async def on_chat_start() -> None:
    cl.user_session.set("account_id", _account_id())
    user = cl.user_session.get("user")
    name = (user.display_name if user else None) or "athlete"
    starters = [
        cl.Action(name=SAY_ACTION, label=label, tooltip=text, payload={"text": text}) for label, text in STARTERS
    ]
    unread = await welcome_note(_account_id())
    await cl.Message(content=WELCOME.format(name=name) + unread, actions=starters).send()
    await chat_opened(_account_id())  # check-ins that arrived while no chat was open


@cl.on_chat_resume
async def on_chat_resume(thread: dict[str, Any]) -> None:
    cl.user_session.set("account_id", _account_id())
    await _keep_thread()
    session = cl.context.session
    running = await settle_line_in_flight(session, thread)  # a line sent while reconnecting: answered, kept on screen
    if came_back(session.id) and not running and (line := unanswered_line(thread)):
        await cl.Message(content=f"The server restarted before I answered “{line[:200]}”. Please send it again.").send()
    await chat_opened(_account_id())
    # Chainlit sends the tab this `thread` (read before this hook) right after it, and the tab replaces its messages
    # with it: what was shown meanwhile (the notice, check-ins waiting, a line that came in) must be in it.
    await settle_line_in_flight(session, thread)


@cl.on_chat_end
async def on_chat_end() -> None:
    await chat_ended()


async def _store_attachments(message: cl.Message, account_id: int) -> tuple[list[Attachment], list[str]]:
    """Keep every acceptable file before anything analyses it; explain every refused one."""
    kept: list[Attachment] = []
    refused: list[str] = []
    for el in message.elements or []:
        path = Path(el.path) if getattr(el, "path", None) else None
        if path is None:
            continue
        try:
            stored = await asyncio.to_thread(
                store_upload, path, filename=el.name or path.name, account_id=account_id,
                files_dir=settings.files_dir, max_bytes=settings.upload_max_bytes,
                allowed=settings.allowed_upload_types, thread_id=_thread_id(), max_pixels=settings.image_max_pixels,
            )  # fmt: skip
        except UploadRejected as e:
            refused.append(str(e))
            path.unlink(missing_ok=True)  # nothing of a refused file stays on disk
            continue
        except UploadStoreUnavailable as e:  # the bucket is down: said in one sentence, the cause is in the log
            refused.append(str(e))
            continue
        kept.append(
            Attachment(
                upload_id=stored.id,
                filename=stored.filename,
                mime=stored.mime,
                path=str(stored.path),
                size_bytes=stored.size_bytes,
            )
        )
    return kept, refused


class _ProgressStep:
    """Shows a long tool's progress as a live step; the tool reports from a worker thread."""

    def __init__(self) -> None:
        self.latest: tuple[float, str] | None = None
        self.step: cl.Step | None = None
        self._shown: tuple[float, str] | None = None

    def report(self, fraction: float, message: str) -> None:  # any thread
        self.latest = (fraction, message)

    async def pump(self) -> None:
        while True:
            await self.flush()
            await asyncio.sleep(0.5)

    async def flush(self) -> None:
        if self.latest is None or self.latest == self._shown:
            return
        fraction, message = self.latest
        if self.step is None:
            self.step = cl.Step(name="Working", type="tool", show_input=False)
            await self.step.send()
        self.step.output = f"{fraction * 100:.0f}% · {message}"
        self._shown = self.latest
        await self.step.update()


class _StatusLine:
    """One status message for waits on the model ("2 messages ahead of you", "the model is restarting"):
    shown while the wait lasts, updated as the queue moves, removed when the answer starts."""

    def __init__(self) -> None:
        self.message: cl.Message | None = None

    async def show(self, text: str) -> None:
        if not text:
            await self.clear()
        elif self.message is None:
            self.message = cl.Message(content=text, author="status")
            await self.message.send()
        else:
            self.message.content = text
            await self.message.update()

    async def clear(self) -> None:
        message, self.message = self.message, None
        if message is not None:
            with contextlib.suppress(Exception):
                await message.remove()


async def _run_turn(text: str = "", attachments: list[Attachment] | None = None, direct: dict | None = None) -> None:
    svc = await services()
    await _keep_thread()
    status = _StatusLine()
    reply = cl.Message(content="")

    async def on_token(token: str) -> None:
        await reply.stream_token(token)

    progress = _ProgressStep()
    pump = asyncio.create_task(progress.pump())
    try:
        result: TurnResult = await svc.coach.turn(
            account_id=_account_id(), thread_id=_thread_id(), text=text, attachments=attachments,
            direct=direct, on_token=on_token, on_progress=progress.report, on_status=status.show,
        )  # fmt: skip
    except Exception:
        log.exception("turn failed")
        result = TurnResult(reply="Something went wrong on my side; nothing you logged was lost. Please try again.")
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump
        await progress.flush()
        await status.clear()
    reply.content = result.text or "Done."
    reply.elements = elements_for(result)  # type: ignore[assignment]
    reply.actions = actions_for(result)
    # send(), never update(), even after streaming: only send() stamps createdAt and creates the step, and a
    # streamed reply saved by update() had no date, so a resumed thread lost every streamed answer (the lift
    # and boxing reports among them).
    await reply.send()


@cl.on_message
async def on_message(message: cl.Message) -> None:
    attachments, refused = await _store_attachments(message, _account_id())
    for reason in refused:
        await cl.Message(content=f"⚠️ {reason} Nothing was stored.").send()
    if refused and not attachments and not message.content.strip():
        return
    await _run_turn(text=message.content, attachments=attachments)


@cl.action_callback(ACTION_NAME)
async def on_action(action: cl.Action) -> None:
    await action.remove()  # a button works once: no double approvals
    await _run_turn(direct={"tool": action.payload["tool"], "args": action.payload.get("args") or {}})


@cl.action_callback(SAY_ACTION)
async def on_starter(action: cl.Action) -> None:
    text = str(action.payload.get("text", ""))
    user = cl.user_session.get("user")
    await cl.Message(content=text, author=user.identifier if user else "user", type="user_message").send()
    layer = get_data_layer()
    if layer is not None:  # Chainlit names a thread after its first interaction: the button, not its text
        await layer.update_thread(_thread_id(), name=text[:80])
    await _run_turn(text=text)
