"""Every period a person can say maps to dates (or is asked about), metrics have words, and the answer
states the dates it used. Phrasings here are written for these tests, not taken from any question set."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_analytics_metrics import TODAY, _analysed_set, log, run

from analytics import executor
from analytics.catalogue import METRICS, auto_chart
from analytics.charts import _value_formatter
from analytics.fastpath import parse_question
from analytics.metrics import NothingLogged
from analytics.periods import EARLIEST, Anchors, PeriodError, find_period, parse_period, sessions_in
from analytics.query import AnalyticsQuery
from storage.engine import transaction
from storage.tables.training import TrainingProgram, TrainingScheduledSession

T = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("words", "start", "end"),
    [
        ("all time", EARLIEST, T),
        ("since I began training", EARLIEST, T),
        ("since i started logging", EARLIEST, T),
        ("from the beginning", EARLIEST, T),
        ("throughout 2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("across 2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("q4 2025", date(2025, 10, 1), date(2025, 12, 31)),
        ("the third quarter of 2025", date(2025, 7, 1), date(2025, 9, 30)),
        ("this quarter", date(2026, 10, 1), T),
        ("the past fortnight", T - timedelta(days=13), T),
        ("last 2 fortnights", T - timedelta(days=27), T),
        ("the past three fortnights", T - timedelta(days=41), T),
        ("over the last half year", date(2026, 5, 25), T),
        ("since xmas", date(2025, 12, 25), T),
        ("since i switched to keto in august", date(2026, 8, 1), T),
        ("since septmber", date(2026, 9, 1), T),
    ],
)
def test_spoken_periods_map_to_dates(words, start, end):
    p = parse_period(words, T)
    assert (p.start, p.end) == (start, end)


def test_program_periods_use_the_program_or_ask_for_a_date():
    a = Anchors(program=date(2026, 9, 7), block_weeks=6)  # blocks: 7 Sep – 18 Oct, 19 Oct – 29 Nov
    cur = parse_period("the current mesocycle", T, anchors=a)
    assert (cur.start, cur.end) == (date(2026, 10, 19), T) and "19 Oct 2026" in cur.label
    prev = parse_period("previous block", T, anchors=a)
    assert (prev.start, prev.end) == (date(2026, 9, 7), date(2026, 10, 18))
    since = parse_period("since I started the programme", T, anchors=a)
    assert since.start == date(2026, 9, 7)
    with pytest.raises(PeriodError, match=r"no training program.*Say a date"):
        parse_period("this phase", T)


def test_sessions_and_period_phrases_are_found_in_questions():
    assert sessions_in("bench top sets over my last 6 heavy workouts") == 6
    assert sessions_in("guard drop across the past three sparring rounds") == 3
    assert find_period("squat volume per week across 2025 please") == "across 2025"
    assert find_period("deadlift tonnage since my program kicked off") == "since my program kicked off"


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("chart my fibre per day in april", {"metric": "fibre", "period": "in april", "food": None}),
        ("protein from chicken each week this year", {"metric": "protein", "food": "chicken"}),
        ("show how hard my squat sets have felt this month", {"metric": "rpe_distribution"}),
        ("what share of my planned workouts did I complete since september", {"metric": "plan_adherence"}),
        ("chart the velocity drop-off on front squat this year", {"metric": "velocity_loss"}),
        ("which exercises made up my volume in october", {"metric": "tonnage", "group_by": "exercise"}),
        ("fat on training days vs rest days this month", {"metric": "fat", "group_by": "day_type"}),
        ("give me a table of my personal records this year", {"metric": "prs", "chart": "table"}),
        ("calories each day over the past fortnight", {"metric": "calories", "group_by": "day"}),
        ("tonnage by week throughout 2025", {"metric": "tonnage", "period": "throughout 2025"}),
        ("front squat e1rm for Q2", {"metric": "e1rm", "period": "for Q2"}),
        ("show deadlift e1rm since I began training", {"metric": "e1rm", "period": "since I began training"}),
        ("how hard did my deadlift sets feel in october", {"metric": "rpe_distribution"}),
        ("how consistent was I with the training plan this month", {"metric": "plan_adherence"}),
        ("fat per day over the past three fortnights", {"metric": "fat", "days": 42}),
    ],
)
def test_words_for_metrics_groupings_and_periods(text, expect):
    q = parse_question(text)
    assert q is not None, text
    assert q.metric == expect["metric"], text
    if "food" in expect:
        assert q.filters.food == expect["food"], text
    if "group_by" in expect:
        assert q.group_by == expect["group_by"], text
    if "period" in expect:
        assert (q.period or "").lower() == expect["period"].lower(), text
    if "days" in expect:
        assert parse_period(q.period, T).days == expect["days"], text
    if "chart" in expect:
        got = q.chart if q.chart != "auto" else auto_chart(METRICS[q.metric], q.group_by, 0)
        assert got == expect["chart"], text


def test_rpe_ticks_keep_their_half_points():
    fmt = _value_formatter("sets")
    assert fmt(12.5, 0) == "12.5" and fmt(17.5, 0) == "17.5" and fmt(18, 0) == "18"


def test_no_period_named_covers_all_data_and_says_the_dates(engine, account):
    log(engine, account, date(2026, 3, 2), [("back_squat", 120, 5, 8.0, False)])
    log(engine, account, date(2026, 11, 16), [("back_squat", 140, 5, 8.0, False)])
    a = run(engine, account, metric="top_set", filters={"exercise": ["squat"]})
    assert a.period.start == EARLIEST and len(a.frame.data) == 2
    assert "No period named" in a.caption and "02 Mar 2026 – 24 Nov 2026" in a.caption
    with pytest.raises(NothingLogged, match="01 Apr 2026 – 30 Jun 2026"):
        run(engine, account, metric="top_set", filters={"exercise": ["squat"]}, period="q2")


def test_last_n_sessions_of_training(engine, account):
    for i, d in enumerate((date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 20))):
        log(engine, account, d, [("bench_press", 100 + i, 5, 8.0, False)])
    a = run(engine, account, metric="top_set", filters={"exercise": ["bench"], "sessions": 2})
    assert a.period.start == date(2026, 11, 16) and "the last 2 sessions" in a.period.label
    assert len(a.frame.data) == 2


def test_this_block_uses_the_program_and_plan_adherence(engine, account):
    with transaction(engine) as s:
        prog = TrainingProgram(account_id=account.id, name="Block", spec={"weeks": [{}, {}, {}, {}]},
                               start_date=date(2026, 10, 5))  # fmt: skip
        s.add(prog)
        s.flush()
        for i, (d, status) in enumerate(
            [(date(2026, 11, 2), "done"), (date(2026, 11, 4), "skipped"), (date(2026, 11, 6), "planned"),
             (date(2026, 11, 9), "done"), (date(2026, 11, 11), "done"), (date(2026, 11, 26), "planned")]
        ):  # fmt: skip
            row = TrainingScheduledSession(account_id=account.id, program_id=prog.id, lineage_id=prog.lineage_id,
                                           week_index=1, day_index=i, name="W", planned_date=d,
                                           status=status)  # fmt: skip
            s.add(row)
    log(engine, account, date(2026, 11, 9), [("back_squat", 140, 5, 8.0, False)])
    a = run(engine, account, metric="plan_adherence", period="this block")
    assert a.period.start == date(2026, 11, 2)  # 5 Oct + 4 weeks
    facts = a.frame.facts
    assert (facts["planned"], facts["done"], facts["missed"]) == (5, 3, 2)  # 26 Nov is still ahead
    got = {str(x.date()): v for x, v in zip(a.frame.data["x"], a.frame.data["value"], strict=True)}
    assert got == {"2026-11-02": pytest.approx(100 / 3), "2026-11-09": 100.0}


def test_training_days_against_rest_days(engine, account):
    from storage import nutrition as food_repo

    log(engine, account, date(2026, 11, 17), [("back_squat", 140, 5, 8.0, False)])
    for d, carbs in ((date(2026, 11, 16), 200), (date(2026, 11, 17), 320), (date(2026, 11, 18), 220)):
        food_repo.add_entries(account.id, [{"day": d, "meal": "lunch", "food_ref": "quick", "food_name": "Rice",
                                            "kcal": 1000, "protein_g": 20, "carbs_g": carbs, "fat_g": 5,
                                            "fiber_g": 2}], engine=engine)  # fmt: skip
    a = run(engine, account, metric="carbs", group_by="day_type", period="this month")
    got = dict(zip(a.frame.data["x"], a.frame.data["value"], strict=True))
    assert got == {"Training days": 320, "Rest days": 210}


def test_velocity_at_a_load_with_no_video_names_the_loads_there_are(engine, account):
    _analysed_set(engine, account, "bench", 80, [0.70, 0.62], date(2026, 11, 3), 11)
    _analysed_set(engine, account, "bench", 100, [0.45, 0.40], date(2026, 11, 10), 12)
    with pytest.raises(NothingLogged, match=r"at 120 kg.*at 80, 100 kg"):
        executor.run(AnalyticsQuery(metric="velocity", filters={"exercise": ["bench"], "load_kg": 120},
                                    period="this month"), account.id, today=TODAY, engine=engine)  # fmt: skip


def test_a_weekly_table_with_one_week_of_data_says_week(engine, account):
    log(engine, account, date(2026, 11, 23), [("back_squat", 100, 5, 7.0, False)])
    a = run(engine, account, metric="tonnage", group_by="week", period="last 4 weeks")
    assert len(a.frame.data) == 1 and a.table.startswith("| Week |")
