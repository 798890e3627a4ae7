"""The remote engine against a fault-injecting OpenAI-compatible server on loopback: every server
flavour's stream shape, usage or none, the thinking switch, every error a server or the network can
produce as a typed error, retries before the first token, stalls, drops, cancel, and TLS."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from app.core.engine.base import Continuation, Message, SamplingParams, collect
from app.core.engine.endpoints import Endpoint
from app.core.engine.events import ContentDelta, GenerationSummary, StopReason
from app.core.engine.remote import RemoteEngine
from app.core.engine.remote_http import Timeouts, list_models, retryable
from app.core.errors import (
    RemoteAuthError,
    RemoteBusyError,
    RemoteContextError,
    RemoteModelNotFoundError,
    RemoteRequestError,
    RemoteServerError,
    RemoteTimeoutError,
    RemoteTLSError,
    RemoteUnreachableError,
)
from tests.openai_fakes import FakeServer, Script

QUICK = Timeouts(connect_s=2.0, stall_s=5.0, attempts=3, backoff_s=0.05)
QUESTION = [Message("system", "Be brief."), Message("user", "What is 2+2?")]


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def engine_for(server: FakeServer, token: str | None = None, timeouts: Timeouts = QUICK, **fields: Any) -> RemoteEngine:
    return RemoteEngine(Endpoint("lab", server.url, **fields), "deepseek-v4-pro", token, timeouts)


def ask(engine: RemoteEngine, params: SamplingParams = SamplingParams(), **kwargs: Any) -> tuple[str, str, GenerationSummary]:
    return collect(engine.chat(QUESTION, params, **kwargs))


@pytest.mark.parametrize("usage", ["last", "every", "none"])
@pytest.mark.parametrize("flavour", ["vllm", "sglang", "think", "prefilled", "plain"])
def test_every_flavour_splits_reasoning_from_the_answer(server: FakeServer, flavour: str, usage: str) -> None:
    server.script = Script(flavour=flavour, usage=usage, reasoning=["\nLet me ", "add."], content=["\n\nIt is ", "4."])
    thinking = "on" if flavour == "prefilled" else None  # the request pre-filled <think>: the text starts inside it
    reasoning, content, summary = ask(engine_for(server), SamplingParams(thinking=thinking))
    assert reasoning == ("" if flavour == "plain" else "Let me add.")
    assert content == "It is 4."
    assert summary.stop_reason is StopReason.EOS and summary.error is None
    pieces = (0 if flavour == "plain" else 2) + 2
    if usage == "none":  # counted: one streamed piece is one token
        assert summary.completion_tokens == pieces
    else:
        assert summary.prompt_tokens == 17
        assert summary.completion_tokens > 0


def test_the_request_carries_history_as_text_usage_and_the_key(server: FakeServer) -> None:
    history = [Message("user", "Hi"), Message("assistant", "Hello!", reasoning="secret thoughts"), Message("user", "2+2?")]
    collect(engine_for(server, token="s3cret").chat(history, SamplingParams(temperature=1.0, top_p=1.0, max_tokens=99, seed=5)))
    body = server.chats()[0]
    assert body["messages"] == [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
                                {"role": "user", "content": "2+2?"}]  # fmt: skip
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert (body["model"], body["temperature"], body["top_p"], body["max_tokens"], body["seed"]) == (
        "deepseek-v4-pro",
        1.0,
        1.0,
        99,
        5,
    )
    assert "chat_template_kwargs" not in body and "reasoning_effort" not in body  # the model's default
    chat_request = next(r for r in server.requests if r["path"].endswith("/chat/completions"))
    assert chat_request["headers"]["Authorization"] == "Bearer s3cret"


@pytest.mark.parametrize(
    ("thinking", "switch", "effort"),
    [("off", False, None), ("on", True, None), ("high", True, "high"), ("max", True, "max")],
)
def test_the_thinking_switch_is_sent_the_way_each_server_reads_it(
    server: FakeServer, thinking: str, switch: bool, effort: str | None
) -> None:
    ask(engine_for(server), SamplingParams(thinking=thinking))
    body = server.chats()[0]
    assert body["chat_template_kwargs"] == {"thinking": switch, "enable_thinking": switch}
    assert body.get("reasoning_effort") == effort


def test_continue_prefills_the_cut_answer(server: FakeServer) -> None:
    server.script = Script(flavour="plain", content=[" and the rest."])
    _, content, _ = ask(engine_for(server), continuation=Continuation("", "The first half"))
    body = server.chats()[0]
    assert body["messages"][-1] == {"role": "assistant", "content": "The first half"}
    assert body["continue_final_message"] is True and body["add_generation_prompt"] is False
    assert content == " and the rest."  # goes on mid-sentence: its leading space is kept


def test_a_stop_string_ends_the_answer_before_it(server: FakeServer) -> None:
    server.script = Script(flavour="plain", content=["one two ", "STOP three"])
    _, content, summary = ask(engine_for(server), SamplingParams(stop=("STOP",)))
    assert content == "one two " and summary.stop_reason is StopReason.EOS
    assert server.chats()[0]["stop"] == ["STOP"]


def test_a_length_finish_is_truncated(server: FakeServer) -> None:
    server.script = Script(flavour="plain", finish_reason="length")
    assert ask(engine_for(server))[2].stop_reason is StopReason.LENGTH


@pytest.mark.parametrize(
    ("status", "body", "headers", "error", "words"),
    [
        (401, {"error": {"message": "Invalid API key"}}, {}, RemoteAuthError, "hearth engines login lab"),
        (403, {"detail": "Forbidden"}, {}, RemoteAuthError, "API key is missing or wrong"),
        (404, {"error": {"message": "The model `deepseek-v4-pro` does not exist."}}, {}, RemoteModelNotFoundError,
         "does not serve the model"),
        (404, "Not Found", {}, RemoteModelNotFoundError, "usually ends in /v1"),
        (429, {"error": {"message": "Rate limit"}}, {"Retry-After": "7"}, RemoteBusyError, "Try again in 7 s"),
        (500, {"error": {"message": "engine dead"}}, {}, RemoteServerError, "HTTP 500: engine dead"),
        (503, "", {}, RemoteServerError, "HTTP 503"),
        (400, {"error": {"message": "This model's maximum context length is 4096 tokens. However, you requested 9000"}}, {},
         RemoteContextError, "longer than lab can take"),
        (400, {"error": {"message": "the request exceeds the available context size", "type": "exceed_context_size_error"}},
         {}, RemoteContextError, "longer than"),
        (422, {"detail": [{"msg": "field required"}]}, {}, RemoteRequestError, "rejected the request (HTTP 422"),
    ],
)  # fmt: skip
def test_every_server_error_is_a_typed_error_with_words_to_act_on(
    server: FakeServer, status: int, body: Any, headers: dict[str, str], error: type[Exception], words: str
) -> None:
    server.script = Script(status=status, error_body=body, headers=headers)
    with pytest.raises(error) as raised:
        ask(engine_for(server))
    assert words in str(raised.value)
    assert len(server.chats()) == 1  # an answer from the server is not retried
    if error is RemoteContextError:
        assert raised.value.exit_code == 5  # as for a local model: the CLI's "too long" exit


def test_the_key_is_checked_by_the_server(server: FakeServer) -> None:
    server.script = Script(key="right")
    with pytest.raises(RemoteAuthError):
        ask(engine_for(server, token="wrong"))
    assert ask(engine_for(server, token="right"))[1] == "The answer is 4."


def test_connections_that_fail_before_the_answer_are_retried(server: FakeServer) -> None:
    server.script = Script(refuse_first=2)
    assert ask(engine_for(server))[1] == "The answer is 4."
    assert len(server.chats()) == 3


def test_retries_end_with_a_typed_error(server: FakeServer) -> None:
    server.script = Script(refuse_first=10)
    with pytest.raises(RemoteUnreachableError, match="lab"):
        ask(engine_for(server))
    assert len(server.chats()) == QUICK.attempts


def test_nobody_listening_is_unreachable() -> None:
    with FakeServer() as gone:
        url = gone.url
    engine = RemoteEngine(Endpoint("lab", url), "m", None, Timeouts(attempts=2, backoff_s=0.01))
    with pytest.raises(RemoteUnreachableError, match=r"Cannot reach lab .*connection refused"):
        ask(engine)


def test_a_stall_before_the_first_token_is_a_timeout(server: FakeServer) -> None:
    server.script = Script(stall_after=0)
    with pytest.raises(RemoteTimeoutError, match=r"sent nothing for 0\.3 s"):
        ask(engine_for(server, timeouts=Timeouts(stall_s=0.3, attempts=1)))


def test_a_stall_mid_answer_keeps_what_came(server: FakeServer) -> None:
    server.script = Script(stall_after=3)
    reasoning, content, summary = ask(engine_for(server, timeouts=Timeouts(stall_s=0.3, attempts=1)))
    assert reasoning == "Let me think." and content == ""
    assert summary.stop_reason is StopReason.ERROR and "sent nothing for 0.3 s" in str(summary.error)


def test_a_dropped_connection_keeps_what_came(server: FakeServer) -> None:
    server.script = Script(flavour="plain", drop_after=2)
    _, content, summary = ask(engine_for(server))
    assert content == "The answer "
    assert summary.stop_reason is StopReason.ERROR and "closed the connection" in str(summary.error)
    assert len(server.chats()) == 1  # never retried once the answer began: that would duplicate it


def test_an_error_inside_the_stream_is_reported(server: FakeServer) -> None:
    server.script = Script(flavour="plain", error_after=2)
    _, content, summary = ask(engine_for(server))
    assert content == "The answer "
    assert summary.stop_reason is StopReason.ERROR and "CUDA out of memory" in str(summary.error)


def test_a_reply_that_is_not_a_stream_is_named(server: FakeServer) -> None:
    server.script = Script(not_a_stream=True)
    with pytest.raises(RemoteServerError, match="not with an event stream"):
        ask(engine_for(server))


def test_a_stream_of_garbage_is_named_and_the_engine_goes_on(server: FakeServer) -> None:
    server.script = Script(garbage="<html>502 Bad Gateway</html>")
    with pytest.raises(RemoteServerError, match="not an OpenAI stream: '<html>502"):
        ask(engine_for(server))
    server.script = Script()
    assert ask(engine_for(server))[1] == "The answer is 4."


def test_cancel_ends_the_turn_and_closes_the_stream(server: FakeServer) -> None:
    server.script = Script(flavour="plain", stall_after=2)
    engine = engine_for(server)
    events: list[Any] = []
    first = threading.Event()

    def consume() -> None:
        for event in engine.chat(QUESTION):
            events.append(event)
            if isinstance(event, ContentDelta):
                first.set()

    reader = threading.Thread(target=consume)
    reader.start()
    assert first.wait(10)
    engine.request_cancel()
    reader.join(10)
    assert not reader.is_alive()
    summary = events[-1]
    assert isinstance(summary, GenerationSummary) and summary.stop_reason is StopReason.CANCELLED
    assert server.disconnected.wait(5)  # the server saw the client leave: it stops generating


def test_the_model_list_and_context(server: FakeServer) -> None:
    server.script = Script(models=[{"id": "a", "max_model_len": 8192}, {"id": "b", "meta": {"n_ctx_train": 4096}}, {"id": "c"}])
    served = list_models(Endpoint("lab", server.url), None, QUICK)
    assert [(m.id, m.context) for m in served] == [("a", 8192), ("b", 4096), ("c", None)]
    server.script = Script(models=[{"id": "a"}], props={"default_generation_settings": {"n_ctx": 32768}})
    assert [(m.id, m.context) for m in list_models(Endpoint("lab", server.url), None, QUICK)] == [("a", 32768)]


# --- TLS -----------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[FakeServer, Path]]:
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    identity = tmp_path / "server.pem"
    authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(identity))
    context.load_cert_chain(str(identity))
    bundle = tmp_path / "company-ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    with FakeServer(tls=context) as fake:
        yield fake, bundle


def test_an_unknown_certificate_is_named_as_such(tls_server: tuple[FakeServer, Path]) -> None:
    server, _ = tls_server
    with pytest.raises(
        RemoteTLSError, match=r"lab \(127.0.0.1\) was not used: its TLS certificate could not be verified.*ca_bundle"
    ) as raised:
        ask(engine_for(server))
    assert not retryable(raised.value.__cause__ or Exception())  # a certificate does not change: not tried again
    assert not server.chats()  # nothing was sent


def test_the_engines_ca_bundle_is_trusted(tls_server: tuple[FakeServer, Path]) -> None:
    server, bundle = tls_server
    assert ask(engine_for(server, ca_bundle=str(bundle)))[1] == "The answer is 4."


def test_a_broken_ca_bundle_is_reported(tmp_path: Path, server: FakeServer) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(RemoteTLSError, match=r"CA bundle .* cannot be used"):
        engine_for(server, ca_bundle=str(bad))
