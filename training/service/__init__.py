"""The training application services: one function per user action, typed input and result.

Callers (the chat tools, the CLI, check-ins) parse their own input, call one service and render its result.
"""

from training.service.log_sets import LoggedSets, NeedsExercise, NeedsUnit, SetInput, SetLogError, log_sets
from training.service.programs import (
    DraftError,
    DraftInput,
    DraftInvalid,
    NoStyleChosen,
    ProgramDrafted,
    ProposalRejected,
    ProposeFn,
    ProposerUnavailable,
    draft_program,
)  # fmt: skip
from training.service.today import NoProgram, TodayPlan, today_markdown, today_plan, today_summary

__all__ = [
    "DraftError",
    "DraftInput",
    "DraftInvalid",
    "LoggedSets",
    "NeedsExercise",
    "NeedsUnit",
    "NoProgram",
    "NoStyleChosen",
    "ProgramDrafted",
    "ProposalRejected",
    "ProposeFn",
    "ProposerUnavailable",
    "SetInput",
    "SetLogError",
    "TodayPlan",
    "draft_program",
    "log_sets",
    "today_markdown",
    "today_plan",
    "today_summary",
]  # fmt: skip
