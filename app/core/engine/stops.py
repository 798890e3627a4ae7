"""Stop strings (the API's ``stop``): end the answer where one appears, and never show it.

Text arrives in pieces and a stop string may be split across them, so the end
of the answer that could still turn into one is held back until it is decided
(the same care the reasoning splitter takes with ``</think>``).  Only the
answer is matched, never the reasoning.  Written here because llama-cpp-python
matches stop strings only inside its own completion API, which Hearth does not
use (it streams tokens itself to split reasoning and cancel mid-prompt).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from app.core.engine.events import ContentDelta, ReasoningDelta


class StopMatcher:
    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = [s for s in stops if s]
        self._held = ""
        self.hit = False

    def feed(self, text: str) -> str:
        """The part of ``text`` (after what was held) that is safe to show now."""
        if not self.stops or self.hit:
            return "" if self.hit else text
        buffer = self._held + text
        found = [i for i in (buffer.find(s) for s in self.stops) if i >= 0]
        if found:
            self.hit, self._held = True, ""
            return buffer[: min(found)]
        keep = max(
            (n for s in self.stops for n in range(min(len(s) - 1, len(buffer)), 0, -1) if buffer.endswith(s[:n])), default=0
        )
        self._held = buffer[len(buffer) - keep :]
        return buffer[: len(buffer) - keep]

    def events(self, events: Iterable[ReasoningDelta | ContentDelta]) -> Iterator[ReasoningDelta | ContentDelta]:
        """A stream's pieces with the answer's cut at the stop string (reasoning passes, until a stop)."""
        for event in events:
            if isinstance(event, ReasoningDelta):
                if not self.hit:
                    yield event
                continue
            text = self.feed(event.text)
            if text:
                yield ContentDelta(text)

    def flush(self) -> str:
        """End of the answer without a stop string: what was held back is plain text."""
        held, self._held = self._held, ""
        return "" if self.hit else held
