"""When history no longer fits, it is cut in blocks and the cache is shifted, so a long
conversation keeps evaluating only each turn's new tokens, also at the turns where it is cut."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from app.core.engine.base import Message, SamplingParams, collect
from app.core.engine.context_fit import BLOCK_SHARE
from app.core.engine.llama import Engine, LoadOptions
from tests.gguf_factory import arch_spec

FIXED = SamplingParams(temperature=0.0, max_tokens=24, seed=1, ignore_eos=True)
N_CTX = 2048
# A turn's new tokens: its question, the previous answer as the template renders it back (random
# tokens do not survive being detokenized and tokenized again, so its cache entries are not
# always reused) and the turn markers.
MARKERS = 8  # the answer's end, the question's and the answer's markers


def converse(engine: Engine, turns: int) -> list[tuple[int, int, int, int]]:
    """(evaluated, new tokens, dropped turns, prompt tokens) for each turn."""
    history: list[Message] = []
    seen = []
    answer = ""
    for turn in range(turns):
        question = f"question number {turn}: " + "tell me more " * 2
        history.append(Message("user", question))
        _, content, summary = collect(engine.chat(history, FIXED))
        new = len(engine.tokenize(question)) + len(engine.tokenize(answer)) + MARKERS
        seen.append((summary.evaluated_prompt_tokens, new, summary.dropped_turns, summary.prompt_tokens))
        answer = content or "ok"
        history.append(Message("assistant", answer))
    return seen


@pytest.mark.parametrize("arch", ["qwen2", "deepseek2"])
def test_turns_past_the_boundary_evaluate_only_their_new_tokens(models: Any, engine: Engine, arch: str) -> None:
    engine.load(str(models(arch_spec(arch, quant="Q8_0", template="deepseek-v3"))), LoadOptions(n_ctx=N_CTX))
    seen = converse(engine, 60)
    dropped = [d for _, _, d, _ in seen]
    assert dropped[-1] > 0 and len({d for d in dropped if d}) >= 2  # history was cut, more than once
    for evaluated, new, _, _ in seen[1:]:
        assert evaluated <= new
    assert all(prompt + FIXED.max_tokens <= N_CTX for _, _, _, prompt in seen)


def test_a_cut_leaves_a_block_free_so_the_next_turns_keep_their_start(models: Any, engine: Engine) -> None:
    engine.load(str(models(arch_spec("qwen2", quant="Q8_0", template="deepseek-v3"))), LoadOptions(n_ctx=N_CTX))
    seen = converse(engine, 60)
    cuts = [i for i in range(1, len(seen)) if seen[i][2] != seen[i - 1][2]]
    assert len(cuts) >= 2
    assert all(b - a >= 2 for a, b in itertools.pairwise(cuts))  # several turns between cuts, not one per turn
    first_cut = seen[cuts[0]]
    assert first_cut[3] + FIXED.max_tokens <= N_CTX - N_CTX // BLOCK_SHARE  # the cut freed a block


def test_v4s_cache_cannot_shift_and_the_cut_turn_evaluates_the_kept_history(models: Any, engine: Engine) -> None:
    engine.load(str(models(arch_spec("deepseek4", quant="Q8_0", template="deepseek-v3"))), LoadOptions(n_ctx=N_CTX))
    seen = converse(engine, 60)
    cuts = [i for i in range(1, len(seen)) if seen[i][2] != seen[i - 1][2]]
    assert cuts
    evaluated, new, _, prompt = seen[cuts[0]]
    assert new < evaluated <= prompt  # answers still come; the cost of no shift
    between = [seen[i] for i in range(cuts[0] + 1, len(seen)) if i not in cuts]
    assert between and all(e <= n for e, n, _, _ in between)  # between cuts: only new tokens
