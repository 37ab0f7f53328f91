"""The striking analysis as a long job (`strike_analysis`): runs in a pool process, reports
progress, stores the round for the user, returns the report and the annotated video's path.

Params carry the data dir and database URL because a spawned worker does not share the parent's
settings object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from powerforge.jobs import job_input_path, register_job, worker_settings

KIND = "strike_analysis"


def analyse_job(params: dict[str, Any], progress: Any) -> dict[str, Any]:
    from models.pose import get_backend
    from models.punch.classifier import PunchClassifier, window_at
    from storage.striking import save_round
    from striking.analyse import analyse_video

    settings = worker_settings(params)
    path = job_input_path(params, settings)  # from the upload store: any worker, any machine
    out = Path(params["out_video"]) if params.get("out_video") else None
    backend = get_backend(params.get("backend", "blazepose"), settings)
    try:
        classifier = None
        if params.get("account_id") is not None:
            classifier = PunchClassifier.for_user(settings.models_dir, int(params["account_id"]))
        classifier = classifier or PunchClassifier.load(settings.models_dir)
        report, track = analyse_video(path, backend, out_video=out, stance_hint=params.get("stance"),
                                      classifier=classifier, progress=progress,
                                      max_duration_s=settings.video_max_duration_s,
                                      who=params.get("who") or "auto")  # fmt: skip
    finally:
        backend.close()
    data = report.to_dict()
    from striking.critique import critique_round

    tag = params.get("job_id") or params.get("upload_id") or path.stem
    crit_dir = (out.parent / f"{out.stem}_critique") if out else settings.files_dir / "critique" / f"{tag}_round"
    data.update(critique_round(report, track, path, crit_dir, settings.files_dir))
    windows = [window_at(track.t, track.xy, p.t_peak).tolist() for p in report.punches]
    session_id = None
    if params.get("account_id") is not None:
        from storage.engine import engine_for

        rel = None
        if out is not None:
            try:
                rel = str(out.resolve().relative_to(settings.files_dir.resolve()))
            except ValueError:
                rel = str(out)
        row = save_round(int(params["account_id"]), data, windows=windows, upload_id=params.get("upload_id"),
                         thread_id=params.get("thread_id"), filename=params.get("filename", path.name),
                         video_path=rel, engine=engine_for(settings.db_url))  # fmt: skip
        session_id = row.id
    return {"session_id": session_id, "report": data, "video": str(out) if out else None}


register_job(KIND, "striking.jobs:analyse_job")


TRAIN_KIND = "punch_training"


def train_job(params: dict[str, Any], progress: Any) -> dict[str, Any]:
    """Train the athlete's own punch model from their labels (+ the shared public sets when present)."""
    from models.punch.personal import public_windows, train_user_model, user_windows
    from storage.engine import engine_for
    from storage.striking import current_labels

    settings = worker_settings(params)
    account_id = int(params["account_id"])
    rows = current_labels(account_id, engine=engine_for(settings.db_url))
    data = user_windows([(r.window, r.shape, r.session_id) for r in rows])
    progress(0.01, f"{len(data)} labelled windows of yours; reading the public sets")
    public = public_windows()
    return train_user_model(data, public, settings.models_dir, account_id, seed=int(params.get("seed", 0)),
                            progress=progress)  # fmt: skip


register_job(TRAIN_KIND, "striking.jobs:train_job")
