"""The pose interface: frames in, one `Keypoints` per frame out, whatever model runs underneath.

    backend = get_backend("blazepose")        # or "rtmpose"
    kp = backend(frame_bgr, t=frame.t, frame_index=frame.index)
    backend.close()

Weights are never downloaded here: `get_backend` looks them up through the model manifest and
raises `models.manifest.ModelMissing` (whose message names the pull command) when absent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from models.pose.keypoints import COCO17, SKELETON, Keypoints

if TYPE_CHECKING:
    from powerforge.config import Settings

BACKENDS = {"blazepose": "blazepose-full", "rtmpose": "rtmpose-m"}


@runtime_checkable
class PoseBackend(Protocol):
    name: str

    def __call__(self, image_bgr: np.ndarray, t: float, frame_index: int) -> Keypoints: ...

    def close(self) -> None: ...


RTMPOSE_FILES = ("rtmpose-m.onnx", "yolox-m.onnx")  # the `save_as` names in models/manifest/rtmpose-m.toml


def get_backend(name: str = "blazepose", settings: Settings | None = None, *, threads: int = 1) -> PoseBackend:
    """The named backend with its installed weights, found only through the model manifest
    (`models.manifest.model_path`); `ModelMissing` names the pull command when they are absent."""
    from models.manifest import model_path
    from powerforge.config import get_settings

    settings = settings or get_settings()
    key = name.lower().replace("_", "-")
    if key in ("blazepose", "blazepose-full", "mediapipe"):
        from models.pose.blazepose import BlazePoseBackend

        return BlazePoseBackend(model_path("blazepose-full", settings))
    if key in ("rtmpose", "rtmpose-m"):
        from models.pose.rtmpose import RTMPoseBackend

        folder = model_path("rtmpose-m", settings)
        pose, det = (folder / f for f in RTMPOSE_FILES)
        return RTMPoseBackend(pose, det, threads=threads)
    raise ValueError(f"Unknown pose backend '{name}'; choose one of: {', '.join(BACKENDS)}.")


__all__ = ["BACKENDS", "COCO17", "RTMPOSE_FILES", "SKELETON", "Keypoints", "PoseBackend", "get_backend"]
