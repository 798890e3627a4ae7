"""Will this model and quantization run here, and how well?

For a catalog entry (no file yet) the estimate comes from the catalog: file
size for the weights, the KV-cache shape per layer, a compute buffer sized
like llama.cpp's (logits for one batch dominate).  For an installed file the
same numbers come exactly from its GGUF header (:func:`estimate_file`), which
is what the engine's offload planner uses; tests check both against what
llama.cpp reports it allocated.

Verdicts: ``full-gpu``, ``partial-gpu`` (k of N layers), ``cpu``, ``no-fit``,
each with the expected decode speed here (:mod:`app.core.models.speed`) once
the memory bandwidth is measured.  Of the quants that fit and have
at least 4.5 bits per weight (Q4_K_M or better; all of them if none does), the
recommendation is the best quality (the largest file) that decodes at a usable
speed (:data:`USABLE_TOKENS_PER_S`, faster than people read), fully on the GPU
first; when none is that fast, the best of those about as fast as the fastest.  Without a measured bandwidth it
is the largest that fits fully in VRAM, else in RAM with headroom.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.models import speed
from app.core.models.catalog import Catalog, CatalogModel, CatalogQuant
from app.core.models.hardware import Hardware
from app.core.models.info import ModelInfo
from app.core.models.offload import (
    N_BATCH,
    RAM_OVERHEAD,
    compute_buffer_bytes,
    fits_in_ram,
    fits_in_vram,
    gpu_margin,
    plan_layers,
)
from app.core.privacy.policy import Policy

GiB = 2**30
# Vocabulary sizes by architecture, for the logits buffer of catalog entries
# (an installed file's own n_vocab is used instead).
UNQUANTIZED = ("F32", "F16", "BF16")
VOCAB = {
    "qwen2": 152064,
    "qwen3": 151936,
    "llama": 128256,
    "deepseek2": 129280,
    "deepseek32": 129280,
    "deepseek4": 129280,
    "deepseek": 102400,
}
USABLE_TOKENS_PER_S = 5.0  # about reading speed: slower, and a better quant is not worth the wait
MIN_BITS = 4.5  # bits per weight (Q4_K_M and better) below which a quant is a last resort
NEAR_FASTEST = 0.9  # a slower quant within this share of the fastest's speed is worth its quality
CONTEXT_FOR_SPEED = 1024  # the KV cache a typical answer reads per token (early in a conversation)


VERDICT_WORDS = {
    "full-gpu": "full GPU",
    "partial-gpu": "partial GPU ({used} of {total} layers)",
    "cpu": "CPU only",
    "no-fit": "does not fit",
}
PHRASES = (*VERDICT_WORDS.values(), "{where}, {speed}")  # what a client translates (see Fit.describe)


@dataclass(frozen=True)
class MemoryEstimate:
    weights: int
    kv_cache: int
    compute: int
    n_ctx: int

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute

    def to_json(self) -> dict[str, int]:
        return {
            "weights": self.weights,
            "kv_cache": self.kv_cache,
            "compute": self.compute,
            "total": self.total,
            "n_ctx": self.n_ctx,
        }


@dataclass(frozen=True)
class Fit:
    verdict: str  # full-gpu | partial-gpu | cpu | no-fit
    gpu_layers: int  # llama.cpp n_gpu_layers (layers + 1 = everything)
    n_layers: int
    estimate: MemoryEstimate
    vram_bytes: int
    ram_bytes: int
    speed: speed.Speed | None = None  # None: does not fit, or the bandwidth is not measured yet

    @property
    def label(self) -> str:
        return self.describe()

    def describe(self, words: Callable[[str], str] = str) -> str:
        """Where the model runs and how fast, e.g. "CPU only, ~18 tok/s"; ``words`` is a client's
        translation of each phrase in :data:`PHRASES`."""
        where = words(VERDICT_WORDS[self.verdict]).format(used=min(self.gpu_layers, self.n_layers), total=self.n_layers)
        if self.speed is None or self.verdict == "no-fit":
            return where
        return words("{where}, {speed}").format(where=where, speed=self.speed.label())

    @property
    def tokens_per_s(self) -> float | None:
        return self.speed.tokens_per_s if self.speed is not None and self.verdict != "no-fit" else None

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "label": self.label,
            "gpu_layers": self.gpu_layers,
            "n_layers": self.n_layers,
            "vram_bytes": self.vram_bytes,
            "ram_bytes": self.ram_bytes,
            "estimate": self.estimate.to_json(),
            "tokens_per_s": round(self.tokens_per_s, 2) if self.tokens_per_s is not None else None,
        }


def estimate_catalog(model: CatalogModel, quant: CatalogQuant, n_ctx: int) -> MemoryEstimate:
    vocab = VOCAB.get(model.architecture, 152064)
    compute = N_BATCH * vocab * 4 + 64 * 2**20
    return MemoryEstimate(quant.size_bytes, model.kv_bytes_per_token() * n_ctx, compute, n_ctx)


def estimate_file(info: ModelInfo, n_ctx: int) -> MemoryEstimate:
    return MemoryEstimate(info.weight_bytes, info.kv_cache_bytes(n_ctx), compute_buffer_bytes(info, n_ctx), n_ctx)


def ram_headroom(hw: Hardware) -> int:
    """Memory left for the OS and other programs: 1 GiB or a tenth of RAM, whichever is more."""
    return max(GiB, hw.ram_total_bytes // 10)


def judge(estimate: MemoryEstimate, n_layers: int, hw: Hardware, read: dict[str | None, int] | None = None) -> Fit:
    """Place layers like the offload planner: all on the GPU if they fit, else as many as fit."""
    ram_budget = hw.ram_available_bytes - ram_headroom(hw)
    units = n_layers + 1  # repeating layers plus the output head
    per_unit = (estimate.weights + estimate.kv_cache) / units
    gpu = hw.usable_gpu
    layers = 0
    if gpu is not None:
        budget = gpu.free_bytes - gpu_margin(gpu.total_bytes) - estimate.compute
        layers = max(0, min(units, int(budget // per_unit))) if per_unit else units
    vram = int(per_unit * layers) + (estimate.compute if layers else 0)
    ram = estimate.total - int(per_unit * layers) - (estimate.compute if layers else 0) + RAM_OVERHEAD
    if layers == units:
        verdict = "full-gpu"
    elif ram > ram_budget:
        verdict = "no-fit"
    else:
        verdict = "partial-gpu" if layers else "cpu"
    kv_read = estimate.kv_cache * min(estimate.n_ctx, CONTEXT_FOR_SPEED) // max(estimate.n_ctx, 1)
    expected = speed.estimate(hw, read if read is not None else {None: estimate.weights}, layers / units, kv_read)
    return Fit(verdict, layers, n_layers, estimate, vram, ram, expected)


def fit_file(info: ModelInfo, hw: Hardware, n_ctx: int, requested: str | int = "auto") -> Fit:
    """The verdict for an installed file, from the same plan the load makes and the same checks it
    applies (:func:`app.core.models.offload.plan_offload`): the badge says "does not fit" exactly
    when loading would be refused."""
    plan = plan_layers(info, hw, n_ctx, requested)
    if not fits_in_ram(hw, plan) or not fits_in_vram(hw, plan):
        verdict = "no-fit"
    elif plan.full_offload:
        verdict = "full-gpu"
    else:
        verdict = "partial-gpu" if plan.gpu_layers else "cpu"
    units = info.n_layers + 1
    share = min(plan.gpu_layers, units) / units
    kv_read = info.kv_cache_bytes(min(n_ctx, CONTEXT_FOR_SPEED))
    expected = speed.estimate(hw, dict(info.read_by_type), share, kv_read)
    estimate = estimate_file(info, n_ctx)
    return Fit(verdict, plan.gpu_layers, info.n_layers, estimate, plan.vram_bytes, plan.ram_bytes, expected)


def catalog_read_bytes(model: CatalogModel, quant: CatalogQuant) -> int:
    """Weights a token reads, from the catalog: the file, or a mixture-of-experts model's active share."""
    active = model.active_parameters_b
    share = active / model.parameters_b if active and active < model.parameters_b else 1.0
    return int(quant.size_bytes * share)


def fit_catalog(model: CatalogModel, quant: CatalogQuant, hw: Hardware, n_ctx: int = 4096) -> Fit:
    read = {speed.main_type(quant.quant): catalog_read_bytes(model, quant)}
    return judge(estimate_catalog(model, quant, n_ctx), model.layers, hw, read)


def recommend(model: CatalogModel, hw: Hardware, n_ctx: int = 4096) -> CatalogQuant | None:
    """The quantization to suggest here (see the module docstring); None if nothing fits."""
    fits = [(q, fit_catalog(model, q, hw, n_ctx)) for q in model.quants]
    fitting = [(q, f) for q, f in fits if f.verdict != "no-fit"]
    if fitting and all(f.tokens_per_s is not None for _, f in fitting):
        return _balanced(fitting, model.parameters_b)
    full = [q for q, f in fits if f.verdict == "full-gpu"]
    if full:
        return max(full, key=lambda q: q.approx_bytes)
    usable = [q for q, f in fits if f.verdict in ("partial-gpu", "cpu")]
    # Off the GPU, an unquantized file brings no quality a user would notice over
    # Q8_0 at twice the memory traffic per token: offer it only if nothing else fits.
    quantized = [q for q in usable if q.quant.upper() not in UNQUANTIZED] or usable
    return max(quantized, key=lambda q: q.approx_bytes) if quantized else None


def _balanced(fitting: list[tuple[CatalogQuant, Fit]], parameters_b: float) -> CatalogQuant:
    """Of the quants of at least :data:`MIN_BITS` bits per weight (below that quality drops fast;
    all of them when none fits): the best quality fast enough to use, the GPU first; when none is
    that fast, the best one about as fast as the fastest, so a slow machine gets neither a 2-bit
    quant nor the 8-bit one at a third of the speed."""
    bits = {q.quant: q.size_bytes * 8 / (parameters_b * 1e9) for q, _ in fitting}
    good = [(q, f) for q, f in fitting if bits[q.quant] >= MIN_BITS] or fitting
    usable = [(q, f) for q, f in good if (f.tokens_per_s or 0) >= USABLE_TOKENS_PER_S]
    if usable:
        on_gpu = [q for q, f in usable if f.verdict == "full-gpu"]
        quantized = on_gpu or [q for q, _ in usable if q.quant.upper() not in UNQUANTIZED] or [q for q, _ in usable]
        return max(quantized, key=lambda q: q.approx_bytes)
    fastest = max(f.tokens_per_s or 0 for _, f in good)
    near = [q for q, f in good if (f.tokens_per_s or 0) >= fastest * NEAR_FASTEST]
    return max(near, key=lambda q: q.approx_bytes)  # of those about as fast, the best quality


# Starting points for a first run, best first.
STARTERS = ("r1-distill-qwen-14b", "r1-0528-qwen3-8b", "r1-distill-qwen-7b", "r1-distill-qwen-1.5b")


def first_model(catalog: Catalog, hw: Hardware, rules: Policy) -> tuple[CatalogModel, CatalogQuant] | None:
    """What a first run recommends: the first starting point the policy allows whose recommended
    quant runs here at a usable speed, once the speed is known; otherwise the first that runs on
    the GPU or takes less than a third of RAM."""
    candidates = []
    for model_id in STARTERS:
        model = next((m for m in catalog.models if m.id == model_id), None)
        quant = recommend(model, hw) if model is not None else None
        if model is not None and quant is not None and rules.model_allowed(model.id, quant.quant):
            candidates.append((model, quant, fit_catalog(model, quant, hw)))
    for model, quant, fit in candidates:
        if (fit.tokens_per_s or 0) >= USABLE_TOKENS_PER_S:
            return model, quant
    for model, quant, fit in candidates:
        if fit.verdict != "cpu" or quant.size_bytes < hw.ram_total_bytes / 3:
            return model, quant
    return None
