"""Nutrition repositories: the only place nutrition data meets SQL.

Every function takes the account id and filters by it (the product cache, public data, excepted).
Writes that belong together (a logged meal, an import, approving a target) are one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, delete, func
from sqlmodel import col, select

from storage.engine import read_session, saved_id, transaction
from storage.tables.core import new_id, utcnow
from storage.tables.nutrition import (
    NutritionActivity,
    NutritionEntry,
    NutritionFavourite,
    NutritionFood,
    NutritionRecipeItem,
    NutritionTarget,
    NutritionWeight,
    OffProduct,
)

NUTRIENT_COLUMNS = ("kcal", "protein_g", "carbs_g", "fat_g", "fiber_g", "sugars_g", "sat_fat_g", "sodium_mg")


# --- diary -------------------------------------------------------------------------------------
def add_entries(
    account_id: int, entries: Iterable[dict[str, Any]], *, batch_id: str | None = None, engine: Engine | None = None
) -> list[NutritionEntry]:
    """Insert several entries as one action (one batch id, so one 'undo' removes them all)."""
    batch = batch_id or new_id()
    rows = [NutritionEntry(account_id=account_id, batch_id=batch, **e) for e in entries]
    with transaction(engine) as s:
        for row in rows:
            s.add(row)
    return rows


def list_entries(
    account_id: int, start: date, end: date | None = None, *, meal: str | None = None, engine: Engine | None = None
) -> list[NutritionEntry]:
    """Entries from `start` to `end` inclusive (one day when `end` is None), in logging order."""
    with read_session(engine) as s:
        q = select(NutritionEntry).where(
            col(NutritionEntry.account_id) == account_id,
            col(NutritionEntry.day) >= start,
            col(NutritionEntry.day) <= (end or start),
        )
        if meal:
            q = q.where(col(NutritionEntry.meal) == meal)
        return list(
            s.exec(q.order_by(col(NutritionEntry.day), col(NutritionEntry.logged_at), col(NutritionEntry.created_at)))
        )


def get_entry(account_id: int, entry_id: str, engine: Engine | None = None) -> NutritionEntry | None:
    with read_session(engine) as s:
        row = s.get(NutritionEntry, entry_id)
    return row if row is not None and row.account_id == account_id else None


def last_batch(account_id: int, engine: Engine | None = None) -> list[NutritionEntry]:
    """The entries of the most recent log action (what 'undo' removes)."""
    with read_session(engine) as s:
        latest = s.exec(
            select(col(NutritionEntry.batch_id))
            .where(col(NutritionEntry.account_id) == account_id)
            .order_by(col(NutritionEntry.created_at).desc())
            .limit(1)
        ).first()
        if latest is None:
            return []
        q = select(NutritionEntry).where(
            col(NutritionEntry.account_id) == account_id, col(NutritionEntry.batch_id) == latest
        )
        return list(s.exec(q))


def batch_entries(account_id: int, batch_id: str, engine: Engine | None = None) -> list[NutritionEntry]:
    with read_session(engine) as s:
        q = select(NutritionEntry).where(
            col(NutritionEntry.account_id) == account_id, col(NutritionEntry.batch_id) == batch_id
        )
        return list(s.exec(q))


def delete_entries(account_id: int, entry_ids: Iterable[str], engine: Engine | None = None) -> int:
    ids = list(entry_ids)
    if not ids:
        return 0
    with transaction(engine) as s:
        result = s.exec(
            delete(NutritionEntry).where(col(NutritionEntry.account_id) == account_id, col(NutritionEntry.id).in_(ids))
        )
        return int(result.rowcount or 0)


def update_entry(
    account_id: int, entry_id: str, changes: dict[str, Any], engine: Engine | None = None
) -> NutritionEntry:
    with transaction(engine) as s:
        row = s.get(NutritionEntry, entry_id)
        if row is None or row.account_id != account_id:
            raise LookupError("No such diary entry.")
        for k, v in changes.items():
            setattr(row, k, v)
        s.add(row)
        return row


def daily_totals(
    account_id: int, start: date, end: date, engine: Engine | None = None
) -> dict[date, dict[str, float | None]]:
    """Sum of each nutrient per day (days without entries are absent)."""
    cols = [func.sum(getattr(NutritionEntry, c)).label(c) for c in NUTRIENT_COLUMNS]
    with read_session(engine) as s:
        rows = s.exec(
            select(col(NutritionEntry.day), func.count(), *cols)
            .where(
                col(NutritionEntry.account_id) == account_id,
                col(NutritionEntry.day) >= start,
                col(NutritionEntry.day) <= end,
            )
            .group_by(col(NutritionEntry.day))
            .order_by(col(NutritionEntry.day))
        ).all()
    out: dict[date, dict[str, float | None]] = {}
    for row in rows:
        day, count, values = row[0], row[1], list[Any](row[2:])
        totals: dict[str, float | None] = {"entries": count}
        for c, v in zip(NUTRIENT_COLUMNS, values, strict=True):
            totals[c] = None if v is None else float(v)
        out[day] = totals
    return out


def recent_foods(account_id: int, limit: int = 10, engine: Engine | None = None) -> list[dict[str, Any]]:
    """Foods logged lately, most recent first, one row per food with how often it was logged."""
    with read_session(engine) as s:
        rows = s.exec(
            select(
                col(NutritionEntry.food_ref),
                func.max(col(NutritionEntry.food_name)),
                func.count(),
                func.max(col(NutritionEntry.created_at)),
            )
            .where(
                col(NutritionEntry.account_id) == account_id,
                col(NutritionEntry.food_ref).notin_(("quick", "import")),
            )
            .group_by(col(NutritionEntry.food_ref))
            .order_by(func.max(col(NutritionEntry.created_at)).desc())
            .limit(limit)
        ).all()
        out = []
        for ref, name, count, last in rows:
            latest = s.exec(
                select(col(NutritionEntry.amount_text))
                .where(col(NutritionEntry.account_id) == account_id, col(NutritionEntry.food_ref) == ref)
                .order_by(col(NutritionEntry.created_at).desc())
                .limit(1)
            ).first()
            out.append({"food_ref": ref, "name": name, "times": count, "last": last, "amount_text": latest or ""})
        return out


def replace_imported(
    account_id: int, source: str, days: Iterable[date], entries: list[dict[str, Any]], engine: Engine | None = None
) -> tuple[int, int]:
    """Re-importing a file replaces what the same source imported for those days (never chat entries).

    Returns (removed, inserted). One transaction: a failure leaves the diary as it was.
    """
    day_list = sorted(set(days))
    batch = new_id()
    with transaction(engine) as s:
        removed = 0
        if day_list:
            result = s.exec(
                delete(NutritionEntry).where(
                    col(NutritionEntry.account_id) == account_id,
                    col(NutritionEntry.source) == source,
                    col(NutritionEntry.day).in_(day_list),
                )
            )
            removed = int(result.rowcount or 0)
        for e in entries:
            s.add(NutritionEntry(account_id=account_id, batch_id=batch, source=source, **e))
    return removed, len(entries)


def replace_imported_activity(
    account_id: int, source: str, days: Iterable[date], rows: list[dict[str, Any]], engine: Engine | None = None
) -> tuple[int, int]:
    """Exercise rows of an import replace what the same source stored for those days. (removed, inserted)"""
    day_list = sorted(set(days))
    with transaction(engine) as s:
        removed = 0
        if day_list:
            result = s.exec(
                delete(NutritionActivity).where(
                    col(NutritionActivity.account_id) == account_id,
                    col(NutritionActivity.source) == source,
                    col(NutritionActivity.day).in_(day_list),
                )
            )
            removed = int(result.rowcount or 0)
        for r in rows:
            s.add(NutritionActivity(account_id=account_id, source=source, **r))
    return removed, len(rows)


def list_activity(
    account_id: int, start: date, end: date | None = None, engine: Engine | None = None
) -> list[NutritionActivity]:
    with read_session(engine) as s:
        q = select(NutritionActivity).where(
            col(NutritionActivity.account_id) == account_id,
            col(NutritionActivity.day) >= start,
            col(NutritionActivity.day) <= (end or start),
        )
        return list(s.exec(q.order_by(col(NutritionActivity.day), col(NutritionActivity.id))))


# --- custom foods, recipes, favourites -----------------------------------------------------------
def create_food(account_id: int, fields: dict[str, Any], engine: Engine | None = None) -> NutritionFood:
    with transaction(engine) as s:
        row = NutritionFood(account_id=account_id, **fields)
        s.add(row)
        s.flush()
        return row


def create_recipe(
    account_id: int, fields: dict[str, Any], items: list[dict[str, Any]], engine: Engine | None = None
) -> NutritionFood:
    """A recipe and its ingredients in one transaction."""
    with transaction(engine) as s:
        recipe = NutritionFood(account_id=account_id, kind="recipe", **fields)
        s.add(recipe)
        recipe_id = saved_id(s, recipe)
        for i, item in enumerate(items):
            s.add(NutritionRecipeItem(recipe_id=recipe_id, account_id=account_id, position=i, **item))
        return recipe


def list_foods(account_id: int, kind: str | None = None, engine: Engine | None = None) -> list[NutritionFood]:
    with read_session(engine) as s:
        q = select(NutritionFood).where(
            col(NutritionFood.account_id) == account_id, col(NutritionFood.archived).is_(False)
        )
        if kind:
            q = q.where(col(NutritionFood.kind) == kind)
        return list(s.exec(q.order_by(col(NutritionFood.name))))


def get_food(account_id: int, food_id: int, engine: Engine | None = None) -> NutritionFood | None:
    with read_session(engine) as s:
        row = s.get(NutritionFood, food_id)
    return row if row is not None and row.account_id == account_id else None


def recipe_items(account_id: int, recipe_id: int, engine: Engine | None = None) -> list[NutritionRecipeItem]:
    with read_session(engine) as s:
        q = select(NutritionRecipeItem).where(
            col(NutritionRecipeItem.account_id) == account_id, col(NutritionRecipeItem.recipe_id) == recipe_id
        )
        return list(s.exec(q.order_by(col(NutritionRecipeItem.position))))


def add_favourite(
    account_id: int, food_ref: str, name: str, amount_text: str = "", engine: Engine | None = None
) -> NutritionFavourite:
    with transaction(engine) as s:
        row = s.exec(
            select(NutritionFavourite).where(
                col(NutritionFavourite.account_id) == account_id, col(NutritionFavourite.food_ref) == food_ref
            )
        ).first()
        if row is None:
            row = NutritionFavourite(account_id=account_id, food_ref=food_ref, name=name)
        row.amount_text = amount_text or row.amount_text
        s.add(row)
        return row


def list_favourites(account_id: int, engine: Engine | None = None) -> list[NutritionFavourite]:
    with read_session(engine) as s:
        q = select(NutritionFavourite).where(col(NutritionFavourite.account_id) == account_id)
        return list(s.exec(q.order_by(col(NutritionFavourite.name))))


def remove_favourite(account_id: int, food_ref: str, engine: Engine | None = None) -> bool:
    with transaction(engine) as s:
        result = s.exec(
            delete(NutritionFavourite).where(
                col(NutritionFavourite.account_id) == account_id, col(NutritionFavourite.food_ref) == food_ref
            )
        )
        return bool(result.rowcount)


# --- body weight ---------------------------------------------------------------------------------
def upsert_weight(
    account_id: int, day: date, weight_kg: float, source: str = "chat", engine: Engine | None = None
) -> NutritionWeight:
    with transaction(engine) as s:
        row = s.exec(
            select(NutritionWeight).where(
                col(NutritionWeight.account_id) == account_id, col(NutritionWeight.day) == day
            )
        ).first()
        if row is None:
            row = NutritionWeight(account_id=account_id, day=day, weight_kg=weight_kg, source=source)
        else:
            row.weight_kg, row.source, row.measured_at = weight_kg, source, utcnow()
        s.add(row)
        return row


def upsert_weights(account_id: int, weights: dict[date, float], source: str, engine: Engine | None = None) -> int:
    """Many days at once (imports), one transaction."""
    with transaction(engine) as s:
        existing = {
            w.day: w
            for w in s.exec(
                select(NutritionWeight).where(
                    col(NutritionWeight.account_id) == account_id, col(NutritionWeight.day).in_(list(weights))
                )
            )
        }
        for day, kg in weights.items():
            row = existing.get(day) or NutritionWeight(account_id=account_id, day=day, weight_kg=kg, source=source)
            row.weight_kg, row.source = kg, source
            s.add(row)
    return len(weights)


def list_weights(
    account_id: int, start: date | None = None, end: date | None = None, engine: Engine | None = None
) -> list[NutritionWeight]:
    with read_session(engine) as s:
        q = select(NutritionWeight).where(col(NutritionWeight.account_id) == account_id)
        if start:
            q = q.where(col(NutritionWeight.day) >= start)
        if end:
            q = q.where(col(NutritionWeight.day) <= end)
        return list(s.exec(q.order_by(col(NutritionWeight.day))))


# --- targets -------------------------------------------------------------------------------------
def active_target(account_id: int, engine: Engine | None = None) -> NutritionTarget | None:
    with read_session(engine) as s:
        return s.exec(
            select(NutritionTarget)
            .where(col(NutritionTarget.account_id) == account_id, col(NutritionTarget.status) == "active")
            .order_by(col(NutritionTarget.created_at).desc())
        ).first()


def add_target(account_id: int, fields: dict[str, Any], engine: Engine | None = None) -> NutritionTarget:
    """Store a target; an 'active' one replaces the current active, a 'proposed' one replaces older proposals."""
    status = fields.get("status", "active")
    with transaction(engine) as s:
        olds = s.exec(
            select(NutritionTarget).where(
                col(NutritionTarget.account_id) == account_id, col(NutritionTarget.status) == status
            )
        )
        for old in olds:
            old.status = "replaced" if status == "active" else "declined"
            old.decided_at = utcnow()
            s.add(old)
        row = NutritionTarget(account_id=account_id, **fields)
        if status == "active":
            row.decided_at = utcnow()
        s.add(row)
        s.flush()
        return row


def list_targets(account_id: int, engine: Engine | None = None) -> list[NutritionTarget]:
    with read_session(engine) as s:
        q = select(NutritionTarget).where(col(NutritionTarget.account_id) == account_id)
        return list(s.exec(q.order_by(col(NutritionTarget.created_at))))


def decide_target(account_id: int, target_id: int, approve: bool, engine: Engine | None = None) -> NutritionTarget:
    """Approve (it becomes the active target) or decline a proposal; nothing changes otherwise."""
    with transaction(engine) as s:
        row = s.get(NutritionTarget, target_id)
        if row is None or row.account_id != account_id:
            raise LookupError("No such target proposal.")
        if row.status != "proposed":
            raise LookupError(f"That proposal was already {row.status}.")
        if approve:
            for old in s.exec(
                select(NutritionTarget).where(
                    col(NutritionTarget.account_id) == account_id, col(NutritionTarget.status) == "active"
                )
            ):
                old.status, old.decided_at = "replaced", utcnow()
                s.add(old)
        row.status = "active" if approve else "declined"
        row.decided_at = utcnow()
        s.add(row)
        return row


# --- Open Food Facts cache (shared, public data) ------------------------------------------------
def get_cached_product(code: str, engine: Engine | None = None) -> OffProduct | None:
    with read_session(engine) as s:
        return s.get(OffProduct, code)


def put_cached_product(
    code: str,
    status: str,
    product: dict[str, Any] | None,
    *,
    name: str = "",
    brand: str = "",
    fetched_at: datetime | None = None,
    engine: Engine | None = None,
) -> OffProduct:
    with transaction(engine) as s:
        row = s.get(OffProduct, code) or OffProduct(code=code)
        row.status, row.product, row.name, row.brand = status, product, name, brand
        row.fetched_at = fetched_at or utcnow()
        s.add(row)
        return row


def count_cached_products(engine: Engine | None = None) -> int:
    with read_session(engine) as s:
        return int(s.exec(select(func.count()).select_from(OffProduct)).one())
