"""Persist an answer while it streams, so a crash loses at most half a second.

The assistant message is written (status ``partial``) before the first token
arrives.  Deltas are appended in memory; a flusher thread with its own
database connection writes the text whenever it changed, every ``interval``
seconds (0.5 by default), even if no new token comes.  ``finish`` writes the
final text, status and statistics.  A message left ``partial`` after a crash
shows as such on the next start.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from app.core.events import ContentDelta, GenerationSummary, ReasoningDelta, StopReason
from app.core.store import Store

FLUSH_INTERVAL_S = 0.5
STATUS = {StopReason.EOS: "complete", StopReason.LENGTH: "complete", StopReason.CANCELLED: "cancelled", StopReason.ERROR: "error"}


class StreamRecorder:
    def __init__(
        self, store: Store, conversation_id: int, parent_id: int | None, interval: float = FLUSH_INTERVAL_S, **fields: Any
    ) -> None:
        self.store = store
        self.interval = interval
        self.message_id = store.add_message(conversation_id, "assistant", "", parent_id=parent_id, status="partial", **fields)
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._started = time.monotonic()
        self.thought_s: float | None = None
        self._dirty = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="hearth-store-flush", daemon=True)
        self._thread.start()

    def add_content(self, text: str) -> None:
        with self._lock:
            if not self._content and self._reasoning and self.thought_s is None:
                self.thought_s = time.monotonic() - self._started  # the reasoning ended, the answer begins
            self._content.append(text)
            self._dirty = True

    def add(self, event: ReasoningDelta | ContentDelta) -> None:
        """Record a streamed piece of the answer, reasoning or content."""
        if isinstance(event, ReasoningDelta):
            self.add_reasoning(event.text)
        else:
            self.add_content(event.text)

    def add_reasoning(self, text: str) -> None:
        with self._lock:
            self._reasoning.append(text)
            self._dirty = True

    def _snapshot(self) -> tuple[str, str] | None:
        with self._lock:
            if not self._dirty:
                return None
            self._dirty = False
            return "".join(self._content), "".join(self._reasoning)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                snapshot = self._snapshot()
                if snapshot is not None:
                    try:
                        self.store.update_message(self.message_id, content=snapshot[0], reasoning=snapshot[1])
                    except BaseException as exc:  # reported by finish(); streaming goes on
                        self._error = exc
        finally:
            self.store.close_thread()  # one answer, one thread: its connection ends with it

    def finish(self, summary: GenerationSummary | None = None, status: str | None = None) -> int:
        """Write the whole answer with its final status and statistics; returns the message id."""
        self._stop.set()
        self._thread.join()
        with self._lock:
            content, reasoning = "".join(self._content), "".join(self._reasoning)
        fields: dict[str, Any] = {"content": content, "reasoning": reasoning}
        if self.thought_s is not None:
            fields["thought_s"] = round(self.thought_s, 3)
        if summary is not None:
            fields.update(
                status=status or STATUS[summary.stop_reason],
                prompt_tokens=summary.prompt_tokens,
                completion_tokens=summary.completion_tokens,
                tokens_per_s=summary.tokens_per_s,
                ttft_s=summary.ttft_s,
                error=summary.error,
            )
        elif status:
            fields["status"] = status
        self.store.update_message(self.message_id, **fields)
        if self._error is not None:
            raise self._error
        return self.message_id
