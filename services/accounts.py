"""Account and profile actions, and the per-turn context every service is handed.

The chat tools (`whoami`, `update_profile`), the web layer and the CLI call these instead of storage: what
a profile shows and which fields may change are decided here, how they read is up to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from storage.accounts import AccountContext, AccountError, account_context, get_account, get_profile
from storage.accounts import update_profile as _update_profile

__all__ = ["AccountContext", "AccountError", "ProfileView", "show_profile", "turn_context", "update_profile"]


def turn_context(account_id: int, engine: Engine | None = None, now: datetime | None = None) -> AccountContext:
    """Who is asking and when (timezone, local now and today, unit system), resolved once per turn or job."""
    return account_context(account_id, engine, now)


@dataclass(frozen=True)
class ProfileView:
    """The account and profile as the person sees them; None where nothing is known."""

    username: str
    display_name: str  # "" when not given
    unit_system: str
    timezone: str
    sex: str | None
    birth_year: int | None
    height_cm: float | None
    activity_level: str | None
    experience: str | None
    goal: str | None
    stance: str | None


def show_profile(account_id: int, engine: Engine | None = None) -> ProfileView:
    """Raises AccountError when the account is gone (a stale session)."""
    account = get_account(account_id, engine)
    if account is None:
        raise AccountError("I can't find your account; please sign in again.")
    p = get_profile(account_id, engine)
    return ProfileView(
        username=account.username, display_name=account.display_name, unit_system=account.unit_system,
        timezone=account.timezone, sex=p.sex, birth_year=p.birth_year, height_cm=p.height_cm,
        activity_level=p.activity_level, experience=p.experience, goal=p.goal, stance=p.stance,
    )  # fmt: skip


def update_profile(account_id: int, changes: dict[str, object], engine: Engine | None = None) -> dict[str, object]:
    """Save the fields the person stated (None: not stated, left alone) in one transaction; returns what changed.
    Raises AccountError for nothing to change or an unknown field."""
    said = {k: v for k, v in changes.items() if v is not None}
    if not said:
        raise AccountError("Tell me what to change, e.g. 'I'm 180 cm', 'use pounds' or 'my timezone is Europe/Berlin'.")
    _update_profile(account_id, said, engine)
    return said
