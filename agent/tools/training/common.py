"""Helpers shared by the training tools: the clock and the draft buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.tools.base import Action, ToolContext

DOMAIN = "training"


# --------------------------------------------------------------------------- shared helpers
def _now(ctx: ToolContext) -> datetime:
    return (ctx.now or datetime.now(UTC)).astimezone(UTC)


def _draft_buttons(draft_id: str, save: str) -> list[Action]:
    return [
        Action(label=save, tool="program_approve", args={"draft_id": draft_id}, tooltip="Save it"),
        Action(label="🗑️ Discard", tool="program_discard", args={"draft_id": draft_id}, tooltip="Throw the draft away"),
    ]
