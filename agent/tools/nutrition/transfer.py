"""Import a MyFitnessPal/Cronometer export; export the diary as CSV."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Attachment, ToolContext, ToolError, ToolOutput, tool
from agent.tools.nutrition.common import DOMAIN, _now, _who
from nutrition.importers import ImportFormatError, detect, read_rows
from nutrition.importers import decode as decode_csv
from nutrition.service import export_diary, import_file


# =========================================================================== import / export
class ImportArgs(BaseModel):
    """Import a MyFitnessPal or Cronometer export (attached CSV or ZIP) into the food diary and weights."""

    weight_unit: Literal["kg", "lb"] | None = Field(default=None, description="unit of MFP weights (its file has none)")
    replace: bool = Field(
        default=False, description="true only when the person asked daily totals to replace itemised servings"
    )


def _csv_kind(att: Attachment) -> str | None:
    try:
        raw = Path(att.path).read_bytes()[:65536]
    except OSError:
        return None
    if raw[:2] == b"PK":
        return "zip"
    try:
        headers, _rows = read_rows(decode_csv(raw)[0])
    except ImportFormatError:
        return None
    return detect(headers)


def _match_import(text: str, atts: list[Attachment]) -> ImportArgs | None:
    files = [
        a
        for a in atts
        if a.mime in ("text/csv", "text/plain", "application/zip") or a.filename.lower().endswith((".csv", ".zip"))
    ]
    if not files:
        return None
    if any(_csv_kind(a) not in (None, "zip") for a in files) or re.search(
        r"\b(myfitnesspal|mfp|cronometer)\b", text or "", re.I
    ):
        unit = (
            "lb"
            if re.search(r"\b(lbs?|pounds)\b", text or "", re.I)
            else "kg"
            if re.search(r"\b(kg|kilos?)\b", text or "", re.I)
            else None
        )
        replace = bool(re.search(r"\b(replace|overwrite)\b|\buse the (daily )?totals\b", text or "", re.I))
        return ImportArgs(weight_unit=unit, replace=replace)  # type: ignore[arg-type]
    return None


@tool(
    name="food_import",
    yields_to=("train_import",),  # a Strong/Hevy export has date and weight columns too
    description=ImportArgs.__doc__ or "",
    args=ImportArgs,
    domain=DOMAIN,
    examples=["import my MyFitnessPal export", "here's my cronometer export"],
    intents=[r"\bimport\b.*\b(myfitnesspal|mfp|cronometer)\b"],
    match=_match_import,
    kind="write",
)
def food_import(ctx: ToolContext, args: ImportArgs) -> ToolOutput:
    files = [a for a in ctx.attachments if not a.is_image and not a.is_video]
    if not files:
        raise ToolError("Attach the CSV (or ZIP) you exported from MyFitnessPal or Cronometer.")
    unit = args.weight_unit or _who(ctx).mass_unit
    lines, data = [], []
    for a in files:
        try:
            done = import_file(ctx.account_id, Path(a.path), unit, replace=args.replace, engine=ctx.engine)
        except ImportFormatError as e:
            lines.append(f"❌ {a.filename}: {e}")
            continue
        result, summary = done.result, done.summary
        what = []
        if summary.entries:
            what.append(f"{summary.entries} diary rows over {summary.days} days")
        if summary.weights:
            what.append(
                f"{summary.weights} weigh-ins (read as {unit})"
                if result.kind.find("mfp_measurement") >= 0
                else f"{summary.weights} weigh-ins"
            )
        if summary.activities:
            what.append(f"{summary.activities} exercise rows (energy burned, steps)")
        if summary.sets:
            what.append(f"{summary.sets} strength sets (in your training log)")
        span = f" ({summary.first} to {summary.last})" if summary.first else ""
        lines.append(
            f"✅ {a.filename}: imported {' and '.join(what) or 'nothing'}{span}."
            + (
                f" Replaced {summary.replaced} rows from an earlier import of the same days."
                if summary.replaced
                else ""
            )
        )
        lines += [f"ℹ️ {n}" for n in summary.notes]
        if result.skipped_rows:
            shown = "; ".join(result.skipped_rows[:5])
            more = f" … and {len(result.skipped_rows) - 5} more" if len(result.skipped_rows) > 5 else ""
            lines.append(f"Skipped {len(result.skipped_rows)} rows: {shown}{more}.")
        lines += [f"⚠️ {w}" for w in result.warnings]
        data.append(
            {
                "file": a.filename,
                "kind": result.kind,
                "entries": summary.entries,
                "weights": summary.weights,
                "replaced": summary.replaced,
                "activities": summary.activities,
                "strength_sets": summary.sets,
                "kept_itemised_days": [d.isoformat() for d in summary.kept_days],
                "skipped": dict(result.skipped),
                "skipped_rows": result.skipped_rows[:50],
                "warnings": result.warnings,
            }
        )
    if not data:
        raise ToolError(" ".join(lines))
    return ToolOutput(summary=" ".join(lines), markdown="\n\n".join(lines), data={"files": data}, final=True)


class ExportArgs(BaseModel):
    """Export the whole food diary, weights, custom foods and targets as CSV files (and one ZIP)."""


@tool(
    name="food_export",
    description=ExportArgs.__doc__ or "",
    args=ExportArgs,
    domain=DOMAIN,
    examples=["export my food diary", "download my nutrition data as csv"],
    match=lambda text, _a: (
        ExportArgs()
        if re.search(r"\b(export|download)\b.*\b(food|diary|nutrition|meals?|weights?|calories)\b", text, re.I)
        and not re.search(r"\b(training|workouts?|sets|lifts|lifting)\b", text, re.I)
        else None
    ),
    outranks=("train_export",),  # "export my food log": the word "log" alone is not training
)
def food_export(ctx: ToolContext, _args: ExportArgs) -> ToolOutput:
    out = ctx.output_dir / f"nutrition-export-{_now(ctx).strftime('%Y%m%d-%H%M%S')}"
    paths = export_diary(ctx.account_id, out, ctx.engine)
    names = ", ".join(p.name for p in paths[:-1])
    return ToolOutput(
        summary=f"Exported {names}.",
        markdown=f"Your data as CSV: {names} (all in one ZIP).",
        files=[str(p) for p in paths],
        data={"files": [p.name for p in paths]},
        final=True,
    )
