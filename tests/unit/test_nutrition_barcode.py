"""Barcodes: check digits and normalisation (property-based), and reading codes from generated photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nutrition.barcode import BarcodeError, check_digit, find_in_text, is_valid, normalise, read_barcodes, render_ean13

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("5449000011527", "5449000011527"),  # EAN-13
        ("3029330003533", "3029330003533"),
        ("049000028911", "0049000028911"),  # UPC-A -> EAN-13 with a leading 0
        ("96385074", "96385074"),  # EAN-8
        ("05449000011527", "5449000011527"),  # GTIN-14 with a leading 0
        ("5449 0000 1152 7", "5449000011527"),  # spaces as typed from the label
    ],
)
def test_normalise_valid_codes(code, expected):
    assert normalise(code) == expected


@pytest.mark.parametrize(
    ("code", "message"),
    [("5449000011528", "check digit"), ("12345", "5 digits"), ("", "no digits"), ("abc", "no digits")],
)
def test_invalid_codes_are_refused_with_the_reason(code, message):
    with pytest.raises(BarcodeError, match=message):
        normalise(code)


@given(body=st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_body_with_its_check_digit_is_valid(body):
    code = body + str(check_digit(body))
    assert is_valid(code)
    assert normalise(code) == code


@given(body=st.text(alphabet="0123456789", min_size=12, max_size=12), pos=st.integers(0, 12), delta=st.integers(1, 9))
def test_any_single_digit_typo_is_caught(body, pos, delta):
    code = body + str(check_digit(body))
    typo = code[:pos] + str((int(code[pos]) + delta) % 10) + code[pos + 1 :]
    assert not is_valid(typo)


def test_codes_found_in_chat_text():
    assert find_in_text("scan 3029330003533 please") == "3029330003533"
    assert find_in_text("5449 0000 1152 7") == "5449000011527"
    assert find_in_text("I had 2 eggs") is None
    assert find_in_text("call me at 12345") is None


def _photo(img: np.ndarray, seed: int) -> np.ndarray:
    """Paste the code into a noisy scene, tilt it, blur it and JPEG it like a phone photo."""
    rng = np.random.default_rng(seed)
    h_, w_ = 900, 1200
    scene = np.full((h_, w_, 3), 170, np.uint8)
    scene = np.clip(scene.astype(int) + rng.integers(-20, 20, scene.shape), 0, 255).astype(np.uint8)
    h, w = img.shape[:2]
    scene[300 : 300 + h, 350 : 350 + w] = img
    m = cv2.getRotationMatrix2D((w_ / 2, h_ / 2), 9.0, 1.0)
    scene = cv2.warpAffine(scene, m, (w_, h_), borderMode=cv2.BORDER_REPLICATE)
    scene = cv2.GaussianBlur(scene, (3, 3), 0)
    _ok, buf = cv2.imencode(".jpg", scene, [cv2.IMWRITE_JPEG_QUALITY, 75])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


@pytest.mark.parametrize("code", ["3029330003533", "5449000011527", "7622210288257"])
def test_reads_a_generated_barcode_photo(code, tmp_path):
    photo = _photo(render_ean13(code, module_px=3, height_px=140), seed=int(code[-4:]))
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), photo)
    found = read_barcodes(path)
    assert found and found[0].code == code


def test_no_barcode_in_a_blank_photo():
    assert read_barcodes(np.full((480, 640, 3), 255, np.uint8)) == []


def test_unreadable_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"not an image")
    with pytest.raises(BarcodeError, match="couldn't open"):
        read_barcodes(bad)
