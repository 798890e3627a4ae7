"""``hearth conversations …``: the encrypted store from a terminal.

Exit codes: 0 ok; 2 usage; 9 store problem (wrong passphrase, missing key,
disk full, read-only, newer schema); 10 a file to import has the wrong format.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path
from typing import Any

from app.core.chat.recorder import status_words
from app.core.errors import HearthError, StoreKeyError
from app.core.privacy.locks import save_user_settings
from app.core.privacy.policy import load as load_policy
from app.core.privacy.secrets import keyring_usable
from app.core.store.database import Store, default_path
from app.core.store.export import conversation_json, dumps, export_text, import_file, write_export
from app.core.store.key import PASSPHRASE_ENV, KeyManager
from app.core.store.upkeep import after_open


def open_store(passphrase: str | None = None) -> Store:
    """Open the store (asking for a passphrase on a terminal when one is needed); the core then
    applies retention and marks answers a dead process left half-written."""
    store = _open(passphrase)
    for notice in after_open(store):
        print(f"hearth: {notice}", file=sys.stderr)
    return store


def _open(passphrase: str | None) -> Store:
    try:
        return Store(passphrase=passphrase)
    except StoreKeyError:
        needs_passphrase = KeyManager(default_path()).source() == "passphrase" or not keyring_usable()
        if not (needs_passphrase and sys.stdin.isatty()):
            raise
    new = not default_path().exists()
    passphrase = getpass.getpass("Choose a passphrase for your conversations: " if new else "Conversation store passphrase: ")
    if new and getpass.getpass("Repeat it: ") != passphrase:
        raise HearthError("The two passphrases differ; nothing was created.")
    if not passphrase:
        raise HearthError(f"An empty passphrase is not allowed (or set {PASSPHRASE_ENV}).")
    return Store(passphrase=passphrase)


def add_parser(sub: Any) -> None:
    conv = sub.add_parser("conversations", help="list, search, export, import and delete stored conversations")
    csub = conv.add_subparsers(dest="conversations_command", metavar="ACTION", required=True)

    p = csub.add_parser("list", help="newest first, pinned on top")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_list)

    p = csub.add_parser("show", help="the active branch of one conversation")
    p.add_argument("id", type=int)
    p.add_argument("--reasoning", action="store_true", help="include the model's reasoning")
    p.add_argument("--json", action="store_true", help="every message of every branch")
    p.set_defaults(run=run_show)

    p = csub.add_parser("search", help="full-text search over titles and messages")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_search)

    p = csub.add_parser("export", help="write one conversation (or --all) as Markdown or JSON")
    p.add_argument("id", type=int, nargs="?")
    p.add_argument("--all", action="store_true")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    p.set_defaults(run=run_export)

    p = csub.add_parser("import", help="import Hearth JSON or OpenAI-style messages JSON")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run_import)

    p = csub.add_parser("delete", help="delete one conversation for good")
    p.add_argument("id", type=int)
    p.set_defaults(run=run_delete)

    p = csub.add_parser("purge", help="delete old conversations, or everything with its key")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--older-than", type=float, metavar="DAYS", help="delete conversations untouched for DAYS days")
    group.add_argument("--all", action="store_true", help="delete the database and its key")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(run=run_purge)

    p = csub.add_parser("retention", help="delete conversations untouched for N days, now and at every start")
    p.add_argument("days", help="a number of days, or 'off'")
    p.set_defaults(run=run_retention)

    p = csub.add_parser("rekey", help="re-encrypt the store with a new key (or a new passphrase)")
    p.set_defaults(run=run_rekey)


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def run_list(args: argparse.Namespace) -> int:
    store = open_store()
    items = store.list_conversations(args.limit)
    if args.json:
        print(dumps([{**c.__dict__} for c in items]))
        return 0
    for c in items:
        pin = "*" if c.pinned else " "
        print(f"{c.id:6} {pin} {_when(c.updated_at)}  {c.title or '(untitled)'}")
    if not items:
        print("No conversations yet. Start one with: hearth chat --model …")
    return 0


def run_show(args: argparse.Namespace) -> int:
    store = open_store()
    if args.json:
        print(dumps(conversation_json(store, args.id)))
        return 0
    conv = store.get_conversation(args.id)
    print(f"# {conv.title or '(untitled)'}  [{_when(conv.created_at)}]")
    for m in store.thread(args.id):
        alternatives = store.siblings(m.id)
        branch = f" ({[s.id for s in alternatives].index(m.id) + 1}/{len(alternatives)})" if len(alternatives) > 1 else ""
        mark = f" [{status_words(m.status)}]" if status_words(m.status) else ""  # the window's words, from core
        print(f"\n{m.role}{branch}{mark}:")
        if m.status == "error" and m.error:
            print(f"  (failed) {m.error}")
        if args.reasoning and m.reasoning:
            print(f"  (reasoning) {m.reasoning.strip()}")
        print(m.content)
    return 0


def run_search(args: argparse.Namespace) -> int:
    hits = open_store().search(args.text, args.limit)
    if args.json:
        print(dumps([h.__dict__ for h in hits]))
        return 0
    for h in hits:
        where = "title" if h.message_id is None else f"message {h.message_id}"
        print(f"{h.conversation_id:6}  {h.title[:40]:40}  {where}: {h.snippet}")
    if not hits:
        print("No matches.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    load_policy().require_export()
    if args.all == (args.id is not None):
        raise HearthError("Name one conversation id, or --all.")
    text = export_text(open_store(), None if args.all else args.id, args.format)
    if args.output:
        write_export(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def run_import(args: argparse.Namespace) -> int:
    ids = import_file(open_store(), args.file)
    print(dumps({"imported": ids}) if args.json else f"imported {len(ids)} conversation(s): {', '.join(map(str, ids))}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    store = open_store()
    title = store.get_conversation(args.id).title
    store.delete_conversation(args.id)
    print(f"deleted conversation {args.id} ({title or 'untitled'})")
    return 0


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise HearthError("Refusing to delete without confirmation.", "Add --yes.")
    if input(f"{question} [y/N] ").strip().lower() not in ("y", "yes"):
        raise HearthError("Nothing was deleted.")


def run_purge(args: argparse.Namespace) -> int:
    if args.all:
        _confirm("Delete ALL conversations and their key? This cannot be undone.", args.yes)
        removed = Store.delete_everything()
        print(f"deleted the conversation store ({len(removed)} file(s)) and its key")
        return 0
    store = open_store()
    _confirm(f"Delete every conversation not touched for {args.older_than:g} days?", args.yes)
    count = store.delete_older_than(args.older_than)
    print(f"deleted {count} conversation(s) older than {args.older_than:g} days (pinned ones are kept)")
    return 0


def run_retention(args: argparse.Namespace) -> int:
    if args.days.lower() == "off":
        save_user_settings({"retention_days": None})
        print("retention off: conversations are kept until you delete them")
        return 0
    try:
        days = float(args.days)
    except ValueError:
        raise HearthError(f"Retention must be a number of days or 'off', not '{args.days}'.") from None
    if days <= 0:
        raise HearthError("Retention must be more than 0 days.")
    save_user_settings({"retention_days": days})
    open_store()  # applies it now
    print(f"conversations untouched for {days:g} days are deleted (now, and every time Hearth starts)")
    return 0


def run_rekey(args: argparse.Namespace) -> int:
    store = open_store()
    new_passphrase = None
    if store.keys.source() == "passphrase":
        new_passphrase = getpass.getpass("New passphrase: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
        if not new_passphrase:
            raise HearthError("An empty passphrase is not allowed.")
    store.rotate_key(new_passphrase)
    print("the conversation store is now encrypted with a new key")
    return 0
