"""One app process's view of the coach's memory, driven line by line from a test (`remember TEXT`,
`search TEXT`); settings come from the environment (DATA_DIR, DATABASE_URL, MEMORY_URL)."""

from __future__ import annotations

import sys
from datetime import date

from analytics.memory import Memory
from powerforge.config import get_settings


def main() -> None:
    mem = Memory(get_settings().data_dir, int(sys.argv[1]))
    print("ready", mem.count(), flush=True)
    for line in sys.stdin:
        cmd, _, text = line.strip().partition(" ")
        try:
            if cmd == "remember":
                print("ok", mem.remember(text, date(2026, 11, 30)).id, flush=True)
            elif cmd == "search":
                print("hits", "|".join(h.note.text for h in mem.search(text, k=3)), flush=True)
        except Exception as e:  # the test reads the failure as the answer
            print("error", type(e).__name__, str(e).replace("\n", " ")[:200], flush=True)


if __name__ == "__main__":
    main()
