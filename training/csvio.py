"""Strong and Hevy CSV imports, and a CSV export that both this importer and Strong-style tools read.

Strong exports one row per set (`Date, Workout Name, Duration, Exercise Name, Set Order, Weight,
Reps, …`; older exports are ';'-separated and carry `Weight Unit`); `Set Order` is a number, or W/D/F
for warm-up/drop/failure sets, and newer exports add "Rest Timer" rows. Hevy exports `title,
start_time, …, set_type, weight_kg|weight_lbs, reps, …, rpe` with dates like "26 Jul 2025, 07:06".
Bad rows are skipped and reported row by row; a file that is not an export at all is refused whole.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from powerforge.units import Length, Mass
from training.e1rm import e1rm_kg
from training.library import Library, library

STRONG_REQUIRED = {"date", "workout name", "exercise name", "set order", "weight", "reps"}
HEVY_REQUIRED = {"title", "start_time", "exercise_title", "set_index", "reps"}
MAX_BYTES = 50 * 1024 * 1024
LINE = "\x00line"  # key of the line number in a parsed row (no real column can be called that)
HEVY_WEIGHT_COLUMNS = ("weight_kg", "weight_lbs")


class CSVImportError(ValueError):
    """A file that cannot be imported at all (not an export, empty, unreadable)."""


@dataclass
class ImportedSet:
    exercise_name: str
    exercise_id: str | None
    set_index: int
    load_kg: float
    reps: int
    rpe: float | None = None
    set_type: str = "normal"  # normal | warmup | drop | failure
    distance_m: float | None = None
    duration_s: float | None = None
    notes: str = ""
    group: str | None = None

    @property
    def warmup(self) -> bool:
        return self.set_type == "warmup"

    @property
    def e1rm_kg(self) -> float | None:
        """Estimated 1RM of a working set with a load and reps (None for warm-ups and bodyweight rows)."""
        if self.warmup or self.load_kg <= 0 or self.reps < 1:
            return None
        return e1rm_kg(self.load_kg, self.reps, self.rpe)


@dataclass
class ImportedSession:
    source: str
    started_at: datetime  # UTC
    name: str
    duration_s: float | None = None
    notes: str = ""
    sets: list[ImportedSet] = field(default_factory=list)

    @property
    def external_key(self) -> str:
        """Stable across re-imports of the same export (so importing twice adds nothing)."""
        return f"{self.source}:{self.started_at.strftime('%Y-%m-%dT%H:%M')}:{self.name.strip().lower()[:60]}"


@dataclass
class ImportReport:
    source: str
    sessions: list[ImportedSession] = field(default_factory=list)
    rows: int = 0
    has_unit_column: bool = True  # Strong's newer exports leave the unit to the app's setting
    skipped: list[str] = field(default_factory=list)  # "row 12: reason"
    unknown_exercises: dict[str, int] = field(default_factory=dict)

    @property
    def set_count(self) -> int:
        return sum(len(s.sets) for s in self.sessions)


def _num(v: str | None) -> float | None:
    v = (v or "").strip().replace("\u202f", "").replace(" ", "")
    if not v:
        return None
    if re.fullmatch(r"-?\d+,\d+", v):
        v = v.replace(",", ".")
    return float(v)


_COLUMN_WORDS = {
    "weight": "Weight",
    "reps": "Reps",
    "rpe": "RPE",
    "distance": "Distance",
    "seconds": "Seconds",
    "weight_kg": "weight_kg",
    "weight_lbs": "weight_lbs",
    "distance_km": "distance_km",
    "distance_miles": "distance_miles",
    "duration_seconds": "duration_seconds",
    "set_index": "set_index",
}


def _cell_num(row: dict[str, str], column: str) -> float | None:
    """A number cell, or ValueError naming the column and what it holds (not Python's float() message)."""
    raw = row.get(column)
    try:
        return _num(raw)
    except ValueError:
        shown = (raw or "").strip()[:30]
        raise ValueError(f"the {_COLUMN_WORDS.get(column, column)} column holds '{shown}', not a number") from None


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d %b %Y, %H:%M",
    "%d %B %Y, %H:%M",
    "%b %d, %Y, %I:%M %p",
    "%d %b %Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
)


def _cell_date(row: dict[str, str], column: str, label: str, tz: ZoneInfo) -> datetime:
    """A date cell, or ValueError naming the column in words."""
    raw = (row.get(column) or "").strip()
    if not raw:
        raise ValueError(f"the {label} column is empty")
    try:
        return parse_datetime(raw, tz)
    except ValueError:
        raise ValueError(f"the {label} column holds '{raw[:30]}', an unreadable date") from None


def _check_signs(weight: float, reps: int, weight_label: str) -> None:
    if weight < 0:
        raise ValueError(f"the {weight_label} column holds a negative number ({weight:g})")
    if reps < 0:
        raise ValueError(f"the Reps column holds a negative number ({reps})")


def _check_rpe(rpe: float | None) -> None:
    if rpe is not None and not 1 <= rpe <= 10:
        raise ValueError(f"the RPE column holds {rpe:g}, off the 1-10 scale")


def parse_datetime(value: str, tz: ZoneInfo) -> datetime:
    """An export's local date/time → aware UTC (ISO strings with an offset keep their offset)."""
    v = (value or "").strip().replace("\u202f", " ").replace("\xa0", " ")
    if not v:
        raise ValueError("no date")
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                dt = datetime.strptime(v, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"unreadable date '{value}'") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(UTC)


def parse_duration(value: str | None) -> float | None:
    """'1h 5m', '45m', '32s', '3600' → seconds."""
    v = (value or "").strip().lower()
    if not v:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", v):
        return float(v)
    total, hit = 0.0, False
    for n, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([hms])", v):
        total += float(n) * {"h": 3600, "m": 60, "s": 1}[unit]
        hit = True
    return total if hit else None


def _reader(text: str) -> tuple[list[str], list[dict[str, str]]]:
    first = text.splitlines()[0] if text.strip() else ""
    delim = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows = [(reader.line_num, r) for r in reader]
    if not rows:
        raise CSVImportError("The file is empty.")
    header = [h.strip().strip('"').lower() for h in rows[0][1]]
    out = []
    for line, r in rows[1:]:
        if not any(c.strip() for c in r):
            continue
        row = {header[i]: (r[i] if i < len(r) else "") for i in range(len(header))}
        row[LINE] = str(line)  # the file's line number, for "line 12: ..." reports
        out.append(row)
    return header, out


def detect(text: str) -> str:
    """'strong' | 'hevy' from the header, or CSVImportError naming what is missing."""
    header, _ = _reader(text)
    cols = set(header)
    if cols >= HEVY_REQUIRED:
        return "hevy"
    if cols >= STRONG_REQUIRED:
        return "strong"
    near = "Hevy" if "exercise_title" in cols or "start_time" in cols else "Strong"
    need = HEVY_REQUIRED if near == "Hevy" else STRONG_REQUIRED
    missing = ", ".join(f"'{c}'" for c in sorted(need - cols))
    raise CSVImportError(
        f"This doesn't look like a Strong or Hevy export: missing column(s) {missing} (of a {near} export); "
        f"nothing was imported. Export again from {near} without editing the file."
    )


def decode(data: bytes) -> str:
    """Bytes of an export → text (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252)."""
    if len(data) > MAX_BYTES:
        raise CSVImportError("The file is larger than 50 MB; export a shorter date range.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise CSVImportError("The file is not text (is it really a CSV export?).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _resolve(name: str, lib: Library, report: ImportReport) -> str | None:
    r = lib.resolve(name)
    if r.exercise is None:
        report.unknown_exercises[name] = report.unknown_exercises.get(name, 0) + 1
        return None
    return r.exercise.id


_STRONG_TYPES = {"w": "warmup", "d": "drop", "f": "failure"}


def parse_strong(text: str, *, unit: str = "kg", tz: str = "UTC", lib: Library | None = None) -> ImportReport:
    """Strong export → sessions; `unit` is the app's weight unit when the file has no Weight Unit column."""
    lib = lib or library()
    zone = ZoneInfo(tz)
    header, rows = _reader(text)
    if not set(header) >= STRONG_REQUIRED:
        detect(text)  # raises with the missing columns
    report = ImportReport("strong", rows=len(rows), has_unit_column="weight unit" in header)
    sessions: dict[tuple[str, str], ImportedSession] = {}
    counters: dict[tuple[str, str, str], int] = {}
    for row in rows:
        n = row[LINE]
        order = (row.get("set order") or "").strip().lower()
        if order in ("rest timer", "note", "notes"):
            continue
        try:
            started = _cell_date(row, "date", "Date", zone)
            name = (row.get("workout name") or "Workout").strip() or "Workout"
            ex_name = (row.get("exercise name") or "").strip()
            if not ex_name:
                raise ValueError("the Exercise Name column is empty")
            weight = _cell_num(row, "weight") or 0.0
            reps = int(_cell_num(row, "reps") or 0)
            w_unit = (row.get("weight unit") or unit).strip().lower() or unit
            w_unit = "lb" if w_unit.startswith(("lb", "pound")) else "kg"
            _check_signs(weight, reps, "Weight")
            dist = _cell_num(row, "distance")
            d_unit = (row.get("distance unit") or ("km" if unit == "kg" else "mi")).strip().lower() or "km"
            seconds = _cell_num(row, "seconds")
            rpe = _cell_num(row, "rpe")
            _check_rpe(rpe)
        except (ValueError, KeyError) as e:
            report.skipped.append(f"line {n}: {e}")
            continue
        if reps == 0 and weight == 0 and not seconds and not dist:
            report.skipped.append(f"line {n}: empty set (no weight, reps, time or distance)")
            continue
        key = (started.isoformat(), name)
        sess = sessions.get(key)
        if sess is None:
            sess = ImportedSession(
                "strong",
                started,
                name,
                parse_duration(row.get("duration") or row.get("workout duration")),
                (row.get("workout notes") or "").strip(),
            )
            sessions[key] = sess
        c_key = (*key, ex_name)
        counters[c_key] = counters.get(c_key, 0) + 1
        sess.sets.append(
            ImportedSet(
                ex_name,
                _resolve(ex_name, lib, report),
                counters[c_key],
                round(Mass.of(weight, w_unit).kg, 3),
                reps,
                rpe,
                _STRONG_TYPES.get(order, "normal"),
                None if not dist else round(Length.of(dist, "mi" if d_unit.startswith("mi") else d_unit).m, 1),
                seconds or None,
                (row.get("notes") or "").strip(),
            )
        )
    report.sessions = sorted(sessions.values(), key=lambda s: s.started_at)
    _check_yield(report)
    return report


_HEVY_TYPES = {"warmup": "warmup", "normal": "normal", "failure": "failure", "dropset": "drop", "drop": "drop"}


def parse_hevy(text: str, *, tz: str = "UTC", lib: Library | None = None) -> ImportReport:
    """Hevy export → sessions (weights in weight_kg or weight_lbs, whichever the file has)."""
    lib = lib or library()
    zone = ZoneInfo(tz)
    header, rows = _reader(text)
    cols = set(header)
    if not cols >= HEVY_REQUIRED:
        detect(text)
    if not cols & set(HEVY_WEIGHT_COLUMNS):
        raise CSVImportError(
            "This Hevy export has no weight column ('weight_kg' or 'weight_lbs'), so no set's load can be read; "
            "nothing was imported. Export again from Hevy (Settings → Export & Import) without editing the file."
        )
    w_col, w_unit = ("weight_kg", "kg") if "weight_kg" in cols else ("weight_lbs", "lb")
    d_col, d_unit = ("distance_km", "km") if "distance_km" in cols else ("distance_miles", "mi")
    report = ImportReport("hevy", rows=len(rows))
    sessions: dict[tuple[str, str], ImportedSession] = {}
    groups: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        n = row[LINE]
        try:
            started = _cell_date(row, "start_time", "start_time", zone)
            title = (row.get("title") or "Workout").strip() or "Workout"
            ex_name = (row.get("exercise_title") or "").strip()
            if not ex_name:
                raise ValueError("the exercise_title column is empty")
            weight = _cell_num(row, w_col) or 0.0
            reps = int(_cell_num(row, "reps") or 0)
            _check_signs(weight, reps, w_col)
            rpe = _cell_num(row, "rpe")
            _check_rpe(rpe)
            dist = _cell_num(row, d_col)
            secs = _cell_num(row, "duration_seconds")
            idx = int(_cell_num(row, "set_index") or 0) + 1
            ended = _cell_date(row, "end_time", "end_time", zone) if (row.get("end_time") or "").strip() else None
        except (ValueError, KeyError) as e:
            report.skipped.append(f"line {n}: {e}")
            continue
        if reps == 0 and weight == 0 and not secs and not dist:
            report.skipped.append(f"line {n}: empty set (no weight, reps, time or distance)")
            continue
        key = (started.isoformat(), title)
        sess = sessions.get(key)
        if sess is None:
            dur = (ended - started).total_seconds() if ended and ended > started else None
            sess = ImportedSession("hevy", started, title, dur, (row.get("description") or "").strip())
            sessions[key] = sess
        sid = (row.get("superset_id") or "").strip()
        group = None
        if sid:
            labels = groups.setdefault(key, {})
            group = labels.setdefault(sid, "ABCDEFGHIJ"[min(len(labels), 9)])
        sess.sets.append(
            ImportedSet(
                ex_name,
                _resolve(ex_name, lib, report),
                idx,
                round(Mass.of(weight, w_unit).kg, 3),
                reps,
                rpe,
                _HEVY_TYPES.get((row.get("set_type") or "normal").strip().lower(), "normal"),
                None if not dist else round(Length.of(dist, d_unit).m, 1),
                secs or None,
                (row.get("exercise_notes") or "").strip(),
                group,
            )
        )
    report.sessions = sorted(sessions.values(), key=lambda s: s.started_at)
    _check_yield(report)
    return report


def _check_yield(report: ImportReport) -> None:
    if report.rows == 0:
        raise CSVImportError("The export has a header but no sets.")
    if not report.sessions:
        reasons = "; ".join(report.skipped[:3])
        raise CSVImportError(f"No set in the file could be read ({reasons}).")
    if len(report.skipped) > 0.5 * report.rows:
        raise CSVImportError(
            f"{len(report.skipped)} of {report.rows} rows could not be read (e.g. {report.skipped[0]}); "
            "nothing was imported. Is this an unmodified export?"
        )


def parse_export(data: bytes | str, *, unit: str = "kg", tz: str = "UTC", source: str | None = None) -> ImportReport:
    """Detect Strong vs Hevy (or use `source`) and parse."""
    text = decode(data) if isinstance(data, bytes) else data
    kind = source or detect(text)
    if kind == "hevy":
        return parse_hevy(text, tz=tz)
    if kind == "strong":
        return parse_strong(text, unit=unit, tz=tz)
    raise CSVImportError(f"Unknown export kind '{kind}' (strong or hevy).")


EXPORT_COLUMNS = [
    "Date",
    "Workout Name",
    "Duration",
    "Exercise Name",
    "Set Order",
    "Weight",
    "Weight Unit",
    "Reps",
    "RPE",
    "Distance",
    "Distance Unit",
    "Seconds",
    "Notes",
    "Workout Notes",
    "Exercise ID",
    "Set ID",
]


@dataclass
class ExportRow:
    started_at: datetime
    workout: str
    duration_s: float | None
    exercise_name: str
    exercise_id: str
    set_order: str
    load_kg: float
    reps: int
    rpe: float | None
    distance_m: float | None
    duration_set_s: float | None
    notes: str
    workout_notes: str
    set_id: str


def write_csv(rows: list[ExportRow], *, unit: str = "kg", tz: str = "UTC") -> str:
    """Strong-style CSV (with Weight Unit and our ids), readable by `parse_strong` and spreadsheet tools."""
    zone = ZoneInfo(tz)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    for r in rows:
        load = Mass.kgs(r.load_kg).to(unit)
        dur = "" if not r.duration_s else f"{int(r.duration_s // 3600)}h {int(r.duration_s % 3600 // 60)}m"
        w.writerow(
            [
                r.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                r.workout,
                dur,
                r.exercise_name,
                r.set_order,
                f"{load:.2f}".rstrip("0").rstrip("."),
                unit,
                r.reps,
                "" if r.rpe is None else f"{r.rpe:g}",
                "" if r.distance_m is None else f"{r.distance_m / 1000:.3f}",
                "km" if r.distance_m is not None else "",
                "" if r.duration_set_s is None else f"{r.duration_set_s:g}",
                r.notes,
                r.workout_notes,
                r.exercise_id,
                r.set_id,
            ]
        )
    return buf.getvalue()
