"""A local HTTP server that speaks the parts of the Hugging Face Hub's interface
Hearth uses, with faults injected on demand.

Routes (as on the real Hub):
* ``HEAD/GET /{repo}/resolve/{revision}/{path}`` with ``X-Repo-Commit``,
  ``ETag``, ``X-Linked-Etag`` (sha256) and ``X-Linked-Size``; Range gives 206.
  With ``redirect=True`` the resolve URL answers 302 to a ``/cdn/`` URL, like
  the Hub sends large files to its CDN.
* ``GET /api/models/{repo}/revision/{revision}``: ``sha`` and ``siblings``.
* ``POST /api/models/{repo}/paths-info/{revision}``: size and ``lfs.oid``.

Faults are queued per file path and consumed one per GET of the file bytes:
``drop`` (close after N bytes), ``status`` (answer an HTTP error), ``stall``
(send N bytes, then nothing for a while), ``corrupt`` (flip bytes),
``ignore_range`` (answer 200 with the whole file).  ``throttle_bps`` slows
every body so a test can kill a download half-way.  Imperfect-mirror switches:
``commit_header``, ``lfs_hash``.  Every request is logged for assertions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$")
CDN = re.compile(r"^/cdn/(?P<repo>[^/]+/[^/]+)/(?P<rev>[^/]+)/(?P<path>.+)$")
API_REV = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/revision/(?P<rev>[^/]+)$")
API_PATHS = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/paths-info/(?P<rev>[^/]+)$")


@dataclass
class Fault:
    kind: str  # drop | status | stall | corrupt | ignore_range
    after: int = 0  # bytes sent before the fault (drop, stall)
    status: int = 503
    seconds: float = 5.0


def _pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as data:
        while piece := data.read(1 << 20):
            yield piece


@dataclass
class Repo:
    commit: str
    files: dict[str, bytes | Path] = field(default_factory=dict)  # a Path is served with sendfile()
    token: str | None = None  # gated: this bearer token is required
    advertised_size: dict[str, int] = field(default_factory=dict)  # lie about a size in metadata


@dataclass
class Request:
    method: str
    path: str
    range: str | None
    authorization: str | None
    during_stall: bool = False  # another response was stalled when this request arrived


class HubServer:
    def __init__(self, tls: Any = None) -> None:
        self.tls = tls  # an ssl.SSLContext: serve https (the tests' certificate: not trusted by the system)
        self.repos: dict[str, Repo] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.log: list[Request] = []
        self.throttle_bps: int = 0
        self._digests: dict[object, tuple[str, str, int]] = {}
        self.chunk_bytes = 16384  # body write size (the benchmark uses 1 MiB)
        self.redirect = False
        self.cdn_endpoint: str | None = None  # where redirects point (another origin); None: this server
        self.commit_header = True
        self.lfs_hash = True
        self.stalled = 0  # responses stalled right now
        self._stopping = threading.Event()  # ends stalls when the server stops
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls is not None else 'http'}://{host}:{port}"

    def start(self) -> HubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def add_repo(self, repo: str, files: dict[str, bytes | Path], token: str | None = None) -> Repo:
        commit = hashlib.sha1((repo + "".join(sorted(files))).encode()).hexdigest()
        self.repos[repo] = Repo(commit, dict(files), token)
        return self.repos[repo]

    def digests(self, source: bytes | Path) -> tuple[str, str, int]:
        """(git-style sha1, sha256, size) of a file, computed once."""
        key: object = source if isinstance(source, bytes) else str(source)  # bytes hash once, then cached
        if key not in self._digests:
            sha1, sha256, size = hashlib.sha1(), hashlib.sha256(), 0
            # A file in pieces: a 512 MiB benchmark file read whole was one read() of 512 MiB.
            pieces = [source] if isinstance(source, bytes) else _pieces(source)
            for piece in pieces:
                sha1.update(piece)
                sha256.update(piece)
                size += len(piece)
            self._digests[key] = (sha1.hexdigest(), sha256.hexdigest(), size)
        return self._digests[key]

    def fault(self, path: str, *faults: Fault) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def file_gets(self, path: str) -> list[Request]:
        return [r for r in self.log if r.method == "GET" and r.path.endswith("/" + path) and "/api/" not in r.path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def _record(self) -> None:
                hub.log.append(
                    Request(
                        self.command,
                        unquote(self.path),
                        self.headers.get("Range"),
                        self.headers.get("Authorization"),
                        hub.stalled > 0,
                    )
                )

            def do_HEAD(self) -> None:
                self._record()
                self._file(body=False)

            def do_GET(self) -> None:
                self._record()
                path = unquote(self.path.split("?")[0])
                if match := API_REV.match(path):
                    repo = self._repo(match["repo"], match["rev"])
                    if repo:
                        siblings = [{"rfilename": name} for name in repo.files]
                        self._json({"id": match["repo"], "sha": repo.commit, "siblings": siblings})
                    return
                self._file(body=True)

            def do_POST(self) -> None:
                self._record()
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                match = API_PATHS.match(unquote(self.path))
                if not match:
                    return self._error(404)
                repo = self._repo(match["repo"], match["rev"])
                if not repo:
                    return None
                infos = []
                for name in form.get("paths", []):
                    if name in repo.files:
                        sha1, sha256, length = hub.digests(repo.files[name])
                        size = repo.advertised_size.get(name, length)
                        info: dict[str, object] = {
                            "type": "file",
                            "path": name,
                            "size": size,
                            "oid": sha1,
                        }
                        if hub.lfs_hash:
                            info["lfs"] = {"oid": sha256, "size": size, "pointerSize": 134}
                        infos.append(info)
                self._json(infos)
                return None

            def _repo(self, name: str, rev: str) -> Repo | None:
                repo = hub.repos.get(name)
                if repo is None or rev not in ("main", repo.commit):
                    self._error(404, "Repository or revision not found")
                    return None
                if repo.token and self.headers.get("Authorization") != f"Bearer {repo.token}":
                    self._error(401, "Access to this repository is restricted")
                    return None
                return repo

            def _file(self, body: bool) -> None:
                path = unquote(self.path.split("?")[0])
                match = RESOLVE.match(path) or CDN.match(path)
                if not match:
                    return self._error(404)
                repo = self._repo(match["repo"], match["rev"])
                if repo is None:
                    return None
                name = match["path"]
                if name not in repo.files:
                    return self._error(404, "Entry not found")
                sha1, sha256, length = hub.digests(repo.files[name])
                headers = {"ETag": f'"{sha1}"', "Accept-Ranges": "bytes"}
                if hub.commit_header:
                    headers["X-Repo-Commit"] = repo.commit
                if hub.lfs_hash:
                    headers["X-Linked-Etag"] = f'"{sha256}"'
                headers["X-Linked-Size"] = str(repo.advertised_size.get(name, length))
                if hub.redirect and RESOLVE.match(path):
                    self.send_response(302)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Location", f"{hub.cdn_endpoint or hub.endpoint}/cdn/{match['repo']}/{repo.commit}/{name}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                fault = hub.faults[name].pop(0) if body and hub.faults.get(name) else None
                return self._send_bytes(repo.files[name], headers, body, fault)

            def _send_bytes(self, source: bytes | Path, headers: dict[str, str], body: bool, fault: Fault | None) -> None:
                plain = isinstance(source, Path) and fault is None and not hub.throttle_bps
                data = b"" if plain else (source.read_bytes() if isinstance(source, Path) else source)
                length = source.stat().st_size if isinstance(source, Path) else len(source)
                if fault and fault.kind == "status":
                    return self._error(fault.status, "injected failure")
                if fault and fault.kind == "corrupt":
                    data = bytes(b ^ 0x5A for b in data[:64]) + data[64:]
                start = 0
                range_header = self.headers.get("Range")
                if range_header and not (fault and fault.kind == "ignore_range"):
                    start = int(re.match(r"bytes=(\d+)-", range_header)[1])  # type: ignore[index]
                    if start >= length:
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{length}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return None
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{length - 1}/{length}")
                else:
                    self.send_response(200)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(length - start))
                self.end_headers()
                if body and plain:
                    self._sendfile(source, start, length)  # type: ignore[arg-type]
                elif body:
                    self._body(data[start:], fault)
                return None

            def _sendfile(self, path: Path, start: int, length: int) -> None:
                """Zero-copy, like a real mirror's web server: the server costs almost no CPU."""
                self.wfile.flush()
                with open(path, "rb") as src:
                    offset = start
                    try:
                        while offset < length:
                            sent = os.sendfile(self.connection.fileno(), src.fileno(), offset, length - offset)
                            if not sent:
                                break
                            offset += sent
                    except (BrokenPipeError, ConnectionResetError):
                        self.close_connection = True

            def _body(self, payload: bytes, fault: Fault | None) -> None:
                limit = fault.after if fault and fault.kind in ("drop", "stall") else len(payload)
                step = hub.chunk_bytes
                sent = 0
                try:
                    while sent < min(limit, len(payload)):
                        piece = payload[sent : min(sent + step, limit)]
                        self.wfile.write(piece)
                        sent += len(piece)
                        if hub.throttle_bps:
                            time.sleep(len(piece) / hub.throttle_bps)
                    self.wfile.flush()
                    if fault and fault.kind == "stall":
                        hub.stalled += 1
                        try:
                            hub._stopping.wait(fault.seconds)
                        finally:
                            hub.stalled -= 1
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if fault and fault.kind in ("drop", "stall"):
                    self.close_connection = True

            def _json(self, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, message: str = "error") -> None:
                data = json.dumps({"error": message}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 401:
                    self.send_header("X-Error-Code", "GatedRepo")
                self.end_headers()
                self.wfile.write(data)

        return Handler


def main() -> None:
    """Serve a directory's GGUF files as repo ``local/models`` (manual tests, benchmarks):
    ``python -m tests.hub_server DIR [CHUNK_BYTES]``; prints the endpoint."""
    import sys

    root = Path(sys.argv[1])
    server = HubServer()
    if len(sys.argv) > 2:
        server.chunk_bytes = int(sys.argv[2])
    repo = server.add_repo("local/models", {p.name: p for p in root.glob("*.gguf")})
    for source in repo.files.values():
        server.digests(source)  # before serving, as a mirror knows its files' hashes ahead (the Hub stores them)
    server.start()
    print(server.endpoint, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
