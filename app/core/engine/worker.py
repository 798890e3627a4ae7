"""The one thread that owns the engine.

``Llama`` objects are not thread-safe, and a GUI thread must never block on a
model load or a token.  So every engine operation is a request on a queue,
run in order by a single worker thread; results come back as
``concurrent.futures.Future`` objects and streamed events through a callback
(called on the worker thread: the GUI turns it into a queued Qt signal, the
CLI into a ``queue.Queue``).  :meth:`cancel` is the only call that reaches
into a running request, and it only sets a flag.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from app.core.engine.base import Continuation, LogitsProcessor, Message, SamplingParams
from app.core.engine.events import GenerationEvent, GenerationSummary
from app.core.engine.load_types import LoadedModel, LoadOptions

if TYPE_CHECKING:
    from app.core.engine.llama import Engine

log = logging.getLogger(__name__)

EventCallback = Callable[[GenerationEvent], None]
_STOP = object()


class EngineWorker:
    def __init__(self, engine: Engine | None = None) -> None:
        # The engine (llama-cpp-python, NumPy, Jinja: ~250 ms of imports) is made on the worker
        # thread when the first request comes, not by whoever starts the worker (the window's launch).
        self._engine: Engine | None = engine
        self._made_lock = threading.Lock()
        self._setup: Callable[[Engine], Any] | None = None  # the latest configure() before the engine was made
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="hearth-engine", daemon=True)
        self._thread.start()

    # -- requests (any thread) ----------------------------------------------
    def load(self, path: str, options: LoadOptions = LoadOptions(), **kwargs: Any) -> Future[LoadedModel]:
        return self._submit(lambda engine: engine.load(path, options, **kwargs))

    def chat(
        self,
        messages: Sequence[Message] | Callable[[], Sequence[Message]],
        params: SamplingParams = SamplingParams(),
        on_event: EventCallback | None = None,
        logits_processor: LogitsProcessor | None = None,
        continuation: Continuation | None = None,
        cache_key: str | None = None,
    ) -> Future[GenerationSummary]:
        """One answer.  ``messages`` may be a function that returns them: it is called here, on
        the worker thread, so reading a long history from the store does not hold up the caller
        (the UI thread).  An error before the first event comes back through the future."""
        snapshot = messages if callable(messages) else list(messages)  # the caller may keep editing its list

        def run(engine: Engine) -> GenerationSummary:
            summary = None
            history = list(snapshot()) if callable(snapshot) else snapshot
            for event in engine.chat(
                history, params, logits_processor=logits_processor, continuation=continuation, cache_key=cache_key
            ):
                if on_event is not None:
                    on_event(event)
                if isinstance(event, GenerationSummary):
                    summary = event
            assert summary is not None
            return summary

        return self._submit(run)

    def call(self, fn: Callable[[Engine], Any]) -> Future[Any]:
        """Run ``fn(engine)`` on the worker thread, in turn with loads and answers."""
        return self._submit(fn)

    def configure(self, fn: Callable[[Engine], Any]) -> None:
        """Apply a setting to the engine on the worker thread: in turn with the queue when the
        engine exists, else right after it is made (the latest such setting only), so that
        settings read at launch do not make the engine before a model is loaded."""
        with self._made_lock:
            if self._engine is None:
                self._setup = fn
                return
        self._submit(fn)

    def call_without_engine(self, fn: Callable[[], Any]) -> Future[Any]:
        """Run ``fn()`` on the worker thread, in turn with the queue, without making the engine."""
        return self._submit(fn, needs_engine=False)

    def unload(self) -> Future[None]:
        return self._submit(lambda engine: engine.close())

    def cancel(self) -> None:
        """Stop the running turn within a token (or mid-prompt); safe from any thread."""
        engine = self._engine
        if engine is not None:  # none yet: nothing runs
            engine.request_cancel()

    def shutdown(self, timeout: float | None = 30.0) -> None:
        """Cancel what runs, close the model, end the thread."""
        self.cancel()
        self._queue.put(_STOP)
        self._thread.join(timeout)

    # -- worker thread -------------------------------------------------------
    def _submit(self, fn: Callable[..., Any], needs_engine: bool = True) -> Future[Any]:
        if not self._thread.is_alive():
            raise RuntimeError("the engine worker has shut down")
        future: Future[Any] = Future()
        self._queue.put((fn, future, needs_engine))
        return future

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                break
            fn, future, needs_engine = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(self._made()) if needs_engine else fn())
            except BaseException as exc:  # handed to the caller, who decides how to show it
                future.set_exception(exc)
        if self._engine is not None:
            self._engine.close()

    def _made(self) -> Engine:
        if self._engine is None:
            from app.core.engine.llama import Engine

            engine = Engine()  # holds no model yet
            with self._made_lock:
                self._engine, setup, self._setup = engine, self._setup, None
            if setup is not None:
                setup(engine)
        return self._engine
