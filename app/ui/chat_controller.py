"""The window's adapter to the chat session: session calls in, Qt signals out.

Everything that decides something (which model may load, which settings
apply, what is stored and with which status) is the :class:`ChatSession`'s,
in core.  This class only turns the session's events into signals on the UI
thread: tokens through the batching :class:`EventBridge`, everything else
through :mod:`app.ui.tasks`.  Tokens are routed by the message they belong
to, so opening another conversation while an answer streams shows neither
answer in the wrong place; coming back picks the answer up where it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.core.chat.choice import LoadResult
from app.core.chat.remote_choice import RemoteModel
from app.core.chat.session import ChatSession
from app.core.chat.turn import Turn, TurnEnded, TurnEvent
from app.core.engine.base import SamplingParams
from app.core.engine.events import PromptProgress, ReasoningDelta
from app.core.engine.load_types import LoadedModel, LoadOptions
from app.core.errors import HearthError
from app.core.models.registry import Installed
from app.core.store.database import Store, StoredMessage
from app.core.store.threads import LazyThread
from app.ui import tasks
from app.ui.bridge import EventBridge
from app.ui.i18n import error_text

HOLD_SECONDS = 0.3  # the longest a new turn's decoding waits for the window to show it
_engine_libraries_kept = False  # per process, as the imports are


class ChatController(QObject):
    thread_changed = Signal()  # the shown branch changed: re-render the whole view
    appended = Signal(object)  # list[StoredMessage] added at the end of the shown branch
    answer_started = Signal(int)  # message id of the streaming answer
    delta = Signal(str, str)  # "reasoning" | "content", text of the answer that is shown
    prompt_progress = Signal(int, int)  # tokens of the shown answer's prompt read so far, and in all
    batch_shown = Signal()  # a batch's text reached the view: the streaming message redraws (timed with it)
    answer_finished = Signal(object, bool)  # TurnEnded (of any conversation), whether it was the one shown
    model_changed = Signal(object, object)  # LoadedModel (None: a remote engine answers), Installed | None
    model_failed = Signal(str)  # a load was refused or failed: why
    load_progress = Signal(float)  # how far the model being loaded is, 0.0-1.0
    notices = Signal(object)  # list[str]: warnings to keep visible until read
    failed = Signal(str)
    conversations_changed = Signal()
    _next_turn = Signal(object)  # a step run on a later event-loop turn, after what is already queued

    def __init__(self, session: ChatSession) -> None:
        super().__init__()
        self.session = session
        session.on_load_progress = self.load_progress.emit  # called on the engine's thread: queued to the UI
        self.bridge = EventBridge()
        self.bridge.events.connect(self._on_events_timed)
        self._next_turn.connect(self._run_step, Qt.ConnectionType.QueuedConnection)
        # A queued call posted while the event loop delivers posted events runs in that same
        # delivery, with no turn in between; a zero timer runs after the loop's next look for input.
        self._after_input = QTimer(self, singleShot=True, interval=0)
        self._after_input.setObjectName("after-input")
        self._after_input.timeout.connect(self._run_after_input)
        self._steps_after_input: list[Callable[[], object]] = []
        self._shown: tuple[int, int, int] | None = None  # (message id, reasoning chars, content chars) on screen
        self.view_busy: Callable[[], bool] = lambda: False  # the window is still building messages (it sets this)
        tasks.prepare()

    # -- what the window reads -------------------------------------------------------
    @property
    def store(self) -> Store:
        assert self.session.store is not None, "the window always has a store"
        return self.session.store

    @store.setter
    def store(self, store: Store) -> None:
        self.session.store = store

    @property
    def params(self) -> SamplingParams:
        return self.session.params

    @params.setter
    def params(self, params: SamplingParams) -> None:
        self.session.params = params

    @property
    def options(self) -> LoadOptions:
        return self.session.options

    @property
    def conversation_id(self) -> int | None:
        return self.session.conversation_id

    @property
    def loaded(self) -> LoadedModel | None:
        return self.session.loaded

    @property
    def model(self) -> Installed | None:
        return self.session.model.installed if self.session.model else None

    @property
    def remote(self) -> RemoteModel | None:
        return self.session.remote

    @property
    def ready(self) -> bool:
        return self.session.ready

    @property
    def loading(self) -> bool:
        return self.session.loading

    @property
    def busy(self) -> bool:
        return self.session.busy

    @property
    def streaming_id(self) -> int | None:
        return self.session.streaming_id

    def apply_settings(self) -> list[str]:
        """Use the saved settings from now on (the session applies the policy); notices to show."""
        notices, reload = self.session.apply_settings()
        if reload is not None:
            self._watch_load(reload, self.model)
        return notices

    # -- model -------------------------------------------------------------------------
    def load(self, target: Installed | Path | str | None, *, switching: bool = False) -> Future[LoadResult]:
        future: Future[LoadResult] = self.session.load(target, switching=switching)
        self._watch_load(future, target if isinstance(target, Installed) else None)
        return future

    def _watch_load(self, future: Future[LoadResult], item: Installed | None) -> None:
        def loaded(result: LoadResult) -> None:
            global _engine_libraries_kept
            if not _engine_libraries_kept:
                # The first load imported the engine's libraries (llama.cpp's bindings and what they
                # use) on the engine's thread; they stay for the app's life.  Left young, their
                # ~16,000 objects made the next one-second collection a 10-11 ms stall, inside the
                # first answer's first frames (bench/ui_stall.py).
                _engine_libraries_kept = True
                tasks.keep_for_good()
            if result.notices:
                self.notices.emit(list(result.notices))
            self.model_changed.emit(result.loaded, result.model.installed or item)

        tasks.when_done(future, loaded, lambda error: self.model_failed.emit(_text(error)))

    # -- conversations -------------------------------------------------------------------
    def new_conversation(self) -> None:
        self.session.new_conversation()
        self.thread_changed.emit()

    def open_conversation(self, conversation_id: int) -> None:
        self.session.open_conversation(conversation_id)
        self.thread_changed.emit()

    def active_thread(self) -> Sequence[StoredMessage]:
        """The open branch (its messages read as the view reaches them); an answer that is
        streaming shows its live text, and the pieces that arrive from now on continue it."""
        thread = self.session.thread()
        self._shown = None
        live_id = self.session.streaming_id
        ids = thread.ids if isinstance(thread, LazyThread) else [m.id for m in thread]
        if live_id is not None and live_id in ids:
            message = thread[ids.index(live_id)]
            live = self.session.live_text(message.id)
            if live is not None:
                message.reasoning, message.content = live
                message.status = "partial"
            self._shown = (message.id, len(message.reasoning), len(message.content))
        return thread

    def delete_message(self, message_id: int) -> None:
        self.session.delete_message(message_id)
        self.thread_changed.emit()
        self.conversations_changed.emit()

    def replies_to(self, message_id: int) -> int:
        """How many messages were built on this one (deleted with it)."""
        return self.store.replies_to(message_id) if self.store is not None else 0

    def select_branch(self, message_id: int) -> None:
        if self.busy or self.conversation_id is None:
            return
        self.session.select_branch(message_id)
        self.thread_changed.emit()

    # -- turns ---------------------------------------------------------------------------
    def send(self, text: str) -> bool:
        """Ask ``text`` after the active branch; False when it cannot be sent now."""
        if self.busy or not self.ready or not text.strip():
            return False
        grows = self.conversation_id is not None
        if not self._begin(lambda: self.session.ask(text, self.bridge.on_event), grows):
            return False
        self._next_turn.emit(self.conversations_changed.emit)  # the sidebar lists it a turn later still
        return True

    def regenerate(self, answer_id: int) -> bool:
        """A new answer to the same question, as a sibling of ``answer_id``."""
        return self._start(lambda: self.session.regenerate(answer_id, self.bridge.on_event))

    def edit_and_resend(self, question_id: int, text: str) -> bool:
        """A changed question, as a sibling of ``question_id``, and its answer."""
        if not text.strip():
            return False
        return self._start(lambda: self.session.edit(question_id, text, self.bridge.on_event))

    def continue_answer(self, answer_id: int) -> bool:
        """Go on writing a truncated, interrupted or stopped answer."""
        return self._start(lambda: self.session.continue_answer(answer_id, self.bridge.on_event))

    def stop(self) -> None:
        self.session.cancel()

    def _start(self, begin: Any) -> bool:
        if self.busy or not self.ready:
            return False
        return self._begin(begin, grows=False)

    def _begin(self, begin: Any, grows: bool) -> bool:
        """Start a turn and show it on the next event-loop turn: a click then costs one frame for
        asking (the store's writes, the prompt) and another for building the messages, not both
        at once.  The showing is queued before the turn starts, so it comes before its first tokens.

        The engine's worker waits (at most ``HOLD_SECONDS``) until the new messages are built and
        painted, and until the window has built the rest of a conversation just opened
        (:attr:`view_busy`): the prompt's evaluation would otherwise fill every core while the
        window builds them, and the building would take two or three times as long (a slice of
        a 2,000-message conversation's widgets stalled the window 30-60 ms instead of 10)."""
        started: list[Turn] = []
        painted = threading.Event()
        self.session.worker.call(lambda _engine: painted.wait(HOLD_SECONDS))

        def release() -> None:  # on an idle turn, after the paint the showing asked for
            if self.view_busy() and not painted.is_set():
                self.bridge.when_idle(release)  # still building the conversation's messages: the next idle turn
            else:
                painted.set()

        def show() -> None:
            if started:
                self._show_started(started[0], grows)
            self._next_turn.emit(lambda: self.bridge.when_idle(release))

        self._steps_after_input.append(show)  # the click's own frame ends first (a queued call did not end it)
        self._after_input.start()
        turn = self._run(begin)
        if turn is None:
            painted.set()
            return False
        started.append(turn)
        return True

    def _run_step(self, step: Callable[[], object]) -> None:
        step()

    def _run_after_input(self) -> None:
        steps, self._steps_after_input = self._steps_after_input, []
        for step in steps:
            step()

    def _run(self, begin: Any) -> Turn | None:
        try:
            turn: Turn = begin()
        except HearthError as exc:
            self.failed.emit(error_text(exc))
            return None
        return turn

    def _show_started(self, turn: Turn, grows: bool) -> None:
        """``grows``: the shown branch only gets longer (a new question), so the view appends two
        messages instead of being rebuilt."""
        assert turn.message_id is not None
        if grows and turn.question_id is not None:
            self._shown = (turn.message_id, 0, 0)
            self.appended.emit([self.store.message(turn.question_id), self.store.message(turn.message_id)])
        else:
            self.thread_changed.emit()  # active_thread() notes the streaming answer
        self.answer_started.emit(turn.message_id)

    def _on_events_timed(self, batch: list[TurnEvent]) -> None:
        self._on_events(batch)
        self.bridge.shown()  # the bridge paces the next batch by what the UI thread spent since the last
        self._next_turn.emit(self.bridge.drawn)  # queued behind the paint this batch posted: then decoding goes on

    def _on_events(self, batch: list[TurnEvent]) -> None:
        """A batch (~30 ms of tokens): consecutive pieces of the same kind for the shown answer reach
        the view as one ``delta``; pieces of an answer that is not shown are dropped (the session has
        stored them)."""
        runs: list[tuple[str, list[str]]] = []
        ended: list[TurnEnded] = []
        for item in batch:
            event = item.event
            if isinstance(event, TurnEnded):
                ended.append(event)
                continue
            shown = self._shown
            if shown is None or shown[0] != item.message_id:
                continue
            if isinstance(event, PromptProgress):
                self.prompt_progress.emit(event.done, event.total)
                continue
            kind = "reasoning" if isinstance(event, ReasoningDelta) else "content"
            have = shown[1] if kind == "reasoning" else shown[2]
            total = item.reasoning_chars if kind == "reasoning" else item.content_chars
            text = event.text[max(0, len(event.text) - (total - have)) :] if total > have else ""
            self._shown = (shown[0], max(shown[1], item.reasoning_chars), max(shown[2], item.content_chars))
            if not text:
                continue
            if runs and runs[-1][0] == kind:
                runs[-1][1].append(text)
            else:
                runs.append((kind, [text]))
        for kind, texts in runs:
            self.delta.emit(kind, "".join(texts))
        if runs:
            self.batch_shown.emit()
        for end in ended:
            on_screen = self._shown is not None and self._shown[0] == end.message_id
            if on_screen:
                self._shown = None
            self.answer_finished.emit(end, on_screen)
            self._next_turn.emit(self.conversations_changed.emit)  # the list's refresh in a turn of its own

    def showing_stream(self) -> bool:
        """Whether the answer being written is the one on screen."""
        return self._shown is not None

    def shutdown(self) -> None:
        """Quitting: stop a running answer (the session stores what came), close the model."""
        self.session.shutdown()


def _text(error: BaseException) -> str:
    return error_text(error)
