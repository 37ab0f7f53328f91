"""Attach a file the way the app does: stored as a real upload (typed by content) first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.tools.base import Attachment


def attach(settings: Any, engine: Any, account: Any, path: Path) -> Attachment:
    """Store `path` as `account`'s upload under the settings' limits; the Attachment a tool receives."""
    from storage.uploads import store_upload

    up = store_upload(
        path,
        filename=path.name,
        account_id=account.id,
        files_dir=settings.files_dir,
        max_bytes=settings.upload_max_bytes,
        allowed=settings.allowed_upload_types,
        engine=engine,
    )
    return Attachment(upload_id=up.id, filename=up.filename, mime=up.mime, path=str(up.path), size_bytes=up.size_bytes)
