"""Model-filled arguments survive only when the athlete's words support them."""

from __future__ import annotations

from agent.grounding import ground
from agent.tools.core import ConvertArgs, ProfileArgs

HALLUCINATED = {
    "display_name": "John Doe", "sex": "male", "birth_year": 1980, "height_cm": 175, "activity_level": "moderate",
    "experience": "intermediate", "goal": "lose", "stance": "orthodox", "unit_system": "metric",
    "timezone": "Europe/London",
}  # fmt: skip


def test_invented_profile_fields_are_dropped():
    kept, dropped = ground(ProfileArgs, HALLUCINATED, "what's the capital of France?")
    assert kept == {} and set(dropped) == set(HALLUCINATED)


def test_stated_fields_are_kept_including_stems_and_number_words():
    text = "I'm a moderately active southpaw, 183 cm, trying to lose weight, born nineteen ninety"
    kept, _ = ground(ProfileArgs, {**HALLUCINATED, "stance": "southpaw", "height_cm": 183}, text)
    assert kept == {"activity_level": "moderate", "goal": "lose", "stance": "southpaw", "height_cm": 183}


def test_required_fields_are_left_to_validation():
    kept, dropped = ground(ConvertArgs, {"value": 80, "from_unit": "kg", "to_unit": "lb"}, "eighty kilos in pounds")
    assert kept == {"value": 80, "from_unit": "kg", "to_unit": "lb"} and dropped == []


def test_a_required_amount_the_athlete_never_wrote_is_never_used():
    import pytest

    # one number in the message: it is the amount, whatever the model wrote
    kept, _ = ground(ConvertArgs, {"value": 82.4, "from_unit": "kg", "to_unit": "lb"}, "change ninety kilos to lb")
    assert kept["value"] == 90
    # several: the model is asked again
    with pytest.raises(ValueError, match=r"value=82\.4 is not a number in the athlete's message"):
        ground(ConvertArgs, {"value": 82.4, "from_unit": "kg", "to_unit": "lb"}, "ninety kilos, or 95, in lb")
    # a message with no number at all ("a mile") leaves the amount to the tool's own validation
    kept, _ = ground(ConvertArgs, {"value": 1, "from_unit": "mi", "to_unit": "km"}, "how far is a mile in km")
    assert kept["value"] == 1


def test_number_words_and_digits():
    from agent.grounding import _numbers_in

    assert {85.0, 60.0, 2.5} <= _numbers_in("eighty five sets, 60 kg and 2,5 more")
    assert 80.0 in _numbers_in("turn eighty kilos into pounds")


def test_a_tool_that_grounds_itself_keeps_its_catalogue_keys() -> None:
    """metric="e1rm" is never typed verbatim; the analytics tool checks its own fields against the words."""
    from agent.tools.base import get_tool

    assert get_tool("ask").grounds_itself
    assert not get_tool("update_profile").grounds_itself
