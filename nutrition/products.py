"""Barcode -> product, cache first: the local copy answers when it is fresh or when OFF cannot.

The cache keeps the raw OFF fields (not our normalised numbers), so a better normaliser improves old
lookups too. A product OFF does not know is remembered for a day, so a retyped wrong code does not
spend the rate budget again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from nutrition.barcode import normalise
from nutrition.foods import Food
from nutrition.normalise import normalise_product
from nutrition.off import OffClient, OffUnavailable
from storage import nutrition as repo

NOT_FOUND_TTL = timedelta(days=1)


class ProductUnavailable(Exception):
    """No cached copy and Open Food Facts cannot answer; the message says why and what to do."""


@dataclass
class BarcodeLookup:
    code: str
    food: Food | None
    source: str  # cache | network | stale-cache
    notes: list[str] = field(default_factory=list)


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def cached_food(code: str, engine: Engine | None = None) -> Food | None:
    """The cached product as a Food, without any network (None when not cached or not found)."""
    row = repo.get_cached_product(code, engine)
    if row is None or row.status != "found" or not row.product:
        return None
    return normalise_product(row.product, code)


def lookup_barcode(
    raw_code: str,
    settings: Any,
    engine: Engine | None = None,
    *,
    client: OffClient | None = None,
    now: datetime | None = None,
) -> BarcodeLookup:
    """Find a product by barcode; raises BarcodeError (bad code) or ProductUnavailable (no answer at all)."""
    code = normalise(raw_code)
    now = now or datetime.now(UTC)
    row = repo.get_cached_product(code, engine)
    if row is not None:
        age = now - _aware(row.fetched_at)
        fresh = age < (timedelta(days=settings.off_cache_days) if row.status == "found" else NOT_FOUND_TTL)
        if fresh:
            food = normalise_product(row.product, code) if row.status == "found" and row.product else None
            return BarcodeLookup(code, food, "cache")
    if not settings.off_enabled:
        if row is not None and row.status == "found" and row.product:
            return BarcodeLookup(code, normalise_product(row.product, code), "stale-cache", ["Open Food Facts is off"])
        raise ProductUnavailable(
            f"I don't have {code} saved and Open Food Facts lookups are switched off; "
            "you can add it as a custom food with its label values."
        )
    client = client or OffClient.from_settings(settings)
    try:
        product = client.product(code)
    except OffUnavailable as e:
        if row is not None and row.status == "found" and row.product:
            fetched = _aware(row.fetched_at).date().isoformat()
            note = f"{e} Showing the copy saved on {fetched}."
            return BarcodeLookup(code, normalise_product(row.product, code), "stale-cache", [note])
        raise ProductUnavailable(
            f"{e} I have no saved copy of {code}; try again later or add it as a custom food."
        ) from e
    if product is None:
        repo.put_cached_product(code, "not_found", None, fetched_at=now, engine=engine)
        return BarcodeLookup(code, None, "network")
    food = normalise_product(product, code)
    repo.put_cached_product(code, "found", product, name=food.name, brand=food.brand, fetched_at=now, engine=engine)
    return BarcodeLookup(code, food, "network")
