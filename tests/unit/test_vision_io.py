"""vision.io on files the project makes itself: true frame rates, VFR, rotation flags, grey from luma,
the writer, and every kind of bad file (each must give a clear sentence, never a traceback)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vision.io import VideoError, iter_frames, probe, write_video
from vision.synthetic import SceneSpec, render, write_audio_only, write_blank

SMALL = {"width": 96, "height": 160, "plate_px": 50.0, "noise": 0.0, "lead_s": 0.4, "tail_s": 0.2, "distractors": 0}


@pytest.mark.parametrize("fps", [24, 30, 60, 120, 240])
def test_rate_and_count_come_from_timestamps(tmp_path: Path, fps: int) -> None:
    path = write_blank(tmp_path / f"b{fps}.mp4", 2.0, fps=fps)
    info = probe(path)
    assert info.fps == pytest.approx(fps, rel=1e-3)
    assert info.frame_count == 2 * fps
    assert info.duration_s == pytest.approx(2.0, abs=1.5 / fps)
    assert not info.vfr and info.rotation == 0 and info.codec == "h264"
    frames = list(iter_frames(path, gray=True))
    assert len(frames) == 2 * fps
    assert frames[1].t == pytest.approx(1 / fps, abs=1e-4)
    assert [f.index for f in frames[:3]] == [0, 1, 2]


def test_variable_frame_rate_keeps_the_real_times(tmp_path: Path) -> None:
    clip = render(tmp_path / "vfr.mp4", [], SceneSpec(**SMALL, fps=30, vfr=True, seed=3))
    info = probe(clip.path)
    assert info.vfr
    times = np.array([f.t for f in iter_frames(clip.path, gray=True)])
    assert len(times) == len(clip.times)
    assert np.abs(times - (clip.times - clip.times[0])).max() < 1e-4


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotation_flag_is_applied(tmp_path: Path, rotation: int) -> None:
    upright = render(tmp_path / "r0.mp4", [], SceneSpec(**SMALL, seed=5, crf=12))
    turned = render(tmp_path / f"r{rotation}.mp4", [], SceneSpec(**SMALL, seed=5, crf=12, rotation=rotation))
    info = probe(turned.path)
    assert info.rotation == rotation
    assert (info.width, info.height) == (96, 160)  # as displayed, whatever the stored orientation
    a = next(iter_frames(upright.path)).image.astype(int)
    b = next(iter_frames(turned.path)).image.astype(int)
    assert a.shape == b.shape
    assert np.abs(a - b).mean() < 4  # same picture, only compression differs


def test_grey_is_the_luma_and_shrinking_keeps_the_aspect(tmp_path: Path) -> None:
    clip = render(tmp_path / "c.mp4", [], SceneSpec(**SMALL, seed=1, crf=12))
    bgr = next(iter_frames(clip.path)).image
    grey = next(iter_frames(clip.path, gray=True)).image
    assert grey.shape == bgr.shape[:2] and grey.dtype == np.uint8
    assert np.abs(grey.astype(int) - cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(int)).mean() < 3
    small = next(iter_frames(clip.path, max_side=80)).image
    assert max(small.shape[:2]) <= 80 and small.shape[0] > small.shape[1]


def test_seek_window(tmp_path: Path) -> None:
    path = write_blank(tmp_path / "s.mp4", 3.0, fps=30)
    frames = list(iter_frames(path, start_s=1.0, end_s=2.0))
    assert frames[0].t == pytest.approx(1.0, abs=0.02) and frames[-1].t <= 2.0 + 1e-6
    assert frames[0].index == 30


def test_writer_makes_browser_mp4(tmp_path: Path) -> None:
    frames = [np.full((121, 75, 3), i * 10, np.uint8) for i in range(12)]  # odd sizes are cropped
    out = write_video(tmp_path / "w.mp4", frames, 24.0)
    info = probe(out)
    assert (info.width, info.height, info.codec, info.pix_fmt) == (74, 120, "h264", "yuv420p")
    assert info.frame_count == 12
    assert out.read_bytes()[4:8] == b"ftyp"
    with pytest.raises(VideoError, match="no frames"):
        write_video(tmp_path / "none.mp4", [], 24.0)
    assert not (tmp_path / "none.mp4").exists()


# --- bad input: each a clear sentence ------------------------------------------------------------


def test_missing_empty_text_and_folder(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="can't find"):
        probe(tmp_path / "nope.mp4")
    (tmp_path / "zero.mp4").write_bytes(b"")
    with pytest.raises(VideoError, match="empty"):
        probe(tmp_path / "zero.mp4")
    (tmp_path / "notes.mp4").write_text("squat 5x5 at 100 kg\nfelt good\n")
    with pytest.raises(VideoError, match="text file"):
        probe(tmp_path / "notes.mp4")
    with pytest.raises(VideoError, match="folder"):
        probe(tmp_path)


def test_audio_only(tmp_path: Path) -> None:
    path = write_audio_only(tmp_path / "voice.mp4")
    with pytest.raises(VideoError, match="only sound"):
        probe(path)


def test_corrupt_and_truncated(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    (tmp_path / "noise.mp4").write_bytes(rng.integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoError, match=r"damaged|can't read|not a video"):
        probe(tmp_path / "noise.mp4")
    good = write_blank(tmp_path / "good.mp4", 2.0, fps=30, size=(160, 120))
    data = good.read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])  # the index (moov) is at the end: lost
    with pytest.raises(VideoError):
        probe(tmp_path / "cut.mp4")
    header = bytearray(data)
    mdat = header.find(b"mdat")
    header[mdat + 8 : mdat + 4000] = rng.integers(0, 256, 3992, dtype=np.uint8).tobytes()  # garbled frames
    (tmp_path / "garbled.mp4").write_bytes(bytes(header))
    try:  # either a clear refusal or frames: never a crash
        info = probe(tmp_path / "garbled.mp4")
        assert info.frame_count and info.frame_count > 0
    except VideoError as e:
        assert str(e)


def test_still_image_is_not_a_video(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "photo.png"), np.zeros((40, 40, 3), np.uint8))
    (tmp_path / "photo.png").rename(tmp_path / "photo.mp4")
    with pytest.raises(VideoError, match=r"still image|not a video"):
        probe(tmp_path / "photo.mp4")


def test_twenty_minute_clip_is_refused_with_its_length(tmp_path: Path) -> None:
    path = write_blank(tmp_path / "long.mp4", 20 * 60, fps=1.0, size=(32, 32))
    info = probe(path)  # without a limit it is just a long video
    assert info.duration_s == pytest.approx(1200, abs=1.5)
    with pytest.raises(VideoError, match=r"20:00 min.*15:00 min"):
        probe(path, max_duration_s=900)


def test_decoding_ahead_keeps_order_and_errors(tmp_path: Path) -> None:
    from vision.io import prefetched

    path = write_blank(tmp_path / "p.mp4", 1.0, fps=30)
    assert [f.index for f in prefetched(iter_frames(path, gray=True))] == list(range(30))

    def broken():
        yield from iter_frames(path, gray=True, end_s=0.2)
        raise VideoError("the card was pulled out")

    with pytest.raises(VideoError, match="card was pulled"):
        list(prefetched(broken()))
    first = next(iter(prefetched(iter_frames(path))))  # stopping early leaves no thread behind
    assert first.index == 0


def test_hdr_luma_is_tone_mapped_to_sdr_levels() -> None:
    """HLG's diffuse white (75 % of the signal, BT.2408) and PQ's 203 nits land on SDR white; black on
    black; the mapping keeps order (a plate's rim keeps its edge, only stronger)."""
    import numpy as np

    from vision.io import _hdr_to_sdr_lut

    def code(e: float) -> int:
        return round(64 + 876 * e)

    hlg, pq = _hdr_to_sdr_lut(18), _hdr_to_sdr_lut(16)
    assert hlg[code(0.75)] == 235 and hlg[64] == 16 and hlg[1023] == 235
    assert pq[code(0.58)] >= 233 and pq[64] == 16  # 203 nits is PQ code ~0.58
    assert (np.diff(hlg.astype(int)) >= 0).all() and (np.diff(pq.astype(int)) >= 0).all()
    # mid-grey of an HLG clip (signal 0.4) is brighter than a plain 10->8 bit shift makes it
    assert hlg[code(0.4)] > (code(0.4) >> 2)
