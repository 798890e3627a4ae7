"""How good is the fit verdict's expected speed?  (issue #13, item 6)

Measures this machine's memory bandwidth and llama.cpp's kernel rates (as the app does, once), then for models of a few
sizes and quantizations compares the estimate the fit verdict shows (:func:`speed.estimate` on
the real file's bytes read per token by weight type, as ``fit_file`` calls it) with the decode
speed Hearth's engine measures on the same file in the same process.  Prints each pair and the
error; the last line is the mean absolute error.

The models have DeepSeek-R1-Distill-Qwen-1.5B's layer shape (random weights; ``ignore_eos``
makes every run decode the same number of tokens), 3 to 8 layers, in F16, Q8_0 and Q4_0.
Run: ``.venv/bin/python bench/speed_estimate.py`` (``--quick``: two models, fewer rounds).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core import paths  # noqa: E402
from app.core.engine.base import Message, SamplingParams, collect  # noqa: E402
from app.core.engine.llama import Engine, LoadOptions  # noqa: E402
from app.core.models import hardware, speed  # noqa: E402
from app.core.models.info import inspect_model  # noqa: E402
from tests.gguf_factory import TinySpec, write_model  # noqa: E402

BASE = TinySpec(arch="qwen2", n_embd=1536, n_head=12, n_head_kv=2, n_ff=8960, n_ctx=4096, extra_vocab=32000)
CASES = [(3, "Q8_0"), (6, "Q8_0"), (4, "F16"), (8, "Q4_0")]
QUICK = [(3, "Q8_0"), (4, "F16")]
TOKENS = 128


def model(layers: int, quant: str) -> Path:
    path = paths.user_dirs().cache / "bench" / f"speed-{layers}l-{quant}.gguf"
    if not path.exists():
        print(f"generating a {layers}-layer {quant} model (once)...", flush=True)
        write_model(path, TinySpec(**{**BASE.__dict__, "n_layer": layers, "quant": quant, "name": f"speed bench {layers}l"}))
    return path


def main() -> int:
    quick = "--quick" in sys.argv
    hw = hardware.detect()
    threads = hw.physical_cores
    rates = speed.CpuRates(speed.measure_cpu_bandwidth(threads), speed._kernel_rates(threads))
    kernels = ", ".join(f"{k} {v / 1e9:.1f}" for k, v in rates.by_type.items())
    print(f"measured now, {threads} threads: RAM {rates.bandwidth / 1e9:.1f} GB/s; kernels (GB/s): {kernels}")
    engine = Engine()
    errors, plain_errors = [], []
    params = SamplingParams(temperature=0.6, max_tokens=TOKENS, seed=5, ignore_eos=True)
    try:
        for layers, quant in QUICK if quick else CASES:
            path = model(layers, quant)
            info = inspect_model(path)
            expected = speed.estimate(hw, dict(info.read_by_type), 0.0, info.kv_cache_bytes(64), rates)
            assert expected is not None
            engine.load(str(path), LoadOptions(n_ctx=4096, n_threads=threads))
            decodes = []
            for _ in range(2 if quick else 4):
                _, _, summary = collect(engine.chat([Message("user", "Explain heat pumps.")], params))
                decodes.append(summary.tokens_per_s)
            measured = statistics.median(decodes)
            error = (expected.tokens_per_s - measured) / measured
            errors.append(abs(error))
            naive = speed.estimate(hw, {None: info.read_bytes_per_token}, 0.0, info.kv_cache_bytes(64), rates)
            assert naive is not None
            plain_errors.append((naive.tokens_per_s - measured) / measured)
            print(
                f"{layers} layers {quant:5} {info.read_bytes_per_token / 2**20:7.1f} MiB/token: "
                f"estimated {expected.tokens_per_s:6.1f} tok/s, measured {measured:6.1f} tok/s "
                f"(median of {len(decodes)}), error {error:+.1%}"
            )
    finally:
        engine.close()
    plain = [abs(p) for p in plain_errors]
    print(f"plain-bandwidth estimate (before the kernel timing): mean absolute error {statistics.mean(plain):.1%}")
    print(f"mean absolute error {statistics.mean(errors):.1%} over {len(errors)} models")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
