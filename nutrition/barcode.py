"""Barcodes: GTIN check digits (EAN-8, UPC-A, EAN-13, GTIN-14), normalisation, and reading one from a photo.

A typo in a barcode must never fetch (and log) someone else's product, so the check digit is
verified before any lookup. UPC-A codes are stored as their EAN-13 form (a leading 0), the form
Open Food Facts uses, so "049000028911" and "0049000028911" share one cache row.

A code read from a photo is never a different product: `read_barcode_photo` accepts a code only when
two independent reads agree (OpenCV's detector on two different views of the photo: another scale,
another orientation, or a full-resolution crop; zxing-cpp too when it is installed), and callers show
the digits for the person to confirm before anything is logged. A 12 MP photo with a small code is
scanned at a working size, then at full resolution around the regions the detector flags, then in
full-resolution tiles. The image's size is read from its header before any decoding, and a photo
above the pixel budget (`IMAGE_MAX_MEGAPIXELS`) is refused undecoded: a 16000 x 16000 PNG is 768 MB
of pixels. `render_ean13` draws a clean code, used by tests and benchmarks to make their own photos.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from powerforge.images import ImageHeaderError, header_size

_DIGITS = re.compile(r"\D")
LENGTHS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}


class BarcodeError(ValueError):
    """A code that is not a valid GTIN; the message says what is wrong."""


def check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid(code: str) -> bool:
    digits = _DIGITS.sub("", code)
    return len(digits) in LENGTHS and check_digit(digits[:-1]) == int(digits[-1])


def normalise(code: str) -> str:
    """A typed or scanned code -> the canonical GTIN we cache by; raises BarcodeError."""
    digits = _DIGITS.sub("", code or "")
    if not digits:
        raise BarcodeError("That barcode has no digits.")
    if len(digits) not in LENGTHS:
        raise BarcodeError(
            f"'{code}' has {len(digits)} digits; product barcodes have 8 (EAN-8), 12 (UPC-A) or 13 (EAN-13)."
        )
    expected = check_digit(digits[:-1])
    if expected != int(digits[-1]):
        raise BarcodeError(
            f"'{digits}' fails its check digit (the last digit should be {expected}); please re-check the number."
        )
    if len(digits) == 12:
        return "0" + digits
    if len(digits) == 14 and digits.startswith("0"):
        return digits[1:]
    return digits


_CODE_IN_TEXT = re.compile(r"(?<!\d)(\d{8}|\d{12,14})(?!\d)")


def find_in_text(text: str) -> str | None:
    """A barcode-looking run of digits in a chat message (8, 12, 13 or 14 digits), unvalidated."""
    m = _CODE_IN_TEXT.search(text.replace(" ", "") if re.fullmatch(r"[\d ]+", text.strip()) else text)
    return m.group(1) if m else None


@dataclass(frozen=True)
class Detected:
    code: str
    kind: str


@dataclass
class PhotoRead:
    """What a photo gave: `code` when two independent reads agree, else the single reads seen (unconfirmed)."""

    code: str | None
    kind: str = ""
    agreeing: list[str] = field(default_factory=list)  # the views that read `code` ("1600 px", "turned 180°", ...)
    unconfirmed: list[str] = field(default_factory=list)  # valid codes read only once, or contradicting each other

    @property
    def how(self) -> str:
        return " and ".join(self.agreeing[:2])


DEFAULT_MAX_PIXELS = 40_000_000
WORK_PX = 1600  # the working size of the whole-photo pass (the detector is slow and scale-sensitive)


# --- the image's size from its header (never decode a picture to learn it is too big) ---------------------
def image_size(path: str | Path) -> tuple[int, int]:
    """(width, height) from the file's header; BarcodeError when it is not an image we read."""
    try:
        return header_size(path)
    except ImageHeaderError as e:
        raise BarcodeError(str(e)) from e


def check_pixels(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """The image's size, or BarcodeError when it is above the pixel budget (checked before decoding)."""
    w, h = image_size(path)
    if w <= 0 or h <= 0:
        raise BarcodeError("That image has no pixels; take the photo again.")
    if w * h > max_pixels:
        raise BarcodeError(
            f"That image is {w} x {h} pixels ({w * h / 1e6:.0f} MP), more than the {max_pixels / 1e6:.0f} MP I read; "
            "send a normal phone photo (or a crop around the barcode)."
        )
    return w, h


# --- reading ------------------------------------------------------------------------------------------------
def _load(image: np.ndarray | str | Path, max_pixels: int) -> np.ndarray:
    import cv2

    if isinstance(image, (str, Path)):
        check_pixels(image, max_pixels)
        img = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
        if img is None:
            raise BarcodeError("I couldn't open that image.")
        return img
    if image.shape[0] * image.shape[1] > max_pixels:
        raise BarcodeError(f"That image is more than the {max_pixels / 1e6:.0f} MP I read.")
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _opencv_reads(detector, img: np.ndarray, where: list | None = None) -> list[Detected]:  # noqa: ANN001
    """Valid codes OpenCV's detector reads in `img`; their corner points go into `where` when given."""
    try:
        ok, infos, kinds, points = detector.detectAndDecodeWithType(img)
    except Exception:
        return []
    if not ok:
        return []
    found = []
    for i, (info, kind) in enumerate(zip(infos, kinds, strict=False)):
        quad = points[i] if points is not None and i < len(points) else None
        if info and is_valid(info) and (quad is None or _bars_fit(img, quad, str(kind))):
            found.append(Detected(info, str(kind)))
            if where is not None and quad is not None:
                where.append(quad)
    return found


_BARS = {"EAN_8": 22, "EAN_13": 30, "UPC_A": 30}  # dark bars across the whole symbol, guards included


def _bars_fit(img: np.ndarray, quad: np.ndarray, kind: str) -> bool:
    """Does the symbol the detector framed have the bars of the kind it decoded? An EAN-13 (30 bars) misread
    as an EAN-8 (22 bars) is a different, valid-looking product code; counting the bars across the frame's
    middle line catches it. Kinds without a count, or a frame too thin to sample, pass."""
    import cv2

    expected = _BARS.get(kind)
    if expected is None:
        return True
    q = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    edges = [(q[i], q[(i + 1) % 4]) for i in range(4)]
    lengths = [float(np.linalg.norm(b - a)) for a, b in edges]
    short = sorted(range(4), key=lambda i: lengths[i])[:2]
    ends = [(edges[i][0] + edges[i][1]) / 2 for i in short]
    length = float(np.linalg.norm(ends[1] - ends[0]))
    if length < expected * 2:  # under 2 px a bar: too small to count, leave it to the second read
        return True
    n = int(length * 2)
    xs = np.linspace(ends[0][0], ends[1][0], n).astype(np.float32)
    ys = np.linspace(ends[0][1], ends[1][1], n).astype(np.float32)
    line = cv2.remap(img, xs.reshape(1, -1), ys.reshape(1, -1), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    line = line.reshape(-1).astype(np.float32)
    lo, hi = np.percentile(line, 5), np.percentile(line, 95)
    if hi - lo < 20:
        return True
    dark = line < (lo + hi) / 2
    bars = int(np.count_nonzero(dark[1:] & ~dark[:-1]) + (1 if dark[0] else 0))
    return abs(bars - expected) <= 3


def _second_looks(img: np.ndarray, quad: np.ndarray, name: str) -> Iterator[tuple[str, np.ndarray]]:
    """Other views of a code one view has read: a crop around it at other scales and turned over."""
    import cv2

    h, w = img.shape[:2]
    xs, ys = quad[:, 0], quad[:, 1]
    margin = max(xs.max() - xs.min(), ys.max() - ys.min()) * 0.3 + 30
    x0, x1 = int(max(0, xs.min() - margin)), int(min(w, xs.max() + margin))
    y0, y1 = int(max(0, ys.min() - margin)), int(min(h, ys.max() + margin))
    if x1 - x0 < 20 or y1 - y0 < 20:
        return
    crop = img[y0:y1, x0:x1]
    yield f"{name}, crop turned 180°", cv2.rotate(crop, cv2.ROTATE_180)
    yield f"{name}, crop x1.5", cv2.resize(crop, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    yield f"{name}, crop x0.75", cv2.resize(crop, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)


def _zxing_reads(img: np.ndarray) -> list[Detected]:
    """A second, independent decoder when zxing-cpp is installed (optional)."""
    try:
        import zxingcpp  # type: ignore[import-not-found]
    except ImportError:
        return []
    try:
        results = zxingcpp.read_barcodes(img)
    except Exception:
        return []
    return [Detected(r.text, str(r.format)) for r in results if r.text and is_valid(r.text)]


def _views(grey: np.ndarray, detector) -> Iterator[tuple[str, np.ndarray]]:  # noqa: ANN001
    """Independent views of the photo, named: the working size, other scales, turned, then full-resolution
    crops around the regions the detector flags, then full-resolution tiles (small codes in big photos)."""
    import cv2

    h, w = grey.shape[:2]
    scale = WORK_PX / max(h, w) if max(h, w) > WORK_PX else 1.0
    base = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    pad = cv2.copyMakeBorder(base, 40, 40, 40, 40, cv2.BORDER_REPLICATE)
    yield f"{max(base.shape)} px", pad
    yield f"{max(base.shape)} px smoothed", cv2.GaussianBlur(pad, (5, 5), 0)
    yield f"{max(base.shape) // 2} px", cv2.resize(pad, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    if max(base.shape) < 1000:
        yield f"{max(base.shape) * 2} px", cv2.resize(pad, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    for rot, name in ((cv2.ROTATE_90_CLOCKWISE, "turned 90°"), (cv2.ROTATE_180, "turned 180°")):
        yield f"{max(base.shape)} px {name}", cv2.rotate(pad, rot)
    if scale < 1:  # a big photo: look at full resolution where the detector sees a code, then everywhere
        crops = list(_candidate_crops(grey, base, scale, detector))
        for i, crop in enumerate(crops):
            yield f"full-resolution crop {i + 1}", crop
            yield f"full-resolution crop {i + 1} turned 180°", cv2.rotate(crop, cv2.ROTATE_180)
        for i, tile in enumerate(_tiles(grey)):
            yield f"full-resolution tile {i + 1}", tile
            yield f"full-resolution tile {i + 1} turned 180°", cv2.rotate(tile, cv2.ROTATE_180)


def _candidate_crops(grey: np.ndarray, base: np.ndarray, scale: float, detector) -> Iterator[np.ndarray]:  # noqa: ANN001
    try:
        ok, points = detector.detect(base)
    except Exception:
        return
    if not ok or points is None:
        return
    h, w = grey.shape[:2]
    for quad in points:
        xs, ys = quad[:, 0] / scale, quad[:, 1] / scale
        bw, bh = xs.max() - xs.min(), ys.max() - ys.min()
        margin = max(bw, bh) * 0.6 + 40
        x0, x1 = int(max(0, xs.min() - margin)), int(min(w, xs.max() + margin))
        y0, y1 = int(max(0, ys.min() - margin)), int(min(h, ys.max() + margin))
        if x1 - x0 > 20 and y1 - y0 > 20:
            yield grey[y0:y1, x0:x1]


def _tiles(grey: np.ndarray, size: int = WORK_PX) -> Iterator[np.ndarray]:
    h, w = grey.shape[:2]
    step = size * 3 // 4
    for y in range(0, max(1, h - size // 4), step):
        for x in range(0, max(1, w - size // 4), step):
            yield grey[y : y + size, x : x + size]


def read_barcode_photo(image: np.ndarray | str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> PhotoRead:
    """The product code in a photo, accepted only when two independent reads agree.

    Each view (scale, orientation, full-resolution crop) is read on its own; a code counts once per
    view group (a smoothed copy is the same view). zxing-cpp, when installed, is one more independent
    read of the working image. The first code read by two views wins; codes read once stay unconfirmed.
    """
    import cv2

    grey = _load(image, max_pixels)
    detector = cv2.barcode.BarcodeDetector()
    votes = Votes()
    for view, img in _views(grey, detector):
        where: list = []
        hit = votes.add(view, _opencv_reads(detector, img, where))
        if hit is None and view.endswith(" px"):
            hit = votes.add(f"zxing {view}", _zxing_reads(img))
        for quad in where[:2] if hit is None else []:  # read once here: look again, differently, at that spot
            for second, look in _second_looks(img, quad, view):
                hit = votes.add(second, _opencv_reads(detector, look))
                if hit is not None:
                    break
            if hit is not None:
                break
        if hit is not None:
            break
    return votes.result()


class Votes:
    """Codes read per view; a code is accepted once two independent views read it.

    Independent means sampled differently: another scale, full resolution, or another decoder. A
    smoothed or turned copy holds the same pixels (a misread from aliasing repeats in it), so it never
    confirms the view it was made from.
    """

    def __init__(self) -> None:
        self.seen: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}
        self.winner: str | None = None

    @staticmethod
    def _group(view: str) -> str:
        if view.startswith("zxing"):
            return "zxing"
        parent, _, look = view.partition(", crop ")
        base = "full" if parent.startswith("full-resolution") else re.sub(r" (smoothed|turned \d+°)", "", parent)
        return f"{base} {look}" if look.startswith("x") else base

    def add(self, view: str, found: list[Detected]) -> str | None:
        for d in found:
            views = self.seen.setdefault(d.code, [])
            self.kinds.setdefault(d.code, d.kind)
            if all(self._group(v) != self._group(view) for v in views):
                views.append(view)
            if len(views) >= 2 and self.winner is None:
                self.winner = d.code
        return self.winner

    def result(self) -> PhotoRead:
        if self.winner is None:
            return PhotoRead(None, unconfirmed=list(self.seen))
        w = self.winner
        return PhotoRead(w, self.kinds[w], self.seen[w], [c for c in self.seen if c != w])


def read_barcodes(image: np.ndarray | str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[Detected]:
    """The confirmed product code of a photo (two agreeing reads), as a list (empty when none is sure)."""
    read = read_barcode_photo(image, max_pixels)
    return [Detected(read.code, read.kind)] if read.code else []


# --- drawing an EAN-13 (tests and benchmarks make their own barcode photos) ------------------------
_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
_G = ["0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111"]
_R = ["1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000", "1110100"]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13_modules(code: str) -> str:
    """The 95 black/white modules of an EAN-13 symbol ('1' = bar)."""
    if len(code) != 13 or not code.isdigit() or not is_valid(code):
        raise BarcodeError(f"'{code}' is not a valid EAN-13.")
    parity = _PARITY[int(code[0])]
    left = "".join((_L if p == "L" else _G)[int(d)] for p, d in zip(parity, code[1:7], strict=True))
    right = "".join(_R[int(d)] for d in code[7:])
    return "101" + left + "01010" + right + "101"


def render_ean13(code: str, module_px: int = 3, height_px: int = 120, quiet: int = 12) -> np.ndarray:
    """A white BGR image with the barcode drawn in black (no human-readable digits)."""
    modules = ean13_modules(code)
    width = (len(modules) + 2 * quiet) * module_px
    img = np.full((height_px + 2 * quiet * module_px, width, 3), 255, np.uint8)
    top = quiet * module_px
    for i, bit in enumerate(modules):
        if bit == "1":
            x = (quiet + i) * module_px
            img[top : top + height_px, x : x + module_px] = 0
    return img
