"""Every chat element is stored under its owner and opens again after a reload — for the owner only.

Chainlit keys an element by its thread's owner, and a person's first attachments are stored before
the thread has one (they were keyed `unknown/…`, and the owner got 404 for their own clip). This runs
Chainlit's real SQL data layer (`OwnedDataLayer`) on the migrated database with our storage client and
the real `/pf-files` route: an attachment sent before the thread exists, a chart, an annotated video
and an export, each opened again ("after a reload": a fresh request by key) by its owner and refused
to another user; and a key stored under `unknown/` before the fix still opens for its owner."""

from __future__ import annotations

import asyncio
import uuid
import zipfile
from pathlib import Path

import chainlit as cl
import chainlit.data as cl_data
import cv2
import numpy as np
import pytest
from chainlit.auth import get_current_user
from chainlit.context import ChainlitContext, context_var
from chainlit.session import HTTPSession
from fastapi import FastAPI
from fastapi.testclient import TestClient

from powerforge.config import async_db_url
from webapp.file_store import ROUTE, LocalFileStorage, OwnedDataLayer, files_router


def _png(path: Path) -> Path:
    img = np.zeros((40, 60, 3), np.uint8)
    cv2.rectangle(img, (5, 5), (50, 30), (0, 200, 255), -1)
    cv2.imwrite(str(path), img)
    return path


def _mp4(path: Path) -> Path:
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 48))
    for i in range(10):
        frame = np.full((48, 64, 3), i * 20, np.uint8)
        out.write(frame)
    out.release()
    assert path.stat().st_size > 0
    return path


@pytest.fixture
def world(settings, engine, tmp_path, monkeypatch):
    store = LocalFileStorage(settings.files_dir / "chat", settings.upload_max_bytes, settings.allowed_upload_types)
    layer = OwnedDataLayer(conninfo=async_db_url(settings.db_url), storage_provider=store)
    monkeypatch.setattr(cl_data, "_data_layer", layer)
    monkeypatch.setattr(cl_data, "_data_layer_initialized", True)
    app = FastAPI()
    app.include_router(files_router(store))
    current: dict[str, object] = {}
    app.dependency_overrides[get_current_user] = lambda: current.get("user")
    loop = asyncio.new_event_loop()
    ann = loop.run_until_complete(layer.create_user(cl.User(identifier="ann")))
    bob = loop.run_until_complete(layer.create_user(cl.User(identifier="bob")))
    yield {"layer": layer, "store": store, "client": TestClient(app), "as": current, "ann": ann, "bob": bob,
           "loop": loop, "tmp": tmp_path}  # fmt: skip
    loop.run_until_complete(layer.engine.dispose())
    loop.close()


def _store(world, element: cl.Element, thread_id: str, user) -> str:
    """Persist `element` as Chainlit does when a message is sent, inside the signed-in user's session."""
    layer: OwnedDataLayer = world["layer"]
    element.thread_id = thread_id
    element.for_id = str(uuid.uuid4())

    async def go() -> str:
        if True:  # the Chainlit context of the user's request (what the socket handler sets up)
            session = HTTPSession(
                id=str(uuid.uuid4()), thread_id=thread_id, token=None, user=user, client_type="webapp"
            )
            context_var.set(ChainlitContext(session))
        await layer.create_element(element)
        rows = await layer.execute_sql('SELECT "objectKey" FROM elements WHERE id = :id', {"id": element.id})
        return rows[0]["objectKey"]

    return world["loop"].run_until_complete(go())


def _open(world, user, key: str) -> int:
    world["as"]["user"] = user
    return world["client"].get(f"{ROUTE}/{key}").status_code


def test_each_kind_of_element_reopens_for_its_owner_only(world):
    ann, bob, tmp = world["ann"], world["bob"], world["tmp"]
    thread = str(uuid.uuid4())
    # 1. the first message's attachment: stored before Chainlit has written the thread (no owner yet)
    clip = _store(
        world,
        cl.Video(path=str(_mp4(tmp / "my-squat.mp4")), name="my-squat.mp4", mime="video/mp4", thread_id=thread),
        thread,
        ann,
    )
    assert clip.startswith(f"{ann.id}/"), clip  # not unknown/
    world["loop"].run_until_complete(world["layer"].update_thread(thread_id=thread, user_id=ann.id, name="squat"))
    # 2-4. what the app sends back in the same thread
    chart = _store(world, cl.Image(path=str(_png(tmp / "chart.png")), name="chart.png", thread_id=thread), thread, ann)
    annotated = _store(
        world, cl.Video(path=str(_mp4(tmp / "annotated.mp4")), name="annotated.mp4", thread_id=thread), thread, ann
    )
    csv = tmp / "diary.csv"
    csv.write_text("date,food,kcal\n2026-10-01,oats,300\n")
    bundle = tmp / "export.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.write(csv, csv.name)
    export = _store(world, cl.File(path=str(csv), name="diary.csv", thread_id=thread), thread, ann)
    export_zip = _store(world, cl.File(path=str(bundle), name="export.zip", thread_id=thread), thread, ann)
    for key in (clip, chart, annotated, export, export_zip):
        assert key.startswith(f"{ann.id}/")
        assert _open(world, ann, key) == 200, key  # after a reload: a fresh request for the stored key
        assert _open(world, bob, key) == 404, key
        assert _open(world, None, key) == 404, key


def test_a_key_stored_as_unknown_before_the_fix_opens_for_its_thread_owner(world):
    ann, bob, tmp, layer = world["ann"], world["bob"], world["tmp"], world["layer"]
    thread = str(uuid.uuid4())
    world["loop"].run_until_complete(layer.update_thread(thread_id=thread, user_id=ann.id, name="old"))
    key = f"unknown/{uuid.uuid4()}/old-clip.mp4"
    world["loop"].run_until_complete(world["store"].upload_file(key, _mp4(tmp / "old.mp4").read_bytes(), "video/mp4"))
    world["loop"].run_until_complete(
        layer.execute_sql(
            'INSERT INTO elements (id, "threadId", type, name, "objectKey", url) '
            "VALUES (:id, :t, 'video', 'old-clip.mp4', :k, :u)",
            {"id": str(uuid.uuid4()), "t": thread, "k": key, "u": f"{ROUTE}/{key}"},
        )
    )
    assert _open(world, ann, key) == 200
    assert _open(world, bob, key) == 404
    assert _open(world, ann, "unknown/not-an-element/x.mp4") == 404
