"""Settings: generation, hardware, appearance, privacy.  Settings the organisation's policy locks
are shown disabled, with the reason; policy limits bound the inputs."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import HearthError
from app.core.models.offload import parse_gpu_layers
from app.core.privacy.locks import effective, locked_by_policy, save_user_settings
from app.core.privacy.policy import Policy
from app.ui import i18n, theme
from app.ui.i18n import QT_TRANSLATE_NOOP, error_text, tr

LOCKED_TIP = QT_TRANSLATE_NOOP("", "Locked by your organisation's policy.")
DRAFT_CHOICES = {
    "auto": QT_TRANSLATE_NOOP("", "Automatic (the catalog's draft model, when installed)"),
    "prompt-lookup": QT_TRANSLATE_NOOP("", "From the conversation (prompt lookup)"),
    "off": QT_TRANSLATE_NOOP("", "Off"),
}
GROUPS = {  # the dialog's sections: key -> title
    "Generation": QT_TRANSLATE_NOOP("", "Generation"),
    "Hardware": QT_TRANSLATE_NOOP("", "Hardware"),
    "Appearance": QT_TRANSLATE_NOOP("", "Appearance"),
    "Privacy": QT_TRANSLATE_NOOP("", "Privacy"),
    "Local API": QT_TRANSLATE_NOOP("", "Local API"),
}


class SettingsDialog(QDialog):
    def __init__(self, rules: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Settings"))
        self.rules = rules
        # What applies (locked values from the policy, not from settings.json), plus the look.
        current = effective(rules=rules).values
        self.fields: dict[str, QWidget] = {}
        groups = {name: QGroupBox(tr(title)) for name, title in GROUPS.items()}
        forms = {name: QFormLayout(box) for name, box in groups.items()}
        form = forms["Generation"]
        self.temperature = self._add(form, "temperature", tr("Temperature"), QDoubleSpinBox())
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.05)
        self.temperature.setValue(float(current["temperature"]))
        self.top_p = self._add(form, "top_p", tr("Top-p"), QDoubleSpinBox())
        self.top_p.setRange(0.01, 1.0)
        self.top_p.setSingleStep(0.01)
        self.top_p.setValue(float(current["top_p"]))
        self.max_tokens = self._add(form, "max_tokens", tr("Answer length (tokens)"), QSpinBox())
        self.max_tokens.setRange(16, 65536)
        self.max_tokens.setValue(int(current["max_tokens"]))
        self.context = self._add(form, "context", tr("Context size (tokens)"), QSpinBox())
        self.context.setRange(512, rules["max_context"] or 262144)
        self.context.setSingleStep(1024)
        self.context.setValue(min(int(current["context"]), self.context.maximum()))
        self.system_prompt = self._add(form, "system_prompt", tr("System prompt"), QPlainTextEdit())
        self.system_prompt.setPlainText(str(current["system_prompt"] or ""))
        self.system_prompt.setMaximumHeight(80)
        form = forms["Hardware"]
        self.gpu_layers = self._add(form, "gpu_layers", tr("GPU layers (auto, all or a number)"), QLineEdit())
        self.gpu_layers.setText(str(current["gpu_layers"]))
        self.threads = self._add(form, "threads", tr("CPU threads (0: automatic)"), QSpinBox())
        self.threads.setRange(0, 256)
        self.threads.setValue(int(current["threads"] or 0))
        self.draft = self._add(form, "draft_model", tr("Speculative decoding (draft model)"), QComboBox())
        self.draft.setEditable(True)  # or an installed model's ID[:QUANT]
        for choice, label in DRAFT_CHOICES.items():
            self.draft.addItem(tr(label), choice)
        found = self.draft.findData(current["draft_model"])
        if found >= 0:
            self.draft.setCurrentIndex(found)
        else:
            self.draft.setEditText(str(current["draft_model"]))
        self.draft.setToolTip(
            tr("A small model with the same tokenizer guesses tokens; the loaded model checks them in one batch.")
        )
        self.snapshot_ram = self._add(form, "kv_snapshot_ram_mib", tr("Memory for left conversations' caches (MiB)"), QSpinBox())
        self.snapshot_ram.setRange(0, 65536)
        self.snapshot_ram.setSingleStep(256)
        self.snapshot_ram.setValue(int(current["kv_snapshot_ram_mib"]))
        form = forms["Privacy"]
        self.snapshots_disk = self._add(
            form, "kv_snapshots_on_disk", tr("Keep conversation caches on disk (encrypted with the store's key)"), QCheckBox()
        )
        self.snapshots_disk.setChecked(bool(current["kv_snapshots_on_disk"]))
        self.retention = self._add(form, "retention_days", tr("Delete conversations after (days, 0: never)"), QSpinBox())
        self.retention.setRange(0, 3650)
        self.retention.setValue(int(current["retention_days"] or 0))  # the policy's value where it sets one
        if rules["retention_days"] is not None:
            self._lock(
                self.retention, tr("Set to {days} days by your organisation's policy.").format(days=rules["retention_days"])
            )
        self.appearance = self._add(forms["Appearance"], "appearance", tr("Light or dark"), QComboBox())
        for name, label in theme.LABELS.items():
            self.appearance.addItem(tr(label), name)
        self.appearance.setCurrentIndex(max(0, self.appearance.findData(current["appearance"])))
        self.language = self._add(forms["Appearance"], "language", tr("Language (from the next start)"), QComboBox())
        for name, label in i18n.LABELS.items():
            self.language.addItem(tr(label) if name == "system" else label, name)  # each language in its own words
        self.language.setCurrentIndex(max(0, self.language.findData(current["language"])))
        form = forms["Local API"]
        self.api_enabled = self._add(form, "api_enabled", tr("Serve an OpenAI-compatible API on 127.0.0.1"), QCheckBox())
        self.api_enabled.setChecked(bool(current["api_enabled"]))
        self.api_port = self._add(form, "api_port", tr("Port"), QSpinBox())
        self.api_port.setRange(1024, 65535)
        self.api_port.setValue(int(current["api_port"]))
        self.api_store = self._add(form, "api_store_conversations", tr("Store API conversations"), QCheckBox())
        self.api_store.setChecked(bool(current["api_store_conversations"]))
        self.delete_all = QPushButton(tr("Delete all conversations and their key…"))
        self.delete_all.setAccessibleName(tr("Delete all conversations"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        forms["Privacy"].addRow(self.delete_all)
        layout = QVBoxLayout(self)
        for box in groups.values():
            layout.addWidget(box)
        if rules.errors:
            layout.addWidget(QLabel(rules.describe_errors()))
        layout.addWidget(buttons)

    def _add(self, form: QFormLayout, name: str, label: str, widget: Any) -> Any:
        locked = locked_by_policy(name, self.rules)
        widget.setAccessibleName(label)
        form.addRow(tr("{setting} (locked by your organisation)").format(setting=label) if locked else label, widget)
        self.fields[name] = widget
        if locked:
            self._lock(widget, tr(LOCKED_TIP))
        return widget

    @staticmethod
    def _lock(widget: QWidget, why: str) -> None:
        widget.setEnabled(False)
        widget.setToolTip(why)

    def values(self) -> dict[str, Any]:
        try:
            gpu = parse_gpu_layers(self.gpu_layers.text())
        except HearthError as exc:
            raise HearthError(exc.message, exc.hint) from None
        return {
            "temperature": round(self.temperature.value(), 3),
            "top_p": round(self.top_p.value(), 3),
            "max_tokens": self.max_tokens.value(),
            "context": self.context.value(),
            "system_prompt": self.system_prompt.toPlainText().strip(),
            "gpu_layers": gpu,
            "threads": self.threads.value() or None,
            "retention_days": self.retention.value() or None,
            "appearance": self.appearance.currentData(),
            "language": self.language.currentData(),
            "api_enabled": self.api_enabled.isChecked(),
            "api_port": self.api_port.value(),
            "api_store_conversations": self.api_store.isChecked(),
            "draft_model": self._draft_choice(),
            "kv_snapshot_ram_mib": self.snapshot_ram.value(),
            "kv_snapshots_on_disk": self.snapshots_disk.isChecked(),
        }

    def _draft_choice(self) -> str:
        text = self.draft.currentText().strip()
        for choice, label in DRAFT_CHOICES.items():
            if text in (label, tr(label)):
                return choice
        return text or "auto"

    def save(self) -> None:
        """Store what the user may change; locked settings keep their value."""
        try:
            changes = {k: v for k, v in self.values().items() if self.fields[k].isEnabled()}
        except HearthError as exc:
            QMessageBox.warning(self, "Hearth", error_text(exc))
            return
        try:
            save_user_settings(changes, self.rules)
        except HearthError as exc:
            QMessageBox.warning(self, "Hearth", error_text(exc))
            return
        self.accept()
