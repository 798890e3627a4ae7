"""Render a streaming Markdown answer without re-rendering all of it for each token batch.

Finished paragraphs (up to the last blank line outside a code fence) are rendered once and
kept; only the unfinished tail is replaced on each update, so the cost of an update stays
small however long the answer grows.  Inside a long code block the complete lines are kept
too: the piece rendered for good is closed with a fence and the tail reopens it with the same
language, so a 400-line block costs each update its new lines, not all of them again.
When the answer ends and it has a numbered list, the whole text is rendered once more as one
document (the list's numbering restarts in each piece).
Each code block gets its copy link (:mod:`app.ui.code_blocks`) in every piece rendered.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QTextCursor, QTextDocument, QTextDocumentFragment

from app.ui.code_blocks import CodeHighlighter, Fences, with_copy_links

ORDERED_ITEM = re.compile(r"^[ \t]*\d{1,9}[.)][ \t]", re.MULTILINE)


def safe_cut(text: str, start: int, fences: Fences | None = None) -> int:
    """Where the part rendered for good may end, after ``start``: after the last blank line
    outside code or, when the text ends inside a code block, after its last complete line."""
    fences = fences or Fences(text)
    cut = position = start
    while (found := text.find("\n\n", position)) != -1:
        if fences.opener_at(found + 2) is None:
            cut = found + 2
        position = found + 2
    line_end = text.rfind("\n") + 1
    if line_end > cut and fences.opener_at(line_end) is not None:
        cut = line_end
    return cut


def piece(text: str, fences: Fences, start: int, end: int, close: bool) -> str:
    """``text[start:end]`` ready to render alone: a code block it begins inside is reopened with
    its own fence line, and (``close``) one it ends inside is closed."""
    body = with_copy_links(text, start, end)
    opener = fences.opener_at(start)
    if opener is not None:
        body = f"{opener}\n{body}"
    inner = fences.opener_at(end) if close else None
    if inner is not None:
        indent = re.match(r"[ \t]*", inner)
        body += ("" if body.endswith("\n") else "\n") + (indent.group(0) if indent else "") + "```"
    return body


def insert_markdown(cursor: QTextCursor, markdown: str) -> None:
    """Insert rendered Markdown at the cursor, the block it starts in taking the format of the
    first rendered block.  (``QTextCursor.insertMarkdown`` keeps the old block's format, so a
    heading or a code line at the start of a piece came out as plain text until the end.)"""
    rendered = QTextDocument()
    rendered.setMarkdown(markdown)
    block, at_start = cursor.block(), cursor.atBlockStart()
    cursor.insertFragment(QTextDocumentFragment(rendered))
    first = rendered.begin()
    if at_start and first.textList() is None and QTextCursor(first).currentTable() is None:  # these come through
        QTextCursor(block).setBlockFormat(first.blockFormat())


class IncrementalMarkdown:
    def __init__(self, document: QTextDocument, highlighter: CodeHighlighter | None = None) -> None:
        self.document = document
        self.highlighter = highlighter
        self.frozen = 0  # characters of the text rendered for good
        self.tail_start = 0  # document position where the unfinished tail begins

    def update(self, text: str) -> None:
        cursor = QTextCursor(self.document)
        cursor.setPosition(self.tail_start)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        rendered_from = self.tail_start
        fences = Fences(text)
        cut = safe_cut(text, self.frozen, fences)
        if cut > self.frozen:
            insert_markdown(cursor, piece(text, fences, self.frozen, cut, close=True))
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertBlock()
            self.frozen = cut
            self.tail_start = cursor.position()
        insert_markdown(cursor, piece(text, fences, self.frozen, len(text), close=False))
        if self.highlighter is not None:
            self.highlighter.rehighlight_from(rendered_from)

    def finish(self, text: str) -> None:
        """The answer is complete.  Rendered again as one document only where the pieces can
        differ from it, a numbered list (its numbering restarts in each piece); otherwise the
        last piece is rendered and the rest stays (a long answer ends without a stall)."""
        if self.frozen and not ORDERED_ITEM.search(text):
            self.update(text)
            return
        self.document.setMarkdown(with_copy_links(text))
        if self.highlighter is not None:
            self.highlighter.rehighlight()
        self.frozen = len(text)
        self.tail_start = self.document.characterCount() - 1
