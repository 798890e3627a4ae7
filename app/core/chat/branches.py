"""The branches of a stored conversation: the one shown, switching to another, deleting a message
with the replies built on it.  (Regenerate and edit, which make branches, are turns: see
:mod:`.session`.)"""

from __future__ import annotations

from collections.abc import Sequence

from app.core.errors import HearthError
from app.core.sentences import say
from app.core.store.database import Store, StoredMessage


class Branches:
    """The branch half of a :class:`~app.core.chat.session.ChatSession`."""

    store: Store | None
    conversation_id: int | None
    leaf: int | None

    @property
    def busy(self) -> bool:
        raise NotImplementedError

    def _need_store(self) -> Store:
        raise NotImplementedError

    def open_conversation(self, conversation_id: int) -> None:
        raise NotImplementedError

    def delete_message(self, message_id: int) -> None:
        """Delete a message of this conversation and the replies built on it (never while an answer
        is being written: it may be one of them)."""
        if self.busy:
            raise HearthError(say("An answer is being written; stop it before deleting messages."))
        store = self._need_store()
        conversation = store.message(message_id).conversation_id
        leaf = store.delete_message(message_id)
        if conversation == self.conversation_id:
            self.leaf = leaf

    def thread(self) -> Sequence[StoredMessage]:
        """The open branch; its messages are read from the store as they are indexed."""
        if self.store is None or self.conversation_id is None:
            return []
        return self.store.lazy_thread(self.conversation_id)

    def select_branch(self, message_id: int) -> None:
        store = self._need_store()
        store.select_branch(message_id)
        if self.conversation_id is not None:
            self.open_conversation(self.conversation_id)
