"""Check-in content computed at send time from what nutrition, training and readiness store, and a
plain sentence when a domain's tables are missing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from checkins import service
from checkins.content import compose, missing_meals, weekly_review
from checkins.parse import parse_request
from storage import checkins as repo
from storage import nutrition, training
from training.sets import SetRecord

SUNDAY = date(2026, 11, 29)


def _food(day: date, meal: str, kcal: float, protein: float) -> dict:
    return {"day": day, "meal": meal, "food_ref": "quick", "food_name": meal, "kcal": kcal, "protein_g": protein}


def test_missing_meals_counts_what_is_logged_today(engine, account):
    day = date(2026, 11, 24)
    nutrition.add_entries(account.id, [_food(day, "breakfast", 450, 30)], engine=engine)
    at_9pm = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
    msg = missing_meals(account.id, at_9pm, engine)
    assert "you haven't logged lunch and dinner today" in msg and "450 kcal in 1 item" in msg
    nutrition.add_entries(account.id, [_food(day, "lunch", 700, 40), _food(day, "dinner", 800, 50)], engine=engine)
    assert "all of today's meals are logged" in missing_meals(account.id, at_9pm, engine)
    at_noon = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # next day: only breakfast is due by noon
    assert "you haven't logged breakfast today" in missing_meals(account.id, at_noon, engine)


def test_weekly_review_numbers_come_from_the_stores(engine, account):
    for i, kcal in enumerate([2000, 2200, 2400]):
        day = SUNDAY - timedelta(days=i)
        nutrition.add_entries(account.id, [_food(day, "lunch", kcal, 100 + 20 * i)], engine=engine)
    nutrition.upsert_weight(account.id, SUNDAY - timedelta(days=5), 82.4, engine=engine)
    nutrition.upsert_weight(account.id, SUNDAY, 81.9, engine=engine)
    repo.save_readiness(account.id, SUNDAY - timedelta(days=1), 3, now=datetime.now(UTC), engine=engine)
    repo.save_readiness(account.id, SUNDAY, 4, now=datetime.now(UTC), engine=engine)
    training.log_sets(
        account.id, [SetRecord("back_squat", 100.0, 5), SetRecord("back_squat", 100.0, 5)],
        now=datetime(2026, 11, 27, 18, tzinfo=UTC), engine=engine,
    )  # fmt: skip
    review = weekly_review(account.id, SUNDAY, "Europe/London", engine)
    assert "Weekly review** (Mon 23 Nov – Sun 29 Nov)" in review
    assert "| Training sessions | 1 (1,000 kg lifted) |" in review
    assert "| Days with food logged | 3 / 7 |" in review
    assert "| Energy, average of logged days | 2,200 kcal |" in review
    assert "| Protein, average of logged days | 120 g |" in review
    assert "| Body weight | 81.9 kg (-0.5 kg since Tue) |" in review
    assert "| Readiness | 3.5 / 5 average over 2 days |" in review


def test_a_missing_domain_becomes_a_plain_sentence(engine, account):
    with engine.begin() as conn:  # a database where nutrition was never migrated
        conn.execute(text("DROP TABLE nutrition_entries"))
        conn.execute(text("DROP TABLE nutrition_weights"))
    at_9pm = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
    assert "have you logged everything you ate today?" in missing_meals(account.id, at_9pm, engine)
    assert "Nothing was logged this week" in weekly_review(account.id, SUNDAY, "UTC", engine)
    # and the scheduler still writes the check-in
    spec = parse_request("tell me if I missed meals every day at 9pm", at_9pm - timedelta(hours=1), "UTC")
    [row], _ = service.save(account.id, spec, now=at_9pm - timedelta(hours=1), engine=engine)
    out = service.fire(row.id, now=at_9pm + timedelta(seconds=1), engine=engine)
    assert out is not None and "Meal check" in out.text


def test_workout_check_in_uses_the_training_service_and_readiness(engine, account):
    """The check-in asks the training service for the plan (no sentence routed through the chat)."""
    from storage import training as training_repo
    from training.builder import build
    from training.builder import parse_request as parse_program
    from training.plates import Equipment
    from training.service import today_markdown, today_plan

    when = datetime(2026, 11, 24, 7, tzinfo=UTC)
    repo.save_readiness(account.id, when.date(), 2, now=when, engine=engine)
    plain = compose("workout", account_id=account.id, text="", occurrence=when, tz="UTC", outbox_id="x",
                    engine=engine).text  # fmt: skip
    assert 'ask me "what\'s my workout today?"' in plain and "readiness: **2/5** — consider trimming" in plain
    program, _ = build(parse_program("novice linear program"), maxes={}, equipment=Equipment.default())
    training_repo.activate_program(account.id, program, start=when.date(), engine=engine)
    msg = compose("workout", account_id=account.id, text="", occurrence=when, tz="UTC", outbox_id="x",
                  engine=engine).text  # fmt: skip
    plan = today_plan(account.id, when, engine)
    assert plan.items and today_markdown(plan) in msg and "readiness: **2/5**" in msg


@pytest.mark.slow
def test_weekly_review_check_in_uses_the_analytics_review_and_adds_readiness(engine, account, settings, monkeypatch):
    """The check-in calls the analytics review service itself: the same figures and rendering the chat's
    weekly_review tool shows, with no chat router or tool registry involved (both made to fail here)."""
    import agent.router
    import agent.tools.base
    from agent.tools.base import ToolContext, get_tool

    when = datetime(2026, 11, 29, 18, tzinfo=UTC)
    nutrition.add_entries(account.id, [_food(SUNDAY, "lunch", 2100, 150)], engine=engine)
    repo.save_readiness(account.id, SUNDAY, 4, now=datetime.now(UTC), engine=engine)
    review_tool = get_tool("weekly_review")
    chat = review_tool.run(ToolContext(account_id=account.id, settings=settings, engine=engine, now=when),
                           review_tool.args_model())  # fmt: skip

    def no_router(*_a: object, **_k: object) -> None:
        raise AssertionError("a check-in went through the chat router")

    monkeypatch.setattr(agent.router, "route_by_code", no_router)
    monkeypatch.setattr(agent.tools.base, "load_tools", no_router)
    monkeypatch.setattr(agent.tools.base, "get_tool", no_router)
    msg = compose("weekly_review", account_id=account.id, text="", occurrence=when, tz="UTC", outbox_id="x",
                  engine=engine).text  # fmt: skip
    assert msg.startswith("📊 **Weekly review**")
    assert chat.markdown and chat.markdown in msg  # the analytics review, rendered as the chat renders it
    assert "2,100" in msg or "2100" in msg  # its own figures, not the check-in's fallback table
    assert "| Days with food logged |" not in msg
    assert "4.0 / 5 average over 1 day" in msg
