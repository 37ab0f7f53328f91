"""The question set, the code fast path, periods in words, and follow-ups that refine the last chart."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import questionset
from analytics.fastpath import apply_followup, parse_followup, parse_question
from analytics.periods import PeriodError, find_period, parse_period
from analytics.query import AnalyticsQuery

TODAY = date(2026, 11, 24)  # Tuesday


def test_question_set_has_60_plus_valid_questions():
    items = questionset.load()
    assert len(items) >= 60
    assert len({i.question for i in items}) == len(items)
    assert len({i.expect.metric for i in items}) >= 20  # the set covers (nearly) the whole catalogue


def test_fast_path_is_never_wrong_on_what_it_takes_and_takes_most():
    score = questionset.score(questionset.load(), parse_question)
    assert score.misses == []
    assert score.taken >= 0.8 * score.total


@pytest.mark.parametrize(
    "text",
    [
        "squat 140x5 @8",
        "bench 3x5 at 100",
        "had 2 eggs and a slice of toast for breakfast",
        "my weight is 82 kg",
        "log 81.5 kg",
        "how much protein do I have left today?",
        "am I dropping my right hand when I jab?",
        "what plates for 142.5?",
        "hi",
        "remind me every monday to weigh in",
        "what's my workout today?",
        "how did my bench sessions feel in October?",
        "when did my knee start hurting?",
        "build me a 4 day program",
        "convert 225 lb to kg",
        "check my round",
    ],
)
def test_fast_path_leaves_other_tools_lines_alone(text):
    assert parse_question(text) is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("last 6 months", date(2026, 5, 25), TODAY),
        ("the last 12 weeks", date(2026, 9, 2), TODAY),
        ("past 30 days", date(2026, 10, 26), TODAY),
        ("this year", date(2026, 1, 1), TODAY),
        ("since March", date(2026, 3, 1), TODAY),
        ("in October", date(2026, 10, 1), date(2026, 10, 31)),
        ("in December", date(2025, 12, 1), date(2025, 12, 31)),
        ("last week", date(2026, 11, 16), date(2026, 11, 22)),
        ("this week", date(2026, 11, 23), TODAY),
        ("last month", date(2026, 10, 1), date(2026, 10, 31)),
        ("from November to February", date(2025, 11, 1), date(2026, 2, 28)),
        ("yesterday", date(2026, 11, 23), date(2026, 11, 23)),
        ("between 2026-01-05 and 2026-02-01", date(2026, 1, 5), date(2026, 2, 1)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("the last two weeks", date(2026, 11, 11), TODAY),
        ("since 2025-06-01", date(2025, 6, 1), TODAY),
    ],
)
def test_periods_in_words(text, start, end):
    p = parse_period(text, TODAY)
    assert (p.start, p.end) == (start, end)


def test_future_and_unreadable_periods_are_refused_with_a_sentence():
    for text in ("next month", "next week", "tomorrow", "in 2030", "since 2031-01-01"):
        with pytest.raises(PeriodError, match="future"):
            parse_period(text, TODAY)
    with pytest.raises(PeriodError, match="can't read"):
        parse_period("when the moon is blue", TODAY)


def test_find_period_lifts_the_phrase_out_of_a_question():
    assert find_period("weekly tonnage for the last 12 weeks") == "for the last 12 weeks"
    assert find_period("calories vs target over the past year") == "the past year"
    assert find_period("squat since March please") == "since March"
    assert find_period("show my squat") is None


def test_follow_ups_refine_the_last_query():
    last = parse_question("show my squat e1RM over the last 6 months")
    assert last is not None
    since = apply_followup(last, parse_followup("only since March"))
    assert since.period == "since March" and since.metric == "e1rm" and since.filters.exercise == ["Back Squat"]
    bars = apply_followup(since, parse_followup("as a bar chart"))
    assert bars.chart == "bar" and bars.period == "since March"
    more = apply_followup(bars, parse_followup("add deadlift"))
    assert more.filters.exercise == ["Back Squat", "Deadlift"] and more.chart == "bar"
    fewer = apply_followup(more, parse_followup("without squat"))
    assert fewer.filters.exercise == ["Deadlift"]
    weekly = apply_followup(fewer, parse_followup("weekly"))
    assert weekly.group_by == "week"
    other = apply_followup(weekly, parse_followup("what about bench instead"))
    assert other.filters.exercise == ["Bench Press"]


def test_follow_up_to_a_metric_without_lifts_and_a_target():
    last = AnalyticsQuery(metric="calories", period="last 30 days")
    t = apply_followup(last, parse_followup("vs target"))
    assert t.compare.target
    with pytest.raises(ValueError):
        apply_followup(AnalyticsQuery(metric="tonnage"), {"compare": {"target": True}})


def test_not_follow_ups():
    for text in (
        "squat 140x5",
        "hello there",
        "build me a program for 8 weeks with squats",
        "weekly tonnage for the last 12 weeks",
    ):
        assert parse_followup(text) is None


def test_typed_query_refuses_what_does_not_fit():
    with pytest.raises(ValueError, match="grouped by"):
        AnalyticsQuery(metric="bodyweight", group_by="muscle")
    with pytest.raises(ValueError):
        AnalyticsQuery(metric="no_such_metric")
    with pytest.raises(ValueError):
        AnalyticsQuery.model_validate({"metric": "tonnage", "sql": "DROP TABLE accounts"})


def test_grounding_keeps_only_what_the_words_support():
    from analytics.fastpath import ground

    guessed = {"metric": "hard_sets", "filters": {"muscle": ["chest"], "sessions": 1}, "group_by": "week",
               "chart": "bar", "period": "last 6 months", "compare": {"target": True}}  # fmt: skip
    assert ground(guessed, "am I getting stronger on deadlifts?") == {
        "metric": "e1rm", "filters": {"exercise": ["Deadlift"]}
    }  # fmt: skip
    said = {"metric": "calories", "group_by": "week", "period": "last 12 weeks", "compare": {"target": True}}
    assert ground(said, "weekly calories vs target for the last 12 weeks") == {
        **said,
        "period": "for the last 12 weeks",
    }
    for it in questionset.load():  # the fast path's own queries pass unchanged
        q = parse_question(it.question)
        if q is not None:
            grounded = AnalyticsQuery.model_validate(ground(q.model_dump(exclude_defaults=True), it.question))
            assert questionset.differences(q, grounded) == [], it.question
