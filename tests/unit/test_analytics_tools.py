"""The analytics tools called as the graph calls them, on a generated history: charts with their numbers,
follow-ups that refine the thread's last chart, empty data, the future, unanswerable questions, the
weekly review, and the chart style (units on axes, drawn from worker threads)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from agent.router import route_by_code
from agent.tools.base import ToolContext, ToolError, load_tools
from analytics.generator import Spec, generate

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture
def tools():
    return load_tools()


@pytest.fixture
def history(engine, account):
    counts = generate(account.id, Spec(years=1, end=date(2026, 11, 24), seed=3), engine)
    assert counts["training_sets"] > 3000 and counts["nutrition_entries"] > 1000
    return account


_PREVIOUS: dict[tuple[int, str], str] = {}  # the graph passes the thread's previous tool: follow-ups need it


@pytest.fixture(autouse=True)
def _fresh_threads():
    _PREVIOUS.clear()


def say(tools, settings, engine, account, text, thread="t1"):
    route = route_by_code(text, [], tools, previous=_PREVIOUS.get((account.id, thread)))
    assert route is not None and route.args is not None, f"no code route for {text!r}"
    tool = tools[route.tool]
    ctx = ToolContext(account_id=account.id, settings=settings, thread_id=thread, engine=engine, text=text, now=NOW)
    _PREVIOUS[(account.id, thread)] = route.tool
    return route.tool, tool.run(ctx, tool.args_model.model_validate(route.args))


def test_chart_table_and_caption_come_from_the_same_numbers(tools, settings, engine, history):
    name, out = say(tools, settings, engine, history, "weekly tonnage for the last 12 weeks")
    assert name == "ask" and out.ok and len(out.images) == 1
    png = Path(out.images[0])
    assert png.is_file() and Image.open(png).size == (1200, 630)
    rows = out.data["data"]
    assert len(rows) == 12  # 12 whole weeks, the current one included
    total = sum(r["value"] for r in rows)
    assert f"{total:,.0f} kg in total over 12 weeks" in out.summary
    csv = pd.read_csv(out.files[0])
    assert csv["value"].sum() == pytest.approx(total)
    assert "| Week | Tonnage (kg) |" in out.markdown


def test_follow_ups_refine_the_chart_of_this_thread(tools, settings, engine, history):
    say(tools, settings, engine, history, "show my squat e1RM over the last 6 months")
    _, out = say(tools, settings, engine, history, "only since March")
    assert out.data["query"]["period"] == "since March" and out.data["period"]["start"] == "2026-03-01"
    _, out = say(tools, settings, engine, history, "as a bar chart")
    assert out.data["query"]["chart"] == "bar" and out.data["query"]["period"] == "since March"
    _, out = say(tools, settings, engine, history, "add deadlift")
    assert {r["series"] for r in out.data["data"]} == {"Back Squat", "Deadlift"}
    # another thread has no chart to refine
    with pytest.raises(ToolError, match="no chart in this conversation"):
        say(tools, settings, engine, history, "as a bar chart", thread="other")


def test_the_example_questions_of_the_issue(tools, settings, engine, history):
    for text in (
        "hard sets per muscle group last week",
        "calories vs target for the past 30 days",
        "bodyweight and trend this year",
        "punches per round over my last 10 sessions",
        "rpe distribution this year",
        "guard drop rate over my last 10 sessions",
        "macros for the last 7 days",
        "my estimated TDEE over the last 6 months",
    ):
        name, out = say(tools, settings, engine, history, text)
        assert name == "ask" and out.ok and out.images, text
        assert any(ch.isdigit() for ch in out.summary), text
    # PRs are a list of days and lifts: shown as a table, not drawn as a chart
    name, out = say(tools, settings, engine, history, "how many PRs did I set this year")
    assert name == "ask" and out.ok and not out.images and "| " in out.markdown
    assert any(ch.isdigit() for ch in out.summary)


def test_nothing_logged_gives_a_sentence_not_an_empty_chart(tools, settings, engine, account):
    _, out = say(tools, settings, engine, account, "weekly tonnage for the last 12 weeks")
    assert out.images == [] and out.summary.startswith("Nothing logged yet")


def test_future_period_and_unanswerable_questions(tools, settings, engine, history):
    with pytest.raises(ToolError, match="future"):
        say(tools, settings, engine, history, "show tonnage for next month")
    _, out = say(tools, settings, engine, history, "how many hours of sleep did I get last week?")
    assert not out.ok and "can't chart" in out.summary and out.actions
    assert all(a.tool == "ask" for a in out.actions)


def test_model_filled_query_without_metric_offers_the_nearest(tools, settings, engine, history):
    ask = tools["ask"]
    ctx = ToolContext(
        account_id=history.id, settings=settings, thread_id="t", engine=engine, text="how's my protein looking", now=NOW
    )
    out = ask.run(ctx, ask.args_model.model_validate({}))
    assert not out.ok and "protein" in " ".join(out.data["nearest"])


def test_weekly_review_is_built_from_computed_figures(tools, settings, engine, history):
    name, out = say(tools, settings, engine, history, "weekly review")
    assert name == "weekly_review"
    assert out.data["start"] == "2026-11-16" and out.data["end"] == "2026-11-22"
    assert set(out.data["sections"]) == {"Training", "Food", "Weight", "Bar speed", "Boxing"}
    assert out.data["figures"]["training"]["sessions"] >= 1
    assert "kg tonnage" in out.markdown and "kcal/day" in out.markdown


def test_weekly_review_of_a_new_account_says_nothing_is_logged(tools, settings, engine, account):
    name, out = say(tools, settings, engine, account, "how was my week?")
    assert name == "weekly_review" and out.ok
    assert "no sets logged" in out.markdown
    assert out.data["sections"]["Training"] == ["no sets logged"]
    assert out.data["sections"]["Boxing"] == ["no analysed boxing rounds"]


def test_boxing_metrics_with_no_rounds_give_a_sentence(tools, settings, engine, account):
    _, out = say(tools, settings, engine, account, "punches per round over my last 10 sessions")
    assert out.images == [] and out.summary.startswith("Nothing logged yet")


def test_charts_have_units_and_render_concurrently_off_the_event_loop(settings, engine, history, tmp_path):
    from analytics import charts, executor
    from analytics.query import AnalyticsQuery

    q = AnalyticsQuery(metric="bodyweight", period="this year")
    r = executor.resolve(q, history.id, today=date(2026, 11, 24), engine=engine)
    frame = executor.compute(r)
    fig = charts.figure(frame, r)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Body weight (kg)" and "this year" in ax.get_title(loc="left")

    def draw(i: int) -> tuple[int, int]:
        return Image.open(charts.render(frame, r, tmp_path / f"c{i}.png")).size

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(draw, range(8))) == {(1200, 630)}
