"""The window in the user's language, through Qt's translation system.

Every string the window shows goes through :func:`tr` (``QCoreApplication.translate`` in one
context, so ``pyside6-lupdate`` finds each call: ``resources/i18n/update.py`` refreshes the
catalogues and compiles them).  The language is a setting ("system" follows the OS locale) and
takes effect at the next start: widgets are built in the language they are shown in.  Qt's own
strings (dialog buttons, context menus) come from the translations PySide6 ships.

Text that core writes (errors, plans, fit labels) stays as core wrote it, except the fixed words
a client shows beside the user's data (answer states, date headings, fit kinds), which
:func:`core` translates from the same catalogue.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.core import paths


def QT_TRANSLATE_NOOP(_context: str, text: str) -> str:
    """Marks a string for the catalogue where it is defined (a module constant), without
    translating it there: :func:`tr` translates it where it is shown.  PySide6's own has no str type."""
    return text


CATALOGUE = "hearth"
LABELS = {"system": QT_TRANSLATE_NOOP("", "Follow the system"), "en": "English", "de": "Deutsch"}  # each in its own words
_installed: list[QTranslator] = []


def tr(text: str) -> str:
    """``text`` in the window's language (the English source when no translation has it)."""
    return QCoreApplication.translate("", text)


def core(text: str) -> str:
    """A fixed word or phrase from core (an answer state, a date heading) in the window's language."""
    return QCoreApplication.translate("core", text)


def language_code(language: str) -> str:
    """The two-letter code a setting means: "system" is the OS locale's language."""
    return QLocale.system().name().split("_")[0] if language == "system" else language


def install(app: QCoreApplication, language: str) -> str:
    """Load the catalogue for ``language`` (and Qt's own); the code in use ("en" when none ships)."""
    remove(app)
    code = language_code(language)
    if code == "en":
        return code
    ours = QTranslator(app)
    if not ours.load(f"{CATALOGUE}_{code}", str(paths.resources_dir() / "i18n")):
        return "en"  # no translation for this language: the English source
    loaded = [ours]
    qt = QTranslator(app)  # Qt's own strings (dialog buttons, context menus)
    if qt.load(f"qtbase_{code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        loaded.append(qt)
    for translator in loaded:
        app.installTranslator(translator)
        _installed.append(translator)
    return code


def remove(app: QCoreApplication) -> None:
    """Back to the English source (tests switch languages in one process)."""
    while _installed:
        app.removeTranslator(_installed.pop())
