"""`powerforge strike analyse VIDEO [--out annotated.mp4] --json`, plus the punch model's
`powerforge models train punch-classifier` and `powerforge models quantize punch-classifier`."""

from __future__ import annotations

from pathlib import Path

import typer

from powerforge.cli_contract import fail

strike_app = typer.Typer(help="Striking lab: punches, combos and guard habits from a boxing clip.")


@strike_app.command("analyse")
def analyse_cmd(
    video: Path = typer.Argument(..., help="Shadow-boxing or bag-work clip"),  # noqa: B008
    out: Path | None = typer.Option(None, "--out", help="Write the annotated video here (MP4)"),  # noqa: B008
    backend: str = typer.Option("blazepose", help="Pose backend: blazepose | rtmpose"),
    stance: str | None = typer.Option(None, help="orthodox | southpaw (default: from the video)"),
    who: str = typer.Option(
        "auto",
        help="Who the athlete is with several people in frame: auto (the most active) "
        "| left | right | centre | largest",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document"),
) -> None:
    """Punches (time, hand, type, confidence), combos and habit figures of one round."""
    from models.pose import get_backend
    from models.pose.athlete import PICKS
    from models.punch.classifier import PunchClassifier
    from powerforge.cli_contract import emit_json
    from powerforge.config import get_settings
    from striking.analyse import StrikeError, analyse_video
    from striking.report import markdown

    if who.lower().replace("center", "centre") not in PICKS:
        fail(f"--who must be one of: {', '.join(PICKS)}.", 2)
    settings = get_settings()
    try:
        pose = get_backend(backend, settings)
    except (FileNotFoundError, ValueError) as e:
        fail(str(e), 2)
    try:
        report, _track = analyse_video(video, pose, out_video=out, stance_hint=stance,
                                       classifier=PunchClassifier.load(settings.models_dir),
                                       max_duration_s=settings.video_max_duration_s, who=who)  # fmt: skip
    except StrikeError as e:
        if as_json:
            emit_json({"ok": False, "error": str(e)})
        else:
            typer.echo(str(e), err=True)
        raise typer.Exit(1) from e
    finally:
        pose.close()
    if as_json:
        emit_json({"ok": True, **report.to_dict(), "video": str(out) if out else None})
    else:
        typer.echo(markdown(report))


def train_cmd(
    data: Path | None = typer.Option(None, help="Folder of cs229 CSVs (default: ../shared/data/keypoints/cs229)"),  # noqa: B008
    no_corrections: bool = typer.Option(False, help="Leave out the users' corrections stored in the database"),
    limit: int | None = typer.Option(None, help="Use only the first N windows (a quick smoke run)"),
    epochs: int | None = typer.Option(None, help="Training epochs (default: TrainConfig's)"),
    synthetic: int | None = typer.Option(None, help="Generated rounds added to training, 7 windows each (0 = none)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Train the punch classifier, hold out by fighter/video, export fp32/int8/pruned ONNX, print the report."""
    from models.punch.classifier import model_dir
    from models.punch.dataset import DatasetError, Windows, from_corrections, load_cs229
    from models.punch.train import TrainConfig, table, train_and_report
    from powerforge.cli_contract import emit_json
    from powerforge.config import get_settings

    settings = get_settings()
    folder = data or Path(__file__).resolve().parents[2] / "shared" / "data" / "keypoints" / "cs229"
    try:
        parts = [load_cs229(folder, limit)]
        if not no_corrections:
            from storage.migrate import upgrade
            from storage.striking import corrections

            upgrade()  # a fresh data dir has no tables yet
            parts.append(from_corrections([(c.window, c.new_shape) for c in corrections()]))
        overrides = {k: v for k, v in (("epochs", epochs), ("synthetic_scripts", synthetic)) if v is not None}
        report = train_and_report(Windows.concat(parts), model_dir(settings.models_dir), TrainConfig(**overrides),
                                  progress=lambda f, m: typer.echo(f"[{f * 100:3.0f} %] {m}", err=True))  # fmt: skip
    except DatasetError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from e
    if as_json:
        emit_json(report)
    else:
        typer.echo(table(report))
        typer.echo(f"\nServing: {report['serve']} ({model_dir(settings.models_dir)})")


def quantize_cmd(
    name: str = typer.Argument("punch-classifier", help="The model to quantise (punch-classifier)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Re-quantise the installed fp32 punch model to int8 and print its size and agreement with fp32."""
    import numpy as np

    from models.punch.classifier import model_dir
    from models.punch.export import latency_ms, predict, quantize_int8
    from powerforge.cli_contract import emit_json
    from powerforge.config import get_settings

    if name != "punch-classifier":
        typer.echo("Only 'punch-classifier' can be quantised.", err=True)
        raise typer.Exit(2)
    folder = model_dir(get_settings().models_dir)
    fp32 = folder / "fp32.onnx"
    if not fp32.is_file():
        typer.echo("No trained model: run `powerforge models train punch-classifier` first.", err=True)
        raise typer.Exit(1)
    import onnx

    dim = onnx.load(str(fp32)).graph.input[0].type.tensor_type.shape.dim[1].dim_value
    x = np.random.default_rng(0).normal(0, 1, (256, dim)).astype(np.float32)
    out = quantize_int8(fp32, folder / "int8.onnx", x)
    agree = float((predict(fp32, x).argmax(1) == predict(out, x).argmax(1)).mean())
    result = {"fp32_bytes": fp32.stat().st_size, "int8_bytes": out.stat().st_size, "agreement": agree,
              "fp32_ms": latency_ms(fp32, x), "int8_ms": latency_ms(out, x)}  # fmt: skip
    if as_json:
        emit_json(result)
    else:
        typer.echo(" ".join(f"{k}={v:.4g}" for k, v in result.items()))


labels_app = typer.Typer(help="The athletes' punch labels (from 'review my punches' and typed corrections).")
strike_app.add_typer(labels_app, name="labels")


@labels_app.command("export")
def labels_export_cmd(
    out: Path = typer.Option(..., "--out", help="Folder for labels.jsonl and labels.csv"),  # noqa: B008
    user: str | None = typer.Option(None, "--user", help="Only this username's labels (default: everyone's)"),
    history: bool = typer.Option(False, help="Every label row, not only the one that counts per punch"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Export the labelled punch dataset: JSONL with keypoint windows, CSV without."""
    from powerforge.cli_contract import emit_json
    from storage.migrate import upgrade
    from striking.labels import export

    upgrade()
    account_id = None
    if user is not None:
        from storage.accounts import get_account_by_name

        account = get_account_by_name(user)
        if account is None:
            fail(f"No user named {user!r}.", 2)
        account_id = account.id
    result = export(out, account_id, history=history)
    if as_json:
        emit_json({"ok": True, **result})
    else:
        typer.echo(f"{result['labels']} labels -> {result['jsonl']}, {result['csv']}")


def register(app: typer.Typer) -> None:
    from powerforge.cli_contract import subgroup

    models_app = subgroup(app, "models")
    app.add_typer(strike_app, name="strike")
    train_app = typer.Typer(help="Train our own models.")
    train_app.command("punch-classifier")(train_cmd)
    models_app.add_typer(train_app, name="train")
    models_app.command("quantize")(quantize_cmd)
