"""The user's own settings, in ``settings.json`` in the user config dir.

Small on purpose: each setting has a type and a default, unknown keys are
kept (a newer Hearth may have written them), and a damaged file is reported
and replaced by defaults rather than crashing the app.  Organisation policy
(issue #6) overrides these values; the GUI (issue #5) edits them.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.errors import HearthError
from app.core.sentences import say

log = logging.getLogger(__name__)

LANGUAGES = ("system", "en", "de")  # the window ships these translations (resources/i18n)

DEFAULTS: dict[str, Any] = {
    "temperature": 0.6,  # DeepSeek's recommendation
    "top_p": 0.95,
    "max_tokens": 2048,  # the answer's budget
    "thinking": "on",  # new conversations: off, on, or V4's high / max (where a model offers them)
    "thinking_budget": 2048,  # tokens the reasoning may use before Hearth closes it; the answer keeps max_tokens
    "context": 4096,
    "gpu_layers": "auto",  # "auto", "all" or a number
    "threads": None,  # None: physical cores
    "system_prompt": "",  # R1 and its distills work best without one
    # Speculative decoding: "auto" (the catalog's draft for the model, when installed), "off",
    # "prompt-lookup" (drafts from the conversation itself), or an installed model ID[:QUANT] / a path.
    "draft_model": "auto",
    "kv_snapshot_ram_mib": 1024,  # memory for the KV caches of conversations left (coming back is instant)
    "kv_snapshots_on_disk": True,  # also keep them on disk, sealed with the store's key (survive a restart)
    "retention_days": None,  # delete conversations untouched for this many days (None: keep)
    "appearance": "system",  # "system" (follow the OS), "light" or "dark"
    "language": "system",  # the window's language: "system" (the OS locale), "en" or "de"
    "api_enabled": False,  # the local OpenAI-compatible API, on loopback (the window's switch)
    "api_port": 8765,
    "api_store_conversations": False,  # API conversations are not stored unless the user (or policy) says so
    "api_cors_origins": [],  # browser origins allowed to call the API (none: no CORS at all)
}


# Settings a policy can lock or give a value (``locked_settings``, ``[settings]``): all but the look.
POLICY_SETTINGS = (
    "temperature",
    "top_p",
    "max_tokens",
    "thinking",
    "thinking_budget",
    "context",
    "gpu_layers",
    "threads",
    "system_prompt",
    "retention_days",
    "draft_model",
    "kv_snapshot_ram_mib",
    "kv_snapshots_on_disk",
)


def _number(value: Any, kind: type, low: float, high: float | None = None) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        return False
    return value >= low and (high is None or value <= high)


def check_value(name: str, value: Any) -> str | None:
    """Why ``value`` is not a valid value of setting ``name`` (None when it is)."""
    rules: dict[str, tuple[bool, str]] = {
        "temperature": (_number(value, float, 0.0, 2.0), "a number from 0 to 2"),
        "top_p": (_number(value, float, 0.0, 1.0) and value > 0, "a number above 0, at most 1"),
        "max_tokens": (_number(value, int, 1), "a whole number of at least 1"),
        "thinking": (value in ("off", "on", "high", "max"), '"off", "on", "high" or "max"'),
        "thinking_budget": (_number(value, int, 16), "a whole number of at least 16"),
        "context": (_number(value, int, 512), "a whole number of at least 512"),
        "gpu_layers": (value in ("auto", "all") or _number(value, int, 0), '"auto", "all" or a whole number'),
        "threads": (value is None or _number(value, int, 1), "a whole number of at least 1"),
        "system_prompt": (isinstance(value, str), "text"),
        "draft_model": (isinstance(value, str) and bool(value.strip()), '"auto", "off", "prompt-lookup" or a model'),
        "kv_snapshot_ram_mib": (_number(value, int, 0), "a whole number of MiB (0: none in memory)"),
        "kv_snapshots_on_disk": (isinstance(value, bool), "true or false"),
        "retention_days": (value is None or (_number(value, float, 0.0) and value > 0), "a number of days above 0"),
        "appearance": (value in ("system", "light", "dark"), '"system", "light" or "dark"'),
        "language": (value in LANGUAGES, '"system", "en" or "de"'),
        "api_enabled": (isinstance(value, bool), "true or false"),
        "api_port": (_number(value, int, 1024, 65535), "a port number from 1024 to 65535"),
        "api_store_conversations": (isinstance(value, bool), "true or false"),
        "api_cors_origins": (isinstance(value, list) and all(isinstance(v, str) for v in value), "a list of origins"),
    }
    if name not in rules:
        return f"there is no setting '{name}'"
    ok, expected = rules[name]
    return None if ok else f"'{name}' must be {expected}"


def settings_path() -> Path:
    return paths.user_dirs().config / "settings.json"


def load() -> dict[str, Any]:
    path = settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return dict(DEFAULTS)
    except (OSError, ValueError) as exc:
        log.warning("settings file %s unreadable (%s); using defaults", path, exc)
        return dict(DEFAULTS)
    return {**DEFAULTS, **(data if isinstance(data, dict) else {})}


def save(changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if (problem := check_value(key, value)) is not None:
            raise HearthError(say("Cannot save the settings: {problem}.", problem=problem))
    data = {**load(), **changes}
    write_json(settings_path(), data)
    return data


def write_json(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` in one step: a crash leaves the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise HearthError(say("Cannot save {path}: {exc}.", path=path, exc=exc.strerror or exc)) from None
