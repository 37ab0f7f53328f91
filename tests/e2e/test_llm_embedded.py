"""In the browser, a chit-chat line is answered by the real embedded LLM server (llama.cpp), and when
that server dies mid-chat the app says so and keeps running.

The model is the installed default-size Qwen when present, else SmolLM2-135M (pulled for real by the
fixture). Skipped with the reason when the llm_server environment or Chromium is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import browser, login, new_page, send, wait_for_assistant, wait_ready
from support.llm import behaviour_threads, browser_test_model, llm_server

from powerforge.config import Settings
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import upgrade

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHAT_POST = 'POST /v1/chat/completions HTTP/1.1" 200'


def test_reply_comes_from_the_embedded_llm_and_its_death_is_reported(app_factory, tmp_path: Path) -> None:
    model = browser_test_model()
    settings = Settings(_env_file=None, data_dir=tmp_path / "var")
    settings.ensure_dirs()
    engine = make_engine(settings.db_url)
    upgrade(engine=engine)
    create_account("carol", "carol-pass-1", engine=engine)
    engine.dispose()

    llm_logs = tmp_path / "llm"
    llm_logs.mkdir()
    with llm_server(model, llm_logs, threads=behaviour_threads()) as llm:
        server = app_factory(settings.data_dir, LLM_BASE_URL=llm.settings.llm_base_url,
                             LLM_MODEL=llm.settings.llm_model, LLM_TIMEOUT_S="600")  # fmt: skip
        with browser(server.url) as b:
            page = new_page(b, server.url)
            login(page, server.url, "carol", "carol-pass-1")
            wait_ready(page)
            wait_for_assistant(page, 1)  # the welcome message
            served_before = llm.log().count(CHAT_POST)

            send(page, "Hi coach! I'm new here and a bit nervous about my first session.")
            reply = wait_for_assistant(page, 2, timeout=600)[-1]
            assert reply.strip()
            assert "<tool_call>" not in reply and '"arguments"' not in reply  # no raw call JSON shown
            assert llm.log().count(CHAT_POST) > served_before  # the model really answered

            # the LLM server dies mid-chat: a clear message, and the app keeps answering
            llm.stop()
            send(page, "What should I eat before training?")
            msgs = wait_for_assistant(page, 3, timeout=300)
            assert "can't reach the language model" in msgs[-1]
            send(page, "convert 100 kg to lb")
            assert "220.462 lb" in wait_for_assistant(page, 4, timeout=120)[-1]
