"""Helpers shared by the analytics tools: the metric catalogue shown to the model."""

from __future__ import annotations

from analytics import fastpath
from analytics.catalogue import METRICS

UNSUPPORTED = fastpath.UNSUPPORTED
HINTS = {
    "tonnage": "volume", "hard_sets": "per muscle", "sessions": "how often trained",
    "adherence": "logging consistency", "expenditure": "TDEE, maintenance", "velocity": "bar speed",
    "lv_profile": "load-velocity profile", "e1rm": "estimated max, strength", "prs": "personal records",
}  # fmt: skip
# The model sees a short list (small CPU models read every token of the tool schema on each call).
CATALOGUE_LINES = ", ".join(f"{k} ({HINTS[k]})" if k in HINTS else k for k in METRICS)
