"""`powerforge train …` and `powerforge program …`: the training maths and data from a shell.

`train parse-set` and `train e1rm` need no database; `train import`, `train export` and `program show`
work on a user's data (default: the first user). Every command takes `--json` (one JSON document).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

train_app = typer.Typer(help="Set parsing, e1RM, plate maths, Strong/Hevy import and CSV export.", no_args_is_help=True)
program_app = typer.Typer(help="Show the saved program and the templates.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
    app.add_typer(program_app, name="program")


def _fail(message: str) -> NoReturn:
    from powerforge.cli_contract import fail  # under --json: one {"ok": false, "error": ...} document on stdout

    fail(message)


def _account(user: str | None):
    from powerforge.config import get_settings
    from storage.accounts import get_account_by_name, list_accounts
    from storage.migrate import upgrade

    s = get_settings()
    s.ensure_dirs()
    upgrade(s.db_url)
    account = get_account_by_name(user) if user else next(iter(list_accounts()), None)
    if account is None:
        _fail("No such user; create one with `powerforge user add NAME`.")
    return account


@train_app.command("log")
def log(
    line: str = typer.Argument(..., help="e.g. 'squat 140x5 @8' or 'bench 3x5 at 100'"),
    user: str = typer.Option(None, help="Username (default: the first user)."),
    unit: str = typer.Option(None, help="kg or lb for loads typed without a unit"),
    new_exercise: bool = typer.Option(False, "--new-exercise", help="add an unknown exercise name as typed"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Log performed sets: the same service as the chat (one transaction; asks instead of guessing)."""
    from datetime import UTC, datetime

    from powerforge.cli_contract import emit_json
    from training.parse import SetLineError, has_explicit_unit, parse_sets
    from training.service import NeedsExercise, NeedsUnit, SetInput, SetLogError, log_sets

    if unit not in (None, "kg", "lb"):
        _fail("--unit is kg or lb.")
    account = _account(user)
    try:
        inp = SetInput(entries=parse_sets(line), unit=unit, explicit_unit=has_explicit_unit(line),
                       exercise_id="new" if new_exercise else None)  # fmt: skip
        res = log_sets(account.id, inp, now=datetime.now(UTC))
    except (SetLineError, SetLogError) as e:
        _fail(str(e))
    if isinstance(res, NeedsExercise):
        known = ", ".join(c.name for c in res.candidates[:4]) or "none close"
        _fail(f"Which exercise is '{res.typed}'? Close ones: {known}. Name one, or pass --new-exercise to add it.")
    if isinstance(res, NeedsUnit):
        _fail(f"{res.value:g} {res.unit} for {res.reps} on {res.name} looks off: {res.reason} Pass --unit kg or lb.")
    if as_json:
        emit_json({"session_id": res.session_id, "prs": len(res.prs), "progression": res.progression,
                   "sets": [{"exercise_id": r.exercise_id, "load_kg": r.load_kg, "reps": r.reps, "rpe": r.rpe}
                            for r in res.records]})  # fmt: skip
        return
    typer.echo(f"Logged {len(res.records)} set(s); session volume {res.session_volume_kg:,.0f} kg.")


@train_app.command("parse-set")
def parse_set(
    line: str = typer.Argument(..., help="e.g. 'bench 3x5 at 100' or 'squat 140x5 @8'"),
    unit: str = typer.Option("kg", help="unit for numbers typed without one (kg or lb)"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Read a set line the way the chat does (exercise, sets, reps, load, RPE), with e1RM per set."""
    from powerforge.cli_contract import emit_json
    from powerforge.units import Mass
    from training.e1rm import e1rm_kg
    from training.library import library
    from training.parse import SetLineError, parse_sets

    if unit not in ("kg", "lb"):
        _fail("--unit is kg or lb.")
    try:
        entries = parse_sets(line)
    except SetLineError as e:
        _fail(str(e))
    out: list[dict[str, Any]] = []
    for entry in entries:
        r = library().resolve(entry.exercise_text) if entry.exercise_text else None
        sets = []
        for s in entry.sets:
            u = s.unit or unit
            kg = None if s.load is None else round(Mass.of(s.load, u).kg, 3)
            sets.append(
                {
                    "reps": s.reps,
                    "load": s.load,
                    "unit": u if s.load is not None else None,
                    "load_kg": kg,
                    "rpe": s.rpe,
                    "amrap": s.amrap,
                    "added_to_bodyweight": s.added,
                    "e1rm_kg": e1rm_kg(kg, s.reps, s.rpe) if kg else None,
                }
            )
        out.append(
            {
                "exercise_text": entry.exercise_text,
                "exercise_id": r.exercise.id if r and r.exercise else None,
                "exercise": r.exercise.name if r and r.exercise else None,
                "candidates": [c.id for c in r.candidates] if r and not r.exercise else [],
                "warmup": entry.warmup,
                "superset": entry.group,
                "notes": entry.notes,
                "sets": sets,
            }
        )
    if as_json:
        emit_json({"line": line, "entries": out})
        return
    for row in out:
        name = row["exercise"] or f"? {row['exercise_text']}"
        for i, done in enumerate(row["sets"], 1):
            load = "BW" if done["load"] is None else f"{done['load']:g} {done['unit']}"
            rpe = f" @{done['rpe']:g}" if done["rpe"] else ""
            typer.echo(f"{name:<24} set {i}: {load} × {done['reps']}{'+' if done['amrap'] else ''}{rpe}")


@train_app.command("e1rm")
def e1rm(
    set_line: str = typer.Argument(None, help="a set like '140x5 @8' (or use --load/--reps/--rpe)"),
    load: float | None = typer.Option(None, help="load lifted"),
    reps: int | None = typer.Option(None, help="reps done"),
    rpe: float | None = typer.Option(None, help="RPE of the set (chart estimate when ≥ 7)"),
    unit: str = typer.Option("kg", help="kg or lb"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Estimated 1RM by Epley, Brzycki (≤ 10 reps) and the RPE chart (RPE ≥ 7)."""
    from powerforge.cli_contract import emit_json
    from powerforge.units import Mass
    from training.e1rm import estimate
    from training.parse import SetLineError, parse_sets

    if set_line:
        try:
            first = parse_sets(set_line if any(c.isalpha() for c in set_line) else f"lift {set_line}")[0].sets[0]
        except (SetLineError, IndexError):
            _fail(f"'{set_line}' is not a set (try '140x5 @8').")
        load = load or first.load
        reps = reps or first.reps
        rpe = rpe if rpe is not None else first.rpe
        unit = first.unit or unit
    if not load or not reps:
        _fail("Give a set ('140x5 @8') or --load and --reps.")
    if unit not in ("kg", "lb"):
        _fail("--unit is kg or lb.")
    est = estimate(Mass.of(load, unit), reps, rpe)
    data: dict[str, Any] = {"load": load, "unit": unit, "reps": reps, "rpe": rpe, **est.as_dict()}
    for key in ("epley", "brzycki", "rpe_chart", "e1rm"):
        v = data.get(f"{key}_kg")
        data[key] = None if v is None else round(Mass.kgs(v).to(unit), 2)
    if as_json:
        emit_json(data)
        return
    typer.echo(f"{load:g} {unit} × {reps}" + (f" @{rpe:g}" if rpe else ""))
    for key in ("epley", "brzycki", "rpe_chart"):
        typer.echo(f"  {key:<10} {data[key] if data[key] is not None else '—'}")
    typer.echo(f"  e1RM       {data['e1rm'] if data['e1rm'] is not None else '—'} {unit} ({est.method})")


@train_app.command("plates")
def plates(
    load: float = typer.Argument(..., help="target weight"),
    unit: str = typer.Option("kg", help="kg or lb"),
    bar: float = typer.Option(None, help="bar weight (default 20 kg / 45 lb)"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Plates per side for a target weight with a standard plate set."""
    from powerforge.cli_contract import emit_json
    from powerforge.units import Mass
    from training.plates import Equipment, PlateError, load_bar

    if unit not in ("kg", "lb"):
        _fail("--unit is kg or lb.")
    eq = Equipment.default(unit)
    if bar is not None:
        eq = Equipment(unit=unit, bar=bar, plates=eq.plates)
    try:
        b = load_bar(Mass.of(load, unit), eq)
    except PlateError as e:
        _fail(str(e))
    if as_json:
        emit_json(b.as_dict())
    else:
        typer.echo(f"{b.total:g} {unit}: {b.describe()}" + "".join(f"\n  {n}" for n in b.notes))


@train_app.command("import")
def import_file(
    source: Annotated[str, typer.Argument(help="strong or hevy")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    user: str = typer.Option(None, help="Username (default: the first user)."),
    unit: str = typer.Option(None, help="weight unit of a Strong export without a unit column (kg or lb)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Parse and report, store nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Import a Strong or Hevy CSV export (re-importing the same file adds nothing): the chat's service."""
    from powerforge.cli_contract import emit_json
    from training.csvio import CSVImportError
    from training.service import import_training

    if source not in ("strong", "hevy"):
        _fail("The source is 'strong' or 'hevy'.")
    account = _account(user)
    try:
        done = import_training(account.id, file.read_bytes(), source=source, unit=unit, check_unit=False,
                               dry_run=dry_run)  # fmt: skip
    except CSVImportError as e:
        _fail(f"Can't import {file.name}: {e}")
    report, res = done.report, done.stored
    data = {
        "file": str(file),
        "source": source,
        "rows": report.rows,
        "sessions": len(report.sessions),
        "sets": report.set_count,
        "skipped": report.skipped,
        "unknown_exercises": report.unknown_exercises,
    }
    if res is not None:
        data.update(
            sessions_added=res.sessions_added,
            sets_added=res.sets_added,
            duplicates=res.duplicates,
            custom_exercises=res.custom_exercises,
        )
    if as_json:
        emit_json(data)
        return
    typer.echo(
        f"{file.name}: {data['sessions']} workouts, {data['sets']} sets read; {len(report.skipped)} rows skipped."
    )
    if not dry_run:
        typer.echo(
            f"Stored {data['sessions_added']} workouts ({data['sets_added']} sets); {data['duplicates']} already there."
        )
    for line in report.skipped[:10]:
        typer.echo(f"  skipped {line}")


@train_app.command("export")
def export(
    out: Annotated[Path, typer.Argument(help="CSV file to write")],
    user: str = typer.Option(None, help="Username (default: the first user)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Export every logged set as a Strong-style CSV."""
    from powerforge.cli_contract import emit_json
    from training.service import export_training

    account = _account(user)
    done = export_training(account.id)
    out.write_text(done.csv, "utf-8")
    if as_json:
        emit_json({"file": str(out), "sets": len(done.rows)})
    else:
        typer.echo(f"Wrote {len(done.rows)} sets to {out}.")


@program_app.command("show")
def program_show(
    user: str = typer.Option(None, help="Username (default: the first user)."),
    week: int = typer.Option(None, help="only this week"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """The active program with loads computed from the user's maxes and plates."""
    from powerforge.cli_contract import emit_json
    from training.render import program_table
    from training.service import NoProgramToChange, show_program
    from training.session import plan_workout

    account = _account(user)
    try:
        view = show_program(account.id)  # the chat's service (the week is checked below, with the CLI's words)
    except NoProgramToChange:
        if as_json:
            emit_json({"program": None})
            return
        _fail("No saved program; draft one in the chat.")
    row, program, unit, eq, maxes, states = view.row, view.program, view.unit, view.equipment, view.maxes, view.states
    weeks = [week] if week else [w.index for w in program.weeks]
    if week and week > len(program.weeks):
        _fail(f"The program has {len(program.weeks)} weeks.")
    if as_json:
        emit_json(
            {
                "id": row.id,
                "name": row.name,
                "version": row.version,
                "lineage_id": row.lineage_id,
                "start_date": str(row.start_date),
                "template": row.template,
                "unit": unit,
                "weeks": [
                    {
                        "week": w,
                        "phase": program.week(w).phase,
                        "deload": program.week(w).deload,
                        "workouts": [
                            {
                                "name": wo.name,
                                "weekday": wo.weekday,
                                "items": [i.as_dict(unit) for i in plan_workout(wo, program, maxes, states, eq)],
                            }
                            for wo in program.week(w).workouts
                        ],
                    }
                    for w in weeks
                ],
                "spec": program.model_dump(mode="json"),
            }
        )
        return
    typer.echo(program_table(program, maxes, eq, unit, states=states, weeks=weeks, max_rows=10_000))


@program_app.command("today")
def program_today(
    user: str = typer.Option(None, help="Username (default: the first user)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Today's (or the next) workout with planned loads: the same service as the chat and the morning check-in."""
    from powerforge.cli_contract import emit_json
    from training.service import NoProgram, today_markdown, today_plan

    account = _account(user)
    try:
        plan = today_plan(account.id)
    except NoProgram:
        _fail("No saved program; draft one in the chat.")
    if as_json:
        emit_json({"complete": plan.complete, "week": plan.week, "workout": plan.workout,
                   "planned_date": str(plan.planned_date) if plan.planned_date else None,
                   "items": [i.as_dict(plan.unit) for i in plan.items]})  # fmt: skip
        return
    typer.echo(today_markdown(plan))


@program_app.command("templates")
def program_templates(as_json: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """The program templates shipped with Power Forge."""
    from powerforge.cli_contract import emit_json
    from training.templates import templates

    ts = templates().values()
    if as_json:
        emit_json(
            [
                {
                    "id": t.id,
                    "name": t.name,
                    "days": list(t.days),
                    "weeks": list(t.weeks_range),
                    "levels": list(t.levels),
                    "summary": t.summary,
                }
                for t in ts
            ]
        )
        return
    for t in ts:
        typer.echo(f"{t.id:<26} {t.describe()}")
