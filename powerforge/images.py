"""An image's width and height from its header, without decoding it.

A 16000 x 16000 PNG is a few kilobytes on disk and 768 MB once decoded; the size in its header is
what an upload check and a photo reader compare with the pixel budget (IMAGE_MAX_MEGAPIXELS) before
anything decodes it. PNG, JPEG, WebP, GIF and BMP are read here; anything else is refused.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class ImageHeaderError(ValueError):
    """Not an image whose header we read, or a damaged one; the message says so in words."""


def header_size(path: str | Path) -> tuple[int, int]:
    """(width, height) from a PNG, JPEG, WebP, GIF or BMP header."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
            w, h = struct.unpack(">II", head[16:24])
            return int(w), int(h)
        if head[:6] in (b"GIF87a", b"GIF89a"):
            w, h = struct.unpack("<HH", head[6:10])
            return int(w), int(h)
        if head[:2] == b"BM" and len(head) >= 26:
            w, h = struct.unpack("<ii", head[18:26])
            return abs(int(w)), abs(int(h))
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return _webp_size(head)
        if head[:2] == b"\xff\xd8":
            return _jpeg_size(f)
    raise ImageHeaderError("I couldn't open that image: it is not a JPEG, PNG, WebP, GIF or BMP photo.")


def _webp_size(head: bytes) -> tuple[int, int]:
    chunk = head[12:16]
    if chunk == b"VP8X":
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    if chunk == b"VP8L":
        b = head[21:25]
        w = 1 + (((b[1] & 0x3F) << 8) | b[0])
        h = 1 + (((b[3] & 0xF) << 10) | (b[2] << 2) | ((b[1] & 0xC0) >> 6))
        return w, h
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", head[26:30])
        return int(w) & 0x3FFF, int(h) & 0x3FFF
    raise ImageHeaderError("That WebP image is damaged (no size in it); take the photo again.")


def _jpeg_size(f: BinaryIO) -> tuple[int, int]:
    """Walk the JPEG markers to the frame header (SOFn), which holds the size."""
    f.seek(2)
    while True:
        byte = f.read(1)
        while byte and byte != b"\xff":
            byte = f.read(1)
        while byte == b"\xff":
            byte = f.read(1)
        if not byte:
            break
        marker = byte[0]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            continue
        length_bytes = f.read(2)
        if len(length_bytes) < 2:
            break
        length = struct.unpack(">H", length_bytes)[0]
        if marker in _SOF:
            data = f.read(5)
            if len(data) < 5:
                break
            h, w = struct.unpack(">HH", data[1:5])
            return int(w), int(h)
        f.seek(length - 2, 1)
    raise ImageHeaderError("That JPEG is damaged (no image size in it); take the photo again.")
