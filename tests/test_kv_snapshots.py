"""KV snapshots per conversation: leaving a conversation keeps its cache, coming back (also after
a restart, from a sealed file) evaluates only the new tokens; another model, context size, key or
a deleted conversation never gets a snapshot back; a changed history uses it only where it agrees."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.core import paths
from app.core.engine.base import Message, SamplingParams, collect
from app.core.engine.events import GenerationSummary
from app.core.engine.llama import Engine, LoadOptions
from app.core.privacy.sealed import SealError, seal, unseal
from app.core.store.database import Store
from tests.gguf_factory import TinySpec

FIXED = SamplingParams(temperature=0.0, max_tokens=12, ignore_eos=True, thinking="on")
SPEC = TinySpec(n_embd=128, n_head=4, n_ff=256, n_layer=2, seed=9)
LONG = "Here is a long story about ships and harbours. " * 30


@pytest.fixture(autouse=True)
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "home"))


@pytest.fixture
def model(models: Any) -> Path:
    return Path(models(SPEC))


def loaded(model: Path, secret: bytes | None = None, n_ctx: int = 2048, ram: int = 1 << 30) -> Engine:
    engine = Engine()
    engine.snapshots.configure(ram, secret)
    engine.load(str(model), LoadOptions(n_ctx=n_ctx, n_threads=2))
    return engine


def turn(engine: Engine, history: list[Message], key: str | None, question: str) -> tuple[str, GenerationSummary]:
    history.append(Message("user", question))
    reasoning, content, summary = collect(engine.chat(history, FIXED, cache_key=key))
    history.append(Message("assistant", content or "ok", reasoning))
    return content, summary


def fresh_tokens(engine: Engine, history: list[Message], question: str) -> int:
    """How many tokens a follow-up adds to what the cache of ``history`` could hold (its last
    answer as rendered back, the question and the markers): the most a restored turn may evaluate."""
    before = len(engine.fit(history[:-1], FIXED.max_tokens).tokens)
    after = len(engine.fit([*history, Message("user", question)], FIXED.max_tokens).tokens)
    return after - before + FIXED.max_tokens + 8


def test_coming_back_to_a_conversation_evaluates_only_the_new_tokens(model: Path) -> None:
    engine = loaded(model)
    a: list[Message] = []
    b: list[Message] = []
    turn(engine, a, "a", LONG)
    turn(engine, b, "b", "Something else entirely, " + LONG)  # replaces the cache
    _, back = turn(engine, a, "a", "And then?")
    assert back.prompt_tokens > 300
    assert back.evaluated_prompt_tokens <= fresh_tokens(engine, a[:-2], "And then?")
    # Without the shelf (no memory, no disk) the same return evaluates the whole history again.
    cold = loaded(model, ram=0)
    a2: list[Message] = []
    turn(cold, a2, "a", LONG)
    turn(cold, [], "b", "Something else entirely, " + LONG)
    _, again = turn(cold, a2, "a", "And then?")
    assert again.evaluated_prompt_tokens >= again.prompt_tokens - 8  # only the template's opening is shared
    engine.close()
    cold.close()


def test_a_restored_cache_answers_as_a_cold_one(model: Path) -> None:
    engine = loaded(model)
    a: list[Message] = []
    turn(engine, a, "a", LONG)
    turn(engine, [], "b", "Another topic. " + LONG)
    follow = [*a, Message("user", "Go on.")]
    _, restored, _ = collect(engine.chat(follow, FIXED, cache_key="a"))
    engine._llama.reset()
    _, cold, _ = collect(engine.chat(follow, FIXED))
    assert restored == cold
    engine.close()


def sealed_conversation(model: Path, key: str) -> tuple[bytes, list[Message], Engine]:
    """An engine with disk snapshots on, after one long turn of conversation ``key``."""
    secret = secrets.token_bytes(32)
    engine = loaded(model, secret)
    history: list[Message] = []
    turn(engine, history, key, LONG)
    return secret, history, engine


def test_after_a_restart_the_sealed_snapshot_is_used(model: Path) -> None:
    secret, history, engine = sealed_conversation(model, "c1-x")
    prompt = np.asarray(engine._llama.input_ids[: engine._llama.n_tokens], dtype=np.intc)
    engine.close()  # the app quits: the conversation in the cache is sealed to disk
    files = list(paths.kv_snapshots_dir().glob("*.kvs"))
    assert [f.name for f in files] == ["c1-x.kvs"]
    data = files[0].read_bytes()
    assert b"ships" not in data and prompt[:64].tobytes() not in data  # neither text nor tokens in the clear
    assert files[0].stat().st_mode & 0o077 == 0

    restarted = loaded(model, secret)
    _, back = turn(restarted, history, "c1-x", "And then?")
    assert back.evaluated_prompt_tokens <= fresh_tokens(restarted, history[:-2], "And then?")
    restarted.close()

    wrong = loaded(model, secrets.token_bytes(32))  # another key (a rotated store): the file is useless
    _, cold = turn(wrong, history, "c1-x", "Once more?")
    assert cold.evaluated_prompt_tokens >= cold.prompt_tokens - 8
    wrong.close()


def test_another_context_size_discards_the_snapshot(model: Path) -> None:
    secret, history, engine = sealed_conversation(model, "k")
    engine.close()
    other = loaded(model, secret, n_ctx=1024)
    _, summary = turn(other, history, "k", "And then?")
    assert summary.evaluated_prompt_tokens >= summary.prompt_tokens - 8
    other.close()


def test_an_edited_history_uses_the_snapshot_up_to_the_edit(model: Path) -> None:
    engine = loaded(model)
    history: list[Message] = []
    turn(engine, history, "e", LONG)
    turn(engine, history, "e", "A second question about the harbour.")
    turn(engine, [], "other", "Unrelated. " + LONG)
    edited = [*history[:2], Message("user", "An edited second question.")]
    _, restored, summary = collect(engine.chat(edited, FIXED, cache_key="e"))
    assert 0 < summary.evaluated_prompt_tokens < summary.prompt_tokens // 2
    engine._llama.reset()
    _, cold, _ = collect(engine.chat(edited, FIXED))
    assert restored == cold
    engine.close()


def test_memory_keeps_the_most_recent_within_its_budget(model: Path) -> None:
    engine = loaded(model)
    turn(engine, [], "one", LONG)
    turn(engine, [], "two", LONG)
    size = engine.snapshots._ram["one"].size
    engine.snapshots.configure(int(size * 1.5), None)
    turn(engine, [], "three", LONG)  # leaving "two": "one" is the least recently used
    assert list(engine.snapshots._ram) == ["two"]
    engine.close()


def test_deleting_a_conversation_deletes_its_snapshot(model: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "conversations.db")
    conversation = store.create_conversation("ships")
    key = store.snapshot_key(conversation)
    engine = Engine()
    engine.snapshots.configure(1 << 30, store.secret_for("kv-snapshots"), store.owns_snapshot)
    engine.load(str(model), LoadOptions(n_ctx=2048, n_threads=2))
    turn(engine, [], key, LONG)
    turn(engine, [], None, "An unstored chat.")  # leaves the stored one: sealed in the background
    engine.snapshots.flush()
    assert (paths.kv_snapshots_dir() / f"{key}.kvs").exists()
    store.delete_conversation(conversation)
    assert not (paths.kv_snapshots_dir() / f"{key}.kvs").exists()
    assert not store.owns_snapshot(key)
    turn(engine, [], key, LONG)  # an engine that still had it in the cache...
    engine.close()
    assert not (paths.kv_snapshots_dir() / f"{key}.kvs").exists()  # ... never writes it again
    assert store.secret_for("kv-snapshots") == store.secret_for("kv-snapshots") != store.secret_for("other")
    other = store.create_conversation("kept")
    engine = loaded(model, store.secret_for("kv-snapshots"))
    turn(engine, [], store.snapshot_key(other), LONG)
    engine.close()
    assert (paths.kv_snapshots_dir() / f"{store.snapshot_key(other)}.kvs").exists()
    path = store.path
    store.close()
    removed = Store.delete_everything(path)  # "delete all conversations and their key"
    assert any(r.endswith(".kvs") for r in removed) and not list(paths.kv_snapshots_dir().glob("*.kvs"))


def test_a_sealed_file_that_was_changed_or_cut_does_not_open(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    path = tmp_path / "s.kvs"
    payload = secrets.token_bytes(20 << 20)  # three chunks
    seal(path, key, {"n": 1}, payload)
    meta, back = unseal(path, key)
    assert meta == {"n": 1} and bytes(back) == payload
    data = path.read_bytes()
    for broken in (data[:-1], data[: len(data) // 2], data[:100] + bytes([data[100] ^ 1]) + data[101:]):
        path.write_bytes(broken)
        with pytest.raises(SealError):
            unseal(path, key)
    path.write_bytes(data)
    with pytest.raises(SealError):
        unseal(path, secrets.token_bytes(32))


def test_the_session_names_each_stored_conversation_to_the_engine(model: Path, tmp_path: Path, registry: Any) -> None:
    """Switching conversations in a client (window, CLI) and back costs only the new tokens."""
    from app.core.chat.session import ChatSession
    from app.core.engine.worker import EngineWorker
    from tests.hub_fixtures import tiny_catalog

    store = Store(tmp_path / "data" / "conversations.db")
    session = ChatSession(EngineWorker(), store, registry, tiny_catalog({"tiny-Q8_0.gguf": b"other"}))
    session.params = FIXED
    session.load(model).result(timeout=60)
    first = session.ask(LONG).future.result(timeout=60)
    a = session.conversation_id
    session.new_conversation()
    session.ask("Another topic. " + LONG).future.result(timeout=60)
    assert a is not None
    session.open_conversation(a)
    back = session.ask("And then?").future.result(timeout=60)
    assert first.summary.prompt_tokens > 300
    assert back.summary.evaluated_prompt_tokens < 60 < back.summary.prompt_tokens
    session.shutdown()
    assert (paths.kv_snapshots_dir() / f"{store.snapshot_key(a)}.kvs").exists()  # sealed at shutdown
    store.close()
