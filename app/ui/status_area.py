"""The window's status area: what the last answer cost (tokens, speed, where it ran,
speculation) and how much of the context is used, as a bar and in numbers.

A mixin of :class:`app.ui.main_window.MainWindow`, which builds the widgets it uses
(``context_label``, ``context_bar``) and owns the controller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from app.core.engine.events import GenerationSummary
from app.ui.chat_controller import ChatController
from app.ui.i18n import tr
from app.ui.remote_models import MARK


class StatusArea:
    controller: ChatController
    context_label: QLabel
    context_bar: QProgressBar

    if TYPE_CHECKING:  # provided by MainWindow (a QMainWindow); declared for the type checker only

        def statusBar(self) -> QStatusBar: ...

    def show_answer_stats(self, summary: GenerationSummary) -> None:
        remote = self.controller.remote
        model = self.controller.model.key if self.controller.model else remote.label if remote else ""
        where = (
            f"{MARK} " + tr("on server")
            if remote
            else tr("GPU layers {count}").format(count=self.controller.loaded.plan.gpu_layers if self.controller.loaded else 0)
        )
        used = summary.prompt_tokens + summary.completion_tokens
        total = self.controller.session.context_size or "?"
        speculation = f" · {summary.speculation}" if summary.speculation else ""
        self.statusBar().showMessage(
            f"{model} · {where} · "
            + tr("context {used} / {total} · {tokens} tokens · {speed} tok/s").format(
                used=used, total=total, tokens=summary.completion_tokens, speed=f"{summary.tokens_per_s:.1f}"
            )
            + speculation
        )
        self._update_context(used)

    def _update_context(self, used: int | None = None) -> None:
        """The context budget: tokens of the last prompt plus its answer, of the window's total."""
        total = self.controller.session.context_size
        if not self.controller.ready:
            self.context_label.setText("")
            self.context_bar.hide()
            return
        self.context_label.setText(
            tr("context {used} / {total} tokens").format(used=used if used is not None else "–", total=total)
        )
        self.context_bar.setVisible(bool(total))
        # QProgressBar repaints at once on a new value (a synchronous paint of the status bar, ~4 ms
        # at the end of each answer); with updates held it is painted with the window's next frame.
        self.context_bar.setUpdatesEnabled(False)
        self.context_bar.setRange(0, max(int(total or 1), 1))
        self.context_bar.setValue(min(used or 0, int(total or 0)))
        self.context_bar.setUpdatesEnabled(True)
        self.context_bar.setToolTip(
            tr("{used} of {total} tokens of context used").format(used=f"{used or 0:,}", total=f"{total:,}") if total else ""
        )
