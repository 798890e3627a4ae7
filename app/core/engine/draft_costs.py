"""Whether speculative decoding pays on this machine: what checking guesses costs here.

Checking k + 1 tokens in one batch costs about what one token costs where decoding is bound by
memory (a GPU, a many-core CPU, a large model): the weights are read once either way.  Where it is
bound by arithmetic (a 2-core AVX2 CPU with quantized weights) it costs up to k + 1 times as much,
and guessing makes answers slower.  So when a draft model is loaded, one token and a full batch
of guesses are timed on the model, and one token on the draft, and the expected speed-up

    E[tokens per round] x t(1) / (k x t_draft + t(k + 1)),   E = (1 - a^(k+1)) / (1 - a)

is computed for an acceptance ``a``: at load with a typical acceptance (``PRIOR_ACCEPTANCE``),
while answering with the measured one (``speculative.speculate`` stops guessing when it does not pay).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

PRIOR_ACCEPTANCE = 0.7  # same-family distills at DeepSeek's sampling settings accept 60-80 % of guesses
MIN_SPEED_UP = 1.05  # below this a draft model is not used by "auto" (it also costs memory)
REPEATS = 3


@dataclass(frozen=True)
class BatchCosts:
    one: float  # seconds to decode one token on the model
    batch: float  # ... k + 1 tokens in one batch
    draft_step: float  # ... one token on the draft
    guesses: int  # k

    @property
    def batch_ratio(self) -> float:
        return self.batch / self.one if self.one > 0 else 1.0

    def speed_up(self, acceptance: float) -> float:
        a, k = min(max(acceptance, 0.0), 0.999), self.guesses
        tokens = (1 - a ** (k + 1)) / (1 - a)
        return tokens * self.one / (k * self.draft_step + self.batch)


def _decode_time(llama: Any, count: int) -> float | None:
    """The fastest of a few decodes of ``count`` tokens after what the cache holds (then removed)."""
    start = int(llama.n_tokens)
    if start + count >= int(llama.n_ctx()):
        return None
    token = int(llama.token_bos()) if llama.token_bos() >= 0 else 0
    best = float("inf")
    try:
        for _ in range(REPEATS):
            llama._batch.set_batch([token] * count, start, logits_all=True)
            began = time.perf_counter()
            llama._ctx.decode(llama._batch)
            best = min(best, time.perf_counter() - began)
            llama._ctx.kv_cache_seq_rm(0, start, -1)
    except RuntimeError:
        return None
    return best


def measure(target: Any, draft: Any, guesses: int) -> BatchCosts | None:
    """Time the pair (a few tens of milliseconds for small models); None where there is no room."""
    _decode_time(target, 1)  # the first decode of a fresh context allocates its buffers
    _decode_time(draft, 1)
    one, batch, step = _decode_time(target, 1), _decode_time(target, guesses + 1), _decode_time(draft, 1)
    if one is None or batch is None or step is None:
        return None
    return BatchCosts(one, batch, step, guesses)
