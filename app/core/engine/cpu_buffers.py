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
(loads happen on the engine's thread, one at a time).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
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
def model_defaults() -> Iterator[None]:
    """While the block runs, ``Llama()`` builds its model parameters with the extra buffers as
    :func:`extra_buffers_allowed` says."""
    if extra_buffers_allowed():
        yield
        return
    log.info("loading without llama.cpp's extra CPU buffers (AMX CPU; %s=1 turns them on)", ENV)
    with without_extra_buffers():
        yield


@contextmanager
def without_extra_buffers() -> Iterator[None]:
    """``Llama()`` loads without the extra buffers while the block runs (also the trial load's way
    of not reading the weights: nothing is repacked)."""
    import llama_cpp.llama_cpp as low

    original = low.llama_model_default_params

    def defaults() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    low.llama_model_default_params = defaults
    try:
        yield
    finally:
        low.llama_model_default_params = original
