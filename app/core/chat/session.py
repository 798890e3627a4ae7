"""One conversation as it happens, the same for every client.

A :class:`ChatSession` owns the product's rules for a turn: which model may be
loaded (through :mod:`.gate`), which settings apply (locks and caps from
:mod:`app.core.privacy.locks`), what history the model sees, how the answer is
stored while it streams and what status it ends with.  Clients (the window,
``hearth chat``, the coming local API) call ``ask``/``regenerate``/``edit``/
``continue_answer``/``load`` and only show the :class:`TurnEvent` objects they
get back.

Recording happens on the engine's thread, before a client sees an event: a
window that is busy drawing cannot delay what is written to the store, so the
crash promise (at most half a second of text lost) does not depend on the UI.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from app.core.chat import thinking as modes
from app.core.chat.branches import Branches
from app.core.chat.choice import ModelChoice, ModelSlot
from app.core.chat.conversation_settings import ConversationSettingsChoice
from app.core.chat.gate import ApprovedModel
from app.core.chat.recorder import StreamRecorder, can_continue, status_for
from app.core.chat.snapshots import configure_snapshots, remove_snapshot_files
from app.core.chat.thinking_choice import ThinkingChoice
from app.core.chat.turn import Turn, TurnCallback, TurnEnded, TurnEvent, failed_summary
from app.core.engine.base import THINKING_LEVELS, ChatEngine, Continuation, LogitsProcessor, Message, SamplingParams
from app.core.engine.events import (
    ContentDelta,
    GenerationEvent,
    GenerationSummary,
    PromptProgress,
    ReasoningDelta,
    cancelled_summary,
)
from app.core.engine.load_types import LoadOptions
from app.core.engine.worker import EngineWorker
from app.core.errors import HearthError, NoModelLoadedError
from app.core.models.catalog import Catalog
from app.core.models.registry import Registry
from app.core.privacy.locks import EffectiveSettings, effective
from app.core.sentences import say
from app.core.store.database import Store

if TYPE_CHECKING:
    from app.core.engine.llama import Engine

log = logging.getLogger(__name__)

TITLE_CHARS = 60
STORED_ROLES = ("system", "user", "assistant")


def title_from(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


class SessionBusyError(HearthError):
    """A second answer while one streams (one engine answers one question at a time)."""


class ChatSession(Branches, ConversationSettingsChoice, ThinkingChoice, ModelChoice):
    def __init__(
        self,
        worker: EngineWorker,
        store: Store | None,
        registry: Registry,
        catalog: Catalog,
        overrides: Mapping[str, Any] | None = None,
        slot: ModelSlot | None = None,
    ) -> None:
        self.worker, self.store, self.registry, self.catalog = worker, store, registry, catalog
        self.slot = slot or ModelSlot()
        self._overrides = dict(overrides or {})
        self.params = SamplingParams()
        self.logits_processor: LogitsProcessor | None = None
        self.conversation_id: int | None = None
        self.leaf: int | None = None  # the message the next question follows
        self.loading = False
        self.on_load_progress: Callable[[float], None] | None = None  # a client hears how far a load is
        self._memory: list[Message] = []  # the history when nothing is stored (--no-save)
        self._lock = threading.Lock()
        self._turn: Turn | None = None
        self._running: Turn | None = None  # the turn the engine is working on now
        self._recorder: StreamRecorder | None = None
        self.settings: EffectiveSettings = effective(self._overrides)
        self._use(self.settings)

    def sibling(self, store: Store | None) -> ChatSession:
        """Another session on the same engine and model (the local API beside the window)."""
        return ChatSession(self.worker, store, self.registry, self.catalog, self._overrides, self.slot)

    # -- settings ------------------------------------------------------------------
    def _use(self, values: EffectiveSettings) -> None:
        self.settings = values
        self.params = replace(
            self.params,
            temperature=float(values["temperature"]),
            top_p=float(values["top_p"]),
            max_tokens=int(values["max_tokens"]),
            thinking=str(values["thinking"]),
            thinking_budget=int(values["thinking_budget"]),
        )
        self._follow_model_sampling()
        self.options = LoadOptions(n_ctx=int(values["context"]), gpu_layers=values["gpu_layers"], n_threads=values["threads"])
        self.system_prompt = str(values["system_prompt"] or "")
        if self.store is not None:  # a session without a store (--no-save, some API sessions) leaves them as they are
            self.worker.configure(partial(configure_snapshots, store=self.store, values=values))
            if not values["kv_snapshots_on_disk"]:
                self.worker.call_without_engine(remove_snapshot_files)

    def apply_settings(self) -> tuple[list[str], Any]:
        """Read the settings again (the user saved new ones); returns notices and, when the context
        or hardware settings changed, the future of the reload that applies them."""
        before = self.options
        self._use(effective(self._overrides))
        notices = list(self.settings.notices)
        reload = None
        if self.options != before and isinstance(self.model, ApprovedModel) and not self.busy:
            reload = self.load(self.model.installed or self.model.path)
            notices.append(say("The model is reloaded with the new context and hardware settings."))
        return notices, reload

    # -- conversations -----------------------------------------------------------------
    def new_conversation(self) -> None:
        """The next question starts a conversation, in the default thinking mode."""
        self.conversation_id, self.leaf = None, None
        self._memory = []
        self.params = replace(self.params, thinking=str(self.settings["thinking"]))
        self._default_settings()
        self._follow_model_sampling()

    def open_conversation(self, conversation_id: int) -> None:
        """Follow up in a stored conversation, in the thinking mode and sampling stored with it."""
        store = self._need_store()
        self.conversation_id = conversation_id
        conversation = store.get_conversation(conversation_id)
        self.leaf = conversation.active_leaf
        stored = conversation.settings.get("thinking")
        if stored in THINKING_LEVELS and not self.thinking_locked and "thinking" not in self._overrides:
            self.params = replace(self.params, thinking=stored)
        self._follow_stored_settings(conversation.settings)

    def history(self, conversation_id: int, leaf: int | None) -> list[Message]:
        """What the model sees: the conversation's system prompt, then its branch up to ``leaf``
        (reasoning kept apart; the template leaves it out)."""
        store = self._need_store()
        stored = store.get_conversation(conversation_id).settings
        system = self.system_prompt if self.settings.policy.locked("system_prompt") else stored.get("system", self.system_prompt)
        start = [Message("system", system)] if system else []
        return start + [Message(m.role, m.content, m.reasoning) for m in store.thread(conversation_id, leaf=leaf)]

    # -- turns -------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._turn is not None

    @property
    def streaming_id(self) -> int | None:
        turn = self._turn
        return turn.message_id if turn is not None else None

    def live_text(self, message_id: int) -> tuple[str, str] | None:
        """(reasoning, content) of the answer being written, if ``message_id`` is it."""
        recorder = self._recorder
        return recorder.text() if recorder is not None and recorder.message_id == message_id else None

    def ask(self, text: str, on_event: TurnCallback | None = None) -> Turn:
        """A new question after the current branch, and its answer."""
        self._ready()
        if not text.strip():
            raise HearthError(say("The message is empty."))
        if self.store is None:
            self._memory.append(Message("user", text))
            return self._start(None, None, None, on_event)
        if self.conversation_id is None:
            settings = {
                "system": self.system_prompt,
                "sampling": {"temperature": self.params.temperature, "top_p": self.params.top_p},
                "thinking": self.params.thinking,
            }
            identity = self._identity()
            self.conversation_id = self.store.create_conversation(
                title_from(text), identity[0], identity[1], settings, self._engine_name()
            )
        question = self.store.add_message(self.conversation_id, "user", text, parent_id=self.leaf)
        return self._answer(question, on_event)

    def answer(self, messages: list[Message], params: SamplingParams, on_event: TurnCallback | None = None) -> Turn:
        """An answer to a whole conversation handed over at once (the local API: the client keeps
        the history).  Stored as a new conversation when this session has a store."""
        self._ready()
        if not messages or messages[-1].role != "user":
            raise HearthError(say("The last message must be the user's."))
        if self.store is None:
            self._memory = list(messages)
            return self._start(None, None, None, on_event, params)
        first = next(m.content for m in messages if m.role == "user")
        model_id, quant = self._identity()
        sampling = {"temperature": params.temperature, "top_p": params.top_p}
        self.conversation_id = self.store.create_conversation(
            title_from(first), model_id, quant, {"system": "", "sampling": sampling}, self._engine_name()
        )
        parent: int | None = None
        for message in messages:
            if message.role in STORED_ROLES:  # tool results and calls reach the model, not the store
                parent = self.store.add_message(self.conversation_id, message.role, message.content, parent_id=parent)
        return self._answer(parent, on_event, params, list(messages))

    def regenerate(self, answer_id: int, on_event: TurnCallback | None = None) -> Turn:
        """Another answer to the same question, as a sibling of ``answer_id``."""
        self._ready()
        answer = self._need_store().message(answer_id)
        return self._answer(answer.parent_id, on_event)

    def edit(self, question_id: int, text: str, on_event: TurnCallback | None = None) -> Turn:
        """A changed question, as a sibling of ``question_id``, and its answer."""
        self._ready()
        store = self._need_store()
        old = store.message(question_id)
        question = store.add_message(old.conversation_id, "user", text, parent_id=old.parent_id)
        return self._answer(question, on_event)

    def continue_answer(self, answer_id: int, on_event: TurnCallback | None = None) -> Turn:
        """Go on writing an answer that was cut short (truncated, interrupted, stopped)."""
        self._ready()
        store = self._need_store()
        answer = store.message(answer_id)
        if answer.role != "assistant" or not can_continue(answer.status):
            raise HearthError(
                say(
                    "That answer is {status}; only a truncated, interrupted or stopped answer can be continued.",
                    status=answer.status,
                )
            )
        self.conversation_id = answer.conversation_id
        recorder = StreamRecorder.resume(store, answer)
        store.update_conversation(answer.conversation_id, active_leaf=answer.id)
        self.leaf = answer.id
        return self._start(recorder, answer.parent_id, Continuation(answer.reasoning, answer.content), on_event)

    def cancel(self) -> None:
        """Stop this session's answer within a token (or mid-prompt); what came is kept.  Only this
        session's: another session on the same engine (the window beside the local API) goes on,
        and an answer still waiting for the engine ends before it starts."""
        with self._lock:
            turn = self._turn
            if turn is None:
                return
            turn.cancelled = True
            if self._running is turn:
                self.worker.cancel()
                if self.slot.remote is not None:
                    self.slot.remote.request_cancel()

    def shutdown(self) -> None:
        """Quitting: stop a running answer (it is stored as cancelled), close the model, end the worker."""
        remote = self.slot.remote
        if remote is not None:
            remote.request_cancel()
        self.worker.shutdown()
        if remote is not None:
            remote.close()

    # -- internals ---------------------------------------------------------------------
    def _need_store(self) -> Store:
        if self.store is None:
            raise HearthError(say("This chat is not stored (--no-save), so it has no earlier answers to work on."))
        return self.store

    def _ready(self) -> None:
        if self.busy:
            raise SessionBusyError(say("An answer is being written; stop it or wait for it to end."))
        if not self.ready:
            raise NoModelLoadedError(say("No model is loaded."), say("Choose a model first."))

    def _identity(self) -> tuple[str | None, str | None]:
        if self.model is None:
            return None, None
        return self.model.identity.model_id, self.model.identity.quant or None

    def _engine_name(self) -> str | None:
        remote = self.remote
        return remote.engine if remote is not None else None

    def _answer(
        self,
        question_id: int | None,
        on_event: TurnCallback | None,
        params: SamplingParams | None = None,
        given: list[Message] | None = None,
    ) -> Turn:
        store = self._need_store()
        assert self.conversation_id is not None
        model_id, quant = self._identity()
        recorder = StreamRecorder.start(
            store, self.conversation_id, question_id, model_id=model_id, quant=quant, engine=self._engine_name()
        )
        self.leaf = recorder.message_id
        return self._start(recorder, question_id, None, on_event, params, given)

    def _start(
        self,
        recorder: StreamRecorder | None,
        question_id: int | None,
        continuation: Continuation | None,
        on_event: TurnCallback | None,
        turn_params: SamplingParams | None = None,
        given: list[Message] | None = None,
    ) -> Turn:
        """Run a turn; the history is ``given`` (a client's whole conversation), else the stored branch."""
        conversation_id = self.conversation_id
        turn = Turn(recorder.message_id if recorder else None, question_id, conversation_id)
        if given is not None:
            history: Callable[[], list[Message]] = lambda: given  # noqa: E731
        elif recorder is not None and conversation_id is not None:
            history = lambda: self.history(conversation_id, question_id)  # noqa: E731
        else:
            snapshot = list(self._memory)
            history = lambda: snapshot  # noqa: E731
        params, processor = turn_params or self.params, self.logits_processor
        params = replace(params, thinking=modes.resolve(params.thinking, self.thinking_levels))
        # The engine keeps a stored conversation's KV state when it leaves it, under this name.
        cache_key = self.store.snapshot_key(conversation_id) if self.store and conversation_id is not None else None
        with self._lock:
            self._turn, self._recorder = turn, recorder

        def deliver(event: TurnEvent) -> None:
            if on_event is None:
                return
            try:
                on_event(event)
            except Exception:  # a client's display bug must not lose the answer
                log.exception("a client failed to handle a streamed event")

        def run(engine: Engine) -> TurnEnded:
            reasoning = [continuation.reasoning] if continuation else []
            content = [continuation.content] if continuation else []
            counts = [len(reasoning[0]) if reasoning else 0, len(content[0]) if content else 0]
            summary: GenerationSummary | None = None
            failure: BaseException | None = None
            active: ChatEngine = self.slot.remote or engine  # the slot changes only on this thread
            with self._lock:
                self._running = turn
            try:
                events: Iterable[GenerationEvent]
                if turn.cancelled:  # stopped while it waited for the engine: nothing to generate
                    events = [cancelled_summary()]
                else:
                    events = active.chat(
                        history(), params, logits_processor=processor, continuation=continuation, cache_key=cache_key
                    )
                for event in events:
                    if turn.cancelled:
                        active.request_cancel()  # a cancel that came just as this turn began
                    if isinstance(event, GenerationSummary):
                        summary = event
                        continue
                    if isinstance(event, PromptProgress):  # shown, not stored
                        deliver(TurnEvent(turn.message_id, event, counts[0], counts[1]))
                        continue
                    if recorder is not None:
                        recorder.add(event)
                    kind = 0 if isinstance(event, ReasoningDelta) else 1
                    (reasoning, content)[kind].append(event.text)
                    counts[kind] += len(event.text)
                    deliver(TurnEvent(turn.message_id, event, counts[0], counts[1]))
            except Exception as exc:
                if not isinstance(exc, HearthError):
                    log.exception("the answer failed")
                failure = exc
                summary = failed_summary(str(exc) if isinstance(exc, HearthError) else f"The answer failed: {exc}")
            assert summary is not None, "a generation stream always ends with a summary"
            if failure is None and modes.never_closed(summary, "".join(reasoning), "".join(content)):
                text = "".join(reasoning).strip()
                reasoning, content = [], [text]
                summary = replace(summary, notice=modes.NEVER_CLOSED)
                if recorder is not None:
                    recorder.promote_reasoning()
                deliver(TurnEvent(turn.message_id, ContentDelta(text), counts[0], len(text)))
            status = status_for(summary)
            if recorder is not None:
                try:
                    status = recorder.finish(summary)
                except HearthError as exc:  # the store failed (disk full): the text is still shown
                    summary = replace(summary, error=str(exc))
                except Exception as exc:  # a bug: logged, and the client still hears that the turn ended
                    log.exception("the answer could not be saved")
                    summary = replace(summary, error=f"The answer could not be saved: {exc}")
            ended = TurnEnded(turn.message_id, status, summary, "".join(reasoning), "".join(content), failure)
            if recorder is None:
                self._memory.append(Message("assistant", ended.content, ended.reasoning))
            with self._lock:
                self._turn, self._recorder, self._running = None, None, None
            deliver(TurnEvent(turn.message_id, ended, counts[0], counts[1]))
            turn.future.set_result(ended)
            return ended

        try:
            self.worker.call(run)
        except BaseException:
            with self._lock:
                self._turn, self._recorder = None, None
            if recorder is not None:
                recorder.finish(status="error")
            raise
        return turn
