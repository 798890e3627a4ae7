"""KV snapshots: the first token of a follow-up after switching conversations (issue #15).

A 2,000-token conversation on the engine-overhead bench model (R1-Distill-Qwen-1.5B layer shape,
3 layers, Q8_0).  Side by side, in one run, the time to first token of the same follow-up:

* staying in the conversation (the KV cache holds it): the baseline;
* after answering in another conversation and coming back (memory snapshot);
* after an app restart (a new engine, the snapshot read from its sealed file);
* with no snapshot at all (what every switch cost before): the history read again.

Targets: switch-back <= 1.2x, restart <= 1.5x of the baseline.
Run: ``.venv/bin/python bench/kv_switch.py``.
"""

from __future__ import annotations

import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.engine.base import Message, SamplingParams, collect  # noqa: E402
from app.core.engine.llama import Engine, LoadOptions  # noqa: E402
from bench.engine_overhead import model_path  # noqa: E402

PARAMS = SamplingParams(temperature=0.0, max_tokens=4, ignore_eos=True, thinking="on")
ROUNDS = 5
OPTIONS = LoadOptions(n_ctx=4096, n_threads=2)


def conversation(engine: Engine) -> list[Message]:
    """Notes that make a first turn of just over 2,000 tokens (the test tokenizer is byte-level)."""
    facts = 60
    while True:
        text = " ".join(f"fact {i} about the harbour." for i in range(facts))
        history = [Message("user", "Here are my notes: " + text), Message("assistant", "Noted.")]
        if len(engine.fit([*history, Message("user", "?")], 64).tokens) >= 2000:
            return history
        facts += 5


def ttft(engine: Engine, history: list[Message], question: str, key: str) -> float:
    _, _, summary = collect(engine.chat([*history, Message("user", question)], PARAMS, cache_key=key))
    return summary.ttft_s


def main() -> None:
    path = str(model_path())
    secret = secrets.token_bytes(32)
    engine = Engine()
    engine.snapshots.configure(1 << 30, secret)
    engine.load(path, OPTIONS)
    for key in ("bench", "other"):  # files of an earlier run, sealed with another run's key
        engine.snapshots.forget(key)
    history = conversation(engine)
    other = [Message("user", "Something else: " + "ships and sails " * 300)]
    tokens = len(engine.fit([*history, Message("user", "?")], 64).tokens)
    stay, back, restart, cold = [], [], [], []
    for i in range(ROUNDS):
        # Each follow-up starts with its own word, so each evaluates the whole question (and no
        # more: the earlier follow-up's tokens are not a prefix of it).
        ttft(engine, history, f"Warm-up {i}", "bench")  # the conversation is in the cache
        stay.append(ttft(engine, history, f"Staying: what is fact {i}?", "bench"))
        ttft(engine, other, "Go on.", "other")  # another conversation takes the cache
        back.append(ttft(engine, history, f"Returning: what is fact {i}?", "bench"))
        engine.close()  # quit: the snapshot is sealed to disk
        started = time.perf_counter()
        engine = Engine()
        engine.snapshots.configure(1 << 30, secret)
        engine.load(path, OPTIONS)
        load_s = time.perf_counter() - started
        restart.append(ttft(engine, history, f"Restarted: what is fact {i}?", "bench"))
        engine.snapshots.configure(0, None)  # no snapshots: what a switch cost before
        ttft(engine, other, "Go on.", "other")
        cold.append(ttft(engine, history, f"Forgotten: what is fact {i}?", "bench"))
        engine.snapshots.configure(1 << 30, secret)
    base = statistics.median(stay)
    print(f"conversation of {tokens} tokens, follow-up time to first token (median of {ROUNDS}):")
    print(f"  staying in it          {base * 1000:7.0f} ms  1.00x")
    back_s = statistics.median(back)
    print(f"  switched away and back {back_s * 1000:7.0f} ms  {back_s / base:.2f}x  (target <= 1.2x)")
    print(f"  after a restart (disk) {statistics.median(restart) * 1000:7.0f} ms  {statistics.median(restart) / base:.2f}x  "
          f"(target <= 1.5x; the model load, {load_s:.2f} s, not counted)")  # fmt: skip
    print(f"  no snapshot (before)   {statistics.median(cold) * 1000:7.0f} ms  {statistics.median(cold) / base:.2f}x")
    engine.close()


if __name__ == "__main__":
    main()
