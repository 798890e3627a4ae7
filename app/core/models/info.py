"""What Hearth needs to know about a model before loading it.

Built from the validated GGUF header(s) of a single file or of all shards of a
split model (``name-00001-of-0000N.gguf``): architecture, layer count, bytes
of weights per layer, KV-cache bytes per token of context, context length and
the embedded chat template.  The offload planner and the memory check work
from this alone, so a load that cannot fit is refused before llama.cpp
allocates anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import CorruptModelError, ModelFileMissingError, UnsupportedArchitectureError
from app.core.models import architectures, ggml_rates, hparams
from app.core.models.gguf_header import SPLIT_RE, GGUFHeader, read_header
from app.core.sentences import say

_LAYER_RE = re.compile(r"^blk\.(\d+)\.")
KV_BYTES_PER_ELEMENT = 2  # llama.cpp's default f16 K and V cache


@dataclass(frozen=True)
class ModelInfo:
    path: Path  # the file to hand to llama.cpp (first shard of a split model)
    shards: tuple[Path, ...]
    architecture: str
    name: str
    n_layers: int
    context_length: int
    layer_bytes: tuple[int, ...]  # weights of each repeating block
    output_bytes: int  # output head + final norm: offloaded with the last layer
    other_bytes: int  # token embeddings and anything else that stays on the CPU
    kv_bytes_per_token: tuple[int, ...]  # per layer, one token of context
    n_embd: int
    n_head: int
    n_vocab: int
    chat_template: str | None
    file_type: int | None
    # Bytes of weights one decoded token reads, by ggml type name (None: types the speed estimate
    # times at the plain bandwidth): every layer and the output head; of the routed experts
    # (``*_exps``) only the share a token uses; the token embeddings are a row lookup, unless
    # the model has no output head and they are it.
    read_by_type: tuple[tuple[str | None, int], ...] = ()

    @property
    def weight_bytes(self) -> int:
        return sum(self.layer_bytes) + self.output_bytes + self.other_bytes

    @property
    def file_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.shards)

    @property
    def read_bytes_per_token(self) -> int:
        return sum(n for _, n in self.read_by_type)

    def kv_cache_bytes(self, n_ctx: int, layers: int | None = None) -> int:
        per_token = self.kv_bytes_per_token if layers is None else self.kv_bytes_per_token[:layers]
        return sum(per_token) * n_ctx


def find_shards(path: Path) -> tuple[Path, ...]:
    """All shard files of a split model, in order; ``(path,)`` for a single file."""
    match = SPLIT_RE.match(path.name)
    if not match:
        return (path,)
    count = int(match["count"])
    shards = tuple(path.with_name(f"{match['stem']}-{i:05d}-of-{count:05d}.gguf") for i in range(1, count + 1))
    missing = [s.name for s in shards if not s.exists()]
    if missing:
        raise ModelFileMissingError(
            say(
                "This model is split into {count} files and {missing} of them are missing: {missing2}.",
                count=count,
                missing=len(missing),
                missing2=", ".join(missing),
            ),
            say("Put all parts in the same folder (or finish the download)."),
        )
    return shards


def _int(header: GGUFHeader, suffix: str, default: int | None = None) -> int:
    value = header.arch_value(suffix, default)
    if isinstance(value, list):  # per-layer arrays (e.g. head_count_kv): take the largest
        value = max(value) if value else default
    if not isinstance(value, int) or isinstance(value, bool):
        raise CorruptModelError(
            say(
                "'{name}' lacks the required setting '{architecture}.{suffix}'.",
                name=header.path.name,
                architecture=header.architecture,
                suffix=suffix,
            ),
            say("The file was not produced by a compatible converter."),
        )
    return value


def _kv_per_token(header: GGUFHeader, n_layers: int) -> tuple[int, ...]:
    """KV-cache bytes per token and layer, following llama.cpp's cache layout.

    ``key_length``/``value_length`` already describe the cached vectors for every
    layout (for deepseek2 they are the compressed latent sizes).  The MLA layout
    (``key_length_mla`` present) caches K only: V is read back from the latent.
    """
    n_head = _int(header, "attention.head_count", 0)
    if not n_head:  # a recurrent model (Mamba, RWKV): its state does not grow with the context
        return (0,) * n_layers
    head_dim = _int(header, "embedding_length") // n_head
    n_head_kv = header.arch_value("attention.head_count_kv", n_head)
    heads = n_head_kv if isinstance(n_head_kv, list) else [n_head_kv] * n_layers
    key_len = _int(header, "attention.key_length", head_dim)
    value_len = 0 if header.arch_value("attention.key_length_mla") else _int(header, "attention.value_length", head_dim)
    per_layer = [int(h) * (key_len + value_len) for h in heads[:n_layers]]
    if header.architecture == "deepseek32":  # DSA also caches one indexer key per token
        indexer = _int(header, "attention.indexer.key_length", 0)
        per_layer = [n + indexer for n in per_layer]
    if header.architecture == "deepseek4":
        per_layer = _deepseek4_kv(header, n_layers, key_len)
    return tuple(n * KV_BYTES_PER_ELEMENT for n in per_layer)


def _deepseek4_kv(header: GGUFHeader, n_layers: int, head: int) -> list[int]:
    """V4 keeps a fixed sliding window per layer (not per token, left out) and one compressed
    entry per ``ratio`` tokens: 4:1 layers (CSA) cache two overlapping halves and an indexer key,
    128:1 layers (HCA) one entry; window-only layers (ratio 0) grow with nothing."""
    ratios = header.arch_value("attention.compress_ratios") or []
    indexer = _int(header, "attention.indexer.key_length", 0)
    per_layer = []
    for i in range(n_layers):
        ratio = int(ratios[i]) if i < len(ratios) and isinstance(ratios[i], int) else 0
        if ratio == 4:
            per_layer.append(-(-(2 * head + indexer) // 4))
        elif ratio:
            per_layer.append(-(-head // ratio))
        else:
            per_layer.append(0)
    return per_layer


_INSPECTED: dict[tuple[tuple[str, int, int], ...], ModelInfo] = {}
_INSPECTED_MAX = 64


def inspect_model(path: Path | str) -> ModelInfo:
    """Validate every shard and summarize the model; raises typed errors.

    The summary of unchanged files (same paths, sizes and modification times) is remembered:
    the window asks for it every time it lists the installed quantizations, and a header with
    a 150k-token vocabulary takes ~17 ms to walk."""
    path = Path(path).expanduser()
    shards = find_shards(path)
    try:
        key = tuple((str(s), (st := s.stat()).st_size, st.st_mtime_ns) for s in shards)
    except OSError:
        key = ()
    if key in _INSPECTED:
        return _INSPECTED[key]
    info = _inspect(path, shards)
    if key:
        if len(_INSPECTED) >= _INSPECTED_MAX:
            _INSPECTED.pop(next(iter(_INSPECTED)))
        _INSPECTED[key] = info
    return info


def _inspect(path: Path, shards: tuple[Path, ...]) -> ModelInfo:
    headers = [read_header(s) for s in shards]
    first = headers[0]
    arch = first.architecture
    if not arch:
        raise CorruptModelError(
            say("'{name}' does not say which model architecture it is.", name=path.name), say("The file is incomplete.")
        )
    if not architectures.is_runnable(arch):
        raise UnsupportedArchitectureError(
            say(
                (
                    "'{name}' is a '{arch}' model, an architecture the llama.cpp in this Hearth "
                    "(llama-cpp-python {llama_cpp_version}) cannot run."
                ),
                name=path.name,
                arch=arch,
                llama_cpp_version=architectures.llama_cpp_version(),
            ),
            say(
                "Use a GGUF made for mainline llama.cpp (files for forks such as ik_llama.cpp need that fork), or a newer Hearth."
            ),
        )
    split_count = first.metadata.get("split.count", 1)
    if isinstance(split_count, int) and split_count != len(shards):
        raise CorruptModelError(
            say(
                "'{name}' says the model has {split_count} parts, but {shards} were found.",
                name=path.name,
                split_count=split_count,
                shards=len(shards),
            ),
            say("Download all parts of the model into the same folder."),
        )

    n_layers = _int(first, "block_count")
    tensor_shapes = {t.name: t.shape for h in headers for t in h.tensors}
    hparams.check(first, n_layers, tensor_shapes)
    n_embd = _int(first, "embedding_length")
    n_vocab = hparams.check_vocabulary(first, n_embd, tensor_shapes)
    layer_bytes = [0] * n_layers
    output_bytes = other_bytes = 0
    names = {t.name for h in headers for t in h.tensors}
    experts = first.arch_value("expert_count")
    used = first.arch_value("expert_used_count")
    fraction = used / experts if isinstance(experts, int) and isinstance(used, int) and 0 < used <= experts else 1.0
    head = "output.weight" if "output.weight" in names else "token_embd.weight"
    read: dict[str | None, int] = {}
    for header in headers:
        for tensor in header.tensors:
            if _LAYER_RE.match(tensor.name) or tensor.name.startswith("output") or tensor.name == head:
                kind = ggml_rates.BY_ID.get(tensor.ggml_type)
                share = fraction if "_exps." in tensor.name else 1.0
                read[kind] = read.get(kind, 0) + int(tensor.nbytes * share)
            match = _LAYER_RE.match(tensor.name)
            if match and int(match[1]) < n_layers:
                layer_bytes[int(match[1])] += tensor.nbytes
            elif tensor.name.startswith(("output.", "output_norm.")):
                output_bytes += tensor.nbytes
            else:
                other_bytes += tensor.nbytes
    if "token_embd.weight" not in names:
        raise CorruptModelError(say("'{name}' has no token embeddings.", name=path.name), say("The file is incomplete."))

    template = first.metadata.get("tokenizer.chat_template")
    file_type = first.metadata.get("general.file_type")

    return ModelInfo(
        path=shards[0],
        shards=shards,
        architecture=arch,
        name=str(first.metadata.get("general.name") or path.stem),
        n_layers=n_layers,
        context_length=_int(first, "context_length"),
        layer_bytes=tuple(layer_bytes),
        output_bytes=output_bytes,
        other_bytes=other_bytes,
        kv_bytes_per_token=_kv_per_token(first, n_layers),
        n_embd=n_embd,
        n_head=_int(first, "attention.head_count", 0),
        n_vocab=n_vocab,
        chat_template=template if isinstance(template, str) and template.strip() else None,
        file_type=file_type if isinstance(file_type, int) else None,
        read_by_type=tuple(read.items()),
    )
