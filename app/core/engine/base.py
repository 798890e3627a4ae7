"""What every engine speaks: messages in, sampling settings, typed events out.

The chat session (:mod:`app.core.chat.session`) and the worker thread
(:mod:`app.core.engine.worker`) drive any object that satisfies
:class:`ChatEngine`; the in-process llama.cpp engine (:mod:`.llama`) is the
first, a remote OpenAI-compatible engine will be the second.  Keeping these
types here, apart from llama.cpp, is what lets a second engine exist without
importing the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from app.core.engine.events import ContentDelta, GenerationEvent, GenerationSummary, ReasoningDelta

if TYPE_CHECKING:  # NumPy is imported by the engine, on its thread, not by whoever names this type
    import numpy as np
    import numpy.typing as npt

    LogitsProcessor = Callable[[npt.NDArray[np.intc], npt.NDArray[np.single]], npt.NDArray[np.single]]
else:
    LogitsProcessor = Callable[..., Any]


@dataclass(frozen=True)
class ToolCall:
    """A function call an assistant turn made (from an API client's history)."""

    name: str
    arguments: str  # JSON text, as OpenAI clients send it
    id: str = ""


@dataclass(frozen=True)
class Message:
    """One turn of a conversation.

    ``reasoning`` goes to the template as ``reasoning_content``: R1 and V3.1 templates ignore it,
    V3.2's and V4's re-emit it only where DeepSeek's encoders do (the answer being continued,
    tool loops), so passing it always is what each family expects."""

    role: str  # "system", "user", "assistant" or "tool"
    content: str
    reasoning: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str = ""

    def for_template(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.role == "assistant" and self.reasoning:
            message["reasoning_content"] = self.reasoning
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}} for c in self.tool_calls
            ]
        if self.role == "tool":
            message["tool_call_id"] = self.tool_call_id
        return message

    def for_api(self) -> dict[str, Any]:
        """The OpenAI-format message a remote engine gets: no reasoning (R1 and V3.1 servers must
        not see it; DeepSeek's API rejects reasoning fields), tool calls and results as sent."""
        message = self.for_template()
        message.pop("reasoning_content", None)
        return message


@dataclass(frozen=True)
class SamplingParams:
    """DeepSeek's recommended defaults (llama-cpp-python's own are different)."""

    temperature: float = 0.6
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    max_tokens: int = 2048
    seed: int | None = None
    # Never sample an end-of-generation token (llama.cpp's --ignore-eos): the answer runs to its
    # budget.  For benchmarks and tests that need a stream of a known length from any weights.
    ignore_eos: bool = False
    stop: tuple[str, ...] = ()  # the answer ends before the first of these (never shown, never stored)
    # "off", "on", "high" or "max"; None: the model's own default.  Sent to a remote engine's template
    # (chat_template_kwargs, reasoning_effort); see app.core.engine.remote.thinking_fields.
    thinking: str | None = None
    # Tokens the reasoning may use before Hearth closes the think block so the model answers; the
    # answer keeps ``max_tokens`` of its own.  None: one budget for both (reasoning can use it all).
    thinking_budget: int | None = None


THINKING_LEVELS = ("off", "on", "high", "max")


def thinking_switches(thinking: str | None) -> dict[str, Any]:
    """What a chat template reads to turn thinking off or on: DeepSeek V3.1 reads ``thinking``,
    Qwen-style templates ``enable_thinking``, V4 ``reasoning_effort`` for its levels; each template
    ignores the names it does not know.  Empty for None (the model's own default)."""
    if thinking is None:
        return {}
    on = thinking != "off"
    switches: dict[str, Any] = {"thinking": on, "enable_thinking": on}
    if thinking in ("high", "max"):
        switches["reasoning_effort"] = thinking
    return switches


@dataclass(frozen=True)
class Continuation:
    """What an interrupted answer already holds: generation goes on after it."""

    reasoning: str = ""
    content: str = ""


class ChatEngine(Protocol):
    """An engine the worker thread drives: one turn at a time, cancellable from any thread."""

    def chat(
        self,
        messages: Sequence[Message],
        params: SamplingParams = ...,
        *,
        logits_processor: LogitsProcessor | None = None,
        continuation: Continuation | None = None,
        cache_key: str | None = None,
    ) -> Iterator[GenerationEvent]: ...

    def request_cancel(self) -> None: ...

    def close(self) -> None: ...


def collect(events: Iterator[GenerationEvent]) -> tuple[str, str, GenerationSummary]:
    """Drain a stream into (reasoning, content, summary) - for one-shot callers and tests."""
    reasoning: list[str] = []
    content: list[str] = []
    summary: GenerationSummary | None = None
    for event in events:
        if isinstance(event, ReasoningDelta):
            reasoning.append(event.text)
        elif isinstance(event, ContentDelta):
            content.append(event.text)
        elif isinstance(event, GenerationSummary):
            summary = event
    assert summary is not None, "a generation stream always ends with a summary"
    return "".join(reasoning), "".join(content), summary
