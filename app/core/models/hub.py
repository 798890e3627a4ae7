"""What to download, from where: endpoint, revision, URLs, sizes and hashes.

huggingface-hub does the Hub-specific work (``HF_ENDPOINT`` mirrors, URL
layout, auth headers, metadata requests); the bytes move in
:mod:`app.core.models.transfer`.  The commit is resolved once and every file and
shard of a model is fetched at that commit, so a resume or a later shard can
never mix revisions.

A file is only accepted with a sha256 to check it against.  Sources, most
trusted first: the catalog's pinned hash, the Hub's ``paths-info`` LFS
metadata, the ``X-Linked-Etag`` header.  Mirrors are imperfect (no commit
header, no LFS hash): each gap falls back to the next source, and a file with
no hash from any source is refused rather than accepted unverified.
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx2

from app.core.errors import (
    AuthRequiredError,
    ChecksumMismatchError,
    DownloadError,
    HearthError,
    NetworkError,
    RemoteFileNotFoundError,
    UnverifiableFileError,
)
from app.core.models.hashing import is_sha256
from app.core.privacy.transport import require_secure, tls_failure
from app.core.sentences import say

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://huggingface.co"
METADATA_ATTEMPTS = 3
METADATA_BACKOFF_S = 0.5


def hub_endpoint(override: str | None = None) -> str:
    """The machine policy's endpoint (users cannot change it), else an explicit value,
    else ``HF_ENDPOINT``, else the public Hub."""
    from app.core.privacy import policy

    rules = policy.load()
    endpoint = str(rules["hub_endpoint"] or override or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    require_secure(
        endpoint,
        rules,
        "The model download endpoint",
        "Use the mirror's https:// address; IT can list a host in the policy's http_hosts.",
    )
    return endpoint


def _hub(endpoint: str) -> Any:
    """Import huggingface-hub with Xet off for custom endpoints (Xet ignores HF_ENDPOINT)."""
    if endpoint != DEFAULT_ENDPOINT:
        os.environ.setdefault("HF_HUB_DISABLE_XET", "1")
    import huggingface_hub

    return huggingface_hub


def import_ahead() -> None:
    """Import huggingface-hub and the submodules a download uses now, as the first download
    would (a background warm-up): they leave ~24,000 long-lived objects, which the window's
    next young garbage collection would walk mid-download (a 10-20 ms stall measured with
    ``bench/ui_stall.py``).  An endpoint the policy refuses is left to the download, which
    says so."""
    try:
        hf = _hub(hub_endpoint())
    except HearthError:
        log.info("huggingface-hub not imported ahead: the endpoint is refused")
        return
    # Its submodules load on first use of each name: these are the ones a download uses.
    importlib.import_module("huggingface_hub.errors")
    for name in ("hf_hub_url", "get_hf_file_metadata", "HfApi"):
        getattr(hf, name)


@dataclass(frozen=True)
class RemoteFile:
    repo: str
    path: str
    commit: str
    url: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Wanted:
    """A file the catalog names, with what the catalog knows about it."""

    path: str
    size: int | None = None
    sha256: str | None = None


def auth_headers(endpoint: str, token: str | None) -> dict[str, str]:
    return dict(_hub(endpoint).utils.build_hf_headers(token=token or False, library_name="hearth"))


def resolve(repo: str, revision: str, wanted: list[Wanted], endpoint: str, token: str | None) -> list[RemoteFile]:
    """Resolve the commit, then each file's URL, size and sha256 at that commit."""
    hf = _hub(endpoint)
    try:
        first = _metadata(hf, repo, wanted[0].path, revision, endpoint, token)
        commit = first.commit_hash or _commit_from_api(hf, repo, revision, endpoint, token) or revision
        infos = _paths_info(hf, repo, commit, [w.path for w in wanted], endpoint, token)
        files = []
        for want in wanted:
            meta = first if want is wanted[0] and commit == revision else _metadata(hf, repo, want.path, commit, endpoint, token)
            files.append(_remote(repo, commit, want, meta, infos.get(want.path), endpoint))
        return files
    except hf.errors.GatedRepoError:
        raise AuthRequiredError(
            say("{repo} is gated: the Hub wants you to accept its terms and use a token.", repo=repo),
            say("Accept the terms on the model page, then run 'hearth models login'."),
        ) from None
    except hf.errors.RepositoryNotFoundError as exc:
        if getattr(exc.response, "status_code", None) == 401:
            raise AuthRequiredError(
                say("{endpoint} refused access to {repo} (HTTP 401).", endpoint=endpoint, repo=repo),
                say("Run 'hearth models login' with a token that can read it."),
            ) from None
        raise RemoteFileNotFoundError(
            say("{repo} was not found on {endpoint}.", repo=repo, endpoint=endpoint),
            say("Check the mirror or the catalog entry."),
        ) from None
    except hf.errors.RevisionNotFoundError:
        raise RemoteFileNotFoundError(
            say("Revision {revision} of {repo} was not found on {endpoint}.", revision=revision, repo=repo, endpoint=endpoint)
        ) from None
    except hf.errors.HfHubHTTPError as exc:
        if getattr(exc.response, "status_code", None) == 404:  # EntryNotFoundError, or a mirror's bare 404
            raise RemoteFileNotFoundError(
                say("{endpoint} has no such file in {repo}: {url}.", endpoint=endpoint, repo=repo, url=exc.response.url),
                say("The catalog entry may be out of date."),
            ) from None
        raise NetworkError(
            say("{endpoint} answered with an error: {exc}.", endpoint=endpoint, exc=exc), say("Try again later.")
        ) from None
    except (httpx2.TransportError, OSError) as exc:
        if tls := tls_failure(exc):
            raise NetworkError(
                say("{endpoint} was not used: {tls}.", endpoint=endpoint, tls=tls),
                say(
                    "If your organisation runs its own certificate authority, its root certificate must be in "
                    "the system's trust store (or in SSL_CERT_FILE)."
                ),
            ) from None
        raise NetworkError(
            say("Cannot reach {endpoint} ({name__}).", endpoint=endpoint, name__=type(exc).__name__),
            say("Check the network connection, the proxy, or HF_ENDPOINT for an internal mirror."),
        ) from None


def _metadata(hf: Any, repo: str, path: str, revision: str, endpoint: str, token: str | None) -> Any:
    """HEAD the resolve URL; connection errors and 5xx are retried a few times with backoff."""
    url = hf.hf_hub_url(repo, path, revision=revision, endpoint=endpoint)
    for attempt in range(1, METADATA_ATTEMPTS + 1):
        try:
            return hf.get_hf_file_metadata(url, token=token or False, endpoint=endpoint)
        except (httpx2.TransportError, hf.errors.HfHubHTTPError) as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if attempt == METADATA_ATTEMPTS or (status is not None and status < 500 and status != 429):
                raise
            log.warning("metadata for %s failed (%s); retrying", path, exc)
            time.sleep(METADATA_BACKOFF_S * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _commit_from_api(hf: Any, repo: str, revision: str, endpoint: str, token: str | None) -> str | None:
    try:
        sha = hf.HfApi(endpoint=endpoint, token=token or False).model_info(repo, revision=revision).sha
    except (hf.errors.HfHubHTTPError, httpx2.TransportError, ValueError, KeyError) as exc:
        log.warning("%s: no commit from the server (%s); fetching revision %s as named", repo, exc, revision)
        return None
    return str(sha) if sha else None


def _paths_info(hf: Any, repo: str, commit: str, paths: list[str], endpoint: str, token: str | None) -> dict[str, Any]:
    try:
        infos = hf.HfApi(endpoint=endpoint, token=token or False).get_paths_info(repo, paths, revision=commit)
    except (hf.errors.HfHubHTTPError, httpx2.TransportError, ValueError, KeyError) as exc:
        log.warning("%s: paths-info unavailable (%s); relying on headers", repo, exc)
        return {}
    return {info.path: info for info in infos}


def _remote(repo: str, commit: str, want: Wanted, meta: Any, info: Any, endpoint: str) -> RemoteFile:
    hub_sha = None
    if info is not None and getattr(info, "lfs", None) is not None and is_sha256(info.lfs.sha256):
        hub_sha = info.lfs.sha256
    elif is_sha256(meta.etag):
        hub_sha = meta.etag  # X-Linked-Etag of an LFS file is its sha256
    if want.sha256 and hub_sha and want.sha256 != hub_sha:
        raise ChecksumMismatchError(
            say(
                "{path}: the server publishes sha256 {hub_sha}…, but the catalog pins {sha256}….",
                path=want.path,
                hub_sha=hub_sha[:12],
                sha256=want.sha256[:12],
            ),
            say("The file at this revision is not the one the catalog vouches for; nothing was downloaded."),
        )
    sha = want.sha256 or hub_sha
    if not sha:
        raise UnverifiableFileError(
            say(
                "No sha256 is known for {path}: neither the catalog nor {endpoint} publishes one.",
                path=want.path,
                endpoint=endpoint,
            ),
            say("Hearth does not install files it cannot verify. Ask your administrator to pin the hash in the catalog."),
        )
    published = (info.size if info is not None else None) or meta.size
    if want.size and published and int(published) != want.size:
        raise ChecksumMismatchError(
            say(
                "{path}: the server publishes {published:,} bytes, but the catalog pins {size:,}.",
                path=want.path,
                published=int(published),
                size=want.size,
            ),
            say("The file at this revision is not the one the catalog vouches for; nothing was downloaded."),
        )
    size = want.size or published
    if not size:
        raise DownloadError(say("{endpoint} does not say how large {path} is.", endpoint=endpoint, path=want.path))
    url = _hub(endpoint).hf_hub_url(repo, want.path, revision=commit, endpoint=endpoint)
    return RemoteFile(repo, want.path, commit, url, int(size), sha)


def sign_in(token: str) -> str:
    """Keep ``token`` for the download endpoint in the OS keyring (never a file); returns the
    endpoint.  The CLI's ``hearth models login`` and the window's sign-in both come here."""
    from app.core.privacy import secrets as credentials

    token = token.strip()
    if not token:
        raise HearthError(say("No token given."))
    endpoint = hub_endpoint()
    credentials.save_token(endpoint, token)
    return endpoint


def sign_out() -> bool:
    """Forget the endpoint's token; False when none was stored."""
    from app.core.privacy import secrets as credentials

    return credentials.delete_token(hub_endpoint())


def signed_in() -> bool:
    """Whether downloads from the endpoint carry a token (the keyring's, or ``HF_TOKEN``)."""
    from app.core.privacy import secrets as credentials

    return credentials.load_token(hub_endpoint()) is not None
