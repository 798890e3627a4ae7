"""How fast llama.cpp's own CPU kernels read each weight type on this machine.

Decoding a token is one matrix-vector product per weight matrix, so its speed is the rate at
which ggml's ``mul_mat`` gets through a matrix of that type when the matrix is far larger than
the CPU caches: memory bandwidth where the kernel keeps up, the kernel's arithmetic where it
does not (on a 2-core machine Q4_0 reads 8 GB/s and F16 22 GB/s from the same RAM).  A plain
bandwidth figure misses that by 2-3x, so this measures the kernels themselves.

llama-cpp-python binds ``llama.h`` only, not ggml's compute API, hence ``ctypes`` to the
bundled ``libggml-base`` and ``libggml-cpu``: a context, one quantized matrix (a small block
quantized with ``ggml_quantize_chunk`` and tiled to :data:`MATRIX_BYTES`, since the kernel's
cost does not depend on the values), one F32 vector, ``ggml_mul_mat``, and the graph computed on
the engine's thread count.  Any failure (a library that changed its ABI) returns no rates, and
the speed estimate falls back to the plain bandwidth.
"""

from __future__ import annotations

import ctypes
import logging
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# ggml_type values (ggml.h) of the types GGUF files use for most of their weights.
TYPES = {
    "F16": 1, "Q4_0": 2, "Q8_0": 8, "Q2_K": 10, "Q3_K": 11, "Q4_K": 12, "Q5_K": 13, "Q6_K": 14,
    "IQ2_XXS": 16, "IQ1_S": 19, "IQ4_XS": 23, "IQ1_M": 29, "BF16": 30,
}  # fmt: skip
ROW = 4096  # weights per row (a multiple of every block size)
BLOCK_ROWS = 32  # rows quantized for real (the IQ types quantize slowly), then tiled
MATRIX_BYTES = 192 * 2**20  # several times a desktop CPU's cache
ROUNDS = 3


class _InitParams(ctypes.Structure):
    _fields_ = [("mem_size", ctypes.c_size_t), ("mem_buffer", ctypes.c_void_p), ("no_alloc", ctypes.c_bool)]


def _libraries() -> tuple[Any, Any]:
    import llama_cpp

    folder = Path(llama_cpp.__file__).parent / "lib"
    base = ctypes.CDLL(str(next(folder.glob("libggml-base.*"))))
    cpu = ctypes.CDLL(str(next(folder.glob("libggml-cpu.*"))))
    p, i64, size = ctypes.c_void_p, ctypes.c_int64, ctypes.c_size_t
    signatures = {
        (base, "ggml_init"): (p, [_InitParams]),
        (base, "ggml_free"): (None, [p]),
        (base, "ggml_new_tensor_2d"): (p, [p, ctypes.c_int, i64, i64]),
        (base, "ggml_get_data"): (p, [p]),
        (base, "ggml_mul_mat"): (p, [p, p, p]),
        (base, "ggml_new_graph"): (p, [p]),
        (base, "ggml_build_forward_expand"): (None, [p, p]),
        (base, "ggml_row_size"): (size, [ctypes.c_int, i64]),
        (base, "ggml_quantize_chunk"): (size, [ctypes.c_int, p, p, i64, i64, i64, p]),
        (cpu, "ggml_graph_compute_with_ctx"): (ctypes.c_int, [p, p, ctypes.c_int]),
        (cpu, "ggml_cpu_init"): (None, []),
    }
    for (lib, name), (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    cpu.ggml_cpu_init()
    return base, cpu


def _rate(base: Any, cpu: Any, type_id: int, threads: int) -> float:
    """Bytes of weights per second that one out-of-cache mul_mat of this type gets through."""
    import numpy as np

    row_bytes = int(base.ggml_row_size(type_id, ROW))
    rows = max(BLOCK_ROWS, MATRIX_BYTES // row_bytes // BLOCK_ROWS * BLOCK_ROWS)
    ctx = base.ggml_init(_InitParams(row_bytes * rows + ROW * 8 + 16 * 2**20, None, False))  # + objects, graph
    if not ctx:
        raise MemoryError("ggml_init failed")
    try:
        weights = base.ggml_new_tensor_2d(ctx, type_id, ROW, rows)
        vector = base.ggml_new_tensor_2d(ctx, 0, ROW, 1)
        source = (np.random.default_rng(0).standard_normal(ROW * BLOCK_ROWS) * 0.05).astype(np.float32)
        block = np.zeros(row_bytes * BLOCK_ROWS, dtype=np.uint8)
        if type_id == TYPES["F16"]:
            block[:] = source.astype(np.float16).view(np.uint8)
        else:
            importance = np.ones(ROW, dtype=np.float32)  # the IQ types need an importance matrix
            base.ggml_quantize_chunk(type_id, source.ctypes.data, block.ctypes.data, 0, BLOCK_ROWS, ROW, importance.ctypes.data)
        data = base.ggml_get_data(weights)
        for start in range(0, rows, BLOCK_ROWS):
            ctypes.memmove(data + start * row_bytes, block.ctypes.data, block.nbytes)
        ones = np.ones(ROW, dtype=np.float32)
        ctypes.memmove(base.ggml_get_data(vector), ones.ctypes.data, ones.nbytes)
        graph = base.ggml_new_graph(ctx)
        base.ggml_build_forward_expand(graph, base.ggml_mul_mat(ctx, weights, vector))
        cpu.ggml_graph_compute_with_ctx(ctx, graph, threads)  # warm-up
        best = float("inf")
        for _ in range(ROUNDS):
            start_s = time.perf_counter()
            cpu.ggml_graph_compute_with_ctx(ctx, graph, threads)
            best = min(best, time.perf_counter() - start_s)
        return row_bytes * rows / best
    finally:
        base.ggml_free(ctx)


# Types whose rate is another's: IQ1_S quantizes for seconds per block and runs IQ1_M's kernels' speed.
SAME_AS = {"IQ1_S": "IQ1_M"}
BY_ID = {type_id: name for name, type_id in TYPES.items()}
COMMAND = "_measure-kernels"


def measure(threads: int) -> dict[str, float]:
    """Bytes/s per weight type on ``threads`` threads; empty when ggml cannot be driven.

    Call it in a child process (:data:`COMMAND`): a ggml assertion aborts the whole process."""
    try:
        base, cpu = _libraries()
        rates = {name: _rate(base, cpu, type_id, threads) for name, type_id in TYPES.items() if name not in SAME_AS}
        return {**rates, **{name: rates[other] for name, other in SAME_AS.items()}}
    except (OSError, AttributeError, StopIteration, MemoryError, ValueError) as exc:
        log.warning("could not time llama.cpp's kernels (%s); speed estimates use the plain bandwidth", exc)
        return {}


def child_main(threads: str) -> int:
    """In the child: print the rates as JSON on stdout."""
    import json

    print(json.dumps(measure(int(threads))))
    return 0
