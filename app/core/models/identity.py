"""What a GGUF file *is*, as far as the catalog and the policy are concerned.

A file name proves nothing: any GGUF can be renamed ``DeepSeek-R1-Distill-Qwen-1.5B-Q8_0.gguf``.
So a file is the catalog's entry only when its bytes say so: its sha256 where
the catalog pins one, otherwise its name *and* its size.  Anything else is a
local model (``local-<name>``), with a notice when the name claimed more.
``allowed_models`` is checked against this identity, never against the name
alone.  Import, the load gate and the registry's shared scan all use it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.core.models.catalog import Catalog, CatalogModel, CatalogQuant
from app.core.models.gguf_header import SPLIT_RE

# Where the catalog only knows the Hub listing's rounded size, how far a genuine file may differ.
APPROX_SIZE_TOLERANCE = 0.03


@dataclass(frozen=True)
class Identity:
    model_id: str
    quant: str
    in_catalog: bool
    basis: str  # "sha256", "name and size", or "local"
    name: str = ""
    notice: str | None = None

    @property
    def key(self) -> str:
        return f"{self.model_id}:{self.quant}"


def _local(first_name: str, notice: str | None = None) -> Identity:
    return Identity(local_id(first_name), quant_from_name(first_name), False, "local", first_name.removesuffix(".gguf"), notice)


def _size_matches(quant: CatalogQuant, sizes: Sequence[int]) -> bool:
    pinned = [f.size for f in quant.files]
    total = sum(sizes)
    if all(pinned) and quant.layout != "concat":
        return list(pinned) == list(sizes)
    if all(pinned):
        return sum(s for s in pinned if s) == total
    return abs(total - quant.approx_bytes) <= quant.approx_bytes * APPROX_SIZE_TOLERANCE


def _gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB"


def identify_files(
    first_name: str,
    sizes: Sequence[int],
    catalog: Catalog,
    hashes: Callable[[], Sequence[str | None]] | None = None,
) -> Identity:
    """Identity of a model made of files with these ``sizes`` (shards in order), the first named
    ``first_name``.  ``hashes`` gives their sha256 and is called only when the catalog pins them."""
    match = catalog.find_file(first_name)
    if match is None:
        return _local(first_name)
    model, quant = match
    pins = [f.sha256 for f in quant.files]
    if quant.layout != "concat" and all(pins) and len(pins) == len(sizes) and hashes is not None:
        if list(hashes()) == pins:
            return _catalog(model, quant, "sha256")
        return _local(
            first_name,
            f"{first_name} has the name of the catalog's {model.name} {quant.quant}, but not its published sha256: "
            "it is treated as a local model.",
        )
    if not _size_matches(quant, sizes):
        return _local(
            first_name,
            f"{first_name} has the name of the catalog's {model.name} {quant.quant} ({_gib(quant.size_bytes)}), "
            f"but {_gib(sum(sizes))}: it is treated as a local model.",
        )
    return _catalog(model, quant, "name and size")


def _catalog(model: CatalogModel, quant: CatalogQuant, basis: str) -> Identity:
    return Identity(model.id, quant.quant, True, basis, model.name)


def local_id(file_name: str) -> str:
    """A stable id for a file the catalog does not know: ``local-`` + its name without quant or shard suffix."""
    stem = SPLIT_RE.sub(lambda m: m["stem"], file_name)
    stem = stem.removesuffix(".gguf")
    quant = quant_from_name(file_name)
    if quant != "unknown":
        stem = stem[: len(stem) - len(quant)].rstrip("-._") or stem
    slug = "".join(c if c.isalnum() else "-" for c in stem.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"local-{slug[:48] or 'model'}"


QUANT_SUFFIXES = (
    "UD-IQ1_S", "UD-IQ1_M", "UD-IQ2_XXS", "UD-Q2_K_XL", "UD-Q3_K_XL", "UD-Q4_K_XL", "UD-Q5_K_XL", "UD-Q6_K_XL",
    "UD-Q8_K_XL", "Q8_K_XL", "Q5_K_XL", "Q4_K_XL", "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_M",
    "IQ3_XXS", "IQ3_M", "IQ4_XS", "IQ4_NL", "Q2_K_L", "Q2_K_S", "Q2_K", "Q3_K_XL", "Q3_K_L", "Q3_K_M", "Q3_K_S", "Q4_K_L",
    "Q4_K_M", "Q4_K_S", "Q4_0", "Q4_1", "Q5_K_L", "Q5_K_M", "Q5_K_S", "Q5_0", "Q5_1", "Q6_K_L", "Q6_K", "Q8_0", "BF16",
    "F16", "F32",
)  # fmt: skip


def quant_from_name(file_name: str) -> str:
    stem = SPLIT_RE.sub(lambda m: m["stem"], file_name).removesuffix(".gguf").upper()
    for quant in QUANT_SUFFIXES:
        if stem.endswith(quant):
            return quant
    return "unknown"
