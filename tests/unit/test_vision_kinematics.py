"""Kinematics on paths with a known motion (no video): rep detection, the concentric phase's ends,
mean / peak / propulsive velocity, velocity loss, and the rules that keep non-reps out."""

from __future__ import annotations

import numpy as np
import pytest

from vision.kinematics import KinematicsError, analyse_path
from vision.synthetic import RepSpec, _Motion, default_reps

PX_PER_M = 400.0


Path = tuple[_Motion, np.ndarray, np.ndarray, np.ndarray]


def _path(
    reps: list[RepSpec], fps: float, *, noise_px: float = 0.3, lift: str = "squat", vfr: bool = False, seed: int = 0
) -> Path:
    motion = _Motion(reps, 0.8, 0.6, lift in ("deadlift", "snatch"), 0.03)
    rng = np.random.default_rng(seed)
    if vfr:
        steps = rng.uniform(0.7, 1.3, int(motion.duration * fps * 1.5)) / fps
        t = np.cumsum(np.r_[0.0, steps])
        t = t[t < motion.duration]
    else:
        t = np.arange(int(motion.duration * fps)) / fps
    x = 200 + motion.x_at(t) * PX_PER_M + rng.normal(0, noise_px, len(t))
    y = 600 - motion.y_at(t) * PX_PER_M + rng.normal(0, noise_px, len(t))
    return motion, t, x, y


@pytest.mark.parametrize("fps,vfr", [(24, False), (30, False), (60, True), (120, False), (240, False)])
def test_mean_concentric_velocity_matches_truth(fps: float, vfr: bool) -> None:
    reps = default_reps(6, seed=int(fps))
    motion, t, x, y = _path(reps, fps, vfr=vfr, seed=int(fps))
    kin = analyse_path(t, x, y, px_per_m=PX_PER_M, pos_sd_px=0.3)
    truth = motion.truth()
    assert len(kin.reps) == len(truth)
    err = np.array([r.mcv - tr.mcv for r, tr in zip(kin.reps, truth, strict=True)])
    assert np.sqrt(np.mean(err**2)) < 0.012
    for r, tr in zip(kin.reps, truth, strict=True):
        assert r.start_t == pytest.approx(tr.start_t, abs=0.02)
        assert r.end_t == pytest.approx(tr.end_t, abs=0.03)
        assert r.rom_m == pytest.approx(tr.rom_m, abs=0.005)
        assert r.peak_v == pytest.approx(tr.peak_v, rel=0.08)
        assert r.horizontal_dev_m == pytest.approx(tr.horizontal_dev_m, abs=0.004)
        assert abs(r.mcv - tr.mcv) < 4 * r.mcv_sd + 0.01  # the stated uncertainty is honest


def test_velocity_loss_is_from_the_fastest_rep() -> None:
    reps = [RepSpec(con_s=0.5), RepSpec(con_s=0.45), RepSpec(con_s=0.6), RepSpec(con_s=0.75)]
    _, t, x, y = _path(reps, 60)
    kin = analyse_path(t, x, y, px_per_m=PX_PER_M)
    mcv = [r.mcv for r in kin.reps]
    assert kin.velocity_loss_pct == pytest.approx(100 * (max(mcv) - mcv[-1]) / max(mcv), abs=1e-9)
    assert kin.velocity_loss_pct == pytest.approx(100 * (1 - 0.45 / 0.75), abs=2.0)
    assert kin.reps[0].velocity_loss_pct == 0.0 and kin.reps[1].velocity_loss_pct == 0.0
    assert kin.reps[3].velocity_loss_pct > 35


def test_fast_light_rep_has_a_braking_phase() -> None:
    """A 0.3 s concentric decelerates faster than gravity at the top: MPV > MCV, and matches truth."""
    motion, t, x, y = _path([RepSpec(con_s=0.3, rom_m=0.45)], 240, noise_px=0.1)
    kin = analyse_path(t, x, y, px_per_m=PX_PER_M, pos_sd_px=0.1)
    truth = motion.truth()[0]
    assert truth.mpv > truth.mcv
    assert kin.reps[0].mpv == pytest.approx(truth.mpv, rel=0.05)
    assert kin.reps[0].mpv > kin.reps[0].mcv


def test_walkouts_and_reracks_are_not_reps() -> None:
    reps = [RepSpec(rom_m=0.05, con_s=0.3, ecc_s=0.3), *default_reps(3, seed=2), RepSpec(rom_m=0.06, con_s=0.3)]
    _, t, x, y = _path(reps, 30)
    assert len(analyse_path(t, x, y, px_per_m=PX_PER_M).reps) == 3


def test_snatch_recovery_is_not_a_second_rep() -> None:
    """Floor to overhead (1.3 m), drop under into the catch (0.4 m), stand up (0.4 m): one rep."""
    t = np.arange(0, 4.0, 1 / 30)
    h = np.interp(t, [0, 0.8, 1.5, 1.8, 2.2, 3.0, 4.0], [0, 0, 1.3, 0.9, 0.9, 1.3, 1.3])
    kin = analyse_path(t, 100 + 0 * t, 700 - h * PX_PER_M, px_per_m=PX_PER_M, lift="snatch")
    assert len(kin.reps) == 1
    assert kin.reps[0].rom_m == pytest.approx(1.3, abs=0.05)


def test_lift_first_last_rise_needs_a_lowering_or_a_hold() -> None:
    """Deadlift: pull, lower, then stand up without the bar as the clip ends: one rep, not two."""
    t = np.arange(0, 4.2, 1 / 30)
    h = np.interp(t, [0, 0.2, 1.0, 2.2, 3.0, 3.4, 4.15, 4.2], [0, 0, 0.55, 0.55, 0, 0, 0.55, 0.55])
    kin = analyse_path(t, 100 + 0 * t, 700 - h * PX_PER_M, px_per_m=PX_PER_M, lift="deadlift")
    assert len(kin.reps) == 1
    held = np.interp(
        np.arange(0, 5.0, 1 / 30), [0, 0.2, 1.0, 2.2, 3.0, 3.4, 4.15, 5.0], [0, 0, 0.55, 0.55, 0, 0, 0.55, 0.55]
    )
    kin = analyse_path(
        np.arange(0, 5.0, 1 / 30), 100 + 0 * held, 700 - held * PX_PER_M, px_per_m=PX_PER_M, lift="deadlift"
    )
    assert len(kin.reps) == 2  # the same rise held at lockout for 0.85 s is a rep
    # The first clip with 3 s of black after it (a variant): the bar is last seen where the clip ended, so
    # the frames lost after it prove no hold: still one rep, not a rep "lost" in the black.
    tb = np.arange(0, 7.2, 1 / 30)
    hb = np.interp(tb, [0, 0.2, 1.0, 2.2, 3.0, 3.4, 4.15, 4.2, 7.2], [0, 0, 0.55, 0.55, 0, 0, 0.55, 0.55, 0.55])
    kin = analyse_path(tb, 100 + 0 * tb, 700 - hb * PX_PER_M, px_per_m=PX_PER_M, lift="deadlift", ok=tb <= 4.2)
    assert len(kin.reps) == 1


def test_gaps_are_filled_and_scale_uncertainty_propagates() -> None:
    motion, t, x, y = _path(default_reps(3, seed=4), 60)
    ok = np.ones(len(t), bool)
    ok[100:106] = False  # a few frames where the plate was hidden
    y = y.copy()
    y[~ok] = 0  # garbage that must not be used
    kin = analyse_path(t, x, y, px_per_m=PX_PER_M, ok=ok, scale_rel_sd=0.05)
    assert len(kin.reps) == 3
    for r, tr in zip(kin.reps, motion.truth(), strict=True):
        assert r.mcv == pytest.approx(tr.mcv, abs=0.02)
        assert r.mcv_sd >= 0.05 * r.mcv * 0.99


def test_too_short_or_untracked() -> None:
    with pytest.raises(KinematicsError, match="too short"):
        analyse_path(np.arange(5) / 30, np.zeros(5), np.zeros(5), px_per_m=400)
    t = np.arange(60) / 30
    with pytest.raises(KinematicsError, match="followed"):
        analyse_path(t, np.zeros(60), np.zeros(60), px_per_m=400, ok=np.zeros(60, bool))
    assert analyse_path(t, np.zeros(60), np.zeros(60), px_per_m=400).reps == []  # still bar: no rep


@pytest.mark.parametrize("lift", ["snatch", "clean", "squat", "deadlift"])
def test_a_bar_that_only_wobbles_gives_no_rep_and_no_crash(lift: str) -> None:
    """Moves smaller than a rep (a sideways clip read on the wrong axis, a bar resting in a rack) used to
    crash the catch-lift rule with min() of nothing; now they are simply no rep."""
    t = np.arange(0, 4, 1 / 30)
    y = 300 + 15 * np.sin(2 * np.pi * t)  # 30 px up and down at 500 px/m: 6 cm, under a rep
    kin = analyse_path(t, np.full(len(t), 100.0), y, px_per_m=500.0, pos_sd_px=0.2, lift=lift)
    assert kin.reps == []
