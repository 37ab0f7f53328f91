"""Accounts and profiles: creating users, checking passwords (argon2), reading the profile."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlmodel import col, select

from powerforge.clock import local_now, zone_or_utc
from storage.engine import read_session, saved_id, transaction
from storage.tables.core import Account, Profile, utcnow

_HASHER = PasswordHasher()
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD = 8


class AccountError(ValueError):
    """A user-facing problem with an account request (taken name, weak password)."""


def create_account(
    username: str,
    password: str,
    *,
    is_admin: bool = False,
    display_name: str = "",
    engine: Engine | None = None,
) -> Account:
    """Create a user with a hashed password; raises AccountError with a readable reason."""
    if not USERNAME_RE.match(username):
        raise AccountError("Usernames are 2-64 characters: letters, digits, '_', '.', '@' or '-'.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")
    with transaction(engine) as s:
        if s.exec(select(Account).where(col(Account.username) == username)).first():
            raise AccountError(f"The username '{username}' is taken.")
        account = Account(
            username=username,
            password_hash=_HASHER.hash(password),
            is_admin=is_admin,
            display_name=display_name or username,
        )
        s.add(account)
        s.add(Profile(account_id=saved_id(s, account)))
        return account


def set_password(username: str, password: str, engine: Engine | None = None) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")
    with transaction(engine) as s:
        account = s.exec(select(Account).where(col(Account.username) == username)).first()
        if account is None:
            raise AccountError(f"No user called '{username}'.")
        account.password_hash = _HASHER.hash(password)


def authenticate(username: str, password: str, engine: Engine | None = None) -> Account | None:
    """The account if the password matches, else None (same answer for unknown users: no probing)."""
    with read_session(engine) as s:
        account = s.exec(select(Account).where(col(Account.username) == username)).first()
    if account is None:
        _HASHER.hash(password)  # spend the same time as a real check
        return None
    try:
        _HASHER.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return account


def get_account(account_id: int, engine: Engine | None = None) -> Account | None:
    with read_session(engine) as s:
        return s.get(Account, account_id)


@dataclass(frozen=True)
class AccountContext:
    """Who is asking and when, resolved once (per chat turn, job or command) and handed to services."""

    account_id: int
    timezone: str  # a valid IANA name: UTC when the account has none, an unknown one, or no account exists
    stored_timezone: str | None  # what the account row holds, unchecked (None: no such account)
    unit_system: Literal["metric", "imperial"]
    now: datetime  # aware, on the person's clock

    @property
    def zone(self) -> ZoneInfo:
        return zone_or_utc(self.timezone)

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def mass_unit(self) -> Literal["kg", "lb"]:
        return "lb" if self.unit_system == "imperial" else "kg"


def account_context(account_id: int, engine: Engine | None = None, now: datetime | None = None) -> AccountContext:
    """The one place timezone, local now/today and unit system are read for an account (`now`: the instant,
    default the current one). Everything that needs "today" for a person derives it from here."""
    account = get_account(account_id, engine)
    stored = account.timezone if account is not None else None
    tz = zone_or_utc(stored).key
    units: Literal["metric", "imperial"] = (
        "imperial" if account is not None and account.unit_system == "imperial" else "metric"
    )
    return AccountContext(account_id, tz, stored, units, local_now(tz, now))


def get_account_by_name(username: str, engine: Engine | None = None) -> Account | None:
    with read_session(engine) as s:
        return s.exec(select(Account).where(col(Account.username) == username)).first()


def list_accounts(engine: Engine | None = None) -> list[Account]:
    with read_session(engine) as s:
        return list(s.exec(select(Account).order_by(col(Account.id))))


def get_profile(account_id: int, engine: Engine | None = None) -> Profile:
    with read_session(engine) as s:
        return s.get(Profile, account_id) or Profile(account_id=account_id)


PROFILE_FIELDS = (
    "sex", "birth_year", "height_cm", "activity_level", "experience", "goal", "stance", "e1rm_formula",
    "typed_load_unit",
)  # fmt: skip
ACCOUNT_FIELDS = ("display_name", "timezone", "unit_system")


def update_profile(account_id: int, changes: dict[str, object], engine: Engine | None = None) -> Profile:
    """Apply the given profile/account fields in one transaction; unknown keys are refused."""
    unknown = set(changes) - set(PROFILE_FIELDS) - set(ACCOUNT_FIELDS)
    if unknown:
        raise AccountError(f"Unknown profile field(s): {', '.join(sorted(unknown))}.")
    with transaction(engine) as s:
        profile = s.get(Profile, account_id) or Profile(account_id=account_id)
        account = s.get(Account, account_id)
        if account is None:
            raise AccountError("No such account.")
        for key, value in changes.items():
            setattr(account if key in ACCOUNT_FIELDS else profile, key, value)
        profile.updated_at = utcnow()
        s.add(profile)
        s.add(account)
        return profile
