"""Fitting a conversation into the context window: the longest history that leaves the answer
budget, found in a few renders even for thousands of messages, and the same choice as trying
every length in turn (the straightforward algorithm, kept here as the reference)."""

from __future__ import annotations

import math
import random

import pytest

from app.core.engine.base import Message
from app.core.engine.context_fit import BLOCK_SHARE, fit_conversation
from app.core.engine.templates import ChatTemplate, load_family_template
from app.core.errors import ContextTooSmallError

TEMPLATE = ChatTemplate(load_family_template("deepseek-r1"), "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "deepseek-r1")


def words(text: str) -> list[int]:
    """A stand-in tokenizer: one token per word (what matters is that longer text has more)."""
    return list(range(len(text.split())))


def conversation(n: int, seed: int = 1, system: bool = True) -> list[Message]:
    rng = random.Random(seed)
    messages = [Message("system", "Be brief.")] if system else []
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        messages.append(Message(role, " ".join(["word"] * rng.randint(1, 60))))
    if messages[-1].role != "user":
        messages.append(Message("user", "and now?"))
    return messages


def reference(messages: list[Message], n_ctx: int, max_tokens: int) -> tuple[int, int]:
    """Every history length from the longest down.  All of it when it fits; else the longest that
    also leaves a block (an eighth of the context) free, so the next turns keep the same start;
    else the longest that leaves the budget; else the latest turn alone."""
    system = [m for m in messages if m.role == "system"][-1:]
    rest = [m for m in messages if m.role != "system"]
    starts = [i for i in range(len(rest)) if i == 0 or rest[i].role == "user"]

    def size(start: int) -> int:
        return len(words(TEMPLATE.render([m.for_template() for m in system + rest[start:]])))

    if size(starts[0]) + max_tokens <= n_ctx:
        chosen = starts[0]
    else:
        free = [s for s in starts if size(s) + max_tokens <= n_ctx - n_ctx // BLOCK_SHARE]
        fitting = [s for s in starts if size(s) + max_tokens <= n_ctx]
        chosen = free[0] if free else fitting[0] if fitting else starts[-1]
    kept = system + rest[chosen:]
    return len(messages) - len(kept), min(max_tokens, n_ctx - size(chosen))


@pytest.mark.parametrize("n_ctx", [120, 400, 1500, 10_000])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_same_history_is_kept_as_by_trying_every_length(n_ctx: int, seed: int) -> None:
    messages = conversation(61, seed)
    fitted = fit_conversation(messages, TEMPLATE, words, n_ctx, 100)
    assert (fitted.dropped_turns, fitted.max_tokens) == reference(messages, n_ctx, 100)
    kept = messages[fitted.dropped_turns :] if fitted.dropped_turns else messages
    assert kept[-1].content == messages[-1].content  # the latest question is always there


def test_a_long_conversation_is_fitted_in_a_few_renders() -> None:
    messages = conversation(2000)
    rendered: list[int] = []

    def counting(text: str) -> list[int]:
        rendered.append(text.count("<｜User｜>") + text.count("<｜Assistant｜>"))  # messages in this render
        return words(text)

    fitted = fit_conversation(messages, TEMPLATE, counting, 2048, 512)
    assert fitted.dropped_turns > 1900 and len(fitted.tokens) + 512 <= 2048
    kept = len(messages) - fitted.dropped_turns
    # The whole, the latest turn, a gallop and a bisection for what fits, a bisection for the block.
    assert len(rendered) <= 2 + 3 * 8
    # Beyond the first try (everything), renders are about as long as what is kept: the gallop adds up to
    # ~4x kept, each bisection log2(kept) renders of up to 2x kept.  Trying every length renders ~n²/4.
    assert sum(rendered[1:]) <= 3 * kept * (math.log2(kept) + 2) < len(messages) ** 2 / 400
    assert fitted.dropped_turns == reference(messages, 2048, 512)[0]


def test_a_latest_message_too_long_for_the_context_is_an_error() -> None:
    messages = [Message("user", "word " * 500)]
    with pytest.raises(ContextTooSmallError, match="too long for the context window"):
        fit_conversation(messages, TEMPLATE, words, 300, 100)
    assert fit_conversation(messages, TEMPLATE, words, 600, 400).max_tokens < 400  # the budget shrinks to what is left
