"""The window's one model control: what answers now, and everything that could answer instead.

One button says what the session says answers: the model, its quantization, its fit on this
machine and expected speed ("DeepSeek-R1-Distill-Qwen-7B · Q4_K_M · CPU only, ~4.5 tok/s"), or the
remote engine.  Its menu lists each installed model's quantizations (each with its fit) and the
remote engines' models; choosing one asks for a load.  The button changes only when the session
reports a new model (:meth:`ModelControl.show_loaded`), so it never shows a choice that did not
load: a failed load leaves it on what still answers, or on "No model loaded".
(It replaced a model box, a quantization box and a fit badge, which could disagree.)
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton

from app.ui.i18n import tr


class Entry(NamedTuple):
    data: str  # an installed model's key (ID:QUANT) or a remote spec (remote:ENGINE/MODEL)
    text: str  # as the menu shows it
    group: str  # the menu section it is listed under (the model's name, or the servers)
    tooltip: str = ""


class ModelControl(QToolButton):
    chosen = Signal(str)  # the entry's data: load it
    manage = Signal()  # "Manage models…": the model manager

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("model-control")
        self.setAccessibleName(tr("Model"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._menu = QMenu(self)
        self._menu.setToolTipsVisible(True)
        self.setMenu(self._menu)
        self._entries: list[Entry] = []
        self.current: str | None = None  # the data of what answers now (None: nothing loaded)
        self.show_loaded(None, "", "")

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def set_entries(self, entries: list[Entry]) -> None:
        """Rebuild the menu: one section per model (its quantizations), then the servers."""
        self._entries = list(entries)
        self._menu.clear()
        group = None
        for entry in self._entries:
            if entry.group != group:
                if group is not None:
                    self._menu.addSeparator()
                group = entry.group
                heading = self._menu.addAction(group)  # not addSection: the Fusion style drops a section's text
                heading.setEnabled(False)
                bold = heading.font()
                bold.setBold(True)
                heading.setFont(bold)
            action = self._menu.addAction(entry.text)
            action.setData(entry.data)
            action.setCheckable(True)
            action.setChecked(entry.data == self.current)
            action.setToolTip(entry.tooltip or entry.text)
            action.triggered.connect(lambda _checked=False, data=entry.data: self.choose(data))
        if not self._entries:
            empty = self._menu.addAction(tr("No models installed yet"))
            empty.setEnabled(False)
        self._menu.addSeparator()
        self._menu.addAction(tr("Manage models…"), self.manage.emit)

    def actions_shown(self) -> list[QAction]:
        """The menu's model entries (tests read what a person would see)."""
        return [a for a in self._menu.actions() if isinstance(a.data(), str)]

    def choose(self, data: str) -> None:
        """As if the entry were clicked.  The check mark stays on what answers until it changes."""
        for action in self.actions_shown():
            action.setChecked(action.data() == self.current)
        self.chosen.emit(data)

    def show_loaded(self, data: str | None, text: str, tooltip: str) -> None:
        """What answers now, as the session reported it."""
        self.current = data
        self.setText(text if data is not None else tr("No model loaded — choose one"))
        self.setToolTip(tooltip or tr("The model that answers; click to choose another"))
        for action in self.actions_shown():
            action.setChecked(action.data() == data)
