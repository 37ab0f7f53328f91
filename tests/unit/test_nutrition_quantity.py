"""Amount parsing: every unit, fraction and spelling the issue lists, plus properties over random amounts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nutrition.meal_text import detect_day, detect_meal, parse_meal_line, split_items
from nutrition.quantity import QuantityError, parse_amount, parse_item, parse_number
from powerforge.units import Mass, Volume


@pytest.mark.parametrize(
    ("text", "food", "value", "unit", "kind"),
    [
        ("2 eggs", "eggs", 2, "", "count"),
        ("a slice of toast", "toast", 1, "slice", "measure"),
        ("150g oats", "oats", 150, "g", "mass"),
        ("300ml whole milk", "whole milk", 300, "ml", "volume"),
        ("half a chicken breast", "chicken breast", 0.5, "", "count"),
        ("a cup of cooked white rice", "cooked white rice", 1, "cup", "volume"),
        ("2 tbsp peanut butter", "peanut butter", 2, "tbsp", "volume"),
        ("330ml coke", "coke", 330, "ml", "volume"),
        ("1½ cups milk", "milk", 1.5, "cup", "volume"),
        ("1 1/2 cup rice", "rice", 1.5, "cup", "volume"),
        ("½ avocado", "avocado", 0.5, "", "count"),
        ("1/2 cup oats", "oats", 0.5, "cup", "volume"),
        ("0,5 l milk", "milk", 0.5, "l", "volume"),
        ("1,5 kg potatoes", "potatoes", 1.5, "kg", "mass"),
        ("3 oz chicken", "chicken", 3, "oz", "mass"),
        ("1lb beef", "beef", 1, "lb", "mass"),
        ("2 tsp sugar", "sugar", 2, "tsp", "volume"),
        ("3 slices of bread", "bread", 3, "slice", "measure"),
        ("2 pieces of chicken", "chicken", 2, "piece", "measure"),
        ("1 each apple", "apple", 1, "piece", "measure"),
        ("1 serving granola", "granola", 1, "serving", "measure"),
        ("2 servings of pasta", "pasta", 2, "serving", "measure"),
        ("1 medium banana", "banana", 1, "medium", "measure"),
        ("2 large eggs", "eggs", 2, "large", "measure"),
        ("a glass of milk", "milk", 1, "glass", "measure"),
        ("oats 150g", "oats", 150, "g", "mass"),
        ("coke (330 ml)", "coke", 330, "ml", "volume"),
        ("chicken breast x2", "chicken breast", 2, "", "count"),
        ("eggs 2", "eggs", 2, "", "count"),
        ("a dozen eggs", "eggs", 12, "", "count"),
        ("one and a half bananas", "bananas", 1.5, "", "count"),
        ("100 g of the chicken", "chicken", 100, "g", "mass"),
        ("1 fl oz cream", "cream", 1, "fl oz", "volume"),
        ("1,500 g rice", "rice", 1500, "g", "mass"),
        ("pint of beer", "beer", 1, "pint", "volume"),
        ("glass of whole milk", "whole milk", 1, "glass", "measure"),
        ("a spoon of honey", "honey", 1, "tsp", "volume"),
        ("bowl of porridge", "porridge", 1, "bowl", "measure"),
        ("a handful of almonds", "almonds", 1, "handful", "measure"),
        ("a splash of milk", "milk", 1, "splash", "measure"),
    ],
)
def test_items(text, food, value, unit, kind):
    item = parse_item(text)
    assert item.food == food
    assert item.amount.value == pytest.approx(value)
    assert item.amount.unit == unit
    assert item.amount.kind == kind
    assert item.amount.explicit


def test_no_amount_is_one_serving_not_explicit():
    item = parse_item("banana")
    assert (item.food, item.amount.value, item.amount.unit, item.amount.explicit) == ("banana", 1, "serving", False)


@pytest.mark.parametrize("name", ["7up", "single cream", "big mac", "quarter pounder", "whole milk", "apple pie"])
def test_names_that_look_like_amounts_stay_names(name):
    item = parse_item(name)
    assert item.food == name
    assert not item.amount.explicit


def test_ranges_are_midpoints_and_approximate():
    item = parse_item("2-3 eggs")
    assert item.amount.value == 2.5 and item.amount.approx


def test_typed_quantities_convert_exactly():
    assert parse_amount("3 oz").mass == Mass.of(3, "oz")
    assert parse_amount("1 lb").mass.g == pytest.approx(453.59237)
    assert parse_amount("0,5 l").volume == Volume.millilitres(500)
    assert parse_amount("1 cup").volume.ml == pytest.approx(236.5882365)
    assert parse_amount("2 tbsp").volume.ml == pytest.approx(29.5735, rel=1e-4)
    assert parse_amount("2").mass is None and parse_amount("2").volume is None


@pytest.mark.parametrize("bad", ["", "abc", "1/0 cup", "two hundred grams of"])
def test_bad_amounts_raise_clear_errors(bad):
    with pytest.raises(QuantityError) as e:
        parse_amount(bad)
    assert str(e.value)


def test_number_words_and_fractions():
    assert parse_number("half") == (0.5, False)
    assert parse_number("a couple of") == (2.0, True)
    assert parse_number("1 1/2") == (1.5, False)
    assert parse_number("1½")[0] == 1.5
    assert parse_number("2,25")[0] == 2.25
    assert parse_number("1,250")[0] == 1250


UNITS = {"g": ("mass", 1.0), "kg": ("mass", 1000.0), "ml": ("volume", 1.0), "l": ("volume", 1000.0)}


@given(
    value=st.decimals(min_value="0.1", max_value="5000", places=1),
    unit=st.sampled_from(sorted(UNITS)),
    comma=st.booleans(),
    space=st.booleans(),
)
def test_any_decimal_with_any_metric_unit_round_trips(value, unit, comma, space):
    written = str(value).replace(".", ",") if comma else str(value)
    item = parse_item(f"{written}{' ' if space else ''}{unit} oats")
    kind, factor = UNITS[unit]
    assert item.food == "oats"
    assert item.amount.kind == kind
    base = item.amount.mass.g if kind == "mass" else item.amount.volume.ml
    assert base == pytest.approx(float(value) * factor)


@given(whole=st.integers(0, 20), num=st.integers(1, 15), den=st.integers(2, 16))
def test_fractions(whole, num, den):
    text = f"{whole} {num}/{den}" if whole else f"{num}/{den}"
    assert parse_number(text)[0] == pytest.approx(whole + num / den)


@given(st.text(max_size=40))
def test_parser_never_crashes(text):
    try:
        item = parse_item(text)
    except QuantityError:
        return
    assert item.amount.value >= 0


# --- whole meal lines ------------------------------------------------------------------------------
def _foods(text):
    return [(i.food, i.amount.describe()) for i in parse_meal_line(text).items]


def test_meal_lines_from_the_issue():
    line = parse_meal_line("had 2 eggs and a slice of toast for breakfast")
    assert line.meal == "breakfast" and line.has_food_verb
    assert _foods("had 2 eggs and a slice of toast for breakfast") == [("eggs", "2"), ("toast", "1 slice")]
    assert _foods("150g oats with 300ml whole milk") == [("oats", "150 g"), ("whole milk", "300 ml")]
    line = parse_meal_line("lunch was half a chicken breast and a cup of cooked white rice")
    assert line.meal == "lunch"
    assert [(i.food, i.amount.value) for i in line.items] == [("chicken breast", 0.5), ("cooked white rice", 1)]
    assert _foods("2 tbsp peanut butter") == [("peanut butter", "2 tbsp")]
    assert _foods("330ml coke") == [("coke", "330 ml")]


def test_meal_and_day_words():
    assert detect_meal("for breakfast I had eggs")[0] == "breakfast"
    assert detect_meal("dinner: salmon")[0] == "dinner"
    assert detect_meal("a snack of almonds")[0] is None
    assert detect_meal("almonds as a snack")[0] == "snack"
    assert detect_day("yesterday I ate a banana")[0] == -1
    assert detect_day("last night pizza")[0] == -1
    line = parse_meal_line("for breakfast I had 2 eggs, toast and coffee")
    assert [i.food for i in line.items] == ["eggs", "toast", "coffee"]


def test_on_and_with_join_foods():
    assert _foods("half an avocado on toast") == [("avocado", "0.5"), ("toast", "1 serving")]
    assert _foods("3 scrambled eggs on 2 slices of wholemeal toast") == [
        ("scrambled eggs", "3"),
        ("wholemeal toast", "2 slice"),
    ]


def test_known_multiword_foods_are_not_split():
    known = {"mac and cheese", "salt and vinegar crisps"}
    assert split_items("mac and cheese and a coke", lambda s: s in known) == ["mac and cheese", "a coke"]
    assert split_items("2 eggs and toast", lambda s: s in known) == ["2 eggs", "toast"]
