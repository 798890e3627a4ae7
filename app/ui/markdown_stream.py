"""Render a streaming Markdown answer without re-rendering all of it for each token batch.

Finished paragraphs (up to the last blank line outside a code fence) are rendered once and
kept; only the unfinished tail is replaced on each update, so the cost of an update stays
small however long the answer grows.  Inside a long code block the complete lines are kept
too: the piece rendered for good is closed with a fence and the tail reopens it with the same
language, so a 400-line block costs each update its new lines, not all of them again.
A plain paragraph longer than 2,000 characters (on one line or hard-wrapped) is kept in parts too (separate text blocks with
no margin between them).  When the answer ends and it has a numbered list (the numbering
restarts in each piece) or a paragraph kept in parts, it is rendered once more as one document.
Each code block gets its copy link (:mod:`app.ui.code_blocks`) in every piece rendered.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QTextBlockFormat, QTextCursor, QTextDocument, QTextDocumentFragment

from app.ui import math_render
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


SOFT_PARAGRAPH_CHARS = 2000
CJK_BREAKS = "。，、！？；：）」』"  # a line may end after these in CJK text


STRUCTURE_MARKS = ("-", "*", "+", "|", ">", "#", "=", "<", "$", "\\")  # lists, tables, quotes, headings, HTML, math


def _plain_paragraph(tail: str) -> bool:
    """Lines of one plain paragraph (soft line breaks are allowed, as in hard-wrapped text): none
    starts a list item, table row, quote, heading, HTML or math block, or indented code."""
    lines = tail.strip("\n").split("\n")
    if lines[0].startswith(("    ", "\t")):
        return False
    return not any(line.lstrip()[:1] in STRUCTURE_MARKS or ORDERED_ITEM.match(line) for line in lines)


def soft_cut(text: str, start: int, fences: Fences) -> int:
    """In an unfinished plain paragraph longer than ``SOFT_PARAGRAPH_CHARS`` (one paragraph:
    no list, table, quote, heading, math or code), the last space or line break a little
    before its end; else ``start``."""
    tail = text[start:]
    if len(tail) < SOFT_PARAGRAPH_CHARS or fences.opener_at(len(text)) is not None or not _plain_paragraph(tail):
        return start
    end = len(text) - 200
    space = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
    if space > start:
        return space
    # No space: Chinese or Japanese (no spaces between words), or a model writing one long word.
    # Cut after the last CJK punctuation, else anywhere: the break only shows while the answer
    # streams (the paragraph is rendered whole at the end), and without it every update would lay
    # out the whole paragraph again (a 15k-character answer cost the window 9 % of decoding speed).
    mark = max(text.rfind(p, start, end) for p in CJK_BREAKS)
    if mark > start:
        return mark + 1
    return end if end - start >= SOFT_PARAGRAPH_CHARS // 2 else start


def _set_margin(cursor: QTextCursor, top: int | None = None, bottom: int | None = None) -> None:
    fmt = QTextBlockFormat()
    if top is not None:
        fmt.setTopMargin(top)
    if bottom is not None:
        fmt.setBottomMargin(bottom)
    cursor.mergeBlockFormat(fmt)


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


def set_markdown(document: QTextDocument, markdown: str) -> None:
    """``document.setMarkdown`` with its formulas drawn as math (:mod:`app.ui.math_render`)."""
    with_math = math_render.with_math_images(markdown)
    document.setMarkdown(with_math)
    if with_math is not markdown:
        math_render.decorate(document)


def insert_markdown(cursor: QTextCursor, markdown: str) -> None:
    """Insert rendered Markdown at the cursor, the block it starts in taking the format of the
    first rendered block.  (``QTextCursor.insertMarkdown`` keeps the old block's format, so a
    heading or a code line at the start of a piece came out as plain text until the end.)"""
    rendered = QTextDocument()
    set_markdown(rendered, markdown)
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
        self.continued = False  # the tail continues a paragraph kept in parts
        self.soft_cuts = False  # a paragraph was kept in parts (rendered whole at the end)

    def update(self, text: str) -> None:
        # One edit block: the document lays itself out (and says its new size) once for the whole
        # update, not after each removal, insertion and format change.
        edit = QTextCursor(self.document)
        edit.beginEditBlock()
        try:
            self._update(text)
        finally:
            edit.endEditBlock()

    def _update(self, text: str) -> None:
        cursor = QTextCursor(self.document)
        cursor.setPosition(self.tail_start)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        rendered_from = self.tail_start
        fences = Fences(text)
        cut = safe_cut(text, self.frozen, fences)
        if cut > self.frozen:
            insert_markdown(cursor, piece(text, fences, self.frozen, cut, close=True))
            self._join_continued()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertBlock()
            self.frozen, self.tail_start, self.continued = cut, cursor.position(), False
        elif (soft := soft_cut(text, self.frozen, fences)) > self.frozen:
            # One very long paragraph: keep its beginning as a text block of its own, so each update
            # lays out only the lines of the rest (Qt lays out a changed block whole: 8 ms for 15k
            # characters).  No margins between the parts: it reads as one paragraph.
            insert_markdown(cursor, piece(text, fences, self.frozen, soft, close=False))
            self._join_continued()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            _set_margin(cursor, bottom=0)
            cursor.insertBlock()
            self.frozen, self.tail_start, self.continued, self.soft_cuts = soft, cursor.position(), True, True
        insert_markdown(cursor, piece(text, fences, self.frozen, len(text), close=False))
        self._join_continued()
        if self.highlighter is not None:
            self.highlighter.rehighlight_from(rendered_from, defer=True)  # new lines coloured on the next turns

    def _join_continued(self) -> None:
        """What was just rendered at the tail's start continues a paragraph kept in parts: no gap."""
        if self.continued:
            _set_margin(QTextCursor(self.document.findBlock(self.tail_start)), top=0)

    def finish(self, text: str) -> None:
        """The answer is complete.  Rendered again as one document only where the pieces can
        differ from it, a numbered list (its numbering restarts in each piece); otherwise the
        last piece is rendered and the rest stays (a long answer ends without a stall)."""
        if self.frozen and not self.soft_cuts and not ORDERED_ITEM.search(text):
            self.update(text)
            return
        set_markdown(self.document, with_copy_links(text))
        if self.highlighter is not None:
            self.highlighter.rehighlight()
        self.frozen = len(text)
        self.tail_start = self.document.characterCount() - 1
