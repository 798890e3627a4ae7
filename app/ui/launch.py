"""Start the desktop app."""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from app.core.errors import HearthError
from app.ui.i18n import error_text, sentence, tr

if TYPE_CHECKING:
    from app.core.chat.session import ChatSession
    from app.core.store.database import Store
    from app.ui.main_window import MainWindow


def open_store_with_dialog(parent: object = None) -> Store:
    """The encrypted store; where a passphrase is needed, ask for it in a dialog (never a plain fallback)."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from app.core.errors import StoreKeyError, WrongKeyError
    from app.core.store.database import Store, default_path

    try:
        return Store()
    except StoreKeyError:
        pass
    new = not default_path().exists()
    prompt = tr("Choose a passphrase to encrypt your conversations:") if new else tr("Passphrase of your conversations:")
    while True:
        text, ok = QInputDialog.getText(parent, "Hearth", prompt, QLineEdit.EchoMode.Password)  # type: ignore[arg-type]
        if not ok:
            raise StoreKeyError("No passphrase was given, so the conversations cannot be opened.")
        try:
            return Store(passphrase=text)
        except WrongKeyError:
            prompt = tr("That passphrase does not open your conversations. Try again:")


SWITCH_INTERVAL_S = 0.001
# How long llama.cpp's idle OpenMP threads spin before they sleep (GNU OpenMP's default 300,000
# turns is several milliseconds).  The window's process only, see share_the_cores().
SPIN_COUNT = "50000"


def share_the_cores(env: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Let llama.cpp's idle OpenMP threads sleep soon, in the window's process (before llama.cpp
    loads; a user's own ``GOMP_SPINCOUNT`` or ``OMP_WAIT_POLICY`` is kept).

    While the window draws a batch of text the decoding waits for it (``app.ui.bridge``), but
    its helper threads went on spinning for milliseconds after their last work, so on a 2-core
    machine the drawing had one core at most and took up to twice its CPU time (the stall
    bench's longest stalls, 18-22 ms).  Decode speed, measured in alternated processes
    (``bench/spin_count.py``): with 50,000 turns 0.988x the default on a few-hundred-tokens/s
    model (within the noise); with 10,000 a toy model at 3,500 tokens/s lost 21 %, its threads
    sleeping between tokens, which is why the count is not lower.
    """
    if "GOMP_SPINCOUNT" not in env and "OMP_WAIT_POLICY" not in env:
        env["GOMP_SPINCOUNT"] = SPIN_COUNT


BANDWIDTH_AFTER_MS = 5000  # measure once the window and the first model load have settled
PREPARE_MODELS_MS = 3000  # after the fonts' warm-up (1.4-2.8 s): the Models window is built ahead


class GarbageCollector:
    """Python's cyclic garbage collection, run where and when it cannot hurt.

    Where: Qt objects must be destroyed on the UI thread, and the collector runs in whichever
    thread allocates at the wrong moment (the engine's, a download's), so automatic collection
    is off and this runs it on the UI thread.  When: a full collection over the app's ~80,000
    objects takes ~30 ms, two frames, so everything alive at start-up (modules, the window) is
    frozen out of it, young objects are collected every second (well under a millisecond), and
    a full collection runs only while nothing is streaming, loading or being built.
    """

    YOUNG_MS = 1000
    FULL_EVERY = 60  # young collections between full ones

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        gc.disable()
        # Not the collector, but the same kind of UI-thread care: a worker running Python (the engine's
        # per-token loop, a template render, a download) holds the interpreter for up to the switch
        # interval each time the UI thread wants it back; 5 ms by default, several times per frame.
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        self.busy: Callable[[], bool] = lambda: False
        self.ticks = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self.tick)
        self.timer.start(self.YOUNG_MS)

    def freeze_startup(self) -> None:
        gc.collect()
        gc.freeze()

    def tick(self) -> None:
        self.ticks += 1
        if self.ticks >= self.FULL_EVERY and not self.busy():
            self.ticks = 0
            gc.collect()
        else:
            gc.collect(1)


def show_startup_error(error: BaseException) -> None:
    """A menu-launched app has no terminal: a problem at start is a dialog that says what to do."""
    from PySide6.QtWidgets import QMessageBox

    from app.core.errors import HearthError

    text = error_text(error) if isinstance(error, HearthError) else tr("Hearth could not start: {error}").format(error=error)
    QMessageBox.critical(None, "Hearth", text + "\n\n" + tr("Details are in the log: {path}").format(path=_log_path()))


def _log_path() -> str:
    from app.core import paths

    return str(paths.user_dirs().logs / "hearth.log")


class NoDisplayError(HearthError):
    """The window cannot open here (no display, or a library Qt's X11 plugin needs is missing)."""

    exit_code = 2


def no_display_reason(env: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """Why Qt could not open a window here, said before Qt tries: it would abort the process with
    "could not load the Qt platform plugin" (an ssh session, a headless box, a missing library)."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if env.get("QT_QPA_PLATFORM") or not platform.startswith(("linux", "freebsd", "openbsd")):
        return None  # a platform chosen on purpose (offscreen, vnc), or Windows / macOS: they always have one
    if env.get("WAYLAND_DISPLAY"):
        return None
    if not env.get("DISPLAY"):
        return "there is no display here (DISPLAY and WAYLAND_DISPLAY are not set, as over ssh), so the window cannot open"
    local = re.match(r"^(?:unix)?:(\d+)", env["DISPLAY"])
    if local and not os.path.exists(f"/tmp/.X11-unix/X{local.group(1)}"):
        return f"the display {env['DISPLAY']} (DISPLAY) is not running, so the window cannot open"
    try:
        ctypes.CDLL("libxcb-cursor.so.0")  # what Qt's X11 plugin loads first (the loader's own search: ~1 ms)
    except OSError:
        return "the window needs the system library libxcb-cursor0 (Qt's X11 plugin loads it); install it"
    return None


def run_gui(argv: list[str] | None = None, smoke_test: bool = False) -> int:
    """Open the main window; ``smoke_test`` closes it once it has been shown (installer checks).
    A problem that stops the start (the store's key, a broken file) is shown in a dialog; where
    no window can open at all, :class:`NoDisplayError` says so in one line."""
    if reason := no_display_reason():
        raise NoDisplayError(f"{reason}. Chat in the terminal with 'hearth chat' (see 'hearth chat --help').")
    share_the_cores()
    from app.core.store.database import default_path
    from app.core.store.key import derive_ahead

    derive_ahead(default_path())  # a passphrase's key derivation, beside the imports below
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.core import paths, settings
    from app.core.errors import HearthError

    app = QApplication.instance() or QApplication(argv or sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Hearth")
    app.setDesktopFileName("hearth")  # Wayland and docks match the window to hearth.desktop
    app.setWindowIcon(QIcon(str(paths.resources_dir() / "icons" / "hearth.svg")))  # vector: sharp at any DPI
    from app.ui import i18n, theme

    chosen = settings.load()
    theme.apply(app, chosen["appearance"])
    i18n.install(app, chosen["language"])  # before any widget is built: each is built in its language
    try:
        _window, session = _build_window(smoke_test)  # the name keeps the window alive while the app runs
    except HearthError as exc:
        show_startup_error(exc)
        return exc.exit_code
    except Exception as exc:
        import logging

        logging.getLogger(__name__).exception("the window could not start")
        show_startup_error(exc)
        return 70
    try:
        code: int = app.exec()
    finally:
        session.shutdown()  # cancels a running answer, stores what came, closes the model
    return code


def _build_window(smoke_test: bool) -> tuple[MainWindow, ChatSession]:
    import shiboken6
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.core.chat.gate import startup_choice
    from app.core.chat.session import ChatSession
    from app.core.engine import probe
    from app.core.engine.worker import EngineWorker
    from app.core.models import hardware, speed
    from app.core.models.catalog import load_catalog
    from app.core.models.registry import Registry
    from app.core.store.upkeep import RETENTION_EVERY_S, after_open, apply_retention, warm_store
    from app.ui import tasks, window_state
    from app.ui.chat_controller import ChatController
    from app.ui.code_blocks import warm_lexers
    from app.ui.main_window import MainWindow
    from app.ui.message_view import warm_message_widgets
    from app.ui.script_warmup import warm_scripts

    app = QApplication.instance()
    collector = GarbageCollector()
    store = open_store_with_dialog()
    start_notices = after_open(store)
    if crash := probe.start_notice():
        start_notices.append(crash)
    registry, catalog = Registry(), load_catalog()
    session = ChatSession(EngineWorker(), store, registry, catalog)
    controller = ChatController(session)
    window = MainWindow(controller, registry, catalog)
    collector.busy = window.busy
    window_state.restore(window)
    window.show()
    QTimer.singleShot(0, collector.freeze_startup)
    QTimer.singleShot(1000, warm_lexers)  # after the window is up, off the UI thread
    QTimer.singleShot(1200, warm_message_widgets)  # the first question's widgets: one-time costs paid now
    QTimer.singleShot(1300, lambda: warm_store(store))  # and its writes (rolled back)
    QTimer.singleShot(1400, warm_scripts)  # each writing system's fonts, one per idle turn
    QTimer.singleShot(PREPARE_MODELS_MS, window.prepare_models)  # the Models window, built ahead
    if start_notices:
        window.show_notice(" ".join(map(sentence, start_notices)))
    window.apply_api()  # the local API, if Settings turned it on
    window.sidebar.refresh()

    def retention_done(removed: int) -> None:
        if removed:
            window.sidebar.refresh()
            window.show_notice(tr("Deleted {count} conversation(s) past the retention period.").format(count=removed))

    def retention_failed(error: BaseException) -> None:  # tried again at the next tick
        logging.getLogger(__name__).warning("retention could not run: %s", error)

    def retention() -> None:  # a window left open for days applies retention too, off the UI thread
        tasks.in_background("hearth-retention", lambda: apply_retention(store), retention_done, retention_failed)

    welcome: list[Any] = []

    def measured(_rates: object) -> None:
        if not shiboken6.isValid(window):  # closed while the kernels were timed
            return
        window.refresh_fit_labels()
        for dialog in welcome:
            if shiboken6.isValid(dialog):
                dialog.refresh()

    def bandwidth() -> None:  # the speed estimates' one measurement, after start-up, off the UI thread
        tasks.in_background(
            "hearth-bandwidth",
            lambda: speed.ensure_measured(hardware.detect()),
            measured,
            lambda error: logging.getLogger(__name__).warning("memory bandwidth not measured: %s", error),
        )

    timer = QTimer(window)
    timer.timeout.connect(retention)
    timer.start(int(RETENTION_EVERY_S * 1000))
    choice = startup_choice(window.installed, registry, catalog, session.settings.policy)
    first_run = not window.installed and not store.count()[0] and not smoke_test
    if first_run:
        welcome.append(window.welcome())
    elif choice is not None:
        window.switch_to(choice)  # the policy's default model, or the first one it allows
    elif window.installed:
        window.statusBar().showMessage(tr("None of the installed models is allowed by your organisation's policy."))
    if not smoke_test and speed.cpu_rates(hardware.detect()) is None:  # at once on a first run: nothing loads
        QTimer.singleShot(0 if first_run else BANDWIDTH_AFTER_MS, bandwidth)
    if smoke_test:
        import time

        from app.ui.code_blocks import colours_in_sample

        # The event loop's first turn after the window was built and shown: from here it answers
        # input.  Printed as a clock time, so the bench measures from before the process started.
        QTimer.singleShot(0, lambda: print(f"interactive at {time.time():.4f}", flush=True))

        def report() -> None:  # what an installed bundle must be able to do (tests/test_installer.py)
            print(f"window shown: {window.windowTitle()}; code colours: {colours_in_sample()}", flush=True)
            assert app is not None
            app.quit()

        QTimer.singleShot(300, report)
    return window, session
