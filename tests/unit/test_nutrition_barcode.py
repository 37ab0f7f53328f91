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


# --- photos: size from the header, a pixel budget, two agreeing reads, small codes in big photos -----------
@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp", ".bmp"])
def test_image_size_comes_from_the_header(ext, tmp_path):
    from nutrition.barcode import image_size

    img = np.full((123, 457, 3), 90, np.uint8)
    path = tmp_path / f"x{ext}"
    cv2.imwrite(str(path), img)
    assert image_size(path) == (457, 123)


def _png_header_only(path, width: int, height: int) -> None:
    """A PNG that declares width x height but holds no pixel data (decoding it would fail, or cost GBs)."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk)))


def test_a_16000_square_png_is_refused_from_its_header(tmp_path):
    from nutrition.barcode import check_pixels, read_barcode_photo

    huge = tmp_path / "huge.png"
    _png_header_only(huge, 16000, 16000)
    assert huge.stat().st_size < 100
    with pytest.raises(BarcodeError, match=r"16000 x 16000 pixels \(256 MP\), more than the 40 MP"):
        read_barcode_photo(huge)  # the header alone decides: there are no pixels to decode
    with pytest.raises(BarcodeError, match="more than the 1 MP"):
        check_pixels(huge, max_pixels=1_000_000)


def test_the_budget_comes_from_config(tmp_path):
    from powerforge.config import Settings

    s = Settings(_env_file=None, image_max_megapixels=0.5)
    photo = tmp_path / "p.jpg"
    cv2.imwrite(str(photo), np.full((800, 1000, 3), 200, np.uint8))  # 0.8 MP
    with pytest.raises(BarcodeError, match=r"more than the (0|1) MP"):
        read_barcodes(photo, s.image_max_pixels)


def test_a_code_counts_only_when_two_different_views_read_it():
    from nutrition.barcode import Detected, Votes

    v = Votes()
    assert v.add("1600 px", [Detected("5449000011527", "EAN_13")]) is None
    assert v.add("1600 px smoothed", [Detected("5449000011527", "EAN_13")]) is None  # the same view, blurred
    assert v.add("1600 px turned 180°", [Detected("5449000011527", "EAN_13")]) is None  # the same pixels, turned
    assert v.add("full-resolution tile 2 turned 180°", [Detected("0012345678905", "UPC_A")]) is None
    assert v.add("full-resolution tile 2, crop turned 180°", [Detected("0012345678905", "UPC_A")]) is None
    assert v.result().code is None and v.result().unconfirmed == ["5449000011527", "0012345678905"]
    assert v.add("800 px", [Detected("5449000011527", "EAN_13")]) == "5449000011527"  # resampled: independent
    read = v.result()
    assert read.code == "5449000011527" and read.agreeing == ["1600 px", "800 px"]
    other = Votes()
    other.add("1600 px", [Detected("0012345678905", "UPC_A")])
    other.add("800 px", [Detected("5449000011527", "EAN_13")])
    assert other.result().code is None  # two views that disagree confirm nothing


def test_a_small_code_in_a_12_megapixel_photo_is_read_at_full_resolution(tmp_path):
    from nutrition.barcode import read_barcode_photo

    code = "7622210288257"
    rng = np.random.default_rng(7)
    scene = np.clip(np.full((3000, 4000, 3), 165, np.int16) + rng.integers(-25, 25, (3000, 4000, 3)), 0, 255)
    scene = scene.astype(np.uint8)
    sym = render_ean13(code, module_px=2, height_px=90)  # 1 module < 1 px once scaled to 1600 px
    scene[1850 : 1850 + sym.shape[0], 2650 : 2650 + sym.shape[1]] = sym
    path = tmp_path / "IMG_12MP.jpg"
    cv2.imwrite(str(path), scene, [cv2.IMWRITE_JPEG_QUALITY, 85])
    read = read_barcode_photo(path)
    assert read.code == code
    assert all(v.startswith("full-resolution") for v in read.agreeing) and len(read.agreeing) == 2


def test_an_upside_down_blurred_code_with_a_wrong_check_digit_is_never_another_product():
    from nutrition import barcode as bc
    from nutrition.barcode import read_barcode_photo

    body = "012345678901"
    wrong = body + str((check_digit(body) + 3) % 10)
    # draw the symbol as printed, wrong check digit and all (ean13_modules refuses invalid codes)
    valid = body + str(check_digit(body))
    modules = bc.ean13_modules(valid)
    right_digit = bc._R[int(wrong[-1])]
    modules = modules[: 95 - 3 - 7] + right_digit + "101"
    img = np.full((140 + 72, (95 + 24) * 3, 3), 255, np.uint8)
    for i, bit in enumerate(modules):
        if bit == "1":
            img[36 : 36 + 140, (12 + i) * 3 : (13 + i) * 3] = 0
    for blur in (0, 5, 9):
        photo = cv2.copyMakeBorder(
            cv2.rotate(img, cv2.ROTATE_180), 100, 100, 100, 100, cv2.BORDER_CONSTANT, value=(200,) * 3
        )
        if blur:
            photo = cv2.GaussianBlur(photo, (blur, blur), 0)
        read = read_barcode_photo(photo)
        assert read.code is None, (blur, read)  # never a different valid code to look up


def test_the_upload_check_refuses_a_huge_image_from_its_header(settings, account, tmp_path):
    from storage.uploads import UploadRejected, store_upload

    huge = tmp_path / "huge.png"
    _png_header_only(huge, 16000, 16000)
    kw = {"account_id": account.id, "files_dir": settings.files_dir, "max_bytes": settings.upload_max_bytes}
    kw |= {"allowed": settings.allowed_upload_types, "max_pixels": settings.image_max_pixels}
    with pytest.raises(UploadRejected, match=r"16000 x 16000 pixels \(256 MP\); the limit is 40 MP"):
        store_upload(huge, filename="huge.png", **kw)
    assert not list((settings.files_dir / "uploads").rglob("*.png"))  # nothing kept
    photo = tmp_path / "label.png"
    cv2.imwrite(str(photo), render_ean13("5449000011527"))
    assert store_upload(photo, filename="label.png", **kw).mime == "image/png"
