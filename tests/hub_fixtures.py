"""Shared pieces for model-manager tests: a tiny catalog over files served by
the local Hub server, the files themselves, and fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.models.catalog import Catalog, validate
from app.core.models.registry import Registry
from app.core.models.transfer import RetryPolicy
from tests.gguf_factory import TinySpec
from tests.hub_server import HubServer

REPO = "test/tiny-GGUF"
FAST = RetryPolicy(attempts=4, backoff_s=0.01, backoff_cap_s=0.05, stall_timeout_s=0.5, connect_timeout_s=2)


def tiny_catalog(files: dict[str, bytes], pins: dict[str, str] | None = None, repo: str = REPO) -> Catalog:
    return Catalog(tuple(validate(tiny_catalog_data(files, pins, repo), "test")))


def tiny_catalog_data(files: dict[str, bytes], pins: dict[str, str] | None = None, repo: str = REPO) -> dict[str, Any]:
    """An admin-style catalog with one model in three layouts over the given files."""
    pins = pins or {}

    def entry(path: str) -> dict[str, Any]:
        return {"path": path, **({"sha256": pins[path]} if path in pins else {})}

    split = sorted(p for p in files if "-of-" in p)
    parts = sorted(p for p in files if ".part" in p)
    quants = [{"quant": "Q8_0", "approx_bytes": len(files["tiny-Q8_0.gguf"]), "files": [entry("tiny-Q8_0.gguf")]}]
    if split:
        size = sum(len(files[p]) for p in split)  # the Hub listing's total: identity checks name and size
        quants.append({"quant": "F16", "approx_bytes": size, "layout": "gguf-split", "files": [entry(p) for p in split]})
    if parts:
        size = sum(len(files[p]) for p in parts)
        quants.append({"quant": "Q4_0", "approx_bytes": size, "layout": "concat", "files": [entry(p) for p in parts]})
    data = {
        "schema_version": 1,
        "models": [
            {
                "id": "test-tiny",
                "name": "Tiny test model",
                "family": "test",
                "template": "deepseek-r1",
                "parameters_b": 0.001,
                "architecture": "qwen2",
                "license": "MIT",
                "context_length": 4096,
                "layers": 2,
                "kv": {"kv_heads": 2, "head_dim": 16},
                "sampling": {"temperature": 0.6, "top_p": 0.95},
                "repo": repo,
                "revision": "main",
                "quants": quants,
            }
        ],
    }
    return data


def make_payloads(models: Any) -> dict[str, bytes]:
    """Repo files: a single Q8_0 file, an F16 model split in shards, a Q4_0 file cut in two byte parts."""
    single = models(TinySpec(quant="Q8_0", seed=11)).read_bytes()
    first = models(TinySpec(quant="F16", seed=12), split=8)
    shards = sorted(first.parent.glob("*-of-*.gguf"))
    files = {"tiny-Q8_0.gguf": single}
    files.update({f"F16/tiny-F16-{i:05d}-of-{len(shards):05d}.gguf": s.read_bytes() for i, s in enumerate(shards, 1)})
    whole = models(TinySpec(quant="Q4_0", seed=13)).read_bytes()
    cut = len(whole) // 2
    files["tiny.Q4_0.gguf.part1of2"], files["tiny.Q4_0.gguf.part2of2"] = whole[:cut], whole[cut:]
    return files


@pytest.fixture
def hub(payloads: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    server = HubServer()
    server.add_repo(REPO, payloads)
    server.start()
    monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    yield server
    server.stop()


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(tmp_path / "models", shared_dir=None)
