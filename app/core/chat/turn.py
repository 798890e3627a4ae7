"""What a client receives while a turn runs: typed pieces, tagged with their answer.

Each event names the stored message it belongs to, so a client that shows
another conversation meanwhile can tell the pieces apart (and drop or route
them), and carries how much text the answer held after it, so a client that
starts showing an answer half-way (re-opened while it streams) can skip what
it already has.  Every turn ends with exactly one :class:`TurnEnded`, also
when it failed before its first token.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from app.core.engine.events import ContentDelta, GenerationSummary, PromptProgress, ReasoningDelta, StopReason


@dataclass(frozen=True)
class TurnEnded:
    """The answer is over and stored: its final status, text and statistics."""

    message_id: int | None  # None when the session keeps no store (--no-save)
    status: str  # complete | truncated | cancelled | error (see chat.recorder.STATUS)
    summary: GenerationSummary
    reasoning: str
    content: str
    failure: BaseException | None = None  # why an answer could not start (a typed HearthError for user problems)
    type: str = "done"

    def to_json(self) -> dict[str, Any]:
        return {**self.summary.to_json(), "status": self.status, "message_id": self.message_id}


@dataclass(frozen=True)
class TurnEvent:
    message_id: int | None
    event: ReasoningDelta | ContentDelta | PromptProgress | TurnEnded
    reasoning_chars: int = 0  # length of the answer's reasoning after this event
    content_chars: int = 0  # and of its content


TurnCallback = Callable[[TurnEvent], None]


@dataclass
class Turn:
    """A running (or finished) answer; ``future`` resolves to its :class:`TurnEnded`."""

    message_id: int | None
    question_id: int | None
    conversation_id: int | None
    future: Future[TurnEnded] = field(default_factory=Future)
    cancelled: bool = False  # the user (or a client that went away) stopped it


def failed_summary(text: str) -> GenerationSummary:
    """The summary of an answer that could not start (no tokens, nothing evaluated)."""
    return GenerationSummary(0, 0, 0, 0.0, 0.0, 0.0, StopReason.ERROR, 0, error=text)
