"""The committed SR24 table, its search ranking, the alias table and grams from household measures."""

from __future__ import annotations

from pathlib import Path

import pytest

from nutrition.foods import DATA, Food, generic_foods
from nutrition.nutrients import Nutrients
from nutrition.portion import PortionError, absurd_reason, density_g_ml, find_measure, portion
from nutrition.quantity import parse_amount, parse_item


@pytest.fixture(scope="module")
def table():
    return generic_foods()


def test_table_is_complete_small_and_attributed(table):
    assert len(table) == 7907
    size = sum((DATA / n).stat().st_size for n in ("foods.tsv", "measures.tsv", "aliases.tsv"))
    assert size < 5_000_000
    text = (DATA / "ATTRIBUTION.md").read_text()
    assert "public domain" in text and "cronometer" in text


@pytest.mark.parametrize(
    ("uid", "kcal", "protein"),
    [("09040", 89, 1.09), ("20045", 130, 2.69), ("05064", 165, 31.02), ("01123", 143, 12.56)],
)
def test_values_match_usda(table, uid, kcal, protein):
    food = table.get(uid)
    assert food.per100.kcal == kcal and food.per100.protein_g == pytest.approx(protein)


def test_search_prefers_the_common_whole_food(table):
    assert table.search("banana")[0].food.name == "Bananas, raw"
    names = [h.food.name for h in table.search("banana", 8)]
    assert names.index("Bananas, raw") < names.index("Snacks, banana chips")
    assert table.search("apple")[0].food.name.startswith("Apples, raw")
    assert table.search("broccoli")[0].food.name == "Broccoli, raw"
    assert table.search("watermelon")[0].food.name == "Watermelon, raw"
    assert not any(h.food.group == "Baby foods" for h in table.search("banana", 5))


def test_aliases_resolve_everyday_words(table):
    assert table.search("toast")[0].food.ref == "usda:18070"
    assert table.search("coke")[0].food.ref == "usda:14400"
    assert table.search("eggs")[0].food.ref == "usda:01123"
    assert table.search("cooked white rice")[0].food.ref == "usda:20045"
    rice = table.alias("rice")
    assert rice.ambiguous and len(rice.ids) >= 3


def test_every_alias_points_at_a_food_with_its_measure(table):
    for alias in table.aliases.values():
        for uid in alias.ids:
            food = table.get(uid)
            assert food is not None, alias.phrase
            if alias.measure:
                assert find_measure(food, alias.measure) is not None, (alias.phrase, uid, alias.measure)


def _grams(table, text, ref=None):
    item = parse_item(text)
    food = table.get(ref) if ref else table.search(item.food)[0].food
    p = portion(food, item.amount, item.food)
    return food, p


@pytest.mark.parametrize(
    ("text", "ref", "grams"),
    [
        ("2 eggs", None, 100.0),  # 2 x large (50 g)
        ("a slice of toast", None, 22.0),  # USDA: 1 slice toasted white bread
        ("half a chicken breast", None, 86.0),  # USDA: 0.5 breast = 86 g
        ("a cup of cooked white rice", None, 158.0),
        ("2 tbsp peanut butter", None, 32.0),  # USDA: 2 tbsp = 32 g
        ("150g oats", None, 150.0),
        ("a banana", None, 118.0),  # medium
        ("1 can of coke", None, 368.0),
        ("3 oz cheddar", None, 85.048569375),
        ("3 strawberries", None, 36.0),  # 3 x medium berry, not 3 cups
        ("1 baked potato", None, 173.0),  # a medium potato
        ("2 slices of cheese pizza", None, 162.0),  # no slice measure: 2 servings (1/9 of a 24 oz pizza)
        ("an orange", None, 131.0),  # USDA: 1 fruit
        ("a bowl of porridge", None, 234.0),  # a bowl is taken as the food's cup (flagged as an estimate)
        ("a handful of blueberries", None, 30.0),
        ("a bottle of water", None, 500 * 29.6 / 29.5735295625),  # ~500 ml at the density of its fl oz measure
    ],
)
def test_household_measures_become_grams(table, text, ref, grams):
    _food, p = _grams(table, text, ref)
    assert p.grams == pytest.approx(grams)
    assert p.basis == "g"


def test_volumes_use_the_foods_own_density(table):
    milk, p = _grams(table, "300ml whole milk")
    assert milk.ref == "usda:01077"
    assert p.ml == 300
    assert p.grams == pytest.approx(300 * 244 / 236.5882365)  # USDA: 1 cup = 244 g
    _cola, p = _grams(table, "330ml coke")
    assert p.grams == pytest.approx(330 * 30.7 / 29.5735295625)  # USDA: 1 fl oz = 30.7 g
    assert density_g_ml(table.get("04053")) == pytest.approx(0.9, abs=0.05)  # olive oil


def test_nutrients_are_per100_times_grams(table):
    food, p = _grams(table, "a cup of cooked white rice")
    n = p.nutrients(food)
    assert n.kcal == pytest.approx(130 * 1.58)
    assert n.protein_g == pytest.approx(2.69 * 1.58)


def test_ml_products_scale_by_ml():
    drink = Food("off:1", "Fizzy", Nutrients(kcal=42, carbs_g=10.6), basis="ml")
    p = portion(drink, parse_amount("330 ml"), "fizzy")
    assert (p.quantity, p.basis) == (330, "ml")
    assert p.nutrients(drink).kcal == pytest.approx(138.6)


def test_unknown_sizes_ask_for_grams(table):
    chia = table.get("12006")
    with pytest.raises(PortionError, match="grams"):
        portion(chia, parse_amount("1 tbsp"), "chia")
    tilapia = table.get("15262")
    with pytest.raises(PortionError, match="grams"):
        portion(tilapia, parse_amount("2"), "tilapia")
    with pytest.raises(PortionError, match="zero"):
        portion(chia, parse_amount("0 g"), "chia")


def test_absurd_amounts_are_flagged(table):
    food, p = _grams(table, "5000 kg of cooked white rice")
    assert absurd_reason(p, p.nutrients(food)).startswith("5,000")
    food, p = _grams(table, "200 g cooked white rice")
    assert absurd_reason(p, p.nutrients(food)) is None


def test_builder_check_values_hold_on_the_committed_table():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bft", Path(__file__).parents[2] / "scripts" / "build_food_table.py")
    bft = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bft)
    lines = (DATA / "foods.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    bft.check(rows)
