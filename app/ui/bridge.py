"""Carry engine events from the worker thread to the UI thread.

The worker calls ``on_event`` on its own thread; emitting a Qt signal from
there queues the delivery to the UI thread, so the UI never blocks and never
touches the engine.  Events are batched (every ~30 ms) so a fast model does
not flood the event loop with one signal per token.

The window shares the CPU (and Python's GIL) with the engine's thread: every
millisecond it spends drawing text is a millisecond the decode threads wait.
So the batches also keep the window's share of the CPU under ``UI_SHARE``:
the UI thread's CPU time between two batches (handling one, then Qt's layout
and painting of what changed, and anything else the window did meanwhile) is
the cost of a batch *c*, and the next batch comes no sooner than *c* /
``UI_SHARE``.  On a machine whose decode threads fill every core, each
millisecond of it costs a little more than a millisecond of decoding (a
preempted decode thread stalls the others at their next barrier, and the
handler's Python holds the interpreter the engine's loop needs), so the share
is half the 3 % the window may cost: a 1 ms batch still updates at 15 Hz, a
long answer whose redraw costs 4 ms updates 4 times a second, and the window
slowed decoding by 1.6-2.9 % in the bench's runs (``bench/window_decode.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QAbstractEventDispatcher, QObject, Signal

from app.core.chat.turn import TurnEnded, TurnEvent

BATCH_SECONDS = 0.03
HANDOFF_SECONDS = 0.05  # the longest the decoding waits for the window to show a batch
UI_SHARE = 0.015  # the most of the time the UI thread may spend showing a stream (see above)
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

        self._cpu_mark: tuple[float, float] | None = None  # (UI thread CPU time, wall time) at the last batch
        self._drawn = threading.Event()  # set once the UI thread has handled and painted the last batch
        self._when_idle: list[Callable[[], None]] = []
        dispatcher = QAbstractEventDispatcher.instance()  # the UI thread's: the bridge is made there
        if dispatcher is not None:
            dispatcher.aboutToBlock.connect(self._idle)

    def shown(self) -> None:
        """Called on the UI thread once a batch is shown: paces the next by what the last cost."""
        cpu, now = time.thread_time(), time.monotonic()
        mark, self._cpu_mark = self._cpu_mark, (cpu, now)
        if mark is None or now - mark[1] > 4 * MAX_BATCH_SECONDS:
            return  # the first batch of a stream: nothing measured yet
        cost = cpu - mark[0]
        self._interval = min(MAX_BATCH_SECONDS, max(BATCH_SECONDS, cost / UI_SHARE))

    def on_event(self, event: TurnEvent) -> None:
        """Called on the worker thread."""
        with self._lock:
            self._pending.append(event)
            now = time.monotonic()
            if not isinstance(event.event, TurnEnded) and now - self._last < self._interval:
                return
            batch, self._pending, self._last = self._pending, [], now
        if isinstance(event.event, TurnEnded):
            self.events.emit(batch)
            return
        self._drawn.clear()
        self.events.emit(batch)
        self._drawn.wait(HANDOFF_SECONDS)

    def drawn(self) -> None:
        """Called on the UI thread after a batch's handler, queued behind the paint it asked for:
        the decoding goes on once the event loop has nothing left to do."""
        self.when_idle(self._drawn.set)

    def when_idle(self, release: Callable[[], None]) -> None:
        """Run ``release`` (which wakes the decoding threads) when the UI thread's event loop
        next waits for events (``aboutToBlock``, after the pass that asked, and so after the
        paint a batch queued before asking): woken at once, they took both cores while the
        loop still finished its pass, which then waited 3-6 ms for a core (seen in the stall
        bench's event timeline)."""
        if QAbstractEventDispatcher.instance() is None:
            release()
            return
        self._when_idle.append(release)

    def _idle(self) -> None:
        releases, self._when_idle = self._when_idle, []
        for release in releases:
            release()
