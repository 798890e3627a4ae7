"""What SQLCipher's memory security costs the conversation store.

Every connection turns ``PRAGMA cipher_memory_security`` on (``app.core.store.connection``):
SQLCipher then wipes each allocation it frees and ``mlock``s each one it makes, so its buffers of
decrypted pages are never swapped out.  The setting cannot be turned off again in a process that
turned it on (SQLCipher 4.5 and later), so a comparison inside one process measures "on" twice;
this one runs each side in its own process, alternated, ``ROUNDS`` times, and prints the medians
and their ratio for what the app does: opening the store (key, migrations, checks), a question
and its answer added as the window's send adds them (each committed), and a bulk insert of
conversations in one transaction.  "Off" skips only the pragma and the check that asserts it.

Run: ``.venv/bin/python bench/memory_security.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 5
MESSAGES = 400  # 200 questions and 200 answers, each committed on its own
CONVERSATIONS = 5_000  # in one transaction


def child(setting: str, home: str) -> dict[str, float]:
    """One side's timings, in this (fresh) process."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(HEARTH_HOME=home, HEARTH_PASSPHRASE="bench", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    from app.core.store import connection

    if setting == "off":
        configure = connection.configure

        class WithoutMemorySecurity:
            """The real connection, but its memory-security pragma is not run."""

            def __init__(self, db: object) -> None:
                self.db = db

            def __getattr__(self, name: str) -> object:
                return getattr(self.db, name)

            def execute(self, sql: str, *args: object) -> object:
                skipped = "cipher_memory_security = ON" in sql
                return self.db.execute("SELECT 1" if skipped else sql, *args)  # type: ignore[attr-defined]

        def without_memory_security(db: object, path: Path) -> None:
            configure(WithoutMemorySecurity(db), path)

        connection.configure = without_memory_security
        connection._require_private = lambda db, path: None
    from app.core.store.database import Store

    began = time.perf_counter()
    store = Store(Path(home) / "data" / "conversations.db")
    opened = time.perf_counter() - began
    conversation = store.create_conversation("bench")
    began = time.perf_counter()
    for i in range(MESSAGES // 2):
        store.add_message(conversation, "user", f"Question {i} with **some** Markdown and a list:\n\n- one\n- two")
        store.add_message(conversation, "assistant", f"Answer {i}: " + "words of an answer " * 40)
    sent = (time.perf_counter() - began) / (MESSAGES // 2)
    now = time.time()
    began = time.perf_counter()
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO conversations (title, settings, created_at, updated_at) VALUES (?, '{}', ?, ?)",
            [(f"conversation {i}", now - i * 600, now - i * 600) for i in range(CONVERSATIONS)],
        )
    bulk = time.perf_counter() - began
    wiped = str(store.query("PRAGMA cipher_memory_security")[0][0])
    store.close()
    return {"open": opened, "send": sent, "bulk": bulk, "wiped": float(wiped == "1")}


def main() -> None:
    results: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    for _ in range(ROUNDS):
        for setting in ("on", "off"):
            with tempfile.TemporaryDirectory() as home:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", setting, home], capture_output=True, text=True, check=True
                ).stdout
            results[setting].append(json.loads(out.splitlines()[-1]))
    assert all(r["wiped"] == 1.0 for r in results["on"]) and all(r["wiped"] == 0.0 for r in results["off"])
    print(f"SQLCipher memory security, on vs off, each in its own process, median of {ROUNDS} alternated runs:")
    for key, what, unit, scale in (
        ("open", "open the store (key, migrations, checks)", "ms", 1000),
        ("send", "a question and its answer added, each committed (the window's send)", "ms", 1000),
        ("bulk", f"{CONVERSATIONS:,} conversations inserted in one transaction", "s", 1),
    ):
        on = statistics.median(r[key] for r in results["on"])
        off = statistics.median(r[key] for r in results["off"])
        print(f"  {what}: on {on * scale:.2f} {unit}, off {off * scale:.2f} {unit}, on/off {on / off:.1f}x")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
    else:
        main()
