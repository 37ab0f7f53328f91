"""Punch detection, stance, habits, combos and follow-ups on synthetic keypoint tracks with known answers.

These scripted punches are drawn by `striking.synthetic`, whose arm shapes were written alongside the
type rules: here they check the plumbing (times, hands, habits, combos, questions) and stand as a
regression check of the rules on their own shapes, not as evidence that punches are found or typed
on real people. That evidence comes from real poses: tests/unit/test_striking_real_poses.py and
bench/striking_accuracy.py (dev and held-out parts of every labelled source)."""

from __future__ import annotations

import numpy as np
import pytest

from striking.analyse import StrikeError, analyse_track
from striking.habits import measure_habits
from striking.punches import detect_punches, detect_stance
from striking.questions import answer, parse_question
from striking.report import find_combos, markdown
from striking.synthetic import GuardDrop, Script, generate, keypoint_frames
from striking.synthetic import ScriptedPunch as P
from striking.track import build_track, finish_track

ROUND = [
    P(1.0, "lead"), P(1.5, "rear"), P(2.6, "lead", "hook"), P(3.4, "rear", "hook"), P(4.3, "lead", "uppercut"),
    P(5.2, "rear", "uppercut"), P(6.1, "lead", "straight", "body"), P(7.0, "rear", "straight", "body"),
]  # fmt: skip
EXPECTED = ["jab", "cross", "lead_hook", "rear_hook", "lead_uppercut", "rear_uppercut", "jab", "cross"]


def _track(script: Script):
    t, xy, conf = generate(script)
    return finish_track(t, xy, conf, 1280, 720)


@pytest.mark.parametrize(("stance", "facing"), [("orthodox", "left"), ("southpaw", "right"), ("southpaw", "left"),
                                                ("orthodox", "right")])  # fmt: skip
def test_every_scripted_punch_is_found_and_typed(stance: str, facing: str) -> None:
    track = _track(Script(duration_s=9, stance=stance, facing=facing, punches=ROUND,
                          drops=[GuardDrop(7.6, 8.6, "left")]))  # fmt: skip
    found_stance, how = detect_stance(track)
    assert found_stance == stance and "video" in how
    punches = detect_punches(track, found_stance)
    assert [p.kind for p in punches] == EXPECTED  # the guard drop at 7.6 s is not a punch (rules' own shapes)
    assert {p.view for p in punches} == {"oblique"}  # three-quarter: nose off the shoulder midpoint
    assert [p.target for p in punches] == ["head"] * 6 + ["body"] * 2
    lead = "left" if stance == "orthodox" else "right"
    assert all((p.hand == lead) == (p.side == "lead") for p in punches)
    for p, scripted in zip(punches, ROUND, strict=True):
        assert abs(p.t_peak - scripted.t) <= 0.1
        assert p.t_onset < p.t_peak < p.t_return
        assert 0.1 <= p.return_s <= 0.4


def test_no_phantoms_in_a_still_guard_with_noise_and_sway() -> None:
    track = _track(Script(duration_s=10, noise_px=2.5, drops=[GuardDrop(2, 4, "right"), GuardDrop(6, 8.5, "left")]))
    assert detect_punches(track) == []


def test_guard_drop_share_and_moment() -> None:
    track = _track(Script(duration_s=10, punches=[P(1.0, "lead")], drops=[GuardDrop(4.0, 7.0, "right")]))
    habits = measure_habits(track, detect_punches(track))
    assert habits.guard_down_share_left == pytest.approx(0.0, abs=0.02)
    # down from ~4.15 s to ~6.85 s of 10 s (the hand takes 0.3 s to travel)
    assert habits.guard_down_share_right == pytest.approx(0.28, abs=0.05)
    assert [m[2] for m in habits.guard_down_moments] == ["right"]
    start, end, _ = habits.guard_down_moments[0]
    assert 4.0 <= start <= 4.4 and 6.6 <= end <= 7.0


def test_other_hand_drop_and_telegraph_are_flagged_on_the_right_punches() -> None:
    script = Script(duration_s=6, punches=[P(1.0, "lead", drop_other=True), P(2.5, "lead"),
                                           P(4.0, "rear", telegraph=True)])  # fmt: skip
    track = _track(script)
    punches = detect_punches(track)
    assert [p.kind for p in punches] == ["jab", "jab", "cross"]
    assert [p.other_hand_dropped for p in punches] == [True, False, False]
    assert [p.telegraphed for p in punches] == [False, False, True]
    h = measure_habits(track, punches)
    assert h.other_hand_drop_share == pytest.approx(1 / 3)
    assert h.telegraph_share == pytest.approx(1 / 3)


def test_combos_group_punches_within_a_second() -> None:
    track = _track(Script(duration_s=8, punches=[P(1.0, "lead"), P(1.5, "rear"), P(2.2, "lead", "hook"),
                                                 P(5.0, "lead"), P(6.5, "rear")]))  # fmt: skip
    combos = find_combos(detect_punches(track))
    assert len(combos) == 1
    assert combos[0].sequence == "jab - cross - lead hook"
    assert combos[0].punches == [1, 2, 3]


def test_followup_answer_uses_the_data_with_timestamps() -> None:
    script = Script(duration_s=8, punches=[P(1.0, "lead", drop_other=True), P(3.0, "lead"),
                                           P(5.0, "lead", drop_other=True), P(6.5, "rear")])  # fmt: skip
    report = analyse_track(_track(script)).to_dict()
    q = parse_question("am I dropping my right hand when I jab?")
    assert q is not None and q.habit == "drop" and q.hand == "right" and q.kinds == ["jab"]
    text, data = answer(q, report)
    assert data["checked"] == 3 and data["dropped"] == 2
    assert data["moments"] == ["0:01.0", "0:05.0"]
    assert "2 of 3" in text


def test_the_most_thrown_combination_comes_from_the_rounds_combos() -> None:
    seen = [(3.0, "jab - cross"), (9.5, "jab - jab - cross"), (14.0, "jab - cross"), (70.2, "lead hook - cross")]
    report = {"combos": [{"start_s": t, "sequence": seq} for t, seq in seen]}
    q = parse_question("which combination do I lean on?")
    assert q is not None and q.habit == "combos"
    text, data = answer(q, report)
    assert "**jab - cross**, 2 of 4 combinations (at 0:03.0, 0:14.0)" in text
    assert data["combos"][0]["sequence"] == "jab - cross" and data["total"] == 4
    hooks, _ = answer(parse_question("my combos with a hook?") or q, report)
    assert "**lead hook - cross**, 1 of 1" in hooks
    alone, data = answer(q, {"combos": []})
    assert "no combinations" in alone and data["combos"] == []


def test_athlete_chosen_among_people_and_leaving_frame_is_reported() -> None:
    script = Script(duration_s=8, punches=[P(1.0, "lead"), P(6.0, "rear")])
    frames = keypoint_frames(script, bystander=True, absent=(2.5, 4.5))
    track = build_track(frames, 1280, 720)
    assert track.max_persons == 2
    assert abs(np.nanmedian(track.p("nose")[:, 0]) - 640) < 100  # the boxer, not the coach at x~1126
    report = analyse_track(track)
    assert [p.kind for p in report.punches] == ["jab", "cross"]
    assert any("out of frame" in n for n in report.notes)
    assert any("2 people" in n for n in report.notes)
    assert "jab" in markdown(report)


def test_no_person_is_a_clear_error() -> None:
    script = Script(duration_s=2)
    frames = keypoint_frames(script, absent=(0.0, 3.0))
    with pytest.raises(StrikeError, match="couldn't see a person"):
        analyse_track(build_track(frames, 1280, 720))


def test_face_on_stance_falls_back_to_profile_then_orthodox() -> None:
    t, xy, conf = generate(Script(duration_s=2))
    xy[:, 0, 0] = (xy[:, 5, 0] + xy[:, 6, 0]) / 2  # nose straight above the shoulder midpoint: face-on
    track = finish_track(t, xy, conf)
    assert detect_stance(track, "southpaw") == ("southpaw", "from your profile")
    assert detect_stance(track)[0] == "orthodox"


def test_who_is_the_athlete_from_the_users_words() -> None:
    from agent.tools.striking import who_from_text

    assert who_from_text("check my sparring, I'm the one on the left") == "left"
    assert who_from_text("analyse the round, right guy is me") == "right"
    assert who_from_text("I'm the boxer in the middle") == "centre"
    assert who_from_text("count my left hooks") == "auto"  # a punch name, not a person
