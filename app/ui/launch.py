"""Start the desktop app."""

from __future__ import annotations

import sys


def run_gui(argv: list[str] | None = None, smoke_test: bool = False) -> int:
    """Open the main window; ``smoke_test`` closes it once it has been shown (installer checks)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.worker import EngineWorker
    from app.ui.chat_window import ChatWindow

    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Hearth")
    worker = EngineWorker()
    window = ChatWindow(worker)
    window.show()
    if smoke_test:
        QTimer.singleShot(300, lambda: (print(f"window shown: {window.windowTitle()}", flush=True), app.quit()))
    try:
        code: int = app.exec()
    finally:
        worker.shutdown()  # cancels a running answer and closes the model
    return code
