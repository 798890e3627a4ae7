"""Make a conversation fit the context window.

When history plus the answer budget is larger than the context, the oldest
turns are left out of the prompt (never out of the stored conversation): the
system prompt and the latest user message always stay.  If the prompt fits
but leaves less room than the requested budget, the budget shrinks to what is
left.  Only when the latest message alone cannot fit is it an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.errors import ContextTooSmallError

if TYPE_CHECKING:
    from app.core.engine import Message
    from app.core.templates import ChatTemplate

MIN_ANSWER_TOKENS = 16


@dataclass(frozen=True)
class FittedPrompt:
    tokens: list[int]
    max_tokens: int  # the answer budget that fits after the prompt
    dropped_turns: int  # how many of the oldest messages were left out


def _candidates(messages: Sequence[Message]) -> list[list[Message]]:
    """The conversation, then ever shorter versions with the oldest turns removed."""
    system = [m for m in messages if m.role == "system"][-1:]
    rest = [m for m in messages if m.role != "system"]
    out = []
    for start in range(len(rest)):
        # Never start the kept history with an assistant message.
        if start == 0 or rest[start].role == "user":
            out.append(system + rest[start:])
    return out or [system]


def fit_conversation(
    messages: Sequence[Message],
    template: ChatTemplate,
    tokenize: Callable[[str], list[int]],
    n_ctx: int,
    max_tokens: int,
) -> FittedPrompt:
    if not messages or messages[-1].role != "user":
        raise ValueError("a chat turn needs the conversation to end with a user message")
    candidates = _candidates(messages)
    tokens: list[int] = []
    kept: list[Message] = []
    # Fewest drops first; stop at the first version that leaves the full budget.
    for kept in candidates:
        tokens = tokenize(template.render([m.for_template() for m in kept]))
        if len(tokens) + max_tokens <= n_ctx:
            break
    room = n_ctx - len(tokens)
    if room < min(MIN_ANSWER_TOKENS, max_tokens):
        raise ContextTooSmallError(
            f"The message is too long for the context window: it needs {len(tokens)} tokens and the context holds {n_ctx}.",
            "Shorten the message or load the model with a larger context (--ctx).",
        )
    return FittedPrompt(tokens, min(max_tokens, room), len(messages) - len(kept))
