"""The window's local API: on when Settings say so (and the policy allows it), on the window's own
engine and model, so an editor uses the same private model without a second copy in memory.

Requests use a session of their own beside the window's (``ChatSession.sibling``): the same worker
and loaded model, the same gate and locks; the window's answers and the API's are queued on the one
engine thread, so neither cuts the other.  A request cannot switch the window's model.  The status
bar says whether the API is on, and when it is answering.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.core.chat.api import api_config
from app.core.errors import HearthError
from app.core.privacy.locks import effective
from app.core.privacy.secrets import api_key
from app.ui import tasks
from app.ui.chat_controller import ChatController
from app.ui.i18n import error_text, tr

if TYPE_CHECKING:
    from app.server.runner import ApiServer


class ApiSwitch:
    def __init__(self, controller: ChatController, show: Callable[[str], None]) -> None:
        self.controller = controller
        self.show = show  # the status bar's API label
        self.server: ApiServer | None = None
        self.port: int | None = None
        tasks.prepare()  # the API's threads report activity through it

    def apply(self) -> str | None:
        """Start, restart or stop the API to match the settings; returns a problem to tell the user."""
        wanted = bool(effective().values["api_enabled"])
        try:
            config = api_config() if wanted else None
        except HearthError as exc:
            self.stop()
            return error_text(exc)
        if config is not None and self.server is not None and config.port == self.port:
            return None
        self.stop()
        if config is None:
            return None
        # Imported when the API is turned on, not at every start (~40 ms of the window's launch).
        from app.server.app import LocalApi
        from app.server.runner import ApiServer

        try:
            session = self.controller.session.sibling(self.controller.store if config.store_conversations else None)
            api = LocalApi(session, api_key(), config.port, may_switch=False, cors_origins=config.cors_origins,
                           on_activity=lambda busy: tasks.on_ui(self._activity, busy))  # fmt: skip
            self.server = ApiServer(api).start()
        except HearthError as exc:
            self.server = None
            self.show("")
            return error_text(exc)
        self.port = config.port
        self._activity(False)
        return None

    def _activity(self, answering: bool) -> None:
        if self.server is None:
            return
        address = f"127.0.0.1:{self.server.port}"
        self.show(
            tr("API answering… ({address})").format(address=address)
            if answering
            else tr("API on {address}").format(address=address)
        )

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
            self.port = None
        self.show("")
