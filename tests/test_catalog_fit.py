"""The bundled catalog, admin catalogs, hardware fit and the recommendation,
and the memory estimate checked against what llama.cpp really allocates."""

from __future__ import annotations

import copy
import json
import logging
import re
from pathlib import Path
from typing import Any

import llama_cpp
import pytest

from app.core import paths
from app.core.engine.llama import Engine, LoadOptions
from app.core.errors import CatalogError
from app.core.models.catalog import load_catalog, validate
from app.core.models.fit import estimate_file, fit_catalog, recommend
from app.core.models.hardware import GPU, Hardware
from app.core.models.info import inspect_model
from tests.gguf_factory import arch_spec

GiB = 2**30
BUNDLED = json.loads((paths.bundled_models_dir() / "catalog.json").read_text(encoding="utf-8"))
REQUIRED_MODELS = {
    "r1-distill-qwen-1.5b", "r1-distill-qwen-7b", "r1-distill-qwen-14b", "r1-distill-qwen-32b", "r1-distill-llama-8b",
    "r1-distill-llama-70b", "r1-0528-qwen3-8b", "v2-lite-chat", "coder-v2-lite-instruct", "r1-671b", "v3-0324-671b",
}  # fmt: skip


def machine(ram_gib: float, vram_gib: float = 0) -> Hardware:
    gpus = (GPU("Test GPU", int(vram_gib * GiB), int(vram_gib * GiB), "cuda"),) if vram_gib else ()
    return Hardware(int(ram_gib * GiB), int(ram_gib * GiB), 16, 8, gpus, gpu_offload_supported=bool(vram_gib))


def test_bundled_catalog_is_valid_and_complete() -> None:
    catalog = load_catalog()
    assert {m.id for m in catalog.models} >= REQUIRED_MODELS
    for model in catalog.models:
        assert model.license and model.context_length >= 4096 and model.repo and model.revision
        assert model.temperature == 0.6 or model.template != "deepseek-r1"
        sizes = [q.approx_bytes for q in model.quants]
        assert sizes == sorted(sizes)
        for quant in model.quants:
            if quant.layout == "gguf-split":
                assert len(quant.files) > 1
    big = catalog.get("r1-671b")
    assert all(q.layout == "gguf-split" for q in big.quants)
    pinned = catalog.get("r1-distill-qwen-32b").quant("Q4_K_M").files[0].sha256
    assert pinned == "bed9b0f551f5b95bf9da5888a48f0f87c37ad6b72519c4cbd775f54ac0b9fc62"
    quants = {q.quant for m in catalog.models for q in m.quants}
    assert {"Q2_K", "Q4_K_M", "Q8_0", "F16"} <= quants  # from ~2-bit to Q8_0 and F16


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(BUNDLED)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["models"][0].pop("license"), "models/0"),
        (lambda d: d["models"][1].update(context_length="big"), "models/1/context_length"),
        (lambda d: d["models"][0]["quants"][0]["files"][0].update(sha256="xyz"), "models/0/quants/0/files/0/sha256"),
        (lambda d: d["models"][2].update(architecture="DeepSeek 4"), "models/2/architecture"),
        (lambda d: d["models"][2].update(architecture="deepseek41"), "'deepseek41' model, an architecture the llama.cpp"),
        (lambda d: d["models"][0].update(surprise=1), "models/0"),
        (lambda d: d["models"].append(copy.deepcopy(d["models"][0])), "twice"),
        (lambda d: d["models"][9]["quants"][0]["files"].reverse(), "in order"),
        (lambda d: d["models"][0].update(repo="ubergarm/DeepSeek-R1-GGUF"), "ik_llama.cpp"),
    ],
)
def test_invalid_catalog_entries_are_named(change: Any, where: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(where)):
        validate(broken(change), "test")


def test_admin_catalog_adds_and_replaces_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setenv("HEARTH_SITE_CONFIG", str(site))
    internal = copy.deepcopy(BUNDLED["models"][0])
    internal.update(id="acme-r1-tuned", name="ACME tuned R1", repo="acme/r1-tuned-GGUF")
    replaced = copy.deepcopy(BUNDLED["models"][1])
    replaced["name"] = "Pinned by IT"
    (site / "catalog.json").write_text(json.dumps({"schema_version": 1, "models": [internal, replaced]}), encoding="utf-8")
    catalog = load_catalog()
    assert catalog.get("acme-r1-tuned").source == str(site / "catalog.json")
    assert catalog.get(replaced["id"]).name == "Pinned by IT"
    assert len(catalog.models) == len(BUNDLED["models"]) + 1
    (site / "catalog.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog()


def test_fit_verdicts_and_recommendations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the speed is known (nothing measured yet): fit decides alone."""
    from app.core import paths
    from app.core.models import speed

    monkeypatch.delenv(speed.OVERRIDE_ENV, raising=False)
    monkeypatch.setattr(speed, "_cache_path", lambda: paths.user_dirs().cache / "not-measured.json")
    catalog = load_catalog()
    qwen7, qwen14, llama70 = (
        catalog.get("r1-distill-qwen-7b"),
        catalog.get("r1-distill-qwen-14b"),
        catalog.get("r1-distill-llama-70b"),
    )
    # 24 GB workstation without GPU: CPU, the largest quantized file (not F16) that leaves headroom.
    cpu = machine(24)
    assert fit_catalog(qwen7, qwen7.quant("Q4_K_M"), cpu).verdict == "cpu"
    assert recommend(qwen7, cpu).quant == "Q6_K"  # type: ignore[union-attr]
    assert fit_catalog(llama70, llama70.quant("Q4_K_M"), cpu).verdict == "no-fit"
    assert recommend(llama70, cpu) is None
    # 24 GB GPU: the best quality that fits entirely in VRAM.
    gpu = machine(64, vram_gib=24)
    assert recommend(qwen14, gpu).quant == "Q8_0"  # type: ignore[union-attr]
    assert fit_catalog(qwen14, qwen14.quant("Q8_0"), gpu).verdict == "full-gpu"
    # 8 GB GPU with a 9 GB file: some layers on the GPU, the rest in RAM.
    partial = fit_catalog(qwen14, qwen14.quant("Q4_K_M"), machine(32, vram_gib=8))
    assert partial.verdict == "partial-gpu" and 0 < partial.gpu_layers < 48
    assert f"{partial.gpu_layers} of 48 layers" in partial.label
    # A longer context costs KV cache: 128k tokens of 14B KV do not fit a 24 GB GPU with Q8_0.
    assert fit_catalog(qwen14, qwen14.quant("Q8_0"), gpu, n_ctx=131072).verdict != "full-gpu"


def test_mla_models_have_a_small_kv_cache() -> None:
    catalog = load_catalog()
    v2, qwen7 = catalog.get("v2-lite-chat"), catalog.get("r1-distill-qwen-7b")
    assert v2.kv_bytes_per_token() == 27 * 576 * 2
    assert qwen7.kv_bytes_per_token() == 2 * 28 * 4 * 128 * 2


LOG_SIZES = {
    "kv": re.compile(r"KV buffer size\s*=\s*([\d.]+) MiB"),
    "compute": re.compile(r"compute buffer size\s*=\s*([\d.]+) MiB"),
}


@pytest.mark.parametrize("arch", ["qwen2", "llama", "qwen3", "deepseek2"])
@pytest.mark.parametrize("n_ctx", [512, 4096])
def test_estimate_matches_what_llama_cpp_allocates(
    models, engine: Engine, caplog: pytest.LogCaptureFixture, arch: str, n_ctx: int
) -> None:
    path = models(arch_spec(arch, quant="Q8_0"))
    estimate = estimate_file(inspect_model(path), n_ctx)
    with caplog.at_level(logging.INFO, logger="hearth.llama_cpp"):
        engine.load(str(path), LoadOptions(n_ctx=n_ctx))
    text = "\n".join(r.getMessage() for r in caplog.records)
    kv = float(LOG_SIZES["kv"].findall(text)[-1]) * 2**20
    compute = float(LOG_SIZES["compute"].findall(text)[-1]) * 2**20
    weights = llama_cpp.llama_model_size(engine._llama.model)
    assert abs(estimate.weights - weights) <= weights * 0.01
    assert abs(estimate.kv_cache - kv) <= max(kv * 0.01, 2**14)
    assert compute <= estimate.compute <= compute + 32 * 2**20  # conservative, never wildly so


def test_catalog_drafts_are_smaller_models_with_the_same_tokenizer_family() -> None:
    catalog = load_catalog()
    for model in catalog.models:
        if model.draft:
            draft = catalog.get(model.draft)
            assert draft.parameters_b < model.parameters_b and draft.architecture == model.architecture, model.id
    assert catalog.get("r1-distill-qwen-32b").draft == "r1-distill-qwen-1.5b"
    bad = copy.deepcopy(BUNDLED)
    bad["models"][1]["draft"] = bad["models"][1]["id"]
    with pytest.raises(CatalogError, match="names itself"):
        validate(bad, "test")
