"""Each app process keeps Chainlit's upload scratch files in its own folder.

Chainlit writes a browser's uploads to `<app root>/.files/<session>` and, when its process stops, deletes
the whole `<app root>/.files`. Two app processes started from one checkout (the cluster's two apps, or a
second instance during a restart) share that folder, so one stopping made every later upload on the other
fail with a 500 ("No such file or directory: .files/<session>") until it restarted. Here each process gets
`<tmp>/powerforge-chainlit-<pid>`: its own stop removes only its own scratch files. (Accepted uploads are
stored by `storage.uploads` straight away; this folder only holds a file while the message is in flight.)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import chainlit.config as cl_config
import chainlit.server as cl_server


def use_own_scratch_dir(root: Path | None = None) -> Path:
    """Point Chainlit's upload scratch folder at one this process alone owns, and return it."""
    own = (root or Path(tempfile.gettempdir())) / f"powerforge-chainlit-{os.getpid()}"
    own.mkdir(parents=True, exist_ok=True)
    cl_config.FILES_DIRECTORY = own  # read at each use by WebsocketSession.files_dir
    cl_server.FILES_DIRECTORY = own  # what the server deletes when it stops
    return own
