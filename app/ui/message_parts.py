"""The pieces of a message: a text block as tall as its text, DeepSeek's reasoning section,
and the row of actions that shows when the pointer is over the message.

Kept apart from :mod:`app.ui.message_view` (which lays messages out and streams into them)
so each stays small.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QMimeData, QSize, QSizeF, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QTextBrowser, QToolButton, QVBoxLayout, QWidget

from app.ui import icons, math_render, theme
from app.ui.code_blocks import CodeHighlighter
from app.ui.i18n import QT_TRANSLATE_NOOP, tr
from app.ui.markdown_stream import IncrementalMarkdown, set_markdown

ICONS = {"Copy": "copy", "Edit": "edit", "Regenerate": "regenerate", "Continue": "continue", "Delete": "delete"}
NAMES = {  # each action's name as a person reads it (the keys stay English: code and tests use them)
    "Copy": QT_TRANSLATE_NOOP("", "Copy"),
    "Edit": QT_TRANSLATE_NOOP("", "Edit"),
    "Regenerate": QT_TRANSLATE_NOOP("", "Regenerate"),
    "Continue": QT_TRANSLATE_NOOP("", "Continue"),
    "Delete": QT_TRANSLATE_NOOP("", "Delete"),
}
TIPS = {
    "Copy": QT_TRANSLATE_NOOP("", "Copy the message as Markdown"),
    "Edit": QT_TRANSLATE_NOOP("", "Edit and send again (the old version stays as a branch)"),
    "Regenerate": QT_TRANSLATE_NOOP("", "Answer again (the old answer stays as a branch)"),
    "Continue": QT_TRANSLATE_NOOP("", "Continue the answer where it stopped"),
    "Delete": QT_TRANSLATE_NOOP("", "Delete this message"),
}


class AutoHeightBrowser(QTextBrowser):
    """A read-only Markdown block as tall as its text (the scroll area scrolls, not each message).

    The height follows the document layout's own size notifications, so an edit, a streamed
    piece or the highlighter's colouring of many lines costs one layout, not one per change.
    """

    def __init__(self) -> None:
        self._has_math = False  # set when the document first asks for a formula image (before Qt's first event)
        super().__init__()
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.highlighter = CodeHighlighter(self.document(), theme.is_dark())
        self.anchorClicked.connect(self._copy_formula)

    def set_markdown(self, text: str) -> None:
        set_markdown(self.document(), text)
        self.highlighter.rehighlight()

    def _look(self) -> math_render.Look:
        return math_render.Look.of(self.font(), self.palette().color(QPalette.ColorRole.Text), self.devicePixelRatioF())

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        """Formula images (``math:`` names) come from :mod:`app.ui.math_render`; nothing else is
        loaded (an answer's ``![](https://…)`` is not fetched: nothing leaves the machine)."""
        url = QUrl(name)
        if url.scheme() == math_render.SCHEME:
            self._has_math = True
            return math_render.images().image(self.document(), url.toString(), self._look(), self.font())
        return None

    def changeEvent(self, event: QEvent) -> None:
        """A new palette or font: the formulas are drawn again in the new colour and size."""
        super().changeEvent(event)
        if self._has_math and event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            document, look = self.document(), self._look()
            positions: dict[str, list[int]] = {}
            for position, char_format in math_render.math_fragments(document):  # one walk for every formula
                positions.setdefault(char_format.toImageFormat().name(), []).append(position)
            for name, at in positions.items():
                math_render.place(document, name, math_render.images().image(document, name, look, self.font()), at)

    def createMimeDataFromSelection(self) -> QMimeData:
        """A copied selection keeps its formulas as LaTeX, not as blank image characters."""
        mime = super().createMimeDataFromSelection()
        if "\ufffc" in mime.text():
            mime.setText(math_render.selected_text(self.textCursor()))
        return mime

    def _copy_formula(self, url: QUrl) -> None:
        if url.scheme() == math_render.COPY_SCHEME and (source := math_render.copied_source(url.toString())):
            QGuiApplication.clipboard().setText(source)

    def _fit(self, size: QSizeF) -> None:
        height = int(size.height()) + 6
        if height != self.height():
            self.setFixedHeight(height)


class ReasoningSection(QWidget):
    """DeepSeek's thinking: open while the model thinks, rendered incrementally like the
    answer, collapsed to "Thought for N s" once the answer starts; a click opens it again."""

    def __init__(self, reasoning: str, streaming: bool) -> None:
        super().__init__()
        self.text = reasoning
        self.started = time.monotonic()
        self.thought_s: float | None = None
        self._rendered: tuple[int, bool] | None = None  # (characters, final) last rendered
        self.toggle = QToolButton()
        self.toggle.setObjectName("reasoning-toggle")
        self.toggle.setCheckable(True)
        self.toggle.setChecked(streaming)
        self.toggle.setAccessibleName(tr("Show reasoning"))
        self.view = AutoHeightBrowser()
        self.view.setObjectName("reasoning")  # quieter: muted text beside a rule (the style sheet)
        self.view.setAccessibleName(tr("Reasoning"))
        self._markdown = IncrementalMarkdown(self.view.document(), self.view.highlighter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.view)
        self.toggle.toggled.connect(lambda _shown: self.redraw(final=self.thought_s is not None or not streaming))

    def answer_started(self) -> None:
        if self.thought_s is None:
            self.thought_s = time.monotonic() - self.started
            self.toggle.setChecked(False)

    def redraw(self, final: bool) -> None:
        timed = tr("Thought for {seconds} s").format(seconds=f"{self.thought_s:.0f}") if self.thought_s is not None else ""
        title = timed or (tr("Reasoning") if final else tr("Thinking…"))  # a stored answer: its duration is unknown
        shown = self.toggle.isChecked()
        self.toggle.setText(("▾ " if shown else "▸ ") + title)
        self.view.setVisible(shown)
        if not shown or self._rendered == (len(self.text), final):
            return  # collapsed, or nothing new: the answer streams on without re-rendering this
        self._rendered = (len(self.text), final)
        if final:
            self._markdown.finish(self.text)
        else:
            self._markdown.update(self.text)


class ActionRow(QWidget):
    """A message's actions as small icon buttons; shown while the pointer is over the message
    (the row keeps its place when hidden, so the text never jumps), always for the newest answer."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: dict[str, QToolButton] = {}
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)

    def add(self, text: str, clicked: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        name = tr(NAMES.get(text, text))
        button.setText(name)  # the accessible text; the button shows its icon
        button.setAccessibleName(name)
        button.setToolTip(tr(TIPS.get(text, text)))
        icons.set_icon(button, ICONS.get(text, "continue"))
        button.setIconSize(QSize(16, 16))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        button.clicked.connect(lambda _=False: clicked())
        self._layout.addWidget(button)
        self.buttons[text] = button
        return button
