"""No core dumps: a dump of Hearth holds decrypted conversation pages and the store's key.

Measured on the open issue: one ``ulimit -c unlimited`` (or a desktop's crash collector) turned a
crash into a 786 MB file holding the conversation 8 times and the passphrase 7 times.  At start
Hearth sets its core-file limit to 0 (Linux, macOS) and, on Linux, marks itself not dumpable
(``PR_SET_DUMPABLE``), which also keeps systemd-coredump, apport and other same-user processes from
reading its memory.  ``HEARTH_ALLOW_CORE_DUMPS=1`` leaves both alone, for debugging a crash.
Windows: Windows Error Reporting's local dumps are off unless an admin enables ``LocalDumps`` in the
registry; Hearth does not change that setting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

log = logging.getLogger(__name__)

OPT_IN_ENV = "HEARTH_ALLOW_CORE_DUMPS"
PR_SET_DUMPABLE, PR_GET_DUMPABLE = 4, 3


def forbid() -> bool:
    """Turn core dumps off for this process (idempotent); False when the user opted in to keep them."""
    if os.environ.get(OPT_IN_ENV, "").strip() == "1":
        log.warning("core dumps are allowed (%s=1): a crash may write conversations and the key to disk", OPT_IN_ENV)
        return False
    if os.name == "posix":
        import resource

        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        except (OSError, ValueError) as exc:
            log.warning("could not turn core dumps off: %s", exc)
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_DUMPABLE, 0)
    return True


def dumpable() -> bool | None:
    """Linux's dumpable flag of this process (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    return bool(_prctl(PR_GET_DUMPABLE, 0))


def _prctl(option: int, value: int) -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    result = int(libc.prctl(option, value, 0, 0, 0))
    if result < 0:
        log.warning("prctl(%d) failed: errno %d", option, ctypes.get_errno())
    return result
