"""A first chat window: open a GGUF, chat, stop.  (The full GUI is issue #5.)"""

from __future__ import annotations

from concurrent.futures import Future

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.engine import LoadedModel, Message
from app.core.events import ContentDelta, GenerationEvent, GenerationSummary, ReasoningDelta
from app.core.hardware import llama_backend
from app.core.worker import EngineWorker
from app.ui.bridge import EventBridge


class _Done(QObject):
    loaded = Signal(object)  # LoadedModel or Exception


class ChatWindow(QMainWindow):
    def __init__(self, worker: EngineWorker) -> None:
        super().__init__()
        self.worker = worker
        self.history: list[Message] = []
        self._reasoning: list[str] = []
        self._content: list[str] = []
        self.bridge = EventBridge()
        self.bridge.events.connect(self._on_events)
        self._done = _Done()
        self._done.loaded.connect(self._on_loaded)
        self.setWindowTitle("Hearth")
        self.resize(900, 700)

        self.transcript = QTextBrowser()
        self.transcript.setAccessibleName("Conversation")
        self.composer = QPlainTextEdit()
        self.composer.setPlaceholderText("Open a model, then type a message. Ctrl+Enter sends, Esc stops.")
        self.composer.setAccessibleName("Message")
        self.composer.setMaximumHeight(120)
        self.open_button = QPushButton("Open model…")
        self.send_button = QPushButton("Send")
        self.stop_button = QPushButton("Stop")
        self.send_button.setEnabled(False)
        self.stop_button.setEnabled(False)
        self.open_button.clicked.connect(self.choose_model)
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.worker.cancel)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.send)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.worker.cancel)

        buttons = QHBoxLayout()
        for b in (self.open_button, self.send_button, self.stop_button):
            buttons.addWidget(b)
        layout = QVBoxLayout()
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.composer)
        layout.addLayout(buttons)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"No model loaded. {backend_notice()}")

    def choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a GGUF model", "", "GGUF models (*.gguf)")
        if path:
            self.load_model(path)

    def load_model(self, path: str) -> Future[LoadedModel]:
        self.statusBar().showMessage(f"Loading {path}…")
        future = self.worker.load(path)
        future.add_done_callback(lambda f: self._done.loaded.emit(f.exception() or f.result()))
        return future

    def _on_loaded(self, result: object) -> None:
        if isinstance(result, Exception):
            QMessageBox.warning(self, "Hearth", str(result))
            self.statusBar().showMessage("No model loaded")
            return
        assert isinstance(result, LoadedModel)
        self.send_button.setEnabled(True)
        self.statusBar().showMessage(f"{result.info.name}: {result.plan.describe()}")

    def send(self) -> None:
        text = self.composer.toPlainText().strip()
        if not text or not self.send_button.isEnabled():
            return
        self.composer.clear()
        self.history.append(Message("user", text))
        self.transcript.append(f"<p><b>You:</b> {_escape(text)}</p><p><b>Hearth:</b> ")
        self._reasoning, self._content = [], []
        self.send_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.worker.chat(self.history, on_event=self.bridge.on_event)

    def _on_events(self, batch: list[GenerationEvent]) -> None:
        for event in batch:
            if isinstance(event, ReasoningDelta):
                self._reasoning.append(event.text)
            elif isinstance(event, ContentDelta):
                self._content.append(event.text)
                self.transcript.insertPlainText(event.text)
            elif isinstance(event, GenerationSummary):
                self.history.append(Message("assistant", "".join(self._content), "".join(self._reasoning)))
                self.send_button.setEnabled(True)
                self.stop_button.setEnabled(False)
                self.statusBar().showMessage(
                    f"{event.completion_tokens} tokens, {event.tokens_per_s:.1f} tok/s, stop: {event.stop_reason.value}"
                )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def backend_notice() -> str:
    """Said at start: which accelerator this build uses, and that the CPU is used when there is none."""
    backend = llama_backend()
    return f"Backend: {backend}." if backend != "CPU" else "Backend: CPU (this build has no GPU support, models run on the CPU)."
