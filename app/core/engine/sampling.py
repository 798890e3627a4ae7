"""Token choice for speculative decoding: llama.cpp's sampler chain, and the acceptance rule.

Plain decoding samples inside llama.cpp (``Llama.generate``).  Speculative decoding must know the
target's probability of a *given* token (the draft's proposal) and, on rejection, sample from
what is left, which llama.cpp's sampler API cannot do.  So this module repeats the chain
llama-cpp-python builds for Hearth's settings, in the same order (logits processors, top-k, top-p,
min-p, temperature; typical-p is 1 and so a no-op), on the logits of one position.

The acceptance rule is standard speculative sampling (Leviathan et al. 2023, Chen et al. 2023)
for a draft that proposes its most likely token (a point mass q): accept the draft token x with
probability p(x); on rejection sample from p with x removed, renormalized.  Every output token is
then distributed exactly as p, so the answer's distribution is the target's own.  At temperature
0 both reduce to "the target's argmax", and the output is plain greedy decoding's.

numpy does the work here, not llama.cpp: a chain over one position costs ~0.1 ms for a 150k
vocabulary, against milliseconds of model time per token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.core.engine.base import LogitsProcessor, SamplingParams

Logits = npt.NDArray[np.single]


@dataclass
class Distribution:
    """The candidates that survive the chain, most likely first, and their probabilities."""

    ids: npt.NDArray[np.intp]
    probs: npt.NDArray[np.float64]

    def probability(self, token: int) -> float:
        where = np.flatnonzero(self.ids == token)
        return float(self.probs[where[0]]) if where.size else 0.0


class Sampler:
    """One answer's token choice, with its own random stream (seeded like the answer)."""

    def __init__(self, params: SamplingParams, processors: Sequence[LogitsProcessor] = (), seed: int | None = None) -> None:
        self.params = params
        self.processors = list(processors)
        self.rng = np.random.default_rng(seed)

    @property
    def greedy(self) -> bool:
        return self.params.temperature <= 0

    def _processed(self, ids: npt.NDArray[np.intc], logits: Logits) -> Logits:
        if not self.processors:
            return logits
        logits = np.array(logits, dtype=np.single)  # processors edit in place; the C buffer stays as it was
        for processor in self.processors:
            logits = processor(ids, logits)
        return logits

    def distribution(self, ids: npt.NDArray[np.intc], logits: Logits) -> Distribution:
        """llama.cpp's top-k, top-p, min-p and temperature, in that order."""
        p = self.params
        logits = self._processed(ids, logits)
        n = logits.shape[0]
        top = np.argpartition(-logits, p.top_k - 1)[: p.top_k] if 0 < p.top_k < n else np.arange(n)
        values = logits[top].astype(np.float64)
        order = np.argsort(-values, kind="stable")
        top, values = top[order], values[order]
        if p.top_p < 1.0:
            probs = _softmax(values)
            keep = int(np.searchsorted(np.cumsum(probs), p.top_p)) + 1  # the token that crosses top_p stays
            top, values = top[:keep], values[:keep]
        if p.min_p > 0.0:
            keep = max(1, int(np.count_nonzero(values >= values[0] + np.log(p.min_p))))
            top, values = top[:keep], values[:keep]
        return Distribution(top, _softmax(values / max(p.temperature, 1e-6)))

    def sample(self, ids: npt.NDArray[np.intc], logits: Logits) -> int:
        """A token for this position (the target's own choice, no draft involved)."""
        if self.greedy:
            return int(np.argmax(self._processed(ids, logits)))
        dist = self.distribution(ids, logits)
        return int(dist.ids[self.rng.choice(dist.ids.size, p=dist.probs)])

    def verify(self, ids: npt.NDArray[np.intc], logits: Logits, draft: int) -> tuple[bool, int]:
        """Accept the draft's token, or say which token the target puts there instead."""
        if self.greedy:
            token = int(np.argmax(self._processed(ids, logits)))
            return token == draft, token
        return accept_or_resample(self.distribution(ids, logits), draft, self.rng)


def accept_or_resample(dist: Distribution, draft: int, rng: np.random.Generator) -> tuple[bool, int]:
    """The acceptance rule for a point-mass draft: keep ``draft`` with probability p(draft), else
    draw from p without it (the residual max(p - q, 0), normalized)."""
    p_draft = dist.probability(draft)
    if p_draft > 0.0 and rng.random() < p_draft:
        return True, draft
    residual = np.where(dist.ids == draft, 0.0, dist.probs)
    total = residual.sum()
    if total <= 0.0:  # p is all on the draft token (numerically): it is the only choice
        return True, draft
    return False, int(dist.ids[rng.choice(dist.ids.size, p=residual / total)])


def _softmax(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    shifted = np.exp(values - values.max())
    result: npt.NDArray[np.float64] = shifted / shifted.sum()
    return result
