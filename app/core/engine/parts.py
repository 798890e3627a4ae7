"""What the engine's mixins (:mod:`.kv_snapshots`, :mod:`.speculative`) use of the engine.

The in-process engine is one class, :class:`~app.core.engine.llama.Engine`; its conversation
caches and its speculative decoding live in their own modules as mixins, and this is the part of
the engine they see (for the type checker; the engine itself provides it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.engine.load_types import LoadedModel


class EngineParts:
    _llama: Any
    model: LoadedModel | None

    @property
    def loaded(self) -> LoadedModel:
        raise NotImplementedError
