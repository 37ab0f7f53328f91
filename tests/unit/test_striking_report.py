"""The round's words for the user and the model: counts agree with their nouns."""

from __future__ import annotations

from striking.habits import Habits
from striking.punches import Punch
from striking.report import RoundReport, markdown, summary


def _punch(kind: str, t: float, index: int) -> Punch:
    return Punch("left", "lead", "straight", kind, "head", t - 0.2, t, t + 0.3, 0, 1, 2, 1.2, 8.0, 170.0, 0.9,
                 index=index)  # fmt: skip


def _round(kinds: list[str]) -> RoundReport:
    habits = Habits(0.1, 0.1, 0.0, 0.3, None, 0.0, None, None)
    punches = [_punch(k, 1.0 + 2 * i, i + 1) for i, k in enumerate(kinds)]
    return RoundReport(20.0, 20.0, "orthodox", "measured", punches, [], habits, "rules")


def test_one_punch_is_said_in_the_singular():
    text = summary(_round(["jab"]))
    assert text.startswith("1 punch (1 jab)") and "0 combinations" in text
    assert "1 punches" not in text and "1 punches" not in markdown(_round(["jab"]))


def test_several_punches_take_the_plural_crosses_included():
    text = summary(_round(["jab", "cross", "cross"]))
    assert text.startswith("3 punches (1 jab, 2 crosses)")
