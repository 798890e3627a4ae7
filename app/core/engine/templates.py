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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.core.engine import template_limits
from app.core.engine.template_limits import BoundedSandbox, TemplateError
from app.core.errors import HearthError
from app.core.paths import bundled_models_dir

FAMILIES = ("deepseek-r1", "deepseek-v3", "deepseek-v2")
THINK_PREFILL = "<think>"


def _raise_exception(message: str) -> None:
    raise TemplateError(f"The model's chat template refused the conversation: {message}")


def _strftime_now(fmt: str) -> str:
    return datetime.datetime.now().strftime(fmt)


@functools.lru_cache(maxsize=1)
def _environment() -> ImmutableSandboxedEnvironment:
    env = BoundedSandbox(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = _strftime_now
    return env


@functools.lru_cache(maxsize=16)
def _compile(source: str) -> jinja2.Template:
    try:
        return template_limits.bound(_environment().from_string(source))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"The model's chat template is not valid Jinja (line {exc.lineno}: {exc.message}).",
            "Use a different file for this model.",
        ) from exc


def load_family_template(family: str) -> str:
    """The bundled template text of a DeepSeek family (see FAMILIES)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown template family {family!r}")
    return (bundled_models_dir() / "templates" / f"{family}.jinja").read_text(encoding="utf-8")


def guess_family(architecture: str, n_layers: int, name: str) -> str:
    """The DeepSeek family for a file without a template, from what its header says."""
    lowered = name.lower()
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
        context: dict[str, Any] = {
            "messages": [dict(m) for m in messages],
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
            raise TemplateError(f"The model's chat template failed: {exc}", "Use a different file for this model.") from exc
        except (OverflowError, MemoryError, RecursionError, ValueError, TypeError, ArithmeticError) as exc:
            # range(10**8) (the sandbox's range limit), runaway recursion, arithmetic on bad values
            raise TemplateError(f"The model's chat template failed: {exc}.", "Use a different file for this model.") from exc

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
