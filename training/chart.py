"""A small e1RM-over-time chart (seaborn on the Agg backend) for the lift just logged."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import seaborn as sns

from powerforge.units import Mass


def e1rm_chart(points: list[tuple[datetime, float]], path: Path, *, title: str, unit: str = "kg") -> Path:
    """Write a PNG of best e1RM per session (`points` are (time, kg)); the newest point is highlighted."""
    sns.set_theme(style="whitegrid", context="notebook")
    xs = [t for t, _ in points]
    ys = [Mass.kgs(v).to(unit) for _, v in points]
    fig, ax = plt.subplots(figsize=(6.4, 2.8), dpi=110)
    try:
        sns.lineplot(x=xs, y=ys, marker="o", ax=ax, color="#2563eb", linewidth=2)
        ax.scatter(mdates.date2num([xs[-1]]), [ys[-1]], s=90, color="#dc2626", zorder=5)
        ax.annotate(f"{ys[-1]:.1f}", (xs[-1], ys[-1]), textcoords="offset points", xytext=(0, 8), ha="center")
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(f"e1RM ({unit})")
        ax.set_xlabel("")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        if (xs[-1] - xs[0]).days >= 14:
            ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=6))
        else:  # a short span: one tick per session reads better than an auto locator
            ax.set_xticks(mdates.date2num(xs))
        lo, hi = min(ys), max(ys)
        pad = max(2.5, (hi - lo) * 0.15)
        ax.set_ylim(lo - pad, hi + pad)
        fig.autofmt_xdate()
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path
