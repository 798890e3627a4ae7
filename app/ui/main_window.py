"""The main window: sidebar, conversation, composer, model and quant picker, status.

A thin client of :class:`ChatController` and the core: the window only turns
clicks into controller calls and controller signals into widget updates.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.core import hardware, settings
from app.core.catalog import Catalog
from app.core.engine import LoadedModel
from app.core.events import GenerationSummary
from app.core.fit import estimate_file, judge
from app.core.model_info import inspect_model
from app.core.model_ops import plan_switch
from app.core.policy import load as load_policy
from app.core.registry import Installed, Registry
from app.core.store import Store
from app.ui.chat_controller import ChatController
from app.ui.message_view import ChatView
from app.ui.model_manager import ModelManager
from app.ui.settings_dialog import SettingsDialog
from app.ui.sidebar import Sidebar
from app.ui.welcome import Welcome


class Composer(QPlainTextEdit):
    """Enter sends, Shift+Enter starts a new line."""

    def __init__(self, send: object) -> None:
        super().__init__()
        self._send = send
        self.setPlaceholderText("Message (Enter sends, Shift+Enter for a new line, Esc stops)")
        self.setAccessibleName("Message")
        self.setMaximumHeight(140)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._send()  # type: ignore[operator]
            return
        super().keyPressEvent(event)


class MainWindow(QMainWindow):
    def __init__(self, controller: ChatController, registry: Registry, catalog: Catalog) -> None:
        super().__init__()
        self.controller, self.registry, self.catalog = controller, registry, catalog
        self.manager: ModelManager | None = None
        self.setWindowTitle("Hearth")
        self.resize(1100, 760)
        self.sidebar = Sidebar(controller.store)
        self.view = ChatView()
        self.composer = Composer(self.send)
        self.send_button = QPushButton("Send")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.context_label = QLabel()
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(controller.stop)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, controller.stop)
        QShortcut(QKeySequence("Ctrl+N"), self, controller.new_conversation)
        QShortcut(QKeySequence("Ctrl+F"), self, self.sidebar.search.setFocus)

        self.model_box = QComboBox()
        self.model_box.setAccessibleName("Model")
        self.quant_box = QComboBox()
        self.quant_box.setAccessibleName("Quantization")
        self.fit_badge = QLabel()
        self.fit_badge.setAccessibleName("Fit on this machine")
        toolbar = QToolBar("Model")
        toolbar.addWidget(QLabel("Model "))
        toolbar.addWidget(self.model_box)
        toolbar.addWidget(self.quant_box)
        toolbar.addWidget(self.fit_badge)
        toolbar.addSeparator()
        self.models_action = toolbar.addAction("Models…", self.open_models)
        self.models_action.setShortcut(QKeySequence("Ctrl+M"))
        self.settings_action = toolbar.addAction("Settings…", self.open_settings)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.addToolBar(toolbar)
        self.model_box.currentIndexChanged.connect(self._fill_quants)
        self.quant_box.activated.connect(self._quant_chosen)

        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.view, 1)
        column.addWidget(self.composer)
        row = QHBoxLayout()
        row.addWidget(self.context_label)
        row.addStretch(1)
        row.addWidget(self.stop_button)
        row.addWidget(self.send_button)
        column.addLayout(row)
        splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setSizes([260, 840])
        self.setCentralWidget(splitter)

        self.sidebar.open_requested.connect(controller.open_conversation)
        self.sidebar.new_requested.connect(controller.new_conversation)
        self.view.regenerate_requested.connect(self._regenerate)
        self.view.edit_requested.connect(self._edit)
        self.view.branch_requested.connect(controller.select_branch)
        controller.thread_changed.connect(self.render_thread)
        controller.appended.connect(lambda messages: self.view.append_messages(messages, self._siblings_of))
        controller.answer_started.connect(lambda _id: self._busy(True))
        controller.delta.connect(self.view.append)
        controller.bridge.events.connect(lambda _batch: self.view.refresh_streaming())
        controller.answer_finished.connect(self._finished)
        controller.model_changed.connect(self._model_loaded)
        controller.failed.connect(lambda text: QMessageBox.warning(self, "Hearth", text))
        controller.conversations_changed.connect(self.sidebar.refresh)
        self.statusBar().showMessage(f"No model loaded. {backend_notice()}")
        self.fill_models()

    # -- model and quantization ------------------------------------------------
    def fill_models(self) -> None:
        self.installed = self.registry.all(self.catalog)
        self.model_box.blockSignals(True)
        self.model_box.clear()
        for model_id in dict.fromkeys(i.model_id for i in self.installed):
            name = next(i.name for i in self.installed if i.model_id == model_id) or model_id
            self.model_box.addItem(name, model_id)
        self.model_box.blockSignals(False)
        self._fill_quants()

    def _family(self) -> list[Installed]:
        model_id = self.model_box.currentData()
        return [i for i in self.installed if i.model_id == model_id]

    def _fill_quants(self) -> None:
        self.quant_box.clear()
        hw = hardware.detect()
        for item in sorted(self._family(), key=lambda i: i.size_bytes):
            info = inspect_model(item.path)
            fit = judge(estimate_file(info, self.controller.options.n_ctx), info.n_layers, hw)
            self.quant_box.addItem(f"{item.quant} · {fit.label}", item.key)

    def _selected(self) -> Installed | None:
        key = self.quant_box.currentData()
        return next((i for i in self.installed if i.key == key), None)

    def _quant_chosen(self) -> None:
        target = self._selected()
        if target is None or (self.controller.model is not None and target.key == self.controller.model.key):
            return
        self.switch_to(target)

    def switch_to(self, target: Installed) -> None:
        """Load another model or quantization; the conversation stays and continues on it."""
        if self.controller.busy:
            QMessageBox.information(self, "Hearth", "Stop the answer first, then switch.")
            return
        plan = plan_switch(self.controller.model, target, hardware.detect(), self.controller.options.n_ctx)
        if plan.warnings:
            self.statusBar().showMessage(" ".join(plan.warnings))
        self.fit_badge.setText(plan.fit.label)
        self.statusBar().showMessage(f"Loading {target.key}…")
        self.controller.load(target)

    def _model_loaded(self, loaded: LoadedModel, item: Installed | None) -> None:
        name = item.key if item else loaded.info.name
        self.statusBar().showMessage(f"{name}: {loaded.plan.describe()}")
        self._update_context()

    # -- models and first run --------------------------------------------------
    def open_models(self) -> ModelManager:
        if self.manager is None:
            self.manager = ModelManager(self.registry, self.catalog, self)
            self.manager.installed_changed.connect(self.fill_models)
        self.manager.show()
        self.manager.raise_()
        return self.manager

    def welcome(self) -> Welcome:
        dialog = Welcome(self.catalog, load_policy(), self)
        dialog.download_requested.connect(lambda model, quant: self.open_models().start_download(model, quant))
        dialog.import_requested.connect(lambda: self.open_models().choose_import())
        dialog.open()
        return dialog

    # -- settings -----------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(load_policy(), self)
        dialog.delete_all.clicked.connect(lambda: self.delete_everything(dialog))
        dialog.accepted.connect(self.apply_settings)
        dialog.open()
        return dialog

    def apply_settings(self) -> None:
        for notice in self.controller.apply_settings(settings.load(), load_policy()):
            self.statusBar().showMessage(notice)

    def delete_everything(self, parent: QWidget) -> None:
        answer = QMessageBox.question(parent, "Hearth", "Delete ALL conversations and their key? This cannot be undone.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        path = self.controller.store.path
        self.controller.store.close()
        Store.delete_everything(path)
        self.controller.store = Store(path)
        self.sidebar.store = self.controller.store
        self.controller.new_conversation()
        self.sidebar.refresh()

    # -- turns ------------------------------------------------------------------
    def send(self) -> None:
        text = self.composer.toPlainText().strip()
        if not text:
            return
        if self.controller.loaded is None:
            QMessageBox.information(self, "Hearth", "Choose a model first (toolbar, or: hearth models download …).")
            return
        if self.controller.send(text):
            self.composer.clear()

    def _regenerate(self, answer_id: int) -> None:
        self.controller.regenerate(answer_id)

    def _edit(self, question_id: int) -> None:
        old = self.controller.store.message(question_id).content
        text, ok = QInputDialog.getMultiLineText(self, "Edit and resend", "Message:", old)
        if ok and text.strip() and text != old:
            self.controller.edit_and_resend(question_id, text)

    def render_thread(self) -> None:
        self.view.show_thread(self.controller.active_thread(), self._siblings_of)
        self._update_context()

    def _siblings_of(self, message_id: int) -> list[int]:
        return [s.id for s in self.controller.store.siblings(message_id)]

    def _busy(self, busy: bool) -> None:
        self.stop_button.setEnabled(busy)
        self.send_button.setEnabled(not busy)

    def _finished(self, summary: GenerationSummary) -> None:
        status = {"eos": "complete", "length": "complete"}.get(summary.stop_reason.value, summary.stop_reason.value)
        self.view.finish(status)
        self._busy(False)
        model = self.controller.model.key if self.controller.model else ""
        layers = self.controller.loaded.plan.gpu_layers if self.controller.loaded else 0
        self.statusBar().showMessage(
            f"{model} · GPU layers {layers} · {summary.completion_tokens} tokens · {summary.tokens_per_s:.1f} tok/s"
        )
        self._update_context(summary.prompt_tokens + summary.completion_tokens)

    def _update_context(self, used: int | None = None) -> None:
        """The context budget: tokens of the last prompt plus its answer, of the window's total."""
        if self.controller.loaded is None:
            self.context_label.setText("")
            return
        total = self.controller.loaded.n_ctx
        self.context_label.setText(f"context {used if used is not None else '–'} / {total} tokens")

    def closeEvent(self, event: object) -> None:
        """Quitting mid-answer or mid-download stops cleanly: the answer is saved, the download
        keeps its .part for a resume, the model is closed."""
        if self.manager is not None:
            self.manager.stop_all()
        self.controller.shutdown()
        super().closeEvent(event)  # type: ignore[arg-type]


def backend_notice() -> str:
    return f"Backend: {hardware.describe_backend()}."
