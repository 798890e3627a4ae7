"""The model manager window: catalog with fit badges, downloads, installed models.

Downloads and hashing run on worker threads (one per download); their progress
reaches the UI as signals, so the window never waits on the network or the disk.
A download interrupted by closing the app resumes from its ``.part`` file the
next time it is started (the Downloads tab lists interrupted ones).
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.chat.choice import ModelChoice
from app.core.errors import DownloadCancelledError, HearthError
from app.core.models import hardware
from app.core.models.catalog import Catalog
from app.core.models.downloads import OverallProgress, discard_download, download, partial_downloads
from app.core.models.fit import fit_catalog, recommend
from app.core.models.pacing import ProgressPacer
from app.core.models.registry import Registry
from app.core.models.transfer import DownloadControl
from app.core.privacy.policy import load as load_policy
from app.ui.i18n import core, error_text, tr
from app.ui.model_actions import PROGRESS_SECONDS, InstalledActions, show_in_bar
from app.ui.tasks import in_background

GB = 1e9


class _Signals(QObject):
    progress = Signal(str, object)  # key, OverallProgress (many per second: a signal of its own)
    imported = Signal(str, int, int)  # file name, bytes copied and hashed so far, of how many


class DownloadRow(QWidget):
    def __init__(self, key: str, control: DownloadControl) -> None:
        super().__init__()
        self.key, self.control = key, control
        self.label = QLabel(key)
        self.bar = QProgressBar()
        self.bar.setAccessibleName(tr("Download of {model}").format(model=key))
        self.pause = QPushButton(tr("Pause"))
        self.cancel = QPushButton(tr("Cancel"))
        self.pause.clicked.connect(self._pause_resume)
        self.cancel.clicked.connect(control.cancel)
        row = QHBoxLayout(self)
        for widget in (self.label, self.bar, self.pause, self.cancel):
            row.addWidget(widget)

    def _pause_resume(self) -> None:
        if self.control.paused:
            self.control.resume()
            self.pause.setText(tr("Pause"))
        else:
            self.control.pause()
            self.pause.setText(tr("Resume"))

    def show_progress(self, p: OverallProgress) -> None:
        eta = ", " + tr("{seconds} s left").format(seconds=f"{p.file.eta_s:.0f}") if p.file.eta_s else ""
        speed = f"{p.file.speed_bps / 1e6:.1f} MB/s" if p.file.speed_bps else p.file.state
        show_in_bar(self.bar, p.done, p.total, f"{p.done / GB:.2f} / {p.total / GB:.2f} GB, {speed}{eta}")


class InterruptedRow(QWidget):
    def __init__(self, key: str, on_disk: int) -> None:
        super().__init__()
        self.key = key
        self.label = QLabel(f"{key}: {on_disk / GB:.2f} GB already downloaded")
        self.resume = QPushButton(tr("Resume"))
        self.resume.setAccessibleName(tr("Resume the download of {model}").format(model=key))
        self.discard = QPushButton(tr("Discard"))
        self.discard.setAccessibleName(tr("Discard the partial download of {model}").format(model=key))
        row = QHBoxLayout(self)
        row.addWidget(self.label, 1)
        row.addWidget(self.resume)
        row.addWidget(self.discard)


class ModelManager(InstalledActions, QDialog):
    installed_changed = Signal()
    unloaded = Signal(str)  # the loaded model was removed (so unloaded first): its key

    def __init__(
        self,
        registry: Registry,
        catalog: Catalog,
        parent: QWidget | None = None,
        session: ModelChoice | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session  # unloads a model before its files go, if it is the loaded one
        self.importing: threading.Thread | None = None
        self.setWindowTitle(tr("Models"))
        self.resize(900, 560)
        self.setAcceptDrops(True)
        self.registry, self.catalog = registry, catalog
        self.signals = _Signals()
        self.signals.progress.connect(self._progress)
        self.signals.imported.connect(self._import_progress)
        self.rows: dict[str, DownloadRow] = {}
        self.interrupted_rows: dict[str, InterruptedRow] = {}
        self.threads: list[threading.Thread] = []
        tabs = QTabWidget()
        tabs.addTab(self._catalog_tab(), tr("Catalog"))
        tabs.addTab(self._downloads_tab(), tr("Downloads"))
        tabs.addTab(self._installed_tab(), tr("Installed"))
        self.tabs = tabs
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        self.refresh()

    # -- tabs ------------------------------------------------------------------
    def _catalog_tab(self) -> QWidget:
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([tr("Model / quantization"), tr("Size"), tr("On this machine"), ""])
        self.tree.setAccessibleName(tr("Catalog"))
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.download_button = QPushButton(tr("Download selected"))
        self.download_button.clicked.connect(self._download_selected)
        self.sign_in_button = QPushButton()
        self.sign_in_button.clicked.connect(self.sign_in_or_out)
        self._show_sign_in()
        self.policy_note = QLabel()  # why downloads are off, when the organisation's policy says so
        self.policy_note.setObjectName("notice")
        self.policy_note.setWordWrap(True)
        self.policy_note.setAccessibleName(tr("Downloads policy"))
        self.policy_note.hide()
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(self.policy_note)
        column.addWidget(self.tree)
        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        column.addLayout(buttons)
        return page

    def _downloads_tab(self) -> QWidget:
        page = QWidget()
        self.downloads_layout = QVBoxLayout(page)
        self.interrupted = QLabel()
        self.downloads_layout.addWidget(self.interrupted)
        self.downloads_layout.addStretch(1)
        return page

    def _installed_tab(self) -> QWidget:
        self.installed_list = QListWidget()
        self.installed_list.setAccessibleName(tr("Installed models"))
        self.usage = QLabel()
        self.status = QLabel()
        self.status.setAccessibleName(tr("Verification result"))
        # An import's progress goes in a bar's own text (see model_actions.show_in_bar).
        self.import_bar = QProgressBar()
        self.import_bar.setAccessibleName(tr("Import progress"))
        self.import_bar.hide()
        buttons = QHBoxLayout()
        for text, slot in (
            (tr("Import GGUF…"), self.choose_import),
            (tr("Verify"), self.verify_selected),
            (tr("Remove"), self.remove_selected),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(self.installed_list)
        column.addWidget(self.usage)
        column.addWidget(self.status)
        column.addWidget(self.import_bar)
        column.addLayout(buttons)
        column.addWidget(QLabel(tr("Drop .gguf files here to import them.")))
        return page

    def showEvent(self, event: QShowEvent) -> None:
        self.show_policy()
        super().showEvent(event)

    def show_policy(self) -> None:
        """Downloads the policy forbids (offline mode, no downloads) are shown off, with the reason,
        before anyone clicks; core's check is the same one a download runs."""
        try:
            load_policy().require_download()
            denied = None
        except HearthError as error:
            denied = error
        self.policy_note.setVisible(denied is not None)
        self.policy_note.setText(error_text(denied) if denied else "")  # its message and hint
        self.download_button.setEnabled(denied is None)
        self.sign_in_button.setEnabled(denied is None)

    def refresh(self) -> None:
        hw = hardware.detect()
        installed = self.registry.all(self.catalog)
        have = {i.key for i in installed}
        self.tree.clear()
        for model in self.catalog.models:
            best = recommend(model, hw)
            top = QTreeWidgetItem(
                [
                    model.name,
                    f"{model.parameters_b:g}B",
                    tr("recommended: {quant}").format(quant=best.quant) if best else tr("too big here"),
                    "",
                ]
            )
            self.tree.addTopLevelItem(top)
            for quant in model.quants:
                fit = fit_catalog(model, quant, hw)
                mark = (
                    tr("installed")
                    if f"{model.id}:{quant.quant}" in have
                    else ("★ " + tr("recommended") if quant is best else "")
                )
                child = QTreeWidgetItem([quant.quant, f"{quant.size_bytes / GB:.2f} GB", fit.describe(core), mark])
                child.setData(0, Qt.ItemDataRole.UserRole, (model.id, quant.quant))
                top.addChild(child)
            top.setExpanded(best is not None and model.parameters_b < 20)  # what this machine can run, open
        self.installed_list.clear()
        for item in installed:
            row = QListWidgetItem(f"{item.key}  ·  {item.size_bytes / GB:.2f} GB  ·  {item.source}")
            row.setData(Qt.ItemDataRole.UserRole, item.key)
            self.installed_list.addItem(row)
        self.usage.setText(tr("Disk used: {size} GB").format(size=f"{sum(i.size_bytes for i in installed) / GB:.2f}"))
        self._show_interrupted()

    def _show_interrupted(self) -> None:
        """Downloads stopped by closing the app (or a crash) wait here to be resumed or discarded."""
        for row in self.interrupted_rows.values():
            row.setParent(None)
        self.interrupted_rows = {}
        for part in partial_downloads(self.registry.models_dir):
            key = f"{part.model_id}:{part.quant}"
            if key in self.rows:
                continue  # running now
            row = InterruptedRow(key, part.bytes_on_disk)
            row.resume.clicked.connect(lambda _=False, p=part: self.start_download(p.model_id, p.quant))
            row.discard.clicked.connect(lambda _=False, p=part: self.discard(p.model_id, p.quant))
            self.interrupted_rows[key] = row
            self.downloads_layout.insertWidget(self.downloads_layout.count() - 1, row)
        self.interrupted.setText(tr("Interrupted downloads resume where they stopped:") if self.interrupted_rows else "")

    def discard(self, model_id: str, quant: str) -> None:
        try:
            freed = discard_download(self.registry.models_dir, model_id, quant)
        except HearthError as exc:
            QMessageBox.warning(self, "Hearth", error_text(exc))
            return
        self._show_interrupted()
        if not self.interrupted_rows:
            self.interrupted.setText(
                tr("Discarded the partial download of {model} {quant} ({size} GB freed).").format(
                    model=model_id, quant=quant, size=f"{freed / GB:.2f}"
                )
            )

    # -- downloads -----------------------------------------------------------------
    def _download_selected(self) -> None:
        item = self.tree.currentItem()
        data = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        if not data:
            QMessageBox.information(self, "Hearth", tr("Choose a quantization in the list."))
            return
        self.start_download(*data)

    def start_download(self, model_id: str, quant_name: str) -> DownloadRow:
        key = f"{model_id}:{quant_name}"
        if key in self.rows:
            self.tabs.setCurrentIndex(1)
            return self.rows[key]  # already running: show it, do not start it twice
        model = self.catalog.get(model_id)
        quant = model.quant(quant_name)
        waiting = self.interrupted_rows.pop(key, None)
        if waiting is not None:
            waiting.setParent(None)
        control = DownloadControl()
        row = DownloadRow(key, control)
        self.rows[key] = row
        self.downloads_layout.insertWidget(self.downloads_layout.count() - 1, row)
        self.tabs.setCurrentIndex(1)

        pacer = ProgressPacer(PROGRESS_SECONDS)

        def progressed(p: OverallProgress) -> None:
            if pacer.due(p.file.state):
                self.signals.progress.emit(key, p)

        def run() -> object:
            return download(model, quant, self.registry, control=control, on_progress=progressed)

        done = partial(self._finished, key)
        self.threads.append(in_background(f"hearth-download-{key}", run, done, done))
        return row

    def _progress(self, key: str, progress: OverallProgress) -> None:
        if key in self.rows:
            self.rows[key].show_progress(progress)

    def _finished(self, key: str, result: object) -> None:
        row = self.rows.pop(key, None)
        if row is not None:
            row.setParent(None)
        if isinstance(result, Exception) and not isinstance(result, DownloadCancelledError):
            QMessageBox.warning(self, "Hearth", error_text(result))
        self.refresh()
        self.installed_changed.emit()

    def stop_all(self) -> None:
        """Closing the app: stop downloads (their .part files stay for a resume)."""
        for row in list(self.rows.values()):
            row.control.stop()
        for thread in self.threads:
            thread.join(10)

    # -- installed -----------------------------------------------------------------
    def _selected_key(self) -> str | None:
        item = self.installed_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None

    # -- drag and drop ---------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and all(u.toLocalFile().endswith(".gguf") for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.import_files([Path(url.toLocalFile()) for url in event.mimeData().urls()])
