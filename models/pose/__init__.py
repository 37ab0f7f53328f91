"""The pose interface: frames in, one `Keypoints` per frame out, whatever model runs underneath.

    backend = get_backend("blazepose")        # or "rtmpose"
    kp = backend(frame_bgr, t=frame.t, frame_index=frame.index)
    backend.close()

Weights are never downloaded here: `get_backend` looks them up through the model manifest and
raises `models.manifest.ModelMissing` (whose message names the pull command) when absent.
"""

from __future__ import annotations

from pathlib import Path
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


def _find(folder: Path, patterns: tuple[str, ...]) -> Path | None:
    for pattern in patterns:
        hits = sorted(folder.rglob(pattern))
        if hits:
            return hits[0]
    return None


def model_path(name: str, settings: Settings) -> Path:
    """Installed weights through the manifest; before it exists, the same folder it installs into."""
    try:
        from models.manifest import model_path as manifest_path
    except ImportError:
        path = settings.models_dir / name
        if not path.exists():
            raise FileNotFoundError(
                f"The model '{name}' is not installed. Install it with: powerforge models pull {name}"
            ) from None
        return path
    return manifest_path(name, settings)


def get_backend(name: str = "blazepose", settings: Settings | None = None, *, threads: int = 1) -> PoseBackend:
    """The named backend with its installed weights; ModelMissing tells the user how to install them."""
    from powerforge.config import get_settings

    settings = settings or get_settings()
    key = name.lower().replace("_", "-")
    if key in ("blazepose", "blazepose-full", "mediapipe"):
        from models.pose.blazepose import BlazePoseBackend

        path = model_path("blazepose-full", settings)
        task = path if path.is_file() else _find(path, ("*.task",))
        if task is None:
            raise FileNotFoundError(f"No .task bundle inside {path}; run `powerforge models pull blazepose-full`.")
        return BlazePoseBackend(task)
    if key in ("rtmpose", "rtmpose-m"):
        from models.pose.rtmpose import RTMPoseBackend

        path = model_path("rtmpose-m", settings)
        folder = path if path.is_dir() else path.parent
        pose = path if path.is_file() and "yolox" not in path.name else _find(folder, ("rtmpose*.onnx", "end2end.onnx"))
        det = _find(folder, ("yolox*.onnx", "det*.onnx"))
        if pose is None:
            raise FileNotFoundError(f"No RTMPose .onnx inside {folder}; run `powerforge models pull rtmpose-m`.")
        return RTMPoseBackend(pose, det, threads=threads)
    raise ValueError(f"Unknown pose backend '{name}'; choose one of: {', '.join(BACKENDS)}.")


__all__ = ["BACKENDS", "COCO17", "SKELETON", "Keypoints", "PoseBackend", "get_backend"]
