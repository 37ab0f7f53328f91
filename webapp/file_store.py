"""Chainlit's storage provider on the local data dir, served back through an authenticated route.

Chainlit persists message elements (charts, annotated videos, exports, the user's attachments) through
a storage client; this one writes under `<data_dir>/files/chat/`, refuses content whose type or size the
app would not accept, and serves a file only to its owner.

Ownership: Chainlit keys an element `<thread owner's user id>/<element id>/<name>`, but a person's first
attachments are stored before their thread has an owner, so Chainlit keys them `unknown/…`, and the
owner got 404 for their own upload after a reload. `OwnedDataLayer` keys every element under the
signed-in user when the thread has no owner yet, and the route also serves a key (such as the
`unknown/…` keys stored before this fix) whose element belongs to a thread of the signed-in user.
"""

from __future__ import annotations

import mimetypes
import os
import tempfile
from pathlib import Path
from typing import Any

from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
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
        if raw[:4] == b"PK\x03\x04" and object_key.lower().endswith(".zip"):
            sniffed = "application/zip"  # magic numbers call any ZIP of CSVs a .docx (its first member decides)
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


class OwnedDataLayer(SQLAlchemyDataLayer):
    """Chainlit's SQL data layer, with every element stored under its owner's user id."""

    async def _get_user_id_by_thread(self, thread_id: str) -> str | None:
        # Only create_element asks this (to build the storage key). A thread that has no owner yet is the
        # signed-in user's own new thread: key the element under them, never under "unknown".
        owner = await super()._get_user_id_by_thread(thread_id)
        return owner or await self._session_user_id()

    async def create_element(self, element: Any) -> None:
        # A file attached to a new thread's FIRST message is stored while Chainlit creates the thread row in
        # another task; on PostgreSQL the element's insert sometimes came first, failed its foreign key and the
        # attachment was lost (seen in the browser test on Postgres, about one run in three). The thread row is
        # made first (an upsert, so racing Chainlit's own is harmless).
        if getattr(element, "thread_id", None):
            await self.update_thread(thread_id=element.thread_id, user_id=await self._session_user_id())
        await super().create_element(element)

    async def _session_user_id(self) -> str | None:
        from chainlit.context import context

        try:
            user = context.session.user
        except Exception:  # no Chainlit session in this task: nobody to attribute it to
            return None
        if user is None:
            return None
        uid = getattr(user, "id", None)
        if uid:
            return str(uid)
        persisted = await self.get_user(user.identifier)
        return str(persisted.id) if persisted else None

    async def element_owner(self, object_key: str) -> str | None:
        """The user id owning the thread of the element stored under `object_key` (None when unknown)."""
        rows = await self.execute_sql(
            query='SELECT t."userId" AS owner FROM elements e JOIN threads t ON t.id = e."threadId" '
            'WHERE e."objectKey" = :key',
            parameters={"key": object_key},
        )
        if isinstance(rows, list) and rows:
            owner = rows[0].get("owner")
            return str(owner) if owner else None
        return None


async def _may_read(user: Any, object_key: str) -> bool:
    """The signed-in user owns the key's prefix, or the thread of the element stored under it."""
    uid = getattr(user, "id", None) if user is not None else None
    if not uid:
        return False
    if object_key.split("/", 1)[0] == str(uid):
        return True
    from chainlit.data import get_data_layer

    layer = get_data_layer()
    if isinstance(layer, OwnedDataLayer):
        return await layer.element_owner(object_key) == str(uid)
    return False


def files_router(store: LocalFileStorage) -> APIRouter:
    """GET /pf-files/<user id>/<element>/<name>, only for the signed-in owner (see `_may_read`)."""
    from chainlit.auth import get_current_user

    router = APIRouter()

    @router.get(ROUTE + "/{object_key:path}")
    async def read_file(object_key: str, user: Any = Depends(get_current_user)) -> FileResponse:  # noqa: B008
        if not await _may_read(user, object_key):
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
