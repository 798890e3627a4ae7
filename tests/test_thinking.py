"""Thinking under the user's control, on real models: the modes each family's template offers,
R1's "off", the thinking budget apart from the answer's, an answer that never left its think
block, the mode stored per conversation, and the catalog's sampling for settings nobody chose.

Outputs are forced with logits processors (or run their whole budget with ``ignore_eos``), so
nothing depends on what random weights would say."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import llama_cpp
import numpy as np
import pytest

from app.core.chat import thinking
from app.core.chat.session import ChatSession
from app.core.engine.base import Message, SamplingParams, collect
from app.core.engine.events import StopReason
from app.core.engine.llama import Engine, LoadOptions
from app.core.engine.reasoning import ReasoningSplitter
from app.core.engine.templates import ChatTemplate, load_family_template
from app.core.engine.worker import EngineWorker
from app.core.models.catalog import Catalog, validate
from app.core.models.registry import Registry
from app.core.privacy.locks import effective, save_user_settings
from app.core.store.database import Store
from tests.gguf_factory import TinySpec, family_spec
from tests.hub_fixtures import tiny_catalog_data

Processor = Callable[[np.ndarray, np.ndarray], np.ndarray]


def forcing(tokens: list[int], then: int | None = None) -> Processor:
    """Make the model write ``tokens``, then ``then`` forever (or end its turn after them)."""
    state = {"i": 0}

    def force(_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        i = state["i"]
        state["i"] += 1
        token = tokens[i] if i < len(tokens) else then
        out = np.full_like(scores, -np.inf)
        out[token if token is not None else int(np.argmax(scores))] = 0.0
        return out

    return force


def tokens_of(path: Path, text: str, *, end: bool = True) -> list[int]:
    vocab = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
    try:
        ids = vocab.tokenize(text.encode(), add_bos=False, special=True)
        return [*ids, vocab.token_eos()] if end else list(ids)
    finally:
        vocab.close()


@pytest.fixture
def r1(models: Any, engine: Engine) -> Engine:
    engine.load(str(models.family("r1-distill-qwen", quant="Q8_0")), LoadOptions(n_ctx=2048))
    return engine


# --- the modes each template offers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "levels"),
    [
        ("deepseek-r1", ("off", "on")),
        ("deepseek-v3", ()),
        ("deepseek-v2", ()),
        ("deepseek-v3.1", ("off", "on")),
        ("deepseek-v3.2", ("off", "on")),
        ("deepseek-v4", ("off", "on", "high", "max")),
    ],
)
def test_each_family_template_offers_its_modes(family: str, levels: tuple[str, ...]) -> None:
    template = ChatTemplate(load_family_template(family), "<s>", "</s>")
    assert thinking.template_levels(template) == levels
    assert thinking.family_levels(family) == levels


def test_a_mode_the_model_lacks_falls_back_to_the_nearest() -> None:
    assert thinking.resolve("max", ("off", "on")) == "on"
    assert thinking.resolve("high", ("off", "on", "high", "max")) == "high"
    assert thinking.resolve("on", ()) is None
    assert thinking.resolve(None, ("off", "on")) == "on"
    assert thinking.family_levels("a family nobody knows") == ("off", "on", "high", "max")


@pytest.mark.parametrize("pieces", [["</think>hello"], ["</th", "ink>", "hel", "lo"], ["  </think>\n\nhello"]])
def test_a_think_block_the_prompt_closed_is_not_shown_when_echoed(pieces: list[str]) -> None:
    splitter = ReasoningSplitter(prefilled=False)
    events = [e for p in pieces for e in splitter.feed(p)] + splitter.flush()
    assert "".join(e.text for e in events) == "hello" and splitter.reasoning == ""


# --- R1's off, the thinking budget -----------------------------------------------------------


def test_r1_off_closes_the_think_block_in_the_prompt(r1: Engine, models: Any) -> None:
    path = models.family("r1-distill-qwen", quant="Q8_0")
    history = [Message("user", "2+2?")]
    plain = SamplingParams(temperature=0.0, max_tokens=32)
    _, _, on = collect(r1.chat(history, replace(plain, thinking="on"), logits_processor=forcing(tokens_of(path, "x</think>y"))))
    reasoning, content, off = collect(
        r1.chat(history, replace(plain, thinking="off"), logits_processor=forcing(tokens_of(path, "just the answer")))
    )
    assert (reasoning, content) == ("", "just the answer")
    assert off.prompt_tokens == on.prompt_tokens + len(r1.tokenize("\n</think>\n\n"))
    assert off.reasoning_tokens == 0 and on.reasoning_tokens == 2  # 'x' and the closing tag


def test_reasoning_that_reaches_its_budget_is_closed_and_the_answer_keeps_its_own(r1: Engine, models: Any) -> None:
    path = models.family("r1-distill-qwen", quant="Q8_0")
    word = tokens_of(path, "x", end=False)[0]
    params = SamplingParams(temperature=0.0, max_tokens=8, thinking_budget=10, ignore_eos=True)
    reasoning, content, summary = collect(r1.chat([Message("user", "think forever")], params, logits_processor=forcing([], word)))
    assert summary.reasoning_tokens == 10
    assert summary.completion_tokens == 18 and summary.stop_reason is StopReason.LENGTH
    assert reasoning == "x" * 10 and content == "x" * 8
    assert summary.notice and "budget of 10 tokens" in summary.notice


def test_without_a_thinking_budget_reasoning_may_use_the_whole_budget(r1: Engine, models: Any) -> None:
    path = models.family("r1-distill-qwen", quant="Q8_0")
    word = tokens_of(path, "x", end=False)[0]
    params = SamplingParams(temperature=0.0, max_tokens=12, ignore_eos=True)
    reasoning, content, summary = collect(r1.chat([Message("user", "q")], params, logits_processor=forcing([], word)))
    assert (reasoning, content, summary.reasoning_tokens, summary.notice) == ("x" * 12, "", 12, None)


# --- the session: never closed, stored per conversation, catalog sampling -------------------


@pytest.fixture
def tiny_r1(models: Any, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(models(TinySpec(quant="Q8_0", seed=11, template="deepseek-r1")), tmp_path / "tiny-Q8_0.gguf"))


def catalog_for(path: Path, temperature: float = 1.0, top_p: float = 1.0) -> Catalog:
    data = tiny_catalog_data({"tiny-Q8_0.gguf": path.read_bytes()})
    data["models"][0]["sampling"] = {"temperature": temperature, "top_p": top_p}
    return Catalog(tuple(validate(data, "test")))


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_r1: Path) -> Iterator[ChatSession]:
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "home"))
    store = Store(tmp_path / "data" / "conversations.db")
    chat = ChatSession(EngineWorker(), store, Registry(), catalog_for(tiny_r1))
    yield chat
    chat.shutdown()
    store.close()


def test_an_answer_never_closed_is_kept_as_the_answer(session: ChatSession, tiny_r1: Path) -> None:
    session.load(tiny_r1).result(timeout=60)
    session.logits_processor = forcing(tokens_of(tiny_r1, "The answer is 4."))
    session.params = replace(session.params, max_tokens=64, temperature=0.0)
    seen: list[Any] = []
    ended = session.ask("2+2?", seen.append).future.result(timeout=60)
    assert (ended.reasoning, ended.content) == ("", "The answer is 4.")
    assert ended.status == "complete" and ended.summary.notice == thinking.NEVER_CLOSED
    stored = session.store.message(ended.message_id)  # type: ignore[union-attr,arg-type]
    assert (stored.reasoning, stored.content) == ("", "The answer is 4.")
    assert any(getattr(e.event, "text", "") == "The answer is 4." and type(e.event).__name__ == "ContentDelta" for e in seen)


def test_the_thinking_mode_is_stored_with_each_conversation(session: ChatSession, tiny_r1: Path) -> None:
    session.load(tiny_r1).result(timeout=60)
    session.params = replace(session.params, max_tokens=4, ignore_eos=True)
    assert session.thinking_levels == ("off", "on") and session.thinking == "on"
    first = session.ask("one").future.result(timeout=60)
    session.set_thinking("off")
    first_id = session.conversation_id
    assert session.store.get_conversation(first_id).settings["thinking"] == "off"  # type: ignore[union-attr,arg-type]
    session.new_conversation()
    assert session.thinking == "on"  # a new conversation takes the default
    session.ask("two").future.result(timeout=60)
    session.open_conversation(first_id)  # type: ignore[arg-type]
    assert session.thinking == "off"
    ended = session.ask("three").future.result(timeout=60)
    assert ended.summary.reasoning_tokens == 0 and first.status in ("truncated", "complete")
    session.set_thinking("max")  # stored as asked; this model offers on/off, so it answers with "on"
    assert session.thinking == "on"
    with pytest.raises(Exception, match="no thinking mode 'loud'"):
        session.set_thinking("loud")


def test_new_conversations_use_the_catalogs_sampling_unless_the_user_chose(session: ChatSession, tiny_r1: Path) -> None:
    session.load(tiny_r1).result(timeout=60)
    assert (session.params.temperature, session.params.top_p) == (1.0, 1.0)
    save_user_settings({"temperature": 0.3})
    session._use(effective())
    session.load(tiny_r1).result(timeout=60)
    assert (session.params.temperature, session.params.top_p) == (0.3, 1.0)


def test_v4_thinking_levels_reach_the_prompt(models: Any, engine: Engine) -> None:
    engine.load(str(models(family_spec("v4"))), LoadOptions(n_ctx=1024))
    messages = [Message("user", "hi")]
    sizes = {}
    for level in ("off", "on", "max"):
        _, _, summary = collect(engine.chat(messages, SamplingParams(max_tokens=2, ignore_eos=True, thinking=level)))
        sizes[level] = summary.prompt_tokens
    assert sizes["max"] > sizes["on"] + 50  # the effort preamble
    assert sizes["on"] == sizes["off"]  # "<think>" and "</think>" are one token each


def test_a_thinking_mode_the_policy_locks_cannot_be_changed(
    session: ChatSession, tiny_r1: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('locked_settings = ["thinking"]\n[settings]\nthinking = "off"\n', encoding="utf-8")
    monkeypatch.setenv("HEARTH_POLICY", str(policy))
    session._use(effective())
    session.load(tiny_r1).result(timeout=60)
    assert session.thinking_locked and session.thinking == "off"
    with pytest.raises(Exception, match="policy sets thinking to 'off'"):
        session.set_thinking("on")
    session.params = replace(session.params, max_tokens=2, ignore_eos=True)
    session.ask("one").future.result(timeout=60)
    conversation = session.conversation_id
    session.store.update_conversation(conversation, settings={"thinking": "on"})  # type: ignore[union-attr,arg-type]
    session.open_conversation(conversation)  # type: ignore[arg-type]
    assert session.thinking == "off"  # the stored mode does not override the lock
