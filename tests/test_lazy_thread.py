"""The branch the window shows is read a page at a time: opening a long conversation reads the
chain of ids and the newest page, and the rest when the view reaches it (real SQLCipher store)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import StoreError
from app.core.store.database import Store
from app.core.store.threads import PAGE


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("HEARTH_PASSPHRASE", "test")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    opened = Store(tmp_path / "conversations.db")
    yield opened
    opened.close()


def _long(store: Store, count: int) -> int:
    conversation = store.create_conversation("long")
    for i in range(count):
        store.add_message(conversation, "user" if i % 2 == 0 else "assistant", f"message {i}")
    return conversation


def test_a_long_branch_is_read_a_page_at_a_time_newest_first(store: Store) -> None:
    conversation = _long(store, 3 * PAGE + 5)
    lazy = store.lazy_thread(conversation)
    assert len(lazy) == 3 * PAGE + 5 and lazy.read == 0
    assert lazy[-1].content == f"message {3 * PAGE + 4}"
    assert lazy.read == PAGE  # the newest page, not the whole conversation
    assert lazy[-PAGE].content == f"message {2 * PAGE + 5}" and lazy.read == PAGE
    assert lazy[-PAGE - 1].content == f"message {2 * PAGE + 4}"
    assert lazy.read == 2 * PAGE
    assert [m.content for m in lazy] == [m.content for m in store.thread(conversation)]
    assert [m.id for m in lazy[2:5]] == lazy.ids[2:5]
    with pytest.raises(IndexError):
        lazy[len(lazy)]


def test_the_lazy_branch_is_the_active_one(store: Store) -> None:
    conversation = store.create_conversation("branches")
    q1 = store.add_message(conversation, "user", "first question")
    store.add_message(conversation, "assistant", "first answer")
    store.add_message(conversation, "user", "edited question", parent_id=None)
    store.add_message(conversation, "assistant", "answer to the edit")
    assert [m.content for m in store.lazy_thread(conversation)] == ["edited question", "answer to the edit"]
    store.select_branch(q1)
    assert [m.content for m in store.lazy_thread(conversation)] == ["first question", "first answer"]
    assert list(store.lazy_thread(store.create_conversation("empty"))) == []


def test_a_message_deleted_before_it_is_read_is_a_clear_error(store: Store) -> None:
    conversation = _long(store, 2 * PAGE)
    lazy = store.lazy_thread(conversation)
    store.delete_message(lazy.ids[1])  # and every reply built on it: all but the first
    assert lazy[0].content == "message 0"
    with pytest.raises(StoreError, match=f"There is no message {lazy.ids[-1]}"):
        lazy[-1]
