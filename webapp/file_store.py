"""Chainlit's storage provider on the local data dir, served back through an authenticated route.

Chainlit persists message elements (charts, annotated videos, the user's attachments) through a
storage client; this one writes under `<data_dir>/files/chat/`, refuses content whose type or size the
app would not accept, and serves files only to the user whose key prefix they carry.
"""

from __future__ import annotations

import mimetypes
import os
import tempfile
from pathlib import Path
from typing import Any

from chainlit.data.storage_clients.base import BaseStorageClient
from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse

from storage.uploads import sniff_mime

ROUTE = "/pf-files"
# What the app itself produces (charts, annotated videos, exports) besides the accepted uploads.
_OWN_OUTPUT_TYPES = frozenset({"image/png", "image/jpeg", "video/mp4", "text/csv", "text/plain", "application/zip"})


class LocalFileStorage(BaseStorageClient):
    def __init__(self, root: Path, max_bytes: int, allowed: frozenset[str]):
        self.root = root.resolve()
        self.max_bytes = max_bytes
        self.allowed = allowed | _OWN_OUTPUT_TYPES

    def _path(self, object_key: str) -> Path:
        path = (self.root / object_key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"object key escapes the store: {object_key!r}")
        return path

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        raw = data.encode() if isinstance(data, str) else data
        sniffed = sniff_mime(raw[:8192], object_key)
        if len(raw) > self.max_bytes or sniffed not in self.allowed:
            return {}  # Chainlit logs it and keeps the message; the file itself is not stored
        path = self._path(object_key)
        if path.exists() and not overwrite:
            return {"object_key": object_key, "url": f"{ROUTE}/{object_key}"}
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(raw)
        os.replace(tmp.name, path)
        return {"object_key": object_key, "url": f"{ROUTE}/{object_key}"}

    async def delete_file(self, object_key: str) -> bool:
        try:
            self._path(object_key).unlink()
            return True
        except (FileNotFoundError, ValueError):
            return False

    async def get_read_url(self, object_key: str) -> str:
        return f"{ROUTE}/{object_key}"

    async def close(self) -> None:
        return None


def files_router(store: LocalFileStorage) -> APIRouter:
    """GET /pf-files/<user id>/<element>/<name>, only for the signed-in owner of that user id."""
    from chainlit.auth import get_current_user

    router = APIRouter()

    @router.get(ROUTE + "/{object_key:path}")
    async def read_file(object_key: str, user: Any = Depends(get_current_user)) -> FileResponse:  # noqa: B008
        owner = object_key.split("/", 1)[0]
        if user is None or getattr(user, "id", None) != owner:
            raise HTTPException(status_code=404)
        try:
            path = store._path(object_key)
        except ValueError as e:
            raise HTTPException(status_code=404) from e
        if not path.is_file():
            raise HTTPException(status_code=404)
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media)

    return router


def mount_first(app: Any, router: APIRouter) -> None:
    """Add `router` ahead of Chainlit's catch-all SPA route, which would otherwise answer first."""
    app.include_router(router)
    added = app.router.routes[-len(router.routes) :]
    del app.router.routes[-len(router.routes) :]
    app.router.routes[0:0] = added
