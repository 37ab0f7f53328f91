"""Numbers said in words become digits; words that are not one number stay words."""

from __future__ import annotations

import pytest

from powerforge.numwords import words_to_digits


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("one forty for eight", "140 for 8"),  # a spoken load drops the "hundred"
        ("two twenty five", "225"),
        ("three fifteen x 3", "315 x 3"),
        ("one hundred and five", "105"),
        ("one hundred eighty two pounds", "182 pounds"),
        ("rpe six and a half", "rpe 6.5"),
        ("seventy eight point two kg", "78.2 kg"),
        ("twenty-five", "25"),
        ("one arm row", "one arm row"),  # part of a name
        ("one two three", "one two three"),  # not one number
        ("a single at 100", "a single at 100"),
    ],
)
def test_words_to_digits(said, digits):
    assert words_to_digits(said) == digits
