"""Load-velocity profile and the e1RM it predicts.

Each analysed set with a known load gives one point: the load and the set's best mean concentric
velocity (its fastest rep, usually the first: fatigue has not slowed it yet). Velocity falls almost
linearly with load for each lifter and lift (González-Badillo & Sánchez-Medina 2010), so a weighted
straight line through the points, extended to the lift's minimum velocity threshold (MVT: the speed
of a true one-rep max), estimates the 1RM. Uncertainty comes from each point's velocity uncertainty
and the scatter around the line (delta method on the line's covariance).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

# Mean concentric velocity of a 1RM (m/s): squat ~0.30, bench ~0.17, deadlift ~0.15, overhead press ~0.20.
DEFAULT_MVT: dict[str, float] = {
    "squat": 0.30,
    "bench": 0.17,
    "deadlift": 0.15,
    "press": 0.20,
    "row": 0.40,
    "snatch": 1.00,
    "clean": 0.90,
    "jerk": 0.80,
    "other": 0.25,
}
MIN_SPREAD = 0.15  # the loads must span at least 15 % of the heaviest, or the slope is noise


class ProfileError(ValueError):
    """Not enough (or contradictory) sets to draw a load-velocity line; the message says what to add."""


@dataclass(frozen=True)
class LoadVelocityPoint:
    load_kg: float
    velocity_m_s: float  # the set's best mean concentric velocity
    velocity_sd: float = 0.02


@dataclass(frozen=True)
class LoadVelocityProfile:
    lift: str
    slope: float  # m/s per kg (negative)
    intercept: float  # m/s at 0 kg
    slope_sd: float
    intercept_sd: float
    cov: float  # covariance of slope and intercept
    r2: float
    n: int
    mvt: float
    e1rm_kg: float
    e1rm_sd_kg: float
    load_min_kg: float
    load_max_kg: float

    def velocity_at(self, load_kg: float) -> float:
        return self.intercept + self.slope * load_kg

    def velocity_at_share(self, share: float) -> tuple[float, float]:
        """The mean velocity expected at `share` of the e1RM, ± its standard deviation (m/s).

        Since the e1RM is where the line meets the MVT, v = (1 - share)·intercept + share·MVT: only the intercept is
        uncertain, so the spread is (1 - share)·intercept_sd — tight near a max, wide for light loads.
        """
        return (1 - share) * self.intercept + share * self.mvt, abs(1 - share) * self.intercept_sd

    def load_at(self, velocity: float) -> float:
        return (velocity - self.intercept) / self.slope

    @property
    def extrapolation(self) -> float:
        """How far past the heaviest load the e1RM lies, as a share of it (large: trust it less)."""
        return max(0.0, self.e1rm_kg / self.load_max_kg - 1.0) if self.load_max_kg > 0 else math.inf

    def to_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def default_mvt(lift: str) -> float:
    return DEFAULT_MVT.get(lift, DEFAULT_MVT["other"])


def fit_profile(points: list[LoadVelocityPoint], lift: str, mvt: float | None = None) -> LoadVelocityProfile:
    """Weighted straight line velocity = a + b·load and the load at the minimum velocity threshold."""
    mvt = default_mvt(lift) if mvt is None else float(mvt)
    pts = [p for p in points if p.load_kg > 0 and p.velocity_m_s > 0]
    loads = np.array([p.load_kg for p in pts], float)
    if len(pts) < 2 or len(np.unique(np.round(loads, 2))) < 2:
        raise ProfileError(
            f"A load-velocity profile needs sets at two or more different loads; I have {len(pts)} "
            f"with a load. Film a lighter and a heavier set of your {lift}."
        )
    if (loads.max() - loads.min()) < MIN_SPREAD * loads.max():
        raise ProfileError(
            f"Your {lift} sets are all within {100 * MIN_SPREAD:.0f}% of each other "
            f"({loads.min():g}-{loads.max():g} kg); add a set clearly lighter or heavier."
        )
    v = np.array([p.velocity_m_s for p in pts], float)
    sd = np.array([max(p.velocity_sd, 0.005) for p in pts], float)
    w = 1.0 / sd**2
    x = np.column_stack([np.ones_like(loads), loads])
    xtwx = x.T @ (x * w[:, None])
    a, b = np.linalg.solve(xtwx, x.T @ (w * v))
    resid = v - (a + b * loads)
    cov = np.linalg.inv(xtwx)
    if len(pts) > 2:  # scatter beyond the measurement error widens the line's uncertainty
        chi2 = float(np.sum(w * resid**2)) / (len(pts) - 2)
        cov = cov * max(1.0, chi2)
    if b >= 0:
        raise ProfileError(
            f"Your {lift} sets don't slow down as the load goes up (the heavier sets were as fast or faster), "
            "so I can't predict a max from them yet."
        )
    e1rm = (mvt - a) / b
    # Delta method: d(e1rm)/da = -1/b, d(e1rm)/db = -(mvt - a)/b^2.
    grad = np.array([-1.0 / b, -(mvt - a) / b**2])
    e1rm_sd = float(math.sqrt(max(grad @ cov @ grad, 0.0)))
    ss_tot = float(np.sum(w * (v - np.average(v, weights=w)) ** 2))
    r2 = 1.0 - float(np.sum(w * resid**2)) / ss_tot if ss_tot > 0 else 1.0
    return LoadVelocityProfile(
        lift=lift, slope=float(b), intercept=float(a), slope_sd=float(math.sqrt(cov[1, 1])),
        intercept_sd=float(math.sqrt(cov[0, 0])), cov=float(cov[0, 1]), r2=r2, n=len(pts), mvt=mvt,
        e1rm_kg=float(e1rm), e1rm_sd_kg=e1rm_sd, load_min_kg=float(loads.min()), load_max_kg=float(loads.max()),
    )  # fmt: skip


def stop_advice(velocity_loss_pct: float | None, threshold_pct: float) -> str | None:
    """A sentence when the set's velocity loss has passed the threshold, else None."""
    if velocity_loss_pct is None or velocity_loss_pct < threshold_pct:
        return None
    return (
        f"Velocity loss reached {velocity_loss_pct:.0f}% (threshold {threshold_pct:g}%): stop this set here; "
        "more reps now add fatigue faster than they add training effect."
    )
