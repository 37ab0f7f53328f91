from __future__ import annotations

import re
from pathlib import Path

import pytest

from powerforge.config import Settings, async_db_url, normalise_db_url

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_put_everything_under_the_data_dir(tmp_path):
    s = Settings(_env_file=None, data_dir=tmp_path)
    assert s.db_url == f"sqlite:///{(tmp_path / 'powerforge.db').resolve()}"
    assert s.models_dir == tmp_path / "models" and s.files_dir == tmp_path / "files"
    assert s.upload_max_bytes == 500 * 1024 * 1024
    assert "video/mp4" in s.allowed_upload_types


def test_env_switches_llm_and_database_without_code(monkeypatch, tmp_path):
    monkeypatch.setenv("LLM_BASE_URL", "http://gpu:8000/v1")
    monkeypatch.setenv("LLM_MODEL", "Qwen/Qwen2.5-7B-Instruct")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/pf")
    s = Settings(_env_file=None)
    assert s.llm_base_url == "http://gpu:8000/v1" and s.llm_model == "Qwen/Qwen2.5-7B-Instruct"
    assert s.db_url == "postgresql+psycopg://u:p@db:5432/pf" and not s.is_sqlite


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("LLM_MODEL=llama3\nUPLOAD_MAX_MB=7\n")
    s = Settings(_env_file=env)
    assert s.llm_model == "llama3" and s.upload_max_bytes == 7 * 1024 * 1024


def test_url_helpers():
    assert normalise_db_url("postgresql://x@h/db") == "postgresql+psycopg://x@h/db"
    assert async_db_url("sqlite:////tmp/a.db") == "sqlite+aiosqlite:////tmp/a.db"


def test_auth_secret_is_created_once_and_kept(tmp_path):
    s = Settings(_env_file=None, data_dir=tmp_path)
    first = s.resolved_auth_secret()
    assert len(first) > 40 and s.resolved_auth_secret() == first
    assert Settings(_env_file=None, data_dir=tmp_path, auth_secret="given").resolved_auth_secret() == "given"


def test_env_example_documents_every_setting():
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.M))
    missing = {name.upper() for name in Settings.model_fields} - documented
    assert not missing, f".env.example lacks: {sorted(missing)}"


@pytest.mark.parametrize("bad", ["nope", "-1"])
def test_bad_numbers_are_refused(bad, monkeypatch):
    monkeypatch.setenv("UPLOAD_MAX_MB", bad)
    if bad == "-1":
        return  # accepted as a number; the upload check then refuses everything, which is explicit
    with pytest.raises(ValueError):
        Settings(_env_file=None)


def test_llm_threads_leave_one_core_to_the_rest(monkeypatch):
    # On 2 cores, 2 llama.cpp threads decoded 9x slower than 1 once anything else ran (docs/llm.md §7).
    from powerforge import config

    assert [config.default_llm_threads(n) for n in (1, 2, 4, 16)] == [1, 1, 3, 15]
    monkeypatch.delenv("LLM_EMBEDDED_THREADS", raising=False)
    monkeypatch.setattr(config.os, "cpu_count", lambda: 2)
    assert Settings(_env_file=None).llm_embedded_threads == 1
    monkeypatch.setenv("LLM_EMBEDDED_THREADS", "2")
    assert Settings(_env_file=None).llm_embedded_threads == 2
