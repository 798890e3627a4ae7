"""The Models window's actions on installed models and the Hub account: import (copy and hash on
another thread, with progress), verify, remove (asked first, naming what is deleted; the loaded
model unloaded before its files go), and signing in to the Hub.  What each does is decided in core
(:mod:`app.core.models.ops`, :mod:`app.core.models.hub`, the session's ``release``)."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QWidget,
)

from app.core.chat.choice import ModelChoice
from app.core.errors import HearthError
from app.core.models import hub
from app.core.models.catalog import Catalog
from app.core.models.ops import describe_removal, import_model, remove_model, verify_model
from app.core.models.pacing import ProgressPacer
from app.core.models.registry import Registry
from app.ui.i18n import error_text, sentence, tr
from app.ui.tasks import in_background

PROGRESS_SECONDS = 0.1  # how often the window shows a copy's or a download's progress


class InstalledActions:
    """Mixed into :class:`~app.ui.model_manager.ModelManager` (a QDialog: ``self`` is the parent
    of the message boxes)."""

    registry: Registry
    catalog: Catalog
    session: ModelChoice | None
    importing: threading.Thread | None
    signals: Any
    status: QLabel
    import_bar: QProgressBar
    tabs: QTabWidget
    installed_list: QListWidget
    sign_in_button: QPushButton
    installed_changed: Any
    unloaded: Any

    def _window(self) -> QWidget:
        assert isinstance(self, QWidget)  # the dialog itself: the parent of its message boxes
        return self

    def refresh(self) -> None: ...

    def _selected_key(self) -> str | None: ...

    # -- Hub sign-in (gated repos, internal mirrors) ------------------------------------
    def _show_sign_in(self) -> None:
        try:
            endpoint, signed = hub.hub_endpoint(), hub.signed_in()
        except HearthError:  # a policy endpoint that is refused: downloads say why
            endpoint, signed = "", False
        self.sign_in_button.setText(tr("Sign out of the Hub") if signed else tr("Sign in to the Hub…"))
        self.sign_in_button.setToolTip(
            tr("A token for {endpoint}, kept in the OS keyring (gated models, internal mirrors)").format(endpoint=endpoint)
            if endpoint
            else ""
        )

    def sign_in_or_out(self) -> None:
        try:
            if hub.signed_in():
                hub.sign_out()
            else:
                endpoint = hub.hub_endpoint()
                label = tr("Access token for {endpoint}\n(kept in the OS keyring, never in a file):").format(endpoint=endpoint)
                token, ok = QInputDialog.getText(self._window(), tr("Sign in to the Hub"), label, QLineEdit.EchoMode.Password)
                if not ok or not token.strip():
                    return
                hub.sign_in(token)
        except HearthError as exc:
            QMessageBox.warning(self._window(), "Hearth", error_text(exc))  # its text ends with the hint
        self._show_sign_in()

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._window(), tr("Import a GGUF model"), "", tr("GGUF models (*.gguf)"))
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        self.import_files([path])

    def import_files(self, paths: list[Path]) -> None:
        """Copy and hash in the background (a 40 GB file takes minutes), one file after another,
        with progress under the list; the result or the error comes back on the UI thread."""
        if self.importing is not None and self.importing.is_alive():
            QMessageBox.information(self._window(), "Hearth", tr("An import is running; wait for it to finish."))
            return
        self.tabs.setCurrentIndex(2)

        def run() -> list[object]:
            results: list[object] = []
            for path in paths:
                total = path.stat().st_size if path.exists() else 0  # the first shard's: a guide
                so_far, pacer = [0], ProgressPacer(PROGRESS_SECONDS)  # bytes copied and hashed

                def copied(
                    chunk: int,
                    name: str = path.name,
                    total: int = total,
                    so_far: list[int] = so_far,
                    pacer: ProgressPacer = pacer,
                ) -> None:
                    so_far[0] += chunk
                    if pacer.due():
                        self.signals.imported.emit(name, so_far[0], max(total, so_far[0]))

                try:
                    results.append(import_model(path, self.registry, self.catalog, "copy", on_bytes=copied))
                except HearthError as exc:
                    results.append(exc)
            return results

        self.status.setText("")
        self.import_bar.setRange(0, 0)  # busy until the first figures arrive
        self.import_bar.setFormat(_literal(tr("Importing {file}…").format(file=paths[0].name)))
        self.import_bar.show()
        self.importing = in_background("hearth-import", run, self._imported, lambda exc: self._imported([exc]))

    def _import_progress(self, name: str, done: int, total: int) -> None:
        share = f"{done * 100 // total} %, " if total else ""
        text = tr("Importing {file}… {share}{done} of {total} GB copied and hashed").format(
            file=name, share=share, done=f"{done / 1e9:.1f}", total=f"{total / 1e9:.1f}"
        )
        show_in_bar(self.import_bar, done, total, text)

    def _imported(self, results: list[object]) -> None:
        self.import_bar.hide()
        for result in results:
            if isinstance(result, BaseException):
                QMessageBox.warning(self._window(), "Hearth", error_text(result))
            else:
                for notice in getattr(result, "notices", ()):
                    QMessageBox.information(self._window(), "Hearth", sentence(notice))
        self.refresh()
        self.installed_changed.emit()

    def verify_selected(self) -> None:
        key = self._selected_key()
        if key is None:
            return
        item = next(i for i in self.registry.all(self.catalog) if i.key == key)

        self.status.setText(tr("Verifying {model}…").format(model=key))
        done = partial(self._verified, key)
        in_background(f"hearth-verify-{key}", lambda: verify_model(item, self.registry, self.catalog), done, done)

    def _verified(self, key: str, result: object) -> None:
        """An intact model is reported in the window; a damaged one in a warning that says what is wrong."""
        if isinstance(result, Exception):
            self.status.setText(tr("{model}: not verified.").format(model=key))
            QMessageBox.warning(self._window(), "Hearth", error_text(result))
        elif getattr(result, "ok", False):
            self.status.setText(tr("{model}: intact (every file matches its sha256).").format(model=key))
        else:
            self.status.setText(tr("{model}: damaged.").format(model=key))
            problems = "\n".join(map(sentence, getattr(result, "problems", ())))
            QMessageBox.warning(
                self._window(),
                "Hearth",
                tr("{model} is damaged:\n{problems}\n\nRemove it and download it again.").format(model=key, problems=problems),
            )

    def remove_selected(self) -> None:
        """Ask first, naming what is deleted; the loaded model is unloaded before its files go."""
        key = self._selected_key()
        if key is None:
            return
        item = next(i for i in self.registry.all(self.catalog) if i.key == key)
        what = sentence(describe_removal(item))
        if item.source == "shared":
            QMessageBox.information(self._window(), "Hearth", what)
            return
        loaded = self.session is not None and self.session.in_use(key)
        text = tr("Remove {model} ({quant})?").format(model=item.name or key, quant=item.quant) + f"\n\n{what}"
        if loaded:
            text += "\n\n" + tr("It is the model loaded now: it is unloaded first, and no model answers until you choose one.")
        if QMessageBox.question(self._window(), tr("Remove a model"), text) != QMessageBox.StandardButton.Yes:
            return
        try:
            unloading = self.session.release(key) if self.session is not None else None
        except HearthError as exc:
            QMessageBox.warning(self._window(), "Hearth", error_text(exc))
            return
        removal = lambda: remove_model(item, self.registry)  # noqa: E731
        if unloading is not None:
            first = unloading
            removal = lambda: (first.result(), remove_model(item, self.registry))[1]  # noqa: E731
        self.status.setText(tr("Removing {model}…").format(model=key))
        done = partial(self._removed, key if loaded else None)
        in_background(f"hearth-remove-{key}", removal, done, done)

    def _removed(self, unloaded: str | None, result: object) -> None:
        self.status.setText("")
        if unloaded is not None and self.session is not None and not self.session.in_use(unloaded):
            self.unloaded.emit(unloaded)
        if isinstance(result, BaseException):
            QMessageBox.warning(self._window(), "Hearth", error_text(result))
        self.refresh()
        self.installed_changed.emit()


def show_in_bar(bar: QProgressBar, done: int, total: int, text: str) -> None:
    """Bytes done of total, with ``text`` as the bar's own text.  A bar's size does not depend on
    its text, where a label's changing text lays the whole window out again on every update
    (2-7 ms each in the stall benchmark's download and import)."""
    bar.setRange(0, max(1, total // 1024))
    bar.setValue(min(done, total) // 1024)
    bar.setFormat(_literal(text))


def _literal(text: str) -> str:
    """Text for a progress bar's format, shown as written: the bar replaces %p, %v and %m, so a
    zero-width space goes after each % (a file may be named "50%p.gguf")."""
    return text.replace("%", "%\u200b")
