"""Helpers shared by the training tools: clock, display unit, names, draft buttons."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.tools.base import Action, ToolContext
from storage import training as repo
from training.loads import Max
from training.progression import SlotState
from training.schedule import local_today
from training.session import effective_max

DOMAIN = "training"


# --------------------------------------------------------------------------- shared helpers
def _now(ctx: ToolContext) -> datetime:
    return (ctx.now or datetime.now(UTC)).astimezone(UTC)


def _unit(ctx: ToolContext) -> str:
    return repo.display_unit(ctx.account_id, ctx.engine)


def _today(ctx: ToolContext):
    return local_today(repo.account_tz(ctx.account_id, ctx.engine), _now(ctx))


def _name(ex_id: str, ctx: ToolContext) -> str:
    return repo.exercise_names(ctx.account_id, [ex_id], ctx.engine).get(ex_id, ex_id)


def _draft_buttons(draft_id: str, save: str) -> list[Action]:
    return [
        Action(label=save, tool="program_approve", args={"draft_id": draft_id}, tooltip="Save it"),
        Action(label="🗑️ Discard", tool="program_discard", args={"draft_id": draft_id}, tooltip="Throw the draft away"),
    ]


def _states(ctx: ToolContext, lineage_id: str) -> dict[str, SlotState]:
    return repo.get_progress(ctx.account_id, lineage_id, ctx.engine)


def _has_max(maxes: dict[str, Max], states: dict[str, SlotState]):
    return lambda ex_id: effective_max(ex_id, maxes, states, "pct_1rm") is not None
