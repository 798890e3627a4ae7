"""Remote engines' models in the window's model picker, marked as computed on a server.

The core says which engines count and what each serves
(:func:`app.core.chat.remote_choice.survey`); asking servers is network I/O,
so it runs on a background thread and the entries arrive on the UI thread
when it is done.  An entry's data is its model spec ``remote:ENGINE/MODEL``,
which the session's ``load`` understands like any other model spec.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from app.core.chat.remote_choice import EngineStatus, survey
from app.core.engine.endpoints import REMOTE_PREFIX
from app.core.privacy.policy import load as load_policy
from app.ui import tasks

log = logging.getLogger(__name__)

MARK = "⇄"  # shown before every remote entry: the answer is computed elsewhere


def is_remote(data: object) -> bool:
    return isinstance(data, str) and data.startswith(REMOTE_PREFIX)


def entry_label(model_id: str, engine: str) -> str:
    return f"{MARK} {model_id} — on server {engine}"


class RemoteEntries:
    """Keeps the picker's remote entries: asked for at start and whenever :meth:`refresh` is called."""

    def __init__(self, box: QComboBox, on_filled: Callable[[], None]) -> None:
        self.box, self.on_filled = box, on_filled
        self.statuses: list[EngineStatus] = []

    def refresh(self) -> None:
        tasks.in_background("hearth-engines", lambda: survey(load_policy()), self._fill, self._failed)

    def _failed(self, error: BaseException) -> None:
        log.warning("listing remote engines failed: %s", error)

    def _fill(self, statuses: list[EngineStatus]) -> None:
        self.statuses = statuses
        self.add_to(self.box)
        self.on_filled()

    def add_to(self, box: QComboBox) -> None:
        """(Re)add the remote entries after the installed models, keeping the current choice."""
        current = box.currentData()
        box.blockSignals(True)
        for index in reversed(range(box.count())):
            if is_remote(box.itemData(index)):
                box.removeItem(index)
        for status in self.statuses:
            for model in status.models:
                spec = f"{REMOTE_PREFIX}{status.endpoint.name}/{model.id}"
                box.addItem(entry_label(model.id, status.endpoint.name), spec)
                box.setItemData(
                    box.count() - 1,
                    f"Answers are computed on the server {status.endpoint.name} ({status.endpoint.host}), not here.",
                    Qt.ItemDataRole.ToolTipRole,
                )
        found = box.findData(current)
        if found >= 0:
            box.setCurrentIndex(found)
        box.blockSignals(False)
