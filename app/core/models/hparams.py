"""Hyper-parameters of a GGUF checked before llama.cpp reads them.

llama.cpp checks many header values with ``GGML_ASSERT``, which aborts the whole
process (the window, an unsaved answer) instead of raising.  Every such check
that a file's metadata can reach while loading is repeated here, with the same
limits (``src/llama-model.cpp`` and ``src/llama-hparams.h`` of the bundled
llama.cpp), so a file that fails one is a typed error that names the value:
layer count (1..512), expert counts and groups, the RoPE scaling type,
per-layer arrays of the right length, head counts that divide, special-token
ids inside the vocabulary, no duplicate token (llama.cpp asserts on that too),
and the embedding and output tensors shaped as the header says.  Values Hearth's
own estimates divide by are checked too (a ``head_count`` of 0 used to end in
ZeroDivisionError, "internal error").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from app.core.errors import CorruptModelError
from app.core.models.gguf_header import ArrayRef, GGUFHeader
from app.core.sentences import say

MAX_LAYERS = 512  # LLAMA_MAX_LAYERS
MAX_EXPERTS = 1024  # LLAMA_MAX_EXPERTS
MAX_EMBEDDING = 1 << 17
MAX_CONTEXT = 1 << 24
MAX_VOCAB = 1 << 22
ROPE_SCALING_TYPES = ("none", "linear", "yarn", "longrope")  # llama_rope_scaling_type_from_string
_TOKEN_ID_KEY = re.compile(r"^tokenizer\.ggml\.\w+_token_id$")
_LAYER_RE = re.compile(r"^blk\.(\d+)\.")


def _bad(header: GGUFHeader, what: str) -> CorruptModelError:
    return CorruptModelError(
        say("'{name}' has an impossible setting: {what}.", name=header.path.name, what=what),
        say("The file is damaged or was made by a broken converter; use another file."),
    )


def _ints(header: GGUFHeader, suffix: str, n_layers: int) -> list[int] | None:
    """A scalar or per-layer setting as a list of ints (None when absent); wrong types and lengths refused."""
    value = header.arch_value(suffix)
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    if isinstance(value, ArrayRef) or any(not isinstance(v, int) or isinstance(v, bool) for v in values):
        raise _bad(header, f"{header.architecture}.{suffix} is not a whole number or a list of them")
    if isinstance(value, list) and len(values) != n_layers:
        raise _bad(header, f"{header.architecture}.{suffix} lists {len(values)} layers, the model has {n_layers}")
    return [int(v) for v in values]


def _within(header: GGUFHeader, suffix: str, values: list[int] | None, low: int, high: int) -> None:
    for value in values or ():
        if not low <= value <= high:
            raise _bad(header, f"{header.architecture}.{suffix} is {value} (allowed: {low} to {high})")


def check(header: GGUFHeader, n_layers: int, tensor_names: Iterable[str]) -> None:
    """Raise a typed error for any header value llama.cpp would abort on (or Hearth divide by).
    ``tensor_names``: of every shard (a split model's layers are spread over its files)."""
    if not 1 <= n_layers <= MAX_LAYERS:
        raise _bad(header, f"{header.architecture}.block_count is {n_layers} (allowed: 1 to {MAX_LAYERS})")
    _within(header, "nextn_predict_layers", _ints(header, "nextn_predict_layers", n_layers), 0, n_layers)
    embd = _ints(header, "embedding_length", n_layers)
    _within(header, "embedding_length", embd, 1, MAX_EMBEDDING)
    _within(header, "context_length", _ints(header, "context_length", n_layers), 1, MAX_CONTEXT)
    n_embd = embd[0] if embd else 0
    heads = _ints(header, "attention.head_count", n_layers) or []
    _within(header, "attention.head_count", heads, 1, max(n_embd, 1))
    kv_heads = _ints(header, "attention.head_count_kv", n_layers)
    _within(header, "attention.head_count_kv", kv_heads, 1, max(heads or [1]))
    if heads and kv_heads and len(heads) == len(kv_heads) and any(h % k for h, k in zip(heads, kv_heads)):
        raise _bad(header, "attention.head_count is not a multiple of attention.head_count_kv")
    for suffix in ("attention.key_length", "attention.value_length", "feed_forward_length", "expert_feed_forward_length"):
        _within(header, suffix, _ints(header, suffix, n_layers), 1, 1 << 20)
    _check_experts(header, n_layers)
    scaling = header.arch_value("rope.scaling.type")
    if scaling is not None and scaling not in ROPE_SCALING_TYPES:
        raise _bad(header, f"{header.architecture}.rope.scaling.type is {scaling!r} (known: {', '.join(ROPE_SCALING_TYPES)})")
    for suffix in ("rope.freq_base", "attention.layer_norm_rms_eps", "attention.layer_norm_epsilon"):
        value = header.arch_value(suffix)
        if value is not None and (not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0):
            raise _bad(header, f"{header.architecture}.{suffix} is {value!r}")
    _check_attention_dims(header, n_layers, n_embd, heads)
    _check_layers(header, n_layers, list(tensor_names))


def _check_attention_dims(header: GGUFHeader, n_layers: int, n_embd: int, heads: list[int]) -> None:
    """Head sizes that llama.cpp uses to build its graph but does not compare with the tensors (a
    mismatch ends in ``GGML_ASSERT`` while the context reserves its graphs): the rotary part fits
    in a head, and in DeepSeek's MLA form the cached key is the latent plus the rotary part."""
    head_dim = n_embd // max(heads) if heads else 0
    key = (_ints(header, "attention.key_length", n_layers) or [head_dim])[0]
    rope = _ints(header, "rope.dimension_count", n_layers)
    if rope and not (0 < rope[0] <= key and rope[0] % 2 == 0):
        raise _bad(header, f"rope.dimension_count is {rope[0]} for heads of {key}")
    if header.arch_value("attention.key_length_mla") is not None:
        latent = (_ints(header, "attention.kv_lora_rank", n_layers) or [0])[0]
        value = (_ints(header, "attention.value_length", n_layers) or [0])[0]
        mla_key = (_ints(header, "attention.key_length_mla", n_layers) or [0])[0]
        if latent <= 0 or key != latent + (rope[0] if rope else 0) or value != latent or not rope or mla_key <= rope[0]:
            raise _bad(header, f"the MLA sizes do not agree (key {key}, value {value}, latent {latent}, rope {rope})")


def _check_experts(header: GGUFHeader, n_layers: int) -> None:
    """The expert checks of ``llama_model::load_hparams``, in its order."""
    experts = (_ints(header, "expert_count", n_layers) or [0])[0]
    used = max(_ints(header, "expert_used_count", n_layers) or [0])
    groups = (_ints(header, "expert_group_count", n_layers) or [0])[0]
    group_used = (_ints(header, "expert_group_used_count", n_layers) or [0])[0]
    if not 0 <= experts <= MAX_EXPERTS:
        raise _bad(header, f"expert_count is {experts} (at most {MAX_EXPERTS})")
    if not 0 <= used <= experts:
        raise _bad(header, f"expert_used_count is {used} with {experts} experts")
    if experts > 0:
        if used == 0 or not 0 <= groups < experts:
            raise _bad(header, f"{used} experts used and {groups} groups of {experts} experts")
        if groups > 1 and (experts % groups or not 0 < group_used < groups):
            raise _bad(header, f"{experts} experts in {groups} groups, {group_used} used")
    elif groups != 0:
        raise _bad(header, f"expert_group_count is {groups} without experts")


def _check_layers(header: GGUFHeader, n_layers: int, names: list[str]) -> None:
    """Every layer 0..n-1 has weights and no tensor names a layer past the count."""
    seen: set[int] = set()
    for name in names:
        match = _LAYER_RE.match(name)
        if match:
            index = int(match[1])
            if index >= n_layers:
                raise _bad(header, f"tensor '{name}' belongs to layer {index}, but the model has {n_layers} layers")
            seen.add(index)
    missing = [i for i in range(n_layers) if i not in seen]
    if names and missing and len(missing) < n_layers:
        raise _bad(header, f"layers {missing[:5]} have no weights")


def check_vocabulary(header: GGUFHeader, n_embd: int, tensors: dict[str, tuple[int, ...]]) -> int:
    """The vocabulary's size after checking it: no duplicate tokens, special-token ids inside it,
    per-token arrays and the embedding/output tensors of the same size.  Returns the size."""
    raw: Any = header.metadata.get("tokenizer.ggml.tokens")
    if raw is None:
        raise _bad(header, "there is no vocabulary (tokenizer.ggml.tokens)")
    tokens = header.array("tokenizer.ggml.tokens") if isinstance(raw, (ArrayRef, list)) else None
    if not isinstance(tokens, list) or not tokens or any(not isinstance(t, str) for t in tokens):
        raise _bad(header, "the vocabulary is not a list of strings")
    n_vocab = len(tokens)
    if n_vocab > MAX_VOCAB:
        raise _bad(header, f"the vocabulary has {n_vocab:,} tokens")
    if len(set(tokens)) != n_vocab:
        seen: set[str] = set()
        twice = next(t for t in tokens if t in seen or seen.add(t))  # type: ignore[func-returns-value]
        raise _bad(header, f"the token {twice!r} appears twice in the vocabulary")
    for key, value in header.metadata.items():
        if _TOKEN_ID_KEY.match(key) and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < n_vocab):
            raise _bad(header, f"{key} is {value!r}, outside the vocabulary of {n_vocab:,} tokens")
    for key in ("tokenizer.ggml.token_type", "tokenizer.ggml.scores"):
        value = header.metadata.get(key)
        count = value.count if isinstance(value, ArrayRef) else len(value) if isinstance(value, list) else None
        if count is not None and count != n_vocab:
            raise _bad(header, f"{key} has {count:,} entries for {n_vocab:,} tokens")
    for name in ("token_embd.weight", "output.weight"):
        shape = tensors.get(name)
        if shape is not None and (len(shape) != 2 or shape[0] != n_embd or shape[1] != n_vocab):
            raise _bad(header, f"tensor '{name}' is {list(shape)}, the header says [{n_embd}, {n_vocab}]")
    return n_vocab
