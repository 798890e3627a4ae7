"""Zero egress, enforced in-process: a guard on every socket the app opens.

A Python audit hook (PEP 578) sees each ``socket.connect``,
``socket.getaddrinfo``, ``socket.gethostbyname``, ``socket.sendto`` and
``socket.sendmsg`` of any
code in the process (ours, huggingface-hub, urllib3, keyring...).  Nothing may
leave the machine except while a download the user (or policy) started runs,
or a request to the remote engine the user chose, and then only to that
endpoint (and the proxy, if one is configured).  In offline mode even that is refused.  Every attempt, allowed or
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
from app.core.sentences import say

log = logging.getLogger(__name__)

LOG_NAME = "network.jsonl"
_EVENTS = {
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyname_ex",
    "socket.sendto",
    "socket.sendmsg",  # a datagram to an address of its own, without connect()
}


class EgressBlockedError(ConnectionRefusedError):
    """Raised inside the socket call that tried to leave the machine."""


class _State:
    """The allowances that are open now.  Each :func:`allow` adds its own grant and takes exactly that
    one away when it ends, so a download and a remote chat that overlap (in any order, on any
    threads) never end each other's allowance or leave one open."""

    def __init__(self) -> None:
        self.installed = False
        self.lock = threading.Lock()
        self.grants: list[dict[str, str]] = []  # per open allowance: host or IP -> why
        self.in_hook = threading.local()

    def why(self, host: str) -> str | None:
        with self.lock:
            return next((grant[host] for grant in reversed(self.grants) if host in grant), None)

    def any_open(self) -> bool:
        return bool(self.grants)


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
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
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
    why = _state.why(host.lower())
    _state.in_hook.active = True
    try:
        if why is None and event == "socket.connect" and _state.any_open():
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
    with _state.lock:
        named = [(grant, name, why) for grant in _state.grants for name, why in grant.items() if any(c.isalpha() for c in name)]
    for grant, name, why in named:
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
        except OSError:
            continue
        if ip in addresses:
            with _state.lock:
                grant[ip.lower()] = why
            return why
    return None


def permit(url: str, why: str) -> None:
    """Inside :func:`allow`: also allow where the endpoint redirected us (the Hub's CDN), for as long
    as the allowance of this thread (else the newest one) lasts."""
    host = (urlsplit(url).hostname or "").lower()
    with _state.lock:
        if not _state.grants or not host:
            return  # no allowance is open: nothing to extend
        mine = getattr(_state.in_hook, "grants", None) or [_state.grants[-1]]
        mine[-1].setdefault(host, why)


def install() -> None:
    """Install the guard for the rest of the process (idempotent)."""
    with _state.lock:
        if not _state.installed:
            sys.addaudithook(_hook)
            _state.installed = True


@contextmanager
def allow(url: str, why: str) -> Iterator[None]:
    """While the block runs, connections to ``url``'s host (and the proxy for it) are allowed.
    Offline mode refuses every host but this machine's own (loopback is not the network)."""
    from app.core.privacy.policy import load as load_policy
    from app.core.privacy.transport import is_loopback

    parts = urlsplit(url)
    if load_policy()["offline"] and not is_loopback(parts.hostname or ""):
        raise HearthError(say("Hearth is in offline mode by your organisation's policy: no network access."))
    hosts = {parts.hostname or ""}
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        hosts.add(urlsplit(proxy).hostname or "")
    grant: dict[str, str] = {}
    _state.in_hook.active = True  # resolving the allowed host is part of the allowance
    try:
        for host in filter(None, hosts):
            grant[host.lower()] = why
            try:
                infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
            except OSError:
                continue  # the request itself will report that the host cannot be found
            for info in infos:
                grant[str(ipaddress.ip_address(str(info[4][0]).split("%")[0]))] = why
    finally:
        _state.in_hook.active = False
    mine = getattr(_state.in_hook, "grants", None)
    if mine is None:
        mine = _state.in_hook.grants = []
    with _state.lock:
        _state.grants.append(grant)
        mine.append(grant)
    try:
        yield
    finally:
        with _state.lock:
            _state.grants = [g for g in _state.grants if g is not grant]
            mine.remove(grant)


def read_log() -> list[dict[str, Any]]:
    try:
        lines = log_path().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]
