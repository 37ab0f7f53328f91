"""Today's workout: the saved program's next session with loads planned for this athlete's plates.

One service for everyone who shows it: the chat tool (`train_today`), the check-in that sends it in the
morning, and anything else that needs the plan; none of them routes a sentence to get it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from storage import training as repo
from storage.tables.training import TrainingScheduledSession
from training.render import mass, session_table
from training.schedule import local_today
from training.session import PlannedItem, plan_workout, warmup_ramp

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def day_of(word: str, today: date) -> date:
    """The date of 'today', 'tomorrow' or a weekday (the next one; today when it is that day)."""
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS.index(word) - today.weekday()) % 7)
    return today


class NoProgram(LookupError):
    """The athlete has no saved program: there is no workout to plan."""


@dataclass(frozen=True)
class TodayPlan:
    program_name: str
    unit: str
    complete: bool = False  # every session of the program is done
    week: int = 0
    phase: str = ""
    workout: str = ""
    planned_date: date | None = None
    today: date | None = None
    items: list[PlannedItem] = field(default_factory=list)
    done_sets: dict[str, int] = field(default_factory=dict)  # exercise name → work sets logged in the open session
    warmup: tuple[str, list[tuple[float, int]]] | None = None  # (exercise, [(kg, reps)]) before the first bar lift
    asked_day: date | None = None  # a later day asked about ("tomorrow"); None: today
    rest_day: bool = False  # nothing falls on `asked_day`: the plan shown is the next session after it
    falls_on: date | None = None  # the day the session shown falls on as things stand (missed ones slide forward)

    @property
    def when(self) -> str:
        """'today', or how the planned day relates to today (a rest day, a missed session)."""
        if self.asked_day is not None and self.asked_day != self.today:
            return self._when_later()
        if self.planned_date is None or self.today is None or self.planned_date == self.today:
            return "today"
        if self.planned_date > self.today:
            return f"planned for {self.planned_date:%a %d %b} — a rest day today, but here it is if you train now"
        return f"planned for {self.planned_date:%a %d %b} (missed, so it's next)"

    def _when_later(self) -> str:
        assert self.asked_day is not None
        asked = f"{self.asked_day:%a %d %b}"
        if self.rest_day:
            return f"nothing falls on {asked}, a rest day; this is the next session, on {self.falls_on:%a %d %b}"
        if self.planned_date is not None and self.planned_date < self.asked_day:
            return f"for {asked}: planned for {self.planned_date:%a %d %b}, moved on by a missed session"
        return f"for {asked}"


def _projected(queue: list[TrainingScheduledSession], first_day: date) -> list[tuple[date, int]]:
    """The day each remaining workout falls on: missed ones slide forward, one workout a day at most, and none
    comes before its planned date (the same rule as `next_scheduled`: none is skipped)."""
    days: list[tuple[date, int]] = []
    last: date | None = None
    for sched in queue:
        day = max(sched.planned_date, first_day if last is None else last + timedelta(days=1))
        days.append((day, sched.id or 0))
        last = day
    return days


def today_plan(
    account_id: int, now: datetime | None = None, engine: Engine | None = None, day: date | str | None = None
) -> TodayPlan:
    """The session to train now: the open session's, else the next scheduled one; for a later `day` (a date in
    the athlete's calendar, or 'tomorrow' / a weekday), the session that falls on it as things stand, or the next
    one after it when it is a rest day. Raises `NoProgram`."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    active = repo.active_program(account_id, engine)
    if active is None:
        raise NoProgram(account_id)
    row, program = active
    unit = repo.display_unit(account_id, engine)
    today = local_today(repo.account_tz(account_id, engine), now)
    sess = repo.open_session(account_id, now, engine)
    sched = repo.get_scheduled(account_id, sess.scheduled_id, engine) if sess and sess.scheduled_id else None
    rest_day, falls_on = False, None
    if isinstance(day, str):
        day = day_of(day.lower(), today)
    asked = day if day is not None and day > today else None
    if asked is not None:  # today's workout is the open session's, or the first in the queue
        queue = [
            q
            for q in repo.planned_queue(account_id, (asked - today).days + 2, engine)
            if q.id != (sched.id if sched else None)
        ]
        projected = _projected(queue, today + timedelta(days=1) if sched else today)
        by_id = {q.id: q for q in queue}
        after = [(d, i) for d, i in projected if d >= asked]
        if not after:  # the program ends before that day
            return TodayPlan(program_name=row.name, unit=unit, complete=True, today=today, asked_day=asked)
        falls_on, rest_day = after[0][0], after[0][0] != asked
        sched = by_id[after[0][1]]
    sched = sched or repo.next_scheduled(account_id, engine)
    if sched is None:
        return TodayPlan(program_name=row.name, unit=unit, complete=True)
    if sched.program_id != row.id:
        got = repo.get_program(account_id, sched.program_id, engine)
        program = got[1] if got else program
    week = program.week(sched.week_index)
    workout = week.workouts[sched.day_index]
    eq = repo.get_equipment(account_id, engine)
    maxes = repo.get_maxes(account_id, engine)
    items = plan_workout(workout, program, maxes, repo.get_progress(account_id, row.lineage_id, engine), eq)
    counts: dict[str, int] = {}
    for s in repo.session_sets(account_id, sess.id, engine) if sess else []:
        if not s.warmup:
            counts[s.exercise_id] = counts.get(s.exercise_id, 0) + 1
    names = repo.exercise_names(account_id, list(counts), engine)
    first_bar = next((i for i in items if i.section == "main" and i.plates and i.load.mass), None)
    warmup = None
    if first_bar is not None and first_bar.load.mass is not None:
        warmup = (first_bar.exercise_name, [(m.kg, r) for m, r in warmup_ramp(first_bar.load.mass, eq)])
    return TodayPlan(
        program_name=row.name, unit=unit, week=week.index, phase=week.phase or "", workout=workout.name,
        planned_date=sched.planned_date, today=today, items=items,
        done_sets={names.get(k, k): v for k, v in counts.items()} if asked is None else {}, warmup=warmup,
        asked_day=asked, rest_day=rest_day, falls_on=falls_on,
    )  # fmt: skip


def today_markdown(plan: TodayPlan) -> str:
    """The plan as the athlete reads it (chat and check-in alike)."""
    if plan.complete and plan.asked_day is not None:
        return f"**{plan.program_name}** has no session left on or after {plan.asked_day:%a %d %b}: it ends before."
    if plan.complete:
        return (
            f"🎉 You've finished every session of **{plan.program_name}**. "
            "Test your maxes or ask me for the next block."
        )
    phase = f" · {plan.phase}" if plan.phase else ""
    md = f"**Week {plan.week}{phase} · {plan.workout}** ({plan.when})\n\n{session_table(plan.items, plan.unit)}"
    if plan.done_sets:
        progress = ", ".join(f"{k} {v} set{'s' if v > 1 else ''}" for k, v in plan.done_sets.items())
        md += f"\n\nLogged so far: {progress}."
    if plan.warmup is not None:
        name, ramp = plan.warmup
        md += f"\n\nWarm-up for {name}: " + ", ".join(f"{mass(kg, plan.unit)} × {r}" for kg, r in ramp)
    return md


def today_summary(plan: TodayPlan) -> str:
    if plan.complete and plan.asked_day is not None:
        return f"{plan.program_name} has no session on or after {plan.asked_day:%a %d %b}."
    if plan.complete:
        return f"{plan.program_name} is complete."
    return f"Week {plan.week} {plan.workout} ({plan.when}): " + "; ".join(
        f"{i.exercise_name} {i.sets}×{i.reps_label} {i.load.label(plan.unit)}" for i in plan.items[:6]
    )
