from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from storage.accounts import AccountError, authenticate, create_account, get_profile, update_profile
from storage.migrate import current_heads, upgrade
from storage.uploads import UploadRejected, sniff_mime, store_upload


def test_migrations_create_core_and_chat_tables(engine):
    tables = set(inspect(engine).get_table_names())
    assert {"accounts", "profiles", "uploads", "jobs", "users", "threads", "steps", "elements"} <= tables
    step_cols = {c["name"] for c in inspect(engine).get_columns("steps")}
    assert "autoCollapse" in step_cols  # the column Chainlit's documented schema lacks
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    applied, todo = set(), list(current_heads(engine))
    while todo:  # everything the database's heads stand on, dependencies included
        rev = script.get_revision(todo.pop())
        if rev.revision not in applied:
            applied.add(rev.revision)
            todo.extend(rev._all_down_revisions)
    assert applied == {r.revision for r in script.walk_revisions()}
    before = current_heads(engine)
    upgrade(engine=engine)  # idempotent
    assert current_heads(engine) == before


def test_sqlite_runs_in_wal_with_foreign_keys(engine):
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_accounts_hash_and_check_passwords(engine):
    acc = create_account("lifter", "squat-140-kg", engine=engine)
    assert acc.password_hash.startswith("$argon2")
    assert authenticate("lifter", "squat-140-kg", engine)
    assert authenticate("lifter", "wrong-password", engine) is None
    assert authenticate("nobody", "squat-140-kg", engine) is None
    with pytest.raises(AccountError, match="taken"):
        create_account("lifter", "another-pass", engine=engine)
    with pytest.raises(AccountError, match="at least"):
        create_account("short", "abc", engine=engine)


def test_profile_update_rejects_unknown_fields(engine, account):
    update_profile(account.id, {"height_cm": 181.0, "timezone": "Europe/Berlin"}, engine)
    assert get_profile(account.id, engine).height_cm == 181.0
    with pytest.raises(AccountError):
        update_profile(account.id, {"password_hash": "x"}, engine)


def _store(tmp_path: Path, settings, account, engine, name: str, data: bytes):
    src = tmp_path / name
    src.write_bytes(data)
    return store_upload(src, filename=name, account_id=account.id, files_dir=settings.files_dir,
                        max_bytes=1024, allowed=settings.allowed_upload_types, engine=engine)  # fmt: skip


def test_upload_types_by_content_not_extension(tmp_path, settings, engine, account):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    stored = _store(tmp_path, settings, account, engine, "photo.mp4", png)  # lying extension
    assert stored.mime == "image/png" and stored.path.exists()
    with pytest.raises(UploadRejected, match="type"):
        _store(tmp_path, settings, account, engine, "x.mp4", b"\x7fELF" + b"\x01" * 60)
    with pytest.raises(UploadRejected, match="empty"):
        _store(tmp_path, settings, account, engine, "empty.mp4", b"")
    with pytest.raises(UploadRejected, match="limit"):
        _store(tmp_path, settings, account, engine, "big.png", png + b"\x00" * 2048)
    # nothing of the rejected files was kept
    kept = list((settings.files_dir / "uploads").rglob("*"))
    assert [p for p in kept if p.is_file()] == [stored.path]


def test_sniff_text_files():
    assert sniff_mime(b"date,food,kcal\n2024-01-01,egg,78\n", "diary.csv") == "text/csv"
    assert sniff_mime(b"just some notes", "n.txt") == "text/plain"
    assert sniff_mime(b"") is None


def test_nutrient_columns_match_the_nutrients_type():
    """The three food tables store exactly the values `nutrition.Nutrients` carries, no more, no less."""
    from nutrition.nutrients import FIELDS
    from storage.tables.nutrition import NutrientColumns

    assert list(NutrientColumns.model_fields) == list(FIELDS)
