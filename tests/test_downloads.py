"""Downloads against a real local HTTP server that speaks the Hub's interface,
with faults injected: drops, 5xx, stalls, wrong bytes, ignored Range, missing
metadata, gated repos, shards, byte-split parts, pause/resume/cancel."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any

import keyring
import pytest

from app.core.errors import (
    AuthRequiredError,
    ChecksumMismatchError,
    CredentialStoreError,
    DownloadCancelledError,
    DownloadError,
    InsufficientDiskError,
    NetworkError,
    RemoteFileNotFoundError,
    UnverifiableFileError,
)
from app.core.models.catalog import Catalog
from app.core.models.downloads import OverallProgress, download, staging_dir
from app.core.models.http_client import follow
from app.core.models.info import inspect_model
from app.core.models.ops import verify_model
from app.core.models.registry import Registry
from app.core.models.transfer import DownloadControl
from app.core.privacy import secrets as credentials
from tests.hub_fixtures import FAST, REPO, tiny_catalog
from tests.hub_server import Fault, HubServer


def fetch(catalog: Catalog, registry: Registry, quant: str = "Q8_0", **kwargs: Any) -> Any:
    model = catalog.get("test-tiny")
    return download(model, model.quant(quant), registry, policy=FAST, **kwargs)


def starts(server: HubServer, path: str) -> list[int]:
    """The Range start of every GET of the file bytes, in order."""
    return [int(r.range.split("=")[1].split("-")[0]) if r.range else 0 for r in server.file_gets(path)]


def test_clean_download_is_verified_registered_and_pinned_to_the_commit(hub, payloads, registry) -> None:
    item = fetch(tiny_catalog(payloads), registry)
    data = Path(item.path).read_bytes()
    assert data == payloads["tiny-Q8_0.gguf"]
    assert item.files[0].sha256 == hashlib.sha256(data).hexdigest()
    assert item.commit == hub.repos[REPO].commit and item.source == "download"
    assert all(f"/resolve/{item.commit}/" in r.path for r in hub.file_gets("tiny-Q8_0.gguf"))  # bytes fetched at the commit
    assert registry.get("test-tiny", "Q8_0").path == item.path
    assert inspect_model(item.path).architecture == "qwen2"
    assert not (registry.models_dir / ".downloads" / "test-tiny" / "Q8_0").exists()


def test_dropped_connection_resumes_from_the_bytes_received(hub, payloads, registry) -> None:
    hub.fault("tiny-Q8_0.gguf", Fault("drop", after=40_000), Fault("drop", after=30_000))
    item = fetch(tiny_catalog(payloads), registry)
    assert Path(item.path).read_bytes() == payloads["tiny-Q8_0.gguf"]
    first, second, third = starts(hub, "tiny-Q8_0.gguf")
    assert first == 0 and second == 40_000 and third == 70_000  # nothing received was fetched twice


def test_server_errors_are_retried(hub, payloads, registry) -> None:
    hub.fault("tiny-Q8_0.gguf", Fault("status", status=503), Fault("status", status=500), Fault("status", status=429))
    fetch(tiny_catalog(payloads), registry)
    assert len(hub.file_gets("tiny-Q8_0.gguf")) == 4


def test_persistent_failure_gives_up_with_a_clear_error_and_keeps_the_partial_file(hub, payloads, registry) -> None:
    hub.fault("tiny-Q8_0.gguf", Fault("drop", after=30_000), *[Fault("status", status=502)] * 10)
    with pytest.raises(NetworkError, match="resumes where it stopped"):
        fetch(tiny_catalog(payloads), registry)
    model = tiny_catalog(payloads).get("test-tiny")
    part = staging_dir(registry.models_dir, model, model.quant("Q8_0"))
    assert (part / "tiny-Q8_0.gguf.part").stat().st_size == 30_000


def test_stalled_stream_is_detected_and_resumed(hub, payloads, registry) -> None:
    hub.fault("tiny-Q8_0.gguf", Fault("stall", after=64_000, seconds=120))
    item = fetch(tiny_catalog(payloads), registry)
    assert starts(hub, "tiny-Q8_0.gguf") == [0, 64_000]
    resumed = [r for r in hub.log if r.range == "bytes=64000-"]
    assert resumed and resumed[0].during_stall  # it gave up on the stalled response and resumed, not waiting it out
    assert Path(item.path).read_bytes() == payloads["tiny-Q8_0.gguf"]


def test_wrong_bytes_are_refused_and_deleted(hub, payloads, registry) -> None:
    hub.fault("tiny-Q8_0.gguf", Fault("corrupt"))
    with pytest.raises(ChecksumMismatchError, match="deleted"):
        fetch(tiny_catalog(payloads), registry)
    assert not [p for p in registry.models_dir.rglob("*") if p.is_file() and p.name != "installed.json"]
    assert registry.local() == []


def test_server_that_ignores_range_restarts_the_file_and_still_verifies(hub, payloads, registry) -> None:
    hub.fault("tiny-Q8_0.gguf", Fault("drop", after=40_000), Fault("ignore_range"))
    item = fetch(tiny_catalog(payloads), registry)
    assert Path(item.path).read_bytes() == payloads["tiny-Q8_0.gguf"]
    assert starts(hub, "tiny-Q8_0.gguf") == [0, 40_000]  # asked to resume, got the whole file, rewrote it


def test_split_model_downloads_every_shard_and_survives_a_fault_in_one(hub, payloads, registry) -> None:
    hub.fault(sorted(p for p in payloads if "-00002-of-" in p)[0], Fault("drop", after=10_000))
    item = fetch(tiny_catalog(payloads), registry, quant="F16")
    names = sorted(Path(p).name for p in payloads if "-of-" in p)
    assert len(names) > 2 and [Path(f.path).name for f in item.files] == names
    assert len(inspect_model(item.path).shards) == len(names)
    for file in item.files:
        assert Path(file.path).read_bytes() == payloads[f"F16/{Path(file.path).name}"]


def test_byte_split_parts_are_joined_into_one_verified_gguf(hub, payloads, registry) -> None:
    catalog = tiny_catalog(payloads)
    item = fetch(catalog, registry, quant="Q4_0")
    assert Path(item.path).name == "tiny.Q4_0.gguf"
    assert Path(item.path).read_bytes() == payloads["tiny.Q4_0.gguf.part1of2"] + payloads["tiny.Q4_0.gguf.part2of2"]
    assert inspect_model(item.path).file_type is not None
    assert verify_model(item, registry, catalog).ok
    with open(item.path, "r+b") as damaged:  # flip one byte in the second part
        damaged.seek(len(payloads["tiny.Q4_0.gguf.part1of2"]) + 10)
        byte = damaged.read(1)
        damaged.seek(-1, 1)
        damaged.write(bytes([byte[0] ^ 1]))
    result = verify_model(item, registry, catalog)
    assert not result.ok and "part 2" in result.problems[0]


def test_not_enough_disk_is_refused_before_any_byte_moves(hub, payloads, registry) -> None:
    hub.repos[REPO].advertised_size["tiny-Q8_0.gguf"] = 2**60
    with pytest.raises(InsufficientDiskError, match="free"):
        fetch(tiny_catalog(payloads), registry)
    assert hub.file_gets("tiny-Q8_0.gguf") == []


def test_mirror_without_hashes_is_refused_unless_the_catalog_pins_one(hub, payloads, registry) -> None:
    hub.lfs_hash = False
    with pytest.raises(UnverifiableFileError, match="does not install files it cannot verify"):
        fetch(tiny_catalog(payloads), registry)
    pin = hashlib.sha256(payloads["tiny-Q8_0.gguf"]).hexdigest()
    item = fetch(tiny_catalog(payloads, pins={"tiny-Q8_0.gguf": pin}), registry)
    assert item.files[0].sha256 == pin


def test_pinned_hash_that_differs_from_the_hub_is_refused_before_download(hub, payloads, registry) -> None:
    with pytest.raises(ChecksumMismatchError, match="catalog pins"):
        fetch(tiny_catalog(payloads, pins={"tiny-Q8_0.gguf": "0" * 64}), registry)
    assert hub.file_gets("tiny-Q8_0.gguf") == []


def test_mirror_without_commit_header_uses_the_api_commit_and_cdn_redirects_work(hub, payloads, registry) -> None:
    hub.commit_header = False
    hub.redirect = True
    item = fetch(tiny_catalog(payloads), registry)
    assert item.commit == hub.repos[REPO].commit
    assert any(r.path.startswith("/cdn/") for r in hub.file_gets("tiny-Q8_0.gguf"))


def test_a_redirect_to_another_origin_gets_no_token(hub, payloads, registry) -> None:
    hub.redirect = True
    hub.cdn_endpoint = hub.endpoint.replace("127.0.0.1", "localhost")  # the same server under another host name
    credentials.save_token(hub.endpoint, "hf_secret")
    try:
        fetch(tiny_catalog(payloads), registry)
    finally:
        credentials.delete_token(hub.endpoint)
    gets = hub.file_gets("tiny-Q8_0.gguf")
    assert {(g.path.startswith("/cdn/"), g.authorization) for g in gets} == {(False, "Bearer hf_secret"), (True, None)}


@pytest.mark.parametrize(
    ("url", "target", "keeps_token"),
    [
        ("https://hub.example/a", "https://hub.example/b", True),
        ("https://huggingface.co/a", "https://cdn-lfs.huggingface.co/b", False),
        ("https://hub.example/a", "https://hub.example:8443/b", False),
        ("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b", True),
    ],
)
def test_redirects_keep_the_token_only_on_the_same_origin(url: str, target: str, keeps_token: bool) -> None:
    headers = follow(url, target, {"Authorization": "Bearer t", "Range": "bytes=0-"})
    assert ("Authorization" in headers) is keeps_token and headers["Range"] == "bytes=0-"


def test_a_redirect_from_https_to_http_is_refused() -> None:
    with pytest.raises(DownloadError, match="from https to an unencrypted address"):
        follow("https://mirror.example/file", "http://mirror.example/file", {})


def test_a_redirect_to_a_host_nobody_allowed_is_not_followed(hub, payloads, registry, tmp_path, monkeypatch) -> None:
    hub.redirect = True
    hub.cdn_endpoint = "http://objects.example.invalid:9"
    with pytest.raises(DownloadError, match=r"redirected the download to objects\.example\.invalid"):
        fetch(tiny_catalog(payloads), registry)
    policy = tmp_path / "policy.toml"
    policy.write_text('download_hosts = ["objects.example.invalid"]\n', encoding="utf-8")
    monkeypatch.setenv("HEARTH_POLICY", str(policy))
    assert follow("https://hub.example/a", "https://objects.example.invalid/b", {"Authorization": "x"}) == {}
    assert follow("https://huggingface.co/a", "https://cdn-lfs-us-1.hf.co/b", {}) == {}  # the Hub's own CDN


def test_an_untrusted_certificate_is_named(payloads, registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    import trustme

    authority = trustme.CA()
    identity = tmp_path / "server.pem"
    authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(identity))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(identity))
    server = HubServer(tls=context)
    server.add_repo(REPO, payloads)
    server.start()
    monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
    try:
        with pytest.raises(NetworkError, match="was not used: its TLS certificate could not be verified"):
            fetch(tiny_catalog(payloads), registry)
    finally:
        server.stop()


def test_gated_repo_needs_the_token_from_the_keyring(hub, payloads, registry) -> None:
    hub.repos[REPO].token = "hf_secret"
    with pytest.raises(AuthRequiredError, match="login"):
        fetch(tiny_catalog(payloads), registry)
    credentials.save_token(hub.endpoint, "hf_secret")
    try:
        fetch(tiny_catalog(payloads), registry)
    finally:
        credentials.delete_token(hub.endpoint)
    assert hub.file_gets("tiny-Q8_0.gguf")[-1].authorization == "Bearer hf_secret"


def test_without_a_keyring_the_token_is_refused_not_written_to_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(CredentialStoreError, match="never stores it in a plain file"):
            credentials.save_token("https://example.invalid", "hf_x")
    finally:
        keyring.set_keyring(previous)


def test_unreachable_endpoint_and_missing_file(payloads, registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(NetworkError, match="Cannot reach"):
        fetch(tiny_catalog(payloads), registry)
    server = HubServer().start()
    try:
        server.add_repo(REPO, {"other.gguf": b"x"})
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
        with pytest.raises(RemoteFileNotFoundError):
            fetch(tiny_catalog(payloads), registry)
    finally:
        server.stop()


def test_pause_resume_and_cancel(hub, payloads, registry) -> None:
    hub.throttle_bps = 400_000
    control = DownloadControl()
    seen: list[OverallProgress] = []
    worker_error: list[BaseException] = []

    def run() -> None:
        try:
            fetch(tiny_catalog(payloads), registry, control=control, on_progress=seen.append)
        except BaseException as exc:
            worker_error.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    while not seen or seen[-1].done < 60_000:
        time.sleep(0.01)
    control.pause()
    time.sleep(0.3)
    paused_at = seen[-1].done
    time.sleep(0.4)
    assert seen[-1].done == paused_at and seen[-1].file.state == "paused"
    control.resume()
    while seen[-1].done <= paused_at + 30_000:
        time.sleep(0.01)
    control.cancel()
    thread.join(10)
    assert worker_error and isinstance(worker_error[0], DownloadCancelledError)
    assert starts(hub, "tiny-Q8_0.gguf")[-1] == paused_at  # resumed with Range after the pause
    assert not list(registry.models_dir.rglob("*.part"))  # cancel removes the partial file
    assert seen[-1].total == len(payloads["tiny-Q8_0.gguf"])


def test_a_second_download_of_the_same_files_is_refused_while_one_runs(hub, payloads, registry) -> None:
    hub.throttle_bps = 200_000
    control = DownloadControl()
    started = threading.Event()
    outcome: list[BaseException] = []

    def first() -> None:
        try:
            fetch(tiny_catalog(payloads), registry, control=control, on_progress=lambda _p: started.set())
        except DownloadCancelledError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    with pytest.raises(DownloadError, match="already being downloaded"):
        fetch(tiny_catalog(payloads), registry)
    control.cancel()
    thread.join(10)
    assert outcome  # the first download was still running, and was cancelled
