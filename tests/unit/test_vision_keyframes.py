"""Key frames for a critique come from one decoding pass per group of nearby instants, and are the very frames a
seek per instant (`frame_at`) gives: same pixels, same times."""

from __future__ import annotations

import numpy as np

from vision import keyframes as kf
from vision.synthetic import RepSpec, SceneSpec, render


def test_one_pass_gives_the_frames_a_seek_per_instant_gives(tmp_path, monkeypatch):
    reps = [RepSpec(con_s=0.7, ecc_s=0.8, rom_m=0.5, top_pause_s=0.4) for _ in range(4)]
    clip = render(tmp_path / "squat.mp4", reps, SceneSpec(seed=5, width=180, height=320, plate_px=90.0))
    times = [0.0, 0.21, 0.23, 1.5, 1.5, 4.9, 5.02, 99.0]  # start, neighbours, a repeat, far apart, past the end
    passes = []
    real = kf.iter_frames

    def counted(*a, **k):
        passes.append(k.get("start_s"))
        return real(*a, **k)

    monkeypatch.setattr(kf, "iter_frames", counted)
    got = kf.frames_at(clip.path, times)
    assert len(passes) == 3  # [0, 0.23] with 1.5, then 4.9 with 5.02, then 99 (nothing there)
    monkeypatch.setattr(kf, "iter_frames", real)
    for t in times:
        one = kf.frame_at(clip.path, t)
        if one is None:
            assert t not in got
            continue
        image, ft = got[t]
        assert ft == one[1] and np.array_equal(image, one[0])
