"""Chinese, Japanese and Korean text in the full-text index.

SQLite's ``unicode61`` tokenizer splits words at spaces and punctuation, and CJK text has no
spaces: a whole Chinese sentence is one "word", so searching 港口 found nothing inside it.
FTS5's trigram tokenizer needs queries of three characters or more, and most Chinese words are
two.  So messages and titles that contain CJK text get a second index (schema v7) of the same
text with an invisible separator around every CJK character: each character is a token, and a
word is found as a phrase of its characters, anywhere in the text.  Other text is not indexed
twice.  The separator (U+2063, a format character, which unicode61 treats as a separator) is
removed again from the snippets shown.

The functions are registered on every connection (:func:`register`): the triggers call them.
"""

from __future__ import annotations

import re
from typing import Any

SEPARATOR = "\u2063"
# Hiragana, Katakana, CJK ideographs (extension A, unified, compatibility), Hangul syllables, and
# the supplementary ideographic planes.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f"
CJK_CHAR = re.compile(f"[{_CJK}]")


def has_cjk(text: str | None) -> int:
    return 1 if text and CJK_CHAR.search(text) else 0


def spaced(text: str | None) -> str:
    """``text`` with every CJK character made a token of its own."""
    if not text:
        return ""
    return CJK_CHAR.sub(lambda m: SEPARATOR + m.group(0) + SEPARATOR, text)


def shown(snippet: str) -> str:
    """A snippet of the CJK index as the user wrote the text."""
    return snippet.replace(SEPARATOR, "")


def register(db: Any) -> None:
    db.create_function("cjk_has", 1, has_cjk, deterministic=True)
    db.create_function("cjk_spaced", 1, spaced, deterministic=True)


def _index(table: str, column: str, fts: str) -> tuple[str, ...]:
    """The CJK index of ``table.column``: a view that spaces the text, the FTS5 table over it,
    what is there now, and the triggers that keep it in step (rows without CJK text are skipped)."""
    source = f"{fts}_source"
    return (
        f"CREATE VIEW {source} AS SELECT id, cjk_spaced({column}) AS {column} FROM {table}",
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{source}', content_rowid='id', tokenize='unicode61')",
        f"INSERT INTO {fts}({fts}, rank) VALUES ('secure-delete', 1)",
        f"INSERT INTO {fts}(rowid, {column}) SELECT id, cjk_spaced({column}) FROM {table} WHERE cjk_has({column})",
        f"""CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} WHEN cjk_has(new.{column}) BEGIN
            INSERT INTO {fts}(rowid, {column}) VALUES (new.id, cjk_spaced(new.{column}));
        END""",
        f"""CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} WHEN cjk_has(old.{column}) BEGIN
            INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, cjk_spaced(old.{column}));
        END""",
        f"""CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, {column})
                SELECT 'delete', old.id, cjk_spaced(old.{column}) WHERE cjk_has(old.{column});
            INSERT INTO {fts}(rowid, {column}) SELECT new.id, cjk_spaced(new.{column}) WHERE cjk_has(new.{column});
        END""",
    )


MIGRATION = _index("messages", "content", "messages_cjk") + _index("conversations", "title", "titles_cjk")
