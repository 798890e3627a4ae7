"""How every connection to the conversation store is set up, and what its failures mean.

Each thread opens its own SQLCipher connection (:class:`app.core.store.database.Store`); all of
them get the same settings here, and the two that keep decrypted data off the disk are asserted
on every one: temporary tables and sort spills in memory (SQLCipher does not encrypt temp files),
and memory security (SQLCipher wipes what it frees: decrypted pages, key material).  Memory
security also ``mlock``s each allocation, but only up to the user's ``RLIMIT_MEMLOCK`` (8 MiB by
default on Linux): past it SQLCipher's ``mlock`` fails without a word (seen as an ordinary user
reading a 38 MiB store: 23,469 of 27,431 calls failed), so its pages can still be swapped out, as
the same text in the window's memory can.  Its cost, measured in separate processes
(``bench/memory_security.py``; the setting cannot be turned off in a process that turned it on):
a question and its answer committed take 4x as long (2.3 ms against 0.5), opening the store
1.4x, a bulk insert 36x.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

from app.core.errors import StoreError, StoreFullError, StoreReadOnlyError
from app.core.sentences import say
from app.core.store import cjk

BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another connection's write


def configure(db: Any, path: Path) -> None:
    """The settings of every connection (before its schema is migrated)."""
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA secure_delete = ON")
    cjk.register(db)  # the CJK index's triggers call these
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a killed app loses nothing committed
    # Pages in SQLite's cache are decrypted; pages read back from the OS must be decrypted and
    # their HMAC checked again, so a larger cache is most of what keeps encryption cheap.
    db.execute("PRAGMA cache_size = -65536")
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA cipher_memory_security = ON")
    _require_private(db, path)


def _require_private(db: Any, path: Path) -> None:
    """Refuse a connection on which decrypted data could reach the disk in clear."""
    temp = db.execute("PRAGMA temp_store").fetchone()[0]
    wiped = db.execute("PRAGMA cipher_memory_security").fetchone()[0]
    options = {row[0] for row in db.execute("PRAGMA compile_options").fetchall()}
    if int(temp) != 2 or "TEMP_STORE=0" in options or str(wiped) != "1":
        db.close()
        raise StoreError(
            say(
                (
                    "This build of SQLCipher would keep temporary data of {name} unencrypted on disk "
                    "(temp_store {temp}, memory security {wiped}), so Hearth does not use it."
                ),
                name=path.name,
                temp=temp,
                wiped=wiped,
            ),
            say("Reinstall Hearth (make install) to get the SQLCipher build it is tested with."),
        )


def translate(exc: Exception, path: Path) -> Exception:
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if "full" in text or code in (errno.ENOSPC, errno.EDQUOT):
        return StoreFullError(
            say("The conversation store could not save the last change: the disk holding {parent} is full.", parent=path.parent),
            say("Free some space; everything saved before is intact."),
        )
    read_only = code in (errno.EACCES, errno.EPERM, errno.EROFS)
    if read_only or "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text:
        return StoreReadOnlyError(
            say("The conversation store at {path} cannot be written (read-only folder or file).", path=path),
            say("Check the permissions of the data folder, or set HEARTH_HOME to a writable place."),
        )
    return StoreError(say("The conversation store failed: {exc}.", exc=exc))
