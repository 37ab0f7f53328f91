"""A clip in, a round report (and optionally an annotated video) out.

decode (vision.io) → pose (models.pose) → athlete track → punches → type (our model when installed,
else rules) → habits → report. Bad input ends in a `StrikeError` whose message is for the user, or
in a partial report whose notes say what was left out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from models.pose import PoseBackend
from models.punch import CLASSES
from striking.habits import guard_down, measure_habits
from striking.punches import Punch, detect_punches, detect_stance, kind_of
from striking.report import RoundReport, find_combos
from striking.track import Track, build_track
from vision.io import VideoError, iter_frames, probe

Progress = Callable[[float, str], None]
MAX_SIDE = 640  # pose models look at ~256 px; 640 was the fastest decode size in bench/striking_pose.py


class StrikeError(ValueError):
    """A clip we cannot analyse; the message says why, in the user's terms."""


def classify(track: Track, punches: list[Punch], classifier: object | None) -> str:
    """Re-type punches with the trained model when one is installed; returns who typed them."""
    if classifier is None or not punches:
        return "rules"
    from models.punch.classifier import window_at

    windows = np.stack([window_at(track.t, track.xy, p.t_peak) for p in punches])
    probs = classifier.predict(windows)
    for p, pr in zip(punches, probs, strict=True):
        shape_probs = pr[1:] / max(pr[1:].sum(), 1e-9)
        shape = CLASSES[1 + int(np.argmax(shape_probs))]
        p.shape, p.kind = shape, kind_of(shape, p.side)  # type: ignore[assignment]
        p.confidence = float(shape_probs.max())
        p.source = "model"
        p.probs = {c: round(float(v), 3) for c, v in zip(CLASSES, pr, strict=True)}
    return getattr(classifier, "name", "model")


def analyse_track(track: Track, *, stance_hint: str | None = None, classifier: object | None = None,
                  notes: list[str] | None = None) -> RoundReport:  # fmt: skip
    notes = list(notes or []) + list(track.notes)
    present = track.present
    if len(track) == 0 or not present.any():
        raise StrikeError("I couldn't see a person in this clip. Film the whole upper body, in good light, "
                          "with the camera still.")  # fmt: skip
    stance, source = detect_stance(track, stance_hint)
    punches = detect_punches(track, stance)
    who = classify(track, punches, classifier)
    for p in punches:
        if p.shape != "straight":  # a hook's arc and an uppercut's dip start by moving away: not a tell
            p.telegraphed, p.windup_seen = False, False
    habits = measure_habits(track, punches)
    dt = np.median(np.diff(track.t)) if len(track) > 1 else 0.0
    active = float(present.sum() * dt)
    gone = (1 - present.mean()) * track.duration_s
    if gone >= 1.0:
        notes.append(f"You were out of frame (or not visible) for about {gone:.0f} s; I analysed the rest.")
    if track.max_persons >= 2:
        notes.append(f"I saw up to {track.max_persons} people; I followed {track.choice or 'the main one'} and "
                     "counted only their punches (say 'the one on the left/right' to pick someone else).")  # fmt: skip
    face = track.conf[present][:, 0] >= 0.5
    if face.size and face.mean() < 0.3:
        notes.append("Your back seemed to be to the camera for much of the clip; punches may be missed. "
                     "Film from the front or the side.")  # fmt: skip
    conf = track.conf[present][:, 5:11].mean() if present.any() else 0.0
    if conf < 0.5:
        notes.append("The picture was hard to read (dark or blurred), so these numbers are less certain.")
    view, ratio = track.view
    return RoundReport(track.duration_s, active, stance, source, punches, find_combos(punches), habits, who, notes,
                       view=view, view_ratio=ratio, athlete=track.choice)  # fmt: skip


def analyse_video(
    path: Path,
    backend: PoseBackend,
    *,
    out_video: Path | None = None,
    stance_hint: str | None = None,
    classifier: object | None = None,
    progress: Progress | None = None,
    max_duration_s: float | None = None,
    max_side: int = MAX_SIDE,
    who: str = "auto",
) -> tuple[RoundReport, Track]:
    """Run the whole pipeline on one clip; the backend is closed by the caller. `who` picks the athlete
    when several people are in frame: "auto" (the most active), "left", "right", "centre", "largest"."""
    report = progress or (lambda f, m: None)
    try:
        info = probe(Path(path), max_duration_s=max_duration_s)
    except VideoError as e:
        raise StrikeError(str(e)) from e
    total = info.frame_count or max(1, int(info.duration_s * info.fps))
    notes: list[str] = []
    keypoints = []
    width = height = 0
    report(0.02, "reading the video")
    try:
        for frame in iter_frames(Path(path), max_side=max_side):
            height, width = frame.image.shape[:2]
            keypoints.append(backend(frame.image, frame.t, frame.index))
            if frame.index % 15 == 0:
                report(0.05 + 0.8 * min(1.0, (frame.index + 1) / total), f"pose: frame {frame.index + 1} of ~{total}")
    except VideoError as e:
        if not keypoints:
            raise StrikeError(str(e)) from e
        notes.append(f"The file broke off after {keypoints[-1].t:.1f} s ({e}); I analysed what was readable.")
    if not keypoints:
        raise StrikeError("This video has no frames I could read.")
    report(0.86, "finding punches")
    track = build_track(keypoints, width, height, pick=who)
    result = analyse_track(track, stance_hint=stance_hint, classifier=classifier, notes=notes)
    if out_video is not None:
        report(0.9, "drawing the annotated video")
        write_annotated(Path(path), track, result, out_video, info.fps, max_side)
    report(1.0, "done")
    return result, track


def write_annotated(path: Path, track: Track, result: RoundReport, out: Path, fps: float, max_side: int) -> Path:
    from striking.annotate import annotated_frames
    from vision.io import write_video

    down = guard_down(track, result.punches, track.scale) if np.isfinite(track.scale) else {}
    either = down.get("left", np.zeros(len(track), bool)) | down.get("right", np.zeros(len(track), bool))
    frames = (f.image for f in iter_frames(path, max_side=max_side))
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_video(out, annotated_frames(frames, track, result.punches, either), fps)
