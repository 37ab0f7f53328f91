"""MyFitnessPal and Cronometer exports -> diary entries and weights.

Formats (recognised by their header row, not the file name):
- MFP `Nutrition-Summary*.csv`: Date, Meal, [Time,] Calories, Fat (g), Saturated Fat, ..., Sodium (mg),
  Carbohydrates (g), Fiber, Sugar, Protein (g), [Vitamin A, Vitamin C, Calcium, Iron (% daily value,
  ignored)], [Note]. Without `Time` a row is one meal's total; with it, one logged food.
  Older food-diary files add a `Food` column.
- MFP `Measurement-Summary*.csv`: Date, Weight (no unit in the file: the caller says kg or lb).
- MFP `Exercise-Summary*.csv`: Date, Exercise, Type (Cardio | Strength), Exercise Calories, Exercise
  Minutes, Sets, Reps Per Set, Kilograms | Pounds (the load of each set), Steps, Note. Cardio rows
  are exercise energy and steps; strength rows are sets.
- Cronometer `servings.csv` (Day, Time, Group, Food Name, Amount, Energy (kcal), ...),
  `dailysummary.csv` (Date, Energy (kcal), ...) and `biometrics.csv` (Day, Time, Metric, Unit, Amount).
- A ZIP holding any of these (MFP mails its export as one).

Files come in UTF-8 (with or without BOM), UTF-16 or Windows-1252; commas or semicolons; ISO, US or
European dates; "1,200" thousands. Problems never abort silently: a file missing the columns we
need raises ImportFormatError naming them (never a default in their place); each odd row is skipped
with its line and column in words ("line 7: the Protein (g) column holds 'abc', not a number");
duplicate rows are reported.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from nutrition.nutrients import FIELDS

LB_KG = 0.45359237
DAILY_TOTAL = "Daily total (Cronometer)"  # the food name of a day imported from dailysummary.csv


class ImportFormatError(ValueError):
    """The file is not an export we can read; the message names what is missing."""


@dataclass
class ImportedEntry:
    day: date
    meal: str
    food_name: str
    amount_text: str
    nutrients: dict[str, float | None]
    time: str = ""
    note: str = ""


@dataclass
class ImportedActivity:
    """One MyFitnessPal exercise row: energy burned, minutes and steps as the app logged them."""

    day: date
    name: str
    kind: str  # cardio | strength
    kcal: float | None
    minutes: float | None
    steps: int | None
    note: str = ""


@dataclass
class ImportedStrength:
    """A strength row of MyFitnessPal: `sets` x `reps` at `load_kg` (becomes training sets)."""

    day: date
    exercise: str
    sets: int
    reps: int
    load_kg: float
    line: int


@dataclass
class ImportResult:
    kind: str  # mfp_nutrition | mfp_measurement | mfp_exercise | cronometer_servings | cronometer_daily | ...
    source: str  # import:mfp | import:cronometer
    entries: list[ImportedEntry] = field(default_factory=list)
    weights_kg: dict[date, float] = field(default_factory=dict)
    activities: list[ImportedActivity] = field(default_factory=list)
    strength: list[ImportedStrength] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    skipped_rows: list[str] = field(default_factory=list)  # "Exercise-Summary.csv line 7: the ... column holds ..."
    warnings: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    files: list[str] = field(default_factory=list)

    def skip(self, row: list[str], reason: str, why: str) -> None:
        """Count a skipped row under `reason` and keep its line and column in words (`why`)."""
        self.skipped[reason] += 1
        where = f"{self.files[-1]} " if self.files else ""
        self.skipped_rows.append(f"{where}line {getattr(row, 'line', '?')}: {why}")

    def merge(self, other: ImportResult) -> None:
        self.entries += other.entries
        self.weights_kg |= other.weights_kg
        self.activities += other.activities
        self.strength += other.strength
        self.skipped.update(other.skipped)
        self.skipped_rows += other.skipped_rows
        self.warnings += other.warnings
        self.files += other.files
        if other.kind not in self.kind.split("+"):
            self.kind = f"{self.kind}+{other.kind}"


# header (normalised) -> our nutrient field
_NUTRIENT_HEADERS = {
    "calories": "kcal",
    "energy kcal": "kcal",
    "energy": "kcal",
    "calories kcal": "kcal",
    "protein g": "protein_g",
    "protein": "protein_g",
    "carbohydrates g": "carbs_g",
    "carbohydrates": "carbs_g",
    "carbs g": "carbs_g",
    "carbs": "carbs_g",
    "fat g": "fat_g",
    "fat": "fat_g",
    "total fat g": "fat_g",
    "fiber": "fiber_g",
    "fiber g": "fiber_g",
    "fibre": "fiber_g",
    "fibre g": "fiber_g",
    "sugar": "sugars_g",
    "sugars": "sugars_g",
    "sugars g": "sugars_g",
    "sugar g": "sugars_g",
    "saturated fat": "sat_fat_g",
    "saturated fat g": "sat_fat_g",
    "saturated g": "sat_fat_g",
    "saturated": "sat_fat_g",
    "sodium mg": "sodium_mg",
    "sodium": "sodium_mg",
}
_MFP_MEALS = {"breakfast": "breakfast", "lunch": "lunch", "dinner": "dinner", "snacks": "snack", "snack": "snack"}


def norm_header(h: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", h.lower().replace("\ufeff", "")).split())


def decode(raw: bytes) -> tuple[str, str]:
    """Bytes -> text, trying UTF-8 (BOM or not), UTF-16 (BOM), then Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


class Row(list):
    """A CSV row that remembers its line in the file (for "line 7: ..." reports)."""

    line: int = 0


def read_rows(text: str) -> tuple[list[str], list[list[str]]]:
    sample = text[:4096]
    first = sample.splitlines()[0] if sample else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list[str]] = []
    for r in reader:
        if any(c.strip() for c in r):
            row = Row(r)
            row.line = reader.line_num
            rows.append(row)
    if not rows:
        raise ImportFormatError("The file is empty.")
    return [h.strip() for h in rows[0]], rows[1:]


def parse_number(cell: str | None) -> float | None:
    if cell is None:
        return None
    t = cell.strip().replace("\u00a0", "").replace(" ", "")
    if t in ("", "-", "—", "n/a", "NA"):
        return None
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    elif re.fullmatch(r"-?\d+,\d+", t):
        t = t.replace(",", ".")
    m = re.fullmatch(r"-?\d+(?:\.\d+)?", t)
    return float(t) if m else None


def _date_order(cells: list[str]) -> str:
    """'dmy' when any slash date has a first part > 12, else 'mdy' (MFP US); ISO needs neither."""
    for c in cells:
        m = re.match(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})", c)
        if m and int(m.group(1)) > 12:
            return "dmy"
    return "mdy"


def parse_date(cell: str, order: str = "mdy") -> date | None:
    t = cell.strip()
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.match(r"(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})", t)
        if m:
            a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            y = y + 2000 if y < 100 else y
            return date(y, a, b) if order == "mdy" else date(y, b, a)
    except ValueError:
        return None
    return None


def detect(headers: list[str]) -> str | None:
    h = {norm_header(x) for x in headers}
    if {"date", "exercise", "type"} <= h and ({"exercise calories", "exercise minutes"} & h):
        return "mfp_exercise"
    if "meal" in h and "date" in h:
        return "mfp_nutrition"
    if {"food name", "group"} <= h and ({"day", "date"} & h):
        return "cronometer_servings"
    if {"metric", "unit", "amount"} <= h and ({"day", "date"} & h):
        return "cronometer_biometrics"
    if "date" in h and "energy kcal" in h and "meal" not in h:
        return "cronometer_daily"
    if "date" in h and "weight" in h:
        return "mfp_measurement"
    return None


def _nutrients(
    row: list[str], headers: list[str], cols: dict[str, int], result: ImportResult
) -> dict[str, float | None] | None:
    """The row's nutrient values, or None (and the row reported) when a cell holds text, not a number."""
    values: dict[str, float | None] = {}
    for f in FIELDS:
        i = cols.get(f)
        cell = _cell(row, i)
        v = parse_number(cell)
        if v is None and cell and cell not in ("-", "—", "n/a", "NA") and i is not None:
            result.skip(row, "a number column holds text", f"the {headers[i]} column holds '{cell[:30]}', not a number")
            return None
        values[f] = v
    return values


def _nutrient_columns(headers: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, h in enumerate(headers):
        f = _NUTRIENT_HEADERS.get(norm_header(h))
        if f and f not in cols:
            cols[f] = i
    return cols


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _number_why(headers: list[str], i: int, cell: str) -> str:
    return f"the {headers[i]} column " + (f"holds '{cell[:30]}', not a number" if cell else "is empty")


def _date_why(headers: list[str], i: int | None, cell: str) -> str:
    name = headers[i] if i is not None else "Date"
    return f"the {name} column is empty" if not cell else f"the {name} column holds '{cell[:30]}', not a date"


def _require(headers: list[str], names: list[str], what: str) -> dict[str, int]:
    idx = {norm_header(h): i for i, h in enumerate(headers)}
    missing = [n for n in names if n not in idx]
    if missing:
        raise ImportFormatError(
            f"This {what} file lacks the column(s) {', '.join(repr(m.title()) for m in missing)}; "
            f"found: {', '.join(headers) or 'none'}."
        )
    return idx


def _meal(cell: str) -> str:
    m = cell.strip().lower()
    return _MFP_MEALS.get(m, m[:32] or "snack")


def _dup_check(result: ImportResult, keys: list[tuple]) -> None:
    counts = Counter(keys)
    dups = [k for k, n in counts.items() if n > 1]
    if dups:
        days = sorted({k[0] for k in dups})
        shown = ", ".join(d.isoformat() for d in days[:5]) + (" …" if len(days) > 5 else "")
        result.warnings.append(
            f"{len(dups)} row(s) appear more than once (days {shown}); identical copies were kept once."
        )


def parse_mfp_nutrition(headers: list[str], rows: list[list[str]], result: ImportResult) -> None:
    idx = _require(headers, ["date", "meal"], "MyFitnessPal nutrition")
    cols = _nutrient_columns(headers)
    if "kcal" not in cols:
        raise ImportFormatError("This MyFitnessPal nutrition file has no 'Calories' column.")
    i_time, i_food, i_note = idx.get("time"), idx.get("food"), idx.get("note")
    order = _date_order([_cell(r, idx["date"]) for r in rows])
    seen: set[tuple] = set()
    keys: list[tuple] = []
    for row in rows:
        first = _cell(row, idx["date"])
        if first.lower().startswith("total"):
            continue
        day = parse_date(first, order)
        if day is None:
            result.skip(row, "unreadable date", _date_why(headers, idx["date"], first))
            continue
        values = _nutrients(row, headers, cols, result)
        if values is None:
            continue
        if values["kcal"] is None:
            result.skip(row, "no calories", f"the {headers[cols['kcal']]} column is empty")
            continue
        meal_cell = _cell(row, idx["meal"])
        food = _cell(row, i_food) or f"{meal_cell or 'Meal'} total (MyFitnessPal)"
        full_key = (day, meal_cell, _cell(row, i_time), food, tuple(values.values()), _cell(row, i_note))
        keys.append(full_key)
        if full_key in seen:
            result.skipped["duplicate row"] += 1
            continue
        seen.add(full_key)
        result.entries.append(
            ImportedEntry(day, _meal(meal_cell), food, "", values, _cell(row, i_time), _cell(row, i_note))
        )
    _dup_check(result, keys)


def parse_mfp_measurement(headers: list[str], rows: list[list[str]], result: ImportResult, weight_unit: str) -> None:
    idx = _require(headers, ["date", "weight"], "MyFitnessPal measurement")
    order = _date_order([_cell(r, idx["date"]) for r in rows])
    factor = LB_KG if weight_unit == "lb" else 1.0
    for row in rows:
        day = parse_date(_cell(row, idx["date"]), order)
        w = parse_number(_cell(row, idx["weight"]))
        if day is None:
            result.skip(row, "unreadable weight row", _date_why(headers, idx["date"], _cell(row, idx["date"])))
            continue
        if w is None:
            cell = _cell(row, idx["weight"])
            result.skip(row, "unreadable weight row", _number_why(headers, idx["weight"], cell))
            continue
        if day in result.weights_kg:
            result.skipped["duplicate day (kept the later weight)"] += 1
        result.weights_kg[day] = round(w * factor, 3)


def parse_cronometer_servings(headers: list[str], rows: list[list[str]], result: ImportResult) -> None:
    idx = _require(headers, ["food name", "amount"], "Cronometer servings")
    i_day = idx.get("day", idx.get("date"))
    cols = _nutrient_columns(headers)
    if "kcal" not in cols:
        raise ImportFormatError("This Cronometer servings file has no 'Energy (kcal)' column.")
    order = _date_order([_cell(r, i_day) for r in rows])
    keys: list[tuple] = []
    seen: set[tuple] = set()
    for row in rows:
        day = parse_date(_cell(row, i_day), order)
        if day is None:
            result.skip(row, "unreadable date", _date_why(headers, i_day, _cell(row, i_day)))
            continue
        values = _nutrients(row, headers, cols, result)
        if values is None:
            continue
        name = _cell(row, idx["food name"])
        if not name or values["kcal"] is None:
            col_name = headers[idx["food name"]] if not name else headers[cols["kcal"]]
            result.skip(row, "no food name or energy", f"the {col_name} column is empty")
            continue
        key = (day, _cell(row, idx.get("time")), name, _cell(row, idx["amount"]), tuple(values.values()))
        keys.append(key)
        if key in seen:
            result.skipped["duplicate row"] += 1
            continue
        seen.add(key)
        group = _cell(row, idx.get("group")) or "snack"
        meal = _meal(group) if group.lower() != "uncategorized" else "snack"
        result.entries.append(
            ImportedEntry(day, meal, name, _cell(row, idx["amount"]), values, _cell(row, idx.get("time")))
        )
    _dup_check(result, keys)


def parse_cronometer_daily(headers: list[str], rows: list[list[str]], result: ImportResult) -> None:
    idx = _require(headers, ["date", "energy kcal"], "Cronometer daily summary")
    cols = _nutrient_columns(headers)
    order = _date_order([_cell(r, idx["date"]) for r in rows])
    for row in rows:
        day = parse_date(_cell(row, idx["date"]), order)
        if day is None:
            result.skip(row, "empty or unreadable day", _date_why(headers, idx["date"], _cell(row, idx["date"])))
            continue
        values = _nutrients(row, headers, cols, result)
        if values is None:
            continue
        if not values.get("kcal"):
            result.skip(row, "empty or unreadable day", f"the {headers[cols['kcal']]} column is empty or zero")
            continue
        if any(e.day == day for e in result.entries):
            result.skipped["duplicate day"] += 1
            result.warnings.append(f"{day.isoformat()} appears twice; kept the first.")
            continue
        result.entries.append(ImportedEntry(day, "snack", DAILY_TOTAL, "", values))


def parse_cronometer_biometrics(headers: list[str], rows: list[list[str]], result: ImportResult) -> None:
    idx = _require(headers, ["metric", "unit", "amount"], "Cronometer biometrics")
    i_day = idx.get("day", idx.get("date"))
    order = _date_order([_cell(r, i_day) for r in rows])
    for row in rows:
        if _cell(row, idx["metric"]).lower() not in ("weight", "body weight"):
            continue
        day = parse_date(_cell(row, i_day), order)
        value = parse_number(_cell(row, idx["amount"]))
        unit = _cell(row, idx["unit"]).lower()
        if day is None:
            result.skip(row, "unreadable weight row", _date_why(headers, i_day, _cell(row, i_day)))
            continue
        if value is None:
            cell = _cell(row, idx["amount"])
            result.skip(row, "unreadable weight row", _number_why(headers, idx["amount"], cell))
            continue
        result.weights_kg[day] = round(value * (LB_KG if unit.startswith("lb") else 1.0), 3)


_MFP_LOAD = {"kilograms": 1.0, "kilograms kg": 1.0, "kg": 1.0, "pounds": LB_KG, "pounds lbs": LB_KG, "lbs": LB_KG}


def parse_mfp_exercise(headers: list[str], rows: list[list[str]], result: ImportResult) -> None:
    """Cardio rows -> activities (energy, minutes, steps); strength rows -> sets x reps at the load."""
    idx = _require(
        headers, ["date", "exercise", "type", "exercise calories", "sets", "reps per set"], "MyFitnessPal exercise"
    )
    load_col = next((h for h in idx if h in _MFP_LOAD), None)
    if load_col is None:
        raise ImportFormatError(
            "This MyFitnessPal exercise file has no load column ('Kilograms' or 'Pounds'), so its strength "
            f"rows cannot be read; nothing was imported. Found: {', '.join(headers)}."
        )
    factor = _MFP_LOAD[load_col]
    i_min, i_steps, i_note = idx.get("exercise minutes"), idx.get("steps"), idx.get("note")
    order = _date_order([_cell(r, idx["date"]) for r in rows])

    def num(row: list[str], i: int | None) -> tuple[float | None, str | None]:
        cell = _cell(row, i)
        v = parse_number(cell)
        if v is None and cell and i is not None:
            return None, f"the {headers[i]} column holds '{cell[:30]}', not a number"
        if v is not None and v < 0 and i is not None:
            return None, f"the {headers[i]} column holds a negative number ({cell})"
        return v, None

    for row in rows:
        first = _cell(row, idx["date"])
        if first.lower().startswith("total"):
            continue
        day = parse_date(first, order)
        if day is None:
            result.skip(row, "unreadable date", _date_why(headers, idx["date"], first))
            continue
        name = _cell(row, idx["exercise"]).strip('"')
        if not name:
            result.skip(row, "no exercise name", f"the {headers[idx['exercise']]} column is empty")
            continue
        cells = {k: num(row, i) for k, i in (("kcal", idx["exercise calories"]), ("min", i_min), ("steps", i_steps))}
        cells |= {k: num(row, idx[c]) for k, c in (("sets", "sets"), ("reps", "reps per set"), ("load", load_col))}
        bad = next((why for _v, why in cells.values() if why), None)
        if bad:
            result.skip(row, "a number column holds text", bad)
            continue
        kcal, minutes, steps = cells["kcal"][0], cells["min"][0], cells["steps"][0]
        kind = "strength" if _cell(row, idx["type"]).lower().startswith("strength") else "cardio"
        sets, reps, load = cells["sets"][0], cells["reps"][0], cells["load"][0]
        if kind == "strength" and sets and reps:
            result.strength.append(
                ImportedStrength(day, name, int(sets), int(reps), round((load or 0.0) * factor, 3), row.line)  # type: ignore[attr-defined]
            )
        elif kind == "strength" and kcal is None:
            why = f"the {headers[idx['sets']]} and {headers[idx['reps per set']]} columns are empty"
            result.skip(row, "strength row without sets or reps", why)
            continue
        if kcal is None and steps is None and minutes is None:
            if kind == "cardio":
                why = f"the {headers[idx['exercise calories']]} column is empty"
                result.skip(row, "no energy, minutes or steps", why)
            continue
        result.activities.append(
            ImportedActivity(
                day, name[:200], kind, kcal, minutes, None if steps is None else int(steps), _cell(row, i_note)
            )
        )


def parse_text(text: str, weight_unit: str = "kg", name: str = "") -> ImportResult:
    headers, rows = read_rows(text)
    kind = detect(headers)
    if kind is None:
        raise ImportFormatError(
            f"I don't recognise {name or 'this file'}: its columns are {', '.join(headers[:8])}. "
            "I read MyFitnessPal (Nutrition-Summary, Measurement-Summary, Exercise-Summary) and Cronometer "
            "(servings, dailysummary, biometrics) CSV exports."
        )
    source = "import:mfp" if kind.startswith("mfp") else "import:cronometer"
    result = ImportResult(kind, source, files=[name] if name else [])
    if kind == "mfp_nutrition":
        parse_mfp_nutrition(headers, rows, result)
    elif kind == "mfp_measurement":
        parse_mfp_measurement(headers, rows, result, weight_unit)
    elif kind == "mfp_exercise":
        parse_mfp_exercise(headers, rows, result)
    elif kind == "cronometer_servings":
        parse_cronometer_servings(headers, rows, result)
    elif kind == "cronometer_daily":
        parse_cronometer_daily(headers, rows, result)
    else:
        parse_cronometer_biometrics(headers, rows, result)
    return result


def parse_file(path: Path, weight_unit: str = "kg") -> ImportResult:
    """Read one CSV or a ZIP of CSVs; raises ImportFormatError when nothing in it is an export we know."""
    raw = path.read_bytes()
    if raw[:2] == b"PK":
        return _parse_zip(raw, weight_unit, path.name)
    text, encoding = decode(raw)
    result = parse_text(text, weight_unit, path.name)
    result.encoding = encoding
    if encoding == "cp1252":
        result.warnings.append("The file was not UTF-8; read it as Windows-1252.")
    return result


def _parse_zip(raw: bytes, weight_unit: str, name: str) -> ImportResult:
    merged: ImportResult | None = None
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".csv"):
                continue
            text, _enc = decode(zf.read(info))
            try:
                part = parse_text(text, weight_unit, Path(info.filename).name)
            except ImportFormatError as e:
                problems.append(str(e))
                continue
            if merged is None:
                merged = part
            else:
                merged.merge(part)
    if merged is None:
        raise ImportFormatError(f"{name} holds no MyFitnessPal or Cronometer CSV I can read. " + " ".join(problems))
    merged.warnings += [f"Skipped a file: {p}" for p in problems]
    return merged


def entry_fields(e: ImportedEntry) -> dict:
    """An imported row as diary entry fields (values as exported; no per-100 snapshot exists)."""
    logged = None
    if e.time:
        for fmt in ("%I:%M %p", "%H:%M", "%H:%M:%S", "%I:%M:%S %p"):
            try:
                t = datetime.strptime(e.time.strip().upper(), fmt).time()
                logged = datetime.combine(e.day, t)
                break
            except ValueError:
                continue
    fields = {
        "day": e.day,
        "meal": e.meal,
        "food_ref": "import",
        "food_name": e.food_name[:200],
        "amount_text": e.amount_text[:64],
        "note": e.note[:500],
        **e.nutrients,
    }
    if logged is not None:  # the export's local clock time; the day column is what counts
        fields["logged_at"] = logged.replace(tzinfo=UTC)
    return fields
