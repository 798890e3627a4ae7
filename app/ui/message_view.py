"""The conversation view: one widget per message, Markdown rendered per message.

Why one widget per message: while an answer streams, only that message's
widget re-renders (at most once per event batch, ~30 ms), however long the
conversation is.  DeepSeek's reasoning sits in a collapsible "Thinking…"
section that becomes "Thought for N s" and collapses when the answer starts.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

from PySide6.QtCore import QSizeF, Qt, QTimer, QUrl, Signal, SignalInstance
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

from app.core.chat.recorder import can_continue
from app.core.store.database import StoredMessage
from app.core.store.export import SPEAKERS, answered_by
from app.ui import theme
from app.ui.code_blocks import COPY_SCHEME, CodeHighlighter, code_blocks, warm_styles
from app.ui.markdown_stream import IncrementalMarkdown

EMPTY_TEXT = (
    "<h2>Ask anything.</h2><p>The model runs on this computer: what you type never leaves it.</p>"
    "<p>Enter sends · Shift+Enter for a new line · F1 lists the keyboard shortcuts</p>"
)
# Questions on a tinted card, answers on the page; the palette keeps both readable in light and dark.
MESSAGE_STYLE = """
QFrame#message-user { background: palette(alternate-base); border: 1px solid palette(mid); border-radius: 8px; }
QFrame#message-assistant, QFrame#message-system { border: none; }
QFrame#message-user QTextBrowser, QFrame#message-assistant QTextBrowser { background: transparent; }
"""
PAGE = 40  # messages built at a time when a conversation is opened
SLICE_SECONDS = 0.004  # longest time spent building messages before the event loop gets a turn


class _AutoHeightBrowser(QTextBrowser):
    """A read-only Markdown block as tall as its text (the scroll area scrolls, not each message).

    The height follows the document layout's own size notifications, so an edit, a streamed
    piece or the highlighter's colouring of many lines costs one layout, not one per change.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self.highlighter = CodeHighlighter(self.document(), theme.is_dark())

    def set_markdown(self, text: str) -> None:
        self.document().setMarkdown(text)
        self.highlighter.rehighlight()

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
        self.toggle.setCheckable(True)
        self.toggle.setChecked(streaming)
        self.toggle.setAccessibleName("Show reasoning")
        self.view = _AutoHeightBrowser()
        self.view.setAccessibleName("Reasoning")
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
        timed = f"Thought for {self.thought_s:.0f} s" if self.thought_s is not None else ""
        title = timed or ("Reasoning" if final else "Thinking…")  # a stored answer: its duration is unknown
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


class MessageWidget(QFrame):
    copy_requested = Signal(int)
    regenerate_requested = Signal(int)
    continue_requested = Signal(int)
    edit_requested = Signal(int)
    delete_requested = Signal(int)
    branch_requested = Signal(int)  # message id of the sibling to show

    def __init__(self, message: StoredMessage, siblings: list[int]) -> None:
        super().__init__()
        self.message = message
        self.setObjectName(f"message-{message.role}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._content = message.content
        self.header = QLabel()
        self.reading = ""  # how far a long prompt has been read, until the answer begins
        self.reasoning: ReasoningSection | None = None  # built when there is reasoning to show
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
        self.continue_button: QToolButton | None = None
        for text, signal in (("Copy", self.copy_requested), *self._actions(), ("Delete", self.delete_requested)):
            button = QToolButton()
            button.setText(text)
            button.setAccessibleName(text)
            button.clicked.connect(lambda _=False, s=signal: s.emit(self.message.id))
            buttons.addWidget(button)
            if text == "Continue":
                self.continue_button = button
        self._layout = QVBoxLayout(self)
        self._layout.addLayout(buttons)
        self._layout.addWidget(self.content_view)
        if message.reasoning.strip():
            self._add_reasoning(message.reasoning)
        self.redraw(final=message.status != "partial")

    def text_views(self) -> list[QTextBrowser]:
        """The documents a find looks in: the answer, and its reasoning when it is open."""
        views: list[QTextBrowser] = [self.content_view]
        if self.reasoning is not None and self.reasoning.toggle.isChecked():
            views.insert(0, self.reasoning.view)
        return views

    def _actions(self) -> list[tuple[str, SignalInstance]]:
        if self.message.role == "assistant":
            return [("Continue", self.continue_requested), ("Regenerate", self.regenerate_requested)]
        if self.message.role == "user":
            return [("Edit", self.edit_requested)]
        return []

    def _add_reasoning(self, text: str) -> ReasoningSection:
        self.reasoning = ReasoningSection(text, streaming=self.message.status == "partial")
        self.reasoning.thought_s = self.message.thought_s  # stored answers know how long they thought
        self._layout.insertWidget(1, self.reasoning)
        return self.reasoning

    def append(self, kind: str, text: str) -> None:
        if kind == "reasoning":
            if self.reasoning is None:
                self._add_reasoning("")
            assert self.reasoning is not None
            self.reasoning.text += text
        else:
            if self.reasoning is not None and not self._content:
                self.reasoning.answer_started()  # collapse once the answer starts
            self._content += text

    @property
    def content(self) -> str:
        return self._content

    def redraw(self, final: bool = False, status: str | None = None) -> None:
        """Re-render this message only."""
        status = status or self.message.status
        # Partial, cancelled or failed answers are marked.
        answering = f" — {self.reading}" if self.reading and not self._content else " — answering…"
        mark = answering if not final else "" if status == "complete" else f" — {status}"
        where = ""
        if self.message.engine and self.message.model_id:  # computed elsewhere: say where, quietly
            who = html.escape(answered_by(self.message.model_id, None, self.message.engine))
            where = f" <span style='color: gray'>· {who}</span>"
        self.header.setText(f"<b>{SPEAKERS[self.message.role]}</b>{where}{mark}")
        if self.continue_button is not None:  # only an answer cut short can go on (the core says which)
            self.continue_button.setVisible(final and can_continue(status))
        if self.reasoning is not None and self.reasoning.text.strip():
            self.reasoning.redraw(final or bool(self._content))
        if final:
            self._markdown.finish(self._content)
        else:
            self._markdown.update(self._content)  # only the unfinished paragraph is rendered again

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
    """The active branch of a conversation.

    Opening a conversation builds its newest messages first and older ones in small slices on
    later turns of the event loop (at most ``SLICE_SECONDS`` each), so the window keeps drawing
    frames however long the conversation is.  The view sticks to the bottom while the reader
    is there (a streaming answer stays in sight) and otherwise keeps their place, also while
    older messages are being added above it.
    """

    regenerate_requested = Signal(int)
    continue_requested = Signal(int)
    edit_requested = Signal(int)
    delete_requested = Signal(int)
    branch_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setAccessibleName("Conversation")
        warm_styles()
        self._inner = QWidget()
        self._layout = QVBoxLayout(self._inner)
        self.earlier = QPushButton()
        self.earlier.setAccessibleName("Show earlier messages")
        self.earlier.clicked.connect(self.show_earlier)
        self._layout.addWidget(self.earlier)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No messages yet")
        self._layout.addWidget(self.empty, 1)
        self._layout.addStretch(1)
        self.setStyleSheet(MESSAGE_STYLE)
        self.setWidget(self._inner)
        self.widgets: list[MessageWidget] = []
        self.renders = 0  # how many message renders happened (tests check streaming re-renders one message)
        self._messages: list[StoredMessage] = []
        self._first_shown = 0  # index of the oldest message that has a widget
        self._first_wanted = 0  # index of the oldest message that should have one
        self._siblings_of: Callable[[int], list[int]] = lambda message_id: [message_id]
        self._builder = QTimer(self)
        self._builder.setSingleShot(True)
        self._builder.timeout.connect(self._build_older)
        self._from_bottom = 0  # the reader's distance from the bottom, in pixels
        self._growing_above = False  # history is being added above the reader (not text below)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(lambda value: setattr(self, "_from_bottom", bar.maximum() - value))
        bar.rangeChanged.connect(self._range_changed)

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        bar = self.verticalScrollBar()
        if self._from_bottom == 0 or self._growing_above:
            bar.setValue(maximum - self._from_bottom)  # at the bottom: stay; history added above: keep the place
        else:
            self._from_bottom = maximum - bar.value()  # the text grew below the reader: leave them where they are

    @property
    def building(self) -> bool:
        return self._first_shown > self._first_wanted

    def show_thread(self, messages: list[StoredMessage], siblings_of: Callable[[int], list[int]]) -> None:
        """Show the last PAGE messages, newest first; older ones are built only when asked for,
        so a long conversation opens as fast as a short one."""
        for widget in self.widgets:
            widget.setParent(None)
            widget.deleteLater()
        self.widgets = []
        self.empty.setVisible(not messages)
        self._messages, self._siblings_of = messages, siblings_of
        self._first_shown = len(messages)
        self._first_wanted = max(0, len(messages) - PAGE)
        self._scroll_to_end()
        self._growing_above = True
        self._build_older(SLICE_SECONDS / 2)  # this turn also fetched the messages

    def append_messages(self, messages: list[StoredMessage], siblings_of: Callable[[int], list[int]]) -> None:
        """A new question and its answer: add their widgets, leave the others as they are."""
        for message in messages:
            self._messages.append(message)
            self._add(message, siblings_of(message.id))
        self._growing_above = False
        self._scroll_to_end()

    def show_earlier(self) -> None:
        self._first_wanted = max(0, self._first_wanted - PAGE)
        self._growing_above = True
        self._build_older()

    def _build_older(self, budget: float = SLICE_SECONDS) -> None:
        """Add widgets above the oldest one until the slice's time is up; the rest comes next turn."""
        deadline = time.perf_counter() + budget
        while self.building:
            self._first_shown -= 1
            message = self._messages[self._first_shown]
            self._add(message, self._siblings_of(message.id), position=0)
            if time.perf_counter() > deadline:
                break
        if self.building:
            self._builder.start(0)
        self._update_earlier()

    def _update_earlier(self) -> None:
        hidden = self._first_wanted
        self.earlier.setVisible(hidden > 0 and not self.building)
        self.earlier.setText(f"Show {min(PAGE, hidden)} earlier messages ({hidden} not shown)")

    def _add(self, message: StoredMessage, siblings: list[int], position: int | None = None) -> MessageWidget:
        self.empty.hide()
        widget = MessageWidget(message, siblings)
        widget.copy_requested.connect(lambda _id, w=widget: w.copy())
        widget.regenerate_requested.connect(self.regenerate_requested)
        widget.continue_requested.connect(self.continue_requested)
        widget.edit_requested.connect(self.edit_requested)
        widget.delete_requested.connect(self.delete_requested)
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
            self._growing_above = False  # the answer grows below: a reader at the bottom follows it

    def show_prompt_progress(self, done: int, total: int) -> None:
        """The model is still reading a long prompt: say how far it got, in the streaming message."""
        widget = self.streaming_widget()
        if widget is not None:
            widget.reading = f"reading the conversation… {done * 100 // max(total, 1)} %"
            widget.redraw()

    def finish(self, status: str) -> None:
        widget = self.streaming_widget()
        if widget is not None:
            widget.message.status = status
            widget.redraw(final=True, status=status)

    def _scroll_to_end(self) -> None:
        self._from_bottom = 0
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
