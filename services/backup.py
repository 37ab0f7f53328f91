"""A backup of everything stored about the athlete, as one ZIP of JSON files (one per table) with a manifest."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from storage.backup import dump_account


@dataclass(frozen=True)
class Backup:
    path: Path
    counts: dict[str, int]  # table → rows in the backup

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def back_up_account(account_id: int, out_dir: Path, now: datetime, engine: Engine | None = None) -> Backup:
    """Write `powerforge-backup-<time>.zip`: `<table>.json` for every table holding this account's rows, and
    `manifest.json` saying what is in it and what is not (uploaded media stays in the app's file store)."""
    tables = dump_account(account_id, engine)
    counts = {name: len(rows) for name, rows in tables.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"powerforge-backup-{now:%Y%m%d-%H%M%S}.zip"
    manifest = {
        "created_at": now.isoformat(),
        "tables": counts,
        "not_included": "uploaded videos and photos (the uploads table lists them) and password hashes",
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, indent=2))
        for name, rows in tables.items():
            z.writestr(f"{name}.json", json.dumps(rows, indent=1, ensure_ascii=False, default=str))
    return Backup(path, counts)
