"""Strong/Hevy CSV import and CSV export: one service for the chat tool and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from storage import training as repo
from training.csvio import CSVImportError, ExportRow, ImportReport, parse_export, write_csv
from training.library import library


class UnitRefused(CSVImportError):
    """A Strong file without a unit whose numbers cannot be real in the assumed unit (nothing imported)."""

    def __init__(self, unit: str, worst: str):
        super().__init__(f"{worst} is impossible in {unit}")
        self.unit, self.worst = unit, worst


@dataclass(frozen=True)
class Imported:
    report: ImportReport  # what the file held (rows skipped, unknown exercises)
    unit: str  # the unit a file without one was read in
    unitless: bool  # a Strong file that does not say its unit
    stored: repo.ImportResult | None  # None on a dry run


def _implausible(report: ImportReport) -> str | None:
    """The first set that cannot be real when the file's numbers are read in the assumed unit (a 600 kg squat)."""
    for sess in report.sessions:
        for st in sess.sets:
            ex = library().by_id.get(st.exercise_id or "")
            if ex is not None and st.load_kg > ex.max_load_kg:
                return f"a {st.load_kg:.0f} kg {ex.name}"
    return None


def import_training(
    account_id: int,
    data: bytes,
    *,
    source: str | None = None,
    unit: str | None = None,
    check_unit: bool = True,
    dry_run: bool = False,
    engine: Engine | None = None,
) -> Imported:
    """Parse and store an export (sessions imported before are skipped). Raises `CSVImportError` for a file that
    cannot be imported; with `check_unit`, `UnitRefused` when a unitless Strong file read in the athlete's unit
    holds an impossible set. A unit given for a unitless Strong file replaces an earlier import of it."""
    said = unit
    unit = unit or repo.display_unit(account_id, engine)
    report = parse_export(data, unit=unit, tz=repo.account_tz(account_id, engine), source=source)
    unitless = report.source == "strong" and not report.has_unit_column
    if check_unit and unitless and said is None and (worst := _implausible(report)) is not None:
        raise UnitRefused(unit, worst)
    replace = said is not None and unitless
    stored = None if dry_run else repo.import_sessions(account_id, report, engine, replace=replace)
    return Imported(report, unit, unitless, stored)


@dataclass(frozen=True)
class Exported:
    csv: str
    rows: list[ExportRow]
    unit: str

    @property
    def sessions(self) -> int:
        return len({(r.started_at, r.workout) for r in self.rows})


def export_training(account_id: int, since: datetime | None = None, engine: Engine | None = None) -> Exported:
    """Every logged set (since `since`) as a Strong-style CSV in the athlete's unit and timezone."""
    rows = repo.export_rows(account_id, since, None, engine)
    unit = repo.display_unit(account_id, engine)
    return Exported(write_csv(rows, unit=unit, tz=repo.account_tz(account_id, engine)), rows, unit)
