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
from training.library import Library, library

STRONG_REQUIRED = {"date", "workout name", "exercise name", "set order", "weight", "reps"}
HEVY_REQUIRED = {"title", "start_time", "exercise_title", "set_index", "reps"}
MAX_BYTES = 50 * 1024 * 1024


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
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    if not rows:
        raise CSVImportError("The file is empty.")
    header = [h.strip().strip('"').lower() for h in rows[0]]
    out = []
    for r in rows[1:]:
        if not any(c.strip() for c in r):
            continue
        out.append({header[i]: (r[i] if i < len(r) else "") for i in range(len(header))})
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
    raise CSVImportError(
        f"This doesn't look like a Strong or Hevy export: missing column(s) {', '.join(sorted(need - cols))}."
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
    for n, row in enumerate(rows, start=2):
        order = (row.get("set order") or "").strip().lower()
        if order in ("rest timer", "note", "notes"):
            continue
        try:
            started = parse_datetime(row["date"], zone)
            name = (row.get("workout name") or "Workout").strip() or "Workout"
            ex_name = (row.get("exercise name") or "").strip()
            if not ex_name:
                raise ValueError("no exercise name")
            weight = _num(row.get("weight")) or 0.0
            reps = int(_num(row.get("reps")) or 0)
            w_unit = (row.get("weight unit") or unit).strip().lower() or unit
            w_unit = "lb" if w_unit.startswith(("lb", "pound")) else "kg"
            if weight < 0 or reps < 0:
                raise ValueError("negative weight or reps")
            dist = _num(row.get("distance"))
            d_unit = (row.get("distance unit") or ("km" if unit == "kg" else "mi")).strip().lower() or "km"
            seconds = _num(row.get("seconds"))
            rpe = _num(row.get("rpe"))
            if rpe is not None and not 1 <= rpe <= 10:
                raise ValueError(f"RPE {rpe:g} is off the scale")
        except (ValueError, KeyError) as e:
            report.skipped.append(f"row {n}: {e}")
            continue
        if reps == 0 and weight == 0 and not seconds and not dist:
            report.skipped.append(f"row {n}: empty set (no weight, reps, time or distance)")
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
    w_col, w_unit = ("weight_kg", "kg") if "weight_kg" in cols else ("weight_lbs", "lb")
    d_col, d_unit = ("distance_km", "km") if "distance_km" in cols else ("distance_miles", "mi")
    report = ImportReport("hevy", rows=len(rows))
    sessions: dict[tuple[str, str], ImportedSession] = {}
    groups: dict[tuple[str, str], dict[str, str]] = {}
    for n, row in enumerate(rows, start=2):
        try:
            started = parse_datetime(row["start_time"], zone)
            title = (row.get("title") or "Workout").strip() or "Workout"
            ex_name = (row.get("exercise_title") or "").strip()
            if not ex_name:
                raise ValueError("no exercise name")
            weight = _num(row.get(w_col)) or 0.0
            reps = int(_num(row.get("reps")) or 0)
            if weight < 0 or reps < 0:
                raise ValueError("negative weight or reps")
            rpe = _num(row.get("rpe"))
            if rpe is not None and not 1 <= rpe <= 10:
                raise ValueError(f"RPE {rpe:g} is off the scale")
            dist = _num(row.get(d_col))
            secs = _num(row.get("duration_seconds"))
            idx = int(_num(row.get("set_index")) or 0) + 1
            ended = parse_datetime(row["end_time"], zone) if row.get("end_time") else None
        except (ValueError, KeyError) as e:
            report.skipped.append(f"row {n}: {e}")
            continue
        if reps == 0 and weight == 0 and not secs and not dist:
            report.skipped.append(f"row {n}: empty set (no weight, reps, time or distance)")
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
