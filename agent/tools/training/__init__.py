"""Training tools: programs from a sentence (draft → table → approve), edits with a diff, today's workout,
plate maths, logging sets by chat with PRs, e1RM chart and progression, summaries, Strong/Hevy import,
CSV export, maxes and equipment.

Thin adapters: each tool parses its arguments, calls one `training.service` function and renders the result
(the rules and the rows live behind the service; no tool touches storage). Every common phrasing has a
`match` fast path, so logging "squat 140x5 @8" or asking "what's my workout today?" needs no model.
Nothing that changes a program is saved without a button press (drafts wait in the database).

One module per group of tools; importing the package registers them all."""

from agent.tools.training import log_sets, program_edit, programs, setup, transfer, workout  # noqa: F401
