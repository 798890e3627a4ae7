"""How often a long byte operation's progress is worth showing.

A copy, a hash or a download reports every 1 MiB chunk: hundreds of reports a second from a fast
disk or mirror.  Each client shows only some of them, the window ten a second (drawing every one,
a row's relayout of 2-5 ms, filled the UI thread), ``hearth models download --json`` two a second.
A report of a new state (paused, retrying, verifying) always goes through, whatever the rate.
"""

from __future__ import annotations

import time


class ProgressPacer:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last = 0.0
        self._state = ""

    def due(self, state: str = "") -> bool:
        """Whether this report is shown; a shown report starts the next interval."""
        now = time.monotonic()
        if state == self._state and now - self._last < self.seconds:
            return False
        self._last, self._state = now, state
        return True
