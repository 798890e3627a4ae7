"""Conversation store benchmark (issue #4).

Builds two stores of 10,000 conversations / 1,000,000 messages with the same
schema and the same code: one encrypted (SQLCipher), one plain (the same
library without a key), then measures through the Store API:

* listing the first page of conversations (target < 50 ms),
* full-text search p50 / p95 over 200 queries (target p95 < 100 ms),
* inserts and streaming flushes per second, each committed on its own as the
  app does while an answer streams,

and prints encrypted / plain ratios (target: encryption overhead < 25 %).
The databases are built once into Hearth's cache dir (a few minutes).
Run: ``.venv/bin/python bench/store_bench.py``.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlcipher3 import dbapi2 as sqlcipher  # noqa: E402

from app.core import paths  # noqa: E402
from app.core.store.database import Store  # noqa: E402

CONVERSATIONS = 10_000
PER_CONVERSATION = 100
ROUNDS = 5
WORDS = [f"{a}{b}" for a in ("heat", "pump", "river", "stone", "cloud", "garden", "engine", "quartz", "maple", "signal")
         for b in ("", "s", "ing", "er", "ly", "ward", "ish", "ness", "ful", "less")] + [
    f"w{i}" for i in range(5000)]  # fmt: skip
PASSPHRASE = "benchmark passphrase"


class PlainStore(Store):
    """The same store without encryption: the baseline for the overhead."""

    def _connect(self) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self._configure(sqlcipher.connect(str(self.path), isolation_level=None, timeout=10))


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 70)))


def build(store: Store) -> None:
    store._delete_where("id > ?", (CONVERSATIONS,))  # left over by an interrupted measurement
    if store.count() == (CONVERSATIONS, CONVERSATIONS * PER_CONVERSATION):
        return
    print(
        f"building {store.path.name} ({CONVERSATIONS} conversations, {CONVERSATIONS * PER_CONVERSATION} messages)...", flush=True
    )
    rng = random.Random(1)
    db = store._db()
    now = time.time()
    next_id = 1
    for first in range(0, CONVERSATIONS, 500):
        db.execute("BEGIN")
        for cid in range(first + 1, first + 501):
            db.execute(
                "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (cid, sentence(rng)[:60], now - cid * 60, now - cid * 60),
            )
            rows = []
            for i in range(PER_CONVERSATION):
                role = "user" if i % 2 == 0 else "assistant"
                rows.append(
                    (next_id, cid, next_id - 1 if i else None, role, sentence(rng), now - cid * 60 + i, now - cid * 60 + i)
                )
                next_id += 1
            db.executemany(
                "INSERT INTO messages (id, conversation_id, parent_id, role, content, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.execute("UPDATE conversations SET active_leaf = ? WHERE id = ?", (next_id - 1, cid))
        db.execute("COMMIT")
    store.checkpoint()


def timed(fn: Any, *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def measure(store: Store, rng: random.Random) -> dict[str, float]:
    """One round of every measurement (the caller alternates the stores and keeps the best round)."""
    listing = [timed(store.list_conversations, 50) for _ in range(30)]
    queries = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 2))) for _ in range(200)]
    searches = [timed(store.search, q, 20) for q in queries]
    conv = store.create_conversation("bench")
    count = 300
    start = time.perf_counter()
    for i in range(count):
        store.add_message(conv, "user", f"streamed message {i} " + sentence(rng))
    inserts = count / (time.perf_counter() - start)
    message = store.add_message(conv, "assistant", "", status="partial")
    text = ""
    start = time.perf_counter()
    for _ in range(count):
        text += " token" * 10
        store.update_message(message, content=text)
    flushes = count / (time.perf_counter() - start)
    store.delete_conversation(conv)
    return {
        "list_ms": statistics.median(listing) * 1000,
        "search_p50_ms": statistics.median(searches) * 1000,
        "search_p95_ms": statistics.quantiles(searches, n=20)[18] * 1000,
        "inserts_per_s": inserts,
        "flushes_per_s": flushes,
    }


def best(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Noise on a shared machine only slows a round down: keep each figure's best round."""
    return {k: (max if k.endswith("_per_s") else min)(r[k] for r in rounds) for k in rounds[0]}


def main() -> None:
    os.environ.setdefault("HEARTH_PASSPHRASE", PASSPHRASE)
    folder = paths.user_dirs().cache / "bench" / "store"
    encrypted = Store(folder / "encrypted" / "conversations.db", passphrase=PASSPHRASE)
    plain = PlainStore(folder / "plain" / "conversations.db")
    for store in (encrypted, plain):
        build(store)
    rounds: dict[str, list[dict[str, float]]] = {"encrypted": [], "plain": []}
    for round_no in range(ROUNDS):
        for name, store in (("encrypted", encrypted), ("plain", plain)):
            rounds[name].append(measure(store, random.Random(round_no)))  # same queries and texts for both
    enc, pln = best(rounds["encrypted"]), best(rounds["plain"])
    print(f"best of {ROUNDS} alternating rounds")
    print(f"{'':28} {'encrypted':>10} {'plain':>10} {'enc/plain':>10}")
    for key, label in (
        ("list_ms", "list first page (ms)"),
        ("search_p50_ms", "search p50 (ms)"),
        ("search_p95_ms", "search p95 (ms)"),
    ):
        print(f"{label:28} {enc[key]:10.2f} {pln[key]:10.2f} {enc[key] / pln[key]:10.2f}")
    for key, label in (("inserts_per_s", "inserts committed / s"), ("flushes_per_s", "streaming flushes / s")):
        print(f"{label:28} {enc[key]:10.0f} {pln[key]:10.0f} {enc[key] / pln[key]:10.2f}")
    print("targets: list < 50 ms, search p95 < 100 ms, encryption overhead < 25 % (time ratio < 1.25, rate ratio > 0.8)")


if __name__ == "__main__":
    main()
