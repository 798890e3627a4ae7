"""Expected speed in the fit verdict: llama.cpp's kernels timed for real in a child process, the
bytes a token reads from real headers, the estimate's arithmetic, and a recommendation that
weighs quality against speed.  (How close the estimate comes to a measured decode is what
``bench/speed_estimate.py`` reports: a timing, so not a test.)"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from app.core import paths
from app.core.models import ggml_rates, speed
from app.core.models.catalog import load_catalog
from app.core.models.fit import fit_catalog, fit_file, recommend
from app.core.models.gguf_header import read_header
from app.core.models.hardware import GPU, Hardware
from app.core.models.info import inspect_model
from tests.gguf_factory import TinySpec, family_spec

GB = 10**9
LAPTOP = Hardware(ram_total_bytes=32 * 2**30, ram_available_bytes=28 * 2**30, cpu_threads=8, physical_cores=4)


def test_llama_cpps_kernels_are_timed_in_a_child_and_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(speed.OVERRIDE_ENV, raising=False)
    cache = paths.user_dirs().cache / "bandwidth.json"
    cache.unlink(missing_ok=True)
    rates = speed.ensure_measured(replace(LAPTOP, physical_cores=2))
    assert set(rates.by_type) == set(ggml_rates.TYPES)  # every type llama.cpp has a kernel for here
    assert all(0.1 * GB < v < 10_000 * GB for v in rates.by_type.values())
    assert rates.bandwidth > 0.1 * GB
    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert stored["kernels"] == pytest.approx(rates.by_type) and stored["threads"] == 2
    assert speed.cpu_rates(replace(LAPTOP, physical_cores=2)) == rates  # read back, not measured again
    assert speed.cpu_rates(replace(LAPTOP, ram_total_bytes=64 * 2**30)) is None  # another machine: not trusted


def test_the_estimate_adds_each_types_time_and_the_gpus_share() -> None:
    rates = speed.CpuRates(bandwidth=20 * GB, by_type={"Q8_0": 10 * GB, "Q4_K": 5 * GB})
    cpu_only = speed.estimate(LAPTOP, {"Q8_0": 1 * GB, "Q4_K": 1 * GB, None: 0}, 0.0, 0, rates)
    overhead = speed.DECODE_OVERHEAD_S
    assert cpu_only is not None and cpu_only.tokens_per_s == pytest.approx(1 / (0.1 + 0.2 + overhead))
    other = speed.estimate(LAPTOP, {"IQ4_NL": 2 * GB}, 0.0, 0, rates)  # no kernel timing: the plain bandwidth
    assert other is not None and other.tokens_per_s == pytest.approx(1 / (0.1 + overhead))
    gpu = GPU("Test GPU", 24 * 2**30, 22 * 2**30, "cuda", bandwidth_bps=1000 * GB)
    with_gpu = replace(LAPTOP, gpus=(gpu,), gpu_offload_supported=True)
    half = speed.estimate(with_gpu, {"Q8_0": 2 * GB}, 0.5, 0, rates)
    assert half is not None and half.tokens_per_s == pytest.approx(1 / (0.1 + 1 / (1000 * speed.GPU_EFFICIENCY) + overhead))
    unknown_gpu = replace(with_gpu, gpus=(replace(gpu, bandwidth_bps=None),))
    assert speed.estimate(unknown_gpu, {"Q8_0": 2 * GB}, 0.5, 0, rates) is None  # says it cannot tell
    apple = GPU("Apple M2 Max", 64 * 2**30, 60 * 2**30, "metal")
    assert speed.gpu_bandwidth(apple) == pytest.approx(400 * GB * speed.GPU_EFFICIENCY)


def test_quant_names_map_to_their_main_weight_type() -> None:
    names = {"Q4_K_M": "Q4_K", "UD-Q2_K_XL": "Q2_K", "UD-IQ1_S": "IQ1_S", "UD-Q8_K_XL": "Q8_0", "F16": "F16", "BF16": "BF16"}
    assert {name: speed.main_type(name) for name in names} == names
    assert speed.main_type("MXFP4") is None


def test_a_token_reads_its_layers_the_head_and_only_the_active_experts(models: Any) -> None:
    dense = inspect_model(models(TinySpec(quant="Q8_0")))
    assert dense.read_bytes_per_token == sum(dense.layer_bytes) + dense.output_bytes  # embeddings: a row lookup
    assert {kind for kind, _ in dense.read_by_type} <= {"Q8_0", None}
    moe = inspect_model(models(family_spec("v4", quant="Q8_0")))  # 4 experts, 2 used
    tensors = read_header(moe.path).tensors
    read = [t for t in tensors if t.name.startswith(("blk.", "output"))]  # V4's head has hyper-connection tensors too
    experts = sum(t.nbytes for t in read if "_exps." in t.name)
    assert experts > 0
    assert moe.read_bytes_per_token == pytest.approx(sum(t.nbytes for t in read) - experts / 2, abs=8)


def test_fit_labels_say_the_speed_once_rates_are_known(models: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_catalog().get("r1-distill-qwen-7b")
    monkeypatch.setenv(speed.OVERRIDE_ENV, "not a number")
    monkeypatch.setattr(speed, "_cache_path", lambda: paths.user_dirs().cache / "no-such.json")
    assert fit_catalog(model, model.quant("Q4_K_M"), LAPTOP).speed is None  # nothing measured: no guess shown
    monkeypatch.setenv(speed.OVERRIDE_ENV, "40")
    fit = fit_catalog(model, model.quant("Q4_K_M"), LAPTOP)
    assert fit.label.startswith("CPU only, ~") and fit.label.endswith(" tok/s")
    assert fit.speed is not None
    assert fit.tokens_per_s == pytest.approx(1 / (fit.speed.cpu_bytes / (40 * GB) + speed.DECODE_OVERHEAD_S))
    size = model.quant("Q4_K_M").size_bytes
    assert size < fit.speed.cpu_bytes < size + model.kv_bytes_per_token() * 4096  # the weights, and the KV read
    local = fit_file(inspect_model(models(TinySpec(quant="Q8_0"))), LAPTOP, 2048)
    assert local.tokens_per_s is not None and local.tokens_per_s > 1000  # a 1 MB model: the fixed cost decides
    assert fit.to_json()["tokens_per_s"] == round(fit.tokens_per_s, 2)


def test_the_recommendation_weighs_quality_against_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_catalog().get("r1-distill-qwen-14b")
    monkeypatch.setenv(speed.OVERRIDE_ENV, "400")  # a machine fast enough for anything that fits
    assert recommend(model, LAPTOP).quant == "Q8_0"  # the best quality that fits (F16 does not)
    monkeypatch.setenv(speed.OVERRIDE_ENV, "18")  # a laptop: Q8_0 would write ~1 token a second
    slow = recommend(model, LAPTOP)
    assert slow is not None and slow.quant == "Q4_K_M"  # the fastest of at least 4 bits, not Q8_0 nor Q2_K
    assert fit_catalog(model, model.quant("Q8_0"), LAPTOP).tokens_per_s < 1.5  # type: ignore[operator]
    monkeypatch.setenv(speed.OVERRIDE_ENV, "60")  # Q5_K_M and below reach reading speed: the best of those
    assert recommend(model, LAPTOP).quant == "Q5_K_M"  # type: ignore[union-attr]
