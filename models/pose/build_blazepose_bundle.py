"""Build MediaPipe's `pose_landmarker.task` bundle from the two BlazePose tflite files.

Why this exists: mediapipe >= 0.10.30 (what the app runs) ships no model files and its Tasks API
wants a `.task` bundle whose tflite files carry normalisation metadata; the registry only ships the
bare tflite files (the mediapipe 0.10.21 wheel). And 1.2.2's metadata writer is broken, so this
script runs in a THROWAWAY environment that holds `mediapipe==0.10.21` (numpy<2, protobuf<5: it
cannot live beside the app). `powerforge models pull blazepose-full` creates that environment,
runs this file there and checks the bundle's sha256; a user needs registry access only.

This file must import nothing from the project: it runs under another interpreter.

    python build_blazepose_bundle.py DETECTOR.tflite LANDMARKS.tflite OUT.task
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

# The inputs BlazePose was trained on: detector in [-1, 1], landmark model in [0, 1].
DETECTOR_NORM = ([127.5], [127.5])
LANDMARKS_NORM = ([0.0], [255.0])
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # fixed zip timestamps: the same inputs give the same sha256


def _with_metadata(model: bytes, name: str, norm: tuple[list[float], list[float]]) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, "BlazePose (MediaPipe), normalisation metadata for the Tasks API")
    writer.add_image_input(norm_mean=norm[0], norm_std=norm[1])
    for _ in writer_utils.get_output_tensor_types(bytearray(model)):
        writer.add_feature_output()
    content, _json = writer.populate()
    return bytes(content)


def build(detector: Path, landmarks: Path, out: Path) -> Path:
    """Write the bundle (two stored, 4-byte-aligned zip members, as MediaPipe memory-maps them)."""
    from mediapipe.tasks.python.metadata.metadata_writers.model_asset_bundle_utils import AlignZipFile

    members = {
        "pose_detector.tflite": _with_metadata(detector.read_bytes(), "pose_detector", DETECTOR_NORM),
        "pose_landmarks_detector.tflite": _with_metadata(
            landmarks.read_bytes(), "pose_landmarks_detector", LANDMARKS_NORM
        ),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".partial")
    with AlignZipFile(str(tmp), mode="w", alignment=4) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    tmp.replace(out)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
