"""The window in the user's language, through Qt's translation system.

Every string the window shows goes through :func:`tr` (``QCoreApplication.translate`` in one
context, so ``pyside6-lupdate`` finds each call: ``resources/i18n/update.py`` refreshes the
catalogues and compiles them).  The language is a setting ("system" follows the OS locale) and
takes effect at the next start: widgets are built in the language they are shown in.  Qt's own
strings (dialog buttons, context menus) come from the translations PySide6 ships.

Core's words come from the same catalogue, in the context "core": the fixed words a client shows
beside the user's data (answer states, date headings, fit kinds) through :func:`core`, and the
sentences core writes (errors and their hints, the policy's reasons: ``app.core.sentences``)
through :func:`sentence` and :func:`error_text`, which translate the English template and then
fill in its values.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.core import paths
from app.core.errors import HearthError
from app.core.sentences import translated


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


def sentence(text: str) -> str:
    """A sentence core wrote (``app.core.sentences.say``) in the window's language; other text as it is."""
    return translated(text, core)


def error_text(error: BaseException | str) -> str:
    """What to show for an error: a :class:`HearthError`'s sentence and hint in the window's
    language; anything else (a bug) as "Something went wrong", with what Python said."""
    if isinstance(error, str):
        return sentence(error)
    if isinstance(error, HearthError):
        return f"{sentence(error.message)} {sentence(error.hint)}".strip()
    return tr("Something went wrong: {error}").format(error=error)


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
