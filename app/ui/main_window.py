"""The main window: sidebar, conversation, composer, model and quant picker, status.

A thin client of :class:`ChatController` and the core: the window only turns
clicks into controller calls and controller signals into widget updates.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core import settings
from app.core.chat.turn import TurnEnded
from app.core.errors import HearthError
from app.core.models import hardware
from app.core.models.catalog import Catalog
from app.core.models.registry import Registry
from app.core.privacy.policy import load as load_policy
from app.core.store.database import Store
from app.core.store.export import import_file
from app.ui import icons, theme, window_state
from app.ui.api_switch import ApiSwitch
from app.ui.chat_controller import ChatController
from app.ui.composer import Composer
from app.ui.conversation_settings_dialog import ConversationSettingsDialog
from app.ui.find_bar import FindBar
from app.ui.i18n import error_text, sentence, tr
from app.ui.menus import build_menus
from app.ui.message_view import ChatView
from app.ui.model_control import ModelControl
from app.ui.model_picker import ModelPicker
from app.ui.models_window import ModelsWindow
from app.ui.remote_models import RemoteEntries
from app.ui.settings_dialog import SettingsDialog
from app.ui.sidebar import Sidebar
from app.ui.status_area import StatusArea
from app.ui.thinking_control import ThinkingControl
from app.ui.welcome import Welcome

if TYPE_CHECKING:
    from app.ui.model_manager import ModelManager


class MainWindow(ModelPicker, StatusArea, QMainWindow):
    def __init__(self, controller: ChatController, registry: Registry, catalog: Catalog) -> None:
        super().__init__()
        self.controller, self.registry, self.catalog = controller, registry, catalog
        self.models = ModelsWindow(self._build_models)
        self.appearance = settings.load()["appearance"]
        self.setWindowTitle("Hearth")
        self.resize(1100, 760)
        self.sidebar = Sidebar(controller.store)
        self.view = ChatView()
        self.find_bar = FindBar(self.view)  # Ctrl+F: find in the conversation shown
        self.composer = Composer(self.send)
        self.send_button = QPushButton(tr("Send"))
        self.send_button.setObjectName("primary")
        self.stop_button = QPushButton(tr("Stop"))
        icons.set_icon(self.stop_button, "stop")
        self.stop_button.setEnabled(False)
        self.context_label = QLabel()
        self.context_label.setObjectName("muted")
        self.context_bar = QProgressBar()  # the context used, at a glance
        self.context_bar.setObjectName("context")
        self.context_bar.setTextVisible(False)
        self.context_bar.setAccessibleName(tr("Context used"))
        self.context_bar.setFixedWidth(90)
        self.context_bar.hide()
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(controller.stop)

        self.model_control = ModelControl()  # what answers (model, quantization, fit, speed); its menu: what else could
        self.model_control.chosen.connect(self._entry_chosen)
        self.model_control.manage.connect(self.open_models)
        toolbar = QToolBar(tr("Model"))
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        model_label = QLabel(tr("Model"))
        model_label.setObjectName("muted")
        toolbar.addWidget(model_label)
        toolbar.addWidget(self.model_control)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.menu_actions = build_menus(self)
        for name in ("models", "settings"):
            toolbar.addAction(self.menu_actions[name])
            button = toolbar.widgetForAction(self.menu_actions[name])
            if isinstance(button, QToolButton):
                icons.set_icon(button, name)
        self.addToolBar(toolbar)
        self.remote_entries = RemoteEntries(self.show_entries)

        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.view, 1)
        column.addWidget(self.find_bar)
        column.addWidget(self.composer)
        row = QHBoxLayout()
        row.addWidget(self.context_bar)
        row.addWidget(self.context_label)
        row.addStretch(1)
        self.thinking_control = ThinkingControl(controller)
        row.addWidget(self.thinking_control)
        row.addWidget(self.stop_button)
        row.addWidget(self.send_button)
        column.addLayout(row)
        self.splitter = splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setSizes([260, 840])
        self.setCentralWidget(splitter)

        self.sidebar.open_requested.connect(controller.open_conversation)
        self.sidebar.new_requested.connect(controller.new_conversation)
        self.sidebar.deleting.connect(self._leave_if_open)
        self.sidebar.refuse_delete = self._refuse_delete
        self.view.regenerate_requested.connect(self._regenerate)
        self.view.continue_requested.connect(controller.continue_answer)
        self.view.edit_requested.connect(self._edit)
        self.view.delete_requested.connect(self.delete_message)
        self.view.branch_requested.connect(controller.select_branch)
        controller.thread_changed.connect(self.render_thread)
        controller.view_busy = lambda: self.view.building  # a new turn waits for them (see ChatController._begin)
        controller.thread_changed.connect(self.thinking_control.refresh)
        controller.model_changed.connect(lambda *_: self.thinking_control.refresh())
        controller.appended.connect(lambda messages: self.view.append_messages(messages, self._siblings_of))
        controller.answer_started.connect(lambda _id: self._busy(True))
        controller.delta.connect(self.view.append)
        controller.prompt_progress.connect(self.view.show_prompt_progress)
        controller.batch_shown.connect(self.view.refresh_streaming)
        controller.answer_finished.connect(self._finished)
        controller.model_changed.connect(self._model_loaded)
        controller.model_failed.connect(self._model_failed)
        controller.notices.connect(lambda notices: self.show_notice(" ".join(map(sentence, notices))))
        controller.failed.connect(lambda text: QMessageBox.warning(self, "Hearth", text))
        controller.conversations_changed.connect(self.sidebar.refresh_soon)
        self.statusBar().showMessage(tr("No model loaded.") + " " + backend_notice())
        # Notices that must not vanish with the next status message (start-up clean-up, switch warnings).
        self.notice_label = QLabel()
        self.notice_label.setAccessibleName(tr("Notices"))
        self.notice_label.setWordWrap(True)
        self.statusBar().addPermanentWidget(self.notice_label, 1)
        self.load_bar = QProgressBar()  # while a model loads: how far llama.cpp has read it
        self.load_bar.setObjectName("loading")
        self.load_bar.setAccessibleName(tr("Loading the model"))
        self.load_bar.setRange(0, 100)
        self.load_bar.setFixedWidth(160)
        self.load_bar.hide()
        self.statusBar().addPermanentWidget(self.load_bar)
        controller.load_progress.connect(self.show_load_progress)
        self.api_label = QLabel()
        self.api_label.setAccessibleName(tr("Local API"))
        self.statusBar().addPermanentWidget(self.api_label)
        self.api = ApiSwitch(controller, self.api_label.setText)
        self.fit_labels: dict[str, str] = {}
        self.fill_models()
        self.remote_entries.refresh()  # asks the servers on a background thread

    # -- models and first run --------------------------------------------------
    def open_models(self) -> ModelManager:
        return self.models.open()

    def prepare_models(self) -> None:
        """Build the Models window ahead, after start-up (:mod:`app.ui.models_window`)."""
        self.models.prepare()

    @property
    def manager(self) -> ModelManager | None:
        return self.models.manager

    def _build_models(self) -> ModelManager:
        # Imported on first use (or ahead, by prepare_models): the manager brings the download
        # and Hub clients (~90-120 ms of start-up otherwise).
        from app.ui.model_manager import ModelManager

        manager = ModelManager(self.registry, self.catalog, self, self.controller.session)
        manager.installed_changed.connect(self.fill_models)
        manager.unloaded.connect(self.show_unloaded)
        return manager

    def welcome(self) -> Welcome:
        dialog = Welcome(self.catalog, load_policy(), self)
        dialog.download_requested.connect(lambda model, quant: self.open_models().start_download(model, quant))
        dialog.import_requested.connect(lambda: self.open_models().choose_import())
        dialog.open()
        return dialog

    # -- settings -----------------------------------------------------------------
    def open_conversation_settings(self) -> ConversationSettingsDialog:
        dialog = ConversationSettingsDialog(self.controller.session, self)
        dialog.open()
        return dialog

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(load_policy(), self)
        dialog.delete_all.clicked.connect(lambda: self.delete_everything(dialog))
        dialog.accepted.connect(self.apply_settings)
        dialog.open()
        return dialog

    def apply_settings(self) -> None:
        values = settings.load()
        for notice in self.controller.apply_settings():
            self.statusBar().showMessage(sentence(notice))
        self.apply_api()
        app = QApplication.instance()
        if isinstance(app, QApplication) and values["appearance"] != self.appearance:
            self.appearance = values["appearance"]
            theme.apply(app, self.appearance)
            self.render_thread()  # code colours follow the new scheme

    def apply_api(self) -> None:
        """Start or stop the local API as the settings say; a problem (port taken, no keyring, the
        policy) is said, and the window goes on without it."""
        problem = self.api.apply()
        if problem:
            self.show_notice(tr("The local API is off: {problem}").format(problem=problem))

    def delete_everything(self, parent: QWidget) -> None:
        answer = QMessageBox.question(parent, "Hearth", tr("Delete ALL conversations and their key? This cannot be undone."))
        if answer != QMessageBox.StandardButton.Yes:
            return
        path = self.controller.store.path
        self.controller.store.close()
        Store.delete_everything(path)
        self.controller.store = Store(path)
        self.sidebar.store = self.controller.store
        self.sidebar.undo_delete()  # nothing is left to delete or to bring back
        self.controller.new_conversation()
        self.sidebar.refresh()

    # -- conversations (menu actions) ---------------------------------------------
    def focus_search(self) -> None:
        self.sidebar.show()
        self.sidebar.search.setFocus()
        self.sidebar.search.selectAll()

    def _current(self, action: Callable[[int], object]) -> None:
        """Run a sidebar action on the open conversation (nothing open: nothing to do)."""
        if self.controller.conversation_id is not None:
            action(self.controller.conversation_id)

    def export_current(self) -> None:
        self._current(self.sidebar.choose_export)

    def rename_current(self) -> None:
        self._current(self.sidebar.rename)

    def delete_current(self) -> None:
        self._current(self.sidebar.delete)

    def pin_current(self) -> None:
        self._current(self.sidebar.toggle_pin)

    def step_conversation(self, step: int) -> None:
        """Open the previous or next conversation of the sidebar's list."""
        rows = self.sidebar.rows()
        ids = [int(item.data(Qt.ItemDataRole.UserRole)) for item in rows]
        if not ids:
            return
        current = self.controller.conversation_id
        index = ids.index(current) + step if current in ids else (0 if step > 0 else len(ids) - 1)
        if 0 <= index < len(ids):
            self.sidebar.list.setCurrentItem(rows[index])
            self.controller.open_conversation(ids[index])

    def import_conversations(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Import conversations"), str(Path.home()), "JSON (*.json)")
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> list[int]:
        try:
            ids = import_file(self.controller.store, path)
        except HearthError as exc:
            QMessageBox.warning(self, "Hearth", error_text(exc))
            return []
        self.sidebar.refresh()
        self.statusBar().showMessage(tr("Imported {count} conversation(s).").format(count=len(ids)))
        return ids

    def _refuse_delete(self, conversation_id: int) -> str | None:
        if self.controller.busy and conversation_id == self.controller.conversation_id:
            return tr("This conversation is being answered. Stop the answer first, then delete it.")
        return None

    def _leave_if_open(self, conversation_id: int) -> None:
        if conversation_id == self.controller.conversation_id:
            self.controller.new_conversation()

    def regenerate_last(self) -> None:
        answer = self.view.last("assistant")
        if answer is not None:
            self._regenerate(answer.message.id)

    def copy_last_answer(self) -> None:
        answer = self.view.last("assistant")
        if answer is not None:
            answer.copy()
            self.statusBar().showMessage(tr("Answer copied."), 3000)

    def toggle_sidebar(self) -> None:
        self.sidebar.setVisible(not self.sidebar.isVisible())
        self.menu_actions["sidebar"].setChecked(self.sidebar.isVisible())

    def about(self) -> None:
        from app import __version__

        QMessageBox.about(
            self,
            tr("About Hearth"),
            f"<b>Hearth {__version__}</b><br>"
            + tr("Private chat with DeepSeek models on this computer.<br>Nothing you type leaves this machine.")
            + f"<br><br>{backend_notice()}",
        )

    # -- turns ------------------------------------------------------------------
    def send(self) -> None:
        text = self.composer.toPlainText().strip()
        if not text:
            return
        if not self.controller.ready:
            QMessageBox.information(self, "Hearth", tr("Choose a model first (toolbar, or: hearth models download …)."))
            return
        if self.controller.send(text):
            self.composer.clear()

    def _regenerate(self, answer_id: int) -> None:
        self.controller.regenerate(answer_id)

    def _edit(self, question_id: int) -> None:
        old = self.controller.store.message(question_id).content
        text, ok = QInputDialog.getMultiLineText(self, tr("Edit and resend"), tr("Message:"), old)
        if ok and text.strip() and text != old:
            self.controller.edit_and_resend(question_id, text)

    def delete_message(self, message_id: int) -> None:
        """Delete one message (and the replies built on it), after asking."""
        replies = self.controller.replies_to(message_id)
        if not replies:
            question = tr("Delete this message? This cannot be undone.")
        elif replies == 1:
            question = tr("Delete this message and the message after it? This cannot be undone.")
        else:
            question = tr("Delete this message and the {count} messages after it? This cannot be undone.").format(count=replies)
        if QMessageBox.question(self, tr("Delete a message"), question) != QMessageBox.StandardButton.Yes:
            return
        try:
            self.controller.delete_message(message_id)
        except HearthError as exc:
            QMessageBox.warning(self, "Hearth", error_text(exc))

    def render_thread(self) -> None:
        self.view.show_thread(self.controller.active_thread(), self._siblings_of)
        self._update_context()

    def _siblings_of(self, message_id: int) -> list[int]:
        return [s.id for s in self.controller.store.siblings(message_id)]

    def busy(self) -> bool:
        """Streaming, loading a model or building a conversation: no time for housekeeping."""
        downloading = self.manager is not None and bool(self.manager.rows)
        return self.controller.busy or self.view.building or self.controller.loading or downloading

    def _busy(self, busy: bool) -> None:
        self.stop_button.setEnabled(busy)
        self.send_button.setEnabled(not busy)

    def _finished(self, ended: TurnEnded, shown: bool) -> None:
        summary = ended.summary
        error = error_text(ended.failure) if ended.failure else sentence(summary.error) if summary.error else None
        if shown:
            self.view.finish(ended.status, error)  # the status is the core's, stored with the answer
        self._busy(False)
        if ended.status == "error" and error:
            QMessageBox.warning(self, "Hearth", error)
        self.show_answer_stats(summary)

    def closeEvent(self, event: object) -> None:
        """Quitting mid-answer or mid-download stops cleanly: the answer is saved, the download
        keeps its .part for a resume, the model is closed."""
        if self.manager is not None:
            self.manager.stop_all()
        self.sidebar.commit_delete()
        self.api.stop()
        window_state.save(self)
        self.controller.shutdown()
        super().closeEvent(event)  # type: ignore[arg-type]


def backend_notice() -> str:
    return tr("Backend: {backend}.").format(backend=sentence(hardware.describe_backend()))
