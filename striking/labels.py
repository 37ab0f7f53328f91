"""The athlete's own punch labels: the review queue ("review my punches"), key-frame thumbnails, and the
labelled dataset as files (`powerforge strike labels export`).

Service layer over `storage.striking`: the chat tools and the CLI call these; the numbers shown (time,
predicted type, confidence) come from the stored round.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from storage.striking import current_labels, get_round, label_history, punches_of

# The buttons under each punch: the six types, then "not a punch" and "missed one here".
LABELS = ("jab", "cross", "lead_hook", "rear_hook", "lead_uppercut", "rear_uppercut", "none", "missed")
BUTTON = {"jab": "jab", "cross": "cross", "lead_hook": "lead hook", "rear_hook": "rear hook",
          "lead_uppercut": "lead uppercut", "rear_uppercut": "rear uppercut", "none": "✗ not a punch",
          "missed": "+ missed one here"}  # fmt: skip
MISSED_SPAN_S = 1.0  # "missed one here" marks the second around the shown punch


@dataclass(frozen=True)
class ReviewItem:
    session_id: str
    number: int
    t_peak_s: float
    predicted: str
    confidence: float
    label: str | None  # the athlete's label when given


def review_queue(account_id: int, session_id: str, engine: Engine | None = None) -> list[ReviewItem]:
    """Every punch of the round, the least confident first (ties by time); labelled ones carry their label."""
    done = {r.punch_number: r.label for r in current_labels(account_id, session_id, engine) if r.punch_number}
    items = [ReviewItem(session_id, p.number, p.t_peak_s, p.kind, p.confidence, done.get(p.number))
             for p in punches_of(session_id, account_id, engine)]  # fmt: skip
    return sorted(items, key=lambda i: (i.confidence, i.t_peak_s))


def next_to_review(account_id: int, session_id: str, engine: Engine | None = None) -> ReviewItem | None:
    return next((i for i in review_queue(account_id, session_id, engine) if i.label is None), None)


def thumbnail(video: Path, t_s: float, out: Path, width: int = 192) -> Path | None:
    """A small JPEG of the frame at `t_s` (None when the video cannot be read there)."""
    import cv2

    if not Path(video).is_file():
        return None
    cap = cv2.VideoCapture(str(video))
    try:
        cap.set(cv2.CAP_PROP_POS_MSEC, max(0.0, t_s) * 1000)
        ok, frame = cap.read()
    finally:
        cap.release()
    if not ok or frame is None:
        return None
    h, w = frame.shape[:2]
    small = cv2.resize(frame, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out if cv2.imwrite(str(out), small, [cv2.IMWRITE_JPEG_QUALITY, 80]) else None


def round_video(account_id: int, session_id: str, files_dir: Path, engine: Engine | None = None) -> Path | None:
    """The round's annotated video if stored, else the uploaded clip."""
    row = get_round(session_id, account_id, engine)
    if row is None:
        return None
    if row.video_path:
        p = Path(row.video_path)
        p = p if p.is_absolute() else Path(files_dir) / p
        if p.is_file():
            return p
    if row.upload_id:
        from storage.uploads import get_upload

        up = get_upload(row.upload_id, account_id, files_dir, engine)
        if up is not None and Path(up.path).is_file():
            return Path(up.path)
    return None


FIELDS = ("id", "account_id", "session_id", "upload_id", "punch_number", "t_start_s", "t_peak_s", "t_end_s", "label",
          "shape", "predicted", "predicted_confidence", "source", "labelled_by", "created_at")  # fmt: skip


def export(out_dir: Path, account_id: int | None = None, *, history: bool = False,
           engine: Engine | None = None) -> dict[str, int | str]:  # fmt: skip
    """Write labels.jsonl (every field, the keypoint window included) and labels.csv (no window) to `out_dir`.
    By default the label that counts per punch; `history` writes every row."""
    rows = (label_history if history else current_labels)(account_id, engine=engine)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jsonl, csv_path = out_dir / "labels.jsonl", out_dir / "labels.csv"
    with jsonl.open("w") as f:
        for r in rows:
            doc = {k: getattr(r, k) for k in FIELDS} | {"window": r.window}
            doc["created_at"] = r.created_at.isoformat()
            f.write(json.dumps(doc) + "\n")
    with csv_path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow([*FIELDS, "has_window"])
        for r in rows:
            w.writerow([*(getattr(r, k) for k in FIELDS), int(r.window is not None)])
    return {"labels": len(rows), "jsonl": str(jsonl), "csv": str(csv_path)}


def model_report_markdown(report: dict) -> str:
    """The athlete's punch-model report as chat Markdown: held-out per-type precision/recall with counts,
    against the rules and the previous model, the interval, what is served and which types need labels."""

    def f(x: float | None) -> str:
        return "—" if x is None else f"{x:.2f}"

    ho = report["held_out"]
    new, rules = ho["new"], ho["rules"]
    lines = [
        f"**Your punch model {report['version']}**: {report['labels']} labelled windows from "
        f"{len(report['sessions'])} rounds (+{report['public_windows']} public windows; yours count "
        f"{report['user_weight']}x). Scored {report['split']}: each round by a model that never saw it.",
        "",
        "| held-out | accuracy (95 % CI) | macro-F1 | windows |",
        "|---|---|---|---|",
        f"| your model ({report['variant']}) | {f(new['accuracy'])} ({f(new['ci95'][0])}–{f(new['ci95'][1])}) "
        f"| {f(new['macro_f1'])} | {new['windows']} |",
        f"| rules | {f(rules['accuracy'])} ({f(rules['ci95'][0])}–{f(rules['ci95'][1])}) | {f(rules['macro_f1'])} "
        f"| {rules['windows']} |",
    ]
    prev = report.get("previous")
    if prev and prev.get("windows"):
        p, n = prev["previous"], prev["new"]
        lines.append(f"| previous {prev['version']} on the {prev['windows']} windows it never saw "
                     f"| {f(p['accuracy'])} (new: {f(n['accuracy'])}) | {f(p['macro_f1'])} "
                     f"| {prev['windows']} |")  # fmt: skip
    elif prev:
        lines.append(f"| previous {prev['version']} (its own held-out score) | {f(prev['previous_accuracy'])} | | |")
    g = report["gain_vs_rules_ci95"]
    lines += ["", f"Gain over the rules: {f(g[0])} to {f(g[1])} (95 % bootstrap interval, accuracy).", "",
              "| type | precision | recall | labelled | predicted | rules precision | rules recall |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for c, m in new["per_class"].items():
        r = rules["per_class"][c]
        lines.append(f"| {c} | {f(m['precision'])} | {f(m['recall'])} | {m['support']} | {m['predicted']} "
                     f"| {f(r['precision'])} | {f(r['recall'])} |")  # fmt: skip
    lines += ["", ("**Served**: " if report["served"] else "**Not served**: ") + report["reason"] + "."]
    if report.get("needs"):
        lines.append("More labels would help most for: " + "; ".join(
            f"{n['type']} ({n['labels']} labelled, recall {f(n['recall'])}: ~{n['more']} more)"
            for n in report["needs"]) + ".")  # fmt: skip
    return "\n".join(lines)
