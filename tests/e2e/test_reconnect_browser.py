"""The app process dies in the middle of a turn: the open tab comes back to its own thread, is told plainly
which line was never answered, and carries on there (issue 18: nothing lost without a word).

One app process on SQLite with the real embedded language model (llama.cpp). A line only the model can
answer keeps the turn running for seconds; the app is SIGKILLed while it runs and started again on the same
port. The browser is never reloaded: its socket reconnects by itself. The lines are this test's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from support.app import browser, login, new_page, seeded_data_dir, send, wait_for_assistant, wait_ready
from support.llm import behaviour_threads, browser_test_model, llm_server

from storage.engine import make_engine
from storage.tables.core import ChatSession

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
RESTARTED = "The server restarted before I answered"


def test_a_line_lost_with_its_process_is_named_and_the_tab_carries_on_in_its_thread(app_factory, tmp_path: Path):
    model = browser_test_model()
    settings, _ids = seeded_data_dir(tmp_path, {"sam": "sam-pass-1"})
    with llm_server(model, tmp_path, threads=behaviour_threads()) as llm:
        env = {"LLM_BASE_URL": llm.settings.llm_base_url, "LLM_MODEL": llm.settings.llm_model, "LLM_TIMEOUT_S": "600"}
        server = app_factory(settings.data_dir, **env)
        with browser(server.url) as b:
            page = new_page(b, server.url)
            login(page, server.url, "sam", "sam-pass-1")
            wait_ready(page)
            n = len(wait_for_assistant(page, 1))
            send(page, "squat 80x5x3 @7")
            assert "Logged" in wait_for_assistant(page, n + 1)[-1]

            asked = "my legs felt heavy after yesterday's squats, how should I warm up today?"
            send(page, asked)
            page.wait_for_timeout(2000)  # the line is stored and the model is still on it
            assert server.proc is not None
            server.proc.kill()  # SIGKILL: no clean-up, like a crash
            server.proc.wait()
            server.start()

            notice = page.get_by_text(RESTARTED, exact=False).first
            notice.wait_for(timeout=180_000)  # the tab reconnected by itself and was told
            assert asked[:40] in notice.inner_text()
            n = len(wait_for_assistant(page, 1))
            send(page, "bench 60x5x3 @8")
            assert "Logged" in wait_for_assistant(page, n + 1, timeout=300)[-1]

    with Session(make_engine(settings.db_url)) as s:  # one thread for the whole conversation
        assert len({row.thread_id for row in s.exec(select(ChatSession)).all()}) == 1
