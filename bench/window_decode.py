"""Decode speed in the window against the terminal, same model, same answer, one process (issue #15).

The window must not slow decoding by more than 3 %.  Alternated rounds of the same 2,048-token
answer (temperature 0, ignore end-of-stream) from a small model on one engine:

* window: the real MainWindow (offscreen), the question sent as a user sends it, the event loop
  running, every batch of text rendered as it streams;
* terminal: the same session's way as ``hearth chat`` (the events written to a stream), nothing
  else running.

The decode rate is the engine's own (``GenerationSummary.tokens_per_s``).
Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/window_decode.py [--tokens N] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--family", default="v3", help="v3: the answer streams as Markdown; r1-distill-qwen: as reasoning")
    parser.add_argument(
        "--size", choices=("toy", "small"), default="small",
        help="toy: ~2,000 tok/s (the window's worst case, noisy); small: a few hundred tok/s, like the issue's",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HEARTH_HOME"] = tmp
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        os.environ["HEARTH_PASSPHRASE"] = "bench"
        from app.ui.launch import share_the_cores

        share_the_cores()  # the window's process, as its launch sets it (the terminal half runs in it too)
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QApplication

        from app.core.chat.session import ChatSession
        from app.core.engine.base import SamplingParams
        from app.core.engine.worker import EngineWorker
        from app.core.models.catalog import Catalog
        from app.core.models.registry import Registry
        from app.core.store.database import Store
        from app.ui.chat_controller import ChatController
        from app.ui.launch import GarbageCollector
        from app.ui.main_window import MainWindow
        from tests.gguf_factory import family_spec, write_model

        _app = QApplication.instance() or QApplication([])
        from app.ui import theme

        theme.apply(_app, "light")  # the window as users see it: Hearth's style sheet and icons
        collector = GarbageCollector()
        store = Store(Path(tmp) / "data" / "conversations.db")
        registry, catalog = Registry(Path(tmp) / "models", shared_dir=None), Catalog(())
        session = ChatSession(EngineWorker(), store, registry, catalog)
        params = SamplingParams(temperature=0.0, max_tokens=args.tokens, seed=1, ignore_eos=True)
        session.params = params
        controller = ChatController(session)
        window = MainWindow(controller, registry, catalog)
        window.show()
        collector.busy = window.busy
        dims = (
            {}
            if args.size == "toy"
            else {"n_embd": 512, "n_head": 8, "n_head_kv": 4, "n_ff": 1536, "n_layer": 4, "extra_vocab": 16000}
        )
        model = write_model(Path(tmp) / "model.gguf", family_spec(args.family, quant="Q8_0", **dims))
        wait = QEventLoop()
        controller.model_changed.connect(wait.quit)
        controller.load(model)
        wait.exec()
        collector.freeze_startup()  # as the app does once its window is up
        finished = QEventLoop()
        ended: list[object] = []
        controller.answer_finished.connect(lambda end, _shown: (ended.append(end), finished.quit()))
        terminal = session.sibling(store)  # the CLI's way: a session and a stream, no event loop
        terminal.params = params
        sink = io.StringIO()

        ui_cpu: list[float] = []  # the UI thread's share of one core while the window streams

        def in_window() -> float:
            controller.new_conversation()
            window.composer.setPlainText("Write as much as you can.")
            cpu, wall = time.thread_time(), time.monotonic()
            window.send()
            finished.exec()
            ui_cpu.append((time.thread_time() - cpu) / (time.monotonic() - wall))
            return float(ended[-1].summary.tokens_per_s)  # type: ignore[attr-defined]

        def in_terminal() -> float:
            terminal.new_conversation()
            turn = terminal.ask("Write as much as you can.", lambda e: sink.write(getattr(e.event, "text", "")))
            return float(turn.future.result(timeout=600).summary.tokens_per_s)

        in_terminal()  # warm-up
        windows, terminals = [], []
        for round_ in range(args.rounds):  # pairs in turn T-W, W-T: a drift of the machine's speed cancels out
            first, second = (in_terminal, in_window) if round_ % 2 == 0 else (in_window, in_terminal)
            runs = {first: first(), second: second()}
            terminals.append(runs[in_terminal])
            windows.append(runs[in_window])
        ratios = [w / t for w, t in zip(windows, terminals, strict=True)]
        w, t = statistics.median(windows), statistics.median(terminals)
        print(f"{args.tokens} tokens ({args.family}, {args.size} model), {args.rounds} pairs, order alternated:")
        print(f"  terminal {', '.join(f'{r:.0f}' for r in terminals)} tok/s   median {t:.1f}")
        print(f"  window   {', '.join(f'{r:.0f}' for r in windows)} tok/s   median {w:.1f}")
        print(f"  pair ratios {', '.join(f'{r:.3f}' for r in ratios)}")
        print(f"  UI thread CPU while streaming: {statistics.median(ui_cpu) * 100:.1f} % of one core (median)")
        print(f"window / terminal: {statistics.median(ratios):.3f} median of pairs, {w / t:.3f} of medians   (target >= 0.97)")
        controller.shutdown()
        store.close()


if __name__ == "__main__":
    main()
