"""The remote engine: a chat turn on an on-prem OpenAI-compatible server, as typed events.

The second implementation of :class:`app.core.engine.base.ChatEngine`, so the
session, the store, the window and ``hearth chat`` treat an answer computed
on the research cluster exactly like one computed here.

What differs between vLLM, SGLang and llama-server is absorbed here:

* reasoning arrives as ``delta.reasoning_content`` (SGLang, llama-server),
  ``delta.reasoning`` (vLLM) or as ``<think>…</think>`` inside ``content`` (a
  server without a reasoning parser), and all three become ReasoningDelta;
* the thinking switch is sent the way each server reads it:
  ``chat_template_kwargs`` with both ``thinking`` and ``enable_thinking``, and
  ``reasoning_effort`` for V4's levels;
* usage is asked for (``stream_options.include_usage``) and taken from the
  last chunk that has it; a server that sends none gets its tokens counted
  (one streamed delta is one token on these servers).

The HTTP stream is read on a helper thread that hands chunks over a queue, so
:meth:`request_cancel` ends the turn at once (it wakes the queue) and then
shuts the socket, which makes the server stop generating.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import httpx_sse

from app.core.engine.base import Continuation, LogitsProcessor, Message, SamplingParams, thinking_switches
from app.core.engine.endpoints import Endpoint, Timeouts
from app.core.engine.events import ContentDelta, GenerationEvent, GenerationSummary, ReasoningDelta, StopReason
from app.core.engine.reasoning import OPEN_TAG, ReasoningSplitter
from app.core.engine.remote_http import ERROR_BODY_LIMIT, guarded, make_client, retryable, status_error, transport_error
from app.core.engine.stops import StopMatcher
from app.core.errors import HearthError, RemoteEngineError, RemoteServerError
from app.core.sentences import say

log = logging.getLogger(__name__)


def thinking_fields(thinking: str | None) -> dict[str, Any]:
    """The request fields that turn thinking off or on: the template's switches in
    ``chat_template_kwargs`` (vLLM, SGLang and llama-server pass them on), and ``reasoning_effort``
    at the top level too, where servers read V4's levels."""
    switches = thinking_switches(thinking)
    if not switches:
        return {}  # the model's own default
    fields: dict[str, Any] = {"chat_template_kwargs": {k: v for k, v in switches.items() if k != "reasoning_effort"}}
    if "reasoning_effort" in switches:
        fields["reasoning_effort"] = switches["reasoning_effort"]
    return fields


def request_body(
    model: str, messages: Sequence[Message], params: SamplingParams, continuation: Continuation | None
) -> dict[str, Any]:
    """The Chat Completions request: history as text (reasoning never sent back: R1 and V3.1 want it
    stripped, and without tools V3.2/V4 drop it too)."""
    sent = [m.for_api() for m in messages]
    body: dict[str, Any] = {
        "model": model,
        "messages": sent,
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": params.temperature,
        "top_p": params.top_p,
        "max_tokens": params.max_tokens,
        **thinking_fields(params.thinking),
    }
    if params.seed is not None:
        body["seed"] = params.seed
    if params.stop:
        body["stop"] = list(params.stop)
    if params.ignore_eos:
        body["ignore_eos"] = True  # vLLM and llama-server
    if continuation is not None and (continuation.content or continuation.reasoning):
        # Assistant prefill: the server continues the last message (vLLM: continue_final_message;
        # llama-server does it when the conversation ends with the assistant).
        prefix = continuation.content or f"{OPEN_TAG}\n{continuation.reasoning}"
        sent.append({"role": "assistant", "content": prefix})
        body["continue_final_message"] = True
        body["add_generation_prompt"] = False
    return body


@dataclass
class _Attempt:
    """One HTTP request in flight: its queue of (kind, value) items and, once open, its response."""

    items: queue.Queue[tuple[str, Any]] = field(default_factory=queue.Queue)
    response: httpx.Response | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def abort(self) -> None:
        """Make the server notice at once that nobody listens (it stops generating)."""
        self.stop.set()
        response = self.response
        if response is None:
            return
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        try:
            if isinstance(sock, socket.socket):
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class RemoteEngine:
    """One model on one server; driven by the engine's worker thread, cancellable from any thread."""

    def __init__(self, endpoint: Endpoint, model: str, token: str | None, timeouts: Timeouts = Timeouts()) -> None:
        self.endpoint, self.model, self.timeouts = endpoint, model, timeouts
        self._client = make_client(endpoint, token, timeouts)
        self._cancel = threading.Event()
        self._attempt: _Attempt | None = None
        self._lock = threading.Lock()

    # -- ChatEngine ---------------------------------------------------------------------
    def request_cancel(self) -> None:
        self._cancel.set()
        with self._lock:
            attempt = self._attempt
        if attempt is not None:
            attempt.items.put(("cancel", None))
            attempt.abort()

    def close(self) -> None:
        self.request_cancel()
        self._client.close()

    def chat(
        self,
        messages: Sequence[Message],
        params: SamplingParams = SamplingParams(),
        *,
        logits_processor: LogitsProcessor | None = None,
        continuation: Continuation | None = None,
        cache_key: str | None = None,
    ) -> Iterator[GenerationEvent]:
        if logits_processor is not None:
            raise HearthError(say("A logits processor runs only with a model loaded in Hearth, not on a server."))
        self._cancel.clear()
        started = time.perf_counter()
        body = request_body(self.model, messages, params, continuation)
        stream = _Stream(params, continuation, started)
        try:
            with guarded(self.endpoint):
                yield from self._run(body, stream)
        except RemoteEngineError as exc:
            if stream.pieces == 0:
                raise  # nothing arrived: the session reports the typed error
            stream.fail(str(exc))
        yield from stream.finish(self._cancel.is_set())
        yield stream.summary(body)

    # -- internals ------------------------------------------------------------------------
    def _run(self, body: dict[str, Any], stream: _Stream) -> Iterator[GenerationEvent]:
        for number in range(1, self.timeouts.attempts + 1):
            attempt = _Attempt()
            with self._lock:
                self._attempt = attempt
            if self._cancel.is_set():
                return
            threading.Thread(target=self._read, args=(body, attempt), name="hearth-remote-read", daemon=True).start()
            try:
                while True:
                    kind, value = attempt.items.get()
                    if kind == "cancel" or self._cancel.is_set():
                        return
                    if kind == "open":
                        stream.opened = True
                        continue
                    if kind == "data":
                        yield from stream.chunk(value, self.endpoint)
                        continue
                    if kind == "done":
                        stream.complete = True
                        return
                    if kind == "eof":
                        return  # closed without [DONE]: finish() decides from finish_reason
                    if kind == "status":
                        raise status_error(value[0], value[1], value[2], self.endpoint, self.model)
                    assert kind == "exc"
                    if stream.pieces == 0 and not stream.opened and number < self.timeouts.attempts and retryable(value):
                        log.info("engine %s: attempt %d failed (%s); trying again", self.endpoint.name, number, value)
                        break
                    raise transport_error(value, self.endpoint, self.timeouts) from value
            finally:
                if not stream.complete:
                    attempt.abort()  # the server stops generating for nobody
            if self._cancel.wait(self.timeouts.backoff_s * 2 ** (number - 1)):
                return

    def _read(self, body: dict[str, Any], attempt: _Attempt) -> None:
        """The helper thread: the HTTP request and its event stream, item by item onto the queue."""
        put = attempt.items.put
        try:
            with self._client.stream("POST", self.endpoint.url + "/chat/completions", json=body) as response:
                attempt.response = response
                if attempt.stop.is_set():
                    return
                if response.status_code >= 400:
                    data = b"".join(_limited(response.iter_bytes(), ERROR_BODY_LIMIT))
                    put(("status", (response.status_code, data, response.headers)))
                    return
                put(("open", None))
                for event in httpx_sse.EventSource(response).iter_sse():
                    if attempt.stop.is_set():
                        return
                    if event.data.strip() == "[DONE]":
                        put(("done", None))
                        return
                    if event.data.strip():
                        put(("data", event.data))
                put(("eof", None))
        except BaseException as exc:  # handed to the engine thread, which decides what it means
            put(("exc", exc))


def _limited(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    size = 0
    for chunk in chunks:
        yield chunk
        size += len(chunk)
        if size >= limit:
            return


class _Stream:
    """The answer as it arrives: chunks in, typed events out, and the numbers for the summary."""

    def __init__(self, params: SamplingParams, continuation: Continuation | None, started: float) -> None:
        self.params, self.started = params, started
        self.stops = StopMatcher(params.stop)
        self.opened = False
        self.complete = False  # the server sent [DONE]
        self.finish_reason: str | None = None
        self.stop = StopReason.EOS
        self.usage: dict[str, Any] | None = None
        self.pieces = 0
        self.first_at = 0.0
        self.error: str | None = None
        self.separate_reasoning = False  # the server has a reasoning parser: content is all answer
        self.splitter: ReasoningSplitter | None = None
        self.resuming = continuation is not None and bool(continuation.content or continuation.reasoning)
        self.in_reasoning = self.resuming and continuation is not None and not continuation.content
        self._started_section = {"reasoning": self.resuming, "content": self.resuming and not self.in_reasoning}

    def chunk(self, data: str, endpoint: Endpoint) -> Iterator[ReasoningDelta | ContentDelta]:
        self.opened = True
        try:
            chunk = json.loads(data)
        except ValueError:
            raise RemoteServerError(
                say("{name} sent something that is not an OpenAI stream: {data!r}.", name=endpoint.name, data=data[:80])
            ) from None
        if not isinstance(chunk, dict):
            raise RemoteServerError(
                say("{name} sent something that is not an OpenAI stream: {data!r}.", name=endpoint.name, data=data[:80])
            )
        if "error" in chunk:
            error = chunk["error"]
            text = error.get("message") if isinstance(error, dict) else str(error)
            raise RemoteServerError(
                say("{name} reported an error in the middle of the answer: {text}.", name=endpoint.name, text=text)
            )
        if isinstance(chunk.get("usage"), dict):
            self.usage = chunk["usage"]
        for choice in (chunk.get("choices") or [])[:1]:
            delta = choice.get("delta") or {}
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                self.separate_reasoning = True
                yield from self._emit([ReasoningDelta(reasoning)])
            content = delta.get("content")
            if isinstance(content, str) and content:
                yield from self._emit(self._split(content))
            if choice.get("finish_reason"):
                self.finish_reason = str(choice["finish_reason"])

    def _split(self, text: str) -> list[ReasoningDelta | ContentDelta]:
        if self.separate_reasoning:
            return [ContentDelta(text)]
        if self.splitter is None:
            if self.resuming:
                self.splitter = ReasoningSplitter.resuming(in_reasoning=self.in_reasoning)
            else:  # a server without a reasoning parser: tags in the text, pre-filled when thinking was asked for
                self.splitter = ReasoningSplitter(prefilled=bool(thinking_switches(self.params.thinking).get("thinking")))
        return self.splitter.feed(text)

    def _emit(self, events: list[ReasoningDelta | ContentDelta]) -> Iterator[ReasoningDelta | ContentDelta]:
        for event in self.stops.events(self._trim(events)):
            if self.pieces == 0:
                self.first_at = time.perf_counter()
            self.pieces += 1
            yield event

    def _trim(self, events: list[ReasoningDelta | ContentDelta]) -> Iterator[ReasoningDelta | ContentDelta]:
        """A section's leading blank lines go (parsers leave the newline after <think>), as locally."""
        for event in events:
            if not self._started_section[event.type]:
                text = event.text.lstrip()
                if not text:
                    continue
                self._started_section[event.type] = True
                event = type(event)(text)
            yield event

    def fail(self, text: str) -> None:
        self.error = text

    def finish(self, cancelled: bool) -> Iterator[ReasoningDelta | ContentDelta]:
        if self.splitter is not None:
            yield from self._emit(self.splitter.flush())
        if held := self.stops.flush():
            yield ContentDelta(held)
        if cancelled:
            self.stop = StopReason.CANCELLED
        elif self.error is not None:
            self.stop = StopReason.ERROR
        elif self.stops.hit or self.finish_reason not in (None, "length"):
            self.stop = StopReason.EOS
        elif self.finish_reason == "length":
            self.stop = StopReason.LENGTH
        elif self.complete:
            self.stop = StopReason.EOS
        else:
            self.stop, self.error = (
                StopReason.ERROR,
                "The server closed the connection in the middle of the answer; what arrived is kept.",
            )

    def summary(self, body: dict[str, Any]) -> GenerationSummary:
        ended = time.perf_counter()
        usage = self.usage or {}
        completion = _count(usage.get("completion_tokens")) or self.pieces
        prompt = _count(usage.get("prompt_tokens")) or sum(len(m["content"]) for m in body["messages"]) // 4
        cached = _count((usage.get("prompt_tokens_details") or {}).get("cached_tokens"))
        decode = ended - self.first_at if self.pieces > 1 else 0.0
        return GenerationSummary(
            prompt_tokens=prompt,
            evaluated_prompt_tokens=max(prompt - cached, 0),
            completion_tokens=completion,
            ttft_s=(self.first_at or ended) - self.started,
            tokens_per_s=(completion - 1) / decode if decode > 0 else 0.0,
            total_s=ended - self.started,
            stop_reason=self.stop,
            gpu_layers=0,
            error=self.error,
        )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
