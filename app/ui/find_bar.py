"""Find in the conversation (Ctrl+F): every match in the shown messages marked, one current.

A bar above the composer: type to find (case-insensitive), Enter / F3 for the next match,
Shift+Enter / Shift+F3 for the previous, Esc closes it and clears the marks.  Matches are looked
up in the messages' own documents (what is on screen), marked with extra selections (the text
itself is not changed), and the view scrolls to the current one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QTextEdit, QToolButton, QWidget

from app.ui.i18n import tr
from app.ui.message_view import ChatView

ALL = QColor(255, 220, 120, 140)
CURRENT = QColor(255, 150, 40, 200)


class FindBar(QWidget):
    def __init__(self, view: ChatView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.matches: list[tuple[QTextEdit, QTextCursor]] = []
        self.current = -1
        self.field = QLineEdit()
        self.field.setPlaceholderText(tr("Find in this conversation"))
        self.field.setAccessibleName(tr("Find in this conversation"))
        self.field.setClearButtonEnabled(True)
        self.field.textChanged.connect(self.search)
        self.field.returnPressed.connect(lambda: self.step(1))
        self.count = QLabel()
        self.count.setAccessibleName(tr("Matches"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.field, 1)
        row.addWidget(self.count)
        for text, name, step in (("↑", tr("Previous match"), -1), ("↓", tr("Next match"), 1)):
            button = QToolButton()
            button.setText(text)
            button.setAccessibleName(name)
            button.clicked.connect(lambda _=False, s=step: self.step(s))
            row.addWidget(button)
        close = QToolButton()
        close.setText("✕")
        close.setAccessibleName(tr("Close find"))
        close.clicked.connect(self.close_bar)
        row.addWidget(close)
        self._keys: list[QShortcut] = []
        for keys, action in (
            ("F3", lambda: self.step(1)),
            ("Shift+F3", lambda: self.step(-1)),
            ("Shift+Return", lambda: self.step(-1)),
        ):
            self._bind(keys, action)
        self.field.installEventFilter(self)  # Esc closes the bar (before the window's Esc, Stop, sees it)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()  # the field takes Esc itself
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)

    def _bind(self, keys: str, action: Callable[[], object]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(action)
        self._keys.append(shortcut)

    def open_bar(self) -> None:
        self.show()
        self.field.setFocus()
        self.field.selectAll()
        self.search()

    def close_bar(self) -> None:
        self.field.clear()
        self._mark()
        self.hide()

    def search(self) -> None:
        """Every match of the text in the shown messages, in reading order; the first is current."""
        self._mark(clear=True)
        text = self.field.text()
        self.matches, self.current = [], -1
        if text:
            for widget in self.view.widgets:
                for editor in widget.text_views():
                    document = editor.document()
                    cursor = document.find(text, 0)
                    while not cursor.isNull():
                        self.matches.append((editor, QTextCursor(cursor)))
                        cursor = document.find(text, cursor, QTextDocument.FindFlag(0))
        if self.matches:
            self.current = 0
        self._mark()

    def step(self, by: int) -> None:
        if not self.matches:
            return
        self.current = (self.current + by) % len(self.matches)
        self._mark()

    def _mark(self, clear: bool = False) -> None:
        editors = {id(e): e for e, _ in self.matches}
        for editor in editors.values():
            selections = []
            if not clear:
                for i, (owner, cursor) in enumerate(self.matches):
                    if owner is editor:
                        selection = QTextEdit.ExtraSelection()
                        selection.cursor = cursor
                        fmt = QTextCharFormat()
                        fmt.setBackground(CURRENT if i == self.current else ALL)
                        selection.format = fmt
                        selections.append(selection)
            editor.setExtraSelections(selections)
        text = self.field.text()
        self.count.setText(
            tr("{current} of {count}").format(current=self.current + 1, count=len(self.matches))
            if self.matches
            else (tr("No matches") if text else "")
        )
        if not clear and 0 <= self.current < len(self.matches):
            editor, cursor = self.matches[self.current]
            rect = editor.cursorRect(cursor)
            content = self.view.widget()
            if content is None:
                return
            point = editor.viewport().mapTo(content, rect.center())
            self.view.ensureVisible(point.x(), point.y(), 20, 80)
