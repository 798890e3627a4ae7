"""Make a conversation fit the context window.

When history plus the answer budget is larger than the context, the oldest
turns are left out of the prompt (never out of the stored conversation): the
system prompt and the latest user message always stay.  If the prompt fits
but leaves less room than the requested budget, the budget shrinks to what is
left.  Only when the latest message alone cannot fit is it an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import ContextTooSmallError

if TYPE_CHECKING:
    from app.core.engine.base import Message
    from app.core.engine.templates import ChatTemplate

MIN_ANSWER_TOKENS = 16


@dataclass(frozen=True)
class FittedPrompt:
    tokens: list[int]
    max_tokens: int  # the answer budget that fits after the prompt
    dropped_turns: int  # how many of the oldest messages were left out


def _starts(messages: Sequence[Message]) -> tuple[list[Message], list[Message], list[int]]:
    """The system prompt, the other messages, and where the kept history may start (most
    history first); it never starts with an assistant message."""
    system = [m for m in messages if m.role == "system"][-1:]
    rest = [m for m in messages if m.role != "system"]
    starts = [i for i in range(len(rest)) if i == 0 or rest[i].role == "user"]
    return system, rest, starts


def fit_conversation(
    messages: Sequence[Message],
    template: ChatTemplate,
    tokenize: Callable[[str], list[int]],
    n_ctx: int,
    max_tokens: int,
    extra: Mapping[str, Any] | None = None,
) -> FittedPrompt:
    """Keep as much history as leaves the full answer budget.

    Fewer messages never render longer, so the longest history that fits is searched for, not
    tried length by length (a 2,000-message conversation took seconds of Python before the first
    token, competing with the UI for the interpreter).  The search gallops back from the latest
    message, then bisects: the renders it makes are about as long as what is kept, so a long
    history that mostly does not fit costs little.
    """
    if not messages or messages[-1].role != "user":
        raise ValueError("a chat turn needs the conversation to end with a user message")
    system, rest, starts = _starts(messages)
    rendered: dict[int, list[int]] = {}

    def tokens_from(index: int) -> list[int]:
        if index not in rendered:
            kept = system + rest[starts[index] :]
            rendered[index] = tokenize(template.render([m.for_template() for m in kept], extra=extra))
        return rendered[index]

    def fits(index: int) -> bool:
        return len(tokens_from(index)) + max_tokens <= n_ctx

    last = len(starts) - 1
    if fits(0) or not fits(last):
        low = 0 if fits(0) else last  # everything fits; or not even the latest turn: that one decides
    else:  # fits(last) and not fits(0): gallop back from the end to bracket the boundary, then bisect
        low, high, step = 0, last, 1
        while high - step > low:
            if not fits(high - step):
                low = high - step
                break
            high, step = high - step, step * 2
        while high - low > 1:  # invariant: low does not fit, high fits
            middle = (low + high) // 2
            low, high = (low, middle) if fits(middle) else (middle, high)
        low = high
    tokens = tokens_from(low)
    room = n_ctx - len(tokens)
    if room < min(MIN_ANSWER_TOKENS, max_tokens):
        raise ContextTooSmallError(
            f"The message is too long for the context window: it needs {len(tokens)} tokens and the context holds {n_ctx}.",
            "Shorten the message or load the model with a larger context (--ctx).",
        )
    kept_count = len(system) + len(rest) - starts[low]
    return FittedPrompt(tokens, min(max_tokens, room), len(messages) - kept_count)
