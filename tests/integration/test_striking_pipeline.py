"""The striking pipeline end to end on a video the test makes: real decoding (vision.io), the real
RTMPose backend through rtmlib on stand-in ONNX files with the official input/output signature
(YOLOX dets/labels; RTMPose SimCC x/y), the job, the chat tools and the database.

The stand-in pose model reads one number from the picture, its mean brightness, and moves the right
wrist with it, so a frame sequence whose brightness pulses is a boxer throwing punches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from support.striking import H, W, install_standin_rtmpose, pulse_video, standin_yolox
from support.uploads import attach

from agent.tools.base import ToolContext, ToolError, load_tools
from models.pose import get_backend
from models.pose.keypoints import K


@pytest.fixture
def rtmpose_installed(settings):
    folder = install_standin_rtmpose(settings.models_dir)
    settings.pose_backend = "rtmpose"
    return folder


def test_rtmpose_backend_through_the_pose_interface(settings, rtmpose_installed) -> None:
    backend = get_backend("rtmpose", settings)
    dark = backend(np.full((H, W, 3), 30, np.uint8), 0.0, 0)
    bright = backend(np.full((H, W, 3), 230, np.uint8), 0.033, 1)
    backend.close()
    assert dark.persons == bright.persons == 1
    assert dark.xy.shape == (1, 17, 2) and dark.names[9] == "left_wrist"
    assert (dark.conf > 0.9).all()
    # points sit inside the detected person box, and brightness moved only the right wrist, leftwards
    assert (dark.xy[0, :, 0] > 100).all() and (dark.xy[0, :, 0] < 540).all()
    moved = np.linalg.norm(bright.xy[0] - dark.xy[0], axis=1)
    assert moved[K["right_wrist"]] > 50 and np.delete(moved, K["right_wrist"]).max() < 2
    assert bright.xy[0, K["right_wrist"], 0] < dark.xy[0, K["right_wrist"], 0]


def test_missing_weights_name_the_pull_command(settings) -> None:
    with pytest.raises(Exception, match="powerforge models pull rtmpose-m"):
        get_backend("rtmpose", settings)


def test_analyse_tool_end_to_end_on_a_generated_clip(settings, engine, account, rtmpose_installed, tmp_path) -> None:
    from storage.striking import latest_round

    clip = pulse_video(tmp_path / "round.mp4", [1.0, 2.6])
    att = attach(settings, engine, account, clip)
    tools = load_tools()
    events: list[tuple[float, str]] = []
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, attachments=[att],
                      text="check my round", progress=lambda f, m: events.append((f, m)))  # fmt: skip
    args = tools["analyse_strikes"].match("check my round", [att])
    assert args is not None
    out = tools["analyse_strikes"].run(ctx, args)
    assert out.data["punch_count"] == 2
    assert [round(p["t_peak"], 1) for p in out.data["punches"]] == pytest.approx([0.9, 2.5], abs=0.15)
    assert all(p["hand"] == "right" for p in out.data["punches"])
    assert out.videos and Path(out.videos[0]).stat().st_size > 1000
    assert events and events[-1][0] == 1.0
    stored = latest_round(account.id, engine)
    assert stored is not None and stored.punch_count == 2

    fix = tools["correct_punch"].match("the second punch was a hook, not a cross", [])
    assert fix is not None and fix.number == 2
    done = tools["correct_punch"].run(ctx, fix)
    assert done.data["shape"] == "hook"
    from storage.striking import corrections

    saved = corrections(account.id, engine)
    assert len(saved) == 1 and np.asarray(saved[0].window).shape == (6, 17, 2)

    follow = tools["strike_followup"].match("how fast do I bring my right hand back?", [])
    assert follow is not None and follow.habit == "return"
    answer = tools["strike_followup"].run(ctx, follow)
    assert "on average over 2 punches" in answer.markdown


def test_corrupt_and_personless_clips_give_clear_messages(settings, engine, account, rtmpose_installed,
                                                           tmp_path) -> None:  # fmt: skip
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 500)
    att = attach(settings, engine, account, bad)
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, attachments=[att])
    tool = load_tools()["analyse_strikes"]
    with pytest.raises(ToolError) as err:
        tool.run(ctx, tool.args_model(upload_id=att.upload_id))
    assert "Traceback" not in str(err.value) and len(str(err.value)) > 10
    # no detector hit → no person
    standin_yolox(rtmpose_installed / "yolox-m.onnx", (0, 0, 0, 0))
    m = onnx.load(str(rtmpose_installed / "yolox-m.onnx"))
    for init in m.graph.initializer:
        if init.name == "d":
            init.CopyFrom(numpy_helper.from_array(np.zeros((1, 1, 5), np.float32), "d"))
    onnx.save(m, str(rtmpose_installed / "yolox-m.onnx"))
    clip = pulse_video(tmp_path / "empty.mp4", [], seconds=1.0)
    att2 = attach(settings, engine, account, clip)
    ctx2 = ToolContext(account_id=account.id, settings=settings, engine=engine, attachments=[att2])
    with pytest.raises(ToolError, match="couldn't see a person"):
        tool.run(ctx2, tool.args_model(upload_id=att2.upload_id))
