"""A realistic training, food, weight, boxing and notes history for one athlete (tests, demos, benchmarks).

The numbers follow how people actually train and eat, so charts and captions are tested on data that
looks like a real log: 4 lifting days a week in 8-week blocks with a deload, e1RMs that grow fast in
the first year and slowly after, breaks (holidays, a knee niggle), warm-ups before working sets, RPEs
from the RTS chart, ~85 % of days with food logged, body weight that follows energy balance plus water
noise, targets that change with cut/bulk phases, boxing rounds twice a week, and notes on some sessions.

Everything is seeded, so the same arguments give the same rows. Rows go in through
`storage.analytics.bulk_insert`, shaped to whatever columns each domain's table has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine

from storage import analytics as sql
from storage.tables.core import new_id
from training.e1rm import e1rm_kg
from training.rpe import percent_1rm

# lift id → (start e1RM kg, ceiling e1RM kg, working reps, sets, is main lift)
MAIN_LIFTS = {
    "back_squat": (100.0, 200.0), "bench_press": (75.0, 140.0), "deadlift": (120.0, 240.0),
    "overhead_press": (45.0, 85.0),
}  # fmt: skip
ACCESSORIES = {  # id → (start load kg, ceiling load kg)
    "romanian_deadlift": (60.0, 140.0), "barbell_row": (50.0, 110.0), "pull_up": (0.0, 30.0),
    "leg_press": (120.0, 300.0), "incline_dumbbell_press": (20.0, 45.0), "lat_pulldown": (45.0, 90.0),
    "bulgarian_split_squat": (16.0, 40.0), "dumbbell_curl": (10.0, 22.0), "triceps_pushdown": (20.0, 45.0),
    "lateral_raise": (6.0, 16.0), "lying_leg_curl": (30.0, 70.0), "standing_calf_raise": (60.0, 140.0),
}  # fmt: skip
DAYS = {  # weekday → (main lifts, accessories)
    0: (["back_squat", "bench_press"], ["leg_press", "barbell_row", "lying_leg_curl"]),
    1: (["deadlift", "overhead_press"], ["pull_up", "bulgarian_split_squat", "lateral_raise"]),
    3: (["bench_press", "back_squat"], ["incline_dumbbell_press", "lat_pulldown", "dumbbell_curl"]),
    4: (["deadlift", "overhead_press"], ["romanian_deadlift", "triceps_pushdown", "standing_calf_raise"]),
}
FOODS = [  # name, meal, grams (typical), kcal, protein, carbs, fat, fibre per 100 g
    ("Oats", "breakfast", 80, 389, 16.9, 66.3, 6.9, 10.6), ("Whole milk", "breakfast", 250, 61, 3.2, 4.8, 3.3, 0),
    ("Banana", "breakfast", 120, 89, 1.1, 22.8, 0.3, 2.6), ("Eggs", "breakfast", 120, 143, 12.6, 0.7, 9.5, 0),
    ("Wholemeal toast", "breakfast", 70, 247, 13, 41, 3.4, 7), ("Greek yoghurt", "breakfast", 170, 97, 9, 3.9, 5, 0),
    ("Chicken breast", "lunch", 180, 165, 31, 0, 3.6, 0), ("White rice, cooked", "lunch", 200, 130, 2.7, 28, 0.3, 0.4),
    ("Broccoli", "lunch", 100, 34, 2.8, 6.6, 0.4, 2.6), ("Olive oil", "lunch", 10, 884, 0, 0, 100, 0),
    ("Tuna sandwich", "lunch", 200, 230, 12, 28, 7, 2.5), ("Lentil soup", "lunch", 300, 70, 4.5, 10, 1.5, 3),
    ("Salmon", "dinner", 160, 208, 20, 0, 13, 0), ("Potatoes", "dinner", 250, 87, 1.9, 20, 0.1, 1.8),
    ("Beef mince 5%", "dinner", 150, 137, 21, 0, 5, 0), ("Pasta, cooked", "dinner", 220, 158, 5.8, 31, 0.9, 1.8),
    ("Mixed salad", "dinner", 100, 20, 1.3, 3.4, 0.2, 1.8), ("Tofu", "dinner", 150, 144, 17, 3, 8, 2.3),
    ("Apple", "snack", 180, 52, 0.3, 13.8, 0.2, 2.4), ("Peanut butter", "snack", 32, 588, 25, 20, 50, 6),
    ("Whey shake", "snack", 35, 400, 80, 8, 6, 0), ("Dark chocolate", "snack", 25, 546, 4.9, 61, 31, 7),
    ("Almonds", "snack", 30, 579, 21, 22, 50, 12.5), ("Rice cakes", "snack", 30, 387, 8, 81, 3, 4),
]  # fmt: skip
PUNCH_KINDS = ("jab", "cross", "lead_hook", "rear_hook", "lead_uppercut", "rear_uppercut")
PUNCH_MIX = (0.36, 0.27, 0.15, 0.1, 0.06, 0.06)
KNEE_NOTES = [
    "Left knee twinged at the bottom of squats, stopped after the second working set.",
    "Knee still sore going down stairs; squats felt cautious.",
    "Knee pain on squats again, swapped to box squats.",
    "Knee better today, squats pain-free with a wider stance.",
]
SESSION_NOTES = {
    "bench_press": ["Bench felt heavy, bar speed slow off the chest.", "Bench moved fast, best day in weeks.",
                    "Shoulder a bit cranky on bench, kept the grip narrower.", "Bench felt smooth and strong."],
    "back_squat": ["Squats felt strong, hit depth on every rep.", "Squat groove off, leaned forward on the last set.",
                   "Slept badly, squats felt like a grind."],
    "deadlift": ["Deadlift lockout was easy, floor speed slow.", "Grip gave out on the last deadlift set.",
                 "Deadlifts felt great, new belt helps."],
    "overhead_press": ["Press stalled at the forehead again.", "Overhead press finally moving well."],
    "boxing": ["Boxing: gassed in round three, hands dropped.", "Boxing: sharp jab today, kept the guard up.",
               "Boxing: worked on slipping the cross, felt slow."],
    "food": ["Ate out, guessed the portions.", "Big family dinner, way over on calories.",
             "Low appetite today, hard to hit protein."],
}  # fmt: skip


@dataclass
class Spec:
    """What to generate; `end` defaults to today so charts of 'the last 6 months' have data."""

    years: float = 1.0
    end: date | None = None
    seed: int = 7
    training: bool = True
    nutrition: bool = True
    boxing: bool = True
    notes: bool = True
    entries_per_day: float = 5.0  # food entries on a logged day (~14 gives the benchmark's 50 k in 10 years)
    sets_scale: float = 1.0  # >1 repeats accessory work (stress data for benchmarks)
    knee_injury: bool = True
    videos: float = 0.3  # share of squat/bench/deadlift sessions with a filmed, analysed top set
    tz: str = "UTC"
    counts: dict[str, int] = field(default_factory=dict)


def _growth(start: float, ceiling: float, t_years: float) -> float:
    """Strength over training age: fast early gains that flatten towards a ceiling."""
    return ceiling - (ceiling - start) * math.exp(-t_years / 2.2)


def _round_load(kg: float, step: float = 2.5) -> float:
    return max(0.0, round(kg / step) * step)


def _at(day: date, hour: float) -> datetime:
    return datetime.combine(day, time(int(hour), int((hour % 1) * 60)), UTC)


def _training_rows(account_id: int, spec: Spec, start: date, end: date, rng: np.random.Generator) -> tuple:
    t = sql.table("training_sets", "training")
    cols = set(t.c.keys())
    sets: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    has_sessions = sql.has_table("training_sessions")
    breaks = _breaks(start, end, rng)
    knee_start = end - timedelta(days=int(min(120, (end - start).days * 0.4))) if spec.knee_injury else None
    day = start
    total_days = max((end - start).days, 1)
    while day <= end:
        plan = DAYS.get(day.weekday())
        if plan is None or any(a <= day <= b for a, b in breaks) or rng.random() < 0.06:
            day += timedelta(days=1)
            continue
        t_years = (day - start).days / 365.25 + 0.3
        week = ((day - start).days // 7) % 8
        deload = week == 7
        session_id = new_id()
        when = _at(day, 17.5 + rng.normal(0, 1.2) % 3)
        n = 0
        mains, accessories = plan
        for lift in mains:
            lo, hi = MAIN_LIFTS[lift]
            true_max = (
                _growth(lo, hi, t_years) * (1 + rng.normal(0, 0.015)) * (1 + 0.01 * math.sin(day.toordinal() / 9))
            )
            if knee_start and lift == "back_squat" and knee_start <= day <= knee_start + timedelta(days=21):
                true_max *= 0.9
            reps = [5, 3, 4, 6, 8, 5, 3][week % 7] if not deload else 5
            rpe_goal = 6.5 if deload else float(min(9.5, 7.0 + 0.5 * (week % 4) + rng.choice([0, 0, 0.5])))
            load = _round_load(true_max * percent_1rm(reps, rpe_goal) / 100)
            for frac, wr in ((0.4, 8), (0.6, 5), (0.8, 3)):
                sets.append(_set(session_id, account_id, lift, _round_load(load * frac), wr, None, when, n, True, cols))
                n += 1
            n_sets = 3 if deload else int(rng.choice([3, 4, 5]))
            for i in range(n_sets):
                rpe = min(10.0, rpe_goal + 0.5 * (i >= n_sets - 1 and rng.random() < 0.5))
                rpe_logged = None if rng.random() < 0.15 else rpe
                sets.append(_set(session_id, account_id, lift, load, reps, rpe_logged, when, n, False, cols))
                n += 1
        for lift in accessories:
            lo, hi = ACCESSORIES[lift]
            base = _round_load(_growth(lo, hi, t_years) * (1 + rng.normal(0, 0.02)), 2.0 if hi < 50 else 2.5)
            n_sets = max(1, round((2 if deload else 3) * spec.sets_scale))
            for _ in range(n_sets):
                reps = int(rng.integers(8, 13))
                acc_rpe = None if rng.random() < 0.35 else float(rng.choice([7.0, 7.5, 8.0, 8.5, 9.0]))
                sets.append(_set(session_id, account_id, lift, base, reps, acc_rpe, when, n, False, cols))
                n += 1
        text = ""
        if spec.notes:
            if knee_start and knee_start <= day <= knee_start + timedelta(days=28) and "back_squat" in mains:
                k = min(3, (day - knee_start).days // 8)
                text = KNEE_NOTES[k]
            elif rng.random() < 0.18:
                text = str(rng.choice(SESSION_NOTES[mains[0]]))
            if text and not has_sessions:  # with a sessions table the note lives there; memory copies it
                notes.append({"day": day, "kind": "workout", "text": text, "source_ref": f"gen:training:{session_id}"})
        if has_sessions:
            sessions.append({"id": session_id, "account_id": account_id, "started_at": when, "performed_at": when,
                             "notes": text, "note": text, "day": day, "created_at": when})  # fmt: skip
        day += timedelta(days=1)
        _ = total_days
    return sets, sessions, notes


def _set(session_id: str, account_id: int, lift: str, load: float, reps: int, rpe: float | None, when: datetime,
         order: int, warmup: bool, cols: set[str]) -> dict[str, Any]:  # fmt: skip
    row: dict[str, Any] = {
        "id": new_id(), "account_id": account_id, "session_id": session_id, "exercise_id": lift,
        "load_kg": float(load), "reps": reps, "rpe": rpe, "warmup": warmup, "amrap": False,
        "performed_at": when + timedelta(minutes=3 * order), "position": order, "set_index": order,
        "created_at": when, "notes": "", "source": "generated",
    }  # fmt: skip
    if "e1rm_kg" in cols:
        row["e1rm_kg"] = None if warmup or load <= 0 else e1rm_kg(float(load), reps, rpe)
    if "volume_kg" in cols:
        row["volume_kg"] = 0.0 if warmup else float(load) * reps
    return {k: v for k, v in row.items() if k in cols}


# lift id → (video lab's lift name, velocity near 0 kg, minimum velocity threshold at 1RM), m/s
VIDEO_LIFTS = {"back_squat": ("squat", 1.75, 0.30), "bench_press": ("bench", 1.55, 0.17),
               "deadlift": ("deadlift", 1.35, 0.15)}  # fmt: skip


def _lift_rows(account_id: int, sets: list[dict[str, Any]], share: float, rng: np.random.Generator) -> tuple:
    """Analysed videos of some first working sets: velocity falls linearly with %1RM to the lift's MVT,
    and rep by rep within the set (fatigue), with measurement noise."""
    videos: list[dict[str, Any]] = []
    analyses: list[dict[str, Any]] = []
    reps_out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for s in sets:
        key = (s.get("session_id", ""), s["exercise_id"])
        if s["exercise_id"] not in VIDEO_LIFTS or s.get("warmup") or key in seen or s["load_kg"] <= 0:
            continue
        seen.add(key)
        if rng.random() >= share:
            continue
        lift, v0, mvt = VIDEO_LIFTS[s["exercise_id"]]
        one_rm = e1rm_kg(s["load_kg"], s["reps"], s.get("rpe")) or s["load_kg"] * 1.2
        best = max(mvt + 0.02, mvt + (v0 - mvt) * (1 - s["load_kg"] / one_rm) + rng.normal(0, 0.02))
        drop = rng.uniform(0.03, 0.07)  # share of speed lost per rep
        mcvs = [best * (1 - drop * i) + rng.normal(0, 0.01) if i else best for i in range(s["reps"])]
        vid, aid = new_id(), new_id()
        at = s["performed_at"]
        videos.append({"id": vid, "account_id": account_id, "path": f"generated/{vid}.mp4",
                       "sha256": f"{rng.integers(2**63):016x}{vid}"[:64].ljust(64, "0"), "size_bytes": 9_000_000,
                       "width": 1080, "height": 1920, "rotation": 0, "fps": 60.0, "duration_s": 3.0 * len(mcvs) + 4,
                       "frame_count": int(60 * (3.0 * len(mcvs) + 4)), "codec": "h264", "vfr": False, "hdr": False,
                       "created_at": at})  # fmt: skip
        loss = (max(mcvs) - mcvs[-1]) / max(mcvs) * 100
        analyses.append({"id": aid, "account_id": account_id, "video_id": vid, "training_set_id": s.get("id"),
                         "lift": lift, "exercise_id": s["exercise_id"], "load_kg": s["load_kg"], "source": "plate",
                         "scale_method": "plate", "px_per_m": 820.0, "scale_rel_sd": 0.01, "rep_count": len(mcvs),
                         "best_mcv_m_s": max(mcvs), "best_mcv_sd_m_s": 0.02, "last_mcv_m_s": mcvs[-1],
                         "velocity_loss_pct": loss, "result": {"generated": True}, "created_at": at})  # fmt: skip
        for i, v in enumerate(mcvs):
            reps_out.append({"analysis_id": aid, "account_id": account_id, "number": i + 1, "start_s": 2 + 3.0 * i,
                             "end_s": 4.5 + 3.0 * i, "rom_m": 0.6, "rom_sd_m": 0.01, "concentric_s": 0.6 / v,
                             "concentric_sd_s": 0.02, "mcv_m_s": v, "mcv_sd_m_s": 0.02, "peak_velocity_m_s": v * 1.6,
                             "peak_velocity_sd_m_s": 0.04, "mpv_m_s": v * 1.1, "mpv_sd_m_s": 0.02,
                             "horizontal_dev_m": 0.03, "horizontal_dev_sd_m": 0.005, "eccentric_s": 1.2,
                             "velocity_loss_pct": (max(mcvs[: i + 1]) - v) / max(mcvs[: i + 1]) * 100})  # fmt: skip
    return videos, analyses, reps_out


def _breaks(start: date, end: date, rng: np.random.Generator) -> list[tuple[date, date]]:
    """A one- or two-week holiday each year, and now and then a lost week."""
    out = []
    for year in range(start.year, end.year + 1):
        s = date(year, 8, 1) + timedelta(days=int(rng.integers(0, 20)))
        out.append((s, s + timedelta(days=int(rng.choice([7, 14])))))
        s2 = date(year, 12, 22)
        out.append((s2, s2 + timedelta(days=6)))
    return out


def _nutrition_rows(account_id: int, spec: Spec, start: date, end: date, rng: np.random.Generator) -> tuple:
    entries: list[dict[str, Any]] = []
    weights: list[dict[str, Any]] = []
    targets: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    weight = 84.0
    phase_len = 120
    day = start
    idx = 0
    by_meal: dict[str, list[tuple]] = {}
    for f in FOODS:
        by_meal.setdefault(f[1], []).append(f)
    target = 2500.0
    while day <= end:
        if idx % phase_len == 0:  # a new phase: cut, maintain or bulk, with its own target
            phase = ["cut", "maintain", "gain"][(idx // phase_len) % 3]
            expenditure = 2450 + 22 * (weight - 80)
            target = round(expenditure + {"cut": -450, "maintain": 0, "gain": 300}[phase], -1)
            at = _at(day, 7)
            targets.append({"account_id": account_id, "status": "active", "source": "profile", "kcal": target,
                            "protein_g": round(2.0 * weight),
                            "carbs_g": round((target - 2.0 * weight * 4 - 0.9 * weight * 9) / 4),
                            "fat_g": round(0.9 * weight), "fiber_g": 30.0, "expenditure_kcal": expenditure,
                            "rationale": {"phase": phase}, "created_at": at, "decided_at": at})  # fmt: skip
            if len(targets) > 1:
                targets[-2]["status"] = "replaced"
        expenditure = 2450 + 22 * (weight - 80) + (150 if day.weekday() in DAYS else 0)
        intake = target * (1 + rng.normal(0, 0.09)) + (250 if day.weekday() >= 5 else 0)
        logged = rng.random() < (0.78 if day.weekday() >= 5 else 0.9)
        if logged:
            k = max(3, int(rng.poisson(spec.entries_per_day)))
            picks = [by_meal[m][int(rng.integers(len(by_meal[m])))] for m in ("breakfast", "lunch", "dinner")]
            picks += [FOODS[int(rng.integers(len(FOODS)))] for _ in range(k - 3)]
            base_kcal = sum(p[3] * p[2] / 100 for p in picks)
            scale = float(np.clip(intake / max(base_kcal, 1), 0.4, 3.0))
            batch = new_id()
            for j, (name, meal, grams, kcal, p, c, fat, fib) in enumerate(picks):
                g = round(grams * scale * (1 + rng.normal(0, 0.1)), 0)
                entries.append({
                    "id": new_id(), "account_id": account_id, "day": day, "meal": meal, "food_ref": "generated",
                    "food_name": name, "brand": "", "amount_text": f"{g:.0f} g", "portion_text": "",
                    "quantity": g, "basis": "g", "kcal": kcal * g / 100, "protein_g": p * g / 100,
                    "carbs_g": c * g / 100, "fat_g": fat * g / 100, "fiber_g": fib * g / 100, "sugars_g": None,
                    "sat_fat_g": None, "sodium_mg": None, "per100": None, "confidence": 1.0, "source": "generated",
                    "batch_id": batch, "note": "", "logged_at": _at(day, 8 + 3.5 * j % 14), "created_at": _at(day, 21),
                })  # fmt: skip
            eaten = sum(e["kcal"] for e in entries[-len(picks) :])
            if spec.notes and rng.random() < 0.02:
                notes.append({"day": day, "kind": "food", "text": str(rng.choice(SESSION_NOTES["food"])),
                              "source_ref": f"gen:food:{batch}"})  # fmt: skip
        else:
            eaten = intake
        weight += (eaten - expenditure) / 7700
        if rng.random() < 0.97:
            scale_reading = weight + rng.normal(0, 0.45) + 0.3 * math.sin(idx / 3.5)
            weights.append({"account_id": account_id, "day": day, "weight_kg": round(scale_reading, 1),
                            "source": "generated", "measured_at": _at(day, 7)})  # fmt: skip
        day += timedelta(days=1)
        idx += 1
    return entries, weights, targets, notes


def _boxing_rows(account_id: int, spec: Spec, start: date, end: date, rng: np.random.Generator) -> tuple:
    sessions: list[dict[str, Any]] = []
    punches: list[dict[str, Any]] = []
    habits: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    day = start
    while day <= end:
        if day.weekday() in (2, 5) and rng.random() < 0.85:
            t_years = (day - start).days / 365.25
            for rnd in range(int(rng.choice([2, 3, 3, 4]))):
                sid = new_id()
                at = _at(day, 18 + rnd * 0.08)
                duration = 180.0
                fatigue = 1 - 0.06 * rnd
                count = max(10, int(rng.normal(55 + 12 * min(t_years, 2), 8) * fatigue))
                guard = float(np.clip(rng.normal(0.24 - 0.05 * min(t_years, 2) + 0.04 * rnd, 0.04), 0.02, 0.6))
                sessions.append({"id": sid, "account_id": account_id, "filename": f"round{rnd + 1}.mp4",
                                 "duration_s": duration, "active_s": duration * 0.95, "stance": "orthodox",
                                 "punch_count": count, "punches_per_minute": count / 3, "classifier": "generated",
                                 "report": {"generated": True}, "created_at": at})  # fmt: skip
                kinds = rng.choice(len(PUNCH_KINDS), size=count, p=PUNCH_MIX)
                times = np.sort(rng.uniform(1, duration - 1, size=count))
                for i, (k, tp) in enumerate(zip(kinds, times, strict=True)):
                    kind = PUNCH_KINDS[int(k)]
                    punches.append({"session_id": sid, "account_id": account_id, "number": i + 1,
                                    "t_peak_s": float(tp), "t_onset_s": float(tp) - 0.15, "return_s": 0.3,
                                    "hand": "left" if kind.startswith(("jab", "lead")) else "right",
                                    "side": "lead" if kind.startswith(("jab", "lead")) else "rear", "kind": kind,
                                    "target": "head", "confidence": 0.9, "source": "generated"})  # fmt: skip
                habits.append({"session_id": sid, "account_id": account_id, "name": "guard_down_share",
                               "value": guard, "unit": "share", "created_at": at})  # fmt: skip
            if spec.notes and rng.random() < 0.2:
                notes.append({"day": day, "kind": "boxing", "text": str(rng.choice(SESSION_NOTES["boxing"])),
                              "source_ref": f"gen:boxing:{day.isoformat()}"})  # fmt: skip
        day += timedelta(days=1)
    return sessions, punches, habits, notes


def _ensure_exercises(engine: Engine | None) -> None:
    """The built-in library rows the generated sets point at, written by the training domain's own code."""
    from storage.training import ensure_library

    ensure_library(engine)


def _fit(table_name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cols = set(sql.table(table_name, table_name.split("_")[0]).c.keys())
    return [{k: v for k, v in r.items() if k in cols} for r in rows]


def generate(account_id: int, spec: Spec | None = None, engine: Engine | None = None) -> dict[str, int]:
    """Write `spec.years` of history for `account_id`; returns row counts per table (skips absent domains)."""
    spec = spec or Spec()
    end = spec.end or date.today()
    start = end - timedelta(days=int(spec.years * 365.25) - 1)
    rng = np.random.default_rng(spec.seed)
    counts: dict[str, int] = {}
    notes: list[dict[str, Any]] = []
    if spec.training and sql.has_table("training_sets"):
        _ensure_exercises(engine)
        sets, sessions, tnotes = _training_rows(account_id, spec, start, end, rng)
        if sessions and sql.has_table("training_sessions"):
            counts["training_sessions"] = sql.bulk_insert(
                "training_sessions", _fit("training_sessions", sessions), engine
            )
        counts["training_sets"] = sql.bulk_insert("training_sets", sets, engine)
        notes += tnotes
        if spec.videos and sql.has_table("lift_analyses"):
            videos, analyses, reps = _lift_rows(account_id, sets, spec.videos, np.random.default_rng(spec.seed + 1))
            counts["lift_videos"] = sql.bulk_insert("lift_videos", _fit("lift_videos", videos), engine)
            counts["lift_analyses"] = sql.bulk_insert("lift_analyses", _fit("lift_analyses", analyses), engine)
            counts["lift_reps"] = sql.bulk_insert("lift_reps", _fit("lift_reps", reps), engine)
    if spec.nutrition and sql.has_table("nutrition_entries"):
        entries, weights, targets, fnotes = _nutrition_rows(account_id, spec, start, end, rng)
        counts["nutrition_entries"] = sql.bulk_insert("nutrition_entries", _fit("nutrition_entries", entries), engine)
        counts["nutrition_weights"] = sql.bulk_insert("nutrition_weights", _fit("nutrition_weights", weights), engine)
        counts["nutrition_targets"] = sql.bulk_insert("nutrition_targets", _fit("nutrition_targets", targets), engine)
        notes += fnotes
    if spec.boxing and sql.has_table("strike_sessions"):
        rounds, punches, habits, bnotes = _boxing_rows(account_id, spec, start, end, rng)
        counts["strike_sessions"] = sql.bulk_insert("strike_sessions", _fit("strike_sessions", rounds), engine)
        counts["strike_punches"] = sql.bulk_insert("strike_punches", _fit("strike_punches", punches), engine)
        counts["strike_habits"] = sql.bulk_insert("strike_habits", _fit("strike_habits", habits), engine)
        notes += bnotes
    if spec.notes and notes:
        counts["analytics_notes"] = len(sql.upsert_notes(account_id, notes, engine))
    spec.counts = counts
    return counts
