"""Lift video lab repository: store analyses with their reps, link them to logged sets, keep profiles.

Everything an analysis writes (video row, analysis, reps) happens in one
transaction: a crash leaves either the whole result or nothing (the upload itself is stored before
analysis starts, by `storage.uploads`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from storage.engine import read_session, transaction
from storage.tables.core import utcnow
from storage.tables.lifts import LiftAnalysisRow, LiftProfileRow, LiftRep, LiftVideo

# The video lab's lift types and the training library's exercise they are logged as.
LIFT_EXERCISE: dict[str, str] = {
    "squat": "back_squat",
    "bench": "bench_press",
    "deadlift": "deadlift",
    "press": "overhead_press",
    "row": "barbell_row",
    "snatch": "snatch",
    "clean": "power_clean",
    "jerk": "clean_and_jerk",
}
LINK_WINDOW = timedelta(hours=3)  # a set logged this long before the video still counts as "just logged"


def _video_row(s: Session, account_id: int, video: dict[str, Any]) -> LiftVideo:
    row = s.exec(
        select(LiftVideo).where(col(LiftVideo.account_id) == account_id, col(LiftVideo.sha256) == video["sha256"])
    ).first()
    if row is None:
        row = LiftVideo(account_id=account_id, **video)
        s.add(row)
        s.flush()
    return row


def find_set_to_link(account_id: int, lift: str, engine: Engine | None = None) -> str | None:
    """The training set of this lift logged most recently (within LINK_WINDOW), if the training tables exist."""
    exercise = LIFT_EXERCISE.get(lift)
    if exercise is None:
        return None
    try:
        from storage.tables.training import TrainingSet
    except ImportError:  # the training domain is optional
        return None
    with read_session(engine) as s:
        row = s.exec(
            select(TrainingSet)
            .where(col(TrainingSet.account_id) == account_id, col(TrainingSet.exercise_id) == exercise)
            .where(col(TrainingSet.performed_at) >= utcnow() - LINK_WINDOW)
            .order_by(col(TrainingSet.performed_at).desc(), col(TrainingSet.created_at).desc())
        ).first()
    return row.id if row is not None else None


def save_analysis(
    account_id: int,
    *,
    video: dict[str, Any],
    result: dict[str, Any],
    annotated_path: str | None = None,
    job_id: str | None = None,
    training_set_id: str | None = None,
    engine: Engine | None = None,
) -> LiftAnalysisRow:
    """Store one analysis (and its video row if new) with all its reps; `result` is `LiftAnalysis.to_dict()`."""
    reps = result.get("reps", [])
    measured = [r for r in reps if r.get("mcv") is not None]  # a rep with a lost bar counts but has no number
    lift = result["lift"]
    best = max(measured, key=lambda r: r["mcv"]) if measured else None
    with transaction(engine) as s:
        vrow = _video_row(s, account_id, video)
        row = LiftAnalysisRow(
            account_id=account_id, video_id=vrow.id, job_id=job_id, training_set_id=training_set_id, lift=lift,
            exercise_id=LIFT_EXERCISE.get(lift), load_kg=result.get("load_kg"), source=result.get("source", "plate"),
            scale_method=result["scale"]["method"], px_per_m=result["scale"]["px_per_m"],
            scale_rel_sd=result["scale"]["relative_uncertainty"], rep_count=len(reps),
            best_mcv_m_s=best["mcv"] if best else None, best_mcv_sd_m_s=best["mcv_sd"] if best else None,
            last_mcv_m_s=measured[-1]["mcv"] if measured else None, velocity_loss_pct=result.get("velocity_loss_pct"),
            annotated_path=annotated_path, result=result,
        )  # fmt: skip
        s.add(row)
        s.flush()
        for r in measured:
            s.add(
                LiftRep(
                    analysis_id=row.id, account_id=account_id, number=r["number"], start_s=r["start_t"],
                    end_s=r["end_t"], rom_m=r["rom_m"], rom_sd_m=r["rom_sd"], concentric_s=r["concentric_s"],
                    concentric_sd_s=r["concentric_sd"], mcv_m_s=r["mcv"], mcv_sd_m_s=r["mcv_sd"],
                    peak_velocity_m_s=r["peak_v"], peak_velocity_sd_m_s=r["peak_v_sd"], mpv_m_s=r["mpv"],
                    mpv_sd_m_s=r["mpv_sd"], horizontal_dev_m=r["horizontal_dev_m"],
                    horizontal_dev_sd_m=r["horizontal_dev_sd"], eccentric_s=r.get("eccentric_s"),
                    velocity_loss_pct=r.get("velocity_loss_pct", 0.0),
                )
            )  # fmt: skip
        return row


def video_of(analysis: LiftAnalysisRow, engine: Engine | None = None) -> LiftVideo | None:
    """The video row an analysis was made from (its stored path and upload)."""
    with read_session(engine) as s:
        return s.get(LiftVideo, analysis.video_id)


def get_analysis(account_id: int, analysis_id: str, engine: Engine | None = None) -> LiftAnalysisRow | None:
    with read_session(engine) as s:
        row = s.get(LiftAnalysisRow, analysis_id)
    return row if row is not None and row.account_id == account_id else None


def analysis_for_job(account_id: int, job_id: str, engine: Engine | None = None) -> LiftAnalysisRow | None:
    with read_session(engine) as s:
        return s.exec(
            select(LiftAnalysisRow).where(
                col(LiftAnalysisRow.account_id) == account_id, col(LiftAnalysisRow.job_id) == job_id
            )
        ).first()


def list_analyses(
    account_id: int, lift: str | None = None, limit: int = 50, engine: Engine | None = None
) -> list[LiftAnalysisRow]:
    with read_session(engine) as s:
        q = select(LiftAnalysisRow).where(col(LiftAnalysisRow.account_id) == account_id)
        if lift:
            q = q.where(col(LiftAnalysisRow.lift) == lift)
        return list(s.exec(q.order_by(col(LiftAnalysisRow.created_at).desc()).limit(limit)))


def reps_of(account_id: int, analysis_id: str, engine: Engine | None = None) -> list[LiftRep]:
    with read_session(engine) as s:
        q = select(LiftRep).where(col(LiftRep.account_id) == account_id, col(LiftRep.analysis_id) == analysis_id)
        return list(s.exec(q.order_by(col(LiftRep.number))))


def profile_points(account_id: int, lift: str, engine: Engine | None = None) -> list[tuple[float, float, float]]:
    """(load kg, best MCV, its uncertainty) of every analysed set of this lift with a known load."""
    with read_session(engine) as s:
        rows = s.exec(
            select(
                col(LiftAnalysisRow.load_kg), col(LiftAnalysisRow.best_mcv_m_s), col(LiftAnalysisRow.best_mcv_sd_m_s)
            )
            .where(col(LiftAnalysisRow.account_id) == account_id, col(LiftAnalysisRow.lift) == lift)
            .where(col(LiftAnalysisRow.load_kg).is_not(None), col(LiftAnalysisRow.best_mcv_m_s).is_not(None))
            .order_by(col(LiftAnalysisRow.created_at))
        ).all()
    return [(float(a), float(b), float(c or 0.02)) for a, b, c in rows if a is not None and b is not None]


def get_profile(account_id: int, lift: str, engine: Engine | None = None) -> LiftProfileRow | None:
    with read_session(engine) as s:
        return s.get(LiftProfileRow, (account_id, lift))


def save_profile(account_id: int, lift: str, engine: Engine | None = None, **values: Any) -> LiftProfileRow:
    """Create or update the account's profile row for a lift (mvt, fitted line, e1RM)."""
    with transaction(engine) as s:
        row = s.get(LiftProfileRow, (account_id, lift))
        if row is None:
            row = LiftProfileRow(account_id=account_id, lift=lift, mvt_m_s=values.get("mvt_m_s", 0.0))
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        s.add(row)
        return row
