"""Damaged, cut-off and lying files: decode what can be decoded, say what was lost, judge length by packets.

Clips are made here with ffmpeg (a moving disc on a plain background); the damage is done the way
`vision.variants` does it for real clips.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from vision.io import DecodeLog, iter_frames, probe
from vision.variants import make_variants

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("damage") / "disc.mp4"
    src = "color=c=0x404040:s=192x160:r=30:d=4[bg];color=c=white:s=40x40:r=30:d=4[fg];"
    src += "[bg][fg]overlay=x='20+100*t/4':y='60+40*sin(2*PI*t)',noise=alls=12:allf=t"  # bytes in every frame
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-filter_complex", src, "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    "-g", "15", str(path)], check=True, timeout=120)  # fmt: skip
    return path


def test_a_corrupt_chunk_costs_only_its_frames_and_is_reported(clip, tmp_path):
    (made,) = make_variants(clip, tmp_path, ["corrupt_middle"])
    log = DecodeLog()
    frames = list(iter_frames(made.path, gray=True, log=log))
    assert frames[-1].t > 3.8  # decoding went on past the damage to the end of the clip
    assert log.lost and len(frames) + log.lost_frames >= 120 and log.lost_frames < 40
    (note,) = log.notes()
    assert "could not be decoded" in note and "Frames" in note
    a, _b, t0, t1 = log.lost[0]
    assert 0 < t0 < t1 < 4.0 and frames[a - 1].index == a - 1
    assert all(f.index == round(f.t * 30) for f in frames)  # indices keep the stream's numbering


@pytest.fixture(scope="module")
def one_keyframe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The disc clip with a single keyframe (phones' and re-encoders' long GOPs): every later frame is
    predicted from the one before it, so damage in the middle reaches every frame after it."""
    path = tmp_path_factory.mktemp("damage") / "disc_one_gop.mp4"
    src = "color=c=0x404040:s=192x160:r=30:d=4[bg];color=c=white:s=40x40:r=30:d=4[fg];"
    src += "[bg][fg]overlay=x='20+100*t/4':y='60+40*sin(2*PI*t)',noise=alls=12:allf=t"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-filter_complex", src, "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    "-g", "1000", "-sc_threshold", "0", "-bf", "0", str(path)], check=True, timeout=120)  # fmt: skip
    return path


def test_frames_rebuilt_from_a_damaged_one_are_lost_not_measured(one_keyframe, tmp_path):
    """After a corrupt chunk the decoder still hands out every later frame, smeared from the damaged ones
    until the next keyframe (on a real squat clip the hands followed through that smear made a second rep).
    Each frame handed out must be the picture the intact file shows at that time; the rest count as lost."""
    (made,) = make_variants(one_keyframe, tmp_path, ["corrupt_middle"])
    original = {round(f.t, 3): f.image.astype(np.float32) for f in iter_frames(one_keyframe, gray=True)}
    log = DecodeLog()
    frames = list(iter_frames(made.path, gray=True, log=log))
    assert frames and log.lost
    for f in frames:
        assert np.abs(f.image - original[round(f.t, 3)]).mean() < 1.0, f"frame {f.index} at {f.t:.2f} s is smeared"
    assert len(frames) + log.lost_frames == 120  # every frame is either intact or said lost
    _a, b, _t0, t1 = log.lost[-1]
    assert b == 119 and t1 == pytest.approx(4.0, abs=0.05)  # no keyframe after the damage: lost to the end
    note = log.notes()[-1]
    assert "could not be decoded" in note and "keyframe" in note


def test_a_truncated_file_analyses_its_start_and_says_where_it_stops(clip, tmp_path):
    (made,) = make_variants(clip, tmp_path, ["truncated_70"])
    log = DecodeLog()
    frames = list(iter_frames(made.path, gray=True, log=log))
    assert 1.5 < frames[-1].t < 3.8
    assert log.truncated_at_s is not None
    note = log.notes()[-1]
    assert "cut off" in note and "4.0 s" in note


def test_an_intact_file_reports_nothing_lost(clip):
    log = DecodeLog()
    assert len(list(iter_frames(clip, gray=True, log=log))) == 120
    assert log.lost == [] and log.notes() == [] and log.errors == 0


def test_duration_comes_from_the_packets_not_a_lying_header(clip, tmp_path):
    mkv = tmp_path / "clip.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-c", "copy", str(mkv)], check=True, timeout=60)
    data = bytearray(mkv.read_bytes())
    at = data.index(b"\x44\x89\x88")  # Matroska Duration: an 8-byte float in milliseconds
    data[at + 3 : at + 11] = struct.pack(">d", 600 * 60 * 1000.0)  # the header now claims 600 minutes
    lying = tmp_path / "lying.mkv"
    lying.write_bytes(bytes(data))
    assert av.open(str(lying)).duration / 1e6 == pytest.approx(36000)  # the header does lie
    info = probe(lying, max_duration_s=900)
    assert info.duration_s == pytest.approx(4.0, abs=0.1) and info.frame_count == 120


def test_full_range_mjpeg_gives_the_same_grey_as_the_mp4(clip, tmp_path):
    (made,) = make_variants(clip, tmp_path, ["mjpeg_avi"])
    a = next(iter(iter_frames(clip, gray=True))).image.astype(float)
    b = next(iter(iter_frames(made.path, gray=True))).image.astype(float)
    assert abs(a.mean() - b.mean()) < 3 and np.abs(a - b).mean() < 4


def test_the_analysis_says_what_a_damaged_clip_lost(tmp_path):
    from vision.analyse import LiftError, LiftOptions, analyse_video
    from vision.synthetic import RepSpec, SceneSpec, render

    reps = [RepSpec(con_s=0.7, ecc_s=0.8, rom_m=0.5, top_pause_s=0.4) for _ in range(4)]
    clip = render(tmp_path / "squat.mp4", reps, SceneSpec(seed=5, width=180, height=320, plate_px=90.0))
    (made,) = make_variants(clip.path, tmp_path, ["corrupt_middle"])
    try:
        notes = analyse_video(made.path, LiftOptions(pose=None)).notes
    except LiftError as e:  # whatever else happens, the loss is said
        notes = [str(e)]
    assert any("could not be decoded" in n for n in notes)
