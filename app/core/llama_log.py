"""Route llama.cpp's own log into Python logging.

llama.cpp prints to stderr by default, which garbles a terminal chat and is
lost in a GUI.  This installs one C callback that forwards each complete line
to the ``hearth.llama_cpp`` logger (so it lands in the rotating log file),
at the matching level.  Continuation pieces (level CONT) are joined to the
line they continue.
"""

from __future__ import annotations

import ctypes
import logging
import threading

log = logging.getLogger("hearth.llama_cpp")

# ggml_log_level: NONE=0, DEBUG=1, INFO=2, WARN=3, ERROR=4, CONT=5
_LEVELS = {0: logging.CRITICAL, 1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
_CONT = 5
_state: dict[str, int | str] = {"level": logging.DEBUG, "pending": ""}
_lock = threading.Lock()
_installed: list[object] = []  # keeps the ctypes callback alive


def _forward(level: int, text: bytes | None, _user_data: ctypes.c_void_p) -> None:
    piece = (text or b"").decode("utf-8", errors="replace")
    with _lock:
        if level != _CONT:
            _state["level"] = _LEVELS.get(level, logging.DEBUG)
        _state["pending"] = str(_state["pending"]) + piece
        *lines, rest = str(_state["pending"]).split("\n")
        _state["pending"] = rest
        py_level = int(_state["level"])
    for line in lines:
        if line.strip():
            log.log(py_level, "%s", line.rstrip())


def install() -> None:
    """Idempotent: after this, nothing from llama.cpp reaches stderr."""
    if _installed:
        return
    import llama_cpp
    import llama_cpp._logger

    callback = llama_cpp.llama_log_callback(_forward)
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    _installed.append(callback)
