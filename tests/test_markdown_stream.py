"""Streaming Markdown: paragraphs rendered once, the tail replaced, the end identical to a full render."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtGui import QTextDocument, QTextFormat

from app.ui.code_blocks import CodeHighlighter, Fences, with_copy_links
from app.ui.markdown_stream import IncrementalMarkdown, piece, safe_cut

ANSWER = (
    "A heat pump **moves heat**.\n\n"
    "Steps:\n\n1. Evaporate outside.\n2. Compress.\n\n"
    "```python\ncop = heat / power\n\nprint(cop)\n```\n\n"
    "| mode | source |\n|---|---|\n| heating | air |\n\n"
    "That is all."
)


def test_cuts_fall_after_blank_lines_outside_code_or_after_whole_lines_inside() -> None:
    fence_start = ANSWER.index("```")
    inside = ANSWER.index("\n\nprint")
    # Inside an open code block a blank line is not a paragraph break; the cut goes after its last whole line.
    assert safe_cut(ANSWER[: inside + 3], 0) == inside + 2
    assert safe_cut(ANSWER[: fence_start + 5], 0) == fence_start  # the fence line itself is not complete yet
    assert safe_cut(ANSWER, 0) == ANSWER.rindex("\n\n") + 2
    assert safe_cut("no paragraph yet", 0) == 0
    text = "Intro\n\n```sh\necho one\n"
    fences = Fences(text)
    assert fences.opener_at(len(text)) == "```sh" and fences.opener_at(3) is None
    assert piece(text, fences, 0, len(text), close=True).endswith("echo one\n```")  # closed for rendering alone
    more = text + "echo two\n```\n\nDone."
    assert piece(more, Fences(more), len(text), len(more), close=False).startswith("```sh\necho two")  # reopened


def test_streamed_text_matches_a_full_render(qtbot) -> None:  # type: ignore[no-untyped-def]
    document = QTextDocument()
    stream = IncrementalMarkdown(document)
    for end in range(1, len(ANSWER) + 1, 7):  # token-sized pieces
        stream.update(ANSWER[:end])
        assert "".join(document.toPlainText().split()).startswith("".join(_render(ANSWER[:end]).split())[:10])
    stream.update(ANSWER)
    frozen = stream.frozen
    assert 0 < frozen < len(ANSWER)  # most of the answer was rendered once and kept
    streamed = "".join(document.toPlainText().split())
    stream.finish(ANSWER)
    assert "".join(document.toPlainText().split()) == "".join(_render(ANSWER).split())
    assert streamed.replace("1.", "").replace("2.", "") == "".join(_render(ANSWER).split()).replace("1.", "").replace("2.", "")


def _render(text: str) -> str:
    document = QTextDocument()
    document.setMarkdown(with_copy_links(text))
    return document.toPlainText()


def _structure(document: QTextDocument) -> list[tuple[str, int, bool, bool]]:
    """Each non-empty block: text, heading level, in a list, code."""
    found = []
    block = document.begin()
    while block.isValid():
        if block.text():
            fmt = block.blockFormat()
            found.append((block.text(), fmt.headingLevel(), block.textList() is not None,
                          fmt.hasProperty(QTextFormat.Property.BlockCodeFence)))  # fmt: skip
        block = block.next()
    return found


def test_pieces_keep_headings_lists_and_code_while_streaming(qtbot) -> None:  # type: ignore[no-untyped-def]
    text = "Intro\n\n# Heading\n\n- one\n- two\n\n```python\nx = 1\n\ny = 2\n```\n\n## After\n\nEnd"
    document = QTextDocument()
    stream = IncrementalMarkdown(document)
    for end in range(1, len(text) + 1, 3):
        stream.update(text[:end])
    stream.update(text)
    whole = QTextDocument()
    whole.setMarkdown(with_copy_links(text))
    assert _structure(document) == _structure(whole)  # a heading starting a piece is still a heading


def test_a_long_code_block_costs_each_update_only_its_new_lines(qtbot) -> None:  # type: ignore[no-untyped-def]
    lines = [f"value_{i} = compute({i})" for i in range(300)]
    text = "Code:\n\n```python\n" + "\n".join(lines) + "\n```\n\nDone."
    document = QTextDocument()
    highlighter = CodeHighlighter(document, dark=False)
    coloured: list[str] = []
    original = highlighter.highlightBlock

    def counting(line: str) -> None:
        if highlighter._explicit:
            coloured.append(line)
        original(line)

    highlighter.highlightBlock = counting  # type: ignore[method-assign]
    stream = IncrementalMarkdown(document, highlighter)
    for end in range(40, len(text) + 1, 120):
        stream.update(text[:end])
    stream.update(text)
    assert stream.frozen > text.index("value_290")  # the finished lines were kept, not re-rendered
    assert len(coloured) < 3 * len(lines)  # re-rendering the whole block each time colours ~n²/2 lines
    before = len(coloured)
    stream.finish(text)  # no numbered list: the last piece is rendered, nothing else
    assert len(coloured) - before < 10
    assert [b for b in _structure(document) if b[3]] == [b for b in _structure(_whole(text)) if b[3]]


def _whole(text: str) -> QTextDocument:
    document = QTextDocument()
    document.setMarkdown(with_copy_links(text))
    return document


def test_a_very_long_paragraph_is_kept_in_parts_that_read_as_one(qtbot) -> None:  # type: ignore[no-untyped-def]
    words = [f"word{i % 97}" for i in range(1200)]
    text = " ".join(words)  # ~8,000 characters, no line break: each update would lay it all out again
    document = QTextDocument()
    stream = IncrementalMarkdown(document)
    for end in range(100, len(text) + 100, 100):
        stream.update(text[:end])
    assert stream.frozen > len(text) // 2 and document.blockCount() >= 3  # the beginning is kept
    assert document.toPlainText().split() == words  # no word lost, split or doubled
    block = document.begin()
    while block.next().isValid():  # the parts touch: no paragraph gap between them
        assert block.blockFormat().bottomMargin() == 0 and block.next().blockFormat().topMargin() == 0
        block = block.next()
    stream.finish(text)
    assert document.blockCount() == 1 and document.toPlainText() == text  # one paragraph again
    listed = "- " + text  # a list item is left alone (its parts would become separate items)
    other = IncrementalMarkdown(QTextDocument())
    for end in range(100, len(listed) + 100, 100):
        other.update(listed[:end])
    assert other.frozen == 0


@pytest.mark.parametrize("word", ["海上的船只在港口停泊，", "tok4570tok1125"])
def test_a_long_paragraph_without_spaces_is_laid_out_in_parts_while_it_streams(qtbot, word: str) -> None:  # type: ignore[no-untyped-def]
    """Chinese (or one endless word) has no space to cut at: it is cut anyway, so each update lays
    out only the newest part, and the end is one paragraph, as a full render."""
    from app.ui.markdown_stream import soft_cut

    text = word * 800
    document = QTextDocument()
    incremental = IncrementalMarkdown(document)
    for end in range(0, len(text), 300):
        incremental.update(text[:end])
    assert document.blockCount() > 3  # parts, not one block growing to 10k characters
    assert soft_cut(text, 0, Fences(text)) > 0
    if "，" in word:
        assert text[soft_cut(text, 0, Fences(text)) - 1] == "，"  # after a punctuation mark
    incremental.finish(text)
    full = QTextDocument()
    full.setMarkdown(text)
    assert document.toPlainText() == full.toPlainText() and document.blockCount() == 1


def test_a_long_hard_wrapped_paragraph_is_kept_in_parts_but_math_and_lists_are_not(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Single line breaks inside a paragraph (hard-wrapped text, or a model that breaks lines)
    no longer make every update lay out the whole paragraph; a display-math block or a list,
    whose lines mean something, is never cut."""
    from app.ui.markdown_stream import soft_cut

    lines = [" ".join(f"word{(i * 7 + j) % 89}" for j in range(11)) for i in range(150)]
    text = "\n".join(lines)  # ~10,000 characters, one paragraph in Markdown
    document = QTextDocument()
    stream = IncrementalMarkdown(document)
    for end in range(100, len(text), 150):
        stream.update(text[:end])
    stream.update(text)
    assert stream.frozen > len(text) // 2 and document.blockCount() >= 3
    assert document.toPlainText().split() == text.split()  # no word lost, split or doubled
    stream.finish(text)
    full = QTextDocument()
    full.setMarkdown(text)
    assert document.toPlainText() == full.toPlainText() and document.blockCount() == 1
    for structured in ("$$\n" + text + "\n", "\\[\n" + text, "- " + "\n- ".join(lines), "1. " + "\n2. ".join(lines)):
        assert soft_cut(structured, 0, Fences(structured)) == 0
