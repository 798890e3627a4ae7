"""Record one chat into the store as it happens (used by ``hearth chat`` and the GUI).

The conversation is created with the first user message (its start becomes
the title); each user turn is saved complete, each answer is streamed in with
:class:`StreamRecorder`.  A stored conversation can be resumed: its active
branch becomes the engine's history (reasoning kept apart, as always).
"""

from __future__ import annotations

from app.core.engine import Message
from app.core.store import Store
from app.core.store_stream import StreamRecorder

TITLE_CHARS = 60


def title_from(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


class ConversationRecorder:
    def __init__(
        self,
        store: Store,
        conversation_id: int | None = None,
        model_id: str | None = None,
        quant: str | None = None,
        system: str | None = None,
        sampling: dict[str, float] | None = None,
    ) -> None:
        self.store = store
        self.conversation_id = conversation_id
        self.model_id, self.quant, self.system = model_id, quant, system
        self.sampling = sampling or {}
        self.parent: int | None = None
        if conversation_id is not None:
            self.parent = store.get_conversation(conversation_id).active_leaf

    @classmethod
    def resume(
        cls, store: Store, conversation_id: int, model_id: str | None, quant: str | None
    ) -> tuple[ConversationRecorder, list[Message]]:
        conv = store.get_conversation(conversation_id)
        history = [Message(m.role, m.content, m.reasoning) for m in store.thread(conversation_id)]
        system = conv.settings.get("system")
        if system and not any(m.role == "system" for m in history):
            history.insert(0, Message("system", system))
        return cls(store, conversation_id, model_id, quant, system), history

    def user(self, text: str) -> int:
        if self.conversation_id is None:
            settings: dict[str, object] = {"sampling": self.sampling} if self.sampling else {}
            if self.system:
                settings["system"] = self.system
            self.conversation_id = self.store.create_conversation(title_from(text), self.model_id, self.quant, settings)
        self.parent = self.store.add_message(self.conversation_id, "user", text, parent_id=self.parent)
        return self.parent

    def start_answer(self) -> StreamRecorder:
        assert self.conversation_id is not None, "user() comes first"
        stream = StreamRecorder(self.store, self.conversation_id, self.parent, model_id=self.model_id, quant=self.quant)
        self.parent = stream.message_id
        return stream

    def switch_model(self, model_id: str | None, quant: str | None) -> None:
        self.model_id, self.quant = model_id, quant
        if self.conversation_id is not None:
            self.store.update_conversation(self.conversation_id, model_id=model_id, quant=quant)
