"""Fetch one large file over HTTP into a resumable ``.part`` file, verified.

Why by hand: huggingface-hub (>= 1.18) deletes its partial file when a
download is interrupted, so a 40 GB model over a flaky corporate link could
never finish across restarts.  Hub-specific work (endpoint, revision, auth
headers, metadata) stays with huggingface-hub (:mod:`app.core.models.hub`); this
module only moves bytes, with:

* HTTP ``Range`` from the size of the ``.part`` file, so a restart or a kill
  resumes where the bytes on disk end.  A sidecar ``.part.json`` records what
  the partial file belongs to (URL, size, sha256); a mismatch starts over.
* SHA-256 computed while streaming; on resume after a restart the kept prefix
  is hashed once (a hash state cannot be saved).  Only a file whose hash
  matches is renamed into place (atomic ``os.replace``); a mismatch deletes it.
* Retries with exponential backoff and jitter on connection errors, 5xx and
  429; a stream that sends nothing for ``stall_timeout`` seconds counts as a
  transient error (httpx's read timeout).  A server that ignores ``Range``
  (200 instead of 206) is detected and the file is rewritten from the start.
* Pause (the connection is closed, the ``.part`` kept), resume, and cancel,
  all cooperative from any thread, and progress callbacks (bytes, speed, ETA).
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import queue
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import (
    AuthRequiredError,
    ChecksumMismatchError,
    DownloadCancelledError,
    DownloadError,
    InsufficientDiskError,
    NetworkError,
    RemoteFileNotFoundError,
)
from app.core.models.hashing import sha256_prefix
from app.core.models.http_client import HttpClient, TransientHTTPError
from app.core.sentences import say

log = logging.getLogger(__name__)

CHUNK = 1 << 20
SIDECAR = ".json"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8  # consecutive failures without progress before giving up
    backoff_s: float = 1.0
    backoff_cap_s: float = 60.0
    stall_timeout_s: float = 30.0
    connect_timeout_s: float = 15.0

    def delay(self, failures: int) -> float:
        return float(min(self.backoff_cap_s, self.backoff_s * 2 ** (failures - 1)) * random.uniform(0.5, 1.0))


@dataclass(frozen=True)
class Progress:
    name: str  # file being fetched
    done: int  # bytes of this file on disk
    total: int
    speed_bps: float  # moving average over the last few seconds
    state: str  # "downloading", "checking" (hashing a kept part), "restarting", "retrying", "paused", "verifying", "done"
    message: str = ""

    @property
    def eta_s(self) -> float | None:
        if self.speed_bps <= 0:
            return None
        return (self.total - self.done) / self.speed_bps


class DownloadControl:
    """Pause / resume / cancel a running download from another thread."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._cancelled = threading.Event()
        self.keep_partial = False  # stop() keeps the .part files for a later resume; cancel() discards them

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self._cancelled.set()
        self._running.set()

    def stop(self) -> None:
        """End the download now but keep what was fetched (the app is quitting)."""
        self.keep_partial = True
        self.cancel()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise DownloadCancelledError(say("The download was cancelled."))

    def wait_while_paused(self) -> None:
        self._running.wait()
        self.check()

    def sleep(self, seconds: float) -> None:
        """Back off, but wake at once on cancel."""
        if self._cancelled.wait(seconds):
            self.check()


@dataclass(frozen=True)
class FileRequest:
    url: str
    dest: Path
    size: int
    sha256: str
    headers: Mapping[str, str]

    @property
    def part(self) -> Path:
        return self.dest.with_name(self.dest.name + ".part")

    @property
    def sidecar(self) -> Path:
        return self.part.with_name(self.part.name + SIDECAR)

    def identity(self) -> dict[str, Any]:
        return {"url": self.url, "size": self.size, "sha256": self.sha256}


class _Transient(Exception):
    """Worth a retry: connection lost, 5xx/429, short stream, stall."""


class _Meter:
    """Speed over a sliding window of a few seconds, for progress and ETA."""

    def __init__(self, window_s: float = 5.0) -> None:
        self.window = window_s
        self.samples: list[tuple[float, int]] = []

    def add(self, done: int) -> float:
        now = time.monotonic()
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.window:
            self.samples.pop(0)
        t0, d0 = self.samples[0]
        return (done - d0) / (now - t0) if now > t0 else 0.0


def _prepare_part(request: FileRequest) -> int:
    """Keep a partial file that belongs to this request; return its length."""
    part, sidecar = request.part, request.sidecar
    part.parent.mkdir(parents=True, exist_ok=True)
    try:
        recorded = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = None
    if recorded == request.identity() and part.exists() and part.stat().st_size <= request.size:
        return part.stat().st_size
    if part.exists():
        log.info("discarding %s: it belongs to another download", part)
    part.write_bytes(b"")
    sidecar.write_text(json.dumps(request.identity()), encoding="utf-8")
    return 0


def discard_partial(request: FileRequest) -> None:
    for path in (request.part, request.sidecar):
        path.unlink(missing_ok=True)


def fetch_file(
    client: HttpClient,
    request: FileRequest,
    control: DownloadControl | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    policy: RetryPolicy = RetryPolicy(),
) -> Path:
    """Download ``request`` to ``request.dest``; resumes a kept ``.part``; verifies sha256."""
    control = control or DownloadControl()
    report = on_progress or (lambda _p: None)
    name = request.dest.name
    state = _State(_prepare_part(request))
    # The kept prefix is hashed only once the server agrees to resume (206): a mirror that ignores
    # Range sends the whole file again, and hashing gigabytes that are then thrown away is waste.
    state.hasher = None if state.done else hashlib.sha256()
    if state.done:
        log.info("resuming %s at byte %d of %d", name, state.done, request.size)
    meter = _Meter()
    failures = 0

    def tick(done: int) -> None:
        report(Progress(name, done, request.size, meter.add(done), "downloading"))

    while state.done < request.size:
        control.wait_while_paused()
        before = state.done
        try:
            _stream(client, request, state, control, tick, report)
        except _Transient as exc:
            done = state.done
            failures = 0 if done > before else failures + 1
            if failures >= policy.attempts:
                raise NetworkError(
                    say("Downloading {name} failed {failures} times in a row ({exc}).", name=name, failures=failures, exc=exc),
                    say("Check the network or the mirror and run the download again; it resumes where it stopped."),
                ) from None
            wait = policy.delay(max(failures, 1))
            log.warning("download of %s interrupted at %d bytes (%s); retry in %.1fs", name, done, exc, wait)
            report(Progress(name, done, request.size, 0.0, "retrying", str(exc)))
            control.sleep(wait)
            continue
        if control.paused:
            report(Progress(name, state.done, request.size, 0.0, "paused"))
    report(Progress(name, state.done, request.size, 0.0, "verifying"))
    if state.hasher is None:  # the whole file was already on disk: nothing was requested
        state.hasher = sha256_prefix(request.part, state.done)
    digest = state.hasher.hexdigest()
    if digest != request.sha256:
        discard_partial(request)
        raise ChecksumMismatchError(
            say(
                "{name} does not match its published sha256 (expected {sha256}…, got {digest}…); the damaged file was deleted.",
                name=name,
                sha256=request.sha256[:12],
                digest=digest[:12],
            ),
            say("Run the download again. If it fails the same way, the mirror serves a bad copy: tell your administrator."),
        )
    os.replace(request.part, request.dest)
    request.sidecar.unlink(missing_ok=True)
    report(Progress(name, state.done, request.size, 0.0, "done"))
    return request.dest


class _State:
    """Bytes on disk and the running hash over exactly those bytes."""

    def __init__(self, done: int) -> None:
        self.done = done
        self.hasher: Any = None

    def restart(self) -> None:
        self.done = 0
        self.hasher = hashlib.sha256()


RANGE_IGNORED = (
    "The server does not resume downloads (it ignored the HTTP Range request), so this file starts over "
    "from zero (the {done:,} bytes it had are not re-checked: they would be thrown away)."
)


def _stream(
    client: HttpClient,
    request: FileRequest,
    state: _State,
    control: DownloadControl,
    tick: Callable[[int], None],
    report: Callable[[Progress], None],
) -> None:
    """One HTTP request from byte ``state.done``, appending to the part file."""
    headers = {**request.headers, "Range": f"bytes={state.done}-", "Accept-Encoding": "identity"}
    try:
        response = client.get(request.url, headers)
    except TransientHTTPError as exc:
        raise _Transient(str(exc)) from None
    try:
        status = response.status
        _raise_for_status(status, request.dest.name)
        if status == 200 and state.done:
            log.warning("%s: the server ignored the Range header; starting the file over", request.dest.name)
            message = RANGE_IGNORED.format(done=state.done)
            report(Progress(request.dest.name, 0, request.size, 0.0, "restarting", message))
            state.restart()
        elif status == 206 and not response.headers.get("content-range", "").startswith(f"bytes {state.done}-"):
            raise _Transient(f"unexpected Content-Range {response.headers.get('content-range')!r}")
        if state.hasher is None:  # the server resumes: now the kept bytes are worth hashing
            report(Progress(request.dest.name, state.done, request.size, 0.0, "checking"))
            state.hasher = sha256_prefix(request.part, state.done)
        with open(request.part, "r+b", buffering=0) as out, _DiskWriter(out, state, request) as writer:
            if os.fstat(out.fileno()).st_size > state.done:
                # Only when needed: on ext4 a truncate makes the next close flush the
                # whole file (auto_da_alloc), which cost ~25% of a 1 GiB download.
                out.truncate(state.done)
            out.seek(state.done)
            received = state.done
            for chunk in client.read_chunks(response):
                received += len(chunk)
                if received > request.size:
                    raise _Transient("the server sent more bytes than the file has")
                writer.put(chunk)
                tick(received)
                control.check()
                if control.paused:
                    return
    except TransientHTTPError as exc:
        raise _Transient(str(exc)) from None
    finally:
        response.close()
    if state.done < request.size:
        raise _Transient("the connection closed early")


class _DiskWriter:
    """Writes and hashes received chunks on a second thread.

    Why: receiving, writing and hashing are each a sizeable share of a
    download's CPU time, and all three release the GIL, so running the disk
    side beside the socket side keeps up with curl instead of adding the
    costs up.  ``state.done`` only ever counts bytes that were written and
    hashed, so a resume starts exactly after them; leaving the ``with`` block
    drains the queue first, and a write error (disk full) is raised in the
    receiving thread.
    """

    DEPTH = 32  # chunks in flight (at most 32 MiB): bounded, so a slow disk slows the socket

    def __init__(self, out: Any, state: _State, request: FileRequest) -> None:
        self.out, self.state, self.request = out, state, request
        self.queue: queue.Queue[bytes | None] = queue.Queue(self.DEPTH)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="hearth-download-writer", daemon=True)

    def __enter__(self) -> _DiskWriter:
        self.thread.start()
        return self

    def put(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(chunk)

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain after a failure
            try:
                _write(self.out, chunk, self.request)
                self.state.hasher.update(chunk)
                self.state.done += len(chunk)
            except BaseException as exc:
                self.error = exc

    def __exit__(self, *exc_info: object) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _write(out: Any, chunk: bytes, request: FileRequest) -> None:
    try:
        out.write(chunk)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientDiskError(
                say("The disk holding {parent} is full.", parent=request.part.parent),
                say("Free some space and run the download again; it resumes where it stopped."),
            ) from None
        raise DownloadError(say("Cannot write {part}: {strerror}.", part=request.part, strerror=exc.strerror)) from None


def _raise_for_status(status: int, name: str) -> None:
    if status in (200, 206):
        return
    if status in (401, 403):
        raise AuthRequiredError(
            say("The server refused {name} (HTTP {status}): the repository is gated or private.", name=name, status=status),
            say("Accept the model's terms on the Hub, then run 'hearth models login' with a token that has access."),
        )
    if status == 404:
        raise RemoteFileNotFoundError(
            say("{name} was not found on the server (HTTP 404).", name=name), say("The catalog entry may be out of date.")
        )
    if status == 416:
        raise _Transient("range not satisfiable")
    if status == 429 or status >= 500:
        raise _Transient(f"HTTP {status}")
    raise DownloadError(say("The server answered HTTP {status} for {name}.", status=status, name=name))


def make_client(policy: RetryPolicy = RetryPolicy()) -> HttpClient:
    return HttpClient(policy.connect_timeout_s, policy.stall_timeout_s)
