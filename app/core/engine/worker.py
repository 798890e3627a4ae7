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
from typing import Any

from app.core.engine.base import Continuation, LogitsProcessor, Message, SamplingParams
from app.core.engine.events import GenerationEvent, GenerationSummary
from app.core.engine.llama import Engine, LoadedModel, LoadOptions

log = logging.getLogger(__name__)

EventCallback = Callable[[GenerationEvent], None]
_STOP = object()


class EngineWorker:
    def __init__(self, engine: Engine | None = None) -> None:
        self._engine = engine or Engine()  # holds no model yet; loads happen on the worker
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

    def unload(self) -> Future[None]:
        return self._submit(lambda engine: engine.close())

    def cancel(self) -> None:
        """Stop the running turn within a token (or mid-prompt); safe from any thread."""
        self._engine.request_cancel()

    def shutdown(self, timeout: float | None = 30.0) -> None:
        """Cancel what runs, close the model, end the thread."""
        self.cancel()
        self._queue.put(_STOP)
        self._thread.join(timeout)

    # -- worker thread -------------------------------------------------------
    def _submit(self, fn: Callable[[Engine], Any]) -> Future[Any]:
        if not self._thread.is_alive():
            raise RuntimeError("the engine worker has shut down")
        future: Future[Any] = Future()
        self._queue.put((fn, future))
        return future

    def _run(self) -> None:
        engine = self._engine
        while True:
            item = self._queue.get()
            if item is _STOP:
                break
            fn, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(engine))
            except BaseException as exc:  # handed to the caller, who decides how to show it
                future.set_exception(exc)
        engine.close()
