"""First run: what this machine can do, which model to start with, and how to get it.

Works without a network: importing a GGUF file is always offered, and when
downloads are impossible (offline policy, downloads disallowed) it says so
instead of offering a button that would fail.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.models import hardware
from app.core.models.catalog import Catalog, CatalogModel, CatalogQuant
from app.core.models.fit import USABLE_TOKENS_PER_S, fit_catalog, recommend
from app.core.privacy.policy import Policy

GB = 1e9
# Starting points, best first: the welcome recommends the first that fits this machine.
STARTERS = ("r1-distill-qwen-14b", "r1-0528-qwen3-8b", "r1-distill-qwen-7b", "r1-distill-qwen-1.5b")


def starter(catalog: Catalog, hw: hardware.Hardware, rules: Policy) -> tuple[CatalogModel, CatalogQuant] | None:
    """The first starting point that runs here at a usable speed, once the speed is known;
    otherwise (or if none is that fast) the first that fits comfortably."""
    for model_id in STARTERS:
        model = next((m for m in catalog.models if m.id == model_id), None)
        quant = recommend(model, hw) if model is not None else None
        if model is None or quant is None or not rules.model_allowed(model.id, quant.quant):
            continue
        if (fit_catalog(model, quant, hw).tokens_per_s or 0) >= USABLE_TOKENS_PER_S:
            return model, quant
    for model_id in STARTERS:
        model = next((m for m in catalog.models if m.id == model_id), None)
        if model is None:
            continue
        quant = recommend(model, hw)
        if (
            quant is not None and rules.model_allowed(model.id, quant.quant) and fit_catalog(model, quant, hw).verdict != "cpu"
        ) or (quant is not None and rules.model_allowed(model.id, quant.quant) and quant.size_bytes < hw.ram_total_bytes / 3):
            return model, quant
    return None


class Welcome(QDialog):
    download_requested = Signal(str, str)  # model id, quant
    import_requested = Signal()

    def __init__(self, catalog: Catalog, rules: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Hearth")
        self.catalog, self.rules = catalog, rules
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.download = QPushButton("Download the recommended model")
        self.download.clicked.connect(self._download)
        self.import_button = QPushButton("Import a GGUF file…")
        self.import_button.clicked.connect(self._import)
        later = QPushButton("Later")
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
        gpu = ", ".join(f"{g.name} ({g.total_bytes / GB:.0f} GB)" for g in hw.gpus) or "none usable"
        lines = [
            "<h2>Private chat, on this computer</h2>",
            "<p>Hearth runs DeepSeek models here. Nothing you type leaves this machine.</p>",
            f"<p><b>This machine:</b> {hw.ram_total_bytes / GB:.0f} GB memory, {hw.physical_cores} CPU cores, GPU: {gpu}"
            f" (backend: {hardware.llama_backend()}).</p>",
        ]
        self.choice = starter(catalog, hw, rules)
        can_download = not rules["offline"] and rules["allow_downloads"]
        if self.choice:
            model, quant = self.choice
            fit = fit_catalog(model, quant, hw)
            lines.append(f"<p><b>Recommended:</b> {model.name} {quant.quant} ({quant.size_bytes / GB:.1f} GB, {fit.label}).</p>")
        if not can_download:
            lines.append("<p>Downloads are turned off on this computer (offline or by your organisation): "
                         "import a GGUF file you already have, or ask IT to pre-install a model.</p>")  # fmt: skip
        else:
            lines.append("<p>No network is used until you start a download.</p>")
        self.text.setText("".join(lines))
        self.download.setEnabled(bool(self.choice) and can_download)

    def _import(self) -> None:
        self.import_requested.emit()
        self.accept()

    def _download(self) -> None:
        if self.choice:
            self.download_requested.emit(self.choice[0].id, self.choice[1].quant)
        self.accept()
