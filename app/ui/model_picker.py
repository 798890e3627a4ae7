"""The window's model control: installed models and their quantizations, and remote engines' models.

What it shows always comes from the session (what answers now); choosing
something asks the session to load it, through the core's gate, on the
engine's thread.  A mixin of :class:`app.ui.main_window.MainWindow`, which
builds the widgets it uses (``model_box``, ``quant_box``, ``fit_badge``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QProgressBar, QStatusBar, QWidget

from app.core.engine.llama import LoadedModel
from app.core.models import hardware
from app.core.models.catalog import Catalog
from app.core.models.fit import fit_file
from app.core.models.info import inspect_model
from app.core.models.registry import Installed, Registry
from app.ui.chat_controller import ChatController
from app.ui.remote_models import MARK, RemoteEntries, is_remote


class ModelPicker:
    controller: ChatController
    registry: Registry
    catalog: Catalog
    model_box: QComboBox
    quant_box: QComboBox
    fit_badge: QLabel
    notice_label: QLabel
    load_bar: QProgressBar
    remote_entries: RemoteEntries
    installed: list[Installed]
    fit_labels: dict[str, str]

    if TYPE_CHECKING:  # provided by MainWindow (a QMainWindow); declared for the type checker only

        def statusBar(self) -> QStatusBar: ...

        def _update_context(self, used: int | None = None) -> None: ...

    def _parent(self) -> QWidget:
        return cast(QWidget, self)

    def fill_models(self) -> None:
        self.installed = self.registry.all(self.catalog)
        self.model_box.blockSignals(True)
        self.model_box.clear()
        for model_id in dict.fromkeys(i.model_id for i in self.installed):
            name = next(i.name for i in self.installed if i.model_id == model_id) or model_id
            self.model_box.addItem(name, model_id)
        self.model_box.blockSignals(False)
        self.remote_entries.add_to(self.model_box)
        self._fill_quants()

    def _family(self) -> list[Installed]:
        model_id = self.model_box.currentData()
        return [i for i in self.installed if i.model_id == model_id]

    def _fill_quants(self) -> None:
        self.quant_box.clear()
        spec = self.model_box.currentData()
        if is_remote(spec):
            self.quant_box.addItem(f"{MARK} computed on the server", spec)
            return
        hw = hardware.detect()
        for item in sorted(self._family(), key=lambda i: i.size_bytes):
            info = inspect_model(item.path)
            fit = fit_file(info, hw, self.controller.options.n_ctx, self.controller.options.gpu_layers)
            self.fit_labels[item.key] = fit.label
            self.quant_box.addItem(f"{item.quant} · {fit.label}", item.key)

    def refresh_fit_labels(self) -> None:
        """The speed estimates became known (the bandwidth was measured): relabel, keep the choice."""
        key = self.quant_box.currentData()
        self._fill_quants()
        index = self.quant_box.findData(key)
        if index >= 0:
            self.quant_box.setCurrentIndex(index)

    def _selected(self) -> Installed | None:
        key = self.quant_box.currentData()
        return next((i for i in self.installed if i.key == key), None)

    def _model_chosen(self, _index: int) -> None:
        """A remote entry loads as soon as it is chosen (it has no quantizations to pick)."""
        if is_remote(self.model_box.currentData()):
            self._quant_chosen()

    def _quant_chosen(self) -> None:
        spec = self.quant_box.currentData()
        if is_remote(spec):
            current = self.controller.remote
            if current is None or current.spec != spec:
                self.load_remote(spec)
            return
        target = self._selected()
        if target is None or (self.controller.model is not None and target.key == self.controller.model.key):
            return
        self.switch_to(target)

    def switch_to(self, target: Installed) -> None:
        """Load another model or quantization (through the core's gate, on the engine's thread);
        the conversation stays and continues on it."""
        if self.controller.busy:
            QMessageBox.information(self._parent(), "Hearth", "Stop the answer first, then switch.")
            return
        self.statusBar().showMessage(f"Loading {target.key}…")
        self.show_load_progress(0.0)
        self.controller.load(target, switching=self.controller.model is not None)

    def show_load_progress(self, fraction: float) -> None:
        """The load bar beside the status message, until the model answers or the load fails."""
        self.load_bar.setValue(round(fraction * 100))
        self.load_bar.setFormat("Loading %p %")
        self.load_bar.show()

    def load_remote(self, spec: str) -> None:
        """Answer on a model of a remote engine; the conversation stays and continues there."""
        if self.controller.busy:
            QMessageBox.information(self._parent(), "Hearth", "Stop the answer first, then switch.")
            return
        self.statusBar().showMessage(f"Connecting to {spec.removeprefix('remote:')}…")
        self.controller.load(spec)

    def _model_loaded(self, loaded: LoadedModel | None, item: Installed | None) -> None:
        self.load_bar.hide()
        remote = self.controller.remote
        if loaded is None and remote is not None:
            self.fit_badge.setText(f"{MARK} on server {remote.engine}")
            self.fit_badge.setToolTip(remote.notices[0] if remote.notices else "")
            self.statusBar().showMessage(f"{remote.label} · answers are computed on that server")
            self._update_context()
            return
        assert loaded is not None
        self.fit_badge.setToolTip("")
        name = item.key if item else loaded.info.name
        self.fit_badge.setText(self.fit_labels.get(item.key, "") if item else "")
        message = f"{name}: {loaded.plan.describe()}"
        shown = self.statusBar().currentMessage()
        self.statusBar().showMessage(message if shown.startswith("Loading") else f"{shown} {message}")
        self._update_context()

    def show_unloaded(self, key: str) -> None:
        """The loaded model was removed: say that none is loaded now, never show it as loaded."""
        self.fit_badge.setText("")
        self.fit_badge.setToolTip("")
        self.statusBar().showMessage("No model is loaded.")
        self.show_notice(f"{key} was removed, so it was unloaded first. Choose a model to chat.")
        self._update_context()

    def show_notice(self, text: str) -> None:
        """A notice that stays in the status bar until the next one."""
        self.notice_label.setText(text)
        self.notice_label.setToolTip(text)

    def _model_failed(self, text: str) -> None:
        """A refused or failed load: say why, and show what is (still) loaded, if anything."""
        self.load_bar.hide()
        current = self.controller.model
        remote = self.controller.remote
        still = current.key if current else remote.label if remote else None
        self.statusBar().showMessage(f"{still} is still answering." if still else "No model is loaded.")
        self._show_in_picker(current)
        QMessageBox.warning(self._parent(), "Hearth", text)

    def _show_in_picker(self, item: Installed | None) -> None:
        if item is None:
            return
        index = self.model_box.findData(item.model_id)
        if index >= 0 and index != self.model_box.currentIndex():
            self.model_box.setCurrentIndex(index)
        quant = self.quant_box.findData(item.key)
        if quant >= 0:
            self.quant_box.setCurrentIndex(quant)
