"""The account and profile services called directly (as the chat tools, the web layer and the CLI call them)."""

from __future__ import annotations

import pytest

from services.accounts import AccountError, show_profile, update_profile


def test_the_profile_shows_what_is_known_and_saves_only_what_was_said(engine, account):
    before = show_profile(account.id, engine)
    assert before.username == "athlete" and before.height_cm is None and before.unit_system == "metric"
    saved = update_profile(account.id, {"height_cm": 180.0, "unit_system": "imperial", "goal": None}, engine)
    assert saved == {"height_cm": 180.0, "unit_system": "imperial"}  # None: not said, left alone
    after = show_profile(account.id, engine)
    assert after.height_cm == 180.0 and after.unit_system == "imperial" and after.goal is None


def test_nothing_to_change_and_unknown_accounts_are_errors(engine, account):
    with pytest.raises(AccountError, match="Tell me what to change"):
        update_profile(account.id, {"goal": None}, engine)
    with pytest.raises(AccountError, match="sign in again"):
        show_profile(account.id + 99, engine)
