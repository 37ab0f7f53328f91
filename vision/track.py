"""Following plates through a clip: optical flow on the plate's own marks, re-found by its rim.

Every plate candidate the detector finds becomes a track (the bar's plate, but also plates on the
rack and round things in the gym); at the end the track that moved like a lift wins. Each track
follows pyramidal Lucas-Kanade features on the plate face and fits a similarity transform with
RANSAC (plates turn on the sleeve; hands and sleeves are outliers). The work is done on a crop
around the plate, scaled so the plate is about `TARGET_R` pixels in radius: the same cost and the
same sub-pixel behaviour for a 4K close-up and a 360p long shot. Tracks that have not moved for a
while are checked only every few frames, with the skipped frames replayed from a short buffer
as soon as one moves, so static plates cost almost nothing and the lift loses no frame.
When the flow fails (blur, occlusion), the rim fit re-finds the plate near where it should be.

A lost plate is never made up: the flow failing, the centre leaving the image or a jump no barbell
can make (an acceleration far beyond a lift's) marks the frame as not measured, with no position
(NaN). The prediction used to look for the plate again coasts for at most `COAST_FRAMES` frames;
after that the whole frame is searched (`detect_plates`) every few frames for a plate of the same
size within reach of where it was last seen, and the track resumes there.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

import cv2
import numpy as np

from vision.plates import DETECT_SIDE, Circle, consensus_rim, detect_plates, find_sleeve, refine

TARGET_R = 40.0  # plate radius in the tracking crops (px): the pyramid level used gives 40-80
COAST_FRAMES = 3  # the prediction extrapolates the last measured motion this many frames, no more
LOST_GIVE_UP_S = 4.0  # a lost plate is searched for this long before the track ends
PLATE_R_M = 0.225  # a full-size (450 mm) plate: turns the radius in pixels into a rough scale for limits
A_MAX = 80.0  # m/s^2: no barbell accelerates faster while held (second pull ~20-30; Garhammer 1985)
V_MAX = 5.0  # m/s: how far a lost bar can have gone (snatch peaks are ~2-2.5 m/s)
MAX_FEATURES = 50
_LK = {
    "winSize": (15, 15),
    "maxLevel": 2,
    "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.02),
}


RIM_FITS_PER_INDEPENDENT = 4  # rim fits of one clip are correlated: see PlateTrack.radius_spread
DRIFT_FIX_R = 0.12  # a tracked centre this far (in radii) from the re-measured rim is moved onto it
# A detection whose radius is this far from what rim fits started around it agree on is an outlier (see
# PlateTracker._spawn). Fits from different starts on the same plate scatter by a few % (risevbt-sample2's first
# frame: 42-46 px), so only a clear outlier is replaced; a replaced one near the scatter changed working tracks.
OUTLIER_R = 0.10


class Pyramid:
    """One frame at full size and halved on demand; tracks and detection share the levels.

    Tracking reads only crops around the plates, so a level nobody needed whole is built for the crop
    asked (plus a margin, cached for the next crop): the same pixels as the whole level's (exact 2x area
    averages of the same pixels), at a fraction of the cost of halving the whole frame twice."""

    __slots__ = ("_parts", "levels")

    def __init__(self, gray: np.ndarray) -> None:
        self.levels = [gray]
        self._parts: dict[int, list[tuple[int, int, np.ndarray]]] = {}  # level -> (row, col, pixels) parts

    def level(self, k: int) -> np.ndarray:
        while len(self.levels) <= k:
            prev = self.levels[-1]  # an exact 2x area average: OpenCV's fast path, 3x cheaper than pyrDown
            self.levels.append(cv2.resize(prev, (prev.shape[1] // 2, prev.shape[0] // 2), interpolation=cv2.INTER_AREA))
            self._parts.pop(len(self.levels) - 1, None)
        return self.levels[k]

    def shape(self, k: int) -> tuple[int, int]:
        """(height, width) of level `k`, built or not."""
        h, w = self.levels[0].shape[:2]
        for _ in range(k):
            h, w = h // 2, w // 2
        return h, w

    def exact(self, k: int) -> bool:
        """Every halving down to level `k` is an exact 2x one (even sides): a part of it can be built alone."""
        h, w = self.levels[-1].shape[:2]
        for _ in range(len(self.levels) - 1, k):
            if h % 2 or w % 2:
                return False
            h, w = h // 2, w // 2
        return True

    def region(self, k: int, v0: int, v1: int, u0: int, u1: int) -> np.ndarray:
        """Level `k`'s pixels [v0:v1, u0:u1] (inside the level), building only that part when needed."""
        h, w = self.shape(k)
        inside = 0 <= v0 < v1 <= h and 0 <= u0 < u1 <= w  # else: a slice of the whole level, as before
        if k < len(self.levels) or not inside or not self.exact(k):  # odd sides: OpenCV's area weights differ
            return self.level(k)[v0:v1, u0:u1]
        for pv, pu, img in self._parts.get(k, ()):
            if pv <= v0 and pu <= u0 and v1 <= pv + img.shape[0] and u1 <= pu + img.shape[1]:
                return img[v0 - pv : v1 - pv, u0 - pu : u1 - pu]
        mv, mu = (v1 - v0) // 4, (u1 - u0) // 4  # margin: the next crop (key frame, moving plate) falls inside
        a0, a1, b0, b1 = max(0, v0 - mv), min(h, v1 + mv), max(0, u0 - mu), min(w, u1 + mu)
        j = len(self.levels) - 1
        f = 2 ** (k - j)
        img = self.levels[j][a0 * f : a1 * f, b0 * f : b1 * f]
        for _ in range(k - j):
            img = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)
        self._parts.setdefault(k, []).append((a0, b0, img))
        return img[v0 - a0 : v1 - a0, u0 - b0 : u1 - b0]

    @property
    def full(self) -> np.ndarray:
        return self.levels[0]


@dataclass(frozen=True)
class Window:
    """A crop of one pyramid level: crop pixel (0, 0) is level pixel (u0, v0); level scale `s` (2^-k)."""

    u0: int
    v0: int
    s: float

    def to_crop(self, p: np.ndarray) -> np.ndarray:
        return ((p + 0.5) * self.s - 0.5 - [self.u0, self.v0]).astype(np.float32)

    def from_crop(self, p: np.ndarray) -> np.ndarray:
        return (p + [self.u0, self.v0] + 0.5) / self.s - 0.5


def _level_for(s: float) -> int:
    """The coarsest pyramid level that is still at least 0.8·`s` times full size (a plate of
    `TARGET_R` ends up 32-64 px in radius: enough texture for the flow, as little work as that allows)."""
    return max(0, math.floor(math.log2(1.0 / max(0.8 * s, 1e-6)) + 1e-9))


@dataclass
class PlateTrack:
    """One plate followed over frames; positions are the plate centre in displayed full-size pixels."""

    id: int
    circle: Circle
    index: list[int] = field(default_factory=list)
    t: list[float] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    resid: list[float] = field(default_factory=list)  # RMS of the flow fit (px) per frame
    ok: list[bool] = field(default_factory=list)  # measured (True) or coasted (False)
    rims: list[tuple[Circle, float]] = field(default_factory=list)  # rim fits and the speed (px/frame) then
    pts: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))  # features in the key frame
    key: Pyramid | None = None  # the key frame the features were found in
    key_index: int = -1
    key_xy: tuple[float, float] = (0.0, 0.0)  # plate centre in the key frame
    # The bar's end (sleeve face), when one shows in front of the plate: followed on its own, since it
    # sits nearer the camera and so moves a little differently on screen than the plate's centre.
    sleeve: Circle | None = None
    end_x: list[float] = field(default_factory=list)
    end_y: list[float] = field(default_factory=list)
    end_key: Pyramid | None = None
    end_key_index: int = -1
    end_key_xy: tuple[float, float] = (0.0, 0.0)
    checks: int = 0  # rim re-measurements tried (`rims` holds the ones that found a rim)
    last_refit: int = -(10**9)
    last_sleeve_try: int = -(10**9)
    active: bool = True
    lost: int = 0  # frames in a row without a measurement
    seen_index: int = -1  # frame of the last measurement
    seen_v: tuple[float, float] = (0.0, 0.0)  # motion per frame at the last measurement (px)
    seen_xy: tuple[float, float] = (0.0, 0.0)  # centre at the last measurement
    dormant: bool = False
    across: bool = False  # travel also counts across the picture (see PlateTracker.best)
    still_frames: int = 0
    last_index: int = -1
    last_t: float = 0.0

    def record(
        self, index: int, t: float, x: float, y: float, resid: float, ok: bool,
        end: tuple[float, float] = (math.nan, math.nan),
    ) -> None:  # fmt: skip
        if ok:  # the motion per frame at the last measurement: what a prediction may coast on
            consecutive = self.seen_index >= 0 and index - self.seen_index == 1
            sx, sy = self.seen_xy
            self.seen_v = (x - sx, y - sy) if consecutive else (0.0, 0.0)
            self.seen_index, self.seen_xy = index, (x, y)
        self.end_x.append(end[0])
        self.end_y.append(end[1])
        self.index.append(index)
        self.t.append(t)
        self.x.append(x)
        self.y.append(y)
        self.resid.append(resid)
        self.ok.append(ok)
        self.last_index = index
        self.last_t = t

    @property
    def travel(self) -> float:
        """Range covered along the path's main image axis (px), robust to a few bad frames.

        The larger of the vertical and horizontal range: a clip filmed or stored sideways shows the lift
        across the picture (the analysis finds which way is up, see `analyse._upright`)."""
        keep = np.asarray(self.ok, bool) if self.ok else np.ones(len(self.y), bool)
        y, x = np.asarray(self.y)[keep], np.asarray(self.x)[keep]
        y, x = y[np.isfinite(y)], x[np.isfinite(x)]
        if len(y) < 3 or len(x) < 3:
            return 0.0
        if not self.across:
            return float(np.percentile(y, 98) - np.percentile(y, 2))
        return float(max(np.percentile(y, 98) - np.percentile(y, 2), np.percentile(x, 98) - np.percentile(x, 2)))

    @property
    def motion_deg(self) -> float:
        """Main direction of the plate's travel (degrees, image coordinates; 90 = straight down/up)."""
        p = np.stack([self.x, self.y], 1)
        p = p[np.isfinite(p).all(axis=1)]
        if len(p) < 3:
            return 90.0
        p = p - p.mean(0)
        _, _, vt = np.linalg.svd(p, full_matrices=False)
        return math.degrees(math.atan2(vt[0, 1], vt[0, 0])) % 180.0

    def _radii(self) -> np.ndarray:
        """Rim measurements along the direction of travel, taken while the plate moved slowly."""
        if not self.rims:
            return np.array([self.circle.r])
        d = self.motion_deg
        r = np.array([c.radius_along(d) for c, _ in self.rims])
        speed = np.array([sp for _, sp in self.rims])
        slow = speed <= np.percentile(speed, 50)
        return r[slow] if slow.sum() >= 3 else r

    @property
    def radius(self) -> float:
        """The plate's radius on screen along its travel (the median of slow rim fits)."""
        return float(np.median(self._radii()))

    @property
    def radius_spread(self) -> float:
        """Relative standard error of the radius (from the spread of its measurements).

        The fits of one clip are not independent (the same edges, blur and compression each time): copies
        of one 360 px clip re-encoded or stored differently gave medians 43.0-47.3 px, twice the error the
        fits' own scatter / sqrt(n) claimed, so only every fourth fit counts as a new measurement."""
        r = self._radii()
        if len(r) < 3:
            return 0.02
        mad = 1.4826 * float(np.median(np.abs(r - np.median(r))))
        return mad / max(float(np.median(r)), 1e-6) / math.sqrt(max(1.0, len(r) / RIM_FITS_PER_INDEPENDENT)) * 1.25

    @property
    def rim_ratio(self) -> float:
        """How often the rim was found again when looked for: a plate keeps its rim, a head or a knee doesn't."""
        return len(self.rims) / (self.checks + 1)

    @property
    def coverage(self) -> float:
        return float(np.mean(self.ok)) if self.ok else 0.0


def _nested(inner: PlateTrack, outer: PlateTrack) -> bool:
    """Whether `inner` stayed inside `outer`'s disc over the frames both saw."""
    common = sorted(set(inner.index) & set(outer.index))
    if len(common) < 3:
        return False
    pos_i = {k: (x, y) for k, x, y in zip(inner.index, inner.x, inner.y, strict=True)}
    pos_o = {k: (x, y) for k, x, y in zip(outer.index, outer.x, outer.y, strict=True)}
    d = [math.hypot(pos_i[k][0] - pos_o[k][0], pos_i[k][1] - pos_o[k][1]) for k in common]
    d = [v for v in d if math.isfinite(v)]  # frames either was lost in say nothing
    return bool(d) and float(np.median(d)) < outer.radius


class PlateTracker:
    """Feed it grey frames in order (`update`), then ask for the lift's track (`best`)."""

    def __init__(
        self, fps: float, *, detect_every_s: float = 0.7, max_tracks: int = 8, buffer: int = 8,
        initial: Circle | None = None,
    ) -> None:  # fmt: skip
        self.fps = max(1.0, fps)
        self.detect_every = max(1, round(detect_every_s * self.fps))
        self.refit_every = max(1, round(0.4 * self.fps))
        self.max_tracks = max_tracks
        self.tracks: list[PlateTrack] = []
        self._frames: OrderedDict[int, tuple[float, Pyramid]] = OrderedDict()
        self._buffer = buffer
        self._dormant_step = max(2, min(buffer - 1, round(0.1 * self.fps)))
        self._next_id = 0
        self._frames_seen = 0
        self._initial = initial
        self._rng = np.random.default_rng(0)

    # --- public -------------------------------------------------------------------------------
    def update(self, index: int, t: float, gray: np.ndarray) -> None:
        gray = Pyramid(gray)
        self._frames[index] = (t, gray)
        while len(self._frames) > self._buffer:
            self._frames.popitem(last=False)
        if self._frames_seen == 0 and self._initial is not None:
            self._spawn(self._initial, index, t, gray, check=False)
        if self._frames_seen % self.detect_every == 0:
            lifting = any(tr.active and tr.travel > tr.circle.r for tr in self.tracks)
            if not lifting or self._frames_seen % (self.detect_every * 3) == 0:
                self._detect(index, t, gray)
        self._frames_seen += 1
        for track in self.tracks:
            if not track.active or track.last_index == index:
                continue
            if track.dormant and index - track.last_index < self._dormant_step:
                continue
            self._advance(track, index)

    def finish(self) -> None:
        """Bring dormant tracks up to the last frame (their skipped frames filled in)."""
        if not self._frames:
            return
        last = next(reversed(self._frames))
        for track in self.tracks:
            if track.active and track.last_index < last:
                self._advance(track, last)

    def best(self, *, min_travel_r: float = 0.5) -> PlateTrack | None:
        """The track that moved like a lift: enough vertical travel for its size, the most of it."""
        moving = [
            tr
            for tr in self.tracks
            if len(tr.y) >= 5
            and tr.travel >= min_travel_r * tr.radius
            and tr.coverage > 0.5
            and tr.rim_ratio >= 0.5
            and len(tr.rims) >= 3
        ]
        if not moving:  # no plate rose and fell: a sideways clip's plate moves across, with a clear rim
            for tr in self.tracks:
                tr.across = True
            moving = [tr for tr in self.tracks if len(tr.y) >= 5 and tr.travel >= min_travel_r * tr.radius
                      and tr.coverage > 0.5 and tr.rim_ratio >= 0.8 and len(tr.rims) >= 5]  # fmt: skip
        # A circle riding inside a bigger moving one (hub, sleeve end, painted ring) is part of that plate.
        outer = [tr for tr in moving if not any(o is not tr and o.radius > 1.2 * tr.radius and _nested(tr, o)
                                                for o in moving)]  # fmt: skip
        if not outer:
            return None
        return max(outer, key=lambda tr: (tr.travel * tr.coverage * len(tr.y), tr.radius))

    # --- detection ----------------------------------------------------------------------------
    def _prune(self) -> None:
        """Drop tracks that have merged into another plate (a rack plate the bar's plate passed over)."""
        live = [tr for tr in self.tracks if tr.active and tr.x]
        for a in live:
            for b in live:
                if a is b or not (a.active and b.active):
                    continue
                small, big = (a, b) if (a.circle.r, -a.id) < (b.circle.r, -b.id) else (b, a)
                if small.lost or big.lost:
                    continue  # a lost track has no position to compare
                d = math.hypot(small.circle.x - big.circle.x, small.circle.y - big.circle.y)
                if d + small.circle.r < 1.1 * big.circle.r or (
                    d < 0.2 * big.circle.r and small.circle.r > 0.8 * big.circle.r
                ):
                    small.active = False

    def _detect(self, index: int, t: float, gray: Pyramid) -> None:
        self._prune()
        k = 0
        while max(gray.level(k).shape[:2]) // 2 >= DETECT_SIDE:
            k += 1
        f = 2.0**k
        found = [c.scaled(f, 0.5 * f - 0.5, 0.5 * f - 0.5) for c in detect_plates(gray.level(k))]
        for c in found:
            match = self._match(c)
            inner = self._concentric_smaller(c)
            if match is None and inner is not None:
                # The whole plate around a hub or painted ring we were already following: same
                # centre, same history; follow the bigger disc from now on.
                self._reseed(
                    inner, gray, Circle(inner.circle.x, inner.circle.y, c.r, c.support, c.rms, c.minor, c.angle), index
                )
                inner.rims.clear()
                inner.rims.append((c, 0.0))
                continue
            if match is None:
                if self._inside_other(c) is None and sum(tr.active for tr in self.tracks) < self.max_tracks:
                    self._spawn(c, index, t, gray)
            elif match.lost and match.active:
                self._reseed(match, gray, Circle(c.x, c.y, match.circle.r), index)

    def _match(self, c: Circle) -> PlateTrack | None:
        for tr in self.tracks:
            if not tr.active:
                continue
            x, y = tr.circle.x, tr.circle.y  # the last measured (or, while lost, predicted) centre
            if math.hypot(c.x - x, c.y - y) < 0.5 * tr.circle.r and 0.7 < c.r / tr.circle.r < 1.4:
                return tr
        return None

    def _concentric_smaller(self, c: Circle) -> PlateTrack | None:
        for tr in self.tracks:
            if (
                tr.active
                and tr.x
                and c.r > 1.2 * tr.circle.r
                and math.hypot(c.x - tr.circle.x, c.y - tr.circle.y) < 0.2 * c.r
            ):
                return tr
        return None

    def _inside_other(self, c: Circle) -> PlateTrack | None:
        """An active track whose plate contains this smaller circle (a hub, a painted ring, a sleeve)."""
        for tr in self.tracks:
            inside = tr.x and math.hypot(c.x - tr.circle.x, c.y - tr.circle.y) + c.r < 1.1 * tr.circle.r
            if tr.active and tr.circle.r > c.r * 1.2 and inside:
                return tr
        return None

    def _spawn(self, c: Circle, index: int, t: float, gray: Pyramid, *, check: bool = True) -> None:
        """Start a track on a detected plate. Its first circle is the working circle for the whole clip (the
        feature window, the crops, the guess for every rim re-fit), so a detection whose radius is an outlier
        (`OUTLIER_R`) against the rim fits started around it is replaced by the fit most of them agree on
        (`consensus_rim`): a working circle 10 % too big took background into the window and slid off the
        plate at the bottoms (risevbt-sample2 crop_80: MCV 0.435 m/s against the original's 0.521)."""
        if check:
            agreed = consensus_rim(gray.full, c)
            if agreed is not None and abs(c.r / agreed.r - 1) > OUTLIER_R:
                c = agreed
        track = PlateTrack(id=self._next_id, circle=c)
        self._next_id += 1
        self._reseed(track, gray, c, index)
        if len(track.pts) < 6:
            return
        track.rims.append((c, 0.0))
        self._find_sleeve(track, gray, index)
        end = (track.sleeve.x, track.sleeve.y) if track.sleeve else (math.nan, math.nan)
        track.record(index, t, c.x, c.y, c.rms, True, end)
        self.tracks.append(track)

    def _find_sleeve(self, track: PlateTrack, gray: Pyramid, index: int) -> None:
        sleeve = find_sleeve(gray.full, track.circle)
        if sleeve is not None:
            track.sleeve = sleeve
            track.end_key, track.end_key_index, track.end_key_xy = gray, index, (sleeve.x, sleeve.y)

    def _follow_end(self, track: PlateTrack, i1: int, g1: Pyramid, dx: float, dy: float) -> tuple[float, float]:
        """Single-window Lucas-Kanade on the sleeve face from its key frame (sub-pixel, no drift between
        key frames); falls back to the plate's own motion when the check fails."""
        if track.sleeve is None or track.end_key is None or not track.end_x or math.isnan(track.end_x[-1]):
            return (math.nan, math.nan)
        ex, ey = track.end_x[-1] + dx, track.end_y[-1] + dy
        kx, ky = track.end_key_xy
        win = int(min(31, max(15, 1.5 * track.sleeve.r))) | 1
        half = math.hypot(ex - kx, ey - ky) / 2 + 2 * win
        a, win0 = self._crop(track.end_key, (kx + ex) / 2, (ky + ey) / 2, half, 1.0)
        b, _ = self._crop(g1, (kx + ex) / 2, (ky + ey) / 2, half, 1.0)
        if a.shape != b.shape:
            return (ex, ey)
        x0, y0 = float(win0.u0), float(win0.v0)
        p0 = np.float32([[kx - x0, ky - y0]])
        guess = np.float32([[ex - x0, ey - y0]])
        lk = {
            "winSize": (win, win),
            "maxLevel": 2,
            "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 50, 0.001),
        }
        p1, st, _ = cv2.calcOpticalFlowPyrLK(a, b, p0, guess.copy(), flags=cv2.OPTFLOW_USE_INITIAL_FLOW, **lk)
        if p1 is None or not st[0, 0]:
            return (ex, ey)
        pb, st2, _ = cv2.calcOpticalFlowPyrLK(b, a, p1, p0.copy(), flags=cv2.OPTFLOW_USE_INITIAL_FLOW, **lk)
        if pb is None or not st2[0, 0] or float(np.linalg.norm(pb - p0)) > 0.5:
            return (ex, ey)
        nx, ny = float(p1[0, 0] + x0), float(p1[0, 1] + y0)
        if i1 - track.end_key_index >= max(3, round(0.08 * self.fps)):
            track.end_key, track.end_key_index, track.end_key_xy = g1, i1, (nx, ny)
        return (nx, ny)

    # --- tracking -----------------------------------------------------------------------------
    @staticmethod
    def _crop(pyr: Pyramid, cx: float, cy: float, half: float, s: float) -> tuple[np.ndarray, Window]:
        """The square around (cx, cy) of half-size `half` (full-size px) on the level nearest scale `s`."""
        k = _level_for(s)
        sk = 2.0**-k
        h, w = pyr.shape(k)
        u, v, hh = (cx + 0.5) * sk - 0.5, (cy + 0.5) * sk - 0.5, half * sk
        u0, v0 = max(0, int(u - hh)), max(0, int(v - hh))
        u1, v1 = min(w, int(u + hh) + 1), min(h, int(v + hh) + 1)
        return pyr.region(k, v0, v1, u0, u1), Window(u0, v0, sk)

    def _reseed(
        self, track: PlateTrack, gray: Pyramid, c: Circle, index: int = -1, keep: np.ndarray | None = None
    ) -> None:
        """Make `gray` the track's key frame, with features on the plate face (an annulus: not the rim's
        background, not the sleeve's end), plus `keep` (features already followed into this frame)."""
        crop, win = self._crop(gray, c.x, c.y, c.r * 1.05, min(1.0, TARGET_R / c.r))
        s = win.s
        mask = np.zeros(crop.shape[:2], np.uint8)
        cc = win.to_crop(np.array([[c.x, c.y]]))[0]
        cv2.circle(mask, (round(cc[0]), round(cc[1])), max(2, int(c.r * s * 0.9)), 255, -1)
        cv2.circle(mask, (round(cc[0]), round(cc[1])), max(1, int(c.r * s * 0.12)), 0, -1)
        want = MAX_FEATURES - (len(keep) if keep is not None else 0)
        found = None
        if want > 8:
            found = cv2.goodFeaturesToTrack(crop, maxCorners=want, qualityLevel=0.002,
                                            minDistance=max(2.0, c.r * s / 12), mask=mask, blockSize=5)  # fmt: skip
        pts = np.zeros((0, 2), np.float32) if found is None else win.from_crop(found.reshape(-1, 2))
        if keep is not None and len(keep):
            pts = np.concatenate([keep, pts])[:MAX_FEATURES]
        track.pts = pts.astype(np.float32)
        track.key = gray
        track.key_index = index
        track.key_xy = (c.x, c.y)
        track.circle = c
        track.lost = 0

    def _advance(self, track: PlateTrack, index: int) -> None:
        """Move `track` from its last frame to `index`, replaying buffered frames when it wakes up."""
        if track.dormant:
            moved = self._step(track, index, commit=False)
            if moved is not None and moved < 0.015 * track.circle.r:
                self._step(track, index, commit=True, fill=True)
                return
            track.dormant = False
            track.still_frames = 0
        start = track.last_index
        for i in [k for k in self._frames if start < k <= index]:
            self._step(track, i, commit=True)
            if not track.active:
                return

    def _step(self, track: PlateTrack, i1: int, *, commit: bool, fill: bool = False) -> float | None:
        """Flow from the key frame to frame i1; returns how far the centre moved since the last frame."""
        if i1 not in self._frames or track.key is None:
            return None
        t1, g1 = self._frames[i1]
        g0 = track.key
        c = track.circle
        cx, cy = track.circle.x, track.circle.y  # last measured centre (or the prediction while lost)
        px, py = cx, cy  # predicted centre in frame i1
        if not track.dormant and not track.lost and track.ok[-1]:
            steps_ahead = min(i1 - track.last_index, COAST_FRAMES)
            px, py = cx + track.seen_v[0] * steps_ahead, cy + track.seen_v[1] * steps_ahead
        kx, ky = track.key_xy
        s = 2.0 ** -_level_for(min(1.0, TARGET_R / c.r))
        half = 1.25 * c.r + math.hypot(px - kx, py - ky) / 2 + 6 / s
        a, win = self._crop(g0, (kx + px) / 2, (ky + py) / 2, half, s)
        b, _ = self._crop(g1, (kx + px) / 2, (ky + py) / 2, half, s)
        if a.shape != b.shape or len(track.pts) < 6:
            return self._lost(track, i1, t1, g1, commit)
        p0 = win.to_crop(track.pts)
        guess = p0 + np.float32([(px - kx) * s, (py - ky) * s])
        p1, st, _ = cv2.calcOpticalFlowPyrLK(a, b, p0, guess.copy(), flags=cv2.OPTFLOW_USE_INITIAL_FLOW, **_LK)
        if p1 is None:
            return self._lost(track, i1, t1, g1, commit)
        # No backward check here (it doubles the cost): RANSAC on the similarity rejects what it would.
        good = st.ravel() == 1
        if good.sum() < 6:
            return self._lost(track, i1, t1, g1, commit)
        m, inl = cv2.estimateAffinePartial2D(p0[good], p1[good], method=cv2.RANSAC, ransacReprojThreshold=0.75,
                                             maxIters=500, confidence=0.995, refineIters=10)  # fmt: skip
        if m is None or inl is None or inl.sum() < 6:
            return self._lost(track, i1, t1, g1, commit)
        zoom = math.sqrt(abs(np.linalg.det(m[:, :2])))
        if not 0.9 < zoom < 1.1:
            return self._lost(track, i1, t1, g1, commit)
        inl = inl.ravel().astype(bool)
        k0 = win.to_crop(np.array([[kx, ky]]))[0]
        nx, ny = win.from_crop((m[:, :2] @ k0 + m[:, 2])[None, :])[0]
        moved = math.hypot(nx - cx, ny - cy)
        if not commit:
            return moved
        if self._implausible(track, i1, float(nx), float(ny), g1):
            return self._lost(track, i1, t1, g1, commit)
        q0, q1 = p0[good][inl], p1[good][inl]
        resid = float(np.sqrt(np.mean(np.sum((q0 @ m[:, :2].T + m[:, 2] - q1) ** 2, axis=1)))) / s
        end0 = (track.end_x[-1], track.end_y[-1]) if track.end_x else (math.nan, math.nan)
        end = self._follow_end(track, i1, g1, nx - cx, ny - cy)
        if fill:  # a dormant track: the skipped frames sat still, so they get the straight line between
            last = track.last_index
            for k in [k for k in self._frames if last < k < i1]:
                f = (k - last) / (i1 - last)
                mid = (end0[0] + f * (end[0] - end0[0]), end0[1] + f * (end[1] - end0[1]))
                track.record(k, self._frames[k][0], cx + f * (nx - cx), cy + f * (ny - cy), resid, True, mid)
        steps = max(1, i1 - track.last_index)
        track.record(i1, t1, float(nx), float(ny), resid, True, end)
        track.circle = Circle(float(nx), float(ny), c.r, c.support, c.rms, c.minor)
        track.lost = 0
        per_frame = moved / steps
        track.still_frames = track.still_frames + steps if per_frame < 0.004 * c.r else 0
        if not track.dormant and track.still_frames >= self.fps:
            track.dormant = True
        # A new key frame when the view has changed enough that matching the old one gets unreliable.
        turned = abs(math.degrees(math.atan2(m[1, 0], m[0, 0])))
        age = i1 - track.key_index
        if inl.sum() < max(12, 0.4 * len(track.pts)) or turned > 6 or abs(zoom - 1) > 0.04 or age > 0.3 * self.fps:
            if track.dormant and turned < 6 and inl.sum() >= max(12, 0.4 * len(track.pts)):
                return moved  # a still plate keeps its key frame: no drift while it waits
            kept = win.from_crop(q1).astype(np.float32)
            if i1 - track.last_refit >= self.refit_every * (5 if track.dormant else 1):
                self._refit(track, g1, per_frame, i1)
            self._reseed(track, g1, track.circle, i1, keep=kept if len(kept) >= 30 else None)
        return moved

    def _refit(self, track: PlateTrack, gray: Pyramid, speed: float, index: int) -> None:
        """Re-measure the rim: the scale samples (their median, taken while slow, is the plate size)."""
        prev_refit, track.last_refit = track.last_refit, index
        if track.sleeve is None and track.x and index - track.last_sleeve_try >= self.fps:
            track.last_sleeve_try = index
            self._find_sleeve(track, gray, track.last_index)
            if track.sleeve is not None:
                track.end_x[-1], track.end_y[-1] = track.sleeve.x, track.sleeve.y
        track.checks += 1
        fit = refine(gray.full, track.circle)
        if fit is not None and fit.support > 0.4 and abs(fit.r / track.circle.r - 1) < 0.2:
            track.rims.append((fit, speed))
            # The rim is where the plate is; the face's features can slide off it (blur, compression
            # smearing the face): a centre drifted off the rim is put back on it, before it drifts away.
            off = math.hypot(fit.x - track.circle.x, fit.y - track.circle.y)
            if DRIFT_FIX_R < off / track.circle.r < 0.5 and fit.support > 0.5 and track.x:
                self._undrift(track, prev_refit, fit.x - track.circle.x, fit.y - track.circle.y)
                c = track.circle
                track.circle = Circle(fit.x, fit.y, c.r, c.support, c.rms, c.minor, c.angle)
        elif (track.checks >= 3 and len(track.rims) <= 1) or (track.checks >= 6 and track.rim_ratio < 0.25):
            track.active = False  # not a plate (a knee, a head, a wheel): stop paying for it

    @staticmethod
    def _undrift(track: PlateTrack, since: int, dx: float, dy: float) -> None:
        """Spread a drift found at a rim re-measurement over the frames since the last one (it built up
        over them), so that the path stays smooth and ends on the rim."""
        n = len(track.index)
        first = n - 1
        while first > 0 and track.index[first - 1] >= since and n - first < 4 * 30:
            first -= 1
        span = max(1, track.index[-1] - track.index[first])
        for i in range(first, n):
            f = (track.index[i] - track.index[first]) / span if span else 1.0
            track.x[i] += f * dx
            track.y[i] += f * dy

    def _implausible(self, track: PlateTrack, i1: int, x: float, y: float, g1: Pyramid) -> bool:
        """A measurement no bar can give: its centre off the image, or a jump from the last two measured
        frames that needs an acceleration far beyond any lift's (the flow latched onto something else)."""
        h, w = g1.full.shape[:2]
        if not (0 <= x < w and 0 <= y < h):
            return True
        if track.lost or not track.ok or not track.ok[-1] or i1 - track.last_index != 1 or track.dormant:
            return False
        if len(track.ok) < 2 or not track.ok[-2] or track.index[-2] != track.last_index - 1:
            return False
        t0, t1, t2 = track.t[-2], track.t[-1], self._frames[i1][0]
        if not (t2 > t1 > t0):
            return False
        # Second difference on the frames' own times (phones drop and jitter frames).
        v1 = ((track.x[-1] - track.x[-2]) / (t1 - t0), (track.y[-1] - track.y[-2]) / (t1 - t0))
        v2 = ((x - track.x[-1]) / (t2 - t1), (y - track.y[-1]) / (t2 - t1))
        acc = math.hypot(v2[0] - v1[0], v2[1] - v1[1]) / ((t2 - t0) / 2)
        px_per_m = track.circle.r / PLATE_R_M
        limit = max(A_MAX * px_per_m, (0.1 * track.circle.r + 3.0) * self.fps**2)  # floors: noise, small plates
        return acc > limit

    def _lost(self, track: PlateTrack, i1: int, t1: float, g1: Pyramid, commit: bool) -> float | None:
        """The flow failed: look for the rim where the plate should be (coasting the last measured motion
        for at most `COAST_FRAMES` frames), then over the whole frame every few frames; the frame is
        recorded as not measured (no position) until the plate is found again, and the track ends
        after `LOST_GIVE_UP_S` without it."""
        if not commit:
            return None
        h, w = g1.full.shape[:2]
        since = max(1, i1 - track.seen_index) if track.seen_index >= 0 else 1
        ahead = min(since, COAST_FRAMES)
        cx = track.seen_xy[0] + track.seen_v[0] * ahead if track.seen_index >= 0 else track.circle.x
        cy = track.seen_xy[1] + track.seen_v[1] * ahead if track.seen_index >= 0 else track.circle.y
        cx, cy = min(max(cx, 0.0), w - 1.0), min(max(cy, 0.0), h - 1.0)  # never a guess off the image
        fit = refine(g1.full, Circle(cx, cy, track.circle.r))
        if not (fit is not None and fit.support > 0.5 and abs(fit.r / track.circle.r - 1) < 0.15):
            fit = None
            if track.lost and track.lost % max(1, round(0.1 * self.fps)) == 0:
                fit = self._search(track, g1, since)
        if fit is not None and (0 <= fit.x < w and 0 <= fit.y < h):
            self._reseed(track, g1, Circle(fit.x, fit.y, track.circle.r, fit.support, fit.rms, fit.minor), i1)
            track.record(i1, t1, fit.x, fit.y, fit.rms, len(track.pts) >= 6)
            track.sleeve = None  # re-found from scratch: look for the bar's end again at the next refit
            return 0.0
        track.lost += 1
        track.record(i1, t1, math.nan, math.nan, math.nan, False)
        track.circle = Circle(cx, cy, track.circle.r)
        track.dormant = False
        if track.lost > LOST_GIVE_UP_S * self.fps:
            track.active = False
        return None

    def _search(self, track: PlateTrack, g1: Pyramid, since: int) -> Circle | None:
        """The lost plate anywhere in the frame: a plate of its size, within reach of where it was last
        seen, that no other track is following."""
        k = 0
        while max(g1.level(k).shape[:2]) // 2 >= DETECT_SIDE:
            k += 1
        f = 2.0**k
        reach = track.circle.r * (1.0 + V_MAX * since / self.fps / PLATE_R_M)
        best: tuple[float, Circle] | None = None
        for c in (c.scaled(f, 0.5 * f - 0.5, 0.5 * f - 0.5) for c in detect_plates(g1.level(k))):
            if not 0.8 < c.r / track.circle.r < 1.25:
                continue
            d = math.hypot(c.x - track.circle.x, c.y - track.circle.y)
            if d > reach:
                continue
            taken = any(
                o is not track
                and o.active
                and not o.lost
                and math.hypot(c.x - o.circle.x, c.y - o.circle.y) < 0.5 * o.circle.r
                for o in self.tracks
            )
            if not taken and (best is None or d < best[0]):
                best = (d, c)
        if best is None:
            return None
        return refine(g1.full, best[1]) or best[1]


def backfill(track: PlateTrack, frames: list[tuple[int, float, np.ndarray]], fps: float) -> int:
    """Follow `track` backwards through the kept frames before its first one and prepend what was measured.

    The bar's plate is found by a detector that runs every ~0.7 s and can miss it (a fade-in, black
    frames, a plate blurred while moving): the track then starts mid-set and the first rep is lost. A
    tracker seeded with the track's first circle and fed the earlier frames newest first follows the plate
    back to where it appeared, so the result does not depend on when the detector first succeeded.
    `frames` holds (index, t, grey image at the tracking size) and must include the track's first frame.
    Returns the number of frames added."""
    if not track.index:
        return 0
    first = track.index[0]
    by_index = {i: (t, g) for i, t, g in frames}
    if first not in by_index or first - 1 not in by_index:
        return 0
    seq = [first]
    while seq[-1] - 1 in by_index:
        seq.append(seq[-1] - 1)
    t0 = by_index[first][0]
    circle = Circle(track.x[0], track.y[0], track.circle.r)
    rev = PlateTracker(fps, initial=circle, max_tracks=1)
    for j, i in enumerate(seq):
        t, g = by_index[i]
        rev.update(j, t0 - t, g)
    rev.finish()
    back = next((tr for tr in rev.tracks if tr.index and tr.index[0] == 0), None)
    if back is None:
        return 0
    recs = [(j, back.x[k], back.y[k], back.resid[k], back.ok[k], back.end_x[k], back.end_y[k])
            for k, j in enumerate(back.index) if j > 0]  # fmt: skip
    while recs and not recs[-1][4]:  # stop at the last measured frame: coasting into black proves nothing
        recs.pop()
    if not recs:
        return 0
    recs.reverse()  # oldest first
    sleeve = track.sleeve is not None and back.sleeve is not None
    track.index[:0] = [seq[j] for j, *_ in recs]
    track.t[:0] = [by_index[seq[j]][0] for j, *_ in recs]
    track.x[:0] = [r[1] for r in recs]
    track.y[:0] = [r[2] for r in recs]
    track.resid[:0] = [r[3] for r in recs]
    track.ok[:0] = [r[4] for r in recs]
    track.end_x[:0] = [r[5] if sleeve else math.nan for r in recs]
    track.end_y[:0] = [r[6] if sleeve else math.nan for r in recs]
    track.rims[:0] = back.rims[1:]  # the seed circle is the track's own; the rest are new rim fits
    track.checks += back.checks
    return len(recs)
