"""The thinking control beside the composer: off, on, and V4's effort levels.

It shows the modes the answering model offers and the mode the open conversation uses; the
session decides both (and stores the choice with the conversation), this only displays them
and passes the user's choice on.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from app.core.chat.thinking import DESCRIPTIONS
from app.core.errors import HearthError
from app.ui.chat_controller import ChatController
from app.ui.i18n import QT_TRANSLATE_NOOP, core, error_text, tr

LABELS = {"off": QT_TRANSLATE_NOOP("", "Thinking off"), "on": QT_TRANSLATE_NOOP("", "Thinking on"),
          "high": QT_TRANSLATE_NOOP("", "Thinking: high"), "max": QT_TRANSLATE_NOOP("", "Thinking: max")}  # fmt: skip


class ThinkingControl(QComboBox):
    def __init__(self, controller: ChatController) -> None:
        super().__init__()
        self.controller = controller
        self._levels: tuple[str, ...] | None = None  # the levels the items show
        self.setAccessibleName(tr("Thinking"))
        self.activated.connect(self._chosen)
        self.refresh()

    def refresh(self) -> None:
        """Show what the model offers and what the next answer uses."""
        levels = self.controller.session.thinking_levels
        current = self.controller.session.thinking
        self.blockSignals(True)
        if levels != self._levels or not self.count():  # rebuilt only when the model's levels change (4 ms)
            self._levels = levels
            self.clear()
            for level in levels:
                self.addItem(tr(LABELS[level]), level)
                self.setItemData(self.count() - 1, core(DESCRIPTIONS[level]), Qt.ItemDataRole.ToolTipRole)
            if not levels:
                self.addItem(tr("Thinking: model decides"), None)
        self.setEnabled(bool(levels) and not self.controller.session.thinking_locked)
        index = self.findData(current)
        self.setCurrentIndex(max(index, 0))
        self.setToolTip(
            core(DESCRIPTIONS[current])
            if levels and current in DESCRIPTIONS
            else tr("This model's template has no thinking switch.")
            if levels
            else tr("This model's template has no thinking switch; it decides for itself.")
        )
        self.blockSignals(False)

    def _chosen(self, index: int) -> None:
        level = self.itemData(index)
        if level is None:
            return
        try:
            self.controller.session.set_thinking(level)
        except HearthError as exc:  # a policy refusal: shown where the user looks
            self.controller.failed.emit(error_text(exc))
        self.refresh()
