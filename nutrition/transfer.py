"""Moving a diary in and out: imports written in one transaction, exports as plain CSV files.

Re-importing the same export replaces what that source imported for the same days (so a second run
does not double the calories) and never touches entries logged by chat. The one exception keeps the
more detailed data: a daily summary (one total per day) never replaces itemised servings of the same
source unless asked (`replace=True`); the summary says which days were kept. Exports carry units in
their column names and use ISO dates, so they read back without guessing.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from nutrition.energy import trend_weights
from nutrition.importers import DAILY_TOTAL, ImportedStrength, ImportResult, entry_fields
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
    activities: int = 0  # exercise rows (energy out, steps)
    sets: int = 0  # strength sets stored as training
    kept_days: list[date] = field(default_factory=list)  # itemised days a daily total did not replace
    notes: list[str] = field(default_factory=list)  # what was kept or replaced, in words


def _days_text(days: list[date]) -> str:
    shown = ", ".join(d.isoformat() for d in days[:5])
    return shown + (f" and {len(days) - 5} more" if len(days) > 5 else "")


def itemised_conflicts(account_id: int, result: ImportResult, engine: Engine | None = None) -> list[date]:
    """Days whose itemised rows from the same source a daily-total import would replace."""
    total_days = sorted({e.day for e in result.entries if e.food_name == DAILY_TOTAL})
    if not total_days:
        return []
    stored = repo.list_entries(account_id, total_days[0], total_days[-1], engine=engine)
    itemised = {e.day for e in stored if e.source == result.source and e.food_name != DAILY_TOTAL}
    return [d for d in total_days if d in itemised]


def save_import(
    account_id: int, result: ImportResult, engine: Engine | None = None, *, replace: bool = False
) -> ImportSummary:
    """Store an import. Daily totals never replace itemised servings of the same days unless `replace`."""
    notes: list[str] = []
    chosen = list(result.entries)
    itemised_here = {e.day for e in chosen if e.food_name != DAILY_TOTAL}
    doubled = sorted({e.day for e in chosen if e.food_name == DAILY_TOTAL and e.day in itemised_here})
    if doubled:  # one ZIP with servings.csv and dailysummary.csv: the servings are the same food in detail
        chosen = [e for e in chosen if not (e.food_name == DAILY_TOTAL and e.day in itemised_here)]
        notes.append(f"Used the itemised servings, not the daily totals, for {_days_text(doubled)}.")
    kept = [] if replace else itemised_conflicts(account_id, result, engine)
    if kept:
        keep = set(kept)
        chosen = [e for e in chosen if not (e.food_name == DAILY_TOTAL and e.day in keep)]
        notes.append(
            f"Kept your itemised Cronometer servings for {_days_text(kept)}: the daily summary would have "
            "replaced them with one total per day. Import it again with replace to use the totals."
        )
    entries = [entry_fields(e) for e in chosen]
    days = {e.day for e in chosen}
    if replace and result.entries:
        replaced_days = itemised_conflicts(account_id, result, engine)
        if replaced_days:
            notes.append(f"Replaced the itemised servings of {_days_text(replaced_days)} with daily totals, as asked.")
    removed, inserted = repo.replace_imported(account_id, result.source, days, entries, engine)
    weights = repo.upsert_weights(account_id, result.weights_kg, result.source, engine) if result.weights_kg else 0
    act_days = {a.day for a in result.activities}
    activities = 0
    if result.activities:
        rows = [
            {"day": a.day, "name": a.name, "kind": a.kind, "kcal": a.kcal, "minutes": a.minutes, "steps": a.steps}
            | {"note": a.note[:500]}
            for a in result.activities
        ]
        _, activities = repo.replace_imported_activity(account_id, result.source, act_days, rows, engine)
    sets = _save_strength(account_id, result.strength, engine) if result.strength else 0
    all_days = sorted(days | set(result.weights_kg) | act_days | {s.day for s in result.strength})
    return ImportSummary(
        inserted,
        removed,
        weights,
        len(days),
        all_days[0] if all_days else None,
        all_days[-1] if all_days else None,
        activities,
        sets,
        kept,
        notes,
    )


def _save_strength(account_id: int, rows: list[ImportedStrength], engine: Engine | None) -> int:
    """MyFitnessPal strength rows -> one training session per day ("MyFitnessPal strength"), `sets` sets each.

    The export has no clock time, so the session is put at noon local time (the day stays the day).
    Re-importing adds nothing: the session's external key is its day and name.
    """
    from storage import training as training_repo
    from training.csvio import ImportedSession, ImportedSet, ImportReport
    from training.library import library

    lib = library()
    zone = ZoneInfo(training_repo.account_tz(account_id, engine))
    report = ImportReport("mfp", rows=len(rows))
    sessions: dict[date, ImportedSession] = {}
    for r in rows:
        sess = sessions.get(r.day)
        if sess is None:
            started = datetime.combine(r.day, time(12, 0), tzinfo=zone).astimezone(ZoneInfo("UTC"))
            sess = sessions[r.day] = ImportedSession("mfp", started, "MyFitnessPal strength")
        resolved = lib.resolve(r.exercise).exercise
        for n in range(r.sets):
            sess.sets.append(
                ImportedSet(
                    r.exercise, resolved.id if resolved else None, n + 1, r.load_kg, r.reps, notes="MyFitnessPal"
                )
            )
    report.sessions = sorted(sessions.values(), key=lambda s: s.started_at)
    return training_repo.import_sessions(account_id, report, engine).sets_added


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
    """Write diary.csv, daily_totals.csv, weights.csv, foods.csv, targets.csv, activity.csv and a zip of them."""
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
    activity = repo.list_activity(account_id, date(1900, 1, 1), date(9999, 12, 31), engine)
    write(
        "activity.csv",
        ["date", "name", "kind", "kcal", "minutes", "steps", "source", "note"],
        [
            [a.day.isoformat(), a.name, a.kind, num(a.kcal, 1), num(a.minutes, 1), a.steps or "", a.source, a.note]
            for a in activity
        ],
    )
    bundle = out_dir / "powerforge-nutrition-export.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in paths:
            zf.write(p, p.name)
    return [*paths, bundle]
