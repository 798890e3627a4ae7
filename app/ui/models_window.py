"""The Models window's one instance: built on first use, or ahead of it after start-up.

Building it the first time costs a long frame: its modules (the Hub and download clients,
~90 ms of imports), its widgets (~11 ms) and its first show, which polishes and lays out every
widget (~20 ms on top of the first paint).  :meth:`ModelsWindow.prepare` pays all three before
anyone clicks, each where nobody waits: the imports on a background thread, the building on an
idle turn, and the first show on the next, on no screen (``WA_DontShowOnScreen``).  Opening it
then costs about what opening it a second time does (``bench/ui_stall.py``: 36-50 ms before,
18-22 ms after, the rest its first paint).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer

from app.ui import tasks

if TYPE_CHECKING:
    from app.ui.model_manager import ModelManager

log = logging.getLogger(__name__)
OFF_SCREEN = Qt.WidgetAttribute.WA_DontShowOnScreen


def _import_modules() -> None:
    """The window's modules and the download client's library, which its first download
    would import otherwise (huggingface-hub, ~20,000 objects), then kept out of the garbage
    collector's young generations."""
    importlib.import_module("app.ui.model_manager")
    from app.core.models import hub

    hub.import_ahead()
    tasks.keep_for_good()


class ModelsWindow:
    def __init__(self, build: Callable[[], ModelManager]) -> None:
        self._build = build
        self.manager: ModelManager | None = None
        self.rehearsed = False  # shown once off screen (polished and laid out) before its first opening

    def get(self) -> ModelManager:
        """The window, built now if it is not yet (imported on first use, not at start-up)."""
        if self.manager is None:
            self.manager = self._build()
        return self.manager

    def open(self) -> ModelManager:
        manager = self.get()
        if manager.testAttribute(OFF_SCREEN):  # clicked in the middle of the rehearsal
            self.end_rehearsal()
        manager.show()
        manager.raise_()
        return manager

    def prepare(self) -> None:
        """Import on a thread, then build and rehearse on the next idle turns (see the module)."""

        def built(_module: object) -> None:
            if self.manager is None:
                self.get()
                QTimer.singleShot(0, self.rehearse)

        def failed(error: BaseException) -> None:  # a bug: the first click builds it as before
            log.error("the Models window could not be prepared: %s", error)

        if self.manager is None:
            tasks.in_background("hearth-models", _import_modules, built, failed)

    def rehearse(self) -> None:
        """Show the built window once on no screen, then each of its tabs on the next turns (a
        download's first click shows the Downloads tab: laid out and painted before, it cost
        that click ~10 ms more); hidden again after the last."""
        manager = self.manager
        if manager is None or manager.isVisible():
            return  # opened meanwhile: nothing left to prepare
        manager.setAttribute(OFF_SCREEN, True)
        manager.show()
        QTimer.singleShot(0, manager, lambda: self._rehearse_tab(1))  # dropped if the window is deleted first

    def _rehearse_tab(self, index: int) -> None:
        manager = self.manager
        if manager is None or not manager.testAttribute(OFF_SCREEN):
            return  # opened in between: the reader's tab stays
        if index >= manager.tabs.count():
            manager.tabs.setCurrentIndex(0)
            self.end_rehearsal()
            return
        manager.tabs.setCurrentIndex(index)
        QTimer.singleShot(0, manager, lambda: self._rehearse_tab(index + 1))

    def end_rehearsal(self) -> None:
        manager = self.manager
        if manager is None or not manager.testAttribute(OFF_SCREEN):
            return  # ended already (the user opened it in between: it stays open)
        manager.hide()
        manager.setAttribute(OFF_SCREEN, False)
        self.rehearsed = True
        tasks.keep_for_good()  # the window and what it built live as long as the app
