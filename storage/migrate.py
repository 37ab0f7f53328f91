"""Run Alembic migrations programmatically (on app start, from the CLI, in tests).

Each domain owns its own migration branch (`branch_labels=("<domain>",)`, `depends_on` the core
branch), so domains add migrations without touching each other's chains; we upgrade to `heads`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from storage.engine import short_lived_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    return cfg


def upgrade(url: str | None = None, engine: Engine | None = None) -> None:
    """Bring the database at `url` (or behind `engine`) to the newest schema of every branch."""
    if engine is None:
        from powerforge.config import get_settings

        engine = short_lived_engine(url or get_settings().db_url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def current_heads(engine: Engine) -> set[str]:
    """The revisions the database is at (for tests and `powerforge db status`)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())
