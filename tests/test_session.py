"""The chat session in core, as every client uses it: the load gate (identity, policy), locked
settings, a turn's bookkeeping (ask, regenerate, edit, continue), recording on the engine's
thread, and the events a client gets.  Real models, a real store, a real policy file."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.core.chat.gate import startup_choice
from app.core.chat.session import ChatSession, SessionBusyError
from app.core.chat.turn import TurnEnded, TurnEvent
from app.core.engine.base import SamplingParams
from app.core.engine.events import ContentDelta, ReasoningDelta
from app.core.engine.worker import EngineWorker
from app.core.errors import HearthError
from app.core.models.catalog import Catalog
from app.core.models.ops import import_model
from app.core.models.registry import Registry
from app.core.privacy.locks import effective, save_user_settings
from app.core.privacy.policy import PolicyDenied
from app.core.privacy.policy import load as load_policy
from app.core.store.database import Store
from tests.gguf_factory import TinySpec
from tests.holds import Holds
from tests.hub_fixtures import tiny_catalog

# Every answer runs its whole budget: nothing below depends on when random weights would stop.
FIXED = SamplingParams(temperature=0.0, max_tokens=6, seed=1, ignore_eos=True)


@pytest.fixture(autouse=True)
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """settings.json and the rest in this test's own home."""
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "home"))


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Write the policy this test runs under (no machine-wide policy exists here)."""

    def write(text: str) -> Path:
        path = tmp_path / "policy.toml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        monkeypatch.setenv("HEARTH_POLICY", str(path))
        return path

    return write


@pytest.fixture
def genuine(models: Any, tmp_path: Path) -> Path:
    """The catalog's test-tiny Q8_0, under its catalog name."""
    return Path(shutil.copyfile(models(TinySpec(quant="Q8_0", seed=11, template="deepseek-v3")), tmp_path / "tiny-Q8_0.gguf"))


@pytest.fixture
def catalog(genuine: Path) -> Catalog:
    return tiny_catalog({"tiny-Q8_0.gguf": genuine.read_bytes()})


@pytest.fixture
def session(tmp_path: Path, registry: Registry, catalog: Catalog) -> Iterator[ChatSession]:
    store = Store(tmp_path / "data" / "conversations.db")
    chat = ChatSession(EngineWorker(), store, registry, catalog)
    chat.params = FIXED
    yield chat
    chat.shutdown()
    store.close()


def run(turn_start: Any) -> tuple[TurnEnded, list[TurnEvent]]:
    events: list[TurnEvent] = []
    turn = turn_start(events.append)
    return turn.future.result(timeout=60), events


# --- the gate: identity from the bytes, then the policy -------------------------------------


def test_a_renamed_gguf_is_a_local_model_and_the_policy_sees_through_it(
    models: Any, session: ChatSession, registry: Registry, catalog: Catalog, genuine: Path, tmp_path: Path, policy: Any
) -> None:
    other = models(TinySpec(quant="F16", seed=2, n_embd=128, template="deepseek-v3"))  # any GGUF, another size
    impostor_dir = tmp_path / "downloads"
    impostor_dir.mkdir()
    impostor = Path(shutil.copyfile(other, impostor_dir / "tiny-Q8_0.gguf"))  # named like the catalog's file
    result = import_model(impostor, registry, catalog, "reference")
    assert result.installed.model_id.startswith("local-") and not result.installed.in_catalog
    assert any("treated as a local model" in n for n in result.notices)

    policy('allowed_models = ["test-tiny:Q8_0"]\n')
    session._use(effective())
    with pytest.raises(PolicyDenied, match="does not allow the model local-"):
        session.load(result.installed).result(timeout=60)
    with pytest.raises(PolicyDenied):  # the same bytes opened by path: the same identity, the same answer
        session.load(impostor).result(timeout=60)
    with pytest.raises(PolicyDenied):
        session.load(other).result(timeout=60)
    loaded = session.load(genuine).result(timeout=60)  # the real file, by path: identified by name and size
    assert loaded.model.identity.key == "test-tiny:Q8_0" and loaded.model.identity.basis == "name and size"


def test_a_pinned_catalog_checks_the_bytes_not_the_name(
    session: ChatSession, registry: Registry, genuine: Path, tmp_path: Path, policy: Any
) -> None:
    import hashlib

    data = genuine.read_bytes()
    pinned = tiny_catalog({"tiny-Q8_0.gguf": data}, pins={"tiny-Q8_0.gguf": hashlib.sha256(data).hexdigest()})
    session.catalog = pinned
    forged_dir = tmp_path / "forged"
    forged_dir.mkdir()
    forged = forged_dir / "tiny-Q8_0.gguf"
    forged.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # same name, same size, one tensor byte changed
    policy('allowed_models = ["test-tiny:*"]\n')
    session._use(effective())
    with pytest.raises(PolicyDenied, match="local-"):
        session.load(forged).result(timeout=60)
    ok = session.load(genuine).result(timeout=60)
    assert ok.model.identity.basis == "sha256" and ok.model.identity.key == "test-tiny:Q8_0"
    assert registry.file_hash(genuine) == hashlib.sha256(data).hexdigest()  # hashed once, remembered


def test_a_refused_load_keeps_the_model_that_works(
    models: Any, session: ChatSession, genuine: Path, registry: Registry, catalog: Catalog, policy: Any
) -> None:
    session.load(genuine).result(timeout=60)
    policy('allowed_models = ["test-tiny:Q8_0"]\n')
    session._use(effective())
    with pytest.raises(PolicyDenied):
        session.load(models(TinySpec(quant="F16", seed=3))).result(timeout=60)
    assert session.model is not None and session.model.identity.key == "test-tiny:Q8_0" and session.loaded is not None
    ended, _ = run(lambda cb: session.ask("still there?", cb))
    assert ended.status == "truncated" and ended.content == session.store.message(ended.message_id).content  # type: ignore[union-attr]


def test_the_window_starts_with_the_default_model_or_the_first_allowed(
    models: Any, registry: Registry, catalog: Catalog, genuine: Path, tmp_path: Path, policy: Any
) -> None:
    local = import_model(
        Path(shutil.copyfile(models(TinySpec(quant="F16", seed=4)), tmp_path / "mine-F16.gguf")), registry, catalog
    )
    ours = import_model(genuine, registry, catalog)
    installed = sorted(registry.all(catalog), key=lambda i: i.model_id)  # local-… first
    assert installed[0].key == local.installed.key
    assert startup_choice(installed, registry, catalog, load_policy(policy('allowed_models = ["test-*"]\n'))) == ours.installed
    chosen = startup_choice(installed, registry, catalog, load_policy(policy(f'default_model = "{local.installed.key}"\n')))
    assert chosen == local.installed
    assert startup_choice(installed, registry, catalog, load_policy(policy('allowed_models = ["nothing"]\n'))) is None


# --- locked settings, for every client -------------------------------------------------------


def test_locked_settings_take_the_policys_value_whatever_the_user_wrote(policy: Any) -> None:
    save_user_settings({"temperature": 1.5, "top_p": 0.4, "max_tokens": 99})
    policy(
        """
        locked_settings = ["temperature", "context"]
        max_context = 2048
        [settings]
        temperature = 0.3
        top_p = 0.8
        max_tokens = 512
        """
    )
    values = effective()
    assert values["temperature"] == 0.3  # locked: the policy's value, not settings.json's 1.5
    assert values["top_p"] == 0.4 and values["max_tokens"] == 99  # unlocked: the user's own value wins over the suggestion
    assert values["context"] == 2048  # locked without a value: Hearth's default 4096, capped by max_context
    assert effective({"temperature": 0.3})["temperature"] == 0.3  # asking for the locked value is fine
    with pytest.raises(PolicyDenied, match=r"locked to 0.3 .* 1.5 was asked for"):
        effective({"temperature": 1.5})
    with pytest.raises(PolicyDenied, match="locked"):
        save_user_settings({"temperature": 1.0})
    save_user_settings({"top_p": 0.9})  # an unlocked one is saved
    assert effective()["top_p"] == 0.9


def test_a_policy_settings_table_is_checked(policy: Any) -> None:
    rules = load_policy(policy("[settings]\ntemperature = 7\nwizardry = 1\n"))
    assert not rules.valid and any("temperature" in e for e in rules.errors) and any("wizardry" in e for e in rules.errors)
    assert rules["locked_settings"] == list(rules.values["locked_settings"])  # restrictive fallback: everything locked


def test_the_session_applies_locks_and_caps(session: ChatSession, genuine: Path, policy: Any) -> None:
    policy('locked_settings = ["max_tokens"]\nmax_context = 1024\n[settings]\nmax_tokens = 3\n')
    notices, _ = session.apply_settings()
    assert session.params.max_tokens == 3 and session.options.n_ctx == 1024
    session.load(genuine).result(timeout=60)
    ended, _ = run(lambda cb: session.ask("how long?", cb))
    assert ended.summary.completion_tokens == 3 and ended.status == "truncated"


# --- turns: what is stored, what a client sees --------------------------------------------------


def test_ask_regenerate_edit_and_the_events_a_client_gets(session: ChatSession, genuine: Path) -> None:
    session.load(genuine).result(timeout=60)
    first, events = run(lambda cb: session.ask("hello", cb))
    store = session.store
    assert store is not None and first.message_id is not None
    assert [type(e.event) for e in events][-1] is TurnEnded and sum(isinstance(e.event, TurnEnded) for e in events) == 1
    assert all(e.message_id == first.message_id for e in events)  # every piece names its answer
    pieces = [e for e in events if isinstance(e.event, (ContentDelta, ReasoningDelta))]
    assert pieces and pieces[-1].content_chars == len(first.content)  # running lengths let a late viewer skip what it has
    stored = store.message(first.message_id)
    assert (stored.status, stored.content, stored.completion_tokens, stored.model_id) == (
        "truncated",
        first.content,
        6,
        "test-tiny",
    )
    question = stored.parent_id
    assert question is not None

    again, _ = run(lambda cb: session.regenerate(first.message_id, cb))  # type: ignore[arg-type]
    assert [m.id for m in store.siblings(first.message_id)] == [first.message_id, again.message_id]
    edited, _ = run(lambda cb: session.edit(question, "hello, edited", cb))
    thread = store.thread(session.conversation_id)  # type: ignore[arg-type]
    assert thread[0].content == "hello, edited" and thread[-1].id == edited.message_id
    assert len(store.siblings(thread[0].id)) == 2


def test_the_answer_is_stored_before_a_client_hears_it_ended(session: ChatSession, genuine: Path) -> None:
    """Recording is on the engine's side of the stream: when the client's callback gets the end,
    the store already holds the final text and status, whatever the client does with events."""
    session.load(genuine).result(timeout=60)
    seen: list[tuple[str, str]] = []
    store = session.store
    assert store is not None

    def slow_client(item: TurnEvent) -> None:
        if isinstance(item.event, TurnEnded):
            message = store.message(item.message_id)  # type: ignore[arg-type]
            seen.append((message.status, message.content))

    ended = session.ask("record me", slow_client).future.result(timeout=60)
    assert seen == [(ended.status, ended.content)] and ended.content


def test_a_failing_client_does_not_lose_the_answer(session: ChatSession, genuine: Path) -> None:
    session.load(genuine).result(timeout=60)

    def broken(_item: TurnEvent) -> None:
        raise RuntimeError("a display bug")

    ended = session.ask("still stored?", broken).future.result(timeout=60)
    assert ended.status == "truncated" and session.store.message(ended.message_id).content == ended.content  # type: ignore[union-attr]


def test_an_interrupted_answer_is_continued(session: ChatSession, genuine: Path) -> None:
    session.load(genuine).result(timeout=60)
    store = session.store
    assert store is not None
    first, _ = run(lambda cb: session.ask("tell me more", cb))
    store.update_message(first.message_id, status="interrupted")  # type: ignore[arg-type]  # what a crash leaves
    more, events = run(lambda cb: session.continue_answer(first.message_id, cb))  # type: ignore[arg-type]
    assert (
        more.message_id == first.message_id and more.content.startswith(first.content) and len(more.content) > len(first.content)
    )
    assert events[0].content_chars > len(first.content)  # counts go on from the text that was there
    stored = store.message(first.message_id)
    assert stored.status == "truncated" and stored.content == more.content
    store.update_message(first.message_id, status="complete")  # type: ignore[arg-type]
    with pytest.raises(HearthError, match="only a truncated, interrupted or stopped answer"):
        session.continue_answer(first.message_id)  # type: ignore[arg-type]


def test_a_second_question_while_one_streams_is_refused(session: ChatSession, genuine: Path) -> None:
    session.load(genuine).result(timeout=60)
    session.params = replace(FIXED, max_tokens=2000)
    holds = Holds(1)  # the answer waits at its first token until the test has asked again
    session.logits_processor = holds
    turn = session.ask("long")
    assert holds.reached[1].wait(30)
    with pytest.raises(SessionBusyError):
        session.ask("impatient")
    session.cancel()
    holds.release[1].set()
    assert turn.future.result(timeout=60).status == "cancelled"


def test_without_a_store_the_session_keeps_the_history_in_memory(registry: Registry, catalog: Catalog, genuine: Path) -> None:
    chat = ChatSession(EngineWorker(), None, registry, catalog)
    chat.params = FIXED
    try:
        chat.load(genuine).result(timeout=60)
        one = chat.ask("first").future.result(timeout=60)
        two = chat.ask("second").future.result(timeout=60)
        assert one.message_id is None and two.summary.prompt_tokens > one.summary.prompt_tokens  # the first turn came along
        with pytest.raises(HearthError, match="not stored"):
            chat.regenerate(1)
    finally:
        chat.shutdown()


def test_an_answer_that_cannot_start_ends_with_one_error_event(session: ChatSession, genuine: Path) -> None:
    session.load(genuine).result(timeout=60)
    ended, events = run(lambda cb: session.ask("word " * 6000, cb))  # longer than the 4096-token context
    assert [type(e.event) for e in events] == [TurnEnded]
    assert ended.status == "error" and "too long for the context" in (ended.summary.error or "")
    assert isinstance(ended.failure, HearthError) and ended.failure.exit_code == 5
    assert session.store.message(ended.message_id).status == "error"  # type: ignore[union-attr]
    assert not session.busy


def test_stopping_one_session_never_cuts_another_on_the_same_engine(session: ChatSession, genuine: Path) -> None:
    """The window and the local API share one engine: stopping the API's answer (its client went
    away) while the window's answer runs stops only the API's, which then never starts."""
    session.load(genuine).result(timeout=60)
    api = session.sibling(None)
    holds = Holds(1)
    session.logits_processor = holds
    window_turn = session.ask("the window's question")
    assert holds.reached[1].wait(30)
    api_turn = api.ask("the API's question")  # queued behind the window's answer on the one worker
    api.cancel()
    holds.release[1].set()
    session.logits_processor = None
    window_end = window_turn.future.result(timeout=60)
    api_end = api_turn.future.result(timeout=60)
    assert window_end.status == "truncated" and window_end.summary.completion_tokens == FIXED.max_tokens
    assert api_end.status == "cancelled" and api_end.summary.completion_tokens == 0
    assert api.model is session.model  # one model in memory, seen by both


def test_a_conversation_keeps_its_own_system_prompt_and_sampling(session: ChatSession, genuine: Path, policy: Any) -> None:
    session.load(genuine).result(timeout=60)
    session.set_conversation_settings(system_prompt="Be brief.", temperature=0.3)  # before its first question
    run(lambda cb: session.ask("first", cb))
    first = session.conversation_id
    assert first is not None and session.store is not None
    stored = session.store.get_conversation(first).settings
    assert stored["system"] == "Be brief." and stored["sampling"]["temperature"] == 0.3
    session.new_conversation()  # the next one takes the defaults again
    assert session.conversation_settings().system_prompt == "" and session.params.temperature != 0.3
    save_user_settings({"temperature": 0.9, "system_prompt": "Today's default."})
    session.apply_settings()
    session.open_conversation(first)  # reopened: its own, not today's defaults
    assert session.params.temperature == 0.3
    assert session.conversation_settings().system_prompt == "Be brief."
    assert session.history(first, None)[0].content == "Be brief."
    session.set_conversation_settings(temperature=0.5, top_p=0.8)  # changed from the conversation
    session.new_conversation()
    assert session.params.temperature == 0.9 and session.conversation_settings().system_prompt == "Today's default."
    session.open_conversation(first)
    assert (session.params.temperature, session.params.top_p) == (0.5, 0.8)
    with pytest.raises(HearthError, match="must be a number from 0 to 2"):
        session.set_conversation_settings(temperature=7.0)
    policy('locked_settings = ["temperature"]\n[settings]\ntemperature = 0.2\n')
    session.apply_settings()
    session.open_conversation(first)
    assert session.params.temperature == 0.2 and "temperature" in session.conversation_settings().locked
    with pytest.raises(HearthError, match="policy decides the temperature"):
        session.set_conversation_settings(temperature=0.4)
