"""Typed events that a generation streams to its client (CLI, GUI, store).

Reasoning and answer text travel as different event types so no client ever
has to parse ``<think>`` tags, and reasoning can be stored apart from the
answer.  Every stream ends with exactly one :class:`GenerationSummary`.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any


class StopReason(enum.StrEnum):
    EOS = "eos"  # the model finished its answer
    LENGTH = "length"  # the answer budget or the context ran out
    CANCELLED = "cancelled"  # the user stopped it
    ERROR = "error"  # something failed; see GenerationSummary.error


@dataclass(frozen=True)
class ReasoningDelta:
    text: str
    type: str = "reasoning"


@dataclass(frozen=True)
class ContentDelta:
    text: str
    type: str = "content"


@dataclass(frozen=True)
class PromptProgress:
    """How much of a long prompt llama.cpp has read (the model writes nothing until it is done)."""

    done: int  # prompt tokens evaluated so far (those from the KV cache included)
    total: int
    type: str = "prompt"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "done": self.done, "total": self.total}


@dataclass(frozen=True)
class GenerationSummary:
    prompt_tokens: int  # tokens in the whole rendered prompt
    evaluated_prompt_tokens: int  # of those, how many were computed (the rest came from the KV cache)
    completion_tokens: int
    ttft_s: float  # request start to first generated token
    tokens_per_s: float  # decode speed after the first token
    total_s: float
    stop_reason: StopReason
    gpu_layers: int
    dropped_turns: int = 0  # oldest turns left out so the conversation fits the context
    error: str | None = None
    reasoning_tokens: int = 0  # of the completion tokens, those inside the think block
    notice: str | None = None  # something the user should know about this answer (thinking budget reached, ...)
    drafter: str | None = None  # speculative decoding: "draft model NAME" or "prompt lookup"; None: plain decoding
    draft_tokens: int = 0  # guessed tokens the model checked
    accepted_draft_tokens: int = 0  # of those, how many it kept

    @property
    def acceptance(self) -> float | None:
        """Share of the drafted tokens the model kept (None without speculative decoding)."""
        return self.accepted_draft_tokens / self.draft_tokens if self.drafter and self.draft_tokens else None

    type: str = "done"

    @property
    def speculation(self) -> str | None:
        """What speculative decoding did, for a status line ("prompt lookup: 72 % of 240 guesses kept")."""
        if self.acceptance is None:
            return None
        return f"{self.drafter}: {self.acceptance:.0%} of {self.draft_tokens} guesses kept"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["stop_reason"] = self.stop_reason.value
        data["acceptance"] = self.acceptance
        return data


GenerationEvent = ReasoningDelta | ContentDelta | PromptProgress | GenerationSummary


def cancelled_summary(elapsed: float = 0.0, gpu_layers: int = 0) -> GenerationSummary:
    """An answer stopped before its first token (waiting for the engine, or while its prompt was built)."""
    return GenerationSummary(0, 0, 0, elapsed, 0.0, elapsed, StopReason.CANCELLED, gpu_layers)
