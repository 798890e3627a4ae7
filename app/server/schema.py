"""The OpenAI Chat Completions wire format, in and out, for the local API.

Only translation lives here: a request body becomes messages and sampling fields (checked, with
an error a client can show), and the core's events become the response objects and stream chunks
that the official ``openai`` client, editors (Continue, Zed, JetBrains) and scripts expect.
Reasoning travels as ``reasoning_content``, as llama-server and SGLang send it.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from app.core.chat.api import MAX_MESSAGES
from app.core.chat.turn import TurnEnded
from app.core.engine.base import Message, ToolCall
from app.core.engine.events import ContentDelta, GenerationSummary, ReasoningDelta, StopReason

ROLES = ("system", "user", "assistant", "developer", "tool")


class BadRequest(ValueError):
    """A request the API cannot take, with the reason (HTTP 400)."""


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[Message]
    fields: dict[str, Any]  # temperature, top_p, max_tokens, stop, seed (None when not given)
    stream: bool
    include_usage: bool


def _text(content: Any, index: int) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: only text is understood
        parts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise BadRequest(f"messages[{index}].content: only text parts are supported")
            parts.append(part["text"])
        return "".join(parts)
    if content is None:
        return ""
    raise BadRequest(f"messages[{index}].content must be a string or a list of text parts")


def _tool_calls(raw: Any, index: int) -> tuple[ToolCall, ...]:
    """An assistant turn's earlier tool calls, so the model's template renders them in history."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BadRequest(f"messages[{index}].tool_calls must be a list")
    calls = []
    for j, call in enumerate(raw):
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise BadRequest(f"messages[{index}].tool_calls[{j}].function.name is required")
        arguments = function.get("arguments", "{}")
        if not isinstance(arguments, str):
            raise BadRequest(f"messages[{index}].tool_calls[{j}].function.arguments must be a JSON string")
        try:
            json.loads(arguments)
        except ValueError:
            raise BadRequest(f"messages[{index}].tool_calls[{j}].function.arguments is not valid JSON") from None
        calls.append(ToolCall(function["name"], arguments, str(call.get("id") or "")))
    return tuple(calls)


def _number(data: dict[str, Any], name: str, kind: type, low: float, high: float | None = None) -> Any:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise BadRequest(f"'{name}' must be a {'number' if kind is float else 'whole number'}")
    if value < low or (high is not None and value > high):
        raise BadRequest(f"'{name}' must be between {low} and {high}" if high is not None else f"'{name}' must be at least {low}")
    return value


def parse_chat(data: Any) -> ChatRequest:
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    model = data.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("'model' is required (see GET /v1/models)")
    raw = data.get("messages")
    if not isinstance(raw, list) or not raw:
        raise BadRequest("'messages' must be a non-empty list")
    if len(raw) > MAX_MESSAGES:
        raise BadRequest(f"at most {MAX_MESSAGES} messages per request")
    messages = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or item.get("role") not in ROLES:
            raise BadRequest(f"messages[{i}].role must be one of {', '.join(ROLES)}")
        role = "system" if item["role"] == "developer" else str(item["role"])
        tool_call_id = item.get("tool_call_id") or ""
        if not isinstance(tool_call_id, str):
            raise BadRequest(f"messages[{i}].tool_call_id must be a string")
        calls = _tool_calls(item.get("tool_calls"), i) if role == "assistant" else ()
        messages.append(Message(role, _text(item.get("content"), i), tool_calls=calls, tool_call_id=tool_call_id))
    if data.get("n", 1) != 1:
        raise BadRequest("'n' must be 1")
    stop = data.get("stop")
    if stop is not None and not (isinstance(stop, str) or (isinstance(stop, list) and all(isinstance(s, str) for s in stop))):
        raise BadRequest("'stop' must be a string or a list of strings")
    max_tokens = data.get("max_completion_tokens", data.get("max_tokens"))
    fields = {
        "temperature": _number(data, "temperature", float, 0.0, 2.0),
        "top_p": _number(data, "top_p", float, 0.0, 1.0),
        "max_tokens": _number({"max_tokens": max_tokens}, "max_tokens", int, 1),
        "seed": _number(data, "seed", int, -(2**63)),
        "stop": stop,
    }
    options = data.get("stream_options") or {}
    return ChatRequest(model, messages, fields, bool(data.get("stream")), bool(options.get("include_usage")))


def completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


def finish_reason(summary: GenerationSummary) -> str:
    return "length" if summary.stop_reason is StopReason.LENGTH else "stop"


def usage(summary: GenerationSummary) -> dict[str, int]:
    return {
        "prompt_tokens": summary.prompt_tokens,
        "completion_tokens": summary.completion_tokens,
        "total_tokens": summary.prompt_tokens + summary.completion_tokens,
    }


def response(cid: str, model: str, ended: TurnEnded) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": ended.content}
    if ended.reasoning:
        message["reasoning_content"] = ended.reasoning
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason(ended.summary)}],
        "usage": usage(ended.summary),
    }


def chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def delta_of(event: ReasoningDelta | ContentDelta) -> dict[str, str]:
    return {"reasoning_content": event.text} if isinstance(event, ReasoningDelta) else {"content": event.text}


def usage_chunk(cid: str, model: str, summary: GenerationSummary) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [],
        "usage": usage(summary),
    }


def error_body(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code}}
