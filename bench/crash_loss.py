"""How much of a streaming answer a kill -9 loses (issue #12: at most 0.5 s, worst case).

``hearth chat --json --ignore-eos`` streams an answer from a generated model (V3 template, so
every piece is answer text) into this process, which notes when each piece arrived; after a
random 1-3 s it kills the chat with SIGKILL, opens the store and finds the oldest piece that is not
in the stored answer.  The loss of a run is the time from that piece's arrival to the kill (0 when
everything printed was stored).  Then the same with the window (offscreen) while its UI thread is
kept busy (blocked 300 ms of every 400 ms): the pieces are printed from the engine's thread as the
session hands them to the window.  RUNS of each; prints each, then the max and mean.

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


def cli_command(model: Path) -> list[str]:
    return [sys.executable, "-m", "app", "chat", "--model", str(model), "--prompt", "Write a long story.", "--json",
            "--ignore-eos", "--max-tokens", "6000", "--ctx", "8192", "--temperature", "0.8"]  # fmt: skip


def window_command(model: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--window-child", str(model)]


def window_child(model: str) -> None:
    """The window streams a long answer while its UI thread is blocked most of the time."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.chat.session import ChatSession
    from app.core.engine.base import SamplingParams
    from app.core.engine.events import ContentDelta
    from app.core.engine.worker import EngineWorker
    from app.core.models.catalog import Catalog
    from app.core.models.registry import Registry
    from app.core.store.database import Store, default_path
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    registry = Registry()
    session = ChatSession(EngineWorker(), Store(default_path()), registry, Catalog(()))
    session.params = SamplingParams(temperature=0.8, max_tokens=6000, seed=1, ignore_eos=True)
    controller = ChatController(session)
    window = MainWindow(controller, registry, Catalog(()))
    loaded = QEventLoop()
    controller.model_changed.connect(loaded.quit)
    controller.load(Path(model))
    loaded.exec()
    shown = controller.bridge.on_event

    def tap(event: object) -> None:  # on the engine's thread, after the session recorded the piece
        inner = getattr(event, "event", None)
        if isinstance(inner, ContentDelta):
            print(json.dumps({"type": "content", "text": inner.text}), flush=True)
        shown(event)  # type: ignore[arg-type]

    controller.bridge.on_event = tap  # type: ignore[method-assign]
    busy = QTimer()
    busy.timeout.connect(lambda: time.sleep(0.3))  # the UI thread is blocked 300 ms of every 400 ms
    busy.start(100)
    window.composer.setPlainText("Write a long story.")
    window.send()
    app.exec()


def one_run(command: list[str], home: Path, rng: random.Random) -> tuple[float, int, int]:
    """(seconds lost, pieces printed, pieces stored) of one killed chat."""
    keyring_off = "keyring.backends.fail.Keyring"  # the store's key comes from the passphrase
    env = dict(os.environ, HEARTH_HOME=str(home), HEARTH_PASSPHRASE="bench", PYTHON_KEYRING_BACKEND=keyring_off)
    chat = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
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
        for label, command in (("hearth chat", cli_command(model)), ("window, UI thread busy", window_command(model))):
            losses = []
            for number in range(1, runs + 1):
                lost, printed, kept = one_run(command, Path(tmp) / f"home-{label[:4]}-{number}", rng)
                losses.append(lost)
                print(f"{label}, run {number:2}: {printed} pieces printed, {kept} stored, lost {lost:.3f} s")
            summary = f"max {max(losses):.3f} s, mean {statistics.mean(losses):.3f} s"
            print(f"{label}: text lost on kill -9 over {runs} runs: {summary}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--window-child"]:
        window_child(sys.argv[2])
    else:
        main()
