"""Where speculative decoding's guesses come from: a small draft model, or the prompt itself.

A drafter proposes the next few tokens of a sequence; the target model (see :mod:`.speculative`)
checks them all in one batch.  Two kinds:

* :class:`DraftModel`: a second, much smaller ``Llama`` with the same tokenizer (R1-Distill-Qwen-1.5B
  for the 7B-32B Qwen distills).  It keeps its own KV cache in step with the target's sequence and
  proposes its greedy continuation.
* :class:`PromptLookup`: no model at all; where the last few tokens already occurred earlier in
  the prompt or the answer, it proposes what followed them then.  Edits and code rewrites repeat
  long runs of their prompt, and these guesses cost nothing.

:func:`vocabulary_mismatch` is the check that lets a pair in: token lists compared entry by entry
(a different merge table with the same size would make every guess wrong).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from app.core.engine.kv_cache import rewind_to_prefix
from app.core.models.info import ModelInfo, inspect_model

log = logging.getLogger(__name__)

DRAFT_TOKENS = 6  # tokens a draft model proposes per round
LOOKUP_TOKENS = 10  # tokens a prompt lookup may propose (they cost nothing to make)
LOOKUP_NGRAM = (4, 3, 2)  # suffix lengths tried, longest first


class Drafter(Protocol):
    kind: str  # "draft model" or "prompt lookup", for the status line

    def propose(self, sequence: Sequence[int], limit: int) -> list[int]:
        """Up to ``limit`` tokens likely to follow ``sequence`` (may be none)."""
        ...

    def close(self) -> None: ...


class PromptLookup:
    """N-gram drafting from the sequence itself (prompt and answer so far)."""

    kind = "prompt lookup"

    def propose(self, sequence: Sequence[int], limit: int) -> list[int]:
        limit = min(limit, LOOKUP_TOKENS)
        tokens = np.asarray(sequence, dtype=np.intc)
        for n in LOOKUP_NGRAM:
            if len(tokens) <= n:
                continue
            suffix = tokens[-n:]
            # Windows of n tokens that end before the suffix itself; the latest match wins (it is
            # the one the answer is most likely copying from right now).
            windows = np.lib.stride_tricks.sliding_window_view(tokens[:-1], n)
            hits = np.flatnonzero((windows == suffix).all(axis=1))
            if hits.size:
                start = int(hits[-1]) + n
                return [int(t) for t in tokens[start : start + limit]]
        return []

    def close(self) -> None:
        pass


class DraftModel:
    """A small ``Llama`` that guesses greedily; its KV cache follows the target's sequence."""

    kind = "draft model"

    def __init__(self, llama: Any, name: str) -> None:
        self.llama = llama
        self.name = name
        self.n_vocab = int(llama.n_vocab())

    def propose(self, sequence: Sequence[int], limit: int) -> list[int]:
        llama = self.llama
        limit = min(limit, DRAFT_TOKENS, llama.n_ctx() - len(sequence) - 1)
        if limit <= 0 or max(sequence[-8:], default=0) >= self.n_vocab:
            return []  # out of room, or the target wrote a token the draft does not have
        cached = rewind_to_prefix(llama, sequence)
        llama.eval(list(sequence[cached:]))
        import llama_cpp

        proposal: list[int] = []
        for _ in range(limit):
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llama._ctx.ctx, -1), shape=(self.n_vocab,))
            token = int(np.argmax(logits))
            proposal.append(token)
            if len(proposal) == limit:
                break
            llama.eval([token])
        return proposal

    def close(self) -> None:
        self.llama.close()


def _token_texts(llama: Any) -> list[bytes]:
    import llama_cpp

    vocab = llama._model.vocab
    return [llama_cpp.llama_vocab_get_text(vocab, i) or b"" for i in range(int(llama.n_vocab()))]


def _padding(text: bytes) -> bool:
    return text.startswith((b"[PAD", b"<pad", b"<|PAD", b"<unused")) or text == b""


def vocabulary_mismatch(target: Any, draft: Any) -> str | None:
    """Why ``draft`` cannot draft for ``target`` (None when every token means the same in both).

    The lists may differ in length only by padding entries (GGUF converters pad the vocabulary to
    the embedding size, and a 7B and a 1.5B model pad differently)."""
    mine, theirs = _token_texts(target), _token_texts(draft)
    shared = min(len(mine), len(theirs))
    for i in range(shared):
        if mine[i] != theirs[i]:
            ours, other = mine[i].decode("utf-8", "replace"), theirs[i].decode("utf-8", "replace")
            return f"their tokenizers differ (token {i} is '{ours}' in the model and '{other}' in the draft)"
    longer = mine if len(mine) > len(theirs) else theirs
    extra = [t for t in longer[shared:] if not _padding(t)]
    if extra:
        return f"the vocabularies differ in size ({len(mine)} and {len(theirs)} tokens)"
    if target.token_bos() != draft.token_bos() or target.token_eos() != draft.token_eos():
        return "the begin and end tokens differ"
    return None


class DraftPairError(Exception):
    """The chosen draft model cannot draft for the loaded model (the text says why)."""


def load_draft_model(path: str, target: Any, target_info: ModelInfo, n_threads: int, gpu_layers: int) -> DraftModel:
    """Load ``path`` as a draft for ``target`` (same context size), after checking the pair.

    Raises :class:`DraftPairError` with user-facing text for a file that is not a draft for this
    model, one llama.cpp cannot load, or a draft that is not smaller than the model."""
    import llama_cpp

    from app.core.engine import cpu_buffers

    info = inspect_model(path)  # typed errors for bad files
    if info.read_bytes_per_token >= target_info.read_bytes_per_token:
        raise DraftPairError(f"'{info.path.name}' is not smaller than the model, so it cannot make it faster.")
    try:
        with cpu_buffers.model_defaults():
            llama = llama_cpp.Llama(
                model_path=str(info.path),
                n_ctx=int(target.n_ctx()),
                n_gpu_layers=gpu_layers,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                flash_attn=True,
                verbose=False,
            )
    except (ValueError, RuntimeError, OSError) as exc:
        log.exception("llama.cpp failed to load the draft %s", info.path)
        raise DraftPairError(f"llama.cpp could not load the draft model '{info.path.name}'.") from exc
    why = vocabulary_mismatch(target, llama)
    if why:
        llama.close()
        raise DraftPairError(f"'{info.path.name}' cannot draft for this model: {why}.")
    return DraftModel(llama, info.name or info.path.stem)
