"""Local API benchmark (issue #16), side by side on one model.

1. Decode throughput of the same answer (greedy, ``ignore_eos``, 128 tokens) asked through the
   local API with the official ``openai`` client (streaming, in a process of its own, as an editor
   would be) vs asked of the chat session in-process; alternated, best of 5 each; prints the ratio.
2. Time to first byte of a streamed answer (the first SSE chunk with text) vs the session's
   time to first token, same prompt.
3. 20 concurrent requests (from another process) against the window's API (the app's own
   window, offscreen) while a 1 ms timer measures the UI thread: how many were answered, how many got 429, none lost, and
   the longest event-loop stall meanwhile.

The model has the layer shape of DeepSeek-R1-Distill-Qwen-1.5B with 3 layers (as
``bench/engine_overhead.py``), generated once into Hearth's cache dir.
Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/api_overhead.py``.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKENS = 128
ROUNDS = 5


def main() -> None:
    cache = Path(os.environ.get("HEARTH_HOME", "")) if os.environ.get("HEARTH_HOME") else None
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HEARTH_HOME"] = tmp
        os.environ["HEARTH_API_KEY"] = "bench-key"
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        os.environ.setdefault("HEARTH_PASSPHRASE", "bench")
        from PySide6.QtCore import QEventLoop, QTimer
        from PySide6.QtWidgets import QApplication

        from app.core.chat.session import ChatSession
        from app.core.engine.base import SamplingParams
        from app.core.engine.worker import EngineWorker
        from app.core.models.catalog import Catalog
        from app.core.models.registry import Registry
        from app.core.privacy.locks import save_user_settings
        from app.core.store.database import Store
        from app.ui.chat_controller import ChatController
        from app.ui.main_window import MainWindow
        from bench.engine_overhead import SPEC
        from bench.ui_stall import StallMeter
        from tests.gguf_factory import write_model

        del cache
        model = write_model(Path(tmp) / "bench-Q8_0.gguf", SPEC)
        registry, catalog = Registry(Path(tmp) / "models", shared_dir=None), Catalog(())
        store = Store(Path(tmp) / "data" / "conversations.db")
        _app = QApplication.instance() or QApplication([])
        session = ChatSession(EngineWorker(), store, registry, catalog)
        session.params = SamplingParams(temperature=0.0, max_tokens=TOKENS, seed=1, ignore_eos=True)
        controller = ChatController(session)
        window = MainWindow(controller, registry, catalog)
        window.show()
        session.load(model).result()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        save_user_settings({"api_enabled": True, "api_port": port, "temperature": 0.0, "max_tokens": TOKENS})
        window.apply_api()
        name = controller.model.key if controller.model else session.model.identity.key  # type: ignore[union-attr]
        local = session.sibling(None)
        messages = [{"role": "user", "content": "Write a long story about a heat pump."}]

        def through_api() -> tuple[float, float]:
            out = client_process("stream", port, name)
            return float(out[0]), float(out[1])

        def in_process() -> tuple[float, float]:
            from app.core.engine.base import Message

            ended = local.answer([Message("user", messages[0]["content"])], session.params).future.result()
            return ended.summary.tokens_per_s, ended.summary.ttft_s

        api_runs, local_runs = [], []
        for _ in range(ROUNDS):
            api_runs.append(through_api())
            local_runs.append(in_process())
        api_tps, local_tps = max(r[0] for r in api_runs), max(r[0] for r in local_runs)
        api_ttfb, local_ttft = min(r[1] for r in api_runs), min(r[1] for r in local_runs)
        print(f"decode, {TOKENS} tokens, best of {ROUNDS} alternating rounds:")
        print(f"  through the local API (openai client, streaming): {api_tps:7.1f} tok/s")
        print(f"  in-process chat session:                          {local_tps:7.1f} tok/s")
        print(f"  API / in-process: {api_tps / local_tps:.3f}")
        print(f"time to first byte with text: API {api_ttfb * 1000:.0f} ms, in-process first token {local_ttft * 1000:.0f} ms")

        meter = StallMeter()
        meter.start()
        done: list[list[str]] = []
        runner = threading.Thread(target=lambda: done.append(client_process("concurrent", port, name)))
        runner.start()
        wait = QEventLoop()
        poll = QTimer()
        poll.timeout.connect(lambda: wait.quit() if not runner.is_alive() else None)
        poll.start(20)
        wait.exec()
        stall = meter.stop()
        outcomes = done[0]
        answered, refused = outcomes.count("length") + outcomes.count("stop"), outcomes.count("429")
        lost = 20 - answered - refused
        print(f"20 concurrent requests: {answered} answered, {refused} refused with 429, {lost} lost ({sorted(set(outcomes))})")
        print(f"  longest UI-thread stall meanwhile: {stall:.1f} ms (target < 16 ms)")
        window.api.stop()
        session.shutdown()
        store.close()


def client_process(mode: str, port: int, model: str) -> list[str]:
    """Run the client side in another process (an editor is one): its output, one word a line."""
    import subprocess

    result = subprocess.run(
        [sys.executable, __file__, "--client", mode, str(port), model], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def client(mode: str, port: int, model: str) -> None:
    import openai

    api = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="bench-key", max_retries=0, timeout=600)
    messages = [{"role": "user", "content": "Write a long story about a heat pump."}]
    if mode == "stream":
        began = time.perf_counter()
        first, count = 0.0, 0
        stream = api.chat.completions.create(model=model, messages=messages, stream=True, temperature=0, max_tokens=TOKENS,  # type: ignore[arg-type]
                                             stream_options={"include_usage": True})  # fmt: skip
        for chunk in stream:
            if chunk.choices and (chunk.choices[0].delta.content or getattr(chunk.choices[0].delta, "reasoning_content", None)):
                first = first or time.perf_counter()
            if chunk.usage is not None:
                count = chunk.usage.completion_tokens
        print((count - 1) / (time.perf_counter() - first), first - began)
        return
    outcomes: list[str] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        try:
            answer = api.chat.completions.create(model=model, messages=[{"role": "user", "content": f"request {i}"}],
                                                 temperature=0, max_tokens=32)  # fmt: skip
            result = answer.choices[0].finish_reason or "none"
        except openai.RateLimitError:
            result = "429"
        except Exception as exc:  # counted as lost
            result = f"failed:{type(exc).__name__}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(" ".join(outcomes))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        client(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        main()
