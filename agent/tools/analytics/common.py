"""Helpers shared by the analytics tools: the metric catalogue shown to the model, the athlete's today."""

from __future__ import annotations

from datetime import date

from agent.tools.base import ToolContext
from analytics import fastpath, service
from analytics.catalogue import METRICS

UNSUPPORTED = fastpath.UNSUPPORTED
HINTS = {
    "tonnage": "volume", "hard_sets": "per muscle", "sessions": "how often trained",
    "adherence": "logging consistency", "expenditure": "TDEE, maintenance", "velocity": "bar speed",
    "lv_profile": "load-velocity profile", "e1rm": "estimated max, strength", "prs": "personal records",
}  # fmt: skip
# The model sees a short list (small CPU models read every token of the tool schema on each call).
CATALOGUE_LINES = ", ".join(f"{k} ({HINTS[k]})" if k in HINTS else k for k in METRICS)


def _today(ctx: ToolContext) -> tuple[date, str]:
    """The athlete's calendar day at the turn's instant, and their timezone."""
    return service.today_for(ctx.account_id, ctx.now, ctx.engine)
