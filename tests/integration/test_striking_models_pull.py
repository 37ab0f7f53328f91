"""`powerforge models pull rtmpose-m` for real: the command in a subprocess, the real manifest entry,
and a real HTTP server on 127.0.0.1 standing in for download.openmmlab.com through MODEL_MIRROR. The
server holds zips laid out like the official MMDeploy SDK archives (with generated stand-in ONNX
inside, since the real weights cannot be fetched here); then the RTMPose backend loads what was
installed through the manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from support.striking import H, W, sdk_archive, standin_rtmpose, standin_yolox

from models.manifest import get_entry, read_stamp
from models.pose import RTMPOSE_FILES, get_backend
from models.pull import sha256_file
from powerforge.config import Settings

ROOT = Path(__file__).resolve().parents[2]


class Mirror:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def mirror() -> Iterator[Mirror]:
    state = Mirror()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            data = state.files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()
    server.server_close()


def _official(mirror: Mirror, tmp_path: Path, *, broken: bool = False) -> dict[str, bytes]:
    """Serve both archives at the official paths (host as the first path segment); returns the ONNX
    bytes each should install as."""
    pose = standin_rtmpose(tmp_path / "pose.onnx").read_bytes()
    det = standin_yolox(tmp_path / "det.onnx", (160, 40, 480, 460)).read_bytes()
    wanted = {}
    for source, model in zip(get_entry("rtmpose-m").sources, (pose, det), strict=True):
        path = "/" + source.url.split("://", 1)[1]
        folder = Path(path).stem  # the SDK folder inside the zip
        if broken:
            mirror.files[path] = sdk_archive(model, folder).replace(b"end2end.onnx", b"end2end.onnz")
        else:
            mirror.files[path] = sdk_archive(model, folder)
        wanted[source.save_as] = model
    return wanted


def _powerforge(data_dir: Path, mirror: Mirror, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATA_DIR": str(data_dir), "DATABASE_URL": "", "MODEL_MIRROR": mirror.url}
    return subprocess.run([sys.executable, "-m", "powerforge.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip


def test_pull_rtmpose_m_from_a_local_mirror_then_the_backend_loads_it(mirror: Mirror, tmp_path: Path) -> None:
    wanted = _official(mirror, tmp_path)
    data_dir = tmp_path / "var"
    proc = _powerforge(data_dir, mirror, "models", "pull", "rtmpose-m", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["ok"] and out["status"] == "installed"
    # the official paths were asked for, on the mirror
    assert sorted(mirror.requests) == sorted(mirror.files)
    assert all(p.startswith("/download.openmmlab.com/mmpose/v1/projects/rtmposev1/onnx_sdk/") for p in mirror.requests)
    folder = data_dir / "models" / "rtmpose-m"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(RTMPOSE_FILES)
    for name, model in wanted.items():
        assert (folder / name).read_bytes() == model  # end2end.onnx taken out of the SDK folder, renamed
    stamp = read_stamp(folder)["files"]
    assert {n: r["sha256"] for n, r in stamp.items()} == {n: sha256_file(folder / n) for n in RTMPOSE_FILES}
    assert "trust on first use" in proc.stderr  # no pinned hash yet: recorded, and said so

    settings = Settings(_env_file=None, data_dir=data_dir, database_url="")
    backend = get_backend("rtmpose", settings)
    try:
        kp = backend(np.full((H, W, 3), 120, np.uint8), 0.0, 0)
    finally:
        backend.close()
    assert kp.persons == 1 and kp.xy.shape == (1, 17, 2)

    again = _powerforge(data_dir, mirror, "models", "pull", "rtmpose-m", "--json")
    assert json.loads(again.stdout)["status"] == "already-installed" and len(mirror.requests) == 2
    assert _powerforge(data_dir, mirror, "models", "verify", "rtmpose-m").returncode == 0
    with (folder / "yolox-m.onnx").open("r+b") as f:  # the recorded hash now guards the file
        f.seek(100)
        f.write(b"\xff\xfe")
    bad = _powerforge(data_dir, mirror, "models", "verify", "rtmpose-m")
    assert bad.returncode == 1 and "powerforge models pull rtmpose-m --force" in bad.stdout + bad.stderr


def test_an_archive_without_the_model_installs_nothing_and_says_why(mirror: Mirror, tmp_path: Path) -> None:
    _official(mirror, tmp_path, broken=True)
    data_dir = tmp_path / "var"
    proc = _powerforge(data_dir, mirror, "models", "pull", "rtmpose-m", "--json")
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert not out["ok"] and "end2end.onnx" in out["error"] and "Traceback" not in proc.stderr
    folder = data_dir / "models" / "rtmpose-m"
    assert not any(p.suffix == ".onnx" for p in folder.glob("*"))
    settings = Settings(_env_file=None, data_dir=data_dir, database_url="")
    with pytest.raises(FileNotFoundError, match="powerforge models pull rtmpose-m"):
        get_backend("rtmpose", settings)
