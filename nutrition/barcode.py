"""Barcodes: GTIN check digits (EAN-8, UPC-A, EAN-13, GTIN-14), normalisation, and reading one from a photo.

A typo in a barcode must never fetch (and log) someone else's product, so the check digit is
verified before any lookup. UPC-A codes are stored as their EAN-13 form (a leading 0), the form
Open Food Facts uses, so "049000028911" and "0049000028911" share one cache row.

`read_barcodes` uses OpenCV's barcode detector (opencv-contrib). `render_ean13` draws a clean code,
used by tests and benchmarks to make their own photos.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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


def read_barcodes(image: np.ndarray | str | Path) -> list[Detected]:
    """Valid product barcodes found in an image (BGR array or a file path), best first.

    Tries the image as is, then up-scaled and rotated copies, because phone photos are often small,
    tilted or sideways; only codes whose check digit holds are returned.
    """
    import cv2

    img = cv2.imread(str(image)) if isinstance(image, (str, Path)) else image
    if img is None:
        raise BarcodeError("I couldn't open that image.")
    grey = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    detector = cv2.barcode.BarcodeDetector()
    found: list[Detected] = []
    for candidate in _variants(grey):
        ok, infos, kinds, _points = detector.detectAndDecodeWithType(candidate)
        if not ok:
            continue
        for info, kind in zip(infos, kinds, strict=False):
            if info and is_valid(info) and all(d.code != info for d in found):
                found.append(Detected(info, str(kind)))
        if found:
            break
    return found


def _variants(grey: np.ndarray):
    """The image, then padded, smoothed, rescaled and rotated copies (the detector is scale-sensitive)."""
    import cv2

    h, w = grey.shape[:2]
    scale = 1600 / max(h, w) if max(h, w) > 1600 else 1.0
    base = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else grey
    pad = cv2.copyMakeBorder(base, 40, 40, 40, 40, cv2.BORDER_REPLICATE)
    yield base
    yield pad
    yield cv2.GaussianBlur(pad, (5, 5), 0)
    yield cv2.resize(pad, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    if max(h, w) < 1000:
        yield cv2.resize(pad, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    for rot in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180):
        turned = cv2.rotate(pad, rot)
        yield turned
        yield cv2.GaussianBlur(turned, (5, 5), 0)


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
