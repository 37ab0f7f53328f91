"""Program drafting with a model, for requests code cannot map to a template on its own.

The model proposes structure only, in two small typed steps (`agent.structured.structured_call`: a
`ProgramChoice` of template and parameters, then a `CustomOutline` of days and exercises only when no
template fits), so the CPU model answers quickly; code resolves exercise names, fills loads from the
athlete's maxes and validates. Every problem goes back to the model as a retry message
("Week 1, Day 2: 'leg blaster' is not an exercise…"); a proposal still failing after the retries is
rejected with those reasons and never saved. Approval is not an in-graph interrupt: the draft waits
in the database (`training_drafts`) for a button, so it survives restarts and any app process can
approve it. Edits to a saved program come out the same way as a typed list of `EditOp`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agent import prompts
from agent.llm import chat_model
from agent.structured import LLMUnavailable, StructuredCallFailed, run_sync, structured_call
from powerforge.config import Settings
from training.builder import ProgramRequest, build
from training.edits import EditError, EditOp, apply_edits
from training.library import ExerciseNotFound, library
from training.loads import LoadSpecError, Max, parse_load_spec
from training.model import (
    WEEKDAYS,
    Prescription,
    Program,
    ProgramInvalid,
    ProgressionRule,
    Section,
    SectionKind,
    Week,
    Workout,
    ensure_valid,
)
from training.plates import Equipment
from training.templates import SECTION_ORDER, TemplateError, deload_item, parse_reps, templates

TemplateId = Literal[
    "linear_beginner",
    "gzclp",
    "wendler_531",
    "wendler_531_bbb",
    "upper_lower_hypertrophy",
    "dup_powerlifting",
    "peaking_block",
    "push_pull_legs",
    "full_body",
    "custom",
]


class ExerciseOutline(BaseModel):
    exercise: str = Field(description="exercise name, e.g. 'back squat'")
    sets: int = 3
    reps: str = Field(default="8-12", description="'5', '8-12' or '5+'")
    load: str = Field(default="RPE 8", description="'75%', '70% TM', 'RPE 8', '2 RIR', '100 kg' or 'BW'")
    section: Literal["warmup", "main", "accessory", "conditioning"] = "main"
    superset: str | None = None


class DayOutline(BaseModel):
    name: str
    weekday: Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] | None = None
    exercises: list[ExerciseOutline] = Field(default_factory=list)


class ProgramChoice(BaseModel):
    """Step 1 (small, fast even on a CPU model): which template, with the request's parameters."""

    template: TemplateId
    days_per_week: int | None = None
    weeks: int | None = None
    level: Literal["beginner", "intermediate", "advanced"] | None = None
    name: str | None = None


class CustomOutline(BaseModel):
    """Step 2, only for `custom`: the training days and their exercises."""

    name: str | None = None
    days: list[DayOutline] = Field(default_factory=list)
    deload_every: int | None = Field(default=None, description="every Nth week is a deload")


class ProgramProposal(ProgramChoice):
    """What the model proposed in the end (the choice, plus the outline for a custom program)."""

    days: list[DayOutline] = Field(default_factory=list)
    deload_every: int | None = None


class DraftRejected(ValueError):
    """The model could not produce a valid program; `problems` says why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("I couldn't draft a valid program: " + "; ".join(problems[:5]))


ModelUnavailable = LLMUnavailable  # no language model answered (down, or timed out): the one error of every model call
RETRIES = 2  # a rejected proposal goes back to the model this many times
Out = TypeVar("Out", bound=BaseModel)


def outline_program(
    proposal: ProgramProposal, req: ProgramRequest, maxes: dict[str, Max], eq: Equipment
) -> tuple[Program, list[str]]:
    """Code's half of drafting: the proposal as a validated Program (raises with readable problems)."""
    days = req.days or proposal.days_per_week
    weeks = req.weeks or proposal.weeks
    level = req.level or proposal.level
    if proposal.template != "custom":
        merged = ProgramRequest(req.text, days, weeks, level, req.maxes_kg, proposal.template, "model", True)
        return build(merged, maxes=maxes, equipment=eq)
    if not proposal.days:
        raise ProgramInvalid(["A custom program needs its days and exercises."])
    problems: list[str] = []
    workouts: list[Workout] = []
    for d in proposal.days:
        sections: dict[SectionKind, list[Prescription]] = {s: [] for s in SECTION_ORDER}
        for e in d.exercises:
            try:
                ex = library().require(e.exercise)
                lo, hi, plus = parse_reps(e.reps)
                load = parse_load_spec(e.load, eq.unit)
            except (ExerciseNotFound, TemplateError, LoadSpecError) as err:
                problems.append(f"{d.name}: {err}")
                continue
            sections[e.section].append(
                Prescription(
                    exercise=ex.id,
                    sets=e.sets,
                    reps=lo,
                    reps_max=hi,
                    amrap=plus,
                    load=load,
                    group=e.superset,
                    progression="default",
                )
            )
        workouts.append(
            Workout(
                name=d.name,
                weekday=WEEKDAYS.index(d.weekday) if d.weekday else None,
                sections=[Section(kind=k, items=v) for k, v in sections.items() if v],
            )
        )
    if problems:
        raise ProgramInvalid(problems)
    n_weeks = weeks or 8
    every = proposal.deload_every or 0
    out_weeks = []
    for i in range(1, n_weeks + 1):
        deload = bool(every) and i % every == 0
        wos = [w.model_copy(deep=True) for w in workouts]
        if deload:
            for w in wos:
                for s in w.sections:
                    s.items = [deload_item(p) for p in s.items]
        out_weeks.append(Week(index=i, phase="Deload" if deload else "", deload=deload, workouts=wos))
    program = Program(
        name=proposal.name or "Custom program",
        goal="general",
        level=level or "intermediate",
        template=None,
        weeks=out_weeks,
        progressions={"default": ProgressionRule(kind="double")},
    )
    return ensure_valid(program), []


def _template_list() -> str:
    """One short line per template (a small model reads the whole prompt on every call)."""
    return "\n".join(
        f"- {t.id}: {t.name}; {'/'.join(map(str, t.days))} days a week; {t.goal}; for {', '.join(t.levels)}; "
        f"e.g. {', '.join(t.keywords[:3])}"
        for t in templates().values()
    )


def _ask(output: type[Out], instructions: str, prompt: str, check: Callable[[Out], None], settings: Settings) -> Out:
    """One structured call (system: the step's instructions; user: the request): each answer is validated
    and checked by code (`check` raises ValueError with the problem, which goes back to the model)."""

    def checked(raw: dict[str, Any]) -> Out:
        out = output.model_validate(raw)
        check(out)
        return out

    model = chat_model(settings, max_tokens=max(settings.llm_max_tokens, 1024))
    msgs: list[BaseMessage] = [SystemMessage(instructions), HumanMessage(prompt)]
    call = structured_call(model, output, msgs, checked, retries=RETRIES)
    return run_sync(lambda: call, settings.llm_timeout_s * 4)


def propose_program(
    text: str, req: ProgramRequest, maxes: dict[str, Max], eq: Equipment, settings: Settings
) -> tuple[Program, list[str], ProgramProposal]:
    """Ask the model for a template (and, for a custom plan, its days); code builds and checks each answer,
    problems go back as retries, and a plan that never passes is rejected with the reasons."""
    built: dict[str, Any] = {}
    seen: list[list[str]] = []

    def attempt(proposal: ProgramProposal) -> None:
        try:
            program, notes = outline_program(proposal, req, maxes, eq)
        except ProgramInvalid as e:
            seen.append(e.problems)
            raise ValueError("; ".join(e.problems[:10])) from e
        except (TemplateError, ExerciseNotFound, LoadSpecError, ValueError) as e:
            seen.append([str(e)])
            raise ValueError(str(e)) from e
        built.update(program=program, notes=notes, proposal=proposal)

    def check_choice(out: ProgramChoice) -> None:
        built["choice"] = out
        if out.template != "custom":
            attempt(ProgramProposal(**out.model_dump()))

    facts = []
    if req.days:
        facts.append(f"{req.days} days a week")
    if req.weeks:
        facts.append(f"{req.weeks} weeks")
    if req.level:
        facts.append(f"level {req.level}")
    if req.maxes_kg:
        facts.append("maxes known for " + ", ".join(library().get(k).name for k in req.maxes_kg))
    prompt = f"Request: {text}\nCode already read: {'; '.join(facts) or 'nothing'}."
    instructions = prompts.render("training_program", templates=_template_list())
    try:
        _ask(ProgramChoice, instructions, prompt, check_choice, settings)
        choice: ProgramChoice | None = built.get("choice")
        if choice is not None and choice.template == "custom" and "program" not in built:

            def check_outline(out: CustomOutline) -> None:
                attempt(ProgramProposal(**{**choice.model_dump(), **out.model_dump(exclude_none=True)}))

            _ask(CustomOutline, prompts.load("training_program_custom"), prompt, check_outline, settings)
    except StructuredCallFailed as e:
        raise DraftRejected(seen[-1] if seen else [e.problem]) from e
    if "program" not in built:
        raise DraftRejected(seen[-1] if seen else ["the model gave no usable proposal"])
    return built["program"], built["notes"], built["proposal"]


class EditProposal(BaseModel):
    """The changes to the program, as operations code applies and validates."""

    ops: list[EditOp] = Field(default_factory=list)


def propose_edit(
    text: str, program: Program, has_max: Callable[[str], bool], settings: Settings
) -> tuple[Program, list[EditOp]]:
    """Ask the model for edit operations; code applies and validates them, retrying on problems."""
    built: dict[str, Any] = {}
    seen: list[str] = []
    listing = "\n".join(
        f"- {wo.day_label or 'day ' + str(k + 1)} {wo.name}: "
        + ", ".join(library().get(p.exercise).name for p in wo.prescriptions())
        for k, wo in enumerate(program.weeks[0].workouts)
    )

    def check(out: EditProposal) -> None:
        if not out.ops:
            seen.append("no operations")
            raise ValueError("Give at least one operation.")
        try:
            built["program"] = apply_edits(program, out.ops, has_max)
        except (EditError, ProgramInvalid, TemplateError) as e:
            seen.append(str(e))
            raise ValueError(f"That edit does not fit the program: {e}") from e
        built["ops"] = out.ops

    instructions = prompts.render("training_edit", workouts=listing)
    try:
        _ask(EditProposal, instructions, f"Change requested: {text}", check, settings)
    except StructuredCallFailed as e:
        raise DraftRejected(seen[-1:] or [e.problem]) from e
    return built["program"], built["ops"]
