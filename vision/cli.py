"""`powerforge lift analyse VIDEO [--lift squat] [--load 160kg] [--plate-mm 450] [--out annotated.mp4] --json`,
`powerforge lift variants CLIP --out DIR` (the same lift in the shapes phones produce, for invariance checks)
and `powerforge lift profile LIFT` (the stored load-velocity profile and e1RM)."""

from __future__ import annotations

from pathlib import Path

import typer

lift_app = typer.Typer(help="Lift video lab: bar path, velocity per rep, velocity loss, load-velocity profile.")


def _fail(message: str, as_json: bool, code: int = 1) -> typer.Exit:
    from powerforge.cli_contract import emit_json

    if as_json:
        emit_json({"ok": False, "error": message})
    else:
        typer.echo(message, err=True)
    return typer.Exit(code)


@lift_app.command("analyse")
def analyse_cmd(
    video: Path = typer.Argument(..., help="Lift clip (side view, plate in sight)"),  # noqa: B008
    lift: str = typer.Option("squat", help="squat | bench | deadlift | press | row | snatch | clean | jerk | other"),
    load: str | None = typer.Option(None, help="Load on the bar, e.g. 160kg or 350lb (a bare number is kg)"),
    plate_mm: float = typer.Option(450.0, "--plate-mm", help="Plate diameter in mm (bumpers and 20 kg plates: 450)"),
    rom: str | None = typer.Option(None, help="Known range of motion (e.g. 55cm): sets the scale instead of the plate"),
    out: Path | None = typer.Option(None, "--out", help="Write the annotated video here (MP4)"),  # noqa: B008
    no_pose: bool = typer.Option(False, "--no-pose", help="Don't fall back to the lifter's hands without a plate"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document"),
) -> None:
    """Reps with mean concentric / peak / mean propulsive velocity, ROM, times, bar-path drift (± uncertainty)."""
    from powerforge.cli_contract import emit_json
    from powerforge.config import get_settings
    from powerforge.units import Length, UnitError
    from vision.analyse import LiftError, LiftOptions, analyse_video
    from vision.io import VideoError
    from vision.request import parse_load_kg

    settings = get_settings()
    load_kg = None
    if load:
        load_kg = parse_load_kg(load)
        if load_kg is None:
            raise _fail(f"I can't read the load '{load}'; write it like 160kg or 350lb.", as_json, 2)
    rom_m = None
    if rom:
        try:
            value = rom.strip().lower().rstrip("abcdefghijklmnopqrstuvwxyz ")
            unit = rom.strip().lower()[len(value) :].strip() or "cm"
            rom_m = Length.of(float(value), unit).m
        except (ValueError, UnitError) as e:
            raise _fail(f"I can't read the range of motion '{rom}'; write it like 55cm.", as_json, 2) from e
    options = LiftOptions(
        lift=lift, load_kg=load_kg, plate_mm=plate_mm, rom_m=rom_m, out_video=out,
        max_duration_s=settings.video_max_duration_s, pose=None if no_pose else settings.pose_backend,
    )  # fmt: skip

    def progress(fraction: float, message: str) -> None:
        if not as_json:
            typer.echo(f"[{fraction * 100:3.0f} %] {message}", err=True)

    try:
        analysis = analyse_video(video, options, progress)
    except (VideoError, LiftError) as e:
        raise _fail(str(e), as_json) from e
    data = analysis.to_dict()
    if as_json:
        emit_json({"ok": True, **data})
    else:
        from vision.report import markdown

        typer.echo(markdown(data))


@lift_app.command("variants")
def variants_cmd(
    clip: Path = typer.Argument(..., help="A real lift clip to derive the variants from"),  # noqa: B008
    out: Path = typer.Option(..., "--out", help="Folder for the variants (created if missing)"),  # noqa: B008
    only: str | None = typer.Option(None, "--only", help="Comma-separated variant names (default: all)"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document"),
) -> None:
    """Make, with ffmpeg, the shapes phones give the same lift in (rotation flag, VFR, 10-bit HLG HEVC, black
    ends, 2x speed, crop, low light, heavy compression, MJPEG AVI, a corrupt chunk, truncation)."""
    from powerforge.cli_contract import emit_json
    from vision.variants import VariantError, make_variants

    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    try:
        made = make_variants(clip, out, names)
    except VariantError as e:
        raise _fail(str(e), as_json) from e
    rows = [
        {"variant": m.variant.name, "path": str(m.path) if m.path else None, "description": m.variant.description,
         "keeps_reps": m.variant.keeps_reps, "note": m.note}
        for m in made
    ]  # fmt: skip
    if as_json:
        emit_json({"ok": True, "variants": rows})
        return
    for r in rows:
        typer.echo(f"{r['variant']:<16} {r['path'] or r['note']}  ({r['description']})")


@lift_app.command("profile")
def profile_cmd(
    lift: str = typer.Argument("squat", help="squat | bench | deadlift | press | ..."),
    user: str = typer.Option(..., help="Whose profile (username)"),
    mvt: float | None = typer.Option(None, help="Set your own minimum velocity threshold (m/s) for this lift"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The load-velocity line from every analysed set with a load, and the e1RM it predicts."""
    from powerforge.cli_contract import emit_json
    from storage.accounts import get_account_by_name
    from storage.migrate import upgrade
    from vision.service import refresh_profile

    upgrade()
    account = get_account_by_name(user)
    if account is None:
        raise _fail(f"No user called '{user}'.", as_json, 2)
    prof, reason = refresh_profile(account.id, lift, mvt=mvt)
    if prof is None:
        raise _fail(reason or "No profile yet.", as_json)
    if as_json:
        emit_json({"ok": True, **prof.to_dict()})
    else:
        typer.echo(
            f"{lift}: v = {prof.intercept:.3f} {prof.slope:+.5f}·load (m/s, kg), r² {prof.r2:.2f}, {prof.n} sets; "
            f"e1RM at {prof.mvt:.2f} m/s: {prof.e1rm_kg:.1f} ± {prof.e1rm_sd_kg:.1f} kg"
        )


@lift_app.command("rep-labels")
def rep_labels_cmd(
    user: str = typer.Option(..., "--user", help="Whose rep labels (username)"),
    out: Path = typer.Option(..., "--out", help="Folder for rep_labels.jsonl and rep_labels.csv"),  # noqa: B008
    history: bool = typer.Option(False, help="Every label row, not only the one that counts per rep"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Export the athlete's rep labels ('review my reps') with each rep's trace features: the dataset rep
    segmentation learns from."""
    import csv
    import json

    from powerforge.cli_contract import emit_json
    from storage.accounts import get_account_by_name
    from storage.lift_labels import current_rep_labels, rep_label_history
    from storage.migrate import upgrade

    upgrade()
    account = get_account_by_name(user)
    if account is None:
        raise _fail(f"No user called '{user}'.", as_json, 2)
    rows = (rep_label_history if history else current_rep_labels)(account.id)
    fields = ("id", "analysis_id", "lift", "rep_number", "t_start_s", "t_end_s", "label", "labelled_by")
    out.mkdir(parents=True, exist_ok=True)
    jsonl, csv_path = out / "rep_labels.jsonl", out / "rep_labels.csv"
    with jsonl.open("w") as f:
        for r in rows:
            doc = {k: getattr(r, k) for k in fields} | {"features": r.features, "created_at": r.created_at.isoformat()}
            f.write(json.dumps(doc) + "\n")
    with csv_path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow([*fields, "share", "created_at"])
        for r in rows:
            w.writerow([*(getattr(r, k) for k in fields), r.features.get("share"), r.created_at.isoformat()])
    result = {"labels": len(rows), "jsonl": str(jsonl), "csv": str(csv_path)}
    if as_json:
        emit_json({"ok": True, **result})
    else:
        typer.echo(f"{result['labels']} rep labels -> {result['jsonl']}, {result['csv']}")


def register(app: typer.Typer) -> None:
    app.add_typer(lift_app, name="lift")
