"""Loads typed without a unit: implausible for this person in their unit and plausible in the other →
one question, and the answer is remembered. e1RM figures say which method made them; the formula is the
person's choice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.tools.base import ToolContext, load_tools
from powerforge.units import Mass
from storage.accounts import get_profile, update_profile
from storage.training import last_set
from training.e1rm import FORMULAS, e1rm_kg, estimate, formula_rule, method_label
from training.library import library
from training.plausibility import plate_number_lb, suspect_unit
from training.render import mass

DEADLIFT = library().lookup("deadlift")
BENCH = library().lookup("bench press")
SQUAT_E1RM = e1rm_kg(140, 5)  # a 140 × 5 kg squat


def test_a_deadlift_far_above_the_squat_is_asked_about_in_the_other_unit():
    sus = suspect_unit(225, "kg", 8, DEADLIFT, None, {"back_squat": SQUAT_E1RM})
    assert sus is not None and sus.unit == "lb"
    assert "282 kg" in sus.reason and "225 lb (102.1 kg)" in sus.reason


@pytest.mark.parametrize(
    ("value", "unit", "reps", "own", "others"),
    [
        (180, "kg", 5, None, {"back_squat": 160.0}),  # a strong but ordinary deadlift for that squat
        (225, "kg", 8, None, {}),  # no history at all: nothing to judge by, no question
        (100, "kg", 5, 120.0, {}),  # own bench e1RM 120: 100 × 5 fits
        (225, "lb", 5, None, {"back_squat": 200.0}),  # pounds typed by a pounds person: fine
    ],
)
def test_plausible_loads_are_not_questioned(value, unit, reps, own, others):
    ex = BENCH if own else DEADLIFT
    assert suspect_unit(value, unit, reps, ex, own, others) is None


def test_own_history_is_stricter_than_other_lifts():
    # own bench e1RM 100 kg: 135 × 5 "kg" (e1RM ≈ 156) is 1.56× — implausible; 135 lb (61 kg) fits
    sus = suspect_unit(135, "kg", 5, BENCH, 100.0)
    assert sus is not None and sus.unit == "lb" and "your recent Bench Press e1RM of 100 kg" in sus.reason


def test_plate_numbers():
    assert all(plate_number_lb(v) for v in (135, 225, 315, 405, 185, 95))
    assert not any(plate_number_lb(v) for v in (140, 100, 142.5, 45, 150))


def test_e1rm_formulas_and_the_method_that_made_each_figure():
    est = estimate(Mass.kgs(100), 5, 8)
    assert est.pick()[1] == "rpe_chart" and method_label("rpe_chart", 8) == "RPE table at RPE 8"
    assert est.pick("epley") == (est.epley, "epley") and est.pick("brzycki") == (est.brzycki, "brzycki")
    mean, how = est.pick("mean")
    assert how == "formula_mean" and mean.kg == pytest.approx((est.epley.kg + est.brzycki.kg) / 2)
    assert estimate(Mass.kgs(100), 5, 6).pick()[1] == "formula_mean"  # RPE < 7: the rep formulas
    assert e1rm_kg(100, 12, None, "epley") is None  # over 10 reps no rep formula applies
    assert set(FORMULAS) == {"rpe_table", "mean", "epley", "brzycki"}
    assert "RPE table" in formula_rule(None) and formula_rule("brzycki").startswith("Brzycki")
    with pytest.raises(ValueError, match="Unknown e1RM formula"):
        est.pick("lombardi")


def test_the_log_tool_asks_once_and_remembers_the_answer(settings, engine, account):
    tools = load_tools()
    now = datetime.now(UTC)

    def run(name, at, **args):
        tool = tools[name]
        ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, now=at)
        return tool.run(ctx, tool.args_model(**args))

    run("train_log_sets", now - timedelta(days=3), text="squat 140x5")
    out = run("train_log_sets", now, text="did 225 for 8 on deadlift")
    assert out.data["needs"] == "unit" and out.data["suggested"] == "lb" and "Nothing is logged" in out.markdown
    assert last_set(account.id, "deadlift", engine) is None
    answer = next(a for a in out.actions if "lb" in a.label)
    run(answer.tool, now, **answer.args)
    got = last_set(account.id, "deadlift", engine)
    assert got is not None and got.load_kg == pytest.approx(Mass.of(225, "lb").kg, abs=0.01)
    assert get_profile(account.id, engine).typed_load_unit == "lb"
    # remembered: the next unitless load is read in pounds without asking again
    out = run("train_log_sets", now + timedelta(hours=1), text="deadlift 235x6")
    assert "needs" not in (out.data or {})
    assert last_set(account.id, "deadlift", engine).load_kg == pytest.approx(Mass.of(235, "lb").kg, abs=0.01)


def test_e1rm_tool_says_the_method_and_follows_the_profile_formula(settings, engine, account):
    tools = load_tools()
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, now=datetime.now(UTC))
    t = tools["train_e1rm"]
    out = t.run(ctx, t.args_model(load=100, reps=5, rpe=8, unit="kg"))
    assert "RPE table at RPE 8" in out.markdown
    update_profile(account.id, {"e1rm_formula": "epley"}, engine)
    out = t.run(ctx, t.args_model(load=100, reps=5, rpe=8, unit="kg"))
    assert "(Epley)" in out.summary and out.data["e1rm_kg"] == e1rm_kg(100, 5, 8, "epley")


@pytest.mark.parametrize(
    ("text", "formula"),
    [("use brzycki for my e1rm", "brzycki"), ("set my e1rm formula to epley", "epley"),
     ("e1rm method: rpe table", "rpe_table")],
)  # fmt: skip
def test_the_formula_is_chosen_in_words_and_saved_in_the_profile(text, formula, settings, engine, account):
    from agent.router import route_by_code

    tools = load_tools()
    route = route_by_code(text, [], tools)
    assert route is not None and route.tool == "update_profile" and route.args == {"e1rm_formula": formula}
    t = tools["update_profile"]
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, now=datetime.now(UTC))
    t.run(ctx, t.args_model(**route.args))
    assert get_profile(account.id, engine).e1rm_formula == formula


def test_logged_sets_show_the_e1rm_of_the_chosen_formula_and_say_so(settings, engine, account):
    tools = load_tools()
    t = tools["train_log_sets"]
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, now=datetime.now(UTC))
    out = t.run(ctx, t.args_model(text="bench 100x5 @8"))
    assert mass(e1rm_kg(100, 5, 8), "kg") in out.markdown and "RPE table for sets at RPE ≥ 7" in out.markdown
    update_profile(account.id, {"e1rm_formula": "brzycki"}, engine)
    out = t.run(ctx, t.args_model(text="bench 100x5 @8"))
    assert mass(e1rm_kg(100, 5, 8, "brzycki"), "kg") in out.markdown and "e1RM: Brzycki (your setting)" in out.markdown
