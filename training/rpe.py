"""The RTS (Tuchscherer) RPE chart: reps × RPE → % of 1RM.

The widely published chart (Reactive Training Systems) is one sequence in which every half RPE and
every extra rep moves one step: 1 @ 10 = 100 %, 1 @ 9.5 = 2 @ 10 = 97.8 % … 12 @ 6.5 = 58.6 %.
It covers 1-12 reps and RPE 6.5-10. RPE = 10 - RIR.
"""

from __future__ import annotations

# %1RM for step 0..29, where step = 2 × (reps - 1) + 2 × (10 - RPE).
_STEPS = (
    100.0,
    97.8,
    95.5,
    93.9,
    92.2,
    90.7,
    89.2,
    87.8,
    86.3,
    85.0,
    83.7,
    82.4,
    81.1,
    79.9,
    78.6,
    77.4,
    76.2,
    75.1,
    73.9,
    72.3,
    70.7,
    69.4,
    68.0,
    66.7,
    65.3,
    64.0,
    62.6,
    61.3,
    59.9,
    58.6,
)
MIN_REPS, MAX_REPS = 1, 12
MIN_RPE, MAX_RPE = 6.5, 10.0
# Below the chart (RPE 6 and lower, used for deloads and warm-ups) the last step size is continued.
_TAIL_STEP = _STEPS[-2] - _STEPS[-1]


class RPEChartError(ValueError):
    """Reps or RPE outside what the chart (or its documented extension) covers."""


def _step(reps: int, rpe: float) -> int:
    if not MIN_REPS <= reps <= MAX_REPS:
        raise RPEChartError(f"The RPE chart covers 1-{MAX_REPS} reps, not {reps}.")
    if not 1.0 <= rpe <= MAX_RPE:
        raise RPEChartError(f"RPE must be between 1 and 10, not {rpe:g}.")
    if abs(rpe * 2 - round(rpe * 2)) > 1e-9:
        raise RPEChartError(f"RPE goes in half steps (8, 8.5, 9), not {rpe:g}.")
    return 2 * (reps - 1) + round(2 * (10 - rpe))


def percent_1rm(reps: int, rpe: float, *, extrapolate: bool = False) -> float:
    """% of 1RM for `reps` at `rpe` (e.g. 5 @ 8 → 81.1). RPE below 6.5 only with `extrapolate`."""
    step = _step(reps, rpe)
    if rpe < MIN_RPE and not extrapolate:
        raise RPEChartError(f"The RPE chart starts at RPE {MIN_RPE:g}; {rpe:g} is below it.")
    if step < len(_STEPS):
        return _STEPS[step]
    return round(_STEPS[-1] - _TAIL_STEP * (step - len(_STEPS) + 1), 1)


def rir_to_rpe(rir: float) -> float:
    """Reps in reserve → RPE (2 RIR = RPE 8)."""
    if not 0 <= rir <= 9:
        raise RPEChartError(f"RIR must be between 0 and 9, not {rir:g}.")
    return 10.0 - rir


def rpe_for(reps: int, percent: float) -> float:
    """The chart RPE (half steps, clamped to 6.5-10) closest to doing `reps` at `percent` of 1RM."""
    best = min((abs(percent_1rm(reps, r / 2) - percent), r / 2) for r in range(int(MIN_RPE * 2), int(MAX_RPE * 2) + 1))
    return best[1]


def chart() -> dict[float, dict[int, float]]:
    """The whole chart as {rpe: {reps: %}} (for display and the CLI)."""
    return {
        r / 2: {n: percent_1rm(n, r / 2) for n in range(MIN_REPS, MAX_REPS + 1)}
        for r in range(int(MAX_RPE * 2), int(MIN_RPE * 2) - 1, -1)
    }
