"""'critique my squat' end to end: the attached clip goes through the real lift job (bar + pose in one pass),
the stored critique is rendered, and the follow-ups are answered from the stored analysis with no new pass.
Also the boxing round, and an analysis made before the pose pass existed. Skipped with a reason when
../shared/data or the BlazePose bundle is absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.uploads import attach

from agent.numbers import numbers_in_data, unsupported_numbers
from agent.tools.base import ToolContext, load_tools

pytestmark = pytest.mark.slow


@pytest.fixture
def pose(settings) -> None:
    from support.striking import share_blazepose

    if not share_blazepose(settings.models_dir):
        pytest.skip("BlazePose bundle not pulled (make test-deps runs powerforge models pull blazepose-full)")


def _ctx(settings, engine, account, text: str, attachments=()) -> ToolContext:
    return ToolContext(account_id=account.id, settings=settings, engine=engine, attachments=list(attachments),
                       text=text)  # fmt: skip


def _run(settings, engine, account, text: str, attachments=()):
    tools = load_tools()
    args = tools["critique_technique"].match(text, list(attachments))
    assert args is not None, text
    return tools["critique_technique"].run(_ctx(settings, engine, account, text, attachments), args)


def _only_finding_numbers(out) -> None:
    assert unsupported_numbers(out.markdown, numbers_in_data(out.data)) == [], out.markdown


def test_critique_a_squat_then_follow_ups(settings, engine, account, pose, shared_data: Path, monkeypatch) -> None:
    clip = attach(settings, engine, account, shared_data / "media" / "lifts" / "risevbt-sample2.mp4")
    out = _run(settings, engine, account, "critique my squat", [clip])
    assert out.data["critique"]["work_on"] and out.images  # a key frame per finding, shown inline
    assert len(out.images) == len(out.data["critique"]["work_on"])
    assert "Squat depth" in out.markdown and "Cue:" in out.markdown
    _only_finding_numbers(out)

    # Follow-ups read the stored analysis: decoding a video now would be a new pass.
    import vision.analyse
    import vision.io
    import vision.keyframes

    def no_decoding(*a, **k):
        raise AssertionError("a follow-up decoded the video")

    for module in (vision.io, vision.keyframes, vision.analyse):
        monkeypatch.setattr(module, "iter_frames", no_decoding)
    deeper = _run(settings, engine, account, "was rep 3 deeper than rep 1?")
    assert "Rep 3" in deeper.markdown and "Rep 1" in deeper.markdown
    assert deeper.data["depth"][0]["rep"] == 3 and deeper.images
    every = _run(settings, engine, account, "how deep did i go on that squat?")  # no rep named: every rep
    assert [d["rep"] for d in every.data["depth"]] == [1, 2, 3, 4, 5] and len(every.images) == 1
    _only_finding_numbers(every)
    bottom = _run(settings, engine, account, "show me the bottom of rep 2")
    assert bottom.images and Path(bottom.images[0]).is_file() and "rep 2" in bottom.markdown
    path = _run(settings, engine, account, "is my bar path getting worse over the set?")
    assert path.data["points"] == 5 and "rep 5" in path.markdown
    missing = _run(settings, engine, account, "show me the bottom of rep 9")
    assert not missing.ok and "rep 9" in missing.markdown
    again = _run(settings, engine, account, "what should I fix?")
    assert again.markdown == out.markdown


def test_an_analysis_without_the_pose_pass_offers_to_reanalyse(settings, engine, account, shared_data: Path) -> None:
    from vision.jobs import analyse_job

    clip = attach(settings, engine, account, shared_data / "media" / "lifts" / "risevbt-sample2.mp4")

    class _Progress:
        job_id = "inline"

        def __call__(self, f: float, m: str) -> None:
            pass

    params = {"path": clip.path, "account_id": account.id, "upload_id": clip.upload_id, "lift": "squat",
              "data_dir": str(settings.data_dir), "database_url": settings.database_url, "body": False}  # fmt: skip
    result = analyse_job(params, _Progress())
    # an analysis stored before issue 16 had no critique at all
    from sqlmodel import select

    from storage.engine import transaction
    from storage.tables.lifts import LiftAnalysisRow

    with transaction(engine) as s:
        row = s.exec(select(LiftAnalysisRow).where(LiftAnalysisRow.id == result["analysis_id"])).one()
        row.result = {k: v for k, v in row.result.items() if k not in ("critique", "technique")}
        s.add(row)
    out = _run(settings, engine, account, "how was my technique?")
    assert not out.ok and "before I followed the lifter's body" in out.markdown
    assert out.actions and out.actions[0].tool == "critique_technique"
    assert out.actions[0].args["upload_id"] == clip.upload_id


def test_critique_a_boxing_round(settings, engine, account, pose, shared_data: Path) -> None:
    clip = attach(settings, engine, account, shared_data / "media" / "boxing" / "jab2_clearBG.mp4")
    out = _run(settings, engine, account, "critique my boxing", [clip])
    assert out.data["critique"]["kind"] == "boxing" and out.images
    _only_finding_numbers(out)
    later = _run(settings, engine, account, "what should I fix?")  # no lift analysed: the round answers
    assert later.markdown == out.markdown
