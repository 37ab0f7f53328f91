"""A lost bar is never a number: synthetic clips of known motion, edited the way real footage loses
the plate (something passes in front of it; the bar leaves the top of the picture), analysed whole.

The tracker must mark those frames as not measured (no position), find the plate again afterwards,
never put a point outside the image, and the reps the bar was lost in must carry no velocity."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from vision.analyse import LiftOptions, analyse_video
from vision.synthetic import RepSpec, SceneSpec, SyntheticClip, _encode, render

REPS = [RepSpec(con_s=c, ecc_s=0.8, rom_m=0.5, top_pause_s=0.5) for c in (0.6, 0.7, 0.8)]
SCENE = SceneSpec(width=240, height=426, plate_px=110.0, lead_s=0.6, tail_s=0.6, distractors=1, seed=21)


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]


def _reencode(clip: SyntheticClip, frames: list[np.ndarray], dst: Path) -> Path:
    h, w = frames[0].shape[:2]
    _encode(dst, frames, clip.times, replace(clip.scene, width=w, height=h, rotation=0))
    return dst


def _inside(analysis) -> None:
    """Every drawn or reported point lies in the picture (a lost frame has none)."""
    h, w = analysis.video.height, analysis.video.width
    for xy in (analysis.path_xy, analysis.drawn_path):
        finite = np.isfinite(xy).all(axis=1)
        assert ((xy[finite, 0] >= 0) & (xy[finite, 0] < w) & (xy[finite, 1] >= 0) & (xy[finite, 1] < h)).all()
    assert not np.isfinite(analysis.drawn_path[~analysis.path_ok]).any()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> SyntheticClip:
    return render(tmp_path_factory.mktemp("loss") / "squat.mp4", REPS, SCENE)


def test_plate_hidden_mid_rep_is_not_measured_and_found_again(clip: SyntheticClip, tmp_path: Path) -> None:
    """A flat grey shape (a training partner walking past) covers the plate for 0.5 s in the middle of
    the second concentric: rep 2 counts, with no numbers; reps 1 and 3 are measured as before."""
    frames = _frames(clip.path)
    truth = clip.reps[1]
    hidden = (clip.times > truth.start_t + 0.05) & (clip.times < truth.start_t + 0.55)
    r = int(0.75 * SCENE.plate_px)
    for i in np.nonzero(hidden)[0]:
        cx, cy = clip.centre_px[i].astype(int)
        frames[i][max(0, cy - r) : cy + r, max(0, cx - r) : cx + r] = (90, 90, 90)
    analysis = analyse_video(_reencode(clip, frames, tmp_path / "hidden.mp4"), LiftOptions(pose=None))
    reps = analysis.reps
    assert len(reps) == 3
    assert not reps[1].measured and reps[1].mcv is None and reps[1].peak_v is None and reps[1].rom_m is None
    assert "bar lost" in reps[1].note
    for k in (0, 2):
        assert reps[k].measured and reps[k].mcv == pytest.approx(clip.reps[k].mcv, abs=0.04)
    d = analysis.to_dict()
    assert d["reps"][1]["mcv"] is None
    m0, m2 = clip.reps[0].mcv, clip.reps[2].mcv
    assert d["velocity_loss_pct"] == pytest.approx(100 * (m0 - m2) / m0, abs=6)
    assert not analysis.path_ok[hidden].any()  # nothing measured through the cover
    _inside(analysis)


def test_bar_leaving_the_top_of_the_picture(tmp_path: Path) -> None:
    """Deadlifts filmed with the camera too low: the picture's top edge cuts through the plate at each
    lockout and its centre leaves the picture for a moment. No point is ever outside the image, the
    frames out of sight are not measured, and no rep whose top was out of sight gets a number."""
    reps = [RepSpec(con_s=c, ecc_s=0.9, rom_m=0.5, top_pause_s=0.3, bottom_pause_s=0.8) for c in (0.7, 0.8, 0.9)]
    clip = render(tmp_path / "deadlift.mp4", reps, replace(SCENE, seed=22), lift="deadlift")
    frames = _frames(clip.path)
    top = float(clip.centre_px[:, 1].min())
    cut = 2 * int((top + 0.2 * SCENE.plate_px) / 2)  # the centre ends ~0.2 plate diameters above the top edge
    analysis = analyse_video(
        _reencode(clip, [f[cut:] for f in frames], tmp_path / "cut.mp4"), LiftOptions(lift="deadlift", pose=None)
    )
    _inside(analysis)
    out_of_sight = clip.centre_px[:, 1] - cut < 0
    assert out_of_sight.sum() >= 10
    assert not analysis.path_ok[out_of_sight].any()
    assert len(analysis.reps) == 3
    for r in analysis.reps:
        assert not r.measured and r.mcv is None and "bar lost" in (r.note or "")


def test_a_drift_found_at_a_rim_measurement_is_spread_over_the_frames_since_the_last_one():
    """The face's features slid 6 px off the plate over the frames since the previous rim fit: those frames
    are moved back onto the rim by a ramp (0 at the previous fit, all of it now), earlier ones stay."""
    from vision.plates import Circle
    from vision.track import PlateTrack, PlateTracker

    tr = PlateTrack(0, Circle(100.0, 100.0, 40.0))
    for i in range(20):
        tr.index.append(i)
        tr.x.append(100.0)
        tr.y.append(100.0 + i)
    PlateTracker._undrift(tr, 10, 0.0, -6.0)
    assert tr.y[:10] == [100.0 + i for i in range(10)]
    assert tr.y[10] == 110.0 and tr.y[-1] == 119.0 - 6.0
    steps = [b - a for a, b in zip(tr.y[10:], tr.y[11:], strict=False)]
    assert max(steps) - min(steps) < 1e-9  # a smooth ramp, no jump
