"""Offload planning from header sizes, and its estimate against llama.cpp."""

from __future__ import annotations

import logging
import re

import pytest

from app.core.engine.llama import Engine, LoadOptions
from app.core.errors import HearthError
from app.core.models.hardware import GPU, Hardware, detect
from app.core.models.info import inspect_model
from app.core.models.offload import parse_gpu_layers, plan_offload
from tests.gguf_factory import TinySpec, arch_spec

MiB = 2**20


def machine(vram_free: int, *, offload: bool = True) -> Hardware:
    gpu = GPU("Test GPU", vram_free + 64 * MiB, vram_free, "cuda")
    return Hardware(16 * 2**30, 12 * 2**30, 8, 4, (gpu,), gpu_offload_supported=offload)


@pytest.fixture(scope="module")
def info(models):  # type: ignore[no-untyped-def]
    return inspect_model(models(TinySpec(n_embd=256, n_head=8, n_head_kv=8, n_ff=1024, n_layer=8, quant="F32"), name="plan"))


def test_everything_fits_on_a_big_gpu(info) -> None:  # type: ignore[no-untyped-def]
    plan = plan_offload(info, machine(8 * 2**30), 4096)
    assert plan.full_offload and plan.gpu_layers == info.n_layers + 1
    assert "all 8 layers on Test GPU" in plan.describe()


def test_partial_offload_when_vram_is_short(info) -> None:  # type: ignore[no-untyped-def]
    per_layer = info.layer_bytes[0] + info.kv_bytes_per_token[0] * 4096
    full = plan_offload(info, machine(8 * 2**30), 4096)
    vram = full.vram_bytes - 3 * per_layer + 512 * MiB  # margin is 512 MiB here
    plan = plan_offload(info, machine(vram), 4096)
    assert 0 < plan.gpu_layers < info.n_layers
    assert plan.vram_bytes <= vram - 512 * MiB + per_layer


def test_cpu_only_without_offload_support_and_with_notice(info) -> None:  # type: ignore[no-untyped-def]
    plan = plan_offload(info, machine(8 * 2**30, offload=False), 4096, requested="all")
    assert plan.gpu_layers == 0 and "no GPU support" in plan.notice


@pytest.mark.parametrize(("value", "expected"), [("auto", "auto"), ("ALL", "all"), ("0", 0), ("12", 12), (3, 3)])
def test_gpu_layer_values(value: object, expected: object) -> None:
    assert parse_gpu_layers(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["-1", "lots", -2])
def test_bad_gpu_layer_values(value: object) -> None:
    with pytest.raises(HearthError):
        parse_gpu_layers(value)  # type: ignore[arg-type]


def test_user_override_is_capped_at_all_layers(info) -> None:  # type: ignore[no-untyped-def]
    assert plan_offload(info, machine(8 * 2**30), 512, requested=999).gpu_layers == info.n_layers + 1


@pytest.mark.parametrize("arch", ["qwen2", "deepseek2"])
def test_kv_estimate_matches_what_llama_cpp_allocates(
    models, engine: Engine, arch: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = models(arch_spec(arch, quant="Q8_0"))
    with caplog.at_level(logging.DEBUG, logger="hearth.llama_cpp"):
        engine.load(str(path), LoadOptions(n_ctx=2048))
    sizes = [float(m) for m in re.findall(r"llama_kv_cache: size =\s+([\d.]+) MiB", caplog.text)]
    assert sizes, "llama.cpp's KV-cache log line was not routed into logging"
    estimate = engine.loaded.info.kv_cache_bytes(2048) / MiB
    assert estimate == pytest.approx(sizes[-1], rel=0.02)


def test_detect_reads_this_machine() -> None:
    hw = detect()
    assert hw.ram_total_bytes > hw.ram_available_bytes > 0 and hw.cpu_threads >= 1
    assert hw.to_json()["cpu_threads"] == hw.cpu_threads


def test_an_explicit_layer_count_is_checked_against_free_vram(info) -> None:  # type: ignore[no-untyped-def]
    from app.core.errors import InsufficientMemoryError

    small = machine(600 * MiB)  # less than the margin plus the weights
    with pytest.raises(InsufficientMemoryError, match=r"GPU layers \(all\) need about .* VRAM on Test GPU"):
        plan_offload(info, small, 4096, requested="all")
    assert plan_offload(info, small, 4096, requested="auto").gpu_layers < info.n_layers + 1  # auto places what fits


@pytest.mark.parametrize("ram_gib", [0.05, 0.2, 0.5, 2, 12])
@pytest.mark.parametrize("vram_mib", [0, 520, 560, 700, 8192])
@pytest.mark.parametrize("requested", ["auto", "all", 0, 3])
def test_the_fit_badge_and_the_load_check_agree(info, ram_gib: float, vram_mib: int, requested: object) -> None:  # type: ignore[no-untyped-def]
    """One estimator: the badge says "does not fit" exactly when the load would be refused."""
    from app.core.errors import InsufficientMemoryError
    from app.core.models.fit import fit_file

    hw = machine(vram_mib * MiB)
    hw = Hardware(
        hw.ram_total_bytes, int(ram_gib * 2**30), hw.physical_cores, hw.cpu_threads, hw.gpus, gpu_offload_supported=True
    )
    fit = fit_file(info, hw, 2048, requested)  # type: ignore[arg-type]
    try:
        plan = plan_offload(info, hw, 2048, requested)  # type: ignore[arg-type]
    except InsufficientMemoryError:
        assert fit.verdict == "no-fit"
    else:
        assert fit.verdict != "no-fit" and fit.gpu_layers == plan.gpu_layers
