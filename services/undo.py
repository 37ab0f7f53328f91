"""Undo the last thing logged: which of the diary and the training log holds the most recent entry.

Shared by the domains (a food batch or a set), so it lives below them; each domain's own undo removes it.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Engine

from storage.nutrition import last_batch
from storage.training import last_set

Logged = Literal["food", "set"]


def last_logged(account_id: int, engine: Engine | None = None) -> Logged | None:
    """'food' or 'set', whichever was written last; None when the person has logged nothing."""
    food = last_batch(account_id, engine)
    lifted = last_set(account_id, engine=engine)
    food_at = max((e.created_at for e in food), default=None)
    set_at = lifted.created_at if lifted is not None else None
    if food_at is None and set_at is None:
        return None
    return "set" if food_at is None or (set_at is not None and set_at > food_at) else "food"
