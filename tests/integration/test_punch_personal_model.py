"""The athlete's own punch model (issue 17): labels from reviewed rounds → "train my punch model" (the job,
inline) → a leave-one-round-out report against the rules, the previous model compared on rounds it never
saw, served only when better, "how good is my punch model?", and "roll back my punch model".

The athlete's rounds are windows from the project's keypoint generator with another seed than the public
part's synthetic windows (so this runs without ../shared); the truth is the script's punch type."""

from __future__ import annotations

import json

import numpy as np

from agent.tools.base import ToolContext, ToolError, load_tools
from models.punch import CLASSES
from models.punch.synthetic import synthetic_windows

LABEL_FOR = {"none": "none", "straight": "jab", "hook": "lead_hook", "uppercut": "lead_uppercut"}


def _labelled_round(account_id: int, engine, xy: np.ndarray, y: np.ndarray) -> str:
    from storage.striking import label_punch, save_round

    punches = [{"index": i + 1, "t_peak": 1.0 + i, "t_onset": 0.8 + i, "hand": "left", "side": "lead", "kind": "jab",
                "label": "jab", "target": "head", "confidence": 0.6} for i in range(len(y))]  # fmt: skip
    report = {"punch_count": len(y), "punches": punches, "counts": {}, "habits": {}}
    row = save_round(account_id, report, windows=[w.tolist() for w in xy], engine=engine)
    for i, c in enumerate(y):
        label_punch(account_id, row.id, i + 1, LABEL_FOR[CLASSES[c]], engine=engine)
    return row.id


def test_train_report_serve_and_roll_back(settings, engine, account, monkeypatch) -> None:
    monkeypatch.setenv("POWERFORGE_SHARED_DATA", str(settings.data_dir / "no-shared"))  # public = synthetic only
    tools = load_tools()
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine)
    mine = synthetic_windows(12, seed=7)  # 84 windows, 12 rounds' worth
    _labelled_round(account.id, engine, mine.xy[:42], mine.y[:42])

    try:
        tools["train_punch_model"].run(ctx, tools["train_punch_model"].match("train my punch model", []))
        raise AssertionError("one round cannot be held out")
    except ToolError as e:
        assert "at least two rounds" in str(e)

    _labelled_round(account.id, engine, mine.xy[42:63], mine.y[42:63])
    events: list[tuple[float, str]] = []
    ctx.progress = lambda f, m: events.append((f, m))
    out = tools["train_punch_model"].run(ctx, tools["train_punch_model"].match("please retrain my punch model", []))
    rep = out.data
    assert events and events[-1][0] == 1.0 and any("held-out round 2/2" in m for _, m in events)
    assert rep["version"] == "v1" and rep["labels"] == 63 and len(rep["sessions"]) == 2
    ho = rep["held_out"]
    assert ho["new"]["windows"] == ho["rules"]["windows"] == 63
    assert sum(m["support"] for m in ho["new"]["per_class"].values()) == 63
    lo, hi = ho["new"]["ci95"]
    assert lo <= ho["new"]["accuracy"] <= hi
    assert ho["new"]["accuracy"] > ho["rules"]["accuracy"] and rep["served"]  # the athlete's own shapes are learnt
    assert "| type | precision | recall |" in out.markdown and "rules" in out.markdown

    # a third round, then train again: v2 is compared with v1 on the round v1 never saw
    third = _labelled_round(account.id, engine, mine.xy[63:], mine.y[63:])
    rep2 = tools["train_punch_model"].run(ctx, tools["train_punch_model"].match("train my punch model", [])).data
    assert rep2["version"] == "v2"
    assert rep2["previous"]["version"] == "v1" and rep2["previous"]["windows"] == 21
    assert rep2["served"] == (
        rep2["held_out"]["new"]["accuracy"] > rep2["held_out"]["rules"]["accuracy"]
        and rep2["previous"]["new"]["accuracy"] >= rep2["previous"]["previous"]["accuracy"]
    )
    assert third not in json.loads((settings.models_dir / "punch-classifier/users" / str(account.id) /
                                        "v1/report.json").read_text())["sessions"]  # fmt: skip

    how = tools["punch_model_report"].run(ctx, tools["punch_model_report"].match("how good is my punch model?", []))
    assert "Your punch model v2" in how.markdown and "Serving:" in how.markdown

    from models.punch.classifier import PunchClassifier
    from models.punch.personal import served

    state = served(settings.models_dir, account.id)
    assert state["version"] in ("v1", "v2")
    clf = PunchClassifier.for_user(settings.models_dir, account.id)
    assert clf is not None and clf.predict(mine.xy[:3]).shape == (3, len(CLASSES))
    back = tools["rollback_punch_model"].run(ctx, tools["rollback_punch_model"].match("roll back my punch model", []))
    assert back.data["rolled_back_from"] == state["version"]
    before = state["history"][-2] if len(state["history"]) > 1 else None
    assert served(settings.models_dir, account.id)["version"] == before
    while served(settings.models_dir, account.id)["version"]:
        tools["rollback_punch_model"].run(ctx, tools["rollback_punch_model"].match("roll back my punch model", []))
    try:
        tools["rollback_punch_model"].run(ctx, tools["rollback_punch_model"].match("roll back my punch model", []))
        raise AssertionError("nothing to roll back")
    except ToolError as e:
        assert "nothing to roll back" in str(e)
    assert PunchClassifier.for_user(settings.models_dir, account.id) is None  # back to the shared model / rules
