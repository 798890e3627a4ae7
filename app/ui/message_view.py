"""The conversation view: one widget per message, Markdown rendered per message.

Why one widget per message: while an answer streams, only that message's
widget re-renders (at most once per event batch, ~30 ms), however long the
conversation is.  DeepSeek's reasoning sits in a collapsible "Thinking…"
section that becomes "Thought for N s" and collapses when the answer starts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl, Signal, SignalInstance
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.store import StoredMessage
from app.core.store_export import SPEAKERS
from app.ui import theme
from app.ui.code_blocks import COPY_SCHEME, CodeHighlighter, code_blocks
from app.ui.markdown_stream import IncrementalMarkdown

PAGE = 40  # messages built at a time when a conversation is opened


class _AutoHeightBrowser(QTextBrowser):
    """A read-only Markdown block as tall as its text (the scroll area scrolls, not each message)."""

    def __init__(self) -> None:
        super().__init__()
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._fit)
        self.highlighter = CodeHighlighter(self.document(), theme.is_dark())

    def set_markdown(self, text: str) -> None:
        self.document().setMarkdown(text)
        self.highlighter.rehighlight()

    def _fit(self) -> None:
        self.document().setTextWidth(self.viewport().width())
        self.setFixedHeight(int(self.document().size().height()) + 6)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit()


class MessageWidget(QFrame):
    copy_requested = Signal(int)
    regenerate_requested = Signal(int)
    edit_requested = Signal(int)
    branch_requested = Signal(int)  # message id of the sibling to show

    def __init__(self, message: StoredMessage, siblings: list[int]) -> None:
        super().__init__()
        self.message = message
        self.setObjectName(f"message-{message.role}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._reasoning = message.reasoning
        self._content = message.content
        self._started = time.monotonic()
        self._thought_s: float | None = None
        self.header = QLabel()
        self.reasoning_toggle = QToolButton()
        self.reasoning_toggle.setCheckable(True)
        self.reasoning_toggle.setAccessibleName("Show reasoning")
        self.reasoning_toggle.toggled.connect(self._toggle_reasoning)
        self.reasoning_view = _AutoHeightBrowser()
        self.reasoning_view.setAccessibleName("Reasoning")
        self.content_view = _AutoHeightBrowser()
        self.content_view.setAccessibleName(f"{SPEAKERS[message.role]} message")
        self.content_view.anchorClicked.connect(self._link)
        self._markdown = IncrementalMarkdown(self.content_view.document(), self.content_view.highlighter)
        buttons = QHBoxLayout()
        buttons.addWidget(self.header)
        buttons.addStretch(1)
        if len(siblings) > 1:
            index = siblings.index(message.id)
            for label, target, name in (("‹", index - 1, "Previous version"), ("›", index + 1, "Next version")):
                nav = QToolButton()
                nav.setText(label)
                nav.setAccessibleName(name)
                nav.setEnabled(0 <= target < len(siblings))
                nav.clicked.connect(lambda _=False, t=target: self.branch_requested.emit(siblings[t]))
                buttons.addWidget(nav)
                if label == "‹":
                    self.branch_label = QLabel(f"{index + 1}/{len(siblings)}")
                    buttons.addWidget(self.branch_label)
        for text, signal in (("Copy", self.copy_requested), *self._actions()):
            button = QToolButton()
            button.setText(text)
            button.setAccessibleName(text)
            button.clicked.connect(lambda _=False, s=signal: s.emit(self.message.id))
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.reasoning_toggle)
        layout.addWidget(self.reasoning_view)
        layout.addWidget(self.content_view)
        self.redraw(final=message.status != "partial")

    def _actions(self) -> list[tuple[str, SignalInstance]]:
        if self.message.role == "assistant":
            return [("Regenerate", self.regenerate_requested)]
        if self.message.role == "user":
            return [("Edit", self.edit_requested)]
        return []

    def append(self, kind: str, text: str) -> None:
        if kind == "reasoning":
            self._reasoning += text
        else:
            if not self._content and self._thought_s is None:
                self._thought_s = time.monotonic() - self._started
                self.reasoning_toggle.setChecked(False)  # collapse once the answer starts
            self._content += text

    @property
    def content(self) -> str:
        return self._content

    def redraw(self, final: bool = False, status: str | None = None) -> None:
        """Re-render this message only."""
        status = status or self.message.status
        # Partial, cancelled or failed answers are marked.
        mark = " — answering…" if not final else "" if status == "complete" else f" — {status}"
        self.header.setText(f"<b>{SPEAKERS[self.message.role]}</b>{mark}")
        has_reasoning = bool(self._reasoning.strip())
        self.reasoning_toggle.setVisible(has_reasoning)
        if has_reasoning:
            if self._thought_s is not None:
                thought = f"Thought for {self._thought_s:.0f} s"
            else:
                thought = "Reasoning" if final else "Thinking…"  # a stored answer: its duration is unknown
            arrow = "▾ " if self.reasoning_toggle.isChecked() else "▸ "
            self.reasoning_toggle.setText(arrow + (thought if final or self._content else "Thinking…"))
            if self.reasoning_toggle.isChecked():
                self.reasoning_view.set_markdown(self._reasoning)
        self.reasoning_view.setVisible(has_reasoning and self.reasoning_toggle.isChecked())
        if final:
            self._markdown.finish(self._content)
        else:
            self._markdown.update(self._content)  # only the unfinished paragraph is rendered again

    def _toggle_reasoning(self, shown: bool) -> None:
        self.reasoning_view.setVisible(shown)
        if shown:
            self.reasoning_view.set_markdown(self._reasoning)
        self.redraw(final=self.message.status != "partial")

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._content)

    def copy_code(self, number: int) -> None:
        """Copy one code block, as the model wrote it (not the rendered, decorated text)."""
        blocks = code_blocks(self._content)
        if 0 <= number < len(blocks):
            QGuiApplication.clipboard().setText(blocks[number].code)

    def _link(self, url: QUrl) -> None:
        if url.scheme() == COPY_SCHEME:
            self.copy_code(int(url.path()) if url.path().isdigit() else -1)
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)  # the user clicked it; Hearth itself never fetches it


class ChatView(QScrollArea):
    """The active branch of a conversation."""

    regenerate_requested = Signal(int)
    edit_requested = Signal(int)
    branch_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setAccessibleName("Conversation")
        self._inner = QWidget()
        self._layout = QVBoxLayout(self._inner)
        self.earlier = QPushButton()
        self.earlier.setAccessibleName("Show earlier messages")
        self.earlier.clicked.connect(self.show_earlier)
        self._layout.addWidget(self.earlier)
        self._layout.addStretch(1)
        self.setWidget(self._inner)
        self.widgets: list[MessageWidget] = []
        self.renders = 0  # how many message renders happened (tests check streaming re-renders one message)
        self._messages: list[StoredMessage] = []
        self._first_shown = 0
        self._siblings_of: Callable[[int], list[int]] = lambda message_id: [message_id]

    def show_thread(self, messages: list[StoredMessage], siblings_of: Callable[[int], list[int]]) -> None:
        """Show the last PAGE messages; older ones are built only when asked for, so a long
        conversation opens as fast as a short one."""
        for widget in self.widgets:
            widget.setParent(None)
            widget.deleteLater()
        self.widgets = []
        self._messages, self._siblings_of = messages, siblings_of
        self._first_shown = max(0, len(messages) - PAGE)
        for message in messages[self._first_shown :]:
            self._add(message, siblings_of(message.id))
        self._update_earlier()
        self._scroll_to_end()

    def append_messages(self, messages: list[StoredMessage], siblings_of: Callable[[int], list[int]]) -> None:
        """A new question and its answer: add their widgets, leave the others as they are."""
        for message in messages:
            self._messages.append(message)
            self._add(message, siblings_of(message.id))
        self._scroll_to_end()

    def show_earlier(self) -> None:
        start = max(0, self._first_shown - PAGE)
        for offset, message in enumerate(self._messages[start : self._first_shown]):
            self._add(message, self._siblings_of(message.id), position=offset)
        self._first_shown = start
        self._update_earlier()

    def _update_earlier(self) -> None:
        hidden = self._first_shown
        self.earlier.setVisible(hidden > 0)
        self.earlier.setText(f"Show {min(PAGE, hidden)} earlier messages ({hidden} not shown)")

    def _add(self, message: StoredMessage, siblings: list[int], position: int | None = None) -> MessageWidget:
        widget = MessageWidget(message, siblings)
        widget.copy_requested.connect(lambda _id, w=widget: w.copy())
        widget.regenerate_requested.connect(self.regenerate_requested)
        widget.edit_requested.connect(self.edit_requested)
        widget.branch_requested.connect(self.branch_requested)
        if position is None:
            self._layout.insertWidget(self._layout.count() - 1, widget)
            self.widgets.append(widget)
        else:
            self._layout.insertWidget(1 + position, widget)  # after the "earlier" button
            self.widgets.insert(position, widget)
        return widget

    def last(self, role: str) -> MessageWidget | None:
        return next((w for w in reversed(self.widgets) if w.message.role == role), None)

    def streaming_widget(self) -> MessageWidget | None:
        return self.widgets[-1] if self.widgets and self.widgets[-1].message.status == "partial" else None

    def append(self, kind: str, text: str) -> None:
        widget = self.streaming_widget()
        if widget is not None:
            widget.append(kind, text)

    def refresh_streaming(self) -> None:
        """After an event batch: re-render the streaming message, nothing else."""
        widget = self.streaming_widget()
        if widget is not None:
            widget.redraw()
            self.renders += 1
            self._scroll_to_end()

    def finish(self, status: str) -> None:
        widget = self.streaming_widget()
        if widget is not None:
            widget.message.status = status
            widget.redraw(final=True, status=status)

    def _scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
