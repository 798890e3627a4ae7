"""The local API, driven by the official ``openai`` client and by plain HTTP for the error paths:
streaming and not, usage, stop strings, the model list, the key, the Host check, body and queue
bounds, the policy's locks, and that the socket listens on loopback only.  A real model, the real
session core, a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from app.core.chat.session import ChatSession
from app.core.engine.base import SamplingParams
from app.core.engine.worker import EngineWorker
from app.core.models.ops import import_model
from app.core.models.registry import Registry
from app.core.store.database import Store
from app.server.app import LocalApi
from app.server.runner import ApiServer
from tests.gguf_factory import TinySpec
from tests.hub_fixtures import tiny_catalog

ROOT = Path(__file__).resolve().parents[1]
KEY = "hearth-test-key"
R1 = TinySpec(quant="Q8_0", seed=11)  # R1's template: the answer opens in a think block (reasoning first)
V3 = TinySpec(quant="Q8_0", seed=11, template="deepseek-v3")  # no think block: the answer is content


@pytest.fixture
def served(models: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ApiServer, ChatSession]]:
    yield from _serve(models, tmp_path, monkeypatch, V3)


@pytest.fixture
def served_r1(models: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ApiServer, ChatSession]]:
    yield from _serve(models, tmp_path, monkeypatch, R1)


def _serve(
    models: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: TinySpec
) -> Iterator[tuple[ApiServer, ChatSession]]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HEARTH_HOME", str(home))
    genuine = Path(shutil.copyfile(models(spec), tmp_path / "tiny-Q8_0.gguf"))
    catalog = tiny_catalog({"tiny-Q8_0.gguf": genuine.read_bytes()})
    registry = Registry(tmp_path / "models", shared_dir=None)
    installed = import_model(genuine, registry, catalog).installed
    session = ChatSession(EngineWorker(), None, registry, catalog)
    # The server's default sampling ends no answer early (ignore_eos), whatever the random weights say.
    session.params = SamplingParams(temperature=0.0, max_tokens=16, seed=1, ignore_eos=True)
    session.load(installed).result(timeout=60)
    server = ApiServer(LocalApi(session, KEY, 0)).start()
    yield server, session
    server.stop()
    session.shutdown()


def client(server: ApiServer, key: str = KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.address, api_key=key, max_retries=0, timeout=60)


def raw(server: ApiServer, method: str, path: str, body: bytes | None = None, **headers: str) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    base = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    connection.request(method, path, body=body, headers={**base, **headers})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    try:
        return response.status, json.loads(data) if data else {}
    except json.JSONDecodeError:
        return response.status, {"text": data.decode("utf-8", "replace")}


def test_the_openai_client_chats_streaming_and_not(served: tuple[ApiServer, ChatSession]) -> None:
    server, _session = served
    api = client(server)
    assert [m.id for m in api.models.list().data] == ["test-tiny:Q8_0"]
    greedy: dict[str, Any] = {"temperature": 0, "seed": 1, "max_tokens": 8}
    answer = api.chat.completions.create(model="test-tiny:Q8_0", messages=[{"role": "user", "content": "hello"}], **greedy)
    assert answer.choices[0].finish_reason == "length" and answer.usage is not None and answer.usage.completion_tokens == 8
    reasoning = getattr(answer.choices[0].message, "reasoning_content", None)
    assert reasoning is None and answer.choices[0].message.content  # V3's template: all of it is the answer
    stream = api.chat.completions.create(
        model="test-tiny:Q8_0", messages=[{"role": "user", "content": "hello"}], stream=True,
        stream_options={"include_usage": True}, **greedy,
    )  # fmt: skip
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 8
    streamed = "".join((getattr(c.choices[0].delta, "reasoning_content", None) or "") + (c.choices[0].delta.content or "")
                       for c in chunks if c.choices)  # fmt: skip
    assert streamed == (reasoning or "") + (answer.choices[0].message.content or "")  # same greedy answer both ways


def test_reasoning_comes_as_reasoning_content(served_r1: tuple[ApiServer, ChatSession]) -> None:
    server, _session = served_r1
    api = client(server)
    answer = api.chat.completions.create(
        model="test-tiny:Q8_0", messages=[{"role": "user", "content": "think"}], max_tokens=8, temperature=0
    )
    message = answer.choices[0].message
    assert getattr(message, "reasoning_content", None) and not message.content  # R1's think block, as llama-server sends it
    chunks = list(api.chat.completions.create(
        model="test-tiny:Q8_0", messages=[{"role": "user", "content": "think"}], max_tokens=8, temperature=0, stream=True
    ))  # fmt: skip
    streamed = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices)
    assert streamed == message.reasoning_content  # type: ignore[attr-defined]


def test_a_wrong_or_missing_key_gets_401_and_no_model_work(served: tuple[ApiServer, ChatSession]) -> None:
    server, session = served
    before = session.worker._queue.qsize(), len(session._memory)
    with pytest.raises(openai.AuthenticationError):
        client(server, "not-the-key").chat.completions.create(model="test-tiny:Q8_0", messages=[{"role": "user", "content": "x"}])
    status, body = raw(server, "GET", "/v1/models", Authorization="")
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    assert (session.worker._queue.qsize(), len(session._memory)) == before  # the session never saw the request


def test_error_paths_over_plain_http(served: tuple[ApiServer, ChatSession]) -> None:
    server, _session = served
    ok = json.dumps({"model": "test-tiny:Q8_0", "messages": [{"role": "user", "content": "x"}], "max_tokens": 2}).encode()
    assert raw(server, "POST", "/v1/chat/completions", ok)[0] == 200
    status, body = raw(server, "POST", "/v1/chat/completions", b"{not json")
    assert status == 400 and "not valid JSON" in body["error"]["message"]
    status, body = raw(server, "POST", "/v1/chat/completions", ok.replace(b"test-tiny:Q8_0", b"gpt-4o"))
    assert status == 404 and body["error"]["code"] == "model_not_found"
    too_long = json.dumps({"model": "test-tiny:Q8_0", "messages": [{"role": "user", "content": "word " * 6000}]}).encode()
    status, body = raw(server, "POST", "/v1/chat/completions", too_long)
    assert status == 400 and body["error"]["code"] == "context_length_exceeded"
    status, body = raw(server, "POST", "/v1/chat/completions", b"x" * (3 * 2**20))
    assert status == 413
    status, body = raw(server, "GET", "/v1/models", Host="evil.example.com")
    assert status == 403 and body["error"]["code"] == "bad_host"  # DNS rebinding
    status, body = raw(server, "POST", "/v1/chat/completions", json.dumps({"model": "test-tiny:Q8_0", "messages": []}).encode())
    assert status == 400 and "messages" in body["error"]["message"]
    status, _ = raw(server, "OPTIONS", "/v1/chat/completions", Origin="https://site.example")
    assert status in (401, 405)  # no CORS unless the user lists origins


def test_stop_strings_end_the_answer_before_them(served: tuple[ApiServer, ChatSession]) -> None:
    server, _session = served
    api = client(server)
    greedy: dict[str, Any] = {"temperature": 0, "seed": 1, "max_tokens": 16}
    free = api.chat.completions.create(model="test-tiny:Q8_0", messages=[{"role": "user", "content": "a"}], **greedy)
    text = free.choices[0].message.content or ""
    if len(text) < 4:
        pytest.skip(f"this model's greedy answer has too little content to cut ({text!r}); the stop matcher has unit tests")
    stop = text[len(text) // 2 : len(text) // 2 + 2]
    cut = api.chat.completions.create(model="test-tiny:Q8_0", messages=[{"role": "user", "content": "a"}], stop=[stop], **greedy)
    assert cut.choices[0].finish_reason == "stop" and cut.choices[0].message.content == text[: text.index(stop)]


def test_a_locked_setting_is_refused_with_403(
    served: tuple[ApiServer, ChatSession], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _session = served
    policy = tmp_path / "policy.toml"
    policy.write_text(textwrap.dedent('locked_settings = ["temperature"]\n[settings]\ntemperature = 0.2\n'), encoding="utf-8")
    monkeypatch.setenv("HEARTH_POLICY", str(policy))
    api = client(server)
    with pytest.raises(openai.PermissionDeniedError, match=r"locked to 0\.2"):
        api.chat.completions.create(model="test-tiny:Q8_0", messages=[{"role": "user", "content": "x"}], temperature=1.5)
    fine = api.chat.completions.create(model="test-tiny:Q8_0", messages=[{"role": "user", "content": "x"}], max_tokens=2)
    assert fine.choices[0].finish_reason == "length"


def test_twenty_concurrent_requests_are_all_answered_or_refused(served: tuple[ApiServer, ChatSession]) -> None:
    server, _session = served
    results: list[str] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        try:
            answer = client(server).chat.completions.create(
                model="test-tiny:Q8_0", messages=[{"role": "user", "content": f"request {i}"}], max_tokens=32
            )
            outcome = answer.choices[0].finish_reason or "none"
        except openai.RateLimitError:
            outcome = "429"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 20  # none lost
    assert set(results) <= {"length", "429"} and results.count("length") >= 1


def test_the_socket_listens_on_loopback_only(served: tuple[ApiServer, ChatSession]) -> None:
    server, _session = served
    assert server.bound_to() == ["127.0.0.1"]
    listening = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True)
    if listening.returncode == 0:
        mine = [line for line in listening.stdout.splitlines() if f":{server.port} " in line]
        assert mine and all("127.0.0.1:" in line for line in mine), mine


def test_api_conversations_are_stored_only_when_asked(models: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.core.chat.api import api_config

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HEARTH_HOME", str(home))
    assert api_config().store_conversations is False  # the default
    policy = tmp_path / "policy.toml"
    policy.write_text("store_api_conversations = true\n", encoding="utf-8")
    monkeypatch.setenv("HEARTH_POLICY", str(policy))
    assert api_config().store_conversations is True  # the policy forces it
    policy.write_text("allow_local_api = false\n", encoding="utf-8")
    from app.core.privacy.policy import PolicyDenied

    with pytest.raises(PolicyDenied, match="local API"):
        api_config()
    monkeypatch.delenv("HEARTH_POLICY")
    genuine = Path(shutil.copyfile(models(R1), tmp_path / "tiny-Q8_0.gguf"))
    catalog = tiny_catalog({"tiny-Q8_0.gguf": genuine.read_bytes()})
    store = Store(tmp_path / "data" / "conversations.db")
    session = ChatSession(EngineWorker(), store, Registry(tmp_path / "m", shared_dir=None), catalog)
    session.load(genuine).result(timeout=60)
    server = ApiServer(LocalApi(session, KEY, 0)).start()
    try:
        client(server).chat.completions.create(
            model="test-tiny:Q8_0", max_tokens=2,
            messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "stored?"}],
        )  # fmt: skip
        [conversation] = store.list_conversations()
        assert [(m.role, m.content) for m in store.thread(conversation.id)][:2] == [("system", "Be brief."), ("user", "stored?")]
    finally:
        server.stop()
        session.shutdown()
        store.close()


def test_hearth_serve_shows_and_rotates_its_key(tmp_path: Path) -> None:
    import os

    env = dict(os.environ, HEARTH_HOME=str(tmp_path / "home"))
    (tmp_path / "home").mkdir()

    def hearth(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "app", "serve", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    first = hearth("--show-key")
    assert first.startswith("hearth-") and hearth("--show-key") == first  # generated once, kept in the keyring
    rotated = hearth("--rotate-key")
    assert rotated != first and hearth("--show-key") == rotated


def test_the_stop_matcher_holds_back_what_may_become_a_stop_string() -> None:
    from app.core.engine.stops import StopMatcher

    matcher = StopMatcher(["END", "\n\n"])
    pieces = [matcher.feed(p) for p in ("Hello E", "N", "o E", "ND more")]
    assert pieces == ["Hello ", "", "ENo ", ""] and matcher.hit and matcher.flush() == ""
    plain = StopMatcher(["END"])
    assert plain.feed("Say E") == "Say " and plain.flush() == "E" and not plain.hit
    assert StopMatcher([]).feed("anything") == "anything"


def test_cors_only_for_the_origins_the_user_listed(served: tuple[ApiServer, ChatSession]) -> None:
    _server, session = served
    listed = ApiServer(LocalApi(session, KEY, 0, cors_origins=("http://localhost:3000",))).start()
    try:
        preflight = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "authorization,content-type"}  # fmt: skip
        connection = http.client.HTTPConnection("127.0.0.1", listed.port, timeout=30)
        connection.request("OPTIONS", "/v1/chat/completions", headers=preflight)
        allowed = connection.getresponse()
        allowed.read()
        assert allowed.status == 200 and allowed.getheader("access-control-allow-origin") == "http://localhost:3000"
        connection.request("OPTIONS", "/v1/chat/completions", headers={**preflight, "Origin": "https://evil.example"})
        other = connection.getresponse()
        other.read()
        assert other.getheader("access-control-allow-origin") is None
        connection.close()
        status, _ = raw(listed, "GET", "/v1/models", Authorization="", Origin="http://localhost:3000")
        assert status == 401  # a listed origin still needs the key
    finally:
        listed.stop()


@pytest.fixture
def served_v31(models: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ApiServer, ChatSession]]:
    yield from _serve(models, tmp_path, monkeypatch, TinySpec(quant="Q8_0", seed=11, template="deepseek-v3.1"))


def test_tool_calls_in_the_history_reach_the_models_template(served_v31: tuple[ApiServer, ChatSession]) -> None:
    server, _session = served_v31
    api = client(server)
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    with_tools: list[Any] = [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 21°C"},
        {"role": "assistant", "content": "Sunny."},
        {"role": "user", "content": "Thanks"},
    ]
    plain = [with_tools[0], {"role": "assistant", "content": "Sunny."}, with_tools[-1]]
    greedy: dict[str, Any] = {"temperature": 0, "seed": 1, "max_tokens": 4}
    toolful = api.chat.completions.create(model="test-tiny:Q8_0", messages=with_tools, **greedy)
    simple = api.chat.completions.create(model="test-tiny:Q8_0", messages=plain, **greedy)
    assert toolful.usage is not None and simple.usage is not None
    # The call (name, arguments, V3.1's tool tokens) and its result add dozens of tokens to the prompt.
    assert toolful.usage.prompt_tokens > simple.usage.prompt_tokens + 20
    broken = {**call, "function": {"name": "f", "arguments": "{oops"}}
    bad = [with_tools[0], {"role": "assistant", "content": "", "tool_calls": [broken]}, with_tools[-1]]
    status, body = raw(server, "POST", "/v1/chat/completions", json.dumps({"model": "test-tiny:Q8_0", "messages": bad}).encode())
    assert status == 400 and "arguments is not valid JSON" in body["error"]["message"]
