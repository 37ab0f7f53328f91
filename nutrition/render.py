"""What the person reads: markdown tables of items, days and targets, and small charts (seaborn, Agg).

Every number here was computed elsewhere; this module only formats it, so a table can always be
traced back to the entry and the food table it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from nutrition.foods import Food
from nutrition.normalise import describe_flags
from nutrition.nutrients import FIELDS, LABELS, UNITS, Nutrients, fmt
from powerforge.units import LB_KG

SHORT = ("kcal", "protein_g", "carbs_g", "fat_g")
MEAL_TITLES = {"breakfast": "Breakfast", "lunch": "Lunch", "dinner": "Dinner", "snack": "Snacks"}


def _cell(text: str) -> str:
    return " ".join(str(text).replace("|", "/").split())


def _head(fields: Sequence[str]) -> list[str]:
    cols = [f"{LABELS[f]} ({UNITS[f]})" if f != "kcal" else "kcal" for f in fields]
    return cols


def amount_label(amount_text: str, quantity: float | None, basis: str) -> str:
    qty = "" if quantity is None else f"{quantity:,.0f} {basis}" if quantity >= 10 else f"{quantity:.1f} {basis}"
    if amount_text and qty and amount_text.replace(" ", "") != qty.replace(" ", ""):
        return f"{amount_text} ({qty})"
    return qty or amount_text or "—"


def items_table(rows: Sequence[tuple[str, str, Nutrients]], fields: Sequence[str] = FIELDS, total: bool = True) -> str:
    """Rows of (food, amount, nutrients) with a total line."""
    head = ["Food", "Amount", *_head(fields)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    acc = Nutrients()
    for food, amount, n in rows:
        acc = acc + n
        lines.append("| " + " | ".join([_cell(food), _cell(amount), *(fmt(getattr(n, f), f) for f in fields)]) + " |")
    if total and len(rows) > 1:
        lines.append("| **Total** | | " + " | ".join(f"**{fmt(getattr(acc, f), f)}**" for f in fields) + " |")
    return "\n".join(lines)


def day_table(entries: Sequence, title: str = "") -> str:
    """A day's diary grouped by meal (entries are NutritionEntry rows)."""
    if not entries:
        return f"{title}\n\nNothing logged yet." if title else "Nothing logged yet."
    fields = ("kcal", "protein_g", "carbs_g", "fat_g", "fiber_g")
    head = ["Meal", "Food", "Amount", *_head(fields)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    order = {m: i for i, m in enumerate(MEAL_TITLES)}
    acc = Nutrients()
    last_meal = None
    for e in sorted(entries, key=lambda e: (order.get(e.meal, 9), e.logged_at)):
        n = Nutrients(**{f: getattr(e, f) for f in FIELDS})
        acc = acc + n
        meal = MEAL_TITLES.get(e.meal, e.meal.title()) if e.meal != last_meal else ""
        last_meal = e.meal
        name = e.food_name + (f" ({e.brand})" if e.brand else "")
        amount = e.portion_text or amount_label(e.amount_text, e.quantity, e.basis)
        lines.append(
            "| " + " | ".join([meal, _cell(name), _cell(amount), *(fmt(getattr(n, f), f) for f in fields)]) + " |"
        )
    lines.append("| **Total** | | | " + " | ".join(f"**{fmt(getattr(acc, f), f)}**" for f in fields) + " |")
    extra = ", ".join(
        f"{LABELS[f].lower()} {fmt(getattr(acc, f), f)} {UNITS[f]}" for f in ("sugars_g", "sat_fat_g", "sodium_mg")
    )
    out = "\n".join(lines) + f"\n\nAlso: {extra}."
    return f"{title}\n\n{out}" if title else out


def remaining_table(eaten: Nutrients, target: dict[str, float | None]) -> str:
    fields = [f for f in ("kcal", "protein_g", "carbs_g", "fat_g", "fiber_g") if target.get(f) is not None]
    head = ["", *_head(fields)]
    rows = [
        ["Target", *(fmt(target[f], f) for f in fields)],
        ["Eaten", *(fmt(getattr(eaten, f) or 0.0, f) for f in fields)],
        ["**Left**", *(f"**{fmt((target[f] or 0) - (getattr(eaten, f) or 0.0), f)}**" for f in fields)],
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def product_card(food: Food, code: str = "") -> str:
    basis = "100 ml" if food.basis == "ml" else "100 g"
    title = f"**{_cell(food.name)}**" + (f" — {food.brand}" if food.brand else "") + (f" · `{code}`" if code else "")
    lines = [title, "", f"| per {basis} | " + " | ".join(_head(FIELDS)) + " |", "|---|" + "---|" * len(FIELDS)]
    lines.append("| | " + " | ".join(fmt(getattr(food.per100, f), f) for f in FIELDS) + " |")
    if food.measures:
        sizes = ", ".join(f"{m.name} = {m.grams_each:g} {food.basis}" for m in food.measures)
        lines += ["", f"Sizes: {sizes}."]
    if food.flags:
        lines += [
            "",
            f"⚠️ Data check (confidence {food.confidence:.0%}): " + "; ".join(describe_flags(food.flags)) + ".",
        ]
    return "\n".join(lines)


def week_chart(days: Sequence[tuple[date, float, float]], target_kcal: float | None, path: Path) -> Path:
    """Bars of kcal per day (with the target line) over protein per day; a small PNG for the chat."""
    sns.set_theme(style="whitegrid", context="notebook")
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 4.2), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    try:
        labels = [d.strftime("%a %d") for d, _, _ in days]
        sns.barplot(x=labels, y=[k for _, k, _ in days], ax=ax1, color="#4C72B0")
        if target_kcal:
            ax1.axhline(target_kcal, color="#C44E52", linestyle="--", linewidth=1.5, label=f"target {target_kcal:,.0f}")
            ax1.legend(loc="upper right", fontsize=8)
        ax1.set_ylabel("kcal")
        sns.barplot(x=labels, y=[p for _, _, p in days], ax=ax2, color="#55A868")
        ax2.set_ylabel("protein g")
        ax2.tick_params(axis="x", labelsize=8)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
    finally:
        plt.close(fig)
    return path


def weight_chart(
    weights: Sequence[tuple[date, float]], trend: Sequence[tuple[date, float]], path: Path, unit: str = "kg"
) -> Path:
    factor = 1 / LB_KG if unit == "lb" else 1.0
    sns.set_theme(style="whitegrid", context="notebook")
    fig, ax = plt.subplots(figsize=(7, 3.2))
    try:
        lines: list[tuple[Sequence[tuple[date, float]], str, dict[str, Any]]] = [
            (weights, "o", {"color": "#8C8C8C", "markersize": 3, "label": "weigh-ins"}),
            (trend, "-", {"color": "#4C72B0", "linewidth": 2, "label": "trend"}),
        ]
        for series, fmt_, style in lines:
            days = np.array([d for d, _ in series], dtype="datetime64[D]")
            ax.plot(days, [w * factor for _, w in series], fmt_, **style)
        ax.set_ylabel(unit)
        ax.legend(loc="best", fontsize=8)
        fig.autofmt_xdate()
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
    finally:
        plt.close(fig)
    return path
