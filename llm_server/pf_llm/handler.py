"""The chat handler behind Power Forge's embedded server: the model's own template, native tool calls.

llama-cpp-python 0.3.36 renders GGUF chat templates but leaves a model's tool-call text in `content`
(`chatml-function-calling` is broken), so an OpenAI client never sees a tool call. This handler:

- renders the history with the model's own template (tool list Hermes-style in the system prompt when
  the template has no `tools` support);
- "auto": the model writes freely (a grammar on every token would halve decode speed); the moment it
  starts a call (`<tool_call>`, or `{` as its first character) generation restarts from there under
  a grammar that admits only a well-formed call of an offered tool, returned as `tool_calls`
  (finish_reason "tool_calls"), never as text;
- a named tool_choice: the prompt ends where the model's native call would put the arguments and a
  grammar from the tool's JSON schema writes them, so the call is schema-valid by construction;
  "required": the same with a grammar admitting a call of any offered tool;
- "none" or no tools: plain chat, with `response_format` (json_object + schema) as a grammar;
- streams text replies token by token; tool calls stream as one delta when complete.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

import llama_cpp
from fastapi import HTTPException
from llama_cpp import llama_chat_format, llama_grammar

from pf_llm.messages import prepare_messages, template_supports_tools
from pf_llm.plan import ToolChoiceError, ToolPlan, plan_tools
from pf_llm.safety import GrammarRejected, check_grammar, grammar_safe
from pf_llm.toolcalls import (
    TOOL_CALL_CLOSE,
    TOOL_CALL_OPEN,
    ToolCall,
    arguments_schema,
    call_schema,
    looks_like_tool_call_start,
    new_call_id,
    parse_tool_calls,
    tool_name,
)

HANDLER_NAME = "pf-native-tools"


# llama_cpp's schema converter lets raw control characters (newlines) into JSON strings, which strict
# JSON parsers reject; the official json.gbnf excludes them, and so do we.
_LOOSE_CHAR = r'char ::= [^"\\]'
_STRICT_CHAR = r'char ::= [^"\\\x7F\x00-\x1F]'


def schema_gbnf(schema: dict[str, Any], start: str) -> str:
    """GBNF for a JSON schema whose start rule is named `start` (so it can be embedded)."""
    text = llama_grammar.json_schema_to_gbnf(json.dumps(schema))
    text = text.replace(_LOOSE_CHAR, _STRICT_CHAR)
    return re.sub(r"^root ::=", f"{start} ::=", text, count=1, flags=re.MULTILINE)


def _grammar(text: str, llama: llama_cpp.Llama) -> llama_cpp.LlamaGrammar:
    check_grammar(llama, text)  # a grammar llama.cpp refuses must not reach the sampler (it crashed)
    return llama_cpp.LlamaGrammar.from_string(text, verbose=llama.verbose)


def _json_grammar(schema: dict[str, Any] | None, llama: llama_cpp.Llama) -> llama_cpp.LlamaGrammar:
    """Grammar for a JSON schema (capped by `grammar_safe`); a schema the converter or llama.cpp cannot
    handle falls back to any JSON, and if even that is refused the request fails with a 500."""
    if schema:
        try:
            return _grammar(schema_gbnf(grammar_safe(schema), "pf-json") + '\nroot ::= " "? pf-json', llama)
        except Exception as exc:  # the converter rejects some schema features; llama.cpp some grammars
            print(f"pf_llm: schema grammar failed ({exc}); using plain JSON", file=sys.stderr)
    try:
        return _grammar(llama_grammar.JSON_GBNF, llama)
    except GrammarRejected as exc:
        raise HTTPException(status_code=500, detail=f"no usable grammar for this request: {exc}") from exc


class _Turn:
    """Usage and identity shared by the one or two generations that answer a request."""

    def __init__(self) -> None:
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.finish = "stop"
        self.head: dict[str, Any] = {}

    def add(self, gen: _Generation) -> None:
        self.prompt_tokens = max(self.prompt_tokens, gen.prompt_tokens)
        self.completion_tokens += gen.completion_tokens
        self.finish = gen.finish

    @property
    def usage(self) -> dict[str, int]:
        total = self.prompt_tokens + self.completion_tokens
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens, "total_tokens": total}


class _Generation:
    """One streamed llama.cpp completion; remembers its finish reason and token counts for `usage`."""

    def __init__(self, llama: llama_cpp.Llama, tokens: list[int], turn: _Turn, **kwargs: Any) -> None:
        self.prompt_tokens = len(tokens)
        self.completion_tokens = 0
        self.finish = "stop"
        self.turn = turn
        self._chunks = llama.create_completion(prompt=tokens, stream=True, **kwargs)

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:  # type: ignore[union-attr]
            if not self.turn.head:
                self.turn.head = {"id": chunk["id"], "created": chunk["created"], "model": chunk["model"]}
            choice = chunk["choices"][0]
            if choice.get("finish_reason"):
                self.finish = choice["finish_reason"]
            if choice.get("text") or not choice.get("finish_reason"):
                self.completion_tokens += 1
            if choice.get("text"):
                yield choice["text"]

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def _held_back(text: str) -> int:
    """Index from which `text` could still be the start of a `<tool_call>` tag (len(text) if nowhere)."""
    for i in range(max(0, len(text) - len(TOOL_CALL_OPEN) + 1), len(text)):
        if TOOL_CALL_OPEN.startswith(text[i:]):
            return i
    return len(text)


class NativeToolsHandler:
    """A `LlamaChatCompletionHandler` (see llama_cpp.llama_chat_format) with native tool calls."""

    def __init__(self) -> None:
        self._formatters: dict[int, tuple[llama_chat_format.Jinja2ChatFormatter, bool]] = {}

    def formatter(self, llama: llama_cpp.Llama) -> tuple[llama_chat_format.Jinja2ChatFormatter, bool]:
        """The model's own chat template (ChatML when the GGUF has none) and whether it renders tools."""
        key = id(llama)
        if key not in self._formatters:
            template = llama.metadata.get("tokenizer.chat_template") or llama_chat_format.CHATML_CHAT_TEMPLATE
            eos_id, bos_id = llama.token_eos(), llama.token_bos()
            eos = llama._model.token_get_text(eos_id) if eos_id != -1 else ""
            bos = llama._model.token_get_text(bos_id) if bos_id != -1 else ""
            fmt = llama_chat_format.Jinja2ChatFormatter(
                template=template, eos_token=eos, bos_token=bos, stop_token_ids=[eos_id]
            )
            self._formatters[key] = (fmt, template_supports_tools(template))
        return self._formatters[key]

    def __call__(
        self,
        *,
        llama: llama_cpp.Llama,
        messages: list[dict[str, Any]],
        functions: list[dict[str, Any]] | None = None,
        function_call: Any = None,
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        stream: bool = False,
        stop: str | list[str] | None = None,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        grammar: llama_cpp.LlamaGrammar | None = None,
        logprobs: bool | None = None,
        top_logprobs: int | None = None,
        **sampling: Any,
    ) -> dict[str, Any] | Iterator[dict[str, Any]]:
        try:
            plan = plan_tools(tools, tool_choice, functions, function_call)
        except ToolChoiceError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        fmt, native = self.formatter(llama)
        shown = plan.tools or None
        result = fmt(messages=prepare_messages(messages, shown, native), tools=shown if native else None)
        stops = [] if stop is None else [stop] if isinstance(stop, str) else list(stop)
        if result.stop:
            stops += result.stop if isinstance(result.stop, list) else [result.stop]
        options = {
            "stop": stops,
            "stopping_criteria": result.stopping_criteria,
            **{k: v for k, v in sampling.items() if k in _SAMPLING_KEYS},
        }
        if grammar is not None:  # a client's own GBNF: refused grammars are a 400, never a crash
            try:
                check_grammar(llama, grammar._grammar)
            except GrammarRejected as exc:
                raise HTTPException(status_code=400, detail=str(exc)) from exc
        if plan.mode == "text" and response_format and response_format.get("type") == "json_object":
            grammar = _json_grammar(response_format.get("schema"), llama)
        turn = _Turn()
        events = self._events(llama, result.prompt, not result.added_special, plan, max_tokens, grammar, options, turn)
        if stream:
            return _stream(events, turn)
        return _complete(events, turn)

    def _events(
        self,
        llama: llama_cpp.Llama,
        prompt: str,
        add_bos: bool,
        plan: ToolPlan,
        max_tokens: int | None,
        grammar: llama_cpp.LlamaGrammar | None,
        options: dict[str, Any],
        turn: _Turn,
    ) -> Iterator[tuple[str, Any]]:
        """("text", str) pieces as they are generated, and ("calls", [ToolCall]) once a call is complete."""

        def generate(text: str, grammar: llama_cpp.LlamaGrammar | None, budget: int | None) -> _Generation:
            tokens = llama.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)
            return _Generation(llama, tokens, turn, grammar=grammar, max_tokens=budget, **options)

        def call(prefix: str, budget: int | None) -> Iterator[tuple[str, Any]]:
            """A tool call written under the grammar, after `prefix` (text the model already wrote)."""
            if plan.mode == "forced":
                tool = plan.tools[0]
                prefill = f'{TOOL_CALL_OPEN}\n{{"name": {json.dumps(tool_name(tool))}, "arguments":'
                g = _json_grammar(arguments_schema(tool), llama)
            else:
                prefill = TOOL_CALL_OPEN + "\n"
                g = _json_grammar(call_schema(plan.tools), llama)
            gen = generate(prompt + prefix + prefill, g, budget)
            out = "".join(gen)
            turn.add(gen)
            _content, calls = calls_from_output(out, plan)
            if calls:
                yield ("calls", calls)
            # else: the call was cut (max_tokens, finish_reason "length"); half a call is no answer,
            # and its JSON must not reach the user as text

        if plan.mode in ("forced", "required"):
            yield from call("", max_tokens)
            return
        if plan.mode == "text":
            gen = generate(prompt, grammar, max_tokens)
            yield from (("text", piece) for piece in gen)
            turn.add(gen)
            return
        # auto: generate freely (no grammar cost per token); the moment the model starts a call
        # (`<tool_call>` anywhere; `{` or a ```json fence as its first characters), stop and let the
        # grammar write the call from there.
        gen = generate(prompt, None, max_tokens)
        written, pending = "", ""
        for piece in gen:
            pending += piece
            start = looks_like_tool_call_start(written + pending) if not written.strip() else False
            if start is None:
                continue
            at = pending.find(TOOL_CALL_OPEN)
            if start or at >= 0:
                gen.close()
                turn.add(gen)
                before = pending[:at] if at >= 0 else ""
                if before:
                    yield ("text", before)
                left = None if max_tokens is None else max(max_tokens - gen.completion_tokens, 128)
                yield from call(written + before, left)
                return
            cut = _held_back(pending)
            if cut:
                yield ("text", pending[:cut])
                written += pending[:cut]
                pending = pending[cut:]
        turn.add(gen)
        if pending:
            yield ("text", pending)


_SAMPLING_KEYS = {
    "temperature", "top_p", "top_k", "min_p", "typical_p", "seed", "presence_penalty", "frequency_penalty",
    "repeat_penalty", "tfs_z", "mirostat_mode", "mirostat_tau", "mirostat_eta", "model", "logits_processor",
    "logit_bias",
}  # fmt: skip


def calls_from_output(text: str, plan: ToolPlan) -> tuple[str, list[ToolCall]]:
    """(content, calls) from text generated after the call prefill, given how the prompt was constrained."""
    if plan.mode == "forced":
        try:
            args = json.JSONDecoder(strict=False).decode(text)
        except json.JSONDecodeError:
            return text.strip(), []  # cut by max_tokens: no call
        if isinstance(args, dict):
            return "", [ToolCall(tool_name(plan.tools[0]), args)]
        return text.strip(), []
    if plan.mode in ("required", "auto"):
        return parse_tool_calls(TOOL_CALL_OPEN + "\n" + text + "\n" + TOOL_CALL_CLOSE, plan.names)
    return text, []


def _message(content: str, calls: list[ToolCall]) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": "assistant", "content": content or None}
    if calls:
        msg["tool_calls"] = [c.to_openai() for c in calls]
    else:
        msg["content"] = content
    return msg


def _head(turn: _Turn, kind: str) -> dict[str, Any]:
    head = turn.head or {"id": "cmpl-" + new_call_id()[5:], "created": int(time.time()), "model": ""}
    return {"id": "chat" + head["id"], "object": kind, "created": head["created"], "model": head["model"]}


def _complete(events: Iterator[tuple[str, Any]], turn: _Turn) -> dict[str, Any]:
    content, calls = "", []
    for kind, value in events:
        if kind == "text":
            content += value
        else:
            calls.extend(value)
    return {
        **_head(turn, "chat.completion"),
        "choices": [
            {
                "index": 0,
                "message": _message(content.strip() if calls else content, calls),
                "logprobs": None,
                "finish_reason": "tool_calls" if calls else turn.finish,
            }
        ],
        "usage": turn.usage,
    }


def _chunk(head: dict[str, Any], delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {**head, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


def _stream(events: Iterator[tuple[str, Any]], turn: _Turn) -> Iterator[dict[str, Any]]:
    """Text streams as it is generated; a tool call arrives as one delta once it is complete."""
    head: dict[str, Any] | None = None
    called = False
    for kind, value in events:
        if head is None:
            head = _head(turn, "chat.completion.chunk")
            yield _chunk(head, {"role": "assistant", "content": ""})
        if kind == "text":
            if value:
                yield _chunk(head, {"content": value})
        else:
            called = True
            deltas = [{"index": i, **c.to_openai()} for i, c in enumerate(value)]
            yield _chunk(head, {"tool_calls": deltas})
    if head is None:
        head = _head(turn, "chat.completion.chunk")
        yield _chunk(head, {"role": "assistant", "content": ""})
    yield _chunk(head, {}, "tool_calls" if called else turn.finish)


HANDLER = NativeToolsHandler()


def register() -> str:
    """Register the handler with llama_cpp's registry (idempotent) and return its chat_format name."""
    llama_chat_format.LlamaChatCompletionHandlerRegistry().register_chat_completion_handler(
        HANDLER_NAME, HANDLER, overwrite=True
    )
    return HANDLER_NAME


__all__ = ["HANDLER_NAME", "NativeToolsHandler", "calls_from_output", "register", "schema_gbnf"]
