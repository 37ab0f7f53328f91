"""Variants of a real lift clip, made with ffmpeg, that must not change what the analyser measures.

Phones and cameras hand us the same lift in many shapes: stored sideways with a rotation flag, at a
varying frame rate, as 10-bit HLG HEVC, with black before and after, cropped, dark, heavily compressed,
damaged in the middle or cut off at the end. Each variant here makes one of those shapes from any clip
so the analyser can be checked for invariance (`bench/lift_variants.py`, `powerforge lift variants`).

`keeps_reps` says whether a correct analyser must find every rep of the original in the variant (a
damaged or truncated file loses the frames it lost; the analyser must then say what was lost).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

__all__ = ["VARIANTS", "MadeVariant", "Variant", "ffmpeg_path", "has_encoder", "make_variants"]

_X264 = ["-c:v", "libx264", "-preset", "superfast", "-crf", "18", "-pix_fmt", "yuv420p"]
_X264_LOSSLESS = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p"]
_CODEC: ContextVar[list[str]] = ContextVar("variant_codec", default=_X264)


class VariantError(RuntimeError):
    """ffmpeg is missing or failed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    keeps_reps: bool = True  # every rep of the original is still in the variant
    speed: float = 1.0  # playback speed vs the original (2.0: velocities double)
    needs: str | None = None  # an ffmpeg encoder the variant needs


@dataclass(frozen=True)
class MadeVariant:
    variant: Variant
    path: Path | None  # None when it could not be made (see note)
    note: str = ""


def ffmpeg_path() -> str:
    """The ffmpeg binary (FFMPEG env var, /usr/bin/ffmpeg, or on PATH)."""
    for cand in (os.environ.get("FFMPEG"), "/usr/bin/ffmpeg", shutil.which("ffmpeg")):
        if cand and Path(cand).is_file():
            return cand
    raise VariantError("ffmpeg is not installed: run `apt-get install ffmpeg` (or `make system-test-deps`).")


def has_encoder(name: str) -> bool:
    try:
        out = subprocess.run([ffmpeg_path(), "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30)
    except (VariantError, OSError, subprocess.SubprocessError):
        return False
    return any(line.split()[1:2] == [name] for line in out.stdout.splitlines() if line.strip())


def _ffmpeg(*args: str) -> None:
    cmd = [ffmpeg_path(), "-hide_banner", "-v", "error", "-y", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise VariantError(f"ffmpeg failed ({' '.join(cmd[4:])}): {done.stderr.strip()[-400:]}")


def _encode(src: Path, dst: Path, vf: str | None = None, *extra: str, codec: list[str] | None = None) -> None:
    _ffmpeg("-i", str(src), "-an", *(["-vf", vf] if vf else []), *(codec or _CODEC.get()), *extra, str(dst))


def _reencode(src: Path, dst: Path) -> None:
    _encode(src, dst)


def _rotation_flag_only(src: Path, dst: Path) -> None:
    """Same stored pixels, a 90° display rotation added in the container (the picture shows sideways)."""
    _ffmpeg("-i", str(src), "-an", "-c:v", "copy", "-metadata:s:v:0", "rotate=90", str(dst))


def _stored_sideways(src: Path, dst: Path) -> None:
    """What phones do: pixels stored rotated, a flag that turns them back (the picture shows upright)."""
    tmp = dst.with_name(dst.stem + ".tmp" + dst.suffix)
    _encode(src, tmp, "transpose=1")  # ffmpeg drops a rotate tag when it re-encodes: add it by stream copy
    try:
        _rotation_flag_only(tmp, dst)  # rotate=90 displays the stored frame turned 90° counter-clockwise
    finally:
        tmp.unlink(missing_ok=True)


def _rotated_90(src: Path, dst: Path) -> None:
    """The pixels themselves turned 90° clockwise, no flag (the picture shows sideways)."""
    _encode(src, dst, "transpose=1")


def _vfr(src: Path, dst: Path) -> None:
    """A varying frame rate with true timestamps: about one frame in four dropped at random (phones in low
    light), the kept frames keep their capture time."""
    _encode(src, dst, "select='lt(mod(n,4),3)+gt(random(1),0.6)',setpts=PTS", "-fps_mode", "vfr",
            "-video_track_timescale", "90000")  # fmt: skip


def _hlg_hevc(src: Path, dst: Path) -> None:
    """10-bit HLG (BT.2020) HEVC, as recent iPhones and Pixels record by default."""
    vf = "zscale=tin=bt709:min=bt709:pin=bt709:t=arib-std-b67:m=bt2020nc:p=bt2020:r=tv,format=yuv420p10le"
    params = "colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc:log-level=error"
    codec = ["-c:v", "libx265", "-preset", "ultrafast", "-crf", "20", "-tag:v", "hvc1", "-x265-params", params]
    try:
        _encode(src, dst, vf, codec=codec)
    except VariantError:  # an ffmpeg without zscale: tag only, same 10-bit HEVC container
        _encode(src, dst, "format=yuv420p10le", codec=codec)


def _black_ends(src: Path, dst: Path) -> None:
    _encode(src, dst, "tpad=start_duration=3:stop_duration=3:color=black")


def _speed2(src: Path, dst: Path) -> None:
    """Every frame kept, played twice as fast (a 60 fps clip tagged as 30, or a time-lapse setting).

    The timestamps are halved on the stream copy (`-itsscale`): halving PTS in a filter rounded every other
    frame onto its neighbour's time (pairs of frames with one timestamp, not a faster clip)."""
    _ffmpeg("-itsscale", "0.5", "-i", str(src), "-an", "-c:v", "copy", str(dst))


def _crop(src: Path, dst: Path) -> None:
    _encode(src, dst, "crop=trunc(iw*0.8/2)*2:trunc(ih*0.8/2)*2")


def _low_light(src: Path, dst: Path) -> None:
    _encode(src, dst, "eq=brightness=-0.18:contrast=0.7:gamma=0.7,noise=alls=10:allf=t")


def _heavy_compression(src: Path, dst: Path) -> None:
    codec = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "40", "-pix_fmt", "yuv420p"]
    _encode(src, dst, None, codec=codec)


def _mjpeg_avi(src: Path, dst: Path) -> None:
    _encode(src, dst, None, codec=["-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p"])


def _remux_index_first(src: Path, dst: Path) -> None:
    _ffmpeg("-i", str(src), "-an", "-c:v", "copy", "-movflags", "+faststart", "-f", "mp4", str(dst))


def _mp4_boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """Top-level MP4 boxes as (type, start, end)."""
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        if size == 1 and pos + 16 <= len(data):
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        elif size == 0:
            size = len(data) - pos
        if size < 8:
            break
        boxes.append((kind, pos, min(len(data), pos + size)))
        pos += size
    return boxes


def _corrupt_middle(src: Path, dst: Path) -> None:
    """Random bytes over ~4% of the media data in the middle of the file (a bad sector, a broken copy);
    the index (moov) is left intact so the file still opens. The stream is copied, not re-encoded, so
    every other frame is bit-identical to the original's."""
    _remux_index_first(src, dst)
    data = bytearray(dst.read_bytes())
    mdat = [(a, b) for kind, a, b in _mp4_boxes(bytes(data)) if kind == b"mdat"]
    lo, hi = mdat[0] if mdat else (0, len(data))
    span = max(4096, (hi - lo) // 25)
    start = lo + (hi - lo) // 2 - span // 2
    rng = random.Random(12)
    data[start : start + span] = bytes(rng.getrandbits(8) for _ in range(span))
    dst.write_bytes(bytes(data))


def _truncated(src: Path, dst: Path) -> None:
    """The file cut off at 70% of its bytes (a phone that stopped mid-write, an interrupted upload).
    The index is written first (faststart), as a recording app that flushes it early does; the stream is
    copied, not re-encoded."""
    _remux_index_first(src, dst)
    data = dst.read_bytes()
    dst.write_bytes(data[: int(len(data) * 0.7)])


_MAKERS: dict[str, tuple[Variant, Callable[[Path, Path], None], str]] = {
    v.name: (v, fn, ext)
    for v, fn, ext in [
        (Variant("reencode", "plain H.264 re-encode at CRF 18 (the control: nothing but a new encode)"),
         _reencode, ".mp4"),
        (Variant("rotation_flag", "stored pixels unchanged, 90° rotation flag in the container"),
         _rotation_flag_only, ".mp4"),
        (Variant("stored_sideways", "pixels stored rotated + flag that shows them upright (phone)"),
         _stored_sideways, ".mp4"),
        (Variant("rotated_90", "pixels physically rotated 90° clockwise, no flag"), _rotated_90, ".mp4"),
        (Variant("vfr", "variable frame rate: ~25% of frames dropped at random, true timestamps"), _vfr, ".mp4"),
        (Variant("hlg_hevc_10bit", "10-bit HLG BT.2020 HEVC", needs="libx265"), _hlg_hevc, ".mp4"),
        (Variant("black_3s", "3 s of black before and after"), _black_ends, ".mp4"),
        (Variant("speed_2x", "every frame, played twice as fast", speed=2.0), _speed2, ".mp4"),
        (Variant("crop_80", "centre crop to 80% of width and height"), _crop, ".mp4"),
        (Variant("low_light", "darker, lower contrast, sensor noise"), _low_light, ".mp4"),
        (Variant("crf40", "heavy H.264 compression (CRF 40)"), _heavy_compression, ".mp4"),
        (Variant("mjpeg_avi", "MJPEG in an AVI container"), _mjpeg_avi, ".avi"),
        (Variant("corrupt_middle", "random bytes over ~4% of the media data mid-file", keeps_reps=False),
         _corrupt_middle, ".mp4"),
        (Variant("truncated_70", "file cut off at 70% of its bytes", keeps_reps=False), _truncated, ".mp4"),
    ]
}  # fmt: skip
VARIANTS: dict[str, Variant] = {name: v for name, (v, _fn, _ext) in _MAKERS.items()}


def make_variants(
    clip: Path, out_dir: Path, names: list[str] | None = None, *, reuse: bool = False, lossless: bool = False
) -> list[MadeVariant]:
    """Make each named variant (default: all) of `clip` under `out_dir`, named `<stem>.<variant><ext>`.

    A variant whose encoder this ffmpeg lacks is skipped with a note, never silently replaced. `reuse`
    keeps a variant already made from a clip no newer than it (benchmarks re-run on the same files).
    `lossless` re-encodes the H.264 variants losslessly (pixels unchanged but for the transformation
    itself), which separates what the transformation does from what a new encode's noise does.
    """
    clip = Path(clip)
    if not clip.is_file():
        raise VariantError(f"I can't find the clip '{clip}'.")
    ffmpeg_path()
    unknown = [n for n in names or [] if n not in _MAKERS]
    if unknown:
        raise VariantError(f"Unknown variant(s) {', '.join(unknown)}; choose from: {', '.join(_MAKERS)}.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    made: list[MadeVariant] = []
    for name in names or list(_MAKERS):
        variant, fn, ext = _MAKERS[name]
        if variant.needs and not has_encoder(variant.needs):
            made.append(MadeVariant(variant, None, f"not made: this ffmpeg has no {variant.needs} encoder"))
            continue
        dst = out_dir / f"{clip.stem}.{name}{ext}"
        if not (reuse and dst.is_file() and dst.stat().st_mtime >= clip.stat().st_mtime):
            token = _CODEC.set(_X264_LOSSLESS if lossless else _X264)
            try:
                fn(clip, dst)
            finally:
                _CODEC.reset(token)
        made.append(MadeVariant(variant, dst))
    return made
