"""The write guard: an audit hook that records files opened for writing
outside the allowed roots (the pytest temp root).  Kept in its own module so
conftest and the test that proves the guard works share one instance."""

from __future__ import annotations

import os
import sys

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
guard: dict[str, object] = {"allowed": (), "violations": []}


def _is_write(mode: object, flags: object) -> bool:
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event != "open" or not guard["allowed"]:
        return
    path, mode, flags = (*args, None, None, None)[:3]
    if not isinstance(path, (str, bytes, os.PathLike)) or not _is_write(mode, flags):
        return
    text = os.fsdecode(path)
    if not os.path.isabs(text):
        text = os.path.abspath(text)
    if "__pycache__" in text or text.startswith("/dev/"):
        return
    if not any(text.startswith(str(root)) for root in guard["allowed"]):  # type: ignore[attr-defined]
        guard["violations"].append(text)  # type: ignore[attr-defined]


sys.addaudithook(_audit)
