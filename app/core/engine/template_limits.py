"""Resource bounds for the Jinja a GGUF carries: time, size, and Stop.

Jinja's sandbox bounds *access* (no attributes of Python internals), not
resources: a template from a file could loop 10^10 times, multiply a string by
10^10 or double a string in a loop until the machine swaps.  Measured on the
open issue: the nested loop never answered, the multiplication grew the
process past 3 GB within 7 s.  So, for every render:

* the binary operators that build big values (``*``, ``**``, ``+``, ``~``) refuse results
  beyond ``MAX_VALUE_CHARS`` before computing them (a C-level allocation cannot
  be interrupted afterwards);
* the output is produced chunk by chunk (``Template.generate``) and stops at
  ``MAX_OUTPUT_CHARS``;
* it runs on a helper thread with a deadline (``DEADLINE_S``) and the engine's
  Stop: when either comes first, an exception is raised *inside* the helper
  thread (``PyThreadState_SetAsyncExc``, delivered at its next bytecode, which
  Jinja's compiled loops execute constantly), so the loop ends and the engine
  goes on.  Python offers no other way to end a runaway loop in a thread.
"""

from __future__ import annotations

import contextvars
import ctypes
import functools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.core.errors import HearthError
from app.core.sentences import say

DEADLINE_S = 2.0
MAX_OUTPUT_CHARS = 8_000_000  # ~2M tokens: more than any context Hearth runs
MAX_VALUE_CHARS = 8_000_000
MAX_POWER_DIGITS = 4_000

# The calling thread's Stop (the engine sets it around prompt building; a render then ends on Stop).
should_stop: contextvars.ContextVar[Callable[[], bool]] = contextvars.ContextVar("should_stop", default=lambda: False)


class TemplateError(HearthError):
    """The model's chat template is broken; the model cannot be chatted with."""


class TemplateLimitError(TemplateError):
    """The model's chat template used more time or memory than any real template needs."""


class RenderStopped(HearthError):
    """Stop was pressed while the template rendered."""


class _Abort(BaseException):
    """Raised inside the render thread to end it (BaseException: the template cannot catch it)."""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


class BoundedSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+"})

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            count = right if isinstance(right, int) else left if isinstance(left, int) else 1
            if max(_size(left), _size(right)) * max(int(count), 0) > MAX_VALUE_CHARS:
                raise TemplateLimitError(_too_big("multiplies a value into more than 8 million items"))
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1 and right * max(len(str(abs(left))), 1) > MAX_POWER_DIGITS:
                raise TemplateLimitError(_too_big("computes a number with thousands of digits"))
        elif operator == "+" and _size(left) + _size(right) > MAX_VALUE_CHARS:
            raise TemplateLimitError(_too_big("builds a value of more than 8 million characters"))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_counts(args, kwargs)  # 'x'.ljust(10**10) would allocate 10 GB in one C call
        return super().call(__context, __obj, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Compiled templates call filters directly, not through a sandbox hook: wrap each one.
        self.filters = {name: _bounded_filter(f) for name, f in self.filters.items()}


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose size arguments are checked ('x'|center(10**10), |indent(10**10)); the
    value itself may be anything (``pass_context`` and friends put one argument before it)."""
    skip = 2 if getattr(function, "jinja_pass_arg", None) is not None else 1

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_counts(args[skip:], kwargs)
        return function(*args, **kwargs)

    return bounded


def _check_counts(args: Any, kwargs: Any) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_VALUE_CHARS:
            raise TemplateLimitError(_too_big(f"asks for a size of {value}"))


def _too_big(what: str) -> str:
    return f"The model's chat template {what}; Hearth stopped it."


def _bounded_join(values: Any) -> str:
    """Jinja's ``~`` (``str_join`` in compiled templates) with the same bound: a doubling loop
    would otherwise reach gigabytes within the deadline."""
    text = "".join(str(v) for v in values)
    if len(text) > MAX_VALUE_CHARS:
        raise TemplateLimitError(_too_big("builds a value of more than 8 million characters"))
    return text


def bound(template: jinja2.Template) -> jinja2.Template:
    """Make a compiled template's ``~`` bounded (its code looks ``str_join`` up in its module)."""
    template.root_render_func.__globals__["str_join"] = _bounded_join
    return template


def render(template: jinja2.Template, context: dict[str, Any], deadline_s: float = DEADLINE_S) -> str:
    """Render within the bounds; typed errors for a template past them and for Stop."""
    stop = should_stop.get()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["text"] = "".join(_limited(template.generate(**context)))
        except _Abort:
            box["aborted"] = True
        except BaseException as exc:  # handed to the caller, which raises it on its own thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="hearth-template", daemon=True)
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        worker.join(0.02)
        late = time.monotonic() - started > deadline_s
        if worker.is_alive() and (late or stop()):
            _interrupt(worker)
            worker.join(1.0)
            if stop() and not late:
                raise RenderStopped(say("Stopped while the chat template was being rendered."))
            raise TemplateLimitError(
                say(
                    "The model's chat template ran for more than {deadline_s:g} s without finishing; Hearth stopped it.",
                    deadline_s=deadline_s,
                ),
                say("The file's template is broken or hostile: use a different file for this model."),
            )
    if "error" in box:
        raise box["error"]
    text: str = box["text"]
    return text


def _limited(chunks: Iterator[str]) -> Iterator[str]:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > MAX_OUTPUT_CHARS:
            raise TemplateLimitError(_too_big("writes a prompt of more than 8 million characters"))
        yield chunk


def _interrupt(thread: threading.Thread) -> None:
    ident = thread.ident
    if ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(_Abort))
