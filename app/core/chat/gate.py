"""The one gate every model load passes, whichever client asked for it.

Before llama.cpp sees a file: a pre-seeded shared file is verified against its
published hash (refused when it does not match), an installed model whose last
``hearth models verify`` failed is refused until it passes again, the file's identity is
established from its bytes (:mod:`app.core.models.identity`), and the machine
policy's ``allowed_models`` is applied to that identity.  The window's start-up
load, its model picker, a quantization switch, ``hearth chat --model`` and its
``/quant`` all come through here.  Runs on the engine's thread (hashing a
shared file can take a while; the UI never waits for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.engine import probe
from app.core.errors import CorruptModelError, HearthError
from app.core.models.catalog import Catalog
from app.core.models.identity import Identity, identify_files
from app.core.models.info import find_shards
from app.core.models.ops import ensure_verified, resolve_model
from app.core.models.registry import Installed, Registry
from app.core.privacy.policy import Policy
from app.core.sentences import say


@dataclass(frozen=True)
class ApprovedModel:
    """A model the gate let through: what to load and what it is."""

    path: Path
    installed: Installed | None
    identity: Identity
    notices: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.installed.key if self.installed is not None else self.path.name


def identify(path: Path, installed: Installed | None, registry: Registry, catalog: Catalog) -> Identity:
    """The identity of what is about to be loaded: installed files use the hashes recorded when they
    were downloaded or imported (sizes re-read); a file opened by path is hashed once and remembered."""
    if installed is not None:
        if not installed.in_catalog:
            return Identity(installed.model_id, installed.quant, False, "local", installed.name or installed.model_id)
        files = [Path(f.path) for f in installed.files]
        recorded = [f.sha256 for f in installed.files]
    else:
        files = list(find_shards(path))
        recorded = [None] * len(files)
    sizes = [f.stat().st_size if f.exists() else 0 for f in files]

    def hashes() -> list[str | None]:
        return [sha or registry.file_hash(f) for f, sha in zip(files, recorded)]

    return identify_files(files[0].name, sizes, catalog, hashes)


def approve(path: Path, installed: Installed | None, registry: Registry, catalog: Catalog, rules: Policy) -> ApprovedModel:
    """Identity, shared-file verification and ``allowed_models``; raises a typed error when refused."""
    if installed is not None and installed.source == "shared":
        ensure_verified(installed, registry, catalog)
    if installed is not None and installed.failed_verify:
        raise CorruptModelError(
            say(
                "{key} failed its last verification ({failed_verify}), so it is not loaded.",
                key=installed.key,
                failed_verify=installed.failed_verify,
            ),
            say(
                (
                    "Restore the file and run 'hearth models verify {model_id} --quant {quant}' (or remove it "
                    "and download it again)."
                ),
                model_id=installed.model_id,
                quant=installed.quant,
            ),
        )
    identity = identify(path, installed, registry, catalog)
    rules.require_model(identity.model_id, identity.quant)
    notices = (identity.notice,) if identity.notice else ()
    return ApprovedModel(path, installed, identity, notices)


def resolve(spec: str | None, registry: Registry, catalog: Catalog, rules: Policy) -> tuple[Path, Installed | None]:
    """What ``--model`` (or, without it, the policy's ``default_model``) names."""
    spec = spec or rules["default_model"]
    if not spec:
        raise HearthError(say("Which model? Give --model PATH or an installed ID[:QUANT] (see 'hearth models list')."))
    return resolve_model(spec, registry, catalog)


def startup_choice(installed: list[Installed], registry: Registry, catalog: Catalog, rules: Policy) -> Installed | None:
    """What the window loads at start: the policy's ``default_model`` when it is installed, else the first
    installed model the policy allows (by the name it was registered under; the gate still checks its bytes)."""
    default = rules["default_model"]
    if default:
        model_id, _, quant = default.partition(":")
        for item in installed:
            if item.model_id == model_id and (not quant or item.quant.lower() == quant.lower()) and not _crashed(item):
                return item
    return next((i for i in installed if rules.model_allowed(i.model_id, i.quant) and not _crashed(i)), None)


def _crashed(item: Installed) -> bool:
    """A file that crashed llama.cpp (in a trial run or while Hearth loaded it) is not loaded by itself."""
    try:
        return probe.crashed(find_shards(item.path))
    except (HearthError, OSError):
        return False
