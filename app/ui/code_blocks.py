"""Fenced code in a message: syntax highlighting and a "Copy code" link per block.

Qt's Markdown importer turns each line of a fenced block into a text block that carries the
fence's language (``QTextFormat.BlockCodeLanguage``), so a :class:`QSyntaxHighlighter` can
colour exactly those lines with Pygments' lexers and styles (Pygments does the language work;
only the mapping to Qt formats is ours).  Lines are lexed one at a time: a streaming answer
re-highlights only the lines that changed, at the price of multi-line strings or comments
being coloured line by line.

A QTextBrowser cannot hold buttons, so each block is drawn as a card: a header strip above
the shaded code naming the language, with a "Copy code" link (``copy-code:N``); clicking it
copies block N of the message's own Markdown, never the rendered text.  Only backtick fences
are recognised, like the streaming renderer's cut points.
"""

from __future__ import annotations

import bisect
import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound
from PySide6.QtCore import QTimer
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QSyntaxHighlighter,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from app.ui import style
from app.ui.i18n import QT_TRANSLATE_NOOP, tr
from app.ui.tasks import keep_for_good

COPY_SCHEME = "copy-code"
COPY_LABEL = QT_TRANSLATE_NOOP("", "Copy code")
HEADER_GAP = "\u2003"  # an em space between the language and the copy link of a card's header
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>#|~]")
Span = tuple[int, int, QTextCharFormat]
COLOUR_SECONDS = 0.003  # the longest one turn spends colouring streamed code lines
_FENCE = re.compile(r"^([ \t]*)```[ \t]*([^\s`]*)[^\n]*$", re.MULTILINE)


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str
    start: int  # offset of the opening fence line in the Markdown
    closed: bool


class Fences:
    """The fence lines of a Markdown text, to ask whether a position lies inside a code block."""

    def __init__(self, markdown: str) -> None:
        self.lines = list(_FENCE.finditer(markdown))
        self.ends = [m.end() for m in self.lines]

    def opener_at(self, position: int) -> str | None:
        """The opening fence line of the code block ``position`` is in; None outside code."""
        before = bisect.bisect_left(self.ends, position)  # fence lines that end before the position
        return self.lines[before - 1].group(0) if before % 2 else None


def code_blocks(markdown: str) -> list[CodeBlock]:
    """The fenced blocks of a message, in order (an unclosed last block runs to the end)."""
    blocks = []
    fences = list(_FENCE.finditer(markdown))
    for index in range(0, len(fences), 2):
        opening = fences[index]
        indent = len(opening.group(1))
        closing = fences[index + 1] if index + 1 < len(fences) else None
        body = markdown[opening.end() + 1 : closing.start() if closing else len(markdown)]
        code = "\n".join(_dedent(line, indent) for line in body.split("\n")).rstrip("\n")
        blocks.append(CodeBlock(opening.group(2), code, opening.start(), closing is not None))
    return blocks


def _dedent(line: str, indent: int) -> str:
    """Remove the fence's own indentation (as CommonMark does), never more."""
    leading = len(line) - len(line.lstrip(" \t"))
    return line[min(leading, indent) :]


def with_copy_links(markdown: str, start: int = 0, end: int | None = None) -> str:
    """``markdown[start:end]`` with a copy link above each code block that opens inside it.
    Block numbers count from the start of the whole message, so the links of a streamed
    answer rendered in pieces agree with :func:`code_blocks`."""
    end = len(markdown) if end is None else end
    pieces, position = [], start
    for number, opener in enumerate(Fences(markdown).lines[::2]):  # every other fence line opens a block
        if start <= opener.start() < end:
            language = _MARKDOWN_SPECIAL.sub(r"\\\g<0>", opener.group(2) or "code")
            header = f"{language} {HEADER_GAP} [{tr(COPY_LABEL)}]({COPY_SCHEME}:{number})"
            pieces += [markdown[position : opener.start()], f"\n{opener.group(1)}{header}\n\n"]
            position = opener.start()
    pieces.append(markdown[position:end])
    return "".join(pieces)


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=4)
def _formats(style_name: str) -> dict[_TokenType, QTextCharFormat | None]:
    """Each token type the style knows, with its format (None: the text's own colour)."""
    style = get_style_by_name(style_name)
    formats: dict[_TokenType, QTextCharFormat | None] = {}
    for token, spec in style:
        if not (spec["color"] or spec["bold"] or spec["italic"]):
            formats[token] = None
            continue
        fmt = QTextCharFormat()
        if spec["color"]:
            fmt.setForeground(QColor(f"#{spec['color']}"))
        if spec["bold"]:
            fmt.setFontWeight(QFont.Weight.Bold)
        if spec["italic"]:
            fmt.setFontItalic(True)
        formats[token] = fmt
    return formats


def colours_in_sample() -> int:
    """How many colours a line of Python gets (the installer check: Pygments' lexers are bundled)."""
    document = QTextDocument()
    highlighter = CodeHighlighter(document, dark=False)
    document.setMarkdown("```python\ndef area(r):  # circle\n```")
    highlighter.rehighlight()
    return len({r.format.foreground().color().name() for r in document.begin().layout().formats()})


COMMON_LANGUAGES = ("python", "bash", "javascript", "typescript", "json", "c", "cpp", "rust", "go", "java", "sql", "yaml", "html")


def warm_lexers() -> threading.Thread:
    """Load the lexers of the languages answers use most, on a background thread: the first
    Python block would otherwise import Pygments' Python lexer (~35 ms) mid-answer."""

    def load() -> None:
        for name in COMMON_LANGUAGES:
            _lexer(name)
        keep_for_good()  # the lexers live as long as the app

    thread = threading.Thread(target=load, name="hearth-lexers", daemon=True)
    thread.start()
    return thread


def warm_styles() -> None:
    """Load both colour styles ahead (at start-up), not when the first message appears."""
    _formats("default")
    _formats("monokai")


class CodeHighlighter(QSyntaxHighlighter):
    """Colours the lines of fenced code blocks that name a language Pygments knows.

    The Markdown importer sets a block's code language after inserting its text, a change
    QSyntaxHighlighter does not see, so whoever renders Markdown asks for the colouring:
    :meth:`rehighlight` after a whole document, :meth:`rehighlight_from` after a streamed piece.
    """

    def __init__(self, document: QTextDocument, dark: bool) -> None:
        self.dark = dark
        self._explicit = False
        self._style = "monokai" if dark else "default"
        colours = style.colours(dark)
        self._background = QBrush(QColor(colours["code"]))
        self._header = QBrush(QColor(colours["code_header"]))
        super().__init__(document)
        self._later: list[int] = []  # positions of streamed code lines still to colour
        self._colourer = QTimer(self, singleShot=True, interval=0)
        self._colourer.setObjectName("code-colourer")
        self._colourer.timeout.connect(self._colour_later)

    def rehighlight(self) -> None:
        self.rehighlight_from(0)

    def rehighlight_from(self, position: int, defer: bool = False) -> None:
        """Colour the code lines from ``position`` on and give code blocks their background:
        each line is coloured once here; the highlighter's own passes on every edit do nothing.
        The background changes are one edit (one layout pass), not one per line.

        ``defer`` (a streamed piece): lines lexed before are coloured now, new ones on the next
        event-loop turns, ``COLOUR_SECONDS`` at a time.  Pygments' Python lexer takes ~0.4 ms a
        line here, and a fast answer's 30 ms batch brings four or five lines: colouring them in
        the batch's own turn made it the longest of the stream."""
        code, headers = [], []
        block = self.document().findBlock(position).previous()  # the header of a block starting here
        block = block if block.isValid() else self.document().findBlock(position)
        while block.isValid():
            if block.blockFormat().hasProperty(QTextFormat.Property.BlockCodeFence):
                code.append(block)
            elif block.text().endswith(tr(COPY_LABEL)) and block.next().blockFormat().hasProperty(
                QTextFormat.Property.BlockCodeFence
            ):
                headers.append(block)
            block = block.next()
        shade = QTextBlockFormat()
        shade.setBackground(self._background)
        head = QTextBlockFormat()  # a card's header: its own strip above the code, a gap above it
        head.setBackground(self._header)
        head.setTopMargin(10)
        head.setBottomMargin(0)
        edit = QTextCursor(self.document())
        edit.beginEditBlock()
        for blocks, fmt in ((code, shade), (headers, head)):
            for block in blocks:
                if block.blockFormat().background() != fmt.background():
                    edit.setPosition(block.position())
                    edit.mergeBlockFormat(fmt)
        edit.endEditBlock()
        if defer:
            now = [b for b in code if _spans_known(self._language(b), b.text(), self._style)]
            self._later.extend(b.position() for b in code if not _spans_known(self._language(b), b.text(), self._style))
            code = now
            if self._later:
                self._colourer.start()
        self._colour(code)

    def _colour(self, blocks: list[QTextBlock]) -> None:
        self._explicit = True
        try:
            for block in blocks:
                self.rehighlightBlock(block)
        finally:
            self._explicit = False

    def _colour_later(self) -> None:
        """Colour streamed lines for up to ``COLOUR_SECONDS``; the rest on the next turn.  A line
        is found again by its position (the unfinished tail's blocks are replaced by each piece)."""
        began, document, done = time.perf_counter(), self.document(), set()
        while self._later and time.perf_counter() - began < COLOUR_SECONDS:
            position = self._later.pop(0)
            block = document.findBlock(position)
            if block.isValid() and block.position() not in done and self._language(block):
                done.add(block.position())
                self._colour([block])
        if self._later:
            self._colourer.start()

    @staticmethod
    def _language(block: QTextBlock) -> str:
        language = block.blockFormat().property(QTextFormat.Property.BlockCodeLanguage)
        return str(language).lower() if language else ""

    def highlightBlock(self, text: str) -> None:
        if not self._explicit:
            return  # an edit's automatic pass: the renderer calls rehighlight_from() right after
        language = self._language(self.currentBlock())
        if not language or not text:
            return
        for start, length, fmt in _spans(language, text, self._style):
            self.setFormat(start, length, fmt)


_SPANS: dict[tuple[str, str, str], tuple[Span, ...]] = {}
SPANS_KEPT = 8192


def _spans_known(language: str, line: str, style: str) -> bool:
    return not language or not line or (language, line, style) in _SPANS


def _spans(language: str, line: str, style: str) -> tuple[Span, ...]:
    """Where the colours of one line of code go.  Remembered (a dict, not ``lru_cache``: the
    streaming colouring asks whether a line is known): when an answer ends it is rendered again
    as a whole, and its lines were all coloured while it streamed."""
    key = (language, line, style)
    known = _SPANS.get(key)
    if known is None:
        if len(_SPANS) >= SPANS_KEPT:
            _SPANS.clear()
        known = _SPANS[key] = _lex(language, line, style)
    return known


def _lex(language: str, line: str, style: str) -> tuple[Span, ...]:
    lexer, formats = _lexer(language), _formats(style)
    if lexer is None:
        return ()
    spans, position = [], 0
    for token, value in lexer.get_tokens(line):
        while token not in formats and token is not Token:
            token = token.parent
        fmt = formats.get(token)
        if fmt is not None and value:
            spans.append((position, len(value), fmt))
        position += len(value)
    return tuple(spans)
