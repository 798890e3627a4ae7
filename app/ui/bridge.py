"""Carry engine events from the worker thread to the UI thread.

The worker calls ``on_event`` on its own thread; emitting a Qt signal from
there queues the delivery to the UI thread, so the UI never blocks and never
touches the engine.  Events are batched (every ~30 ms) so a fast model does
not flood the event loop with one signal per token.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Signal

from app.core.chat.turn import TurnEnded, TurnEvent

BATCH_SECONDS = 0.03


class EventBridge(QObject):
    # object, not list: a list would be converted to a QVariantList element by element, across threads.
    events = Signal(object)  # list[TurnEvent], delivered on the UI thread

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._pending: list[TurnEvent] = []
        self._last = 0.0

    def on_event(self, event: TurnEvent) -> None:
        """Called on the worker thread."""
        with self._lock:
            self._pending.append(event)
            now = time.monotonic()
            if not isinstance(event.event, TurnEnded) and now - self._last < BATCH_SECONDS:
                return
            batch, self._pending, self._last = self._pending, [], now
        self.events.emit(batch)
