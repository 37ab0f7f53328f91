"""Every container the lift analyser reads is accepted at upload, typed by content (not by extension)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from powerforge.config import Settings
from storage.uploads import UploadRejected, sniff_mime, store_upload
from vision.io import probe


def _mjpeg_avi(path: Path, frames: int = 20) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (160, 120))
    for i in range(frames):
        img = np.full((120, 160, 3), 40, np.uint8)
        cv2.circle(img, (80, 30 + 3 * i), 20, (200, 200, 200), -1)
        writer.write(img)
    writer.release()
    return path


def test_mjpeg_avi_is_accepted_and_readable(settings, engine, account, tmp_path):
    clip = _mjpeg_avi(tmp_path / "webcam.avi")
    stored = store_upload(clip, filename="webcam.avi", account_id=account.id, files_dir=settings.files_dir,
                          max_bytes=settings.upload_max_bytes, allowed=settings.allowed_upload_types,
                          engine=engine)  # fmt: skip
    assert stored.mime == "video/x-msvideo" and stored.path.suffix == ".avi"
    info = probe(stored.path)
    assert info.codec == "mjpeg" and info.frame_count == 20


def test_transport_stream_and_mpeg_are_typed_as_video():
    ts = bytearray(188 * 8)
    for i in range(0, len(ts), 188):
        ts[i] = 0x47
    assert sniff_mime(bytes(ts), "clip.ts") == "video/mp2t"
    m2ts = bytearray(192 * 8)
    for i in range(4, len(m2ts), 192):
        m2ts[i] = 0x47
    assert sniff_mime(bytes(m2ts), "clip.mts") == "video/mp2t"
    assert sniff_mime(b"\x00\x00\x01\xba" + b"\x44" + bytes(200), "clip.mpg") == "video/mpeg"


def test_default_settings_accept_the_video_containers():
    allowed = Settings(_env_file=None).allowed_upload_types
    for mime in ("video/mp4", "video/quicktime", "video/x-matroska", "video/webm", "video/x-msvideo", "video/mpeg",
                 "video/mp2t"):  # fmt: skip
        assert mime in allowed


def test_a_renamed_text_file_is_still_refused(settings, engine, account, tmp_path):
    fake = tmp_path / "lift.avi"
    fake.write_text("not a video at all\n" * 10)
    with pytest.raises(UploadRejected, match="text/plain"):
        store_upload(fake, filename="lift.avi", account_id=account.id, files_dir=settings.files_dir,
                     max_bytes=settings.upload_max_bytes, allowed=frozenset({"video/x-msvideo"}),
                     engine=engine)  # fmt: skip
