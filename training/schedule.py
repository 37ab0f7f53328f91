"""Calendar dates for a program's workouts, and the local 'today' of a person.

Week 1 starts on the Monday of the start date's week when the first workout's weekday is still ahead
(or today), otherwise on the next Monday; workouts without a weekday are spread Mon/Wed/Fri/….
"""

from __future__ import annotations

from datetime import date, timedelta

from powerforge.clock import local_now as local_now  # re-exported: the clock rule lives in powerforge.clock
from powerforge.clock import local_today as local_today
from training.model import Program

SPREAD = (0, 2, 4, 1, 3, 5, 6)


def weekday_of(program: Program, week_index: int, day_index: int) -> int:
    wo = program.week(week_index).workouts[day_index]
    if wo.weekday is not None:
        return wo.weekday
    return sorted(SPREAD[: len(program.week(week_index).workouts)])[day_index]


def first_monday(program: Program, start: date) -> date:
    monday = start - timedelta(days=start.weekday())
    first = weekday_of(program, 1, 0) if program.weeks and program.weeks[0].workouts else 0
    return monday if start.weekday() <= first else monday + timedelta(days=7)


def plan_dates(program: Program, start: date) -> list[tuple[int, int, str, date]]:
    """(week, day index, workout name, date) for every workout of the program."""
    monday = first_monday(program, start)
    out = []
    for w in program.weeks:
        for k, wo in enumerate(w.workouts):
            d = monday + timedelta(days=7 * (w.index - 1) + weekday_of(program, w.index, k))
            out.append((w.index, k, wo.name, d))
    return out
