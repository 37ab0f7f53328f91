"""Analytics through the chat graph: code-routed charts with no model call, a model-filled typed query
(forced `ask`), a rejected query corrected by the model, and an unanswerable question."""

from __future__ import annotations

from datetime import date

import pytest
from langchain_core.messages import AIMessage
from support.scripted_model import ScriptedChatModel, call

from agent.runner import Coach
from analytics.generator import Spec, generate


@pytest.fixture
def history(engine, account):
    generate(account.id, Spec(years=0.5, end=date.today(), seed=9), engine)
    return account


async def _turn(settings, account, model, text, thread="t1"):
    async with Coach.open(settings, model=model) as coach:
        return await coach.turn(account_id=account.id, thread_id=thread, text=text)


async def test_a_common_question_needs_no_model_and_shows_a_chart(settings, engine, history):
    model = ScriptedChatModel(script=[AIMessage("Solid, steady work.")])
    result = await _turn(settings, history, model, "weekly tonnage for the last 12 weeks")
    assert result.route == "ask" and result.routed_by == "code"
    out = result.outputs[0]
    assert out.ok and out.images and "kg in total over 12 weeks" in out.summary
    assert [c.get("tool_choice") for c in model.log] == [None]  # only the reply step asked the model


async def test_model_fills_the_typed_query_and_is_corrected(settings, engine, history):
    model = ScriptedChatModel(
        script=[
            # one call picks `ask` and fills it; a structured field is left to validation:
            # e1RM has no daily target to compare with
            call("ask", metric="e1rm", filters={"exercise": ["bench"]}, compare={"target": True}),
            call("ask", metric="e1rm", filters={"exercise": ["bench"]}, period="last 3 months"),
            AIMessage("Your bench is trending up."),
        ]
    )
    result = await _turn(settings, history, model, "how is my bench strength coming along against my target")
    assert result.route == "ask" and result.routed_by == "model"
    assert model.log[0]["tool_choice"] == "required"
    assert model.log[1]["tool_choice"] == "ask" and model.log[1]["tools"] == ["ask"]  # the retry forces it
    assert "no daily target" in model.log[1]["messages"][-1].content  # the validation error went back
    out = result.outputs[-1]
    assert out.ok and out.data["query"]["filters"]["exercise"] == ["bench"]
    assert "Bench Press e1RM" in out.summary
    # a period the athlete never said is dropped: all of the data, with its dates stated
    assert out.data["period"]["label"] == "all time" and "No period named" in out.summary


async def test_model_finds_no_metric_and_code_offers_the_nearest(settings, engine, history):
    model = ScriptedChatModel(script=[call("ask"), AIMessage("Try one of those.")])
    result = await _turn(settings, history, model, "draw me a chart of something useful")
    out = result.outputs[-1]
    assert not out.ok and "can't chart" in out.summary and out.actions
