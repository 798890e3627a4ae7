"""Speculative decoding: a draft model or the prompt proposes, the model verifies in one batch.

What must hold for any weights: at temperature 0 the answer is token for token the plain one;
above it the acceptance rule keeps the model's distribution; rejected guesses leave nothing in
the KV cache; a pair with different vocabularies is refused; Stop works.  The pair here is built
to agree (the target is the draft's layer plus quiet layers, see TinySpec.quiet_from), so the
guesses are tested where they are accepted, not only where chance rejects them."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.core.engine.base import Message, SamplingParams, collect
from app.core.engine.draft_costs import BatchCosts
from app.core.engine.drafting import DraftPairError, PromptLookup
from app.core.engine.events import ContentDelta, GenerationSummary, ReasoningDelta, StopReason
from app.core.engine.llama import Engine, LoadOptions
from app.core.engine.sampling import Distribution, Sampler, accept_or_resample
from app.core.engine.speculative import JUDGE_AFTER
from tests.gguf_factory import TinySpec

SHAPE = dict(n_embd=128, n_head=4, n_head_kv=2, n_ff=256, n_ctx=2048, extra_vocab=500, seed=5)
TARGET = TinySpec(n_layer=5, quiet_from=1, quiet_scale=0.02, **SHAPE)
DRAFT = TinySpec(n_layer=1, quant="Q8_0", **SHAPE)
GREEDY = SamplingParams(temperature=0.0, max_tokens=48, ignore_eos=True, thinking="on")
QUESTION = [Message("user", "Tell me about tea.")]


@pytest.fixture(scope="module")
def pair(models: Any) -> tuple[Path, Path]:
    return models(TARGET), models(DRAFT)


@pytest.fixture
def spec_engine(pair: tuple[Path, Path]) -> Any:
    engine = Engine()
    engine.load(str(pair[0]), LoadOptions(n_ctx=1024, n_threads=2))
    yield engine
    engine.close()


def answer(engine: Engine, messages: list[Message], params: SamplingParams = GREEDY, **kw: Any) -> tuple[str, GenerationSummary]:
    reasoning, content, summary = collect(engine.chat(messages, params, **kw))
    return reasoning + "\x00" + content, summary


def test_with_a_draft_model_the_greedy_answer_is_the_plain_one(spec_engine: Engine, pair: tuple[Path, Path]) -> None:
    plain, plain_summary = answer(spec_engine, QUESTION)
    assert plain_summary.drafter is None and plain_summary.acceptance is None
    name = spec_engine.load_draft(str(pair[1]))
    assert spec_engine.drafter == f"draft model {name}"
    spec_engine._llama.reset()
    fast, summary = answer(spec_engine, QUESTION)
    assert fast == plain
    assert summary.completion_tokens == GREEDY.max_tokens
    assert summary.drafter and summary.draft_tokens > 0
    assert summary.acceptance is not None and 0 <= summary.accepted_draft_tokens <= summary.draft_tokens
    assert summary.acceptance > 0.3, "the built pair agrees often; a broken verify would reject nearly all"
    assert summary.to_json()["acceptance"] == summary.acceptance
    assert "guesses kept" in (summary.speculation or "")


def test_rejected_guesses_leave_nothing_in_the_cache(spec_engine: Engine, pair: tuple[Path, Path]) -> None:
    """The next turn on a warm cache (after speculation) answers as it does on a cold one."""
    spec_engine.load_draft(str(pair[1]))
    first, _ = answer(spec_engine, QUESTION)
    history = [*QUESTION, Message("assistant", first.split("\x00")[1] or "ok"), Message("user", "And coffee?")]
    spec_engine.drop_draft()
    warm, warm_summary = answer(spec_engine, history)
    assert warm_summary.evaluated_prompt_tokens < warm_summary.prompt_tokens  # the cache was reused
    spec_engine._llama.reset()
    cold, _ = answer(spec_engine, history)
    assert warm == cold


def test_prompt_lookup_accepts_what_the_answer_copies(spec_engine: Engine) -> None:
    """An answer that repeats its prompt (steered here, as a rewrite would) is drafted from it."""
    text = "def area(width, height):\n    return width * height\n\nprint(area(3, 4))\n"
    messages = [Message("user", "Repeat this code:\n" + text)]
    script = spec_engine.tokenize(text)
    prompt_len = len(spec_engine.fit(messages, len(script)).tokens)

    def copy_it(ids: np.ndarray, logits: np.ndarray) -> np.ndarray:
        at = len(ids) - prompt_len
        if 0 <= at < len(script):
            logits[script[at]] += 100.0
        return logits

    params = SamplingParams(temperature=0.0, max_tokens=len(script), ignore_eos=True, thinking="on")
    plain, _ = answer(spec_engine, messages, params, logits_processor=copy_it)
    spec_engine.use_prompt_lookup()
    assert spec_engine.drafter == "prompt lookup"
    spec_engine._llama.reset()
    fast, summary = answer(spec_engine, messages, params, logits_processor=copy_it)
    assert fast == plain
    assert text.strip() in fast
    assert summary.acceptance is not None and summary.acceptance > 0.5


def test_prompt_lookup_proposes_what_followed_the_last_match() -> None:
    lookup = PromptLookup()
    assert lookup.propose([1, 2, 3, 4, 5, 9, 9, 2, 3, 4], 3) == [5, 9, 9]
    assert lookup.propose([1, 2, 3], 4) == []  # nothing repeats
    assert lookup.propose([7, 8, 1, 7, 8, 2, 7, 8], 2) == [2, 7]  # the latest occurrence wins


def test_sampling_with_a_draft_runs_to_the_budget(spec_engine: Engine, pair: tuple[Path, Path]) -> None:
    spec_engine.load_draft(str(pair[1]))
    params = SamplingParams(temperature=0.8, top_k=40, top_p=0.95, min_p=0.05, max_tokens=40, ignore_eos=True, seed=3)
    _, summary = answer(spec_engine, QUESTION, params)
    assert summary.completion_tokens == 40
    assert summary.stop_reason is StopReason.LENGTH
    assert summary.draft_tokens > 0


def test_the_acceptance_rule_keeps_the_models_distribution() -> None:
    """Whatever the draft proposes, the token that comes out is distributed as p."""
    dist = Distribution(np.array([4, 7, 9]), np.array([0.5, 0.3, 0.2]))
    rng = np.random.default_rng(0)
    draws = 40_000
    for draft in (4, 9, 123):  # likely, unlikely, impossible
        counts = Counter(accept_or_resample(dist, draft, rng)[1] for _ in range(draws))
        for token, p in zip(dist.ids, dist.probs):
            assert abs(counts[int(token)] / draws - p) < 0.01, (draft, token, counts)
        assert counts[123] == 0


def test_the_sampler_chain_is_llama_cpps_order() -> None:
    logits = np.log(np.array([0.40, 0.25, 0.15, 0.10, 0.06, 0.04], dtype=np.single))
    ids = np.array([], dtype=np.intc)
    top_k = Sampler(SamplingParams(temperature=1.0, top_k=3, top_p=1.0, min_p=0.0)).distribution(ids, logits)
    assert list(top_k.ids) == [0, 1, 2]
    top_p = Sampler(SamplingParams(temperature=1.0, top_k=0, top_p=0.75, min_p=0.0)).distribution(ids, logits)
    assert list(top_p.ids) == [0, 1, 2]  # 0.40 + 0.25 < 0.75 <= + 0.15: the token that crosses stays
    min_p = Sampler(SamplingParams(temperature=1.0, top_k=0, top_p=1.0, min_p=0.3)).distribution(ids, logits)
    assert list(min_p.ids) == [0, 1, 2]  # at least 0.3 x 0.40 = 0.12
    hot = Sampler(SamplingParams(temperature=2.0, top_k=0, top_p=1.0, min_p=0.0)).distribution(ids, logits)
    assert hot.probs[0] < 0.40 and abs(hot.probs.sum() - 1) < 1e-9
    assert Sampler(SamplingParams(temperature=0.0)).sample(ids, logits) == 0


def test_a_draft_with_another_vocabulary_is_refused(spec_engine: Engine, models: Any) -> None:
    other = models(TinySpec(n_layer=1, **{**SHAPE, "extra_vocab": 520}))
    with pytest.raises(DraftPairError, match=r"tokenizers differ \(token 762 is '<｜begin▁of▁sentence｜>' in the model"):
        spec_engine.load_draft(str(other))
    assert spec_engine.drafter is None
    _, summary = answer(spec_engine, QUESTION)  # the model still answers, plainly
    assert summary.completion_tokens == GREEDY.max_tokens and summary.drafter is None


def test_a_draft_that_is_not_smaller_is_refused(spec_engine: Engine, pair: tuple[Path, Path]) -> None:
    with pytest.raises(DraftPairError, match="not smaller"):
        spec_engine.load_draft(str(pair[0]))


def test_stop_ends_a_speculative_answer_at_once(spec_engine: Engine, pair: tuple[Path, Path]) -> None:
    spec_engine.load_draft(str(pair[1]))
    params = SamplingParams(temperature=0.0, max_tokens=900, ignore_eos=True)
    pieces = 0
    summary = None
    for event in spec_engine.chat(QUESTION, params):
        if isinstance(event, ReasoningDelta | ContentDelta):
            pieces += 1
            if pieces == 5:
                threading.Thread(target=spec_engine.request_cancel).start()
        if isinstance(event, GenerationSummary):
            summary = event
    assert summary is not None and summary.stop_reason is StopReason.CANCELLED
    assert summary.completion_tokens < 100


def test_closing_the_model_closes_its_draft(pair: tuple[Path, Path]) -> None:
    engine = Engine()
    engine.load(str(pair[0]), LoadOptions(n_ctx=512, n_threads=2))
    engine.load_draft(str(pair[1]))
    draft = engine._drafter
    engine.close()
    assert engine.drafter is None and draft is not None and draft.llama._ctx.ctx is None  # freed


def test_the_expected_speed_up_follows_what_a_batch_costs() -> None:
    memory_bound = BatchCosts(one=1.0, batch=1.0, draft_step=0.0, guesses=6)
    assert memory_bound.speed_up(0.7) == pytest.approx((1 - 0.7**7) / 0.3)
    compute_bound = BatchCosts(one=1.0, batch=3.4, draft_step=0.1, guesses=6)
    assert compute_bound.speed_up(0.7) < 1.0 and compute_bound.batch_ratio == pytest.approx(3.4)
    assert memory_bound.speed_up(0.0) == pytest.approx(1.0)


def test_timing_the_pair_leaves_the_cache_as_it_was(spec_engine: Engine, pair: tuple[Path, Path]) -> None:
    answer(spec_engine, QUESTION)
    before = list(spec_engine._llama.input_ids[: spec_engine._llama.n_tokens])
    spec_engine.load_draft(str(pair[1]))  # times one token and a batch on both models
    costs = spec_engine._draft_costs
    assert costs is not None and costs.one > 0 and costs.batch > 0 and costs.draft_step > 0
    assert list(spec_engine._llama.input_ids[: spec_engine._llama.n_tokens]) == before
    follow = [*QUESTION, Message("assistant", "ok"), Message("user", "More?")]
    _, summary = answer(spec_engine, follow)
    assert summary.evaluated_prompt_tokens < summary.prompt_tokens // 2


def test_auto_leaves_out_a_draft_that_would_not_pay_here(
    spec_engine: Engine, pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision, given a machine where a batch of 7 costs 3.4x one (this CPU with Q8_0)."""
    from app.core.engine import draft_costs

    monkeypatch.setattr(draft_costs, "measure", lambda *_a: BatchCosts(1.0, 3.4, 0.1, 6))
    with pytest.raises(DraftPairError, match=r"costs 3.4x one token on this machine, so .* 0\.\d\dx as fast"):
        spec_engine.load_draft(str(pair[1]), only_if_faster=True)
    assert spec_engine.drafter is None
    spec_engine.load_draft(str(pair[1]))  # one the user named is used as asked
    assert spec_engine.drafter is not None


def test_guessing_stops_within_an_answer_once_it_does_not_pay(spec_engine: Engine, pair: tuple[Path, Path]) -> None:
    plain, _ = answer(spec_engine, QUESTION, replace(GREEDY, max_tokens=160))
    spec_engine.load_draft(str(pair[1]))
    spec_engine._draft_costs = BatchCosts(1.0, 100.0, 1.0, 6)  # nothing could pay for such batches
    spec_engine._llama.reset()
    fast, summary = answer(spec_engine, QUESTION, replace(GREEDY, max_tokens=160))
    assert fast == plain
    assert JUDGE_AFTER <= summary.draft_tokens < JUDGE_AFTER + 6 + 1


def test_the_draft_setting_decides_in_core(spec_engine: Engine, pair: tuple[Path, Path], models: Any, registry: Any) -> None:
    from app.core.chat.draft_choice import attach_draft
    from app.core.privacy.policy import load as load_policy
    from tests.hub_fixtures import tiny_catalog

    catalog, rules = tiny_catalog({"tiny-Q8_0.gguf": b"x"}), load_policy()
    assert attach_draft(spec_engine, "off", None, registry, catalog, rules) == [] and spec_engine.drafter is None
    assert attach_draft(spec_engine, "auto", None, registry, catalog, rules) == []  # no catalog pair: plain
    notices = attach_draft(spec_engine, "prompt-lookup", None, registry, catalog, rules)
    assert spec_engine.drafter == "prompt lookup" and "prompt lookup" in notices[0]
    notices = attach_draft(spec_engine, str(pair[1]), None, registry, catalog, rules)
    assert notices and notices[0].endswith("drafts for this model.") and spec_engine.drafter
    other = models(TinySpec(n_layer=1, **{**SHAPE, "extra_vocab": 520}))
    notices = attach_draft(spec_engine, str(other), None, registry, catalog, rules)
    assert notices[0].startswith("Speculative decoding is off:") and "tokenizers differ" in notices[0]
    assert spec_engine.drafter is None
    notices = attach_draft(spec_engine, "no-such-model", None, registry, catalog, rules)
    assert notices[0].startswith("Speculative decoding is off:")
