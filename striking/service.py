"""The striking application services: what the chat tools and the CLI do with the stored rounds.

Which round a question is about (the last one), the stance an analysis starts from, follow-up answers with the
habit's history, corrections (a type said by name resolved by the punch's side) and the review labels. The rules
of the round itself are `striking.questions` and `striking.labels`; storage only reads and writes rows.
`StrikingError` carries a message for the athlete; nothing was stored when it is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from storage import striking as repo
from storage.accounts import get_profile
from storage.tables.striking import StrikeSession
from striking import labels as L
from striking.questions import Question, answer


class StrikingError(LookupError):
    """No round to act on, no such punch or label; the message says what to do (nothing stored)."""


_NO_ROUND = "I haven't analysed a boxing round of yours yet: attach a clip and say 'check my round'."


def analysis_stance(account_id: int, said: str | None = None, engine: Engine | None = None) -> str | None:
    """The stance a new round is read with: the one the athlete said, else their profile's (None: detect it)."""
    return said or get_profile(account_id, engine).stance


# --------------------------------------------------------------------------- follow-ups and corrections
@dataclass(frozen=True)
class FollowupAnswer:
    round: StrikeSession
    text: str  # markdown answer from the round's numbers
    data: dict[str, Any]
    guard_down_history: list[float]  # guard-down share per round, oldest first (asked about dropping hands)


def round_followup(account_id: int, question: Question, engine: Engine | None = None) -> FollowupAnswer:
    """Answer a question about the last analysed round from its stored numbers. Raises `StrikingError`."""
    row = repo.latest_round(account_id, engine)
    if row is None:
        raise StrikingError(_NO_ROUND)
    text, data = answer(question, row.report)
    history = repo.habit_history(account_id, "guard_down_share", engine=engine) if question.habit == "drop" else []
    return FollowupAnswer(row, text, data, [h.value for h in history])


@dataclass(frozen=True)
class PunchCorrected:
    session_id: str
    number: int
    t_peak_s: float
    old_label: str
    kind: str  # the stored type (jab, cross, lead_hook … or none)
    shape: str  # straight | hook | uppercut | none


def correct_punch(account_id: int, number: int, said: str, engine: Engine | None = None) -> PunchCorrected:
    """Relabel punch `number` of the last round as `said` ('hook' becomes the lead or rear hook by the punch's
    side; 'jab'/'cross'/'straight' the straight of that side), kept as training data. Raises `StrikingError`."""
    row = repo.latest_round(account_id, engine)
    if row is None:
        raise StrikingError("There's no analysed round to correct yet.")
    punch = next((p for p in row.report.get("punches", []) if p["index"] == number), None)
    if punch is None:
        raise StrikingError(f"That round has {row.punch_count} punches; there is no punch number {number}.")
    side = punch["side"]
    if said in ("jab", "cross", "straight"):
        shape, kind = "straight", ("jab" if side == "lead" else "cross")
    elif said in ("hook", "uppercut"):
        shape, kind = said, f"{side}_{said}"
    elif said == "none":
        shape, kind = "none", "none"
    else:
        shape, kind = said.split("_", 1)[1], said
    try:
        repo.correct_punch(account_id, row.id, number, kind, shape, engine)
    except LookupError as e:
        raise StrikingError(str(e)) from e
    return PunchCorrected(row.id, number, float(punch["t_peak"]), str(punch["label"]), kind, shape)


# --------------------------------------------------------------------------- review labels
@dataclass(frozen=True)
class PunchReview:
    session_id: str
    queue: list[L.ReviewItem]  # every punch, least confident first
    todo: list[L.ReviewItem]  # not labelled yet, in that order
    video: Path | None  # to cut the next punch's thumbnail from (None when all are labelled)
    missed_at_s: float | None = None  # a "missed one here" label just stored: around this time


def _review(account_id: int, session_id: str, files_dir: Path, engine: Engine | None) -> PunchReview:
    queue = L.review_queue(account_id, session_id, engine)
    if not queue:
        raise StrikingError("That round has no punches to review.")
    todo = [i for i in queue if i.label is None]
    video = L.round_video(account_id, session_id, files_dir, engine) if todo else None
    return PunchReview(session_id, queue, todo, video)


def punch_review(
    account_id: int, session_id: str | None, files_dir: Path, engine: Engine | None = None
) -> tuple[StrikeSession, PunchReview]:
    """The round (default: the last analysed) and its punches in review order. Raises `StrikingError`."""
    row = repo.get_round(session_id, account_id, engine) if session_id else repo.latest_round(account_id, engine)
    if row is None:
        raise StrikingError(_NO_ROUND)
    return row, _review(account_id, row.id, files_dir, engine)


def label_punch(
    account_id: int, session_id: str, number: int, label: str, files_dir: Path, engine: Engine | None = None
) -> PunchReview:
    """Store the athlete's label for punch `number` ('missed' = one the detector did not find around it);
    the review after it. Raises `StrikingError`."""
    if label not in L.LABELS:
        raise StrikingError(f"'{label}' is not a label I know: use the buttons under the punch.")
    missed_at = None
    try:
        if label == "missed":
            item = next((i for i in L.review_queue(account_id, session_id, engine) if i.number == number), None)
            if item is None:
                raise LookupError(f"There is no punch number {number} in that round.")
            half = L.MISSED_SPAN_S / 2
            repo.label_missed(account_id, session_id, item.t_peak_s - half, item.t_peak_s + half, engine=engine)
            missed_at = item.t_peak_s
        else:
            repo.label_punch(account_id, session_id, number, label, engine=engine)
    except LookupError as e:
        raise StrikingError(str(e)) from e
    review = _review(account_id, session_id, files_dir, engine)
    return PunchReview(review.session_id, review.queue, review.todo, review.video, missed_at)


# --------------------------------------------------------------------------- the athlete's own punch model
@dataclass(frozen=True)
class PunchModelState:
    report: dict[str, Any]  # the newest version's held-out report (served or not)
    serving: dict[str, Any]  # which version types new rounds ({"version": None}: the rules)


def punch_model_state(account_id: int, models_dir: Path) -> PunchModelState | None:
    """The athlete's newest punch model and what is served; None when they have trained none."""
    from models.punch.personal import latest_report, served

    report = latest_report(models_dir, account_id)
    return None if report is None else PunchModelState(report, served(models_dir, account_id))


def roll_back_punch_model(account_id: int, models_dir: Path) -> dict[str, Any]:
    """Serve the version served before the current one (none: the rules). Raises `StrikingError`."""
    from models.punch.dataset import DatasetError
    from models.punch.personal import roll_back

    try:
        return roll_back(models_dir, account_id)
    except DatasetError as e:
        raise StrikingError(str(e)) from e
