"""The nutrition services called directly (as the chat tools, the CLI and check-ins call them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nutrition.service import MealError, MealInput, log_meal, week_summary

LOCAL_NOW = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)


def test_a_meal_line_is_resolved_and_logged_to_its_meal(engine, account):
    done = log_meal(account.id, MealInput(text="had 2 eggs and a slice of toast for breakfast"), local_now=LOCAL_NOW,
                    engine=engine)  # fmt: skip
    assert done.meal == "breakfast" and done.day == LOCAL_NOW.date()
    assert len(done.ok) == 2 and len(done.entries) == 2 and done.batch_id == done.entries[0].batch_id
    yesterday = log_meal(account.id, MealInput(items=[("banana", "1")], meal="snack", day=LOCAL_NOW.date()
                                               - timedelta(days=1)), local_now=LOCAL_NOW, engine=engine)  # fmt: skip
    assert yesterday.meal == "snack" and yesterday.day == LOCAL_NOW.date() - timedelta(days=1)


def test_an_empty_meal_is_an_error_and_logs_nothing(engine, account):
    with pytest.raises(MealError, match="Tell me what you ate"):
        log_meal(account.id, MealInput(), local_now=LOCAL_NOW, engine=engine)
    assert all(d.kcal == 0 for d in week_summary(account.id, LOCAL_NOW.date(), engine).days)


def test_the_weeks_averages_count_logged_days_only(engine, account):
    done = log_meal(account.id, MealInput(text="had 2 eggs and a slice of toast for breakfast"), local_now=LOCAL_NOW,
                    engine=engine)  # fmt: skip
    kcal = sum(r.nutrients.kcal or 0 for r in done.ok if r.nutrients)
    week = week_summary(account.id, LOCAL_NOW.date(), engine)
    assert week.start == LOCAL_NOW.date() - timedelta(days=6) and len(week.days) == 7
    assert len(week.logged) == 1 and week.avg_kcal == pytest.approx(kcal)  # an unlogged day is unknown, not 0
    assert week.target_kcal is None


def test_targets_from_profile_facts_are_one_unit_of_work(engine, account):
    from nutrition.energy import EnergyError
    from nutrition.service import ProfileFacts, propose_targets
    from storage.accounts import get_profile

    said = ProfileFacts(sex="male", age=34, height_cm=180, activity_level="moderate", goal="lose")
    with pytest.raises(EnergyError):  # an impossible weight: the facts said with it are not saved either
        propose_targets(account.id, ProfileFacts(**{**said.__dict__, "weight_kg": 900}), adaptive=False,
                        today=LOCAL_NOW.date(), engine=engine)  # fmt: skip
    assert get_profile(account.id, engine).sex is None
    got = propose_targets(account.id, ProfileFacts(**{**said.__dict__, "weight_kg": 82}), adaptive=False,
                          today=LOCAL_NOW.date(), engine=engine)  # fmt: skip
    assert get_profile(account.id, engine).sex == "male" and got.source == "profile"
    assert got.proposed is not None and got.proposed.kcal == pytest.approx(got.targets.kcal)
    again = propose_targets(account.id, ProfileFacts(), adaptive=False, today=LOCAL_NOW.date(), engine=engine)
    assert again.proposed is not None  # the first proposal is not approved yet, so nothing is active to compare


def test_quick_add_counts_against_the_stated_targets_and_copy_and_undo_take_it_back(engine, account):
    from nutrition.diary import DiaryError
    from nutrition.nutrients import Nutrients
    from nutrition.service import (
        CopyInput,
        QuickAddInput,
        TargetsRequest,
        copy_food,
        day_totals,
        quick_add,
        restore_entries,
        targets,
        undo_food,
    )  # fmt: skip

    today, yesterday = LOCAL_NOW.date(), LOCAL_NOW.date() - timedelta(days=1)
    targets(account.id, TargetsRequest("stated", {"kcal": 2500, "protein_g": 180}), today=today, engine=engine)
    done = quick_add(account.id, QuickAddInput(Nutrients(kcal=600, protein_g=40), day=yesterday),
                     local_now=LOCAL_NOW, engine=engine)  # fmt: skip
    assert done.meal == "breakfast" and done.day == yesterday  # 08:30 on the athlete's clock
    assert done.totals.kcal_left == pytest.approx(1900) and done.totals.left["protein_g"] == pytest.approx(140)
    with pytest.raises(DiaryError, match="onto itself"):
        copy_food(account.id, CopyInput(yesterday, yesterday), engine)
    copied = copy_food(account.id, CopyInput(yesterday, today), engine)
    assert len(copied.rows) == 1 and copied.totals.eaten.kcal == pytest.approx(600)
    removed = undo_food(account.id, engine=engine)  # the copy was the last log
    assert [e.id for e in removed.rows] == [copied.rows[0].id] and day_totals(account.id, today, engine).entries == []
    restore_entries(account.id, removed.payload, now=LOCAL_NOW, engine=engine)
    assert day_totals(account.id, today, engine).eaten.kcal == pytest.approx(600)


def test_weights_are_shown_in_the_athletes_unit(engine, account):
    from nutrition.service import WeightInput, log_weight, weight_trend
    from services.accounts import turn_context, update_profile

    update_profile(account.id, {"unit_system": "imperial"}, engine)
    who = turn_context(account.id, engine, LOCAL_NOW)
    first = log_weight(who, WeightInput(80.0, "kg", LOCAL_NOW.date() - timedelta(days=7)), engine)
    assert first.unit == "lb" and first.shown(first.kg) == pytest.approx(176.37, abs=0.01) and not first.has_trend
    second = log_weight(who, WeightInput(180.0), engine)  # no unit said: the athlete's (lb)
    assert second.day == LOCAL_NOW.date() and second.kg == pytest.approx(81.65, abs=0.01) and second.has_trend
    trend = weight_trend(who, 30, engine)
    assert trend.unit == "lb" and trend.latest == (LOCAL_NOW.date(), pytest.approx(81.65, abs=0.01))


def test_favourites_and_facts_never_guess_a_food(engine, account):
    from nutrition.service import FavouriteSaved, FoodChoices, add_favourite, food_facts, quick_picks

    facts = food_facts(account.id, "100 g oats", local_now=LOCAL_NOW, engine=engine)
    assert facts.meal == "breakfast" and facts.rows and facts.rows[0].nutrients.kcal
    assert quick_picks(account.id, local_now=LOCAL_NOW, engine=engine).picks == []  # nothing logged (facts log nothing)
    saved = add_favourite(account.id, "150 g oats", engine=engine)
    assert isinstance(saved, FavouriteSaved) and saved.amount_text
    assert [p.favourite for p in quick_picks(account.id, local_now=LOCAL_NOW, engine=engine).picks] == [True]
    picked = add_favourite(account.id, food="1 cup rice", engine=engine)  # white or brown: asked, never guessed
    assert isinstance(picked, FoodChoices) and {"usda:20045", "usda:20037"} <= {f.ref for f in picked.foods}
    assert len(quick_picks(account.id, local_now=LOCAL_NOW, engine=engine).picks) == 1  # nothing saved for it


def test_an_import_is_refused_whole_when_it_is_another_apps_export(engine, account, tmp_path):
    from nutrition.service import WrongExport, day_totals, import_file

    path = tmp_path / "Nutrition-Summary.csv"
    path.write_text(
        "Date,Meal,Calories,Fat (g),Saturated Fat,Sodium (mg),Carbohydrates (g),Fiber,Sugar,Protein (g),Note\n"
        "2026-11-20,Breakfast,518.0,29.0,7.9,574.5,36.7,2.1,14.1,27.6,\n"
    )
    with pytest.raises(WrongExport, match="mfp export, not cronometer"):
        import_file(account.id, path, expect="cronometer", engine=engine)
    day = LOCAL_NOW.date().replace(day=20)
    assert day_totals(account.id, day, engine).entries == []
    done = import_file(account.id, path, expect="mfp", engine=engine)
    assert done.summary.entries == 1 and day_totals(account.id, day, engine).eaten.kcal == pytest.approx(518.0)
