"""The set-line parser on the ways lifters actually type sets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.parse import SetLineError, looks_like_set_line, parse_sets


def flat(text: str) -> list[tuple]:
    """(exercise text, load, unit, reps, rpe, amrap) per set, for compact expectations."""
    return [(e.exercise_text, s.load, s.unit, s.reps, s.rpe, s.amrap) for e in parse_sets(text) for s in e.sets]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("squat 140x5 @8", [("squat", 140, None, 5, 8.0, False)]),
        ("bench 3x5 at 100", [("bench", 100, None, 5, None, False)] * 3),
        ("did 225 for 8 on deadlift", [("deadlift", 225, None, 8, None, False)]),
        ("squat 140 kg x 5 x 3", [("squat", 140, "kg", 5, None, False)] * 3),
        ("squat 100x5x3", [("squat", 100, None, 5, None, False)] * 3),
        ("squat 3x5x100", [("squat", 100, None, 5, None, False)] * 3),
        ("3 sets of 5 at 140 squat", [("squat", 140, None, 5, None, False)] * 3),
        ("ohp 60kg 3 sets of 8", [("ohp", 60, "kg", 8, None, False)] * 3),
        ("rdl 100 for 3 sets of 10 @ 2 rir", [("rdl", 100, None, 10, 8.0, False)] * 3),
        ("bench 100 x 5 for 3 sets", [("bench", 100, None, 5, None, False)] * 3),
        ("bench 100x5, 5, 4", [("bench", 100, None, 5, None, False)] * 2 + [("bench", 100, None, 4, None, False)]),
        ("bench 100x5 @7, 102.5x5 @8", [("bench", 100, None, 5, 7.0, False), ("bench", 102.5, None, 5, 8.0, False)]),
        (
            "leg press 200x12, 12, 10 @9",
            [("leg press", 200, None, 12, None, False)] * 2 + [("leg press", 200, None, 10, 9.0, False)],
        ),
        ("bench 100x8+", [("bench", 100, None, 8, None, True)]),
        ("deadlift 200x1 @9.5", [("deadlift", 200, None, 1, 9.5, False)]),
        ("squat 140x5 at rpe 8", [("squat", 140, None, 5, 8.0, False)]),
        ("squatted 315lbs for 3 reps", [("squat", 315, "lb", 3, None, False)]),
        ("benched 225 for 5", [("bench", 225, None, 5, None, False)]),
        ("bench 102,5 kg x 3", [("bench", 102.5, "kg", 3, None, False)]),
        ("bench 100kg 5 reps", [("bench", 100, "kg", 5, None, False)]),
        ("I did 5 reps at 100 on bench", [("bench", 100, None, 5, None, False)]),
        ("curls 12x10", [("curls", 12, None, 10, None, False)]),
        ("pull ups 3x10", [("pull ups", None, None, 10, None, False)] * 3),
        (
            "pull ups 10, 8, 7",
            [
                ("pull ups", None, None, 10, None, False),
                ("pull ups", None, None, 8, None, False),
                ("pull ups", None, None, 7, None, False),
            ],
        ),
        ("squat 5x5", [("squat", None, None, 5, None, False)] * 5),
        ("bench 3x8 @ 8", [("bench", None, None, 8, 8.0, False)] * 3),
        ("squat 3x5 @ 100", [("squat", 100, None, 5, None, False)] * 3),
        ("t-bar row 60x10", [("t-bar row", 60, None, 10, None, False)]),
        ("clean and jerk 90x1", [("clean and jerk", 90, None, 1, None, False)]),
        ("squat 120x9 to failure", [("squat", 120, None, 9, 10.0, False)]),
        ("bench 90x10 amrap", [("bench", 90, None, 10, None, True)]),
        ("bench press 80kg 3x8", [("bench press", 80, "kg", 8, None, False)] * 3),
        ("squat 100kg for 3x5", [("squat", 100, "kg", 5, None, False)] * 3),
        ("3x8 80kg bench", [("bench", 80, "kg", 8, None, False)] * 3),
        ("dl 3x3 200", [("dl", 200, None, 3, None, False)] * 3),
        ("incline db press 30s x 10", [("incline db press", 30, None, 10, None, False)]),
        ("Squat: 5x5 @ 100kg", [("squat", 100, "kg", 5, None, False)] * 5),
        ("I did 3 sets of 8 on lat pulldown with 60", [("lat pulldown", 60, None, 8, None, False)] * 3),
        ("squat 4x8 at 117.5", [("squat", 117.5, None, 8, None, False)] * 4),
        ("dl 3x3 250", [("dl", 250, None, 3, None, False)] * 3),
        ("bench 3x5 @ 102.5", [("bench", 102.5, None, 5, None, False)] * 3),
        ("squat 3x5 @ 10", [("squat", None, None, 5, 10.0, False)] * 3),
    ],
)
def test_lines(line, expected):
    assert flat(line) == [
        tuple(float(x) if isinstance(x, int) and i == 1 else x for i, x in enumerate(t)) for t in expected
    ]


def test_several_lifts_in_one_message():
    for text in ("squat 140x5, bench 100x5", "squat 140x5\nbench 100x5", "squat 140x5; bench 100x5",
                 "hit 140 for 5 on squat then bench 100 for 5", "squat 140x5 and bench 100x5"):  # fmt: skip
        entries = parse_sets(text)
        assert [e.exercise_text for e in entries] == ["squat", "bench"], text
        assert [e.sets[0].load for e in entries] == [140, 100]


def test_supersets_warmups_notes_and_bodyweight_load():
    ss = parse_sets("superset bench 80x10 + row 60x10")
    assert [(e.exercise_text, e.group) for e in ss] == [("bench", "A"), ("row", "A")]
    labelled = parse_sets("A1 bench 80x10\nA2 barbell row 60x10\nB1 curls 15x12\nB2 pushdowns 20x12")
    assert [e.group for e in labelled] == ["A", "A", "B", "B"]
    assert parse_sets("warmup squat 60x5")[0].warmup
    assert parse_sets("squat 140x5 @8 - felt slow out of the hole")[0].notes == "felt slow out of the hole"
    assert parse_sets("deadlift 180x3 (belt, straps) rpe 9")[0].notes == "belt, straps"
    dips = parse_sets("dips +20kg x 8")[0].sets[0]
    assert (dips.load, dips.unit, dips.reps, dips.added) == (20, "kg", 8, True)
    bw = parse_sets("pull ups bw+10 x 5")[0].sets[0]
    assert bw.added and bw.load == 10


def test_timed_sets_and_added_load_after_the_scheme():
    plank = parse_sets("plank 3x60s")[0].sets
    assert [(x.reps, x.duration_s, x.load) for x in plank] == [(0, 60.0, None)] * 3
    assert [x.duration_s for x in parse_sets("plank 2 x 1 min")[0].sets] == [60.0, 60.0]
    walk = parse_sets("farmers walk 3x40s at 32kg")[0].sets[0]
    assert (walk.load, walk.unit, walk.duration_s) == (32, "kg", 40)
    chins = parse_sets("chin ups 3x8 +10kg")[0].sets
    assert [(x.load, x.reps, x.added) for x in chins] == [(10, 8, True)] * 3


def test_missing_reps_and_non_sets():
    amrap = parse_sets("squat 120 x amrap")[0].sets[0]
    assert amrap.reps == 0 and amrap.amrap  # the caller asks how many
    with pytest.raises(SetLineError):
        parse_sets("how should I brace?")
    assert not looks_like_set_line("what's my workout today")
    assert looks_like_set_line("did 225 for 8 on deadlift")
    assert looks_like_set_line("pull ups 10, 8, 7")


@settings(max_examples=300, deadline=None)
@given(
    load=st.integers(min_value=8, max_value=160).map(lambda q: q * 2.5),
    reps=st.integers(min_value=1, max_value=20),
    sets=st.integers(min_value=2, max_value=10),
    form=st.sampled_from(
        [
            "{w}x{r}",
            "{s}x{r} at {w}",
            "{w} for {r}",
            "{w}kg x {r} x {s}",
            "{s} sets of {r} at {w}",
            "{w}kg {s}x{r}",
            "{s}x{r} {w}kg",
            "{w} for {s}x{r}",
            "{s}x{r} @ {w}kg",
            "{w} x {r} @8",
        ]
    ),
)
def test_generated_set_lines_read_back_exactly(load, reps, sets, form):
    w = f"{load:g}"
    line = "squat " + form.format(w=w, r=reps, s=sets)
    entries = parse_sets(line)
    assert len(entries) == 1 and entries[0].exercise_text == "squat", line
    got = entries[0].sets
    n = sets if "{s}" in form else 1
    assert [(s.load, s.reps) for s in got] == [(load, reps)] * n, line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("front squat 110 for a double", [("front squat", 110, None, 2, None, False)]),
        ("ohp 60 kg for two singles", [("ohp", 60, "kg", 1, None, False)] * 2),
        ("got 180 for a triple on squat", [("squat", 180, None, 3, None, False)]),
    ],
)
def test_a_load_then_a_rep_word(line, expected):
    assert flat(line) == expected
