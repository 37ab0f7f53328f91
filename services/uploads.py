"""Finding an earlier upload again (a re-import button, a clip analysed again): the tools name an upload id, the
service hands back the stored file if it is this account's (per-user isolation)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from storage.uploads import StoredUpload, UploadStoreUnavailable, get_upload


def find_upload(account_id: int, upload_id: str, files_dir: Path, engine: Engine | None = None) -> StoredUpload | None:
    """The upload with the absolute path of a file on this machine, or None when it is not this account's (or
    gone). Raises UploadStoreUnavailable (one sentence for the person) when the S3 store cannot be reached."""
    return get_upload(upload_id, account_id, files_dir, engine)


__all__ = ["StoredUpload", "UploadStoreUnavailable", "find_upload"]
