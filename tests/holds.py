"""A logits processor that pauses an answer at chosen tokens: the test, not the machine's speed,
decides where in the answer each step happens."""

from __future__ import annotations

import threading
from typing import Any


class Holds:
    """A logits processor that stops the answer at chosen tokens until the test lets it go on,
    so the test, not the machine's speed, decides where in the answer each step happens."""

    def __init__(self, *at: int) -> None:
        self.calls = 0
        self.reached = {n: threading.Event() for n in at}
        self.release = {n: threading.Event() for n in at}

    def __call__(self, _ids: Any, logits: Any) -> Any:
        self.calls += 1
        if self.calls in self.reached:
            self.reached[self.calls].set()
            self.release[self.calls].wait(30)
        return logits
