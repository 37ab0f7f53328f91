"""Nutrition in the browser: log a meal by chat and see the table, pick an ambiguous food from its
buttons, ask what is left. No language model runs: every line here takes the code path, and every
number shown is checked against the USDA table it came from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support.app import browser, login, new_page, seeded_data_dir, send, wait_for_assistant, wait_ready
from support.postgres import free_port

from powerforge.config import Settings
from storage import nutrition as repo
from storage.engine import make_engine

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def eater(tmp_path: Path) -> tuple[Settings, int]:
    settings, ids = seeded_data_dir(tmp_path, {"eater": "eater-pass-1"})
    return settings, ids["eater"]


def test_log_a_meal_by_chat_and_see_the_table(app_factory, eater):
    settings, account_id = eater
    server = app_factory(settings.data_dir, LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1")
    with browser(server.url) as b:
        page = new_page(b, server.url)
        login(page, server.url, "eater", "eater-pass-1")
        wait_ready(page)
        n = len(wait_for_assistant(page, 1))

        send(page, "had 2 eggs and a slice of toast for breakfast")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        reply = msgs[-1]
        assert "Logged to Breakfast" in reply
        assert "Egg, whole, raw, fresh" in reply and "Bread, white, commercially prepared, toasted" in reply
        assert "2 × large = 100 g" in reply and "1 slice = 22 g" in reply
        # 2 eggs: 100 g x 143 kcal/100 g; toast: 22 g x 293 kcal/100 g; total 207 kcal
        table = page.locator("[data-step-type='assistant_message'] table").last
        cells = table.locator("td").all_inner_texts()
        assert "143" in cells and "64" in cells and "207" in cells

        send(page, "had rice for lunch")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "could be several foods" in msgs[-1]
        page.get_by_role("button", name="Rice, white, long-grain, regular, cooked · 1 cup = 158 g · 205 kcal").click()
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "Logged to Lunch" in msgs[-1] and "1 cup = 158 g" in msgs[-1]

        send(page, "how much do I have left today?")
        msgs = wait_for_assistant(page, n + 1)
        day = msgs[-1]
        assert "Breakfast" in day and "Lunch" in day and "Total" in day
        assert "413" in day  # 143 + 64.46 + 205.4 = 412.86 kcal

    engine = make_engine(settings.db_url)
    rows = repo.list_entries(account_id, date.today(), engine=engine)
    engine.dispose()
    assert [r.food_ref for r in rows] == ["usda:01123", "usda:18070", "usda:20045"]
    assert sum(r.kcal for r in rows) == pytest.approx(143 + 0.22 * 293 + 1.58 * 130)
