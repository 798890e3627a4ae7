"""The window follows the core's rules: the machine policy at start-up and in the picker,
retention when the window starts, locked settings, answers routed by message, recording that
does not wait for the UI thread, and start-up problems shown in a dialog.  Offscreen, on real
generated models, a real encrypted store and a real policy file."""

from __future__ import annotations

import json
import shutil
import textwrap
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")


from app.core.models.catalog import Catalog
from app.core.models.ops import import_model
from app.core.models.registry import Registry
from app.core.store.database import Store
from app.ui import launch
from app.ui.main_window import MainWindow
from tests.gguf_factory import TinySpec
from tests.gui_fixtures import LONG
from tests.holds import Holds
from tests.hub_fixtures import tiny_catalog, tiny_catalog_data

Q8 = TinySpec(quant="Q8_0", seed=11, template="deepseek-v3")


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models: Any) -> Any:
    """A user home with two installed models (one the catalog knows, one local that sorts first),
    an admin catalog, and a policy the test writes."""
    home, site = tmp_path / "home", tmp_path / "site"
    home.mkdir()
    site.mkdir()
    monkeypatch.setenv("HEARTH_HOME", str(home))
    monkeypatch.setenv("HEARTH_SITE_CONFIG", str(site))
    genuine = Path(shutil.copyfile(models(Q8), tmp_path / "tiny-Q8_0.gguf"))
    (site / "catalog.json").write_text(json.dumps(tiny_catalog_data({"tiny-Q8_0.gguf": genuine.read_bytes()})))
    catalog = tiny_catalog({"tiny-Q8_0.gguf": genuine.read_bytes()})
    registry = Registry()
    local = import_model(
        Path(shutil.copyfile(models(TinySpec(quant="F16", seed=4)), tmp_path / "aaa-F16.gguf")), registry, catalog
    )
    ours = import_model(genuine, registry, catalog)

    def policy(text: str) -> None:
        path = site / "policy.toml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        monkeypatch.setenv("HEARTH_POLICY", str(path))

    return policy, local.installed, ours.installed


@pytest.fixture
def started(qtbot: Any, ui_gc: None) -> Iterator[Any]:
    """Start the window as ``hearth`` does (launch._build_window), once the test has set things up."""
    sessions: list[Any] = []

    def start() -> MainWindow:
        window, session = launch._build_window(smoke_test=False)
        qtbot.addWidget(window)
        sessions.append(session)
        return window

    yield start
    for session in sessions:
        session.shutdown()
        if session.store is not None:
            session.store.close()


def test_a_model_the_policy_does_not_allow_is_not_loaded_at_start_and_is_refused_in_the_picker(
    qtbot: Any, machine: Any, started: Any, shown: list[str]
) -> None:
    policy, local, ours = machine
    policy('allowed_models = ["test-tiny:*"]\n')
    window = started()
    assert window.installed[0].key == local.key  # what the first-installed rule of round 1 would have loaded
    qtbot.waitUntil(lambda: window.controller.loaded is not None, timeout=30000)
    assert window.controller.model is not None and window.controller.model.key == ours.key
    with qtbot.waitSignal(window.controller.model_failed, timeout=30000):
        window.switch_to(local)
    assert any(f"does not allow the model {local.key}" in text for text in shown)
    assert window.controller.model.key == ours.key and window.controller.loaded is not None  # still loaded, still shown
    assert window.model_control.current == ours.key and ours.quant in window.model_control.text()


def test_nothing_is_loaded_when_the_policy_allows_none_of_the_installed(qtbot: Any, machine: Any, started: Any) -> None:
    policy, _local, _ours = machine
    policy('allowed_models = ["r1-distill-qwen-7b"]\n')
    window = started()
    qtbot.wait(200)
    assert window.controller.loaded is None and not window.controller.loading
    assert "None of the installed models is allowed" in window.statusBar().currentMessage()


def test_the_default_model_of_the_policy_is_loaded_at_start(qtbot: Any, machine: Any, started: Any) -> None:
    policy, local, _ours = machine
    policy(f'default_model = "{local.key}"\n')
    window = started()
    qtbot.waitUntil(lambda: window.controller.model is not None, timeout=30000)
    assert window.controller.model.key == local.key  # type: ignore[union-attr]


def test_retention_runs_when_the_window_starts(qtbot: Any, machine: Any, started: Any) -> None:
    policy, _local, _ours = machine
    store = Store()
    old = store.create_conversation("from last year")
    store.add_message(old, "user", "old question")
    kept = store.create_conversation("from today")
    store.query("UPDATE conversations SET updated_at = updated_at - 400 * 86400 WHERE id = ?", (old,))
    store.close()
    policy("retention_days = 30\n")
    window = started()
    assert [c.id for c in window.controller.store.list_conversations()] == [kept]
    assert len(window.sidebar.rows()) == 1
    assert "older than 30 days" in window.notice_label.text()  # stays visible while the model loads


def test_a_locked_temperature_in_settings_json_has_no_effect(qtbot: Any, machine: Any, started: Any) -> None:
    policy, _local, _ours = machine
    from app.core import paths

    paths.user_dirs().config.mkdir(parents=True, exist_ok=True)
    (paths.user_dirs().config / "settings.json").write_text('{"temperature": 1.5, "top_p": 0.5}')
    policy('locked_settings = ["temperature"]\n[settings]\ntemperature = 0.2\n')
    window = started()
    assert window.controller.params.temperature == 0.2 and window.controller.params.top_p == 0.5
    dialog = window.open_settings()
    assert dialog.temperature.value() == pytest.approx(0.2) and not dialog.temperature.isEnabled()
    dialog.save()  # saving the dialog does not write the locked value, and does not fail
    assert json.loads((paths.user_dirs().config / "settings.json").read_text())["temperature"] == 1.5
    window.apply_settings()
    assert window.controller.params.temperature == 0.2


def test_a_missing_referenced_model_is_said_in_a_dialog(
    qtbot: Any, machine: Any, started: Any, shown: list[str], models: Any, tmp_path: Path
) -> None:
    policy, local, ours = machine
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    moved = Path(shutil.copyfile(models(TinySpec(quant="Q4_0", seed=9)), elsewhere / "zzz-Q4_0.gguf"))
    registry = Registry()
    item = import_model(moved, registry, Catalog(()), "reference").installed
    moved.unlink()  # the stick was unplugged
    policy(f'default_model = "{item.key}"\n')
    window = started()
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert "zzz-Q4_0.gguf" in shown[-1] and window.controller.loaded is None


def test_a_problem_at_start_is_a_dialog_not_a_traceback(qtbot: Any, monkeypatch: pytest.MonkeyPatch, shown: list[str]) -> None:
    from app.core.errors import StoreKeyError

    def broken(_smoke_test: bool) -> Any:
        raise StoreKeyError("The key of your conversations is not in the keyring.", "Restore it or start afresh.")

    monkeypatch.setattr(launch, "_build_window", broken)
    assert launch.run_gui() == StoreKeyError.exit_code
    assert "not in the keyring" in shown[-1] and "Restore it" in shown[-1] and "hearth.log" in shown[-1]


# --- answers routed by message; recording off the UI thread ------------------------------------


def test_opening_another_conversation_mid_answer_routes_the_tokens_by_message(qtbot: Any, window: MainWindow) -> None:
    window.controller.params = replace(LONG, max_tokens=300)
    holds = Holds(2, 60)
    window.controller.session.logits_processor = holds
    ended: list[Any] = []
    window.controller.answer_finished.connect(lambda end, _shown: ended.append(end))
    window.composer.setPlainText("a long one, please")
    window.send()
    assert holds.reached[2].wait(30)
    streaming, conversation = window.controller.streaming_id, window.controller.conversation_id
    window.controller.new_conversation()  # the user goes elsewhere while it streams
    holds.release[2].set()
    assert holds.reached[60].wait(30)  # ~58 tokens of the other answer were streamed meanwhile
    qtbot.wait(150)  # and their batches have reached the UI thread
    assert window.view.widgets == [] and window.controller.conversation_id is None  # none of them was drawn here
    window.controller.open_conversation(conversation)  # type: ignore[arg-type]  # back, mid-answer
    qtbot.waitUntil(lambda: len(window.view.widgets) == 2, timeout=5000)
    assert window.view.widgets[-1].message.id == streaming and window.view.widgets[-1].content  # what came so far
    holds.release[60].set()
    qtbot.waitUntil(lambda: bool(ended), timeout=60000)
    stored = window.controller.store.message(streaming)  # type: ignore[arg-type]
    assert ended[0].message_id == streaming and stored.status == "truncated" and stored.completion_tokens == 300
    assert window.view.widgets[-1].content == stored.content  # no piece lost, none twice
    window.controller.session.logits_processor = None


def test_a_busy_ui_thread_does_not_hold_up_what_is_stored(qtbot: Any, window: MainWindow) -> None:
    """The answer is recorded on the engine's side: with the UI thread stuck (no events processed),
    the store still gets the streamed text."""
    window.controller.params = replace(LONG, max_tokens=3000)
    window.composer.setPlainText("keep going")
    with qtbot.waitSignal(window.controller.answer_started, timeout=30000):
        window.send()
    answer = window.controller.streaming_id
    store = window.controller.store
    deadline = time.monotonic() + 30
    while not store.message(answer).content:  # type: ignore[arg-type]  # the UI thread is busy here: no events
        assert time.monotonic() < deadline, "nothing was stored while the UI thread was busy"
        time.sleep(0.05)
    with qtbot.waitSignal(window.controller.answer_finished, timeout=60000):
        window.controller.stop()


def test_a_truncated_answer_is_continued_from_the_window(qtbot: Any, window: MainWindow) -> None:
    from tests.gui_fixtures import ask

    ask(qtbot, window, "start something")  # 12 tokens: truncated
    answer = window.view.widgets[-1]
    before = window.controller.store.message(answer.message.id)
    assert before.status == "truncated"
    assert answer.continue_button is not None and not answer.continue_button.isHidden()
    assert window.view.widgets[0].continue_button is None  # questions have no Continue
    with qtbot.waitSignal(window.controller.answer_finished, timeout=60000):
        answer.continue_button.click()
    after = window.controller.store.message(before.id)
    assert after.content.startswith(before.content) and len(after.content) > len(before.content)
    assert after.status == "truncated" and window.view.widgets[-1].content == after.content
    assert len(window.controller.store.siblings(before.id)) == 1  # the same answer went on, no new version


def test_the_local_api_serves_the_windows_model_when_settings_turn_it_on(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    import openai

    from app.core.privacy.locks import save_user_settings
    from app.core.privacy.secrets import api_key

    home = tmp_path / "api-home"
    home.mkdir()
    monkeypatch.setenv("HEARTH_HOME", str(home))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    save_user_settings({"api_enabled": True, "api_port": port})
    window.apply_api()
    assert window.api_label.text() == f"API on 127.0.0.1:{port}"
    api = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=api_key(), max_retries=0, timeout=60)
    assert [m.id for m in api.models.list().data] == [window.controller.model.key]  # type: ignore[union-attr]  # only the window's
    answer = api.chat.completions.create(
        model=window.controller.model.key,  # type: ignore[union-attr]
        messages=[{"role": "user", "content": "from my editor"}],
        max_tokens=4,
    )
    assert answer.choices[0].finish_reason in ("length", "stop")
    assert window.controller.store.count()[0] == 0  # API conversations are not stored by default
    with pytest.raises(openai.NotFoundError):
        api.chat.completions.create(model="test-tiny:Q4_0", messages=[{"role": "user", "content": "x"}])  # cannot switch it
    qtbot.waitUntil(lambda: window.api_label.text() == f"API on 127.0.0.1:{port}", timeout=5000)
    save_user_settings({"api_enabled": False})
    window.apply_api()
    assert window.api_label.text() == ""
    with pytest.raises(openai.APIConnectionError):
        api.models.list()
    policy = tmp_path / "no-api.toml"
    policy.write_text("allow_local_api = false\n", encoding="utf-8")
    monkeypatch.setenv("HEARTH_POLICY", str(policy))
    # the user cannot turn it on: the setting is decided by the policy
    from app.core.privacy.policy import PolicyDenied

    with pytest.raises(PolicyDenied):
        save_user_settings({"api_enabled": True})


def test_without_a_display_hearth_says_so_in_one_line(tmp_path: Path) -> None:
    """Over ssh or on a headless box the window cannot open: one line pointing to 'hearth chat',
    not Qt's abort ("could not load the Qt platform plugin")."""
    import os
    import subprocess
    import sys

    from app.ui.launch import no_display_reason

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["HEARTH_HOME"] = str(tmp_path)
    for extra in ({}, {"DISPLAY": ":987"}):  # none at all, and one that is not running
        done = subprocess.run([sys.executable, "-m", "app"], env={**env, **extra}, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and "hearth chat" in done.stderr and "Qt" not in done.stderr, done.stderr
    assert no_display_reason({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert no_display_reason({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert no_display_reason({}, "darwin") is None and no_display_reason({}, "win32") is None
    assert "DISPLAY and WAYLAND_DISPLAY are not set" in (no_display_reason({}, "linux") or "")


def test_the_sidebar_lists_conversations_a_page_at_a_time(qtbot: Any, tmp_path: Path) -> None:
    """Past 200 conversations the list grows as it is scrolled down (10,000 stay quick to open)."""
    from app.ui.sidebar import PAGE, Sidebar

    store = Store(tmp_path / "conversations.db")
    with store.transaction() as db:
        for i in range(2 * PAGE + 50):
            db.execute(
                "INSERT INTO conversations (title, settings, created_at, updated_at) VALUES (?, '{}', ?, ?)", (f"c{i}", i, i)
            )
    sidebar = Sidebar(store)
    qtbot.addWidget(sidebar)
    sidebar.resize(300, 400)
    sidebar.show()
    assert len(sidebar.rows()) == PAGE and sidebar.rows()[0].text() == f"c{2 * PAGE + 49}"  # newest first
    bar = sidebar.list.verticalScrollBar()

    def scroll_to_the_end() -> None:
        qtbot.waitUntil(lambda: bar.maximum() > 0)  # the list lays its rows out in the event loop
        before = bar.maximum()
        bar.setValue(before)
        qtbot.wait(20)

    scroll_to_the_end()
    assert len(sidebar.rows()) == 2 * PAGE
    scroll_to_the_end()
    assert len(sidebar.rows()) == 2 * PAGE + 50
    scroll_to_the_end()
    assert len(sidebar.rows()) == 2 * PAGE + 50  # the end: nothing more to read
    sidebar.refresh()  # an answer ended: the list is read again, as far as it was scrolled
    assert len(sidebar.rows()) == 2 * PAGE + 50
    store.close()
