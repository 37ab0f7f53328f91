"""Every catalogue metric on small hand-computed data, written through the domains' own repositories
into a real (migrated) SQLite database and read back through the executor."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from analytics import executor
from analytics.catalogue import METRICS
from analytics.metrics import COMPUTE, NothingLogged, QueryProblem, expenditure_by_week, pr_days, trend_weight
from analytics.periods import PeriodError
from analytics.query import AnalyticsQuery
from storage import nutrition as food_repo
from storage import striking as strike_repo
from storage import training as train_repo
from storage.engine import transaction
from storage.tables.lifts import LiftAnalysisRow
from training.e1rm import e1rm_kg
from training.sets import SetRecord

TODAY = date(2026, 11, 24)  # a Tuesday


def at(d: date, hour: int = 18) -> datetime:
    return datetime.combine(d, time(hour), UTC)


def run(engine, account, **q):
    return executor.run(AnalyticsQuery.model_validate(q), account.id, today=TODAY, engine=engine)


def values(answer) -> dict:
    df = answer.frame.data
    return {
        (str(x.date()) if hasattr(x, "date") else x, s): v
        for x, s, v in zip(df["x"], df["series"], df["value"], strict=False)
    }


def log(engine, account, d: date, sets: list[tuple[str, float, int, float | None, bool]]):
    records = [
        SetRecord(exercise_id=e, load_kg=kg, reps=r, rpe=rpe, warmup=w, performed_at=at(d) + timedelta(minutes=i))
        for i, (e, kg, r, rpe, w) in enumerate(sets)
    ]
    train_repo.log_sets(account.id, records, now=at(d), engine=engine)


@pytest.fixture
def lifts(engine, account):
    """Two squat days and one bench day in November 2026, with warm-ups."""
    log(
        engine,
        account,
        date(2026, 11, 16),
        [
            ("back_squat", 60, 5, None, True),  # warm-up: never counted
            ("back_squat", 140, 5, 8.0, False),
            ("back_squat", 140, 5, 8.5, False),
            ("bench_press", 100, 5, 6.0, False),  # RPE 6: not a hard set
        ],
    )
    log(
        engine,
        account,
        date(2026, 11, 19),
        [
            ("back_squat", 150, 3, 9.0, False),
            ("bench_press", 102.5, 5, None, False),  # no RPE: counts as hard
        ],
    )
    return account


def test_every_metric_has_a_computation_unit_and_description():
    assert set(COMPUTE) == set(METRICS)
    for m in METRICS.values():
        assert m.unit and m.description and m.label
        assert m.group_by in m.groups


def test_e1rm_is_the_best_set_of_the_day_from_the_training_formula(engine, lifts):
    a = run(engine, lifts, metric="e1rm", filters={"exercise": ["squat"]}, period="this month")
    got = values(a)
    assert got[("2026-11-16", "Back Squat")] == pytest.approx(max(e1rm_kg(140, 5, 8.0), e1rm_kg(140, 5, 8.5)))
    assert got[("2026-11-19", "Back Squat")] == pytest.approx(e1rm_kg(150, 3, 9.0))
    first, last = max(e1rm_kg(140, 5, 8.0), e1rm_kg(140, 5, 8.5)), e1rm_kg(150, 3, 9.0)
    assert f"{first:.1f} → {last:.1f} kg ({last - first:+.1f} kg".replace("-", "−") in a.caption


def test_top_set_tonnage_sets_and_sessions(engine, lifts):
    top = values(run(engine, lifts, metric="top_set", filters={"exercise": ["bench"]}, period="this month"))
    assert top == {("2026-11-16", "Bench Press"): 100.0, ("2026-11-19", "Bench Press"): 102.5}
    ton = run(engine, lifts, metric="tonnage", group_by="day", period="this month")
    assert values(ton) == {
        ("2026-11-16", "Tonnage"): 140 * 5 * 2 + 100 * 5,
        ("2026-11-19", "Tonnage"): 150 * 3 + 102.5 * 5,
    }
    by_ex = values(run(engine, lifts, metric="tonnage", group_by="exercise", period="this month"))
    assert by_ex[("Back Squat", "Tonnage")] == 140 * 10 + 450
    sets = run(engine, lifts, metric="sets", group_by="week", period="this month")
    assert sum(sets.frame.data["value"]) == 5  # warm-up left out
    sessions = values(run(engine, lifts, metric="sessions", period="this month"))
    assert sessions == {("2026-11-16", "Training sessions"): 2}  # both days in the week of Mon 16 Nov


def test_hard_sets_per_muscle_weight_primary_1_and_secondary_half(engine, lifts):
    a = run(engine, lifts, metric="hard_sets", period="this month")
    got = {x: v for (x, _), v in values(a).items()}
    # squat (quads, glutes | adductors, lower_back): 3 hard sets; bench (chest, triceps | front_delts): 1 hard set
    assert got["quads"] == 3 and got["glutes"] == 3 and got["adductors"] == 1.5 and got["lower back"] == 1.5
    assert got["chest"] == 1 and got["triceps"] == 1 and got["front delts"] == 0.5


def test_rpe_distribution_and_prs(engine, lifts):
    rpe = {x: v for (x, _), v in values(run(engine, lifts, metric="rpe_distribution", period="this month")).items()}
    # one bin per half point between the lowest and highest RPE logged: empty bins are 0, not left out
    assert rpe == {"6": 1, "6.5": 0, "7": 0, "7.5": 0, "8": 1, "8.5": 1, "9": 1}
    prs = run(engine, lifts, metric="prs", period="this month", filters={"exercise": ["squat", "bench"]})
    listing = prs.frame.facts["prs"]
    # squat's second day estimates lower than its first; bench's second day beats its first
    assert list(listing["exercise"]) == ["Bench Press"]  # (the first day of a lift is no PR)
    assert listing["e1rm_kg"].iloc[0] == pytest.approx(e1rm_kg(102.5, 5, None))
    assert "1 e1RM PR in this month" in prs.caption


def test_pr_days_needs_a_previous_best():
    import pandas as pd

    daily = pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-01-01", "2026-01-05", "2026-01-09"]),
            "exercise_id": ["x"] * 3,
            "e1rm_kg": [100.0, 99.0, 101.0],
        }
    )
    prs = pr_days(daily)
    assert list(prs["e1rm_kg"]) == [101.0] and list(prs["gain_kg"]) == [1.0]


@pytest.fixture
def diet(engine, account):
    """Three logged days, a target from 10 Nov (2,000 kcal, 150 g protein), weigh-ins."""
    food_repo.add_target(
        account.id,
        {
            "kcal": 2000,
            "protein_g": 150,
            "carbs_g": 200,
            "fat_g": 60,
            "fiber_g": 30,
            "created_at": at(date(2026, 11, 10), 7),
        },
        engine=engine,
    )
    for d, kcal, protein in (
        (date(2026, 11, 20), 1800, 140),
        (date(2026, 11, 21), 2200, 160),
        (date(2026, 11, 23), 2000, 120),
    ):
        food_repo.add_entries(
            account.id,
            [
                {
                    "day": d,
                    "meal": "breakfast",
                    "food_ref": "quick",
                    "food_name": "Oats",
                    "kcal": kcal / 2,
                    "protein_g": protein / 2,
                    "carbs_g": 100,
                    "fat_g": 20,
                    "fiber_g": 10,
                },
                {
                    "day": d,
                    "meal": "dinner",
                    "food_ref": "quick",
                    "food_name": "Chicken",
                    "kcal": kcal / 2,
                    "protein_g": protein / 2,
                    "carbs_g": 50,
                    "fat_g": 10,
                    "fiber_g": 5,
                },
            ],
            engine=engine,
        )
    for i, kg in enumerate((80.0, 81.0, 79.0)):
        food_repo.upsert_weight(account.id, date(2026, 11, 20) + timedelta(days=i), kg, engine=engine)
    return account


def test_calories_vs_target_caption_is_computed(engine, diet):
    a = run(engine, diet, metric="calories", period="last 7 days", compare={"target": True})
    assert values(a) == {
        ("2026-11-20", "Calories"): 1800,
        ("2026-11-21", "Calories"): 2200,
        ("2026-11-23", "Calories"): 2000,
    }
    assert "averaged 2,000 kcal/day vs a 2,000 kcal target" in a.caption
    assert "3 logged days" in a.caption and "3 of 3 days within ±10%" in a.caption
    assert set(a.frame.overlays["target"]["value"]) == {2000.0}
    p = run(engine, diet, metric="protein", period="last 7 days", compare={"target": True})
    assert "averaged 140 g/day vs a 150 g target" in p.caption and "2 of 3 days within ±10%" in p.caption


def test_meal_filter_and_food_grouping_and_macros(engine, diet):
    b = values(run(engine, diet, metric="calories", period="last 7 days", filters={"meal": "breakfast"}))
    assert b[("2026-11-20", "Calories")] == 900
    by_food = values(run(engine, diet, metric="protein", group_by="food", period="last 7 days"))
    assert by_food[("Oats", "Protein")] == pytest.approx((70 + 80 + 60) / 3)  # g per logged day
    macros = values(run(engine, diet, metric="macros", period="last 7 days"))
    assert macros[("2026-11-20", "Protein")] == 140 and macros[("2026-11-20", "Fat")] == 30
    assert macros[("2026-11-20", "Carbohydrate")] == 150
    carbs = run(engine, diet, metric="carbs", group_by="week", period="between 2026-11-16 and 2026-11-22")
    assert values(carbs) == {("2026-11-16", "Carbohydrate"): 150.0}  # mean of the logged days
    fibre = run(engine, diet, metric="fibre", period="last 7 days", compare={"target": True})
    assert "Fibre averaged 15 g/day vs a 30 g target" in fibre.caption


def test_trend_weight_is_a_10_percent_exponential_average():
    import pandas as pd

    s = pd.Series([80.0, 81.0, 79.0], index=pd.to_datetime(["2026-11-20", "2026-11-21", "2026-11-22"]))
    t = trend_weight(s)
    assert list(t.round(4)) == [80.0, 80.1, 79.99]


def test_bodyweight_caption_and_adherence(engine, diet):
    a = run(engine, diet, metric="bodyweight", period="this month")
    assert "Trend weight 80 → 80 kg" in a.caption and "3 weigh-ins" in a.caption and "79 kg on 22 Nov 2026" in a.caption
    assert set(a.frame.overlays["trend"]["series"]) == {"Trend"}
    ad = run(engine, diet, metric="adherence", period="between 2026-11-16 and 2026-11-22")
    got = values(ad)
    assert got[("2026-11-16", "Food logged")] == pytest.approx(200 / 7)  # 2 of 7 days in that week
    assert got[("2026-11-16", "Weighed in")] == pytest.approx(300 / 7)


def test_expenditure_is_the_nutrition_domains_adaptive_estimate_per_week():
    import pandas as pd

    days = pd.date_range("2026-10-01", "2026-11-22", freq="D")
    intake = pd.DataFrame({"day": days, "kcal": [2500.0] * len(days)})
    weights = pd.DataFrame({"day": days, "weight_kg": [80.0 - 0.1 * i for i in range(len(days))]})
    out = expenditure_by_week(intake, weights, date(2026, 11, 2), date(2026, 11, 22))
    # 2,500 kcal a day while losing 0.1 kg a day: 2,500 + 0.1 × 7,700 = 3,270 kcal/day, every week
    assert list(out["week"].dt.date) == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    assert list(out["expenditure"].round(3)) == [3270.0] * 3
    thin = expenditure_by_week(intake.head(5), weights.head(5), date(2026, 10, 1), date(2026, 10, 5))
    assert thin.empty  # under 14 days / 10 weigh-ins: no estimate rather than a guess


def test_striking_metrics(engine, account):
    report = {
        "duration_s": 180,
        "punch_count": 3,
        "habits": {"guard_down_share": 0.25},
        "punches": [
            {
                "index": i + 1,
                "t_peak": i,
                "t_onset": i - 0.1,
                "hand": "left",
                "side": "lead",
                "kind": k,
                "target": "head",
                "confidence": 0.9,
            }
            for i, k in enumerate(["jab", "jab", "lead_hook"])
        ],
    }
    strike_repo.save_round(account.id, report, now=at(TODAY - timedelta(days=2)), engine=engine)
    strike_repo.save_round(
        account.id,
        {**report, "punch_count": 5, "habits": {"guard_down_share": 0.1}},
        now=at(TODAY - timedelta(days=1)),
        engine=engine,
    )
    ppr = run(engine, account, metric="punches_per_round")
    assert list(ppr.frame.data["value"]) == [3, 5]
    guard = run(engine, account, metric="guard_drop")
    assert list(guard.frame.data["value"].round(3)) == [25.0, 10.0]
    mix = {x: v for (x, _), v in values(run(engine, account, metric="punch_mix")).items()}
    assert mix == {"jab": 4, "lead hook": 2}


def test_nothing_logged_future_period_and_unknown_names(engine, account):
    with pytest.raises(NothingLogged, match="Nothing logged yet"):
        run(engine, account, metric="tonnage")
    with pytest.raises(PeriodError, match="future"):
        run(engine, account, metric="tonnage", period="next month")
    with pytest.raises(QueryProblem, match="lift"):
        run(engine, account, metric="e1rm", filters={"exercise": ["zumba twirl"]})
    with pytest.raises(QueryProblem, match="muscle"):
        run(engine, account, metric="hard_sets", filters={"muscle": ["elbows"]})


def _analysed_set(engine, account, lift: str, load: float, mcvs: list[float], day: date, n: int) -> None:
    from storage import lifts as lift_repo

    reps = [{"number": i + 1, "start_t": i * 3.0, "end_t": i * 3.0 + 2, "rom_m": 0.6, "rom_sd": 0.01,
             "concentric_s": 0.6 / v, "concentric_sd": 0.02, "mcv": v, "mcv_sd": 0.02, "peak_v": v * 1.5,
             "peak_v_sd": 0.03, "mpv": v, "mpv_sd": 0.02, "horizontal_dev_m": 0.02, "horizontal_dev_sd": 0.005,
             "velocity_loss_pct": (mcvs[0] - v) / mcvs[0] * 100} for i, v in enumerate(mcvs)]  # fmt: skip
    loss = (max(mcvs) - mcvs[-1]) / max(mcvs) * 100
    result = {"lift": lift, "load_kg": load, "reps": reps, "velocity_loss_pct": loss,
              "scale": {"method": "plate", "px_per_m": 800.0, "relative_uncertainty": 0.01}}  # fmt: skip
    video = {"path": f"v{n}.mp4", "sha256": f"{n:064d}", "width": 1080, "height": 1920, "fps": 60.0, "duration_s": 10.0}
    row = lift_repo.save_analysis(account.id, video=video, result=result, engine=engine)
    with transaction(engine) as s:  # analysed on that day
        r = s.get(LiftAnalysisRow, row.id)
        r.created_at = at(day)
        s.add(r)


def test_velocity_at_load_profile_and_velocity_loss(engine, account):
    from vision.profile import LoadVelocityPoint, fit_profile

    _analysed_set(engine, account, "squat", 100, [0.80, 0.76, 0.72], date(2026, 11, 2), 1)
    _analysed_set(engine, account, "squat", 140, [0.50, 0.45], date(2026, 11, 9), 2)
    _analysed_set(engine, account, "squat", 140, [0.56, 0.50, 0.49], date(2026, 11, 16), 3)
    _analysed_set(engine, account, "squat", 160, [0.38, 0.34], date(2026, 11, 18), 4)
    v = run(engine, account, metric="velocity", filters={"exercise": ["squat"], "load_kg": 140}, period="this month")
    assert values(v) == {("2026-11-09", "Back Squat"): 0.50, ("2026-11-16", "Back Squat"): 0.56}
    assert "0.50 → 0.56 m/s" in v.caption
    loss = values(run(engine, account, metric="velocity_loss", filters={"exercise": ["squat"]}, period="this month"))
    assert loss[("2026-11-09", "Back Squat")] == pytest.approx(10.0)
    prof = run(engine, account, metric="lv_profile", filters={"exercise": ["squat"]}, period="this month")
    expect = fit_profile([LoadVelocityPoint(100, 0.80), LoadVelocityPoint(140, 0.50), LoadVelocityPoint(140, 0.56),
                          LoadVelocityPoint(160, 0.38)], "squat")  # fmt: skip
    assert prof.frame.facts["e1rm_kg"] == pytest.approx(expect.e1rm_kg)
    assert f"e1RM ≈ {expect.e1rm_kg:.1f}".replace(".0 ", " ") in prof.caption and "0.30 m/s" in prof.caption
    assert not prof.frame.overlays["fit"].empty


def test_queries_are_isolated_per_account(engine, lifts):
    from storage.accounts import create_account

    other = create_account("someone", "correct-horse-2", engine=engine)
    with pytest.raises(NothingLogged):
        executor.run(AnalyticsQuery(metric="tonnage"), other.id, today=TODAY, engine=engine)
