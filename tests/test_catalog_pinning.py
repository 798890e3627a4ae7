"""A catalog IT can trust: ``hearth models pin`` against a real local Hub server, downloads that
verify against the pins (sizes too), JSON progress while a file downloads, and a mirror that
ignores ``Range`` after a kill."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import ChecksumMismatchError, NetworkError
from app.core.models import pinning
from app.core.models.catalog import Catalog, load_file, validate
from app.core.models.downloads import OverallProgress, download, staging_dir
from app.core.models.registry import Registry
from app.core.models.transfer import RANGE_IGNORED
from tests.hub_fixtures import FAST, REPO, tiny_catalog, tiny_catalog_data
from tests.hub_server import Fault, HubServer

ROOT = Path(__file__).resolve().parents[1]


def admin_env(hub: HubServer, payloads: dict[str, bytes], tmp_path: Path) -> dict[str, str]:
    """A user home, the test repo's entry as the admin catalog, HF_ENDPOINT at the local hub."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "catalog.json").write_text(json.dumps(tiny_catalog_data(payloads)), encoding="utf-8")
    return dict(os.environ, HEARTH_HOME=str(tmp_path / "home"), HEARTH_SITE_CONFIG=str(site), HF_ENDPOINT=hub.endpoint)


def pin(hub: HubServer, entries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    return pinning.pin_entries(entries, pinning.hub_lister(hub.endpoint, None))


def test_pinning_records_the_commit_sizes_and_sha256_of_every_file(hub: HubServer, payloads: dict[str, bytes]) -> None:
    entries = tiny_catalog_data(payloads)["models"]
    pinned, problems = pin(hub, entries)
    assert problems == []
    (model,) = pinned
    assert model["revision"] == hub.repos[REPO].commit  # "main" became the commit
    for quant in model["quants"]:
        for file in quant["files"]:
            data = payloads[file["path"]]
            assert file["size"] == len(data) and file["sha256"] == hashlib.sha256(data).hexdigest()
        assert quant["approx_bytes"] == sum(f["size"] for f in quant["files"])
    catalog = Catalog(tuple(validate({"schema_version": 1, "models": pinned}, "pinned")))
    assert all(f.sha256 and f.size for q in catalog.get("test-tiny").quants for f in q.files)


def test_a_re_split_model_is_followed_and_a_missing_file_stops_the_pin(hub: HubServer, payloads: dict[str, bytes]) -> None:
    entries = tiny_catalog_data(payloads)["models"]
    f16 = next(q for q in entries[0]["quants"] if q["quant"] == "F16")
    f16["files"] = f16["files"][:2]  # the catalog's list is out of date: the repository has more shards
    f16["files"] = [{"path": f["path"]} for f in f16["files"]]
    pinned, problems = pin(hub, entries)
    assert not problems
    shards = [f["path"] for f in next(q for q in pinned[0]["quants"] if q["quant"] == "F16")["files"]]
    assert shards == sorted(p for p in payloads if p.startswith("F16/"))
    del hub.repos[REPO].files["tiny-Q8_0.gguf"]
    pinned, problems = pin(hub, tiny_catalog_data(payloads)["models"])
    assert pinned == [] and problems == ["test-tiny Q8_0: tiny-Q8_0.gguf not in the repository"]


def test_a_mirror_without_lfs_hashes_cannot_be_pinned(hub: HubServer, payloads: dict[str, bytes]) -> None:
    hub.lfs_hash = False
    pinned, problems = pin(hub, tiny_catalog_data(payloads)["models"])
    assert pinned == [] and all("no sha256 published" in p for p in problems) and len(problems) == 3


def test_a_pinned_catalog_refuses_a_file_that_changed_on_the_server(
    hub: HubServer, payloads: dict[str, bytes], registry: Registry
) -> None:
    pinned, _ = pin(hub, tiny_catalog_data(payloads)["models"])
    catalog = Catalog(tuple(validate({"schema_version": 1, "models": pinned}, "pinned")))
    model = catalog.get("test-tiny")
    data = bytearray(payloads["tiny-Q8_0.gguf"])
    data[-1] ^= 0xFF  # the publisher (or someone on the mirror) replaced the file, same size
    hub.repos[REPO].files["tiny-Q8_0.gguf"] = bytes(data)
    hub.repos[REPO].commit = pinned[0]["revision"]  # and kept serving it under the pinned commit
    with pytest.raises(ChecksumMismatchError, match="catalog pins"):
        download(model, model.quant("Q8_0"), registry, policy=FAST)
    assert registry.local() == []


def test_a_size_the_server_disagrees_with_is_caught_before_downloading(
    hub: HubServer, payloads: dict[str, bytes], registry: Registry
) -> None:
    size = len(payloads["tiny-Q8_0.gguf"])
    data = tiny_catalog_data(payloads)
    data["models"][0]["quants"][0]["files"][0]["size"] = size + 1
    model = Catalog(tuple(validate(data, "test"))).get("test-tiny")
    with pytest.raises(ChecksumMismatchError, match=f"{size:,} bytes, but the catalog pins {size + 1:,}"):
        download(model, model.quant("Q8_0"), registry, policy=FAST)
    assert hub.file_gets("tiny-Q8_0.gguf") == []  # refused from the metadata: no bytes were fetched


def test_the_pin_command_writes_an_admin_catalog_workstations_load(
    hub: HubServer, payloads: dict[str, bytes], tmp_path: Path
) -> None:
    env = admin_env(hub, payloads, tmp_path)
    out = tmp_path / "pinned.json"
    run = subprocess.run(
        [sys.executable, "-m", "app", "models", "pin", "test-tiny", "-o", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"1 model(s), {len(payloads)} file(s) pinned" in run.stdout
    (model,) = load_file(out, str(out))
    assert model.revision == hub.repos[REPO].commit and all(f.sha256 for q in model.quants for f in q.files)
    unknown = subprocess.run(
        [sys.executable, "-m", "app", "models", "pin", "no-such-id", "-o", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip
    assert unknown.returncode == 6 and "no-such-id" in unknown.stderr
    del hub.repos[REPO].files["tiny-Q8_0.gguf"]
    out.unlink()
    failed = subprocess.run(
        [sys.executable, "-m", "app", "models", "pin", "test-tiny", "-o", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip
    assert failed.returncode == 6 and "nothing was written" in failed.stderr and not out.exists()


# --- progress and resumes ----------------------------------------------------------------------


def test_download_json_prints_progress_while_the_file_downloads(
    hub: HubServer, payloads: dict[str, bytes], tmp_path: Path
) -> None:
    env = admin_env(hub, payloads, tmp_path)
    size = len(payloads["tiny-Q8_0.gguf"])
    hub.throttle_bps = size // 3  # about three seconds for the file
    run = subprocess.run(
        [sys.executable, "-m", "app", "models", "download", "test-tiny", "--quant", "Q8_0", "--json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    moving = [line for line in lines if line.get("state") == "downloading" and 0 < line["done"] < size]
    assert len(moving) >= 3  # lines while bytes flow, not only at the end
    assert [line["done"] for line in moving] == sorted(line["done"] for line in moving)
    assert lines[-1]["type"] == "done"


def _killed_half_way(payloads: dict[str, bytes], registry: Registry, hub: HubServer) -> Any:
    """A download that stopped at 30,000 bytes and left its .part (as after a kill)."""
    hub.fault("tiny-Q8_0.gguf", Fault("drop", after=30_000), *[Fault("status", status=502)] * 10)
    model = tiny_catalog(payloads).get("test-tiny")
    with pytest.raises(NetworkError):
        download(model, model.quant("Q8_0"), registry, policy=FAST)
    hub.faults.clear()
    part = staging_dir(registry.models_dir, model, model.quant("Q8_0")) / "tiny-Q8_0.gguf.part"
    assert part.stat().st_size == 30_000
    return model


def test_a_mirror_that_ignores_range_says_so_and_skips_the_useless_re_hash(
    hub: HubServer, payloads: dict[str, bytes], registry: Registry
) -> None:
    model = _killed_half_way(payloads, registry, hub)
    hub.fault("tiny-Q8_0.gguf", Fault("ignore_range"))
    states: list[tuple[str, str]] = []
    item = download(
        model, model.quant("Q8_0"), registry, policy=FAST, on_progress=lambda p: states.append((p.file.state, p.file.message))
    )
    assert Path(item.path).read_bytes() == payloads["tiny-Q8_0.gguf"]
    restarting = [message for state, message in states if state == "restarting"]
    assert restarting and restarting[0] == RANGE_IGNORED.format(done=30_000)
    assert "checking" not in [state for state, _ in states]  # the 30,000 kept bytes were never hashed


def test_a_mirror_that_resumes_hashes_the_kept_bytes_once(hub: HubServer, payloads: dict[str, bytes], registry: Registry) -> None:
    model = _killed_half_way(payloads, registry, hub)
    progress: list[OverallProgress] = []
    item = download(model, model.quant("Q8_0"), registry, policy=FAST, on_progress=progress.append)
    assert Path(item.path).read_bytes() == payloads["tiny-Q8_0.gguf"]
    assert [p.file.state for p in progress].count("checking") == 1
    gets = hub.file_gets("tiny-Q8_0.gguf")
    assert gets[-1].range == "bytes=30000-"
