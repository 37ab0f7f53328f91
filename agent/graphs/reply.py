"""The reply step's words: cleaned of tool-call plumbing and checked against the data before they show.

Numbers come from code, words from the model: every number in a reply must be in this turn's data or
the athlete's words, and a trend needs the points to back it (`agent.numbers`). The model's tokens
never reach the screen raw: `ReplyStream` lets through only whole sentences that are clean and pass
the check, so tool-call JSON or template tokens cannot flash up before they are stripped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage
from langgraph.constants import TAG_NOSTREAM

from agent import prompts
from agent.llm_queue import restarted_during
from agent.numbers import numbers_in_data, unsupported_numbers, unsupported_trend
from agent.structured import LLM_ERRORS, LLMUnavailable, invoke, message_text
from agent.tools.base import ToolOutput

log = logging.getLogger(__name__)
Write = Callable[[Any], None]


@dataclass
class Evidence:
    """What a reply may draw numbers and trends from: this turn's tool outputs and the athlete's words."""

    allowed: set[float]
    datas: list[dict[str, Any]]
    has_output: bool

    @classmethod
    def of(cls, user_text: str, shown_before: list[str], outputs: list[ToolOutput]) -> Evidence:
        """From the athlete's message, the results shown earlier in the thread, and this turn's outputs."""
        sources: list[Any] = [user_text, shown_before]
        sources += [(o.summary, o.markdown, o.data) for o in outputs]
        return cls(numbers_in_data(*sources), [o.data for o in outputs], bool(outputs))

    def problem(self, text: str) -> str | None:
        """Why `text` cannot be shown (numbers or a trend the data does not hold), or None."""
        bad = unsupported_numbers(text, self.allowed)
        if bad:
            return f"numbers that are not in the data: {', '.join(bad)}"
        third = _THIRD_PERSON.search(text)
        if third:  # the prompt asks for "you"; a small model still slips into a report about someone else
            return f'the third person ("{third.group(0)}") instead of "you"'
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
_THIRD_PERSON = re.compile(r"\bthe (athlete|user|lifter|client)('s)?\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


@dataclass
class ReplyStream:
    """Raw model tokens in, only cleaned and checked text out (to `write`, as {"reply_text": ...}).

    A sentence is written once it is complete, clean (no JSON, no tags, nothing `clean_reply` would
    change) and passes `check`; the first that fails closes the stream for good. `finish` writes the
    rest of the final (cleaned, checked) reply, when what was shown is its beginning.
    """

    write: Write
    check: Callable[[str], str | None] = lambda _s: None
    raw: str = ""
    shown: str = ""  # exactly what was written so far
    open: bool = True
    _pos: int = field(default=0, repr=False)  # where in `raw` the next unshown sentence starts

    def feed(self, token: str) -> None:
        self.raw += token
        while self.open and (m := _SENTENCE_END.search(self.raw, self._pos)):
            sentence = self.raw[self._pos : m.end()]
            if not self.shown:
                sentence = sentence.lstrip()
            if sentence.strip() and not _clean_sentence(sentence, self.check):
                self.open = False
                return
            if sentence:
                self._emit(sentence)
            self._pos = m.end()

    def finish(self, final: str) -> None:
        """Show the rest of `final` (the reply as returned) when the stream is still open and agrees."""
        if self.open and final.startswith(self.shown) and final[len(self.shown) :]:
            self._emit(final[len(self.shown) :])
        self.open = False

    def _emit(self, text: str) -> None:
        self.write({"reply_text": text})
        self.shown += text


def _clean_sentence(sentence: str, check: Callable[[str], str | None]) -> bool:
    return (
        "{" not in sentence
        and "<" not in sentence
        and clean_reply(sentence) == sentence.strip()
        and check(sentence) is None
    )


async def checked_reply(model: BaseChatModel, msgs: list[BaseMessage], ev: Evidence, write: Write) -> str:
    """The model's reply, shown only once code has checked it.

    Sentences stream as soon as they are clean and carry no unsupported number; the first that fails
    stops the stream. A failing reply is regenerated once with the allowed numbers; if that fails too, a
    turn with a tool result keeps only the tool's own text, and a chat turn keeps only the sentences
    that pass.
    """
    quiet = model.with_config(tags=[TAG_NOSTREAM])  # raw tokens never reach the screen
    stream = ReplyStream(write, ev.problem)
    try:
        async for chunk in quiet.astream(msgs):
            stream.feed(message_text(chunk) if isinstance(chunk, BaseMessage) else str(chunk))
    except LLM_ERRORS as e:
        if not restarted_during(e):
            raise LLMUnavailable(str(e)) from e
        # The server died mid-reply and is being restarted: ask again, whole (the request waits for the
        # restart in the queue). What was shown stays; the rest comes with the final message, checked below.
        log.warning("the model server restarted while streaming a reply; asking again")
        stream.finish("")
        stream.raw = message_text(await invoke(quiet, msgs))
    text = clean_reply(stream.raw)
    problem = ev.problem(text)
    if problem is None:
        stream.finish(text)
        return text
    log.info("reply rejected (%s): %r", problem, text[:200])
    stream.finish("")  # nothing more is shown until the text is final
    retry = [*msgs, AIMessage(text),
             HumanMessage(prompts.render("reply_numbers", problem=problem, allowed=ev.allowed_text()))]  # fmt: skip
    again = clean_reply(message_text(await invoke(quiet, retry)))
    if ev.problem(again) is None:
        return again
    log.info("regenerated reply rejected too (%s): %r", ev.problem(again), again[:200])
    if ev.has_output:
        return ""  # the tool's own text says it, with its own numbers
    return " ".join(s for s in re.split(r"(?<=[.!?])\s+", again) if ev.problem(s) is None).strip()


_TOOL_CALL_TAG = re.compile(r"<tool_call>.*?(</tool_call>|$)", re.DOTALL)
_JSON_CALL = re.compile(r"\{[^{}]*\"(name|arguments|function|tool_calls?)\"\s*:.*\}", re.DOTALL)


def clean_reply(text: str) -> str:
    """Strip anything that looks like raw tool-call JSON or template tokens from a model reply."""
    text = _TOOL_CALL_TAG.sub("", text)
    text = re.sub(r"<\|[^|>]+\|>", "", text)
    text = _JSON_CALL.sub("", text)
    text = re.sub(r"\[shown:[^\]]*\]", "", text)  # the history's notation echoed: a made-up tool result
    text = re.sub(r"\[shown:\s*", "", text).strip()  # its opening left unclosed ("[shown: You did a good job…")
    if text.startswith("{") or text.startswith("[{"):  # a coach's sentence never opens with JSON
        return ""
    return text


def last_reply(messages: list[AnyMessage]) -> AIMessage | None:
    for m in reversed(messages):
        if isinstance(m, AIMessage) and not m.tool_calls:
            return m
    return None
