"""What opening a further store connection costs with a passphrase: the derived raw key vs the KDF.

Every streamed answer's flusher opens its own connection.  With a passphrase,
SQLCipher would stretch it (PBKDF2, ~0.1 s of CPU) on each; the store derives
the raw key once and reuses it.  This measures both paths side by side in one
process, on a small temporary store, and prints the ratio (was a timed
assertion in tests/test_store.py).  Run: ``.venv/bin/python bench/store_connect.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.store import key as store_key  # noqa: E402
from app.core.store.database import Store  # noqa: E402

ROUNDS = 7


def connect_seconds(store: Store) -> float:
    """Open (and use) one new connection on a new thread, as a flusher does."""
    took: list[float] = []

    def run() -> None:
        began = time.perf_counter()
        store.count()
        took.append(time.perf_counter() - began)
        store.close_thread()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return took[0]


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["HEARTH_HOME"] = home
        path = Path(home) / "data" / "conversations.db"
        fast = Store(path, passphrase="bench passphrase")
        fast.add_message(fast.create_conversation("t"), "user", "hello")
        derived = [connect_seconds(fast) for _ in range(ROUNDS)]
        assert fast._fast_key is not None and fast._fast_key.source == "derived"
        fast.close()
        store_key.KDF_ROUNDS = 1000  # a derivation SQLCipher refuses: every connection runs the KDF
        slow = Store(path, passphrase="bench passphrase")
        kdf = [connect_seconds(slow) for _ in range(ROUNDS)]
        assert slow._fast_key is not None and slow._fast_key.source == "passphrase"
        slow.close()
    d, k = statistics.median(derived) * 1000, statistics.median(kdf) * 1000
    print(f"new connection, derived raw key: {d:8.2f} ms (median of {ROUNDS})")
    print(f"new connection, passphrase KDF:  {k:8.2f} ms (median of {ROUNDS})")
    print(f"KDF / derived: {k / d:.1f}x")


if __name__ == "__main__":
    main()
