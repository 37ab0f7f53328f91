"""Load-velocity profile and e1RM, stop advice, the words a lifter types, and the code-written report."""

from __future__ import annotations

import pytest

from vision.profile import DEFAULT_MVT, LoadVelocityPoint, ProfileError, fit_profile, stop_advice
from vision.report import markdown, rep_table, summary
from vision.request import parse_load_kg, parse_request


def test_profile_recovers_a_known_line_and_its_1rm() -> None:
    # v = 1.50 - 0.0075 * load  ->  at 0.30 m/s the load is 160 kg
    pts = [LoadVelocityPoint(load, 1.5 - 0.0075 * load, 0.02) for load in (60, 90, 120, 140)]
    prof = fit_profile(pts, "squat")
    assert prof.mvt == DEFAULT_MVT["squat"] == 0.30
    assert prof.slope == pytest.approx(-0.0075) and prof.intercept == pytest.approx(1.5)
    assert prof.e1rm_kg == pytest.approx(160.0)
    assert 0 < prof.e1rm_sd_kg < 10 and prof.r2 == pytest.approx(1.0)
    assert prof.velocity_at(100) == pytest.approx(0.75)
    v, sd = prof.velocity_at_share(0.9)  # 144 kg on the line
    assert v == pytest.approx(prof.velocity_at(144)) and sd == pytest.approx(0.1 * prof.intercept_sd)
    assert prof.velocity_at_share(1.0) == pytest.approx((0.30, 0.0))  # at the max: the MVT itself
    assert fit_profile(pts, "squat", mvt=0.375).e1rm_kg == pytest.approx(150.0)  # adjustable threshold


def test_profile_uncertainty_grows_with_scatter_and_extrapolation() -> None:
    tight = [LoadVelocityPoint(x, 1.5 - 0.0075 * x + e, 0.02) for x, e in ((60, 0.0), (80, 0.0), (100, 0.0))]
    loose = [LoadVelocityPoint(x, 1.5 - 0.0075 * x + e, 0.02) for x, e in ((60, 0.06), (80, -0.07), (100, 0.05))]
    a, b = fit_profile(tight, "squat"), fit_profile(loose, "squat")
    assert b.e1rm_sd_kg > a.e1rm_sd_kg
    assert a.extrapolation > 0.5  # 160 kg predicted from sets up to 100 kg


def test_profile_refuses_what_it_cannot_know() -> None:
    with pytest.raises(ProfileError, match="two or more different loads"):
        fit_profile([LoadVelocityPoint(100, 0.6)], "bench")
    with pytest.raises(ProfileError, match="two or more different loads"):
        fit_profile([LoadVelocityPoint(100, 0.6), LoadVelocityPoint(100, 0.62)], "bench")
    with pytest.raises(ProfileError, match="within 15%"):
        fit_profile([LoadVelocityPoint(100, 0.6), LoadVelocityPoint(105, 0.55)], "bench")
    with pytest.raises(ProfileError, match="don't slow down"):
        fit_profile([LoadVelocityPoint(60, 0.5), LoadVelocityPoint(100, 0.6)], "bench")


def test_stop_advice() -> None:
    assert stop_advice(None, 20) is None
    assert stop_advice(12.0, 20) is None
    advice = stop_advice(27.4, 20)
    assert advice is not None and "27%" in advice and "20%" in advice


@pytest.mark.parametrize(
    "text,lift,load,plate,rom",
    [
        ("analyse my squat, 160 kg", "squat", 160.0, None, None),
        ("bench 225 lbs please", "bench", 102.058, None, None),
        ("deadlift with 10 kg plates, 100kg on the bar", "deadlift", 100.0, 450.0, None),
        ("front squat 80 kilos, my ROM is 55 cm", "squat", 80.0, None, 0.55),
        ("overhead press 50kg with 35 lb plates", "press", 50.0, 410.0, None),
        ("check my bar path", None, None, None, None),
        ("snatch 70 kg, plates are 400 mm plates", "snatch", 70.0, 400.0, None),
        # a bare number after the lift is its load (kg), in set notation too; a count, a share or a length is not
        ("my deadlift at 185 looked slow off the floor", "deadlift", 185.0, None, None),
        ("paused bench with 92.5 - check my speed", "bench", 92.5, None, None),
        ("squat 110x4, the last one ground", "squat", 110.0, None, None),
        ("squat 5x5 today, film check", "squat", None, None, None),
        ("bench 12 reps, how did it move", "bench", None, None, None),
        ("front squat at 80% felt quick", "squat", None, None, None),
    ],
)
def test_requests_are_parsed_by_code(
    text: str, lift: str | None, load: float | None, plate: float | None, rom: float | None
) -> None:
    req = parse_request(text)
    assert req.lift == lift
    assert (req.load_kg is None) if load is None else req.load_kg == pytest.approx(load, rel=1e-3)
    assert req.plate_mm == plate
    assert (req.rom_m is None) if rom is None else req.rom_m == pytest.approx(rom)


@pytest.mark.parametrize(
    ("text", "reps"),
    [
        ("squat 120x6, film check", 6),
        ("bench 90 kg x 8 - how did the last reps move", 8),
        ("deadlift 200 for 2", 2),
        ("front squat, 7 reps at 95", 7),
        ("paused squat 132.5 x 6 x 2", 6),  # load x reps x sets
        ("squat 4 sets of 6", None),  # no "reps" said for the clip: left to the count
        ("analyse my bench", None),
    ],
)
def test_the_reps_said_about_a_clip(text: str, reps: int | None) -> None:
    assert parse_request(text).reps == reps


def test_load_strings() -> None:
    assert parse_load_kg("160kg") == 160.0
    assert parse_load_kg("160") == 160.0
    assert parse_load_kg("350 lb") == pytest.approx(158.757, rel=1e-4)
    assert parse_load_kg("heavy") is None


def _result(reps: list[dict]) -> dict:
    return {
        "lift": "squat",
        "load_kg": 140.0,
        "source": "plate",
        "reps": reps,
        "velocity_loss_pct": 25.0,
        "scale": {"method": "plate diameter 450 mm (170 px)", "px_per_m": 378.0, "relative_uncertainty": 0.02},
        "video": {"width": 360, "height": 640, "fps": 30.0, "vfr": False, "rotation": 90, "duration_s": 12.0},
        "notes": ["note one"],
    }


def _rep(n: int, mcv: float, loss: float) -> dict:
    return {
        "number": n,
        "mcv": mcv,
        "mcv_sd": 0.02,
        "peak_v": mcv * 1.6,
        "peak_v_sd": 0.04,
        "mpv": mcv,
        "mpv_sd": 0.02,
        "rom_m": 0.5,
        "rom_sd": 0.01,
        "concentric_s": 0.5 / mcv,
        "concentric_sd": 0.01,
        "horizontal_dev_m": 0.03,
        "horizontal_dev_sd": 0.002,
        "velocity_loss_pct": loss,
    }


def test_report_shows_every_number_with_its_uncertainty() -> None:
    result = _result([_rep(1, 0.62, 0.0), _rep(2, 0.55, 11.3), _rep(3, 0.465, 25.0)])
    table = rep_table(result)
    assert "| 1 | 0.62 ± 0.02 | 0.99 ± 0.04 | 0.62 ± 0.02 | 50 ± 1 | 0.81 ± 0.01 | 3.0 ± 0.2 | 0% |" in table
    assert table.count("\n") == 4
    text = summary(result)
    assert "3 squat reps with 140 kg" in text and "0.62 ± 0.02 m/s" in text and "velocity loss 25%" in text
    md = markdown(result)
    assert "rotation 90°" in md and "_note one_" in md
    assert "No whole" in summary(_result([])) and "No whole" in rep_table(_result([]))
