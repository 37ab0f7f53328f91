"""Striking repository: save an analysed round in one transaction, read rounds back per user,
habit history across sessions, and label corrections (kept as classifier training data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from storage.engine import read_session, transaction
from storage.tables.striking import StrikeCorrection, StrikeHabit, StrikeLabel, StrikePunch, StrikeSession

HABIT_UNITS = {
    "guard_down_share": "share", "guard_down_share_left": "share", "guard_down_share_right": "share",
    "return_s_left": "s", "return_s_right": "s", "other_hand_drop_share": "share",
    "chin_exposed_share": "share", "telegraph_share": "share",
}  # fmt: skip


def save_round(
    account_id: int,
    report: dict[str, Any],
    *,
    windows: list[list] | None = None,
    upload_id: str | None = None,
    job_id: str | None = None,
    thread_id: str | None = None,
    filename: str = "",
    video_path: str | None = None,
    now: datetime | None = None,
    engine: Engine | None = None,
) -> StrikeSession:
    """Store the round, its punches and its habit figures atomically (`now`: when it was filmed, for imports
    and tests that must not depend on the clock)."""
    stamp: dict[str, Any] = {"created_at": now} if now is not None else {}
    with transaction(engine) as s:
        row = StrikeSession(**stamp,
            account_id=account_id, upload_id=upload_id, job_id=job_id, thread_id=thread_id, filename=filename,
            duration_s=report.get("duration_s", 0.0), active_s=report.get("active_s", 0.0),
            stance=report.get("stance", ""), punch_count=report.get("punch_count", 0),
            punches_per_minute=report.get("punches_per_minute"), classifier=report.get("classifier", "rules"),
            video_path=video_path, report=report,
        )  # fmt: skip
        s.add(row)
        s.flush()
        for i, p in enumerate(report.get("punches", [])):
            s.add(StrikePunch(
                session_id=row.id, account_id=account_id, number=p["index"], t_peak_s=p["t_peak"],
                t_onset_s=p["t_onset"], return_s=p.get("return_s"), hand=p["hand"], side=p["side"], kind=p["kind"],
                target=p["target"], confidence=p["confidence"], source=p.get("source", "rules"),
                reach_sizes=p.get("reach", 0.0), peak_speed_sizes_s=p.get("peak_speed", 0.0),
                other_hand_dropped=bool(p.get("other_hand_dropped")), telegraphed=bool(p.get("telegraphed")),
                window=windows[i] if windows and i < len(windows) else None,
            ))  # fmt: skip
        for name, value in (report.get("habits") or {}).items():
            if name in HABIT_UNITS and value is not None:
                s.add(StrikeHabit(session_id=row.id, account_id=account_id, name=name, value=float(value),
                                  unit=HABIT_UNITS[name], **stamp))  # fmt: skip
        return row


def latest_round(account_id: int, engine: Engine | None = None) -> StrikeSession | None:
    with read_session(engine) as s:
        q = select(StrikeSession).where(col(StrikeSession.account_id) == account_id)
        return s.exec(q.order_by(col(StrikeSession.created_at).desc(), col(StrikeSession.id))).first()


def get_round(session_id: str, account_id: int, engine: Engine | None = None) -> StrikeSession | None:
    with read_session(engine) as s:
        q = select(StrikeSession).where(
            col(StrikeSession.id) == session_id, col(StrikeSession.account_id) == account_id
        )
        return s.exec(q).first()


def habit_history(account_id: int, name: str, limit: int = 20, engine: Engine | None = None) -> list[StrikeHabit]:
    """One habit's value per round, oldest first (for 'am I getting better?')."""
    with read_session(engine) as s:
        q = select(StrikeHabit).where(col(StrikeHabit.account_id) == account_id, col(StrikeHabit.name) == name)
        rows = list(s.exec(q.order_by(col(StrikeHabit.created_at).desc()).limit(limit)))
    return rows[::-1]


def correct_punch(account_id: int, session_id: str, number: int, new_kind: str, new_shape: str,
                  engine: Engine | None = None) -> StrikeCorrection:  # fmt: skip
    """Relabel punch `number` of a round (report and punch row) and keep the correction as training data."""
    with transaction(engine) as s:
        punch = s.exec(
            select(StrikePunch).where(
                col(StrikePunch.session_id) == session_id,
                col(StrikePunch.account_id) == account_id,
                col(StrikePunch.number) == number,
            )
        ).first()
        round_ = s.exec(
            select(StrikeSession).where(
                col(StrikeSession.id) == session_id, col(StrikeSession.account_id) == account_id
            )
        ).first()
        if punch is None or round_ is None:
            raise LookupError(f"There is no punch number {number} in that round.")
        fix = StrikeCorrection(account_id=account_id, session_id=session_id, punch_number=number, old_kind=punch.kind,
                               new_kind=new_kind, new_shape=new_shape, window=punch.window)  # fmt: skip
        s.add(_label_row(round_, punch, new_kind, new_shape, source="correction", by=account_id))
        punch.kind = new_kind
        punch.source = "user"
        report = dict(round_.report)
        punches = [dict(p) for p in report.get("punches", [])]
        for p in punches:
            if p.get("index") == number:
                p["kind"], p["shape"], p["source"] = new_kind, new_shape, "user"
                p["label"] = new_kind.replace("_", " ") + (" (body)" if p.get("target") == "body" else "")
        counts = {k: sum(1 for p in punches if p["kind"] == k) for k in (report.get("counts") or {})}
        report["punches"], report["counts"] = punches, counts or report.get("counts")
        round_.report = report
        s.add_all([fix, punch, round_])
        return fix


def corrections(account_id: int | None = None, engine: Engine | None = None) -> list[StrikeCorrection]:
    """Corrections with a stored window (all users' when account_id is None: the training command)."""
    with read_session(engine) as s:
        q = select(StrikeCorrection).where(col(StrikeCorrection.window).is_not(None))
        if account_id is not None:
            q = q.where(col(StrikeCorrection.account_id) == account_id)
        return list(s.exec(q))


SHAPE_OF = {"jab": "straight", "cross": "straight", "straight": "straight", "lead_hook": "hook", "rear_hook": "hook",
            "hook": "hook", "lead_uppercut": "uppercut", "rear_uppercut": "uppercut", "uppercut": "uppercut",
            "none": "none", "missed": "missed"}  # fmt: skip


def _label_row(round_: StrikeSession, punch: StrikePunch, label: str, shape: str, *, source: str,
               by: int | None) -> StrikeLabel:  # fmt: skip
    return StrikeLabel(
        account_id=round_.account_id, session_id=round_.id, upload_id=round_.upload_id, punch_number=punch.number,
        t_start_s=punch.t_onset_s, t_peak_s=punch.t_peak_s,
        t_end_s=punch.t_peak_s + (punch.return_s or 0.0), label=label, shape=shape,
        predicted=punch.kind if punch.source != "user" else "", predicted_confidence=punch.confidence,
        window=punch.window, source=source, labelled_by=by,
    )  # fmt: skip


def label_punch(account_id: int, session_id: str, number: int, label: str, *, by: int | None = None,
                engine: Engine | None = None) -> StrikeLabel:  # fmt: skip
    """Store one label for punch `number` of a round ("jab" … "rear_uppercut", "none" = not a punch), with
    the punch's keypoint window and what the app had predicted. The round's report is left as analysed:
    the label is training data and review state, the report stays what the model said."""
    if label not in SHAPE_OF or label == "missed":
        raise ValueError(f"Unknown punch label {label!r}.")
    with transaction(engine) as s:
        round_ = s.exec(
            select(StrikeSession).where(
                col(StrikeSession.id) == session_id, col(StrikeSession.account_id) == account_id
            )
        ).first()
        punch = s.exec(
            select(StrikePunch).where(col(StrikePunch.session_id) == session_id, col(StrikePunch.number) == number)
        ).first()
        if round_ is None or punch is None:
            raise LookupError(f"There is no punch number {number} in that round.")
        row = _label_row(round_, punch, label, SHAPE_OF[label], source="review", by=by or account_id)
        s.add(row)
        s.flush()
        return row


def label_missed(account_id: int, session_id: str, t_start_s: float, t_end_s: float, *, by: int | None = None,
                 engine: Engine | None = None) -> StrikeLabel:  # fmt: skip
    """ "Missed one here": a punch the detector did not find somewhere in [t_start_s, t_end_s] (no window:
    the round's track is not stored, so it counts against recall but does not train the type model)."""
    with transaction(engine) as s:
        round_ = s.exec(
            select(StrikeSession).where(
                col(StrikeSession.id) == session_id, col(StrikeSession.account_id) == account_id
            )
        ).first()
        if round_ is None:
            raise LookupError("That round is not yours or no longer stored.")
        row = StrikeLabel(account_id=account_id, session_id=session_id, upload_id=round_.upload_id, punch_number=None,
                          t_start_s=max(0.0, t_start_s), t_peak_s=(t_start_s + t_end_s) / 2, t_end_s=t_end_s,
                          label="missed", shape="missed", source="review", labelled_by=by or account_id)  # fmt: skip
        s.add(row)
        s.flush()
        return row


def label_history(account_id: int | None = None, session_id: str | None = None,
                  engine: Engine | None = None) -> list[StrikeLabel]:  # fmt: skip
    """Every label row, oldest first (all users' when account_id is None)."""
    with read_session(engine) as s:
        q = select(StrikeLabel)
        if account_id is not None:
            q = q.where(col(StrikeLabel.account_id) == account_id)
        if session_id is not None:
            q = q.where(col(StrikeLabel.session_id) == session_id)
        return list(s.exec(q.order_by(col(StrikeLabel.created_at), col(StrikeLabel.id))))


def current_labels(account_id: int | None = None, session_id: str | None = None,
                   engine: Engine | None = None) -> list[StrikeLabel]:  # fmt: skip
    """The label that counts for each punch (the latest), plus every "missed one here"."""
    latest: dict[tuple[int, str, int], StrikeLabel] = {}
    missed: list[StrikeLabel] = []
    for row in label_history(account_id, session_id, engine):
        if row.punch_number is None:
            missed.append(row)
        else:
            latest[(row.account_id, row.session_id, row.punch_number)] = row
    return sorted([*latest.values(), *missed], key=lambda r: (r.created_at, r.id or 0))


def punches_of(session_id: str, account_id: int, engine: Engine | None = None) -> list[StrikePunch]:
    with read_session(engine) as s:
        q = select(StrikePunch).where(
            col(StrikePunch.session_id) == session_id, col(StrikePunch.account_id) == account_id
        )
        return list(s.exec(q.order_by(col(StrikePunch.number))))
