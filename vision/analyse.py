"""One lift video in, reps with velocities (and their uncertainties) out: the lab's whole pipeline.

probe (type by content, rotation, real frame rate) -> one decoding pass in grey, following every
plate candidate -> the plate that moved like a lift -> scale (plate diameter, or a stated range of
motion) -> kinematics -> optionally a second pass that draws the annotated video. With no plate in
sight the lifter's wrists (pose backend) stand in for the bar.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vision import annotate
from vision.body import BodyPass, BodyTrack
from vision.io import DecodeLog, Frame, VideoError, VideoInfo, iter_frames, prefetched, probe
from vision.kinematics import LIFTS, Kinematics, KinematicsError, analyse_path, withhold
from vision.olympic import refine_times as olympic_refine_times
from vision.track import PlateTrack, PlateTracker, backfill

TRACK_SIDE = 1920  # decode no larger than this for tracking (4K adds cost, not precision we use)
POSE_SIDE = 640
MIN_CLIP_S = 1.0
EARLY_BUDGET_BYTES = 256 << 20  # grey tracking frames kept from the start, to follow a late-found plate back
PREVIEW_BUDGET_BYTES = 768 << 20  # small colour frames kept for the annotated video (~880 at 720x405)
SCALE_SYSTEMATIC = 0.015  # lens distortion and plate-vs-bar depth: a floor on the scale's uncertainty

Progress = Callable[[float, str], None]


class LiftError(ValueError):
    """A video we could analyse no lift in; the message is written for the lifter."""


@dataclass(frozen=True)
class LiftOptions:
    lift: str = "squat"
    load_kg: float | None = None
    plate_mm: float = 450.0
    rom_m: float | None = None  # a stated range of motion sets the scale instead of the plate
    out_video: Path | None = None
    max_duration_s: float | None = None
    pose: str | None = "blazepose"  # backend for the no-plate fallback; None turns it off
    body_height_m: float | None = None
    rep_share: float = 0.5  # share of the tallest rise a rep must reach (learned from rep labels)
    body: bool = False  # also follow the lifter's body (pose) in the same pass, for the technique critique


@dataclass
class LiftAnalysis:
    video: VideoInfo
    options: LiftOptions
    source: str  # "plate" or "wrists"
    scale_method: str
    px_per_m: float
    scale_rel_sd: float
    kin: Kinematics
    path_t: np.ndarray  # frame times (s)
    path_xy: np.ndarray  # (n, 2) tracked point in displayed pixels (plate centre or wrists)
    bar_end_xy: np.ndarray | None  # (n, 2) the sleeve's face when it could be followed
    annotated: Path | None = None
    notes: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    frames: int = 0
    path_ok: np.ndarray | None = None  # frames where the point was measured (not coasted or lost)
    body: BodyTrack | None = None  # the lifter's landmarks from the same pass (`options.body`)
    body_note: str | None = None  # why there is no body track when one was asked for
    technique: dict[str, Any] | None = None  # vision.technique.measure's output, when the body was followed

    @property
    def reps(self) -> list:
        return self.kin.reps

    @property
    def drawn_path(self) -> np.ndarray:
        """What to draw as the bar: the bar's end when followed through the clip, else the tracked point;
        never a point that was not measured (a coasted or lost bar leaves a gap in the line)."""
        if self.bar_end_xy is not None and np.isfinite(self.bar_end_xy).all(axis=1).mean() > 0.9:
            path = self.bar_end_xy.copy()
        else:
            path = self.path_xy.copy()
        if self.path_ok is not None:
            path[~np.asarray(self.path_ok, bool)] = np.nan
        return path

    def to_dict(self, *, max_path_points: int = 600) -> dict[str, Any]:
        """A JSON-ready summary: reps with uncertainties, bar path in metres, what the video was."""
        kin = self.kin
        step = max(1, math.ceil(len(kin.t) / max_path_points))
        v = self.video
        return {
            "lift": self.options.lift,
            "load_kg": self.options.load_kg,
            "source": self.source,
            "video": {
                "width": v.width,
                "height": v.height,
                "rotation": v.rotation,
                "fps": round(v.fps, 3),
                "vfr": v.vfr,
                "duration_s": round(v.duration_s, 3),
                "frames": self.frames,
                "codec": v.codec,
                "hdr": v.hdr,
            },
            "scale": {
                "method": self.scale_method,
                "px_per_m": round(self.px_per_m, 2),
                "relative_uncertainty": round(self.scale_rel_sd, 4),
            },
            "reps": [_round_rep(r.to_dict()) for r in kin.reps],
            "velocity_loss_pct": None if kin.velocity_loss_pct is None else round(kin.velocity_loss_pct, 1),
            "bar_path_m": {
                "t": np.round(kin.t[::step], 3).tolist(),
                "x": np.round(kin.horizontal_m[::step], 4).tolist(),
                "y": np.round(kin.height_m[::step], 4).tolist(),
            },
            "annotated_video": str(self.annotated) if self.annotated else None,
            "notes": self.notes,
            "elapsed_s": round(self.elapsed_s, 2),
        }


def _round_rep(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in d.items()}


def analyse_video(
    path: Path,
    options: LiftOptions | None = None,
    progress: Progress | None = None,
    *,
    pose_factory: Callable[[], Any] | None = None,
) -> LiftAnalysis:
    """Run the whole pipeline on one clip; raises VideoError / LiftError with a readable message.

    `pose_factory` makes the pose backend for the no-plate fallback (default: `models.pose.get_backend`
    with `options.pose`); it is only called when no plate is found.
    """
    options = options or LiftOptions()
    if options.lift not in LIFTS:
        raise LiftError(f"I don't know the lift '{options.lift}'; choose one of: {', '.join(LIFTS)}.")
    report = progress or (lambda f, m: None)
    started = time.perf_counter()
    info = probe(Path(path), max_duration_s=options.max_duration_s)
    if info.duration_s < MIN_CLIP_S:
        raise LiftError(f"The clip is only {info.duration_s:.1f} s long; send at least one whole rep.")
    total = info.frame_count or max(1, round(info.duration_s * info.fps))
    annotate_share = 0.3 if options.out_video else 0.0
    track_share = 0.95 - annotate_share
    report(0.01, "reading the video")

    tracker = PlateTracker(info.fps)
    frames = 0
    decoded = DecodeLog()  # damaged or missing frames: skipped, and said in the notes
    # The annotated video is drawn on small colour copies made by this same decoding pass (no second
    # decode of the clip); a clip too long to keep them in memory is decoded again for the video instead.
    preview = annotate.OUT_SIDE if options.out_video else None
    step = annotate.frame_step(info.fps)  # the video's frames: every `step`-th one
    kept: list[Frame] | None = [] if preview else None
    kept_bytes = 0
    body, body_note = _body_pass(options, info, pose_factory) if options.body else (None, None)
    early: list[tuple[int, float, np.ndarray]] = []  # the first frames, for `backfill`
    early_bytes = 0
    try:
        for frame in prefetched(iter_frames(Path(path), gray=True, max_side=TRACK_SIDE, log=decoded,
                                            preview_side=preview, preview_every=step)):  # fmt: skip
            tracker.update(frame.index, frame.t, frame.image)
            if early_bytes < EARLY_BUDGET_BYTES:
                early.append((frame.index, frame.t, frame.image))
                early_bytes += frame.image.nbytes
            if body is not None:
                body.feed(frame.index, frame.t, frame.image)
            if kept is not None and frame.preview is not None:
                kept_bytes += frame.preview.nbytes
                kept.append(Frame(frame.index, frame.t, frame.preview, frame.preview))
                if kept_bytes > PREVIEW_BUDGET_BYTES:
                    kept, preview = None, None
            frames += 1
            if frames % 15 == 0:
                report(0.02 + track_share * min(1.0, frames / total), f"following the bar: frame {frames} of ~{total}")
    except BaseException:
        if body is not None:  # its worker thread and model go with the failed pass
            body.drop_frames()
        raise
    if body is not None:
        body.end_of_pass()
    tracker.finish()
    if frames == 0:
        raise VideoError(f"'{Path(path).name}' has no frame I can decode.")
    k = min(1.0, TRACK_SIDE / max(info.width, info.height))  # tracking pixels -> displayed pixels
    notes: list[str] = decoded.notes()
    best = tracker.best()
    try:
        plate_error: LiftError | None = None
        try:
            analysis = _from_plate(info, options, best, 1.0 / k, list(notes)) if best is not None else None
        except LiftError as e:
            # A round thing that moved but made no rep (a plate on the floor, a wheel, a plate cut off by the
            # framing): not the bar. The hands may still carry one; if they don't either, this error stands.
            if not options.pose and pose_factory is None and body is None:
                raise
            analysis, plate_error = None, e
        plate = best is not None and analysis is not None and not _not_a_plate(analysis)
        if plate and best is not None and early and backfill(best, early, info.fps):
            # The bar's plate found late (fade-in, blur, a missed detection): followed back to the start. Only
            # a track already taken as the bar: followed back, a rack plate behind a moving lifter can pick up
            # the lifter's motion and pass for a bar.
            again = _from_plate(info, options, best, 1.0 / k, list(notes))
            if not _not_a_plate(again):
                analysis = again
        early.clear()
        if analysis is not None and not _not_a_plate(analysis):
            notes[:] = analysis.notes  # a refused plate's notes (its view, its scale) say nothing of the hands
        if analysis is None or _not_a_plate(analysis):
            hands = body.borrow if body is not None else pose_factory  # the pass's model: no second load
            try:
                analysis = _from_wrists(Path(path), info, options, notes, report, track_share, hands,
                                        plate_seen=best is not None)  # fmt: skip
            except LiftError:
                if plate_error is not None:
                    raise plate_error from None  # the plate's account of the clip says more than "no bar"
                raise
    except LiftError as e:
        if not decoded.lost:
            raise
        raise LiftError(f"{e} {' '.join(decoded.notes())}") from e  # the damage may be why
    analysis.frames = frames
    if body is not None:
        report(0.95 - annotate_share, "reading the lifter's position at each rep's bottom and top")
        _finish_body(analysis, body, options, pose_factory)
    elif options.body:
        analysis.body_note = body_note
    markers = _flagged(analysis) if analysis.body is not None else []
    if options.out_video:
        report(0.95 - annotate_share, "drawing the annotated video")
        title = options.lift + (f" {options.load_kg:g} kg" if options.load_kg else "")
        counter = {"n": 0}

        def tick(_f: Frame) -> None:
            counter["n"] += 1
            if counter["n"] % 15 == 0:
                report(0.95 - annotate_share + annotate_share * min(1.0, counter["n"] * step / total), "drawing")

        analysis.annotated = annotate.render(
            Path(path), Path(options.out_video), analysis.kin, analysis.path_t, analysis.drawn_path,
            fps=info.fps, display_width=info.width, title=title, progress=tick, frames=kept, markers=markers,
            step=step,
        )  # fmt: skip
    analysis.elapsed_s = time.perf_counter() - started
    report(1.0, "done")
    return analysis


def _flagged(analysis: LiftAnalysis) -> list[tuple[float, str]]:
    """The critique's moments, for markers in the annotated video; the measures are kept for the job."""
    import logging

    from vision.critique import lift_critique
    from vision.technique import measure

    try:
        analysis.technique = measure(analysis)
        found = lift_critique(analysis.technique).work_on
    except Exception:  # a marker is an extra: the video and the bar's numbers come without it
        logging.getLogger(__name__).exception("technique measures failed")
        return []
    return [(f.t, f.title + (f", rep {f.rep}" if f.rep else "")) for f in found if f.t is not None]


def _make_backend(options: LiftOptions, pose_factory: Callable[[], Any] | None) -> Any:
    if pose_factory is not None:
        return pose_factory()
    from models.pose import get_backend

    return get_backend(options.pose or "blazepose")


def _body_pass(
    options: LiftOptions, info: VideoInfo, pose_factory: Callable[[], Any] | None
) -> tuple[BodyPass | None, str | None]:
    """The pose pass riding on the bar's decode; without a pose model the bar's numbers still come."""
    if not options.pose and pose_factory is None:
        return None, "the pose model is turned off"
    return BodyPass.loading(lambda: _make_backend(options, pose_factory), info.fps, info.width), None


def _finish_body(
    analysis: LiftAnalysis, body: BodyPass, options: LiftOptions, pose_factory: Callable[[], Any] | None
) -> None:
    """Close the pass's backend, look again at each rep's bottom and top, keep the landmarks."""
    body.backend.close()
    t0 = float(analysis.path_t[0]) if len(analysis.path_t) else 0.0  # rep times count from the path's start
    times = [t + t0 for r in analysis.reps for t in (r.start_t, r.end_t)]  # each rep's bottom and top
    times += olympic_refine_times(analysis)  # snatch and clean: every frame of the pull and the turnover
    try:
        body.refine(times, lambda: _make_backend(options, pose_factory))
    except (FileNotFoundError, ValueError) as e:
        analysis.notes.append(f"The lifter's position at the bottom was not re-read: {e}")
    body.drop_frames()
    if body.failed:
        analysis.body_note = body.failed
    track = body.track()
    if len(track):
        analysis.body = track
    else:
        analysis.body_note = analysis.body_note or "no person was found in the frames"


def _kinematics(
    t: np.ndarray, xy: np.ndarray, ok: np.ndarray, px_per_m: float, rel_sd: float, pos_sd_px: float, lift: str,
    bounds: bool = True, rep_share: float = 0.5,
) -> Kinematics:  # fmt: skip
    try:
        return analyse_path(t, xy[:, 0], xy[:, 1], px_per_m=px_per_m, scale_rel_sd=rel_sd, pos_sd_px=pos_sd_px,
                            lift=lift, ok=ok, bounds=bounds, rep_share=rep_share)  # fmt: skip
    except KinematicsError as e:
        raise LiftError(str(e)) from e


def _scale_from_rom(
    t: np.ndarray, xy: np.ndarray, ok: np.ndarray, rom_m: float, pos_sd_px: float, lift: str
) -> tuple[float, float]:
    """Pixels per metre that make the reps' median range of motion equal the stated one."""
    px = _kinematics(t, xy, ok, 1.0, 0.0, pos_sd_px, lift, bounds=False)  # in pixels: no bounds yet
    roms = np.array([r.rom_m for r in px.reps if r.rom_m is not None])  # in pixels here (scale 1)
    if not len(roms):
        raise LiftError("I couldn't find a whole rep to match the range of motion you gave.")
    spread = float(np.std(roms) / np.mean(roms)) if len(roms) > 1 else 0.03
    return float(np.median(roms)) / rom_m, max(0.03, spread)


FLOOR_START = {"deadlift", "row", "snatch", "clean", "jerk", "other"}  # the bar starts low (floor, hang, shoulders)


def _upright(t: np.ndarray, xy: np.ndarray, ok: np.ndarray, lift: str) -> tuple[np.ndarray, str | None]:
    """The path turned so that its y is the direction of the lift, and a note when that was not the picture's y.

    A phone clip filmed sideways (or stored sideways without a rotation flag, or with a wrong one) shows the
    bar moving across the picture. The reps' travel dominates the path, so the axis with most of the motion
    is the vertical one; which way is up comes from the lift: the bar starts at the top for squat, bench and
    press, low for the others. An upright clip is left as it is."""
    good = ok & np.isfinite(xy).all(axis=1)
    if good.sum() < 8:
        return xy, None
    tg, pg = t[good], xy[good]
    grid = np.arange(tg[0], tg[-1], 0.1)  # every 0.1 s: the reps' travel, not the tracker's jitter
    if len(grid) < 8:
        return xy, None
    gx, gy = np.interp(grid, tg, pg[:, 0]), np.interp(grid, tg, pg[:, 1])
    travel_x, travel_y = float(np.abs(np.diff(gx)).sum()), float(np.abs(np.diff(gy)).sum())
    if travel_x <= 2.0 * travel_y:
        return xy, None
    lo, hi = np.percentile(gx, [5, 95])
    start = float(np.median(gx[: max(3, len(gx) // 20)]))
    start_high = (start - lo) > (hi - start)  # the bar starts at the picture's right
    starts_top = lift not in FLOOR_START
    up_right = start_high == starts_top
    turned = np.stack([xy[:, 1], -xy[:, 0] if up_right else xy[:, 0]], axis=1)
    side = "right" if up_right else "left"
    where = "at the top" if starts_top else "low"
    note = (
        f"The bar moved across the picture, not up and down: the clip seems to be sideways, so I took the "
        f"picture's {side} as up (a {lift} starts with the bar {where}). Film upright, or check the numbers."
    )
    return turned, note


def _from_plate(info: VideoInfo, options: LiftOptions, track: PlateTrack, k: float, notes: list[str]) -> LiftAnalysis:
    t = np.asarray(track.t)
    xy = np.stack([track.x, track.y], axis=1) * k
    ok = np.asarray(track.ok, bool)
    resid = np.asarray(track.resid, float)
    pos_sd = float(np.nanmedian(resid[ok])) * k / 3.0 if ok.any() else 1.0  # centre from many features
    pos_sd = max(0.15, pos_sd)
    end = np.stack([track.end_x, track.end_y], axis=1) * k if track.sleeve is not None else None
    kxy, turned = _upright(t, xy, ok, options.lift)
    if turned:
        notes.append(turned)
    if options.rom_m:
        px_per_m, rel_sd = _scale_from_rom(t, kxy, ok, options.rom_m, pos_sd, options.lift)
        method = f"stated range of motion {options.rom_m * 100:.0f} cm"
    else:
        radius = track.radius * k
        px_per_m = 2 * radius / (options.plate_mm / 1000.0)
        rel_sd = math.hypot(track.radius_spread, SCALE_SYSTEMATIC)
        method = f"plate diameter {options.plate_mm:g} mm ({2 * radius:.0f} px)"
        if track.circle.minor and track.circle.minor < 0.9 * track.circle.r:
            notes.append("The camera is not square to the plate; film side-on for the best numbers.")
    if ok.mean() < 0.9:
        notes.append(
            f"The bar was hidden or blurred in {100 * (1 - ok.mean()):.0f}% of the frames: short gaps are filled in, "
            "a rep where it was lost for longer is not measured."
        )
    kin = _kinematics(t, kxy, ok, px_per_m, rel_sd, pos_sd, options.lift, rep_share=options.rep_share)
    _check_reps(kin, len(t), info)
    return LiftAnalysis(info, options, "plate", method, px_per_m, rel_sd, kin, t, xy, end, notes=notes, path_ok=ok)


def _not_a_plate(analysis: LiftAnalysis) -> bool:
    """A 'plate' track lost in most frames that measured no rep is some other round thing that drifted through
    the picture (seen: a distractor in a plate-less clip, accepted on some encodes and not on others): the
    lifter's hands, or a plain "no bar found", say more than a track with no number in it."""
    ok = analysis.path_ok
    lost = 1.0 - float(np.mean(ok)) if ok is not None and len(ok) else 0.0
    return lost >= 0.4 and not any(r.mcv is not None for r in analysis.kin.reps)


def _from_wrists(
    path: Path, info: VideoInfo, options: LiftOptions, notes: list[str], report: Progress, done: float,
    pose_factory: Callable[[], Any] | None, *, plate_seen: bool = False,
) -> LiftAnalysis:  # fmt: skip
    if not options.pose and pose_factory is None:
        raise LiftError(_NO_BAR)
    from vision.wrists import follow_wrists, torso_scale, turn_points, upright_turn

    total = info.frame_count or max(1, round(info.duration_s * info.fps))
    seen = {"n": 0}

    def tick(_f: Frame) -> None:
        seen["n"] += 1
        if seen["n"] % 15 == 0:
            report(done + 0.25 * min(1.0, seen["n"] / total), f"no plate in sight: following the hands ({seen['n']})")

    def hands(rotation: int) -> Any:
        try:
            if pose_factory is not None:
                backend = pose_factory()
            else:
                from models.pose import get_backend

                backend = get_backend(options.pose or "blazepose")
        except (FileNotFoundError, ValueError) as e:  # ModelMissing is a FileNotFoundError
            raise LiftError(
                f"{_NO_BAR} Without a plate I follow the lifter's hands, which needs the pose model: {e}"
            ) from e
        try:
            frames = prefetched(iter_frames(path, max_side=POSE_SIDE))  # decoded ahead while the model reads
            first = next(frames, None)
            if first is None:
                raise LiftError(_NO_BAR)
            to_display = info.width / first.image.shape[1]

            def chain() -> Any:
                yield first
                yield from frames

            return follow_wrists(chain(), backend, to_display=to_display, progress=tick, rotation=rotation)
        finally:
            backend.close()

    def enough(w: Any) -> bool:
        return bool(w.ok.sum() >= max(8, 0.3 * len(w.t)))

    wrists = hands(0)
    # A lifter lying across the picture (a phone held sideways, no rotation flag): pose models find people
    # standing up, so the frames are turned to stand them up and the hands' points turned back. Not for a
    # bench press, whose lifter lies down in an upright picture: there the bar's motion says which way is up.
    lying = options.lift in LYING_LIFTS
    turn = None if lying else upright_turn(wrists.torso_deg)
    for rotation in [turn] if turn is not None else ([] if enough(wrists) else [90, 270]):
        seen["n"] = 0
        other = hands(rotation)
        if enough(other) and (turn is not None or not enough(wrists) or other.ok.sum() >= wrists.ok.sum()):
            wrists = other
            break
    if wrists.ok.sum() < max(8, 0.3 * len(wrists.t)):
        raise LiftError(_NO_BAR)
    xy = np.stack([wrists.x, wrists.y], axis=1)
    kxy = xy  # the path the reps are read from: upright, whichever way the picture shows the lifter
    turn = None if lying else upright_turn(wrists.torso_deg)
    if lying:
        kxy, sideways = _upright(wrists.t, xy, wrists.ok, options.lift)
        if sideways:
            notes.append(sideways)
    elif turn is not None:
        kxy = turn_points(xy, turn, info.width, info.height)
        notes.append("The lifter lay across the picture, so the clip seems to be sideways: I turned it to stand them "
                     "up. Film upright, or check the count.")  # fmt: skip
    pos_sd = max(1.0, 0.004 * max(info.width, info.height))
    if options.rom_m:
        px_per_m, rel_sd = _scale_from_rom(wrists.t, kxy, wrists.ok, options.rom_m, pos_sd, options.lift)
        method = f"stated range of motion {options.rom_m * 100:.0f} cm (hands, no plate seen)"
    elif wrists.torso_px > 0:
        px_per_m, rel_sd = torso_scale(wrists.torso_px, options.body_height_m)
        height = f"{options.body_height_m:.2f} m" if options.body_height_m else "an average 1.75 m"
        method = f"lifter's torso, body height {height} (hands, no plate seen)"
    else:
        raise LiftError(_NO_BAR)
    kin = _kinematics(wrists.t, kxy, wrists.ok, px_per_m, rel_sd, pos_sd, options.lift, rep_share=options.rep_share)
    _check_reps(kin, len(wrists.t), info)
    # Checked against the plate on clips that show both (small-squat, risevbt-sample2): the hands' path
    # counts the same reps, but its speeds are not the bar's. Even on the plate's own scale the hands gave
    # MCV 0.72-1.05 m/s and peaks 3-4.7 m/s for reps the plate measured at 0.49-0.60 and 0.8-1.3 (pose
    # jitter at 30 fps), and the torso scale was a further 1.37x off (the body sits behind the plate).
    # So the reps count and their numbers are withheld rather than shown wrong.
    kin.reps = [r if r.mcv is None else withhold(r, HANDS_WITHHELD) for r in kin.reps]
    # A plate seen but not followed through the clip (lost for too long, or damaged frames dropped) is not "no plate".
    why = "I couldn't follow the plate through the clip" if plate_seen else "No plate was visible"
    notes.append(
        f"{why}, so I followed the lifter's hands: that counts the reps, but speeds and ranges of "
        "motion from the hands are not reliable, so I don't show them. Film from the side with a plate in view "
        "for numbers."
    )
    return LiftAnalysis(
        info, options, "wrists", method, px_per_m, rel_sd, kin, wrists.t, xy, None, notes=notes, path_ok=wrists.ok
    )


LYING_LIFTS = {"bench", "row"}  # lying or bent over in an upright picture: the torso says nothing about the turn
HANDS_WITHHELD = "followed by the hands (no plate seen): counted, speeds not measured"
_NO_BAR = (
    "I couldn't find a barbell in this video: no plate moved like a lift and no lifter's hands could be followed. "
    "Film from the side with the plate in view."
)


def _check_reps(kin: Kinematics, frames: int, info: VideoInfo) -> None:
    if kin.reps:
        return
    travel = float(kin.height_m.max() - kin.height_m.min()) if len(kin.height_m) else 0.0
    raise LiftError(
        f"I followed the bar for {info.duration_s:.1f} s but saw no whole rep "
        f"(it moved {travel * 100:.0f} cm at most). Send the clip with the full set in it."
    )
