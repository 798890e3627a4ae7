"""LaTeX math in answers, drawn as math: ``\\( \\)`` inline, ``\\[ \\]`` and ``$$ $$`` on their own.

DeepSeek writes math constantly, and Qt's Markdown importer shows it as source with its
backslashes eaten (``\\(x\\)`` became "(x)").  Before a piece of Markdown is rendered, each complete
formula outside code is swapped for an image reference (``![formula](math:…)``) whose name is a
hash of its source; the text browser asks for the image when it lays the line out
(:meth:`MathImages.image`).  The image is drawn on one worker thread by ziamath (pure Python:
LaTeX to SVG with its own math font, so nothing is fetched or installed) and QtSvg, and the
browser gets a same-sized blank until it arrives, so a formula never stalls the window.

The source stays at hand: a click on a formula copies it as written, its tooltip shows it,
copying a selection puts it back in place of the image (:func:`selected_text`), and copying the
message copies the Markdown the model wrote.  A formula ziamath cannot parse is shown as its
source, in the text colour.  An unfinished formula (the closing delimiter not yet streamed) stays
text until it closes.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QByteArray, QObject, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)

from app.ui.i18n import tr

log = logging.getLogger(__name__)
SCHEME = "math"
COPY_SCHEME = "copy-math"
# $$…$$ and \[…\] are display math, \(…\) inline.  A lone $ is not math: it is too often money.
FORMULA = re.compile(r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|\\\((?P<i>.+?)\\\)", re.DOTALL)
CODE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,}).*?(?:^[ \t]*(?P=fence)[ \t]*$|\Z)|(?P<ticks>`+).+?(?P=ticks)",
                  re.MULTILINE | re.DOTALL)  # fmt: skip
SCALE = 1.1  # math reads better a little larger than the text around it
KEPT_IMAGES = 512


@dataclass(frozen=True)
class Formula:
    source: str  # the LaTeX between the delimiters
    written: str  # as the model wrote it, delimiters included (what a copy gives back)
    display: bool


_formulas: OrderedDict[str, Formula] = OrderedDict()  # image name -> formula, for the images and copies


def formula(name: str) -> Formula | None:
    return _formulas.get(name)


def with_math_images(markdown: str) -> str:
    """``markdown`` with each complete formula outside code replaced by an image reference."""
    if "\\(" not in markdown and "\\[" not in markdown and "$$" not in markdown:
        return markdown  # the common case costs three substring searches
    code = [match.span() for match in CODE.finditer(markdown)]
    pieces, position = [], 0
    for match in FORMULA.finditer(markdown):
        start, end = match.span()
        if any(a <= start < b for a, b in code):
            continue
        source = (match.group("d1") or match.group("d2") or match.group("i") or "").strip()
        if not source:
            continue
        display = match.group("i") is None
        digest = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()[:20]
        name = f"{SCHEME}:{'d' if display else 'i'}{digest}"
        _formulas[name] = Formula(source, match.group(0), display)
        _formulas.move_to_end(name)
        pieces += [markdown[position:start], f"![formula]({name})"]
        position = end
    while len(_formulas) > 20_000:
        _formulas.popitem(last=False)
    return "".join(pieces) + markdown[position:] if pieces else markdown


def math_fragments(document: QTextDocument, name: str | None = None) -> list[tuple[int, QTextCharFormat]]:
    found = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            char_format = fragment.charFormat()
            if char_format.isImageFormat():
                image_name = char_format.toImageFormat().name()
                if image_name.startswith(SCHEME + ":") and name in (None, image_name):
                    found.append((fragment.position(), char_format))
            iterator += 1
        block = block.next()
    return found


def decorate(document: QTextDocument) -> None:
    """Give each formula image in ``document`` its alignment, tooltip and copy link, and centre a
    display formula that stands alone in its paragraph."""
    for position, char_format in math_fragments(document):
        name = char_format.toImageFormat().name()
        found = formula(name)
        cursor = QTextCursor(document)
        cursor.setPosition(position)
        cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
        char_format.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignMiddle)  # see _padding
        char_format.setAnchor(True)
        char_format.setAnchorHref(f"{COPY_SCHEME}:{name.partition(':')[2]}")
        if found is not None:
            char_format.setToolTip(f"{found.written}\n\n" + tr("(click to copy)"))
        cursor.setCharFormat(char_format)
        if found is not None and found.display and cursor.block().text().strip() == "\ufffc":
            centred = QTextBlockFormat()
            centred.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            cursor.mergeBlockFormat(centred)


def selected_text(cursor: QTextCursor) -> str:
    """The selection's plain text with each formula's source where its image is."""
    text = cursor.selection().toPlainText()
    if "\ufffc" not in text:
        return text
    start, end = cursor.selectionStart(), cursor.selectionEnd()
    document = cursor.document()
    sources = {p: formula(f.toImageFormat().name()) for p, f in math_fragments(document) if start <= p < end}
    out = []
    for position, character in enumerate(text, start):  # one document position per character
        found = sources.get(position) if character == "\ufffc" else None
        out.append(found.written if found is not None else character)
    return "".join(out)


def copied_source(href: str) -> str | None:
    """What a click on a formula (its ``copy-math:`` link) copies."""
    found = formula(f"{SCHEME}:{href.partition(':')[2]}")
    return found.written if found is not None else None


@dataclass(frozen=True)
class Look:
    """What an image depends on besides its formula: drawn again when the palette or font changes."""

    colour: str
    pixels: float  # the text's font size in pixels
    x_height: float
    ratio: float  # device pixels per pixel

    @staticmethod
    def of(font: QFont, colour: QColor, ratio: float) -> Look:
        metrics = QFontMetricsF(font)
        pixels = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72
        return Look(colour.name(), float(pixels), metrics.xHeight(), ratio)


def _padding(ascent: float, descent: float, x_height: float) -> tuple[float, float]:
    """Blank space (top, bottom) that puts the formula's baseline on the text's.  Qt centres an
    AlignMiddle image a quarter x-height above the baseline, so the part above the baseline must
    exceed the part below by half an x-height."""
    excess = ascent - descent - x_height / 2
    return (0.0, excess) if excess > 0 else (-excess, 0.0)


def _draw(found: Formula, look: Look) -> QImage | None:
    """On the worker thread: the formula as an image, or None when ziamath cannot read it."""
    # 0.2 s to import: only once a formula appears, and not on the UI thread
    from PySide6.QtSvg import QSvgRenderer
    from ziamath.config import config as ziamath_config
    from ziamath.zmath import Latex

    ziamath_config.svg2 = False  # QtSvg draws SVG 1.1 (<symbol> glyphs came out blank)
    try:
        latex = Latex(found.source, size=look.pixels * SCALE, color=look.colour, inline=not found.display)
        svg = latex.svg()
    except Exception:  # any parse failure in a third-party parser: the source is shown instead
        return None
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    box = renderer.viewBoxF()
    if not renderer.isValid() or box.width() <= 0 or box.height() <= 0:
        return None
    top, bottom = _padding(-box.y(), box.height() + box.y(), look.x_height)
    width, height = box.width(), box.height() + top + bottom
    image = QImage(max(1, round(width * look.ratio)), max(1, round(height * look.ratio)),
                   QImage.Format.Format_ARGB32_Premultiplied)  # fmt: skip
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, top * look.ratio, width * look.ratio, box.height() * look.ratio))
    painter.end()
    image.setDevicePixelRatio(look.ratio)
    return image


def _as_text(found: Formula, look: Look, font: QFont) -> QImage:
    """A formula ziamath could not read: its source, as an image in the text's colour."""
    metrics = QFontMetricsF(font)
    width, height = metrics.horizontalAdvance(found.written) + 2, metrics.height()
    image = QImage(round(width * look.ratio), round(height * look.ratio), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    image.setDevicePixelRatio(look.ratio)
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor(look.colour))
    painter.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignVCenter, found.written)
    painter.end()
    return image


class MathImages(QObject):
    """The app's formula images: drawn once per formula and look, on one worker thread."""

    drawn = Signal(str, object, object)  # name, look, image or None (worker thread -> UI thread)

    def __init__(self) -> None:
        super().__init__()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hearth-math")
        self._images: OrderedDict[tuple[str, Look], QImage] = OrderedDict()
        self._waiting: dict[tuple[str, Look], list[tuple[QTextDocument, QFont]]] = {}
        self.drawn.connect(self._arrived, Qt.ConnectionType.QueuedConnection)

    def image(self, document: QTextDocument, name: str, look: Look, font: QFont) -> QImage:
        """The image now if it was drawn, else a blank of about its size; the document gets the
        real one (and lays out again) when the worker is done."""
        key = (name, look)
        if (image := self._images.get(key)) is not None:
            self._images.move_to_end(key)
            return image
        found = formula(name)
        if found is None:  # a name from an older, evicted formula: nothing to draw
            return QImage()
        waiting = self._waiting.setdefault(key, [])
        if not waiting:
            self._pool.submit(self._job, name, look, found)
        if all(d is not document for d, _f in waiting):
            waiting.append((document, QFont(font)))
        metrics = QFontMetricsF(font)
        blank = QImage(max(1, round(metrics.averageCharWidth() * len(found.source) * 0.6)), round(metrics.height()),
                       QImage.Format.Format_ARGB32_Premultiplied)  # fmt: skip
        blank.fill(Qt.GlobalColor.transparent)
        return blank

    def _job(self, name: str, look: Look, found: Formula) -> None:
        image = None
        try:
            image = _draw(found, look)
        except Exception:  # a bug, not the user's formula (that returns None): logged, source shown
            log.exception("drawing a formula failed")
        self.drawn.emit(name, look, image)

    def _arrived(self, name: str, look: Look, image: QImage | None) -> None:
        key = (name, look)
        waiting = self._waiting.pop(key, [])
        found = formula(name)
        if image is None and found is not None and waiting:
            image = _as_text(found, look, waiting[0][1])
        if image is None:
            return
        self._images[key] = image
        while len(self._images) > KEPT_IMAGES:
            self._images.popitem(last=False)
        for document, _font in waiting:
            if shiboken6.isValid(document):
                place(document, name, image)


def place(document: QTextDocument, name: str, image: QImage, positions: list[int] | None = None) -> None:
    """Put a drawn image into ``document`` and lay out again only the lines that show it (at
    ``positions`` when the caller already walked the document)."""
    document.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), image)
    if positions is None:
        positions = [position for position, _format in math_fragments(document, name)]
    for position in positions:
        document.markContentsDirty(position, 1)


_images: MathImages | None = None


def images() -> MathImages:
    global _images
    if _images is None:
        _images = MathImages()
    return _images
