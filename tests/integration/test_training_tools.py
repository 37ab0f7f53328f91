"""Training tools end to end on a real SQLite database: routing by code, program draft → approval →
today's workout → logging (PRs, progression, unit questions) → edits with diffs, imports and exports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agent.router import route_by_code
from agent.tools.base import Attachment, ToolContext, ToolError, ToolOutput, load_tools
from storage import training as repo
from storage.accounts import create_account, update_profile
from storage.tables.training import TrainingDraft, TrainingSet

MONDAY = datetime(2025, 1, 13, 17, 0, tzinfo=UTC)


class Chat:
    """Drives the tools the way the chat graph does: code routing for text, direct calls for buttons."""

    def __init__(self, settings, engine, account_id: int, now: datetime = MONDAY):
        self.settings, self.engine, self.account_id, self.now = settings, engine, account_id, now
        self.tools = load_tools()

    def ctx(self, text: str = "", attachments: list[Attachment] | None = None) -> ToolContext:
        return ToolContext(account_id=self.account_id, settings=self.settings, engine=self.engine, text=text,
                           now=self.now, attachments=attachments or [])  # fmt: skip

    def route(self, text: str, attachments: list[Attachment] | None = None) -> tuple[str, dict]:
        r = route_by_code(text, attachments or [], self.tools)
        assert r is not None and r.args is not None, f"no code route for {text!r}"
        return r.tool, r.args

    def say(self, text: str, attachments: list[Attachment] | None = None, expect: str | None = None) -> ToolOutput:
        name, args = self.route(text, attachments)
        if expect:
            assert name == expect, (text, name)
        t = self.tools[name]
        return t.run(self.ctx(text, attachments), t.args_model.model_validate(args))

    def click(self, out: ToolOutput, label_part: str) -> ToolOutput:
        action = next(a for a in out.actions if label_part in a.label)
        t = self.tools[action.tool]
        return t.run(self.ctx(), t.args_model.model_validate(action.args))


@pytest.fixture
def chat(settings, engine, account) -> Chat:
    return Chat(settings, engine, account.id)


def test_program_from_a_sentence_is_saved_only_on_approval(chat: Chat):
    out = chat.say("Build me a 4-day upper/lower program for 8 weeks, intermediate, squat 140 bench 100 deadlift 180",
                   expect="program_draft")  # fmt: skip
    assert "| Week | Day | Section | Exercise | Sets × reps | Load (kg) |" in out.markdown
    assert "110 kg (RPE 8)" in out.markdown  # squat 4×6 @8 from the stated 140 kg
    assert repo.active_program(chat.account_id, chat.engine) is None  # nothing saved yet
    saved = chat.click(out, "Save program")
    assert "Saved" in saved.markdown and "Upper A" in saved.markdown
    _row, program = repo.active_program(chat.account_id, chat.engine)
    assert len(program.weeks) == 8 and program.days_per_week == 4
    assert repo.get_maxes(chat.account_id, chat.engine)["deadlift"].one_rm_kg == 180
    with pytest.raises(ToolError, match="already approved"):  # a button works once
        chat.click(out, "Save program")

    today = chat.say("what's my workout today?", expect="train_today")
    assert "Week 1 · Upper A** (today)" in today.markdown
    assert "77.5 kg (RPE 8)" in today.markdown and "25 + 2.5 + 1.25 per side" in today.markdown
    assert "Warm-up for Bench Press: 20 kg × 10" in today.markdown
    later = chat.say("show me the workout for tomorrow", expect="train_today")  # upper/lower: 4 of 7 days
    assert "Week 1 · " in later.markdown and ("** (for " in later.markdown or "a rest day" in later.markdown)
    assert later.markdown != today.markdown


def test_peaking_block_request_and_discard(chat: Chat):
    out = chat.say("a 12-week powerlifting peaking block, 3 days a week", expect="program_draft")
    assert out.data["program"]["template"] == "peaking_block" and len(out.data["program"]["weeks"]) == 12
    assert "needs your max" in out.markdown  # no maxes known yet: percentages shown, not invented loads
    gone = chat.click(out, "Discard")
    assert "Discarded" in gone.markdown and repo.active_program(chat.account_id, chat.engine) is None


def test_logging_pr_progression_and_chart(chat: Chat):
    chat.click(chat.say("novice linear progression 3 days a week, squat 100 bench 80 deadlift 120"), "Save program")
    today = chat.say("what's my workout today?")
    assert "Back Squat | 3×5 | 70 kg" in today.markdown  # starting load 70 % of 100
    out = chat.say("squat 70x5, 5, 5 @7", expect="train_log_sets")
    assert "Next Back Squat: 3×5 at 75 kg" in out.markdown and "every set made" in out.markdown
    assert [a.label for a in out.actions][:2] == ["✅ Apply progression", "Keep as planned"]
    applied = chat.click(out, "Apply progression")
    assert "Progression applied" in applied.markdown
    st = repo.get_progress(
        chat.account_id, repo.active_program(chat.account_id, chat.engine)[0].lineage_id, chat.engine
    )
    assert st["back_squat"].load_kg == 75
    partial = chat.say("bench 70x5 @8")
    assert "Bench Press: 1 of 3 sets done" in partial.markdown
    # next session (two days later): planned squat is now 75 kg; a heavier set is a PR with a chart
    chat.now = MONDAY + timedelta(days=2)
    nxt = chat.say("what's my workout today?")
    assert "Workout B" in nxt.markdown and "Back Squat | 3×5 | 75 kg" in nxt.markdown
    pr = chat.say("squat 80x5 @8")
    assert "🏆 Back Squat: heaviest ever, 80 kg (was 70 kg)" in pr.markdown
    assert pr.images and Path(pr.images[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = chat.say("session summary", expect="train_summary")
    assert "Hard sets per muscle group" in summary.markdown and "quads" in summary.markdown


def test_set_lines_units_questions_and_bad_input(chat: Chat, engine):
    repo.set_max(chat.account_id, "deadlift", one_rm_kg=180, engine=engine)
    ask = chat.say("did 225 for 8 on deadlift", expect="train_log_sets")
    assert "did you mean **225 lb**" in ask.markdown and repo.count_sets(chat.account_id, engine) == 0
    done = chat.click(ask, "It was 225 lb")
    assert "102.06 kg" in done.markdown
    assert repo.last_set(chat.account_id, "deadlift", engine).load_kg == pytest.approx(102.058, abs=1e-3)
    with pytest.raises(ToolError, match="beyond the heaviest ever lifted"):
        chat.say("squat 1400x5")
    with pytest.raises(ToolError, match="What weight did you use for Back Squat"):
        chat.say("squat 5x5")  # no program, no load: ask, never guess
    plank = chat.say("plank 3x60s", expect="train_log_sets")
    assert "| Plank | 1 | BW | 60 s |" in plank.markdown
    assert repo.last_set(chat.account_id, "plank", engine).duration_s == 60
    chins = chat.say("chin ups 3x8 +10kg")
    assert "BW + 10 kg" in chins.markdown and repo.last_set(chat.account_id, "chin_up", engine).added_load
    bw = chat.say("pull ups 10, 8, 7")
    assert bw.data["sets"][0]["load_kg"] == 0 and len(bw.data["sets"]) == 3
    chat.now += timedelta(minutes=5)
    ss = chat.say("superset bench 80x10 + row 60x10")
    stored = repo.session_sets(chat.account_id, ss.data["session_id"], engine)
    assert {s.group_label for s in stored if s.exercise_id in ("bench_press", "barbell_row")} == {"A"}
    chat.now += timedelta(minutes=5)
    q = chat.say("zercher carry 60x20 @8")
    assert (
        "Which exercise is “zercher carry”?" in q.markdown
        and repo.last_set(chat.account_id, engine=engine).exercise_id == "barbell_row"
    )
    custom = chat.click(q, "Add “zercher carry”")
    assert repo.last_set(chat.account_id, engine=engine).exercise_id.startswith(f"u{chat.account_id}_zercher")
    assert "Zercher Carry" in custom.markdown or "zercher carry" in custom.markdown.lower()
    undo = chat.click(custom, "Undo")
    assert "Removed 1 set" in undo.markdown


def test_imperial_user_logs_in_pounds(settings, engine):
    acc = create_account("yank", "freedom-units-1", engine=engine)
    update_profile(acc.id, {"unit_system": "imperial"}, engine)
    c = Chat(settings, engine, acc.id)
    out = c.say("bench 225x5 @8")
    assert "225 lb" in out.markdown and out.data["sets"][0]["load_kg"] == pytest.approx(102.058, abs=1e-3)
    plates = c.say("what plates for 225?", expect="train_plates")
    assert "2×45 per side (bar 45 lb)" in plates.markdown


def test_edits_show_a_diff_and_make_a_new_version(chat: Chat):
    chat.click(chat.say("4-day upper lower program for 8 weeks"), "Save program")
    with pytest.raises(ToolError, match=r"no Deadlift on Thursday.*Fri Lower B"):
        chat.say("swap Thursday's deadlift for RDLs", expect="program_edit")
    out = chat.say("swap Friday's deadlift for RDLs", expect="program_edit")
    assert "Deadlift 3×4-6 @ RPE 8 | Romanian Deadlift 3×4-6 @ RPE 8" in out.markdown
    assert repo.active_program(chat.account_id, chat.engine)[0].version == 1  # not applied yet
    chat.click(out, "Apply change")
    row, program = repo.active_program(chat.account_id, chat.engine)
    assert row.version == 2 and "romanian_deadlift" in program.exercises() and "deadlift" not in program.exercises()
    already = chat.say("make week 4 a deload")
    assert "already a deload" in already.markdown
    d6 = chat.say("make week 6 a deload")
    assert "| Week 6 | — | week | regular | Deload |" in d6.markdown
    chat.click(d6, "Discard")
    assert repo.active_program(chat.account_id, chat.engine)[0].version == 2
    shown = chat.say("show week 6", expect="program_show")
    assert "| 6 |" in shown.markdown and "Version 2" in shown.markdown


def test_a_broken_draft_is_never_saved(chat: Chat, engine):
    out = chat.say("give me a beginner program three days a week")
    with Session(engine) as s:
        d = s.exec(select(TrainingDraft).where(TrainingDraft.id == out.data["draft_id"])).one()
        spec = dict(d.spec)
        spec["program"] = {**spec["program"], "weeks": []}
        d.spec = spec
        s.add(d)
        s.commit()
    with pytest.raises(ToolError, match="no longer passes the checks"):
        chat.click(out, "Save program")
    assert repo.active_program(chat.account_id, engine) is None


def test_maxes_equipment_plates_and_e1rm(chat: Chat):
    saved = chat.say("my squat max is 140 and bench 100", expect="train_set_maxes")
    assert "Back Squat | 1RM | 140 kg" in saved.markdown
    assert repo.get_maxes(chat.account_id, chat.engine)["bench_press"].one_rm_kg == 100
    chat.say("my bar is 15 kg", expect="train_equipment")
    chat.say("I have plates 20, 10, 5, 2.5 and 1.25", expect="train_equipment")
    p = chat.say("what plates for 100?", expect="train_plates")
    assert "2×20 + 2.5 per side (bar 15 kg)" in p.markdown
    e = chat.say("e1rm 140x5 @8", expect="train_e1rm")
    assert "172.63 kg" in e.markdown and "RPE chart" in e.markdown
    chat.say("squat 140x3 @8")
    chat.now += timedelta(days=3)
    chat.say("squat 145x3 @8.5")
    hist = chat.say("what's my squat e1rm?", expect="train_e1rm")
    assert "Back Squat" in hist.markdown and hist.images


STRONG = """Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE
2024-03-04 18:02:11,Lower A,1h 5m,Squat (Barbell),W,60,5,0,0,,,
2024-03-04 18:02:11,Lower A,1h 5m,Squat (Barbell),1,140,5,0,0,,,8
2024-03-04 18:02:11,Lower A,1h 5m,Squat (Barbell),2,bad,5,0,0,,,8
2024-03-06 07:30:00,Upper A,52m,Bench Press (Barbell),1,100,5,0,0,,,9
"""


def test_import_attachment_then_export(chat: Chat, tmp_path, engine):
    f = tmp_path / "strong_export.csv"
    f.write_text(STRONG)
    att = Attachment(
        upload_id="u1", filename="strong_export.csv", mime="text/csv", path=str(f), size_bytes=f.stat().st_size
    )
    out = chat.say("this is the export from my strong app", attachments=[att], expect="train_import")
    assert "Imported **2** Strong workouts (3 sets)" in out.markdown and "line 4: the Weight column" in out.markdown
    again = chat.say("import this again", attachments=[att], expect="train_import")
    assert "2 workouts were already imported" in again.markdown
    bad = tmp_path / "food.csv"
    bad.write_text("date,food,kcal\n2024-01-01,egg,78\n")
    batt = Attachment(upload_id="u2", filename="food.csv", mime="text/csv", path=str(bad), size_bytes=30)
    assert (
        route_by_code("import this", [batt], chat.tools) is None
        or route_by_code("import this", [batt], chat.tools).tool != "train_import"
    )
    with pytest.raises(ToolError, match="doesn't look like a Strong or Hevy export"):
        chat.tools["train_import"].run(chat.ctx("import", [batt]), chat.tools["train_import"].args_model())
    exp = chat.say("export my training log", expect="train_export")
    path = Path(exp.files[0])
    assert path.exists() and "Back Squat" in path.read_text() and exp.data["sets"] == 3
    # the export imports back as new sessions of another account without losing a set
    other = create_account("reader", "reader-pass-1", engine=engine)
    oc = Chat(chat.settings, engine, other.id)
    eatt = Attachment(
        upload_id="u3", filename=path.name, mime="text/csv", path=str(path), size_bytes=path.stat().st_size
    )
    back = oc.say("import", attachments=[eatt], expect="train_import")
    assert "(3 sets)" in back.markdown
    with Session(engine) as s:
        assert len(s.exec(select(TrainingSet).where(TrainingSet.account_id == other.id)).all()) == 3


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("squat 140x5 @8", "train_log_sets"),
        ("bench 3x5 at 100", "train_log_sets"),
        ("did 225 for 8 on deadlift", "train_log_sets"),
        ("what's my workout today?", "train_today"),
        ("What am I training today", "train_today"),
        ("what plates for 142.5?", "train_plates"),
        ("e1rm 100x8", "train_e1rm"),
        ("swap thursday's deadlift for rdls", "program_edit"),
        ("make week 4 a deload", "program_edit"),
        ("show my program", "program_show"),
        ("a 12-week powerlifting peaking block, 3 days a week", "program_draft"),
        ("save it", "program_approve"),
        ("discard the draft", "program_discard"),
        ("finished my workout", "train_summary"),
        ("my bench max is 100", "train_set_maxes"),
        ("what programs do you have?", "program_templates"),
        ("undo the last set", "train_undo"),
        ("what should I lift today?", "train_today"),
        ("I have plates 25 20 10 5", "train_equipment"),
        ("bench 1rm 100 kg", "train_set_maxes"),
        ("what's my squat e1rm?", "train_e1rm"),
    ],
)
def test_common_phrasings_route_by_code(chat: Chat, text, tool):
    assert chat.route(text)[0] == tool


@pytest.mark.parametrize(
    "text",
    [
        "had 2 eggs and a slice of toast for breakfast",
        "200g chicken and 150g rice",
        "convert 100 kg to lb",
        "2 x 100g yogurt",
        "how should I brace for a heavy squat?",
        "I'm 180 cm",
    ],
)
def test_lines_of_other_domains_are_not_taken_for_sets(chat: Chat, text):
    r = route_by_code(text, [], chat.tools)
    assert r is None or not r.tool.startswith(("train_", "program_")), (text, r)


def test_a_strong_file_without_units_can_be_reimported_in_pounds(chat: Chat, tmp_path, engine, settings):
    from storage.uploads import store_upload

    src = tmp_path / "strong.csv"
    src.write_text(STRONG)
    up = store_upload(
        src, filename="strong.csv", account_id=chat.account_id, files_dir=settings.files_dir,
        max_bytes=settings.upload_max_bytes, allowed=settings.allowed_upload_types, engine=engine,
    )  # fmt: skip
    att = Attachment(upload_id=up.id, filename=up.filename, mime=up.mime, path=str(up.path), size_bytes=up.size_bytes)
    out = chat.say("my strong export", attachments=[att], expect="train_import")
    assert "weights were read as **kg**" in out.markdown
    assert repo.last_set(chat.account_id, "back_squat", engine).load_kg == 140
    again = chat.click(out, "Re-import as lb")
    assert "Imported **2** Strong workouts (3 sets)" in again.markdown
    assert repo.count_sets(chat.account_id, engine) == 3  # replaced, not doubled
    assert repo.last_set(chat.account_id, "back_squat", engine).load_kg == pytest.approx(63.503, abs=1e-3)
    # a pound file read as kg with an impossible load is refused whole
    heavy = tmp_path / "heavy.csv"
    heavy.write_text(STRONG.replace(",140,5,", ",600,5,"))
    hatt = Attachment(upload_id="x", filename="heavy.csv", mime="text/csv", path=str(heavy), size_bytes=10)
    with pytest.raises(ToolError, match="impossible in kg; nothing was imported"):
        chat.say("import", attachments=[hatt])


def test_a_rep_max_question_answers_from_the_logged_sets(chat: Chat):
    chat.say("deadlift 180x3 @8, 170x5 @8", expect="train_log_sets")
    out = chat.say("heaviest deadlift for 4 reps?", expect="train_rep_max")
    assert out.data["load"] == 170 and out.data["reps"] == 5 and out.data["reps_asked"] == 4
    assert "**170 kg × 5 @ RPE 8**" in out.markdown and "at least 4" in out.markdown
    import re

    shown = set(re.findall(r"\d+(?:\.\d+)?", out.summary))
    assert shown <= {str(v) for v in (170, 5, 4, 8)} | set(re.findall(r"\d+", out.data["date"])), shown
