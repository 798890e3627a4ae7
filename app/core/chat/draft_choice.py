"""Which draft model speeds up the loaded one (speculative decoding), by the ``draft_model`` setting.

``auto`` takes the catalog's pair (R1-Distill-Qwen-1.5B for the 7B-32B Qwen distills,
R1-Distill-Llama-8B for the 70B) when it is installed, its smallest quantization of at least
4 bits (a draft is only worth its guesses if it is cheap); ``prompt-lookup`` drafts from the
conversation itself; anything else names a model as ``--model`` does.  A draft goes through the
same gate as any model (policy, identity), and the engine compares the two vocabularies token by
token before it drafts.  Whatever goes wrong only turns speculation off, with a notice: the
model that was asked for answers either way.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.chat.gate import approve, resolve
from app.core.errors import HearthError
from app.core.models.catalog import Catalog
from app.core.models.registry import Installed, Registry
from app.core.privacy.policy import Policy

if TYPE_CHECKING:
    from app.core.engine.llama import Engine

log = logging.getLogger(__name__)

OFF = "off"
AUTO = "auto"
PROMPT_LOOKUP = "prompt-lookup"
LOW_BITS = ("Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "IQ2_XXS", "IQ2_XS", "IQ3_XXS")


def catalog_draft(target: Installed | None, registry: Registry, catalog: Catalog) -> Installed | None:
    """The installed catalog pair of ``target`` (None when the catalog names none or it is not installed)."""
    if target is None or not target.in_catalog:
        return None
    try:
        draft_id = catalog.get(target.model_id).draft
    except HearthError:
        return None
    if not draft_id:
        return None
    mine = [i for i in registry.all(catalog) if i.model_id == draft_id and not i.failed_verify]
    usable = [i for i in mine if i.quant.upper() not in LOW_BITS] or mine
    return min(usable, key=lambda i: sum(f.size for f in i.files), default=None)


def attach_draft(
    engine: Engine, setting: str, target: Installed | None, registry: Registry, catalog: Catalog, rules: Policy
) -> list[str]:
    """Set the engine's drafter for the model it just loaded; notices to show (on the engine's thread)."""
    engine.drop_draft()
    choice = setting.strip()
    if choice == OFF:
        return []
    if choice == PROMPT_LOOKUP:
        engine.use_prompt_lookup()
        return ["Speculative decoding: drafting from the conversation (prompt lookup)."]
    installed: Installed | None
    if choice == AUTO:
        installed = catalog_draft(target, registry, catalog)
        if installed is None:
            return []
        path: Path = installed.path
    else:
        try:
            path, installed = resolve(choice, registry, catalog, rules)
        except HearthError as exc:
            return [f"Speculative decoding is off: {exc}"]
    if target is not None and installed is not None and installed.key == target.key:
        return ["Speculative decoding is off: the draft is the model itself."]
    from app.core.engine.drafting import DraftPairError  # NumPy: imported on the engine's thread

    try:
        approve(path, installed, registry, catalog, rules)
        name = engine.load_draft(str(path), only_if_faster=choice == AUTO)  # one the user named is used as asked
    except (DraftPairError, HearthError) as exc:
        log.info("no draft model: %s", exc)
        return [f"Speculative decoding is off: {exc}"]
    return [f"Speculative decoding: {name} drafts for this model."]
