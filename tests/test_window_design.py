"""The window's design rules that a user sees: actions on hover (the newest answer's stay),
a failed answer says why inside the answer, date headings in the sidebar (each once, also when
the list is read a page at a time), icons drawn in the palette's colours, light and dark sheets."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QEvent, QPointF
from PySide6.QtGui import QEnterEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from app.core.store.database import Store, StoredMessage
from app.ui import icons, style, theme
from app.ui.message_view import ChatView, MessageWidget


def _message(message_id: int, role: str, status: str = "complete", error: str | None = None) -> StoredMessage:
    return StoredMessage(id=message_id, conversation_id=1, parent_id=None, role=role, content="text" if not error else "",
                         reasoning="", status=status, created_at=0, updated_at=0, error=error)  # fmt: skip


def test_actions_show_on_hover_and_stay_for_the_newest_answer(qtbot: Any) -> None:
    view = ChatView()
    qtbot.addWidget(view)
    thread = [_message(1, "user"), _message(2, "assistant"), _message(3, "user"), _message(4, "assistant")]
    view.show_thread(thread, lambda message_id: [message_id])
    qtbot.waitUntil(lambda: not view.building)
    older, newest = view.widgets[1], view.widgets[3]
    qtbot.waitUntil(lambda: newest.pinned_actions)  # pinned on the turn after the build
    assert newest.pinned_actions and not newest.action_row.isHidden()
    assert not older.pinned_actions and older.action_row.isHidden()
    QApplication.sendEvent(older, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    assert not older.action_row.isHidden()  # the pointer is over it
    QApplication.sendEvent(older, QEvent(QEvent.Type.Leave))
    assert older.action_row.isHidden()
    assert set(older.action_row.buttons) == {"Copy", "Continue", "Regenerate", "Delete"}
    assert all(not b.icon().isNull() and b.toolTip() for b in older.action_row.buttons.values())
    view.append_messages([_message(5, "user"), _message(6, "assistant", status="partial")], lambda i: [i])
    qtbot.waitUntil(lambda: not newest.pinned_actions)  # a newer answer is being written: the old one's actions go to hover
    assert not view.widgets[-1].pinned_actions  # and a streaming answer has none pinned yet
    view.finish("complete")
    qtbot.waitUntil(lambda: view.widgets[-1].pinned_actions)


def test_a_failed_answer_says_why_in_the_answer(qtbot: Any) -> None:
    widget = MessageWidget(_message(9, "assistant", status="error", error="The model ran out of memory."), [9])
    qtbot.addWidget(widget)
    assert not widget.error_label.isHidden() and widget.error_label.text() == "The model ran out of memory."
    assert widget.content_view.isHidden()  # no empty text block above it
    assert "failed" in widget.header.text()
    done = MessageWidget(_message(10, "assistant"), [10])
    qtbot.addWidget(done)
    assert done.error_label.isHidden() and not done.content_view.isHidden()


def test_the_sidebar_heads_each_date_group_once_across_pages(qtbot: Any, tmp_path: Path) -> None:
    from app.ui.sidebar import PAGE, Sidebar

    store = Store(tmp_path / "conversations.db")
    now = time.time()
    with store.transaction() as db:
        for i in range(PAGE + 20):  # the older ones cross the first page's end, under one heading
            db.execute(
                "INSERT INTO conversations (title, settings, created_at, updated_at, pinned) VALUES (?, '{}', ?, ?, ?)",
                (f"c{i}", now - 40 * 86400 - i, now - 40 * 86400 - i, 0),
            )
        db.execute("INSERT INTO conversations (title, settings, created_at, updated_at) VALUES ('new', '{}', ?, ?)", (now, now))
        db.execute("INSERT INTO conversations (title, settings, created_at, updated_at, pinned) VALUES ('kept', '{}', 0, 0, 1)")
    sidebar = Sidebar(store)
    qtbot.addWidget(sidebar)
    sidebar.resize(300, 400)
    sidebar.show()
    assert [r.text() for r in sidebar.rows()[:2]] == ["kept", "new"]
    first = sidebar.headings()
    assert first[:2] == ["Pinned", "Today"] and len(first) == 3  # and the month of the older ones
    bar = sidebar.list.verticalScrollBar()
    bar.setValue(bar.maximum())  # the next page is read
    qtbot.waitUntil(lambda: len(sidebar.rows()) == PAGE + 22)
    assert sidebar.headings() == first  # the older ones' heading was not repeated on the second page
    heading = next(sidebar.list.item(r) for r in range(sidebar.list.count()) if sidebar.list.item(r).text() == "Pinned")
    sidebar.list.itemClicked.emit(heading)  # a heading opens nothing
    with qtbot.assertNotEmitted(sidebar.open_requested):
        sidebar.list.itemActivated.emit(heading)
    store.close()


def test_icons_take_the_palettes_colour_and_the_sheets_differ_by_appearance(qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        theme.apply(app, "dark")
        assert style.DARK["accent"] in app.styleSheet() and style.LIGHT["accent"] not in app.styleSheet()
        image = icons.icon("copy").pixmap(16, 16).toImage()
        strokes = [image.pixelColor(x, y) for x in range(16) for y in range(16) if image.pixelColor(x, y).alpha() > 200]
        assert QGuiApplication.palette().buttonText().color().lightness() > 128
        assert strokes and min(c.lightness() for c in strokes) > 128  # light strokes on dark
        theme.apply(app, "light")
        assert style.LIGHT["accent"] in app.styleSheet()
        image = icons.icon("copy").pixmap(16, 16).toImage()
        strokes = [image.pixelColor(x, y) for x in range(16) for y in range(16) if image.pixelColor(x, y).alpha() > 200]
        assert strokes and max(c.lightness() for c in strokes) < 128  # dark strokes on light
    finally:
        theme.apply(app, "light")


def test_downloads_the_policy_forbids_are_shown_off_with_the_reason(
    window: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = window.open_models()
    assert manager.policy_note.isHidden() and manager.download_button.isEnabled()  # no policy here
    manager.hide()
    rules = tmp_path / "policy.toml"
    rules.write_text("offline = true\n", encoding="utf-8")
    monkeypatch.setenv("HEARTH_POLICY", str(rules))
    manager = window.open_models()
    assert not manager.policy_note.isHidden() and "offline mode" in manager.policy_note.text()
    assert not manager.download_button.isEnabled() and not manager.sign_in_button.isEnabled()
    manager.hide()
    rules.write_text("allow_downloads = false\n", encoding="utf-8")
    manager = window.open_models()
    assert "does not allow downloading" in manager.policy_note.text() and "pre-seed" in manager.policy_note.text()


def test_the_start_up_warm_up_builds_a_message_and_leaves_nothing_behind(qtbot: Any) -> None:
    from app.ui.message_view import warm_message_widgets

    before = {id(w) for w in QApplication.topLevelWidgets()}
    warm_message_widgets()
    qtbot.waitUntil(lambda: not [w for w in QApplication.topLevelWidgets() if id(w) not in before and w.isVisible()])
    assert not [w for w in QApplication.topLevelWidgets() if id(w) not in before and w.isVisible()]


def _streaming_view(qtbot: Any, width: int, height: int) -> ChatView:
    """A shown view with a question and an answer being written, laid out."""
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    view.show_thread([_message(1, "user"), _message(2, "assistant", status="partial")], lambda i: [i])
    qtbot.waitUntil(lambda: not view.building)
    QApplication.processEvents()
    return view


def test_a_streamed_batch_is_laid_out_and_followed_before_the_view_paints(qtbot: Any) -> None:
    """One paint per batch: the grown answer's height and the scroll to the bottom are settled in
    the batch itself, not left to a layout request that Qt handles after painting (a second paint
    of the whole view, which doubled what each batch cost the decoding threads).  The reasoning
    section is one layout level deeper than the answer's text: both are checked."""
    view = _streaming_view(qtbot, 600, 400)
    bar, answer = view.verticalScrollBar(), view.widgets[-1]
    view.append("reasoning", "First thoughts.")
    view.refresh_streaming()
    QApplication.processEvents()  # the reasoning section is built and shown on the first piece
    for kind in ("reasoning", "reasoning", "content", "content"):
        view.append(kind, "Thinking " * 400 + "\n\n" if kind == "reasoning" else "words " * 400 + "\n\n")
        view.refresh_streaming()  # no event processing between this and the checks
        text = answer.reasoning.view if kind == "reasoning" and answer.reasoning is not None else answer.content_view
        assert text.height() >= text.document().size().height()
        assert answer.height() > text.mapTo(answer, text.rect().bottomLeft()).y()  # the message grew with it
        assert bar.maximum() > 0 and bar.value() == bar.maximum()  # and the reader at the bottom follows it


def test_the_column_keeps_its_width_when_the_scroll_bar_appears(qtbot: Any) -> None:
    """The first answer to outgrow the view brings the scroll bar; a column narrower by its width
    would lay out every message again in that frame (an 8 ms stall in a streaming answer)."""
    view = _streaming_view(qtbot, 700, 400)
    answer, bar = view.widgets[-1], view.verticalScrollBar()
    assert not bar.isVisible()
    width = answer.content_view.width()
    view.append("content", "A long answer. " * 400)
    view.refresh_streaming()
    QApplication.processEvents()
    assert bar.isVisible() and answer.content_view.width() == width


def test_the_script_warm_up_lays_out_each_writing_system_once_and_stops(qtbot: Any) -> None:
    from PySide6.QtCore import QTimer

    from app.ui import script_warmup

    assert len(list(script_warmup.warm_steps())) == len(script_warmup.SAMPLES) >= 30
    app = QApplication.instance()
    before = set(app.findChildren(QTimer))
    script_warmup.warm_scripts()
    started = set(app.findChildren(QTimer)) - before
    assert len(started) == 1 and next(iter(started)).isActive()  # one step per tick, not all at once
    qtbot.waitUntil(lambda: not any(t.isActive() for t in set(app.findChildren(QTimer)) - before), timeout=10000)


def test_the_conversation_column_is_painted_in_the_page_colour(qtbot: Any) -> None:
    """The space below the messages shows the style sheet's page colour.  (Marking the column
    opaque to save the repaint behind it left it black, or showing stale pixels, on a real X
    screen: the style sheet's background is not painted for such a widget.)"""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        theme.apply(app, "dark")
        view = ChatView()
        qtbot.addWidget(view)
        view.resize(700, 500)
        view.show()
        view.show_thread([_message(1, "user"), _message(2, "assistant")], lambda i: [i])
        qtbot.waitUntil(lambda: not view.building)
        QApplication.processEvents()
        assert view.grab().toImage().pixelColor(350, 480).name() == style.DARK["bg"]
    finally:
        theme.apply(app, "light")
