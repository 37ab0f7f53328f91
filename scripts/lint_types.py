"""Count type-checker suppressions (`type: ignore` comments) in the project's own Python files, per top-level folder.

Each one is a place the type checker was told to look away; the count is printed so it is seen falling, and
`--max N` fails the run when it rises above N (lower N when you remove some).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = re.compile(r"#\s*type:\s*ignore\b")


def tracked_python_files() -> list[Path]:
    """The .py files git tracks (no virtual environments, caches or untracked scratch files)."""
    out = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / line for line in out.splitlines() if line]


def count_ignores(files: list[Path]) -> Counter[str]:
    """`type: ignore` comments per top-level folder (a file at the root counts under its own name)."""
    counts: Counter[str] = Counter()
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        n = len(IGNORE.findall(text))
        if n:
            counts[path.relative_to(ROOT).parts[0]] += n
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max", type=int, default=None, help="fail when the total is above this")
    args = parser.parse_args(argv)
    counts = count_ignores(tracked_python_files())
    total = sum(counts.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    print(f"type: ignore comments: {total} ({detail})")
    if args.max is not None and total > args.max:
        print(f"That is more than the ceiling of {args.max} (Makefile, lint): type the code instead.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
