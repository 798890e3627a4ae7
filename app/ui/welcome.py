"""First run: what this machine can do, which model to start with, and how to get it.

Works without a network: importing a GGUF file is always offered, and when
downloads are impossible (offline policy, downloads disallowed) it says so
instead of offering a button that would fail.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.models import hardware
from app.core.models.catalog import Catalog
from app.core.models.fit import first_model, fit_catalog
from app.core.privacy.policy import Policy
from app.ui.i18n import core, tr

GB = 1e9


class Welcome(QDialog):
    download_requested = Signal(str, str)  # model id, quant
    import_requested = Signal()

    def __init__(self, catalog: Catalog, rules: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Welcome to Hearth"))
        self.catalog, self.rules = catalog, rules
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.download = QPushButton(tr("Download the recommended model"))
        self.download.clicked.connect(self._download)
        self.import_button = QPushButton(tr("Import a GGUF file…"))
        self.import_button.clicked.connect(self._import)
        later = QPushButton(tr("Later"))
        later.clicked.connect(self.reject)
        row = QHBoxLayout()
        for button in (self.download, self.import_button, later):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        """Describe the machine and the recommendation (again, once the speed estimates are known)."""
        catalog, rules = self.catalog, self.rules
        hw = hardware.detect()
        gpu = ", ".join(f"{g.name} ({g.total_bytes / GB:.0f} GB)" for g in hw.gpus) or tr("none usable")
        lines = [
            "<h2>" + tr("Private chat, on this computer") + "</h2>",
            "<p>" + tr("Hearth runs DeepSeek models here. Nothing you type leaves this machine.") + "</p>",
            "<p>"
            + tr("<b>This machine:</b> {memory} GB memory, {cores} CPU cores, GPU: {gpu} (backend: {backend}).").format(
                memory=f"{hw.ram_total_bytes / GB:.0f}", cores=hw.physical_cores, gpu=gpu, backend=hardware.llama_backend()
            )
            + "</p>",
        ]
        self.choice = first_model(catalog, hw, rules)
        can_download = not rules["offline"] and rules["allow_downloads"]
        if self.choice:
            model, quant = self.choice
            fit = fit_catalog(model, quant, hw)
            lines.append("<p>" + tr("<b>Recommended:</b> {model} {quant} ({size} GB, {fit}).").format(
                model=model.name, quant=quant.quant, size=f"{quant.size_bytes / GB:.1f}", fit=fit.describe(core)
            ) + "</p>")  # fmt: skip
        if not can_download:
            off = tr(
                "Downloads are turned off on this computer (offline or by your organisation): "
                "import a GGUF file you already have, or ask IT to pre-install a model."
            )
            lines.append(f"<p>{off}</p>")
        else:
            lines.append("<p>" + tr("No network is used until you start a download.") + "</p>")
        self.text.setText("".join(lines))
        self.download.setEnabled(bool(self.choice) and can_download)

    def _import(self) -> None:
        self.import_requested.emit()
        self.accept()

    def _download(self) -> None:
        if self.choice:
            self.download_requested.emit(self.choice[0].id, self.choice[1].quant)
        self.accept()
