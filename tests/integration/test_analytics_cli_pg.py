"""`powerforge ask … --json` as a person runs it, and the same metrics on real PostgreSQL as on SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from analytics import executor
from analytics.catalogue import METRICS
from analytics.generator import Spec, generate
from analytics.metrics import NothingLogged
from analytics.query import AnalyticsQuery
from storage import analytics as sql
from storage.accounts import create_account
from storage.engine import make_engine
from storage.migrate import current_heads, upgrade

ROOT = Path(__file__).resolve().parents[2]
END = date(2026, 11, 24)


def powerforge(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATA_DIR": str(data_dir), "DATABASE_URL": "", "LLM_EMBEDDED": "false",
           "LLM_BASE_URL": "http://127.0.0.1:9/v1", "LLM_TIMEOUT_S": "2", "LLM_MAX_RETRIES": "0"}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "powerforge.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


@pytest.mark.slow
def test_powerforge_ask_json(tmp_path):
    data = tmp_path / "var"
    assert powerforge(data, "user", "add", "lifter", "--password", "correct-horse-1").returncode == 0
    gen = powerforge(
        data, "analytics", "generate", "--user", "lifter", "--years", "0.5", "--end", END.isoformat(), "--json"
    )
    assert gen.returncode == 0, gen.stderr
    assert json.loads(gen.stdout)["training_sets"] > 1000

    out = powerforge(
        data, "ask", "weekly tonnage for the last 12 weeks", "--json", "--user", "lifter", "--today", END.isoformat()
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["query"] == {"metric": "tonnage", "group_by": "week", "period": "for the last 12 weeks"}
    assert len(doc["data"]) == 12 and all(r["value"] > 0 for r in doc["data"])
    assert Path(doc["chart"]).is_file() and doc["chart"].endswith(".png")
    assert doc["parsed_by"] == "code"

    follow = powerforge(data, "ask", "as a line chart", "--json", "--user", "lifter", "--today", END.isoformat())
    assert json.loads(follow.stdout)["query"]["chart"] == "line"

    future = powerforge(data, "ask", "tonnage next month", "--json", "--user", "lifter", "--today", END.isoformat())
    assert future.returncode == 1 and "future" in json.loads(future.stdout)["error"]
    nomodel = powerforge(data, "ask", "flibber the wobble", "--json", "--user", "lifter")
    assert nomodel.returncode == 1 and "unavailable" in json.loads(nomodel.stdout)["error"]


def _answers(engine, account_id: int) -> dict[str, list]:
    out = {}
    for key in METRICS:
        q = AnalyticsQuery(metric=key, period="last 12 weeks" if not METRICS[key].period.endswith("sessions") else None)
        try:
            a = executor.run(q, account_id, today=END, tz="Europe/London", engine=engine)
        except (NothingLogged, sql.SourceMissing):
            continue
        out[key] = [(str(x), s, round(float(v), 3)) for x, s, v in zip(a.frame.data["x"], a.frame.data["series"],
                                                                       a.frame.data["value"], strict=True)]  # fmt: skip
    return out


@pytest.mark.slow
@pytest.mark.integration
def test_same_numbers_on_postgresql_and_sqlite(pg_settings, tmp_path):
    pg = make_engine(pg_settings.db_url)
    upgrade(engine=pg)
    assert "analytics_0003" in current_heads(pg)  # the analytics branch, indexes included, on PostgreSQL
    lite = make_engine(f"sqlite:///{tmp_path / 'lite.db'}")
    upgrade(engine=lite)
    results = []
    for eng in (pg, lite):
        acc = create_account("athlete", "correct-horse-1", engine=eng)
        generate(acc.id, Spec(years=0.3, end=END, seed=11, tz="Europe/London"), eng)
        results.append(_answers(eng, acc.id))
    on_pg, on_lite = results
    assert len(on_pg) >= 15
    assert on_pg == on_lite
    sql.save_last_query(1, "thread", {"metric": "tonnage"}, pg)
    sql.save_last_query(1, "thread", {"metric": "calories"}, pg)
    assert sql.last_query(1, "thread", pg) == {"metric": "calories"}
    pg.dispose()
    lite.dispose()
