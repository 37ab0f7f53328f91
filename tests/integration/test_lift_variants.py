"""Rep count invariance on variants of a real clip (risevbt-sample2: 360x360, 5 back squats, counted by eye).

The variants are the io-level shapes phones produce: stored sideways with a rotation flag, a variable
frame rate with true timestamps, 10-bit HLG HEVC; the analyser must find the same 5 reps in each. A
damaged copy must say which frames were lost. Development data: these clips were looked at while building
the analyser (see bench/lift_variants.py for the full table on every clip and variant).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from vision.analyse import LiftError, LiftOptions, analyse_video
from vision.io import iter_frames
from vision.variants import has_encoder, make_variants

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")]

EXPECTED_REPS = 5  # labels.json: media/lifts/risevbt-sample2.mp4


@pytest.fixture(scope="module")
def clip(shared_data):
    path = shared_data / "media" / "lifts" / "risevbt-sample2.mp4"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


@pytest.mark.parametrize("variant", ["stored_sideways", "black_3s", "hlg_hevc_10bit"])
def test_rep_count_is_the_same_on_the_variant(clip, tmp_path, variant):
    """Lossless re-encodes: only the transformation differs from the original (a lossy re-encode's noise
    alone changes what the tracker finds, which is the tracker's problem, measured in the bench). The HLG
    copy is 10-bit HEVC at CRF 20 (a phone's default format): it counts the same reps since its luma is
    tone-mapped to SDR levels (vision.io._hdr_to_sdr_lut); shifted to 8 bits it lost a rep."""
    (made,) = make_variants(clip, tmp_path, [variant], lossless=True)
    analysis = analyse_video(made.path, LiftOptions(lift="squat", pose=None))
    assert len(analysis.reps) == EXPECTED_REPS
    if variant == "stored_sideways":
        assert analysis.video.rotation in (90, 270)


def test_frames_are_read_the_same_whatever_the_shape(clip, tmp_path):
    """io-level invariance on lossy variants: rotated back, true timestamps, 10-bit/full range to 8-bit video
    range. Each variant's grey frame matches the original's at the same time (HLG: the same picture under
    another tone curve, so compared by correlation)."""
    names = ["stored_sideways", "vfr", "mjpeg_avi"] + (["hlg_hevc_10bit"] if has_encoder("libx265") else [])
    made = {m.variant.name: m.path for m in make_variants(clip, tmp_path, names)}
    original = {round(f.t, 3): f.image.astype(np.float32) for f in iter_frames(clip, gray=True)}
    for name, path in made.items():
        diffs, corrs = [], []
        for f in iter_frames(path, gray=True):
            ref = original.get(round(f.t, 3))
            assert ref is not None, f"{name}: a frame at {f.t:.3f} s, a time the original has no frame at"
            img = f.image.astype(np.float32)
            diffs.append(float(np.abs(img - ref).mean()))
            corrs.append(float(np.corrcoef(img.ravel(), ref.ravel())[0, 1]))
        assert np.median(corrs) > 0.97, name
        if name != "hlg_hevc_10bit":
            assert np.median(diffs) < 4, name


def test_a_damaged_copy_says_what_it_lost(clip, tmp_path):
    (made,) = make_variants(clip, tmp_path, ["corrupt_middle"])
    try:
        notes = analyse_video(made.path, LiftOptions(lift="squat", pose=None)).notes
    except LiftError as e:
        notes = [str(e)]
    assert any("could not be decoded" in n for n in notes)


def _mcv(analysis) -> float:
    mcvs = [r.mcv for r in analysis.reps if r.mcv is not None]
    assert mcvs, "no rep has a velocity"
    return sum(mcvs) / len(mcvs)


def test_a_cropped_copy_gives_the_original_speed(clip, tmp_path):
    """A centre crop keeps the plate whole and at the same size in pixels, so the speeds must not move. The
    crop once gave 0.435 m/s against the original's 0.521: the track's first rim fit latched onto the rack
    behind the plate (47.6 px for a ~42 px plate) and the tracker kept that working circle all clip long.
    The first circle is now checked against the rim fits started around it (vision.plates.consensus_rim)."""
    (made,) = make_variants(clip, tmp_path, ["crop_80"])
    original = analyse_video(clip, LiftOptions(lift="squat", pose=None))
    cropped = analyse_video(made.path, LiftOptions(lift="squat", pose=None))
    assert len(original.reps) == len(cropped.reps) == EXPECTED_REPS
    assert abs(_mcv(cropped) - _mcv(original)) <= 0.03
