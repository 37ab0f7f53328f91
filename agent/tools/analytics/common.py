"""Helpers shared by the analytics tools: the metric catalogue shown to the model, the athlete's today."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from agent.tools.base import ToolContext
from analytics import fastpath
from analytics.catalogue import METRICS
from storage import analytics as sql

UNSUPPORTED = fastpath.UNSUPPORTED
HINTS = {
    "tonnage": "volume", "hard_sets": "per muscle", "sessions": "how often trained",
    "adherence": "logging consistency", "expenditure": "TDEE, maintenance", "velocity": "bar speed",
    "lv_profile": "load-velocity profile", "e1rm": "estimated max, strength", "prs": "personal records",
}  # fmt: skip
# The model sees a short list (small CPU models read every token of the tool schema on each call).
CATALOGUE_LINES = ", ".join(f"{k} ({HINTS[k]})" if k in HINTS else k for k in METRICS)


def _today(ctx: ToolContext) -> tuple[date, str]:
    tz = sql.account_timezone(ctx.account_id, ctx.engine)
    now = ctx.now or datetime.now(UTC)
    try:
        return now.astimezone(ZoneInfo(tz)).date(), tz
    except (KeyError, ValueError):
        return now.date(), "UTC"
