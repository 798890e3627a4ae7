"""A conversation's branch as the window reads it: the chain of ids at once, the messages when shown.

Opening a 2,000-message conversation read every message's text (6-13 ms on this machine, on the
UI thread, in the click that opened it) although the window builds only the last 40 and the rest
when the reader asks for them.  The chain is walked over ids and parents only (~1 ms); the
messages are read in pages, newest first, as the view reaches them (~0.3 ms a page).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from app.core.errors import StoreError
from app.core.sentences import say

if TYPE_CHECKING:
    from app.core.store.database import Store, StoredMessage

PAGE = 40  # messages read at a time: what the window builds when a conversation opens


def branch_chain(rows: Sequence[Any], leaf: int | None) -> list[Any]:
    """The rows (``id``, ``parent_id`` first) from the root to ``leaf``, following parents.
    Every row of the conversation is given (one index scan): a recursive CTE took 25 ms for a
    2,000-message branch, this walk a few.  The length bound ends a cycle, should one be stored."""
    by_id = {row[0]: row for row in rows}
    chain: list[Any] = []
    for _step in range(len(by_id)):
        row = by_id.get(leaf)
        if row is None:
            break
        chain.append(row)
        leaf = row[1]
    chain.reverse()
    return chain


def branch_ids(store: Store, conversation_id: int, leaf: int | None) -> list[int]:
    rows = store.query("SELECT id, parent_id FROM messages WHERE conversation_id = ?", (conversation_id,))
    return [row[0] for row in branch_chain(rows, leaf)]


class LazyThread(Sequence["StoredMessage"]):
    """The messages of one branch, oldest first, read from the store a page at a time when first
    indexed (a page ends at the message asked for: the window walks back from the newest)."""

    def __init__(self, store: Store, ids: list[int]) -> None:
        self.store = store
        self.ids = ids
        self._read: dict[int, StoredMessage] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def read(self) -> int:
        """How many of its messages have been read from the store so far."""
        return len(self._read)

    @overload
    def __getitem__(self, index: int) -> StoredMessage: ...

    @overload
    def __getitem__(self, index: slice) -> list[StoredMessage]: ...

    def __getitem__(self, index: int | slice) -> StoredMessage | list[StoredMessage]:
        if isinstance(index, slice):
            wanted = self.ids[index]
            self._fetch([i for i in wanted if i not in self._read])
            return [self._message(i) for i in wanted]
        message_id = self.ids[index]  # IndexError past either end, as a list
        if message_id not in self._read:
            position = index % len(self.ids)
            page = self.ids[max(0, position - PAGE + 1) : position + 1]
            self._fetch([i for i in page if i not in self._read])
        return self._message(message_id)

    def __iter__(self) -> Iterator[StoredMessage]:
        for start in range(0, len(self.ids), PAGE * 10):
            yield from self[start : start + PAGE * 10]

    def _fetch(self, ids: list[int]) -> None:
        from app.core.store.database import MESSAGE_FIELDS, StoredMessage

        for start in range(0, len(ids), 500):  # under SQLite's limit on a statement's parameters
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.store.query(f"SELECT {MESSAGE_FIELDS} FROM messages WHERE id IN ({marks})", tuple(chunk))
            self._read.update((row[0], StoredMessage.from_row(row)) for row in rows)

    def _message(self, message_id: int) -> StoredMessage:
        message = self._read.get(message_id)
        if message is None:  # deleted since the branch was read; the window re-reads it after a delete
            raise StoreError(say("There is no message {message_id}.", message_id=message_id))
        return message
