"""The training application services: one function per user action, typed input and result.

Callers (the chat tools, the CLI, check-ins) parse their own input, call one service and render its result.
"""

from training.service.log_sets import LoggedSets, NeedsExercise, NeedsUnit, SetInput, SetLogError, log_sets
from training.service.programs import (
    DraftDiscarded,
    DraftError,
    DraftInput,
    DraftInvalid,
    NoStyleChosen,
    ProgramDrafted,
    ProgramSaved,
    ProgressionApplied,
    ProposalRejected,
    ProposeFn,
    ProposerUnavailable,
    approve_draft,
    draft_program,
)
from training.service.today import NoProgram, TodayPlan, today_markdown, today_plan, today_summary

__all__ = [
    "DraftDiscarded",
    "DraftError",
    "DraftInput",
    "DraftInvalid",
    "LoggedSets",
    "NeedsExercise",
    "NeedsUnit",
    "NoProgram",
    "NoStyleChosen",
    "ProgramDrafted",
    "ProgramSaved",
    "ProgressionApplied",
    "ProposalRejected",
    "ProposeFn",
    "ProposerUnavailable",
    "SetInput",
    "SetLogError",
    "TodayPlan",
    "approve_draft",
    "draft_program",
    "log_sets",
    "today_markdown",
    "today_plan",
    "today_summary",
]
