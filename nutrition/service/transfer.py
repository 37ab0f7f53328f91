"""Moving a diary in and out: import a MyFitnessPal or Cronometer export, export everything as CSV.

One service for the chat tool (`food_import`, `food_export`) and the CLI (`powerforge food import|export`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from nutrition.importers import ImportFormatError, ImportResult, parse_file
from nutrition.transfer import ImportSummary, export_csv, save_import
from services.uow import unit_of_work
from storage.training import ensure_library


class WrongExport(ImportFormatError):
    """The file is an export of another app than the one the caller expected (nothing was stored)."""

    def __init__(self, path: Path, found: str, expected: str):
        super().__init__(f"{path.name} looks like a {found} export, not {expected}.")
        self.found, self.expected = found, expected


@dataclass(frozen=True)
class FileImported:
    result: ImportResult  # what the file held (rows skipped and why, warnings)
    summary: ImportSummary  # what was stored


def import_file(
    account_id: int,
    path: Path,
    weight_unit: str = "kg",
    *,
    replace: bool = False,
    expect: str | None = None,
    engine: Engine | None = None,
) -> FileImported:
    """Read one export (CSV or ZIP) and store it in one unit of work: diary rows, weigh-ins, exercise and strength
    sets all land, or none do. `weight_unit` reads MyFitnessPal weights (its file has none); `expect` ('mfp',
    'cronometer') refuses another app's file. Raises ImportFormatError (or WrongExport) and stores nothing."""
    result = parse_file(path, weight_unit)
    app = result.source.split(":")[-1]
    if expect is not None and app != expect:
        raise WrongExport(path, app, expect)
    if result.strength:
        ensure_library(engine)  # shared reference rows are committed before the action (see services.uow)
    with unit_of_work(engine) as uow:
        summary = save_import(account_id, result, uow, replace=replace)
    return FileImported(result, summary)


def export_diary(account_id: int, out_dir: Path, engine: Engine | None = None) -> list[Path]:
    """diary.csv, daily_totals.csv, weights.csv, foods.csv, targets.csv, activity.csv and a ZIP of them all."""
    return export_csv(account_id, out_dir, engine)
