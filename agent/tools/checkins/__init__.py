"""Check-in tools: set, list, move and cancel scheduled coach messages; answer the readiness question.

Nothing is saved without a confirmation: `checkin_create` and `checkin_update` parse the request in
code and show "Daily at 20:00 Europe/London, next: Tue 25 Nov 20:00 — Save?" with buttons; the Save
button runs `checkin_save` with the exact specs shown. "At 8" gets am/pm buttons instead of a guess.

One module per group of tools; importing the package registers them all."""

from agent.tools.checkins import changes, readiness, schedules  # noqa: F401
