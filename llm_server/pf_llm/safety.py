"""Grammars that cannot take the server down.

llama.cpp expands a JSON schema's `maxLength: 2000` into a grammar it then refuses ("number of rules
that are going to be repeated … exceeds sane defaults"); llama-cpp-python added the refused (NULL)
sampler to its chain anyway and the process died. Here schemas are capped before they become grammars
(the client validates the real limits), and every grammar is parsed by llama.cpp once before use, so
a grammar it refuses becomes an error answer instead of a crash.

The caps match the app's `agent.llm_queue.grammar_safe` (this environment cannot import the app).
"""

from __future__ import annotations

from typing import Any

import llama_cpp

STRING_CAP = 100
ITEMS_CAP = 20
_CAPPED = {"maxLength": STRING_CAP, "minLength": STRING_CAP, "maxItems": ITEMS_CAP, "minItems": ITEMS_CAP,
           "maxProperties": ITEMS_CAP, "minProperties": ITEMS_CAP}  # fmt: skip
_checked: dict[str, bool] = {}


class GrammarRejected(ValueError):
    """llama.cpp refused to parse a grammar (it would have crashed the sampler)."""


def grammar_safe(schema: Any) -> Any:
    """A copy of a JSON schema without length/count limits above the caps."""
    if isinstance(schema, list):
        return [grammar_safe(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        cap = _CAPPED.get(key)
        if cap is not None and isinstance(value, int) and not isinstance(value, bool):
            if value <= cap:
                out[key] = value
        elif key in ("properties", "$defs", "definitions", "patternProperties") and isinstance(value, dict):
            out[key] = {k: grammar_safe(v) for k, v in value.items()}
        else:
            out[key] = grammar_safe(value)
    return out


def check_grammar(llama: llama_cpp.Llama, text: str, root: str = "root") -> None:
    """Raise GrammarRejected unless llama.cpp parses `text` (results are remembered per grammar)."""
    ok = _checked.get(text)
    if ok is None:
        sampler = llama_cpp.llama_sampler_init_grammar(llama._model.vocab, text.encode("utf-8"), root.encode("utf-8"))
        ok = bool(sampler)
        if sampler:
            llama_cpp.llama_sampler_free(sampler)
        if len(_checked) > 512:
            _checked.clear()
        _checked[text] = ok
    if not ok:
        raise GrammarRejected("llama.cpp refused the grammar (a syntax error, or more repetitions than it allows)")


__all__ = ["GrammarRejected", "check_grammar", "grammar_safe"]
