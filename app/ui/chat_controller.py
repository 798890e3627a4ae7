"""The chat logic of the window, without widgets: engine, store and branches.

The view calls these methods on the UI thread and listens to the signals.
The engine runs on its worker thread (tokens arrive batched through
:class:`EventBridge`); the answer is persisted while it streams by
:class:`StreamRecorder` (its own thread and connection), so the UI thread only
does small, fast writes (a user message, a branch switch).
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.engine import LoadedModel, LoadOptions, Message, SamplingParams
from app.core.errors import HearthError
from app.core.events import GenerationEvent, GenerationSummary, ReasoningDelta, StopReason
from app.core.policy import Policy
from app.core.registry import Installed
from app.core.store import Store, StoredMessage
from app.core.store_session import ConversationRecorder
from app.core.store_stream import StreamRecorder
from app.core.worker import EngineWorker
from app.ui.bridge import EventBridge


class _Relay(QObject):
    """Hands worker-thread results to the UI thread."""

    loaded = Signal(object, object)  # LoadedModel | Exception, Installed | None
    chat_failed = Signal(object)  # the exception of an answer that could not start


class ChatController(QObject):
    thread_changed = Signal()  # the shown branch changed: re-render the whole view
    appended = Signal(object)  # list[StoredMessage] added at the end of the shown branch
    answer_started = Signal(int)  # message id of the streaming answer
    delta = Signal(str, str)  # "reasoning" | "content", text
    answer_finished = Signal(object)  # GenerationSummary
    model_changed = Signal(object, object)  # LoadedModel, Installed | None
    failed = Signal(str)
    conversations_changed = Signal()

    def __init__(self, worker: EngineWorker, store: Store, params: SamplingParams | None = None) -> None:
        super().__init__()
        self.worker, self.store = worker, store
        self.params = params or SamplingParams()
        self.options = LoadOptions()
        self.system_prompt = ""
        self.conversation_id: int | None = None
        self.model: Installed | None = None
        self.loaded: LoadedModel | None = None
        self.loading = False
        self.streaming: StreamRecorder | None = None
        self._parent: int | None = None
        self.bridge = EventBridge()
        self.bridge.events.connect(self._on_events)
        self._relay = _Relay()
        self._relay.loaded.connect(self._on_loaded)
        self._relay.chat_failed.connect(self._on_chat_failed)

    def apply_settings(self, values: dict[str, Any], rules: Policy) -> list[str]:
        """Use saved settings from now on (policy limits applied); returns notices to show."""
        notices = []
        self.params = replace(
            self.params,
            temperature=float(values["temperature"]),
            top_p=float(values["top_p"]),
            max_tokens=int(values["max_tokens"]),
        )
        n_ctx, notice = rules.cap("max_context", int(values["context"]))
        gpu_layers, _ = rules.cap_gpu_layers(values["gpu_layers"])
        notices += [notice] if notice else []
        options = LoadOptions(n_ctx=n_ctx, gpu_layers=gpu_layers, n_threads=values["threads"])
        reload = options != self.options and self.loaded is not None
        self.options = options
        self.system_prompt = str(values["system_prompt"] or "")
        if reload and not self.busy:
            self.load(self.model)
            notices.append("The model is reloaded with the new context and hardware settings.")
        return notices

    # -- model -------------------------------------------------------------
    def load(self, item: Installed | None, path: str | None = None) -> Future[LoadedModel]:
        target = str(item.path) if item is not None else str(path)
        self.loading = True
        future = self.worker.load(target, self.options)
        future.add_done_callback(lambda f: self._relay.loaded.emit(f.exception() or f.result(), item))
        return future

    def _on_loaded(self, result: object, item: Installed | None) -> None:
        self.loading = False
        if isinstance(result, Exception):
            self.failed.emit(str(result))
            return
        assert isinstance(result, LoadedModel)
        self.loaded, self.model = result, item
        if self.conversation_id is not None and item is not None:
            self.store.update_conversation(self.conversation_id, model_id=item.model_id, quant=item.quant)
        self.model_changed.emit(result, item)

    # -- conversations -------------------------------------------------------
    def new_conversation(self) -> None:
        self.conversation_id, self._parent = None, None
        self.thread_changed.emit()

    def open_conversation(self, conversation_id: int) -> None:
        self.conversation_id = conversation_id
        self._parent = self.store.get_conversation(conversation_id).active_leaf
        self.thread_changed.emit()

    def active_thread(self) -> list[StoredMessage]:
        return self.store.thread(self.conversation_id) if self.conversation_id is not None else []

    # -- turns ---------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.streaming is not None

    def send(self, text: str) -> bool:
        """Ask ``text`` after the active branch; False when it cannot be sent now."""
        if self.busy or self.loaded is None or not text.strip():
            return False
        recorder = self._recorder()
        recorder.user(text)
        new = self.conversation_id is None
        if new:
            self.conversation_id = recorder.conversation_id
        self._parent = recorder.parent
        self.conversations_changed.emit()
        self._answer(recorder, grows=not new)
        return True

    def regenerate(self, answer_id: int) -> bool:
        """A new answer to the same question, as a sibling of ``answer_id``."""
        if self.busy or self.loaded is None:
            return False
        answer = self.store.message(answer_id)
        self._parent = answer.parent_id
        recorder = self._recorder()
        self._answer(recorder)
        return True

    def edit_and_resend(self, question_id: int, text: str) -> bool:
        """A changed question, as a sibling of ``question_id``, and its answer."""
        if self.busy or self.loaded is None or not text.strip():
            return False
        question = self.store.message(question_id)
        self._parent = question.parent_id
        recorder = self._recorder()
        recorder.user(text)
        self._parent = recorder.parent
        self._answer(recorder)
        return True

    def select_branch(self, message_id: int) -> None:
        if self.busy or self.conversation_id is None:
            return
        self.store.select_branch(message_id)
        self.open_conversation(self.conversation_id)

    def stop(self) -> None:
        if self.busy:
            self.worker.cancel()

    def _recorder(self) -> ConversationRecorder:
        model_id = self.model.model_id if self.model else (self.loaded.info.name if self.loaded else None)
        quant = self.model.quant if self.model else None
        recorder = ConversationRecorder(self.store, self.conversation_id, model_id, quant, self.system_prompt or None)
        recorder.parent = self._parent
        return recorder

    def _answer(self, recorder: ConversationRecorder, grows: bool = False) -> None:
        """Start the answer to the question ``recorder.parent``.  ``grows``: the shown branch only
        gets longer (a new question), so the view appends two messages instead of being rebuilt.
        The history is read on the engine's thread (a long conversation costs the UI nothing)."""
        question = recorder.parent
        assert question is not None
        self.streaming = recorder.start_answer()
        self._parent = self.streaming.message_id
        if grows:
            self.appended.emit([self.store.message(question), self.store.message(self.streaming.message_id)])
        else:
            self.thread_changed.emit()  # the question and the (empty, streaming) answer appear at once
        self.answer_started.emit(self.streaming.message_id)
        store, conversation_id, system = self.store, self.conversation_id, self.system_prompt
        assert conversation_id is not None

        def history() -> list[Message]:
            start = [Message("system", system)] if system else []
            return start + [Message(m.role, m.content, m.reasoning) for m in store.thread(conversation_id, leaf=question)]

        future = self.worker.chat(history, self.params, on_event=self.bridge.on_event)
        future.add_done_callback(self._check_chat)

    def _check_chat(self, future: Future[GenerationSummary]) -> None:
        """On the worker thread: an answer that failed before its summary is reported to the UI."""
        error = future.exception()
        if error is not None:
            self._relay.chat_failed.emit(error)

    def _on_chat_failed(self, error: BaseException) -> None:
        """The answer could not start (the question does not fit the context, the store failed):
        mark it as failed, say why, and leave the app ready for the next question."""
        stream = self.streaming
        if stream is None:
            return
        text = str(error) if isinstance(error, HearthError) else f"The answer failed: {error}"
        summary = GenerationSummary(0, 0, 0, 0.0, 0.0, 0.0, StopReason.ERROR, 0, error=text)
        stream.finish(summary)
        self.streaming = None
        self.answer_finished.emit(summary)
        self.failed.emit(text)

    def _on_events(self, batch: list[GenerationEvent]) -> None:
        """A batch of events (~30 ms of tokens): consecutive pieces of the same kind reach the
        view as one ``delta``, so a fast model costs a few signals per batch, not one per token."""
        stream = self.streaming
        if stream is None:
            return
        runs: list[tuple[str, list[str]]] = []
        summary: GenerationSummary | None = None
        for event in batch:
            if isinstance(event, GenerationSummary):
                summary = event  # always the last event of an answer
                continue
            stream.add(event)
            kind = "reasoning" if isinstance(event, ReasoningDelta) else "content"
            if runs and runs[-1][0] == kind:
                runs[-1][1].append(event.text)
            else:
                runs.append((kind, [event.text]))
        for kind, texts in runs:
            self.delta.emit(kind, "".join(texts))
        if summary is not None:
            stream.finish(summary)
            self.streaming = None
            self.answer_finished.emit(summary)
            self.conversations_changed.emit()

    def shutdown(self) -> None:
        """Quitting: stop a running answer, save what came, close the model."""
        if self.streaming is not None:
            self.worker.cancel()
            stream, self.streaming = self.streaming, None
            stream.finish(status="cancelled")
        self.worker.shutdown()
