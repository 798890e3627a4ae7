"""The curated catalog of DeepSeek GGUF checkpoints, and the admin's additions.

``models/catalog.json`` ships with the app; an administrator may drop a
``catalog.json`` with the same schema into the machine-wide config dir (e.g.
for internal fine-tunes on an internal mirror).  An admin entry with the id
of a bundled one replaces it.  Both are validated against
``models/catalog.schema.json`` (JSON Schema, checked with ``jsonschema``)
plus the rules a schema cannot say: unique ids and quant names, split shard
names that llama.cpp can load, byte-split parts in order, no fork-only
publishers, and architectures the bundled llama.cpp runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from app.core import paths
from app.core.errors import CatalogError, UnknownModelError
from app.core.models import architectures
from app.core.models.gguf_header import SPLIT_RE
from app.core.sentences import say

CATALOG_NAME = "catalog.json"
PART_RE = re.compile(r"\.gguf\.part(\d+)of(\d+)$")
# Publishers whose quants need the ik_llama.cpp fork and do not load in mainline llama.cpp.
FORK_ONLY_PUBLISHERS = frozenset({"ubergarm"})


@dataclass(frozen=True)
class CatalogFile:
    path: str
    size: int | None = None
    sha256: str | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CatalogQuant:
    quant: str
    approx_bytes: int
    layout: str  # single | gguf-split | concat
    files: tuple[CatalogFile, ...]
    repo: str
    revision: str

    @property
    def size_bytes(self) -> int:
        """Exact total where every file's size is pinned, else the Hub listing's figure."""
        sizes = [f.size for f in self.files]
        return sum(s for s in sizes if s) if all(sizes) else self.approx_bytes

    @property
    def local_names(self) -> tuple[str, ...]:
        """File names once installed (byte-split parts become one .gguf)."""
        if self.layout == "concat":
            return (PART_RE.sub(".gguf", self.files[0].name),)
        return tuple(f.name for f in self.files)


@dataclass(frozen=True)
class CatalogModel:
    id: str
    name: str
    family: str
    template: str
    parameters_b: float
    architecture: str
    license: str
    context_length: int
    layers: int
    kv: dict[str, int]
    temperature: float
    top_p: float
    system_prompt: bool
    repo: str
    revision: str
    quants: tuple[CatalogQuant, ...]  # smallest first
    source: str  # "bundled" or the admin file's path
    active_parameters_b: float | None = None
    draft: str | None = None  # the catalog id of a small model with this one's tokenizer (speculative decoding)

    def quant(self, name: str) -> CatalogQuant:
        for q in self.quants:
            if q.quant.lower() == name.lower():
                return q
        offered = ", ".join(q.quant for q in self.quants)
        raise UnknownModelError(
            say("{name} has no quantization '{name2}'.", name=self.name, name2=name), say("Offered: {offered}.", offered=offered)
        )

    def kv_bytes_per_token(self, bytes_per_value: int = 2) -> int:
        """F16 KV cache per token: K and V per KV head, or MLA's one latent vector."""
        if "mla_dim" in self.kv:
            return self.layers * self.kv["mla_dim"] * bytes_per_value
        return 2 * self.layers * self.kv["kv_heads"] * self.kv["head_dim"] * bytes_per_value


@dataclass(frozen=True)
class Catalog:
    models: tuple[CatalogModel, ...]

    def get(self, model_id: str) -> CatalogModel:
        for model in self.models:
            if model.id == model_id.lower():
                return model
        raise UnknownModelError(
            say("No model '{model_id}' in the catalog.", model_id=model_id), say("Run 'hearth models list' to see the ids.")
        )

    def find_file(self, name: str) -> tuple[CatalogModel, CatalogQuant] | None:
        """The catalog entry a file name belongs to (installed names included)."""
        for model in self.models:
            for quant in model.quants:
                if name in quant.local_names or name in (f.name for f in quant.files):
                    return model, quant
        return None

    def find_sha256(self, sha: str) -> tuple[CatalogModel, CatalogQuant, CatalogFile] | None:
        for model in self.models:
            for quant in model.quants:
                for file in quant.files:
                    if file.sha256 == sha:
                        return model, quant, file
        return None


@cache
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((paths.bundled_models_dir() / "catalog.schema.json").read_text(encoding="utf-8"))
    return data


def validate(data: Any, source: str) -> list[CatalogModel]:
    """Schema plus cross-field rules; raises CatalogError naming the place."""
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise CatalogError(
            say("The catalog {source} is invalid at {where}: {message}.", source=source, where=where, message=first.message)
        )
    models = [_model(entry, source) for entry in data["models"]]
    by_id = {model.id: model for model in models}
    seen: set[str] = set()
    for model in models:
        for repo in {model.repo, *(q.repo for q in model.quants)}:
            if repo.split("/")[0].lower() in FORK_ONLY_PUBLISHERS:
                raise CatalogError(
                    say(
                        "The catalog {source}: {id} points at {repo}, whose quants need the ik_llama.cpp fork.",
                        source=source,
                        id=model.id,
                        repo=repo,
                    )
                )
        if not architectures.is_runnable(model.architecture):
            raise CatalogError(
                say(
                    (
                        "The catalog {source}: {id} is a '{architecture}' model, an architecture the llama.cpp in "
                        "this Hearth (llama-cpp-python {llama_cpp_version}) cannot run."
                    ),
                    source=source,
                    id=model.id,
                    architecture=model.architecture,
                    llama_cpp_version=architectures.llama_cpp_version(),
                )
            )
        # A draft may be an entry of another catalog file (an admin's file names a bundled draft).
        if model.draft == model.id:
            raise CatalogError(say("The catalog {source}: {id} names itself as its draft.", source=source, id=model.id))
        if model.draft in by_id and by_id[model.draft].parameters_b >= model.parameters_b:
            raise CatalogError(say("The catalog {source}: the draft of {id} is not smaller than it.", source=source, id=model.id))
        if model.id in seen:
            raise CatalogError(say("The catalog {source} lists the model id '{id}' twice.", source=source, id=model.id))
        seen.add(model.id)
        names = [q.quant.lower() for q in model.quants]
        if len(set(names)) != len(names):
            raise CatalogError(say("The catalog {source} lists a quantization of '{id}' twice.", source=source, id=model.id))
        for quant in model.quants:
            _check_layout(model, quant, source)
    return models


def _check_layout(model: CatalogModel, quant: CatalogQuant, source: str) -> None:
    where = f"{source}: {model.id} {quant.quant}"
    names = [f.name for f in quant.files]
    if quant.layout == "single" and len(names) != 1:
        raise CatalogError(say("{where} is a single file but lists {names} files.", where=where, names=len(names)))
    if quant.layout == "gguf-split":
        for index, name in enumerate(names, 1):
            match = SPLIT_RE.search(name)
            if not match or int(match["no"]) != index or int(match["count"]) != len(names):
                raise CatalogError(
                    say(
                        "{where}: shard {name} must be named -{index:05d}-of-{names:05d}.gguf, in order.",
                        where=where,
                        name=name,
                        index=index,
                        names=len(names),
                    )
                )
        if len({f.path.rsplit("/", 1)[0] if "/" in f.path else "" for f in quant.files}) != 1:
            raise CatalogError(
                say("{where}: all shards must sit in one folder (llama.cpp finds them beside the first).", where=where)
            )
    if quant.layout == "concat":
        for index, name in enumerate(names, 1):
            match = PART_RE.search(name)
            if not match or int(match[1]) != index or int(match[2]) != len(names):
                raise CatalogError(
                    say(
                        "{where}: part {name} must be named .gguf.part{index}of{names}, in order.",
                        where=where,
                        name=name,
                        index=index,
                        names=len(names),
                    )
                )


def _model(entry: dict[str, Any], source: str) -> CatalogModel:
    quants = tuple(
        sorted(
            (
                CatalogQuant(
                    quant=q["quant"],
                    approx_bytes=q["approx_bytes"],
                    layout=q.get("layout", "single"),
                    files=tuple(CatalogFile(f["path"], f.get("size"), f.get("sha256")) for f in q["files"]),
                    repo=q.get("repo", entry["repo"]),
                    revision=q.get("revision", entry["revision"]),
                )
                for q in entry["quants"]
            ),
            key=lambda q: q.approx_bytes,
        )
    )
    sampling = entry["sampling"]
    return CatalogModel(
        id=entry["id"],
        name=entry["name"],
        family=entry["family"],
        template=entry["template"],
        parameters_b=float(entry["parameters_b"]),
        architecture=entry["architecture"],
        license=entry["license"],
        context_length=entry["context_length"],
        layers=entry["layers"],
        kv=dict(entry["kv"]),
        temperature=float(sampling["temperature"]),
        top_p=float(sampling["top_p"]),
        system_prompt=bool(sampling.get("system_prompt", True)),
        repo=entry["repo"],
        revision=entry["revision"],
        quants=quants,
        source=source,
        active_parameters_b=entry.get("active_parameters_b"),
        draft=entry.get("draft"),
    )


def load_file(path: Path, source: str) -> list[CatalogModel]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(say("Cannot read the catalog {path}: {strerror}.", path=path, strerror=exc.strerror)) from None
    except ValueError as exc:
        raise CatalogError(say("The catalog {path} is not valid JSON: {exc}.", path=path, exc=exc)) from None
    return validate(data, source)


def admin_catalog_path() -> Path:
    return paths.site_config_dir() / CATALOG_NAME


def load_catalog() -> Catalog:
    """Bundled entries, then the admin's (replacing bundled entries with the same id)."""
    models = {m.id: m for m in load_file(paths.bundled_models_dir() / CATALOG_NAME, "bundled")}
    admin = admin_catalog_path()
    if admin.exists():
        for model in load_file(admin, str(admin)):
            models[model.id] = model
    return Catalog(tuple(models.values()))
