"""`powerforge food …`: the nutrition maths and data from a shell.

`food parse` and `food search` need no user (the generic table only); `food barcode` uses the shared
product cache and Open Food Facts; `food import`/`food export`/`food day` work on a user's diary
(default: the first user). Every command takes `--json` and then prints one JSON document.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

food_app = typer.Typer(
    help="Food parsing, barcodes, MyFitnessPal/Cronometer import and CSV export.", no_args_is_help=True
)
import_app = typer.Typer(help="Import a MyFitnessPal or Cronometer export.", no_args_is_help=True)
food_app.add_typer(import_app, name="import")


def register(app: typer.Typer) -> None:
    app.add_typer(food_app, name="food")


def _fail(message: str) -> NoReturn:
    from powerforge.cli_contract import fail  # under --json: one {"ok": false, "error": ...} document on stdout

    fail(message)


def _ready() -> Any:
    from powerforge.config import get_settings
    from storage.migrate import upgrade

    s = get_settings()
    s.ensure_dirs()
    upgrade(s.db_url)
    return s


def _account(user: str | None) -> Any:
    from storage.accounts import get_account_by_name, list_accounts

    _ready()
    account = get_account_by_name(user) if user else next(iter(list_accounts()), None)
    if account is None:
        _fail("No such user; create one with `powerforge user add NAME`.")
    return account


def _round(d: dict[str, float | None], nd: int = 2) -> dict[str, float | None]:
    return {k: (None if v is None else round(v, nd)) for k, v in d.items()}


@food_app.command("parse")
def parse(
    text: str = typer.Argument(..., help="a meal line, e.g. '2 eggs and a slice of toast'"),
    user: str = typer.Option(None, help="include this user's custom foods and recipes"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Split a meal line into items, match each food, and compute grams/ml and nutrients (nothing is saved)."""
    from nutrition.diary import FoodBook, resolve_line
    from nutrition.nutrients import FIELDS, total
    from powerforge.cli_contract import emit_json

    account_id = _account(user).id if user else None
    results, meal, offset = resolve_line(text, FoodBook(account_id))
    items = []
    for r in results:
        item: dict[str, Any] = {
            "text": r.text,
            "food_text": r.food_text,
            "amount": r.amount.describe(),
            "amount_kind": r.amount.kind,
            "status": r.status,
        }
        if r.food is not None:
            item |= {"food": {"ref": r.food.ref, "name": r.food.name, "brand": r.food.brand, "basis": r.food.basis}}
        if r.portion is not None and r.nutrients is not None and r.food is not None:
            item |= {
                "grams": None if r.portion.grams is None else round(r.portion.grams, 1),
                "ml": None if r.portion.ml is None else round(r.portion.ml, 1),
                "portion": r.portion.how,
                "nutrients": _round(r.nutrients.as_dict()),
                "per100": _round(r.food.per100.as_dict()),
                "confidence": round(min(r.portion.confidence, r.food.confidence), 2),
            }
        if r.candidates:
            item["candidates"] = [{"ref": c.food.ref, "name": c.food.name} for c in r.candidates[:5]]
        if r.message:
            item["message"] = r.message
        items.append(item)
    totals = total([r.nutrients for r in results if r.nutrients is not None])
    payload: dict[str, Any] = {
        "text": text,
        "meal": meal,
        "day_offset": offset,
        "items": items,
        "total": _round(totals.as_dict()),
    }
    if as_json:
        emit_json(payload)
        return
    for it in items:
        if "nutrients" in it:
            n = it["nutrients"]
            typer.echo(
                f"{it['food']['name']}: {it['portion']} -> {n['kcal']} kcal, P {n['protein_g']} g, "
                f"C {n['carbs_g']} g, F {n['fat_g']} g"
            )
        else:
            typer.echo(f"{it['food_text']}: {it['status']} — {it.get('message', '')}")
            for c in it.get("candidates", []):
                typer.echo(f"    {c['ref']}  {c['name']}")
    known = [f"{k} {v}" for k, v in payload["total"].items() if k in FIELDS and v is not None]
    typer.echo("Total: " + (", ".join(known) if known else "nothing matched yet"))


@food_app.command("search")
def search(
    query: str = typer.Argument(...),
    limit: int = typer.Option(8, min=1, max=50),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Ranked matches from the generic food table (USDA SR24), per 100 g."""
    from nutrition.foods import generic_foods
    from powerforge.cli_contract import emit_json

    hits = generic_foods().search(query, limit)
    rows: list[dict[str, Any]] = [
        {
            "ref": h.food.ref,
            "name": h.food.name,
            "score": round(h.score, 2),
            "via": h.via,
            "per100": _round(h.food.per100.as_dict()),
        }
        for h in hits
    ]
    if as_json:
        emit_json({"query": query, "results": rows})
        return
    for r in rows:
        typer.echo(f"{r['ref']}  {r['per100']['kcal']:>6} kcal/100 g  {r['name']}")


@food_app.command("barcode")
def barcode(
    code: str = typer.Argument(None, help="EAN-13 / EAN-8 / UPC-A digits"),
    image: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="read the barcode from a photo instead")
    ] = None,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Look a product up (cache first, then Open Food Facts) and show its normalised values and data checks."""
    from nutrition.barcode import BarcodeError, read_barcode_photo
    from nutrition.normalise import describe_flags
    from nutrition.products import ProductUnavailable, lookup_barcode
    from powerforge.cli_contract import emit_json

    s = _ready()
    photo: dict[str, Any] | None = None
    try:
        if code is None:
            if image is None:
                _fail("Give the barcode digits or --image PHOTO.")
            read = read_barcode_photo(image, s.image_max_pixels)
            if read.code is None:
                if read.unconfirmed:
                    _fail(
                        f"Read {' or '.join(read.unconfirmed[:3])} from {image.name} only once, so it is not "
                        "looked up (a blurred code can read as another product's). If that is the number under "
                        "the barcode, run `powerforge food barcode DIGITS`."
                    )
                _fail(f"No readable barcode in {image.name}; try a sharper, closer photo or type the digits.")
            code = read.code
            photo = {"code": read.code, "agreeing_reads": read.agreeing, "other_reads": read.unconfirmed}
        result = lookup_barcode(code, s)
    except (BarcodeError, ProductUnavailable) as e:
        _fail(str(e))
        return
    food = result.food
    payload: dict[str, Any] = {
        "code": result.code,
        "found": food is not None,
        "source": result.source,
        "notes": result.notes,
    }
    if photo is not None:
        payload["read_from_photo"] = photo
    if food is not None:
        payload |= {
            "name": food.name,
            "brand": food.brand,
            "basis": food.basis,
            "per100": _round(food.per100.as_dict()),
            "measures": [{"name": m.name, "amount": m.grams_each} for m in food.measures],
            "flags": list(food.flags),
            "flag_text": describe_flags(food.flags),
            "confidence": food.confidence,
        }
    if as_json:
        emit_json(payload)
        return
    if photo is not None:
        typer.echo(f"Read from the photo: {photo['code']} ({' and '.join(photo['agreeing_reads'])} agree).")
    if food is None:
        typer.echo(f"{result.code}: not in Open Food Facts.")
        return
    typer.echo(f"{food.label} [{result.code}] per 100 {food.basis}: {payload['per100']}")
    if food.flags:
        typer.echo("Checks: " + "; ".join(payload["flag_text"]) + f" (confidence {food.confidence:.0%})")


def _do_import(
    path: Path, user: str | None, weight_unit: str, expect: str, as_json: bool, replace: bool = False
) -> None:
    from nutrition.importers import ImportFormatError
    from nutrition.service import WrongExport, import_file
    from powerforge.cli_contract import emit_json

    if weight_unit not in ("kg", "lb"):
        _fail("--weight-unit is kg or lb.")
    account = _account(user)
    try:
        done = import_file(account.id, path, weight_unit, replace=replace, expect=expect)
    except WrongExport as e:
        _fail(f"{path.name} looks like a {e.found} export, not {expect}; use `powerforge food import {e.found}`.")
        return
    except ImportFormatError as e:
        _fail(str(e))
        return
    result, summary = done.result, done.summary
    payload = {
        "file": str(path),
        "kind": result.kind,
        "encoding": result.encoding,
        "entries": summary.entries,
        "replaced": summary.replaced,
        "weights": summary.weights,
        "days": summary.days,
        "first": summary.first,
        "last": summary.last,
        "activities": summary.activities,
        "strength_sets": summary.sets,
        "kept_itemised_days": summary.kept_days,
        "notes": summary.notes,
        "skipped": dict(result.skipped),
        "skipped_rows": result.skipped_rows,
        "warnings": result.warnings,
    }
    if as_json:
        emit_json(payload)
        return
    typer.echo(
        f"Imported {summary.entries} diary rows over {summary.days} days and {summary.weights} weigh-ins "
        f"({summary.first} to {summary.last}); replaced {summary.replaced} rows from an earlier import."
    )
    if summary.activities or summary.sets:
        typer.echo(f"Exercise: {summary.activities} activity rows (energy, steps) and {summary.sets} strength sets.")
    for note in summary.notes:
        typer.echo(note)
    for line in result.skipped_rows[:20]:
        typer.echo(f"Skipped {line}")
    if len(result.skipped_rows) > 20:
        typer.echo(f"… and {len(result.skipped_rows) - 20} more skipped rows.")
    for w in result.warnings:
        typer.echo(f"Warning: {w}")


@import_app.command("mfp")
def import_mfp(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="Nutrition-Summary / Measurement-Summary / Exercise-Summary CSV or ZIP"
        ),
    ],
    user: str = typer.Option(None, help="Username (default: the first user)."),
    weight_unit: str = typer.Option("kg", help="unit of the weights in Measurement-Summary (kg or lb)"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Import a MyFitnessPal export (re-importing replaces the earlier import of the same days)."""
    _do_import(path, user, weight_unit, "mfp", as_json)


@import_app.command("cronometer")
def import_cronometer(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="servings / dailysummary / biometrics CSV or ZIP")
    ],
    user: str = typer.Option(None, help="Username (default: the first user)."),
    replace: bool = typer.Option(
        False, "--replace", help="let daily totals replace itemised servings of the same days (kept by default)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Import a Cronometer export (a daily summary never replaces itemised servings unless --replace)."""
    _do_import(path, user, "kg", "cronometer", as_json, replace)


@food_app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="folder to write the CSV files into")] = Path("nutrition-export"),
    user: str = typer.Option(None, help="Username (default: the first user)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Write the diary, daily totals, weights, custom foods and targets as CSV (plus one ZIP)."""
    from nutrition.service import export_diary
    from powerforge.cli_contract import emit_json

    account = _account(user)
    paths = export_diary(account.id, out)
    if as_json:
        emit_json({"files": [str(p) for p in paths]})
        return
    for p in paths:
        typer.echo(str(p))


@food_app.command("day")
def day(
    when: str = typer.Argument("today", help="'today', 'yesterday' or YYYY-MM-DD"),
    user: str = typer.Option(None, help="Username (default: the first user)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """A day's diary with totals."""
    from nutrition.diary import DiaryError, parse_day
    from nutrition.render import day_table
    from nutrition.service import day_totals
    from powerforge.cli_contract import emit_json

    account = _account(user)
    try:
        d = parse_day(when, date.today())
    except DiaryError as e:
        _fail(str(e))
        return
    totals = day_totals(account.id, d)
    entries = totals.entries
    if as_json:
        emit_json(
            {
                "day": d,
                "entries": [e.model_dump(exclude={"per100"}) for e in entries],
                "total": _round(totals.eaten.as_dict()),
            }
        )
        return
    typer.echo(day_table(entries, f"Food diary {d.isoformat()}"))
