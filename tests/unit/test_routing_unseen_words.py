"""Classes of routing miss found with everyday wording of our own (training, programs, check-ins, boxing,
lift clips); never lines of the development chat set. Each case failed before its fix: the line went to the
wrong tool, to the model (slow), or reached the right tool with the wrong arguments.
"""

from __future__ import annotations

import pytest

from agent.router import route_by_code
from agent.tools.base import Attachment, load_tools
from training.edits import parse_edit
from training.parse import parse_sets

TOOLS = load_tools()


def _route(text: str):
    return route_by_code(text, [], TOOLS)


# A new check-in asked for with an article ("a check-in", "a reminder") is a new one, not a change of an
# existing one: before, "set a … check-in for <day>" went to checkin_update (a write misplaced).
@pytest.mark.parametrize(
    "text",
    [
        "set a readiness check for 6:30 on weekdays",
        "create a weekly review for sunday at 7pm",
        "i'd like a new check-in on mondays at 9",
        "book me a check in on thursday evenings",
        "i need a reminder every night at 10 to log food",
    ],
)
def test_a_check_in_asked_for_with_an_article_is_created(text: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "checkin_create", r


@pytest.mark.parametrize("text", ["set the readiness check to 6:45", "make the weekly review saturdays"])
def test_a_named_existing_check_in_is_still_changed(text: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "checkin_update", r


# "What's my best squat / bench PR": the heaviest logged set (1 rep or more), answered by code.
@pytest.mark.parametrize(
    ("text", "lift"),
    [
        ("what is my best deadlift?", "deadlift"),
        ("whats my ohp pr", "overhead_press"),
        ("heaviest bench i've done", "bench_press"),
        ("tell me my squat pb", "back_squat"),
    ],
)
def test_a_best_lift_question_is_the_heaviest_set(text: str, lift: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_rep_max", r
    assert r.args == {"exercise": lift, "reps": 1}


@pytest.mark.parametrize(
    ("text", "not_tool"),
    [
        ("what's the best way to deadlift", "train_rep_max"),
        ("what's my best deadlift e1rm", "train_rep_max"),
        ("what's the best exercise for my upper back", "train_rep_max"),
    ],
)
def test_best_in_advice_or_an_estimate_is_no_heaviest_set(text: str, not_tool: str) -> None:
    r = _route(text)
    assert r is None or r.tool != not_tool, r


# How a session went, in a lifter's words, is the session summary — not today's plan, not a note search.
@pytest.mark.parametrize(
    "text",
    ["recap today's session", "how was the workout?", "summarize my latest workout", "sum up tonight's session"],
)
def test_how_a_session_went_is_its_summary(text: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_summary", r


def test_a_period_is_not_one_sessions_summary() -> None:
    r = _route("summary of my training this month")
    assert r is None or r.tool != "train_summary", r


# "whats on <day>" (no apostrophe, no workout noun) asks for the planned session of that day.
@pytest.mark.parametrize(("text", "day"), [("whats on for tmrw", "tomorrow"), ("what's on saturday", "saturday")])
def test_whats_on_a_day_is_that_days_workout(text: str, day: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_today" and r.args == {"day": day}, r


# Questions about the last clip in more words: speed of the first/last rep, the drop in speed, the MVT.
@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("bar velocity on my final rep?", {"which": "last", "ask": "speed"}),
        ("what was my speed on the last rep", {"which": "last", "ask": "speed"}),
        ("how much did the bar speed drop?", {"ask": "velocity_loss"}),
    ],
)
def test_a_clip_question_in_other_words_is_the_clip_answer(text: str, args: dict) -> None:
    r = _route(text)
    assert r is not None and r.tool == "lift_result", r
    assert {k: v for k, v in (r.args or {}).items() if k in args} == args


def test_a_minimum_velocity_said_in_words_sets_the_profile_threshold() -> None:
    r = _route("my minimum velocity on deadlift is 0.2")
    assert r is not None and r.tool == "lift_profile", r
    assert r.args["lift"] == "deadlift" and r.args["mvt_m_s"] == 0.2


# A punch pointed at by "number N" or "the Nth one" is corrected, with that number.
@pytest.mark.parametrize(
    ("text", "number", "kind"),
    [("number 7 was an uppercut", 7, "uppercut"), ("the 5th one was a jab, not a cross", 5, "jab")],
)
def test_a_punch_pointed_at_by_its_number_is_corrected(text: str, number: int, kind: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "correct_punch", r
    assert r.args == {"number": number, "kind": kind}


# A max worked out from a set is a question (train_e1rm), never a set to log; the question words are
# not an exercise ("e1rm if i did…" had the exercise "e rm if").
@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("e1rm bench 100x5", {"exercise": "bench_press", "load": 100.0, "reps": 5}),
        ("what would my 1rm be if i did 150 for 3", {"load": 150.0, "reps": 3}),
        ("estimate my 1rm from 90 x 10 on ohp", {"exercise": "overhead_press", "load": 90.0, "reps": 10}),
    ],
)
def test_a_max_from_a_set_is_estimated_not_logged(text: str, args: dict) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_e1rm", r
    assert r.args == args


def test_a_set_with_a_max_word_in_a_remark_is_still_logged() -> None:
    r = _route("bench 100x5, felt like a max effort")
    assert r is not None and r.tool == "train_log_sets", r


# Approving a draft with a short yes first, or in other verbs ("go with", "lock in").
@pytest.mark.parametrize(
    "text",
    ["sounds good, approve that", "yeah let's go with this one", "great - lock it in", "love it, save it please"],
)
def test_an_approval_with_a_short_yes_first_approves_the_draft(text: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "program_approve", r


@pytest.mark.parametrize("text", ["approve my food log?", "go with the flow"])
def test_no_approval_without_a_draft_word_or_pointer(text: str) -> None:
    r = _route(text)
    assert r is None or r.tool != "program_approve", r


# A new sets × reps said with a lifter's verb ("bump", "drop … down to", "up") changes the program; it logs nothing.
@pytest.mark.parametrize(
    "text",
    [
        "bump squats to 4x6 in the program",
        "drop deadlift down to 2x3 on friday",
        "up the rows to 4 sets of 10 in my plan",
    ],
)
def test_a_set_scheme_with_a_lifters_verb_edits_the_program(text: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "program_edit", r


# Something added to / changed in "my program" is never a new program drafted from scratch.
@pytest.mark.parametrize(
    "text", ["add an extra conditioning day to my program", "make my plan a bit lighter, work is crazy this week"]
)
def test_a_change_to_my_program_is_not_a_new_program(text: str) -> None:
    r = _route(text)
    assert r is None or r.by != "code" or r.tool != "program_draft", r


# A remark after a comma ("…, hips were sore") is the set's note, not part of the exercise name: the line is
# logged by code with the lift it names (before, "squat knees bit achy" was the exercise, or the model was asked).
@pytest.mark.parametrize(
    ("text", "exercise", "note"),
    [
        ("did 3x8 rdl @ 90, hamstrings were cooked", "rdl", "hamstrings were cooked"),
        ("front squat 100x3x3 today, left knee a bit achy", "front squat", "left knee a bit achy"),
    ],
)
def test_a_remark_after_the_set_leaves_the_exercise_name_alone(text: str, exercise: str, note: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_log_sets", r
    (entry,) = parse_sets(text)
    assert entry.exercise_text == exercise and entry.notes == note


def test_words_after_a_set_that_name_a_lift_stay_the_lift() -> None:
    assert [e.exercise_text for e in parse_sets("100x5, close grip bench")] == ["close grip bench"]


# A question that holds a score or a set scheme asks; it never stores readiness or logs sets.
@pytest.mark.parametrize(
    ("text", "write"),
    [
        ("should i still lift if my readiness is a 2", "checkin_readiness"),
        ("can i train legs if i'm a 1/5 today?", "checkin_readiness"),
        ("should i run 4x8 or 5x5 on squats?", "train_log_sets"),
        ("should i do 4x4 or 6x2 tomorrow?", "train_log_sets"),
        ("would 3x10 at 60 be too light for rows", "train_log_sets"),
    ],
)
def test_a_question_with_a_score_or_a_scheme_writes_nothing(text: str, write: str) -> None:
    r = _route(text)
    assert r is None or r.tool != write, r


def test_asking_to_log_a_set_still_logs_it() -> None:
    r = _route("could you log rows 60x12 for me")
    assert r is not None and r.tool == "train_log_sets", r


# Readiness said as "I'm a 4", "feeling like a 2 today" is stored with that score.
@pytest.mark.parametrize(("text", "score"), [("i'm feeling like a 2 today", 2), ("honestly im a 4 out of 5", 4)])
def test_readiness_said_as_im_a_n_is_stored(text: str, score: int) -> None:
    r = _route(text)
    assert r is not None and r.tool == "checkin_readiness" and r.args["score"] == score, r


# "remind me tmrw / next friday / on sundays …" sets a reminder (before: only a few words after "remind me").
@pytest.mark.parametrize("text", ["remind me tmr at 6 to pack my gym bag", "remind me next friday to test my max"])
def test_remind_me_with_a_day_word_first_creates_a_reminder(text: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "checkin_create", r


# "Should I …?" about a program or a reminder asks for advice: no edit, no new draft, no check-in.
@pytest.mark.parametrize(
    ("text", "write"),
    [
        ("should i swap bench for dips in my program?", "program_edit"),
        ("should i go for a new program after this block", "program_draft"),
        ("should i set up a reminder to weigh in", "checkin_create"),
    ],
)
def test_should_i_about_a_program_or_reminder_changes_nothing(text: str, write: str) -> None:
    r = _route(text)
    assert r is None or r.by != "code" or r.tool != write, r


@pytest.mark.parametrize(
    ("text", "tool"),
    [("can u swap squats for hack squats", "program_edit"), ("can i get a 5 day program", "program_draft")],
)
def test_a_polite_can_you_is_still_a_request(text: str, tool: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == tool, r


# A punch that was no punch, or a correction with "wasn't X, it was Y", is corrected with its number.
@pytest.mark.parametrize(
    ("text", "number", "kind"),
    [("punch 9 wasn't even a punch", 9, "none"), ("the 6th punch wasn't a hook, it was an uppercut", 6, "uppercut")],
)
def test_a_punch_said_not_to_be_one_is_corrected(text: str, number: int, kind: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "correct_punch" and r.args == {"number": number, "kind": kind}, r


# Guard and hand-return questions in everyday words are answered from the round's data.
@pytest.mark.parametrize(
    ("text", "habit"),
    [
        ("hows my guard look in that round?", "drop"),
        ("were my hands up high enough", "drop"),
        ("how fast did my cross come back", "return"),
    ],
)
def test_guard_and_return_questions_in_other_words_are_round_follow_ups(text: str, habit: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "strike_followup" and r.args["habit"] == habit, r


# A load said in plates ("2 plates for 6") is a set, never a plate-maths question about the rep count.
@pytest.mark.parametrize("text", ["bench 2 plates for 6", "did 4 plates on deadlift for 3"])
def test_a_load_said_in_plates_is_no_plate_question(text: str) -> None:
    r = _route(text)
    assert r is None or r.tool != "train_plates", r


@pytest.mark.parametrize(("text", "load"), [("how can i make 92.5 on the bar", 92.5), ("how do i set up 60kg", 60.0)])
def test_how_do_i_make_a_load_is_plate_maths(text: str, load: float) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_plates" and r.args["load"] == load, r


# A single/double/triple with the load first and the lift between ("a 190 deadlift single"), or a time word
# between ("150 this morning for a double"), is a set logged by code.
@pytest.mark.parametrize(
    ("text", "exercise", "load", "reps"),
    [
        ("pulled a 190 deadlift single", "deadlift", 190.0, 1),
        ("hit a 100 kg bench double", "bench", 100.0, 2),
        ("squatted 150 this morning for a triple", "squat", 150.0, 3),
    ],
)
def test_a_rep_word_after_the_load_and_lift_is_a_set(text: str, exercise: str, load: float, reps: int) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_log_sets", r
    (entry,) = parse_sets(text)
    assert exercise in entry.exercise_text and [(s.load, s.reps) for s in entry.sets] == [(load, reps)]


# "what do I have on <day>", "what's next in my program": the planned session.
@pytest.mark.parametrize(
    ("text", "day"), [("what do i have on wednesday", "wednesday"), ("whats next on the plan", "today")]
)
def test_what_do_i_have_on_a_day_is_that_days_workout(text: str, day: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_today" and r.args == {"day": day}, r


# A program request with its days a week after a comma is the program, not a weekly chart of a lift.
@pytest.mark.parametrize(
    "text", ["write me a hypertrophy program, 4 days a week", "new plan for my bench, 3 days a week"]
)
def test_a_program_request_with_days_a_week_is_a_draft(text: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "program_draft", r


_CLIP = Attachment(upload_id="u-clip", filename="set.mp4", mime="video/mp4", path="/nonexistent/set.mp4", size_bytes=1)


# A set said with a clip attached is the clip's load and reps, to analyse (before: a tie with the set logger,
# or plate maths for "plates are 45cm", so the model chose); the load, reps and plate size are read by code.
@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("ohp 60kg 6 reps", {"lift": "press", "load_kg": 60.0, "reps": 6}),
        ("deadlift: 200 for 2", {"lift": "deadlift", "load_kg": 200.0, "reps": 2}),
        ("bench set, 3 reps at 110kg, plates are 45 cm", {"lift": "bench", "load_kg": 110.0, "plate_mm": 450.0}),
        ("can you look at my squat set", {"lift": "squat"}),
    ],
)
def test_a_set_said_with_a_clip_attached_is_analysed(text: str, args: dict) -> None:
    r = route_by_code(text, [_CLIP], TOOLS)
    assert r is not None and r.tool == "analyse_lift", r
    assert {k: v for k, v in (r.args or {}).items() if k in args} == args


# Boxing clips in other words ("shadowboxing", "bag session", "sparring") are boxing, never a lift.
@pytest.mark.parametrize("text", ["shadowboxing from tonight", "heavy bag rounds, thoughts?", "my bag session"])
def test_a_boxing_clip_in_other_words_is_analysed_as_boxing(text: str) -> None:
    r = route_by_code(text, [_CLIP], TOOLS)
    assert r is not None and r.tool == "analyse_strikes", r


def test_analyse_my_sparring_without_a_clip_still_goes_to_the_boxing_analysis() -> None:
    r = _route("analyse my sparring from today")
    assert r is not None and r.tool == "analyse_strikes", r


# A max said as "squat tm 140" or "my deadlift 1rm went up to 210" is stored (before: nothing, or an e1RM look-up).
@pytest.mark.parametrize(
    ("text", "maxes", "kind"),
    [
        ("bench tm 92.5", {"bench_press": 92.5}, "tm"),
        ("my squat 1rm went up to 172.5", {"back_squat": 172.5}, "1rm"),
        ("ohp one rep max is now 70", {"overhead_press": 70.0}, "1rm"),
    ],
)
def test_a_max_said_in_other_words_is_stored(text: str, maxes: dict, kind: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_set_maxes", r
    assert r.args is not None and r.args["maxes"] == maxes and r.args["kind"] == kind


# Cancelling a check-in with other verbs ("kill", "ditch", "no more …", "I don't need …").
@pytest.mark.parametrize(
    "text", ["ditch the sunday review", "no more readiness checks please", "i dont need the dinner reminder now"]
)
def test_a_check_in_cancelled_in_other_words_is_cancelled(text: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "checkin_cancel", r


# A week of the program is the program's table, not today's session.
@pytest.mark.parametrize(
    ("text", "week"), [("what's in week 4 of the plan", 4), ("show me my program for next week", None)]
)
def test_a_week_of_the_program_is_the_program(text: str, week: int | None) -> None:
    r = _route(text)
    assert r is not None and r.tool == "program_show" and (r.args or {}).get("week") == week, r


# The end of a session said plainly closes it with its summary.
@pytest.mark.parametrize("text", ["workout over", "thats it for tonight", "all done, summary please"])
def test_the_end_of_a_session_said_plainly_is_its_summary(text: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "train_summary" and r.args == {"finish": True}, r


# A program edit with its reason after the day ("… on friday, my elbow's sore", "… since …") is read by code,
# and the reason is no part of the exercise.
@pytest.mark.parametrize(
    ("text", "exercise", "new", "day"),
    [
        ("swap squats for belt squats on tuesday, my back is fried", "squats", "belt squats", "tuesday"),
        ("take curls off friday because my elbow hurts", "curls", None, "friday"),
    ],
)
def test_a_program_edit_with_a_reason_after_the_day(text: str, exercise: str, new: str | None, day: str) -> None:
    r = _route(text)
    assert r is not None and r.tool == "program_edit", r
    (op,) = parse_edit(text) or []
    assert (op.exercise, op.new_exercise, op.day) == (exercise, new, day)


def test_a_second_object_after_a_comma_is_not_cut_off_as_a_reason() -> None:
    (op,) = parse_edit("swap squat for leg press, the hack squat too") or []
    assert op.new_exercise != "leg press"  # not read as a complete edit; the model sees it


def test_a_remark_after_but_is_the_sets_note() -> None:
    r = _route("did rows 4x10 @ 60 but grip gave out")
    assert r is not None and r.tool == "train_log_sets", r
    (entry,) = parse_sets("did rows 4x10 @ 60 but grip gave out")
    assert entry.exercise_text == "rows" and entry.notes == "grip gave out"


def test_how_many_reps_were_counted_is_the_clip_answer() -> None:
    r = _route("how many reps were detected?")
    assert r is not None and r.tool == "lift_result" and (r.args or {}).get("ask") == "reps", r


# The day of a check-in asked for in a lifter's words: "for saturday" is that day (before: tomorrow), "on
# wednesday nights" repeats on wednesdays (before: every day).
def test_a_check_in_for_a_day_is_on_that_day_and_day_parts_in_the_plural_repeat() -> None:
    from datetime import UTC, datetime

    from checkins.parse import parse_request

    monday_noon = datetime(2030, 1, 7, 12, tzinfo=UTC)  # a Monday, fixed: the test never reads today's date
    (one,) = parse_request("set a reminder for saturday morning to deload", monday_noon, "UTC")
    assert one.recurrence.rule == "once" and one.recurrence.run_at is not None
    assert one.recurrence.run_at.weekday() == 5
    (weekly,) = parse_request("book me a check in on wednesday nights at 9pm", monday_noon, "UTC")
    assert weekly.recurrence.rule == "weekly" and weekly.recurrence.weekdays == (2,)
