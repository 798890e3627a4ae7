"""The session core on a remote engine: what is stored while it streams and after, Stop, Continue,
the server's errors as the turn's failure, and a refused choice that keeps the engine answering.
A real encrypted store; the fault-injecting server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.chat.session import ChatSession
from app.core.chat.turn import TurnEvent
from app.core.engine import endpoints
from app.core.engine.events import ContentDelta
from app.core.engine.worker import EngineWorker
from app.core.errors import RemoteAuthError, RemoteModelNotFoundError
from app.core.models.catalog import Catalog
from app.core.models.registry import Registry
from app.core.store.database import Store
from tests.openai_fakes import FakeServer, Script


@pytest.fixture
def remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ChatSession, FakeServer]]:
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HEARTH_ENGINE_TOKEN", raising=False)
    store = Store(tmp_path / "data" / "conversations.db")
    session = ChatSession(EngineWorker(), store, Registry(tmp_path / "models", shared_dir=None), Catalog(()))
    with FakeServer() as server:
        endpoints.add("lab", server.url)
        session.load_remote("lab", "deepseek-v4-pro").result(timeout=30)
        yield session, server
    session.shutdown()
    store.close()


def test_a_remote_answer_is_stored_with_its_engine(remote: tuple[ChatSession, FakeServer]) -> None:
    session, _ = remote
    ended = session.ask("2+2?").future.result(timeout=30)
    assert (ended.status, ended.content, ended.reasoning) == ("complete", "The answer is 4.", "Let me think.")
    answer = session.store.message(ended.message_id)  # type: ignore[union-attr, arg-type]
    assert (answer.engine, answer.model_id, answer.quant, answer.completion_tokens) == ("lab", "deepseek-v4-pro", None, 4)
    conversation = session.store.get_conversation(session.conversation_id)  # type: ignore[union-attr, arg-type]
    assert (conversation.engine, conversation.model_id) == ("lab", "deepseek-v4-pro")


def test_stop_keeps_what_came_and_continue_goes_on(remote: tuple[ChatSession, FakeServer]) -> None:
    session, server = remote
    session.set_thinking("off")  # a plain answer: with thinking on, text before any </think> is reasoning
    server.script = Script(flavour="plain", content=["First ", "part ", "never sent"], stall_after=3)
    arrived = threading.Event()

    def seen(event: TurnEvent) -> None:
        if isinstance(event.event, ContentDelta):
            arrived.set()

    turn = session.ask("tell me", seen)
    assert arrived.wait(10)
    session.cancel()
    ended = turn.future.result(timeout=10)
    assert ended.status == "cancelled" and ended.content.startswith("First ")
    assert server.disconnected.wait(5)
    server.script = Script(flavour="plain", content=[" and the end."])
    more = session.continue_answer(ended.message_id).future.result(timeout=30)  # type: ignore[arg-type]
    assert more.status == "complete" and more.content == ended.content + " and the end."
    assert server.chats()[-1]["messages"][-1] == {"role": "assistant", "content": ended.content}


def test_a_server_error_is_the_turns_failure(remote: tuple[ChatSession, FakeServer]) -> None:
    session, server = remote
    server.script = Script(status=401, error_body={"error": {"message": "bad key"}})
    ended = session.ask("hi").future.result(timeout=30)
    assert ended.status == "error" and isinstance(ended.failure, RemoteAuthError)
    stored = session.store.message(ended.message_id)  # type: ignore[union-attr, arg-type]
    assert stored.status == "error" and "hearth engines login lab" in str(stored.error)


def test_a_refused_choice_keeps_the_engine_that_answers(remote: tuple[ChatSession, FakeServer]) -> None:
    session, server = remote
    with pytest.raises(RemoteModelNotFoundError, match="It serves: deepseek-v4-pro"):
        session.load_remote("lab", "no-such-model").result(timeout=30)
    assert session.ready and session.remote is not None and session.remote.model_id == "deepseek-v4-pro"
    assert session.ask("still there?").future.result(timeout=30).status == "complete"


def test_the_only_model_is_chosen_when_none_is_named(remote: tuple[ChatSession, FakeServer]) -> None:
    session, server = remote
    result: Any = session.load_remote("lab", None).result(timeout=30)
    assert result.model.model_id == "deepseek-v4-pro" and result.loaded is None
    server.script = Script(models=[{"id": "a"}, {"id": "b"}])
    with pytest.raises(Exception, match="Which model on lab"):
        session.load_remote("lab", None).result(timeout=30)


def test_the_local_api_passes_a_remote_model_through(remote: tuple[ChatSession, FakeServer]) -> None:
    import openai

    from app.server.app import LocalApi
    from app.server.runner import ApiServer

    session, fake = remote
    server = ApiServer(LocalApi(session.sibling(None), "k", 0, may_switch=False)).start()
    try:
        api = openai.OpenAI(base_url=server.address, api_key="k", max_retries=0, timeout=30)
        assert [m.id for m in api.models.list().data] == ["remote:lab/deepseek-v4-pro"]
        answer = api.chat.completions.create(model="remote:lab/deepseek-v4-pro", messages=[{"role": "user", "content": "2+2?"}])
        assert answer.choices[0].message.content == "The answer is 4."
        assert fake.chats()[-1]["messages"] == [{"role": "user", "content": "2+2?"}]
    finally:
        server.stop()
