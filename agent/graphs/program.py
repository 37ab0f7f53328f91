"""Program drafting with a model, for requests code cannot map to a template on its own.

The model proposes structure only, in two small typed steps via pydantic-ai structured output (a
`ProgramChoice` of template and parameters, then a `CustomOutline` of days and exercises only when no
template fits), so the CPU model answers quickly; code resolves exercise names, fills loads from the
athlete's maxes and validates. Every problem goes back to the model as a retry message
("Week 1, Day 2: 'leg blaster' is not an exercise…"); a proposal still failing after the retries is
rejected with those reasons and never saved. Approval is not an in-graph interrupt: the draft waits
in the database (`training_drafts`) for a button, so it survives restarts and any app process can
approve it. Edits to a saved program come out the same way as a typed list of `EditOp`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic_ai import ModelRetry
from pydantic_ai.exceptions import ModelAPIError, UnexpectedModelBehavior

from agent import prompts
from agent.llm import structured_agent
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


class ModelUnavailable(RuntimeError):
    """No language model answered (not configured, down, or timed out)."""


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


def _run(coro_factory: Callable[[], Any], timeout_s: float) -> Any:
    """Run an async pydantic-ai call from sync tool code (tools run in a worker thread)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result(timeout=timeout_s)


def _template_list() -> str:
    """One short line per template (a small model reads the whole prompt on every call)."""
    return "\n".join(
        f"- {t.id}: {t.name}; {'/'.join(map(str, t.days))} days a week; {t.goal}; for {', '.join(t.levels)}; "
        f"e.g. {', '.join(t.keywords[:3])}"
        for t in templates().values()
    )


def _ask(agent: Any, prompt: str, seen: list[list[str]], settings: Settings) -> None:
    """Run one structured call; model errors become ModelUnavailable, exhausted retries DraftRejected."""
    try:
        _run(lambda: agent.run(prompt), settings.llm_timeout_s * 4)
    except UnexpectedModelBehavior as e:
        raise DraftRejected(seen[-1] if seen else [str(e)]) from e
    except ModelAPIError as e:  # connection refused, timeouts, 5xx from the model server
        raise ModelUnavailable(str(e)) from e
    except (concurrent.futures.TimeoutError, TimeoutError) as e:
        raise ModelUnavailable("the language model took too long") from e
    except Exception as e:  # connection errors raised below pydantic-ai's mapping
        if type(e).__module__.startswith(("openai", "httpx", "httpcore")) or isinstance(e, ConnectionError):
            raise ModelUnavailable(str(e)) from e
        raise


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
            raise ModelRetry("Fix these problems and answer again: " + "; ".join(e.problems[:10])) from e
        except (TemplateError, ExerciseNotFound, LoadSpecError, ValueError) as e:
            seen.append([str(e)])
            raise ModelRetry(f"Fix this and answer again: {e}") from e
        built.update(program=program, notes=notes, proposal=proposal)

    chooser = structured_agent(
        ProgramChoice, prompts.render("training_program", templates=_template_list()), settings, retries=2
    )

    @chooser.output_validator
    def _check_choice(out: ProgramChoice) -> ProgramChoice:
        built["choice"] = out
        if out.template != "custom":
            attempt(ProgramProposal(**out.model_dump()))
        return out

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
    _ask(chooser, prompt, seen, settings)
    choice: ProgramChoice | None = built.get("choice")
    if choice is not None and choice.template == "custom" and "program" not in built:
        writer = structured_agent(CustomOutline, prompts.load("training_program_custom"), settings, retries=2)

        @writer.output_validator
        def _check_outline(out: CustomOutline) -> CustomOutline:
            attempt(ProgramProposal(**{**choice.model_dump(), **out.model_dump(exclude_none=True)}))
            return out

        _ask(writer, prompt, seen, settings)
    if "program" not in built:
        raise DraftRejected(seen[-1] if seen else ["the model gave no usable proposal"])
    return built["program"], built["notes"], built["proposal"]


class EditProposal(BaseModel):
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
    agent = structured_agent(EditProposal, prompts.render("training_edit", workouts=listing), settings, retries=2)

    @agent.output_validator
    def _check(out: EditProposal) -> EditProposal:
        if not out.ops:
            seen.append("no operations")
            raise ModelRetry("Give at least one operation.")
        try:
            built["program"] = apply_edits(program, out.ops, has_max)
        except (EditError, ProgramInvalid, TemplateError) as e:
            seen.append(str(e))
            raise ModelRetry(f"That edit does not fit the program: {e}") from e
        built["ops"] = out.ops
        return out

    try:
        _run(lambda: agent.run(f"Change requested: {text}"), settings.llm_timeout_s * 4)
    except UnexpectedModelBehavior as e:
        raise DraftRejected(seen[-1:] or [str(e)]) from e
    except ModelAPIError as e:
        raise ModelUnavailable(str(e)) from e
    except (concurrent.futures.TimeoutError, TimeoutError) as e:
        raise ModelUnavailable("the language model took too long") from e
    except Exception as e:
        if type(e).__module__.startswith(("openai", "httpx", "httpcore")) or isinstance(e, ConnectionError):
            raise ModelUnavailable(str(e)) from e
        raise
    return built["program"], built["ops"]
