"""Installed models: what is on disk, where it came from, and its hashes.

The registry is one JSON file in the user models dir, written atomically.
Each entry is one quantization of one model (a catalog id, or ``local-…``
for an imported file the catalog does not know), with its files (several for
a split model), their sha256 and where they came from: ``download``,
``copy``/``link``/``reference`` (import), or ``shared`` (a read-only dir an
admin pre-seeds, scanned on every listing and never written).

Why not just scan the models dir: a hash of a 40 GB file takes minutes, so it
is computed once (while downloading or importing) and kept here; ``verify``
re-computes it on request.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.errors import HearthError, UnknownModelError
from app.core.models.catalog import Catalog
from app.core.models.gguf_header import SPLIT_RE
from app.core.models.hashing import sha256_file
from app.core.models.identity import identify_files
from app.core.sentences import say

log = logging.getLogger(__name__)

REGISTRY_NAME = "installed.json"
SHARED_ENV = "HEARTH_SHARED_MODELS"


@dataclass
class InstalledFile:
    path: str
    size: int
    sha256: str | None = None  # None: not hashed yet (a pre-seeded shared file before its first verify)
    segments: list[tuple[int, str]] | None = None  # byte-split downloads: (size, sha256) of each published part


@dataclass
class Installed:
    model_id: str
    quant: str
    files: list[InstalledFile]
    source: str  # download | copy | link | reference | shared
    name: str = ""
    in_catalog: bool = True
    repo: str | None = None
    commit: str | None = None
    installed_at: float = field(default_factory=time.time)
    verified_at: float | None = None
    # What the last verify found wrong (None: nothing); such a model is not loaded until it passes again.
    failed_verify: str | None = None

    @property
    def key(self) -> str:
        return f"{self.model_id}:{self.quant}"

    @property
    def path(self) -> Path:
        """What to load: the file, or the first shard of a split model."""
        return Path(self.files[0].path)

    @property
    def size_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def owned(self) -> bool:
        """Whether removing it deletes files (never for referenced or shared files)."""
        return self.source in ("download", "copy", "link")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["key"] = self.key
        data["size_bytes"] = self.size_bytes
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Installed:
        files = [
            InstalledFile(f["path"], f["size"], f.get("sha256"), [tuple(s) for s in f["segments"]] if f.get("segments") else None)
            for f in data["files"]
        ]
        keep = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "files"}
        return cls(files=files, **keep)


def _known_hash(hashes: dict[str, Any], path: Path) -> str | None:
    """The remembered sha256 of ``path``, if the file has not changed since (same size and mtime)."""
    stat = path.stat()
    cached = hashes.get(str(path))
    return str(cached[2]) if cached and cached[:2] == [stat.st_size, stat.st_mtime_ns] else None


def shared_models_dir() -> Path | None:
    """The admin's read-only, pre-seeded models dir: the machine policy's, else ``HEARTH_SHARED_MODELS``."""
    from app.core.privacy import policy

    value = policy.load()["shared_models_dir"] or os.environ.get(SHARED_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


class Registry:
    def __init__(self, models_dir: Path | None = None, shared_dir: Path | None = None) -> None:
        self.models_dir = models_dir or paths.user_dirs().models
        self.shared_dir = shared_dir if shared_dir is not None else shared_models_dir()
        self.file = self.models_dir / REGISTRY_NAME

    # -- persistence -------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"installed": [], "shared_hashes": {}}
        except (OSError, ValueError) as exc:
            raise HearthError(
                say("The list of installed models ({file}) cannot be read: {exc}.", file=self.file, exc=exc),
                say("Move the file away; 'hearth models import' can register the GGUF files again."),
            ) from None
        data.setdefault("shared_hashes", {})
        return data

    def _write(self, data: dict[str, Any]) -> None:
        """Write to a temp file in the same dir, fsync, then rename: never a half-written registry."""
        self.models_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".installed-", suffix=".json", dir=self.models_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- queries -----------------------------------------------------------
    def local(self) -> list[Installed]:
        return [Installed.from_json(item) for item in self._read()["installed"]]

    def all(self, catalog: Catalog | None = None) -> list[Installed]:
        return self.local() + self.shared(catalog)

    def shared(self, catalog: Catalog | None = None) -> list[Installed]:
        """Models an admin placed in the shared dir, identified by name and size (by hash once verified)."""
        if self.shared_dir is None or not self.shared_dir.is_dir():
            return []
        hashes = self._read()["shared_hashes"]
        found = []
        for path in sorted(self.shared_dir.rglob("*.gguf")):
            split = SPLIT_RE.search(path.name)
            if split and int(split["no"]) != 1:
                continue
            shards = sorted(path.parent.glob(f"{split['stem']}-*-of-{split['count']}.gguf")) if split else [path]
            files = [InstalledFile(str(shard), shard.stat().st_size, _known_hash(hashes, shard)) for shard in shards]
            known = [f.sha256 for f in files]
            # The hashes of earlier verifies, when every shard has one (else identity is by name and size).
            recorded: Callable[[], list[str | None]] | None = partial(list, known) if all(known) else None
            identity = identify_files(path.name, [f.size for f in files], catalog or Catalog(()), recorded)
            name = identity.name if identity.in_catalog else path.stem
            item = Installed(identity.model_id, identity.quant, files, "shared", name, identity.in_catalog)
            item.installed_at = path.stat().st_mtime
            found.append(item)
        return found

    def get(self, model_id: str, quant: str | None = None, catalog: Catalog | None = None) -> Installed:
        """One installed model; without a quant, the only one installed (or the error lists them)."""
        matches = [i for i in self.all(catalog) if i.model_id == model_id and (quant is None or i.quant.lower() == quant.lower())]
        if len(matches) == 1 or (matches and quant):
            return matches[0]
        if not matches:
            raise UnknownModelError(
                say("'{model_id}{quant}' is not installed.", model_id=model_id, quant=":" + quant if quant else ""),
                say("See 'hearth models list'."),
            )
        quants = ", ".join(i.quant for i in matches)
        raise UnknownModelError(
            say("Several quantizations of {model_id} are installed ({quants}).", model_id=model_id, quants=quants),
            say("Name one: {model_id}:QUANT (or --quant QUANT).", model_id=model_id),
        )

    def family(self, model_id: str, catalog: Catalog | None = None) -> list[Installed]:
        """All installed quantizations of one model, smallest first: what the quant switcher offers."""
        return sorted((i for i in self.all(catalog) if i.model_id == model_id), key=lambda i: i.size_bytes)

    # -- changes -----------------------------------------------------------
    def add(self, item: Installed) -> None:
        data = self._read()
        data["installed"] = [x for x in data["installed"] if f"{x['model_id']}:{x['quant']}" != item.key]
        data["installed"].append(item.to_json())
        self._write(data)

    def forget(self, key: str) -> None:
        data = self._read()
        data["installed"] = [x for x in data["installed"] if f"{x['model_id']}:{x['quant']}" != key]
        self._write(data)

    def file_hash(self, path: Path) -> str:
        """sha256 of a file outside the registry's own records (a shared file, a model opened by
        path), remembered while its size and modification time stay the same."""
        known = _known_hash(self._read()["shared_hashes"], path)
        if known is not None:
            return known
        file = InstalledFile(str(path), path.stat().st_size, sha256_file(path))
        self.record_shared_hash(file)
        return str(file.sha256)

    def record_shared_hash(self, file: InstalledFile) -> None:
        stat = Path(file.path).stat()
        data = self._read()
        data["shared_hashes"][file.path] = [stat.st_size, stat.st_mtime_ns, file.sha256]
        self._write(data)
