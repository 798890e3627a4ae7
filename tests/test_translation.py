"""The window in German: every visible string of the main window, the model manager and the
settings is translated (none left in English, none hard-coded past ``tr``), the catalogue is
complete and up to date with the code, and the language setting is honoured."""

from __future__ import annotations

import re
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.core import paths
from app.ui import i18n
from app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "resources" / "i18n" / "hearth_de.ts"
# The same in both languages, rightly: names, units, and words German shares with English.
SAME = {
    "Hearth",
    "Downloads",
    "Top-p",
    "System",
    "April",
    "August",
    "September",
    "November",
    "GGUF",
    "Hub",
    "English",
    "Deutsch",
}  # fmt: skip  (the language names are each in their own language)
NAMES = re.compile(  # paths, model names, quantizations, numbers, units, shortcuts: not words to translate
    r"(?:/[-\w.]+)+|DeepSeek[-\w.]*|Tiny DeepSeek|Tiny test model|tiny[-\w.]*|test-tiny[-\w.:]*|"
    r"\b(?:I?Q\d\w*|F16|BF16|F32)\b|\d[\d.,]*B?|"
    r"\b(?:GB|GiB|MiB|tok/s|VRAM|RAM|CPU|GPU|API|OpenAI|sha256|Ctrl|Shift|Esc|Enter|Del|F\d+)\b|[^\w\s]+"
)


def visible_strings(root: QWidget) -> list[str]:
    """What a person can read in ``root`` and below, in a fixed order (texts, titles, items,
    placeholders, tooltips, menus)."""
    found: list[str] = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.window() is not root:
            continue  # a dialog of its own (the model manager, settings): read on its own
        found += [widget.toolTip(), widget.accessibleName()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            found.append(widget.text())
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            found.append(widget.placeholderText())
        if isinstance(widget, QGroupBox):
            found.append(widget.title())
        if isinstance(widget, QComboBox):
            found += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QTabWidget):
            found += [widget.tabText(i) for i in range(widget.count())]
        if isinstance(widget, QTreeWidget):
            header = widget.headerItem()
            found += [header.text(c) for c in range(header.columnCount())]
            items: list[QTreeWidgetItem] = [widget.topLevelItem(i) for i in range(widget.topLevelItemCount())]
            while items:
                item = items.pop(0)
                found += [item.text(c) for c in range(item.columnCount())]
                items += [item.child(i) for i in range(item.childCount())]
        if isinstance(widget, QMenu):
            found += [action.text() for action in widget.actions()]
    return found


def _words(text: str) -> str:
    return " ".join(NAMES.sub(" ", text).split())


def untranslated(english: list[str], german: list[str]) -> list[str]:
    """Strings shown the same in both languages that hold words to translate."""
    assert len(english) == len(german), "the two windows should hold the same widgets"
    return sorted(
        {e for e, g in zip(english, german, strict=True) if e == g and _words(e) and _words(e) not in {_words(s) for s in SAME}}
    )


def _everything(window: MainWindow) -> list[str]:
    shown = [*visible_strings(window), window.statusBar().currentMessage()]
    for menu in window.menuBar().findChildren(QMenu):
        shown.append(menu.title())
    manager = window.open_models()
    shown += visible_strings(manager)
    manager.hide()
    dialog = window.open_settings()
    shown += visible_strings(dialog)
    dialog.reject()
    return shown


def test_no_visible_string_of_the_window_stays_in_english(window: MainWindow, qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert i18n.install(app, "de") == "de"
    try:
        german_window = MainWindow(window.controller, window.registry, window.catalog)
        qtbot.addWidget(german_window)
        with qtbot.waitSignal(window.controller.model_changed, timeout=30000):
            german_window.switch_to(window.installed[0])  # the same state: the same model loaded, its status shown
        german = _everything(german_window)
    finally:
        i18n.remove(app)
    with qtbot.waitSignal(window.controller.model_changed, timeout=30000):
        window.switch_to(window.installed[0])  # the English window in the same state (both follow the controller)
    english = _everything(window)
    assert untranslated(english, german) == []
    assert "Senden" in german and "Einstellungen" in german and "Modell / Quantisierung" in german
    assert any(s.startswith("nur CPU") for s in german)  # core's fit words, in the window's language


def test_the_check_catches_a_string_left_in_english() -> None:
    assert untranslated(["Send", "Q4_K_M · 1.2 GB", "Downloads"], ["Send", "Q4_K_M · 1.2 GB", "Downloads"]) == ["Send"]
    assert untranslated(["Send"], ["Senden"]) == []


def test_the_catalogue_is_complete_and_up_to_date(tmp_path: Path) -> None:
    """Every string in the code is in the catalogue, translated; the generated core phrases and
    the compiled .qm match (``resources/i18n/update.py`` makes all three)."""
    sys.path.insert(0, str(ROOT / "resources" / "i18n"))
    import update

    assert (ROOT / "app" / "ui" / "core_words.py").read_text(encoding="utf-8") == update.core_words_source()
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "app" / "ui").glob("*.py"))
    subprocess.run([update.tool("pyside6-lupdate"), *sources, "-locations", "none", "-ts", str(fresh)], check=True,
                   capture_output=True)  # fmt: skip
    in_code = {(c.findtext("name") or "", m.findtext("source")) for c in ET.parse(fresh).getroot() for m in c.iter("message")}
    shipped = ET.parse(CATALOGUE).getroot()
    translated = {
        (c.findtext("name") or "", m.findtext("source")): m.find("translation") for c in shipped for m in c.iter("message")
    }
    assert in_code - translated.keys() == set(), "strings in the code that the catalogue lacks: run update.py"
    unfinished = [key for key, t in translated.items() if t is None or t.get("type") or not (t.text or "").strip()]
    assert unfinished == []
    for (_context, source), translation in translated.items():  # the same placeholders, so .format() works
        assert translation is not None and placeholders(source) == placeholders(translation.text or ""), source
    assert set(update.sentence_templates()) <= {source for context, source in translated if context == "core"}
    qm = tmp_path / "hearth_de.qm"
    subprocess.run([update.tool("pyside6-lrelease"), str(CATALOGUE), "-qm", str(qm)], check=True, capture_output=True)
    assert qm.read_bytes() == (paths.resources_dir() / "i18n" / "hearth_de.qm").read_bytes()


def placeholders(text: str) -> list[tuple[str, str, str | None]]:
    """The fields of a ``str.format`` template (name, format spec, conversion), in order of name."""
    return sorted(
        (name, spec or "", conversion) for _text, name, spec, conversion in string.Formatter().parse(text) if name is not None
    )


def test_core_sentences_are_shown_in_the_window_s_language(qapp: Any, tmp_path: Path) -> None:
    """Core writes English sentences (the CLI prints them); the window shows them in its language,
    their values filled in, a sentence inside another translated too."""
    from app.core.errors import NotAGGUFError
    from app.core.models.gguf_header import read_header
    from app.core.sentences import say, translated

    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_bytes(b"this is not a model, only some text that is long enough to be read as a header" * 4)
    with pytest.raises(NotAGGUFError) as raised:
        read_header(not_a_model)
    assert str(raised.value).startswith("'notes.gguf' is not a GGUF model file.")  # the CLI's English, unchanged
    nested = say("The setting '{setting}' is locked by your organisation's policy.", setting=say("No token given."))
    try:
        assert i18n.install(qapp, "de") == "de"
        assert i18n.error_text(raised.value) == (
            "„notes.gguf“ ist keine GGUF-Modelldatei. "
            "Hearth führt quantisierte Modelle im GGUF-Format aus (Dateien mit der Endung .gguf)."
        )
        assert (
            i18n.sentence(nested)
            == "Die Einstellung „Kein Token angegeben.“ ist durch die Richtlinie Ihrer Organisation gesperrt."
        )
        assert i18n.sentence("plain text from elsewhere") == "plain text from elsewhere"
        assert i18n.error_text(ValueError("a bug")) == "Etwas ist schiefgelaufen: a bug"
    finally:
        i18n.remove(qapp)
    assert i18n.error_text(raised.value) == str(raised.value)  # English again, as core wrote it
    broken = say("{count} files", count=3)
    assert translated(broken, lambda _template: "{anzahl} Dateien") == "3 files"  # a bad translation: the English


def test_an_error_the_window_shows_comes_in_its_language(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: shown.append(text))
    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_bytes(b"plain text, not a model " * 20)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert i18n.install(app, "de") == "de"
    try:
        manager = window.open_models()
        manager.import_file(not_a_model)
        qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    finally:
        i18n.remove(app)
        window.manager.hide()  # type: ignore[union-attr]
    assert shown and "ist keine GGUF-Modelldatei" in shown[0] and "notes.gguf" in shown[0], shown


def test_the_language_setting_chooses_the_catalogue(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        assert i18n.install(qapp, "de") == "de" and i18n.tr("Send") == "Senden" and i18n.core("Today") == "Heute"
        assert i18n.install(qapp, "en") == "en" and i18n.tr("Send") == "Send"
        monkeypatch.setattr(i18n, "language_code", lambda _language: "fr")  # a system language we do not ship
        assert i18n.install(qapp, "system") == "en" and i18n.tr("Send") == "Send"
    finally:
        i18n.remove(qapp)
