"""Analytics and memory tools: ask (charts), recall (notes + stats), remember/forget notes, weekly review.

Thin adapters over `analytics`: the fast path or the model fills a typed query, code runs it, and the
tool returns the chart, the numbers behind it and a caption computed from them. The last query of each
thread is kept in the database, so "only since March" or "add deadlift" refine the chart just shown.

One module per group of tools; importing the package registers them all."""

from agent.tools.analytics import charts, memory, review  # noqa: F401
from agent.tools.analytics.charts import AskArgs, _match_ask, ask, fill_with_model  # noqa: F401  (agent/cli.py, bench)
