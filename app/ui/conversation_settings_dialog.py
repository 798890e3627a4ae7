"""The open conversation's own settings, shown and edited from the conversation.

The session (core) says what they are, which the policy decides, and stores a change with the
conversation; this dialog only shows them and collects the new values.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.chat.session import ChatSession
from app.core.errors import HearthError
from app.ui.i18n import error_text, tr
from app.ui.settings_dialog import LOCKED_TIP


class ConversationSettingsDialog(QDialog):
    def __init__(self, session: ChatSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        current = session.conversation_settings()
        new = session.conversation_id is None
        self.setWindowTitle(tr("New conversation's settings") if new else tr("This conversation's settings"))
        self.system_prompt = QPlainTextEdit(current.system_prompt)
        self.system_prompt.setPlaceholderText(tr("None (R1 and its distills work best without one)"))
        self.system_prompt.setMaximumHeight(110)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.05)
        self.temperature.setValue(current.temperature)
        self.top_p = QDoubleSpinBox()
        self.top_p.setRange(0.01, 1.0)
        self.top_p.setSingleStep(0.05)
        self.top_p.setValue(current.top_p)
        form = QFormLayout()
        fields = {"system_prompt": self.system_prompt, "temperature": self.temperature, "top_p": self.top_p}
        labels = {"system_prompt": tr("System prompt"), "temperature": tr("Temperature"), "top_p": tr("Top-p")}
        for name, widget in fields.items():
            widget.setAccessibleName(labels[name])
            if name in current.locked:
                widget.setEnabled(False)
                widget.setToolTip(tr(LOCKED_TIP))
            form.addRow(tr("{setting} (locked)").format(setting=labels[name]) if name in current.locked else labels[name], widget)
        self.fields = fields
        note = QLabel(
            tr("Kept with this conversation: reopening it later answers with these, whatever the defaults are then.")
            if not new
            else tr("The next conversation starts with these (the defaults are in Settings).")
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {
            "system_prompt": self.system_prompt.toPlainText().strip(),
            "temperature": round(self.temperature.value(), 3),
            "top_p": round(self.top_p.value(), 3),
        }
        return {name: value for name, value in values.items() if self.fields[name].isEnabled()}

    def save(self) -> None:
        try:
            self.session.set_conversation_settings(**self.values())
        except HearthError as exc:
            QMessageBox.warning(self, "Hearth", error_text(exc))
            return
        self.accept()
