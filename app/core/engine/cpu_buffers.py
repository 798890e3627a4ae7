"""Whether llama.cpp may keep weights in its extra CPU buffers (Intel AMX tiles, repacked layouts).

llama.cpp moves quantized weights (Q4_0, Q8_0, K-quants) into "extra buffer
types" at load: an AMX layout on CPUs with Intel AMX, an interleaved layout
for AVX2/NEON.  On a Xeon with AMX in a virtual machine here, the first decode
of any Q8_0 or Q4_0 model then died with SIGSEGV inside llama.cpp (the whole
app, not a typed error); the same files with the extra buffers off ran
normally.  So where the CPU reports AMX, Hearth loads without them, and the
log says so; ``HEARTH_CPU_EXTRA_BUFFERS=1`` turns them on again (``=0`` turns
them off everywhere).

llama-cpp-python has no parameter for ``use_extra_bufts``: it fills the
model parameters from ``llama_model_default_params()`` inside ``Llama()``, so
:func:`model_defaults` replaces that function for the duration of one load
(loads happen on the engine's thread, one at a time).  The same replacement sets
llama.cpp's load progress callback, which llama-cpp-python does not expose either.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

ENV = "HEARTH_CPU_EXTRA_BUFFERS"


@cache
def cpu_has_amx() -> bool:
    """Linux reports AMX as the ``amx_tile`` CPU flag; elsewhere there is nothing to read (and no
    AMX on Apple silicon)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return "amx_tile" in line.split()
    except OSError:
        pass
    return False


def extra_buffers_allowed() -> bool:
    forced = os.environ.get(ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return not cpu_has_amx()


@contextmanager
def model_defaults(progress: Callable[[float], None] | None = None) -> Iterator[None]:
    """While the block runs, ``Llama()`` builds its model parameters with the extra buffers as
    :func:`extra_buffers_allowed` says and, given ``progress``, reports how far the load is
    (0.0-1.0, from llama.cpp's progress callback on the loading thread)."""
    extra = extra_buffers_allowed()
    if not extra:
        log.info("loading without llama.cpp's extra CPU buffers (AMX CPU; %s=1 turns them on)", ENV)
    if extra and progress is None:
        yield
        return
    callback = None if progress is None else _progress_callback(progress)  # referenced until the load ends

    def change(params: Any) -> None:
        if not extra:
            params.use_extra_bufts = False
        if callback is not None:
            params.progress_callback = callback

    with _patched_defaults(change):
        yield


def _progress_callback(progress: Callable[[float], None]) -> Any:
    """llama.cpp's progress callback around ``progress``.  It always answers true: false would
    abort the load, and a bug in the hook must not."""
    import llama_cpp.llama_cpp as low

    def report(fraction: float, _data: Any) -> bool:
        try:
            progress(fraction)
        except Exception:
            log.exception("load progress report failed")
        return True

    return low.llama_progress_callback(report)


@contextmanager
def without_extra_buffers() -> Iterator[None]:
    """``Llama()`` loads without the extra buffers while the block runs (also the trial load's way
    of not reading the weights: nothing is repacked)."""

    def change(params: Any) -> None:
        params.use_extra_bufts = False

    with _patched_defaults(change):
        yield


@contextmanager
def _patched_defaults(change: Callable[[Any], None]) -> Iterator[None]:
    import llama_cpp.llama_cpp as low

    original = low.llama_model_default_params

    def defaults() -> Any:
        params = original()
        change(params)
        return params

    low.llama_model_default_params = defaults
    try:
        yield
    finally:
        low.llama_model_default_params = original
