"""Speculative decoding on llama.cpp's low-level API: draft, verify in one batch, roll back.

Decoding one token reads every weight once; on a CPU (and for small batches on a GPU) that read
is the whole cost, so checking six guessed tokens in one batch costs little more than making one.
Each round here:

1. the drafter proposes up to N tokens after the sequence (:mod:`.drafting`);
2. the target evaluates the last accepted token and the N guesses in one ``llama_decode``, with
   logits for every position;
3. position by position the target's sampler accepts a guess or puts its own token there
   (:mod:`.sampling`: exact at temperature 0, distribution-preserving above it); the first
   rejection ends the round, and its KV entries (and those of the guesses after it) are removed;
4. when all guesses were accepted, the logits after the last one give one more token for free.

llama-cpp-python's own ``draft_model=`` cannot be used: it forces a logits buffer of context x
vocabulary (5 GB at 8k context with a 150k vocabulary) and has no draft-model implementation, and
llama.cpp's C++ speculative code (libcommon) is not bound.  The loop keeps ``Llama.input_ids`` and
``n_tokens`` equal to what the KV cache holds, so the next turn's prefix reuse works as after
``Llama.generate``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.engine import draft_costs, drafting
from app.core.engine.base import SamplingParams
from app.core.engine.draft_costs import BatchCosts
from app.core.engine.drafting import Drafter
from app.core.engine.kv_cache import rewind_to_prefix
from app.core.engine.parts import EngineParts
from app.core.engine.sampling import Sampler

JUDGE_AFTER = 48  # guesses seen before their acceptance decides whether to go on guessing


@dataclass
class DraftStats:
    """How the guesses fared in one answer (for the status bar and ``--json``)."""

    drafted: int = 0
    accepted: int = 0
    rounds: int = 0

    @property
    def acceptance(self) -> float:
        return self.accepted / self.drafted if self.drafted else 0.0


def speculate(
    llama: Any, prompt: Sequence[int], sampler: Sampler, drafter: Drafter, stats: DraftStats, costs: BatchCosts | None = None
) -> Iterator[int]:
    """Tokens after ``prompt``, as ``Llama.generate`` would stream them (the caller stops it).
    With ``costs``, guessing stops for the rest of the answer once the acceptance measured so far
    says it makes decoding slower (plain decoding then goes on in this loop)."""
    import llama_cpp

    ctx = llama._ctx
    n_vocab = int(llama.n_vocab())
    n_ctx = int(llama.n_ctx())
    cached = rewind_to_prefix(llama, prompt)
    llama.eval(list(prompt[cached:-1]))  # the prompt but its last token (in batches of n_batch)
    sequence = list(prompt)  # every token of the answer's sequence, the last one not yet evaluated
    guessing = True
    while True:
        n_past = llama.n_tokens
        room = n_ctx - n_past - 1
        if room < 0:
            raise RuntimeError("the context is full")  # Engine.chat's budget stops before this
        guesses = drafter.propose(sequence, room) if room and guessing else []
        batch = [sequence[-1], *guesses]
        llama._batch.set_batch(batch, n_past, logits_all=True)
        ctx.decode(llama._batch)
        llama.input_ids[n_past : n_past + len(batch)] = batch
        llama.n_tokens = n_past + len(batch)
        llama._requires_eval = True  # generate() must not take these logits for its own
        emitted: list[int] = []
        for i in range(len(batch)):
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx.ctx, i), shape=(n_vocab,))
            ids = llama.input_ids[: n_past + i + 1]
            if i < len(guesses):
                accepted, token = sampler.verify(ids, logits, guesses[i])
                stats.drafted += 1
                stats.accepted += accepted
                emitted.append(token)
                if not accepted:
                    break
            else:
                emitted.append(sampler.sample(ids, logits))
        stats.rounds += 1
        if costs is not None and guessing and stats.drafted >= JUDGE_AFTER and costs.speed_up(stats.acceptance) < 1.0:
            guessing = False  # the guesses cost more than they save on this answer
        keep = n_past + len(emitted)  # the last token in, and the accepted guesses
        rebuild = keep < llama.n_tokens and not ctx.kv_cache_seq_rm(0, keep, -1)
        llama.n_tokens = min(keep, llama.n_tokens)
        sequence += emitted
        if rebuild:  # a cache that cannot take back a suffix (recurrent, compressed): evaluate anew, guess no more
            guessing = False
            llama.reset()
            ctx.kv_cache_clear()
            llama.eval(sequence[:-1])
        yield from emitted


class Speculation(EngineParts):
    """The engine's side of speculative decoding: which drafter, and the token stream it gives."""

    _drafter: Drafter | None
    _draft_costs: BatchCosts | None

    # -- speculative decoding -------------------------------------------------
    def load_draft(self, path: str, *, only_if_faster: bool = False) -> str:
        """Draft with the model at ``path`` (checked against the loaded one); returns its name.
        Raises :class:`drafting.DraftPairError` with the reason a pair is refused, and, with
        ``only_if_faster``, where the timing says guessing would not make this model faster here."""
        model = self.loaded
        self.drop_draft()
        gpu = -1 if model.plan.gpu_layers else 0  # a draft is small: all on the GPU when the model uses one
        draft = drafting.load_draft_model(path, self._llama, model.info, int(self._llama.n_threads), gpu)
        costs = draft_costs.measure(self._llama, draft.llama, drafting.DRAFT_TOKENS)
        expected = costs.speed_up(draft_costs.PRIOR_ACCEPTANCE) if costs else None
        if only_if_faster and expected is not None and expected < draft_costs.MIN_SPEED_UP:
            draft.close()
            assert costs is not None
            raise drafting.DraftPairError(
                f"checking {costs.guesses + 1} guessed tokens costs {costs.batch_ratio:.1f}x one token on this machine, "
                f"so {draft.name} would make answers {expected:.2f}x as fast"
            )
        self._drafter, self._draft_costs = draft, costs
        return draft.name

    def use_prompt_lookup(self) -> None:
        """Draft from the conversation itself (n-gram lookup): no second model."""
        self.drop_draft()
        self._drafter = drafting.PromptLookup()

    def drop_draft(self) -> None:
        if self._drafter is not None:
            self._drafter.close()
        self._drafter, self._draft_costs = None, None

    @property
    def drafter(self) -> str | None:
        """What drafts for the loaded model: "draft model NAME", "prompt lookup" or None."""
        if isinstance(self._drafter, drafting.DraftModel):
            return f"{self._drafter.kind} {self._drafter.name}"
        return self._drafter.kind if self._drafter else None

    def _tokens(self, prompt: list[int], params: SamplingParams, processors: Any, stats: DraftStats) -> Iterator[int]:
        """The answer's tokens: drafted and verified where a drafter is set, else llama.cpp's own
        loop.  A repeat penalty is llama.cpp's alone (its window of recent tokens), so it decodes plainly."""
        if self._drafter is not None and params.repeat_penalty == 1.0:
            sampler = Sampler(params, list(processors or ()), params.seed)
            return speculate(self._llama, prompt, sampler, self._drafter, stats, self._draft_costs)
        return iter(
            self._llama.generate(
                prompt,
                temp=params.temperature,
                top_p=params.top_p,
                top_k=params.top_k,
                min_p=params.min_p,
                repeat_penalty=params.repeat_penalty,
                logits_processor=processors,
            )
        )
