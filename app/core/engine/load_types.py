"""What a load asks for and what it gives back, apart from the engine that does it.

The window and the session name these at start-up; the engine itself (:mod:`.llama`, with
llama-cpp-python, NumPy and Jinja) is imported on the engine's thread when it first works,
so a launch does not pay for it before the window is up (~250 ms on the 2-core machine).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.engine.templates import ChatTemplate
    from app.core.models.info import ModelInfo
    from app.core.models.offload import OffloadPlan

DEFAULT_CONTEXT = 4096


@dataclass(frozen=True)
class LoadOptions:
    n_ctx: int = DEFAULT_CONTEXT
    gpu_layers: str | int = "auto"
    n_threads: int | None = None
    # llama.cpp's own default is "auto"; llama-cpp-python turns it off.  Flash
    # attention keeps long-context turns cheap on CPU and GPU alike.
    flash_attn: bool = True


@dataclass
class LoadedModel:
    info: ModelInfo
    plan: OffloadPlan
    template: ChatTemplate
    n_ctx: int
    notices: list[str] = field(default_factory=list)
