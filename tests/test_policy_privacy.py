"""Machine policy (parsing, restrictive fallback, enforcement) and zero egress
(the network guard, the activity log, a whole session without a connection,
and the same session in a network namespace without interfaces)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from app.core.privacy import policy
from tests.gguf_factory import TinySpec
from tests.hub_fixtures import tiny_catalog_data
from tests.openai_fakes import FakeServer

ROOT = Path(__file__).resolve().parents[1]


def hearth(
    *args: str, env: dict[str, str], stdin: str | None = None, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "app", *args], input=stdin, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env
    )


def write_policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- parsing --------------------------------------------------------------------------------


def test_valid_policy_values_and_sources(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """
        offline = false
        allowed_models = ["r1-distill-qwen-*", "v2-lite-chat:Q4_K_M"]
        hub_endpoint = "https://artifactory.example.com/api/huggingfaceml/hf"
        max_context = 8192
        locked_settings = ["retention_days", "gpu_layers"]
        """,
    )
    rules = policy.load(path)
    assert rules.valid and rules["max_context"] == 8192 and rules["allow_downloads"] is True
    assert rules.sources["max_context"] == str(path) and rules.sources["allow_export"] == "default"
    assert rules.model_allowed("r1-distill-qwen-7b", "Q4_K_M") and rules.model_allowed("v2-lite-chat", "Q4_K_M")
    assert not rules.model_allowed("v2-lite-chat", "Q8_0") and not rules.model_allowed("r1-671b", "UD-IQ1_S")
    assert rules.locked("gpu_layers") and not rules.locked("temperature")
    assert rules.cap("max_context", 16384) == (8192, "max context is limited to 8192 by your organisation's policy")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("ofline = true", "unknown key 'ofline'"),
        ('offline = "yes"', "'offline' must be true or false"),
        ("max_context = 100", "'max_context' must be at least 512"),
        ("allowed_models = [1, 2]", "'allowed_models' must be a list of strings"),
        ('locked_settings = ["colour"]', "unknown settings ['colour']"),
        ('hub_endpoint = "ftp://x"', "'hub_endpoint' must be an http(s) URL"),
        ("offline = tru", "not valid TOML"),
    ],
)
def test_invalid_policy_names_the_key_and_falls_back_to_restrictive(tmp_path: Path, text: str, named: str) -> None:
    rules = policy.load(write_policy(tmp_path, text))
    assert not rules.valid and named in rules.describe_errors()
    assert rules["offline"] is True and rules["allow_downloads"] is False and rules["allow_export"] is False
    assert rules["allowed_models"] == [] and rules["max_gpu_layers"] == 0
    assert set(rules["locked_settings"]) == set(policy.SETTING_NAMES)
    assert rules["retention_days"] is None  # never deletes conversations because of a typo


# --- enforcement through the CLI ----------------------------------------------------------


@pytest.fixture
def env(hub: Any, payloads: dict[str, bytes], tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "catalog.json").write_text(json.dumps(tiny_catalog_data(payloads)), encoding="utf-8")
    return dict(os.environ, HEARTH_HOME=str(tmp_path / "home"), HEARTH_SITE_CONFIG=str(site), HF_ENDPOINT=hub.endpoint)


def test_cli_policy_show_and_check(env: dict[str, str], tmp_path: Path) -> None:
    good = write_policy(tmp_path, "allow_export = false\nmax_gpu_layers = 10\n")
    checked = hearth("policy", "check", str(good), env=env)
    assert checked.returncode == 0 and "2 key(s) set" in checked.stdout
    shown = json.loads(hearth("policy", "show", "--json", env=dict(env, HEARTH_POLICY=str(good))).stdout)
    assert shown["values"]["allow_export"] is False and shown["sources"]["max_gpu_layers"] == str(good)
    bad = write_policy(tmp_path, "max_gpu_layers = -1\n")
    refused = hearth("policy", "check", str(bad), env=env)
    assert refused.returncode == 11 and "max_gpu_layers" in refused.stderr


def test_downloads_follow_the_policy(hub: Any, env: dict[str, str], tmp_path: Path) -> None:
    offline = dict(env, HEARTH_POLICY=str(write_policy(tmp_path, "offline = true\n")))
    result = hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=offline)
    assert result.returncode == 12 and "offline mode" in result.stderr
    assert hub.log == []  # not even a metadata request
    only_q8 = dict(env, HEARTH_POLICY=str(write_policy(tmp_path, 'allowed_models = ["test-tiny:Q8_0"]\n')))
    denied = hearth("models", "download", "test-tiny", "--quant", "F16", env=only_q8)
    assert denied.returncode == 12 and "does not allow the model test-tiny:F16" in denied.stderr
    # The policy's endpoint wins over the user's HF_ENDPOINT.
    mirror = write_policy(tmp_path, f'allowed_models = ["test-tiny:Q8_0"]\nhub_endpoint = "{hub.endpoint}"\n')
    pinned = dict(env, HEARTH_POLICY=str(mirror), HF_ENDPOINT="http://127.0.0.1:9")
    assert hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=pinned).returncode == 0
    log = json.loads(hearth("network", "log", "--json", env=pinned).stdout)
    assert log and all(e["allowed"] and e["host"] == "127.0.0.1" and "download of test-tiny Q8_0" in e["why"] for e in log)
    invalid = dict(env, HEARTH_POLICY=str(write_policy(tmp_path, "allow_downloads = 1\n")))
    result = hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=invalid)
    assert result.returncode == 12 and "most restrictive" in result.stderr


def test_download_endpoints_must_be_https_except_loopback_and_listed_hosts(hub: Any, env: dict[str, str], tmp_path: Path) -> None:
    plain = dict(env, HF_ENDPOINT="http://mirror.example.internal")
    result = hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=plain)
    assert result.returncode == 12 and "http://mirror.example.internal is plain http" in result.stderr
    assert json.loads(hearth("network", "log", "--json", env=plain).stdout) == []  # refused before any lookup
    listed = write_policy(tmp_path, 'http_hosts = ["mirror.example.internal"]\n')
    allowed = dict(plain, HEARTH_POLICY=str(listed))
    result = hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=allowed)
    assert "plain http" not in result.stderr  # allowed by IT (it fails later: no such host here)
    assert hearth("models", "download", "test-tiny", "--quant", "Q8_0", env=env).returncode == 0  # loopback hub


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('hub_endpoint = "http://mirror.example.internal"\n', "hub_endpoint is plain http to mirror.example.internal"),
        ('[[engines]]\nname = "lab"\nurl = "http://llm.example.internal/v1"\n', "[[engines]] 'lab' url is plain http"),
    ],
)
def test_policy_check_refuses_plain_http_endpoints(env: dict[str, str], tmp_path: Path, text: str, problem: str) -> None:
    result = hearth("policy", "check", str(write_policy(tmp_path, text)), env=env)
    assert result.returncode == 11 and problem in result.stderr
    host = "mirror.example.internal" if "hub" in text else "llm.example.internal"
    fixed = hearth("policy", "check", str(write_policy(tmp_path, f'http_hosts = ["{host}"]\n' + text)), env=env)
    assert fixed.returncode == 0, fixed.stderr


def test_chat_and_conversations_follow_the_policy(models, env: dict[str, str], tmp_path: Path) -> None:
    model = shutil.copyfile(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "tiny-Q8_0.gguf")
    assert hearth("models", "import", str(model), env=env).returncode == 0
    rules = write_policy(
        tmp_path,
        """
        default_model = "test-tiny:Q8_0"
        max_context = 1024
        allow_export = false
        locked_settings = ["retention_days"]
        """,
    )
    env = dict(env, HEARTH_POLICY=str(rules))
    chat = hearth("chat", "--prompt", "hello", "--ctx", "4096", "--max-tokens", "4", env=env)  # no --model
    assert chat.returncode == 0, chat.stderr
    assert "limited to 1024" in chat.stderr
    export = hearth("conversations", "export", "1", env=env)
    assert export.returncode == 12 and "does not allow exporting" in export.stderr
    locked = hearth("conversations", "retention", "30", env=env)
    assert locked.returncode == 12 and "locked" in locked.stderr
    other = shutil.copyfile(models(TinySpec(quant="F16", seed=2)), tmp_path / "other-F16.gguf")
    denied = hearth(
        "chat",
        "--model",
        str(other),
        "--prompt",
        "hi",
        env=dict(env, HEARTH_POLICY=str(write_policy(tmp_path, 'allowed_models = ["test-*"]'))),
    )
    assert denied.returncode == 12 and "local-other:F16" in denied.stderr


def test_preseeded_model_is_verified_before_first_use(
    models, env: dict[str, str], payloads: dict[str, bytes], tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "tiny-Q8_0.gguf").write_bytes(payloads["tiny-Q8_0.gguf"])
    site = Path(env["HEARTH_SITE_CONFIG"])
    pin = {"tiny-Q8_0.gguf": hashlib.sha256(payloads["tiny-Q8_0.gguf"]).hexdigest()}
    (site / "catalog.json").write_text(json.dumps(tiny_catalog_data(payloads, pins=pin)), encoding="utf-8")
    env = dict(env, HEARTH_POLICY=str(write_policy(tmp_path, f'shared_models_dir = "{shared}"\n')))
    listed = json.loads(hearth("models", "list", "--installed", "--json", env=env).stdout)
    assert [(i["key"], i["source"]) for i in listed["installed"]] == [("test-tiny:Q8_0", "shared")]
    assert hearth("chat", "--model", "test-tiny:Q8_0", "--prompt", "hi", "--max-tokens", "2", env=env).returncode == 0
    tampered = bytearray(payloads["tiny-Q8_0.gguf"])
    tampered[-1] ^= 1
    (shared / "tiny-Q8_0.gguf").write_bytes(bytes(tampered))  # changed after the first verification
    refused = hearth("chat", "--model", "test-tiny:Q8_0", "--prompt", "hi", "--max-tokens", "2", env=env)
    assert refused.returncode == 1 and "does not match its published hash" in refused.stderr


# --- zero egress ---------------------------------------------------------------------------

GUARD_PROBE = """
import socket, sys
from app.core.privacy import netguard
netguard.install()
server = socket.create_server(("127.0.0.1", 0))
port = server.getsockname()[1]
try:
    socket.create_connection(("127.0.0.1", port), timeout=2)
    print("connected without permission")
except netguard.EgressBlockedError:
    print("blocked")
try:
    socket.getaddrinfo("example.com", 443)
    print("resolved without permission")
except netguard.EgressBlockedError:
    print("blocked lookup")
with netguard.allow(f"http://127.0.0.1:{port}/x", "test download"):
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    print("allowed")
print(socket.socketpair()[0].family)  # local IPC is not restricted
"""


def test_guard_blocks_everything_not_allowed_and_logs_it(tmp_path: Path) -> None:
    env = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-c", GUARD_PROBE], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.stdout.splitlines()[:3] == ["blocked", "blocked lookup", "allowed"], result.stderr
    log = json.loads(subprocess.run([sys.executable, "-m", "app", "network", "log", "--json"], capture_output=True, text=True,
                                    cwd=ROOT, env=env).stdout)  # fmt: skip
    assert [(e["host"], e["allowed"]) for e in log] == [("127.0.0.1", False), ("example.com", False), ("127.0.0.1", True)]
    assert log[2]["why"] == "test download"


OVERLAP_PROBE = """
import socket
from app.core.privacy import netguard
netguard.install()
servers = {host: socket.create_server((host, 0)) for host in ("127.0.0.1", "127.0.0.2")}
def reach(host):
    try:
        socket.create_connection((host, servers[host].getsockname()[1]), timeout=2).close()
        return "open"
    except netguard.EgressBlockedError:
        return "blocked"
first = netguard.allow("http://127.0.0.1/a", "first download")
second = netguard.allow("http://127.0.0.2/b", "second download")
first.__enter__(); second.__enter__()
print(reach("127.0.0.1"), reach("127.0.0.2"))
first.__exit__(None, None, None)  # the first ends while the second still runs
print(reach("127.0.0.1"), reach("127.0.0.2"))
second.__exit__(None, None, None)
print(reach("127.0.0.1"), reach("127.0.0.2"))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for send in (lambda: udp.sendto(b"x", ("127.0.0.1", 9)), lambda: udp.sendmsg([b"x"], [], 0, ("127.0.0.1", 9))):
    try:
        send()
        print("sent")
    except netguard.EgressBlockedError:
        print("blocked")
"""


def test_overlapping_allowances_end_independently_and_datagrams_are_guarded(tmp_path: Path) -> None:
    env = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-c", OVERLAP_PROBE], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.stdout.splitlines() == ["open open", "blocked open", "blocked blocked", "blocked", "blocked"], result.stderr


def session(models, env: dict[str, str], tmp_path: Path, prefix: tuple[str, ...] = ()) -> list[str]:
    """Start, chat, switch quantization, search, export: everything but a download."""
    q8 = shutil.copyfile(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "tiny-Q8_0.gguf")
    q4 = shutil.copyfile(models(TinySpec(quant="Q4_0", seed=13)), tmp_path / "tiny.Q4_0.gguf")  # the catalog's Q4_0 bytes
    outputs = []
    for args, stdin in [
        (("--version",), None),
        (("hw",), None),
        (("models", "import", str(q8)), None),
        (("models", "import", str(q4)), None),
        (
            (
                "models",
                "list",
            ),
            None,
        ),
        (("chat", "--model", "test-tiny:Q8_0", "--max-tokens", "4"), "hello there\n/quant Q4_0\nagain\n"),
        (("conversations", "search", "hello"), None),
        (("conversations", "export", "1", "--format", "json"), None),
    ]:
        result = hearth(*args, env=env, stdin=stdin, prefix=prefix)
        assert result.returncode == 0, (args, result.stderr)
        outputs.append(result.stdout)
    return outputs


def test_a_whole_session_makes_no_connection_attempt(models, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    q4 = models(TinySpec(quant="Q4_0", seed=13)).read_bytes()  # the files session() imports: identity is name and size
    files = {"tiny-Q8_0.gguf": models(TinySpec(quant="Q8_0", seed=11)).read_bytes(),
             "tiny.Q4_0.gguf.part1of2": q4[:100], "tiny.Q4_0.gguf.part2of2": q4[100:]}  # fmt: skip
    (site / "catalog.json").write_text(json.dumps(tiny_catalog_data(files)))
    env = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"), HEARTH_SITE_CONFIG=str(site))
    outputs = session(models, env, tmp_path)
    assert "hello" in outputs[-2]
    assert hearth("network", "log", "--json", env=env).stdout.strip() == "[]"  # not one attempt, allowed or blocked
    # The same session chats on a remote engine too: exactly one host is contacted, the engine's.
    with FakeServer() as engine:
        for args in (("engines", "add", "lab", engine.url), ("engines", "list"),
                     ("chat", "--engine", "lab", "--conversation", "1", "--prompt", "and remotely?")):  # fmt: skip
            result = hearth(*args, env=env)
            assert result.returncode == 0, (args, result.stderr)
    log = json.loads(hearth("network", "log", "--json", env=env).stdout)
    assert {(e["host"], e["port"], e["allowed"], e["why"]) for e in log} == {
        ("127.0.0.1", engine.server_address[1], True, "remote engine lab")
    }
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is not permitted here; the in-process check above still ran")
    isolated = dict(env, HEARTH_HOME=str(tmp_path / "home-isolated"))
    (tmp_path / "iso").mkdir()
    assert session(models, isolated, tmp_path / "iso", prefix=("unshare", "-n"))[-1]  # works the same with no network at all


TRACED = "trace=connect,sendto,sendmsg,sendmmsg"
ADDRESS = re.compile(
    r'(connect|sendto|sendmsg|sendmmsg)\(.*sa_family=(AF_INET6?).*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")'
)


def network_attempts(traces: Path) -> list[str]:
    """System calls that tried to reach an address that is not this machine's, in strace's output."""
    found = []
    for trace in traces.glob("trace*"):
        for line in trace.read_text(errors="replace").splitlines():
            match = ADDRESS.search(line)
            if match and not ipaddress.ip_address(match[3] or match[4]).is_loopback:
                found.append(line)
    return found


def test_os_level_no_connection_leaves_the_machine_in_a_cli_or_gui_session(models, tmp_path: Path) -> None:
    """strace -f sees every process and thread (llama.cpp's, Qt's, the trial loads): not one connect,
    sendto or sendmsg to an address outside this machine."""
    if shutil.which("strace") is None or subprocess.run(["strace", "-f", "-o", os.devnull, "true"]).returncode != 0:
        pytest.skip("strace is missing or not permitted here; the in-process guard's tests still run")
    site = tmp_path / "site"
    site.mkdir()
    q4 = models(TinySpec(quant="Q4_0", seed=13)).read_bytes()
    files = {"tiny-Q8_0.gguf": models(TinySpec(quant="Q8_0", seed=11)).read_bytes(),
             "tiny.Q4_0.gguf.part1of2": q4[:100], "tiny.Q4_0.gguf.part2of2": q4[100:]}  # fmt: skip
    (site / "catalog.json").write_text(json.dumps(tiny_catalog_data(files)))
    traces = tmp_path / "traces"
    traces.mkdir()
    strace = ("strace", "-f", "-qq", "-e", TRACED, "-ff", "-o", str(traces / "trace-cli"))
    env = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"), HEARTH_SITE_CONFIG=str(site))
    assert "hello" in session(models, env, tmp_path, prefix=strace)[-2]
    gui_env = dict(env, HEARTH_HOME=str(tmp_path / "gui-home"), QT_QPA_PLATFORM="offscreen")
    q8_file = shutil.copyfile(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "gui-tiny-Q8_0.gguf")
    q4_file = shutil.copyfile(models(TinySpec(quant="Q4_0", seed=13)), tmp_path / "gui-tiny.Q4_0.gguf")
    gui = subprocess.run(
        ["strace", "-f", "-qq", "-e", TRACED, "-ff", "-o", str(traces / "trace-gui"), sys.executable, "-m", "tests.gui_session",
         str(q8_file), str(q4_file), str(tmp_path / "export.json")],
        capture_output=True, text=True, cwd=ROOT, env=gui_env, timeout=300,
    )  # fmt: skip
    assert gui.returncode == 0 and "session done" in gui.stdout, gui.stderr[-3000:]
    assert json.loads((tmp_path / "export.json").read_text())["messages"]
    assert len(list(traces.glob("trace-gui*"))) > 1  # the trace followed the children (the trial loads)
    assert network_attempts(traces) == []


CRASH = """
from app.main import start_private
from app.core.privacy import core_dumps
import os, resource, signal
start_private()
print(resource.getrlimit(resource.RLIMIT_CORE), core_dumps.dumpable())
os.kill(os.getpid(), signal.SIGSEGV)
"""


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_CORE and prctl are POSIX (Windows: see core_dumps.py)")
@pytest.mark.parametrize("allowed", [False, True])
def test_a_crash_writes_no_core_dump_unless_allowed(tmp_path: Path, allowed: bool) -> None:
    pattern = Path("/proc/sys/kernel/core_pattern")
    if not pattern.exists() or pattern.read_text().strip() != "core":
        pytest.skip("the kernel does not write core files into the working folder here; the limits are checked below")
    env = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    env.pop("HEARTH_ALLOW_CORE_DUMPS", None)
    if allowed:
        env["HEARTH_ALLOW_CORE_DUMPS"] = "1"
    crashed = subprocess.run(["bash", "-c", f'ulimit -c unlimited; exec "{sys.executable}" -c "$0"', CRASH],
                             capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)  # fmt: skip
    assert crashed.returncode == -11 or crashed.returncode == 139, crashed.stderr
    cores = [p for p in tmp_path.iterdir() if p.name.startswith("core")]
    if allowed:
        assert cores and "None" not in crashed.stdout and "True" in crashed.stdout
    else:
        assert not cores and crashed.stdout.strip() == "(0, 0) False"
