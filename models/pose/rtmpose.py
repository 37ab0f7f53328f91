"""RTMPose (top-down, SimCC heads) through rtmlib, with a YOLOX person detector in front.

rtmlib would download its ONNX files on first use; we only ever hand it local paths that
`powerforge models pull rtmpose-m` installed and verified. rtmlib has no thread option, so the
onnxruntime sessions are rebuilt here with an explicit thread count (one clip per core).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np

from models.pose.keypoints import Keypoints


def _session(path: Path, threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


class RTMPoseBackend:
    """Detector boxes → RTMPose keypoints for each box (COCO-17)."""

    name = "rtmpose"

    def __init__(self, pose_onnx: Path, det_onnx: Path | None = None, *, threads: int = 1,
                 det_score: float = 0.5) -> None:  # fmt: skip
        from rtmlib import YOLOX, RTMPose

        for p in (pose_onnx, det_onnx):
            if p is not None and not Path(p).is_file():  # rtmlib would try to download a missing path
                raise FileNotFoundError(f"RTMPose model file not found: {p}")
        with contextlib.redirect_stdout(io.StringIO()):  # rtmlib prints on load
            self._pose = RTMPose(str(pose_onnx), model_input_size=self._input_size(pose_onnx),
                                 backend="onnxruntime", device="cpu")  # fmt: skip
            self._pose.session = _session(Path(pose_onnx), threads)
            self._det = None
            if det_onnx is not None:
                self._det = YOLOX(str(det_onnx), model_input_size=(640, 640), score_thr=det_score,
                                  backend="onnxruntime", device="cpu")  # fmt: skip
                self._det.session = _session(Path(det_onnx), threads)

    @staticmethod
    def _input_size(path: Path) -> tuple[int, int]:
        """(width, height) from the model's own input shape, so 256x192 and 384x288 both work."""
        import onnx

        model = onnx.load(str(path), load_external_data=False)
        dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        return (dims[3], dims[2]) if len(dims) == 4 and dims[2] and dims[3] else (192, 256)

    def __call__(self, image_bgr: np.ndarray, t: float, frame_index: int) -> Keypoints:
        img = image_bgr if image_bgr.ndim == 3 else np.repeat(image_bgr[..., None], 3, axis=2)
        if self._det is not None:
            boxes = np.asarray(self._det(img)).reshape(-1, 4)
            if len(boxes) == 0:
                return Keypoints.empty(t, frame_index)
            bboxes = [list(map(float, b)) for b in boxes]
        else:
            h, w = img.shape[:2]
            bboxes = [[0.0, 0.0, float(w), float(h)]]
        kps, scores = self._pose(img, bboxes=bboxes)
        return Keypoints.from_rtmlib(kps, scores, t, frame_index)

    def close(self) -> None:
        self._pose = self._det = None  # type: ignore[assignment]
