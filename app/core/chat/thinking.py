"""Thinking under the user's control: which modes a model offers, and what an answer that never
left its think block becomes.

Every client shows the same choice (the window's control beside the composer, ``hearth chat
--think``, the conversation's stored mode), so the rules live here once:

* the modes a model offers come from its chat template, probed the way it will be rendered:
  a template whose generation prompt changes with ``thinking`` has a switch (V3.1, V3.2, V4);
  one that always opens the think block (R1 and its distills) is switched off by Hearth closing
  the block at once; V4's templates also read ``reasoning_effort`` (``high``, ``max``); one that
  never opens it offers no choice.  A model on a remote engine has no template here: its catalog
  family decides, else every mode is offered and the server's template picks what it knows;
* a mode the model does not offer falls back to the nearest one it does (``max`` to ``on``);
* a model that ends its turn inside its think block has written its answer there: the text is
  kept as the answer, with a notice, instead of an empty answer under a long reasoning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.engine.base import THINKING_LEVELS
from app.core.engine.events import GenerationSummary, StopReason
from app.core.sentences import say

if TYPE_CHECKING:
    from app.core.engine.templates import ChatTemplate  # Jinja: imported where templates are rendered

ON_OFF = ("off", "on")
FAMILY_LEVELS: dict[str, tuple[str, ...]] = {
    "deepseek-r1": ON_OFF,
    "deepseek-v3.1": ON_OFF,
    "deepseek-v3.2": ON_OFF,
    "deepseek-v4": THINKING_LEVELS,
    "deepseek-v3": (),
    "deepseek-v2": (),
}
NEVER_CLOSED = say("The model ended its turn without closing its reasoning; that text is shown as the answer.")
DESCRIPTIONS = {
    "off": "answers at once, without reasoning",
    "on": "reasons before answering",
    "high": "reasons at length (V4's high effort)",
    "max": "reasons as thoroughly as it can (V4's maximum effort)",
}


def template_levels(template: ChatTemplate) -> tuple[str, ...]:
    """The thinking modes a local model's template offers (probed once per template)."""
    cache: dict[str, tuple[str, ...]] = template.__dict__.setdefault("_thinking_levels", {})
    if "levels" not in cache:
        on = template.prefills({"thinking": True, "enable_thinking": True})
        off = template.prefills({"thinking": False, "enable_thinking": False})
        if on == off and not on:
            levels: tuple[str, ...] = ()
        elif "reasoning_effort" in template.source:
            levels = THINKING_LEVELS
        else:
            levels = ON_OFF
        cache["levels"] = levels
    return cache["levels"]


def family_levels(family: str | None) -> tuple[str, ...]:
    """The modes a catalog family offers; an unknown family (a remote model Hearth cannot place)
    is offered every mode."""
    return FAMILY_LEVELS.get(family or "", THINKING_LEVELS)


def resolve(requested: str | None, levels: tuple[str, ...]) -> str | None:
    """The mode to send: the requested one where offered, else the nearest; None where the model
    has no choice (the template is left at its own default)."""
    if not levels:
        return None
    if requested in levels:
        return requested
    if requested in ("high", "max") and "on" in levels:
        return "on"
    return "on" if "on" in levels else levels[0]


def never_closed(summary: GenerationSummary, reasoning: str, content: str) -> bool:
    """Whether the model ended its turn (not a cut: the budget, a stop, an error) with everything
    it wrote still inside the think block."""
    return summary.stop_reason is StopReason.EOS and bool(reasoning.strip()) and not content.strip()
