"""Make a conversation fit the context window.

When history plus the answer budget is larger than the context, the oldest
turns are left out of the prompt (never out of the stored conversation): the
system prompt and the latest user message always stay.  They are left out in
blocks (a cut frees an eighth of the context, and the next turns keep the same
first message), so consecutive turns share their prompt's prefix and its KV
cache.  If the prompt fits but leaves less room than the requested budget, the
budget shrinks to what is left.  Only when the latest message alone cannot fit
is it an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import ContextTooSmallError
from app.core.sentences import say

if TYPE_CHECKING:
    from app.core.engine.base import Message
    from app.core.engine.templates import ChatTemplate

MIN_ANSWER_TOKENS = 16
# A cut frees this share of the context beyond what the turn needs, so the next turns keep the same
# first message, and with it the prompt's prefix and its KV cache, until that room is used up.
BLOCK_SHARE = 8

KeptFrom = tuple[int, str]  # where the kept history starts: its index after the system prompt, and a digest


@dataclass(frozen=True)
class FittedPrompt:
    tokens: list[int]
    max_tokens: int  # the answer budget that fits after the prompt
    dropped_turns: int  # how many of the oldest messages were left out
    kept_from: KeptFrom | None = None  # set when history was cut: hand it to the next turn's fit


def _digest(message: Message) -> str:
    return hashlib.sha1(f"{message.role}\0{message.content}".encode()).hexdigest()


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
    kept_from: KeptFrom | None = None,
) -> FittedPrompt:
    """Keep as much history as leaves the full answer budget.

    When history must be cut, it is cut in blocks: the previous turn's first kept message stays
    first while the prompt still fits (``kept_from``), and a new cut leaves an eighth of the
    context free, so consecutive turns share their prefix and only the new tokens are evaluated
    (the engine shifts the cache at a cut; see ``kv_cache.shift_out_cut_turns``).

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
    if low > 0:
        low = _block_start(low, last, kept_from, rest, starts, lambda i: len(tokens_from(i)) + max_tokens, n_ctx)
    tokens = tokens_from(low)
    room = n_ctx - len(tokens)
    if room < min(MIN_ANSWER_TOKENS, max_tokens):
        raise ContextTooSmallError(
            say(
                "The message is too long for the context window: it needs {tokens} tokens and the context holds {n_ctx}.",
                tokens=len(tokens),
                n_ctx=n_ctx,
            ),
            say("Shorten the message or load the model with a larger context (--ctx)."),
        )
    kept_count = len(system) + len(rest) - starts[low]
    kept = (starts[low], _digest(rest[starts[low]])) if low > 0 else None
    return FittedPrompt(tokens, min(max_tokens, room), len(messages) - kept_count, kept)


def _block_start(
    low: int,
    last: int,
    kept_from: KeptFrom | None,
    rest: list[Message],
    starts: list[int],
    needed: Callable[[int], int],
    n_ctx: int,
) -> int:
    """The start (an index into ``starts``, at least ``low``, the earliest that fits) to keep."""
    if kept_from is not None:
        index, digest = kept_from
        previous = next((i for i in range(low, last + 1) if starts[i] == index), None)
        if previous is not None and _digest(rest[index]) == digest:
            return previous  # it still fits: same prefix as the last turn
    slack = n_ctx - n_ctx // BLOCK_SHARE
    if needed(last) > slack:
        return low  # not even the latest turn leaves the block free: keep what fits
    lo, hi = low, last  # needed(hi) <= slack; find the earliest such start
    while lo < hi:
        middle = (lo + hi) // 2
        lo, hi = (lo, middle) if needed(middle) <= slack else (middle + 1, hi)
    return lo
