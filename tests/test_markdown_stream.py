"""Streaming Markdown: paragraphs rendered once, the tail replaced, the end identical to a full render."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtGui import QTextDocument

from app.ui.code_blocks import with_copy_links
from app.ui.markdown_stream import IncrementalMarkdown, safe_cut

ANSWER = (
    "A heat pump **moves heat**.\n\n"
    "Steps:\n\n1. Evaporate outside.\n2. Compress.\n\n"
    "```python\ncop = heat / power\n\nprint(cop)\n```\n\n"
    "| mode | source |\n|---|---|\n| heating | air |\n\n"
    "That is all."
)


def test_safe_cut_never_splits_a_code_fence() -> None:
    fence_start = ANSWER.index("```")
    inside = ANSWER.index("\n\nprint")
    assert safe_cut(ANSWER[: inside + 3], 0) == fence_start  # the blank line inside the fence is not a boundary
    assert safe_cut(ANSWER, 0) == ANSWER.rindex("\n\n") + 2
    assert safe_cut("no paragraph yet", 0) == 0


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
