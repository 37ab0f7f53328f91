"""The food diary: find foods for one person, turn meal lines into entries, undo, edit, copy.

This module glues the pure parts (parser, food table, portions) to storage. Every entry stores a
snapshot of the per-100 values, measures and flags it was logged with, so a later change to a food
(or to the USDA table) never rewrites history, and an edit re-computes from that snapshot.

Foods are looked up in this order: the person's own foods and recipes (exact name), the alias table,
then the ranked generic table. A phrase that does not clearly mean one food comes back as
'ambiguous' with the top matches, for the person to pick; it is never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from nutrition.foods import Food, FoodHit, Measure, generic_foods
from nutrition.meal_text import MEALS, parse_meal_line
from nutrition.nutrients import FIELDS, Nutrients, total
from nutrition.portion import Portion, PortionError, absurd_reason, portion
from nutrition.products import cached_food
from nutrition.quantity import DEFAULT_AMOUNT, Amount, ParsedItem, QuantityError, parse_amount
from nutrition.text import key, tokens
from storage import nutrition as repo
from storage.accounts import account_context
from storage.tables.nutrition import NutritionEntry, NutritionFood

Status = Literal["ok", "ambiguous", "unknown", "needs_amount", "confirm"]
CONFIDENT_SCORE = 5.0
CONFIDENT_MARGIN = 0.6


class DiaryError(ValueError):
    """A request about the diary that cannot be done as asked; the message says why."""


# --- time ------------------------------------------------------------------------------------------
def account_zone(account_id: int, engine: Engine | None = None) -> ZoneInfo:
    return account_context(account_id, engine).zone


def local_now(account_id: int, engine: Engine | None = None, now: datetime | None = None) -> datetime:
    return account_context(account_id, engine, now).now


def meal_for_time(local: datetime) -> str:
    """The meal a log without a meal word belongs to, by the person's local clock."""
    h = local.hour + local.minute / 60
    if 4 <= h < 10.5:
        return "breakfast"
    if 10.5 <= h < 15:
        return "lunch"
    if 17 <= h < 22:
        return "dinner"
    return "snack"


def parse_day(text: str | None, today: date) -> date:
    """'today', 'yesterday', an ISO date or a weekday name (the last one on or before today)."""
    if not text:
        return today
    t = text.strip().lower()
    if t in ("today", "tonight", "now"):
        return today
    if t == "yesterday":
        return today - timedelta(days=1)
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    if t in weekdays:
        return today - timedelta(days=(today.weekday() - weekdays.index(t)) % 7)
    try:
        return date.fromisoformat(t)
    except ValueError as e:
        raise DiaryError(f"'{text}' is not a day I understand (try 'today', 'yesterday' or 2026-11-20).") from e


# --- foods -----------------------------------------------------------------------------------------
def food_from_row(row: NutritionFood) -> Food:
    n = Nutrients(**{f: getattr(row, f) for f in FIELDS})
    measures = (Measure(row.serving_name or "serving", row.serving_g),) if row.serving_g else ()
    return Food(
        ref=f"{row.kind}:{row.id}",
        name=row.name,
        per100=n,
        basis="ml" if row.basis == "ml" else "g",
        measures=measures,
        brand=row.brand,
        source=row.kind,
        default_measure=(row.serving_name or "serving") if row.serving_g else None,
    )


def food_from_snapshot(ref: str, name: str, snap: dict[str, Any]) -> Food:
    """The Food an entry was logged with, rebuilt from its stored snapshot."""
    return Food(
        ref=ref,
        name=name,
        per100=Nutrients.from_mapping(snap.get("nutrients")),
        basis="ml" if snap.get("basis") == "ml" else "g",
        measures=tuple(Measure(m[0], float(m[1]), float(m[2])) for m in snap.get("measures", [])),
        brand=snap.get("brand", ""),
        source=snap.get("source", ""),
        default_measure=snap.get("default_measure"),
        confidence=float(snap.get("confidence", 1.0)),
        flags=tuple(snap.get("flags", ())),
    )


def snapshot(food: Food) -> dict[str, Any]:
    return {
        "basis": food.basis,
        "nutrients": food.per100.as_dict(),
        "measures": [[m.name, m.grams, m.amount] for m in food.measures],
        "default_measure": food.default_measure,
        "brand": food.brand,
        "source": food.source,
        "confidence": food.confidence,
        "flags": list(food.flags),
    }


@dataclass
class Match:
    hits: list[FoodHit]
    confident: bool


class FoodBook:
    """Finds foods for one account (its own foods first). Cheap to build; reads custom foods once."""

    def __init__(self, account_id: int | None, engine: Engine | None = None):
        self.account_id = account_id
        self.engine = engine
        self.generic = generic_foods()
        rows = repo.list_foods(account_id, engine=engine) if account_id is not None else []
        self._own = {key(r.name): food_from_row(r) for r in rows}

    def is_food(self, phrase: str) -> bool:
        return key(phrase) in self._own or self.generic.alias(phrase) is not None

    def find(self, phrase: str, limit: int = 5) -> Match:
        """Foods for a phrase, best first, and whether the first one is clearly meant."""
        k = key(phrase)
        if not k:
            return Match([], False)
        if k in self._own:
            return Match([FoodHit(self._own[k], 100.0, "custom")], True)
        words = set(k.split())
        own = [FoodHit(f, 50.0, "custom") for name, f in self._own.items() if words <= set(name.split())]
        generic = self.generic.search(phrase, limit)
        alias = self.generic.alias(phrase)
        if alias is not None and not alias.ambiguous:
            return Match((generic[:1] + own + generic[1:])[:limit], True)
        if alias is not None:
            return Match((own + generic)[:limit], False)
        hits = (own + generic)[:limit]
        if not hits:
            return Match([], False)
        top = generic[0].score if generic else 0.0
        second = generic[1].score if len(generic) > 1 else float("-inf")
        confident = not own and top >= CONFIDENT_SCORE and top - second >= CONFIDENT_MARGIN
        return Match(hits, confident)

    def by_ref(self, ref: str) -> Food:
        """A food by reference ('usda:09040', 'off:...', 'custom:3', 'recipe:4'); DiaryError if unknown."""
        kind, _, ident = ref.partition(":")
        food: Food | None = None
        if kind == "usda":
            food = self.generic.get(ident)
        elif kind == "off":
            food = cached_food(ident, self.engine)
        elif kind in ("custom", "recipe") and ident.isdigit() and self.account_id is not None:
            row = repo.get_food(self.account_id, int(ident), self.engine)
            food = food_from_row(row) if row is not None and not row.archived else None
        if food is None:
            raise DiaryError(f"I can't find the food '{ref}' any more; please name it again.")
        return food

    def chosen(self, ref: str, said: str = "") -> Food:
        """A food picked from buttons for what the person said: keeps the usual size the phrase implies
        ("rice" -> a cup), so '1 serving' means the same as it did on the button."""
        food = self.by_ref(ref)
        alias = self.generic.alias(said) if said else None
        if alias and alias.measure and food.ref.removeprefix("usda:") in alias.ids:
            return food.with_default(alias.measure)
        return food


# --- resolving items ---------------------------------------------------------------------------------
@dataclass
class ItemResult:
    """One food phrase, resolved as far as code can take it."""

    text: str
    food_text: str
    amount: Amount
    status: Status
    food: Food | None = None
    portion: Portion | None = None
    nutrients: Nutrients | None = None
    candidates: list[FoodHit] = field(default_factory=list)
    message: str = ""

    @property
    def amount_text(self) -> str:
        return self.amount.text if self.amount.explicit else ""


def _with_food(item: ParsedItem, food: Food, confirm: bool = False) -> ItemResult:
    try:
        p = portion(food, item.amount, item.food)
    except PortionError as e:
        return ItemResult(item.text, item.food, item.amount, "needs_amount", food, message=str(e))
    n = p.nutrients(food)
    reason = absurd_reason(p, n)
    if reason and not confirm:
        msg = f"{item.text or item.food}: that's {reason} — is that right?"
        return ItemResult(item.text, item.food, item.amount, "confirm", food, p, n, message=msg)
    return ItemResult(item.text, item.food, item.amount, "ok", food, p, n)


def resolve_item(item: ParsedItem, book: FoodBook, confirm: bool = False) -> ItemResult:
    match = book.find(item.food)
    if not match.hits:
        return ItemResult(
            item.text,
            item.food,
            item.amount,
            "unknown",
            message=f"I don't know '{item.food}'. Try another name, a barcode, or add it as a custom food.",
        )
    if not match.confident:
        return ItemResult(
            item.text,
            item.food,
            item.amount,
            "ambiguous",
            candidates=match.hits,
            message=f"Which '{item.food}' did you mean?",
        )
    return _with_food(item, match.hits[0].food, confirm)


def resolve_ref(
    ref: str, amount_text: str | None, book: FoodBook, confirm: bool = False, label: str = ""
) -> ItemResult:
    """A food chosen by reference (a button) with an amount in words ('1 cup', '150 g', '' = 1 serving)."""
    food = book.chosen(ref, label)
    try:
        amount = parse_amount(amount_text) if amount_text and amount_text.strip() else DEFAULT_AMOUNT
    except QuantityError as e:
        raise DiaryError(str(e)) from e
    item = ParsedItem(food=label or food.name, amount=amount, text=f"{amount_text or ''} {label or food.name}".strip())
    return _with_food(item, food, confirm)


def resolve_line(text: str, book: FoodBook, confirm: bool = False) -> tuple[list[ItemResult], str | None, int | None]:
    line = parse_meal_line(text, book.is_food)
    results = [resolve_item(i, book, confirm) for i in line.items]
    for problem in line.problems:
        results.append(ItemResult(problem, problem, DEFAULT_AMOUNT, "unknown", message=problem))
    return results, line.meal, line.day_offset


# --- writing ---------------------------------------------------------------------------------------
def entry_fields(r: ItemResult, day: date, meal: str, source: str, logged_at: datetime | None = None) -> dict[str, Any]:
    assert r.food is not None and r.portion is not None and r.nutrients is not None
    n = r.nutrients
    return {
        "day": day,
        "meal": meal,
        "food_ref": r.food.ref,
        "food_name": r.food.name,
        "brand": r.food.brand,
        "amount_text": r.amount_text or r.amount.describe(),
        "portion_text": r.portion.how,
        "quantity": r.portion.quantity,
        "basis": r.portion.basis,
        **{f: getattr(n, f) for f in FIELDS},
        "per100": snapshot(r.food) | {"typed": r.food_text},
        "confidence": round(min(r.food.confidence, r.portion.confidence), 2),
        "source": source,
        "logged_at": logged_at or datetime.now(UTC),
    }


def log_results(
    account_id: int,
    results: list[ItemResult],
    day: date,
    meal: str,
    source: str = "chat",
    engine: Engine | None = None,
) -> list[NutritionEntry]:
    ok = [r for r in results if r.status == "ok"]
    if not ok:
        return []
    return repo.add_entries(account_id, [entry_fields(r, day, meal, source) for r in ok], engine=engine)


def quick_add(
    account_id: int, nutrients: Nutrients, day: date, meal: str, name: str = "Quick add", engine: Engine | None = None
) -> NutritionEntry:
    if not nutrients.kcal and not any(v for _, v in nutrients.items()):
        raise DiaryError("Quick add needs at least the calories (e.g. 'quick add 450 kcal').")
    fields = {
        "day": day,
        "meal": meal,
        "food_ref": "quick",
        "food_name": name,
        "amount_text": "",
        **{f: getattr(nutrients, f) for f in FIELDS},
        "source": "quick",
    }
    return repo.add_entries(account_id, [fields], engine=engine)[0]


def undo_last(account_id: int, engine: Engine | None = None) -> list[NutritionEntry]:
    batch = repo.last_batch(account_id, engine)
    repo.delete_entries(account_id, [e.id for e in batch], engine)
    return batch


def find_entry(
    account_id: int, day: date, phrase: str, engine: Engine | None = None, meal: str | None = None
) -> NutritionEntry | None:
    """The most recent entry of `day` (and `meal`) meaning `phrase`: the same food the phrase resolves to,
    the words the person typed when logging it, or the words of the food's name."""
    words = set(tokens(phrase))
    if not words:
        return None
    entries = repo.list_entries(account_id, day, meal=meal, engine=engine)
    match = FoodBook(account_id, engine).find(phrase)
    refs = {h.food.ref for h in match.hits[:1]} if match.confident else set()

    def names(e: NutritionEntry) -> set[str]:
        typed = (e.per100 or {}).get("typed", "")
        return set(tokens(f"{e.food_name} {typed}", drop_stopwords=False))

    for test in (
        lambda e: e.food_ref in refs,
        lambda e: words <= names(e),
        lambda e: bool(words & names(e)),
    ):
        found = [e for e in entries if test(e)]
        if found:
            return found[-1]
    return None


_SHARES = {"half": 0.5, "a half": 0.5, "one half": 0.5, "a third": 1 / 3, "one third": 1 / 3, "two thirds": 2 / 3,
           "a quarter": 0.25, "one quarter": 0.25, "three quarters": 0.75}  # fmt: skip
SHARE_WORDS = r"half|a half|one half|a third|one third|two thirds|a quarter|one quarter|three quarters|\d{1,2}\s*%"


def relative_share(text: str) -> float | None:
    """'half' → 0.5, 'two thirds' → 0.667, '40 %' → 0.4: a part of what was logged; None for an amount."""
    t = " ".join(text.lower().split())
    if t in _SHARES:
        return _SHARES[t]
    if m := re.fullmatch(r"(\d{1,2})\s*%", t):
        return int(m.group(1)) / 100 if 0 < int(m.group(1)) < 100 else None
    return None


def edit_amount(
    account_id: int, entry: NutritionEntry, amount_text: str, engine: Engine | None = None
) -> NutritionEntry:
    """Re-compute an entry for a new amount from the values it was logged with; 'half' (of what was logged)
    too, for "I only had half the rice"."""
    if entry.food_ref in ("quick", "import") or not entry.per100:
        raise DiaryError("That entry has no per-100 values to scale; delete it and log it again.")
    if (share := relative_share(amount_text)) is not None:
        if not entry.quantity:
            raise DiaryError(f"I don't know how much {entry.food_name} was logged; tell me the amount you had.")
        amount_text = f"{round(entry.quantity * share, 1):g} {entry.basis or 'g'}"
    food = food_from_snapshot(entry.food_ref, entry.food_name, entry.per100)
    try:
        amount = parse_amount(amount_text)
    except QuantityError as e:
        raise DiaryError(str(e)) from e
    try:
        p = portion(food, amount, entry.food_name)
    except PortionError as e:
        raise DiaryError(str(e)) from e
    n = p.nutrients(food)
    changes = {"amount_text": amount.text, "portion_text": p.how, "quantity": p.quantity, "basis": p.basis}
    changes |= {f: getattr(n, f) for f in FIELDS}
    return repo.update_entry(account_id, entry.id, changes, engine)


def move_entry(account_id: int, entry: NutritionEntry, meal: str, engine: Engine | None = None) -> NutritionEntry:
    """Put an entry in another meal of its day (its amount and values stay as logged)."""
    return repo.update_entry(account_id, entry.id, {"meal": meal}, engine)


def copy_entries(
    account_id: int,
    src: date,
    dst: date,
    meal: str | None = None,
    to_meal: str | None = None,
    engine: Engine | None = None,
) -> list[NutritionEntry]:
    rows = repo.list_entries(account_id, src, meal=meal, engine=engine)
    if not rows:
        what = f"{meal} on {src.isoformat()}" if meal else src.isoformat()
        raise DiaryError(f"There is nothing logged for {what} to copy.")
    keep = (
        "food_ref",
        "food_name",
        "brand",
        "amount_text",
        "portion_text",
        "quantity",
        "basis",
        "per100",
        "confidence",
    )
    copies = [
        {k: getattr(r, k) for k in keep}
        | {f: getattr(r, f) for f in FIELDS}
        | {"day": dst, "meal": to_meal or r.meal, "source": "copy"}
        for r in rows
    ]
    return repo.add_entries(account_id, copies, engine=engine)


def day_totals(entries: list[NutritionEntry]) -> Nutrients:
    return total([Nutrients(**{f: getattr(e, f) for f in FIELDS}) for e in entries])


def meal_order(meal: str) -> int:
    return MEALS.index(meal) if meal in MEALS else len(MEALS)
