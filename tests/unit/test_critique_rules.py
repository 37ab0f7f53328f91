"""Critique rules on synthetic measures: ranking, thresholds, 'not judged' and the numbers the text may carry."""

from __future__ import annotations

import numpy as np

from agent.numbers import numbers_in_data, unsupported_numbers
from vision.body import BodyTrack
from vision.critique import lift_critique, render
from vision.technique import DEPTH_RULE_THIGH, angle, plausible, view_of


def _m(name, value, rep=1, sd=0.05, unit="thigh", verdict=None, t=1.0, not_judged=None, **extra):
    return {"name": name, "value": value, "sd": sd, "unit": unit, "rep": rep, "t": t, "verdict": verdict,
            "not_judged": not_judged, "extra": extra}  # fmt: skip


def _depth(value, rep=1, verdict="high"):
    return _m("depth", value, rep, verdict=verdict, hip_xy=[100.0, 200.0], knee_xy=[160.0, 210.0])


def _assert_numbers_from_findings(c) -> None:
    text = render(c)
    allowed = numbers_in_data(c.to_dict())
    assert unsupported_numbers(text, allowed) == [], text


def test_high_squat_is_the_top_finding_and_names_the_rep():
    tech = {"lift": "squat", "view": "side", "measures": [
        _depth(0.1, 1, "deep enough"), _depth(-0.4, 2, "high"),
        _m("bar_midfoot", 10.0, 2, sd=3.0, unit="cm", verdict="in front of mid-foot", mean_cm=6.0),
        _m("tempo_spread_pct", 30.0, None, sd=5.0, unit="%", reps=3),
    ]}  # fmt: skip
    c = lift_critique(tech)
    assert [f.key for f in c.work_on] == ["depth", "bar_midfoot", "tempo_spread"]
    assert c.work_on[0].rep == 2 and "40%" in c.work_on[0].evidence
    _assert_numbers_from_findings(c)


def test_all_deep_is_praised_not_flagged():
    c = lift_critique({"lift": "squat", "view": "side", "measures": [_depth(0.1, 1, "deep enough"),
                                                                     _depth(0.2, 2, "deep enough")]})  # fmt: skip
    assert not c.work_on
    assert any("reached depth" in w for w in c.went_well)
    _assert_numbers_from_findings(c)


def test_front_view_says_it_cannot_judge_depth():
    tech = {
        "lift": "squat",
        "view": "front",
        "measures": [
            _m("depth", None, None, sd=None, not_judged="from the front I can't judge depth: film from the side")
        ],
    }
    c = lift_critique(tech)
    assert not c.work_on
    assert any("from the front I can't judge depth" in s for s in c.cannot_judge)
    assert "can't judge" in render(c)


def test_bar_within_threshold_is_went_well():
    tech = {
        "lift": "squat",
        "view": "side",
        "measures": [_m("bar_midfoot", -4.0, 1, sd=3.0, unit="cm", verdict="behind mid-foot", mean_cm=1.0)],
    }
    c = lift_critique(tech)
    assert not c.work_on and "4 cm" in c.went_well[0]


def test_deadlift_hips_first_and_soft_lockout_ranked():
    tech = {"lift": "deadlift", "view": "side", "measures": [
        _m("hips_first", 2.4, 1, sd=0.3, unit="ratio", verdict="hips first"),
        _m("lockout", 150.0, 1, sd=5.0, unit="deg", verdict="soft lockout", joint="hip"),
        _m("bar_from_legs", 0.2, 1, sd=0.1),  # 0.05 thigh in front of the leg's surface: fine
    ]}  # fmt: skip
    c = lift_critique(tech)
    assert [f.key for f in c.work_on] == ["hips_first", "lockout"]
    assert any("close to your legs" in w for w in c.went_well)
    _assert_numbers_from_findings(c)


def test_no_body_track_is_said():
    c = lift_critique({"lift": "squat", "view": None, "measures": [], "not_judged": "the clip was analysed before"})
    assert "could not measure" in render(c) and c.cannot_judge


def test_depth_rule_is_the_ipf_reading():
    assert -0.1 < DEPTH_RULE_THIGH < 0  # the hip joint may sit a little above the knee's centre (top of knee)


def test_angle_and_view():
    assert abs(angle(np.array([0.0, 0.0]), np.array([1.0, 0.0]), np.array([1.0, 1.0])) - 90) < 1e-6
    assert np.isnan(angle(np.array([np.nan, 0]), np.array([1.0, 0.0]), np.array([1.0, 1.0])))


def _pose(n=6, flip_at=None, side=True):
    xy = np.full((n, 1, 17, 2), np.nan)
    for i in range(n):
        sh, hip, knee, ank = [100, 100], [100, 200], [150, 250], [120, 330]
        if flip_at is not None and i == flip_at:
            sh, hip = [100, 300], [100, 200]  # head below the hips: a misread
        spread = 5 if side else 80
        xy[i, 0, 5], xy[i, 0, 6] = sh, [sh[0] + spread, sh[1]]
        xy[i, 0, 11], xy[i, 0, 12] = hip, [hip[0] + spread, hip[1]]
        xy[i, 0, 13], xy[i, 0, 14] = knee, [knee[0] + spread, knee[1]]
        xy[i, 0, 15], xy[i, 0, 16] = ank, [ank[0] + spread, ank[1]]
    conf = np.where(np.isfinite(xy[..., 0]), 0.9, 0.0)
    body = BodyTrack(np.arange(n) / 10, np.arange(n), xy, conf)
    return body.lifter(np.arange(n) / 10, np.full((n, 2), 100.0))


def test_view_from_shoulder_spread():
    assert view_of(_pose(side=True))[0] == "side"
    assert view_of(_pose(side=False))[0] == "front"


def test_a_flipped_frame_is_blanked():
    pose = _pose(flip_at=3)
    share = plausible(pose)
    assert 0 < share < 0.4
    assert np.isnan(pose.xy[3]).all() and np.isfinite(pose.xy[2, 5]).all()


def test_reply_check_catches_a_number_the_findings_do_not_hold(tmp_path):
    """The model phrases the critique; the reply step's check (agent.numbers over the tool's output) keeps a
    phrasing with the findings' numbers and flags one that brings its own."""
    from agent.tools.critique import _critique_output

    tech = {"lift": "squat", "view": "side", "measures": [_depth(-0.4, 2, "high"), _depth(0.1, 1, "deep enough")]}
    c = lift_critique(tech)

    from types import SimpleNamespace

    ctx = SimpleNamespace(settings=SimpleNamespace(files_dir=tmp_path))  # the one attribute the renderer reads
    out = _critique_output(ctx, c, c.to_dict(), {})
    allowed = numbers_in_data(out.summary, out.markdown, out.data)
    assert unsupported_numbers("On rep 2 your hip stayed 40% of a thigh above the knee: sit deeper.", allowed) == []
    assert unsupported_numbers("On rep 2 you were 12 cm high; aim for 3 more reps.", allowed) == ["12", "3"]
