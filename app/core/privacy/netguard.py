"""Zero egress, enforced in-process: a guard on every socket the app opens.

A Python audit hook (PEP 578) sees each ``socket.connect``,
``socket.getaddrinfo``, ``socket.gethostbyname`` and ``socket.sendto`` of any
code in the process (ours, huggingface-hub, urllib3, keyring...).  Nothing may
leave the machine except while a download the user (or policy) started runs,
and then only to that download's endpoint (and the proxy, if one is
configured).  In offline mode even that is refused.  Every attempt, allowed or
blocked, is appended to ``network.jsonl`` in the logs dir: the network
activity log (``hearth network log``).

Local IPC (Unix sockets, e.g. the keyring's D-Bus) is not network traffic and
is not restricted.  An audit hook cannot be removed once installed, so
:func:`install` is idempotent and the allowance is a context manager.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.core import paths
from app.core.errors import HearthError

log = logging.getLogger(__name__)

LOG_NAME = "network.jsonl"
_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto", "socket.gethostbyname_ex"}


class EgressBlockedError(ConnectionRefusedError):
    """Raised inside the socket call that tried to leave the machine."""


class _State:
    def __init__(self) -> None:
        self.installed = False
        self.lock = threading.Lock()
        self.allowed: dict[str, str] = {}  # host or IP -> why
        self.in_hook = threading.local()


_state = _State()


def log_path() -> Path:
    return paths.user_dirs().logs / LOG_NAME


def _record(entry: dict[str, Any]) -> None:
    """Append to the activity log (the hook must not recurse into itself while writing)."""
    entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **entry}
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")
    except OSError:
        log.warning("network log not writable: %s", entry)


def _destination(event: str, args: tuple[Any, ...]) -> tuple[str, Any] | None:
    """(host, port) of a network destination, or None for local IPC."""
    if event in ("socket.connect", "socket.sendto"):
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) == getattr(socket, "AF_UNIX", object()) or not isinstance(address, tuple):
            return None
        return str(address[0]), address[1]
    if event in ("socket.getaddrinfo",):
        host = args[0]
        return (host.decode() if isinstance(host, bytes) else str(host)) if host is not None else "", args[1]
    return str(args[0]), None


def _is_local_name(host: str) -> bool:
    return host in ("", "localhost") or host.startswith("/")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event not in _EVENTS or getattr(_state.in_hook, "active", False):
        return
    destination = _destination(event, args)
    if destination is None:
        return
    host, port = destination
    if event != "socket.connect" and _is_local_name(host):
        return  # name lookups of the local machine are not traffic
    why = _state.allowed.get(host.lower())
    _state.in_hook.active = True
    try:
        if why is None and event == "socket.connect" and _state.allowed:
            why = _resolve_again(host)
        if why is not None:
            if event == "socket.connect":
                _record({"event": "connect", "host": host, "port": port, "allowed": True, "why": why})
            return
        _record({"event": event.removeprefix("socket."), "host": host, "port": port, "allowed": False, "why": "not allowed"})
        log.warning("blocked network access to %s:%s (%s)", host, port, event)
    finally:
        _state.in_hook.active = False
    raise EgressBlockedError(f"Hearth blocked a network connection to {host} (nothing leaves this machine unasked).")


def _resolve_again(ip: str) -> str | None:
    """An address not seen when the allowance began (round-robin DNS): is it one of the allowed names?"""
    for name, why in list(_state.allowed.items()):
        if any(c.isalpha() for c in name):
            try:
                addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
            except OSError:
                continue
            if ip in addresses:
                _state.allowed[ip.lower()] = why
                return why
    return None


def permit(url: str, why: str) -> None:
    """Inside :func:`allow`: also allow where the endpoint redirected us (the Hub's CDN)."""
    with _state.lock:
        if not _state.allowed:
            return  # no download is running: nothing to extend
        host = (urlsplit(url).hostname or "").lower()
        if host and host not in _state.allowed:
            _state.allowed[host] = why


def install() -> None:
    """Install the guard for the rest of the process (idempotent)."""
    with _state.lock:
        if not _state.installed:
            sys.addaudithook(_hook)
            _state.installed = True


@contextmanager
def allow(url: str, why: str) -> Iterator[None]:
    """While the block runs, connections to ``url``'s host (and the proxy for it) are allowed."""
    from app.core.privacy.policy import load as load_policy

    if load_policy()["offline"]:
        raise HearthError("Hearth is in offline mode by your organisation's policy: no network access.")
    parts = urlsplit(url)
    hosts = {parts.hostname or ""}
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        hosts.add(urlsplit(proxy).hostname or "")
    grants: dict[str, str] = {}
    _state.in_hook.active = True  # resolving the allowed host is part of the allowance
    try:
        for host in filter(None, hosts):
            grants[host.lower()] = why
            try:
                infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
            except OSError:
                continue  # the download itself will report that the host cannot be found
            for info in infos:
                grants[str(ipaddress.ip_address(str(info[4][0]).split("%")[0]))] = why
    finally:
        _state.in_hook.active = False
    with _state.lock:
        previous = dict(_state.allowed)
        _state.allowed.update(grants)
    try:
        yield
    finally:
        with _state.lock:
            _state.allowed = previous


def read_log() -> list[dict[str, Any]]:
    try:
        lines = log_path().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]
