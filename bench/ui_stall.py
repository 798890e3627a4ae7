"""UI responsiveness (issue #5): the longest event-loop stall while an answer streams at the
engine's full speed, while a 2,000-message conversation is opened and answered, while the model manager
downloads (and hashes) a 512 MiB model and then verifies it, and the time from launch to an
interactive window (no model loaded).

A 1 ms QTimer ticks on the UI thread; the longest gap between ticks is the longest stall
(target < 16 ms, one frame).  Offscreen Qt, real engine on a generated model, real encrypted
store.  Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_stall.py``; with ``--pauses``,
each scenario also says its longest stall less the pauses of the CPU the UI thread was on
(``bench/machine_pauses.py``: on this project's VMs a CPU stops for 20-60 ms at times under load,
and no code of the window's runs then).  The headline figures stay the raw ones.
"""

from __future__ import annotations

import compileall
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.machine_pauses import PauseProbe

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
DOWNLOAD_BYTES = 512 << 20


class StallMeter:
    def __init__(self, pauses: PauseProbe | None = None) -> None:
        from PySide6.QtCore import QTimer

        self.pauses = pauses
        self.gaps: list[float] = []
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.when.append(now)
        self.last = now

    def start(self) -> None:
        self.gaps, self.when, self.last = [], [], time.perf_counter()
        self.began = self.last
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        if self.gaps and os.environ.get("STALL_DEBUG"):
            worst = sorted(range(len(self.gaps)), key=self.gaps.__getitem__)[-5:]
            print(
                "worst gaps (ms at s since start):",
                [(round(self.gaps[i] * 1000, 1), round(self.when[i] - self.began, 3)) for i in worst],
            )
        if self.gaps:
            ordered = sorted(self.gaps)
            p99 = ordered[int(len(ordered) * 0.99)] * 1000
            over = sum(gap > 0.016 for gap in self.gaps)
            print(f"  {len(self.gaps)} event-loop turns: 99th percentile {p99:.1f} ms, {over} longer than 16 ms")
            if self.pauses is not None:
                self._print_own_stalls()
        return max(self.gaps, default=0.0) * 1000

    def _print_own_stalls(self) -> None:
        """Each stall less the machine's pauses inside it (``bench/machine_pauses.py``)."""
        from bench.machine_pauses import paused_seconds

        assert self.pauses is not None
        pauses = self.pauses.pauses()  # read once for the whole scenario
        machine = [
            paused_seconds(pauses, end - gap, end) if gap > 0.010 else 0.0 for gap, end in zip(self.gaps, self.when, strict=True)
        ]
        own = max(gap - paused for gap, paused in zip(self.gaps, machine, strict=True))
        held = [f"{gap * 1000:.1f} ms: {paused * 1000:.1f}" for gap, paused in zip(self.gaps, machine, strict=True)
                if gap > 0.016 and paused > 0.005]  # fmt: skip
        probe = "real-time" if self.pauses.real_time else "normal-priority"
        print(
            f"  less the machine's pauses ({probe} probe): longest stall {own * 1000:.1f} ms;"
            f" {len(held)} of the stalls over 16 ms held a pause of the machine's over 5 ms"
            + (f" ({', '.join(held)})" if held else "")
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HEARTH_HOME"] = tmp
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        os.environ["HEARTH_PASSPHRASE"] = "bench"
        # The installers ship compiled bytecode (PyInstaller bundles it), so Hearth's own modules are
        # compiled once first: where PYTHONDONTWRITEBYTECODE is set (this machine), every launch
        # from the checkout compiled ~110 of them again (~150 ms), a cost no installed app pays.
        compileall.compile_dir(ROOT / "app", quiet=1)
        for keys in ("keyring", "passphrase"):
            print(f"launch to interactive window (no model, store key from a {keys}), whole process: "
                  f"{launch_seconds(keys):.2f} s   (target < 1.5 s)")  # fmt: skip

        from app.ui.launch import share_the_cores

        share_the_cores()  # as the window's launch does, before llama.cpp loads
        from PySide6.QtCore import QEventLoop, QTimer
        from PySide6.QtWidgets import QApplication

        from app.core.chat.session import ChatSession
        from app.core.engine.base import SamplingParams
        from app.core.engine.worker import EngineWorker
        from app.core.models.catalog import Catalog
        from app.core.models.registry import Registry
        from app.core.store.database import Store
        from app.core.store.upkeep import warm_store
        from app.ui.chat_controller import ChatController
        from app.ui.code_blocks import warm_lexers
        from app.ui.launch import GarbageCollector
        from app.ui.main_window import MainWindow
        from app.ui.message_view import warm_message_widgets
        from app.ui.script_warmup import warm_steps
        from tests.gguf_factory import family_spec, write_model

        _app = QApplication.instance() or QApplication([])  # kept referenced for the whole run
        from app.ui import theme

        theme.apply(_app, "light")  # the window as users see it: Hearth's style sheet and icons
        collector = GarbageCollector()  # as the app runs it (a full collection stalls ~30 ms)
        store = Store(Path(tmp) / "data" / "conversations.db")
        registry, catalog = Registry(Path(tmp) / "models", shared_dir=None), Catalog(())
        session = ChatSession(EngineWorker(), store, registry, catalog)
        # --ignore-eos: each answer streams its whole budget, whatever the random weights would say
        session.params = SamplingParams(temperature=0.0, max_tokens=3000, seed=1, ignore_eos=True)
        controller = ChatController(session)
        window = MainWindow(controller, registry, catalog)
        window.show()
        collector.busy = window.busy
        collector.freeze_startup()
        warm_lexers().join()  # as the app does a second after start-up
        warm_message_widgets()  # as the app does on an idle turn after start-up
        warm_store(store)  # and the first question's writes (rolled back)
        for _script in warm_steps():  # and, one per idle turn, each writing system's fonts
            pass
        pauses = None
        if "--pauses" in sys.argv:  # probes tell the machine's own pauses from the window's stalls
            from bench.machine_pauses import PauseProbe

            pauses = PauseProbe(Path(tmp))
        meter = StallMeter(pauses)
        finished = QEventLoop()
        controller.answer_finished.connect(finished.quit)
        # R1's template opens a <think> block, so that model's whole answer streams into the reasoning
        # section; V3's does not, so its answer streams as Markdown content.  Both paths are measured.
        for family, where in (("r1-distill-qwen", "reasoning"), ("v3", "answer")):
            model = write_model(Path(tmp) / f"{family}.gguf", family_spec(family, quant="Q8_0"))
            # Waiting uses a QEventLoop: calling processEvents() in a loop crashes PySide6 6.12.0
            # (a reference-count bug: "deallocating True or False" after some thousands of calls).
            wait = QEventLoop()
            controller.model_changed.connect(wait.quit)
            controller.load(model)
            wait.exec()
            controller.model_changed.disconnect(wait.quit)
            controller.new_conversation()
            meter.start()
            window.composer.setPlainText("stream as fast as you can")
            QTimer.singleShot(0, window.send)  # inside the event loop, as a click's handler runs
            finished.exec()
            stall = meter.stop()
            summary = controller.active_thread()[-1]
            print(
                f"streaming {summary.completion_tokens} tokens ({where}) at full speed: longest stall {stall:.1f} ms"
                "   (target < 16 ms)"
            )

        conv = store.create_conversation("long")
        with store.transaction() as db:
            parent = None
            for i in range(2000):
                role = "user" if i % 2 == 0 else "assistant"
                parent = db.execute(
                    "INSERT INTO messages (conversation_id, parent_id, role, content, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, 0, 0)",
                    (conv, parent, role, f"Message {i} with **some** Markdown, a list:\n\n- one\n- two\n\n`code` and text."),
                ).lastrowid
            db.execute("UPDATE conversations SET active_leaf = ? WHERE id = ?", (parent, conv))
        timing: list[float] = []

        def click_open() -> None:  # inside the event loop, as a click in the sidebar runs
            began = time.perf_counter()
            controller.open_conversation(conv)
            timing.append(time.perf_counter() - began)

        meter.start()
        QTimer.singleShot(0, click_open)
        settle = QEventLoop()
        QTimer.singleShot(200, settle.quit)
        settle.exec()
        opened = timing[0]
        stall = meter.stop()
        worst = max(stall, opened * 1000)
        print(f"opening a 2,000-message conversation: {opened:.2f} s, longest stall {worst:.1f} ms   (target < 16 ms)")
        controller.params = SamplingParams(temperature=0.0, max_tokens=1000, seed=1, ignore_eos=True)
        meter.start()
        window.composer.setPlainText("and one more question at the end of a long conversation")
        QTimer.singleShot(0, window.send)
        finished.exec()
        stall = meter.stop()
        print(f"streaming 1000 tokens into the open 2,000-message conversation: longest stall {stall:.1f} ms   (target < 16 ms)")
        stream_code(window, meter)
        download_and_verify(window, meter, Path(tmp))
        open_with_many_conversations(store, controller, registry, catalog, meter)
        controller.shutdown()
        store.close()
        if pauses is not None:
            pauses.close()


def launch_seconds(keys: str) -> float:
    """From before the process starts to the event loop's first turn with the window shown (the
    smoke test prints that moment's clock time).  With the key in the OS keyring, as on a desktop
    (a test keyring in a file here), or from a passphrase (``HEARTH_PASSPHRASE``, where no keyring
    exists), which costs SQLCipher's key derivation (PBKDF2, 256,000 rounds) at every start."""
    env = dict(os.environ)
    if keys == "keyring":
        env.pop("HEARTH_PASSPHRASE", None)
        env["PYTHON_KEYRING_BACKEND"] = "tests.fake_keyring.FileKeyring"
        env["HEARTH_HOME"] = str(Path(env["HEARTH_HOME"]) / "keyring-home")
    command = [sys.executable, "-m", "app", "gui", "--smoke-test"]
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)  # creates the store and its key
    began = time.time()
    shown = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    line = next(line for line in shown.stdout.splitlines() if line.startswith("interactive at "))
    return float(line.removeprefix("interactive at ")) - began


def open_with_many_conversations(store: Any, controller: Any, registry: Any, catalog: Any, meter: StallMeter) -> None:
    """A window built on a store of 10,000 conversations: the sidebar reads its first page only."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.ui.main_window import MainWindow

    now = time.time()
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO conversations (title, settings, created_at, updated_at) VALUES (?, '{}', ?, ?)",
            [(f"conversation {i}", now - i * 600, now - i * 600) for i in range(10_000)],
        )
    began = time.perf_counter()
    window = MainWindow(controller, registry, catalog)
    window.show()
    built = time.perf_counter() - began  # before the window is on screen: part of launch, not a stall of it
    meter.start()
    settle = QEventLoop()
    QTimer.singleShot(300, settle.quit)
    settle.exec()
    stall = meter.stop()
    rows = len(window.sidebar.rows())
    print(
        f"window on 10,000 conversations: built in {built * 1000:.0f} ms ({rows} listed at first; part of launch),"
        f" longest stall once shown {stall:.1f} ms   (target < 16 ms)"
    )
    window.hide()  # not close(): that would shut the shared controller down


def stream_code(window: object, meter: StallMeter) -> None:
    """A 400-line Python answer arriving at ~2,300 tokens/s (280 characters per 30 ms batch, as the
    bridge delivers them), rendered and highlighted by the chat view; the random test models never
    write code, so the text is fed to the view directly."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.core.store.database import StoredMessage

    lines = [f"    result_{i} = compute(values[{i}], factor={i} * 2)  # step {i}" for i in range(400)]
    text = "Here is the code:\n\n```python\ndef main():\n" + "\n".join(lines) + "\n```\n\nDone."
    view = window.view  # type: ignore[attr-defined]
    view.append_messages(
        [StoredMessage(id=-1, conversation_id=0, parent_id=None, role="assistant", content="", reasoning="",
                       status="partial", created_at=0, updated_at=0)],
        lambda message_id: [message_id],
    )  # fmt: skip
    done = QEventLoop()
    sent = [0]

    def batch() -> None:
        if sent[0] >= len(text):
            timer.stop()
            view.finish("complete")
            QTimer.singleShot(100, done.quit)
            return
        view.append("content", text[sent[0] : sent[0] + 280])
        sent[0] += 280
        view.refresh_streaming()

    timer = QTimer()
    timer.timeout.connect(batch)
    meter.start()
    timer.start(30)
    done.exec()
    stall = meter.stop()
    print(f"streaming a 400-line Python code block (highlighted): longest stall {stall:.1f} ms   (target < 16 ms)")


def pad_to_size(model: Path) -> Path:
    """A real GGUF header and tensors, then zeros written up to the benchmark's size, out of the
    page cache, as a model file on a disk is.

    Written, not ``truncate()``-d: a file with a hole made every ``read()`` of it (the import's,
    the Hub server's hashing) zero-fill fresh page-cache memory in the kernel, 15-30 ms in one
    go on one CPU (seen with ``perf``: ``zero_user_segments`` under ``filemap_read``), which no
    model file that holds its data costs."""
    zeros = memoryview(bytes(8 << 20))
    with model.open("ab") as out:
        while out.tell() < DOWNLOAD_BYTES:
            out.write(zeros[: DOWNLOAD_BYTES - out.tell()])  # a view: no copy per write
        out.flush()
        os.fsync(out.fileno())
        if hasattr(os, "posix_fadvise"):  # read from the disk again, as a model not opened lately
            os.posix_fadvise(out.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    return model


def download_and_verify(window: object, meter: StallMeter, tmp: Path) -> None:
    """The model manager fetches a 512 MiB model from a loopback Hub server (its own process,
    as a real mirror), hashing as it writes, then verifies it (sha256 of the whole file)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.core.models.catalog import Catalog, validate
    from tests.gguf_factory import TinySpec, write_model
    from tests.hub_fixtures import tiny_catalog_data

    # The fixtures import pytest (~22,000 objects): the bench's, not the app's, and young until the
    # window's next garbage-collection tick walks them (~30 ms), inside whichever scenario it falls.
    gc.freeze()

    serve = tmp / "serve"
    serve.mkdir()
    pad_to_size(write_model(serve / "tiny-Q8_0.gguf", TinySpec(quant="Q8_0")))
    data = tiny_catalog_data({"tiny-Q8_0.gguf": b""}, repo="local/models")
    data["models"][0]["quants"][0]["approx_bytes"] = DOWNLOAD_BYTES
    server = subprocess.Popen([sys.executable, "-m", "tests.hub_server", str(serve)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    os.environ["HF_ENDPOINT"] = server.stdout.readline().strip()
    try:
        window.catalog = Catalog(tuple(validate(data, "bench")))  # type: ignore[attr-defined]
        prepared = QEventLoop()
        poll = QTimer()
        poll.timeout.connect(lambda: prepared.quit() if window.manager is not None else None)  # type: ignore[attr-defined]
        window.prepare_models()  # type: ignore[attr-defined]  # as the app does 3 s after start-up
        poll.start(10)
        prepared.exec()
        poll.stop()
        meter.start()
        QTimer.singleShot(0, window.open_models)  # type: ignore[attr-defined]  # a click on Models
        settle = QEventLoop()
        QTimer.singleShot(300, settle.quit)
        settle.exec()
        stall = meter.stop()
        print(f"opening the Models window (built ahead after start-up): longest stall {stall:.1f} ms   (target < 16 ms)")
        manager = window.manager  # type: ignore[attr-defined]
        manager.catalog = window.catalog  # type: ignore[attr-defined]
        done = QEventLoop()
        manager.installed_changed.connect(done.quit)  # the download's end reached the window
        meter.start()
        began = time.perf_counter()
        manager.start_download("test-tiny", "Q8_0")
        done.exec()
        took = time.perf_counter() - began
        stall = meter.stop()
        mib = DOWNLOAD_BYTES >> 20
        print(f"downloading {mib} MiB (hashing while writing) in {took:.2f} s: longest stall {stall:.1f} ms   (target < 16 ms)")
        manager.installed_changed.disconnect(done.quit)
        manager.installed_list.setCurrentRow(0)
        checked = QEventLoop()
        shown = manager._verified
        manager._verified = lambda key, result: (shown(key, result), checked.quit(), print(f"  {manager.status.text()}"))
        meter.start()
        began = time.perf_counter()
        manager.verify_selected()
        checked.exec()
        took = time.perf_counter() - began
        stall = meter.stop()
        print(f"verifying {mib} MiB (sha256 on a worker) in {took:.2f} s: longest stall {stall:.1f} ms   (target < 16 ms)")
        source = pad_to_size(write_model(tmp / "to-import" / "imported-Q8_0.gguf", TinySpec(quant="Q8_0", seed=3)))
        imported = QEventLoop()
        manager.installed_changed.connect(imported.quit)
        meter.start()
        began = time.perf_counter()
        manager.import_file(source)
        imported.exec()
        took = time.perf_counter() - began
        stall = meter.stop()
        print(f"importing {mib} MiB (copied and hashed on a worker) in {took:.2f} s: longest stall {stall:.1f} ms"
              "   (target < 16 ms)")  # fmt: skip
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
