"""Start the desktop app."""

from __future__ import annotations

import sys


def run_gui(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from app.core.worker import EngineWorker
    from app.ui.chat_window import ChatWindow

    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Hearth")
    worker = EngineWorker()
    window = ChatWindow(worker)
    window.show()
    try:
        code: int = app.exec()
    finally:
        worker.shutdown()  # cancels a running answer and closes the model
    return code
