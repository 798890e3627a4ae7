"""The main window's conversation actions and keyboard: rename, pin, export and import, delete with
undo, shortcuts from the menus (one action per key), and accessible names on every control."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from app.ui import sidebar as sidebar_module
from app.ui.main_window import MainWindow
from app.ui.menus import shortcut_rows
from tests.gui_fixtures import LONG, ask


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the window would have shown in warning and information boxes."""
    shown: list[str] = []
    for name in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, name, lambda _parent, _title, text, *a, **k: shown.append(text))
    return shown


def titles(win: MainWindow) -> list[str]:
    return [item.text() for item in win.sidebar.rows()]


def test_rename_and_pin_from_the_menu(qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    ask(qtbot, window, "first topic")
    window.controller.new_conversation()
    ask(qtbot, window, "second topic")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("  Heat pumps  ", True))
    window.menu_actions["rename"].trigger()
    assert window.controller.store.get_conversation(window.controller.conversation_id).title == "Heat pumps"
    assert titles(window) == ["Heat pumps", "first topic"]
    window.step_conversation(1)  # down the list: the older conversation opens
    assert window.controller.active_thread()[0].content == "first topic"
    window.menu_actions["pin"].trigger()
    assert titles(window) == ["first topic", "Heat pumps"]
    assert window.sidebar.headings() == ["Pinned", "Today"]  # pinned on top, under its own heading
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))  # an empty title is ignored
    window.menu_actions["rename"].trigger()
    assert titles(window)[0] == "first topic"


def test_delete_hides_at_once_undo_brings_it_back_and_the_timeout_deletes(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = window.controller.store
    ask(qtbot, window, "keep me safe")
    conv = window.controller.conversation_id
    window.menu_actions["delete"].trigger()
    assert titles(window) == [] and window.controller.conversation_id is None and window.view.widgets == []
    assert store.get_conversation(conv).title == "keep me safe"  # not gone yet
    assert window.sidebar.undo_bar.isVisibleTo(window) and "keep me safe" in window.sidebar.undo_label.text()
    window.sidebar.undo_button.click()
    assert titles(window) == ["keep me safe"] and not window.sidebar.undo_bar.isVisibleTo(window)
    monkeypatch.setattr(sidebar_module, "UNDO_SECONDS", 0.05)
    window.sidebar.delete(conv)
    qtbot.waitUntil(lambda: store.count()[0] == 0, timeout=3000)
    assert titles(window) == [] and not window.sidebar.undo_bar.isVisibleTo(window)


def test_closing_the_window_completes_a_pending_delete(qtbot: Any, window: MainWindow) -> None:
    ask(qtbot, window, "delete me on quit")
    window.sidebar.delete(window.controller.conversation_id)
    window.close()
    assert window.controller.store.count()[0] == 0


def test_a_conversation_being_answered_cannot_be_deleted(qtbot: Any, window: MainWindow, warnings: list[str]) -> None:
    window.controller.params = LONG
    window.composer.setPlainText("a long one")
    with qtbot.waitSignal(window.controller.delta, timeout=30000):
        window.send()
    window.menu_actions["delete"].trigger()
    assert "Stop the answer first" in warnings[-1] and window.sidebar.pending_delete is None
    with qtbot.waitSignal(window.controller.answer_finished, timeout=30000):
        window.controller.stop()
    assert titles(window) == ["a long one"]


def test_export_writes_markdown_and_json_that_imports_back(
    qtbot: Any, window: MainWindow, tmp_path: Path, warnings: list[str]
) -> None:
    ask(qtbot, window, "export this please")
    conv = window.controller.conversation_id
    assert window.sidebar.export(conv, tmp_path / "chat.md", "markdown")
    text = (tmp_path / "chat.md").read_text(encoding="utf-8")
    assert text.startswith("# export this please") and "## Assistant" in text
    assert window.sidebar.export(conv, tmp_path / "chat.json", "json")
    assert json.loads((tmp_path / "chat.json").read_text(encoding="utf-8"))["format"] == "hearth-conversation"
    assert len(window.import_from(tmp_path / "chat.json")) == 1
    assert titles(window) == ["export this please", "export this please"]
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert window.import_from(tmp_path / "broken.json") == [] and "not valid JSON" in warnings[-1]


def test_export_failures_are_explained_and_leave_no_file(
    qtbot: Any, window: MainWindow, tmp_path: Path, warnings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(qtbot, window, "secret plans")
    conv = window.controller.conversation_id
    locked = tmp_path / "locked"
    locked.mkdir()
    subprocess.run(["chattr", "+i", str(locked)], check=True)  # read-only even for root
    try:
        assert not window.sidebar.export(conv, locked / "chat.md", "markdown")
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)
    assert "Cannot write in" in warnings[-1] and list(locked.iterdir()) == []
    policy = tmp_path / "policy.toml"
    policy.write_text("allow_export = false\n")
    monkeypatch.setenv("HEARTH_POLICY", str(policy))
    assert not window.sidebar.export(conv, tmp_path / "chat.md", "markdown")
    assert "policy does not allow exporting" in warnings[-1] and not (tmp_path / "chat.md").exists()


def test_every_shortcut_is_unique_and_listed(qtbot: Any, window: MainWindow) -> None:
    keys = [a.shortcut().toString() for a in window.menu_actions.values() if not a.shortcut().isEmpty()]
    assert len(keys) == len(set(keys)) >= 15
    rows = dict(shortcut_rows(window.menu_actions))
    assert rows["New chat"] == QKeySequence("Ctrl+N").toString(QKeySequence.SequenceFormat.NativeText)
    assert rows["Send the message"] == "Enter" and "Stop answering" in rows


def test_keyboard_drives_the_common_actions(qtbot: Any, window: MainWindow) -> None:
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    ask(qtbot, window, "keyboard question")
    first = window.controller.active_thread()[-1]
    with qtbot.waitSignal(window.controller.answer_finished, timeout=60000):
        qtbot.keyClick(window.composer, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # regenerate
    assert len(window.controller.store.siblings(first.id)) == 2
    qtbot.keyClick(window.composer, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == window.controller.active_thread()[-1].content != ""
    window.controller.params = LONG
    window.composer.setPlainText("stop me with Escape")
    with qtbot.waitSignal(window.controller.delta, timeout=30000):
        qtbot.keyClick(window.composer, Qt.Key.Key_Return)  # Enter sends
    with qtbot.waitSignal(window.controller.answer_finished, timeout=30000) as finished:
        qtbot.keyClick(window.composer, Qt.Key.Key_Escape)
    assert finished.args[0].summary.stop_reason.value == "cancelled"
    qtbot.keyClick(window.composer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # find in this conversation
    assert window.find_bar.field.hasFocus()
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Escape)
    assert window.find_bar.isHidden()
    qtbot.keyClick(window.composer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.sidebar.search.hasFocus()  # search all conversations
    qtbot.keyClick(window.sidebar.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.controller.conversation_id is None and window.view.widgets == []
    qtbot.keyClick(window.composer, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.sidebar.isHidden()


def unnamed_controls(root: QWidget) -> list[str]:
    """Controls a screen reader could only call by their type: no accessible name, no own text."""
    kinds = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, kinds) or widget.accessibleName():
            continue
        if isinstance(widget, QAbstractButton) and widget.text().strip("&‹›▸▾ "):
            continue  # a button with words is read by its words
        if _part_of_a_qt_control(widget):
            continue
        missing.append(f"{type(widget).__name__} in {type(widget.parent()).__name__}")
    return missing


def _part_of_a_qt_control(widget: QWidget) -> bool:
    """Pieces Qt builds inside its own controls, which Qt names for assistive tools itself: the
    editor in a spin box, a combo box's popup list, a line edit's clear button, header sections,
    the overflow buttons of menu and tool bars."""
    parent = widget.parent()
    owners = (QAbstractSpinBox, QComboBox, QLineEdit)
    return (
        widget.objectName().startswith("qt_")
        or isinstance(widget, QHeaderView)
        or isinstance(parent, owners)
        or (parent is not None and isinstance(parent.parent(), QComboBox))
    )


def test_every_control_has_a_name_for_screen_readers(qtbot: Any, window: MainWindow) -> None:
    ask(qtbot, window, "name everything")
    dialogs: list[QWidget] = [window, window.open_models(), window.open_settings()]
    from app.core.models.catalog import load_catalog

    window.catalog = load_catalog()
    dialogs.append(window.welcome())
    for dialog in dialogs:
        missing = unnamed_controls(dialog)
        assert missing == [], f"{type(dialog).__name__}: {missing}"
    for dialog in dialogs[1:]:
        assert isinstance(dialog, QDialog)
        dialog.reject()


def test_appearance_setting_switches_light_and_dark(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication

    from app.core import settings
    from app.ui import theme

    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "home"))  # this test's own settings file
    window.appearance = "system"
    ask(qtbot, window, "colours")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        dialog = window.open_settings()
        dialog.appearance.setCurrentIndex(dialog.appearance.findData("dark"))
        dialog.save()
        assert settings.load()["appearance"] == "dark" and theme.is_dark()
        qtbot.waitUntil(lambda: len(window.view.widgets) == 2, timeout=5000)  # rebuilt from the next turn on
        assert window.view.widgets[-1].content_view.highlighter.dark  # the view was rebuilt in dark colours
        dialog = window.open_settings()
        assert dialog.appearance.currentData() == "dark"  # the dialog shows what is saved
        dialog.appearance.setCurrentIndex(dialog.appearance.findData("light"))
        dialog.save()
        qtbot.waitUntil(lambda: len(window.view.widgets) == 2, timeout=5000)
        assert not theme.is_dark() and not window.view.widgets[-1].content_view.highlighter.dark
    finally:
        theme.apply(app, "system")


def test_a_download_stopped_by_quitting_resumes_or_is_discarded_after_a_restart(
    qtbot: Any, window: MainWindow, hub: Any, payloads: dict[str, bytes], warnings: list[str]
) -> None:
    from app.ui.model_manager import ModelManager

    hub.chunk_bytes = 4096  # many progress reports: the pause lands mid-file
    manager = window.open_models()
    paused = []

    def pause_once(key: str, progress: Any) -> None:
        if not paused and progress.done > 0:
            paused.append(progress.done)
            manager.rows[key].pause.click()

    manager.signals.progress.connect(pause_once)
    row = manager.start_download("test-tiny", "F16")
    qtbot.waitUntil(lambda: bool(paused), timeout=30000)
    assert row.pause.text() == "Resume"
    manager.stop_all()  # what quitting does
    qtbot.waitUntil(lambda: "test-tiny:F16" not in manager.rows, timeout=60000)  # its end reached the window
    assert "test-tiny:F16" not in [i.key for i in window.registry.all(window.catalog)]

    restarted = ModelManager(window.registry, window.catalog, window)  # the next start of the app
    qtbot.addWidget(restarted)
    waiting = restarted.interrupted_rows["test-tiny:F16"]
    assert "already downloaded" in waiting.label.text() and "resume" in restarted.interrupted.text()
    shards = sorted(p for p in payloads if p.startswith("F16/"))
    gets_before = sum(len(hub.file_gets(p)) for p in shards)
    with qtbot.waitSignal(restarted.installed_changed, timeout=60000):
        waiting.resume.click()
    assert "test-tiny:F16" in [i.key for i in window.registry.all(window.catalog)]
    resumed = [r for p in shards for r in hub.file_gets(p)][gets_before:]
    # What was on disk is kept: the shard being fetched at the pause is not fetched again from scratch
    # (a mid-file resume continues with Range: tests/test_downloads.py checks the exact offset).
    first = [r for r in resumed if r.path.endswith(shards[0].split("/")[-1])]
    assert resumed and all(r.range and r.range != "bytes=0-" for r in first), [(r.path, r.range) for r in resumed]
    assert restarted.interrupted_rows == {} and restarted.interrupted.text() == ""


def test_discarding_an_interrupted_download_frees_its_space(
    qtbot: Any, window: MainWindow, hub: Any, warnings: list[str]
) -> None:
    from filelock import FileLock

    from app.core.models.downloads import discard_download, partial_downloads

    stage = window.registry.models_dir / ".downloads" / "test-tiny" / "F16"
    stage.mkdir(parents=True)
    (stage / "F16-00001-of-00003.gguf.part").write_bytes(b"x" * 5000)
    manager = window.open_models()
    manager.refresh()
    row = manager.interrupted_rows["test-tiny:F16"]
    row.discard.click()
    assert not stage.exists() and partial_downloads(window.registry.models_dir) == []
    assert "0.00 GB freed" in manager.interrupted.text() and manager.interrupted_rows == {}
    stage.mkdir(parents=True)
    (stage / "x.part").write_bytes(b"y")
    with FileLock(stage / ".lock"), pytest.raises(Exception, match="being downloaded right now"):
        discard_download(window.registry.models_dir, "test-tiny", "F16")  # another Hearth downloads it now
    assert (stage / "x.part").exists()


def test_garbage_collection_runs_on_the_ui_thread_and_never_fully_while_busy(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import threading

    from app.ui.launch import GarbageCollector

    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: calls.append((generation, threading.current_thread().name)))
    try:
        collector = GarbageCollector()
        assert not gc.isenabled()  # no automatic collection in whichever thread allocates
        busy = [True]
        collector.busy = lambda: busy[0]
        for _ in range(GarbageCollector.FULL_EVERY + 5):
            collector.tick()
        assert {generation for generation, _ in calls} == {1}  # only young generations while busy
        busy[0] = False
        collector.tick()
        assert calls[-1][0] == 2 and {name for _, name in calls} == {threading.current_thread().name}
        qtbot.waitUntil(lambda: len(calls) > GarbageCollector.FULL_EVERY + 6, timeout=3000)  # the timer ticks by itself
    finally:
        collector.timer.stop()
        gc.enable()


def test_a_question_too_long_for_the_context_is_refused_and_the_app_goes_on(
    qtbot: Any, window: MainWindow, warnings: list[str]
) -> None:
    window.composer.setPlainText("word " * 6000)  # more tokens than the 4096-token context holds
    with qtbot.waitSignal(window.controller.answer_finished, timeout=60000) as finished:
        window.send()
    assert finished.args[0].summary.stop_reason.value == "error"
    assert "too long for the context window" in warnings[-1] and "larger context" in warnings[-1]
    answer = window.controller.active_thread()[-1]
    assert answer.status == "error" and "too long" in (answer.error or "")
    failed = window.view.widgets[-1]
    assert "failed" in failed.header.text() and not failed.error_label.isHidden()  # why, in the answer itself
    assert "too long" in failed.error_label.text()
    assert not window.controller.busy and window.send_button.isEnabled()
    ask(qtbot, window, "a short one")  # the next question is answered as usual
    assert window.controller.active_thread()[-1].status == "truncated"  # its whole 12-token budget


def test_the_window_comes_back_as_it_was_left(qtbot: Any, window: MainWindow) -> None:
    from app.ui import window_state

    window.show()
    qtbot.waitExposed(window)
    window.resize(760, 560)  # within the offscreen platform's 800x600 screen, which bounds a restore
    window.menu_actions["sidebar"].trigger()  # hidden
    window_state.save(window)
    assert window_state.state_path().is_file()
    window.resize(640, 480)
    window.menu_actions["sidebar"].trigger()  # shown again
    assert window_state.restore(window)
    assert (window.width(), window.height()) == (760, 560)
    assert window.sidebar.isHidden() and not window.menu_actions["sidebar"].isChecked()
    window_state.state_path().write_text("{damaged", encoding="utf-8")
    assert not window_state.restore(window)  # the default layout, no error
    window_state.state_path().write_text('{"geometry": "not base64!", "sidebar": true}', encoding="utf-8")
    assert not window_state.restore(window)


def test_an_empty_conversation_says_what_to_do_and_the_composer_grows(qtbot: Any, window: MainWindow) -> None:
    window.show()
    window.controller.new_conversation()
    assert not window.view.empty.isHidden() and "never leaves" in window.view.empty.text()
    two_lines = window.composer.height()
    window.composer.setPlainText("\n".join(f"line {i}" for i in range(5)))
    five_lines = window.composer.height()
    window.composer.setPlainText("\n".join(f"line {i}" for i in range(40)))
    assert two_lines < five_lines < window.composer.height() <= 12 * window.composer.fontMetrics().lineSpacing()
    window.composer.clear()
    assert window.composer.height() == two_lines
    ask(qtbot, window, "hello")
    assert window.view.empty.isHidden()


def test_a_conversations_settings_are_edited_from_the_conversation(qtbot: Any, window: MainWindow) -> None:
    from app.ui.conversation_settings_dialog import ConversationSettingsDialog

    ask(qtbot, window, "a question")
    window.menu_actions["conversation_settings"].trigger()
    dialog = window.findChild(ConversationSettingsDialog)
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "This conversation's settings"
    dialog.system_prompt.setPlainText("Answer in one sentence.")
    dialog.temperature.setValue(0.25)
    dialog.save()
    session = window.controller.session
    stored = window.controller.store.get_conversation(window.controller.conversation_id).settings
    assert stored["system"] == "Answer in one sentence." and stored["sampling"]["temperature"] == 0.25
    assert session.params.temperature == 0.25
    window.controller.new_conversation()
    assert window.open_conversation_settings().windowTitle() == "New conversation's settings"


def test_import_runs_in_the_background_and_remove_asks_naming_the_files(
    qtbot: Any, window: MainWindow, models: Any, tmp_path: Path, warnings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from tests.gguf_factory import TinySpec

    manager = window.open_models()
    source = models(TinySpec(seed=77, template="deepseek-v3"))
    seen: list[tuple[str, int, int]] = []
    manager.signals.imported.connect(lambda name, done, total: seen.append((name, done, total)))
    with qtbot.waitSignal(manager.installed_changed, timeout=60000):
        manager.import_file(Path(source))
        assert manager.importing is not None  # copying and hashing run on another thread
    imported = [i for i in window.registry.all(window.catalog) if Path(i.files[0].path).name == Path(source).name]
    assert len(imported) == 1 and warnings == []
    # Removing the loaded model: the question names the file and says it is unloaded first.
    loaded = window.controller.model
    manager.refresh()
    manager.installed_list.setCurrentRow(
        next(
            r
            for r in range(manager.installed_list.count())
            if manager.installed_list.item(r).data(Qt.ItemDataRole.UserRole) == loaded.key
        )
    )
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: (asked.append(text), answer[0])[1])
    manager.remove_selected()
    assert "tiny-Q8_0.gguf" in asked[0] and "deletes 1 file" in asked[0] and "unloaded first" in asked[0]
    assert loaded.key in [i.key for i in window.registry.all(window.catalog)]  # No: nothing happened
    answer[0] = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(manager.installed_changed, timeout=60000):
        manager.remove_selected()
    assert loaded.key not in [i.key for i in window.registry.all(window.catalog)]
    assert not Path(loaded.files[0].path).exists()
    assert window.controller.session.loaded is None and not window.controller.session.in_use(loaded.key)
    assert window.statusBar().currentMessage() == "No model is loaded." and "was removed" in window.notice_label.text()


def test_hub_sign_in_from_the_models_window_keeps_the_token_in_the_keyring(
    qtbot: Any, window: MainWindow, hub: Any, monkeypatch: pytest.MonkeyPatch, warnings: list[str]
) -> None:
    from app.core.models import hub as hub_module
    from app.core.privacy import secrets

    monkeypatch.delenv("HF_TOKEN", raising=False)
    manager = window.open_models()
    assert manager.sign_in_button.text() == "Sign in to the Hub…"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("  hf_window_token  ", True))
    manager.sign_in_button.click()
    assert secrets.load_token(hub_module.hub_endpoint()) == "hf_window_token"
    assert manager.sign_in_button.text() == "Sign out of the Hub" and warnings == []
    manager.sign_in_button.click()
    assert secrets.load_token(hub_module.hub_endpoint()) is None
    assert manager.sign_in_button.text() == "Sign in to the Hub…"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))  # nothing typed: nothing stored
    manager.sign_in_button.click()
    assert secrets.load_token(hub_module.hub_endpoint()) is None


def test_hub_sign_in_without_a_keyring_says_what_to_do_once(
    qtbot: Any, window: MainWindow, hub: Any, monkeypatch: pytest.MonkeyPatch, warnings: list[str]
) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv("HF_TOKEN", raising=False)
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # no keyring on this desktop: the token is refused, never written to a file
    try:
        manager = window.open_models()
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("hf_token", True))
        manager.sign_in_button.click()
    finally:
        keyring.set_keyring(before)
    assert len(warnings) == 1 and "No OS keyring is available" in warnings[0]
    assert warnings[0].count("Install and unlock a keyring") == 1  # the hint, once
    assert manager.sign_in_button.text() == "Sign in to the Hub…"


def test_a_message_is_deleted_from_its_toolbar_after_asking(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QEnterEvent
    from PySide6.QtWidgets import QApplication, QMessageBox, QToolButton

    ask(qtbot, window, "keep this question")
    ask(qtbot, window, "delete this question")
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: (asked.append(text), answer[0])[1])
    widgets = window.view.widgets
    question = next(w for w in widgets if w.message.content == "delete this question")
    QApplication.sendEvent(question, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))  # the pointer over it
    delete = next(b for b in question.findChildren(QToolButton) if b.text() == "Delete" and b.isVisibleTo(question))
    delete.click()
    assert asked == ["Delete this message and the message after it? This cannot be undone."]
    assert len(window.controller.active_thread()) == 4  # No: nothing deleted
    answer[0] = QMessageBox.StandardButton.Yes
    delete.click()
    assert window.controller.active_thread()[0].content == "keep this question"
    assert len(window.controller.active_thread()) == 2
    qtbot.waitUntil(lambda: all(w.message.content != "delete this question" for w in window.view.widgets))


def test_find_in_the_conversation_marks_every_match_and_steps_through_them(qtbot: Any, window: MainWindow) -> None:
    ask(qtbot, window, "the harbour question about a harbour")
    ask(qtbot, window, "another Harbour, last")
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    window.menu_actions["find_in"].trigger()  # Ctrl+F
    bar = window.find_bar
    assert bar.isVisible()
    qtbot.waitUntil(bar.field.hasFocus)
    qtbot.keyClicks(bar.field, "harbour")
    assert bar.count.text() == "1 of 3"  # case-insensitive, across messages, in reading order
    questions = [w for w in window.view.widgets if w.message.role == "user"]
    assert len(questions[0].content_view.extraSelections()) == 2 and len(questions[1].content_view.extraSelections()) == 1
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.count.text() == "2 of 3"
    bar.step(1)
    bar.step(1)  # past the last: back to the first
    assert bar.count.text() == "1 of 3"
    bar.step(-1)
    assert bar.count.text() == "3 of 3"
    bar.field.setText("no such words")
    assert bar.count.text() == "No matches"
    bar.close_bar()
    assert not bar.isVisible() and all(not w.content_view.extraSelections() for w in window.view.widgets)
    assert window.menu_actions["find"].shortcut().toString() == "Ctrl+Shift+F"  # all conversations


def test_a_workers_progress_reaches_the_window_ten_times_a_second_and_at_every_change_of_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A download reports every 1 MiB chunk (hundreds a second from a fast mirror); drawing each
    one kept the UI thread busy, so the window hears ten a second, and every new state at once."""
    from app.core.models import pacing
    from app.ui import model_actions

    clock = [100.0]
    monkeypatch.setattr(pacing.time, "monotonic", lambda: clock[0])
    pacer = pacing.ProgressPacer(model_actions.PROGRESS_SECONDS)
    heard = []
    for step in range(100):  # one second of chunks every 10 ms
        clock[0] = 100.0 + step * 0.01
        heard.append(pacer.due("downloading"))
    assert sum(heard) == 10 and heard[0]
    assert pacer.due("paused") and pacer.due("downloading") and not pacer.due("downloading")  # a new state, at once


class LayoutRequests(QObject):
    """Counts the layout passes Qt asks of the widgets it watches."""

    def __init__(self, *widgets: QObject) -> None:
        super().__init__()
        self.seen = 0
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.seen += 1
        return False


def test_a_downloads_progress_redraws_its_bar_and_lays_nothing_out_again(qtbot: Any) -> None:
    """Ten updates a second, each with new figures: a label whose text changed width made the whole
    Models window lay itself out again every time (2-7 ms each in the stall benchmark)."""
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from app.core.models.downloads import OverallProgress
    from app.core.models.transfer import DownloadControl, Progress
    from app.ui.model_manager import DownloadRow

    page = QWidget()
    qtbot.addWidget(page)
    row = DownloadRow("test-tiny:Q8_0", DownloadControl())
    QVBoxLayout(page).addWidget(row)
    page.resize(700, 100)
    page.show()
    qtbot.waitExposed(page)
    qtbot.wait(50)  # the first layout, done

    requests = LayoutRequests(page, row)
    for done, speed in ((1 << 20, 9.5e6), (300 << 20, 123.4e6), (512 << 20, 1.0e9)):
        file = Progress("tiny-Q8_0.gguf", done, 512 << 20, speed, "downloading")
        row.show_progress(OverallProgress(done, 512 << 20, file, 0, 1))
        qtbot.wait(20)
    assert requests.seen == 0
    assert "0.54 / 0.54 GB, 1000.0 MB/s" in row.bar.text() and row.bar.value() == row.bar.maximum()


def test_an_imports_progress_redraws_its_bar_and_lays_nothing_out_again(qtbot: Any, window: MainWindow) -> None:
    """The figures change ten times a second while a file is imported; shown in a label, each new
    text laid the whole Models window out again."""
    manager = window.open_models()
    manager.tabs.setCurrentIndex(2)
    manager.import_bar.show()  # as an import's start does
    qtbot.waitExposed(manager)
    qtbot.wait(50)  # the first layout, done

    requests = LayoutRequests(manager)
    for done in (1 << 20, 300 << 20, 40_000 << 20):
        manager._import_progress("a-model-with-a-long-file-name-Q4_K_M.gguf", done, 40_000 << 20)
        qtbot.wait(20)
    assert requests.seen == 0
    assert "100 %" in manager.import_bar.text() and "41.9 of 41.9 GB" in manager.import_bar.text()
    manager.close()


def test_the_models_window_is_built_ahead_and_opens_as_built(qtbot: Any, window: MainWindow) -> None:
    """After start-up the Models window is imported on a thread, built hidden and shown once where
    nobody sees it (which polishes it); opening it then shows that window, on screen, and a click
    in the middle of the rehearsal leaves it open."""
    from PySide6.QtCore import Qt

    off_screen, polished = Qt.WidgetAttribute.WA_DontShowOnScreen, Qt.WidgetAttribute.WA_WState_Polished
    window.show()
    assert window.manager is None
    window.prepare_models()
    qtbot.waitUntil(lambda: window.models.rehearsed, timeout=30000)
    manager = window.manager
    assert manager is not None and not manager.isVisible() and not manager.testAttribute(off_screen)
    assert manager.testAttribute(polished)  # what its first show would have done is done
    tabs = manager.tabs
    laid_out = Qt.WidgetAttribute.WA_Resized  # a tab page never shown keeps its default size, unlaid
    assert all(tabs.widget(i).testAttribute(laid_out) for i in range(tabs.count()))  # each tab shown once
    assert tabs.currentIndex() == 0  # and the catalog is what opens
    assert window.open_models() is manager and manager.isVisible()
    manager.hide()

    window.models.rehearse()  # a click while it rehearses
    assert manager.isVisible() and manager.testAttribute(off_screen)
    assert window.open_models() is manager
    qtbot.wait(50)  # the rehearsal's own end has run by now
    assert manager.isVisible() and not manager.testAttribute(off_screen)
    manager.hide()


def test_a_models_window_never_built_ahead_is_built_on_the_first_click(qtbot: Any, window: MainWindow) -> None:
    from PySide6.QtCore import Qt

    manager = window.open_models()
    assert manager is window.manager and manager.isVisible() and not window.models.rehearsed
    assert not manager.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.prepare_models()  # too late: nothing to do
    qtbot.wait(50)
    assert window.manager is manager and manager.isVisible()
    manager.hide()
