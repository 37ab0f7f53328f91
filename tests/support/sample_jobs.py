"""Job functions for testing powerforge.jobs in real worker processes."""

from __future__ import annotations

import time
from typing import Any


def count(params: dict[str, Any], progress: Any) -> dict[str, Any]:
    n = int(params["n"])
    for i in range(n):
        progress((i + 1) / n, f"step {i + 1}/{n}", force=True)
        time.sleep(float(params.get("sleep", 0.0)))
    return {"counted": n}


def explode(params: dict[str, Any], progress: Any) -> dict[str, Any]:
    progress(0.1, "about to fail", force=True)
    raise ValueError("this clip has no video stream")


def explode_bug(params: dict[str, Any], progress: Any) -> dict[str, Any]:
    """A programming error (not a bad input): the person must not see its type or text."""
    progress(0.1, "about to hit a bug", force=True)
    return {"value": params["missing"]}
