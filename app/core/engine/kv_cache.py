"""What the engine does to llama.cpp's KV cache besides appending: reuse, shift, prefix rules.

``Llama.generate`` reuses the longest common prefix of the cached tokens and the new prompt; the
functions here keep ``Llama.input_ids`` / ``n_tokens`` equal to what the cache holds, so that rule
stays right after Hearth edits the cache itself (a history cut, a restored snapshot).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)


def common_prefix(cached: Sequence[int] | npt.NDArray[np.intc], tokens: Sequence[int] | npt.NDArray[np.intc]) -> int:
    """How many leading tokens two sequences share."""
    a = np.asarray(cached, dtype=np.intc)
    b = np.asarray(tokens, dtype=np.intc)
    n = min(len(a), len(b))
    if n == 0:
        return 0
    differs = np.flatnonzero(a[:n] != b[:n])
    return int(differs[0]) if differs.size else n


def rewind_to_prefix(llama: Any, tokens: Sequence[int]) -> int:
    """Drop the cached tokens after the longest prefix shared with ``tokens`` (keeping at least
    the last of ``tokens`` to evaluate, for its logits); a cache that cannot drop a suffix is
    cleared.  Returns how many tokens stay cached: the caller evaluates the rest."""
    cached = min(common_prefix(llama.input_ids[: llama.n_tokens], tokens), len(tokens) - 1)
    if cached < llama.n_tokens and not llama._ctx.kv_cache_seq_rm(0, cached, -1):
        cached = 0
        llama.reset()
        llama._ctx.kv_cache_clear()
    llama.n_tokens = cached
    return cached


def reused_prefix(llama: Any, tokens: Sequence[int]) -> int:
    """Tokens of ``tokens`` whose KV entries ``Llama.generate`` reuses."""
    common = common_prefix(llama.input_ids[: llama.n_tokens], tokens)
    # A fully cached prompt still replays its last token to get fresh logits.
    return common - 1 if common == len(tokens) and common > 0 else common


def shift_out_cut_turns(llama: Any, prompt: Sequence[int]) -> None:
    """A cut that dropped the oldest turns removes a run of tokens from the middle of the
    cached prompt (after the system prompt): drop those cache entries and move the rest up,
    so the kept history is not evaluated again.  Only where the cache can shift positions
    (RoPE models; V4's compressed cache cannot), and only where the kept history's first
    16 tokens are found in the cache after the shared prefix."""
    import llama_cpp

    n = llama.n_tokens
    cached = np.asarray(llama.input_ids[:n], dtype=np.intc)
    new = np.asarray(prompt, dtype=np.intc)
    common = common_prefix(cached, new)
    if common == 0 or common == min(n, len(new)):
        return  # nothing shared, or nothing removed
    needle = new[common : common + 16].tobytes()
    at = cached[common + 1 :].tobytes().find(needle)
    while at >= 0 and at % 4:
        at = cached[common + 1 :].tobytes().find(needle, at + 1)
    if at < 0 or len(needle) < 16 * 4:
        return
    cut_end = common + 1 + at // 4  # cached[common:cut_end] were the dropped turns
    tail = n - cut_end  # from here on generate() keeps what matches (re-tokenized answers may not)
    memory = llama_cpp.llama_get_memory(llama._ctx.ctx)
    if not llama_cpp.llama_memory_can_shift(memory) or not llama._ctx.kv_cache_seq_rm(0, common, cut_end):
        return
    llama._ctx.kv_cache_seq_shift(0, cut_end, n, common - cut_end)
    llama.input_ids[common : common + tail] = cached[cut_end:]
    llama.n_tokens = common + tail
    log.debug("dropped %d cached tokens of cut turns and kept %d in place", cut_end - common, tail)
