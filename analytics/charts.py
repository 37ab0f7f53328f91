"""The coach's chart style and renderer: seaborn on matplotlib's Agg backend, one PNG per answer.

Made for a chat column (~700 px): 1200 × 630 px at 150 dpi, 11 pt text, the unit on the value axis,
dates formatted by range (ConciseDateFormatter), one colour per series that stays the same across
charts (a lift keeps its colour), and a light card with mid-contrast grid that reads on both a light
and a dark chat theme. Figures are built with the object API (no pyplot state), under a lock, so tools
can draw from worker threads while the event loop keeps serving messages.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analytics.catalogue import auto_chart

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

    from analytics.metrics import MetricFrame, Resolved

# Colour-blind-safe, distinct in greyscale order, readable on white and as a card on a dark page.
PALETTE = ["#2F6FDE", "#E8773A", "#1A9E77", "#D64560", "#7B5CC4", "#B08A1E", "#3FA7C4", "#6B6B6B"]
FIXED = {  # series that always look the same, whatever the chart
    "Back Squat": PALETTE[0], "Bench Press": PALETTE[1], "Deadlift": PALETTE[2], "Overhead Press": PALETTE[3],
    "Trend": "#1F2937", "Target": "#D64560", "Intake": "#9CA3AF", "Protein": PALETTE[3],
    "Carbohydrate": PALETTE[5], "Fat": PALETTE[1], "Food logged": PALETTE[0], "Weighed in": PALETTE[2],
}  # fmt: skip
INK, MUTED, GRID, CARD = "#1F2937", "#5B6472", "#E3E6EA", "#FBFBFA"
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.2, 150

STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "axes.labelcolor": MUTED,
    "axes.edgecolor": GRID,
    "axes.facecolor": CARD,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "legend.frameon": False,
    "legend.fontsize": 10,
    "figure.facecolor": CARD,
    "savefig.facecolor": CARD,
    "lines.linewidth": 2.2,
    "lines.markersize": 5,
}
_LOCK = threading.Lock()
MAX_BARS = 120


def colours(names: list[str]) -> dict[str, str]:
    """One colour per series: fixed ones first, the rest from the palette in order."""
    out: dict[str, str] = {}
    free = [c for c in PALETTE if c not in {FIXED[n] for n in names if n in FIXED}]
    for i, n in enumerate(names):
        out[n] = FIXED.get(n) or free[i % len(free)]
    return out


def _value_formatter(unit: str) -> FuncFormatter:
    def fmt(v: float, _pos: int) -> str:
        if unit in ("m/s",):
            return f"{v:.2f}"
        if abs(v) >= 10_000:
            return f"{v / 1000:,.0f}k"
        # A tick at 12.5 reads 12.5, never a rounded 12 (or 18 for 17.5).
        return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 1000 else f"{v:,.1f}"

    return FuncFormatter(fmt)


COUNT_UNITS = ("sets", "PRs", "punches", "sessions")


def _value_axis(axis, unit: str) -> None:  # noqa: ANN001
    """Tick labels in the unit; counts (sets, PRs) get whole-number ticks only."""
    axis.set_major_formatter(_value_formatter(unit))
    if unit in COUNT_UNITS:
        axis.set_major_locator(MaxNLocator(integer=True))


def _kind(frame: MetricFrame, r: Resolved) -> str:
    asked = r.query.chart
    if asked == "bar" and frame.x_kind == "time" and frame.data["x"].nunique() > MAX_BARS:
        return "area"
    if asked not in ("auto", "table"):
        return asked
    if frame.x_kind == "numeric":
        return "scatter"
    if frame.x_kind == "category":
        return "bar"
    kind = auto_chart(r.metric, r.group_by, frame.data["x"].nunique(), r.query.compare.target)
    dense = frame.data["x"].nunique() > MAX_BARS  # hundreds of bars turn to mush (and cost a patch each)
    if kind == "bar" and dense:
        return "area"
    return kind if kind in ("bar", "line") else "line"


def render(frame: MetricFrame, r: Resolved, path: Path, *, second: MetricFrame | None = None) -> Path:
    """Draw `frame` to `path` (PNG) and return the path."""
    with _LOCK, sns.axes_style("whitegrid", STYLE), matplotlib.rc_context(STYLE):
        figure(frame, r, second=second).savefig(path, format="png", dpi=DPI)
    return path


def figure(frame: MetricFrame, r: Resolved, *, second: MetricFrame | None = None) -> Figure:
    """The chart as a matplotlib Figure (object API, Agg canvas; no global pyplot state)."""
    with sns.axes_style("whitegrid", STYLE), matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)  # fixed margins: constrained layout doubles the cost
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        kind = _kind(frame, r)
        if frame.x_kind == "category" or (kind == "bar" and frame.x_kind != "time"):
            _categories(ax, frame)
        elif frame.x_kind == "numeric":
            _scatter(ax, frame)
        elif kind == "bar":
            _time_bars(ax, frame, r.group_by)
        else:
            _time_lines(ax, frame, kind)
        if frame.x_kind == "time":
            loc = mdates.AutoDateLocator(minticks=3, maxticks=8)
            ax.xaxis.set_major_locator(loc)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc, show_offset=False))
        if second is not None and not second.empty and frame.x_kind == "time":
            _second_axis(ax, second)
        title = frame.label
        names = r.names()
        if names and r.query.metric in ("e1rm", "top_set", "velocity", "lv_profile") and len(names) == 1:
            title = f"{next(iter(names.values()))} · {title}"
        when = r.period.label
        if when == "all time":  # the dates, not just the words
            from analytics.executor import dates_said

            when = f"all time ({dates_said(r.period, frame)})"
        ax.set_title(f"{title}  ·  {when}", color=INK, pad=10)
        handles, labels = ax.get_legend_handles_labels()
        legend = len(labels) > 1 and ax.get_legend() is None
        if legend:
            ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0, -0.12), ncols=min(len(labels), 5))
        _margins(fig, ax, legend=legend or ax.get_legend() is not None, twin=second is not None)
    return fig


def _margins(fig: Figure, ax, *, legend: bool, twin: bool) -> None:  # noqa: ANN001
    """Room for the tick labels (long category names on a horizontal bar chart), the legend and a twin axis."""
    labels = [t.get_text() for t in ax.get_yticklabels()]
    widest = max((len(s) for s in labels), default=4)
    left = min(0.34, 0.075 + 0.0105 * widest)
    fig.subplots_adjust(left=left, right=0.9 if twin else 0.955, top=0.88, bottom=0.24 if legend else 0.13)


def _unit_label(frame: MetricFrame) -> str:
    return f"{frame.label} ({frame.unit})" if frame.unit else frame.label


def _time_lines(ax, frame: MetricFrame, kind: str) -> None:  # noqa: ANN001
    names = list(dict.fromkeys(frame.data["series"]))
    pal = colours(names + list(frame.overlays))
    many = len(frame.data) > 90
    for name in names:
        g = frame.data[frame.data["series"] == name].sort_values("x")
        is_weighin = name == "Weigh-in"
        style = {
            "marker": None if many else "o",
            "linewidth": 0 if is_weighin else (1.3 if many else 2.2),
            "alpha": 0.55 if is_weighin else 1,
        }
        if is_weighin:
            style.update(marker="o", markersize=3.5)
        ax.plot(g["x"], g["value"], color=pal[name], label=name, **style)
        if kind == "area":
            ax.fill_between(g["x"], g["value"], alpha=0.15, color=pal[name])
        if not is_weighin and len(g):
            last = g.iloc[-1]
            ax.annotate(frame.value_format.format(last["value"]), (last["x"], last["value"]), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=9.5, color=pal[name])  # fmt: skip
    _overlays(ax, frame, pal)
    ax.set_ylabel(_unit_label(frame))
    _value_axis(ax.yaxis, frame.unit)
    ax.margins(x=0.04)


def _overlays(ax, frame: MetricFrame, pal: dict[str, str]) -> None:  # noqa: ANN001
    for name, o in frame.overlays.items():
        if o.empty:
            continue
        o = o.sort_values("x")
        label = str(o["series"].iloc[0])
        if name == "target":
            ax.step(o["x"], o["value"], where="mid", color=FIXED["Target"], linestyle="--", linewidth=1.6, label=label)
        elif name == "trend":
            ax.plot(o["x"], o["value"], color=FIXED["Trend"], linewidth=2.4, label=label)
            last = o.iloc[-1]
            ax.annotate(f"{last['value']:.1f}", (last["x"], last["value"]), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=9.5, color=FIXED["Trend"])  # fmt: skip
        else:
            ax.plot(o["x"], o["value"], color=pal.get(label, MUTED), linestyle=":", linewidth=1.8, label=label)


def _time_bars(ax, frame: MetricFrame, group_by: str) -> None:  # noqa: ANN001
    names = list(dict.fromkeys(frame.data["series"]))
    pal = colours(names + list(frame.overlays))
    xs = sorted(pd.to_datetime(frame.data["x"].unique()))
    step = {"week": 7, "month": 30}.get(group_by, 1)
    if len(xs) > 1:
        step = max(1, min(step, int(np.median(np.diff(xs)) / np.timedelta64(1, "D"))))
    width = step * 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        g = frame.data[frame.data["series"] == name]
        offset = pd.to_timedelta((i - (len(names) - 1) / 2) * width, unit="D")
        ax.bar(pd.to_datetime(g["x"]) + offset, g["value"], width=width, color=pal[name], label=name, alpha=0.92)
    if len(names) == 1 and len(xs) <= 16:
        g = frame.data
        for x, v in zip(pd.to_datetime(g["x"]), g["value"], strict=True):
            ax.annotate(frame.value_format.format(v), (x, v), xytext=(0, 3), textcoords="offset points",
                        ha="center", fontsize=8.5, color=MUTED)  # fmt: skip
    _overlays(ax, frame, pal)
    ax.set_ylabel(_unit_label(frame))
    _value_axis(ax.yaxis, frame.unit)
    ax.grid(axis="x", visible=False)


def _categories(ax, frame: MetricFrame) -> None:  # noqa: ANN001
    df = frame.data.copy()
    df["x"] = df["x"].astype(str)
    series = list(dict.fromkeys(df["series"]))
    pal = colours(series)
    horizontal = df["x"].str.len().max() > 6 or df["x"].nunique() > 8
    hue = "series" if len(series) > 1 else None
    common = {"data": df, "hue": hue, "palette": pal if hue else None, "ax": ax, "errorbar": None,
              "color": None if hue else PALETTE[0], "saturation": 0.9}  # fmt: skip
    if horizontal:
        sns.barplot(y="x", x="value", orient="h", **common)
        ax.set_ylabel(frame.x_label)
        ax.set_xlabel(_unit_label(frame))
        _value_axis(ax.xaxis, frame.unit)
        ax.grid(axis="y", visible=False)
    else:
        sns.barplot(x="x", y="value", **common)
        ax.set_xlabel(frame.x_label)
        ax.set_ylabel(_unit_label(frame))
        _value_axis(ax.yaxis, frame.unit)
        ax.grid(axis="x", visible=False)
    if hue is None:
        for container in ax.containers:
            ax.bar_label(container, labels=[frame.value_format.format(v) for v in container.datavalues],
                         padding=3, fontsize=8.5, color=MUTED)  # fmt: skip
    if ax.get_legend() is not None and hue is None:
        ax.get_legend().remove()


def _scatter(ax, frame: MetricFrame) -> None:  # noqa: ANN001
    df = frame.data
    names = list(dict.fromkeys(df["series"]))
    pal = colours(names)
    sns.scatterplot(data=df, x="x", y="value", hue="series", palette=pal, ax=ax, s=36, edgecolor="white")
    fit = frame.overlays.get("fit")
    if fit is not None and not fit.empty:
        ax.plot(fit["x"], fit["value"], color=INK, linewidth=1.6, linestyle="--", label="Fit")
    ax.set_xlabel(frame.x_label)
    ax.set_ylabel(_unit_label(frame))
    _value_axis(ax.yaxis, frame.unit)


def _second_axis(ax, second: MetricFrame) -> None:  # noqa: ANN001
    ax2 = ax.twinx()
    g = second.overlays.get("trend", second.data).sort_values("x")
    ax2.plot(g["x"], g["value"], color=PALETTE[4], linewidth=1.8, linestyle="-.", label=second.label)
    ax2.set_ylabel(_unit_label(second), color=PALETTE[4])
    ax2.grid(False)
    ax2.yaxis.set_major_locator(MaxNLocator(5))
    ax2.spines["right"].set_visible(True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", bbox_to_anchor=(0, -0.12), ncols=min(len(l1 + l2), 5))
