"""What a check-in says, computed when it is sent from what nutrition, training and readiness store.

Every number is computed here (or by the domain it comes from), never by the model. A domain that is
not installed, or not migrated yet, turns its part into a plain sentence instead of failing the
message: a reminder must arrive even if the nutrition tables are missing.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import ModuleType
from typing import Any

from sqlalchemy import Engine

from checkins.schedule import zone
from storage import checkins as repo

log = logging.getLogger(__name__)

READINESS_TOOL = "checkin_readiness"
READINESS_LABELS = {1: "wrecked", 2: "tired", 3: "okay", 4: "good", 5: "great"}
# A meal counts as missing once its usual time has passed (local hour).
MEAL_DEADLINES = (("breakfast", 10), ("lunch", 14), ("dinner", 20))
WORKOUT_QUESTION = "what's my workout today?"


@dataclass
class Composed:
    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)  # {"label", "tool", "args"}


def _optional(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _safely(what: str, fn: Callable[[], Any]) -> Any:
    """Run one domain's part; a missing table or API becomes None (logged), never a lost message."""
    try:
        return fn()
    except Exception:  # a broken neighbour must not stop the check-in
        log.warning("check-in content: %s unavailable", what, exc_info=True)
        return None


def compose(
    kind: str,
    *,
    account_id: int,
    text: str,
    occurrence: datetime,
    tz: str,
    outbox_id: str,
    engine: Engine | None = None,
) -> Composed:
    """The message of one check-in occurrence (local day and hour taken in `tz`)."""
    local = occurrence.astimezone(zone(tz))
    if kind == "reminder":
        return Composed(f"⏰ **Reminder:** {text or 'this is the reminder you asked for.'}")
    if kind == "readiness":
        return readiness_question(outbox_id)
    if kind == "missing_meals":
        return Composed(missing_meals(account_id, local, engine))
    if kind == "workout":
        return Composed(todays_workout(account_id, local.date(), engine, now=occurrence))
    if kind == "weekly_review":
        return Composed(weekly_review_message(account_id, local.date(), tz, engine, now=occurrence))
    return Composed(text or "Check-in.")


def readiness_question(outbox_id: str) -> Composed:
    buttons = [
        {"label": f"{n} · {READINESS_LABELS[n]}", "tool": READINESS_TOOL, "args": {"score": n, "outbox_id": outbox_id}}
        for n in range(1, 6)
    ]
    return Composed(
        "🌅 **Readiness check:** how ready do you feel today? 1 = wrecked … 5 = great. Tap a number or type it.",
        buttons,
    )


def missing_meals(account_id: int, local: datetime, engine: Engine | None = None) -> str:
    """Which usual meals are not logged yet today, plus today's energy so far."""
    nutrition = _optional("storage.nutrition")
    entries = (
        _safely("nutrition diary", lambda: nutrition.list_entries(account_id, local.date(), engine=engine))
        if nutrition
        else None
    )
    if entries is None:
        return "🍽️ **Meal check:** have you logged everything you ate today? Tell me what you had and I'll add it."
    logged = {e.meal for e in entries}
    due = [meal for meal, hour in MEAL_DEADLINES if local.hour >= hour and meal not in logged]
    kcal = sum(e.kcal or 0.0 for e in entries)
    so_far = (
        f" So far today: {kcal:,.0f} kcal in {len(entries)} item{'s' if len(entries) != 1 else ''}." if entries else ""
    )
    if not due:
        return f"🍽️ **Meal check:** all of today's meals are logged — nice.{so_far}"
    listed = due[0] if len(due) == 1 else ", ".join(due[:-1]) + " and " + due[-1]
    return f"🍽️ **Meal check:** you haven't logged {listed} today.{so_far} Tell me what you had and I'll log it."


def todays_workout(account_id: int, day: date, engine: Engine | None, now: datetime | None = None) -> str:
    """Today's planned session from the training service (as the chat shows it), with today's readiness beside it."""
    readiness = _safely("readiness", lambda: repo.readiness_on(account_id, day, engine))
    note = ""
    if readiness is not None:
        note = f"\n\nToday's readiness: **{readiness}/5**"
        note += " — consider trimming volume or load today." if readiness <= 2 else "."
    plan = _safely("training plan", lambda: _plan_markdown(account_id, engine, now))
    if plan:
        return f"🏋️ **Today's workout**\n\n{plan}{note}"
    return f'🏋️ **Today\'s workout:** time to train — ask me "{WORKOUT_QUESTION}" to see the session.{note}'


def _plan_markdown(account_id: int, engine: Engine | None, now: datetime | None) -> str | None:
    from training.service import NoProgram, today_markdown, today_plan

    try:
        return today_markdown(today_plan(account_id, now, engine))
    except NoProgram:
        return None


def _fmt_delta(kg: float) -> str:
    return f"{kg:+.1f} kg"


def _local_day_start(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC)


def weekly_review(account_id: int, end: date, tz: str = "UTC", engine: Engine | None = None) -> str:
    """The 7 local days ending `end`: training sessions and volume, food logged, energy and protein,
    body weight, readiness."""
    start = end - timedelta(days=6)
    rows: list[tuple[str, str]] = []
    training = _optional("storage.training")
    sessions = (
        _safely(
            "training sessions",
            lambda: training.sessions_between(
                account_id, _local_day_start(start, tz), _local_day_start(end + timedelta(days=1), tz), engine=engine
            ),
        )
        if training
        else None
    )
    if sessions and training is not None:
        volume = _safely(
            "training volume", lambda: sum(training.session_volume(account_id, x.id, engine=engine) for x in sessions)
        )
        vol = f" ({volume:,.0f} kg lifted)" if volume else ""
        rows.append(("Training sessions", f"{len(sessions)}{vol}"))
    nutrition = _optional("storage.nutrition")
    totals = (
        _safely("nutrition totals", lambda: nutrition.daily_totals(account_id, start, end, engine=engine))
        if nutrition
        else None
    )
    if totals is not None:
        days = [t for t in totals.values() if t.get("entries")]
        if days:
            rows.append(("Days with food logged", f"{len(days)} / 7"))
            kcal = [t["kcal"] for t in days if t.get("kcal") is not None]
            protein = [t["protein_g"] for t in days if t.get("protein_g") is not None]
            if kcal:
                rows.append(("Energy, average of logged days", f"{sum(kcal) / len(kcal):,.0f} kcal"))
            if protein:
                rows.append(("Protein, average of logged days", f"{sum(protein) / len(protein):,.0f} g"))
    weights = (
        _safely("body weight", lambda: nutrition.list_weights(account_id, start, end, engine=engine))
        if nutrition
        else None
    )
    if weights:
        first, last = weights[0], weights[-1]
        change = f" ({_fmt_delta(last.weight_kg - first.weight_kg)} since {first.day:%a})" if len(weights) > 1 else ""
        rows.append(("Body weight", f"{last.weight_kg:.1f} kg{change}"))
    if ready := readiness_summary(account_id, start, end, engine):
        rows.append(("Readiness", ready))
    head = f"📊 **Weekly review** ({start:%a %-d %b} – {end:%a %-d %b})"
    if not rows:
        return (
            f"{head}\n\nNothing was logged this week. "
            "Log meals, sets or a readiness score and next week's review will show them."
        )
    table = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    return f"{head}\n\n{table}"


def readiness_summary(account_id: int, start: date, end: date, engine: Engine | None = None) -> str | None:
    """'3.5 / 5 average over 2 days', or None when no answer was stored in the window."""
    ready = _safely("readiness", lambda: repo.readiness_between(account_id, start, end, engine)) or []
    if not ready:
        return None
    avg = sum(r.score for r in ready) / len(ready)
    return f"{avg:.1f} / 5 average over {len(ready)} day{'s' if len(ready) != 1 else ''}"


def weekly_review_message(
    account_id: int, end: date, tz: str, engine: Engine | None = None, *, now: datetime | None = None
) -> str:
    """The analytics domain's weekly review, called directly (the figures and rendering the chat's review
    shows, kept in memory the same way), plus readiness, which only check-ins collect; the summary computed
    here from the stores when analytics can't answer. `now`: the occurrence (default: the end of `end`)."""
    when = now or _local_day_start(end + timedelta(days=1), tz) - timedelta(seconds=1)
    review = _safely("weekly review", lambda: _analytics_review(account_id, when, engine))
    rendered = review.markdown() if review is not None else None
    if not rendered:
        return weekly_review(account_id, end, tz, engine)
    ready = readiness_summary(account_id, end - timedelta(days=6), end, engine)
    return "📊 **Weekly review**\n\n" + rendered + (f"\n\n**Readiness:** {ready}" if ready else "")


def _analytics_review(account_id: int, when: datetime, engine: Engine | None) -> Any:
    from analytics.service import weekly_review as analytics_review

    return analytics_review(account_id, now=when, engine=engine)
