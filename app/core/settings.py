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

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "temperature": 0.6,  # DeepSeek's recommendation
    "top_p": 0.95,
    "max_tokens": 2048,
    "context": 4096,
    "gpu_layers": "auto",  # "auto", "all" or a number
    "threads": None,  # None: physical cores
    "system_prompt": "",  # R1 and its distills work best without one
    "retention_days": None,  # delete conversations untouched for this many days (None: keep)
    "appearance": "system",  # "system" (follow the OS), "light" or "dark"
}


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
    for key in changes:
        if key not in DEFAULTS:
            raise HearthError(f"There is no setting '{key}'.")
    data = {**load(), **changes}
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1)
    os.replace(tmp, path)
    return data
