"""Which URLs Hearth may send a request to: https, except this machine and hosts IT lists.

One rule for every endpoint Hearth talks to (the Hub or an internal mirror, the
remote engines): a plain ``http://`` URL would carry the Hub token or an
engine's API key, and the prompts, in clear text across the network.  Loopback
is exempt (nothing crosses a network), and so are the hosts the policy lists in
``http_hosts`` (an admin's explicit, visible decision).
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

from app.core.privacy.policy import Policy, PolicyDenied
from app.core.sentences import say


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plain_http_allowed(host: str, http_hosts: list[str]) -> bool:
    return is_loopback(host) or host.lower() in {h.lower() for h in http_hosts}


def require_secure(url: str, rules: Policy, what: str, hint: str) -> None:
    """Refuse ``url`` when it is plain http to a host that is neither loopback nor in ``http_hosts``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "http" and not plain_http_allowed(host, rules["http_hosts"]):
        raise PolicyDenied(
            say(
                (
                    "{what} http://{host} is plain http: it would carry your data and keys across the network "
                    "in clear text, so Hearth does not use it."
                ),
                what=what,
                host=host,
            ),
            hint,
        )


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it was raised from, outermost first (the HTTP libraries wrap the OS's errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def tls_failure(exc: BaseException) -> str | None:
    """Why TLS failed, when it did somewhere under ``exc`` (a certificate, or the handshake)."""
    for link in causes(exc):
        if isinstance(link, ssl.SSLCertVerificationError):
            return f"its TLS certificate could not be verified: {link.verify_message or link}"
        if isinstance(link, ssl.SSLError):
            return f"the TLS connection failed: {link.reason or link}"
    return None
