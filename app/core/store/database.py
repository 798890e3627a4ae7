"""The encrypted conversation store (SQLCipher 4 through ``sqlcipher3``).

One database in the user data dir, encrypted as a whole (pages, WAL, FTS
index); the key comes from :mod:`store_key`.  WAL journaling, foreign keys
and ``secure_delete`` are on for every connection.  One connection per
thread (SQLite connections must not be shared): :meth:`Store._db` hands each
thread its own.

Conversations hold messages in a tree: a message's ``parent_id`` is the one it
answers or follows, so editing a question or regenerating an answer adds a
sibling, and ``active_leaf`` remembers which branch is shown.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from app.core import paths
from app.core.errors import StoreError, WrongKeyError
from app.core.sentences import say
from app.core.store import cjk
from app.core.store.connection import BUSY_TIMEOUT_MS, configure, translate
from app.core.store.key import KeyManager, StoreKey, derived_ahead, derived_raw_key
from app.core.store.schema import migrate
from app.core.store.threads import LazyThread, branch_chain, branch_ids

log = logging.getLogger(__name__)

DB_NAME = "conversations.db"
MESSAGE_FIELDS = (
    "id, conversation_id, parent_id, role, content, reasoning, model_id, quant, prompt_tokens, completion_tokens, "
    "tokens_per_s, ttft_s, status, error, created_at, updated_at, thought_s, engine"
)
CONVERSATION_FIELDS = "id, title, model_id, quant, settings, pinned, created_at, updated_at, active_leaf, engine"


@dataclass
class Conversation:
    id: int
    title: str
    model_id: str | None
    quant: str | None
    settings: dict[str, Any]
    pinned: bool
    created_at: float
    updated_at: float
    active_leaf: int | None
    engine: str | None = None  # the remote engine it last used; None: a model run in Hearth

    @classmethod
    def from_row(cls, row: Any) -> Conversation:
        return cls(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"), bool(row[5]), row[6], row[7], row[8], row[9])


@dataclass
class StoredMessage:
    id: int
    conversation_id: int
    parent_id: int | None
    role: str
    content: str
    reasoning: str = ""
    model_id: str | None = None
    quant: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tokens_per_s: float | None = None
    ttft_s: float | None = None
    status: str = "complete"
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    thought_s: float | None = None  # seconds of reasoning before the answer began
    engine: str | None = None  # the remote engine that wrote the answer; None: a model run in Hearth

    @classmethod
    def from_row(cls, row: Any) -> StoredMessage:
        return cls(*row)


@dataclass(frozen=True)
class SearchHit:
    conversation_id: int
    message_id: int | None  # None: the title matched
    title: str
    snippet: str  # matches wrapped in [ ]


# A message and every message built on it, on every branch.
SUBTREE = """WITH RECURSIVE below(id) AS (SELECT ? UNION ALL SELECT m.id FROM messages m JOIN below ON m.parent_id = below.id)
             SELECT id FROM below"""


def _store_tag(path: Path) -> str:
    """A short name of one database, in the names of the files that belong to its conversations."""
    return hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:10]


def default_path() -> Path:
    return paths.user_dirs().data / DB_NAME


class Store:
    def __init__(self, path: Path | None = None, passphrase: str | None = None) -> None:
        self.path = path or default_path()
        self.keys = KeyManager(self.path, passphrase)
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._key: StoreKey | None = None
        self._fast_key: StoreKey | None = None  # for further connections: no KDF (see derived_raw_key)
        self._db()  # open now: a wrong key or a too-new schema is reported at once

    # -- connections -------------------------------------------------------
    def _connect(self) -> Any:
        new = not self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ahead: dict[StoreKey, StoreKey] = {}  # a passphrase's raw key derived at launch -> the passphrase
            if self._key is not None:
                self._fast_key = self._fast_key or derived_raw_key(self._key, self.path) or self._key
                candidates = list(dict.fromkeys((self._fast_key, self._key)))
            else:
                candidates = [self.keys.create()] if new else self.keys.candidates()
                ahead = {raw: key for key in candidates if (raw := derived_ahead(key, self.path))}
                candidates = [*ahead, *candidates]
        except OSError as exc:
            raise translate(exc, self.path) from None
        last: Exception | None = None
        for key in candidates:
            try:
                # Each connection is used only by the thread that opened it (thread-local); not checking
                # lets close() and rotate_key() close the others from the thread that ends the store.
                db = sqlcipher.connect(
                    str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
                )
            except sqlcipher.Error as exc:
                raise translate(exc, self.path) from None
            try:
                db.execute(f"PRAGMA key = {key.pragma_value}")
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher.DatabaseError as exc:
                db.close()
                if "not a database" not in str(exc):  # SQLITE_NOTADB is what a wrong key looks like
                    raise translate(exc, self.path) from None
                last = exc
                if key.source == "derived":
                    self._fast_key = self._key  # SQLCipher did not take it: keep using the passphrase
                continue
            if key in ahead:
                self._key, self._fast_key = ahead[key], key
            elif key.source != "derived":
                self._key = key
                self.keys.opened_with(key)
            return self._configure(db)
        what = "passphrase" if self.keys.source() == "passphrase" else "key in the OS keyring"
        raise WrongKeyError(
            say("The {what} does not open the conversation store ({name}).", what=what, name=self.path.name),
            "Check the passphrase." if what == "passphrase" else "The keyring entry may belong to another installation.",
        ) from last

    def _configure(self, db: Any) -> Any:
        try:
            configure(db, self.path)
            with self._lock:
                migrate(db)
        except sqlcipher.Error as exc:
            db.close()
            raise translate(exc, self.path) from None
        return db

    def _db(self) -> Any:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One write transaction; one opened inside another (on the same thread) is part of it."""
        db = self._db()
        if db.in_transaction:
            yield db
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlcipher.Error as exc:
            raise translate(exc, self.path) from None

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        try:
            return list(self._db().execute(sql, args).fetchall())
        except sqlcipher.Error as exc:
            raise translate(exc, self.path) from None

    def close_thread(self) -> None:
        """Close the calling thread's connection (a worker thread that is about to end: the
        streaming flusher of each answer), so connections and their files do not pile up."""
        db = getattr(self._local, "db", None)
        if db is None:
            return
        self._local.db = None
        with self._lock:
            if db in self._all:
                self._all.remove(db)
        with suppress(sqlcipher.Error):
            db.close()

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                with suppress(sqlcipher.Error):
                    db.close()
            self._all.clear()
        self._local = threading.local()

    # -- conversations -----------------------------------------------------
    def create_conversation(
        self,
        title: str = "",
        model_id: str | None = None,
        quant: str | None = None,
        settings: dict[str, Any] | None = None,
        engine: str | None = None,
    ) -> int:
        now = time.time()
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO conversations (title, model_id, quant, settings, created_at, updated_at, engine) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (title, model_id, quant, json.dumps(settings or {}), now, now, engine),
            )
            return int(cur.lastrowid)

    def get_conversation(self, conversation_id: int) -> Conversation:
        rows = self.query(f"SELECT {CONVERSATION_FIELDS} FROM conversations WHERE id = ?", (conversation_id,))
        if not rows:
            raise StoreError(
                say("There is no conversation {conversation_id}.", conversation_id=conversation_id),
                say("See 'hearth conversations list'."),
            )
        return Conversation.from_row(rows[0])

    def list_conversations(self, limit: int = 50, offset: int = 0) -> list[Conversation]:
        """Pinned first, then newest first: one page for the sidebar."""
        rows = self.query(
            f"SELECT {CONVERSATION_FIELDS} FROM conversations ORDER BY pinned DESC, updated_at DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [Conversation.from_row(r) for r in rows]

    def update_conversation(self, conversation_id: int, **changes: Any) -> None:
        allowed = {"title", "model_id", "quant", "settings", "pinned", "active_leaf", "engine"}
        if not changes.keys() <= allowed:
            raise ValueError(f"unknown fields: {set(changes) - allowed}")
        if "settings" in changes:
            changes["settings"] = json.dumps(changes["settings"])
        sets = ", ".join(f"{k} = ?" for k in changes)
        with self.transaction() as db:
            db.execute(
                f"UPDATE conversations SET {sets}, updated_at = ? WHERE id = ?", (*changes.values(), time.time(), conversation_id)
            )

    # -- files that belong to conversations -------------------------------------------
    def snapshot_key(self, conversation_id: int) -> str:
        """The name the engine gives a conversation's KV snapshot (``<key>.kvs``): the
        conversation's id and a tag of this database, so two stores never share a file."""
        return f"c{conversation_id}-{_store_tag(self.path)}"

    def owns_snapshot(self, key: str) -> bool:
        """Whether ``key`` names a conversation of this store that still exists (a snapshot of a
        deleted one must not be written again)."""
        head, _, _tag = key.partition("-")
        if not head[1:].isdigit() or key != self.snapshot_key(int(head[1:])):
            return False
        return bool(self.query("SELECT 1 FROM conversations WHERE id = ?", (int(head[1:]),)))

    def secret_for(self, purpose: str) -> bytes:
        """A 256-bit key for another encrypted file of this store's (KV snapshots), derived from
        the store's own key with HMAC-SHA256: whoever cannot open the store cannot read them."""
        self._db()
        assert self._key is not None
        if self._fast_key is None:  # a passphrase: its raw key, the same one every later connection uses
            self._fast_key = derived_raw_key(self._key, self.path) or self._key
        material = self._fast_key.pragma_value.encode("utf-8")
        return hmac.new(material, b"hearth/" + purpose.encode("utf-8"), hashlib.sha256).digest()

    def _remove_snapshots(self, conversation_ids: list[int]) -> None:
        folder = paths.kv_snapshots_dir()
        for conversation_id in conversation_ids:
            with suppress(FileNotFoundError):
                (folder / f"{self.snapshot_key(conversation_id)}.kvs").unlink()

    def _delete_where(self, where: str, args: tuple[Any, ...]) -> int:
        """Delete conversations, their messages and their KV snapshots.  The parent links are cut
        first: a cascade down a long chain of messages would hit SQLite's trigger depth limit (1000)."""
        with self.transaction() as db:
            chosen = f"SELECT id FROM conversations WHERE {where}"
            ids = [row[0] for row in db.execute(chosen, args).fetchall()]
            db.execute(f"UPDATE messages SET parent_id = NULL WHERE conversation_id IN ({chosen})", args)
            db.execute(f"DELETE FROM messages WHERE conversation_id IN ({chosen})", args)
            count = db.execute(f"DELETE FROM conversations WHERE {where}", args).rowcount
        self.checkpoint()
        self._remove_snapshots(ids)
        return int(count)

    def delete_conversation(self, conversation_id: int) -> None:
        self._delete_where("id = ?", (conversation_id,))

    def delete_older_than(self, days: float) -> int:
        """Retention: delete conversations not touched for ``days`` days (pinned ones stay); returns how many."""
        return self._delete_where("updated_at < ? AND pinned = 0", (time.time() - days * 86400,))

    def checkpoint(self, attempts: int = 10, pause_s: float = 0.05) -> bool:
        """Move the WAL into the database and truncate it, so deleted text lingers in no side file.
        A reader in the middle of a transaction (the streaming writer, the local API) keeps it from
        completing: tried again for a moment, and False (logged) when it still could not; the next
        delete or close checkpoints again."""
        self.query(f"PRAGMA busy_timeout = {int(pause_s * 1000)}")  # not the 10 s a write may wait
        try:
            for attempt in range(attempts):
                busy, _log_pages, _moved = self.query("PRAGMA wal_checkpoint(TRUNCATE)")[0]
                if not busy:
                    return True
                if attempt + 1 < attempts:
                    time.sleep(pause_s)
        finally:
            self.query(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        log.warning("the WAL of %s could not be truncated: another connection is reading", self.path.name)
        return False

    # -- messages ----------------------------------------------------------
    def add_message(
        self, conversation_id: int, role: str, content: str, *, parent_id: int | str | None = "active", **fields: Any
    ) -> int:
        """Append under ``parent_id`` (default: the active leaf) and make it the active leaf."""
        now = time.time()
        with self.transaction() as db:
            if parent_id == "active":
                row = db.execute("SELECT active_leaf FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
                if row is None:
                    raise StoreError(say("There is no conversation {conversation_id}.", conversation_id=conversation_id))
                parent_id = row[0]
            names = ["conversation_id", "parent_id", "role", "content", "created_at", "updated_at", *fields]
            values = [conversation_id, parent_id, role, content, now, now, *fields.values()]
            cur = db.execute(f"INSERT INTO messages ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", values)
            message_id = int(cur.lastrowid)
            db.execute(
                "UPDATE conversations SET active_leaf = ?, updated_at = ? WHERE id = ?", (message_id, now, conversation_id)
            )
            return message_id

    def update_message(self, message_id: int, **fields: Any) -> None:
        """Change fields of a message; with none, only its ``updated_at`` (a streaming writer's heartbeat)."""
        sets = "".join(f"{k} = ?, " for k in fields)
        with self.transaction() as db:
            db.execute(f"UPDATE messages SET {sets}updated_at = ? WHERE id = ?", (*fields.values(), time.time(), message_id))

    def mark_interrupted(self, stale_after_s: float) -> int:
        """Answers still ``partial`` whose writer stopped writing (its process died: a streaming
        answer's recorder touches its row at least every couple of seconds) become ``interrupted``,
        so they are shown as such and can be continued instead of "answering..." forever."""
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE messages SET status = 'interrupted' WHERE status = 'partial' AND updated_at < ?",
                (time.time() - stale_after_s,),
            )
            return int(cur.rowcount)

    def message(self, message_id: int) -> StoredMessage:
        rows = self.query(f"SELECT {MESSAGE_FIELDS} FROM messages WHERE id = ?", (message_id,))
        if not rows:
            raise StoreError(say("There is no message {message_id}.", message_id=message_id))
        return StoredMessage.from_row(rows[0])

    def thread(self, conversation_id: int, leaf: int | None = None) -> list[StoredMessage]:
        """The messages of one branch, oldest first (default: the active branch)."""
        if leaf is None:
            leaf = self.get_conversation(conversation_id).active_leaf
        if leaf is None:
            return []
        rows = self.query(f"SELECT {MESSAGE_FIELDS} FROM messages WHERE conversation_id = ?", (conversation_id,))
        chain = branch_chain([(row[0], row[2], row) for row in rows], leaf)  # (id, parent_id, the row)
        return [StoredMessage.from_row(link[2]) for link in chain]

    def lazy_thread(self, conversation_id: int) -> LazyThread:
        """The active branch, its messages read when first indexed (what the window shows)."""
        leaf = self.get_conversation(conversation_id).active_leaf
        return LazyThread(self, branch_ids(self, conversation_id, leaf) if leaf is not None else [])

    def siblings(self, message_id: int) -> list[StoredMessage]:
        """The alternatives at one point of the tree (the ‹ 2/3 › of the chat view), oldest first."""
        msg = self.message(message_id)
        rows = self.query(
            f"SELECT {MESSAGE_FIELDS} FROM messages WHERE conversation_id = ? AND parent_id IS ? ORDER BY id",
            (msg.conversation_id, msg.parent_id),
        )
        return [StoredMessage.from_row(r) for r in rows]

    def select_branch(self, message_id: int) -> None:
        """Show the branch through ``message_id``: its newest descendant becomes the active leaf."""
        msg = self.message(message_id)
        leaf = message_id
        while rows := self.query("SELECT MAX(id) FROM messages WHERE parent_id = ? HAVING MAX(id) IS NOT NULL", (leaf,)):
            leaf = rows[0][0]
        self.update_conversation(msg.conversation_id, active_leaf=leaf)

    def replies_to(self, message_id: int) -> int:
        """How many messages were built on ``message_id`` (its whole subtree, every branch)."""
        rows = self.query(f"SELECT count(*) - 1 FROM ({SUBTREE})", (message_id,))
        return int(rows[0][0])

    def delete_message(self, message_id: int) -> int | None:
        """Delete a message and every reply built on it (its subtree); returns the conversation's
        active leaf after it: the newest branch of a remaining sibling, else the message's parent."""
        msg = self.message(message_id)
        with self.transaction() as db:
            ids = [row[0] for row in db.execute(SUBTREE, (message_id,)).fetchall()]
            marks = ",".join("?" * len(ids))
            db.execute(f"UPDATE messages SET parent_id = NULL WHERE id IN ({marks})", ids)  # no cascade down a long chain
            db.execute(f"DELETE FROM messages WHERE id IN ({marks})", ids)
            active = db.execute("SELECT active_leaf FROM conversations WHERE id = ?", (msg.conversation_id,)).fetchone()[0]
        self.checkpoint()  # the deleted text lingers in no side file
        if active is not None and active not in ids:
            return int(active)
        others = self.query(
            "SELECT MAX(id) FROM messages WHERE conversation_id = ? AND parent_id IS ? HAVING MAX(id) IS NOT NULL",
            (msg.conversation_id, msg.parent_id),
        )
        if others:
            self.select_branch(int(others[0][0]))
        else:
            self.update_conversation(msg.conversation_id, active_leaf=msg.parent_id)
        return self.get_conversation(msg.conversation_id).active_leaf

    def count(self) -> tuple[int, int]:
        conversations = self.query("SELECT count(*) FROM conversations")[0][0]
        messages = self.query("SELECT count(*) FROM messages")[0][0]
        return int(conversations), int(messages)

    # -- search ------------------------------------------------------------
    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Every word must match (prefix match on the last one), newest first; hits carry a highlighted snippet."""
        east_asian = cjk.has_cjk(text)
        if east_asian:  # the CJK index: every CJK character a token, a word a phrase of them
            text = cjk.spaced(text)
        words = [w.replace('"', '""') for w in text.split() if w.strip(cjk.SEPARATOR)]
        if not words:
            return []
        query = " ".join(f'"{w}"' for w in words[:-1]) + (" " if len(words) > 1 else "") + f'"{words[-1]}"*'
        titles_fts, messages_fts = ("titles_cjk", "messages_cjk") if east_asian else ("titles_fts", "messages_fts")
        titles = self.query(
            f"""SELECT c.id, c.title, highlight({titles_fts}, 0, '[', ']') FROM {titles_fts}
               JOIN conversations c ON c.id = {titles_fts}.rowid WHERE {titles_fts} MATCH ?
               ORDER BY {titles_fts}.rowid DESC LIMIT ?""",
            (query, limit),
        )
        # Newest first: FTS5 walks its index in descending rowid order and stops after ``limit``
        # rows, so snippets are built for those rows only and a common word costs no more than a
        # rare one (ranking by bm25 would score every match first).
        tokens = 24 if east_asian else 12  # a CJK token is one character
        messages = self.query(
            f"""SELECT m.conversation_id, m.id, c.title, snippet({messages_fts}, 0, '[', ']', '…', {tokens}) FROM {messages_fts}
               JOIN messages m ON m.id = {messages_fts}.rowid JOIN conversations c ON c.id = m.conversation_id
               WHERE {messages_fts} MATCH ? ORDER BY {messages_fts}.rowid DESC LIMIT ?""",
            (query, limit),
        )
        hits = [SearchHit(r[0], None, r[1], cjk.shown(r[2])) for r in titles]
        hits += [SearchHit(r[0], r[1], r[2], cjk.shown(r[3])) for r in messages]
        return hits[:limit]

    # -- keys and removal ----------------------------------------------------
    def rotate_key(self, new_passphrase: str | None = None) -> None:
        """Re-encrypt the database with a new key (or passphrase), safely against interruption."""
        new = self.keys.begin_rotation(new_passphrase)
        db = self._db()
        for other in list(self._all):
            if other is not db:
                other.close()
        with self._lock:
            self._all = [db]
        try:
            db.execute(f"PRAGMA rekey = {new.pragma_value}")
        except sqlcipher.Error as exc:
            raise translate(exc, self.path) from None
        self.keys.finish_rotation(new)
        self._key, self._fast_key = new, None

    @classmethod
    def delete_everything(cls, path: Path | None = None) -> list[str]:
        """Remove the database, its side files and its key. Returns what was deleted."""
        path = path or default_path()
        removed = []
        tag = _store_tag(path)
        snapshots = paths.kv_snapshots_dir()
        sealed = sorted(snapshots.glob(f"c*-{tag}.kvs")) if snapshots.is_dir() else []
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"), *sealed):
            if file.exists():
                file.unlink()
                removed.append(str(file))
        KeyManager(path).forget()
        return removed
