"""Video in and out for every video lab: probe by content, decode fast, write browser-playable MP4.

Phones produce files that lie: the extension says .mp4 but the content is text, the header's frame
count or rate is wrong, the frame rate varies, the picture is stored sideways with a rotation flag,
the colours are HDR. So `probe` reads the container itself (timestamps, display matrix, first decoded
frame) and `iter_frames` hands out frames already rotated, with times taken from the stream's own
timestamps. Decoding uses PyAV with frame threading (OpenCV's VideoCapture is ~13x slower on the
HDR clip, FINDINGS.md); grey frames come straight from the luma plane without a colour conversion.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

__all__ = ["DecodeLog", "Frame", "VideoError", "VideoInfo", "iter_frames", "prefetched", "probe", "write_video"]

# Luma-first planar formats whose plane 0 *is* the grey image (8 bit) or a 16-bit word per pixel.
_PLANAR_8 = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12", "nv21", "gray"}
_PLANAR_16 = {
    "yuv420p10le": 2, "yuv422p10le": 2, "yuv444p10le": 2, "p010le": 8,
    "yuv420p12le": 4, "yuv422p12le": 4, "yuv444p12le": 4, "gray10le": 2, "gray12le": 4,
}  # fmt: skip  # format -> right shift that brings the sample to 8 bits
_HDR_TRC = {16, 18}  # SMPTE ST 2084 (PQ), ARIB STD-B67 (HLG)
_STILL_CODECS = {"png", "mjpeg", "bmp", "gif", "webp", "tiff", "jpegls", "jpeg2000", "apng"}


class VideoError(ValueError):
    """A video we cannot use; the message is written for the person who sent it."""


@dataclass(frozen=True)
class VideoInfo:
    """What a file really holds (measured from its timestamps, not trusted from its header)."""

    path: Path
    width: int  # as displayed, after rotation
    height: int
    rotation: int  # 0/90/180/270: clockwise degrees applied to stored frames to display them
    fps: float  # average rate from timestamps (not the nominal header value)
    duration_s: float
    frame_count: int | None  # counted from packets (headers may lie); None if not countable
    codec: str
    pix_fmt: str
    hdr: bool
    vfr: bool

    @property
    def portrait(self) -> bool:
        return self.height > self.width


@dataclass(frozen=True)
class Frame:
    """One decoded frame, rotated for display."""

    index: int  # position in the stream (estimated from the timestamp after a seek)
    t: float  # seconds since the stream's first frame, from the stream's timestamps
    image: np.ndarray  # HxWx3 BGR uint8, or HxW uint8 when gray=True
    preview: np.ndarray | None = None  # a small BGR copy from the same decode (`preview_side`), for drawing


@dataclass
class DecodeLog:
    """What one decoding pass could not deliver, filled in while `iter_frames` runs.

    A damaged chunk costs the frames in it (and those predicted from them), not the rest of the clip;
    a truncated file costs its tail. Both are said, with frame numbers and times, never silently dropped.
    """

    packets: int = 0  # video packets read
    decoded: int = 0  # frames handed out
    errors: int = 0  # packets the decoder or demuxer refused
    rebuilt: int = 0  # frames decoded from damaged data (up to the next keyframe): dropped, counted as lost
    expected: int | None = None  # frames the container's index lists (None: not indexed)
    expected_end_s: float | None = None  # where the index says the stream ends
    lost: list[tuple[int, int, float, float]] = field(default_factory=list)  # (first, last, t0, t1) frames lost
    truncated_at_s: float | None = None  # the file stops here although its index goes on

    @property
    def lost_frames(self) -> int:
        return sum(b - a + 1 for a, b, _, _ in self.lost)

    def notes(self) -> list[str]:
        """One sentence per lost span, for the analysis notes."""
        out = []
        for a, b, t0, t1 in self.lost:
            frames = f"Frame {a}" if a == b else f"Frames {a}–{b}"
            if self.truncated_at_s is not None and t0 >= self.truncated_at_s - 1e-6:
                out.append(
                    f"The file is cut off at {t0:.1f} s although it should last {t1:.1f} s: {frames.lower()} "
                    "are missing, so anything after that was not measured."
                )
            else:
                why = "the file is damaged there" + (
                    ", and the frames after a damaged one are rebuilt from it up to the next keyframe"
                    if self.rebuilt
                    else ""
                )
                out.append(
                    f"{frames} ({t0:.1f}–{t1:.1f} s) could not be decoded ({why}): nothing in that span was measured."
                )
        return out


def _describe_non_video(path: Path) -> str:
    """A sentence naming what the file is instead of a video (decided by content, not extension)."""
    head = path.read_bytes()[:4096]
    name = path.name
    if not head:
        return f"'{name}' is empty (0 bytes)."
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return f"'{name}' is a text file, not a video (whatever its extension says)."
        except UnicodeDecodeError:
            pass
    return f"'{name}' is not a video I can read: the file is damaged, incomplete or of an unknown type."


def _open(path: Path) -> av.container.InputContainer:
    path = Path(path)
    if not path.exists():
        raise VideoError(f"I can't find the video '{path.name}'.")
    if path.is_dir():
        raise VideoError(f"'{path.name}' is a folder, not a video.")
    if path.stat().st_size == 0:
        raise VideoError(f"'{path.name}' is empty (0 bytes).")
    try:
        return av.open(str(path), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as e:
        raise VideoError(_describe_non_video(path)) from e


def _video_stream(container: av.container.InputContainer, path: Path) -> av.video.stream.VideoStream:
    streams = container.streams.video
    if not streams or container.format.name in ("tty", "ansi", "txt"):
        described = _describe_non_video(path)
        if "text file" in described:
            raise VideoError(described)
        if container.streams.audio:
            raise VideoError(f"'{path.name}' has only sound, no video stream.")
        raise VideoError(f"'{path.name}' has no video stream.")
    stream = streams[0]
    still = stream.codec_context is not None and stream.codec_context.name in _STILL_CODECS
    if stream.codec_context is None or (still and (stream.frames or 0) <= 1):
        raise VideoError(f"'{path.name}' is a still image, not a video.")
    return stream


def _clockwise(ccw: int | float | None) -> int:
    """PyAV reports the display matrix counter-clockwise in [-180, 180]; we store clockwise 0..270."""
    if not ccw:
        return 0
    return round(-float(ccw) / 90.0) * 90 % 360


def probe(path: Path, *, max_duration_s: float | None = None) -> VideoInfo:
    """Open `path`, check it holds a decodable video and measure it; raises VideoError otherwise.

    Reads every packet's timestamp (cheap: no decoding) to get the true rate, duration, frame count
    and whether the rate varies, and decodes one frame to prove the stream is readable.
    """
    path = Path(path)
    container = _open(path)
    try:
        stream = _video_stream(container, path)
        tb = stream.time_base or Fraction(1, 90000)
        # The length is judged from the packets, never from the header: a header that claims 600 min for
        # an 11.8 s clip must not get it refused. Reading packet timestamps costs no decoding, and stops as
        # soon as the measured span passes the limit.
        header_s = container.duration / 1e6 if container.duration else None
        pts: list[int] = []
        try:
            for packet in container.demux(stream):
                if packet.pts is not None and packet.size > 0:
                    pts.append(packet.pts)
                    if max_duration_s is not None and len(pts) % 256 == 0:
                        span = float((max(pts) - min(pts)) * tb)
                        if span > max_duration_s:  # say the header's length only when it agrees it is long
                            real = header_s if header_s and header_s >= span else span
                            raise VideoError(_too_long(path, real, max_duration_s))
        except av.error.FFmpegError:
            pass  # a truncated tail: keep what was read; decoding below decides if it is usable
        first_frame = _first_frame(path)
        if not pts:
            raise VideoError(f"'{path.name}' has a video stream with no frames in it.")
        pts.sort()
        deltas = np.diff(np.asarray(pts, dtype=np.float64)) * float(tb)
        deltas = deltas[deltas > 0]
        n = len(pts)
        if len(deltas):
            frame_dur = float(np.median(deltas))
            span = float((pts[-1] - pts[0]) * tb)
            fps = (n - 1) / span if span > 0 else 1.0 / frame_dur
            duration = span + frame_dur
            vfr = bool(np.percentile(deltas, 95) > 1.25 * np.percentile(deltas, 5))
        else:
            fps = float(stream.average_rate or stream.guessed_rate or 30)
            duration = n / fps
            vfr = False
        if max_duration_s is not None and duration > max_duration_s:
            raise VideoError(_too_long(path, duration, max_duration_s))
        rotation = _clockwise(getattr(first_frame, "rotation", 0))
        w, h = first_frame.width, first_frame.height
        if rotation in (90, 270):
            w, h = h, w
        cc = stream.codec_context
        fmt = first_frame.format.name
        hdr = int(getattr(first_frame, "color_trc", 0) or 0) in _HDR_TRC
        return VideoInfo(
            path=path, width=w, height=h, rotation=rotation, fps=float(fps), duration_s=float(duration),
            frame_count=n, codec=cc.name, pix_fmt=fmt, hdr=hdr, vfr=vfr,
        )  # fmt: skip
    finally:
        container.close()


def _too_long(path: Path, seconds: float, limit: float) -> str:
    return (
        f"'{path.name}' is {_mmss(seconds)} long; I analyse clips up to {_mmss(limit)}. "
        "Trim it to the set you want analysed and send it again."
    )


def _mmss(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d} min" if m else f"{s} s"


def _first_frame(path: Path) -> av.VideoFrame:
    container = _open(path)
    try:
        stream = _video_stream(container, path)
        log = DecodeLog()
        for frame in _decode_tolerant(container, stream, log, []):  # a damaged first packet is skipped
            return frame
        if log.errors:
            raise VideoError(f"'{path.name}' is damaged: its video can't be decoded.")
        raise VideoError(f"'{path.name}' is damaged: its video stream has no decodable frame.")
    finally:
        container.close()


def _target_size(w: int, h: int, max_side: int | None) -> tuple[int, int]:
    """The (w, h) to decode to: longest side at most `max_side`, aspect kept, even numbers."""
    if not max_side or max(w, h) <= max_side:
        return w, h
    k = max_side / max(w, h)
    return max(2, round(w * k / 2) * 2), max(2, round(h * k / 2) * 2)


_FULL_TO_TV = np.round(16 + np.arange(256) * 219 / 255).astype(np.uint8)  # 0..255 luma -> 16..235


def _hdr_to_sdr_lut(trc: int) -> np.ndarray:
    """10-bit HDR luma code -> 8-bit SDR video-range luma, so an HDR clip tracks like its SDR copy.

    A phone's HLG or PQ clip shifted down to 8 bits looks dim and flat (HLG puts diffuse white at 75 %
    of the signal, PQ at 203 nits of 10,000): rims lose the edge strength the plate finder and the flow
    rely on. The code is taken to light (HLG inverse OETF, BT.2100; PQ EOTF, ST 2084), reference white
    is set to SDR's 100 % (BT.2408), and the result is encoded with the BT.709 curve. Luma only: an
    approximation of the colour conversion, close enough for grey-level tracking."""
    e = np.clip((np.arange(1024) - 64) / 876.0, 0.0, 1.0)  # 10-bit video range -> 0..1
    if trc == 18:  # HLG
        a, b, c = 0.17883277, 0.28466892, 0.55991073
        light = np.where(e <= 0.5, e**2 / 3.0, (np.exp((e - c) / a) + b) / 12.0)
        white = (math.exp((0.75 - c) / a) + b) / 12.0
    else:  # PQ
        m1, m2, c1, c2, c3 = 0.1593017578125, 78.84375, 0.8359375, 18.8515625, 18.6875
        p = e ** (1 / m2)
        light = (np.maximum(p - c1, 0.0) / (c2 - c3 * p)) ** (1 / m1) * 10000.0
        white = 203.0
    sdr = np.clip(light / white, 0.0, 1.0)
    v = np.where(sdr < 0.018, 4.5 * sdr, 1.099 * sdr**0.45 - 0.099)
    return np.round(16 + 219 * v).astype(np.uint8)


_HDR_LUT = {trc: _hdr_to_sdr_lut(trc) for trc in _HDR_TRC}


def _full_range(frame: av.VideoFrame) -> bool:
    """JPEG-range luma (MJPEG, some webcams and screen recorders): 0..255 instead of video's 16..235."""
    return frame.format.name.startswith("yuvj") or int(getattr(frame, "color_range", 0) or 0) == 2


def _preview_size(w: int, h: int, max_side: int) -> tuple[int, int, int]:
    """(w, h, k): the preview is every k-th pixel of the frame, k the smallest integer that brings the
    long side to `max_side` or below (even sides for yuv420p)."""
    k = max(1, math.ceil(max(w, h) / max_side))
    return max(2, w // k // 2 * 2), max(2, h // k // 2 * 2), k


def _preview(frame: av.VideoFrame, size: tuple[int, int, int]) -> np.ndarray:
    """A small BGR copy for drawing on: every k-th pixel of the decoded planes, one I420->BGR conversion at
    the small size (a fraction of a millisecond; filtering would cost more than the video is worth)."""
    w, h, k = size
    fmt = frame.format.name
    if fmt not in ("yuv420p", "yuvj420p") or frame.width % 2 or frame.height % 2:
        return _convert(frame, (w, h), False)
    planes = frame.planes
    y = np.frombuffer(planes[0], np.uint8).reshape(frame.height, planes[0].line_size)
    u = np.frombuffer(planes[1], np.uint8).reshape(frame.height // 2, planes[1].line_size)
    v = np.frombuffer(planes[2], np.uint8).reshape(frame.height // 2, planes[2].line_size)
    i420 = np.empty((h * 3 // 2, w), np.uint8)
    i420[:h] = y[: h * k : k, : w * k : k]
    q = (h // 2) * (w // 2)
    chroma = i420[h:].reshape(-1)
    chroma[:q] = u[: (h // 2) * k : k, : (w // 2) * k : k].reshape(-1)
    chroma[q : 2 * q] = v[: (h // 2) * k : k, : (w // 2) * k : k].reshape(-1)
    if fmt == "yuvj420p":
        i420[:h] = cv2.LUT(i420[:h], _FULL_TO_TV)
    return cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)


def _luma(frame: av.VideoFrame) -> np.ndarray | None:
    """The grey image straight from plane 0 (no colour conversion), or None for other formats.

    Full-range luma is mapped to video range, so the same scene gives the same grey levels whatever
    the container (an MJPEG AVI of a clip must track like the MP4 it came from)."""
    fmt = frame.format.name
    plane = frame.planes[0]
    w, h = frame.width, frame.height
    if fmt in _PLANAR_8:
        buf = np.frombuffer(plane, np.uint8)
        y = buf.reshape(h, plane.line_size)[:, :w]
        return cv2.LUT(y, _FULL_TO_TV) if _full_range(frame) else y
    if fmt in _PLANAR_16:
        buf = np.frombuffer(plane, np.uint16).reshape(h, plane.line_size // 2)[:, :w]
        lut = _HDR_LUT.get(int(getattr(frame, "color_trc", 0) or 0))
        if lut is not None:  # HDR: tone-mapped to SDR, so it tracks like the SDR copy of the clip
            return lut[buf >> (_PLANAR_16[fmt] - 2)]
        return (buf >> _PLANAR_16[fmt]).astype(np.uint8)
    return None


def _rotate(img: np.ndarray, clockwise: int) -> np.ndarray:
    if clockwise == 90:
        return cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE)
    if clockwise == 180:
        return cv2.rotate(img, cv2.ROTATE_180)
    if clockwise == 270:
        return cv2.rotate(img, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return img


def iter_frames(
    path: Path,
    *,
    max_side: int | None = None,
    gray: bool = False,
    start_s: float = 0.0,
    end_s: float | None = None,
    threads: int = 0,
    log: DecodeLog | None = None,
    preview_side: int | None = None,
    preview_every: int = 1,
) -> Iterator[Frame]:
    """Decode `path` frame by frame, rotated for display, optionally shrunk and/or grey.

    `threads=0` lets FFmpeg pick (frame threading on all cores). Shrinking happens before rotation
    (on the stored orientation) so the cheaper image is the one rotated. A packet the decoder refuses
    is skipped and decoding goes on (a damaged chunk must not end the clip); `log` receives what was
    lost, by frame number and time. A frame's `index` is its position in the stream, lost frames counted.
    `preview_side` adds a small colour copy of each frame from the same decode (the annotated video is
    drawn on it, so the clip is decoded once, not twice), on every `preview_every`-th frame (by index).
    """
    path = Path(path)
    log = log if log is not None else DecodeLog()
    container = _open(path)
    try:
        stream = _video_stream(container, path)
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = threads
        tb = stream.time_base or Fraction(1, 90000)
        origin: int | None = stream.start_time
        rate = float(stream.average_rate or stream.guessed_rate or 30)
        log.expected = int(stream.frames) or None
        if stream.duration:
            log.expected_end_s = float(stream.duration * tb)
        index = 0
        if start_s > 0:
            base = origin or 0
            container.seek(base + int(start_s / tb), stream=stream, backward=True)
        last_t = -1.0
        size: tuple[int, int] | None = None
        small: tuple[int, int] | None = None
        rotation = 0
        packet_pts: list[int] = []  # every packet's timestamp: the frames the stream should have
        decoded_pts: set[int] = set()
        for frame in _decode_tolerant(container, stream, log, packet_pts):
            if frame is None:
                continue  # rebuilt from damaged data: counted lost by `_record_losses`, never measured
            if frame.pts is None:
                t = last_t + 1.0 / rate if last_t >= 0 else 0.0
            else:
                if origin is None:
                    origin = frame.pts
                t = float((frame.pts - origin) * tb)
                decoded_pts.add(frame.pts)
            if t < start_s - 1e-6:
                continue
            if end_s is not None and t > end_s + 1e-9:
                break
            if size is None:
                rotation = _clockwise(frame.rotation)
                size = _target_size(frame.width, frame.height, max_side)
                small = _preview_size(frame.width, frame.height, preview_side) if preview_side else None
                if start_s > 0:
                    index = round(t * rate)
            if frame.pts is not None and start_s <= 0 and log.errors:
                index = max(index, bisect.bisect_left(sorted(packet_pts), frame.pts))  # lost frames counted
            image = _convert(frame, size, gray)
            preview = _rotate(_preview(frame, small), rotation) if small and index % preview_every == 0 else None
            yield Frame(index=index, t=t, image=_rotate(image, rotation), preview=preview)
            log.decoded += 1
            index += 1
            last_t = t
        if log.decoded == 0 and log.errors:
            raise VideoError(f"'{path.name}' is damaged: its video can't be decoded.")
        if start_s <= 0 and end_s is None:
            _record_losses(log, packet_pts, decoded_pts, origin or 0, tb, rate)
    finally:
        container.close()


def _decode_tolerant(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, log: DecodeLog, pts: list[int]
) -> Iterator[av.VideoFrame | None]:
    """Frames of `stream`, skipping packets the decoder refuses and re-reading after a demuxer error.

    A frame predicted from a damaged or missing one decodes without an error but shows a smeared picture
    (seen: a corrupt chunk 1.4 s into a clip with one keyframe left every later frame ~12 grey levels off,
    and the hands followed through that smear made a second squat). So after any error every frame is
    rebuilt from damaged data until the next keyframe (or a frame FFmpeg flags corrupt): those come out as
    None, counted with the lost frames, never measured. Errors surface in output order (frame threads
    delay them), so a frame or two decoded just before the damage may go with it; none after it stays."""
    failures = 0
    damaged = False
    packets = container.demux(stream)

    def screened(frames: Iterable[av.VideoFrame]) -> Iterator[av.VideoFrame | None]:
        nonlocal damaged
        for frame in frames:
            if damaged and frame.key_frame and not frame.is_corrupt:
                damaged = False  # a keyframe needs no earlier picture: clean from here
            if damaged or frame.is_corrupt:
                damaged = True
                log.rebuilt += 1
                yield None
            else:
                yield frame

    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return  # the demuxer's last (empty) packet already drained the decoder
        except av.error.EOFError:
            yield from screened(_drain(stream, log))
            return
        except av.error.FFmpegError:
            log.errors += 1
            damaged = True
            failures += 1
            if failures > 20:  # the rest of the file is unreadable
                yield from screened(_drain(stream, log))
                return
            packets = container.demux(stream)  # the demuxer resynchronises from where it stopped
            continue
        if packet.size > 0:
            log.packets += 1
            if packet.pts is not None:
                pts.append(packet.pts)
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            log.errors += 1
            damaged = True
            continue
        yield from screened(frames)


def _drain(stream: av.video.stream.VideoStream, log: DecodeLog) -> Iterator[av.VideoFrame]:
    """The frames the decoder still holds when the file ends early (threads and B-frames delay them)."""
    try:
        yield from stream.codec_context.decode(None)
    except av.error.FFmpegError:
        log.errors += 1


def _record_losses(
    log: DecodeLog, packet_pts: list[int], decoded_pts: set[int], origin: int, tb: Fraction, rate: float
) -> None:
    """Turn the packets that gave no frame, and an index that lists more frames than the file holds,
    into lost spans (first frame, last frame, start s, end s)."""
    order = sorted(packet_pts)
    missing = [i for i, p in enumerate(order) if p not in decoded_pts] if decoded_pts else []
    if not log.errors and not log.rebuilt and len(missing) <= 1:
        missing = []  # a decoder that holds back its last frame is not a damaged file
    spans: list[list[int]] = []
    for i in missing:
        if spans and i <= spans[-1][1] + 4:  # a frame or three decoded inside a damaged chunk: one span
            spans[-1][1] = i
        else:
            spans.append([i, i])
    truncated = bool(log.expected and log.expected > len(order) + 1 and order)  # the index lists more frames
    first_missing = len(order)
    if truncated and spans and spans[-1][1] == len(order) - 1:  # the last packets read were partial
        first_missing = spans.pop()[0]
    for a, b in spans:
        t0 = float((order[a] - origin) * tb)
        log.lost.append((a, b, t0, float((order[b] - origin) * tb) + 1.0 / rate))
    if truncated and log.expected:
        t0 = float((order[first_missing - 1] - origin) * tb) + 1.0 / rate if first_missing else 0.0
        end = log.expected_end_s
        t1 = end if end and end > t0 else t0 + (log.expected - first_missing) / rate
        log.truncated_at_s = t0
        log.lost.append((first_missing, log.expected - 1, t0, t1))


def prefetched(frames: Iterator[Frame], depth: int = 6) -> Iterator[Frame]:
    """Decode ahead in a thread while the caller works on the previous frames.

    PyAV releases the GIL while decoding, so a consumer doing per-frame analysis in Python overlaps
    with the decoder on the other core instead of waiting for it. Errors are re-raised in the caller.
    """
    import queue
    import threading

    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for frame in frames:
                while not stop.is_set():
                    try:
                        box.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put(done)
        except BaseException as e:  # handed to the consumer
            box.put(e)

    worker = threading.Thread(target=work, name="decode-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = box.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def _shrink(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Area-average by exact halvings (OpenCV's fast path), then one bilinear step to the size asked:
    ~5x cheaper than one INTER_AREA resize by an odd factor on a 1080x1920 frame, same look."""
    w, h = size
    while img.shape[1] // 2 >= w and img.shape[0] // 2 >= h:
        img = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)
    if (img.shape[1], img.shape[0]) != (w, h):
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
    return img


def _convert(frame: av.VideoFrame, size: tuple[int, int], gray: bool) -> np.ndarray:
    w, h = size
    full = (w, h) == (frame.width, frame.height)
    if gray:
        y = _luma(frame)
        if y is None:
            return frame.to_ndarray(format="gray", width=w, height=h)
        # Full size: a view on the decoder's own buffer (row stride kept), no copy; the array keeps
        # the frame alive, and OpenCV reads strided rows directly.
        return np.ascontiguousarray(y) if full else cv2.resize(y, (w, h), interpolation=cv2.INTER_AREA)
    even = frame.width % 2 == 0 and frame.height % 2 == 0
    if frame.format.name in ("yuv420p", "yuvj420p") and not full and even:
        # Shrink the three planes with OpenCV, then one I420->BGR conversion at the small size:
        # several times cheaper than swscale's full-size conversion for a 1080x1920 source.
        y = _luma(frame)
        planes = frame.planes
        cw, ch = frame.width // 2, frame.height // 2
        u = np.frombuffer(planes[1], np.uint8).reshape(ch, planes[1].line_size)[:, :cw]
        v = np.frombuffer(planes[2], np.uint8).reshape(ch, planes[2].line_size)[:, :cw]
        i420 = np.empty((h * 3 // 2, w), np.uint8)
        i420[:h] = _shrink(y, (w, h))
        q = (h // 2) * (w // 2)
        chroma = i420[h:].reshape(-1)
        chroma[:q] = _shrink(u, (w // 2, h // 2)).reshape(-1)
        chroma[q : 2 * q] = _shrink(v, (w // 2, h // 2)).reshape(-1)
        return cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)
    return frame.to_ndarray(format="bgr24", width=w, height=h)


def write_video(path: Path, frames: Iterable[np.ndarray], fps: float) -> Path:
    """Encode BGR (or grey) frames as H.264 yuv420p MP4 with the index up front (plays in browsers).

    Odd sizes are cropped by one pixel (yuv420p needs even sides); all frames take the first frame's
    size. Raises VideoError when there is no frame to write.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    rate = Fraction(fps).limit_denominator(1001) if fps > 0 and math.isfinite(fps) else Fraction(30)
    container = av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"})
    written = 0
    try:
        stream = container.add_stream("libx264", rate=rate)
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "24", "preset": "ultrafast", "tune": "fastdecode"}
        stream.codec_context.thread_count = 0
        size: tuple[int, int] | None = None
        for img in frames:
            if img.ndim == 2:
                img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
            if size is None:
                size = (img.shape[1] // 2 * 2, img.shape[0] // 2 * 2)
                stream.width, stream.height = size
            if (img.shape[1], img.shape[0]) != size:
                img = (
                    img[: size[1], : size[0]]
                    if img.shape[1] >= size[0] and img.shape[0] >= size[1]
                    else (cv2.resize(img, size, interpolation=cv2.INTER_AREA))
                )
            # OpenCV's BGR->I420 is several times cheaper than the encoder's own (swscale) conversion.
            i420 = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_BGR2YUV_I420)
            frame = av.VideoFrame.from_ndarray(i420, format="yuv420p")
            for packet in stream.encode(frame):
                container.mux(packet)
            written += 1
        if written:
            for packet in stream.encode():
                container.mux(packet)
    finally:
        container.close()
    if not written:
        tmp.unlink(missing_ok=True)
        raise VideoError("There were no frames to write.")
    tmp.replace(path)
    return path
