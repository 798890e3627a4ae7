"""Installed models: import, remove, verify, the admin's shared dir, switching
quantization mid-conversation, and ``hearth models`` as a user runs it,
including a download killed with SIGKILL and resumed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app.core.engine.base import Message, SamplingParams, collect
from app.core.engine.llama import Engine, LoadOptions
from app.core.errors import CorruptModelError, HearthError
from app.core.models.catalog import Catalog
from app.core.models.hardware import Hardware
from app.core.models.ops import import_model, plan_switch, remove_model, verify_model
from app.core.models.registry import Registry
from tests.gguf_factory import TinySpec
from tests.hub_fixtures import REPO, tiny_catalog, tiny_catalog_data
from tests.hub_server import Fault

ROOT = Path(__file__).resolve().parents[1]
HW = Hardware(24 * 2**30, 24 * 2**30, 2, 2)


@pytest.fixture
def catalog(payloads: dict[str, bytes]) -> Catalog:
    return tiny_catalog(payloads)


def named_copy(source: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(source, folder / name))


def test_import_copy_identifies_the_catalog_entry_and_hashes_once(
    models, registry: Registry, catalog: Catalog, tmp_path: Path
) -> None:
    source = named_copy(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "in", "tiny-Q8_0.gguf")
    seen: list[int] = []
    result = import_model(source, registry, catalog, "copy", on_bytes=seen.append)
    item = result.installed
    assert (item.model_id, item.quant, item.in_catalog, item.source) == ("test-tiny", "Q8_0", True, "copy")
    assert Path(item.path).parent == registry.models_dir / "test-tiny" / "Q8_0"
    assert item.files[0].sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert sum(seen) == source.stat().st_size  # one pass over the source
    assert "identified by its name and size" in result.notices[0]
    assert source.exists()  # a copy leaves the original alone
    assert verify_model(item, registry, catalog).ok
    deleted = remove_model(item, registry)
    assert deleted == [item.files[0].path] and not Path(item.path).exists() and registry.local() == []


def test_import_link_and_reference_and_unknown_files(models, registry: Registry, catalog: Catalog, tmp_path: Path) -> None:
    source = named_copy(models(TinySpec(quant="F16", seed=3, name="My Fine-Tune")), tmp_path / "in", "my-tune-F16.gguf")
    linked = import_model(source, registry, catalog, "link").installed
    assert linked.model_id == "local-my-tune" and linked.quant == "F16" and not linked.in_catalog
    assert os.stat(linked.path).st_ino == source.stat().st_ino
    remove_model(linked, registry)
    assert source.exists()  # removing the link leaves the user's file
    referenced = import_model(source, registry, catalog, "reference").installed
    assert referenced.path == source.resolve()
    assert remove_model(referenced, registry) == [] and source.exists()


def test_import_of_a_split_model_takes_every_shard(models, registry: Registry, catalog: Catalog) -> None:
    first = models(TinySpec(quant="Q8_0", seed=21), split=6)
    item = import_model(first, registry, catalog, "copy").installed
    assert len(item.files) == len(list(first.parent.glob("*-of-*.gguf"))) > 1
    assert all(Path(f.path).exists() for f in item.files)


def test_import_of_a_broken_file_is_refused_and_registers_nothing(registry: Registry, catalog: Catalog, tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + (3).to_bytes(4, "little") + b"\x00" * 16)
    with pytest.raises(CorruptModelError):
        import_model(bad, registry, catalog)
    assert registry.local() == [] and not list(registry.models_dir.rglob("*.gguf"))


def test_name_of_a_catalog_file_with_another_hash_becomes_a_local_model(
    models, registry: Registry, payloads: dict[str, bytes], tmp_path: Path
) -> None:
    pinned = tiny_catalog(payloads, pins={"tiny-Q8_0.gguf": hashlib.sha256(payloads["tiny-Q8_0.gguf"]).hexdigest()})
    impostor = named_copy(models(TinySpec(quant="Q8_0", seed=99)), tmp_path / "in", "tiny-Q8_0.gguf")
    result = import_model(impostor, registry, pinned)
    assert result.installed.model_id.startswith("local-") and "not its published sha256" in result.notices[0]
    genuine = named_copy(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "in2", "tiny-Q8_0.gguf")
    assert import_model(genuine, registry, pinned).installed.model_id == "test-tiny"


def test_verify_detects_a_damaged_file(models, registry: Registry, catalog: Catalog, tmp_path: Path) -> None:
    source = named_copy(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "in", "tiny-Q8_0.gguf")
    item = import_model(source, registry, catalog).installed
    with open(item.path, "r+b") as f:
        f.seek(-5, 2)
        f.write(b"XXXXX")
    result = verify_model(item, registry, catalog)
    assert not result.ok and "does not match its sha256" in result.problems[0]
    Path(item.path).unlink()
    assert "missing" in verify_model(item, registry, catalog).problems[0]


def test_shared_dir_is_listed_verified_and_never_removed(models, catalog: Catalog, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    named_copy(models(TinySpec(quant="Q8_0", seed=11)), shared / "deepseek", "tiny-Q8_0.gguf")
    named_copy(models(TinySpec(quant="F16", seed=4)), shared, "internal-model-F16.gguf")
    registry = Registry(tmp_path / "models", shared_dir=shared)
    found = {i.key: i for i in registry.all(catalog)}
    assert set(found) == {"test-tiny:Q8_0", "local-internal-model:F16"}
    item = found["test-tiny:Q8_0"]
    assert item.source == "shared" and item.files[0].sha256 is None
    assert verify_model(item, registry, catalog).problems[0].startswith("tiny-Q8_0.gguf: no published sha256")
    with pytest.raises(HearthError, match="administrator"):
        remove_model(item, registry)
    pinned = tiny_catalog(tiny_payload := {"tiny-Q8_0.gguf": (shared / "deepseek" / "tiny-Q8_0.gguf").read_bytes()},
                          pins={"tiny-Q8_0.gguf": hashlib.sha256(tiny_payload["tiny-Q8_0.gguf"]).hexdigest()})  # fmt: skip
    assert verify_model(item, registry, pinned).ok
    assert registry.all(pinned)[0].files[0].sha256 is not None  # the hash is remembered for the unchanged file


def test_switching_quantization_keeps_the_conversation_and_warns(
    models, registry: Registry, catalog: Catalog, engine: Engine, tmp_path: Path
) -> None:
    q4_file = named_copy(
        models(TinySpec(quant="Q4_0", seed=11, n_ctx=1024, n_embd=128, n_ff=256)), tmp_path / "b", "tiny.Q4_0.gguf"
    )
    whole = q4_file.read_bytes()  # a catalog whose Q4_0 is this file (identity is name *and* size)
    own = tiny_catalog({"tiny-Q8_0.gguf": models(TinySpec(quant="Q8_0", seed=11)).read_bytes(),
                        "tiny.Q4_0.gguf.part1of2": whole[:100], "tiny.Q4_0.gguf.part2of2": whole[100:]})  # fmt: skip
    q8 = import_model(named_copy(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "a", "tiny-Q8_0.gguf"), registry, own)
    q4 = import_model(q4_file, registry, own)
    assert {i.quant for i in registry.family("test-tiny", own)} == {"Q8_0", "Q4_0"}  # one model, two quantizations
    old, new = q8.installed, q4.installed
    engine.load(str(old.path), LoadOptions(n_ctx=2048))
    params = SamplingParams(temperature=0.0, max_tokens=8, seed=1)
    history = [Message("user", "first question")]
    reasoning, content, first = collect(engine.chat(history, params))
    history += [Message("assistant", content, reasoning), Message("user", "second question")]
    plan = plan_switch(old, new, HW, n_ctx=2048)
    text = " ".join(plan.warnings)
    assert "1024 tokens of context" in text and "context length changes from 4096 to 1024" in text
    engine.load(str(new.path), LoadOptions(n_ctx=1024))
    _, _, second = collect(engine.chat(history, params))
    alone = len(engine.fit([history[-1]], params.max_tokens).tokens)
    assert second.prompt_tokens > alone  # the earlier turns came along to the new quantization
    assert second.evaluated_prompt_tokens == second.prompt_tokens  # new model, new cache


# --- the CLI as a user runs it ---------------------------------------------------------------


def hearth(*args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], input=stdin, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env
    )


@pytest.fixture
def cli_env(hub: Any, payloads: dict[str, bytes], tmp_path: Path) -> dict[str, str]:
    """A user home, the admin catalog naming the test repo, HF_ENDPOINT at the local hub."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "catalog.json").write_text(json.dumps(tiny_catalog_data(payloads)), encoding="utf-8")
    env = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"), HEARTH_SITE_CONFIG=str(site), HF_ENDPOINT=hub.endpoint)
    env.pop("HF_TOKEN", None)
    return env


def test_cli_list_info_hw_json(cli_env: dict[str, str]) -> None:
    listed = json.loads(hearth("models", "list", "--json", env=cli_env).stdout)
    ids = {m["id"] for m in listed["catalog"]}
    assert "test-tiny" in ids and "r1-distill-qwen-7b" in ids and listed["installed"] == []
    info = json.loads(hearth("models", "info", "test-tiny", "--json", env=cli_env).stdout)
    assert info["recommended_quant"] and {q["quant"] for q in info["quants"]} == {"Q8_0", "F16", "Q4_0"}
    assert info["quants"][0]["fit"]["verdict"] in ("cpu", "full-gpu", "partial-gpu")
    hw = json.loads(hearth("hw", "--json", env=cli_env).stdout)
    assert hw["ram_total_bytes"] > 0 and hw["cpu_threads"] >= 1
    site_catalog = Path(cli_env["HEARTH_SITE_CONFIG"]) / "catalog.json"
    checked = hearth("models", "check-catalog", str(site_catalog), env=cli_env)
    assert checked.returncode == 0 and "valid, 1 model(s), 3 quantization(s)" in checked.stdout
    draft = Path(cli_env["HEARTH_HOME"]).parent / "draft-catalog.json"
    draft.write_text(site_catalog.read_text().replace('"layers": 2', '"layers": 0'))
    invalid = hearth("models", "check-catalog", str(draft), env=cli_env)
    assert invalid.returncode == 6 and "models/0/layers" in invalid.stderr
    unknown = hearth("models", "info", "no-such-model", env=cli_env)
    assert unknown.returncode == 6 and "No model 'no-such-model'" in unknown.stderr


def test_cli_download_verify_remove_and_exit_codes(hub: Any, cli_env: dict[str, str]) -> None:
    done = hearth("models", "download", "test-tiny", "--quant", "F16", "--json", env=cli_env)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[-1]["type"] == "done" and any(line.get("state") == "verifying" for line in lines)
    installed = lines[-1]["installed"]
    assert hearth("models", "verify", "test-tiny", env=cli_env).returncode == 0
    with open(installed["files"][1]["path"], "r+b") as f:
        original = f.read(8)
        f.seek(0)
        f.write(b"\x00" * 8)
    failed = hearth("models", "verify", "--json", env=cli_env)
    assert failed.returncode == 1 and json.loads(failed.stdout)[0]["ok"] is False
    chat = ("chat", "--model", "test-tiny:F16", "--prompt", "hi", "--max-tokens", "2", "--no-save")
    refused = hearth(*chat, env=cli_env)  # a file verify flagged is not loaded until it passes again
    assert (
        refused.returncode == 3 and "failed its last verification" in refused.stderr and "hearth models verify" in refused.stderr
    )
    with open(installed["files"][1]["path"], "r+b") as f:
        f.write(original)
    assert hearth("models", "verify", "test-tiny", env=cli_env).returncode == 0
    assert hearth(*chat, env=cli_env).returncode == 0
    assert hearth("models", "remove", "test-tiny", env=cli_env).returncode == 0
    assert not Path(installed["files"][0]["path"]).exists()
    hub.fault("tiny-Q8_0.gguf", *[Fault("corrupt")] * 3)
    bad = hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=cli_env)
    assert bad.returncode == 7 and "does not match its published sha256" in bad.stderr and "Traceback" not in bad.stderr
    assert hearth("models", "download", "test-tiny", "--quant", "Q9", env=cli_env).returncode == 6


def test_cli_login_stores_the_token_for_a_gated_repo(hub: Any, cli_env: dict[str, str]) -> None:
    hub.repos[REPO].token = "hf_cli_token"
    refused = hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=cli_env)
    assert refused.returncode == 7 and "login" in refused.stderr
    assert hearth("models", "login", "--token-stdin", env=cli_env, stdin="hf_cli_token\n").returncode == 0
    assert "hf_cli_token" not in "".join(
        p.read_text(errors="ignore")
        for p in Path(cli_env["HEARTH_HOME"]).rglob("*")
        if p.is_file() and p.name != "test-keyring.json"
    )
    assert hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=cli_env).returncode == 0
    assert hearth("models", "login", "--logout", env=cli_env).stdout.strip() == "token deleted"


def test_download_killed_with_sigkill_resumes_from_its_partial_offset(
    hub: Any, payloads: dict[str, bytes], cli_env: dict[str, str]
) -> None:
    hub.throttle_bps = 150_000  # ~1 s for the file, so the kill lands half-way
    part = Path(cli_env["HEARTH_HOME"]) / "models" / ".downloads" / "test-tiny" / "Q8_0" / "tiny-Q8_0.gguf.part"
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "models", "download", "test-tiny", "--quant", "Q8_0", "--json"],
        cwd=ROOT, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while (not part.exists() or part.stat().st_size < 40_000) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)  # reaps it and closes its pipes
    kept = part.stat().st_size
    assert 40_000 <= kept < len(payloads["tiny-Q8_0.gguf"])
    listed = json.loads(hearth("models", "list", "--installed", "--json", env=cli_env).stdout)
    assert listed["partial_downloads"] == [{"model_id": "test-tiny", "quant": "Q8_0", "bytes_on_disk": kept}]
    hub.throttle_bps = 0
    before = len(hub.file_gets("tiny-Q8_0.gguf"))
    resumed = hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=cli_env)
    assert resumed.returncode == 0, resumed.stderr
    ranges = [r.range for r in hub.file_gets("tiny-Q8_0.gguf")[before:]]
    assert ranges == [f"bytes={kept}-"]  # exactly where the killed process stopped
    installed = Path(cli_env["HEARTH_HOME"]) / "models" / "test-tiny" / "Q8_0" / "tiny-Q8_0.gguf"
    assert installed.read_bytes() == payloads["tiny-Q8_0.gguf"]


def test_cli_import_and_remove(models, cli_env: dict[str, str], tmp_path: Path) -> None:
    source = named_copy(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "in", "tiny-Q8_0.gguf")
    out = hearth("models", "import", str(source), "--mode", "reference", "--json", env=cli_env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["installed"]["key"] == "test-tiny:Q8_0"
    listed = json.loads(hearth("models", "list", "--installed", "--json", env=cli_env).stdout)
    assert listed["disk_usage_bytes"] == source.stat().st_size
    assert hearth("models", "remove", "test-tiny", env=cli_env).returncode == 0 and source.exists()
    missing = hearth("models", "import", str(tmp_path / "nope.gguf"), env=cli_env)
    assert missing.returncode == 3 and "not found" in missing.stderr


def test_cli_chat_with_an_installed_id_switches_quantization_mid_conversation(
    models, cli_env: dict[str, str], tmp_path: Path
) -> None:
    q8 = named_copy(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "a", "tiny-Q8_0.gguf")
    q4 = named_copy(models(TinySpec(quant="Q4_0", seed=11, n_ctx=1024)), tmp_path / "b", "tiny.Q4_0.gguf")
    for source in (q8, q4):
        assert hearth("models", "import", str(source), env=cli_env).returncode == 0
    chat = hearth(
        "chat", "--model", "test-tiny:Q8_0", "--ctx", "2048", "--max-tokens", "6",
        env=cli_env, stdin="hello\n/quants\n/quant Q4_0\nand again\n",
    )  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    assert (
        "installed quantizations: Q8_0 (in use), Q4_0" in chat.stderr
        or "installed quantizations: Q4_0, Q8_0 (in use)" in chat.stderr
    )
    assert "1024 tokens of context" in chat.stderr  # the warning about the smaller context
    assert "now using Q4_0" in chat.stderr and "the conversation continues" in chat.stderr
    assert len([line for line in chat.stderr.splitlines() if "tok/s" in line]) == 2
    ambiguous = hearth("chat", "--model", "test-tiny", "--prompt", "hi", env=cli_env)
    assert ambiguous.returncode == 6 and "test-tiny:QUANT" in ambiguous.stderr


def test_quant_switch_in_the_terminal_passes_the_same_gate(models, cli_env: dict[str, str], tmp_path: Path) -> None:
    """``/quant`` loads through the core's gate like every load: a quantization the policy does not
    allow is refused, and the chat goes on with the model it had."""
    q8 = named_copy(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "a", "tiny-Q8_0.gguf")
    q4 = named_copy(models(TinySpec(quant="Q4_0", seed=11, n_ctx=1024)), tmp_path / "b", "tiny.Q4_0.gguf")
    for source in (q8, q4):
        assert hearth("models", "import", str(source), env=cli_env).returncode == 0
    rules = tmp_path / "policy.toml"
    rules.write_text('allowed_models = ["test-tiny:Q8_0"]\n', encoding="utf-8")
    env = dict(cli_env, HEARTH_POLICY=str(rules))
    chat = hearth(
        "chat", "--model", "test-tiny:Q8_0", "--max-tokens", "4", "--ignore-eos",
        env=env, stdin="hello\n/quant Q4_0\nstill here?\n",
    )  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    assert "does not allow the model test-tiny:Q4_0" in chat.stderr and "now using Q4_0" not in chat.stderr
    assert len([line for line in chat.stderr.splitlines() if "tok/s" in line]) == 2  # both questions were answered
    direct = hearth("chat", "--model", "test-tiny:Q4_0", "--prompt", "hi", env=env)
    assert direct.returncode == 12


def test_a_closed_pipe_ends_quietly(cli_env: dict[str, str]) -> None:
    """``hearth policy show --json | head``: the reader is gone before Hearth writes (here its end of
    the pipe is closed from the start); no traceback, no "internal error", the exit status of SIGPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "app", "policy", "show", "--json"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=cli_env, timeout=60,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert result.returncode == 141, result.stderr
    assert result.stderr == ""
