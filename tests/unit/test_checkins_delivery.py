"""Delivery glue without a browser: grouping a backlog, the welcome's unread count, and a push with
no chat open leaving the message pending (the browser e2e test covers the open-chat push)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checkins import service
from checkins.parse import parse_request
from storage import checkins as repo
from webapp import checkins as delivery


def _backlog(account_id: int, engine) -> list:
    start = datetime(2026, 11, 20, 12, tzinfo=UTC)
    [dinner], _ = service.save(account_id, parse_request("remind me to log dinner at 8pm every day", start, "UTC"),
                               now=start, engine=engine)  # fmt: skip
    [review], _ = service.save(account_id, parse_request("send me a weekly review every Sunday at 6pm", start, "UTC"),
                               now=start, engine=engine)  # fmt: skip
    for day in range(4):  # four evenings with the app running and nobody looking
        service.fire(dinner.id, now=start + timedelta(days=day, hours=9), engine=engine)
        service.fire(review.id, now=start + timedelta(days=day, hours=9), engine=engine)
    return repo.pending_messages(account_id, engine)


def test_a_backlog_shows_one_message_per_check_in(engine, account):
    rows = _backlog(account.id, engine)
    assert len(rows) == 5  # 4 dinners + Sunday's review
    groups = delivery._groups(rows)
    assert [(g[0].kind, len(g[1])) for g in groups] == [("weekly_review", 0), ("reminder", 3)]
    newest, older = groups[1]
    assert newest.scheduled_for == datetime(2026, 11, 23, 20, tzinfo=UTC)
    assert "3 earlier ones of this check-in while you were away" in delivery._content(newest, older)


async def test_welcome_counts_and_a_push_with_no_open_chat_waits(engine, account, settings):
    assert await delivery.welcome_note(account.id) == ""
    _backlog(account.id, engine)
    assert "5 unread check-ins" in await delivery.welcome_note(account.id)
    assert await delivery.push_pending(account.id) == 0  # nobody connected
    assert repo.unread_count(account.id, engine) == 5
    delivery.register_session(account.id, "gone-session")  # a session Chainlit no longer has
    assert await delivery.push_pending(account.id) == 0
    assert "gone-session" not in delivery._Registry.sessions[account.id]
