"""Strong/Hevy CSV import and CSV export."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Action, Attachment, ToolContext, ToolError, ToolOutput, stored_attachment, tool
from agent.tools.training.common import DOMAIN, _now
from training.csvio import CSVImportError, detect
from training.service import UnitRefused, export_training, import_training


# --------------------------------------------------------------------------- import / export
class ImportArgs(BaseModel):
    """Import a Strong or Hevy CSV export attached to the message."""

    source: Literal["strong", "hevy"] | None = None
    unit: Literal["kg", "lb"] | None = Field(default=None, description="weight unit of a Strong export without one")
    upload_id: str | None = Field(default=None, description="an earlier upload to (re-)import")


def _csv_attachment(atts: list[Attachment]) -> Attachment | None:
    for a in atts:
        if a.filename.lower().endswith(".csv") or a.mime in ("text/csv", "text/plain"):
            return a
    return None


def _match_import(text: str, atts: list[Attachment]) -> ImportArgs | None:
    att = _csv_attachment(atts)
    if att is None:
        return None
    try:
        head = Path(att.path).read_bytes()[:8192].decode("utf-8-sig", errors="replace")
        kind = detect("\n".join(head.splitlines()[:2]) + "\n")
    except (OSError, CSVImportError):
        # the words name the app: the import reads the file and says plainly why nothing was imported
        named = re.search(r"\b(strong|hevy)\b", text, re.I)
        if named is None:
            return None
        kind = named.group(1).lower()
    unit = "lb" if re.search(r"\b(lbs?|pounds)\b", text, re.I) else ("kg" if re.search(r"\bkg\b", text, re.I) else None)
    return ImportArgs.model_validate({"source": kind, "unit": unit})


@tool(
    name="train_import",
    description=ImportArgs.__doc__ or "",
    args=ImportArgs,
    domain=DOMAIN,
    examples=["import my Strong export", "here's my Hevy CSV"],
    intents=[r"\bimport\b.*\b(strong|hevy)\b"],
    match=_match_import,
    kind="write",
)
def train_import(ctx: ToolContext, args: ImportArgs) -> ToolOutput:
    att = _csv_attachment(ctx.attachments)
    if att is None and args.upload_id:
        att = stored_attachment(ctx, args.upload_id)
    if att is None:
        raise ToolError("Attach the CSV from Strong (Settings → Export data) or Hevy (Settings → Export & Import).")
    try:
        done = import_training(ctx.account_id, Path(att.path).read_bytes(), source=args.source, unit=args.unit,
                               engine=ctx.engine)  # fmt: skip
    except UnitRefused as e:
        alt = "lb" if e.unit == "kg" else "kg"
        raise ToolError(
            f"{att.filename} has no weight unit and {e.worst} is impossible in {e.unit}; nothing was imported. "
            f"If your Strong app uses {alt}, send the file again with “import it as {alt}”."
        ) from e
    except CSVImportError as e:
        raise ToolError(f"I couldn't import {att.filename}: {e}") from e
    except OSError as e:
        raise ToolError(f"I couldn't read {att.filename}; please attach it again.") from e
    report, result, unit, unitless = done.report, done.stored, done.unit, done.unitless
    assert result is not None  # stored: not a dry run
    src = report.source.title()
    lines = [
        f"Imported **{result.sessions_added}** {src} workouts ({result.sets_added} sets)"
        + (f" from {result.first:%d %b %Y} to {result.last:%d %b %Y}" if result.first and result.last else "")
        + ".",
    ]
    if result.duplicates:
        lines.append(f"{result.duplicates} workouts were already imported and were skipped.")
    if result.custom_exercises:
        shown = ", ".join(result.custom_exercises[:8]) + ("…" if len(result.custom_exercises) > 8 else "")
        lines.append(f"Added as your own exercises (not in my library): {shown}.")
    if report.skipped:
        lines.append(
            f"{len(report.skipped)} rows skipped: "
            + "; ".join(report.skipped[:5])
            + ("…" if len(report.skipped) > 5 else "")
        )
    actions: list[Action] = []
    if unitless:
        alt = "lb" if unit == "kg" else "kg"
        lines.append(f"Strong's file doesn't say the unit, so weights were read as **{unit}**.")
        actions.append(
            Action(
                label=f"Re-import as {alt}",
                tool="train_import",
                args={"source": "strong", "unit": alt, "upload_id": att.upload_id},
                tooltip=f"Replace this import with the weights read as {alt}",
            )
        )
    return ToolOutput(
        summary=" ".join(x.replace("**", "") for x in lines),
        markdown="\n\n".join(lines),
        data={
            "sessions_added": result.sessions_added,
            "sets_added": result.sets_added,
            "duplicates": result.duplicates,
            "skipped": report.skipped[:50],
            "custom_exercises": result.custom_exercises,
        },
        actions=actions,
        final=True,
    )


class ExportArgs(BaseModel):
    """Export logged training as a CSV file (Strong-style columns)."""

    days: int | None = Field(default=None, ge=1, le=36500, description="only the last N days")


@tool(
    name="train_export",
    description=ExportArgs.__doc__ or "",
    args=ExportArgs,
    domain=DOMAIN,
    examples=["export my training log", "export my workouts as csv"],
    match=lambda text, _a: (
        ExportArgs() if re.search(r"\bexport\b.*\b(training|workouts?|sets|lifts|lifting|log)\b", text, re.I) else None
    ),
)
def train_export(ctx: ToolContext, args: ExportArgs) -> ToolOutput:
    now = _now(ctx)
    out = export_training(ctx.account_id, now - timedelta(days=args.days) if args.days else None, ctx.engine)
    if not out.rows:
        raise ToolError("There are no logged sets to export yet.")
    path = ctx.output_dir / f"training-{now:%Y%m%d-%H%M%S}.csv"
    path.write_text(out.csv, encoding="utf-8")
    rows, sessions, unit = out.rows, out.sessions, out.unit
    return ToolOutput(
        summary=f"Exported {len(rows)} sets from {sessions} sessions to {path.name}.",
        markdown=f"Here's your training log: {len(rows)} sets from {sessions} sessions (weights in {unit}).",
        files=[str(path)],
        data={"path": str(path), "sets": len(rows), "sessions": sessions},
        final=True,
    )
