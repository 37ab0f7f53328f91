"""A job kind for the cluster tests: slow enough that a kill lands mid-job, and it records each start."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def slow_count(params: dict[str, Any], progress: Any) -> dict[str, Any]:
    """Count to n with a pause per step; appends this process's pid to `marker` when it starts."""
    with Path(params["marker"]).open("a") as f:
        f.write(f"{os.getpid()}\n")
    n = int(params["n"])
    for i in range(n):
        progress((i + 1) / n, f"step {i + 1}/{n}", force=True)
        time.sleep(float(params.get("sleep", 0.0)))
    return {"counted": n}
