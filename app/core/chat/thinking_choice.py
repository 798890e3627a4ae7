"""The thinking half of a :class:`~app.core.chat.session.ChatSession`: the modes the answering
model offers, the mode of the next answer (stored with the conversation), and the sampling that
follows the model's catalog entry.  The rules themselves are in :mod:`app.core.chat.thinking`."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from app.core.chat import thinking as modes
from app.core.chat.choice import ChosenModel, ModelSlot
from app.core.chat.remote_choice import RemoteModel
from app.core.engine.base import THINKING_LEVELS, SamplingParams
from app.core.errors import HearthError, UnknownModelError
from app.core.models.catalog import Catalog, CatalogModel
from app.core.privacy.locks import EffectiveSettings
from app.core.sentences import say
from app.core.store.database import Store


class ThinkingChoice:
    slot: ModelSlot
    catalog: Catalog
    params: SamplingParams
    settings: EffectiveSettings
    store: Store | None
    conversation_id: int | None

    if TYPE_CHECKING:  # ModelChoice's, beside this class in ChatSession

        @property
        def model(self) -> ChosenModel | None: ...

        @property
        def remote(self) -> RemoteModel | None: ...

    @property
    def thinking_levels(self) -> tuple[str, ...]:
        """The thinking modes the answering model offers (empty: it has no choice)."""
        if self.slot.loaded is not None:
            return modes.template_levels(self.slot.loaded.template)
        remote = self.remote
        if remote is not None:
            entry = self._catalog_entry(remote.model_id)
            return modes.family_levels(entry.template if entry else None)
        return THINKING_LEVELS

    @property
    def thinking(self) -> str | None:
        """The mode the next answer uses, as the model offers it (None: the model has no choice)."""
        return modes.resolve(self.params.thinking, self.thinking_levels)

    @property
    def thinking_locked(self) -> bool:
        """Whether the organisation's policy decides the thinking mode (the control is read-only)."""
        return self.settings.policy.locked("thinking")

    def set_thinking(self, level: str) -> None:
        """The user chose a thinking mode: it applies from the next answer and is stored with the
        conversation (a new one takes it when it is created)."""
        if level not in THINKING_LEVELS:
            raise HearthError(
                say("There is no thinking mode '{level}'.", level=level),
                say("Choose one of: {value}.", value=", ".join(THINKING_LEVELS)),
            )
        if self.thinking_locked and level != self.settings["thinking"]:
            raise HearthError(
                say("Your organisation's policy sets thinking to '{thinking}'.", thinking=self.settings["thinking"])
            )
        self.params = replace(self.params, thinking=level)
        if self.store is not None and self.conversation_id is not None:
            stored = self.store.get_conversation(self.conversation_id).settings
            self.store.update_conversation(self.conversation_id, settings={**stored, "thinking": level})

    def _catalog_entry(self, model_id: str | None) -> CatalogModel | None:
        try:
            return self.catalog.get(model_id) if model_id else None
        except UnknownModelError:
            return None

    def _follow_model_sampling(self) -> None:
        """Temperature and top-p nobody chose follow the catalog's recommendation for the model
        that answers (V4: 1.0 / 1.0; R1 and V3.x: 0.6 / 0.95)."""
        entry = self._catalog_entry(self.model.identity.model_id if self.model is not None else None)
        if entry is None:
            return
        changes = {name: getattr(entry, name) for name in ("temperature", "top_p") if name not in self.settings.chosen}
        self.params = replace(self.params, **changes)
