"""The conversation view: one widget per message, Markdown rendered per message.

Why one widget per message: while an answer streams, only that message's
widget re-renders (at most once per event batch, ~30 ms), however long the
conversation is.  DeepSeek's reasoning sits in a collapsible "Thinking…"
section that becomes "Thought for N s" and collapses when the answer starts.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QEnterEvent, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.chat.recorder import can_continue, status_words
from app.core.store.database import StoredMessage
from app.core.store.export import SPEAKERS, answered_by
from app.ui.code_blocks import COPY_SCHEME, code_blocks, warm_styles
from app.ui.i18n import core, tr
from app.ui.markdown_stream import IncrementalMarkdown
from app.ui.message_parts import ActionRow, AutoHeightBrowser, ReasoningSection
from app.ui.style import MAX_COLUMN


def empty_text() -> str:
    return (
        f"<h1 style='font-weight: 600'>{tr('Ask anything.')}</h1>"
        f"<p style='color: gray'>{tr('The model runs on this computer: what you type never leaves it.')}</p>"
        "<p style='color: gray; font-size: small'>"
        + tr("Enter sends · Shift+Enter for a new line · F1 lists the keyboard shortcuts")
        + "</p>"
    )


FIRST_PAGE = 12  # messages built when a conversation is opened, and each time the reader nears the top
PAGE = 40  # messages built by a click on "Show earlier messages"
SLICE_SECONDS = 0.004  # longest time spent building messages before the event loop gets a turn


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
        self._pinned = False
        self.router: ChatView | None = None  # the view that hears this message's actions
        self.header = QLabel()
        self.reading = ""  # how far a long prompt has been read, until the answer begins
        self.reasoning: ReasoningSection | None = None  # built when there is reasoning to show
        self.content_view = AutoHeightBrowser()
        self.content_view.setAccessibleName(tr("{speaker} message").format(speaker=core(SPEAKERS[message.role])))
        self.content_view.anchorClicked.connect(self._link)
        self._markdown = IncrementalMarkdown(self.content_view.document(), self.content_view.highlighter)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.header)
        row.addStretch(1)
        if len(siblings) > 1:
            index = siblings.index(message.id)
            for label, target, name in (("‹", index - 1, tr("Previous version")), ("›", index + 1, tr("Next version"))):
                nav = QToolButton()
                nav.setText(label)
                nav.setAccessibleName(name)
                nav.setToolTip(name)
                nav.setEnabled(0 <= target < len(siblings))
                nav.clicked.connect(lambda _=False, t=target: self._request("branch_requested", siblings[t]))
                row.addWidget(nav)
                if label == "‹":
                    self.branch_label = QLabel(f"{index + 1}/{len(siblings)}")
                    self.branch_label.setObjectName("muted")
                    row.addWidget(self.branch_label)
        self._header_row = row
        self._action_row: ActionRow | None = None  # built on the first hover (opening 40 messages stays quick)
        self._can_continue = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(*((14, 8, 14, 10) if message.role == "user" else (6, 6, 6, 6)))
        self._layout.setSpacing(4)
        self._layout.addLayout(row)
        self._layout.addWidget(self.content_view)
        self._error_label: QLabel | None = None  # built for a failed answer only
        if message.reasoning.strip():
            self._add_reasoning(message.reasoning)
        self.redraw(final=message.status != "partial")

    @property
    def action_row(self) -> ActionRow:
        """The message's actions, built when first needed: the pointer comes over the message,
        it is the newest answer, or someone asks for a button."""
        if self._action_row is None:
            self._action_row = ActionRow()
            for text, name in (("Copy", "copy_requested"), *self._actions(), ("Delete", "delete_requested")):
                self._action_row.add(text, partial(self._request, name, self.message.id))
            continuing = self._action_row.buttons.get("Continue")
            if continuing is not None:
                continuing.setVisible(self._can_continue)
            self._action_row.setVisible(False)  # until the pointer is over the message
            self._header_row.addWidget(self._action_row)
        return self._action_row

    @property
    def continue_button(self) -> QToolButton | None:
        return self.action_row.buttons.get("Continue")

    @property
    def error_label(self) -> QLabel:
        """Why an answer failed, said in the answer itself."""
        if self._error_label is None:
            self._error_label = QLabel()
            self._error_label.setObjectName("error")
            self._error_label.setWordWrap(True)
            self._error_label.setAccessibleName(tr("Why the answer failed"))
            self._error_label.hide()
            self._layout.insertWidget(self._layout.indexOf(self.content_view) + 1, self._error_label)
        return self._error_label

    def enterEvent(self, event: QEnterEvent) -> None:
        self.action_row.setVisible(True)
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._action_row is not None:
            self._action_row.setVisible(self.pinned_actions)
        super().leaveEvent(event)

    @property
    def pinned_actions(self) -> bool:
        """The newest finished answer keeps its actions in sight (Copy, Regenerate are what comes next)."""
        return self._pinned

    def pin_actions(self, pinned: bool) -> None:
        self._pinned = pinned
        if pinned or self._action_row is not None:
            self.action_row.setVisible(pinned or self.underMouse())

    def text_views(self) -> list[QTextBrowser]:
        """The documents a find looks in: the answer, and its reasoning when it is open."""
        views: list[QTextBrowser] = [self.content_view]
        if self.reasoning is not None and self.reasoning.toggle.isChecked():
            views.insert(0, self.reasoning.view)
        return views

    def _actions(self) -> list[tuple[str, str]]:
        if self.message.role == "assistant":
            return [("Continue", "continue_requested"), ("Regenerate", "regenerate_requested")]
        if self.message.role == "user":
            return [("Edit", "edit_requested")]
        return []

    def _request(self, name: str, message_id: int) -> None:
        """An action was clicked: the message's own signal, then the view's of the same name.  The
        view is told directly instead of through six connections per message (PySide6's connect
        costs ~0.3 ms each, and a new question builds two messages on the UI thread)."""
        if name == "copy_requested":
            self.copy()
        getattr(self, name).emit(message_id)
        if self.router is not None and name != "copy_requested":
            getattr(self.router, name).emit(message_id)

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
        answering = f" — {self.reading}" if self.reading and not self._content else f" — {status_words('partial', core)}"
        mark = answering if not final else "" if status == "complete" else f" — {status_words(status, core)}"
        where = ""
        if self.message.engine and self.message.model_id:  # computed elsewhere: say where, quietly
            who = html.escape(answered_by(self.message.model_id, None, self.message.engine))
            where = f" <span style='color: gray'>· {who}</span>"
        speaker = core(SPEAKERS[self.message.role])
        name = f"<span style='color: gray'>{speaker}</span>" if self.message.role == "user" else f"<b>{speaker}</b>"
        self.header.setText(f"{name}{where}{mark}")
        self.content_view.setVisible(bool(self._content) or not final)  # a failed answer may have no text
        failed = final and status == "error"
        if failed:
            self.error_label.setText(self.message.error or tr("The answer failed."))
        if failed or self._error_label is not None:
            self.error_label.setVisible(failed)
        self._can_continue = final and can_continue(status)  # only an answer cut short can go on (core says which)
        continuing = self._action_row.buttons.get("Continue") if self._action_row is not None else None
        if continuing is not None:
            continuing.setVisible(self._can_continue)
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


def warm_message_widgets() -> None:
    """Build one message off screen and throw it away, on an idle turn after start-up.  The
    first message built in a process paid ~30 ms of one-time costs (PySide6 creates its Python
    enums on first use, Qt's text layout and style caches fill) inside the turn that sends the
    first question; here they are paid while nothing streams."""
    sample = StoredMessage(
        id=0, conversation_id=0, parent_id=None, role="assistant", content="Warm **up**:\n\n```python\nx = 1\n```",
        reasoning="Thinking first.", status="complete", created_at=0, updated_at=0,
    )  # fmt: skip
    widget = MessageWidget(sample, [0])
    widget.action_row  # noqa: B018  (built for its one-time costs too)
    widget.deleteLater()


class ChatView(QScrollArea):
    """The active branch of a conversation.

    Opening a conversation builds its newest messages (``FIRST_PAGE``) in small slices on the
    next turns of the event loop (at most ``SLICE_SECONDS`` each), so the window keeps drawing
    frames however long the conversation is; older ones are built as the reader scrolls up to
    them, or a page at a time from the "Show earlier messages" button.  (A message's widget costs
    ~3 ms to build and ~1.5 ms to lay out: the 40 built at first before took ~200 ms of slices,
    each a frame's worth, and an answer asked meanwhile competed with them for the cores.)
    The view sticks to the bottom while the reader is there (a streaming answer stays in sight)
    and otherwise keeps their place, also while older messages are being added above it.
    """

    regenerate_requested = Signal(int)
    continue_requested = Signal(int)
    edit_requested = Signal(int)
    delete_requested = Signal(int)
    branch_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setAccessibleName(tr("Conversation"))
        self.setObjectName("conversation")  # the style sheet's page colour
        warm_styles()
        self._inner = QWidget()
        self._layout = QVBoxLayout(self._inner)
        self.earlier = QPushButton()
        self.earlier.setAccessibleName(tr("Show earlier messages"))
        self.earlier.clicked.connect(lambda: self.show_earlier())
        self._layout.addWidget(self.earlier)
        self.empty = QLabel(empty_text())
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName(tr("No messages yet"))
        self._layout.addWidget(self.empty, 1)
        self._layout.addStretch(1)
        self.setWidget(self._inner)
        self.widgets: list[MessageWidget] = []
        self.renders = 0  # how many message renders happened (tests check streaming re-renders one message)
        self._messages: Sequence[StoredMessage] = []
        self._first_shown = 0  # index of the oldest message that has a widget
        self._first_wanted = 0  # index of the oldest message that should have one
        self._siblings_of: Callable[[int], list[int]] = lambda message_id: [message_id]
        self._builder = QTimer(self)
        self._builder.setObjectName("message-builder")
        self._builder.setSingleShot(True)
        self._builder.timeout.connect(self._build_older)
        # Pinning builds an action row: done on the next turn, not in this one.
        self._pinner = QTimer(self)
        self._pinner.setObjectName("action-pinner")
        self._pinner.setSingleShot(True)
        self._pinner.timeout.connect(self._pin_now)
        self._from_bottom = 0  # the reader's distance from the bottom, in pixels
        self._growing_above = False  # history is being added above the reader (not text below)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(lambda value: setattr(self, "_from_bottom", bar.maximum() - value))
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(self._near_top)
        bar.rangeChanged.connect(self._near_top)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The conversation is one centred column of at most ``MAX_COLUMN`` pixels: lines stay
        short enough to read on a wide window.  Its width does not depend on whether the scroll
        bar is shown (the room for it is kept free while it is hidden): when a streaming answer
        first outgrows the view, a narrower column would lay out every message again at once."""
        bar = self.verticalScrollBar()
        shown = bar.isVisibleTo(self)
        room = 0 if shown else bar.sizeHint().width()
        usable = event.size().width() - room
        side = max(12, (usable - MAX_COLUMN) // 2)
        self._layout.setContentsMargins(side, 16, side + room, 16)
        super().resizeEvent(event)

    def _pin_newest(self) -> None:
        """Only the newest answer keeps its actions in sight; the others show them on hover.
        Building the newest answer's action row costs a few milliseconds, so it waits for the next
        event-loop turn instead of lengthening the one that added or finished the message."""
        self._pinner.start(0)

    def _pin_now(self) -> None:
        newest = self.last("assistant")
        for widget in self.widgets:
            pinned = widget is newest and widget.message.status != "partial"
            if widget.pinned_actions != pinned:
                widget.pin_actions(pinned)

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        bar = self.verticalScrollBar()
        if self._from_bottom == 0 or self._growing_above:
            bar.setValue(maximum - self._from_bottom)  # at the bottom: stay; history added above: keep the place
        else:
            self._from_bottom = maximum - bar.value()  # the text grew below the reader: leave them where they are

    @property
    def building(self) -> bool:
        return self._first_shown > self._first_wanted

    def show_thread(self, messages: Sequence[StoredMessage], siblings_of: Callable[[int], list[int]]) -> None:
        """Show the newest ``FIRST_PAGE`` messages; older ones are built only when the reader
        scrolls up to them or asks, so a long conversation opens as fast as a short one."""
        for widget in self.widgets:  # hidden now, destroyed on a later turn (setParent(None) cost 0.6 ms each)
            widget.hide()
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.widgets = []
        self.empty.setVisible(not messages)
        self._messages, self._siblings_of = messages, siblings_of
        self._first_shown = len(messages)
        self._first_wanted = max(0, len(messages) - FIRST_PAGE)
        self._scroll_to_end()
        self._growing_above = True
        # Built from the next event-loop turn on: this one read the branch and dropped the old
        # widgets (a click on a 2,000-message conversation cost 11 ms before the first widget).
        self._update_earlier()
        if self.building:
            self._builder.start(0)

    def append_messages(self, messages: list[StoredMessage], siblings_of: Callable[[int], list[int]]) -> None:
        """A new question and its answer: add their widgets, leave the others as they are."""
        for message in messages:  # built now: not added to the older ones still to build
            self._add(message, siblings_of(message.id))
        self._pin_newest()
        self._growing_above = False
        self._scroll_to_end()

    def show_earlier(self, count: int = PAGE) -> None:
        self._first_wanted = max(0, self._first_wanted - count)
        self._growing_above = True
        self._build_older()

    def _near_top(self, *_changed: int) -> None:
        """The reader is within half a screen of the oldest message built: build the ones above."""
        if self._first_wanted > 0 and not self.building and self.verticalScrollBar().value() < self.viewport().height() // 2:
            self.show_earlier(FIRST_PAGE)

    def _build_older(self, budget: float = SLICE_SECONDS) -> None:
        """Add widgets above the oldest one while the next is expected to fit in the slice's time
        (by what the ones built so far cost); the rest comes next turn."""
        began, built = time.perf_counter(), 0
        while self.building:
            self._first_shown -= 1
            message = self._messages[self._first_shown]
            self._add(message, self._siblings_of(message.id), position=0)
            built += 1
            spent = time.perf_counter() - began
            if spent + spent / built > budget:
                break
        if self.building:
            self._builder.start(0)
        else:
            self._pin_newest()
            # Pages that do not fill a tall view leave the scroll range at 0..0: no range or value
            # change would say the reader is at the top, so that is checked once the layout is done.
            QTimer.singleShot(0, self, self._near_top)
        self._update_earlier()

    def _update_earlier(self) -> None:
        hidden = self._first_wanted
        self.earlier.setVisible(hidden > 0 and not self.building)
        self.earlier.setText(
            tr("Show {count} earlier messages ({hidden} not shown)").format(count=min(PAGE, hidden), hidden=hidden)
        )

    def _add(self, message: StoredMessage, siblings: list[int], position: int | None = None) -> MessageWidget:
        self.empty.hide()
        widget = MessageWidget(message, siblings)
        widget.router = self
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

    def _unbuilt_answer(self) -> StoredMessage | None:
        """The streaming answer of a branch just opened, before its widget is built (on the next
        turn): what arrives meanwhile goes into the message the widget will be built from."""
        if self.widgets or not self.building or self._first_shown != len(self._messages):
            return None
        newest = self._messages[-1]
        return newest if newest.status == "partial" else None

    def append(self, kind: str, text: str) -> None:
        widget = self.streaming_widget()
        if widget is not None:
            widget.append(kind, text)
        elif (waiting := self._unbuilt_answer()) is not None:
            if kind == "reasoning":
                waiting.reasoning += text
            else:
                waiting.content += text

    def refresh_streaming(self) -> None:
        """After an event batch: re-render the streaming message, nothing else."""
        widget = self.streaming_widget()
        if widget is not None:
            widget.redraw()
            self.renders += 1
            self._growing_above = False  # the answer grows below: a reader at the bottom follows it
            self._settle_layout()

    def _settle_layout(self) -> None:
        """Lay out the grown message and scroll now, before Qt paints: otherwise the paint the
        text change asked for comes first and the new height (posted as a layout request) paints
        the whole view a second time, doubling what each batch costs the decoding threads."""
        for _level in range(5):  # each level posts its parent's: reasoning section, message, column, scroll area
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def show_prompt_progress(self, done: int, total: int) -> None:
        """The model is still reading a long prompt: say how far it got, in the streaming message."""
        widget = self.streaming_widget()
        if widget is not None:
            widget.reading = tr("reading the conversation… {percent} %").format(percent=done * 100 // max(total, 1))
            widget.redraw()

    def finish(self, status: str, error: str | None = None) -> None:
        widget = self.streaming_widget()
        if widget is None and (waiting := self._unbuilt_answer()) is not None:
            waiting.status, waiting.error = status, error  # built as it ended
        if widget is not None:
            widget.message.status = status
            widget.message.error = error
            widget.redraw(final=True, status=status)
        self._pin_newest()

    def _scroll_to_end(self) -> None:
        self._from_bottom = 0
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
