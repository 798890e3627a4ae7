"""A fault-injecting OpenAI-compatible server on loopback, for the remote engine's tests.

It replays the stream shapes of each server flavour, as documented in
``../shared/notes/deepseek-2026.md`` section 3:

* ``vllm``: reasoning in ``delta.reasoning``;
* ``sglang`` (and llama-server with ``--reasoning-format deepseek``): ``delta.reasoning_content``;
* ``think``: a server without a reasoning parser, ``<think>…</think>`` inside ``content``;
* ``prefilled``: the same, but the template pre-filled ``<think>`` so only ``</think>`` appears;
* ``plain``: answer text only.

Usage comes in the last chunk, in every chunk, or not at all; and the faults:
an HTTP error status with a body, connections closed before any reply (the
first N), a stream that stalls after N pieces (until the client leaves), one
dropped mid-answer, and a mid-stream ``error`` chunk.  Everything it received
is recorded so tests assert what Hearth sent.
"""

from __future__ import annotations

import json
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    flavour: str = "sglang"
    reasoning: list[str] = field(default_factory=lambda: ["Let me ", "think."])
    content: list[str] = field(default_factory=lambda: ["The answer ", "is 4."])
    usage: str = "last"  # "last", "every" or "none"
    finish_reason: str = "stop"
    status: int = 200
    error_body: Any = None  # JSON (or text) sent with an error status
    headers: dict[str, str] = field(default_factory=dict)
    refuse_first: int = 0  # close this many chat connections before replying
    stall_after: int | None = None  # pieces sent before going silent (until the client disconnects)
    drop_after: int | None = None  # pieces sent before closing the connection without [DONE]
    error_after: int | None = None  # pieces sent before an in-stream error chunk
    models: list[dict[str, Any]] = field(default_factory=lambda: [{"id": "deepseek-v4-pro", "max_model_len": 131072}])
    props: dict[str, Any] | None = None  # llama-server's /props, when set
    key: str | None = None  # required bearer key
    garbage: str | None = None  # one event-stream line that is not JSON, first
    not_a_stream: bool = False  # answer a streaming request with one JSON object (a proxy or the wrong URL)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.script = Script()
        self.requests: list[dict[str, Any]] = []  # {"path", "headers", "body"}
        self.disconnected = threading.Event()  # the client went away in the middle of a stream
        self.refused = 0
        self._thread = threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        scheme = "https" if isinstance(self.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def chats(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]


def _chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "fake",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        data["usage"] = usage
    return data


def stream_chunks(script: Script, prompt_tokens: int = 17) -> list[dict[str, Any]]:
    """The chunks of one answer in the script's flavour (before faults)."""
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    if script.flavour == "vllm":
        deltas += [{"reasoning": r} for r in script.reasoning] + [{"content": c} for c in script.content]
    elif script.flavour == "sglang":
        deltas += [{"reasoning_content": r, "content": None} for r in script.reasoning] + [{"content": c} for c in script.content]
    elif script.flavour in ("think", "prefilled"):
        opening = ["<think>\n"] if script.flavour == "think" else []
        pieces = [*opening, *script.reasoning, "</think>\n\n", *script.content]
        deltas += [{"content": p} for p in pieces]
    else:
        deltas += [{"content": c} for c in script.content]
    count = len(deltas) - 1
    chunks = []
    for number, delta in enumerate(deltas):
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": number, "total_tokens": prompt_tokens + number}
        chunks.append(_chunk(delta, usage=usage if script.usage == "every" else None))
    chunks.append(_chunk({}, script.finish_reason, usage if script.usage == "every" else None))
    if script.usage == "last":
        final = {"prompt_tokens": prompt_tokens, "completion_tokens": count, "total_tokens": prompt_tokens + count}
        chunks.append({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [], "usage": final})
    return chunks


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self, body: Any) -> None:
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})

    def _authorised(self) -> bool:
        key = self.server.script.key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self._reply(401, {"error": {"message": "Invalid API key", "type": "invalid_request_error"}})
        return False

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._record(None)
        if not self._authorised():
            return
        script = self.server.script
        if self.path == "/v1/models":
            self._reply(200, {"object": "list", "data": [{"object": "model", "owned_by": "fake", **m} for m in script.models]})
        elif self.path == "/props" and script.props is not None:
            self._reply(200, script.props)
        else:
            self._reply(404, {"error": {"message": "Not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        self._record(body)
        script = self.server.script
        if self.server.refused < script.refuse_first:
            self.server.refused += 1
            self.connection.shutdown(socket.SHUT_RDWR)  # closed before any reply: a failed connection
            return
        if not self._authorised():
            return
        if script.status != 200:
            self._reply(script.status, script.error_body if script.error_body is not None else {}, script.headers)
            return
        if script.not_a_stream:
            self._reply(200, {"choices": [{"message": {"role": "assistant", "content": "whole"}}]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if script.garbage is not None:
            self._send_raw(f"data: {script.garbage}\n\n".encode())
        chunks = stream_chunks(script)
        pieces = 0
        for chunk in chunks:
            if pieces == script.stall_after:
                self._wait_for_disconnect()
                return
            if pieces == script.drop_after:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if pieces == script.error_after:
                self._send({"error": {"message": "CUDA out of memory", "code": 500}})
                break
            if not self._send(chunk):
                return
            if chunk["choices"] and chunk["choices"][0]["delta"]:
                pieces += 1
        self._send_raw(b"data: [DONE]\n\n")

    def _send(self, chunk: dict[str, Any]) -> bool:
        return self._send_raw(f"data: {json.dumps(chunk)}\n\n".encode())

    def _send_raw(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except OSError:
            self.server.disconnected.set()
            return False

    def _wait_for_disconnect(self, limit_s: float = 30.0) -> None:
        """Silent until the client closes its end (then record that it did)."""
        self.wfile.flush()
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.02)
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        break
                except OSError:
                    break
        self.server.disconnected.set()
