"""Render a streaming Markdown answer without re-rendering all of it for each token batch.

Finished paragraphs (up to the last blank line outside a code fence) are rendered once and
kept; only the unfinished tail is replaced on each update, so the cost of an update stays
small however long the answer grows.  When the answer ends, the whole text is rendered
once more as one document (a list split across paragraphs numbers correctly again).
Each code block gets its copy link (:mod:`app.ui.code_blocks`) in every piece rendered.
"""

from __future__ import annotations

from PySide6.QtGui import QTextCursor, QTextDocument

from app.ui.code_blocks import CodeHighlighter, with_copy_links

FENCE = "```"


def safe_cut(text: str, start: int) -> int:
    """The end of the last complete paragraph after ``start`` that is not inside a code fence."""
    cut = start
    position = start
    while (found := text.find("\n\n", position)) != -1:
        if text.count(FENCE, start, found) % 2 == 0:
            cut = found + 2
        position = found + 2
    return cut


class IncrementalMarkdown:
    def __init__(self, document: QTextDocument, highlighter: CodeHighlighter | None = None) -> None:
        self.document = document
        self.highlighter = highlighter
        self.frozen = 0  # characters of the text rendered for good
        self.tail_start = 0  # document position where the unfinished tail begins

    def reset(self) -> None:
        self.document.clear()
        self.frozen = self.tail_start = 0

    def update(self, text: str) -> None:
        cursor = QTextCursor(self.document)
        cursor.setPosition(self.tail_start)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        rendered_from = self.tail_start
        cut = safe_cut(text, self.frozen)
        if cut > self.frozen:
            cursor.insertMarkdown(with_copy_links(text, self.frozen, cut))
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertBlock()
            self.frozen = cut
            self.tail_start = cursor.position()
        cursor.insertMarkdown(with_copy_links(text, self.frozen))
        if self.highlighter is not None:
            self.highlighter.rehighlight_from(rendered_from)

    def finish(self, text: str) -> None:
        self.document.setMarkdown(with_copy_links(text))
        if self.highlighter is not None:
            self.highlighter.rehighlight()
        self.frozen = len(text)
        self.tail_start = self.document.characterCount() - 1
