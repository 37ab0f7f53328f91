"""Analytics in the browser on generated data: a chart inline with its numbers, follow-ups that refine
it, an empty domain, a future period, a question the catalogue can't answer, memory with dates, and
the weekly review. No language model runs: every line here takes the code path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support.app import browser, login, new_page, send, wait_for_assistant, wait_ready
from support.postgres import free_port

from analytics.generator import Spec, generate
from analytics.memory import Memory
from powerforge.config import Settings
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import upgrade

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def athlete(tmp_path: Path) -> Settings:
    settings = Settings(_env_file=None, data_dir=tmp_path / "var")
    settings.ensure_dirs()
    engine = make_engine(settings.db_url)
    upgrade(engine=engine)
    acc = create_account("lifter", "lifter-pass-1", engine=engine)
    create_account("newbie", "newbie-pass-1", engine=engine)
    generate(acc.id, Spec(years=1, end=date.today(), seed=5), engine)
    Memory(settings.data_dir, acc.id, engine).remember("Left knee started hurting on squats", date.today())
    engine.dispose()
    return settings


def images(page) -> int:
    return page.locator("img.inline-image, [data-step-type='assistant_message'] img").count()


def test_charts_follow_ups_memory_and_review_in_the_browser(app_factory, athlete: Settings):
    server = app_factory(athlete.data_dir, LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1")
    with browser(server.url) as b:
        page = new_page(b, server.url)
        login(page, server.url, "lifter", "lifter-pass-1")
        wait_ready(page)
        n = len(wait_for_assistant(page, 1))

        send(page, "weekly tonnage for the last 12 weeks")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "kg in total over 12 weeks" in msgs[-1] and "Week" in msgs[-1]
        page.wait_for_function("document.querySelectorAll('img').length > 0", timeout=30_000)
        shown = images(page)
        assert shown >= 1

        send(page, "as a line chart")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "kg in total" in msgs[-1]

        send(page, "show my squat e1RM over the last 6 months")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "Back Squat e1RM" in msgs[-1]
        send(page, "add deadlift")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "Back Squat e1RM" in msgs[-1] and "Deadlift e1RM" in msgs[-1]

        send(page, "tonnage next month")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "future" in msgs[-1]

        send(page, "how many hours of sleep did I get last week?")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "can't chart" in msgs[-1]

        send(page, "when did my knee start hurting?")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "First mention" in msgs[-1] and "knee" in msgs[-1].lower()

        send(page, "weekly review")
        msgs = wait_for_assistant(page, n + 1)
        assert "Training" in msgs[-1] and "Food" in msgs[-1] and "Boxing" in msgs[-1]

        other = new_page(b, server.url)
        login(other, server.url, "newbie", "newbie-pass-1")
        wait_ready(other)
        m = len(wait_for_assistant(other, 1))
        send(other, "weekly tonnage for the last 12 weeks")
        msgs = wait_for_assistant(other, m + 1)
        assert "Nothing logged yet" in msgs[-1]
