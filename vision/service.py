"""The lift video lab's application services: what an analysis, the CLI and the chat tool do with the stored
analyses. The fitting rules are `vision.profile`'s; storage only reads and writes rows."""

from __future__ import annotations

from sqlalchemy import Engine

from storage import lifts
from storage.training import active_program
from vision.profile import LoadVelocityPoint, LoadVelocityProfile, ProfileError, default_mvt, fit_profile


def refresh_profile(
    account_id: int, lift: str, engine: Engine | None = None, *, mvt: float | None = None
) -> tuple[LoadVelocityProfile | None, str | None]:
    """Refit the lift's load-velocity profile from every analysed set; returns (profile or None, reason).

    `mvt` changes the minimum velocity threshold for good (marked as the person's own).
    """
    row = lifts.get_profile(account_id, lift, engine)
    custom = mvt is not None or (row is not None and row.mvt_custom)
    threshold = mvt if mvt is not None else (row.mvt_m_s if row is not None and row.mvt_custom else default_mvt(lift))
    points = [LoadVelocityPoint(a, b, c) for a, b, c in lifts.profile_points(account_id, lift, engine)]
    try:
        prof = fit_profile(points, lift, threshold)
    except ProfileError as e:
        lifts.save_profile(account_id, lift, engine, mvt_m_s=threshold, mvt_custom=custom, points=len(points))
        return None, str(e)
    lifts.save_profile(
        account_id, lift, engine, mvt_m_s=threshold, mvt_custom=custom, slope_m_s_per_kg=prof.slope,
        intercept_m_s=prof.intercept, r2=prof.r2, points=prof.n, e1rm_kg=prof.e1rm_kg, e1rm_sd_kg=prof.e1rm_sd_kg,
    )  # fmt: skip
    return prof, None


def program_velocity_loss(account_id: int, lift: str, engine: Engine | None = None) -> float | None:
    """The velocity-loss stop (%) the active program prescribes for this lift, if it sets one."""
    exercise = lifts.LIFT_EXERCISE.get(lift)
    found = active_program(account_id, engine)
    if found is None or exercise is None:
        return None
    _row, program = found
    for week in program.weeks:
        for workout in week.workouts:
            for section in workout.sections:
                for item in section.items:
                    if item.exercise == exercise and item.velocity_loss_pct:
                        return float(item.velocity_loss_pct)
    return None
