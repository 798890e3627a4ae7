"""Remote engines as a user and an admin meet them (real ``hearth`` subprocesses): adding, listing,
removing and logging in; the policy's engines and rules (https only, user engines off); a chat on
the fault-injecting server and on llama-cpp-python's own OpenAI-compatible server serving a
generated model; what the store and the export record; and the network log of the whole session."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.gguf_factory import TinySpec
from tests.openai_fakes import FakeServer, Script
from tests.test_conversations_cli import hearth

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir()
    environ = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"), HEARTH_SITE_CONFIG=str(site))
    environ.pop("HEARTH_ENGINE_TOKEN", None)
    return environ


def with_policy(env: dict[str, str], text: str) -> dict[str, str]:
    path = Path(env["HEARTH_SITE_CONFIG"]) / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return env


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


def listed(env: dict[str, str]) -> list[dict[str, Any]]:
    result = hearth("engines", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def test_add_list_login_and_remove(env: dict[str, str], fake: FakeServer) -> None:
    fake.script = Script(key="k-123", models=[{"id": "deepseek-v3.1", "max_model_len": 65536}])
    added = hearth("engines", "add", "lab", fake.url.removesuffix("/v1"), env=env)
    assert added.returncode == 0 and f"engine lab added: {fake.url}" in added.stdout  # /v1 added to a bare host
    [entry] = listed(env)
    assert (entry["name"], entry["source"], entry["reachable"], entry["has_key"]) == ("lab", "user", False, False)
    assert "refused the request (HTTP 401" in entry["error"]
    login = hearth("engines", "login", "lab", "--key-stdin", env=env, stdin="k-123\n")
    assert login.returncode == 0, login.stderr
    [entry] = listed(env)
    assert entry["reachable"] and entry["has_key"] and entry["models"] == [{"id": "deepseek-v3.1", "context": 65536}]
    assert "k-123" not in (Path(env["HEARTH_HOME"]) / "config" / "engines.json").read_text()  # the key is in the keyring only
    text = hearth("engines", "list", env=env).stdout
    assert "lab" in text and "deepseek-v3.1, context 65536" in text
    assert hearth("engines", "remove", "lab", env=env).returncode == 0
    assert listed(env) == []
    again = hearth("engines", "remove", "lab", env=env)
    assert again.returncode == 1 and "no engine called 'lab'" in again.stderr


def test_the_environment_token_serves_a_headless_session(env: dict[str, str], fake: FakeServer) -> None:
    fake.script = Script(key="headless")
    assert hearth("engines", "add", "lab", fake.url, env=env).returncode == 0
    assert listed(dict(env, HEARTH_ENGINE_TOKEN="headless"))[0]["reachable"]


@pytest.mark.parametrize(
    ("url", "code", "words"),
    [
        ("http://llm.example.internal/v1", 12, "https only"),
        ("ftp://llm.example.internal", 1, "not an http(s) URL"),
        ("https://user:pw@llm.example.internal/v1", 1, "must not hold a user name or password"),
        ("https://llm.example.internal/v1?x=1", 1, "must not have a query"),
    ],
)
def test_urls_that_would_leak_are_refused(env: dict[str, str], url: str, code: int, words: str) -> None:
    result = hearth("engines", "add", "lab", url, env=env)
    assert result.returncode == code and words in result.stderr
    assert listed(env) == []


def test_names_are_checked(env: dict[str, str]) -> None:
    result = hearth("engines", "add", "bad name!", "https://llm.example.internal/v1", env=env)
    assert result.returncode == 1 and "not a usable engine name" in result.stderr


def test_the_policy_declares_engines_and_can_forbid_users_own(env: dict[str, str], fake: FakeServer) -> None:
    assert hearth("engines", "add", "mine", fake.url, env=env).returncode == 0
    with_policy(
        env,
        f'''
allow_user_engines = false
http_hosts = ["llm.plain.internal"]

[[engines]]
name = "research"
url = "{fake.url}"
models = ["deepseek-v4-*"]
''',
    )
    fake.script = Script(models=[{"id": "deepseek-v4-pro"}, {"id": "other-model"}])
    [entry] = listed(env)  # the user's own engine no longer counts
    assert (entry["name"], entry["source"], entry["models"]) == (
        "research",
        "policy",
        [{"id": "deepseek-v4-pro", "context": None}],
    )
    refused = hearth("engines", "add", "second", "https://llm.example.internal/v1", env=env)
    assert refused.returncode == 12 and "does not allow adding engines" in refused.stderr
    used = hearth("chat", "--engine", "mine", "--model", "x", "--prompt", "hi", env=env)
    assert used.returncode == 12 and "does not allow engines added by users" in used.stderr
    other = hearth("chat", "--engine", "research", "--model", "other-model", "--prompt", "hi", env=env)
    assert other.returncode == 12 and "does not allow the model 'other-model' on the engine research" in other.stderr
    removed = hearth("engines", "remove", "research", env=env)
    assert removed.returncode == 12 and "cannot be removed" in removed.stderr


def test_plain_http_only_where_the_policy_lists_the_host(env: dict[str, str]) -> None:
    with_policy(env, 'http_hosts = ["llm.plain.internal"]\n')
    assert hearth("engines", "add", "plain", "http://llm.plain.internal:8000/v1", env=env).returncode == 0
    assert hearth("engines", "add", "other", "http://llm.other.internal/v1", env=env).returncode == 12


def test_an_invalid_engines_table_is_named_by_policy_check(tmp_path: Path, env: dict[str, str]) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[[engines]]\nname = "x"\nurl = "llm.internal"\nport = 8000\n', encoding="utf-8")
    result = hearth("policy", "check", str(policy), env=env)
    assert result.returncode == 11
    assert "unknown field 'port'" in result.stderr and "url must be an http(s) URL" in result.stderr


def test_a_chat_on_a_remote_engine_is_stored_exported_and_logged(env: dict[str, str], fake: FakeServer) -> None:
    fake.script = Script(flavour="vllm", models=[{"id": "deepseek-v4-pro", "max_model_len": 131072}])
    assert hearth("engines", "add", "research", fake.url, env=env).returncode == 0
    chat = hearth("chat", "--engine", "research", "--model", "deepseek-v4-pro", "--think", "max", "--prompt", "2+2?",
                  "--show-reasoning", env=env)  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.strip() == "The answer is 4."
    assert "Let me think." in chat.stderr and "computed on the server research (127.0.0.1)" in chat.stderr
    assert fake.chats()[0]["reasoning_effort"] == "max"
    exported = json.loads(hearth("conversations", "export", "1", "--format", "json", env=env).stdout)
    answer = exported["messages"][-1]
    assert (answer["model_id"], answer["engine"], answer["status"], answer["reasoning"]) == (
        "deepseek-v4-pro", "research", "complete", "Let me think.")  # fmt: skip
    assert exported["engine"] == "research"
    markdown = hearth("conversations", "export", "1", "--format", "md", env=env).stdout
    assert "*deepseek-v4-pro on the server research*" in markdown
    log = json.loads(hearth("network", "log", "--json", env=env).stdout)
    assert {(e["host"], e["allowed"], e["why"]) for e in log} == {("127.0.0.1", True, "remote engine research")}
    # The same conversation goes on with another model on the server: the history is sent as text.
    fake.script = Script(flavour="plain", content=["Still 4."], models=[{"id": "deepseek-v3.1"}])
    more = hearth("chat", "--engine", "research", "--model", "deepseek-v3.1", "--conversation", "1", "--prompt", "sure?", env=env)
    assert more.returncode == 0, more.stderr
    assert fake.chats()[-1]["messages"] == [{"role": "user", "content": "2+2?"},
                                           {"role": "assistant", "content": "The answer is 4."},
                                           {"role": "user", "content": "sure?"}]  # fmt: skip
    exported = json.loads(hearth("conversations", "export", "1", "--format", "json", env=env).stdout)
    assert [m["model_id"] for m in exported["messages"] if m["role"] == "assistant"] == ["deepseek-v4-pro", "deepseek-v3.1"]


def test_a_server_error_is_one_line_and_an_exit_code(env: dict[str, str], fake: FakeServer) -> None:
    assert hearth("engines", "add", "lab", fake.url, env=env).returncode == 0
    fake.script = Script(status=500, error_body={"error": {"message": "engine dead"}})
    result = hearth("chat", "--engine", "lab", "--model", "deepseek-v4-pro", "--prompt", "hi", env=env)
    assert result.returncode == 13 and "lab failed to answer (HTTP 500: engine dead)" in result.stderr
    assert "Traceback" not in result.stderr
    missing = hearth("chat", "--engine", "lab", "--model", "nope", "--prompt", "hi", env=env)
    assert missing.returncode == 13 and "does not serve the model 'nope'" in missing.stderr
    unknown = hearth("chat", "--engine", "nobody", "--prompt", "hi", env=env)
    assert unknown.returncode == 6 and "no engine called 'nobody'" in unknown.stderr


def test_offline_mode_allows_only_this_machine(env: dict[str, str], fake: FakeServer) -> None:
    with_policy(env, "offline = true\n")
    assert hearth("engines", "add", "lab", fake.url, env=env).returncode == 0  # loopback is not the network
    assert hearth("chat", "--engine", "lab", "--model", "deepseek-v4-pro", "--prompt", "hi", env=env).returncode == 0


# --- llama-cpp-python's own OpenAI-compatible server ---------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.gguf_factory import write_model

    # F16: the extra CPU buffers llama.cpp uses for quantized weights crash on some AMX CPUs
    # (see app/core/engine/cpu_buffers.py), and this server is not Hearth's to configure.
    model = write_model(tmp_path_factory.mktemp("served") / "tiny.gguf", TinySpec(quant="F16", seed=11))
    port = free_port()
    log = (tmp_path_factory.getbasetemp() / "llama-server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "tiny-r1",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "1024"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert server.poll() is None, "llama_cpp.server exited; see llama-server.log"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def test_a_chat_through_llama_cpp_server(env: dict[str, str], llama_server: str) -> None:
    assert hearth("engines", "add", "box", llama_server, env=env).returncode == 0
    [entry] = listed(env)
    assert entry["reachable"] and [m["id"] for m in entry["models"]] == ["tiny-r1"]
    chat = hearth("chat", "--engine", "box", "--json", "--prompt", "hello", "--max-tokens", "6", env=env)
    assert chat.returncode == 0, chat.stderr
    events = [json.loads(line) for line in chat.stdout.splitlines()]
    done = events[-1]
    assert done["type"] == "done" and done["status"] in ("complete", "truncated")  # random weights: either
    assert all(e["type"] in ("reasoning", "content") for e in events[:-1])
    assert done["completion_tokens"] <= 6
    exported = json.loads(hearth("conversations", "export", "1", "--format", "json", env=env).stdout)
    assert exported["messages"][-1]["engine"] == "box" and exported["messages"][-1]["model_id"] == "tiny-r1"
