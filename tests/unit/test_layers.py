"""The layer rule is part of the suite: the import-linter contracts in pyproject.toml hold on the tree, and the
checker really reports an import that breaks a contract (so a passing run is not a checker that saw nothing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is a dev dependency (uv sync)")


def _lint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_every_import_contract_is_kept() -> None:
    run = _lint()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout
    for contract in ("One direction", "import no chat code", "its CLI calls its service", "agent imports no storage"):
        assert contract in run.stdout


def test_an_import_against_a_contract_is_reported(tmp_path: Path) -> None:
    # storage.engine reads the settings, so a contract forbidding storage -> powerforge.config must break
    config = tmp_path / "probe.ini"
    config.write_text(
        "[importlinter]\nroot_packages =\n    storage\n    powerforge\n\n"
        "[importlinter:contract:probe]\nname = probe\ntype = forbidden\n"
        "source_modules = storage\nforbidden_modules = powerforge.config\n"
    )
    run = _lint("--config", str(config))
    assert run.returncode == 1
    assert "storage.engine -> powerforge.config" in run.stdout
