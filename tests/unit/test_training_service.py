"""The training services called directly (as the tools, the CLI and check-ins call them): one user action is
one unit of work, questions come back typed, and today's plan needs no chat."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import storage.training as repo
from training.builder import build
from training.builder import parse_request as parse_program
from training.parse import parse_sets
from training.plates import Equipment
from training.service import (
    LoggedSets,
    NeedsExercise,
    NoProgram,
    SetInput,
    SetLogError,
    log_sets,
    today_markdown,
    today_plan,
)  # fmt: skip

NOW = datetime(2026, 11, 24, 18, tzinfo=UTC)


def test_logging_sets_is_one_unit_of_work(engine, account, monkeypatch):
    inp = SetInput(entries=parse_sets("zercher widget 3x5 at 60"), exercise_id="new")
    real = repo.log_sets

    def fails(*a, **kw):  # the custom exercise is created first; then the write of the sets fails
        real(*a, **kw)
        raise RuntimeError("disk full")

    monkeypatch.setattr(repo, "log_sets", fails)
    with pytest.raises(RuntimeError):
        log_sets(account.id, inp, now=NOW, engine=engine)
    assert repo.find_custom_exercise(account.id, "zercher widget", engine) is None
    assert repo.last_set(account.id, engine=engine) is None
    monkeypatch.setattr(repo, "log_sets", real)
    done = log_sets(account.id, inp, now=NOW, engine=engine)
    assert isinstance(done, LoggedSets) and len(done.records) == 3
    assert repo.find_custom_exercise(account.id, "zercher widget", engine) is not None
    assert [r.reps for r in done.records] == [5, 5, 5] and done.records[0].load_kg == 60


def test_an_unknown_exercise_is_asked_about_and_nothing_is_stored(engine, account):
    asked = log_sets(account.id, SetInput(entries=parse_sets("zercher widget 3x5 at 60")), now=NOW, engine=engine)
    assert isinstance(asked, NeedsExercise) and asked.typed == "zercher widget"
    assert repo.last_set(account.id, engine=engine) is None


def test_a_set_without_a_load_is_an_error_not_a_guess(engine, account):
    with pytest.raises(SetLogError, match="What weight did you use for Back Squat"):
        log_sets(account.id, SetInput(entries=parse_sets("squat 3x5")), now=NOW, engine=engine)
    assert repo.last_set(account.id, engine=engine) is None


def test_todays_plan_comes_from_the_saved_program(engine, account):
    with pytest.raises(NoProgram):
        today_plan(account.id, NOW, engine)
    program, _ = build(parse_program("novice linear program"), maxes={}, equipment=Equipment.default())
    repo.activate_program(account.id, program, start=NOW.date(), engine=engine)
    plan = today_plan(account.id, NOW, engine)
    assert plan.items and plan.week == 1 and plan.workout
    assert f"**Week 1 · {plan.workout}**" in today_markdown(plan)


def test_a_later_day_shows_the_session_that_falls_on_it_as_things_stand(engine, account):
    from datetime import timedelta

    program, _ = build(parse_program("novice linear program, 3 days a week"), maxes={}, equipment=Equipment.default())
    repo.activate_program(account.id, program, start=NOW.date(), engine=engine)
    queue = repo.planned_queue(account.id, 6, engine)
    first, second = queue[0], queue[1]
    assert second.planned_date > first.planned_date + timedelta(days=1)
    day_one = datetime.combine(first.planned_date, datetime.min.time(), UTC) + timedelta(hours=18)

    on_it = today_plan(account.id, day_one, engine, day=second.planned_date)
    assert (on_it.workout, on_it.planned_date, on_it.rest_day) == (second.name, second.planned_date, False)
    assert on_it.when == f"for {second.planned_date:%a %d %b}"
    rest = today_plan(account.id, day_one, engine, day="tomorrow")  # between the first two sessions: a rest day
    assert rest.rest_day and rest.workout == second.name and "a rest day" in today_markdown(rest)
    weekday = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[
        second.planned_date.weekday()
    ]
    assert today_plan(account.id, day_one, engine, day=weekday).planned_date == second.planned_date

    # The first session missed: it is next, and everything after it slides on by the days it lost
    late = day_one + timedelta(days=(second.planned_date - first.planned_date).days)
    assert today_plan(account.id, late, engine).workout == first.name
    tomorrow = today_plan(account.id, late, engine, day="tomorrow")
    assert tomorrow.workout == second.name and "moved on by a missed session" in tomorrow.when
    assert today_plan(account.id, day_one, engine, day=day_one.date() + timedelta(days=400)).complete  # program over


def test_a_drafted_program_is_saved_only_when_approved(engine, account):
    from training.service import DraftError, DraftInput, ProgramDrafted, ProgramSaved, approve_draft, draft_program

    drafted = draft_program(account.id, DraftInput("novice linear program, 3 days a week"), engine=engine)
    assert isinstance(drafted, ProgramDrafted) and drafted.how.startswith("template:")
    assert repo.active_program(account.id, engine) is None  # a draft is not a program
    saved = approve_draft(account.id, drafted.draft_id, today=NOW.date(), engine=engine)
    assert isinstance(saved, ProgramSaved) and saved.row.name == drafted.program.name
    assert repo.active_program(account.id, engine) is not None and saved.next_session is not None
    with pytest.raises(DraftError, match="already approved"):
        approve_draft(account.id, drafted.draft_id, today=NOW.date(), engine=engine)


def test_a_rep_max_is_the_heaviest_set_of_at_least_that_many_reps(engine, account):
    from datetime import timedelta

    from training.service import LogbookError, rep_max

    for i, line in enumerate(["squat 140x5 @8", "squat 150x3 @9, 130x8", "squat 160x1 @9.5", "squat 100x5 warmup"]):
        log_sets(account.id, SetInput(entries=parse_sets(line)), now=NOW + timedelta(days=i), engine=engine)
    assert (rep_max(account.id, "squat", 3, engine).load_kg, rep_max(account.id, "squat", 3, engine).done_reps) == (
        150,
        3,
    )
    five = rep_max(account.id, "back squat", 5, engine)
    assert (five.load_kg, five.rpe, five.performed_at.date()) == (140, 8, NOW.date())
    assert rep_max(account.id, "squat", 6, engine).load_kg == 130  # an 8-rep set is a 6RM too
    assert rep_max(account.id, "squat", 1, engine).load_kg == 160
    with pytest.raises(LogbookError, match="10 or more reps"):
        rep_max(account.id, "squat", 10, engine)
    with pytest.raises(LogbookError, match="don't know"):
        rep_max(account.id, "zercher widget", 3, engine)
