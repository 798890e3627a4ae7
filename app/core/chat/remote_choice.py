"""Choosing a model on a remote engine: the policy's word, the server's model list, the engine.

The remote counterpart of :mod:`.gate`: the engine must be one that counts
under today's policy (its URL https-only unless loopback or listed), the
model must be allowed there, and the server must answer ``/v1/models`` with
that model under the stored key, before the session lets go of the model it
has.  A refused or unreachable server therefore leaves the current model
answering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.engine import endpoints
from app.core.engine.endpoints import Endpoint, ServedModel, Timeouts
from app.core.errors import HearthError, RemoteModelNotFoundError
from app.core.models.identity import Identity
from app.core.privacy import secrets
from app.core.privacy.policy import Policy
from app.core.sentences import say

if TYPE_CHECKING:
    from app.core.engine.remote import RemoteEngine


@dataclass(frozen=True)
class RemoteModel:
    """A model served by a remote engine, as the session and its clients see it."""

    endpoint: Endpoint
    model_id: str
    context: int | None  # the server's context in tokens, when it says
    installed: None = None  # nothing of it is on this computer
    notices: tuple[str, ...] = ()

    @property
    def engine(self) -> str:
        return self.endpoint.name

    @property
    def identity(self) -> Identity:
        return Identity(self.model_id, "", False, "remote", self.model_id)

    @property
    def label(self) -> str:
        return f"{self.model_id} on {self.endpoint.name}"

    @property
    def spec(self) -> str:
        return f"{endpoints.REMOTE_PREFIX}{self.endpoint.name}/{self.model_id}"


def connect(name: str, model: str | None, rules: Policy, timeouts: Timeouts = Timeouts()) -> tuple[RemoteEngine, RemoteModel]:
    """Check everything about ``model`` on engine ``name`` and return an engine ready to answer.
    Without ``model``, the one model the server serves (and the policy allows there)."""
    endpoint = endpoints.find(name, rules)
    if model is not None:
        endpoint.require_model(model)
    token = secrets.engine_token(endpoint.name)
    from app.core.engine.remote import RemoteEngine  # httpx (~110 ms) only once a remote engine is used
    from app.core.engine.remote_http import list_models

    served = list_models(endpoint, token, timeouts)
    allowed = [m for m in served if endpoint.model_allowed(m.id)]
    if model is None:
        if len(allowed) != 1:
            offered = ", ".join(m.id for m in allowed) or "none the policy allows"
            raise HearthError(
                say("Which model on {name}? Give --model; it serves: {offered}.", name=endpoint.name, offered=offered)
            )
        model = allowed[0].id
    match = next((m for m in served if m.id == model), None)
    if match is None:
        offered = ", ".join(m.id for m in allowed) or "none"
        raise RemoteModelNotFoundError(
            say("{name} does not serve the model '{model}'.", name=endpoint.name, model=model),
            say("It serves: {offered}.", offered=offered),
        )
    where = f"Answers are computed on the server {endpoint.name} ({endpoint.host}), not on this computer."
    return RemoteEngine(endpoint, model, token, timeouts), RemoteModel(endpoint, model, match.context, notices=(where,))


@dataclass(frozen=True)
class EngineStatus:
    """An engine as ``hearth engines list`` and the window's model picker show it."""

    endpoint: Endpoint
    models: tuple[ServedModel, ...]  # what it serves that the policy allows there
    error: str | None  # why it could not be asked (unreachable, refused key, ...)
    has_key: bool

    @property
    def reachable(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.endpoint.to_json(),
            "reachable": self.reachable,
            "error": self.error,
            "has_key": self.has_key,
            "models": [{"id": m.id, "context": m.context} for m in self.models],
        }


def survey(rules: Policy, timeouts: Timeouts = Timeouts(connect_s=3.0, stall_s=10.0, attempts=1)) -> list[EngineStatus]:
    """Ask every configured engine for its models (one after the other, briefly: it is a listing).
    An engine whose URL today's policy refuses is listed with that reason."""
    engines = endpoints.configured(rules)
    if not engines:
        return []  # nothing to ask, and no HTTP client to import (httpx: ~110 ms of a launch)
    from app.core.engine.remote_http import list_models

    found: list[EngineStatus] = []
    for configured in engines:
        token = secrets.engine_token(configured.name)
        try:
            endpoint = endpoints.find(configured.name, rules)
            served = list_models(endpoint, token, timeouts)
        except HearthError as exc:
            found.append(EngineStatus(configured, (), str(exc), token is not None))
            continue
        allowed = tuple(m for m in served if endpoint.model_allowed(m.id))
        found.append(EngineStatus(endpoint, allowed, None, token is not None))
    return found
