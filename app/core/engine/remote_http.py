"""HTTP to an OpenAI-compatible server: the client, what a server's errors mean, its model list.

httpx speaks the HTTP (proxies from the environment, timeouts, TLS with the
system's CAs plus the engine's own ``ca_bundle``) and httpx-sse reads the
event stream; what is Hearth's own is the translation of every way a server
or the network can fail into a typed error a user can act on, the same for
vLLM, SGLang and llama-server, which word their errors differently.  Every
request runs inside :func:`netguard.allow` for exactly that engine's host, so
the network activity log shows it and nothing else gets out meanwhile.
"""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import httpx_sse

from app.core.engine.endpoints import Endpoint, ServedModel, Timeouts
from app.core.errors import (
    RemoteAuthError,
    RemoteBusyError,
    RemoteContextError,
    RemoteEngineError,
    RemoteModelNotFoundError,
    RemoteRequestError,
    RemoteServerError,
    RemoteTimeoutError,
    RemoteTLSError,
    RemoteUnreachableError,
)
from app.core.privacy import netguard
from app.core.privacy.transport import causes, tls_failure
from app.core.sentences import say

log = logging.getLogger(__name__)

ERROR_BODY_LIMIT = 64 * 1024
# How servers say that the prompt does not fit: vLLM ("maximum context length"), llama-server
# ("exceeds the available context size", type exceed_context_size_error), SGLang ("longer than").
CONTEXT_MARKERS = ("context length", "context size", "context_length", "exceed_context", "too long", "longer than the model")


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The system's trusted CAs, plus the engine's bundle where IT gives one (an internal CA)."""
    context = ssl.create_default_context()
    if ca_bundle:
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise RemoteTLSError(
                say("The CA bundle {ca_bundle} cannot be used: {exc}.", ca_bundle=ca_bundle, exc=exc),
                say("Ask IT for the right PEM file."),
            ) from None
    return context


def make_client(endpoint: Endpoint, token: str | None, timeouts: Timeouts) -> httpx.Client:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(
        verify=tls_context(endpoint.ca_bundle),
        timeout=httpx.Timeout(timeouts.stall_s, connect=timeouts.connect_s),
        headers=headers,
        follow_redirects=False,  # a redirect elsewhere would leave the allowed host
    )


@contextmanager
def guarded(endpoint: Endpoint) -> Iterator[None]:
    """The network guard lets exactly this engine's host through while the block runs."""
    with netguard.allow(endpoint.url, f"remote engine {endpoint.name}"):
        yield


def transport_error(exc: BaseException, endpoint: Endpoint, timeouts: Timeouts) -> RemoteEngineError:
    """What a failed connection or read means for the user."""
    where = f"{endpoint.name} ({endpoint.host})"
    tls = tls_failure(exc)
    if tls is not None:
        return RemoteTLSError(
            say("{where} was not used: {tls}; nothing was sent.", where=where, tls=tls),
            say(
                "If your organisation uses its own certificate authority, IT sets ca_bundle for this "
                "engine (or add it with 'hearth engines add NAME URL --ca-bundle FILE')."
            ),
        )
    for link in causes(exc):
        if isinstance(link, netguard.EgressBlockedError):
            return RemoteUnreachableError(say("Hearth's network guard blocked the connection to {where}.", where=where))
    if isinstance(exc, httpx_sse.SSEError):
        return RemoteServerError(
            say("{where} answered, but not with an event stream ({exc}).", where=where, exc=exc),
            say("The URL may point at something other than an OpenAI-compatible API; check it with 'hearth engines list'."),
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return RemoteUnreachableError(
            say("{where} did not accept a connection within {connect_s:g} s.", where=where, connect_s=timeouts.connect_s),
            say("Check the address and the network."),
        )
    if isinstance(exc, httpx.TimeoutException):
        return RemoteTimeoutError(
            say(
                "{where} sent nothing for {stall_s:g} s, so the answer was stopped; what arrived is kept.",
                where=where,
                stall_s=timeouts.stall_s,
            ),
            say("The server may be overloaded; try again, or tell IT if it keeps happening."),
        )
    if isinstance(exc, httpx.ConnectError):
        return RemoteUnreachableError(
            say("Cannot reach {where}: {exc}.", where=where, exc=_reason(exc)),
            say("Check the engine's address and that the server is running."),
        )
    return RemoteUnreachableError(say("The connection to {where} failed: {exc}.", where=where, exc=_reason(exc)))


def _reason(exc: BaseException) -> str:
    for link in causes(exc):
        if isinstance(link, OSError) and link.strerror:
            return link.strerror.lower()
    return str(exc) or type(exc).__name__


def retryable(exc: BaseException) -> bool:
    """A connection that failed before the server said anything (not TLS: that will not change)."""
    if tls_failure(exc) is not None:
        return False
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError))


def server_message(body: bytes) -> str:
    """The human part of an error body: OpenAI's ``{"error": {"message"}}``, FastAPI's ``detail``, or text."""
    text = body[:ERROR_BODY_LIMIT].decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            value = error.get("message") or error.get("detail") or error.get("msg") or ""
            return str(value)[:300] if not isinstance(value, list) else json.dumps(value)[:300]
        if isinstance(error, str):
            return error[:300]
        detail = data.get("detail")
        if detail:
            return (detail if isinstance(detail, str) else json.dumps(detail))[:300]
    return text[:300]


def status_error(status: int, body: bytes, headers: httpx.Headers, endpoint: Endpoint, model: str) -> RemoteEngineError:
    """An HTTP error reply as a typed error."""
    message = server_message(body)
    said = f": {message}" if message else ""
    name = endpoint.name
    if status in (401, 403):
        return RemoteAuthError(
            say(
                "{name} refused the request (HTTP {status}{said}): the API key is missing or wrong.",
                name=name,
                status=status,
                said=said,
            ),
            say("Store the key with 'hearth engines login {name}' (or set HEARTH_ENGINE_TOKEN for this session).", name=name),
        )
    if status == 404:
        if "model" in message.lower():
            return RemoteModelNotFoundError(
                say("{name} does not serve the model '{model}'{said}.", name=name, model=model, said=said),
                say("'hearth engines list' shows the models {name} serves.", name=name),
            )
        return RemoteModelNotFoundError(
            say("{name} has no OpenAI-compatible API at {url} (HTTP 404).", name=name, url=endpoint.url),
            say("Check the engine's URL: it usually ends in /v1."),
        )
    if status == 429:
        retry_after = _seconds(headers.get("retry-after"))
        wait = f" in {retry_after:g} s" if retry_after else " in a moment"
        return RemoteBusyError(
            say("{name} is busy (too many requests){said}.", name=name, said=said),
            say("Try again{wait}.", wait=wait),
            retry_after_s=retry_after,
        )
    if status in (400, 413, 422) and any(marker in message.lower() for marker in CONTEXT_MARKERS):
        return RemoteContextError(
            say("The conversation is longer than {name} can take for '{model}'{said}.", name=name, model=model, said=said),
            say("Start a new conversation, or shorten the question."),
        )
    if 400 <= status < 500:
        return RemoteRequestError(say("{name} rejected the request (HTTP {status}{said}).", name=name, status=status, said=said))
    return RemoteServerError(
        say("{name} failed to answer (HTTP {status}{said}).", name=name, status=status, said=said),
        say("Try again; if it keeps failing, tell IT that the server reports errors."),
    )


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None


def _context_of(entry: dict[str, Any]) -> int | None:
    for value in (entry.get("max_model_len"), entry.get("context_length"), (entry.get("meta") or {}).get("n_ctx_train")):
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _get(client: httpx.Client, url: str, endpoint: Endpoint, timeouts: Timeouts) -> httpx.Response:
    try:
        return client.get(url)
    except httpx.HTTPError as exc:
        raise transport_error(exc, endpoint, timeouts) from None


def list_models(endpoint: Endpoint, token: str | None, timeouts: Timeouts = Timeouts()) -> list[ServedModel]:
    """``GET /v1/models``, and llama-server's ``/props`` for the context it actually runs with."""
    with guarded(endpoint), make_client(endpoint, token, timeouts) as client:
        reply = _get(client, endpoint.url + "/models", endpoint, timeouts)
        if reply.status_code >= 400:
            raise status_error(reply.status_code, reply.content, reply.headers, endpoint, "")
        try:
            entries = [e for e in reply.json().get("data", []) if isinstance(e, dict) and isinstance(e.get("id"), str)]
        except (ValueError, AttributeError):
            raise RemoteServerError(
                say("{name} answered /models with something that is not the OpenAI format.", name=endpoint.name)
            ) from None
        running = _props_context(client, endpoint)
    return [ServedModel(e["id"], running or _context_of(e)) for e in entries]


def _props_context(client: httpx.Client, endpoint: Endpoint) -> int | None:
    """llama-server's ``/props`` (at the server's root): the context size its slots run with."""
    parts = urlsplit(endpoint.url)
    root = f"{parts.scheme}://{parts.netloc}{parts.path.removesuffix('/v1')}"
    try:
        reply = client.get(root + "/props")
        if reply.status_code != 200:
            return None
        data = reply.json()
    except (httpx.HTTPError, ValueError):
        return None
    settings = data.get("default_generation_settings") if isinstance(data, dict) else None
    value = (settings or {}).get("n_ctx") if isinstance(settings, dict) else None
    return value if isinstance(value, int) and value > 0 else None
