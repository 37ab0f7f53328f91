"""Open Food Facts normalisation and plausibility, on products shaped like the real quirks (our own
fixtures) and, when `../shared/data` is present, on the recorded real responses."""

from __future__ import annotations

import json

import pytest

from nutrition.normalise import amount_in_text, confidence_from, normalise_product, number, plausibility_flags
from nutrition.nutrients import Nutrients


def product(**nutriments):
    return {"code": "1", "product_name": "Test", "nutriments": nutriments}


def test_numbers_in_every_spelling():
    assert number("0.22") == 0.22
    assert number("12,5") == 12.5
    assert number("<0.5") == 0.5
    assert number(3) == 3.0
    assert number("") is None and number(None) is None and number("n/a") is None and number(True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250.0", None),
        ("1 can (330 ml)", (330.0, "ml")),
        ("Un biscuit (12,5 g)", (12.5, "g")),
        ("21,67 g", (21.67, "g")),
        ("33 cl", (330.0, "ml")),
        ("1,5 l", (1500.0, "ml")),
        ("60.8 g (1 tranche)", (60.8, "g")),
        ("2 oz", (pytest.approx(56.699, rel=1e-4), "g")),
        (None, None),
    ],
)
def test_amounts_in_label_text(text, expected):
    assert amount_in_text(text) == expected


def test_kj_only_becomes_kcal_and_is_flagged():
    food = normalise_product(
        product(energy_100g="1569", proteins_100g="7.5", carbohydrates_100g="71", fat_100g="3.9"), "1"
    )
    assert food.per100.kcal == pytest.approx(1569 / 4.184)
    assert "kcal_from_kj" in food.flags
    assert 0.9 <= food.confidence < 1


def test_string_values_with_comma_decimals():
    food = normalise_product(
        product(
            **{
                "energy-kcal_100g": "246",
                "proteins_100g": "9,5",
                "fat_100g": "3,4",
                "carbohydrates_100g": "41",
                "sugars_100g": "3,6",
                "salt_100g": "1,1",
            }
        ),
        "1",
    )
    assert (food.per100.protein_g, food.per100.fat_g, food.per100.sugars_g) == (9.5, 3.4, 3.6)
    assert food.per100.sodium_mg == pytest.approx(440.0)  # salt / 2.5
    assert food.flags == ()


def test_missing_nutriments_are_flagged_not_dropped():
    food = normalise_product({"code": "2", "product_name": "Mystery"}, "2")
    assert food.name == "Mystery"
    assert food.flags == ("no_nutrition_data",)
    assert food.confidence == 0.0


def test_sugars_above_carbs_is_flagged():
    n = Nutrients(kcal=30, protein_g=0, carbs_g=5, fat_g=0, sugars_g=9)
    assert "sugars_above_carbs" in plausibility_flags(n)
    food = normalise_product(
        product(
            **{"energy-kcal_100g": 30, "carbohydrates_100g": 5, "sugars_100g": 9, "proteins_100g": 0, "fat_100g": 0}
        ),
        "1",
    )
    assert "sugars_above_carbs" in food.flags and food.confidence == 0.75


def test_other_plausibility_rules():
    assert "sat_fat_above_fat" in plausibility_flags(Nutrients(kcal=100, protein_g=1, carbs_g=1, fat_g=2, sat_fat_g=5))
    assert "macros_above_100g" in plausibility_flags(Nutrients(kcal=500, protein_g=50, carbs_g=50, fat_g=10))
    assert "energy_mismatch" in plausibility_flags(Nutrients(kcal=100, protein_g=20, carbs_g=20, fat_g=20))
    assert "protein_g_out_of_range" in plausibility_flags(Nutrients(kcal=500, protein_g=120, carbs_g=0, fat_g=0))
    assert plausibility_flags(Nutrients(kcal=89, protein_g=1.09, carbs_g=22.84, fat_g=0.33, fiber_g=2.6)) == []
    assert confidence_from(["sugars_above_carbs", "energy_mismatch"]) == 0.45


def test_per_serving_only_values_are_converted():
    food = normalise_product(
        {
            "code": "3",
            "product_name": "Bar",
            "serving_size": "40 g",
            "serving_quantity": "40",
            "nutrition_data_per": "serving",
            "nutriments": {
                "energy-kcal_serving": 180,
                "proteins_serving": 10,
                "carbohydrates_serving": 20,
                "fat_serving": 6,
            },
        },
        "3",
    )
    assert food.per100.kcal == pytest.approx(450)
    assert food.per100.protein_g == pytest.approx(25)
    assert "per_serving_converted" in food.flags
    assert food.measures[0].grams == 40 and food.default_measure == "serving"


def test_liquids_are_per_100_ml_with_a_serving():
    food = normalise_product(
        {
            "code": "4",
            "product_name": "Cola",
            "quantity": "33 cl",
            "serving_size": "1 can (330 ml)",
            "serving_quantity": 330,
            "nutriments": {"energy-kcal_100g": 42, "carbohydrates_100g": 10.6, "sugars_100g": 10.6},
        },
        "4",
    )
    assert food.basis == "ml"
    assert [(m.name, m.grams) for m in food.measures] == [
        ("serving (1 can (330 ml))", 330.0),
        ("package (33 cl)", 330.0),
    ]


def test_kcal_field_holding_kj_is_corrected():
    food = normalise_product(
        product(
            **{
                "energy-kcal_100g": 1569,
                "energy-kj_100g": 1569,
                "proteins_100g": 7.5,
                "carbohydrates_100g": 71,
                "fat_100g": 3.9,
                "fiber_100g": 10.5,
            }
        ),
        "1",
    )
    assert food.per100.kcal == pytest.approx(375, abs=1)
    assert "kcal_held_kj" in food.flags


def test_newer_nutrition_schema():
    food = normalise_product(
        {
            "code": "5",
            "product_name": "New",
            "nutrition": {
                "aggregated_set": {
                    "per": "100g",
                    "nutrients": {
                        "energy-kcal": {"value": 250, "unit": "kcal"},
                        "proteins": {"value": 12, "unit": "g"},
                        "carbohydrates": {"value": 30, "unit": "g"},
                        "fat": {"value": 9, "unit": "g"},
                        "sodium": {"value": 400, "unit": "mg"},
                    },
                }
            },
        },
        "5",
    )
    assert (food.per100.kcal, food.per100.protein_g, food.per100.sodium_mg) == (250, 12, pytest.approx(400))


def test_recorded_real_products(shared_data):
    files = sorted((shared_data / "off" / "products").glob("*.json"))
    assert files
    by_code = {}
    for path in files:
        data = json.loads(path.read_text())
        p = data.get("product", data)
        by_code[p["code"]] = normalise_product(p, p["code"])
    fanta = by_code["5449000011527"]  # 2017, energy only in kJ, values as strings
    assert fanta.basis == "ml" and fanta.per100.kcal == pytest.approx(113 / 4.184)
    assert "kcal_from_kj" in fanta.flags
    bread = by_code["3029330003533"]  # 2025, clean
    assert bread.per100.kcal == 246 and bread.flags == () and bread.measures[0].grams == 60.8
    assert by_code["7622210288257"].per100.kcal == 375


def test_recorded_search_pages_never_crash(shared_data):
    n = 0
    for path in sorted((shared_data / "off" / "search").glob("*.json")):
        for p in json.loads(path.read_text()).get("products", []):
            food = normalise_product(p, str(p.get("code", "")))
            assert 0.0 <= food.confidence <= 1.0
            n += 1
    assert n > 100


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"quantity": "180g (3x60g)"}, (180.0, "g")),
        ({"quantity": "240 g (8 portions de 30 g)"}, (240.0, "g")),
        ({"quantity": "6 x 330 ml"}, (1980.0, "ml")),
        ({"quantity": "500 ml (510 g)"}, (500.0, "ml")),
        ({"quantity": "1,5 l"}, (1500.0, "ml")),
        ({"quantity": "4 x 125 g"}, (500.0, "g")),
        ({"quantity": "approx. 30 g", "product_quantity": "450", "product_quantity_unit": "g"}, (450.0, "g")),
        ({"quantity": "33 cl", "product_quantity": 330}, (330.0, "ml")),
        ({"product_quantity": "1", "product_quantity_unit": "kg"}, (1000.0, "g")),
        ({"quantity": "une boîte"}, None),
    ],
)
def test_package_size_is_the_stated_net_quantity_not_the_last_amount(fields, expected):
    from nutrition.normalise import package_amount

    assert package_amount(fields) == expected


def test_package_measure_uses_the_whole_pack():
    food = normalise_product({**product(**{"energy-kcal_100g": 400}), "quantity": "180g (3x60g)"}, "1")
    assert [m.grams for m in food.measures if m.name.startswith("package")] == [180.0]


def test_a_multipack_offers_one_item_and_the_whole_pack():
    food = normalise_product({**product(**{"energy-kcal_100g": 42}), "quantity": "24 x 330 ml"}, "1")
    assert [(m.name, m.grams) for m in food.measures] == [
        ("item (330 ml, 1 of 24)", 330.0),
        ("package (24 x 330 ml)", 7920.0),
    ]
