"""analytics.service: the actions the chat tools, the CLI and the check-ins share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics import service
from analytics.metrics import NothingLogged
from analytics.query import AnalyticsQuery
from storage import analytics as sql

NOW = datetime(2026, 11, 29, 18, tzinfo=UTC)


def test_a_chart_with_nothing_logged_is_still_the_one_a_follow_up_refines(engine, account):
    query = AnalyticsQuery.model_validate({"metric": "tonnage", "period": "last 4 weeks"})
    assert service.last_chart(account.id, "t1", engine) is None
    with pytest.raises(NothingLogged):
        service.chart(account.id, query, "t1", now=NOW, engine=engine)
    assert service.last_chart(account.id, "t1", engine) == query
    assert service.last_chart(account.id, "another thread", engine) is None


def test_the_weekly_review_is_kept_as_a_coach_note_only_when_asked(engine, account):
    look = service.weekly_review(account.id, "last week", now=NOW, engine=engine, record=False)
    assert not [n for n in sql.list_notes(account.id, engine=engine) if n.source_ref.startswith("review:")]
    kept = service.weekly_review(account.id, "last week", now=NOW, engine=engine)
    assert (look.start, look.end) == (kept.start, kept.end)
    notes = [n for n in sql.list_notes(account.id, engine=engine) if n.source_ref == f"review:{kept.start}"]
    assert len(notes) == 1 and notes[0].kind == "coach" and kept.summary() in notes[0].text


def test_forgetting_with_no_note_of_ones_own_says_so(engine, account, settings):
    with pytest.raises(service.NoteProblem, match="no notes of your own"):
        service.forget_note(account.id, data_dir=settings.data_dir, engine=engine)
