"""Code blocks in messages: Pygments highlighting on the real Qt document, and copy links that
copy the code exactly as the model wrote it, also while the answer is still streaming."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication, QTextDocument

from app.core.store.database import StoredMessage
from app.ui.code_blocks import CodeHighlighter, code_blocks, with_copy_links
from app.ui.message_view import MessageWidget

ANSWER = (
    "Two ways:\n\n"
    "```python\ndef area(r):\n    return 3.14159 * r * r  # circle\n```\n\n"
    "1. In a list:\n\n"
    "   ```sh\n   echo 'indented'\n     two more\n   ```\n\n"
    "```nosuchlanguage\nplain words\n```\n\nDone."
)


def test_blocks_are_found_with_language_and_own_indentation() -> None:
    blocks = code_blocks(ANSWER)
    assert [b.language for b in blocks] == ["python", "sh", "nosuchlanguage"]
    assert blocks[0].code == "def area(r):\n    return 3.14159 * r * r  # circle"
    assert blocks[1].code == "echo 'indented'\n  two more"  # the fence's 3 spaces removed, no more
    unclosed = code_blocks("Start:\n\n```js\nlet x = 1;\n")
    assert unclosed[0].code == "let x = 1;" and not unclosed[0].closed


def test_links_rendered_in_pieces_match_the_whole() -> None:
    cuts = [0, ANSWER.index("1. In"), ANSWER.index("```nosuch"), len(ANSWER)]
    pieces = "".join(with_copy_links(ANSWER, a, b) for a, b in itertools.pairwise(cuts))
    assert pieces == with_copy_links(ANSWER)
    assert [f"copy-code:{n}" in pieces for n in range(4)] == [True, True, True, False]


def _coloured_lines(document: QTextDocument) -> dict[str, int]:
    """Each line's number of distinct colours the highlighter gave it."""
    found = {}
    block = document.begin()
    while block.isValid():
        colours = {r.format.foreground().color().name() for r in block.layout().formats()}
        found[block.text()] = len(colours)
        block = block.next()
    return found


def test_known_languages_are_highlighted_unknown_ones_left_plain(qtbot: Any) -> None:
    document = QTextDocument()
    highlighter = CodeHighlighter(document, dark=False)
    document.setMarkdown(with_copy_links(ANSWER))
    highlighter.rehighlight()
    lines = _coloured_lines(document)
    assert lines["def area(r):"] >= 2  # keyword and function name differ
    assert lines["    return 3.14159 * r * r  # circle"] >= 3  # keyword, number, comment
    assert lines["plain words"] == 0
    assert lines["Two ways:"] == 0  # prose is never touched
    dark = QTextDocument()
    dark_highlighter = CodeHighlighter(dark, dark=True)
    dark.setMarkdown(with_copy_links(ANSWER))
    dark_highlighter.rehighlight()
    assert _colours_of(dark, "def area(r):") != _colours_of(document, "def area(r):")  # a style per scheme
    assert highlighter.document() is document and dark_highlighter.document() is dark


def _colours_of(document: QTextDocument, line: str) -> set[str]:
    block = document.find(line).block()
    return {r.format.foreground().color().name() for r in block.layout().formats()}


def _message(content: str, status: str = "complete") -> StoredMessage:
    return StoredMessage(id=7, conversation_id=1, parent_id=None, role="assistant", content=content,
                         reasoning="", status=status, created_at=0, updated_at=0)  # fmt: skip


def test_copy_link_copies_the_code_as_written(qtbot: Any) -> None:
    widget = MessageWidget(_message(ANSWER), [7])
    qtbot.addWidget(widget)
    assert "python \u2003 Copy code" in widget.content_view.toPlainText()  # the card header: language, copy link
    assert _coloured_lines(widget.content_view.document())["def area(r):"] >= 2  # a stored answer is coloured too
    widget.content_view.anchorClicked.emit(QUrl("copy-code:1"))
    assert QGuiApplication.clipboard().text() == "echo 'indented'\n  two more"
    QGuiApplication.clipboard().setText("unchanged")
    widget.content_view.anchorClicked.emit(QUrl("copy-code:9"))  # no such block: nothing copied
    widget.content_view.anchorClicked.emit(QUrl("copy-code:x"))
    assert QGuiApplication.clipboard().text() == "unchanged"


def test_streaming_answer_gets_links_and_colours_as_it_grows(qtbot: Any) -> None:
    widget = MessageWidget(_message("", status="partial"), [7])
    qtbot.addWidget(widget)
    for end in range(1, len(ANSWER) + 1, 9):
        widget.append("content", ANSWER[len(widget.content) : end])
        widget.redraw()
    widget.append("content", ANSWER[len(widget.content) :])
    widget.redraw()
    text = widget.content_view.toPlainText()
    assert text.count("Copy") == 3
    assert _coloured_lines(widget.content_view.document())["def area(r):"] >= 2
    widget.content_view.anchorClicked.emit(QUrl("copy-code:0"))
    assert QGuiApplication.clipboard().text() == code_blocks(ANSWER)[0].code


def test_reasoning_shows_while_thinking_and_collapses_when_the_answer_starts(qtbot: Any) -> None:
    widget = MessageWidget(_message("", status="partial"), [7])
    qtbot.addWidget(widget)
    assert widget.reasoning is None  # no reasoning, no section (and no cost)
    widget.append("reasoning", "First, the **cycle**.\n\nThen ")
    widget.redraw()
    section = widget.reasoning
    assert section is not None and section.toggle.text() == "▾ Thinking…"
    assert "cycle" in section.view.toPlainText() and not section.view.isHidden()
    widget.append("reasoning", "efficiency.")
    widget.redraw()
    assert section.view.toPlainText().endswith("efficiency.")
    widget.append("content", "A heat pump moves heat.")
    widget.redraw()
    assert section.toggle.text().startswith("▸ Thought for ") and section.view.isHidden()
    section.toggle.click()  # open it again to read
    assert section.toggle.text().startswith("▾ Thought for ") and not section.view.isHidden()
    assert "efficiency." in section.view.toPlainText() and "moves heat" in widget.content_view.toPlainText()
    stored = MessageWidget(replace(_message("Answer."), reasoning="Stored thoughts."), [7])
    qtbot.addWidget(stored)
    assert stored.reasoning is not None and stored.reasoning.toggle.text() == "▸ Reasoning"  # an older answer
    assert stored.reasoning.view.isHidden()
    timed = MessageWidget(replace(_message("Answer."), reasoning="Stored thoughts.", thought_s=12.4), [7])
    qtbot.addWidget(timed)
    assert timed.reasoning is not None and timed.reasoning.toggle.text() == "▸ Thought for 12 s"


def test_streamed_code_lines_are_coloured_on_the_turns_after_their_piece(qtbot: Any) -> None:
    """Lexing is the slow part of a streamed piece (~0.4 ms a Python line): lines never lexed
    before are coloured on the next event-loop turns, the ones lexed before at once."""
    import uuid

    fresh = f"def fresh_{uuid.uuid4().hex}(x):"  # a line no test has lexed before
    widget = MessageWidget(_message("", status="partial"), [7])
    qtbot.addWidget(widget)
    widget.append("content", f"```python\n{fresh}\n    return 3.14159 * r * r  # circle\n")
    widget.redraw()
    document = widget.content_view.document()
    assert _coloured_lines(document)[fresh] == 0  # not yet: on a turn of its own
    qtbot.waitUntil(lambda: _coloured_lines(document)[fresh] >= 2, timeout=2000)
    widget.append("content", f"{fresh}\n")  # the same line again: known, coloured with its piece
    widget.redraw()
    block = document.findBlockByNumber(document.blockCount() - 2)
    assert block.text() == fresh and len(block.layout().formats()) >= 2
