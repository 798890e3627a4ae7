"""Expected decode speed: how many tokens per second a model will write on this machine.

Decoding one token reads every weight the token passes through once, so decode speed is
bounded by memory bandwidth: ``tokens/s ≈ bandwidth / bytes read per token``.  Measured on
this project's bench model, llama.cpp decodes at about that bound (issue #15: 87 tok/s where
the measured bandwidth allows 80), so the estimate is the bound itself, split across devices
when layers are offloaded:

    seconds per token = CPU bytes / CPU bandwidth + GPU bytes / GPU bandwidth

* CPU bandwidth is **measured** once, the way llama.cpp reads weights (a sum over a buffer much
  larger than the caches, on as many threads as the engine uses), and cached per machine in
  ``cache/bandwidth.json``; measuring takes about a second, so clients ask for it off the UI
  thread (:func:`ensure_measured`), and :func:`cpu_bandwidth` only reads the cache.
* GPU bandwidth is the device's own figure: NVML's memory bus width and clock on NVIDIA, the
  published unified-memory bandwidth on Apple Silicon (:data:`APPLE_BANDWIDTH`), times the share
  real kernels reach.
* Bytes per token: the weights a token reads (the token embeddings are a row lookup, not a
  read of the table; a mixture-of-experts model reads its active share), plus the KV cache at
  the context in use.

``bench/speed_estimate.py`` checks the estimate against measured decodes and prints the error.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from app.core import paths
from app.core.models.hardware import GPU, Hardware

log = logging.getLogger(__name__)

OVERRIDE_ENV = "HEARTH_MEMORY_BANDWIDTH_GBPS"
MEASURE_BYTES = 512 * 2**20  # well past every CPU cache, small enough to allocate anywhere
GPU_EFFICIENCY = 0.75  # share of the datasheet bandwidth decode kernels reach
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


def cpu_bandwidth(hw: Hardware) -> float | None:
    """The RAM read bandwidth in bytes/s: ``HEARTH_MEMORY_BANDWIDTH_GBPS`` where set (a VM whose
    measurement misleads), else the measurement of this machine, if one was made."""
    given = os.environ.get(OVERRIDE_ENV)
    if given:
        try:
            return float(given) * 1e9
        except ValueError:
            log.warning("%s=%r is not a number of GB/s; ignored", OVERRIDE_ENV, given)
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("machine") != _machine_key(hw):
        return None
    value = data.get("bytes_per_s")
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def measure_cpu_bandwidth(threads: int, size: int = MEASURE_BYTES, rounds: int = 3) -> float:
    """RAM read bandwidth with ``threads`` readers, best of ``rounds`` (bytes/s).

    numpy's sum releases the GIL, so the threads read their slices of the buffer in parallel,
    as llama.cpp's threads read their rows of a weight matrix."""
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


def ensure_measured(hw: Hardware) -> float:
    """The cached bandwidth, measuring it first if this machine has none (about a second)."""
    with _lock:
        known = cpu_bandwidth(hw)
        if known is not None:
            return known
        value = measure_cpu_bandwidth(max(1, hw.physical_cores))
        path = _cache_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"machine": _machine_key(hw), "bytes_per_s": value}), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            log.warning("cannot cache the memory bandwidth: %s", exc)
        log.info("memory bandwidth: %.1f GB/s", value / 1e9)
        return value


def gpu_bandwidth(gpu: GPU) -> float | None:
    """What decode kernels reach on this GPU, in bytes/s (None where the device does not say)."""
    if gpu.bandwidth_bps:
        return gpu.bandwidth_bps * GPU_EFFICIENCY
    if gpu.kind == "metal":
        for chip, gb_per_s in APPLE_BANDWIDTH.items():
            if chip in gpu.name:
                return gb_per_s * 1e9 * GPU_EFFICIENCY
    return None


def estimate(hw: Hardware, read_bytes: int, gpu_share: float, kv_bytes: int = 0, cpu_bps: float | None = None) -> Speed | None:
    """Tokens/s when each token reads ``read_bytes`` of weights and ``kv_bytes`` of cache, a
    ``gpu_share`` (0..1) of both on the GPU.  None when a bandwidth is unknown."""
    cpu_bps = cpu_bps or cpu_bandwidth(hw)
    total = read_bytes + kv_bytes
    gpu_bytes = int(total * gpu_share)
    cpu_bytes = total - gpu_bytes
    seconds = 0.0
    if cpu_bytes:
        if cpu_bps is None:
            return None
        seconds += cpu_bytes / cpu_bps
    if gpu_bytes:
        gpu = hw.usable_gpu
        gpu_bps = gpu_bandwidth(gpu) if gpu is not None else None
        if gpu_bps is None:
            return None
        seconds += gpu_bytes / gpu_bps
    return Speed(1 / seconds if seconds else 0.0, cpu_bytes, gpu_bytes)
