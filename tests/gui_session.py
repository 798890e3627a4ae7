"""A whole window session in a process of its own, for the OS-level egress test (run under strace):
start, load a model, chat, switch quantization, chat again, search, export, open and save the
settings, quit.  ``python -m tests.gui_session MODEL_Q8 MODEL_Q4 EXPORT_PATH`` (offscreen);
prints ``session done`` at the end."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(q8: str, q4: str, export_to: str) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.chat.session import ChatSession
    from app.core.engine.base import SamplingParams
    from app.core.engine.worker import EngineWorker
    from app.core.models.catalog import load_catalog
    from app.core.models.ops import import_model
    from app.core.models.registry import Registry
    from app.core.store.database import Store, default_path
    from app.core.store.export import export_text, write_export
    from app.main import start_private
    from app.ui.chat_controller import ChatController
    from app.ui.main_window import MainWindow

    start_private()
    app = QApplication.instance() or QApplication([])
    registry, catalog = Registry(), load_catalog()
    for path in (q8, q4):
        import_model(Path(path), registry, catalog)
    store = Store(default_path())
    session = ChatSession(EngineWorker(), store, registry, catalog)
    session.params = SamplingParams(temperature=0.0, max_tokens=4, seed=1, ignore_eos=True)
    controller = ChatController(session)
    window = MainWindow(controller, registry, catalog)
    window.show()

    def wait(signal: object) -> None:
        loop = QEventLoop()
        signal.connect(lambda *_: loop.quit())  # type: ignore[attr-defined]
        QTimer.singleShot(60_000, loop.quit)
        loop.exec()

    first, second = sorted(window.installed, key=lambda i: i.quant != "Q8_0")[:2]
    window.switch_to(first)
    wait(controller.model_changed)
    for text in ("hello there", "and again"):
        window.composer.setPlainText(text)
        window.send()
        wait(controller.answer_finished)
        if text == "hello there":
            window.switch_to(second)
            wait(controller.model_changed)
    window.sidebar.search.setText("hello")
    app.processEvents()
    assert controller.conversation_id is not None
    write_export(Path(export_to), export_text(store, controller.conversation_id, "json"))
    dialog = window.open_settings()
    dialog.save()  # the Settings dialog's Save
    app.processEvents()
    window.close()
    store.close()
    print("session done", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
