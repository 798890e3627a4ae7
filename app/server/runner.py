"""Run the local API on loopback, in a thread of its own, until stopped.

uvicorn serves the Starlette app; it is bound to 127.0.0.1 only (never another interface, never
0.0.0.0), whatever the port.  ``port=0`` takes a free port (tests).
"""

from __future__ import annotations

import threading
import time

import uvicorn

from app.core.chat.api import LOOPBACK
from app.core.errors import HearthError
from app.server.app import LocalApi, build_app


class ApiServer:
    def __init__(self, api: LocalApi) -> None:
        self.api = api
        config = uvicorn.Config(
            build_app(api), host=LOOPBACK, port=api.port, log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="hearth-api", daemon=True)

    def start(self, timeout: float = 10.0) -> ApiServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise HearthError(
                    f"The local API could not listen on {LOOPBACK}:{self.api.port}.",
                    "Another program may use that port; choose another one (hearth serve --port N, or Settings).",
                )
            time.sleep(0.01)
        return self

    @property
    def port(self) -> int:
        sockets = self._server.servers[0].sockets if self._server.servers else []
        return int(sockets[0].getsockname()[1]) if sockets else self.api.port

    @property
    def address(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/v1"

    def bound_to(self) -> list[str]:
        """The addresses the listening sockets are bound to (tests check: loopback only)."""
        return [str(s.getsockname()[0]) for server in self._server.servers for s in server.sockets]

    def stop(self, timeout: float = 10.0) -> None:
        self.api.cancel()
        self._server.should_exit = True
        self._thread.join(timeout)
