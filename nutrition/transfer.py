"""Moving a diary in and out: imports written in one transaction, exports as plain CSV files.

Re-importing the same export replaces what that source imported for the same days (so a second run
does not double the calories) and never touches entries logged by chat. Exports carry units in their
column names and use ISO dates, so they read back without guessing.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from nutrition.energy import trend_weights
from nutrition.importers import ImportResult, entry_fields
from nutrition.nutrients import FIELDS
from storage import nutrition as repo


@dataclass
class ImportSummary:
    entries: int
    replaced: int
    weights: int
    days: int
    first: date | None
    last: date | None


def save_import(account_id: int, result: ImportResult, engine: Engine | None = None) -> ImportSummary:
    entries = [entry_fields(e) for e in result.entries]
    days = {e.day for e in result.entries}
    removed, inserted = repo.replace_imported(account_id, result.source, days, entries, engine)
    weights = repo.upsert_weights(account_id, result.weights_kg, result.source, engine) if result.weights_kg else 0
    all_days = sorted(days | set(result.weights_kg))
    return ImportSummary(
        inserted, removed, weights, len(days), all_days[0] if all_days else None, all_days[-1] if all_days else None
    )


DIARY_COLUMNS = [
    "date",
    "meal",
    "food",
    "brand",
    "amount",
    "quantity",
    "quantity_unit",
    *FIELDS,
    "source",
    "food_ref",
    "confidence",
    "logged_at_utc",
    "note",
]


def export_csv(account_id: int, out_dir: Path, engine: Engine | None = None) -> list[Path]:
    """Write diary.csv, daily_totals.csv, weights.csv, foods.csv, targets.csv and a zip of them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = repo.list_entries(account_id, date(1900, 1, 1), date(9999, 12, 31), engine=engine)
    paths: list[Path] = []

    def write(name: str, header: list[str], rows: list[list]) -> None:
        path = out_dir / name
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        paths.append(path)

    def num(v: float | None, nd: int = 2) -> str:
        return "" if v is None else f"{v:.{nd}f}".rstrip("0").rstrip(".")

    write(
        "diary.csv",
        DIARY_COLUMNS,
        [
            [
                e.day.isoformat(),
                e.meal,
                e.food_name,
                e.brand,
                e.amount_text,
                num(e.quantity, 1),
                e.basis if e.quantity else "",
                *(num(getattr(e, f)) for f in FIELDS),
                e.source,
                e.food_ref,
                num(e.confidence),
                e.logged_at.isoformat() if e.logged_at else "",
                e.note,
            ]
            for e in entries
        ],
    )
    totals = repo.daily_totals(account_id, entries[0].day, entries[-1].day, engine) if entries else {}
    write(
        "daily_totals.csv",
        ["date", "entries", *FIELDS],
        [[d.isoformat(), t["entries"], *(num(t.get(f)) for f in FIELDS)] for d, t in totals.items()],
    )
    weights = [(w.day, w.weight_kg) for w in repo.list_weights(account_id, engine=engine)]
    trend = dict(trend_weights(weights))
    write(
        "weights.csv",
        ["date", "weight_kg", "trend_kg"],
        [[d.isoformat(), num(w, 2), num(trend.get(d), 2)] for d, w in weights],
    )
    foods = repo.list_foods(account_id, engine=engine)
    write(
        "foods.csv",
        [
            "id",
            "kind",
            "name",
            "brand",
            "basis",
            *(f"{f}_per100" for f in FIELDS),
            "serving_size",
            "servings",
            "batch_size",
        ],
        [
            [
                f.id,
                f.kind,
                f.name,
                f.brand,
                f.basis,
                *(num(getattr(f, x)) for x in FIELDS),
                num(f.serving_g, 1),
                num(f.servings, 2),
                num(f.total_g, 1),
            ]
            for f in foods
        ],
    )
    targets = repo.list_targets(account_id, engine)
    write(
        "targets.csv",
        ["created_at_utc", "status", "source", "kcal", "protein_g", "carbs_g", "fat_g", "fiber_g", "expenditure_kcal"],
        [
            [
                t.created_at.isoformat(),
                t.status,
                t.source,
                num(t.kcal, 0),
                num(t.protein_g, 0),
                num(t.carbs_g, 0),
                num(t.fat_g, 0),
                num(t.fiber_g, 0),
                num(t.expenditure_kcal, 0),
            ]
            for t in targets
        ],
    )
    bundle = out_dir / "powerforge-nutrition-export.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in paths:
            zf.write(p, p.name)
    return [*paths, bundle]
