"""Remote engines' models in the window's model control, marked as computed on a server.

The core says which engines count and what each serves
(:func:`app.core.chat.remote_choice.survey`); asking servers is network I/O,
so it runs on a background thread and the entries arrive on the UI thread
when it is done.  An entry's data is its model spec ``remote:ENGINE/MODEL``,
which the session's ``load`` understands like any other model spec.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.core.chat.remote_choice import EngineStatus, survey
from app.core.engine.endpoints import REMOTE_PREFIX
from app.core.privacy.policy import load as load_policy
from app.ui import tasks
from app.ui.i18n import tr
from app.ui.model_control import Entry

log = logging.getLogger(__name__)

MARK = "⇄"  # shown before every remote entry: the answer is computed elsewhere


def is_remote(data: object) -> bool:
    return isinstance(data, str) and data.startswith(REMOTE_PREFIX)


def entry_label(model_id: str, engine: str) -> str:
    return f"{MARK} " + tr("{model} — on server {engine}").format(model=model_id, engine=engine)


class RemoteEntries:
    """The remote engines' models for the model control: asked for at start and whenever
    :meth:`refresh` is called; ``on_filled`` runs on the UI thread when they arrive."""

    def __init__(self, on_filled: Callable[[], None]) -> None:
        self.on_filled = on_filled
        self.statuses: list[EngineStatus] = []

    def refresh(self) -> None:
        tasks.in_background("hearth-engines", lambda: survey(load_policy()), self._fill, self._failed)

    def _failed(self, error: BaseException) -> None:
        log.warning("listing remote engines failed: %s", error)

    def _fill(self, statuses: list[EngineStatus]) -> None:
        self.statuses = statuses
        self.on_filled()

    def entries(self) -> list[Entry]:
        group = f"{MARK} " + tr("Your organisation's servers")
        return [
            Entry(
                f"{REMOTE_PREFIX}{status.endpoint.name}/{model.id}",
                entry_label(model.id, status.endpoint.name),
                group,
                tr("Answers are computed on the server {name} ({host}), not here.").format(
                    name=status.endpoint.name, host=status.endpoint.host
                ),
            )
            for status in self.statuses
            for model in status.models
        ]
