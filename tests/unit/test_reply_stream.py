"""Only cleaned, checked text reaches the screen: raw tool-call JSON or tags never stream, not even briefly."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage
from support.scripted_model import ScriptedChatModel

from agent.graphs.reply import ReplyStream, clean_reply
from agent.runner import Coach


def _stream(tokens: list[str], check=lambda _s: None) -> tuple[list[str], str]:
    """Feed `tokens` as the model would stream them; what was written, and the final reply."""
    written: list[str] = []
    stream = ReplyStream(lambda chunk: written.append(chunk["reply_text"]), check)
    for t in tokens:
        stream.feed(t)
    final = clean_reply(stream.raw)
    stream.finish(final)
    return written, final


@pytest.mark.parametrize(
    "tokens",
    [
        ['{"na', 'me": "log_fo', 'od", "argum', 'ents": {"q": 1}}', "\n", "Logged."],  # a call as plain JSON
        ["<tool", "_call>", '{"name": "x", ', '"arguments": {}}', "</tool_call>. ", "Done."],  # a call in its tags
        ['[{"function": ', '{"name": "ask"}}]. ', "More."],  # a list of calls
        ["<|im_start|>", "assistant. ", "Hi."],  # template tokens
    ],
)
def test_a_tool_call_in_the_token_stream_never_shows(tokens):
    written, _final = _stream(tokens)
    shown = "".join(written)
    assert "{" not in shown and "<" not in shown and "name" not in shown and "im_start" not in shown


def test_clean_sentences_before_a_tool_call_show_and_the_call_does_not():
    written, final = _stream(["Sure", "! Logging", " it now. ", '{"name": "log_food", ', '"arguments": {"q": 2}}'])
    assert "".join(written) == "Sure! Logging it now." == final


def test_the_shown_text_is_the_final_reply_even_with_leading_whitespace():
    written, final = _stream(["\n", "  Good", " job.", " Keep", " going"])
    assert "".join(written) == final == "Good job. Keep going"


def test_a_sentence_that_fails_the_check_stops_the_stream():
    written, _final = _stream(["Nice set. ", "You lifted 999 kg. ", "Well done."],
                              check=lambda s: "bad number" if "999" in s else None)  # fmt: skip
    assert written == ["Nice set."]


async def test_a_reply_that_is_a_tool_call_streams_nothing_through_the_coach(settings, engine, account):
    tokens: list[str] = []
    model = ScriptedChatModel(script=[AIMessage('{"name": "log_food", "arguments": {"query": "eggs"}}')])
    async with Coach.open(settings, model=model) as coach:
        result = await coach.turn(account_id=account.id, thread_id="s", text="hi", on_token=tokens.append)
    assert tokens == [] and "{" not in result.text


async def test_a_clean_reply_streams_as_it_is_returned(settings, engine, account):
    tokens: list[str] = []
    model = ScriptedChatModel(script=[AIMessage("Hey! Ready to train?")])
    async with Coach.open(settings, model=model) as coach:
        result = await coach.turn(account_id=account.id, thread_id="s", text="hi", on_token=tokens.append)
    assert "".join(tokens) == result.reply == "Hey! Ready to train?"


def test_a_reply_about_the_athlete_in_the_third_person_is_refused():
    from agent.graphs.reply import Evidence

    ev = Evidence(allowed={1500.0}, datas=[{"total": 1500}], has_output=True)
    assert ev.problem("The athlete has lifted 1,500 kg over the last four weeks.") is not None
    assert ev.problem("The user's squat went well.") is not None
    assert ev.problem("You lifted 1,500 kg over the last four weeks.") is None
