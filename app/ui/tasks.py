"""The one way back to the UI thread, for everything but the token stream.

Work that takes longer than a frame (a model load, a download, a verify, a
retention pass) runs on another thread; its result or error comes back here
and is handed to a callback *on the UI thread*, where widgets may be touched.
Qt delivers a signal emitted on another thread through the receiver's event
loop, so one carrier object living on the UI thread is all it takes.  (The
token stream has its own batching bridge, :mod:`app.ui.bridge`.)
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Carrier(QObject):
    call = Signal(object, object)  # function, arguments

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run)

    @staticmethod
    def _run(fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            fn(*args)
        except Exception:  # a bug in a callback must not take the event loop down
            log.exception("a UI-thread callback failed")


_carrier: _Carrier | None = None


def _get_carrier() -> _Carrier:
    global _carrier
    if _carrier is None:
        app = QCoreApplication.instance()
        assert app is not None and QThread.currentThread() is app.thread(), "first use must be on the UI thread"
        _carrier = _Carrier()
    return _carrier


def prepare() -> None:
    """Create the carrier now, on the UI thread (whoever will call :func:`on_ui` from a worker)."""
    _get_carrier()


def on_ui(fn: Callable[..., Any], *args: Any) -> None:
    """Run ``fn(*args)`` on the UI thread soon (from any thread)."""
    _get_carrier().call.emit(fn, args)


def when_done(future: Future[T], on_result: Callable[[T], Any], on_error: Callable[[BaseException], Any]) -> None:
    """Hand a future's outcome to ``on_result`` or ``on_error`` on the UI thread."""
    _get_carrier()  # created now, on the calling (UI) thread

    def done(f: Future[T]) -> None:
        error = f.exception()
        if error is not None:
            on_ui(on_error, error)
        else:
            on_ui(on_result, f.result())

    future.add_done_callback(done)


def in_background(
    name: str, fn: Callable[[], T], on_result: Callable[[T], Any], on_error: Callable[[BaseException], Any]
) -> threading.Thread:
    """Run ``fn`` on a new daemon thread; its outcome arrives on the UI thread."""
    future: Future[T] = Future()
    when_done(future, on_result, on_error)

    def run() -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to on_error (HearthErrors carry their own text)
            future.set_exception(exc)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def keep_for_good() -> None:
    """What a warm-up left (imported modules, loaded lexers, a window built ahead) lives as long
    as the app: moved out of the garbage collector's generations (``gc.freeze``, constant time)
    so that the window's young collections stop walking it.  A collection walks each object
    (~1 us), and a warm-up's imports leave 20,000-36,000: an 18-38 ms stall at the next
    one-second tick, measured with ``bench/ui_stall.py``.  Cyclic garbage that exists at this
    moment is kept too; it is a few objects after an import."""
    gc.freeze()
