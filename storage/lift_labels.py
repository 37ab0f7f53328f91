"""The athlete's rep labels: stored with the rep's trace features, never edited (the latest per rep counts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from storage.engine import read_session, transaction
from storage.tables.lifts import LiftAnalysisRow, LiftRepLabel

REP_LABELS = ("ok", "not_a_rep", "ends_early", "ends_late", "missed_after")


def label_rep(account_id: int, analysis_id: str, number: int, label: str, features: dict[str, Any], *,
              by: int | None = None, engine: Engine | None = None) -> LiftRepLabel:  # fmt: skip
    """Store one label for rep `number` of an analysis ("missed_after": a rep missed after this one).
    `features` (share of the tallest rise, range of motion…) come from the caller's reading of the stored
    analysis, so learning needs no video pass."""
    if label not in REP_LABELS:
        raise ValueError(f"Unknown rep label {label!r}.")
    with transaction(engine) as s:
        row = s.get(LiftAnalysisRow, analysis_id)
        if row is None or row.account_id != account_id:
            raise LookupError("That analysis is not yours or no longer stored.")
        rep = next((r for r in row.result.get("reps") or [] if int(r["number"]) == number), None)
        if rep is None:
            raise LookupError(f"There is no rep number {number} in that set.")
        out = LiftRepLabel(account_id=account_id, analysis_id=analysis_id, lift=row.lift, rep_number=number,
                           t_start_s=float(rep["start_t"]), t_end_s=float(rep["end_t"]), label=label,
                           features=features, labelled_by=by or account_id)  # fmt: skip
        s.add(out)
        s.flush()
        return out


def rep_label_history(account_id: int, analysis_id: str | None = None, lift: str | None = None,
                      engine: Engine | None = None) -> list[LiftRepLabel]:  # fmt: skip
    """Every rep label row of an account, oldest first (the export and the audit trail)."""
    with read_session(engine) as s:
        q = select(LiftRepLabel).where(col(LiftRepLabel.account_id) == account_id)
        if analysis_id is not None:
            q = q.where(col(LiftRepLabel.analysis_id) == analysis_id)
        if lift is not None:
            q = q.where(col(LiftRepLabel.lift) == lift)
        return list(s.exec(q.order_by(col(LiftRepLabel.created_at), col(LiftRepLabel.id))))


def current_rep_labels(account_id: int, analysis_id: str | None = None, lift: str | None = None,
                       engine: Engine | None = None) -> list[LiftRepLabel]:  # fmt: skip
    """The label that counts for each rep (the latest), plus every "missed one after this"."""
    latest: dict[tuple[str, int], LiftRepLabel] = {}
    missed: list[LiftRepLabel] = []
    for row in rep_label_history(account_id, analysis_id, lift, engine):
        if row.label == "missed_after":
            missed.append(row)
        else:
            latest[(row.analysis_id, row.rep_number)] = row
    return sorted([*latest.values(), *missed], key=lambda r: (r.created_at, r.id or 0))
