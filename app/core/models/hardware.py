"""What this machine can run on: RAM, CPU threads and GPU memory.

GPU memory comes from NVML on NVIDIA (``nvidia-ml-py``; llama-cpp-python has
no binding for free VRAM) and from the unified-memory budget on Apple Silicon.
Offload is only considered when the installed llama.cpp build can offload
at all (``llama_supports_gpu_offload()``): a CPU build on a machine with a
GPU must plan for the CPU.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from typing import Any

import psutil

from app.core import paths, settings
from app.core.errors import HearthError
from app.core.sentences import say

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GPU:
    name: str
    total_bytes: int
    free_bytes: int
    kind: str  # "cuda" or "metal"
    bandwidth_bps: float | None = None  # datasheet memory bandwidth, where the driver says (NVML)


@dataclass(frozen=True)
class Hardware:
    ram_total_bytes: int
    ram_available_bytes: int
    cpu_threads: int
    physical_cores: int
    gpus: tuple[GPU, ...] = field(default_factory=tuple)
    gpu_offload_supported: bool = False

    @property
    def usable_gpu(self) -> GPU | None:
        """The GPU llama.cpp will use (the one with most free memory), if offload works."""
        if not self.gpu_offload_supported or not self.gpus:
            return None
        return max(self.gpus, key=lambda g: g.free_bytes)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["gpus"] = [asdict(g) for g in self.gpus]
        return data


def _nvidia_gpus() -> list[GPU]:
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except Exception:  # no driver, no device: a normal CPU machine
        return []
    gpus = []
    try:
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            name = pynvml.nvmlDeviceGetName(handle)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            label = name if isinstance(name, str) else name.decode()
            gpus.append(GPU(label, int(mem.total), int(mem.free), "cuda", _nvml_bandwidth(pynvml, handle)))
    except Exception:
        log.warning("NVML query failed; planning without the GPU", exc_info=True)
    finally:
        pynvml.nvmlShutdown()
    return gpus


def _nvml_bandwidth(pynvml: Any, handle: Any) -> float | None:
    """Bus width times the memory clock, double data rate: the datasheet figure."""
    try:
        bits = pynvml.nvmlDeviceGetMemoryBusWidth(handle)
        mhz = pynvml.nvmlDeviceGetMaxClockInfo(handle, pynvml.NVML_CLOCK_MEM)
    except Exception:  # an older driver without these queries: the speed estimate says it cannot tell
        return None
    return float(bits) / 8 * float(mhz) * 1e6 * 2 if bits and mhz else None


def _apple_gpu(ram_total: int, ram_available: int) -> list[GPU]:
    """Apple Silicon: the GPU shares RAM; Metal lets it wire about 2/3 to 3/4 of it."""
    if platform.system() != "Darwin" or platform.machine() != "arm64":
        return []
    try:
        brand = subprocess.run(
            ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True, timeout=2, check=False
        ).stdout.strip()
    except OSError:
        brand = "Apple Silicon"
    share = 0.75 if ram_total > 36 * 2**30 else 0.66  # Metal's recommendedMaxWorkingSetSize
    budget = int(ram_total * share)
    return [GPU(brand or "Apple Silicon", budget, min(budget, ram_available), "metal")]


def gpu_offload_supported() -> bool:
    return build_backend()[0]


BACKEND_CACHE = "llama_backend.json"
_backend: tuple[bool, str] | None = None


def build_backend() -> tuple[bool, str]:
    """Whether this build of llama.cpp can offload to a GPU, and its backend ("CUDA", "Metal",
    another GPU backend, or "CPU").  Asked of llama.cpp once per installed llama-cpp-python and
    remembered in the cache folder: asking imports llama-cpp-python and NumPy (~130 ms), which
    every launch of the window paid for its status line."""
    global _backend
    if _backend is None:
        from app.core.models.architectures import llama_cpp_version

        version = llama_cpp_version()
        path = paths.user_dirs().cache / BACKEND_CACHE
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if cached.get("llama_cpp_python") == version:
                _backend = bool(cached["gpu_offload"]), str(cached["backend"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        if _backend is None:
            _backend = _ask_llama_cpp()
            try:
                settings.write_json(path, {"llama_cpp_python": version, "gpu_offload": _backend[0], "backend": _backend[1]})
            except HearthError as exc:  # not remembered: asked again next time
                log.warning("%s", exc)
    return _backend


def _ask_llama_cpp() -> tuple[bool, str]:
    try:
        import llama_cpp
    except ImportError:
        return False, "CPU"
    if not llama_cpp.llama_supports_gpu_offload():
        return False, "CPU"
    try:
        info = llama_cpp.llama_print_system_info().decode(errors="replace").upper()
    except (AttributeError, OSError):
        return True, "GPU"
    for name, label in (("CUDA", "CUDA"), ("METAL", "Metal"), ("VULKAN", "Vulkan"), ("HIP", "ROCm"), ("SYCL", "SYCL")):
        if name in info:
            return True, label
    return True, "GPU"


def detect() -> Hardware:
    """Read the machine now (free memory changes, so this is not cached)."""
    vm = psutil.virtual_memory()
    physical = psutil.cpu_count(logical=False) or os.cpu_count() or 1
    gpus = _nvidia_gpus() or _apple_gpu(vm.total, vm.available)
    return Hardware(
        ram_total_bytes=int(vm.total),
        ram_available_bytes=int(vm.available),
        cpu_threads=os.cpu_count() or 1,
        physical_cores=int(physical),
        gpus=tuple(gpus),
        gpu_offload_supported=gpu_offload_supported(),
    )


def describe_backend() -> str:
    """One phrase for the user: the backend, and that the CPU is used when the build has no GPU support."""
    backend = llama_backend()
    return backend if backend != "CPU" else say("CPU (this build has no GPU offload; models run on the CPU)")


def llama_backend() -> str:
    """Which accelerator this build of llama.cpp can use: "CUDA", "Metal", another GPU backend, or "CPU"."""
    return build_backend()[1]
