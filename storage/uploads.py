"""Uploads: type by content, size limits, stored BEFORE any analysis runs.

A rejected file leaves nothing behind; an accepted one is in the upload store (the data dir, or an S3 bucket:
storage.upload_store) and in the `uploads` table, so a failed or interrupted analysis can always be retried
from it, by any process.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import puremagic
from sqlalchemy import Engine
from sqlmodel import col, select

from storage.engine import read_session, transaction
from storage.tables.core import Upload, new_id
from storage.upload_store import UploadStore, UploadStoreUnavailable, store_for

# Container formats puremagic reports under several names; map them to what browsers send.
_MIME_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "video/x-m4v": "video/mp4",
    "audio/mp4": "audio/mp4",
    "video/3gpp": "video/mp4",
    "application/mp4": "video/mp4",
    "video/3gpp2": "video/mp4",
    "video/avi": "video/x-msvideo",  # AVI (MJPEG from action cameras and webcams)
    "video/msvideo": "video/x-msvideo",
    "video/dvd": "video/mpeg",  # MPEG program stream (.mpg/.mpeg/.vob)
    "video/mpg": "video/mpeg",
}
_EXT = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "video/mp4": ".mp4",
    "video/quicktime": ".mov", "video/x-matroska": ".mkv", "video/webm": ".webm", "text/csv": ".csv",
    "text/plain": ".txt", "application/zip": ".zip", "video/x-msvideo": ".avi", "video/mpeg": ".mpg",
    "video/mp2t": ".ts",
}  # fmt: skip
_TS_PACKET = 188  # MPEG transport stream: a 0x47 sync byte every 188 bytes (192 in camera .m2ts/.mts files)


class UploadRejected(ValueError):
    """A file we will not store; the message is written for the person who sent it."""


@dataclass(frozen=True)
class StoredUpload:
    id: str
    filename: str
    mime: str
    size_bytes: int
    sha256: str
    path: Path  # absolute


def sniff_mime(head: bytes, filename: str = "") -> str | None:
    """The MIME type from the file's first bytes (the extension is only a tie-breaker for text)."""
    if not head:
        return None
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        matches = []
    if matches:
        best = max(matches, key=lambda m: m.confidence)
        mime = best.mime_type or ""
        if best.extension in (".mov", ".qt") or "quicktime" in mime:
            mime = "video/quicktime"
        elif best.extension == ".mkv":
            mime = "video/x-matroska"
        elif best.extension == ".webm":
            mime = "video/webm"
        mime = _MIME_ALIASES.get(mime, mime)
        if mime:
            return mime
    if _is_transport_stream(head):
        return "video/mp2t"
    return _text_mime(head, filename)


def _is_transport_stream(head: bytes) -> bool:
    """MPEG-TS (camcorders' .ts/.mts/.m2ts), which has no magic number, only a sync byte per packet."""
    for offset, size in ((0, _TS_PACKET), (4, _TS_PACKET + 4)):
        syncs = range(offset, len(head), size)
        if len(syncs) >= 4 and all(head[i] == 0x47 for i in syncs):
            return True
    return False


def _text_mime(head: bytes, filename: str) -> str | None:
    if b"\x00" in head:
        return None
    for enc in ("utf-8", "utf-16", "cp1252"):
        try:
            text = head.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f") + text.count("\x7f")
    if controls > max(1, len(text) // 100):  # binary that happens to decode
        return None
    first = text.splitlines()[0] if text else ""
    if filename.lower().endswith(".csv") or (first.count(",") >= 2 and "\n" in text):
        return "text/csv"
    return "text/plain"


def _check_pixels(source: Path, filename: str, max_pixels: int) -> None:
    from powerforge.images import ImageHeaderError, header_size

    try:
        w, h = header_size(source)
    except ImageHeaderError as e:
        raise UploadRejected(f"'{filename}': {e}") from e
    if w * h > max_pixels:
        raise UploadRejected(
            f"'{filename}' is {w} x {h} pixels ({w * h / 1e6:.0f} MP); the limit is {max_pixels / 1e6:.0f} MP. "
            "Send a normal phone photo, or a crop of it."
        )


def store_upload(
    source: Path,
    *,
    filename: str,
    account_id: int,
    files_dir: Path,
    max_bytes: int,
    allowed: frozenset[str],
    thread_id: str | None = None,
    engine: Engine | None = None,
    max_pixels: int | None = None,
    store: UploadStore | None = None,
) -> StoredUpload:
    """Validate `source`, then keep it in the upload store (`files_dir`, or the configured bucket with `files_dir`
    as its cache); raises UploadRejected with a clear reason, UploadStoreUnavailable when the bucket is down.

    Images are checked against `max_pixels` from their header, before anything decodes them. Nothing reaches
    the store before every check passed."""
    try:
        size = source.stat().st_size
    except OSError as e:
        raise UploadRejected(f"I couldn't read '{filename}' ({e.strerror}).") from e
    if size == 0:
        raise UploadRejected(f"'{filename}' is empty (0 bytes).")
    if size > max_bytes:
        raise UploadRejected(
            f"'{filename}' is {size / 1e6:.0f} MB; the limit is {max_bytes / 1e6:.0f} MB. "
            "Trim the clip or raise UPLOAD_MAX_MB."
        )
    with source.open("rb") as f:
        head = f.read(8192)
    mime = sniff_mime(head, filename)
    if mime is None or mime not in allowed:
        kinds = ", ".join(sorted({m.split("/")[1] for m in allowed}))
        what = f"a {mime} file" if mime else "a file whose type I can't recognise"
        raise UploadRejected(f"'{filename}' is {what}. I accept: {kinds}.")
    if max_pixels is not None and mime.startswith("image/"):
        _check_pixels(source, filename, max_pixels)

    upload_id = new_id()
    rel = f"uploads/{account_id}/{upload_id}{_EXT.get(mime, '')}"
    store = store if store is not None else store_for(files_dir)
    staging = store.cached_path(rel).parent
    staging.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    # Copy to a temp name first, then rename: a crash mid-copy never leaves a half file under a real id.
    with tempfile.NamedTemporaryFile(dir=staging, prefix=".upload-", delete=False) as tmp, source.open("rb") as src:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            tmp.write(chunk)
    tmp_path = Path(tmp.name)
    put = False
    try:
        dest = store.put(tmp_path, rel, filename=filename)
        put = True
        with transaction(engine) as s:
            s.add(
                Upload(
                    id=upload_id,
                    account_id=account_id,
                    thread_id=thread_id,
                    filename=Path(filename).name[:255] or "upload",
                    mime=mime,
                    size_bytes=size,
                    sha256=digest.hexdigest(),
                    path=rel,
                )
            )
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        if put:  # no row, so no object either (an upload is the row and the bytes, or nothing)
            store.delete(rel)
        raise
    return StoredUpload(upload_id, filename, mime, size, digest.hexdigest(), dest)


def get_upload(
    upload_id: str, account_id: int, files_dir: Path, engine: Engine | None = None, store: UploadStore | None = None
) -> StoredUpload | None:
    """The upload if it belongs to `account_id` (per-user isolation), else None; its `path` is a file on this
    machine (fetched from the bucket into the local cache the first time, for an S3 store)."""
    with read_session(engine) as s:
        row = s.exec(select(Upload).where(col(Upload.id) == upload_id, col(Upload.account_id) == account_id)).first()
    if row is None:
        return None
    store = store if store is not None else store_for(files_dir)
    return StoredUpload(row.id, row.filename, row.mime, row.size_bytes, row.sha256, store.local_path(row))


__all__ = ["StoredUpload", "UploadRejected", "UploadStoreUnavailable", "get_upload", "sniff_mime", "store_upload"]
