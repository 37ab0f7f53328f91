"""The check-in chat tools, called directly and through their fast paths, as the router does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.router import route_by_code
from agent.tools.base import ToolContext, ToolError, ToolOutput, load_tools
from checkins import service
from storage import checkins as repo
from storage.accounts import update_profile

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # Tue


@pytest.fixture
def tools():
    return load_tools()


@pytest.fixture
def ctx(settings, engine, account):
    update_profile(account.id, {"timezone": "Europe/London"}, engine)
    return ToolContext(account_id=account.id, settings=settings, engine=engine, now=NOW)


def run(tools, ctx, name: str, **args) -> ToolOutput:
    t = tools[name]
    return t.run(ctx, t.args_model.model_validate(args))


def press(tools, ctx, out: ToolOutput, label: str) -> ToolOutput:
    [action] = [a for a in out.actions if a.label.startswith(label)]
    return run(tools, ctx, action.tool, **action.args)


def route(tools, text: str):
    r = route_by_code(text, [], tools)
    return (r.tool, r.args) if r else None


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("Remind me to log dinner at 8pm every day", "checkin_create"),
        ("send me a weekly review every Sunday at 6pm", "checkin_create"),
        ("ask me how I slept every morning at 7", "checkin_create"),
        ("turn on the morning readiness check and the Sunday review", "checkin_create"),
        ("remind me to drink water in 1 minute", "checkin_create"),
        ("what reminders do I have?", "checkin_list"),
        ("list my check-ins", "checkin_list"),
        ("move the dinner one to 8:30", "checkin_update"),
        ("change my readiness check to 6:30am", "checkin_update"),
        ("cancel it", "checkin_cancel_it"),
        ("change it to 6:30am", "checkin_update"),
        ("send me today's workout every morning", "checkin_create"),
        ("stop the Sunday review", "checkin_cancel"),
        ("cancel the dinner reminder", "checkin_cancel"),
        ("4", "checkin_readiness"),
        ("readiness 3", "checkin_readiness"),
        ("slept badly, 2/5", "checkin_readiness"),
    ],
)
def test_fast_paths(tools, text, tool):
    assert route(tools, text)[0] == tool


@pytest.mark.parametrize(
    "text", ["remind me what I ate yesterday", "squat 140x5 @8", "how much is 225 lb in kg", "I train every Monday"]
)
def test_fast_paths_leave_other_requests_alone(tools, text):
    r = route(tools, text)
    assert r is None or not r[0].startswith("checkin")


def test_create_confirms_before_saving(tools, ctx):
    out = run(tools, ctx, "checkin_create", request="remind me to log dinner at 8pm every day")
    assert out.markdown == ("**Reminder: log dinner** — Daily at 20:00 Europe/London, next: Tue 24 Nov 20:00 — Save?")
    assert [a.label for a in out.actions] == ["✅ Save", "✖ Don't save"]
    assert repo.list_schedules(ctx.account_id, engine=ctx.engine) == []  # nothing saved yet
    saved = press(tools, ctx, out, "✅ Save")
    assert saved.markdown.startswith("Saved: #")
    again = press(tools, ctx, out, "✅ Save")  # a double click
    assert again.markdown.startswith("Already saved")
    assert len(repo.list_schedules(ctx.account_id, engine=ctx.engine)) == 1
    assert press(tools, ctx, run(tools, ctx, "checkin_create", request="remind me at 9pm to stretch"),
                 "✖").markdown == "OK — nothing saved."  # fmt: skip


def test_ambiguous_time_gets_am_pm_buttons(tools, ctx):
    out = run(tools, ctx, "checkin_create", request="remind me to log dinner at 8 every day")
    assert "8:00 am or 8:00 pm" in out.markdown
    pm = press(tools, ctx, out, "8:00 pm")
    assert "Daily at 20:00 Europe/London" in pm.markdown
    am = press(tools, ctx, out, "8:00 am")
    assert "Daily at 08:00 Europe/London" in am.markdown


def test_bad_input_is_a_clear_sentence(tools, ctx):
    with pytest.raises(ToolError, match="already passed"):
        run(tools, ctx, "checkin_create", request="remind me to pack today at 9am")
    with pytest.raises(ToolError, match="not a timezone"):
        run(tools, ctx, "checkin_create", request="remind me at 8pm Mars/Olympus time")
    with pytest.raises(ToolError, match="When should I send it"):
        run(tools, ctx, "checkin_create", request="remind me to log dinner")


def test_invalid_stored_timezone_explains_how_to_fix(tools, ctx):
    from sqlmodel import Session

    from storage.tables.core import Account

    with Session(ctx.engine) as s:
        acc = s.get(Account, ctx.account_id)
        acc.timezone = "Nowhere/Land"
        s.add(acc)
        s.commit()
    with pytest.raises(ToolError, match="my timezone is"):
        run(tools, ctx, "checkin_create", request="remind me at 8pm every day")


def test_defaults_in_one_sentence_then_list_move_cancel_undo(tools, ctx):
    out = run(tools, ctx, "checkin_create", request="turn on the morning readiness check and the Sunday review")
    assert "Save all 2?" in out.markdown
    assert "Readiness check** — Daily at 07:00 Europe/London" in out.markdown
    assert "Weekly review** — Sundays at 18:00 Europe/London, next: Sun 29 Nov 18:00" in out.markdown
    press(tools, ctx, out, "✅ Save")
    dinner = run(tools, ctx, "checkin_create", request="remind me to log dinner at 8pm every day")
    press(tools, ctx, dinner, "✅ Save")

    listed = run(tools, ctx, "checkin_list")
    assert [d["kind"] for d in listed.data["schedules"]] == ["readiness", "weekly_review", "reminder"]
    assert "| Reminder: log dinner | Daily at 20:00 Europe/London | Tue 24 Nov 20:00 |" in listed.markdown

    moved = run(tools, ctx, "checkin_update", request="move the dinner one to 8:30")
    assert "from Daily at 20:00 to Daily at 20:30 Europe/London" in moved.markdown
    press(tools, ctx, moved, "✅ Save")
    dinner_row = next(r for r in repo.list_schedules(ctx.account_id, engine=ctx.engine) if r.kind == "reminder")
    assert (dinner_row.hour, dinner_row.minute) == (20, 30)

    cancelled = run(tools, ctx, "checkin_cancel_it", request="cancel it")  # "it" = the one just changed
    assert "Cancelled **Reminder: log dinner**" in cancelled.markdown
    assert len(repo.list_schedules(ctx.account_id, engine=ctx.engine)) == 2
    press(tools, ctx, cancelled, "↩ Undo")
    assert len(repo.list_schedules(ctx.account_id, engine=ctx.engine)) == 3
    stopped = run(tools, ctx, "checkin_cancel", request="stop the Sunday review")
    assert "Weekly review" in stopped.markdown


def test_limit_reached_is_explained(tools, ctx):
    for i in range(service.MAX_ACTIVE):
        press(tools, ctx, run(tools, ctx, "checkin_create", request=f"remind me to sip {i} at 9pm every day"), "✅")
    with pytest.raises(ToolError, match="20 is the most I keep"):
        run(tools, ctx, "checkin_create", request="remind me to sip more at 9pm every day")


def test_readiness_by_button_and_by_number(tools, ctx):
    out = run(tools, ctx, "checkin_create", request="ask me how I slept every morning at 7")
    press(tools, ctx, out, "✅ Save")
    sid = repo.list_schedules(ctx.account_id, engine=ctx.engine)[0].id
    question = service.fire(sid, now=NOW + timedelta(days=1), engine=ctx.engine)  # Wed 07:00 question
    assert question is not None and "how ready do you feel" in question.text
    assert [b["label"][0] for b in question.actions] == ["1", "2", "3", "4", "5"]
    later = ToolContext(account_id=ctx.account_id, settings=ctx.settings, engine=ctx.engine,
                        now=NOW + timedelta(days=1, hours=1))  # fmt: skip
    answer = run(tools, later, question.actions[3]["tool"], **question.actions[3]["args"])
    assert "Readiness **4/5** (good) saved for Wed 25 Nov" in answer.markdown
    # typing a number answers the open question too (and replaces the day's answer)
    tool, args = route(tools, "2")
    typed = run(tools, later, tool, **args)
    assert typed.data["outbox_id"] == question.id
    assert repo.readiness_on(ctx.account_id, question.scheduled_for.date(), ctx.engine) == 2
    # ... and the next workout check-in uses it
    from checkins.content import todays_workout

    assert "readiness: **2/5** — consider trimming" in todays_workout(ctx.account_id, question.scheduled_for.date(),
                                                                       ctx.engine, None)  # fmt: skip


def test_bare_number_without_a_question_is_not_guessed(tools, ctx):
    tool, args = route(tools, "4")
    with pytest.raises(ToolError, match="say 'readiness 4'"):
        run(tools, ctx, tool, **args)
    stored = run(tools, ctx, *route(tools, "readiness 4")[:1], **route(tools, "readiness 4")[1])
    assert stored.data["score"] == 4


def test_someone_elses_question_is_refused(tools, ctx, engine):
    from storage.accounts import create_account

    other = create_account("other", "correct-horse-9", engine=engine)
    other_ctx = ToolContext(account_id=other.id, settings=ctx.settings, engine=engine, now=NOW)
    press(tools, ctx, run(tools, ctx, "checkin_create", request="ask me how I slept every morning at 7"), "✅")
    sid = repo.list_schedules(ctx.account_id, engine=engine)[0].id
    q = service.fire(sid, now=NOW + timedelta(days=1), engine=engine)
    with pytest.raises(ToolError, match="isn't yours"):
        run(tools, other_ctx, "checkin_readiness", score=3, outbox_id=q.id)


def _outcome(fn) -> str:
    try:
        return fn().markdown
    except ToolError as e:
        return f"error: {e}"


def test_cancel_it_long_after_a_change_goes_to_whoever_else_claims_it(tools, ctx):
    press(tools, ctx, run(tools, ctx, "checkin_create", request="remind me to log dinner at 8pm every day"), "✅")
    later = ToolContext(account_id=ctx.account_id, settings=ctx.settings, engine=ctx.engine,
                        now=NOW + timedelta(hours=2), text="cancel it")  # fmt: skip
    got = _outcome(lambda: run(tools, later, "checkin_cancel_it", request="cancel it"))
    assert len(repo.list_schedules(ctx.account_id, engine=ctx.engine)) == 1  # the reminder was not touched
    others = {n: t for n, t in tools.items() if t.domain != "checkins"}
    other = route_by_code("cancel it", [], others)
    if other is None or other.args is None:
        assert got.startswith("error: Cancel what?")
    else:  # another domain's own answer (or its own clear error) comes back
        assert got == _outcome(lambda: run(tools, later, other.tool, **other.args))
