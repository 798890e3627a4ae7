"""Carry engine events from the worker thread to the UI thread.

The worker calls ``on_event`` on its own thread; emitting a Qt signal from
there queues the delivery to the UI thread, so the UI never blocks and never
touches the engine.  Events are batched (every ~30 ms) so a fast model does
not flood the event loop with one signal per token.

The window shares the CPU (and Python's GIL) with the engine's thread: every
millisecond it spends drawing text is a millisecond the decode threads wait.
So the batches also keep the window's share of the time under ``UI_SHARE``:
after a batch that took the UI thread *t* to show, the next comes no sooner
than *t* / ``UI_SHARE`` (a 1 ms redraw still updates at 30 Hz; a long answer
whose redraw costs 5 ms updates ~6 times a second), so the window never slows
decoding by more than a few per cent (``bench/window_decode.py``).
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal

from app.core.chat.turn import TurnEnded, TurnEvent

BATCH_SECONDS = 0.03
UI_SHARE = 0.03  # the most of the time the UI thread may spend showing a stream
MAX_BATCH_SECONDS = 0.25  # however costly the redraw, the text moves at least 4 times a second


class EventBridge(QObject):
    # object, not list: a list would be converted to a QVariantList element by element, across threads.
    events = Signal(object)  # list[TurnEvent], delivered on the UI thread

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._pending: list[TurnEvent] = []
        self._last = 0.0
        self._interval = BATCH_SECONDS

    def shown(self, seconds: float) -> None:
        """Called on the UI thread: showing the last batch took ``seconds``."""
        self._interval = min(MAX_BATCH_SECONDS, max(BATCH_SECONDS, seconds / UI_SHARE))

    def on_event(self, event: TurnEvent) -> None:
        """Called on the worker thread."""
        with self._lock:
            self._pending.append(event)
            now = time.monotonic()
            if not isinstance(event.event, TurnEnded) and now - self._last < self._interval:
                return
            batch, self._pending, self._last = self._pending, [], now
        self.events.emit(batch)
