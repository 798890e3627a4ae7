"""Numbered schema migrations of the conversation store.

``PRAGMA user_version`` holds the schema version.  Each migration takes the
database from version N-1 to N inside one transaction, so a crash never leaves
a half-migrated schema.  A database newer than this app is refused (opening it
could silently drop what the newer version stores).  Tests build a database at
every older version, fill it, and migrate it to the current one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.errors import StoreTooNewError
from app.core.sentences import say
from app.core.store import cjk


def _run(db: Any, *statements: str) -> None:
    """One statement at a time (``executescript`` would commit the migration's transaction)."""
    for statement in statements:
        db.execute(statement)


# Keep the full-text index of messages in step (created by v3; v5 rebuilds the table and them).
MESSAGE_TRIGGERS = (
    """CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
        END""",
    """CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
        END""",
    """CREATE TRIGGER messages_au AFTER UPDATE OF content ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
            INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
        END""",
)


def _v1(db: Any) -> None:
    """Conversations and their messages (a plain list per conversation)."""
    _run(
        db,
        """CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            model_id TEXT,
            quant TEXT,
            settings TEXT NOT NULL DEFAULT '{}',
            pinned INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )""",
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content TEXT NOT NULL DEFAULT '',
            reasoning TEXT NOT NULL DEFAULT '',
            model_id TEXT,
            quant TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            tokens_per_s REAL,
            ttft_s REAL,
            status TEXT NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'partial', 'cancelled', 'error')),
            error TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )""",
        """CREATE INDEX messages_by_conversation ON messages(conversation_id, id)""",
        """CREATE INDEX conversations_by_update ON conversations(pinned DESC, updated_at DESC)""",
    )


def _v2(db: Any) -> None:
    """Branches: each message has a parent; edit-and-resend and regenerate make siblings.
    The conversation remembers the leaf of its active branch.  Existing lists
    become a single chain."""
    _run(
        db,
        """ALTER TABLE messages ADD COLUMN parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE""",
        """ALTER TABLE conversations ADD COLUMN active_leaf INTEGER REFERENCES messages(id) ON DELETE SET NULL""",
        """UPDATE messages SET parent_id = (
            SELECT MAX(p.id) FROM messages p WHERE p.conversation_id = messages.conversation_id AND p.id < messages.id
        )""",
        """UPDATE conversations
           SET active_leaf = (SELECT MAX(m.id) FROM messages m WHERE m.conversation_id = conversations.id)""",
        """CREATE INDEX messages_by_parent ON messages(parent_id)""",
    )


def _v3(db: Any) -> None:
    """Full-text search (FTS5) over titles and messages, kept in step by triggers;
    'secure-delete' removes a deleted message's words from the index at once."""
    _run(
        db,
        """CREATE VIRTUAL TABLE messages_fts
           USING fts5(content, content='messages', content_rowid='id', tokenize='unicode61')""",
        """CREATE VIRTUAL TABLE titles_fts
           USING fts5(title, content='conversations', content_rowid='id', tokenize='unicode61')""",
        """INSERT INTO messages_fts(messages_fts, rank) VALUES ('secure-delete', 1)""",
        """INSERT INTO titles_fts(titles_fts, rank) VALUES ('secure-delete', 1)""",
        """INSERT INTO messages_fts(rowid, content) SELECT id, content FROM messages""",
        """INSERT INTO titles_fts(rowid, title) SELECT id, title FROM conversations""",
        *MESSAGE_TRIGGERS,
        """CREATE TRIGGER conversations_ai AFTER INSERT ON conversations BEGIN
            INSERT INTO titles_fts(rowid, title) VALUES (new.id, new.title);
        END""",
        """CREATE TRIGGER conversations_ad AFTER DELETE ON conversations BEGIN
            INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
        END""",
        """CREATE TRIGGER conversations_au AFTER UPDATE OF title ON conversations BEGIN
            INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
            INSERT INTO titles_fts(rowid, title) VALUES (new.id, new.title);
        END""",
    )


def _v4(db: Any) -> None:
    """How long the model thought before answering, so a stored answer can say "Thought for N s"."""
    _run(db, """ALTER TABLE messages ADD COLUMN thought_s REAL""")


STATUSES = ("complete", "truncated", "partial", "interrupted", "cancelled", "error")


def _v5(db: Any) -> None:
    """Two more answer states: ``truncated`` (the answer budget or the context ran out, so it can be
    continued) and ``interrupted`` (its process died while it streamed).  SQLite cannot change a
    CHECK constraint, so the table is rebuilt (foreign keys are off during migrations), with its
    indexes and full-text triggers."""
    allowed = ", ".join(f"'{s}'" for s in STATUSES)
    columns = (
        "id, conversation_id, role, content, reasoning, model_id, quant, prompt_tokens, completion_tokens, tokens_per_s, "
        "ttft_s, status, error, created_at, updated_at, parent_id, thought_s"
    )
    _run(
        db,
        f"""CREATE TABLE messages_v5 (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
            content TEXT NOT NULL DEFAULT '',
            reasoning TEXT NOT NULL DEFAULT '',
            model_id TEXT,
            quant TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            tokens_per_s REAL,
            ttft_s REAL,
            status TEXT NOT NULL DEFAULT 'complete' CHECK (status IN ({allowed})),
            error TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            thought_s REAL
        )""",
        f"INSERT INTO messages_v5 ({columns}) SELECT {columns} FROM messages",
        "DROP TABLE messages",
        "ALTER TABLE messages_v5 RENAME TO messages",
        """CREATE INDEX messages_by_conversation ON messages(conversation_id, id)""",
        """CREATE INDEX messages_by_parent ON messages(parent_id)""",
        *MESSAGE_TRIGGERS,
    )


def _v6(db: Any) -> None:
    """Which engine produced an answer: NULL for a model run in Hearth, else the remote engine's name
    (the model's id is in ``model_id`` as before); a conversation remembers the engine it last used."""
    _run(
        db,
        """ALTER TABLE messages ADD COLUMN engine TEXT""",
        """ALTER TABLE conversations ADD COLUMN engine TEXT""",
    )


def _v7(db: Any) -> None:
    """Chinese, Japanese and Korean words are found by search: a second full-text index of the
    messages and titles that contain CJK text, one token per CJK character (see :mod:`.cjk`)."""
    cjk.register(db)  # Store's connections have them already; a bare one (a test, a tool) gets them here
    _run(db, *cjk.MIGRATION)


MIGRATIONS: list[Callable[[Any], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7]
CURRENT_VERSION = len(MIGRATIONS)


def migrate(db: Any, target: int = CURRENT_VERSION) -> int:
    """Bring the schema to ``target``; returns the version found.  Refuses a newer database."""
    found = int(db.execute("PRAGMA user_version").fetchone()[0])
    if found > CURRENT_VERSION:
        raise StoreTooNewError(
            say(
                "The conversation store was written by a newer Hearth (schema {found}; this one knows {CURRENT_VERSION}).",
                found=found,
                CURRENT_VERSION=CURRENT_VERSION,
            ),
            say("Update Hearth; the database was left untouched."),
        )
    if found >= target:
        return found
    # A table rebuild (v5) must not cascade or check references half-way; checked before each commit.
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        for version in range(found + 1, target + 1):
            db.execute("BEGIN IMMEDIATE")
            try:
                MIGRATIONS[version - 1](db)
                if db.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise RuntimeError(f"migration to schema {version} broke a reference")
                db.execute(f"PRAGMA user_version = {version}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    return found
