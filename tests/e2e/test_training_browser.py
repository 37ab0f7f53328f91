"""Training in the browser: ask for a program, read the table, approve it with the button, see today's
workout, log a set and get the progression. No language model runs: each line takes the code path."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import browser, login, new_page, seeded_data_dir, send, wait_for_assistant, wait_ready
from support.postgres import free_port

from powerforge.config import Settings
from storage import training as repo
from storage.engine import make_engine

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def lifter(tmp_path: Path) -> tuple[Settings, int]:
    settings, ids = seeded_data_dir(tmp_path, {"lifter": "lifter-pass-1"})
    return settings, ids["lifter"]


def test_approve_a_program_and_log_a_set(app_factory, lifter):
    settings, account_id = lifter
    server = app_factory(settings.data_dir, LLM_BASE_URL=f"http://127.0.0.1:{free_port()}/v1")
    with browser(server.url) as b:
        page = new_page(b, server.url)
        login(page, server.url, "lifter", "lifter-pass-1")
        wait_ready(page)
        n = len(wait_for_assistant(page, 1))

        send(page, "novice linear program 3 days a week, squat 100 bench 80 deadlift 120")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "Novice Linear Progression" in msgs[-1] and "Nothing is saved until you approve it" in msgs[-1]
        table = page.locator("[data-step-type='assistant_message'] table").last
        assert "Back Squat" in table.inner_text() and "70 kg" in table.inner_text()

        page.get_by_role("button", name="✅ Save program").click()
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "Saved" in msgs[-1] and "Workout A" in msgs[-1]

        send(page, "what's my workout today?")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "Workout A" in msgs[-1] and "Back Squat" in msgs[-1] and "70 kg" in msgs[-1]

        send(page, "squat 70x5, 5, 5 @7")
        msgs = wait_for_assistant(page, n + 1)
        n = len(msgs)
        assert "Logged" in msgs[-1] and "Next Back Squat: 3×5 at 75 kg" in msgs[-1]
        page.get_by_role("button", name="✅ Apply progression").click()
        msgs = wait_for_assistant(page, n + 1)
        assert "Progression applied" in msgs[-1]

    engine = make_engine(settings.db_url)
    last = repo.last_set(account_id, "back_squat", engine)
    row, _program = repo.active_program(account_id, engine)
    states = repo.get_progress(account_id, row.lineage_id, engine)
    engine.dispose()
    assert (last.load_kg, last.reps, last.rpe) == (70, 5, 7)
    assert states["back_squat"].load_kg == 75
