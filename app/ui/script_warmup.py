"""Lay out a line of each writing system once, on idle turns after start-up.

The first time Qt lays out text in a script, it looks for a font that has it (fontconfig on
Linux, the font fallback lists elsewhere) and loads that font and its shaping tables: 0.5-9 ms
per script here (Thai, which also loads its line-breaking dictionary, 8.5 ms; Latin 5.6 ms).
Paid inside a streaming answer, the first Chinese, Arabic or Thai words make that frame late
by as much; paid here, one script per idle turn, they cost nothing anyone sees.  Models write
in every script their vocabulary holds, so the list is broad; each sample is laid out both in
the message font and in a code block (the monospace font has its own fallbacks).
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QTextDocument

from app.ui.markdown_stream import set_markdown

SAMPLES = (
    "Latin ÀÉÎõüçñ ăęőřș",
    "Ελληνικά",
    "Кириллица",
    "Հայերեն",
    "עברית",
    "العربية ٠١٢٣",
    "ܣܘܪܝܝܐ",
    "ދިވެހި",
    "ߒߞߏ",
    "देवनागरी",
    "বাংলা",
    "ਗੁਰਮੁਖੀ",
    "ગુજરાતી",
    "ଓଡ଼ିଆ",
    "தமிழ்",
    "తెలుగు",
    "ಕನ್ನಡ",
    "മലയാളം",
    "සිංහල",
    "ไทย",
    "ລາວ",
    "བོད་ཡིག",
    "မြန်မာ",
    "ខ្មែរ",
    "ქართული",
    "አማርኛ",
    "ᏣᎳᎩ",
    "ᠮᠣᠩᠭᠣᠯ",
    "한국어",
    "ひらがな カタカナ",
    "中文 漢字",
    "∑∫√∞≤≥ → ⇒ ∀∃",
    "─│┌┐ ░▒▓",
    "😀🎉👍",
)
INTERVAL_MS = 40  # between two scripts: the window stays free for whatever the user does meanwhile


def warm_steps() -> Iterator[None]:
    """One script per step (the app runs a step per idle turn; the stall bench runs them all)."""
    font = QGuiApplication.font()
    for sample in SAMPLES:
        document = QTextDocument()
        document.setDefaultFont(font)
        set_markdown(document, f"{sample}\n\n```\n{sample}\n```")
        document.size()  # the layout happens here: the fonts are found and loaded
        yield


def warm_scripts() -> None:
    """Start the warm-up on a timer; it stops by itself after the last script."""
    steps = warm_steps()
    timer = QTimer(QGuiApplication.instance())

    def step() -> None:
        if next(steps, StopIteration) is StopIteration:
            timer.stop()
            timer.deleteLater()

    timer.timeout.connect(step)
    timer.start(INTERVAL_MS)
