"""Which remote engines exist: the policy's, then the user's own, and the rules for their URLs.

A remote engine is an on-prem OpenAI-compatible server (vLLM, SGLang,
llama-server) with a name.  IT declares engines in the machine policy
(``[[engines]]``: name, url, allowed models, CA bundle) and decides whether
users may add their own (``allow_user_engines``); users' engines live in
``engines.json`` in the config dir.  A policy engine always wins over a user
engine of the same name, and a user engine stops counting the moment the
policy forbids user engines.

URL rule, checked on add and again on every use (a policy can change under a
saved entry): ``https://`` only, except loopback and the hosts the policy
lists in ``http_hosts``, because a prompt and the API key would otherwise
cross the network in clear text.  No user name or password in the URL (they
would end up in logs); keys go to the OS keyring (``hearth engines login``).
"""

from __future__ import annotations

import fnmatch
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.core import paths
from app.core.errors import HearthError, UnknownEngineError
from app.core.privacy.policy import Policy, PolicyDenied
from app.core.privacy.policy import load as load_policy
from app.core.privacy.transport import require_secure
from app.core.sentences import say
from app.core.settings import write_json

log = logging.getLogger(__name__)

FILE_NAME = "engines.json"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
REMOTE_PREFIX = "remote:"  # a model spec "remote:ENGINE/MODEL" names a model on a server


@dataclass(frozen=True)
class Endpoint:
    """A configured remote engine."""

    name: str
    url: str  # the API base, ending in /v1 (or the server's own prefix)
    models: tuple[str, ...] = ("*",)  # patterns of model ids users may chat with there
    ca_bundle: str | None = None  # PEM file of the CA that signed the server's certificate
    source: str = "user"  # "policy" or "user"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def model_allowed(self, model: str) -> bool:
        return any(fnmatch.fnmatchcase(model.lower(), pattern.lower()) for pattern in self.models)

    def require_model(self, model: str) -> None:
        if not self.model_allowed(model):
            raise PolicyDenied(
                say(
                    "Your organisation's policy does not allow the model '{model}' on the engine {name}.",
                    model=model,
                    name=self.name,
                ),
                say("Allowed there: {models}.", models=", ".join(self.models)),
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "models": list(self.models),
            "ca_bundle": self.ca_bundle,
            "source": self.source,
        }


def check_url(url: str, rules: Policy) -> str:
    """The normalised API base for ``url``, or a typed error saying what is wrong with it."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise HearthError(
            say("'{url}' is not an http(s) URL.", url=url),
            say("Give the server's address, e.g. https://llm.example.internal/v1."),
        )
    if parts.username or parts.password:
        raise HearthError(
            say("The URL must not hold a user name or password."), say("Store the API key with 'hearth engines login NAME'.")
        )
    if parts.query or parts.fragment:
        raise HearthError(say("The URL '{url}' must not have a query or fragment.", url=url))
    require_secure(
        url,
        rules,
        "Hearth talks to remote engines over https only:",
        "Put TLS in front of the server (see the README's admin guide); IT can list a host in the policy's http_hosts.",
    )
    path = parts.path.rstrip("/") or "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def user_file() -> Path:
    return paths.user_dirs().config / FILE_NAME


def _user_entries() -> list[dict[str, Any]]:
    path = user_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.warning("%s unreadable (%s); no user engines", path, exc)
        return []
    entries = data.get("engines", []) if isinstance(data, dict) else []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("url"), str)]


def configured(rules: Policy | None = None) -> list[Endpoint]:
    """Every engine that counts now: the policy's, then (when allowed) the user's."""
    rules = rules or load_policy()
    found: list[Endpoint] = []
    for entry in rules["engines"]:
        models = tuple(entry.get("models") or ["*"])
        found.append(Endpoint(entry["name"], entry["url"], models, entry.get("ca_bundle"), "policy"))
    if rules["allow_user_engines"]:
        taken = {e.name.lower() for e in found}
        for entry in _user_entries():
            if entry["name"].lower() not in taken:
                found.append(Endpoint(entry["name"], entry["url"], ca_bundle=entry.get("ca_bundle"), source="user"))
    return found


def find(name: str, rules: Policy | None = None) -> Endpoint:
    """The engine called ``name``, its URL checked against today's policy."""
    rules = rules or load_policy()
    for endpoint in configured(rules):
        if endpoint.name.lower() == name.lower():
            return Endpoint(endpoint.name, check_url(endpoint.url, rules), endpoint.models, endpoint.ca_bundle, endpoint.source)
    user_only = any(e["name"].lower() == name.lower() for e in _user_entries())
    if user_only and not rules["allow_user_engines"]:
        raise PolicyDenied(say("Your organisation's policy does not allow engines added by users ('{name}' is one).", name=name))
    raise UnknownEngineError(
        say("There is no engine called '{name}'.", name=name),
        say("See 'hearth engines list'; add one with 'hearth engines add NAME URL'."),
    )


def add(name: str, url: str, ca_bundle: str | None = None, rules: Policy | None = None) -> Endpoint:
    """Save a user engine (refused when the policy forbids user engines or the name is the policy's)."""
    rules = rules or load_policy()
    if not rules["allow_user_engines"]:
        raise PolicyDenied(
            say("Your organisation's policy does not allow adding engines."), say("Ask IT to declare the server in the policy.")
        )
    if not NAME_RE.match(name):
        raise HearthError(
            say("'{name}' is not a usable engine name.", name=name), say("Use letters, digits, '.', '_' or '-' (at most 40).")
        )
    if any(e.name.lower() == name.lower() for e in configured(rules) if e.source == "policy"):
        raise HearthError(say("'{name}' is an engine of your organisation's policy; choose another name.", name=name))
    base = check_url(url, rules)
    if ca_bundle is not None:
        bundle = Path(ca_bundle).expanduser()
        if not bundle.is_file():
            raise HearthError(say("The CA bundle {bundle} does not exist.", bundle=bundle))
        ca_bundle = str(bundle.resolve())
    entries = [e for e in _user_entries() if e["name"].lower() != name.lower()]
    entries.append({"name": name, "url": base, **({"ca_bundle": ca_bundle} if ca_bundle else {})})
    write_json(user_file(), {"engines": entries})
    return Endpoint(name, base, ca_bundle=ca_bundle)


def remove(name: str) -> bool:
    """Forget a user engine; False when there was none of that name (a policy engine cannot be removed)."""
    entries = _user_entries()
    kept = [e for e in entries if e["name"].lower() != name.lower()]
    if len(kept) == len(entries):
        if any(e.name.lower() == name.lower() for e in configured() if e.source == "policy"):
            raise PolicyDenied(say("'{name}' is declared by your organisation's policy and cannot be removed.", name=name))
        return False
    write_json(user_file(), {"engines": kept})
    return True


def parse_spec(spec: str) -> tuple[str, str] | None:
    """``remote:ENGINE/MODEL`` -> (engine, model); None for a local model spec."""
    if not spec.startswith(REMOTE_PREFIX):
        return None
    engine, _, model = spec[len(REMOTE_PREFIX) :].partition("/")
    if not engine or not model:
        raise HearthError(say("'{spec}' names no model: write remote:ENGINE/MODEL.", spec=spec))
    return engine, model


@dataclass(frozen=True)
class Timeouts:
    """How long a remote engine's requests may take (here, not in :mod:`.remote_http`, so that
    choosing a model does not import httpx at launch: ~110 ms)."""

    connect_s: float = 10.0
    stall_s: float = 120.0  # nothing at all from the server for this long: it is stuck
    attempts: int = 3  # connections that fail before the answer starts are tried again
    backoff_s: float = 0.5  # waits 0.5 s, 1 s, ... between attempts


@dataclass(frozen=True)
class ServedModel:
    id: str
    context: int | None  # tokens, when the server says
