"""The main window offscreen, on real generated models and a real encrypted store:
streaming into the view and the store, stop, regenerate (branches), edit and
resend, switching quantization mid-conversation, search, quitting mid-answer."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from app.core.chat.turn import TurnEnded, TurnEvent
from app.core.engine.events import cancelled_summary
from app.ui.main_window import MainWindow
from tests.gui_fixtures import LONG, ask


def test_tokens_stream_into_the_view_and_the_store(qtbot: Any, window: MainWindow) -> None:
    ask(qtbot, window, "hello there")
    thread = window.controller.active_thread()
    assert [m.role for m in thread] == ["user", "assistant"] and thread[1].status == "truncated"  # its 12-token budget
    assert thread[1].completion_tokens == 12 and thread[1].model_id == "test-tiny" and thread[1].quant == "Q8_0"
    widget = window.view.widgets[-1]
    assert thread[1].content and widget.content == thread[1].content and window.view.renders >= 1
    assert widget.reasoning is None  # this model's template opens no think block
    status = window.statusBar().currentMessage()
    assert "tok/s" in status and "GPU layers 0" in status and "/ 4096 ·" in status and "12 tokens" in status
    assert "/ 4096 tokens" in window.context_label.text()
    assert len(window.sidebar.rows()) == 1 and window.sidebar.rows()[0].text() == "hello there"
    assert window.composer.toPlainText() == ""


def test_a_click_on_send_asks_in_one_turn_and_builds_the_messages_in_the_next(qtbot: Any, window: MainWindow) -> None:
    """Asking (the store's writes, the prompt) and building the two messages were one ~25 ms turn:
    now each has its own, and the answer's first tokens, which may arrive in between, still show."""
    ask(qtbot, window, "first")
    before = len(window.view.widgets)
    window.controller.params = replace(window.controller.params, max_tokens=40)
    window.composer.setPlainText("second")
    with qtbot.waitSignal(window.controller.answer_finished, timeout=60000):
        window.send()
        assert len(window.view.widgets) == before and window.composer.toPlainText() == ""  # asked, not yet shown
    thread = window.controller.active_thread()
    assert len(window.view.widgets) == before + 2 and thread[-2].content == "second"
    assert window.view.widgets[-1].content == thread[-1].content and thread[-1].content  # nothing lost


def test_the_engine_starts_a_turn_once_its_messages_are_shown(qtbot: Any, window: MainWindow, monkeypatch: Any) -> None:
    """The prompt's evaluation filled both cores while the window built the new messages, so
    building them took two or three times as long: the engine now waits until they are shown."""
    from app.ui import chat_controller

    monkeypatch.setattr(chat_controller, "HOLD_SECONDS", 30.0)  # so only the showing can release it
    ask(qtbot, window, "first")
    before = len(window.view.widgets)
    first_event: list[int] = []
    deliver = window.controller.bridge.on_event

    def on_event(event: Any) -> None:  # on the worker thread
        if not first_event:
            first_event.append(len(window.view.widgets))
        deliver(event)

    monkeypatch.setattr(window.controller.bridge, "on_event", on_event)
    window.composer.setPlainText("second")
    began = time.monotonic()
    with qtbot.waitSignal(window.controller.answer_finished, timeout=60000):
        window.send()
        time.sleep(0.3)  # the event loop has not run: nothing is shown, so nothing may be decoded
        assert not first_event
    assert first_event == [before + 2]  # the first token came after the question and answer were built
    assert time.monotonic() - began < 20  # released by the showing, not by the hold's time limit
    assert window.view.widgets[-1].content == window.controller.active_thread()[-1].content


def test_a_streamed_batch_holds_the_decoding_until_the_window_has_shown_it(qtbot: Any, monkeypatch: Any) -> None:
    """While the UI thread draws a batch the decoding waits (bounded), instead of taking the cores
    the drawing needs; the end of a turn never waits."""
    import threading

    from app.core.engine.events import ContentDelta
    from app.ui import bridge as bridge_module
    from app.ui.bridge import EventBridge

    limit = bridge_module.HANDOFF_SECONDS
    monkeypatch.setattr(bridge_module, "HANDOFF_SECONDS", 30.0)
    bridge = EventBridge()
    handled: list[bool] = []
    returned = threading.Event()
    bridge.events.connect(lambda batch: handled.append(returned.is_set()))

    def produce(event: Any) -> None:
        bridge.on_event(event)
        returned.set()

    worker = threading.Thread(target=produce, args=(TurnEvent(1, ContentDelta("a"), 0, 1),))
    worker.start()
    qtbot.waitUntil(lambda: bool(handled), timeout=5000)
    assert handled == [False] and not returned.wait(0.2)  # handled while the producer still waits
    bridge.drawn()  # shown: the producer goes on once the event loop next waits
    qtbot.waitUntil(returned.is_set, timeout=5000)
    worker.join(5)

    monkeypatch.setattr(bridge_module, "HANDOFF_SECONDS", limit)
    returned.clear()  # a window that does not draw it (busy elsewhere): the wait is bounded
    bridge._last = 0.0
    began = time.monotonic()
    produce(TurnEvent(1, ContentDelta("b"), 0, 2))
    assert limit * 0.9 <= time.monotonic() - began < 5
    monkeypatch.setattr(bridge_module, "HANDOFF_SECONDS", 30.0)
    began = time.monotonic()
    produce(TurnEvent(1, TurnEnded(1, "cancelled", cancelled_summary(), "", "ab"), 0, 2))
    assert time.monotonic() - began < 5  # the end of a turn does not wait


def test_the_decoding_is_released_when_the_event_loop_next_waits(qtbot: Any) -> None:
    """Woken at once, the decoding threads took both cores while the loop still finished its
    pass; released when the loop next waits for events, after the paint the batch queued."""
    from PySide6.QtCore import QObject, Qt, Signal

    from app.ui.bridge import EventBridge

    class Steps(QObject):
        step = Signal(object)

    steps, bridge, ran = Steps(), EventBridge(), []
    steps.step.connect(lambda run: run(), Qt.ConnectionType.QueuedConnection)

    def ask_release() -> None:
        bridge.when_idle(lambda: ran.append("released"))
        ran.append("asked")  # not released from inside the pass

    def handler() -> None:  # as a batch's handler: its paint is queued, then the release
        steps.step.emit(lambda: ran.append("painted"))
        steps.step.emit(ask_release)
        ran.append("handled")

    steps.step.emit(handler)
    qtbot.waitUntil(lambda: "released" in ran, timeout=5000)
    assert ran == ["handled", "painted", "asked", "released"]


def test_the_window_lets_llama_cpp_s_idle_threads_sleep_unless_told_otherwise() -> None:
    from app.ui.launch import SPIN_COUNT, share_the_cores

    env: dict[str, str] = {}
    share_the_cores(env)
    assert env == {"GOMP_SPINCOUNT": SPIN_COUNT}
    for own in ({"GOMP_SPINCOUNT": "300000"}, {"OMP_WAIT_POLICY": "active"}):
        env = dict(own)
        share_the_cores(env)
        assert env == own  # the user's own OpenMP setting is kept


def test_a_new_turn_adds_widgets_and_leaves_the_others_alone(qtbot: Any, window: MainWindow) -> None:
    for text in ("first", "second", "third"):
        ask(qtbot, window, text)
    before = [id(w) for w in window.view.widgets]
    renders = window.view.renders
    window.controller.params = replace(window.controller.params, max_tokens=200)
    ask(qtbot, window, "fourth")
    assert len(window.view.widgets) == 8 and all(w.message.status in ("complete", "truncated") for w in window.view.widgets)
    assert [id(w) for w in window.view.widgets[:6]] == before  # the earlier messages were not rebuilt
    assert window.view.renders >= renders >= 1  # streaming answers were redrawn as they came


def test_stop_mid_answer_keeps_what_came(qtbot: Any, window: MainWindow) -> None:
    window.controller.params = LONG
    window.composer.setPlainText("tell me everything")
    with qtbot.waitSignal(window.controller.delta, timeout=30000):
        window.send()
    assert window.stop_button.isEnabled()
    with qtbot.waitSignal(window.controller.answer_finished, timeout=30000) as finished:
        window.stop_button.click()
    assert finished.args[0].summary.stop_reason.value == "cancelled"
    answer = window.controller.active_thread()[-1]
    assert answer.status == "cancelled" and 0 < (answer.completion_tokens or 0) < 4000
    assert "stopped" in window.view.widgets[-1].header.text()
    assert window.send_button.isEnabled() and not window.stop_button.isEnabled()


def test_regenerate_makes_a_branch_and_edit_resends(qtbot: Any, window: MainWindow) -> None:
    ask(qtbot, window, "question one")
    first_answer = window.controller.active_thread()[-1]
    with qtbot.waitSignal(window.controller.answer_finished, timeout=60000):
        window.view.widgets[-1].action_row.buttons["Regenerate"].click()
    thread = window.controller.active_thread()
    assert len(thread) == 2 and thread[-1].id != first_answer.id
    assert [m.id for m in window.controller.store.siblings(thread[-1].id)] == [first_answer.id, thread[-1].id]
    window.render_thread()
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2, timeout=5000)  # built from the next turn on
    assert window.view.widgets[-1].branch_label.text() == "2/2"
    with qtbot.waitSignal(window.controller.answer_finished, timeout=60000):
        window.controller.edit_and_resend(thread[0].id, "question one, edited")
    edited = window.controller.active_thread()
    assert edited[0].content == "question one, edited" and len(window.controller.store.siblings(edited[0].id)) == 2
    window.controller.select_branch(first_answer.id)  # back to the first version
    assert window.controller.active_thread()[-1].id == first_answer.id


def test_switching_quantization_keeps_the_conversation(qtbot: Any, window: MainWindow) -> None:
    ask(qtbot, window, "before the switch")
    q4 = next(i for i in window.installed if i.quant == "Q4_0")
    with qtbot.waitSignal(window.controller.model_changed, timeout=30000):
        window.switch_to(q4)
    ask(qtbot, window, "after the switch")
    thread = window.controller.active_thread()
    assert [m.content for m in thread if m.role == "user"] == ["before the switch", "after the switch"]
    assert thread[-1].quant == "Q4_0" and thread[1].quant == "Q8_0"
    conversation = window.controller.store.get_conversation(window.controller.conversation_id or 0)
    assert conversation.quant == "Q4_0"


def test_search_finds_a_message_and_opens_its_conversation(qtbot: Any, window: MainWindow) -> None:
    ask(qtbot, window, "photosynthesis in plants")
    window.controller.new_conversation()
    ask(qtbot, window, "something else entirely")
    assert len(window.sidebar.rows()) == 2
    window.sidebar.search.setText("photosyn")
    assert len(window.sidebar.rows()) == 1 and "[photosynthesis]" in window.sidebar.rows()[0].text()
    window.sidebar.list.itemClicked.emit(window.sidebar.rows()[0])
    assert window.controller.active_thread()[0].content == "photosynthesis in plants"


def test_quitting_mid_answer_saves_it_and_closes_the_model(qtbot: Any, window: MainWindow) -> None:
    window.controller.params = LONG
    window.composer.setPlainText("a long answer please")
    with qtbot.waitSignal(window.controller.delta, timeout=30000):
        window.send()
    answer_id = window.controller.streaming_id
    assert answer_id is not None
    window.close()
    saved = window.controller.store.message(answer_id)
    assert saved.status == "cancelled" and saved.content  # what had come is kept
    assert window.controller.session.worker._thread.is_alive() is False  # type: ignore[attr-defined]


def test_model_manager_downloads_and_the_model_becomes_selectable(
    qtbot: Any, window: MainWindow, hub: Any, payloads: dict[str, bytes]
) -> None:
    manager = window.open_models()
    assert manager.tree.topLevelItemCount() == 1 and manager.tree.topLevelItem(0).childCount() == 3
    with qtbot.waitSignal(manager.installed_changed, timeout=60000):
        row = manager.start_download("test-tiny", "F16")
        assert row.bar.accessibleName() == "Download of test-tiny:F16"
    shards = [p for p in payloads if p.startswith("F16/")]
    assert all(hub.file_gets(p) for p in shards)  # every shard's bytes came from the local hub
    assert {e.data for e in window.model_control.entries()} >= {"test-tiny:F16", "test-tiny:Q8_0"}
    assert "test-tiny:F16" in [manager.installed_list.item(i).data(256) for i in range(manager.installed_list.count())]


def test_a_locked_setting_cannot_be_changed(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core import settings

    policy = tmp_path / "policy.toml"
    policy.write_text('locked_settings = ["temperature"]\nmax_context = 2048\n')
    monkeypatch.setenv("HEARTH_POLICY", str(policy))
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "home"))  # this test's own settings file
    dialog = window.open_settings()
    assert not dialog.temperature.isEnabled() and "policy" in dialog.temperature.toolTip()
    label = dialog.temperature.parentWidget().layout().labelForField(dialog.temperature).text()  # type: ignore[union-attr]
    assert label == "Temperature (locked by your organisation)"
    assert dialog.context.maximum() == 2048 and dialog.max_tokens.isEnabled()
    dialog.temperature.setValue(1.5)  # even if forced, a locked value is not saved
    dialog.max_tokens.setValue(777)
    dialog.save()
    saved = settings.load()
    assert saved["temperature"] == 0.6 and saved["max_tokens"] == 777
    assert window.controller.params.max_tokens == 777 and window.controller.params.temperature != 1.5


def test_welcome_recommends_a_model_and_works_offline(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.models.catalog import load_catalog

    window.catalog = load_catalog()
    welcome = window.welcome()
    assert "Recommended:" in welcome.text.text() and welcome.download.isEnabled()
    welcome.reject()
    policy = tmp_path / "policy.toml"
    policy.write_text("offline = true\n")
    monkeypatch.setenv("HEARTH_POLICY", str(policy))
    offline = window.welcome()
    assert not offline.download.isEnabled() and "Downloads are turned off" in offline.text.text()
    assert offline.import_button.isEnabled()


def test_text_arriving_before_an_opened_answer_is_built_is_not_lost(qtbot: Any, window: MainWindow) -> None:
    """A branch's widgets are built from the turn after the click: a streaming answer's pieces and
    its end that arrive in between go into the message its widget is then built from."""
    from app.core.store.database import StoredMessage

    def stored(message_id: int, role: str, content: str, status: str) -> StoredMessage:
        return StoredMessage(id=message_id, conversation_id=1, parent_id=None, role=role, content=content, status=status)

    window.show()
    window.view.show_thread([stored(1, "user", "question", "complete"), stored(2, "assistant", "so far", "partial")],
                            lambda message_id: [message_id])  # fmt: skip
    assert window.view.widgets == []
    window.view.append("content", ", and more")
    window.view.finish("truncated")
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2, timeout=5000)
    answer = window.view.widgets[-1]
    assert answer.content == "so far, and more" and answer.message.status == "truncated"
    assert window.view.streaming_widget() is None


def settle_view(qtbot: Any, view: Any) -> None:
    """Wait until the building has ended and the view stays as it is: a layout pass after a page
    can start another (the reader is still near the top), later on a loaded machine."""
    seen: list[tuple[bool, int, int]] = []

    def quiet_for_a_while() -> bool:
        seen.append((view.building, len(view.widgets), view.verticalScrollBar().maximum()))
        return len(seen) >= 10 and not seen[-1][0] and len(set(seen[-10:])) == 1

    qtbot.waitUntil(quiet_for_a_while, timeout=10000)


def long_conversation(window: MainWindow, count: int) -> int:
    store = window.controller.store
    conv = store.create_conversation("long one")
    parent = None
    for i in range(count):
        parent = store.add_message(conv, "user" if i % 2 == 0 else "assistant", f"message {i}", parent_id=parent)
    return conv


def test_a_tall_view_is_filled_with_older_messages(qtbot: Any, window: MainWindow) -> None:
    """The newest page leaves a tall window's view short of full: there is no scroll bar to move
    near the top, and the older messages are still built until it is full (or all are built)."""
    from app.ui.message_view import FIRST_PAGE

    window.resize(1100, 1400)
    window.show()
    qtbot.waitExposed(window)
    window.controller.open_conversation(long_conversation(window, 120))
    settle_view(qtbot, window.view)
    view = window.view
    assert len(view.widgets) > FIRST_PAGE and view.verticalScrollBar().maximum() > 0
    assert view.widgets[-1].content == "message 119" and not view.earlier.isHidden()


def test_a_long_conversation_opens_with_its_latest_messages_first(qtbot: Any, window: MainWindow) -> None:
    from app.ui.message_view import FIRST_PAGE, PAGE

    conv = long_conversation(window, 200)
    window.show()
    qtbot.waitExposed(window)  # at its real size: a later resize would build another page
    view, bar = window.view, window.view.verticalScrollBar()
    window.controller.open_conversation(conv)
    assert view.widgets == [] and view.building  # the click only reads the branch's ids
    assert view._builder.isActive()  # the widgets come on the next turns, in slices of bounded time
    view._builder.stop()
    view._build_older(budget=0.0)  # a slice whose time is up after one message
    assert [w.content for w in view.widgets] == ["message 199"] and view.building and view._builder.isActive()

    settle_view(qtbot, view)

    def oldest_built() -> int:
        assert [w.content for w in view.widgets] == [f"message {i}" for i in range(200 - len(view.widgets), 200)]
        return 200 - len(view.widgets)

    first = oldest_built()
    assert first <= 200 - FIRST_PAGE and bar.value() == bar.maximum() > 0  # the reader sits at the newest message
    assert not view.earlier.isHidden() and f"{first} not shown" in view.earlier.text()
    half = view.viewport().height() // 2  # nearer the top than this builds the older ones
    bar.setValue(max(bar.maximum() - half, half))  # reading, away from the top (with small fonts, just)
    from_bottom = bar.maximum() - bar.value()
    view.earlier.click()
    settle_view(qtbot, view)
    assert oldest_built() == first - PAGE
    assert bar.maximum() - bar.value() == from_bottom  # older messages came in above without moving the text
    bar.setValue(0)  # scrolled up to the oldest built: the ones above are built, the place kept
    qtbot.waitUntil(lambda: oldest_built() < first - PAGE, timeout=5000)
    settle_view(qtbot, view)
    # A page or more (as many as it takes to be half a screen from the top again), the place kept.
    assert oldest_built() <= first - PAGE - FIRST_PAGE and (bar.value() >= half or oldest_built() == 0)
    while view.earlier.isVisible():
        view.earlier.click()
        settle_view(qtbot, view)
    assert oldest_built() == 0


def test_reasoning_streams_into_its_own_section_and_the_store(
    qtbot: Any, window: MainWindow, models: Any, tmp_path: Path
) -> None:
    from tests.gguf_factory import TinySpec

    thinker = models(TinySpec(quant="Q8_0", seed=5))  # DeepSeek-R1's template: the answer opens in <think>
    with qtbot.waitSignal(window.controller.model_changed, timeout=30000):
        window.controller.load(Path(thinker))
    window.controller.params = LONG
    window.composer.setPlainText("think about it")
    with qtbot.waitSignal(window.controller.delta, timeout=30000) as first:
        window.send()
    assert first.args[0] == "reasoning"
    qtbot.waitUntil(lambda: window.view.widgets[-1].reasoning is not None and window.view.renders > 0, timeout=30000)
    section = window.view.widgets[-1].reasoning
    assert section is not None and section.toggle.text() == "▾ Thinking…" and not section.view.isHidden()
    with qtbot.waitSignal(window.controller.answer_finished, timeout=30000):
        window.controller.stop()
    saved = window.controller.active_thread()[-1]
    assert saved.reasoning and saved.status == "cancelled"
    assert section.view.toPlainText().strip() and section.toggle.text() == "▾ Reasoning"  # no answer came: stays open
    assert "stopped" in window.view.widgets[-1].header.text()


def test_switching_to_dark_recolours_the_conversation(qtbot, window) -> None:
    """Widgets with a style sheet kept the light palette after a switch to dark: light text on the
    light page of the conversation (seen on an Xvfb screenshot)."""
    from PySide6.QtWidgets import QApplication

    from app.ui import theme

    app = QApplication.instance()
    page = window.view.widget()
    try:
        theme.apply(app, "light")
        light = page.palette().color(page.backgroundRole()).name()
        theme.apply(app, "dark")
        dark = page.palette().color(page.backgroundRole()).name()
        assert dark == theme.DARK[theme.QPalette.ColorRole.Window] != light
    finally:
        theme.apply(app, "light")


def test_the_thinking_control_follows_the_model_and_the_conversation(qtbot: Any, window: MainWindow, models: Any) -> None:
    from tests.gguf_factory import TinySpec

    control = window.thinking_control
    assert not control.isEnabled() and control.currentText() == "Thinking: model decides"  # V3: no switch
    thinker = models(TinySpec(quant="Q8_0", seed=5))  # R1's template
    with qtbot.waitSignal(window.controller.model_changed, timeout=30000):
        window.controller.load(Path(thinker))
    assert control.isEnabled() and [control.itemText(i) for i in range(control.count())] == ["Thinking off", "Thinking on"]
    assert control.currentText() == "Thinking on" and "reasons before answering" in control.toolTip()
    ask(qtbot, window, "first")
    first = window.controller.conversation_id
    control.activated.emit(control.findData("off"))  # the user picks "off" for this conversation
    assert window.controller.session.thinking == "off" and control.currentText() == "Thinking off"
    assert window.controller.store.get_conversation(first).settings["thinking"] == "off"
    window.controller.new_conversation()
    assert control.currentText() == "Thinking on"  # a new conversation starts from the default
    window.controller.open_conversation(first)
    assert control.currentText() == "Thinking off"


def test_a_long_prompt_shows_its_reading_progress_in_the_streaming_message(qtbot: Any, window: MainWindow) -> None:
    window.composer.setPlainText("please read all of this " * 80)
    with qtbot.waitSignal(window.controller.prompt_progress, timeout=30000) as progress:
        window.send()
    done, total = progress.args
    assert 0 <= done < total
    header = window.view.widgets[-1].header.text()
    assert "reading the conversation…" in header and header.endswith("%")
    assert not window.send_button.isEnabled()  # answering
    # The window's own end of the turn: the session stops being busy just before the end reaches
    # the window's event loop, so waiting for that raced with the last redraw.
    qtbot.waitUntil(window.send_button.isEnabled, timeout=60000)
    assert "reading the conversation" not in window.view.widgets[-1].header.text()  # the finished answer's own header
