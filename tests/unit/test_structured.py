"""The one structured-call helper: a forced call, the rejection fed back, one error for an unreachable model."""

from __future__ import annotations

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel, Field
from support.scripted_model import ScriptedChatModel, call

from agent.structured import LLMUnavailable, StructuredCallFailed, structured_call


class Reps(BaseModel):
    """How many reps were done."""

    reps: int = Field(ge=1, le=100)


def _check(args: dict) -> Reps:
    return Reps.model_validate(args)


async def test_a_rejected_answer_goes_back_with_its_reason_then_the_valid_one_is_returned():
    model = ScriptedChatModel(script=[call("Reps", reps=500), AIMessage("five, I think"), call("Reps", reps=5)])
    out = await structured_call(model, Reps, [HumanMessage("I did five")], _check, retries=2)
    assert out == Reps(reps=5)
    assert [e["tool_choice"] for e in model.log] == ["Reps"] * 3  # the call is forced every time
    second, third = model.log[1]["messages"][-1].content, model.log[2]["messages"][-1].content
    assert "rejected" in second and "reps" in second  # the validation error, in words
    assert "was text" in third and "five, I think" in third  # a text answer counts as a rejected attempt


async def test_exhausted_retries_raise_with_the_last_reason():
    model = ScriptedChatModel(script=[call("Reps", reps=0), call("Reps", reps=0)])
    with pytest.raises(StructuredCallFailed) as e:
        await structured_call(model, Reps, [HumanMessage("none")], _check, retries=1)
    assert "reps" in e.value.problem


async def test_code_checks_beyond_the_schema_are_retried_too():
    def even(args: dict) -> Reps:
        r = Reps.model_validate(args)
        if r.reps % 2:
            raise ValueError("an even number, please")
        return r

    model = ScriptedChatModel(script=[call("Reps", reps=3), call("Reps", reps=4)])
    assert (await structured_call(model, Reps, [HumanMessage("x")], even, retries=1)).reps == 4
    assert "an even number" in model.log[1]["messages"][-1].content


async def test_an_unreachable_model_is_one_error():
    req = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    model = ScriptedChatModel(script=[openai.APIConnectionError(request=req)])
    with pytest.raises(LLMUnavailable):
        await structured_call(model, Reps, [HumanMessage("x")], _check, retries=2)
