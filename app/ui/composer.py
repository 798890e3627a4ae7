"""Where a question is written: Enter sends, Shift+Enter starts a new line, and the box grows
with its text from 2 to 10 lines (then scrolls), so a long question stays readable."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit

from app.ui.i18n import tr


class Composer(QPlainTextEdit):
    """Enter sends, Shift+Enter starts a new line; grows with its text from 2 to 10 lines."""

    LINES = (2, 10)

    def __init__(self, send: object) -> None:
        super().__init__()
        self._send = send
        self.setPlaceholderText(tr("Message (Enter sends, Shift+Enter for a new line, Esc stops)"))
        self.setAccessibleName(tr("Message"))
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit())
        self._fit()

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Polish, QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fit()  # the style sheet's padding is known once the widget is polished
        return super().event(event)

    def _fit(self) -> None:
        lines = min(max(int(self.document().size().height()), self.LINES[0]), self.LINES[1])
        margins = self.contentsMargins().top() + self.contentsMargins().bottom()
        height = lines * self.fontMetrics().lineSpacing() + 2 * int(self.document().documentMargin()) + margins
        self.setFixedHeight(height)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._send()  # type: ignore[operator]
            return
        super().keyPressEvent(event)
