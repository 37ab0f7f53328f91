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
from onnx import TensorProto, helper, numpy_helper

from agent.tools.base import Attachment, ToolContext, ToolError, load_tools
from models.pose import get_backend
from models.pose.keypoints import K
from striking.synthetic import Script, generate

W, H = 640, 480


def _standin_rtmpose(path: Path) -> Path:
    """(1,3,256,192) → simcc_x (1,17,384), simcc_y (1,17,512); peaks at a fixed pose, right wrist x
    shifted by the input's mean (normalised) brightness."""
    _t, xy, _ = generate(Script(duration_s=0.1, center=(96.0, 70.0), scale=28.0, noise_px=0.0))
    base = xy[0] * 2.0  # SimCC bins are half pixels of the 192x256 crop
    gain = np.zeros((1, 17, 1), np.float32)
    gain[0, K["right_wrist"], 0] = -60.0  # brighter frame → wrist further left (a jab to image-left)
    inits = [
        numpy_helper.from_array(np.arange(384, dtype=np.float32).reshape(1, 1, 384), "ix"),
        numpy_helper.from_array(np.arange(512, dtype=np.float32).reshape(1, 1, 512), "iy"),
        numpy_helper.from_array(base[:, 0].reshape(1, 17, 1).astype(np.float32), "bx"),
        numpy_helper.from_array(base[:, 1].reshape(1, 17, 1).astype(np.float32), "by"),
        numpy_helper.from_array(gain, "gx"),
        numpy_helper.from_array(np.array(1.0, np.float32), "one"),
        numpy_helper.from_array(np.array(50.0, np.float32), "width"),
    ]
    nodes = [
        helper.make_node("ReduceMean", ["input"], ["m"], keepdims=0),
        helper.make_node("Mul", ["gx", "m"], ["shift"]),
        helper.make_node("Add", ["bx", "shift"], ["cx"]),
    ]
    for axis, idx, centre in (("x", "ix", "cx"), ("y", "iy", "by")):
        nodes += [
            helper.make_node("Sub", [idx, centre], [f"d{axis}"]),
            helper.make_node("Mul", [f"d{axis}", f"d{axis}"], [f"d2{axis}"]),
            helper.make_node("Div", [f"d2{axis}", "width"], [f"q{axis}"]),
            helper.make_node("Sub", ["one", f"q{axis}"], [f"simcc_{axis}"]),
        ]
    graph = helper.make_graph(
        nodes, "rtmpose_standin", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 256, 192])],
        [helper.make_tensor_value_info("simcc_x", TensorProto.FLOAT, [1, 17, 384]),
         helper.make_tensor_value_info("simcc_y", TensorProto.FLOAT, [1, 17, 512])], inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def _standin_yolox(path: Path, box: tuple[float, float, float, float]) -> Path:
    """(1,3,640,640) → dets (1,1,5) [x1,y1,x2,y2,score] in 640-px input space, labels (1,1): one person."""
    scale = 640 / max(W, H)
    dets = np.array([[[box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale, 0.95]]], np.float32)
    inits = [numpy_helper.from_array(dets, "d"), numpy_helper.from_array(np.zeros((1, 1), np.int64), "labels_c"),
             numpy_helper.from_array(np.array(0.0, np.float32), "zero")]  # fmt: skip
    nodes = [
        helper.make_node("ReduceMean", ["input"], ["m"], keepdims=0),
        helper.make_node("Mul", ["m", "zero"], ["z"]),
        helper.make_node("Add", ["d", "z"], ["dets"]),
        helper.make_node("Identity", ["labels_c"], ["labels"]),
    ]
    graph = helper.make_graph(
        nodes, "yolox_standin", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 640, 640])],
        [helper.make_tensor_value_info("dets", TensorProto.FLOAT, [1, 1, 5]),
         helper.make_tensor_value_info("labels", TensorProto.INT64, [1, 1])], inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


@pytest.fixture
def rtmpose_installed(settings):
    folder = settings.models_dir / "rtmpose-m"
    folder.mkdir(parents=True, exist_ok=True)
    _standin_rtmpose(folder / "rtmpose-m.onnx")
    _standin_yolox(folder / "yolox-m.onnx", (160, 40, 480, 460))
    settings.pose_backend = "rtmpose"
    return folder


def _attach(settings, engine, account, clip: Path) -> Attachment:
    """Store the clip as a real upload first (as the app does) and attach it."""
    from storage.uploads import store_upload

    up = store_upload(
        clip,
        filename=clip.name,
        account_id=account.id,
        files_dir=settings.files_dir,
        max_bytes=settings.upload_max_bytes,
        allowed=settings.allowed_upload_types,
        engine=engine,
    )
    return Attachment(upload_id=up.id, filename=up.filename, mime=up.mime, path=str(up.path), size_bytes=up.size_bytes)


def _pulse_video(path: Path, punches_at: list[float], seconds: float = 4.0, fps: float = 30.0) -> Path:
    from vision.io import write_video

    def frames():
        for i in range(int(seconds * fps)):
            t = i / fps
            level = 40 + sum(200 * max(0.0, 1 - abs(t - p) / 0.2) for p in punches_at)
            yield np.full((H, W, 3), min(255, int(level)), np.uint8)

    return write_video(path, frames(), fps)


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

    clip = _pulse_video(tmp_path / "round.mp4", [1.0, 2.6])
    att = _attach(settings, engine, account, clip)
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
    att = _attach(settings, engine, account, bad)
    ctx = ToolContext(account_id=account.id, settings=settings, engine=engine, attachments=[att])
    tool = load_tools()["analyse_strikes"]
    with pytest.raises(ToolError) as err:
        tool.run(ctx, tool.args_model(upload_id=att.upload_id))
    assert "Traceback" not in str(err.value) and len(str(err.value)) > 10
    # no detector hit → no person
    _standin_yolox(rtmpose_installed / "yolox-m.onnx", (0, 0, 0, 0))
    m = onnx.load(str(rtmpose_installed / "yolox-m.onnx"))
    for init in m.graph.initializer:
        if init.name == "d":
            init.CopyFrom(numpy_helper.from_array(np.zeros((1, 1, 5), np.float32), "d"))
    onnx.save(m, str(rtmpose_installed / "yolox-m.onnx"))
    clip = _pulse_video(tmp_path / "empty.mp4", [], seconds=1.0)
    att2 = _attach(settings, engine, account, clip)
    ctx2 = ToolContext(account_id=account.id, settings=settings, engine=engine, attachments=[att2])
    with pytest.raises(ToolError, match="couldn't see a person"):
        tool.run(ctx2, tool.args_model(upload_id=att2.upload_id))
