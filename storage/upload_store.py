"""Where the bytes of an upload live: a directory (the default) or an S3-compatible bucket (UPLOADS_URL=s3://…).

One interface, so the app that receives a file and the worker that analyses it (another process, another
machine) agree without sharing a disk. `put` keeps a file that has already passed the checks in
storage.uploads; `local_path` gives a file on *this* machine. For S3, DATA_DIR/files is a cache of the bucket
with the same layout (`uploads/<account>/<id>.<ext>`): a file lands there atomically (temp file + rename) and
only after its sha256 matched the uploads row, so a cached file is always whole and right.

boto3 is imported only when a bucket is configured and first used: the CLI's start time does not pay for it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

UNREACHABLE = (
    "The file store is unreachable right now, so {what}; nothing was lost. Try again in a minute, "
    "and tell the admin if it keeps failing."
)


class UploadStoreUnavailable(RuntimeError):
    """The store could not be reached or refused us; the message is written for the person (the cause is logged)."""


class StoredFile(Protocol):
    """What the store needs of an uploads row: its relative path (the key) and its checksum."""

    path: str
    sha256: str
    filename: str


class UploadStore(Protocol):
    def put(self, tmp: Path, rel: str, *, filename: str) -> Path:
        """Keep `tmp` (a validated temp file, consumed) under `rel`; returns its path on this machine."""
        ...

    def delete(self, rel: str) -> None:
        """Remove `rel` everywhere (undoing a `put` whose database row was not written)."""
        ...

    def local_path(self, upload: StoredFile) -> Path:
        """The upload as a whole file on this machine (fetched once, then cached, for a remote store)."""
        ...

    def cached_path(self, rel: str) -> Path:
        """Where `rel` is (or will be) on this machine, without fetching it."""
        ...


@dataclass(frozen=True)
class DirectoryStore:
    """Today's store: files under DATA_DIR/files, a directory every process shares (or mounts)."""

    root: Path

    def cached_path(self, rel: str) -> Path:
        return (self.root / rel).resolve()

    def put(self, tmp: Path, rel: str, *, filename: str) -> Path:
        dest = self.cached_path(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dest)
        return dest

    def delete(self, rel: str) -> None:
        self.cached_path(rel).unlink(missing_ok=True)

    def local_path(self, upload: StoredFile) -> Path:
        return self.cached_path(upload.path)


@dataclass(frozen=True)
class S3Config:
    bucket: str
    prefix: str
    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> (bucket, "some/prefix"); a clear ValueError for anything else."""
    if not url.startswith("s3://") or not url[5:].split("/", 1)[0]:
        raise ValueError(f"UPLOADS_URL must look like s3://bucket or s3://bucket/prefix (got {url!r})")
    bucket, _, prefix = url[5:].partition("/")
    return bucket, prefix.strip("/")


_clients: dict[S3Config, Any] = {}
_clients_lock = threading.Lock()


def _client(cfg: S3Config) -> Any:
    """One boto3 client per configuration and process (clients are thread-safe; making one costs ~50 ms)."""
    with _clients_lock:
        if cfg not in _clients:
            import boto3
            from botocore.config import Config

            _clients[cfg] = boto3.client(
                "s3",
                endpoint_url=cfg.endpoint_url or None,
                aws_access_key_id=cfg.access_key_id or None,  # None: boto3's chain (env, profile, instance role)
                aws_secret_access_key=cfg.secret_access_key or None,
                region_name=cfg.region or "us-east-1",
                config=Config(
                    # path-style for MinIO / rclone / R2 endpoints; AWS itself takes virtual-hosted names
                    s3={"addressing_style": "path" if cfg.endpoint_url else "auto"},
                    connect_timeout=5,
                    read_timeout=60,
                    retries={"max_attempts": 3, "mode": "standard"},
                ),
            )
        return _clients[cfg]


def _is_missing(exc: BaseException) -> bool:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


@dataclass(frozen=True)
class S3Store:
    """Uploads in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, …); `cache` holds local copies."""

    cfg: S3Config
    cache: Path

    def key(self, rel: str) -> str:
        return f"{self.cfg.prefix}/{rel}" if self.cfg.prefix else rel

    def cached_path(self, rel: str) -> Path:
        return (self.cache / rel).resolve()

    def put(self, tmp: Path, rel: str, *, filename: str) -> Path:
        try:
            _client(self.cfg).upload_file(str(tmp), self.cfg.bucket, self.key(rel))
        except Exception as e:
            log.exception("could not store upload %s in s3://%s/%s", rel, self.cfg.bucket, self.key(rel))
            raise UploadStoreUnavailable(UNREACHABLE.format(what=f"I couldn't save '{filename}'")) from e
        dest = self.cached_path(rel)  # the process that received the file keeps it: no download to analyse it here
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dest)
        return dest

    def delete(self, rel: str) -> None:
        self.cached_path(rel).unlink(missing_ok=True)
        try:
            _client(self.cfg).delete_object(Bucket=self.cfg.bucket, Key=self.key(rel))
        except Exception:
            log.exception("could not delete s3://%s/%s; remove it by hand", self.cfg.bucket, self.key(rel))

    def local_path(self, upload: StoredFile) -> Path:
        dest = self.cached_path(upload.path)
        if dest.is_file():
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=dest.parent, prefix=".fetch-")
        os.close(fd)
        tmp = Path(name)
        try:
            try:
                _client(self.cfg).download_file(self.cfg.bucket, self.key(upload.path), str(tmp))
            except Exception as e:
                if _is_missing(e):
                    raise FileNotFoundError(
                        f"'{upload.filename}' is no longer in the file store; send it again to analyse it."
                    ) from e
                log.exception("could not fetch s3://%s/%s", self.cfg.bucket, self.key(upload.path))
                raise UploadStoreUnavailable(UNREACHABLE.format(what=f"I couldn't open '{upload.filename}'")) from e
            if sha256_file(tmp) != upload.sha256:
                log.error("s3://%s/%s does not match its sha256 in the uploads table", self.cfg.bucket,
                          self.key(upload.path))  # fmt: skip
                raise ValueError(
                    f"The stored copy of '{upload.filename}' is damaged (its checksum changed); send it again."
                )
            os.replace(tmp, dest)  # atomic: another process fetching the same file at once ends with one whole copy
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return dest


def sha256_file(path: Path) -> str:
    """The file's sha256, read in 1 MiB chunks (a clip never sits in memory whole)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def s3_config(settings: Any) -> S3Config | None:
    """The bucket the settings name (UPLOADS_URL and the S3_* settings), or None for the directory store."""
    url = getattr(settings, "uploads_url", "") or ""
    if not url:
        return None
    bucket, prefix = parse_s3_url(url)
    return S3Config(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=settings.s3_endpoint_url,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        region=settings.s3_region,
    )


def store_for(files_dir: Path, settings: Any = None) -> UploadStore:
    """The store the configuration asks for, with `files_dir` as its directory (or, for S3, its local cache)."""
    if settings is None:
        from powerforge.config import get_settings

        settings = get_settings()
    cfg = s3_config(settings)
    return DirectoryStore(Path(files_dir)) if cfg is None else S3Store(cfg, Path(files_dir))


__all__ = ["DirectoryStore", "S3Store", "UploadStore", "UploadStoreUnavailable", "parse_s3_url", "store_for"]
