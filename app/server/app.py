"""The local OpenAI-compatible API: HTTP in, the chat session's events out.

A third client of the core, beside the window and ``hearth chat``.  Every request is checked in
this order, before any model work: the ``Host`` header names loopback (a page on another site
cannot reach the API through DNS rebinding), the body is within bounds, the bearer key matches
(401 otherwise), the JSON is a valid request, it gets a place in the core's queue (429 when too
many wait).  Then the session answers it through the same gate, locks and caps as every client,
on the engine's one worker thread; the window's answers are queued with it, never cut.
Starlette (routing, streaming, CORS) runs on uvicorn in a thread of its own (:mod:`.runner`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.core.chat.api import MAX_BODY_BYTES, QueueFullError, TurnQueue, request_params
from app.core.chat.session import ChatSession
from app.core.chat.turn import TurnEnded, TurnEvent
from app.core.engine.events import PromptProgress
from app.core.errors import ContextTooSmallError, HearthError, NoModelLoadedError, UnknownModelError
from app.core.privacy.policy import PolicyDenied
from app.server import schema

log = logging.getLogger(__name__)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class LocalApi:
    """What the HTTP layer needs: the session to answer with, the key, the queue, and whether a
    request may load another model (``hearth serve``) or must use the window's (``may_switch=False``)."""

    def __init__(
        self,
        session: ChatSession,
        key: str,
        port: int,
        *,
        may_switch: bool = True,
        cors_origins: tuple[str, ...] = (),
        on_activity: Callable[[bool], None] | None = None,
    ) -> None:
        self.session, self.key, self.port, self.may_switch = session, key, port, may_switch
        self.cors_origins = cors_origins
        self.queue = TurnQueue()
        self.on_activity = on_activity or (lambda _busy: None)
        self.answered = 0

    # -- models -----------------------------------------------------------------------------
    def models(self) -> list[dict[str, Any]]:
        """Installed models the policy allows (what a request may name), the loaded one first."""
        rules = self.session.settings.policy
        loaded = self.loaded_id()
        ids = [i.key for i in self.session.registry.all(self.session.catalog) if rules.model_allowed(i.model_id, i.quant)]
        if not self.may_switch:
            ids = [i for i in ids if i == loaded]
        ordered = ([loaded] if loaded else []) + [i for i in ids if i != loaded]
        return [{"id": i, "object": "model", "created": 0, "owned_by": "hearth"} for i in dict.fromkeys(ordered)]

    def loaded_id(self) -> str | None:
        """The id requests name the answering model by: ``ID:QUANT`` here, ``remote:ENGINE/MODEL``
        for a model on a remote engine (the window's choice; the local API passes it through)."""
        model = self.session.model
        remote = self.session.remote
        if model is None:
            return None
        if remote is not None:
            return remote.spec
        return model.installed.key if model.installed is not None else model.identity.key

    def _use_model(self, name: str) -> None:
        """On the request's thread, holding the queue: make ``name`` the loaded model or refuse."""
        if name == self.loaded_id():
            return
        known = [m["id"] for m in self.models()]
        if not self.may_switch and self.loaded_id() is None:
            raise NoModelLoadedError("No model is loaded in Hearth's window.", "Choose one in the window first.")
        if name not in known:
            raise UnknownModelError(f"The model '{name}' is not available here.", f"Available: {', '.join(known) or 'none'}.")
        self.session.load(name).result()  # through the gate, like every load

    # -- one answer -------------------------------------------------------------------------
    def run(self, request: schema.ChatRequest, push: Callable[[str, Any], None]) -> None:
        """The whole turn, on a thread of its own: events and the end go to ``push``."""
        try:
            with self.queue.turn():
                self.on_activity(True)
                try:
                    self._use_model(request.model)
                    params = request_params(request.fields, self.session.params)
                    turn = self.session.answer(request.messages, params, lambda item: push("event", item))
                    turn.future.result()
                    self.answered += 1
                finally:
                    self.on_activity(False)
        except BaseException as exc:  # reported to the client as an HTTP error
            push("error", exc)

    def cancel(self) -> None:
        self.session.cancel()


def _status(error: BaseException) -> tuple[int, str, str | None]:
    if isinstance(error, QueueFullError):
        return 429, "rate_limit_error", "queue_full"
    if isinstance(error, PolicyDenied):
        return 403, "permission_error", "policy_denied"
    if isinstance(error, ContextTooSmallError):
        return 400, "invalid_request_error", "context_length_exceeded"
    if isinstance(error, UnknownModelError):
        return 404, "invalid_request_error", "model_not_found"
    if isinstance(error, NoModelLoadedError):
        return 503, "server_error", "no_model_loaded"
    if isinstance(error, HearthError):
        return 400, "invalid_request_error", None
    return 500, "server_error", None


def _error(status: int, message: str, kind: str, code: str | None = None, **headers: str) -> JSONResponse:
    return JSONResponse(schema.error_body(message, kind, code), status_code=status, headers=headers or None)


def _failure(error: BaseException) -> JSONResponse:
    status, kind, code = _status(error)
    if status == 500:
        log.error("the API request failed", exc_info=error)
    text = str(error) if isinstance(error, HearthError) else "Hearth could not answer; details are in its log."
    return _error(status, text, kind, code, **({"Retry-After": "1"} if status == 429 else {}))


def build_app(api: LocalApi) -> Any:
    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": api.models()})

    async def chat(request: Request) -> Response:
        body = await _bounded_body(request)
        if body is None:
            return _error(413, f"The request body is larger than {MAX_BODY_BYTES // 2**20} MiB.", "invalid_request_error")
        try:
            parsed = schema.parse_chat(json.loads(body))
        except json.JSONDecodeError as exc:
            return _error(400, f"The body is not valid JSON: {exc}.", "invalid_request_error")
        except schema.BadRequest as exc:
            return _error(400, str(exc), "invalid_request_error")
        return await _answer(api, parsed)

    routes = [Route("/v1/models", models, methods=["GET"]), Route("/v1/chat/completions", chat, methods=["POST"])]
    middleware = [Middleware(CORSMiddleware, allow_origins=list(api.cors_origins), allow_methods=["GET", "POST"],
                             allow_headers=["Authorization", "Content-Type"])] if api.cors_origins else []  # fmt: skip
    app = Starlette(routes=routes, middleware=middleware)
    return _guarded(app, api)


def _guarded(inner: Any, api: LocalApi) -> Any:
    """Host and key before anything else (CORS preflights excepted, which carry no key): a plain
    ASGI wrapper, so nothing (not even routing or CORS) runs for a request that fails them."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if name not in LOOPBACK_NAMES:
            response: Response = _error(
                403, f"Host '{host}' is not this computer's loopback address.", "permission_error", "bad_host"
            )
        elif scope["method"] == "OPTIONS" and api.cors_origins:
            await inner(scope, receive, send)
            return
        elif not hmac.compare_digest(headers.get("authorization", ""), f"Bearer {api.key}"):
            response = _error(
                401, "A valid API key is needed (hearth serve --show-key).", "invalid_request_error", "invalid_api_key"
            )
        else:
            await inner(scope, receive, send)
            return
        await response(scope, receive, send)

    return app


async def _bounded_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


async def _answer(api: LocalApi, request: schema.ChatRequest) -> Response:
    loop = asyncio.get_running_loop()
    items: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def push(kind: str, value: Any) -> None:
        loop.call_soon_threadsafe(items.put_nowait, (kind, value))

    threading.Thread(target=api.run, args=(request, push), name="hearth-api-turn", daemon=True).start()
    kind, first = await items.get()  # an error before the answer starts is an HTTP error, not a broken stream
    if kind == "error":
        return _failure(first)
    if isinstance(first.event, TurnEnded) and first.event.failure is not None:
        return _failure(first.event.failure)
    cid = schema.completion_id()
    if not request.stream:
        ended = first.event if isinstance(first.event, TurnEnded) else await _until_end(items)
        if isinstance(ended, BaseException):
            return _failure(ended)
        return JSONResponse(schema.response(cid, request.model, ended))
    return StreamingResponse(_sse(api, request, cid, first, items), media_type="text/event-stream")


async def _until_end(items: asyncio.Queue[tuple[str, Any]]) -> TurnEnded | BaseException:
    while True:
        kind, value = await items.get()
        if kind == "error":
            return value  # type: ignore[no-any-return]
        if isinstance(value.event, TurnEnded):
            return value.event


async def _sse(
    api: LocalApi, request: schema.ChatRequest, cid: str, first: TurnEvent, items: asyncio.Queue[tuple[str, Any]]
) -> AsyncIterator[str]:
    def data(payload: dict[str, Any]) -> str:
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    ended = False
    try:
        yield data(schema.chunk(cid, request.model, {"role": "assistant", "content": ""}))
        item: Any = first
        while True:
            if isinstance(item, BaseException):
                yield data(schema.error_body(str(item), "server_error"))
                break
            event = item.event
            if isinstance(event, PromptProgress):  # OpenAI's stream has no place for it
                item = (await items.get())[1]
                continue
            if isinstance(event, TurnEnded):
                ended = True
                yield data(schema.chunk(cid, request.model, {}, schema.finish_reason(event.summary)))
                if request.include_usage:
                    yield data(schema.usage_chunk(cid, request.model, event.summary))
                break
            yield data(schema.chunk(cid, request.model, schema.delta_of(event)))
            item = (await items.get())[1]  # the next event, or the error that ended the turn
        yield "data: [DONE]\n\n"
    finally:
        if not ended:
            api.cancel()  # the client went away: stop generating for nobody
