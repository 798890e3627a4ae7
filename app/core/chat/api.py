"""The local API's rules, in core like every other client's: who may use it, what a request may
ask for, whether its conversations are stored, and how many requests may wait.

The HTTP server (:mod:`app.server`) only translates: it asks here whether the API may run, turns
a request's sampling fields into :class:`SamplingParams` through the same locks and caps as the
window and ``hearth chat``, and takes a place in the :class:`TurnQueue` before any model work.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from app.core.engine.base import SamplingParams
from app.core.errors import HearthError
from app.core.privacy.locks import effective
from app.core.privacy.policy import Policy
from app.core.privacy.policy import load as load_policy
from app.core.sentences import say

MAX_WAITING = 8  # requests queued behind the one being answered; more get 429
MAX_BODY_BYTES = 2 * 2**20  # a request body larger than this is refused (413)
MAX_MESSAGES = 2000
LOOPBACK = "127.0.0.1"


class QueueFullError(HearthError):
    """Too many requests are waiting already; the client should retry later (HTTP 429)."""


@dataclass(frozen=True)
class ApiConfig:
    port: int
    store_conversations: bool
    cors_origins: tuple[str, ...]


def api_config(port: int | None = None, rules: Policy | None = None) -> ApiConfig:
    """The API's configuration now; raises PolicyDenied where the policy forbids the API."""
    rules = rules or load_policy()
    rules.require_local_api()
    values = effective(rules=rules).values  # the policy's store_api_conversations already applied
    return ApiConfig(int(port or values["api_port"]), bool(values["api_store_conversations"]), tuple(values["api_cors_origins"]))


def request_params(fields: dict[str, Any], base: SamplingParams) -> SamplingParams:
    """A request's sampling fields under the same locks and caps as every client: asking for a
    value other than a locked one is refused (PolicyDenied), as a command-line flag is."""
    names = {"temperature": "temperature", "top_p": "top_p", "max_tokens": "max_tokens"}
    overrides = {setting: fields[name] for name, setting in names.items() if fields.get(name) is not None}
    values = effective(overrides).values
    stop = fields.get("stop") or ()
    return replace(
        base,
        temperature=float(values["temperature"]),
        top_p=float(values["top_p"]),
        max_tokens=int(values["max_tokens"]),
        seed=fields.get("seed"),
        stop=(stop,) if isinstance(stop, str) else tuple(stop),
    )


class TurnQueue:
    """One answer at a time through the API, a bounded number waiting: a request either gets its
    turn or is refused at once (429), never dropped silently."""

    def __init__(self, max_waiting: int = MAX_WAITING) -> None:
        self.max_waiting = max_waiting
        self._lock = threading.Lock()
        self._turn = threading.Lock()
        self.waiting = 0
        self.answering = False

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        with self._lock:
            if self.waiting >= self.max_waiting:
                raise QueueFullError(
                    say("Hearth is busy: {waiting} request(s) are waiting already.", waiting=self.waiting),
                    say("Try again in a moment."),
                )
            self.waiting += 1
        with self._turn:
            with self._lock:
                self.waiting -= 1
                self.answering = True
            try:
                yield
            finally:
                self.answering = False
