"""Chat templates: render the model's own Jinja template, safely.

A GGUF carries its chat template as Jinja text written by whoever converted
the file, so it is rendered in Jinja's *immutable sandbox* (no attribute
access to Python internals, no mutation of our objects).  The environment
matches Hugging Face's chat-template conventions (``trim_blocks``,
``lstrip_blocks``, ``raise_exception``, ``strftime_now``) so templates render
exactly as they do upstream.

When a file has no template, llama.cpp would silently fall back to the
llama-2 format, which garbles DeepSeek prompts.  Hearth instead picks the
DeepSeek family template shipped in ``models/templates`` and says so.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.core.engine import template_limits
from app.core.engine.template_limits import BoundedSandbox, TemplateError
from app.core.errors import HearthError
from app.core.paths import bundled_models_dir
from app.core.sentences import say

FAMILIES = ("deepseek-r1", "deepseek-v3", "deepseek-v2", "deepseek-v3.1", "deepseek-v3.2", "deepseek-v4")
THINK_PREFILL = "<think>"


def _raise_exception(message: str) -> None:
    raise TemplateError(say("The model's chat template refused the conversation: {message}", message=message))


def _strftime_now(fmt: str) -> str:
    return datetime.datetime.now().strftime(fmt)


def _from_json(text: str) -> Any:
    """minja's ``from_json``, which llama.cpp's V3.2 and V4 templates call on tool-call arguments
    (OpenAI sends them as a JSON string); plain Jinja has no such filter."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        hint = "Send the arguments as a JSON object."
        raise TemplateError(say("A tool call's arguments are not valid JSON ({exc}).", exc=exc), hint) from None


def _tojson(value: Any, indent: int | None = None, separators: tuple[str, str] | None = None, sort_keys: bool = False) -> str:
    """``tojson`` as Hugging Face and llama.cpp render it: plain JSON, non-ASCII kept.  Jinja's own
    escapes ``<``, ``>``, ``&`` and ``'`` for HTML, which would change the prompt's tokens."""
    return json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)


@functools.lru_cache(maxsize=1)
def _environment() -> ImmutableSandboxedEnvironment:
    env = BoundedSandbox(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = _strftime_now
    env.filters["from_json"] = _from_json
    env.filters["tojson"] = _tojson
    return env


@functools.lru_cache(maxsize=16)
def _compile(source: str) -> jinja2.Template:
    try:
        return template_limits.bound(_environment().from_string(source))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            say(
                "The model's chat template is not valid Jinja (line {lineno}: {message}).", lineno=exc.lineno, message=exc.message
            ),
            say("Use a different file for this model."),
        ) from exc


def _with_object_arguments(message: dict[str, Any]) -> dict[str, Any]:
    calls = message.get("tool_calls")
    if not calls:
        return message
    converted = []
    for call in calls:
        function = dict(call["function"])
        if isinstance(function.get("arguments"), str):
            function["arguments"] = _from_json(function["arguments"])
        converted.append({**call, "function": function})
    return {**message, "tool_calls": converted}


def load_family_template(family: str) -> str:
    """The bundled template text of a DeepSeek family (see FAMILIES)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown template family {family!r}")
    return (bundled_models_dir() / "templates" / f"{family}.jinja").read_text(encoding="utf-8")


def guess_family(architecture: str, n_layers: int, name: str) -> str:
    """The DeepSeek family for a file without a template, from what its header says."""
    lowered = name.lower()
    if architecture == "deepseek4":
        return "deepseek-v4"
    if architecture == "deepseek32":
        return "deepseek-v3.2"
    if architecture == "deepseek2" and "v3.1" in lowered:
        return "deepseek-v3.1"
    if architecture == "deepseek2" and (n_layers in (26, 27) or "v2" in lowered):
        return "deepseek-v2"
    if architecture == "deepseek2" and "v3" in lowered and "r1" not in lowered:
        return "deepseek-v3"
    return "deepseek-r1"


@dataclass(frozen=True)
class ChatTemplate:
    """A compiled template plus the special tokens it needs."""

    source: str
    bos_token: str
    eos_token: str
    family: str | None = None  # set when this is Hearth's fallback, not the file's own

    @property
    def is_fallback(self) -> bool:
        return self.family is not None

    def check(self) -> None:
        """Compile now; a template that is not valid Jinja is a :class:`TemplateError`."""
        _compile(self.source)

    def warm(self) -> None:
        """Compile now (on the loading thread), not at the first question, where the compile's
        tens of milliseconds of Python would compete with the UI for the interpreter.
        A broken template is reported when it is rendered, as before."""
        with contextlib.suppress(Exception):  # render() raises it with the user-facing text
            _compile(self.source)

    def render(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        add_generation_prompt: bool = True,
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        listed = [dict(m) for m in messages]
        if any(m.get("tool_calls") for m in listed) and self.wants_object_arguments:
            listed = [_with_object_arguments(m) for m in listed]
        return self._render(listed, add_generation_prompt, extra)

    def _render(self, messages: list[dict[str, Any]], add_generation_prompt: bool, extra: Mapping[str, Any] | None) -> str:
        context: dict[str, Any] = {
            "messages": messages,
            "bos_token": self.bos_token,
            "eos_token": self.eos_token,
            "add_generation_prompt": add_generation_prompt,
        }
        context.update(extra or {})
        try:
            return template_limits.render(_compile(self.source), context)
        except HearthError:
            raise
        except jinja2.TemplateError as exc:
            raise TemplateError(
                say("The model's chat template failed: {exc}", exc=exc), say("Use a different file for this model.")
            ) from exc
        except (OverflowError, MemoryError, RecursionError, ValueError, TypeError, ArithmeticError) as exc:
            # range(10**8) (the sandbox's range limit), runaway recursion, arithmetic on bad values
            raise TemplateError(
                say("The model's chat template failed: {exc}.", exc=exc), say("Use a different file for this model.")
            ) from exc

    @functools.cached_property
    def wants_object_arguments(self) -> bool:
        """Whether the template expects tool-call arguments as an object, not OpenAI's JSON string.

        Some templates (llama.cpp's V3.1 copy) write ``arguments | tojson``, which turns a string
        into a quoted, escaped one.  llama.cpp's template engine detects this by rendering both
        ways, and so does Hearth, once per template: a string the template does not reproduce
        verbatim, where an object comes out as its JSON, means objects."""
        arguments = '{"needle": "hearth-probe"}'
        call = {"id": "c", "type": "function", "function": {"name": "probe", "arguments": arguments}}
        probe: list[dict[str, Any]] = [
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
        ]
        try:
            if arguments in self._render(probe, False, None):
                return False
            return '"hearth-probe"' in self._render([_with_object_arguments(m) for m in probe], False, None)
        except HearthError:
            return False

    @functools.cached_property
    def prefills_reasoning(self) -> bool:
        """Whether the generation prompt opens a think block the model continues (probed once)."""
        return self.prefills(None)

    def prefills(self, extra: Mapping[str, Any] | None) -> bool:
        """The same for a render with ``extra`` (a thinking switch changes V3.1's and V4's
        generation prompt from ``<think>`` to ``<think></think>`` or ``</think>``); remembered."""
        key = tuple(sorted((extra or {}).items()))
        cache: dict[tuple[Any, ...], bool] = self.__dict__.setdefault("_prefill_cache", {})
        if key not in cache:
            probe = self.render([{"role": "user", "content": "x"}], extra=extra)
            cache[key] = probe.rstrip().endswith(THINK_PREFILL)
        return cache[key]
