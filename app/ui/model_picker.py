"""The window's model control, filled and kept true: installed models with their quantizations
and fit, remote engines' models, and what answers now.

What the control shows always comes from the session (what answers now); choosing an entry asks
the session to load it, through the core's gate, on the engine's thread.  A mixin of
:class:`app.ui.main_window.MainWindow`, which builds the control (``model_control``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QStatusBar, QWidget

from app.core.engine.load_types import LoadedModel
from app.core.errors import HearthError
from app.core.models import hardware
from app.core.models.catalog import Catalog
from app.core.models.fit import fit_file
from app.core.models.info import inspect_model
from app.core.models.registry import Installed, Registry
from app.ui.chat_controller import ChatController
from app.ui.i18n import core, sentence, tr
from app.ui.model_control import Entry, ModelControl
from app.ui.remote_models import RemoteEntries, entry_label, is_remote


class ModelPicker:
    controller: ChatController
    registry: Registry
    catalog: Catalog
    model_control: ModelControl
    notice_label: QLabel
    load_bar: QProgressBar
    remote_entries: RemoteEntries
    installed: list[Installed]
    fit_labels: dict[str, str]
    local_entries: list[Entry]

    if TYPE_CHECKING:  # provided by MainWindow (a QMainWindow); declared for the type checker only

        def statusBar(self) -> QStatusBar: ...

        def _update_context(self, used: int | None = None) -> None: ...

    def _parent(self) -> QWidget:
        return cast(QWidget, self)

    def fill_models(self) -> None:
        """Every installed quantization (smallest first under its model's name, with its fit on
        this machine), then the remote engines' models."""
        self.installed = self.registry.all(self.catalog)
        hw = hardware.detect()
        entries = []
        for model_id in dict.fromkeys(i.model_id for i in self.installed):
            family = sorted((i for i in self.installed if i.model_id == model_id), key=lambda i: i.size_bytes)
            name = family[0].name or model_id
            for item in family:
                try:
                    info = inspect_model(item.path)
                except HearthError:  # a referenced file on a drive that is gone: listed; choosing it says why
                    self.fit_labels[item.key] = tr("file not found")
                else:
                    fit = fit_file(info, hw, self.controller.options.n_ctx, self.controller.options.gpu_layers)
                    self.fit_labels[item.key] = fit.describe(core)
                entries.append(Entry(item.key, f"{item.quant} · {self.fit_labels[item.key]}", name))
        self.local_entries = entries
        self.show_entries()

    def show_entries(self) -> None:
        """The installed entries as last filled, then the servers' (a server survey arriving
        refreshes the menu without reading every installed file again)."""
        self.model_control.set_entries(self.local_entries + self.remote_entries.entries())
        self._show_current()

    def refresh_fit_labels(self) -> None:
        """The speed estimates became known (the bandwidth was measured): relabel."""
        self.fill_models()

    def _entry_chosen(self, data: str) -> None:
        if is_remote(data):
            current = self.controller.remote
            if current is None or current.spec != data:
                self.load_remote(data)
            return
        target = next((i for i in self.installed if i.key == data), None)
        if target is None or (self.controller.model is not None and target.key == self.controller.model.key):
            return
        self.switch_to(target)

    def switch_to(self, target: Installed) -> None:
        """Load another model or quantization (through the core's gate, on the engine's thread);
        the conversation stays and continues on it."""
        if self.controller.busy:
            QMessageBox.information(self._parent(), "Hearth", tr("Stop the answer first, then switch."))
            return
        self.statusBar().showMessage(tr("Loading {model}…").format(model=target.key))
        self.show_load_progress(0.0)
        self.controller.load(target, switching=self.controller.model is not None)

    def show_load_progress(self, fraction: float) -> None:
        """The load bar beside the status message, until the model answers or the load fails."""
        self.load_bar.setValue(round(fraction * 100))
        self.load_bar.setFormat(tr("Loading %p %"))
        self.load_bar.show()

    def load_remote(self, spec: str) -> None:
        """Answer on a model of a remote engine; the conversation stays and continues there."""
        if self.controller.busy:
            QMessageBox.information(self._parent(), "Hearth", tr("Stop the answer first, then switch."))
            return
        self.statusBar().showMessage(tr("Connecting to {engine}…").format(engine=spec.removeprefix("remote:")))
        self.controller.load(spec)

    def _show_current(self) -> None:
        """The control says what answers now, from the session: a model here (its quantization,
        fit and expected speed), a remote engine's model, or nothing."""
        remote, item = self.controller.remote, self.controller.model
        if remote is not None:
            text = entry_label(remote.model_id, remote.engine)
            tip = sentence(remote.notices[0]) if remote.notices else tr("answers are computed on that server")
            self.model_control.show_loaded(remote.spec, text, tip)
        elif item is not None and self.controller.loaded is not None:
            fit = self.fit_labels.get(item.key, "")
            text = " · ".join(part for part in (item.name or item.model_id, item.quant, fit) if part)
            self.model_control.show_loaded(item.key, text, str(item.path))
        elif self.controller.loaded is not None:  # a file opened by path, not installed
            self.model_control.show_loaded(self.controller.loaded.info.name, self.controller.loaded.info.name, "")
        else:
            self.model_control.show_loaded(None, "", "")

    def _model_loaded(self, loaded: LoadedModel | None, item: Installed | None) -> None:
        was_loading = not self.load_bar.isHidden()  # the status bar says "Loading …": replaced, not extended
        self.load_bar.hide()
        self._show_current()
        remote = self.controller.remote
        if loaded is None and remote is not None:
            self.statusBar().showMessage(f"{remote.label} · " + tr("answers are computed on that server"))
            self._update_context()
            return
        assert loaded is not None
        name = item.key if item else loaded.info.name
        message = f"{name}: {loaded.plan.describe(core)}"
        shown = self.statusBar().currentMessage()
        self.statusBar().showMessage(message if was_loading or not shown else f"{shown} {message}")
        self._update_context()

    def show_unloaded(self, key: str) -> None:
        """The loaded model was removed: say that none is loaded now, never show it as loaded."""
        self._show_current()
        self.statusBar().showMessage(tr("No model is loaded."))
        self.show_notice(tr("{model} was removed, so it was unloaded first. Choose a model to chat.").format(model=key))
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
        self.statusBar().showMessage(
            tr("{model} is still answering.").format(model=still) if still else tr("No model is loaded.")
        )
        self._show_current()
        QMessageBox.warning(self._parent(), "Hearth", text)
