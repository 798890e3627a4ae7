"""What answers a session's questions: a model loaded here, or a model on a remote engine.

Split from :mod:`.session` because choosing the model is its own set of rules:
every local load goes through :mod:`.gate` (identity, shared-file
verification, ``allowed_models``), every remote choice through
:mod:`.remote_choice` (the policy's engines, the server's model list), both run
on the engine's thread, and a refused or failed choice leaves what answered
before answering.  The :class:`ModelSlot` is shared by every session on one
worker (the window's and the local API's), since they share the one model in
memory or the one remote engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.chat.draft_choice import attach_draft
from app.core.chat.gate import ApprovedModel, approve, resolve
from app.core.chat.remote_choice import RemoteModel, connect
from app.core.engine import endpoints
from app.core.engine.load_types import LoadedModel, LoadOptions
from app.core.engine.worker import EngineWorker
from app.core.errors import HearthError
from app.core.models import hardware
from app.core.models.catalog import Catalog
from app.core.models.ops import plan_switch
from app.core.models.registry import Installed, Registry
from app.core.privacy.locks import EffectiveSettings
from app.core.sentences import say
from app.core.store.database import Store

if TYPE_CHECKING:
    from app.core.engine.llama import Engine  # made on the engine's thread (see EngineWorker)
    from app.core.engine.remote import RemoteEngine  # imports httpx: only when a remote engine is chosen

ChosenModel = ApprovedModel | RemoteModel


@dataclass(frozen=True)
class LoadResult:
    loaded: LoadedModel | None  # None: the model answers on a remote engine
    model: ChosenModel
    notices: tuple[str, ...]  # the gate's, llama.cpp's and a switch's warnings, to show the user

    def describe(self) -> str:
        """One line on what now answers (the CLI prints it)."""
        if self.loaded is None:
            return self.model.label
        return f"{self.loaded.info.name}: {self.loaded.plan.describe()}"


@dataclass
class ModelSlot:
    """What answers: shared by every session on one worker (the window's and the local API's),
    since they share the one model in memory, or the one remote engine."""

    model: ChosenModel | None = None
    loaded: LoadedModel | None = None
    remote: RemoteEngine | None = None  # set while a remote engine answers (then ``loaded`` is None)


class ModelChoice:
    """The model half of a :class:`~app.core.chat.session.ChatSession`."""

    worker: EngineWorker
    store: Store | None
    registry: Registry
    catalog: Catalog
    slot: ModelSlot
    settings: EffectiveSettings
    options: LoadOptions
    conversation_id: int | None
    loading: bool
    on_load_progress: Callable[[float], None] | None  # how far a load is, 0.0-1.0 (on the engine's thread)
    _lock: threading.Lock

    @property
    def model(self) -> ChosenModel | None:
        return self.slot.model

    @property
    def remote(self) -> RemoteModel | None:
        """The remote model that answers, if one does."""
        model = self.slot.model
        return model if isinstance(model, RemoteModel) else None

    @property
    def context_size(self) -> int | None:
        """The context the answering model runs with: the loaded model's, or what the server says."""
        if self.slot.loaded is not None:
            return self.slot.loaded.n_ctx
        remote = self.remote
        return remote.context if remote is not None else None

    @property
    def ready(self) -> bool:
        """Whether a question can be answered (a model is loaded here or a remote engine is chosen)."""
        return self.slot.model is not None and (self.slot.loaded is not None or self.slot.remote is not None)

    @property
    def loaded(self) -> LoadedModel | None:
        return self.slot.loaded

    @property
    def busy(self) -> bool:
        raise NotImplementedError  # the session's: whether an answer is being written

    def in_use(self, key: str) -> bool:
        """Whether installed model ``key`` is the one loaded now."""
        model = self.slot.model
        return isinstance(model, ApprovedModel) and model.installed is not None and model.installed.key == key

    def release(self, key: str) -> Future[None] | None:
        """Before the files of installed model ``key`` are removed: unload it if it is the one
        loaded (nothing answers until another is chosen).  None when it is not loaded; refused
        while it answers."""
        if not self.in_use(key):
            return None
        if self.busy:
            raise HearthError(say("{key} is answering now; stop the answer before removing it.", key=key))

        def run(engine: Engine) -> None:
            engine.close()
            with self._lock:
                self.slot.model = self.slot.loaded = None

        future: Future[None] = self.worker.call(run)
        return future

    # -- model -----------------------------------------------------------------------
    def load(self, target: Installed | Path | str | None, *, switching: bool = False) -> Any:
        """Load through the gate, on the engine's thread; the future gives a :class:`LoadResult`.
        A model the gate refuses leaves the loaded one in place; a failed load leaves none.
        ``remote:ENGINE/MODEL`` chooses a model on a remote engine (:meth:`load_remote`)."""
        rules = self.settings.policy
        remote = endpoints.parse_spec(target) if isinstance(target, str) else None
        if remote is not None:
            return self.load_remote(*remote)
        if isinstance(target, Installed):
            path, installed = target.path, target
        elif isinstance(target, Path):
            path, installed = target, None
        else:
            path, installed = resolve(target, self.registry, self.catalog, rules)
        previous, options = self.model, self.options

        def run(engine: Engine) -> LoadResult:
            approved = approve(path, installed, self.registry, self.catalog, rules)
            warnings: tuple[str, ...] = ()
            if switching and installed is not None:
                before = previous.installed if previous else None
                warnings = plan_switch(before, installed, hardware.detect(), options.n_ctx).warnings
            try:
                loaded = engine.load(str(path), options, progress=self._load_progress())
            except BaseException:
                if self.slot.remote is None:  # a remote engine that answered goes on answering
                    with self._lock:
                        self.slot.model = self.slot.loaded = None
                raise
            self._use_model(approved, loaded, None)
            drafting = attach_draft(engine, str(self.settings["draft_model"]), installed, self.registry, self.catalog, rules)
            return LoadResult(loaded, approved, approved.notices + warnings + tuple(loaded.notices) + tuple(drafting))

        return self._loading(run)

    def _load_progress(self) -> Callable[[float], None]:
        """A reporter for one load: passes on each whole percent once (llama.cpp calls it per tensor)."""
        last = [-1]

        def report(fraction: float) -> None:
            percent = int(min(max(fraction, 0.0), 1.0) * 100)
            hook = self.on_load_progress
            if percent != last[0] and hook is not None:
                last[0] = percent
                hook(percent / 100)

        return report

    def load_remote(self, engine_name: str, model: str | None) -> Any:
        """Choose ``model`` on the remote engine ``engine_name``; the future gives a :class:`LoadResult`.
        The server is asked first (``/v1/models``, with the stored key): a refused or unreachable one
        leaves the current model answering.  A model loaded here is closed (its memory freed)."""
        rules = self.settings.policy

        def run(engine: Engine) -> LoadResult:
            remote, chosen = connect(engine_name, model, rules)
            engine.close()
            self._use_model(chosen, None, remote)
            return LoadResult(None, chosen, chosen.notices)

        return self._loading(run)

    def _use_model(self, model: ChosenModel, loaded: LoadedModel | None, remote: RemoteEngine | None) -> None:
        """From now on ``model`` answers (on the engine's thread); a remote engine before it is let go."""
        with self._lock:
            previous = self.slot.remote
            self.slot.model, self.slot.loaded, self.slot.remote = model, loaded, remote
        if previous is not None and previous is not remote:
            previous.close()
        self._follow_model_sampling()
        if self.store is not None and self.conversation_id is not None:
            identity = model.identity
            engine = model.engine if isinstance(model, RemoteModel) else None
            self.store.update_conversation(
                self.conversation_id, model_id=identity.model_id, quant=identity.quant or None, engine=engine
            )

    def _follow_model_sampling(self) -> None:
        """The model that answers changed: settings that follow the model take its values."""

    def _loading(self, run: Callable[[Engine], LoadResult]) -> Any:
        self.loading = True
        future = self.worker.call(run)
        future.add_done_callback(lambda _f: setattr(self, "loading", False))
        return future
