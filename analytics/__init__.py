"""Analytics and memory: typed questions about the athlete's own data → SQL → charts and captions,
a weekly review, and a per-user memory of notes. Pure domain code: no Chainlit, no LangGraph."""
