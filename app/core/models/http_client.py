"""The HTTP client that moves model bytes: urllib3, with proxies and TLS.

Why urllib3 for the bytes (huggingface-hub's own httpx2 client is used for
metadata): ``read1`` hands over whatever the socket has, up to 1 MiB, in one
call, so a 1 GiB download costs a few thousand Python iterations instead of
tens of thousands, and a dropped connection loses none of the bytes already
received.  Measured with ``bench/download_verify.py``.

TLS verification is always on (the system's trust store through Python's
default SSL context).  Proxies come from the usual environment variables
(``HTTPS_PROXY``, ``NO_PROXY``, …), as corporate networks set them.
Redirects (the Hub sends large files to its CDN) are followed here, not by
urllib3, so the network guard can allow the CDN host first; the
``Authorization`` header is dropped when a redirect leaves the origin (scheme,
host or port), and a redirect from https to plain http is refused.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError, MaxRetryError, ProtocolError, ReadTimeoutError, SSLError

from app.core.errors import DownloadError
from app.core.privacy import netguard
from app.core.sentences import say

READ_SIZE = 1 << 20
MAX_REDIRECTS = 10


class TransientHTTPError(Exception):
    """Worth a retry: connection refused or lost, timeout, short body."""


class HttpClient:
    def __init__(self, connect_timeout_s: float, stall_timeout_s: float) -> None:
        self.stall_timeout_s = stall_timeout_s
        self._timeout = urllib3.Timeout(connect=connect_timeout_s, read=stall_timeout_s)
        # Hearth retries whole requests itself (resuming with Range) and follows redirects itself,
        # so that the network guard can allow the redirect target (the Hub's CDN) first.
        self._retries = urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=0, raise_on_redirect=False)
        self._direct = urllib3.PoolManager(timeout=self._timeout, retries=self._retries, cert_reqs="CERT_REQUIRED")
        self._proxied: dict[str, urllib3.ProxyManager] = {}

    def _pool(self, url: str) -> urllib3.PoolManager:
        parts = urlsplit(url)
        proxy = urllib.request.getproxies().get(parts.scheme)
        if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
            return self._direct
        if proxy not in self._proxied:
            self._proxied[proxy] = urllib3.ProxyManager(
                proxy, timeout=self._timeout, retries=self._retries, cert_reqs="CERT_REQUIRED"
            )
        return self._proxied[proxy]

    def get(self, url: str, headers: dict[str, str]) -> Any:
        """Start a streamed GET, following redirects; the caller reads with :func:`read_chunks` and closes."""
        for _ in range(MAX_REDIRECTS):
            try:
                response = self._pool(url).request(
                    "GET", url, headers=headers, preload_content=False, decode_content=False, redirect=False
                )
            except MaxRetryError as exc:
                raise _classify(exc.reason or exc) from None
            except HTTPError as exc:
                raise _classify(exc) from None
            location = response.headers.get("location")
            if response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            response.drain_conn()
            response.release_conn()
            target = urljoin(url, location)
            headers = follow(url, target, headers)
            if _origin(target) != _origin(url):
                netguard.permit(target, f"redirect from {urlsplit(url).hostname}")
            url = target
        raise TransientHTTPError("too many redirects")

    def read_chunks(self, response: Any) -> Any:
        """Yield body bytes as they arrive; network failures become TransientHTTPError."""
        try:
            while chunk := response.read1(READ_SIZE):
                yield chunk
        except HTTPError as exc:
            raise _classify(exc) from None
        except OSError as exc:
            raise TransientHTTPError(type(exc).__name__) from None

    def close(self) -> None:
        self._direct.clear()
        for pool in self._proxied.values():
            pool.clear()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"https": 443, "http": 80}.get(parts.scheme)


def follow(url: str, target: str, headers: dict[str, str]) -> dict[str, str]:
    """The headers for a redirect from ``url`` to ``target``: never from https down to http (the
    token and the bytes would travel in clear), and no ``Authorization`` for another origin (scheme,
    host or port: the Hub's CDN gets no token)."""
    if urlsplit(url).scheme == "https" and urlsplit(target).scheme != "https":
        raise DownloadError(
            say(
                (
                    "{hostname} redirected the download to plain {scheme}://{hostname2}; Hearth does not "
                    "follow a redirect from https to an unencrypted address."
                ),
                hostname=urlsplit(url).hostname,
                scheme=urlsplit(target).scheme,
                hostname2=urlsplit(target).hostname,
            ),
            say("Tell IT: the mirror is misconfigured."),
        )
    if _origin(target) != _origin(url):
        _require_allowed_redirect(url, target)
        return {k: v for k, v in headers.items() if k.lower() != "authorization"}
    return headers


HUB_CDN_DOMAINS = ("huggingface.co", "hf.co")  # the public Hub sends file bytes to its CDN under these


def _require_allowed_redirect(url: str, target: str) -> None:
    """Another host gets the request only if it is this machine, the Hub's own CDN, or a host the
    policy lists in ``download_hosts`` (an internal mirror's object store)."""
    from app.core.privacy.policy import load as load_policy
    from app.core.privacy.transport import is_loopback

    host = (urlsplit(target).hostname or "").lower()
    if host == (urlsplit(url).hostname or "").lower() or is_loopback(host):
        return
    if any(host == domain or host.endswith("." + domain) for domain in HUB_CDN_DOMAINS):
        return
    if host in {h.lower() for h in load_policy()["download_hosts"]}:
        return
    raise DownloadError(
        say(
            (
                "{hostname} redirected the download to {host}, which is neither the Hub's CDN nor a host "
                "your organisation's policy allows, so Hearth did not follow it."
            ),
            hostname=urlsplit(url).hostname,
            host=host,
        ),
        say("IT can list the host in the policy's download_hosts."),
    )


def _classify(exc: BaseException) -> Exception:
    if isinstance(exc, SSLError):
        return DownloadError(
            say("The server's TLS certificate could not be verified ({exc}).", exc=exc),
            say("If your organisation inspects TLS, its root certificate must be in the system's trust store."),
        )
    if isinstance(exc, ReadTimeoutError):
        return TransientHTTPError("no data within the stall timeout")
    if isinstance(exc, ProtocolError):
        return TransientHTTPError("the connection broke")
    return TransientHTTPError(type(exc).__name__)
