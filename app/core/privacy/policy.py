"""The organisation's machine-wide policy, which users cannot override.

A TOML file in the machine-wide config dir (``policy.toml`` beside the admin
catalog, see :func:`paths.machine_config_dir`).  Where that file exists it is
the only policy: ``HEARTH_POLICY`` and ``HEARTH_SITE_CONFIG`` (for tests and
staging) are honoured only on a machine without one, where there is nothing
to lift, so nothing in a user's environment can weaken what IT deployed.
Every key is optional; unknown keys and wrong types are errors.  A policy that
cannot be read or has any error is never ignored: Hearth reports the problem
(naming the key) and applies the **most restrictive** value of every key until
IT fixes the file, because a typo must not quietly open what IT closed.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.core import paths
from app.core.errors import HearthError
from app.core.sentences import say
from app.core.settings import POLICY_SETTINGS, check_value

POLICY_ENV = "HEARTH_POLICY"
POLICY_NAME = paths.POLICY_NAME
SETTING_NAMES = POLICY_SETTINGS


class PolicyError(HearthError):
    exit_code = 11


class PolicyDenied(HearthError):
    """Something the policy forbids (a download, a model, an export, a setting)."""

    exit_code = 12


@dataclass(frozen=True)
class Key:
    kind: type | tuple[type, ...]
    open: Any  # the value when the policy does not set the key
    restrictive: Any  # the value when the policy is invalid
    doc: str


KEYS: dict[str, Key] = {
    "offline": Key(bool, False, True, "no network at all, downloads included"),
    "allow_downloads": Key(bool, True, False, "users may download models"),
    "allowed_models": Key(list, ["*"], [], "patterns of model ids or id:QUANT users may download and load"),
    "hub_endpoint": Key(str, None, None, "the only download endpoint (an internal mirror)"),
    "shared_models_dir": Key(str, None, None, "read-only folder of pre-seeded models"),
    "default_model": Key(str, None, None, "model (id or id:QUANT) used when none is chosen"),
    "max_context": Key(int, None, 2048, "largest context size in tokens"),
    "max_gpu_layers": Key(int, None, 0, "most layers offloaded to a GPU"),
    # Not shortened by an invalid file: deleting conversations cannot be undone.
    "retention_days": Key(int, None, None, "conversations untouched this long are deleted"),
    "allow_export": Key(bool, True, False, "users may export conversations"),
    "allow_local_api": Key(bool, True, False, "users may turn on the local API (loopback only, with a key)"),
    # Unset: the user's setting decides whether API conversations are stored; true or false forces it.
    "store_api_conversations": Key(bool, None, False, "whether conversations through the local API are stored"),
    "locked_settings": Key(list, [], list(SETTING_NAMES), "settings users cannot change"),
    # Values of settings: for a locked one the value everyone gets, else the default a user may change.
    "settings": Key(dict, {}, {}, "values of settings ([settings] table)"),
    # Remote engines: on-prem OpenAI-compatible servers ([[engines]] tables: name, url, models, ca_bundle).
    "engines": Key(list, [], [], "remote engines every user gets ([[engines]]: name, url, models, ca_bundle)"),
    "allow_user_engines": Key(bool, True, False, "users may add remote engines of their own"),
    "http_hosts": Key(list, [], [], "hosts a remote engine may reach over plain http (loopback always may)"),
    "download_hosts": Key(list, [], [], "hosts a download may be redirected to, beside the Hub's own CDN"),
}

ENGINE_FIELDS = {"name": str, "url": str, "models": list, "ca_bundle": str}


@dataclass(frozen=True)
class Policy:
    values: dict[str, Any]
    sources: dict[str, str]  # key -> "default", the policy file, or "restrictive fallback"
    path: Path | None
    errors: tuple[str, ...] = field(default_factory=tuple)
    ignored: tuple[str, ...] = field(default_factory=tuple)  # overrides refused because a machine policy exists

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def valid(self) -> bool:
        return not self.errors

    def model_allowed(self, model_id: str, quant: str | None = None) -> bool:
        names = [model_id.lower()] + ([f"{model_id}:{quant}".lower()] if quant else [])
        return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self["allowed_models"] for name in names)

    def require_model(self, model_id: str, quant: str | None = None) -> None:
        if not self.model_allowed(model_id, quant):
            raise PolicyDenied(
                say(
                    "Your organisation's policy does not allow the model {model_id}{quant}.",
                    model_id=model_id,
                    quant=":" + quant if quant else "",
                ),
                say("Ask IT which models are approved."),
            )

    def require_download(self) -> None:
        if self["offline"]:
            raise PolicyDenied(say("Hearth is in offline mode by your organisation's policy: no downloads."))
        if not self["allow_downloads"]:
            raise PolicyDenied(
                say("Your organisation's policy does not allow downloading models."), say("Ask IT to pre-seed the model.")
            )

    def require_local_api(self) -> None:
        if not self["allow_local_api"]:
            raise PolicyDenied(say("Your organisation's policy does not allow the local API."))

    def require_export(self) -> None:
        if not self["allow_export"]:
            raise PolicyDenied(say("Your organisation's policy does not allow exporting conversations."))

    def locked(self, setting: str) -> bool:
        return setting in self["locked_settings"]

    def require_unlocked(self, setting: str) -> None:
        if self.locked(setting):
            raise PolicyDenied(say("The setting '{setting}' is locked by your organisation's policy.", setting=setting))

    def cap(self, key: str, value: int) -> tuple[int, str | None]:
        """Apply a ``max_*`` limit; returns the value to use and a notice when it was lowered."""
        limit = self[key]
        if limit is None or value <= limit:
            return value, None
        return limit, f"{key.replace('_', ' ')} is limited to {limit} by your organisation's policy"

    def cap_gpu_layers(self, requested: str | int) -> tuple[str | int, str | None]:
        """Apply ``max_gpu_layers`` to auto/all/N; a notice only when the user asked for more explicitly."""
        limit = self["max_gpu_layers"]
        if limit is None or (isinstance(requested, int) and requested <= limit):
            return requested, None
        notice = (
            say(("GPU layers are limited to {limit} by your organisation's policy"), limit=limit) if requested != "auto" else None
        )
        return limit, notice

    def describe_errors(self) -> str:
        return (
            f"The machine policy {self.path} is invalid ({'; '.join(self.errors)}); "
            "Hearth applies its most restrictive settings until IT corrects it."
        )


def policy_path() -> Path:
    """The machine-wide policy where IT deployed one; otherwise ``HEARTH_POLICY`` or the site dir's."""
    machine = paths.machine_config_dir() / POLICY_NAME
    if machine.is_file():
        return machine
    override = os.environ.get(POLICY_ENV, "").strip()
    return Path(override).expanduser() if override else paths.site_config_dir() / POLICY_NAME


def ignored_overrides() -> tuple[str, ...]:
    """Environment overrides that are set but have no effect, because a machine-wide policy exists."""
    if not paths.machine_policy_deployed():
        return ()
    return tuple(f"{name}={os.environ[name]}" for name in (POLICY_ENV, paths.SITE_CONFIG_ENV) if os.environ.get(name, "").strip())


def _check(key: str, value: Any) -> str | None:
    spec = KEYS.get(key)
    if spec is None:
        return f"unknown key '{key}'"
    if spec.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        return f"'{key}' must be a whole number"
    if spec.kind is not int and not isinstance(value, spec.kind):
        return f"'{key}' must be {'true or false' if spec.kind is bool else 'a ' + getattr(spec.kind, '__name__', 'value')}"
    if key == "engines":
        return _check_engines(value)
    if spec.kind is list and not all(isinstance(v, str) for v in value):
        return f"'{key}' must be a list of strings"
    if key == "locked_settings" and (unknown := [v for v in value if v not in SETTING_NAMES]):
        return f"'locked_settings' names unknown settings {unknown} (known: {', '.join(SETTING_NAMES)})"
    if key == "settings":
        problems = [
            f"[settings] {problem}" if name in SETTING_NAMES else f"[settings] names an unknown setting '{name}'"
            for name, item in value.items()
            if name not in SETTING_NAMES or (problem := check_value(name, item))
        ]
        return "; ".join(problems) or None
    minimum = {"max_context": 512, "max_gpu_layers": 0, "retention_days": 1}.get(key)
    if minimum is not None and value < minimum:
        return f"'{key}' must be at least {minimum}"
    if key == "hub_endpoint" and not value.startswith(("https://", "http://")):
        return "'hub_endpoint' must be an http(s) URL"
    return None


def _check_engines(value: list[Any]) -> str | None:
    """``[[engines]]`` tables: a name and an http(s) URL each, names unique (the URL rules that depend
    on other keys, https-only, are applied where an engine is used: :mod:`app.core.engine.endpoints`)."""
    problems: list[str] = []
    names: set[str] = set()
    for number, entry in enumerate(value, 1):
        where = f"[[engines]] #{number}"
        if not isinstance(entry, dict):
            problems.append(f"{where} must be a table")
            continue
        for name, item in entry.items():
            kind = ENGINE_FIELDS.get(name)
            if kind is None:
                problems.append(f"{where} has an unknown field '{name}' (known: {', '.join(ENGINE_FIELDS)})")
            elif not isinstance(item, kind) or (kind is list and not all(isinstance(v, str) for v in item)):
                problems.append(f"{where} field '{name}' must be {'a list of strings' if kind is list else 'text'}")
        if not isinstance(entry.get("name"), str) or not isinstance(entry.get("url"), str):
            problems.append(f"{where} needs a name and a url")
            continue
        if entry["name"].lower() in names:
            problems.append(f"{where} repeats the name '{entry['name']}'")
        names.add(entry["name"].lower())
        if not entry["url"].startswith(("https://", "http://")):
            problems.append(f"{where} url must be an http(s) URL")
    return "; ".join(problems) or None


def parse(text: str) -> tuple[dict[str, Any], list[str]]:
    """Values set by the file and the list of problems (empty when valid)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [f"not valid TOML: {exc}"]
    errors = [e for key, value in data.items() if (e := _check(key, value))]
    if not errors:
        errors += _plain_http(data)
    return data, errors


def _plain_http(data: dict[str, Any]) -> list[str]:
    """Endpoints over plain http whose host is neither loopback nor in ``http_hosts`` (the rule of
    :mod:`app.core.privacy.transport`, applied when IT checks the file, not only when it is used)."""
    from app.core.privacy.transport import plain_http_allowed

    hosts = data.get("http_hosts", [])
    urls = [("hub_endpoint", data["hub_endpoint"])] if "hub_endpoint" in data else []
    urls += [(f"[[engines]] '{e['name']}' url", e["url"]) for e in data.get("engines", [])]
    problems = []
    for where, url in urls:
        parts = urlsplit(url)
        if parts.scheme == "http" and not plain_http_allowed(parts.hostname or "", hosts):
            problems.append(f"{where} is plain http to {parts.hostname}; use https, or list the host in http_hosts")
    return problems


def load(path: Path | None = None) -> Policy:
    path = path or policy_path()
    defaults = {k: spec.open for k, spec in KEYS.items()}
    ignored = ignored_overrides()
    if not path.exists():
        return Policy(defaults, dict.fromkeys(KEYS, "default"), None, ignored=ignored)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        data: dict[str, Any] = {}
        errors = [f"cannot be read: {exc}"]
    else:
        data, errors = parse(text)
    if errors:
        restrictive = {k: spec.restrictive for k, spec in KEYS.items()}
        return Policy(restrictive, dict.fromkeys(KEYS, "restrictive fallback"), path, tuple(errors), ignored)
    values = {**defaults, **data}
    sources = {k: (str(path) if k in data else "default") for k in KEYS}
    return Policy(values, sources, path, ignored=ignored)
