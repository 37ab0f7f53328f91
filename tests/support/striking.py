"""What the striking tests share: RTMPose stand-in ONNX files with the official input/output signature
(generated here, never downloaded), a clip whose brightness pulses drive the stand-in's right wrist
(so pulses are punches), the MMDeploy SDK archive layout of the official RTMPose zips, and the
BlazePose bundle that `powerforge models pull blazepose-full` installed in the project's models folder.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from models.manifest import get_entry, install_dir, installed_files_present
from models.pose import RTMPOSE_FILES
from models.pose.keypoints import K
from powerforge.config import Settings
from striking.synthetic import Script, generate

W, H = 640, 480


def standin_rtmpose(path: Path) -> Path:
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


def standin_yolox(path: Path, box: tuple[float, float, float, float]) -> Path:
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


def install_standin_rtmpose(models_dir: Path, box: tuple[float, float, float, float] = (160, 40, 480, 460)) -> Path:
    """The stand-ins where `powerforge models pull rtmpose-m` puts the real files."""
    folder = models_dir / "rtmpose-m"
    folder.mkdir(parents=True, exist_ok=True)
    pose, det = (folder / f for f in RTMPOSE_FILES)
    standin_rtmpose(pose)
    standin_yolox(det, box)
    return folder


def sdk_archive(onnx_model: bytes, folder_name: str) -> bytes:
    """A zip laid out like OpenMMLab's `onnx_sdk/*.zip`: one MMDeploy SDK folder holding end2end.onnx
    and its JSON descriptions."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{folder_name}/", "")
        z.writestr(f"{folder_name}/end2end.onnx", onnx_model)
        for name in ("deploy.json", "detail.json", "pipeline.json"):
            z.writestr(f"{folder_name}/{name}", json.dumps({"version": "1.0.0", "file": name}))
    return buf.getvalue()


def pulse_video(path: Path, punches_at: list[float], seconds: float = 4.0, fps: float = 30.0) -> Path:
    from vision.io import write_video

    def frames():
        for i in range(int(seconds * fps)):
            t = i / fps
            level = 40 + sum(200 * max(0.0, 1 - abs(t - p) / 0.2) for p in punches_at)
            yield np.full((H, W, 3), min(255, int(level)), np.uint8)

    return write_video(path, frames(), fps)


def pulled_blazepose() -> Path | None:
    """The bundle in the project's models folder (`Settings().models_dir`, where `make test-deps` runs
    `powerforge models pull blazepose-full`), or None when it has not been pulled."""
    entry = get_entry("blazepose-full")
    folder = install_dir(entry.name, Settings())
    return folder if installed_files_present(entry, folder) else None


def share_blazepose(models_dir: Path) -> bool:
    """Make the pulled bundle visible in another data dir's models folder (a link, no copy)."""
    folder = pulled_blazepose()
    if folder is None:
        return False
    models_dir.mkdir(parents=True, exist_ok=True)
    link = models_dir / "blazepose-full"
    if not link.exists():
        link.symlink_to(folder.resolve(), target_is_directory=True)
    return True
