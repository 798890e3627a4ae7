"""A seeded corpus of malformed GGUF files, and a driver that tries each in a process of its own.

The corpus is made from valid tiny models of each architecture the factory writes: truncations,
bit flips in the metadata area, absurd counts and lengths written over real values, bad tensor
types, dimensions and offsets, an unknown architecture, duplicate tokens, out-of-vocabulary
special tokens, and garbage tails.  Every mutation edits the file in place at a place found by
parsing it, so each case hits what it says it hits.

The driver (``python -m tests.gguf_fuzz FILE...``) imports Hearth and llama-cpp-python once and
then forks one child per file (nothing in the driver has started a thread pool, so a fork is safe),
which validates, loads and decodes two tokens exactly as ``hearth chat`` would.  A child that dies
by a signal, hangs, or ends with a traceback is counted as such; the driver prints one JSON line
per file.
"""

from __future__ import annotations

import json
import os
import random
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from gguf.constants import GGUFValueType

LOADED, TYPED, TRACEBACK = 0, 10, 20
CASE_TIMEOUT_S = 30.0


# --- locating values in a file ------------------------------------------------------------------


def _scalar_sizes() -> dict[int, int]:
    fmt = {GGUFValueType.UINT8: 1, GGUFValueType.INT8: 1, GGUFValueType.UINT16: 2, GGUFValueType.INT16: 2,
           GGUFValueType.UINT32: 4, GGUFValueType.INT32: 4, GGUFValueType.FLOAT32: 4, GGUFValueType.BOOL: 1,
           GGUFValueType.UINT64: 8, GGUFValueType.INT64: 8, GGUFValueType.FLOAT64: 8}  # fmt: skip
    return {int(k): v for k, v in fmt.items()}


SIZES = _scalar_sizes()


class Layout:
    """Where things are in a GGUF: each metadata value's offset and type, each tensor's fields."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.values: dict[str, tuple[int, int]] = {}  # key -> (offset of the value, value type)
        self.tensors: list[dict[str, int]] = []  # name_at, dims_at, n_dims, type_at, offset_at
        pos = 8
        n_tensors, n_kv = struct.unpack_from("<QQ", data, pos)
        pos += 16
        for _ in range(n_kv):
            key, pos = self._string(pos)
            (vtype,) = struct.unpack_from("<I", data, pos)
            pos += 4
            self.values[key] = (pos, vtype)
            pos = self._skip(pos, vtype)
        self.metadata_end = pos
        for _ in range(n_tensors):
            name_at = pos
            _name, pos = self._string(pos)
            (n_dims,) = struct.unpack_from("<I", data, pos)
            entry = {"name_at": name_at, "dims_at": pos + 4, "n_dims": n_dims, "type_at": pos + 4 + 8 * n_dims}
            entry["offset_at"] = entry["type_at"] + 4
            pos = entry["offset_at"] + 8
            self.tensors.append(entry)
        self.header_end = pos

    def _string(self, pos: int) -> tuple[str, int]:
        (length,) = struct.unpack_from("<Q", self.data, pos)
        return self.data[pos + 8 : pos + 8 + length].decode("utf-8", "replace"), pos + 8 + length

    def _skip(self, pos: int, vtype: int) -> int:
        if vtype == GGUFValueType.STRING:
            return self._string(pos)[1]
        if vtype == GGUFValueType.ARRAY:
            item_type, count = struct.unpack_from("<IQ", self.data, pos)
            pos += 12
            for _ in range(count):
                pos = self._skip(pos, item_type)
            return pos
        return pos + SIZES[vtype]

    def array_items(self, key: str) -> tuple[int, int, int]:
        """(offset of the first item, item type, count) of an array value."""
        at, _ = self.values[key]
        item_type, count = struct.unpack_from("<IQ", self.data, at)
        return at + 12, item_type, count


# --- mutations ------------------------------------------------------------------------------------

Mutation = Callable[[bytearray, Layout, random.Random], str]


def _put_int(buf: bytearray, layout: Layout, key: str, value: int) -> str:
    at, vtype = layout.values[key]
    size = SIZES[vtype]
    buf[at : at + size] = (value % (1 << (8 * size))).to_bytes(size, "little")
    return f"{key}={value}"


def _arch(layout: Layout) -> str:
    at, _ = layout.values["general.architecture"]
    return layout._string(at)[0]


def absurd_values(buf: bytearray, layout: Layout, rng: random.Random) -> str:
    arch = _arch(layout)
    key = rng.choice([k for k in layout.values if k.startswith(arch + ".") and layout.values[k][1] in
                      (GGUFValueType.UINT32, GGUFValueType.INT32, GGUFValueType.UINT64)])  # fmt: skip
    value = rng.choice([0, 1, 3, 7, 511, 513, 4_000_000_000, 2**31 - 1, 2**32 - 1, 65537])
    return _put_int(buf, layout, key, value)


def special_token_out_of_vocab(buf: bytearray, layout: Layout, rng: random.Random) -> str:
    key = rng.choice([k for k in layout.values if k.endswith("_token_id")])
    return _put_int(buf, layout, key, rng.choice([10**6, 2**32 - 1, 300, 269]))


def duplicate_token(buf: bytearray, layout: Layout, rng: random.Random) -> str:
    """Make token j equal to token i (same-length pair, so the layout stays)."""
    at, _item, count = layout.array_items("tokenizer.ggml.tokens")
    spans, pos = [], at
    for _ in range(count):
        (length,) = struct.unpack_from("<Q", buf, pos)
        spans.append((pos + 8, length))
        pos += 8 + length
    by_length: dict[int, list[int]] = {}
    for index, (_start, length) in enumerate(spans):
        by_length.setdefault(length, []).append(index)
    pairs = [group for group in by_length.values() if len(group) > 1]
    group = rng.choice(pairs)
    i, j = rng.sample(group, 2)
    (si, li), (sj, _) = spans[i], spans[j]
    buf[sj : sj + li] = buf[si : si + li]
    return f"token {j} = token {i}"


def unknown_architecture(buf: bytearray, layout: Layout, rng: random.Random) -> str:
    at, _ = layout.values["general.architecture"]
    (length,) = struct.unpack_from("<Q", buf, at)
    buf[at + 8 : at + 8 + length] = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(length))
    return "architecture renamed"


def flip_metadata_bits(buf: bytearray, layout: Layout, rng: random.Random) -> str:
    flips = rng.randint(1, 4)
    for _ in range(flips):
        at = rng.randrange(24, layout.metadata_end)
        buf[at] ^= 1 << rng.randrange(8)
    return f"{flips} bit flips in metadata"


def bad_tensor_field(buf: bytearray, layout: Layout, rng: random.Random) -> str:
    tensor = rng.choice(layout.tensors)
    field = rng.choice(["type", "dim", "offset", "n_dims"])
    if field == "type":
        struct.pack_into("<I", buf, tensor["type_at"], rng.choice([0, 1, 2, 8, 12, 30, 99, 2**31]))
    elif field == "dim":
        at = tensor["dims_at"] + 8 * rng.randrange(tensor["n_dims"])
        struct.pack_into("<Q", buf, at, rng.choice([0, 1, 31, 32, 4096, 2**40]))
    elif field == "offset":
        struct.pack_into("<Q", buf, tensor["offset_at"], rng.choice([1, 31, 2**20, 2**40, 0]))
    else:
        struct.pack_into("<I", buf, tensor["dims_at"] - 4, rng.choice([0, 3, 5, 2**20]))
    return f"tensor {field}"


def truncate(buf: bytearray, layout: Layout, rng: random.Random) -> str:
    cut = rng.choice([rng.randrange(4, layout.header_end), rng.randrange(layout.header_end, len(buf))])
    del buf[cut:]
    return f"truncated at {cut}"


def garbage_tail(buf: bytearray, layout: Layout, rng: random.Random) -> str:
    size = rng.choice([1, 7, 4096, 100_000])
    buf.extend(rng.randbytes(size))
    return f"{size} garbage bytes appended"


MUTATIONS: list[tuple[Mutation, int]] = [  # (mutation, cases per base model)
    (flip_metadata_bits, 14), (absurd_values, 12), (bad_tensor_field, 10), (truncate, 6), (special_token_out_of_vocab, 3),
    (duplicate_token, 2), (unknown_architecture, 1), (garbage_tail, 2),
]  # fmt: skip


def corpus(bases: list[Path], out: Path, seed: int = 12) -> Iterator[tuple[Path, str]]:
    """Write the malformed files; yields (path, what was done)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    number = 0
    for base in bases:
        original = base.read_bytes()
        layout = Layout(original)
        for mutation, count in MUTATIONS:
            for _ in range(count):
                buf = bytearray(original)
                what = mutation(buf, layout, rng)
                number += 1
                path = out / f"case-{number:03d}.gguf"
                path.write_bytes(bytes(buf))
                yield path, f"{base.stem}: {mutation.__name__}: {what}"


# --- the driver ---------------------------------------------------------------------------------


def _child(path: str) -> int:
    from app.core.engine.base import Message, SamplingParams, collect
    from app.core.engine.llama import Engine, LoadOptions
    from app.core.errors import HearthError

    try:
        engine = Engine()
        engine.load(path, LoadOptions(n_ctx=256, gpu_layers=0, n_threads=1))
        collect(engine.chat([Message("user", "hi")], SamplingParams(max_tokens=2, seed=1)))
        engine.close()
        return LOADED
    except HearthError as exc:
        print(str(exc), file=sys.stderr)
        return TYPED
    except Exception:
        import traceback

        traceback.print_exc()
        return TRACEBACK


def run(paths: list[str]) -> None:
    import llama_cpp  # noqa: F401  (loaded once, before the forks)

    import app.core.engine.llama  # noqa: F401

    for path in paths:
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            os._exit(_child(path))
        outcome = "hang"
        while time.monotonic() - started < CASE_TIMEOUT_S:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                if os.WIFSIGNALED(status):
                    outcome = f"signal {signal.Signals(os.WTERMSIG(status)).name}"
                else:
                    code = os.WEXITSTATUS(status)
                    outcome = {LOADED: "loaded", TYPED: "typed error", TRACEBACK: "traceback"}.get(code, f"exit {code}")
                break
            time.sleep(0.005)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        print(json.dumps({"path": path, "outcome": outcome, "seconds": round(time.monotonic() - started, 3)}), flush=True)


if __name__ == "__main__":
    run(sys.argv[1:])
