"""Export conversations to Markdown or JSON, and import them back.

Hearth's JSON keeps everything (every branch, reasoning, statistics) so an
export imports into another installation unchanged.  Markdown shows the
active branch for people to read.  Import also takes the plain OpenAI-style
``{"messages": [{"role": …, "content": …}]}`` (or just the list).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from app.core.errors import HearthError
from app.core.sentences import say
from app.core.store.database import Conversation, Store, StoredMessage
from app.core.store.schema import STATUSES

FORMAT_ONE = "hearth-conversation"
FORMAT_ALL = "hearth-export"
ROLES = ("system", "user", "assistant")
SPEAKERS = {"user": "You", "assistant": "Assistant", "system": "System"}
STAT_FIELDS = (
    "model_id", "quant", "engine", "prompt_tokens", "completion_tokens", "tokens_per_s", "ttft_s", "thought_s", "status",
    "error",
)  # fmt: skip


class ImportFormatError(HearthError):
    exit_code = 10


def conversation_json(store: Store, conversation_id: int) -> dict[str, Any]:
    conv = store.get_conversation(conversation_id)
    rows = store.query("SELECT id FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,))
    messages = [store.message(r[0]) for r in rows]
    return {
        "format": FORMAT_ONE,
        "version": 1,
        "title": conv.title,
        "model_id": conv.model_id,
        "quant": conv.quant,
        "engine": conv.engine,
        "settings": conv.settings,
        "pinned": conv.pinned,
        "created_at": conv.created_at,
        "updated_at": conv.updated_at,
        "active_leaf": conv.active_leaf,
        "messages": [
            {"id": m.id, "parent_id": m.parent_id, "role": m.role, "content": m.content, "reasoning": m.reasoning,
             "created_at": m.created_at, **{k: getattr(m, k) for k in STAT_FIELDS}}
            for m in messages
        ],
    }  # fmt: skip


def all_json(store: Store) -> dict[str, Any]:
    ids = [r[0] for r in store.query("SELECT id FROM conversations ORDER BY id")]
    return {"format": FORMAT_ALL, "version": 1, "conversations": [conversation_json(store, i) for i in ids]}


def _speaker(message: StoredMessage) -> str:
    return SPEAKERS[message.role]


def export_text(store: Store, conversation_id: int | None, fmt: str) -> str:
    """One conversation (all of them with ``None``) as ``"json"`` or ``"markdown"`` text."""
    if conversation_id is None:
        text = dumps(all_json(store)) if fmt == "json" else "\n\n".join(
            conversation_markdown(store, c.id) for c in reversed(store.list_conversations(10**9))
        )  # fmt: skip
    else:
        text = dumps(conversation_json(store, conversation_id)) if fmt == "json" else conversation_markdown(
            store, conversation_id
        )  # fmt: skip
    return text if text.endswith("\n") else text + "\n"


def write_export(path: Path, text: str) -> None:
    """Write an export whole or not at all: a full disk or a read-only folder leaves no half
    file behind (and no older export of the same name is lost), and says what went wrong."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    except OSError as exc:
        raise HearthError(
            say("Cannot write in {parent}: {strerror}.", parent=path.parent, strerror=exc.strerror), say("Choose another folder.")
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise HearthError(
            say("Cannot write {path}: {strerror}.", path=path, strerror=exc.strerror),
            say("Free some disk space or choose another folder."),
        ) from None


def conversation_markdown(store: Store, conversation_id: int) -> str:
    conv: Conversation = store.get_conversation(conversation_id)
    lines = [f"# {conv.title or 'Untitled conversation'}", ""]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(conv.created_at))
    model = f" with {conv.model_id}{' ' + conv.quant if conv.quant else ''}" if conv.model_id else ""
    lines += [f"*{when}{model}*", ""]
    for message in store.thread(conversation_id):
        mark = "" if message.status == "complete" else f" ({message.status})"
        lines += [f"## {_speaker(message)}{mark}", ""]
        if message.role == "assistant" and message.model_id:
            lines += [f"*{answered_by(message.model_id, message.quant, message.engine)}*", ""]
        if message.reasoning:
            lines += ["<details><summary>Reasoning</summary>", "", message.reasoning.strip(), "", "</details>", ""]
        lines += [message.content.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def answered_by(model_id: str, quant: str | None, engine: str | None) -> str:
    """Who wrote an answer: the model and quantization run here, or the model on a named server."""
    if engine:
        return f"{model_id} on the server {engine}"
    return f"{model_id} {quant}" if quant else model_id


def import_file(store: Store, path: Path) -> list[int]:
    """Import a JSON file (see :func:`import_data`); an unreadable or malformed file says why."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HearthError(say("Cannot read {path}: {strerror}.", path=path, strerror=exc.strerror)) from None
    except ValueError as exc:
        raise ImportFormatError(say("{path} is not valid JSON: {exc}.", path=path, exc=exc)) from None
    return import_data(store, data)


def import_data(store: Store, data: Any) -> list[int]:
    """Import Hearth JSON (one or all) or OpenAI-style messages; returns the new conversation ids."""
    if isinstance(data, dict) and data.get("format") == FORMAT_ALL:
        return [_import_hearth(store, c) for c in _list(data.get("conversations"), "conversations")]
    if isinstance(data, dict) and data.get("format") == FORMAT_ONE:
        return [_import_hearth(store, data)]
    if isinstance(data, dict) and "messages" in data:
        return [_import_plain(store, _list(data["messages"], "messages"), str(data.get("title") or ""))]
    if isinstance(data, list):
        return [_import_plain(store, data, "")]
    raise ImportFormatError(
        say("This file is neither a Hearth export nor an OpenAI-style message list."),
        say('Expected {{"format": "hearth-conversation", …}} or {{"messages": [{{"role": "user", "content": "…"}}]}}.'),
    )


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ImportFormatError(say("'{name}' must be a list.", name=name))
    return value


def _check(message: Any, index: int) -> tuple[str, str]:
    if not isinstance(message, dict) or message.get("role") not in ROLES or not isinstance(message.get("content", ""), str):
        raise ImportFormatError(
            say("Message {index} needs a role (system, user or assistant) and text content.", index=index + 1)
        )
    return message["role"], message.get("content", "")


def _import_plain(store: Store, messages: list[Any], title: str) -> int:
    checked = [_check(m, i) for i, m in enumerate(messages)]
    first_user = next((text for role, text in checked if role == "user"), "")
    conversation_id = store.create_conversation(title or first_user[:60] or "Imported conversation")
    for role, text in checked:
        store.add_message(conversation_id, role, text)
    return conversation_id


def _import_hearth(store: Store, data: Any) -> int:
    if not isinstance(data, dict):
        raise ImportFormatError(say("A conversation in the export is not an object."))
    messages = _list(data.get("messages", []), "messages")
    for index, message in enumerate(messages):
        _check(message, index)
    settings = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    conversation_id = store.create_conversation(str(data.get("title") or ""), data.get("model_id"), data.get("quant"), settings)
    new_ids: dict[Any, int] = {}
    pending = list(messages)
    while pending:  # parents first, whatever order the file lists them in
        ready = [m for m in pending if m.get("parent_id") is None or m.get("parent_id") in new_ids]
        if not ready:
            raise ImportFormatError(say("Some messages point at parents that are not in the file."))
        for message in ready:
            fields = {k: message[k] for k in STAT_FIELDS if message.get(k) is not None}
            if fields.get("status") not in (None, *STATUSES):
                fields.pop("status")
            new_ids[message.get("id")] = store.add_message(
                conversation_id, message["role"], message.get("content", ""),
                parent_id=new_ids.get(message.get("parent_id")), reasoning=str(message.get("reasoning") or ""), **fields,
            )  # fmt: skip
            pending.remove(message)
    leaf = new_ids.get(data.get("active_leaf"))
    changes: dict[str, Any] = {"pinned": bool(data.get("pinned"))}
    if leaf:
        changes["active_leaf"] = leaf
    if isinstance(data.get("engine"), str):
        changes["engine"] = data["engine"]
    store.update_conversation(conversation_id, **changes)
    return conversation_id


def dumps(data: Any) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False)
