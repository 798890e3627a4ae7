"""LaTeX math in answers is drawn as math, keeps its source copyable, and never blocks the window."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette, QTextDocument

from app.ui import math_render
from app.ui.markdown_stream import IncrementalMarkdown
from app.ui.message_parts import AutoHeightBrowser

ANSWER = r"""The integral is \(\int_0^1 x^2\,dx = \frac{1}{3}\), as expected.

$$\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$$

\[
\begin{pmatrix} a & b \\ c & d \end{pmatrix}
\]

Broken: \(\frac{1}{\) and code `\(x\)` stay text; so does $5 or $6.

```latex
\(inside a code block\)
```
"""


def _shown(qtbot: Any, markdown: str) -> AutoHeightBrowser:
    """A message block showing ``markdown``, on screen (its formulas are asked for at layout)."""
    view = AutoHeightBrowser()
    qtbot.addWidget(view)
    view.resize(640, 400)
    view.set_markdown(markdown)
    view.show()
    return view


def _names(document: QTextDocument) -> list[str]:
    return [f.toImageFormat().name() for _p, f in math_render.math_fragments(document)]


def _drawn(document: QTextDocument, name: str) -> QImage:
    image = document.resource(QTextDocument.ResourceType.ImageResource.value, QUrl(name))
    return image if isinstance(image, QImage) else QImage()


def _inked(image: QImage) -> list[QColor]:
    """The colours of the image's opaque pixels (a blank placeholder has none)."""
    step = max(1, image.width() // 40)
    colours = [image.pixelColor(x, y) for x in range(0, image.width(), step) for y in range(image.height())]
    return [c for c in colours if c.alpha() > 200]


def test_formulas_outside_code_become_images_and_nothing_else_does() -> None:
    out = math_render.with_math_images(ANSWER)
    assert out.count("](math:i") == 2  # the integral and the broken one (drawn as its source later)
    assert out.count("](math:d") == 2  # $$ $$ and \[ \]
    assert "`\\(x\\)`" in out and "\\(inside a code block\\)" in out  # code is left as written
    assert "$5 or $6" in out  # a lone dollar is money, not math
    assert math_render.with_math_images("no math here") == "no math here"
    assert math_render.with_math_images("still streaming \\(x^") == "still streaming \\(x^"  # not closed yet
    name = out.split("](")[1].split(")")[0]
    assert math_render.copied_source(f"copy-math:{name.partition(':')[2]}") == r"\(\int_0^1 x^2\,dx = \frac{1}{3}\)"


def test_formulas_are_drawn_off_the_ui_thread_and_copy_as_latex(qtbot: Any) -> None:
    view = _shown(qtbot, ANSWER)
    names = _names(view.document())
    assert len(names) == 4
    qtbot.waitUntil(lambda: all(_inked(_drawn(view.document(), n)) for n in names), timeout=15_000)
    inline, display = names[0], names[1]
    assert _drawn(view.document(), display).height() > _drawn(view.document(), inline).height() * 0.8
    # A display formula alone in its paragraph is centred; its tooltip shows the source.
    fragments = dict(math_render.math_fragments(view.document()))
    display_at = next(p for p, f in fragments.items() if f.toImageFormat().name() == display)
    assert view.document().findBlock(display_at).blockFormat().alignment() & math_render.Qt.AlignmentFlag.AlignHCenter
    assert "\\sum_{k=1}" in fragments[display_at].toolTip()
    # Copying a selection gives the LaTeX back in place of the images.
    cursor = view.textCursor()
    cursor.select(cursor.SelectionType.Document)
    view.setTextCursor(cursor)
    copied = view.createMimeDataFromSelection().text()
    assert r"\(\int_0^1 x^2\,dx = \frac{1}{3}\)" in copied and "$$\\sum_{k=1}^{n}" in copied
    assert "\ufffc" not in copied
    # A click on a formula copies it.
    view.anchorClicked.emit(QUrl(fragments[display_at].anchorHref()))
    assert QGuiApplication.clipboard().text() == r"$$\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$$"


def test_formulas_follow_the_text_colour(qtbot: Any) -> None:
    view = _shown(qtbot, r"Euler: \(e^{i\pi} + 1 = 0\)")
    (name,) = _names(view.document())
    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Text, QColor("#101010"))
    view.setPalette(palette)
    qtbot.waitUntil(lambda: bool(_inked(_drawn(view.document(), name))), timeout=15_000)
    assert max(c.lightness() for c in _inked(_drawn(view.document(), name))) < 100  # dark ink
    palette.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    view.setPalette(palette)
    qtbot.waitUntil(lambda: min(c.lightness() for c in _inked(_drawn(view.document(), name)) or [QColor()]) > 150,
                    timeout=15_000)  # fmt: skip


def test_a_formula_that_cannot_be_read_is_shown_as_its_source(qtbot: Any) -> None:
    view = _shown(qtbot, r"Broken: \(\frac{1}{\)")
    (name,) = _names(view.document())
    qtbot.waitUntil(lambda: bool(_inked(_drawn(view.document(), name))), timeout=15_000)
    # The fallback is the source in the text's font: wider than tall, about one line high.
    image = _drawn(view.document(), name)
    assert image.width() > 3 * image.height() / image.devicePixelRatio()


def test_a_streamed_formula_becomes_math_when_it_closes(qtbot: Any) -> None:
    view = AutoHeightBrowser()
    qtbot.addWidget(view)
    markdown = IncrementalMarkdown(view.document(), view.highlighter)
    text = "First paragraph.\n\nThe area is \\(\\pi r"
    markdown.update(text)
    assert _names(view.document()) == []  # unfinished: still text
    markdown.update(text + "^2\\) of the circle.")
    assert len(_names(view.document())) == 1
    markdown.finish(text + "^2\\) of the circle.\n\n$$a^2 + b^2 = c^2$$")
    assert len(_names(view.document())) == 2
    assert "The area is" in view.document().toPlainText() and "First paragraph." in view.document().toPlainText()
