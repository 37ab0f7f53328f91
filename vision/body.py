"""The lifter's body, per frame, from the same decoding pass that follows the bar.

The bar tracker sees every frame in grey; the pose backend looks at a small copy of some of them
(`every` frames: ~10 a second is plenty for angles and tempo, and keeps the whole analysis near the
decoder's speed) and, after the reps are known, at the frames around each rep's bottom and top
(kept small in memory from the same pass), so the depth is read at the lowest instant and not up
to 0.1 s away from it. Every person the backend finds is kept; the lifter is chosen later, as the
person whose body is nearest the bar (a spotter or a passer-by is not the lifter).

Landmarks are stored beside the analysis as an `.npz` (not in the database, not in git).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from models.pose.keypoints import COCO17

POSE_RATE_HZ = 5.0  # frames a second given to the pose backend during the pass (bottoms are re-read exactly)
POSE_SIDE = 480  # pose input's longer side (BlazePose crops and resizes to 256 px itself)
KEEP_BUDGET_BYTES = 192 << 20  # small grey copies kept for the bottom/top refinement
MAX_PERSONS = 2
QUEUE_DEPTH = 8  # frames waiting for the pose worker (full-size grey: ~16 MB at 1080x1920)
WARM_UP = 2  # frames shown to the tracker, unrecorded, before a re-read that jumps back in time
J = {name: i for i, name in enumerate(COCO17)}


@dataclass
class BodyTrack:
    """Landmarks in displayed pixels: `xy` (frames, persons, 17, 2) NaN where absent, `conf` (frames, persons, 17)."""

    t: np.ndarray
    index: np.ndarray
    xy: np.ndarray
    conf: np.ndarray
    backend: str = ""

    def __len__(self) -> int:
        return len(self.t)

    def save(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, t=self.t, index=self.index, xy=self.xy.astype(np.float32),
                            conf=self.conf.astype(np.float16), backend=np.array(self.backend))  # fmt: skip
        return path

    @classmethod
    def load(cls, path: Path) -> BodyTrack:
        with np.load(Path(path)) as z:
            return cls(z["t"], z["index"], z["xy"].astype(float), z["conf"].astype(float), str(z["backend"]))

    def lifter(self, bar_t: np.ndarray, bar_xy: np.ndarray, min_conf: float = 0.5) -> LifterPose:
        """One person per frame: the one whose shoulders and hands are nearest the bar at that time."""
        n = len(self.t)
        xy = np.full((n, 17, 2), np.nan)
        conf = np.zeros((n, 17))
        good = np.isfinite(bar_xy).all(axis=1)
        for i in range(n):
            persons = [p for p in range(self.xy.shape[1]) if np.isfinite(self.xy[i, p]).any()]
            if not persons:
                continue
            if good.sum() >= 2:
                bx = np.interp(self.t[i], bar_t[good], bar_xy[good, 0])
                by = np.interp(self.t[i], bar_t[good], bar_xy[good, 1])
                here = self.xy[i]
                p = min(persons, key=lambda q: _distance(here[q], float(bx), float(by)))
            else:
                p = max(persons, key=lambda q: float(np.nansum(self.conf[i, q])))
            xy[i], conf[i] = self.xy[i, p], self.conf[i, p]
        xy[conf < min_conf] = np.nan
        return LifterPose(self.t, self.index, xy, conf)


_UPPER = [J["left_shoulder"], J["right_shoulder"], J["left_wrist"], J["right_wrist"]]


def _distance(person_xy: np.ndarray, bx: float, by: float) -> float:
    """Pixels from the bar to the nearest of a person's shoulders and hands (1e9 when none is seen)."""
    pts = person_xy[_UPPER]
    pts = pts[np.isfinite(pts).all(axis=1)]
    return float(np.min(np.hypot(pts[:, 0] - bx, pts[:, 1] - by))) if len(pts) else 1e9


@dataclass
class LifterPose:
    """The lifter alone: (frames, 17, 2) displayed pixels, NaN where the point was not seen confidently."""

    t: np.ndarray
    index: np.ndarray
    xy: np.ndarray
    conf: np.ndarray

    def p(self, name: str) -> np.ndarray:
        return self.xy[:, J[name]]

    def near(self, t: float, within_s: float = 0.12) -> int | None:
        """The analysed frame nearest `t` (None when none is within `within_s`)."""
        if not len(self.t):
            return None
        i = int(np.argmin(np.abs(self.t - t)))
        return i if abs(self.t[i] - t) <= within_s else None


class BodyPass:
    """Fed by the lift analysis's decoding loop: pose on every `every`-th frame, small copies kept for later."""

    def __init__(self, backend: Any, fps: float, display_width: int, *, rate_hz: float = POSE_RATE_HZ) -> None:
        self._backend = backend
        self.backend = _CloseLater(self)  # the caller's close() waits for `refine`: one model load, not two
        self.closed = False
        self._loader: threading.Thread | None = None
        self._pending: list[tuple[int, float, np.ndarray]] = []  # sampled while the model was still loading
        self.every = max(1, round(fps / rate_hz))
        self.display_width = display_width
        self.kept: dict[int, tuple[float, np.ndarray]] | None = {}
        self.kept_bytes = 0
        self.results: dict[int, tuple[float, np.ndarray, np.ndarray]] = {}
        self.seen = 0
        self.failed: str | None = None
        self._worker: threading.Thread | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_DEPTH)
        self._ended = False  # the end-of-pass mark is in the worker's queue

    @classmethod
    def loading(cls, factory: Callable[[], Any], fps: float, display_width: int) -> BodyPass:
        """A pass whose pose model loads in a thread while decoding and the bar tracker start (loading takes
        ~1-3 s, as long as the whole bar pass of a short clip); frames sampled meanwhile wait for it."""
        body = cls(None, fps, display_width)
        body._loader = threading.Thread(target=body._load, args=(factory,), name="pose-load", daemon=True)
        body._loader.start()
        return body

    def _load(self, factory: Callable[[], Any]) -> None:
        try:
            self._backend = factory()
        except (FileNotFoundError, ValueError) as e:  # ModelMissing is a FileNotFoundError
            self.failed = f"the pose model is not installed ({e})"
        except Exception as e:  # a pose failure costs the body measures, never the bar's numbers
            self.failed = f"the pose model failed to load ({type(e).__name__}: {e})"

    def ready(self) -> bool:
        return self._loader is None or not self._loader.is_alive()

    def wait(self) -> None:
        """Until every frame fed is read: the model loaded, the frames sampled meanwhile and the worker's done."""
        self._drain()
        self._settle()

    def _settle(self) -> None:
        """Until the model is loaded; then the frames sampled meanwhile are read."""
        if self._loader is not None:
            self._loader.join()
            self._loader = None
        pending, self._pending = self._pending, []
        for index, t, small in pending:
            self._run(index, t, small)

    def borrow(self) -> Any:
        """The loaded model for another reader in this analysis (the hands fallback); it stays open."""
        self.wait()
        if self._backend is None:
            raise FileNotFoundError(self.failed or "no pose model")
        return self.backend

    def _small(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        k = min(1.0, POSE_SIDE / max(h, w))
        if k >= 1.0:
            return image
        return cv2.resize(image, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)

    def feed(self, index: int, t: float, image: np.ndarray) -> None:
        """Hand one frame of the pass over; the shrinking, keeping and pose reading happen in a worker thread.

        The decoding loop's thread follows the bar meanwhile: the pose model (~40 ms a read, in MediaPipe's own
        threads, the GIL released) and OpenCV's resize run beside it instead of after it. Frames reach the worker
        in order, so the model sees the same frames in the same order as it would inline (same landmarks)."""
        sampled = self.seen % self.every == 0
        self.seen += 1
        if self.kept is None and (not sampled or self.failed):
            return  # nothing to keep or read on this frame
        if self._worker is None:
            self._queue = queue.Queue(maxsize=QUEUE_DEPTH)
            self._worker = threading.Thread(target=self._work, args=(self._queue,), name="pose-pass", daemon=True)
            self._worker.start()
        self._queue.put((index, t, image, sampled))

    def _work(self, box: queue.Queue) -> None:
        while True:
            item = box.get()
            if item is None:
                return
            try:
                self._take(*item)
            except Exception as e:  # a pose failure costs the body measures, never the bar's numbers
                logging.getLogger(__name__).exception("pose pass failed on frame %s", item[0])
                self.failed = self.failed or f"the pose pass failed ({type(e).__name__}: {e})"

    def _take(self, index: int, t: float, image: np.ndarray, sampled: bool) -> None:
        if self.kept is None and (not sampled or self.failed):
            return
        small = self._small(image)
        if self.kept is not None:
            self.kept[index] = (t, small)
            self.kept_bytes += small.nbytes
            if self.kept_bytes > KEEP_BUDGET_BYTES:
                self.kept = None  # a long clip: no refinement, the sampled frames only
        if sampled:
            if not self.ready():
                self._pending.append((index, t, small))
            else:
                if self._loader is not None or self._pending:
                    self._settle()
                self._run(index, t, small)

    def end_of_pass(self) -> None:
        """No more frames: the worker reads those it holds and ends (without waiting for it here), so a pass
        whose analysis fails later leaves no thread holding the frames."""
        if self._worker is not None and not self._ended:
            self._queue.put(None)
            self._ended = True

    def _drain(self) -> None:
        """Until the worker has taken every frame fed so far."""
        if self._worker is not None:
            self.end_of_pass()
            self._worker.join()
            self._worker = None
            self._ended = False

    def _run(self, index: int, t: float, small: np.ndarray, backend: Any = None) -> None:
        if self.failed or (backend is None and self._backend is None):
            return
        try:
            kp = (backend or self._backend)(small, t, index)
        except Exception as e:  # a pose failure costs the body measures, never the bar's numbers
            self.failed = f"the pose model failed ({type(e).__name__}: {e})"
            return
        k = self.display_width / small.shape[1]
        xy = np.asarray(kp.xy, float)[:MAX_PERSONS, :17] * k
        conf = np.asarray(kp.conf, float)[:MAX_PERSONS, :17]
        self.results[index] = (t, xy, conf)

    def refine(self, times: Iterable[float], backend_factory: Callable[[], Any] | None = None, around: int = 1) -> None:
        """Pose on the kept frames nearest each of `times` (± `around` frames) not yet looked at.

        The pass's own backend reads them, frames in time order (loading a second model costs seconds; a
        VIDEO-mode tracker given an earlier frame just re-finds the person). `backend_factory` is used only
        when the pass's backend is already closed."""
        self.wait()
        if self.kept is None or self.failed:
            self.close()
            return
        order = sorted(self.kept)
        kt = np.array([self.kept[i][0] for i in order])
        want: set[int] = set()
        for t in times:
            j = int(np.argmin(np.abs(kt - t)))
            want.update(order[max(0, j - around) : j + around + 1])
        want -= set(self.results)
        if not want:
            self.close()
            return
        backend = self._backend if not self.closed else backend_factory() if backend_factory else None
        if backend is None:
            return
        pos = {i: k for k, i in enumerate(order)}
        try:
            prev = None
            for i in sorted(want):
                if prev is None or pos[i] != pos[prev] + 1:
                    # a jump in time: let the tracker find the person again on the frames just before
                    for w in order[max(0, pos[i] - WARM_UP) : pos[i]]:
                        self._warm(w, backend)
                t, small = self.kept[i]
                self._run(i, t, small, backend)
                prev = i
        finally:
            backend.close()
            self.closed = True

    def _warm(self, index: int, backend: Any) -> None:
        t, small = self.kept[index] if self.kept is not None else (0.0, None)
        if small is not None and not self.failed:
            try:
                backend(small, t, index)
            except Exception as e:  # same rule as `_run`: the body measures are lost, never the bar's
                self.failed = f"the pose model failed ({type(e).__name__}: {e})"

    def close(self) -> None:
        self.wait()
        if not self.closed and self._backend is not None:
            self._backend.close()
        self.closed = True

    def track(self) -> BodyTrack:
        self.wait()
        idx = sorted(self.results)
        n = len(idx)
        xy = np.full((n, MAX_PERSONS, 17, 2), np.nan)
        conf = np.zeros((n, MAX_PERSONS, 17))
        for r, i in enumerate(idx):
            _, pxy, pconf = self.results[i]
            m = min(MAX_PERSONS, len(pxy))
            xy[r, :m], conf[r, :m] = pxy[:m], pconf[:m]
        t = np.array([self.results[i][0] for i in idx], float)
        return BodyTrack(t, np.array(idx, int), xy, conf, getattr(self._backend, "name", ""))

    def drop_frames(self) -> None:
        self.kept = None
        self.close()


class _CloseLater:
    """The pass's backend as the caller sees it: calls go through, close() is left to the pass."""

    def __init__(self, owner: BodyPass) -> None:
        self._owner = owner

    def __call__(self, image: np.ndarray, t: float, frame_index: int) -> Any:
        return self._owner._backend(image, t, frame_index)

    def close(self) -> None:  # the pass closes it after `refine`
        pass
