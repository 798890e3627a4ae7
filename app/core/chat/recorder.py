"""Persist an answer while it streams, so a crash loses at most half a second.

The assistant message is written (status ``partial``) before the first token
arrives.  Deltas are appended in memory by the engine's thread (the session
records there, never behind a client's event loop); a flusher thread with its
own database connection writes the text at most ``WRITE_WITHIN`` of
``interval`` after the oldest piece not yet saved arrived (0.4 s of 0.5 s by
default: a fixed tick would let a piece wait a whole tick plus the write, which
is how a kill -9 once lost 1.01 s), and touches the row at least every
``HEARTBEAT_S`` while nothing comes (a long prompt evaluation), so a row that
stays ``partial`` without a touch for ``STALE_AFTER_S`` belongs to a process
that died: the next start marks it ``interrupted``.  ``finish`` writes the
final text, status and statistics.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from app.core.engine.events import ContentDelta, GenerationSummary, ReasoningDelta, StopReason
from app.core.store.database import Store, StoredMessage
from app.core.store.upkeep import HEARTBEAT_S

FLUSH_INTERVAL_S = 0.5
WRITE_WITHIN = 0.8  # of the interval: the rest is the write's own time (a few ms with the derived key)
STATUS = {
    StopReason.EOS: "complete",
    StopReason.LENGTH: "truncated",  # budget or context used up: the answer can be continued
    StopReason.CANCELLED: "cancelled",
    StopReason.ERROR: "error",
}
CONTINUABLE = ("truncated", "interrupted", "cancelled")  # cut short: generation can go on after the text


STATUS_WORDS = {  # how a client names an answer's end, next to the answer ("" for a complete one)
    "complete": "",
    "truncated": "cut off at the length limit",
    "cancelled": "stopped",
    "interrupted": "interrupted (Hearth was closed while it was written)",
    "error": "failed",
    "partial": "answering…",
}


def status_words(status: str, words: Callable[[str], str] = str) -> str:
    """What to say about an answer with ``status``: one mapping, so every client says the same
    (``words``: a client's translation of the phrase)."""
    phrase = STATUS_WORDS.get(status, status)
    return words(phrase) if phrase else phrase


def can_continue(status: str) -> bool:
    """Whether an answer with ``status`` can be continued (the window shows Continue for these)."""
    return status in CONTINUABLE


def status_for(summary: GenerationSummary) -> str:
    """The stored status of an answer that ended with ``summary`` (the one mapping, for every client)."""
    return STATUS[summary.stop_reason]


class StreamRecorder:
    def __init__(
        self, store: Store, message_id: int, *, content: str = "", reasoning: str = "", interval: float = FLUSH_INTERVAL_S
    ) -> None:
        self.store = store
        self.interval = interval
        self.message_id = message_id
        self._content: list[str] = [content] if content else []
        self._reasoning: list[str] = [reasoning] if reasoning else []
        self._started = time.monotonic()
        self.thought_s: float | None = None
        self._dirty = False
        self._unsaved_since = 0.0  # when the oldest piece not yet written arrived
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()  # the first unsaved piece arrived: start its deadline
        self._error: BaseException | None = None
        self.finished_status: str | None = None
        self._thread = threading.Thread(target=self._run, name="hearth-store-flush", daemon=True)
        self._thread.start()

    @classmethod
    def start(
        cls, store: Store, conversation_id: int, parent_id: int | None, interval: float = FLUSH_INTERVAL_S, **fields: Any
    ) -> StreamRecorder:
        """A new, empty answer under ``parent_id``."""
        message_id = store.add_message(conversation_id, "assistant", "", parent_id=parent_id, status="partial", **fields)
        return cls(store, message_id, interval=interval)

    @classmethod
    def resume(cls, store: Store, message: StoredMessage, interval: float = FLUSH_INTERVAL_S) -> StreamRecorder:
        """Go on writing an answer that was cut short (truncated, interrupted, stopped)."""
        store.update_message(message.id, status="partial", error=None)
        return cls(store, message.id, content=message.content, reasoning=message.reasoning, interval=interval)

    def add_content(self, text: str) -> None:
        with self._lock:
            if not self._content and self._reasoning and self.thought_s is None:
                self.thought_s = time.monotonic() - self._started  # the reasoning ended, the answer begins
            self._content.append(text)
            self._mark_dirty()

    def add(self, event: ReasoningDelta | ContentDelta) -> None:
        """Record a streamed piece of the answer, reasoning or content."""
        if isinstance(event, ReasoningDelta):
            self.add_reasoning(event.text)
        else:
            self.add_content(event.text)

    def add_reasoning(self, text: str) -> None:
        with self._lock:
            self._reasoning.append(text)
            self._mark_dirty()

    def _mark_dirty(self) -> None:
        """Under the lock: a piece arrived; the first since the last write starts the deadline."""
        if not self._dirty:
            self._dirty = True
            self._unsaved_since = time.monotonic()
            self._wake.set()

    def promote_reasoning(self) -> None:
        """The model never closed its think block: what it wrote there is the answer."""
        with self._lock:
            text = "".join(self._reasoning).strip()
            self._reasoning, self._content = [], [text]
            self.thought_s = None
            self._mark_dirty()

    def text(self) -> tuple[str, str]:
        """(reasoning, content) recorded so far; any thread."""
        with self._lock:
            return "".join(self._reasoning), "".join(self._content)

    def _snapshot(self) -> tuple[str, str] | None:
        with self._lock:
            if not self._dirty:
                return None
            self._dirty = False
            return "".join(self._content), "".join(self._reasoning)

    def _next_write(self, last_write: float) -> float:
        """When the flusher must write next: the unsaved text's deadline, else the heartbeat."""
        with self._lock:
            if self._dirty:
                return self._unsaved_since + self.interval * WRITE_WITHIN
        return last_write + HEARTBEAT_S

    def _run(self) -> None:
        last_write = time.monotonic()
        try:
            while not self._stop.is_set():
                self._wake.clear()  # before reading the deadline: a piece arriving after it wakes the wait
                wait = self._next_write(last_write) - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)  # a first unsaved piece (an earlier deadline) or finish() ends it
                    continue
                snapshot = self._snapshot()
                now = time.monotonic()
                if snapshot is None and now - last_write < HEARTBEAT_S:
                    continue
                try:
                    if snapshot is not None:
                        self.store.update_message(self.message_id, content=snapshot[0], reasoning=snapshot[1])
                    else:
                        self.store.update_message(self.message_id)  # heartbeat: this writer is alive
                    last_write = now
                except BaseException as exc:  # reported by finish(); streaming goes on
                    self._error = exc
        finally:
            self.store.close_thread()  # one answer, one thread: its connection ends with it

    def finish(self, summary: GenerationSummary | None = None, status: str | None = None) -> str:
        """Write the whole answer with its final status and statistics; returns the status."""
        self._stop.set()
        self._wake.set()
        self._thread.join()
        with self._lock:
            content, reasoning = "".join(self._content), "".join(self._reasoning)
        fields: dict[str, Any] = {"content": content, "reasoning": reasoning}
        if self.thought_s is not None:
            fields["thought_s"] = round(self.thought_s, 3)
        final = status or (status_for(summary) if summary is not None else "partial")
        fields["status"] = final
        if summary is not None:
            fields.update(
                prompt_tokens=summary.prompt_tokens,
                completion_tokens=summary.completion_tokens,
                tokens_per_s=summary.tokens_per_s,
                ttft_s=summary.ttft_s,
                error=summary.error,
            )
        self.store.update_message(self.message_id, **fields)
        self.finished_status = final
        if self._error is not None:
            raise self._error
        return final
