"""The lift video lab's application services: what an analysis, the CLI and the chat tools do with the stored
analyses (which logged set a clip belongs to, the last clip's reps, rep labels, which analysis a critique
reads). The fitting, review and scoring rules are `vision.profile`'s and `vision.rep_labels`'; storage only
reads and writes rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from storage import lifts
from storage.tables.lifts import LiftAnalysisRow, LiftRep
from storage.training import active_program
from vision import rep_labels as R
from vision.profile import LoadVelocityPoint, LoadVelocityProfile, ProfileError, default_mvt, fit_profile
from vision.rep_labels import RepItem


def refresh_profile(
    account_id: int, lift: str, engine: Engine | None = None, *, mvt: float | None = None
) -> tuple[LoadVelocityProfile | None, str | None]:
    """Refit the lift's load-velocity profile from every analysed set; returns (profile or None, reason).

    `mvt` changes the minimum velocity threshold for good (marked as the person's own).
    """
    row = lifts.get_profile(account_id, lift, engine)
    custom = mvt is not None or (row is not None and row.mvt_custom)
    threshold = mvt if mvt is not None else (row.mvt_m_s if row is not None and row.mvt_custom else default_mvt(lift))
    points = [LoadVelocityPoint(a, b, c) for a, b, c in lifts.profile_points(account_id, lift, engine)]
    try:
        prof = fit_profile(points, lift, threshold)
    except ProfileError as e:
        lifts.save_profile(account_id, lift, engine, mvt_m_s=threshold, mvt_custom=custom, points=len(points))
        return None, str(e)
    lifts.save_profile(
        account_id, lift, engine, mvt_m_s=threshold, mvt_custom=custom, slope_m_s_per_kg=prof.slope,
        intercept_m_s=prof.intercept, r2=prof.r2, points=prof.n, e1rm_kg=prof.e1rm_kg, e1rm_sd_kg=prof.e1rm_sd_kg,
    )  # fmt: skip
    return prof, None


def program_velocity_loss(account_id: int, lift: str, engine: Engine | None = None) -> float | None:
    """The velocity-loss stop (%) the active program prescribes for this lift, if it sets one."""
    exercise = lifts.LIFT_EXERCISE.get(lift)
    found = active_program(account_id, engine)
    if found is None or exercise is None:
        return None
    _row, program = found
    for week in program.weeks:
        for workout in week.workouts:
            for section in workout.sections:
                for item in section.items:
                    if item.exercise == exercise and item.velocity_loss_pct:
                        return float(item.velocity_loss_pct)
    return None


# --------------------------------------------------------------------------- analysing a clip
@dataclass(frozen=True)
class LiftJobSetup:
    """What the analysis job needs from the athlete's records besides the clip."""

    training_set_id: str | None  # the set of this lift logged just before (the analysis attaches to it)
    logged_load_kg: float | None  # that set's load, used when the athlete did not say one
    load_kg: float | None  # the load the job uses: the one said, else the logged one
    body_height_m: float | None  # from the profile: scales the body when no plate is in sight


def lift_job_setup(
    account_id: int, lift: str, load_kg: float | None = None, engine: Engine | None = None
) -> LiftJobSetup:
    """Which logged set a new clip of `lift` belongs to, the load it carries and the athlete's height."""
    from storage.accounts import get_profile
    from storage.training import get_set

    set_id = lifts.find_set_to_link(account_id, lift, engine)
    logged = None
    if set_id is not None:
        row = get_set(account_id, set_id, engine)
        logged = row.load_kg if row is not None and row.load_kg > 0 else None
    height = get_profile(account_id, engine).height_cm
    return LiftJobSetup(set_id, logged, load_kg if load_kg is not None else logged, height / 100 if height else None)


# --------------------------------------------------------------------------- questions about the last clip
@dataclass(frozen=True)
class ClipAnswer:
    """The last analysed clip (of a lift, when named) and the rep a question picks."""

    analysis: LiftAnalysisRow
    reps: list[LiftRep]  # measured reps, in order
    pick: LiftRep | None = None  # the rep asked about (speed questions)
    unmeasured: str | None = None  # the asked rep was counted but has no speed: why
    no_such_rep: bool = False  # the asked rep number is beyond the count
    velocity_loss_pct: float | None = None


def last_clip_answer(
    account_id: int,
    lift: str | None = None,
    *,
    ask: str = "speed",
    rep: int | None = None,
    which: str | None = None,
    engine: Engine | None = None,
) -> ClipAnswer | None:
    """Answer `ask` (speed | velocity_loss | reps) about the last analysed clip; `rep` (a number) or `which`
    (slowest | fastest | first | last, default last) picks the rep. None: no clip analysed yet."""
    rows = lifts.list_analyses(account_id, lift, limit=1, engine=engine)
    if not rows:
        return None
    row = rows[0]
    reps = lifts.reps_of(account_id, row.id, engine)
    if ask == "reps" or not reps:
        return ClipAnswer(row, reps)
    if ask == "velocity_loss":
        loss = row.velocity_loss_pct if row.velocity_loss_pct is not None else reps[0].velocity_loss_pct
        return ClipAnswer(row, reps, velocity_loss_pct=loss)
    if rep is not None:
        pick = next((r for r in reps if r.number == rep), None)
        if pick is None and 1 <= rep <= row.rep_count:  # counted, but the bar was lost or implausible
            stored: dict[str, Any] = next((r for r in row.result.get("reps", []) if r.get("number") == rep), {})
            return ClipAnswer(row, reps, unmeasured=stored.get("note") or "not measured")
        if pick is None:
            return ClipAnswer(row, reps, no_such_rep=True)
    elif which == "slowest":
        pick = min(reps, key=lambda r: r.mcv_m_s)
    elif which == "fastest":
        pick = max(reps, key=lambda r: r.mcv_m_s)
    elif which == "first":
        pick = reps[0]
    else:
        pick = reps[-1]
    return ClipAnswer(row, reps, pick=pick)


# --------------------------------------------------------------------------- the athlete's rep labels
@dataclass(frozen=True)
class RepReview:
    """An analysed set's reps for review: every rep with its label, the next to label, the video to show."""

    analysis: LiftAnalysisRow
    items: list[RepItem]
    todo: list[RepItem]  # unlabelled, least sure first
    video: Path | None  # the annotated video if stored, else the analysed clip


class RepReviewError(LookupError):
    """No analysed set, no such rep or label; the message says what to do (nothing stored)."""


def _analysis(account_id: int, analysis_id: str | None, engine: Engine | None) -> LiftAnalysisRow:
    row = lifts.get_analysis(account_id, analysis_id, engine) if analysis_id else next(
        iter(lifts.list_analyses(account_id, limit=1, engine=engine)), None)  # fmt: skip
    if row is None:
        raise RepReviewError(
            "I haven't analysed a lift of yours yet: attach a clip of a set and say 'analyse my squat'."
        )
    return row


def _rep_items(account_id: int, row: LiftAnalysisRow, engine: Engine | None) -> list[RepItem]:
    from storage.lift_labels import current_rep_labels

    labels = {r.rep_number: r.label for r in current_rep_labels(account_id, row.id, engine=engine)
              if r.label != "missed_after"}  # fmt: skip
    return R.rep_items(row.id, row.result, labels)


def _stored_file(rel: str | None, files_dir: Path) -> Path | None:
    if not rel:
        return None
    p = Path(rel) if Path(rel).is_absolute() else files_dir / rel
    return p if p.is_file() else None


def analysis_video(row: LiftAnalysisRow, files_dir: Path, engine: Engine | None = None) -> Path | None:
    """The annotated video (bar path drawn) if stored, else the analysed clip: from this machine's files, or
    fetched from the upload store (a bucket: the clip may have been stored by another process)."""
    video = lifts.video_of(row, engine)
    for rel in (row.annotated_path, video.path if video is not None else None):
        if (p := _stored_file(rel, files_dir)) is not None:
            return p
    if video is not None and video.upload_id:
        from storage.uploads import UploadStoreUnavailable, get_upload

        try:
            up = get_upload(video.upload_id, row.account_id, files_dir, engine)
        except (UploadStoreUnavailable, FileNotFoundError):
            return None  # the review still works from the numbers; the store logged why the clip is missing
        return up.path if up is not None else None
    return None


def rep_review(account_id: int, analysis_id: str | None, files_dir: Path, engine: Engine | None = None) -> RepReview:
    """The reps of an analysed set (default: the last one) in review order. Raises `RepReviewError`."""
    row = _analysis(account_id, analysis_id, engine)
    items = _rep_items(account_id, row, engine)
    if not items:
        raise RepReviewError("That set has no reps to review.")
    todo = [i for i in R.review_order(items) if i.label is None]
    return RepReview(row, items, todo, analysis_video(row, files_dir, engine) if todo else None)


def label_rep(
    account_id: int, analysis_id: str, number: int, label: str, files_dir: Path, engine: Engine | None = None
) -> RepReview:
    """Store the athlete's label for one rep (with the trace features rep counting learns from); the review
    after it. Raises `RepReviewError`."""
    from storage.lift_labels import label_rep as store_label

    if label not in R.LABELS:
        raise RepReviewError(f"'{label}' is not a label I know: use the buttons under the rep.")
    row = _analysis(account_id, analysis_id, engine)
    item = next((i for i in _rep_items(account_id, row, engine) if i.number == number), None)
    if item is None:
        raise RepReviewError(f"There is no rep number {number} in that set.")
    share = R.missed_share(row.result, number) if label == "missed_after" else item.share
    features = {"share": share, "rom_m": item.rom_m, "start_s": item.start_s, "end_s": item.end_s,
                "rep_share_used": row.result.get("rep_share", R.DEFAULT_SHARE)}  # fmt: skip
    try:
        store_label(account_id, row.id, number, label, features, engine=engine)
    except LookupError as e:
        raise RepReviewError(str(e)) from e
    return rep_review(account_id, row.id, files_dir, engine)


@dataclass(frozen=True)
class RepCountingScore:
    lift: str
    score: R.RepScore
    learned_share: float | None  # the athlete's own rep threshold, once their labels teach one


def rep_counting_scores(account_id: int, engine: Engine | None = None) -> list[RepCountingScore]:
    """How well rep counting agrees with the athlete's labels, per lift (empty: nothing labelled yet)."""
    from storage.lift_labels import current_rep_labels

    rows = current_rep_labels(account_id, engine=engine)
    out = []
    for lift in sorted({r.lift for r in rows}):
        mine = [r for r in rows if r.lift == lift]
        learned = R.learn_share(R.examples((r.label, r.features) for r in mine))
        out.append(RepCountingScore(lift, R.score(r.label for r in mine), learned))
    return out


# --------------------------------------------------------------------------- which analysis a critique reads
@dataclass(frozen=True)
class LiftCritiqueSource:
    analysis: LiftAnalysisRow
    stored: dict[str, Any] | None  # the critique stored with the analysis (None: analysed before the pose pass)
    upload_id: str | None  # the clip's upload, to analyse it again for a critique


@dataclass(frozen=True)
class RoundCritiqueSource:
    round: Any  # the boxing round (striking's stored session); None when no round was analysed
    stored: dict[str, Any] | None


def critique_source(
    account_id: int, *, subject: str | None, lift: str | None, ask: str = "critique", engine: Engine | None = None
) -> LiftCritiqueSource | RoundCritiqueSource | None:
    """The analysis a critique or follow-up reads: the boxing round when asked for; else the last lift clip (of
    `lift` when named), unless a plain "critique" with no subject finds a newer round, or no lift clip at all.
    None: no lift clip analysed where a lift was asked about."""
    from storage.striking import latest_round

    def round_source() -> RoundCritiqueSource:
        r = latest_round(account_id, engine)
        return RoundCritiqueSource(r, (r.report.get("critique") or None) if r is not None else None)

    if subject == "boxing":
        return round_source()
    rows = lifts.list_analyses(account_id, lift, limit=1, engine=engine)
    row = rows[0] if rows else None
    open_question = subject is None and ask == "critique"
    if row is None:
        return round_source() if open_question else None
    if open_question:
        r = latest_round(account_id, engine)
        if r is not None and r.created_at > row.created_at:
            return round_source()
    stored = row.result.get("critique") or None
    upload_id = None
    if not stored:
        video = lifts.video_of(row, engine)
        upload_id = video.upload_id if video is not None else None
    return LiftCritiqueSource(row, stored, upload_id)


@dataclass(frozen=True)
class DepthComparison:
    """Two reps' stored depths (hip below the knee, in thigh lengths) compared within their uncertainty."""

    first: int
    second: int
    deeper: int | None  # None: equally deep within the measurement's uncertainty
    shallower: int | None
    gap: float  # thigh lengths, absolute


def compare_depth(first: dict[str, Any], second: dict[str, Any]) -> DepthComparison:
    """Which of two reps went deeper: a gap inside the combined standard deviation counts as equally deep."""
    gap = first["value"] - second["value"]
    both_sd = (first["sd"] ** 2 + second["sd"] ** 2) ** 0.5
    a, b = int(first["rep"]), int(second["rep"])
    if abs(gap) <= both_sd:
        return DepthComparison(a, b, None, None, abs(gap))
    deeper, other = (a, b) if gap > 0 else (b, a)
    return DepthComparison(a, b, deeper, other, abs(gap))


@dataclass(frozen=True)
class BarPathTrend:
    """Whether the bar drifts from mid-foot over the set: the per-rep furthest offsets (cm, + in front), and
    the drift finding when the rules flagged one; `enough` is False below the reps a trend needs."""

    per_rep: list[dict[str, Any]]
    drift: Any | None  # the critique's "bar_path_drift" finding
    needed: int

    @property
    def enough(self) -> bool:
        return len(self.per_rep) >= self.needed


def bar_path_trend(critique: Any) -> BarPathTrend:
    """The answer to "is my bar path getting worse over the set?" from a stored critique (no video pass)."""
    from vision.technique import MIN_REPS_FOR_DRIFT

    mids = list(critique.per_rep.get("bar_midfoot", []))
    drift = next((f for f in critique.work_on if f.key == "bar_path_drift"), None)
    return BarPathTrend(mids, drift, MIN_REPS_FOR_DRIFT)
