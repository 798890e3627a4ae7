"""A conversation's own settings: its system prompt, sampling and thinking mode.

A conversation is created with the defaults of the moment (stored with it), and keeps them: one
reopened next month is answered with its own system prompt and sampling, not with whatever the
defaults have become.  They are shown and changed from the conversation (the window's
conversation settings, ``/system`` and ``/temperature`` in ``hearth chat``).  A setting the
policy decides is the policy's everywhere, and a command-line flag wins for its session.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from app.core.engine.base import SamplingParams
from app.core.errors import HearthError
from app.core.privacy.locks import EffectiveSettings, locked_by_policy
from app.core.sentences import say
from app.core.settings import check_value
from app.core.store.database import Store

EDITABLE = ("system_prompt", "temperature", "top_p")


@dataclass(frozen=True)
class ConversationSettings:
    system_prompt: str
    temperature: float
    top_p: float
    thinking: str | None
    locked: frozenset[str]  # of EDITABLE: those the policy decides (shown, not editable)


class ConversationSettingsChoice:
    """The per-conversation half of a :class:`~app.core.chat.session.ChatSession`."""

    store: Store | None
    conversation_id: int | None
    params: SamplingParams
    system_prompt: str
    settings: EffectiveSettings
    _overrides: dict[str, Any]

    def _locked(self) -> frozenset[str]:
        return frozenset(name for name in EDITABLE if locked_by_policy(name, self.settings.policy))

    def conversation_settings(self) -> ConversationSettings:
        """What the next answer in this conversation (or the new one) is made with."""
        return ConversationSettings(
            self._system_prompt_now(), self.params.temperature, self.params.top_p, self.params.thinking, self._locked()
        )

    def _system_prompt_now(self) -> str:
        if self.store is None or self.conversation_id is None or "system_prompt" in self._locked():
            return self.system_prompt
        return str(self.store.get_conversation(self.conversation_id).settings.get("system", self.system_prompt))

    def set_conversation_settings(self, **changes: Any) -> None:
        """Change this conversation's settings (stored with it) or, before its first question,
        those it will start with.  A setting the policy decides is refused, with the reason."""
        for name, value in changes.items():
            if name not in EDITABLE:
                raise HearthError(say("'{name}' is not a setting of a conversation.", name=name))
            if name in self._locked():
                raise HearthError(
                    say(
                        "Your organisation's policy decides the {value}; it cannot be changed here.", value=name.replace("_", " ")
                    )
                )
            if (problem := check_value(name, value)) is not None:
                raise HearthError(say("Cannot change the conversation's settings: {problem}.", problem=problem))
        if "system_prompt" in changes:
            self.system_prompt = str(changes["system_prompt"]).strip()
        sampling: dict[str, Any] = {k: float(v) for k, v in changes.items() if k in ("temperature", "top_p")}
        self.params = replace(self.params, **sampling)
        if self.store is not None and self.conversation_id is not None:
            stored = dict(self.store.get_conversation(self.conversation_id).settings)
            if "system_prompt" in changes:
                stored["system"] = self.system_prompt
            stored["sampling"] = {**stored.get("sampling", {}), **sampling}
            self.store.update_conversation(self.conversation_id, settings=stored)

    def _follow_stored_settings(self, stored: dict[str, Any]) -> None:
        """A conversation was opened: its stored sampling applies (a flag or the policy wins)."""
        locked = self._locked()
        sampling = stored.get("sampling") or {}
        free = [name for name in ("temperature", "top_p") if name not in locked and name not in self._overrides]
        changes: dict[str, Any] = {
            name: float(sampling[name]) for name in free if name in sampling and check_value(name, sampling[name]) is None
        }
        self.params = replace(self.params, **changes)

    def _default_settings(self) -> None:
        """A new conversation: the defaults of the moment (the settings file, the policy, flags)."""
        self.system_prompt = str(self.settings["system_prompt"] or "")
        self.params = replace(self.params, temperature=float(self.settings["temperature"]), top_p=float(self.settings["top_p"]))
