"""Expected decode speed: how many tokens per second a model will write on this machine.

Decoding one token is one matrix-vector product per weight matrix: every weight the token
passes through is read once.  Its speed is therefore the rate at which llama.cpp's kernels get
through each weight type here (:mod:`app.core.models.ggml_rates`, measured once: memory
bandwidth where the kernel keeps up with it, the kernel's arithmetic where it does not), and
the estimate adds up, split across devices when layers are offloaded:

    seconds per token = sum over weight types (CPU bytes / CPU rate) + GPU bytes / GPU bandwidth

* CPU rates are measured once per machine in a child process (a ggml assertion must not take
  the app down), on the engine's thread count, about three seconds, and cached in
  ``cache/bandwidth.json`` with a plain RAM read bandwidth (a numpy sum) for types the kernel
  timing does not cover.  Clients measure off the UI thread (:func:`ensure_measured`);
  :func:`estimate` only reads the cache.  ``HEARTH_MEMORY_BANDWIDTH_GBPS`` replaces the
  measurement (all types at that rate) where it misleads, e.g. a VM with a noisy neighbour.
* GPU bandwidth is the device's own figure: NVML's memory bus width and clock on NVIDIA, the
  published unified-memory bandwidth on Apple Silicon (:data:`APPLE_BANDWIDTH`), times the share
  decode kernels reach (:data:`GPU_EFFICIENCY`; not measured here: no GPU in this project's CI).
* Bytes per token by type come from the file's header (the token embeddings are a row lookup,
  a mixture-of-experts model reads its active share) or, for a catalog entry, the file size and
  the quantization's main type.

``bench/speed_estimate.py`` checks the estimate against measured decodes and prints the error.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from app.core import paths, settings
from app.core.errors import HearthError
from app.core.models import ggml_rates
from app.core.models.hardware import GPU, Hardware

log = logging.getLogger(__name__)

OVERRIDE_ENV = "HEARTH_MEMORY_BANDWIDTH_GBPS"
MEASURE_BYTES = 512 * 2**20  # well past every CPU cache, small enough to allocate anywhere
KERNEL_TIMEOUT_S = 120.0
GPU_EFFICIENCY = 0.75  # share of the datasheet bandwidth decode kernels reach
# Per token, work that is not reading weights (building the graph, sampling, detokenizing, the
# engine's loop): a 1 MB model decodes at ~2,500 tok/s on this project's 2-core machine.
DECODE_OVERHEAD_S = 0.0004
# Published memory bandwidth of Apple Silicon chips (GB/s), longest names first.
APPLE_BANDWIDTH = {
    "M4 Max": 546, "M4 Pro": 273, "M4": 120, "M3 Ultra": 800, "M3 Max": 400, "M3 Pro": 150, "M3": 100,
    "M2 Ultra": 800, "M2 Max": 400, "M2 Pro": 200, "M2": 100, "M1 Ultra": 800, "M1 Max": 400, "M1 Pro": 200, "M1": 68,
}  # fmt: skip
_lock = threading.Lock()


@dataclass(frozen=True)
class Speed:
    tokens_per_s: float
    cpu_bytes: int  # read from RAM per token
    gpu_bytes: int  # read from VRAM per token

    def label(self) -> str:
        value = self.tokens_per_s
        return f"~{value:.0f} tok/s" if value >= 10 else f"~{value:.1f} tok/s"


def _machine_key(hw: Hardware) -> str:
    return f"{platform.machine()}|{platform.processor() or platform.node()}|{hw.ram_total_bytes}|{hw.physical_cores}"


def _cache_path() -> Path:
    return paths.user_dirs().cache / "bandwidth.json"


@dataclass(frozen=True)
class CpuRates:
    """Bytes of weights per second on the CPU: per ggml type, and the plain read bandwidth."""

    bandwidth: float
    by_type: dict[str, float]

    def rate(self, type_name: str | None) -> float:
        return self.by_type.get(type_name or "", self.bandwidth)


def cpu_rates(hw: Hardware) -> CpuRates | None:
    """The CPU's rates: ``HEARTH_MEMORY_BANDWIDTH_GBPS`` where set, else this machine's
    measurement, if one was made (None: not measured yet)."""
    given = os.environ.get(OVERRIDE_ENV)
    if given:
        try:
            return CpuRates(float(given) * 1e9, {})
        except ValueError:
            log.warning("%s=%r is not a number of GB/s; ignored", OVERRIDE_ENV, given)
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("machine") != _machine_key(hw):
        return None
    bandwidth, by_type = data.get("bytes_per_s"), data.get("kernels")
    if not isinstance(bandwidth, (int, float)) or bandwidth <= 0 or not isinstance(by_type, dict):
        return None
    return CpuRates(float(bandwidth), {str(k): float(v) for k, v in by_type.items() if isinstance(v, (int, float)) and v > 0})


def measure_cpu_bandwidth(threads: int, size: int = MEASURE_BYTES, rounds: int = 3) -> float:
    """RAM read bandwidth with ``threads`` readers, best of ``rounds`` (bytes/s).

    numpy's sum releases the GIL, so the threads read their slices of the buffer in parallel."""
    import numpy as np

    data = np.ones(size // 4, dtype=np.float32)
    slices = np.array_split(data, threads)
    best = 0.0
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(np.sum, slices))  # touch every page first
        for _ in range(rounds):
            start = time.perf_counter()
            list(pool.map(np.sum, slices))
            best = max(best, data.nbytes / (time.perf_counter() - start))
    return best


def _kernel_rates(threads: int) -> dict[str, float]:
    """The per-type rates, timed in a child process (a ggml assertion aborts its process)."""
    try:
        child = subprocess.run(
            paths.self_command(ggml_rates.COMMAND, str(threads)), capture_output=True, text=True, timeout=KERNEL_TIMEOUT_S
        )
        rates = json.loads(child.stdout.strip().splitlines()[-1]) if child.returncode == 0 and child.stdout.strip() else {}
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        log.warning("timing llama.cpp's kernels failed (%s)", exc)
        return {}
    if not rates:
        log.warning("timing llama.cpp's kernels failed (exit %s): %s", child.returncode, child.stderr[-2000:])
    return {str(k): float(v) for k, v in rates.items()} if isinstance(rates, dict) else {}


def ensure_measured(hw: Hardware) -> CpuRates:
    """The cached rates, measuring them first if this machine has none (a few seconds)."""
    with _lock:
        known = cpu_rates(hw)
        if known is not None:
            return known
        threads = max(1, hw.physical_cores)
        rates = CpuRates(measure_cpu_bandwidth(threads), _kernel_rates(threads))
        data = {"machine": _machine_key(hw), "threads": threads, "bytes_per_s": rates.bandwidth, "kernels": rates.by_type}
        try:
            settings.write_json(_cache_path(), data)
        except HearthError as exc:  # a cache that cannot be written only costs a measurement next time
            log.warning("%s", exc)
        log.info("memory bandwidth %.1f GB/s; kernels: %s", rates.bandwidth / 1e9,
                 ", ".join(f"{k} {v / 1e9:.1f}" for k, v in rates.by_type.items()))  # fmt: skip
        return rates


def gpu_bandwidth(gpu: GPU) -> float | None:
    """What decode kernels reach on this GPU, in bytes/s (None where the device does not say)."""
    if gpu.bandwidth_bps:
        return gpu.bandwidth_bps * GPU_EFFICIENCY
    if gpu.kind == "metal":
        for chip, gb_per_s in APPLE_BANDWIDTH.items():
            if chip in gpu.name:
                return gb_per_s * 1e9 * GPU_EFFICIENCY
    return None


MAIN_TYPES = ("BF16", "F16", "Q8_0", "Q4_0", "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ4_XS", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K")


def main_type(quant: str) -> str | None:
    """The ggml type most of a quantization's weights have, from its name (``UD-Q4_K_XL``: Q4_K)."""
    name = quant.upper().removeprefix("UD-")
    if name.startswith("Q8_K"):
        return "Q8_0"  # unsloth's "Q8_K_XL" is Q8_0 with some tensors kept at higher precision
    return next((prefix for prefix in MAIN_TYPES if name.startswith(prefix)), None)


def estimate(
    hw: Hardware,
    read: dict[str | None, int],
    gpu_share: float,
    kv_bytes: int = 0,
    rates: CpuRates | None = None,
) -> Speed | None:
    """Tokens/s when each token reads ``read`` (bytes by weight type) and ``kv_bytes`` of cache,
    a ``gpu_share`` (0..1) of both on the GPU.  None when a rate is unknown."""
    rates = rates or cpu_rates(hw)
    gpu_bytes = int((sum(read.values()) + kv_bytes) * gpu_share)
    cpu_bytes = sum(read.values()) + kv_bytes - gpu_bytes
    seconds = DECODE_OVERHEAD_S
    if cpu_bytes:
        if rates is None:
            return None
        kept = 1 - gpu_share  # the layers left on the CPU, of every type alike
        seconds += sum(n * kept / rates.rate(kind) for kind, n in read.items()) + kv_bytes * kept / rates.bandwidth
    if gpu_bytes:
        gpu = hw.usable_gpu
        gpu_bps = gpu_bandwidth(gpu) if gpu is not None else None
        if gpu_bps is None:
            return None
        seconds += gpu_bytes / gpu_bps
    return Speed(1 / seconds, cpu_bytes, gpu_bytes)
