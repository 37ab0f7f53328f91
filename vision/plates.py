"""Finding weight plates in a frame: circle candidates, then a sub-pixel fit of the plate's rim.

Hough finds round things (plates on the bar, plates on the rack, heads, clocks); the rim fit then
measures each candidate from its own edge: rays from the centre find the strongest radial edge,
a RANSAC circle rejects occluders (hands, knees) and an ellipse fit of the inliers gives the centre
and the diameter (the major axis: a camera not quite side-on shrinks the plate sideways, not in
height). The diameter sets the scale in metres, so its precision is the velocity's precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

DETECT_SIDE = 480  # long side of the image the global search runs on


@dataclass(frozen=True)
class Circle:
    """A plate candidate in the coordinates of the image it was found in."""

    x: float
    y: float
    r: float  # semi-major axis (half the plate's diameter on screen)
    support: float = 0.0  # share of the rim that has an edge where the fit says (0..1)
    rms: float = 0.0  # rim fit residual (px)
    minor: float = 0.0  # semi-minor axis (0: not measured)
    angle: float = 0.0  # direction of the major axis (degrees from the x axis, image coordinates)

    def scaled(self, k: float, dx: float = 0.0, dy: float = 0.0) -> Circle:
        return Circle(
            self.x * k + dx, self.y * k + dy, self.r * k, self.support, self.rms * k, self.minor * k, self.angle
        )

    def radius_along(self, direction_deg: float) -> float:
        """Half the plate's chord through its centre in a direction: the scale for motion that way.

        A camera not quite side-on turns the plate into an ellipse; the bar moves along the plate's
        face, so lengths along the motion compare with the plate's chord along the motion.
        """
        a, b = self.r, self.minor or self.r
        d = math.radians(direction_deg - self.angle)
        return a * b / math.hypot(b * math.cos(d), a * math.sin(d))


def find_circles(gray: np.ndarray, *, max_n: int = 8, min_frac: float = 0.05, max_frac: float = 0.45) -> list[Circle]:
    """Round things whose radius is between `min_frac` and `max_frac` of the short side, best first."""
    h, w = gray.shape[:2]
    side = min(h, w)
    blur = cv2.GaussianBlur(gray, (0, 0), 1.5)
    found: list[Circle] = []
    for param1, param2 in ((150, 0.6), (80, 0.5)):  # contrasty first, then a second try for dark-on-dark
        res = cv2.HoughCircles(
            blur, cv2.HOUGH_GRADIENT_ALT, dp=1.5, minDist=side * min_frac, param1=param1, param2=param2,
            minRadius=max(4, int(side * min_frac)), maxRadius=int(side * max_frac),
        )  # fmt: skip
        if res is not None:
            for x, y, r in res[0][: max_n * 2]:
                c = Circle(float(x), float(y), float(r))
                if not any(_same(c, o) for o in found):
                    found.append(c)
        if found:
            break
    return found[: max_n * 2]


def _same(a: Circle, b: Circle) -> bool:
    return math.hypot(a.x - b.x, a.y - b.y) < 0.3 * max(a.r, b.r) and 0.75 < a.r / b.r < 1.33


def rim_candidates(
    gray: np.ndarray, guess: Circle, *, rays: int = 96, band: tuple[float, float] = (0.78, 1.25), per_ray: int = 4
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Radial edge peaks along rays from the guessed centre: (points, ray index, strength).

    Several peaks per ray, because a plate has several concentric edges (lip, hub, painted rings)
    and the one we want, the outer rim, is not always the strongest.
    """
    h, w = gray.shape[:2]
    g = cv2.GaussianBlur(gray, (0, 0), max(0.8, guess.r / 60)).astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    ang = np.linspace(0, 2 * np.pi, rays, endpoint=False)
    steps = max(16, int(guess.r * (band[1] - band[0]) * 2))
    rad = np.linspace(band[0] * guess.r, band[1] * guess.r, steps)
    cos, sin = np.cos(ang)[:, None], np.sin(ang)[:, None]
    xs = (guess.x + rad[None, :] * cos).astype(np.float32)
    ys = (guess.y + rad[None, :] * sin).astype(np.float32)
    inside = (xs >= 1) & (xs < w - 2) & (ys >= 1) & (ys < h - 2)
    sx = cv2.remap(gx, xs, ys, cv2.INTER_LINEAR)
    sy = cv2.remap(gy, xs, ys, cv2.INTER_LINEAR)
    radial = np.abs(sx * cos + sy * sin)
    radial[~inside] = 0
    thr = max(6.0, 0.2 * float(np.percentile(radial.max(axis=1), 75)))
    mid = radial[:, 1:-1]
    peak = (mid > radial[:, :-2]) & (mid >= radial[:, 2:]) & (mid > thr)
    ri, ki = np.nonzero(peak)
    ki = ki + 1
    strength = radial[ri, ki]
    # Keep the strongest `per_ray` peaks of each ray.
    order = np.lexsort((-strength, ri))
    ri, ki, strength = ri[order], ki[order], strength[order]
    first = np.searchsorted(ri, ri)
    keep = (np.arange(len(ri)) - first) < per_ray
    ri, ki, strength = ri[keep], ki[keep], strength[keep]
    a, b, c = radial[ri, ki - 1], radial[ri, ki], radial[ri, ki + 1]
    denom = a - 2 * b + c
    off = np.clip(np.where(np.abs(denom) > 1e-6, 0.5 * (a - c) / np.where(denom == 0, 1, denom), 0.0), -0.5, 0.5)
    r_hit = np.interp(ki + off, np.arange(steps), rad)
    pts = np.stack([guess.x + r_hit * cos[ri, 0], guess.y + r_hit * sin[ri, 0]], axis=1)
    return pts, ri, strength


def _circle_from(p: np.ndarray) -> tuple[float, float, float] | None:
    """Least-squares (Kåsa) circle through points."""
    if len(p) < 3:
        return None
    a = np.column_stack([2 * p[:, 0], 2 * p[:, 1], np.ones(len(p))])
    b = (p**2).sum(axis=1)
    try:
        (cx, cy, c), *_ = np.linalg.lstsq(a, b, rcond=None)
    except np.linalg.LinAlgError:
        return None
    r2 = c + cx * cx + cy * cy
    if r2 <= 0:
        return None
    return float(cx), float(cy), float(math.sqrt(r2))


def _ray_support(pts: np.ndarray, ray: np.ndarray, fit: tuple[float, float, float], tol: float) -> np.ndarray:
    """Inlier mask, at most one point per ray (the closest to the circle)."""
    d = np.abs(np.hypot(pts[:, 0] - fit[0], pts[:, 1] - fit[1]) - fit[2])
    inl = d < tol
    if not inl.any():
        return inl
    idx = np.nonzero(inl)[0]
    order = idx[np.lexsort((d[idx], ray[idx]))]
    uniq = np.ones(len(order), bool)
    uniq[1:] = ray[order][1:] != ray[order][:-1]
    mask = np.zeros(len(pts), bool)
    mask[order[uniq]] = True
    return mask


def _ransac(pts: np.ndarray, ray: np.ndarray, guess: Circle, rng: np.random.Generator,
            r_range: tuple[float, float], tol: float, iters: int = 120) -> np.ndarray | None:  # fmt: skip
    """The circle through three rim points that most rays agree with (vectorised over all samples)."""
    n = len(pts)
    if n < 3:
        return None
    idx = rng.integers(0, n, size=(iters, 3))
    a, b, c = pts[idx[:, 0]], pts[idx[:, 1]], pts[idx[:, 2]]
    d = 2 * (a[:, 0] * (b[:, 1] - c[:, 1]) + b[:, 0] * (c[:, 1] - a[:, 1]) + c[:, 0] * (a[:, 1] - b[:, 1]))
    ok = np.abs(d) > 1e-9
    d = np.where(ok, d, 1.0)
    sa, sb, sc = (a**2).sum(1), (b**2).sum(1), (c**2).sum(1)
    ux = (sa * (b[:, 1] - c[:, 1]) + sb * (c[:, 1] - a[:, 1]) + sc * (a[:, 1] - b[:, 1])) / d
    uy = (sa * (c[:, 0] - b[:, 0]) + sb * (a[:, 0] - c[:, 0]) + sc * (b[:, 0] - a[:, 0])) / d
    r = np.hypot(a[:, 0] - ux, a[:, 1] - uy)
    ok &= (r > r_range[0]) & (r < r_range[1]) & (np.hypot(ux - guess.x, uy - guess.y) < 0.3 * guess.r)
    if not ok.any():
        return None
    ux, uy, r = ux[ok], uy[ok], r[ok]
    dist = np.abs(np.hypot(pts[None, :, 0] - ux[:, None], pts[None, :, 1] - uy[:, None]) - r[:, None])
    hits = dist < tol
    starts = np.flatnonzero(np.r_[True, ray[1:] != ray[:-1]])  # points are grouped by ray
    rays_hit = (np.add.reduceat(hits, starts, axis=1) > 0).sum(axis=1)
    k = int(np.argmax(rays_hit))
    return _ray_support(pts, ray, (float(ux[k]), float(uy[k]), float(r[k])), tol)


def fit_rim(
    gray: np.ndarray, guess: Circle, *, rays: int = 96, rng: np.random.Generator | None = None
) -> Circle | None:
    """Measure the plate around `guess` from its outer rim; None when too little of a rim is there."""
    pts, ray, _ = rim_candidates(gray, guess, rays=rays)
    if len(pts) < 12:
        return None
    rng = rng or np.random.default_rng(0)
    tol = max(0.8, 0.015 * guess.r)
    best = _ransac(pts, ray, guess, rng, (0.7 * guess.r, 1.3 * guess.r), tol)
    if best is None or best.sum() < 10:
        return None
    # A plate's outer rim is its diameter; inner lips and painted rings make concentric circles
    # inside it. Prefer an outer concentric circle when it has a fair share of the support.
    inner = _circle_from(pts[best])
    support = float(best.sum()) / rays  # a concentric inner edge confirms the plate as much as the rim
    if inner is not None:
        outer_pts = np.hypot(pts[:, 0] - inner[0], pts[:, 1] - inner[1]) > inner[2] * 1.03
        if outer_pts.sum() >= 10:
            sub = Circle(inner[0], inner[1], inner[2])
            outer = _ransac(pts[outer_pts], ray[outer_pts], sub, rng, (1.03 * inner[2], 1.25 * inner[2]), tol)
            if outer is not None and outer.sum() >= max(10, 0.3 * rays, 0.4 * best.sum()):
                idx = np.nonzero(outer_pts)[0][outer]
                best = np.zeros(len(pts), bool)
                best[idx] = True
    inliers = pts[best]
    fit = _circle_from(inliers)
    if fit is None:
        return None
    cx, cy, r = fit
    minor, angle = r, 0.0
    resid = float(np.sqrt(np.mean((np.hypot(inliers[:, 0] - cx, inliers[:, 1] - cy) - r) ** 2)))
    ellipse = None
    if len(inliers) >= 12:  # look for an oval only when the circle's own points say it is one
        _, (d1, d2), _ = cv2.fitEllipse(inliers.astype(np.float32))
        if min(d1, d2) / max(d1, d2) < 0.97 or support < 0.6:
            ellipse = _ellipse_refine(pts, ray, (cx, cy, r), rays)
    # Only a clearly oval plate (camera well off side-on) replaces the circle: for a round one the
    # circle through the outer rim is the more precise measurement.
    if ellipse is not None and ellipse[0][3] / ellipse[0][2] < 0.95 and ellipse[1] >= 0.8 * support:
        (cx, cy, r, minor, angle), support_e, resid = ellipse
        support = max(support, support_e)
    return Circle(cx, cy, r, support, resid, minor, angle % 180.0)


def _conics(samples: np.ndarray) -> tuple[np.ndarray, ...]:
    """Ellipses through 5 points each: (n, 5, 2) -> centre x, y, semi-axes A >= B, angle (deg), valid mask."""
    x, y = samples[..., 0], samples[..., 1]
    design = np.stack([x * x, x * y, y * y, x, y, np.ones_like(x)], axis=-1)
    _, _, vt = np.linalg.svd(design)
    a, b, c, d, e, f = (vt[:, -1, i] for i in range(6))
    det = 4 * a * c - b * b
    valid = det > 1e-12
    det = np.where(valid, det, 1.0)
    x0 = (b * e - 2 * c * d) / det
    y0 = (b * d - 2 * a * e) / det
    f0 = f + (d * x0 + e * y0) / 2
    tr, diff = a + c, np.sqrt((a - c) ** 2 + b * b)
    l1, l2 = (tr - diff) / 2, (tr + diff) / 2  # eigenvalues, l1 <= l2 (for a > 0)
    flip = tr < 0
    l1, l2, f0 = np.where(flip, -l2, l1), np.where(flip, -l1, l2), np.where(flip, -f0, f0)
    valid &= (l1 > 0) & (f0 < 0)
    big = np.sqrt(np.where(valid, -f0 / np.where(l1 > 0, l1, 1), 1.0))
    small = np.sqrt(np.where(valid, -f0 / np.where(l2 > 0, l2, 1), 1.0))
    # The long axis is along the eigenvector of the smaller eigenvalue.
    ang = np.degrees(0.5 * np.arctan2(np.where(flip, -b, b), np.where(flip, -(a - c), a - c))) + 90.0
    return x0, y0, big, small, ang, valid


def _ellipse_refine(
    pts: np.ndarray, ray: np.ndarray, circle: tuple[float, float, float], rays: int, iters: int = 200
) -> tuple[tuple[float, float, float, float, float], float, float] | None:
    """Let the plate be an ellipse (a camera not quite side-on) and keep its OUTER rim.

    RANSAC over ellipses through five edge points on five rays spread round the plate; of the
    well-supported shapes the largest wins (a plate's lip and painted rings make smaller concentric
    ellipses inside the rim); least squares on its inliers gives the final shape.
    """
    cx, cy, r = circle
    n = len(pts)
    if n < 20:
        return None
    rng = np.random.default_rng(1)
    norm = (pts - [cx, cy]) / r
    # Candidates per ray, padded: index table (rays, per) and their distance from the centre.
    per = int(np.bincount(ray, minlength=rays).max())
    table = np.full((rays, per), -1)
    slot = np.arange(n) - np.searchsorted(ray, ray)
    table[ray, slot] = np.arange(n)
    radius = np.hypot(norm[:, 0], norm[:, 1])
    rad_t = np.where(table >= 0, radius[np.maximum(table, 0)], np.inf)
    filled = np.nonzero((table >= 0).any(axis=1))[0]
    if len(filled) < 10:
        return None
    # Five rays spread round the plate; the first point at random, the others on the same ring
    # (nearest in radius to the first, give or take the ellipse's own variation).
    start = rng.integers(0, len(filled), iters)
    jitter = rng.integers(0, max(1, len(filled) // 10), (iters, 5))
    rays_k = filled[(start[:, None] + np.arange(5)[None, :] * len(filled) // 5 + jitter) % len(filled)]
    counts = (table[rays_k[:, 0]] >= 0).sum(axis=1)
    first = table[rays_k[:, 0], rng.integers(0, 1 << 30, iters) % counts]
    target = radius[first][:, None] * rng.uniform(0.9, 1.1, (iters, 4))
    choice = np.argmin(np.abs(rad_t[rays_k[:, 1:]] - target[..., None]), axis=2)
    others = table[rays_k[:, 1:], choice]
    picks = np.concatenate([first[:, None], others], axis=1)
    x0, y0, big, small, ang, valid = _conics(norm[picks])
    valid &= (small / np.where(big > 0, big, 1) > 0.6) & (np.hypot(x0, y0) < 0.15) & (big < 1.35) & (small > 0.6)
    if not valid.any():
        return None
    x0, y0, big, small, ang = x0[valid], y0[valid], big[valid], small[valid], ang[valid]
    c, s = np.cos(np.radians(ang))[:, None], np.sin(np.radians(ang))[:, None]
    dx, dy = norm[None, :, 0] - x0[:, None], norm[None, :, 1] - y0[:, None]
    u, v = dx * c + dy * s, -dx * s + dy * c
    rho = np.sqrt((u / big[:, None]) ** 2 + (v / small[:, None]) ** 2)
    tol = max(0.012, 0.8 / r)
    hits = np.abs(rho - 1) < tol
    starts = np.flatnonzero(np.r_[True, ray[1:] != ray[:-1]])
    support = (np.add.reduceat(hits, starts, axis=1) > 0).sum(axis=1)
    # The best-supported shape, or a larger copy of it (same centre, same aspect: the outer rim
    # around a lip); a mixed shape crossing from one ring to another has a different aspect.
    # Never smaller than the circle already chosen as the outer rim: inner rings are not the plate.
    size_ok = np.sqrt(big * small) >= 0.96
    if not size_ok.any():
        return None
    b0 = int(np.argmax(np.where(size_ok, support, -1)))
    aspect = small / big
    good = (
        size_ok
        & (support >= max(0.25 * rays, 0.5 * support[b0]))
        & (np.abs(aspect - aspect[b0]) < 0.025)
        & (np.hypot(x0 - x0[b0], y0 - y0[b0]) < 0.02)
        & (big >= big[b0])
    )
    k = int(np.argmax(np.where(good, big * small, -1.0)))
    chosen = np.nonzero(hits[k])[0]
    if len(chosen) < 12:
        return None
    (ex, ey), (d1, d2), ea = cv2.fitEllipse(pts[chosen].astype(np.float32))
    a_, b_, ang_ = (d1 / 2, d2 / 2, float(ea)) if d1 >= d2 else (d2 / 2, d1 / 2, float(ea) + 90.0)
    if not (b_ / a_ > 0.6 and math.hypot(ex - cx, ey - cy) < 0.15 * r):
        return None
    cs, sn = math.cos(math.radians(ang_)), math.sin(math.radians(ang_))
    q = pts[chosen]
    uu, vv = (q[:, 0] - ex) * cs + (q[:, 1] - ey) * sn, -(q[:, 0] - ex) * sn + (q[:, 1] - ey) * cs
    resid = float(np.sqrt(np.mean(((np.sqrt((uu / a_) ** 2 + (vv / b_) ** 2) - 1) * (a_ + b_) / 2) ** 2)))
    return (float(ex), float(ey), a_, b_, ang_), int(support[k]) / rays, resid


def detect_plates(gray: np.ndarray, *, max_n: int = 6, min_support: float = 0.45) -> list[Circle]:
    """Plate candidates in a full frame (any size), measured on their rims, in the frame's pixels."""
    h, w = gray.shape[:2]
    k = min(1.0, DETECT_SIDE / max(h, w))
    small = gray if k == 1.0 else cv2.resize(gray, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    out: list[Circle] = []
    for c in find_circles(small, max_n=max_n * 2):
        fit = fit_rim(small, c)
        if fit is None or fit.support < min_support:
            continue
        off = 0.5 / k - 0.5
        full = fit.scaled(1 / k, off, off)
        if not any(_same(full, o) for o in out):
            out.append(full)
    out.sort(key=lambda c: c.support * c.r, reverse=True)
    # A painted ring or the hub inside a plate is not another plate.
    kept = [c for c in out if not any(o.r > c.r * 1.2 and math.hypot(o.x - c.x, o.y - c.y) < 0.25 * o.r for o in out)]
    return kept[:max_n]


def refine(gray: np.ndarray, guess: Circle, *, target_r: float = 90.0) -> Circle | None:
    """Re-measure a known plate on a crop around it, scaled so the plate's radius is about `target_r`."""
    h, w = gray.shape[:2]
    half = guess.r * 1.35
    x0, y0 = max(0, int(guess.x - half)), max(0, int(guess.y - half))
    x1, y1 = min(w, int(guess.x + half) + 1), min(h, int(guess.y + half) + 1)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    crop = gray[y0:y1, x0:x1]
    k = min(1.0, target_r / guess.r)
    if k < 1.0:
        crop = cv2.resize(
            crop, (max(8, round((x1 - x0) * k)), max(8, round((y1 - y0) * k))), interpolation=cv2.INTER_AREA
        )
    local = Circle((guess.x - x0) * k, (guess.y - y0) * k, guess.r * k)
    fit = fit_rim(crop, local)
    if fit is None:
        return None
    # Pixel-centre convention: a resized crop's pixel i covers source pixels [i/k, (i+1)/k).
    off = 0.5 / k - 0.5 if k < 1.0 else 0.0
    return Circle(fit.x / k + x0 + off, fit.y / k + y0 + off, fit.r / k, fit.support, fit.rms / k, fit.minor / k,
                  fit.angle)  # fmt: skip


CONSENSUS_STARTS = tuple(
    (kr, dx, dy) for kr in (0.9, 1.0, 1.1) for dx, dy in ((0, 0), (0.1, 0), (-0.1, 0), (0, 0.1), (0, -0.1))
)


def consensus_rim(gray: np.ndarray, guess: Circle, *, min_agree: int = 4) -> Circle | None:
    """The rim most fits agree on, from starts around `guess` (radius ±10 %, centre ±0.1 r); None when no
    group of `min_agree` fits agrees (a cluster: radius within 4 %, centre within 0.08 r).

    Why: a single rim fit can latch onto a straight background edge that happens to run tangent to the
    plate (a rack upright, a head) and come out 10 % too big and off-centre; its start decides which edge
    wins. Fits started elsewhere land on that edge only from some starts, while the plate's own rim is
    found from most of them, so the largest group of agreeing fits is the plate. A crop of risevbt-sample2
    (bench/lift_variants.py crop_80) got a 47.6 px first circle where the plate is ~42 px.
    """
    starts = [Circle(guess.x + dx * guess.r, guess.y + dy * guess.r, guess.r * kr) for kr, dx, dy in CONSENSUS_STARTS]
    fits = [f for f in (refine(gray, s) for s in starts) if f is not None]
    if len(fits) < min_agree:
        return None
    r = np.array([f.r for f in fits])
    xy = np.array([(f.x, f.y) for f in fits])
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    agree = (np.abs(r[:, None] / r[None, :] - 1) < 0.04) & (dist < 0.08 * r[:, None])
    count = agree.sum(axis=1)
    i = int(np.argmax(count))
    if count[i] < min_agree:
        return None
    return fits[i]


def find_sleeve(gray: np.ndarray, plate: Circle, *, work_r: float = 300.0) -> Circle | None:
    """The bar's end (the sleeve's face) in front of a plate: a small bright ring near its centre.

    The sleeve sticks out towards the camera, so unless the camera sits exactly on the bar's axis
    it shows off-centre; it is what people mark as "the bar" (and what manual annotations follow).
    """
    h, w = gray.shape[:2]
    half = 0.6 * plate.r
    x0, y0 = max(0, int(plate.x - half)), max(0, int(plate.y - half))
    x1, y1 = min(w, int(plate.x + half) + 1), min(h, int(plate.y + half) + 1)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    crop = gray[y0:y1, x0:x1]
    k = min(1.0, work_r / plate.r)
    if k < 1.0:
        crop = cv2.resize(crop, (round((x1 - x0) * k), round((y1 - y0) * k)), interpolation=cv2.INTER_AREA)
    r_plate = plate.r * k
    lo, hi = max(4, int(0.07 * r_plate)), max(6, int(0.18 * r_plate) + 1)
    res = cv2.HoughCircles(cv2.GaussianBlur(crop, (0, 0), 1.2), cv2.HOUGH_GRADIENT_ALT, dp=1.0, minDist=lo,
                           param1=100, param2=0.5, minRadius=lo, maxRadius=hi)  # fmt: skip
    if res is None:
        return None
    cx, cy = (plate.x - x0) * k, (plate.y - y0) * k
    best: Circle | None = None
    for x, y, r in res[0][:6]:
        if math.hypot(x - cx, y - cy) > 0.45 * r_plate:
            continue
        fit = fit_rim(crop, Circle(float(x), float(y), float(r)), rays=48)
        if fit is None or fit.support < 0.5 or not (lo * 0.8 <= fit.r <= hi * 1.2):
            continue
        if best is None or fit.support > best.support:
            best = fit
    if best is None:
        return None
    off = 0.5 / k - 0.5 if k < 1.0 else 0.0
    return Circle(best.x / k + x0 + off, best.y / k + y0 + off, best.r / k, best.support, best.rms / k,
                  best.minor / k, best.angle)  # fmt: skip
