"""Semantic shortlist: the few tools whose example requests are nearest to the message.

When code cannot route a message, a small CPU model must choose among ~60 tools; a catalogue that
long costs thousands of prompt tokens per call and confuses a 1.5B model. Instead, the message is
embedded (offline MiniLM, a few ms) and compared with every tool's examples and description; the
model then picks among the top few plus "chat", from a prompt a tenth of the size.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from agent.tools.base import Tool

CHAT = "chat"
# What plain conversation looks like, so "chat" competes on equal terms with the tools.
CHAT_EXAMPLES = [
    "hello there",
    "thank you, that helps",
    "what's a good warm-up before deadlifts?",
    "how do I keep my wrists straight when I punch?",
    "who won the world cup in 2010?",
    "how can I improve my footwork in the ring?",
    "should I train when I'm sore?",
    "tell me a joke",
    "what is progressive overload?",
    "how much sleep do lifters need?",
    "is creatine safe?",
    "why do my hips shoot up in the squat?",
    "good night",
    "what does RPE mean?",
]


@dataclass(frozen=True)
class Candidate:
    name: str
    score: float


class Shortlist:
    """Nearest tools by cosine similarity over (tool, text) pairs; built once per tool set."""

    def __init__(self, tools: dict[str, Tool]):
        from models.embedding import encoder

        self._encoder = encoder()
        names: list[str] = []
        texts: list[str] = []
        for name in sorted(tools):
            t = tools[name]
            for text in [*t.examples, " ".join(t.description.split())[:200]]:
                names.append(name)
                texts.append(text)
        for text in CHAT_EXAMPLES:
            names.append(CHAT)
            texts.append(text)
        self._names = np.array(names)
        self._vectors = self._encoder.encode(texts)

    def top(self, text: str, k: int = 5) -> list[Candidate]:
        """The `k` best tools (best example per tool), always followed by chat if not among them."""
        q = self._encoder.encode([text])[0]
        scores = self._vectors @ q
        best: dict[str, float] = {}
        for name, score in zip(self._names, scores, strict=True):
            if score > best.get(name, -1.0):
                best[str(name)] = float(score)
        ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
        picked = [Candidate(n, s) for n, s in ranked[:k]]
        if all(c.name != CHAT for c in picked):
            picked.append(Candidate(CHAT, best.get(CHAT, 0.0)))
        return picked


_CACHE: dict[tuple[str, ...], Shortlist] = {}
_LOCK = threading.Lock()


def shortlist_for(tools: dict[str, Tool]) -> Shortlist:
    """The shared shortlist for this tool set (embedding the examples once per process)."""
    key = tuple(sorted(tools))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = Shortlist(tools)
        return _CACHE[key]
