"""The chat graph with a scripted model: routing, forced tools, the correction loop, failures."""

from __future__ import annotations

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage
from support.scripted_model import ScriptedChatModel, call

from agent.graphs.chat import clean_reply
from agent.runner import Coach


def _core_tools():
    """The graph's mechanics are tested over the core tools, so the model's options don't depend on
    what the domain packages register (the shortlist then offers all of them)."""
    from agent.tools.base import load_tools

    return {n: t for n, t in load_tools().items() if t.domain == "core"}


async def _turn(settings, account, model, text, thread="t1", **kw):
    async with Coach.open(settings, model=model, tools=_core_tools()) as coach:
        return await coach.turn(account_id=account.id, thread_id=thread, text=text, **kw)


async def test_code_routes_a_conversion_without_the_model(settings, engine, account):
    model = ScriptedChatModel()
    result = await _turn(settings, account, model, "how much is 225 lb in kg?")
    assert result.route == "convert_units" and result.routed_by == "code"
    assert "102.058 kg" in result.text
    assert model.log == []  # not a single model call


async def test_one_model_call_picks_the_tool_and_fills_its_arguments(settings, engine, account):
    model = ScriptedChatModel(script=[call("update_profile", timezone="Europe/Berlin")])
    result = await _turn(settings, account, model, "I moved to Berlin, please adjust my clock")
    assert result.route == "update_profile" and result.routed_by == "model"
    assert result.outputs[0].ok and "Europe/Berlin" in result.outputs[0].summary
    assert len(model.log) == 1  # no separate routing call, and no reply call after a final tool text
    assert model.log[0]["tool_choice"] == "required"
    assert "chat" in model.log[0]["tools"] and "update_profile" in model.log[0]["tools"]


async def test_a_write_the_model_chose_waits_for_the_athletes_yes(settings, engine, account):
    from storage.accounts import get_account

    model = ScriptedChatModel(script=[call("update_profile", timezone="Europe/Berlin")])
    result = await _turn(settings, account, model, "I moved to Berlin, please adjust my clock")
    assert "Nothing is saved until you confirm" in result.text
    assert get_account(account.id, engine).timezone != "Europe/Berlin"  # not written on the model's word
    yes = result.outputs[0].actions[0]
    clicked = await _turn(settings, account, model, "", direct={"tool": yes.tool, "args": yes.args})
    assert clicked.outputs[0].ok and get_account(account.id, engine).timezone == "Europe/Berlin"


async def test_junk_arguments_get_corrected_then_a_clear_message(settings, engine, account):
    bad = call("update_profile", timezone="Mars/Olympus_Mons")
    model = ScriptedChatModel(script=[bad, bad, bad])
    result = await _turn(settings, account, model, "put my clock on Mars/Olympus_Mons time")
    assert len(model.log) == 1 + settings.agent_tool_retries
    assert "rejected" in model.log[1]["messages"][-1].content  # the error went back to the model
    assert model.log[1]["tool_choice"] == "update_profile"  # the retry forces the tool it chose
    assert not result.outputs[0].ok
    assert "couldn't work out the details" in result.text


async def test_text_instead_of_a_forced_call_is_retried(settings, engine, account):
    model = ScriptedChatModel(
        script=[
            call("update_profile", timezone="Mars/Olympus_Mons"),
            AIMessage("Sure, Berlin!"),
            call("update_profile", height_cm=181),
        ]
    )
    result = await _turn(settings, account, model, "make it 181 cm, and my zone Mars/Olympus_Mons")
    assert "no call of `update_profile`" in model.log[2]["messages"][-1].content
    assert result.outputs[-1].ok and result.outputs[-1].data["args"] == {"height_cm": 181.0}


async def test_model_junk_that_is_not_a_tool_call_is_handled(settings, engine, account):
    model = ScriptedChatModel(
        script=[call("nonsense_tool"), AIMessage('{"name": "route"')]  # a tool not offered, then a junk reply
    )
    result = await _turn(settings, account, model, "blorp the flange")
    assert result.route == "chat" and "{" not in result.text
    assert result.text  # a clear sentence, not an empty bubble


async def test_a_model_route_with_nothing_grounded_becomes_chat(settings, engine, account):
    invented = {"display_name": "John Doe", "sex": "male", "birth_year": 1980, "stance": "orthodox"}
    model = ScriptedChatModel(script=[call("update_profile", **invented), AIMessage("Paris.")])
    result = await _turn(settings, account, model, "what's the capital of France?")
    assert result.route == "chat" and result.outputs == [] and result.reply == "Paris."
    from storage.accounts import get_profile

    assert get_profile(account.id, engine).stance is None  # nothing invented was written


async def test_smalltalk_goes_to_the_model_without_tools(settings, engine, account):
    model = ScriptedChatModel(script=[AIMessage("Hey! Ready to train?")])
    result = await _turn(settings, account, model, "hi")
    assert result.routed_by == "smalltalk" and result.reply == "Hey! Ready to train?"
    assert model.log[0].get("tools") is None


async def test_llm_down_gives_a_clear_message_and_code_paths_still_work(settings, engine, account):
    req = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    model = ScriptedChatModel(script=[openai.APIConnectionError(request=req)])
    result = await _turn(settings, account, model, "what should I eat before a fight?")
    assert "can't reach the language model" in result.text
    conv = await _turn(settings, account, ScriptedChatModel(), "convert 100 kg to lb")
    assert "220.462 lb" in conv.text


async def test_state_survives_a_new_coach_on_the_same_database(settings, engine, account):
    model = ScriptedChatModel(script=[AIMessage("Hello!"), AIMessage("Still here.")])
    await _turn(settings, account, model, "hi", thread="keep")
    async with Coach.open(settings, model=model) as coach:  # a fresh process would do the same
        before = await coach.history(account.id, "keep")
        await coach.turn(account_id=account.id, thread_id="keep", text="thanks")
        after = await coach.history(account.id, "keep")
        other_user = await coach.history(account.id + 1, "keep")
    assert [m.content for m in before] == ["hi", "Hello!"]
    assert len(after) == 4 and other_user == []


async def test_button_runs_a_tool_directly(settings, engine, account):
    model = ScriptedChatModel()
    result = await _turn(settings, account, model, "", direct={"tool": "update_profile", "args": {"height_cm": 180}})
    assert result.routed_by == "button" and result.outputs[0].ok and model.log == []


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ('<tool_call>{"name": "x", "arguments": {}}</tool_call>', ""),
        ('Sure! {"name": "log_food", "arguments": {"q": 1}}', "Sure!"),
        ("<|im_end|>Nice work.", "Nice work."),
        ('{"a": 1}', ""),
        ("Bench 100 kg for 5 is solid.", "Bench 100 kg for 5 is solid."),
        ("[shown: Analysed your squat: 105 kg, 450 watts.]", ""),  # the history's notation, invented numbers
        ("[shown: Logged 2 eggs.] Good start to the day.", "Good start to the day."),
        ("[shown: Nice work on that round.", "Nice work on that round."),  # the notation's opening, never closed
    ],
)
def test_clean_reply_strips_tool_json(raw, clean):
    assert clean_reply(raw) == clean


def test_previous_domain_breaks_ties_between_fast_paths():
    from agent.router import route_by_code
    from agent.tools.base import Tool

    class A(__import__("pydantic").BaseModel):
        pass

    def mk(name, domain, yields_to=()):
        return Tool(name=name, description=name, args_model=A, run=lambda c, a: None, domain=domain,
                    examples=["x"], match=lambda t, _a: A() if t == "cancel it" else None,
                    yields_to=yields_to)  # fmt: skip

    tools = {"train_cancel": mk("train_cancel", "training"),
             "checkin_cancel": mk("checkin_cancel", "checkins", yields_to=("train_cancel",))}  # fmt: skip
    assert route_by_code("cancel it", [], tools).tool == "train_cancel"
    assert route_by_code("cancel it", [], tools, previous="checkin_cancel").tool == "checkin_cancel"
    assert route_by_code("cancel it", [], tools, previous="unknown_tool").tool == "train_cancel"


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        ("any tips to stop my elbows flaring on bench?", True),
        ("how should I brace for a heavy squat?", True),
        ("why do my hips shoot up in the squat?", True),
        ("is it ok to train when I'm sore?", True),
        ("how is my bench coming along", False),  # a question about logged data: a tool's
        ("why is my e1rm down", False),
        ("what plates for 142.5?", False),  # a fast path claims it first
    ],
)
def test_coaching_questions_go_straight_to_the_reply(text, advice):
    from agent.router import route_by_code
    from agent.tools.base import load_tools

    route = route_by_code(text, [], load_tools())
    assert (route is not None and route.by == "advice" and route.tool == "chat") == advice, route


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("analyse my squat", "analyse_lift"),
        ("can you look at my deadlift video", "analyse_lift"),
        ("check my round", "analyse_strikes"),
    ],
)
def test_a_clip_analysis_asked_without_a_clip_is_routed_by_code(text, tool):
    """Code, not the model, answers "attach a video": a 1.5B model invented an analysis in the app."""
    from agent.router import route_by_code
    from agent.tools.base import load_tools

    route = route_by_code(text, [], load_tools())
    assert route is not None and route.tool == tool and route.by == "code" and "upload_id" not in route.args
