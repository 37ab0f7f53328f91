"""Drafting a program from the athlete's words: a template when code is sure of the style, otherwise a
proposal (from the language model, injected by the caller, checked by code), stored as a draft that
nothing uses until the athlete approves it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine

from services.uow import unit_of_work
from storage import training as repo
from training.builder import ProgramRequest, build, parse_request
from training.diff import ChangeRow, compress, diff_programs
from training.edits import EditError, EditOp, apply_edits, parse_edit
from training.loads import Max
from training.model import Program, ProgramInvalid, ensure_valid
from training.plates import Equipment
from training.progression import SlotState, initial_states
from training.schedule import local_today
from training.session import effective_max
from training.templates import TemplateError, templates


class DraftError(ValueError):
    """A request that cannot be drafted as said (an unknown template, a template that does not fit)."""


class ProposerUnavailable(RuntimeError):
    """No model to propose a program style with."""


class ProposalRejected(ValueError):
    """Every proposal failed the program checks; `problems` says why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# (request text, parsed request, maxes, equipment) -> (program, notes); raises ProposerUnavailable/ProposalRejected
ProposeFn = Callable[[str, ProgramRequest, dict[str, Max], Equipment], tuple[Program, list[str]]]


@dataclass(frozen=True)
class DraftInput:
    text: str
    days: int | None = None
    weeks: int | None = None
    level: str | None = None
    template: str | None = None  # a template id the athlete picked (a button)


@dataclass(frozen=True)
class ProgramDrafted:
    draft_id: str
    program: Program
    notes: list[str]
    how: str  # "template: …" or "drafted with the model, checked by code"
    request: ProgramRequest
    maxes: dict[str, Max]
    equipment: Equipment
    unit: str


@dataclass(frozen=True)
class NoStyleChosen:
    """No template is sure and no model can choose one: the athlete picks (nothing was drafted)."""

    text: str


@dataclass(frozen=True)
class DraftInvalid:
    """No valid program came out (nothing was drafted)."""

    problems: list[str] = field(default_factory=list)


def draft_program(
    account_id: int, inp: DraftInput, *, propose: ProposeFn | None = None, engine: Engine | None = None
) -> ProgramDrafted | NoStyleChosen | DraftInvalid:
    unit = repo.display_unit(account_id, engine)
    eq = repo.get_equipment(account_id, engine)
    req = parse_request(inp.text, default_unit=unit)
    req.days = inp.days or req.days
    req.weeks = inp.weeks or req.weeks
    req.level = inp.level or req.level
    if inp.template:
        if inp.template not in templates():
            raise DraftError(f"There's no template '{inp.template}'. Templates: {', '.join(templates())}.")
        req.template = inp.template
    maxes = {**repo.get_maxes(account_id, engine), **{k: Max(v, None) for k, v in req.maxes_kg.items()}}

    def from_template() -> tuple[Program, list[str], str]:
        built, notes = build(req, maxes=maxes, equipment=eq)
        name = templates()[req.template or ""].name
        return built, notes, f"template: {name}" + (f" ({req.reason})" if req.reason else "")

    try:
        if req.template and (req.sure or inp.template):
            program, notes, how = from_template()
        else:
            try:  # the words name no program style code is sure of: the model proposes, code checks
                if propose is None:
                    raise ProposerUnavailable("no proposer")
                program, notes = propose(inp.text, req, maxes, eq)
                how = "drafted with the model, checked by code"
            except ProposerUnavailable:
                if req.template is None:
                    raise
                program, notes, how = from_template()
                notes.append("the language model is unavailable, so this is the closest template")
    except TemplateError as e:
        raise DraftError(str(e)) from e
    except ProposerUnavailable:
        return NoStyleChosen(inp.text)
    except ProposalRejected as e:
        return DraftInvalid(e.problems)
    draft = repo.create_draft(
        account_id, "program", {"program": program.model_dump(mode="json"), "maxes_kg": req.maxes_kg, "notes": notes},
        summary=program.name, request=inp.text, engine=engine,
    )  # fmt: skip
    return ProgramDrafted(draft.id, program, notes, how, req, maxes, eq, unit)


@dataclass(frozen=True)
class ProgressionApplied:
    draft_id: str
    lines: list[str]


@dataclass(frozen=True)
class ProgramSaved:
    row: Any  # the stored TrainingProgram version
    kind: str  # program | edit
    next_session: Any  # the next scheduled session, if any


@dataclass(frozen=True)
class DraftDiscarded:
    """The draft no longer passes the program checks: it was discarded, nothing saved."""

    reason: str


def _pending(account_id: int, draft_id: str | None, uow: Engine) -> Any:
    d = repo.get_draft(account_id, draft_id, uow) if draft_id else repo.latest_pending_draft(account_id, engine=uow)
    if d is None:
        raise DraftError("There's no draft waiting for approval.")
    if d.status != "pending":
        raise DraftError(f"That draft was already {d.status}; nothing changed.")
    return d


def approve_draft(
    account_id: int,
    draft_id: str | None,
    *,
    today: date | None = None,
    now: datetime | None = None,
    engine: Engine | None = None,
) -> ProgressionApplied | ProgramSaved | DraftDiscarded:
    """Apply a pending draft (the given one, else the latest): a progression's new slot states, or a program
    (new, or a new version of the edited one) with its starting states, starting `today` (default: the athlete's
    day at `now`). One unit of work."""
    if today is None:
        now = (now or datetime.now(UTC)).astimezone(UTC)
        today = local_today(repo.account_tz(account_id, engine), now)
    repo.ensure_library(engine)  # shared reference rows, committed before the action (see services.uow)
    with unit_of_work(engine) as uow:
        d = _pending(account_id, draft_id, uow)
        try:
            if d.kind == "progression":
                states = {k: SlotState.from_dict(v) for k, v in d.spec["states"].items()}
                repo.approve_progression(account_id, d.id, d.spec["lineage_id"], states, uow)
                return ProgressionApplied(d.id, list(d.spec.get("lines", [])))
            program = ensure_valid(Program.model_validate(d.spec["program"]))
        except ProgramInvalid as e:  # never save a broken program, even one stored earlier
            repo.discard_draft(account_id, d.id, uow)
            return DraftDiscarded(str(e))
        except repo.DraftGone as e:
            raise DraftError(str(e)) from e
        maxes_kg = {k: float(v) for k, v in (d.spec.get("maxes_kg") or {}).items()}
        maxes = {**repo.get_maxes(account_id, uow), **{k: Max(v) for k, v in maxes_kg.items()}}
        lineage, note = None, ""
        states = {}
        if d.kind == "edit":
            base = repo.get_program(account_id, d.base_program_id or -1, uow)
            if base is None:
                raise DraftError("The program this edit was for no longer exists; nothing changed.")
            lineage, note = base[0].lineage_id, d.summary
            states = repo.get_progress(account_id, lineage, uow)

        def tm_of(ex_id: str, kind: str) -> float | None:
            m = effective_max(ex_id, maxes, states, kind)
            if m is None:
                return None
            return m.training_max(program.training_max_pct) if kind == "pct_tm" else m.one_rm(program.training_max_pct)

        try:
            row = repo.activate_program(
                account_id, program, start=today, lineage_id=lineage, change_note=note, draft_id=d.id,
                initial_states=initial_states(program, maxes, tm_of), maxes_kg=maxes_kg, engine=uow,
            )  # fmt: skip
        except repo.DraftGone as e:
            raise DraftError(str(e)) from e
        return ProgramSaved(row, d.kind, repo.next_scheduled(account_id, uow))


# --------------------------------------------------------------------------- discard, edit, show
def discard_draft(account_id: int, draft_id: str | None, engine: Engine | None = None) -> str:
    """Throw a pending draft away (the given one, else the latest); its kind (program | edit | progression)."""
    with unit_of_work(engine) as uow:
        d = _pending(account_id, draft_id, uow)
        try:
            repo.discard_draft(account_id, d.id, uow)
        except repo.DraftGone as e:
            raise DraftError(str(e)) from e
        return str(d.kind)


class NoProgramToChange(DraftError):
    """There is no saved program to edit or show."""


# (request text, program, has-a-max(exercise id)) -> (edited program, the edits); raises ProposerUnavailable /
# ProposalRejected like ProposeFn
ProposeEditFn = Callable[[str, Program, Callable[[str], bool]], tuple[Program, list[EditOp]]]


@dataclass(frozen=True)
class EditProposed:
    """A changed program stored as a draft (nothing changes until it is approved)."""

    draft_id: str
    program_name: str
    version: int
    note: str  # the edits in words
    rows: list[ChangeRow]  # the diff, compressed


@dataclass(frozen=True)
class NothingToChange:
    """The edit changes nothing (nothing was drafted); `why` says so in words."""

    why: str


def edit_program(
    account_id: int,
    text: str,
    ops: list[EditOp] | None = None,
    *,
    propose: ProposeEditFn | None = None,
    engine: Engine | None = None,
) -> EditProposed | NothingToChange:
    """Apply the edits code parsed from `text` (else the proposer's) to the saved program and draft the result.
    Raises `NoProgramToChange`, `DraftError` (an edit that cannot apply), `ProposerUnavailable`, `ProposalRejected`."""
    active = repo.active_program(account_id, engine)
    if active is None:
        raise NoProgramToChange("You don't have a saved program to change yet. Ask me to build one first.")
    row, program = active
    unit = repo.display_unit(account_id, engine)
    maxes = repo.get_maxes(account_id, engine)
    states = repo.get_progress(account_id, row.lineage_id, engine)

    def has_max(ex_id: str) -> bool:
        return effective_max(ex_id, maxes, states, "pct_1rm") is not None

    ops = list(ops or parse_edit(text) or [])
    try:
        if ops:
            new = apply_edits(program, ops, has_max)
        else:
            if propose is None:
                raise ProposerUnavailable("no proposer")
            new, ops = propose(text, program, has_max)
    except (EditError, ProgramInvalid, TemplateError) as e:
        raise DraftError(str(e)) from e
    rows = compress(diff_programs(program, new, unit))
    if not rows:
        why = "Nothing would change"
        if all(op.kind == "deload" for op in ops):
            why = f"Week {', '.join(str(w) for op in ops for w in op.weeks or [])} is already a deload"
        return NothingToChange(why)
    note = "; ".join(op.describe() for op in ops)
    draft = repo.create_draft(
        account_id, "edit", {"program": new.model_dump(mode="json"), "ops": [o.model_dump() for o in ops]},
        summary=note, request=text, base_program_id=row.id, engine=engine,
    )  # fmt: skip
    return EditProposed(draft.id, row.name, row.version, note, rows)


@dataclass(frozen=True)
class ProgramView:
    """The saved program with what its loads are computed from."""

    row: Any  # the stored TrainingProgram version
    program: Program
    unit: str
    equipment: Equipment
    maxes: dict[str, Max]
    states: dict[str, SlotState]
    sessions_done: int


def show_program(account_id: int, week: int | None = None, engine: Engine | None = None) -> ProgramView:
    """The saved program (for one week, when asked). Raises `NoProgramToChange`, or `DraftError` for a week
    the program does not have."""
    active = repo.active_program(account_id, engine)
    if active is None:
        raise NoProgramToChange(
            "You don't have a saved program yet. Ask me to build one, e.g. “a 3-day beginner program”."
        )
    row, program = active
    if week and week > len(program.weeks):
        raise DraftError(f"{row.name} has {len(program.weeks)} weeks; there's no week {week}.")
    counts = repo.scheduled_counts(account_id, row.id or 0, engine)  # a stored row always has its id
    return ProgramView(
        row, program, repo.display_unit(account_id, engine), repo.get_equipment(account_id, engine),
        repo.get_maxes(account_id, engine), repo.get_progress(account_id, row.lineage_id, engine),
        counts.get("done", 0),
    )  # fmt: skip
