"""Prompts live as Markdown files in `prompts/`; this module only loads and fills them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@cache
def load(name: str) -> str:
    """The text of `prompts/<name>.md` (cached; prompts are part of the code release)."""
    return (PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8").strip()


def render(name: str, **values: str) -> str:
    """`load(name)` with `{placeholders}` filled (str.format; braces in prompts are doubled)."""
    return load(name).format(**values)
