"""Another app process stopping (Chainlit deletes `<app root>/.files`) leaves this process's uploads working."""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path
from types import SimpleNamespace

import chainlit.config as cl_config
import chainlit.server as cl_server
import pytest
from chainlit.session import WebsocketSession

from webapp.scratch_files import use_own_scratch_dir


def test_uploads_land_in_a_folder_no_other_process_deletes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "app-root" / ".files"  # what every process from one checkout used
    shared.mkdir(parents=True)
    monkeypatch.setattr(cl_config, "FILES_DIRECTORY", shared)
    monkeypatch.setattr(cl_server, "FILES_DIRECTORY", shared)

    own = use_own_scratch_dir(tmp_path / "tmp")
    shutil.rmtree(shared)  # the other app process stopped and cleaned "its" folder
    files_dir = inspect.getattr_static(WebsocketSession, "files_dir").fget(SimpleNamespace(id="tab-1"))
    files_dir.mkdir(exist_ok=True)  # what Chainlit's upload endpoint does: failed with FileNotFoundError before
    assert files_dir.parent == own and own.name.startswith("powerforge-chainlit-")
    assert own == cl_server.FILES_DIRECTORY  # this process's own stop removes only its own folder
