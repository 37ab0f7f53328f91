"""The annotated video is drawn on the analysis's own decoding pass: the clip is decoded once."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from vision import annotate
from vision.analyse import LiftOptions, analyse_video
from vision.synthetic import RepSpec, SceneSpec, render


def test_the_video_needs_no_second_decode_and_has_every_frame(tmp_path, monkeypatch):
    reps = [RepSpec(con_s=0.7, ecc_s=0.8, rom_m=0.5, top_pause_s=0.4) for _ in range(3)]
    clip = render(tmp_path / "squat.mp4", reps, SceneSpec(seed=3, width=180, height=320, plate_px=90.0))

    def no_second_pass(*a, **k):
        raise AssertionError("the clip was decoded a second time for the video")

    monkeypatch.setattr(annotate, "iter_frames", no_second_pass)
    out = tmp_path / "annotated.mp4"
    analysis = analyse_video(clip.path, LiftOptions(pose=None, out_video=out))
    assert analysis.annotated == out and len(analysis.reps) == 3
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert sum(1 for _ in c.decode(s)) == analysis.frames
        assert (s.width, s.height) == (180, 320)


def test_a_clip_too_long_to_keep_in_memory_is_decoded_again_for_the_video(tmp_path, monkeypatch):
    import vision.analyse as va

    reps = [RepSpec(con_s=0.7, ecc_s=0.8, rom_m=0.5, top_pause_s=0.4) for _ in range(2)]
    clip = render(tmp_path / "squat.mp4", reps, SceneSpec(seed=4, width=180, height=320, plate_px=90.0))
    monkeypatch.setattr(va, "PREVIEW_BUDGET_BYTES", 10_000)
    calls = []
    real = annotate.iter_frames
    monkeypatch.setattr(annotate, "iter_frames", lambda *a, **k: calls.append(1) or real(*a, **k))
    out = tmp_path / "annotated.mp4"
    analysis = analyse_video(clip.path, LiftOptions(pose=None, out_video=out))
    assert calls and Path(out).stat().st_size > 1000
    with av.open(str(out)) as c:
        assert sum(1 for _ in c.decode(c.streams.video[0])) == pytest.approx(analysis.frames, abs=1)


def test_a_60_fps_clip_gives_a_30_fps_video_of_the_same_length(tmp_path):
    reps = [RepSpec(con_s=0.7, ecc_s=0.8, rom_m=0.5, top_pause_s=0.4) for _ in range(2)]
    clip = render(tmp_path / "squat60.mp4", reps, SceneSpec(seed=5, width=180, height=320, plate_px=90.0, fps=60))
    out = tmp_path / "annotated.mp4"
    analysis = analyse_video(clip.path, LiftOptions(pose=None, out_video=out))
    assert len(analysis.reps) == 2
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        n = sum(1 for _ in c.decode(s))
        assert n == (analysis.frames + 1) // 2  # every other frame, the first one kept
        assert float(s.average_rate) == pytest.approx(30, abs=0.1)
        assert n / float(s.average_rate) == pytest.approx(analysis.frames / 60, abs=0.05)


@pytest.mark.parametrize(
    ("fps", "step"), [(30, 1), (29.97, 1), (25, 1), (50, 1), (59.94, 2), (60, 2), (120, 4), (240, 8), (0, 1)]
)
def test_frame_step_keeps_the_video_at_30_fps_or_less(fps, step):
    assert annotate.frame_step(fps) == step
