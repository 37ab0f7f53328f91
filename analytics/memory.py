"""The coach's memory: notes in the database, their vectors in a per-user Chroma store, searched by meaning.

- Text lives in `analytics_notes` (SQL); Chroma keeps only vectors + day, so the index can always be
  rebuilt from the database (`sync`). Each person has their own PersistentClient folder under
  `data_dir/memory/<account>`: one user's search can never see another's notes.
- Notes are indexed when written (`remember`) and removed from the index when deleted (`forget`);
  notes other domains keep (workout notes, food notes) are copied in by `sync_sources` before a search.
- With several app processes (cluster mode) a per-process PersistentClient would not see the others'
  writes: `MEMORY_URL` points every process at one Chroma server (`chroma run`, started by
  `powerforge serve --cluster`), with one collection per person.
- Embeddings come from `models.embedding` (offline MiniLM); Chroma's default embedding function,
  which downloads a model, is never used.
- A stored note is data, never an instruction: `quote_notes` renders notes for a prompt as quoted,
  dated, single-line strings inside a fenced data block.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from models.embedding import encoder
from powerforge.config import get_settings
from storage import analytics as sql
from storage.tables.analytics import AnalyticsNote

COLLECTION = "notes"
EF_SEARCH = 100  # HNSW search breadth: Chroma's default (10) found ~76 % of the true top 10 among 100 k notes
EXACT_LIMIT = 20_000  # a date-filtered search over at most this many notes is done exactly, in numpy
MAX_NOTE_CHARS = 2000
_CLIENTS: dict[str, Any] = {}
_LOCK = threading.Lock()


class MiniLMFunction:
    """Chroma embedding-function adapter over the offline MiniLM encoder."""

    def __init__(self) -> None:
        self._enc = encoder()

    def __call__(self, input: list[str]) -> list[Any]:
        return list(self._enc.encode(list(input)))

    def embed_query(self, input: list[str]) -> list[Any]:
        return self(input)

    @staticmethod
    def name() -> str:
        return "powerforge-minilm-int8"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMFunction:
        return MiniLMFunction()

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]


def _client(path: Path, server_url: str = "") -> Any:
    """This process's client: one Chroma server shared by every process, or the person's own folder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    key = server_url or str(path.resolve())
    with _LOCK:
        if key not in _CLIENTS and server_url:
            from urllib.parse import urlsplit

            u = urlsplit(server_url)
            _CLIENTS[key] = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or 8000, ssl=u.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False),
            )  # fmt: skip
        if key not in _CLIENTS:
            path.mkdir(parents=True, exist_ok=True)
            _CLIENTS[key] = chromadb.PersistentClient(
                path=key, settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
            )
        return _CLIENTS[key]


def day_key(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


@dataclass(frozen=True)
class Hit:
    note: AnalyticsNote
    similarity: float  # cosine, 1 = same meaning


class Memory:
    """One person's searchable notes."""

    def __init__(self, data_dir: Path, account_id: int, engine: Engine | None = None):
        self.account_id = account_id
        self.engine = engine
        self.path = data_dir / "memory" / str(account_id)
        self.server_url = get_settings().memory_url
        # one server holds everyone: a collection per person keeps searches apart as the folders do locally
        self.name = f"{COLLECTION}_{account_id}" if self.server_url else COLLECTION
        self._collection: Any = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            col = _client(self.path, self.server_url).get_or_create_collection(
                self.name,
                embedding_function=MiniLMFunction(),
                configuration={"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": EF_SEARCH}},
            )
            hnsw = (col.configuration or {}).get("hnsw") or {}
            if hnsw.get("ef_search", EF_SEARCH) < EF_SEARCH:  # stores made before the setting: raise recall
                col.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
            self._collection = col
        return self._collection

    # --- writes ---------------------------------------------------------------------------
    def remember(self, text: str, day: date, kind: str = "note", source_ref: str | None = None) -> AnalyticsNote:
        """Store a note and index it at once (it is searchable as soon as this returns)."""
        clean = " ".join(text.split())[:MAX_NOTE_CHARS]
        if not clean:
            raise ValueError("An empty note can't be remembered.")
        note = sql.add_note(self.account_id, clean, day, kind=kind, source_ref=source_ref, engine=self.engine)
        self._index([note])
        return note

    def forget(self, note_id: str) -> bool:
        """Delete a note from the database and from the index."""
        gone = sql.delete_note(self.account_id, note_id, self.engine)
        self.collection.delete(ids=[note_id])
        return gone

    def _index(self, notes: list[AnalyticsNote], batch: int = 2000) -> None:
        for i in range(0, len(notes), batch):
            chunk = notes[i : i + batch]
            self.collection.upsert(
                ids=[n.id for n in chunk],
                documents=[n.text for n in chunk],
                metadatas=[{"day": day_key(n.day), "kind": n.kind} for n in chunk],
            )

    def sync(self) -> dict[str, int]:
        """Make the index match the notes table (after imports, crashes, or notes copied from other domains)."""
        in_db = sql.note_ids(self.account_id, self.engine)
        indexed = set(self.collection.get(include=[])["ids"])
        stale = list(indexed - in_db)
        if stale:
            self.collection.delete(ids=stale)
        missing = list(in_db - indexed)
        for i in range(0, len(missing), 5000):
            self._index(sql.get_notes(self.account_id, missing[i : i + 5000], self.engine))
        return {"added": len(missing), "removed": len(stale)}

    def sync_sources(self) -> dict[str, int]:
        """Copy notes that other domains keep (workout notes) into memory, drop copies whose source is gone."""
        copied = sql.domain_notes(self.account_id, self.engine)
        new = sql.upsert_notes(self.account_id, copied, self.engine)
        removed = sql.drop_orphan_copies(self.account_id, {n["source_ref"] for n in copied}, self.engine)
        out = self.sync()
        return {"copied": len(new), "orphans": removed, **out}

    # --- reads ----------------------------------------------------------------------------
    def search(self, query: str, *, start: date | None = None, end: date | None = None, k: int = 8,
               min_similarity: float = 0.25) -> list[Hit]:  # fmt: skip
        """Notes closest in meaning to `query`, optionally within [start, end], best first.

        A period narrows the candidates in SQL and scores them exactly (a month of notes is a few hundred
        vectors); the approximate HNSW index serves open-ended searches."""
        count = self.collection.count()
        if count == 0:
            return []
        if start or end:
            ids = sql.note_ids_between(self.account_id, start, end, limit=EXACT_LIMIT + 1, engine=self.engine)
            if len(ids) <= EXACT_LIMIT:
                return self._exact(query, ids, k, min_similarity)
        where: dict[str, Any] | None = None
        conds = []
        if start:
            conds.append({"day": {"$gte": day_key(start)}})
        if end:
            conds.append({"day": {"$lte": day_key(end)}})
        if len(conds) == 2:
            where = {"$and": conds}
        elif conds:
            where = conds[0]
        res = self.collection.query(query_texts=[query], n_results=min(k, count), where=where, include=["distances"])
        ids, dists = res["ids"][0], res["distances"][0]
        sims = {i: 1.0 - d for i, d in zip(ids, dists, strict=True) if 1.0 - d >= min_similarity}
        notes = {n.id: n for n in sql.get_notes(self.account_id, list(sims), self.engine)}
        return [Hit(notes[i], sims[i]) for i in sims if i in notes]

    def _exact(self, query: str, ids: list[str], k: int, min_similarity: float) -> list[Hit]:
        if not ids:
            return []
        got = self.collection.get(ids=ids, include=["embeddings"])
        if not got["ids"]:
            return []
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        sims = vectors @ encoder().encode([query])[0]
        order = np.argsort(-sims)[:k]
        keep = {got["ids"][i]: float(sims[i]) for i in order if sims[i] >= min_similarity}
        notes = {n.id: n for n in sql.get_notes(self.account_id, list(keep), self.engine)}
        return [Hit(notes[i], s) for i, s in keep.items() if i in notes]

    def count(self) -> int:
        return self.collection.count()


_UNSAFE = re.compile(r"[`<>{}\[\]]|\s+")


def quote_notes(hits: list[Hit], limit: int = 8, width: int = 240) -> str:
    """Notes as a quoted data block for a prompt: dated, one line each, markup characters removed.

    The block is framed so a model reads it as the athlete's log, not as instructions; text inside a
    note can neither close the block nor start a new section.
    """
    lines = []
    for h in sorted(hits[:limit], key=lambda h: h.note.day):
        text = _UNSAFE.sub(" ", h.note.text).replace('"', "'").strip()
        if len(text) > width:
            text = text[: width - 1] + "…"
        lines.append(f'- {h.note.day.isoformat()} ({h.note.kind}): "{text}"')
    return "\n".join(lines)
