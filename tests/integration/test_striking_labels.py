"""The athlete's punch labels in storage: one row per click with the keypoint window, the latest label per
punch counts, "missed one here" by time, typed corrections kept as labels (also those stored before the
labels table existed, copied in by the migration), and the export as JSONL/CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from alembic import command
from sqlalchemy import text

from storage.migrate import alembic_config, upgrade


def _round_report(n: int = 3) -> dict:
    punches = [{"index": i + 1, "t_peak": 1.0 + i, "t_onset": 0.8 + i, "return_s": 0.3, "hand": "left",
                "side": "lead", "kind": "jab", "label": "jab", "target": "head", "confidence": 0.5 + 0.1 * i}
               for i in range(n)]  # fmt: skip
    return {"duration_s": 5.0, "active_s": 4.0, "stance": "orthodox", "punch_count": n, "punches": punches,
            "counts": {"jab": n}, "habits": {}}  # fmt: skip


def _windows(n: int) -> list[list]:
    rng = np.random.default_rng(0)
    return [rng.normal(300, 40, (6, 17, 2)).round(1).tolist() for _ in range(n)]


def test_labels_latest_counts_missed_by_time_and_export(engine, account, tmp_path: Path) -> None:
    from storage.striking import correct_punch, current_labels, label_history, label_missed, label_punch, save_round
    from striking.labels import export, next_to_review, review_queue

    row = save_round(account.id, _round_report(), windows=_windows(3), engine=engine)
    queue = review_queue(account.id, row.id, engine)
    assert [i.number for i in queue] == [1, 2, 3]  # least confident first
    label_punch(account.id, row.id, 1, "lead_hook", engine=engine)
    label_punch(account.id, row.id, 1, "rear_hook", engine=engine)  # changed my mind: the latest counts
    label_punch(account.id, row.id, 2, "none", engine=engine)
    label_missed(account.id, row.id, 2.5, 3.5, engine=engine)
    correct_punch(account.id, row.id, 3, "cross", "straight", engine=engine)
    assert next_to_review(account.id, row.id, engine) is None
    now = {(r.punch_number, r.label, r.shape, r.predicted) for r in current_labels(account.id, engine=engine)}
    assert now == {(1, "rear_hook", "hook", "jab"), (2, "none", "none", "jab"), (None, "missed", "missed", ""),
                   (3, "cross", "straight", "jab")}  # fmt: skip
    assert len(label_history(account.id, engine=engine)) == 5
    first = next(r for r in current_labels(account.id, engine=engine) if r.punch_number == 1)
    assert np.asarray(first.window).shape == (6, 17, 2) and first.t_peak_s == 1.0 and first.labelled_by == account.id
    with pytest.raises(LookupError):
        label_punch(account.id, row.id, 9, "jab", engine=engine)
    with pytest.raises(ValueError):
        label_punch(account.id, row.id, 1, "haymaker", engine=engine)

    result = export(tmp_path / "out", account.id, engine=engine)
    docs = [json.loads(line) for line in (tmp_path / "out/labels.jsonl").read_text().splitlines()]
    assert result["labels"] == len(docs) == 4
    assert {d["label"] for d in docs} == {"rear_hook", "none", "missed", "cross"}
    assert sum(d["window"] is not None for d in docs) == 3
    with (tmp_path / "out/labels.csv").open() as f:
        assert len(list(csv.DictReader(f))) == 4
    assert export(tmp_path / "all", account.id, history=True, engine=engine)["labels"] == 5


def test_migration_copies_corrections_stored_before_the_labels_table(settings) -> None:
    from storage.engine import make_engine

    eng = make_engine(settings.db_url)
    cfg = alembic_config()
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "striking_0001")
    window = json.dumps(_windows(1)[0])
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO accounts (username, password_hash, display_name, is_admin, created_at) "
                          "VALUES ('old', 'x', 'Old', 0, '2026-01-01')"))  # fmt: skip
        aid = conn.execute(text("SELECT id FROM accounts")).scalar()
        conn.execute(text("INSERT INTO strike_sessions (id, account_id, report, created_at) "
                          "VALUES ('r1', :a, '{}', '2026-01-01')"), {"a": aid})  # fmt: skip
        conn.execute(text("INSERT INTO strike_punches (session_id, account_id, number, t_peak_s, t_onset_s, return_s,"
                          " hand, side, kind, target, confidence, window) VALUES ('r1', :a, 2, 4.0, 3.8, 0.4, 'left',"
                          " 'lead', 'lead_hook', 'head', 0.6, :w)"), {"a": aid, "w": window})  # fmt: skip
        conn.execute(text("INSERT INTO strike_corrections (account_id, session_id, punch_number, old_kind, new_kind,"
                          " new_shape, window, created_at) VALUES (:a, 'r1', 2, 'jab', 'lead_hook', 'hook', :w,"
                          " '2026-01-02')"), {"a": aid, "w": window})  # fmt: skip
    upgrade(engine=eng)
    from storage.striking import current_labels

    [label] = current_labels(aid, engine=eng)
    assert (label.punch_number, label.label, label.shape, label.predicted, label.source) == (
        2,
        "lead_hook",
        "hook",
        "jab",
        "correction",
    )
    assert (label.t_start_s, label.t_peak_s, label.t_end_s) == pytest.approx((3.8, 4.0, 4.4))
    assert np.asarray(label.window).shape == (6, 17, 2)
    eng.dispose()


def test_review_in_chat_one_click_per_punch_with_thumbnails(settings, engine, account, tmp_path: Path) -> None:
    """Analyse a generated round with the stand-in RTMPose, then review it as the buttons would: every click
    stores one label and brings the next punch (least sure first) with its key frame."""
    from support.striking import install_standin_rtmpose, pulse_video
    from support.uploads import attach

    from agent.tools.base import ToolContext, load_tools
    from storage.striking import current_labels

    install_standin_rtmpose(settings.models_dir)
    settings.pose_backend = "rtmpose"
    clip = pulse_video(tmp_path / "round.mp4", [1.0, 2.6, 4.2], seconds=6.0)
    att = attach(settings, engine, account, clip)
    tools = load_tools()
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, attachments=[att])
    analysed = tools["analyse_strikes"].run(ctx, tools["analyse_strikes"].match("check my round", [att]))
    n = analysed.data["punch_count"]
    assert n == 3 and [a.tool for a in analysed.actions] == ["review_punches"]

    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine)
    args = tools["review_punches"].match("review my punches", [])
    assert args is not None and tools["analyse_strikes"].match("review my punches", []) is not None  # both claim it
    out = tools["review_punches"].run(ctx, args)
    sure = sorted(analysed.data["punches"], key=lambda p: (p["confidence"], p["t_peak"]))
    clicks = 0
    while out.actions:
        assert [a.args["label"] for a in out.actions] == ["jab", "cross", "lead_hook", "rear_hook", "lead_uppercut",
                                                          "rear_uppercut", "none", "missed"]  # fmt: skip
        assert out.images and Path(out.images[0]).stat().st_size > 500  # the key frame, as a small JPEG
        button = out.actions[2 if clicks == 0 else 1]  # the first is a lead hook, the rest crosses
        assert button.args["number"] == sure[clicks]["index"]  # least sure first
        out = tools["label_punch"].run(ctx, tools["label_punch"].args_model(**button.args))
        clicks += 1
    assert clicks == n and "All 3 punches" in out.markdown
    stored = {r.punch_number: r.label for r in current_labels(account.id, engine=engine)}
    assert stored == {sure[0]["index"]: "lead_hook", sure[1]["index"]: "cross", sure[2]["index"]: "cross"}


def test_export_command_per_user_and_unknown_user(settings, engine, account, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from powerforge.cli import _discover, app
    from storage.accounts import create_account
    from storage.striking import label_punch, save_round

    other = create_account("other", "another-horse-2", engine=engine)
    for who in (account, other):
        row = save_round(who.id, _round_report(2), windows=_windows(2), engine=engine)
        label_punch(who.id, row.id, 1, "jab", engine=engine)
    _discover()
    res = CliRunner().invoke(app, ["strike", "labels", "export", "--out", str(tmp_path / "x"), "--user", "athlete",
                                   "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["labels"] == 1
    [doc] = [json.loads(line) for line in (tmp_path / "x/labels.jsonl").read_text().splitlines()]
    assert doc["account_id"] == account.id and doc["label"] == "jab"
    res = CliRunner().invoke(app, ["strike", "labels", "export", "--out", str(tmp_path / "y"), "--json"])
    assert json.loads(res.output)["labels"] == 2  # everyone's
    res = CliRunner().invoke(app, ["strike", "labels", "export", "--out", str(tmp_path / "z"), "--user", "nobody",
                                   "--json"])  # fmt: skip
    assert res.exit_code != 0 and json.loads(res.output) == {"ok": False, "error": "No user named 'nobody'."}
