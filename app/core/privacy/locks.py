"""The settings that apply: the user's own, under the policy's locks, values and caps.

Every client asks here, so a locked setting means the same thing in the
window, in ``hearth chat`` and in whatever comes next: the user's
``settings.json`` is read but a locked entry in it has no effect, and an
explicit request (a command-line flag) that contradicts a lock is refused.
A locked setting takes the policy's value from its ``[settings]`` table, or
Hearth's default when the policy gives none; an unlocked one takes the user's
value, else the policy's suggested value, else Hearth's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core import settings
from app.core.privacy.policy import SETTING_NAMES, Policy, PolicyDenied
from app.core.privacy.policy import load as load_policy
from app.core.sentences import say


@dataclass(frozen=True)
class EffectiveSettings:
    values: dict[str, Any]
    locked: frozenset[str]
    notices: tuple[str, ...]  # caps that lowered a value, said once to the user
    policy: Policy
    # Settings someone chose: the policy (locked or given), a flag, or the user (a value other than
    # Hearth's default).  The others may follow the model: the catalog's recommended sampling.
    chosen: frozenset[str] = frozenset()

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def retention_days(self) -> int | None:
        value = self.values["retention_days"]  # the policy's top-level key already applied (decided_by_policy)
        return int(value) if value else None


def decided_by_policy(rules: Policy) -> dict[str, Any]:
    """Settings a top-level policy key decides outright, with the value it gives them: retention,
    the local API (off where forbidden), whether API conversations are stored."""
    decided: dict[str, Any] = {}
    if rules["retention_days"] is not None:
        decided["retention_days"] = rules["retention_days"]
    if not rules["allow_local_api"]:
        decided["api_enabled"] = False
    if rules["store_api_conversations"] is not None:
        decided["api_store_conversations"] = bool(rules["store_api_conversations"])
    return decided


def _describe(value: Any) -> str:
    return "none" if value is None else repr(value) if isinstance(value, str) else str(value)


def effective(
    overrides: Mapping[str, Any] | None = None,
    *,
    rules: Policy | None = None,
    user: Mapping[str, Any] | None = None,
) -> EffectiveSettings:
    """The values to use now.  ``overrides``: what the user asked for explicitly this time (flags);
    one that contradicts a locked setting raises :class:`PolicyDenied`."""
    rules = rules or load_policy()
    user = settings.load() if user is None else user
    locked = frozenset(name for name in SETTING_NAMES if rules.locked(name))
    given: Mapping[str, Any] = rules["settings"]
    values: dict[str, Any] = {**settings.DEFAULTS, **user}
    for name in SETTING_NAMES:
        if name in locked:
            values[name] = given.get(name, settings.DEFAULTS[name])
        elif name not in user and name in given:
            values[name] = given[name]
    for name, value in (overrides or {}).items():
        if name in locked and value != values[name]:
            raise PolicyDenied(
                say(
                    "The setting '{name}' is locked to {name2} by your organisation's policy; {value} was asked for.",
                    name=name,
                    name2=_describe(values[name]),
                    value=_describe(value),
                ),
                say("Leave it out to use the organisation's value."),
            )
        values[name] = value
    values.update(decided_by_policy(rules))
    chosen = frozenset(
        name
        for name in SETTING_NAMES
        if name in locked or name in given or name in (overrides or {}) or values[name] != settings.DEFAULTS[name]
    )
    notices: list[str] = []
    context, notice = rules.cap("max_context", int(values["context"]))
    values["context"] = context
    notices += [notice] if notice else []
    gpu_layers, notice = rules.cap_gpu_layers(values["gpu_layers"])
    values["gpu_layers"] = gpu_layers
    notices += [notice] if notice else []
    return EffectiveSettings(values, locked, tuple(notices), rules, chosen)


def locked_by_policy(name: str, rules: Policy) -> bool:
    """Whether the user may not change ``name``: a lock, or a policy key that decides it."""
    return rules.locked(name) or name in decided_by_policy(rules)


def save_user_settings(changes: Mapping[str, Any], rules: Policy | None = None) -> dict[str, Any]:
    """Save the user's own settings; a setting the policy decides is refused, not silently kept."""
    rules = rules or load_policy()
    for name in changes:
        if locked_by_policy(name, rules):
            raise PolicyDenied(
                say("The setting '{name}' is locked by your organisation's policy and cannot be changed here.", name=name)
            )
    return settings.save(dict(changes))
