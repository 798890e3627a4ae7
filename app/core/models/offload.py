"""Decide how many layers go to the GPU, and refuse loads that cannot fit.

llama.cpp offloads the *last* ``n_gpu_layers`` repeating layers; a value of
``n_layers + 1`` also moves the output head.  Each offloaded layer costs its
weights plus its share of the KV cache; a compute buffer and a safety margin
stay reserved.  All sizes come from the GGUF header (:mod:`model_info`), so the
plan is made before anything is allocated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.core.errors import HearthError, InsufficientMemoryError
from app.core.models.hardware import Hardware
from app.core.models.info import ModelInfo
from app.core.sentences import say, translated

MiB = 2**20
GiB = 2**30
PHRASES = (  # what a client translates (see OffloadPlan.describe)
    "CPU only",
    "all {total} layers on {gpu}",
    "{used} of {total} layers on {gpu}",
    "{where}; about {vram} GiB VRAM and {ram} GiB RAM at context {context}",
)
N_BATCH = 512
RAM_OVERHEAD = 256 * MiB  # runtime, tokenizer, Python
MIN_CONTEXT = 512


def compute_buffer_bytes(info: ModelInfo, n_ctx: int) -> int:
    """Scratch memory for one batch: logits plus attention scores, as llama.cpp sizes them."""
    logits = N_BATCH * info.n_vocab * 4
    attention = info.n_head * min(n_ctx, 8192) * N_BATCH * 4 // 4  # ubatch-tiled scores
    activations = N_BATCH * info.n_embd * 4 * 8
    return logits + attention + activations + 16 * MiB


def gpu_margin(total_bytes: int) -> int:
    return max(512 * MiB, total_bytes // 20)


@dataclass(frozen=True)
class OffloadPlan:
    gpu_layers: int  # value for llama.cpp's n_gpu_layers (n_layers + 1 = everything)
    n_layers: int
    vram_bytes: int
    ram_bytes: int
    n_ctx: int
    gpu_name: str | None
    notice: str = ""

    @property
    def full_offload(self) -> bool:
        return self.gpu_layers > self.n_layers

    def describe(self, words: Callable[[str], str] = str) -> str:
        """Where the layers go and the memory it takes; ``words`` is a client's translation of each
        phrase in :data:`PHRASES`, also used for the notice (a sentence, ``app.core.sentences``)."""
        if self.gpu_layers == 0:
            where = words("CPU only")
        elif self.full_offload:
            where = words("all {total} layers on {gpu}").format(total=self.n_layers, gpu=self.gpu_name)
        else:
            where = words("{used} of {total} layers on {gpu}").format(
                used=self.gpu_layers, total=self.n_layers, gpu=self.gpu_name
            )
        text = words("{where}; about {vram} GiB VRAM and {ram} GiB RAM at context {context}").format(
            where=where, vram=f"{self.vram_bytes / GiB:.2f}", ram=f"{self.ram_bytes / GiB:.2f}", context=self.n_ctx
        )
        return f"{text}. {translated(self.notice, words)}".strip() if self.notice else text


def parse_gpu_layers(value: str | int) -> str | int:
    """CLI/setting value -> "auto", "all" or a non-negative int."""
    if isinstance(value, int):
        if value < 0:
            raise HearthError(say("GPU layers must be auto, all or a number of layers >= 0, not {value}.", value=value))
        return value
    text = str(value).strip().lower()
    if text in ("auto", "all"):
        return text
    if text.isdigit():
        return int(text)
    raise HearthError(say("GPU layers must be auto, all or a number of layers, not '{value}'.", value=value))


def _layer_cost(info: ModelInfo, index: int, n_ctx: int) -> int:
    return info.layer_bytes[index] + info.kv_bytes_per_token[index] * n_ctx


def _gpu_bytes(info: ModelInfo, layers: int, n_ctx: int) -> int:
    """Weights + KV of the last ``layers`` layers (plus the output head when all are offloaded)."""
    repeating = min(layers, info.n_layers)
    total = sum(_layer_cost(info, i, n_ctx) for i in range(info.n_layers - repeating, info.n_layers))
    if layers > info.n_layers:
        total += info.output_bytes
    return total


def plan_offload(info: ModelInfo, hw: Hardware, n_ctx: int, requested: str | int = "auto") -> OffloadPlan:
    """Choose n_gpu_layers and check RAM and VRAM; raises InsufficientMemoryError when it cannot fit."""
    plan = plan_layers(info, hw, n_ctx, requested)
    _check_vram(hw, plan, requested)
    _check_ram(info, hw, plan)
    return plan


def plan_layers(info: ModelInfo, hw: Hardware, n_ctx: int, requested: str | int = "auto") -> OffloadPlan:
    """The placement and its memory, without judging it: what the load uses and the fit badge shows
    (:func:`app.core.models.fit.fit_file`), so the two cannot disagree."""
    requested = parse_gpu_layers(requested)
    gpu = hw.usable_gpu
    notice = ""
    all_layers = info.n_layers + 1
    compute = compute_buffer_bytes(info, n_ctx)
    if gpu is None:
        if requested not in ("auto", 0):
            notice = (
                say("This build of Hearth has no GPU support, so the model runs on the CPU.")
                if not hw.gpu_offload_supported
                else "No GPU found, so the model runs on the CPU."
            )
        layers = 0
    elif requested == "all":
        layers = all_layers
    elif isinstance(requested, int):
        layers = min(requested, all_layers)
    else:
        budget = gpu.free_bytes - gpu_margin(gpu.total_bytes) - compute
        layers = 0
        while layers < all_layers and _gpu_bytes(info, layers + 1, n_ctx) <= budget:
            layers += 1
    vram = _gpu_bytes(info, layers, n_ctx) + (compute if layers else 0)
    ram = info.weight_bytes + info.kv_cache_bytes(n_ctx) + compute + RAM_OVERHEAD - _gpu_bytes(info, layers, n_ctx)
    return OffloadPlan(layers, info.n_layers, vram, ram, n_ctx, gpu.name if gpu else None, notice)


def fits_in_ram(hw: Hardware, plan: OffloadPlan) -> bool:
    return plan.ram_bytes <= hw.ram_available_bytes


def fits_in_vram(hw: Hardware, plan: OffloadPlan) -> bool:
    gpu = hw.usable_gpu
    return plan.gpu_layers == 0 or gpu is None or plan.vram_bytes <= gpu.free_bytes - gpu_margin(gpu.total_bytes)


def _check_vram(hw: Hardware, plan: OffloadPlan, requested: str | int) -> None:
    """An explicit layer count (a number, or all) is checked against free VRAM too ("auto" fits by
    construction): llama.cpp would otherwise fail half-way through the load, or the driver swap."""
    gpu = hw.usable_gpu
    if gpu is None or fits_in_vram(hw, plan):
        return
    free = max(gpu.free_bytes - gpu_margin(gpu.total_bytes), 0)
    raise InsufficientMemoryError(
        say(
            (
                "{gpu_layers} GPU layers ({requested}) need about {vram_bytes:.1f} GiB of VRAM on {name}, "
                "but only {free:.1f} GiB is free."
            ),
            gpu_layers=plan.gpu_layers,
            requested=requested,
            vram_bytes=plan.vram_bytes / GiB,
            name=gpu.name,
            free=free / GiB,
        ),
        say("Use --gpu-layers auto (Hearth places as many layers as fit), fewer layers, or a smaller context."),
    )


def _check_ram(info: ModelInfo, hw: Hardware, plan: OffloadPlan) -> None:
    available = hw.ram_available_bytes
    if plan.ram_bytes <= available:
        return
    fixed = plan.ram_bytes - info.kv_cache_bytes(plan.n_ctx)
    per_token = sum(info.kv_bytes_per_token) or 1
    fitting = (available - fixed) // per_token // 256 * 256
    need = f"{plan.ram_bytes / GiB:.1f} GiB"
    have = f"{available / GiB:.1f} GiB"
    if fitting >= MIN_CONTEXT:
        raise InsufficientMemoryError(
            say(
                "'{name}' needs about {need} of memory at context {n_ctx}, but only {have} is available.",
                name=info.name,
                need=need,
                n_ctx=plan.n_ctx,
                have=have,
            ),
            say(
                "Use a smaller context (at most {fitting}), close other programs, or choose a smaller quantization.",
                fitting=fitting,
            ),
            max_context=int(fitting),
        )
    raise InsufficientMemoryError(
        say("'{name}' needs about {need} of memory, but only {have} is available.", name=info.name, need=need, have=have),
        say("Choose a smaller model or quantization, or close other programs."),
    )
