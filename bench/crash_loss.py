"""How much of a streaming answer a kill -9 loses (issue #12: at most 0.5 s, worst case).

``hearth chat --json --ignore-eos`` streams an answer from a generated model (V3 template, so
every piece is answer text) into this process, which notes when each piece arrived; after a
random 1-3 s it kills the chat with SIGKILL, opens the store and finds the oldest piece that is not
in the stored answer.  The loss of a run is the time from that piece's arrival to the kill (0 when
everything printed was stored).  20 runs; prints each, then the max and mean.

Run: ``.venv/bin/python bench/crash_loss.py [RUNS]``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def one_run(model: Path, home: Path, rng: random.Random) -> tuple[float, int, int]:
    """(seconds lost, pieces printed, pieces stored) of one killed chat."""
    keyring_off = "keyring.backends.fail.Keyring"  # the store's key comes from the passphrase
    env = dict(os.environ, HEARTH_HOME=str(home), HEARTH_PASSPHRASE="bench", PYTHON_KEYRING_BACKEND=keyring_off)
    chat = subprocess.Popen(
        [sys.executable, "-m", "app", "chat", "--model", str(model), "--prompt", "Write a long story.", "--json",
         "--ignore-eos", "--max-tokens", "6000", "--ctx", "8192", "--temperature", "0.8"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    pieces: list[tuple[float, str]] = []

    def read() -> None:
        assert chat.stdout is not None
        for line in chat.stdout:
            event = json.loads(line)
            if event.get("type") == "content":
                pieces.append((time.monotonic(), event["text"]))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while not pieces:
        time.sleep(0.01)
    time.sleep(rng.uniform(1.0, 3.0))
    killed_at = time.monotonic()
    chat.send_signal(signal.SIGKILL)
    chat.wait()
    reader.join(5)
    os.environ.update(HEARTH_HOME=str(home), HEARTH_PASSPHRASE="bench")
    from app.core.store.database import Store, default_path

    store = Store(default_path())
    try:
        latest = store.query("SELECT content FROM messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1")[0][0]
    finally:
        store.close()
    stored, kept = 0, 0  # characters and pieces of the printed answer that the store holds
    for _at, text in pieces:
        if not latest.startswith(text, stored):
            break
        stored += len(text)
        kept += 1
    printed_before_kill = [p for p in pieces if p[0] <= killed_at]
    lost = killed_at - pieces[kept][0] if kept < len(printed_before_kill) else 0.0
    return max(lost, 0.0), len(printed_before_kill), kept


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    from tests.gguf_factory import TinySpec, write_model

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        model = write_model(Path(tmp) / "story-Q8_0.gguf", TinySpec(quant="Q8_0", seed=3, template="deepseek-v3", n_ctx=8192))
        losses = []
        for number in range(1, runs + 1):
            lost, printed, kept = one_run(model, Path(tmp) / f"home-{number}", rng)
            losses.append(lost)
            print(f"run {number:2}: {printed} pieces printed, {kept} stored, lost {lost:.3f} s")
        print(f"text lost on kill -9 over {runs} runs: max {max(losses):.3f} s, mean {statistics.mean(losses):.3f} s")


if __name__ == "__main__":
    main()
