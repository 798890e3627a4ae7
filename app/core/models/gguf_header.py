"""A bounds-checked reader for GGUF headers (metadata and tensor table).

Why not ``gguf.GGUFReader`` alone: it trusts the counts and offsets in the
file, so a truncated or hostile file surfaces as an arbitrary ``ValueError``,
``IndexError`` or a huge allocation, and llama.cpp itself may *abort the
process* on such a file.  Hearth must turn every bad file into a clear typed
error before llama.cpp ever sees it, so this module re-walks the header with
every count and offset checked against the file size.  It uses the ``gguf``
package for what it does well: the value-type and quantization tables.

Nothing here reads tensor data: a 40 GB file is validated in milliseconds.
Large arrays (the tokenizer's 150k strings) are skipped, recorded as
:class:`ArrayRef`, and decoded only on request.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import mmap
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from app.core.errors import CorruptModelError, ModelFileMissingError, NotAGGUFError
from app.core.sentences import say


def _gguf_constants() -> ModuleType:
    """gguf's constants without the rest of the package.  ``import gguf.constants`` runs the
    package's ``__init__``, which imports its reader, writer, NumPy and PyYAML: ~180 ms of every
    launch of the window, for five constants (the catalog and the registry import this module).
    The constants file is loaded on its own, under a private name (~25 ms); where gguf is
    imported already, or the file is not on disk (a frozen bundle), the package's own is used.
    The enums are ``IntEnum``: members of the two copies compare and hash as their numbers."""
    loaded = sys.modules.get("gguf.constants")
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("gguf")  # located, not imported
    where = package.submodule_search_locations if package is not None else None
    source = Path(next(iter(where))) / "constants.py" if where else None
    if source is None or not source.is_file():
        return importlib.import_module("gguf.constants")
    spec = importlib.util.spec_from_file_location("_hearth_gguf_constants", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from gguf.constants import GGML_QUANT_SIZES, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGMLQuantizationType, GGUFValueType
else:
    _constants = _gguf_constants()
    GGML_QUANT_SIZES = _constants.GGML_QUANT_SIZES
    GGUF_DEFAULT_ALIGNMENT = _constants.GGUF_DEFAULT_ALIGNMENT
    GGUF_MAGIC = _constants.GGUF_MAGIC
    GGMLQuantizationType = _constants.GGMLQuantizationType
    GGUFValueType = _constants.GGUFValueType

# Sanity caps.  Real files are far below these; the caps only stop a corrupt
# count from sending us into a billion-iteration loop.
MAX_TENSORS = 1_000_000
MAX_KV = 100_000
MAX_DIMS = 4  # GGML_MAX_DIMS
INLINE_ARRAY_LIMIT = 64  # arrays longer than this are decoded lazily

_SCALAR_FORMATS: dict[GGUFValueType, str] = {
    GGUFValueType.UINT8: "<B",
    GGUFValueType.INT8: "<b",
    GGUFValueType.UINT16: "<H",
    GGUFValueType.INT16: "<h",
    GGUFValueType.UINT32: "<I",
    GGUFValueType.INT32: "<i",
    GGUFValueType.FLOAT32: "<f",
    GGUFValueType.BOOL: "<?",
    GGUFValueType.UINT64: "<Q",
    GGUFValueType.INT64: "<q",
    GGUFValueType.FLOAT64: "<d",
}

SPLIT_RE = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$")
BYTE_SPLIT_RE = re.compile(r"\.gguf\.part\d+of\d+$")


@dataclass(frozen=True)
class ArrayRef:
    """A long metadata array left undecoded: where it is and what it holds."""

    item_type: GGUFValueType
    count: int
    offset: int


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]  # ggml order: ne0 (row length) first
    ggml_type: int
    offset: int  # absolute file offset of the tensor data
    nbytes: int


@dataclass
class GGUFHeader:
    path: Path
    version: int
    file_size: int
    data_offset: int
    metadata: dict[str, Any]
    tensors: list[TensorInfo] = field(default_factory=list)

    @property
    def architecture(self) -> str:
        arch = self.metadata.get("general.architecture")
        return arch if isinstance(arch, str) else ""

    def arch_value(self, suffix: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{suffix}", default)

    @property
    def tensor_bytes(self) -> int:
        return sum(t.nbytes for t in self.tensors)

    def array(self, key: str) -> list[Any]:
        """Decode a metadata array, including long ones skipped at parse time."""
        value = self.metadata.get(key)
        if isinstance(value, list):
            return value
        if not isinstance(value, ArrayRef):
            raise KeyError(key)
        with self.path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            cur = _Cursor(memoryview(mm), self.path)
            try:
                cur.pos = value.offset
                return [cur.value(value.item_type) for _ in range(value.count)]
            finally:
                cur.release()  # also when an item is corrupt: the map cannot close while viewed


class _Cursor:
    """Sequential little-endian reads from a buffer; short reads mean truncation."""

    def __init__(self, buf: memoryview, path: Path) -> None:
        self.buf = buf
        self.size = len(buf)
        self.pos = 0
        self.path = path

    def release(self) -> None:
        self.buf.release()

    def corrupt(self, what: str) -> CorruptModelError:
        return CorruptModelError(
            say("'{name}' is damaged: {what}.", name=self.path.name, what=what),
            say("The file is probably incomplete or corrupted; download it again."),
        )

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.size:
            raise self.corrupt(f"{what} runs past the end of the file (truncated at {self.size} bytes)")

    def unpack(self, fmt: str, what: str) -> Any:
        n = struct.calcsize(fmt)
        self.need(n, what)
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += n
        return value

    def u32(self, what: str) -> int:
        return int(self.unpack("<I", what))

    def u64(self, what: str) -> int:
        return int(self.unpack("<Q", what))

    def string(self, what: str = "a string") -> str:
        length = self.u64(f"the length of {what}")
        self.need(length, what)
        raw = bytes(self.buf[self.pos : self.pos + length])
        self.pos += length
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.corrupt(f"{what} is not valid UTF-8") from exc

    def skip_strings(self, count: int) -> None:
        """Step over ``count`` strings (a tokenizer's 150k): one tight loop, as this runs when the
        window lists installed models."""
        length_at, pos, size = _U64.unpack_from, self.pos, self.size
        for _ in range(count):
            if pos + 8 > size:
                break
            pos += 8 + length_at(self.buf, pos)[0]
            if pos > size:
                break
        else:
            self.pos = pos
            return
        self.pos = min(pos, size)
        raise self.corrupt(f"a string runs past the end of the file (truncated at {self.size} bytes)")

    def value_type(self, what: str) -> GGUFValueType:
        raw = self.u32(what)
        try:
            return GGUFValueType(raw)
        except ValueError:
            raise self.corrupt(f"{what} has unknown value type {raw}") from None

    def value(self, vtype: GGUFValueType, key: str = "a value") -> Any:
        if vtype == GGUFValueType.STRING:
            return self.string(f"the value of '{key}'")
        if vtype == GGUFValueType.ARRAY:
            return self.array(key)
        return self.unpack(_SCALAR_FORMATS[vtype], f"the value of '{key}'")

    def array(self, key: str) -> list[Any] | ArrayRef:
        item_type = self.value_type(f"the item type of '{key}'")
        count = self.u64(f"the length of '{key}'")
        if item_type == GGUFValueType.ARRAY:
            raise self.corrupt(f"'{key}' is a nested array, which GGUF does not allow")
        # Every item takes at least this many bytes, so a count that cannot fit
        # in the rest of the file is rejected before any loop runs.
        min_item = 8 if item_type == GGUFValueType.STRING else struct.calcsize(_SCALAR_FORMATS[item_type])
        if count * min_item > self.size - self.pos:
            raise self.corrupt(f"'{key}' claims {count:,} items, more than the file can hold")
        start = self.pos
        if count <= INLINE_ARRAY_LIMIT:
            return [self.value(item_type, key) for _ in range(count)]
        if item_type == GGUFValueType.STRING:
            self.skip_strings(count)
        else:
            self.pos += count * min_item
        return ArrayRef(item_type, count, start)


_U64 = struct.Struct("<Q")


def _tensor_nbytes(cur: _Cursor, name: str, shape: tuple[int, ...], ggml_type: int) -> int:
    try:
        qtype = GGMLQuantizationType(ggml_type)
        block_size, type_size = GGML_QUANT_SIZES[qtype]
    except (ValueError, KeyError):
        raise cur.corrupt(f"tensor '{name}' has unknown type {ggml_type}") from None
    if shape[0] % block_size:
        raise cur.corrupt(f"tensor '{name}' row length {shape[0]} is not a multiple of its block size {block_size}")
    elements = 1
    for dim in shape:
        elements *= dim
    return elements // block_size * type_size


def read_header(path: Path) -> GGUFHeader:
    """Parse and validate one GGUF file's header; raise a typed error if it is bad."""
    path = Path(path)
    if not path.exists():
        raise ModelFileMissingError(
            say("Model file not found: {path}", path=path), say("Check the path, or import the model again.")
        )
    if not path.is_file():
        raise NotAGGUFError(say("'{path}' is not a file.", path=path), say("Choose a .gguf model file."))
    if BYTE_SPLIT_RE.search(path.name):
        raise NotAGGUFError(
            say("'{name}' is one piece of a byte-split model, not a GGUF file on its own.", name=path.name),
            say("Join all parts in order into one .gguf file first (for example: cat X.gguf.part1of2 X.gguf.part2of2 > X.gguf)."),
        )
    file_size = path.stat().st_size
    if file_size < 24:
        raise NotAGGUFError(
            say("'{name}' is not a GGUF model file (only {file_size} bytes).", name=path.name, file_size=file_size),
            say("Choose a .gguf model file."),
        )
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        cur = _Cursor(memoryview(mm), path)
        try:
            return _parse(cur, path, file_size)
        finally:
            cur.release()


def _parse(cur: _Cursor, path: Path, file_size: int) -> GGUFHeader:
    magic = cur.u32("the magic number")
    if magic != GGUF_MAGIC:
        raise NotAGGUFError(
            say("'{name}' is not a GGUF model file.", name=path.name),
            say("Hearth runs quantized models in the GGUF format (files ending in .gguf)."),
        )
    version = cur.u32("the format version")
    if version not in (2, 3):
        raise CorruptModelError(
            say(
                "'{name}' uses GGUF version {version}, which this version of Hearth cannot read.", name=path.name, version=version
            ),
            say("Use a file converted with a current llama.cpp."),
        )
    n_tensors = cur.u64("the tensor count")
    n_kv = cur.u64("the metadata count")
    if n_tensors > MAX_TENSORS or n_tensors * 24 > file_size:
        raise cur.corrupt(f"it claims {n_tensors:,} tensors")
    if n_kv > MAX_KV or n_kv * 12 > file_size:
        raise cur.corrupt(f"it claims {n_kv:,} metadata entries")

    metadata: dict[str, Any] = {}
    for _ in range(n_kv):
        key = cur.string("a metadata key")
        vtype = cur.value_type(f"metadata '{key}'")
        metadata[key] = cur.value(vtype, key)

    raw_tensors: list[tuple[str, tuple[int, ...], int, int]] = []
    for _ in range(n_tensors):
        name = cur.string("a tensor name")
        n_dims = cur.u32(f"the dimension count of tensor '{name}'")
        if not 1 <= n_dims <= MAX_DIMS:
            raise cur.corrupt(f"tensor '{name}' has {n_dims} dimensions")
        shape = tuple(cur.u64(f"a dimension of tensor '{name}'") for _ in range(n_dims))
        if any(d == 0 or d > file_size * 8 for d in shape):
            raise cur.corrupt(f"tensor '{name}' has an impossible shape {list(shape)}")
        ggml_type = cur.u32(f"the type of tensor '{name}'")
        rel_offset = cur.u64(f"the offset of tensor '{name}'")
        raw_tensors.append((name, shape, ggml_type, rel_offset))

    alignment = metadata.get("general.alignment", GGUF_DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise cur.corrupt(f"its alignment {alignment!r} is not a power of two")
    data_offset = -(-cur.pos // alignment) * alignment
    if raw_tensors and data_offset > file_size:
        raise cur.corrupt("the tensor data is missing")

    tensors: list[TensorInfo] = []
    seen: set[str] = set()
    for name, shape, ggml_type, rel_offset in raw_tensors:
        if name in seen:
            raise cur.corrupt(f"tensor '{name}' appears twice")
        seen.add(name)
        nbytes = _tensor_nbytes(cur, name, shape, ggml_type)
        if rel_offset % alignment:
            raise cur.corrupt(f"tensor '{name}' is not aligned")
        start = data_offset + rel_offset
        if start + nbytes > file_size:
            raise cur.corrupt(f"tensor '{name}' extends past the end of the file (truncated at {file_size:,} bytes)")
        tensors.append(TensorInfo(name, shape, ggml_type, start, nbytes))

    ordered = sorted(tensors, key=lambda t: t.offset)
    for before, after in itertools.pairwise(ordered):
        if before.offset + before.nbytes > after.offset:
            raise cur.corrupt(f"tensors '{before.name}' and '{after.name}' overlap")
    return GGUFHeader(path, version, file_size, data_offset, metadata, tensors)
