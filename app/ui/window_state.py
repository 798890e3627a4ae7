"""Where the window was: size and position, the sidebar's width and whether it is shown.

Kept in ``window.json`` in Hearth's config folder (so ``HEARTH_HOME`` moves it like every other
file), not in QSettings, whose default location ignores it.  A missing or damaged file means
the default layout, never an error: it is a convenience, not data.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray

from app.core import paths

log = logging.getLogger(__name__)


def state_path() -> Path:
    return paths.user_dirs().config / "window.json"


def _encode(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _decode(text: object) -> QByteArray | None:
    if not isinstance(text, str):
        return None
    try:
        return QByteArray(base64.b64decode(text, validate=True))
    except ValueError:
        return None


def save(window: Any) -> None:
    """Remember the window's geometry, the splitter and the sidebar (on quit)."""
    state = {
        "geometry": _encode(window.saveGeometry()),
        "splitter": _encode(window.splitter.saveState()),
        "sidebar": window.sidebar.isVisibleTo(window),
    }
    path = state_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".window-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(state, out)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only config folder costs the layout, nothing else
        log.warning("cannot save the window layout to %s: %s", path, exc)


def restore(window: Any) -> bool:
    """Put the window back where it was; False (default layout) when nothing usable is saved."""
    try:
        state = json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(state, dict):
        return False
    geometry, splitter = _decode(state.get("geometry")), _decode(state.get("splitter"))
    restored = bool(geometry is not None and window.restoreGeometry(geometry))
    if splitter is not None:
        window.splitter.restoreState(splitter)
    if state.get("sidebar") is False:
        window.sidebar.hide()
        window.menu_actions["sidebar"].setChecked(False)
    return restored
