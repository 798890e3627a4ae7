"""Generate real, tiny GGUF models for tests and benchmarks.

The files are complete models in the architectures DeepSeek checkpoints use
(qwen2, llama, qwen3, deepseek2 with MLA, V3.2's deepseek32, V4's deepseek4), with random weights, a
byte-level BPE tokenizer carrying DeepSeek's special tokens, and the real
DeepSeek chat template, so the real llama-cpp-python loads and runs them.
Also used by ``bench/`` to build a larger model (same code, bigger spec).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import gguf
import numpy as np
from gguf.constants import GGMLQuantizationType, LlamaFileType, TokenType

from app.core.engine.templates import load_family_template

BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"
USER = "<｜User｜>"
ASSISTANT = "<｜Assistant｜>"
THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
PAD = "<｜▁pad▁｜>"
SPECIAL_CONTROL = [BOS, EOS, USER, ASSISTANT, PAD]
SPECIAL_USER = [THINK_OPEN, THINK_CLOSE]
MERGES = [("Ġ", "t"), ("h", "e"), ("t", "h"), ("Ġ", "a"), ("i", "n"), ("e", "r")]

QUANT_TYPES = {
    "F32": (GGMLQuantizationType.F32, LlamaFileType.ALL_F32),
    "F16": (GGMLQuantizationType.F16, LlamaFileType.MOSTLY_F16),
    "Q8_0": (GGMLQuantizationType.Q8_0, LlamaFileType.MOSTLY_Q8_0),
    "Q4_0": (GGMLQuantizationType.Q4_0, LlamaFileType.MOSTLY_Q4_0),
}
TOKENIZER_PRE = {
    "qwen2": "deepseek-r1-qwen",
    "qwen3": "qwen2",
    "llama": "llama-bpe",
    "deepseek2": "deepseek-v3",
    "deepseek32": "deepseek-v3",
    "deepseek4": "deepseek-v3",
}


@dataclass(frozen=True)
class TinySpec:
    arch: str = "qwen2"
    n_layer: int = 2
    n_embd: int = 64
    n_head: int = 4
    n_head_kv: int = 2
    n_ff: int = 128
    n_ctx: int = 4096
    quant: str = "F32"
    template: str | None = "deepseek-r1"  # a family name, raw Jinja text, or None for no template
    extra_vocab: int = 0  # plain filler tokens, to make a realistic vocab for benchmarks
    seed: int = 0
    name: str = "Tiny DeepSeek"
    # Layers from this one on write into the residual stream at ``quiet_scale`` (their attention
    # output and FFN down projections are scaled): a model of N + M layers whose last M are quiet
    # computes nearly what its first N alone compute.  With the same seed, the first N layers,
    # embeddings and head are the N-layer model's own (tensors are drawn in order): the pair
    # agrees as often as the scale allows, for speculative decoding's benchmark and tests.
    quiet_from: int | None = None
    quiet_scale: float = 1.0

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head


def _bytes_to_unicode() -> list[str]:
    """GPT-2's byte -> printable character table, the basis of byte-level BPE vocabs."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    table = dict(zip(printable, chars))
    return [chr(table[b]) for b in range(256)]


def vocabulary(extra: int = 0) -> tuple[list[str], list[int]]:
    tokens = _bytes_to_unicode() + ["".join(m) for m in MERGES]
    tokens += [f"tok{i}" for i in range(extra)]
    types = [TokenType.NORMAL] * len(tokens)
    tokens += SPECIAL_CONTROL + SPECIAL_USER
    types += [TokenType.CONTROL] * len(SPECIAL_CONTROL) + [TokenType.USER_DEFINED] * len(SPECIAL_USER)
    return tokens, [int(t) for t in types]


class _Tensors:
    """Random weights, quantized where the row length allows it."""

    def __init__(self, writer: gguf.GGUFWriter, spec: TinySpec) -> None:
        self.writer = writer
        self.spec = spec
        self.qtype = QUANT_TYPES[spec.quant][0]
        self.rng = np.random.default_rng(spec.seed)

    def norm(self, name: str, size: int) -> None:
        self.writer.add_tensor(name, np.ones(size, dtype=np.float32))

    def bias(self, name: str, size: int) -> None:
        self.writer.add_tensor(name, np.zeros(size, dtype=np.float32))

    def weight(self, name: str, *numpy_shape: int) -> None:
        data = (self.rng.standard_normal(numpy_shape, dtype=np.float32) * 0.05).astype(np.float32)
        quiet = self.spec.quiet_from
        quieted = name.startswith("blk.") and name.endswith(("attn_output.weight", "ffn_down.weight"))
        if quiet is not None and quieted and int(name.split(".")[1]) >= quiet:
            data *= self.spec.quiet_scale
        block = gguf.GGML_QUANT_SIZES[self.qtype][0]
        if self.qtype == GGMLQuantizationType.F32 or numpy_shape[-1] % block:
            self.writer.add_tensor(name, data)
        elif self.qtype == GGMLQuantizationType.F16:
            self.writer.add_tensor(name, data.astype(np.float16))
        else:
            self.writer.add_tensor(name, gguf.quants.quantize(data, self.qtype), raw_dtype=self.qtype)


REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"
REFERENCE_FILES = {"deepseek-r1": "deepseek-r1-distill.jinja"}


def _template_text(template: str | None) -> str | None:
    """Raw Jinja, or a family name: the real DeepSeek template where ../shared has it."""
    if template is None or "{" in template:
        return template
    reference = REFERENCE_DIR / REFERENCE_FILES.get(template, "-")
    if reference.is_file():
        return reference.read_text(encoding="utf-8")
    return load_family_template(template)


def write_model(path: Path, spec: TinySpec = TinySpec(), *, split_max_tensors: int = 0) -> Path:
    """Write the model; returns the path to load (the first shard when split)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arch = spec.arch
    writer = gguf.GGUFWriter(path, arch, split_max_tensors=split_max_tensors)
    tokens, types = vocabulary(spec.extra_vocab)
    n_vocab = len(tokens)
    writer.add_name(spec.name)
    writer.add_context_length(spec.n_ctx)
    writer.add_embedding_length(spec.n_embd)
    writer.add_block_count(spec.n_layer)
    writer.add_feed_forward_length(spec.n_ff)
    writer.add_head_count(spec.n_head)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_rope_freq_base(10000.0)
    writer.add_file_type(QUANT_TYPES[spec.quant][1])
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(TOKENIZER_PRE.get(arch, "default"))
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([" ".join(m) for m in MERGES])
    writer.add_bos_token_id(tokens.index(BOS))
    writer.add_eos_token_id(tokens.index(EOS))
    writer.add_pad_token_id(tokens.index(PAD))
    writer.add_add_bos_token(False)
    template = _template_text(spec.template)
    if template is not None:
        writer.add_chat_template(template)

    t = _Tensors(writer, spec)
    t.weight("token_embd.weight", n_vocab, spec.n_embd)
    t.norm("output_norm.weight", spec.n_embd)
    t.weight("output.weight", n_vocab, spec.n_embd)
    if arch == "deepseek2":
        _deepseek2_layers(writer, t, spec)
    elif arch == "deepseek32":
        _deepseek32_layers(writer, t, spec)
    elif arch == "deepseek4":
        _deepseek4_layers(writer, t, spec)
    else:
        _dense_layers(writer, t, spec)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    if split_max_tensors:
        shards = sorted(path.parent.glob(f"{path.stem}-00001-of-*.gguf"))
        return shards[0]
    return path


def _dense_layers(writer: gguf.GGUFWriter, t: _Tensors, spec: TinySpec) -> None:
    hd = spec.head_dim
    writer.add_head_count_kv(spec.n_head_kv)
    if spec.arch == "qwen3":
        writer.add_key_length(hd)
        writer.add_value_length(hd)
    for i in range(spec.n_layer):
        p = f"blk.{i}."
        t.norm(p + "attn_norm.weight", spec.n_embd)
        t.weight(p + "attn_q.weight", spec.n_head * hd, spec.n_embd)
        t.weight(p + "attn_k.weight", spec.n_head_kv * hd, spec.n_embd)
        t.weight(p + "attn_v.weight", spec.n_head_kv * hd, spec.n_embd)
        t.weight(p + "attn_output.weight", spec.n_embd, spec.n_head * hd)
        if spec.arch == "qwen2":
            t.bias(p + "attn_q.bias", spec.n_head * hd)
            t.bias(p + "attn_k.bias", spec.n_head_kv * hd)
            t.bias(p + "attn_v.bias", spec.n_head_kv * hd)
        if spec.arch == "qwen3":
            t.norm(p + "attn_q_norm.weight", hd)
            t.norm(p + "attn_k_norm.weight", hd)
        _ffn(t, p, spec)


def _ffn(t: _Tensors, p: str, spec: TinySpec) -> None:
    t.norm(p + "ffn_norm.weight", spec.n_embd)
    t.weight(p + "ffn_gate.weight", spec.n_ff, spec.n_embd)
    t.weight(p + "ffn_up.weight", spec.n_ff, spec.n_embd)
    t.weight(p + "ffn_down.weight", spec.n_embd, spec.n_ff)


MLA_SHAPE = (32, 16, 16, 16)  # latent KV rank, RoPE dims, non-RoPE key dims, value dims per head


def _mla_keys(writer: gguf.GGUFWriter, spec: TinySpec, q_lora: int) -> None:
    """The keys of DeepSeek's MLA layout (only the latent K is cached), dense blocks only."""
    kv_lora, n_rot, qk_nope, v_head = MLA_SHAPE
    writer.add_leading_dense_block_count(spec.n_layer)
    writer.add_q_lora_rank(q_lora)
    writer.add_kv_lora_rank(kv_lora)
    writer.add_rope_dimension_count(n_rot)
    writer.add_head_count_kv(1)
    writer.add_key_length(kv_lora + n_rot)
    writer.add_value_length(kv_lora)
    writer.add_key_length_mla(qk_nope + n_rot)
    writer.add_value_length_mla(v_head)
    writer.add_expert_feed_forward_length(spec.n_ff)
    writer.add_expert_shared_count(1)


def _deepseek2_layers(writer: gguf.GGUFWriter, t: _Tensors, spec: TinySpec) -> None:
    """Dense-only deepseek2 in the MLA layout (only the latent K is cached)."""
    kv_lora, n_rot, qk_nope, v_head = MLA_SHAPE
    _mla_keys(writer, spec, q_lora=0)
    for i in range(spec.n_layer):
        p = f"blk.{i}."
        t.norm(p + "attn_norm.weight", spec.n_embd)
        t.weight(p + "attn_q.weight", spec.n_head * (qk_nope + n_rot), spec.n_embd)
        t.weight(p + "attn_kv_a_mqa.weight", kv_lora + n_rot, spec.n_embd)
        t.norm(p + "attn_kv_a_norm.weight", kv_lora)
        t.weight(p + "attn_k_b.weight", spec.n_head, kv_lora, qk_nope)
        t.weight(p + "attn_v_b.weight", spec.n_head, v_head, kv_lora)
        t.weight(p + "attn_output.weight", spec.n_embd, spec.n_head * v_head)
        _ffn(t, p, spec)


def _deepseek32_layers(writer: gguf.GGUFWriter, t: _Tensors, spec: TinySpec) -> None:
    """V3.2's layout (llama.cpp ``deepseek32``): MLA with a query LoRA plus the DSA
    "lightning indexer" tensors; dense feed-forward blocks keep it tiny.
    Shapes follow ``vendor/llama.cpp/src/models/deepseek32.cpp``."""
    (kv_lora, n_rot, qk_nope, v_head), q_lora = MLA_SHAPE, 32
    idx_heads, idx_dim = 2, 64  # the Hadamard rotation llama.cpp applies needs a multiple of 64
    arch = spec.arch
    _mla_keys(writer, spec, q_lora)
    writer.add_uint32(f"{arch}.expert_gating_func", 2)  # sigmoid, as V3.2 ships
    writer.add_uint32(f"{arch}.attention.indexer.head_count", idx_heads)
    writer.add_uint32(f"{arch}.attention.indexer.key_length", idx_dim)
    writer.add_uint32(f"{arch}.attention.indexer.top_k", 64)
    for i in range(spec.n_layer):
        p = f"blk.{i}."
        t.norm(p + "attn_norm.weight", spec.n_embd)
        t.weight(p + "attn_q_a.weight", q_lora, spec.n_embd)
        t.norm(p + "attn_q_a_norm.weight", q_lora)
        t.weight(p + "attn_q_b.weight", spec.n_head * (qk_nope + n_rot), q_lora)
        t.weight(p + "attn_kv_a_mqa.weight", kv_lora + n_rot, spec.n_embd)
        t.norm(p + "attn_kv_a_norm.weight", kv_lora)
        t.weight(p + "attn_k_b.weight", spec.n_head, kv_lora, qk_nope)
        t.weight(p + "attn_v_b.weight", spec.n_head, v_head, kv_lora)
        t.weight(p + "attn_output.weight", spec.n_embd, spec.n_head * v_head)
        t.norm(p + "indexer.k_norm.weight", idx_dim)
        t.bias(p + "indexer.k_norm.bias", idx_dim)
        t.weight(p + "indexer.proj.weight", idx_heads, spec.n_embd)
        t.weight(p + "indexer.attn_k.weight", idx_dim, spec.n_embd)
        t.weight(p + "indexer.attn_q_b.weight", idx_heads * idx_dim, q_lora)
        _ffn(t, p, spec)


def _deepseek4_layers(writer: gguf.GGUFWriter, t: _Tensors, spec: TinySpec) -> None:
    """V4's layout (llama.cpp ``deepseek4``): a query LoRA, one shared KV head,
    grouped low-rank output, attention sinks, 4-way hyper-connections (mHC) and a
    routed MoE with a shared expert.  The first layer compresses its KV 4:1 with
    the lightning indexer (CSA), the second 128:1 (HCA), the rest are
    sliding-window only (llama.cpp needs a CSA layer: the indexer cache sizes its
    rotation from it).  Shapes follow ``vendor/llama.cpp/src/models/deepseek4.cpp``."""
    arch, n_embd, n_head = spec.arch, spec.n_embd, spec.n_head
    head, q_lora, n_rot, o_groups, o_lora = 32, 32, 16, 2, 32
    hc, n_expert, n_used, ff_exp = 4, 4, 2, 32
    hc_dim, hc_mix = hc * n_embd, (2 + hc) * hc
    idx_heads, idx_dim = 2, 64
    ratios = [(4, 128)[i] if i < 2 else 0 for i in range(spec.n_layer)]
    writer.add_head_count_kv(1)
    writer.add_key_length(head)
    writer.add_value_length(head)
    writer.add_rope_dimension_count(n_rot)
    writer.add_q_lora_rank(q_lora)
    writer.add_uint32(f"{arch}.attention.sliding_window", 64)
    writer.add_expert_count(n_expert)
    writer.add_expert_used_count(n_used)
    writer.add_expert_feed_forward_length(ff_exp)
    writer.add_expert_shared_count(1)
    writer.add_expert_weights_scale(1.0)
    writer.add_expert_weights_norm(True)
    writer.add_uint32(f"{arch}.expert_gating_func", 4)  # sqrt-softplus, the only scoring V4 uses
    writer.add_float32(f"{arch}.swiglu_clamp_exp", 10.0)
    writer.add_uint32(f"{arch}.attention.indexer.head_count", idx_heads)
    writer.add_uint32(f"{arch}.attention.indexer.key_length", idx_dim)
    writer.add_uint32(f"{arch}.attention.indexer.top_k", 64)
    writer.add_uint32(f"{arch}.attention.output_group_count", o_groups)
    writer.add_uint32(f"{arch}.attention.output_lora_rank", o_lora)
    writer.add_float32(f"{arch}.attention.compress_rope_freq_base", 160000.0)
    writer.add_array(f"{arch}.attention.compress_ratios", ratios)
    writer.add_uint32(f"{arch}.hyper_connection.count", hc)
    writer.add_uint32(f"{arch}.hyper_connection.sinkhorn_iterations", 3)
    writer.add_float32(f"{arch}.hyper_connection.epsilon", 1e-6)
    writer.add_uint32(f"{arch}.hash_layer_count", 0)
    t.weight("output_hc_fn.weight", hc, hc_dim)
    t.bias("output_hc_base.weight", hc)
    t.norm("output_hc_scale.weight", 1)
    for i in range(spec.n_layer):
        p = f"blk.{i}."
        t.norm(p + "attn_norm.weight", n_embd)
        t.bias(p + "attn_sinks.weight", n_head)
        t.weight(p + "attn_q_a.weight", q_lora, n_embd)
        t.norm(p + "attn_q_a_norm.weight", q_lora)
        t.weight(p + "attn_q_b.weight", n_head * head, q_lora)
        t.weight(p + "attn_kv.weight", head, n_embd)
        t.norm(p + "attn_kv_a_norm.weight", head)
        t.weight(p + "attn_output_a.weight", o_lora * o_groups, n_head * head // o_groups)
        t.weight(p + "attn_output_b.weight", n_embd, o_groups * o_lora)
        for part in ("attn", "ffn"):
            t.weight(p + f"hc_{part}_fn.weight", hc_mix, hc_dim)
            t.bias(p + f"hc_{part}_base.weight", hc_mix)
            t.norm(p + f"hc_{part}_scale.weight", 3)
        if ratios[i]:
            width = head * (2 if ratios[i] == 4 else 1)
            t.weight(p + "attn_compressor_kv.weight", width, n_embd)
            t.weight(p + "attn_compressor_gate.weight", width, n_embd)
            t.weight(p + "attn_compressor_ape.weight", ratios[i], width)
            t.norm(p + "attn_compressor_norm.weight", head)
        if ratios[i] == 4:
            t.weight(p + "indexer.proj.weight", idx_heads, n_embd)
            t.weight(p + "indexer.attn_q_b.weight", idx_heads * idx_dim, q_lora)
            t.weight(p + "indexer_compressor_kv.weight", 2 * idx_dim, n_embd)
            t.weight(p + "indexer_compressor_gate.weight", 2 * idx_dim, n_embd)
            t.weight(p + "indexer_compressor_ape.weight", 4, 2 * idx_dim)
            t.norm(p + "indexer_compressor_norm.weight", idx_dim)
        t.weight(p + "ffn_gate_inp.weight", n_expert, n_embd)
        t.bias(p + "exp_probs_b.bias", n_expert)
        t.norm(p + "ffn_norm.weight", n_embd)
        t.weight(p + "ffn_gate_exps.weight", n_expert, ff_exp, n_embd)
        t.weight(p + "ffn_down_exps.weight", n_expert, n_embd, ff_exp)
        t.weight(p + "ffn_up_exps.weight", n_expert, ff_exp, n_embd)
        t.weight(p + "ffn_gate_shexp.weight", ff_exp, n_embd)
        t.weight(p + "ffn_down_shexp.weight", n_embd, ff_exp)
        t.weight(p + "ffn_up_shexp.weight", ff_exp, n_embd)


def arch_spec(arch: str, **changes: object) -> TinySpec:
    """A spec of one architecture with the DeepSeek template that goes with it."""
    template = {"deepseek2": "deepseek-v2", "deepseek32": "deepseek-v3.2", "deepseek4": "deepseek-v4"}.get(arch, "deepseek-r1")
    return replace(TinySpec(arch=arch, template=template), **changes)  # type: ignore[arg-type]


def family_spec(family: str, **changes: object) -> TinySpec:
    """A spec whose architecture and template match a DeepSeek family."""
    base = {
        "r1-distill-qwen": TinySpec(arch="qwen2", template="deepseek-r1"),
        "r1-distill-llama": TinySpec(arch="llama", template="deepseek-r1", n_head_kv=4),
        "r1-0528-qwen3": TinySpec(arch="qwen3", template="deepseek-r1"),
        "v2-lite": TinySpec(arch="deepseek2", template="deepseek-v2"),
        "v3": TinySpec(arch="deepseek2", template="deepseek-v3"),
        "v3.1": TinySpec(arch="deepseek2", template="deepseek-v3.1"),
        "v3.2": TinySpec(arch="deepseek32", template="deepseek-v3.2"),
        "v4": TinySpec(arch="deepseek4", template="deepseek-v4"),
    }[family]
    return replace(base, **changes)  # type: ignore[arg-type]
