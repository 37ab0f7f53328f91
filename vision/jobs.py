"""The lift analysis as a long job (`lift_analysis`): runs in a pool process, reports progress,
stores the analysis (video, reps, link to the logged set, refreshed load-velocity profile) and
returns the result with the annotated video's path.

Params carry the data dir and database URL because a spawned worker does not share the parent's
settings object. The upload is already stored; a failure raises with a readable message and
writes nothing, so the person can ask for a retry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from powerforge.jobs import job_input_path, register_job, worker_settings
from storage.upload_store import sha256_file

KIND = "lift_analysis"
DEFAULT_STOP_PCT = 20.0  # a common velocity-loss cut-off for strength work when the program sets none


def _relative(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _job_id(progress: Any) -> str | None:
    job_id = getattr(progress, "job_id", None)
    return job_id if job_id and job_id != "inline" else None


def _learned_share(params: dict[str, Any], settings: Any) -> float:
    """The rep threshold the athlete's own rep labels for this lift agree with best (vision.rep_labels),
    else the default: their "not a rep" and "missed one" reviews change how the next set is cut."""
    from vision.rep_labels import DEFAULT_SHARE, examples, learn_share

    if params.get("rep_share") is not None:
        return float(params["rep_share"])
    if params.get("account_id") is None:
        return DEFAULT_SHARE
    from storage.engine import engine_for
    from storage.lift_labels import current_rep_labels

    rows = current_rep_labels(int(params["account_id"]), lift=params.get("lift", "squat"),
                              engine=engine_for(settings.db_url))  # fmt: skip
    learned = learn_share(examples((r.label, r.features) for r in rows))
    return DEFAULT_SHARE if learned is None else learned


def _critique(analysis: Any, path: Path, out: Path | None, params: dict[str, Any], root: Path) -> dict[str, Any]:
    """Technique critique with key frames and landmarks, stored beside the annotated video (issue 16)."""
    from vision.critique import critique_lift

    tag = params.get("job_id") or (params.get("sha256") or sha256_file(path))[:16]
    out_dir = (out.parent if out else root / "critique") / f"{out.stem if out else tag}_critique"
    return critique_lift(analysis, path, out_dir, root)


def analyse_job(params: dict[str, Any], progress: Any) -> dict[str, Any]:
    from vision.analyse import LiftOptions, analyse_video

    settings = worker_settings(params)
    path = job_input_path(params, settings)  # from the upload store: any worker, any machine
    out = Path(params["out_video"]) if params.get("out_video") else None
    backend = params.get("backend") or settings.pose_backend

    def pose_factory() -> Any:
        from models.pose import get_backend

        return get_backend(backend, settings)

    options = LiftOptions(
        lift=params.get("lift", "squat"), load_kg=params.get("load_kg"), plate_mm=float(params.get("plate_mm") or 450),
        rom_m=params.get("rom_m"), out_video=out, max_duration_s=settings.video_max_duration_s, pose=backend,
        body_height_m=params.get("body_height_m"), rep_share=_learned_share(params, settings),
        body=bool(params.get("body", True)),
    )  # fmt: skip
    analysis = analyse_video(path, options, progress, pose_factory=pose_factory)
    result = analysis.to_dict()
    result.update(_critique(analysis, path, out, params, settings.files_dir))
    result["rep_share"] = options.rep_share
    result["stop_threshold_pct"] = params.get("stop_pct") or DEFAULT_STOP_PCT
    if params.get("account_id") is None:
        return result
    from storage.engine import engine_for
    from storage.lifts import find_set_to_link, save_analysis
    from vision.service import program_velocity_loss, refresh_profile

    account_id = int(params["account_id"])
    engine = engine_for(settings.db_url)
    info = analysis.video
    video = {
        "upload_id": params.get("upload_id"), "path": _relative(path, settings.files_dir) or str(path),
        "sha256": params.get("sha256") or sha256_file(path), "size_bytes": path.stat().st_size, "width": info.width,
        "height": info.height, "rotation": info.rotation, "fps": info.fps, "duration_s": info.duration_s,
        "frame_count": info.frame_count, "codec": info.codec, "vfr": info.vfr, "hdr": info.hdr,
    }  # fmt: skip
    set_id = params.get("training_set_id") or find_set_to_link(account_id, options.lift, engine)
    row = save_analysis(
        account_id, video=video, result=result, annotated_path=_relative(out, settings.files_dir),
        job_id=params.get("job_id") or _job_id(progress), training_set_id=set_id, engine=engine,
    )  # fmt: skip
    prof, reason = refresh_profile(account_id, options.lift, engine)
    program_stop = program_velocity_loss(account_id, options.lift, engine)
    result.update(
        analysis_id=row.id,
        training_set_id=set_id,
        stop_threshold_pct=params.get("stop_pct") or program_stop or DEFAULT_STOP_PCT,
        stop_threshold_source="you" if params.get("stop_pct") else ("program" if program_stop else "default"),
        profile=prof.to_dict() if prof is not None else None,
        profile_note=reason,
    )
    return result


register_job(KIND, "vision.jobs:analyse_job")
