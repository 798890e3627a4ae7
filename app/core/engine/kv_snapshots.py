"""KV-cache snapshots per conversation: coming back to a conversation evaluates only what is new.

llama.cpp's context holds one KV cache; opening another conversation overwrites it, and coming
back used to cost the whole history again (minutes for a long chat with a 7B-32B model on a
laptop).  When the engine leaves a conversation, its sequence state (``llama_state_seq_get_data``:
the used cells only) and the tokens it holds are kept here:

* in memory, within a budget (least recently used out first);
* on disk too, where the user or policy allows, sealed with a key derived from the conversation
  store's own (:mod:`app.core.privacy.sealed`); written by a background thread, so leaving a
  conversation does not wait for the disk, and at shutdown so an app restart finds it.

A snapshot names the model file (path, size, time), the context size and llama.cpp's version it
was made with; any other combination discards it.  A history that changed since (an edit, a
regenerated answer) keeps the snapshot's use up to where the tokens still agree.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.core import paths
from app.core.engine.context_fit import KeptFrom
from app.core.engine.parts import EngineParts
from app.core.privacy.sealed import SealError, seal, unseal

log = logging.getLogger(__name__)

DEFAULT_RAM_BUDGET = 1 << 30
DISK_BUDGET = 8 << 30  # all snapshot files together; the oldest go first


@dataclass
class Snapshot:
    key: str  # the conversation's (Store.snapshot_key)
    identity: str  # model file, context size, llama.cpp version (see identity_of)
    tokens: npt.NDArray[np.intc]
    state: Any  # a ctypes byte array (as llama.cpp filled it) or a bytearray (from disk)

    @property
    def size(self) -> int:
        return len(memoryview(self.state)) + self.tokens.nbytes


def identity_of(model_path: Path, n_ctx: int) -> str:
    import llama_cpp

    stat = model_path.stat()
    return f"{model_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|ctx={n_ctx}|llama-cpp-python={llama_cpp.__version__}"


def capture(llama: Any, key: str, identity: str) -> Snapshot | None:
    """The state of sequence 0 as it is now (None for an empty cache)."""
    import llama_cpp

    n = int(llama.n_tokens)
    if n == 0:
        return None
    ctx = llama._ctx.ctx
    size = int(llama_cpp.llama_state_seq_get_size(ctx, 0))
    buffer = (ctypes.c_uint8 * size)()
    written = int(llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0))
    if written == 0:
        return None
    if written < size:
        buffer = (ctypes.c_uint8 * written).from_buffer_copy(buffer)
    return Snapshot(key, identity, np.array(llama.input_ids[:n], dtype=np.intc), buffer)


def restore(llama: Any, snapshot: Snapshot) -> bool:
    """Put ``snapshot`` into sequence 0 (replacing what is there); False when llama.cpp refuses."""
    import llama_cpp

    llama._ctx.kv_cache_clear()
    llama.n_tokens = 0
    state = snapshot.state
    if not isinstance(state, ctypes.Array):
        state = (ctypes.c_uint8 * len(state)).from_buffer(state)
    if int(llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, state, len(state), 0)) == 0:
        llama._ctx.kv_cache_clear()
        return False
    n = len(snapshot.tokens)
    llama.input_ids[:n] = snapshot.tokens
    llama.n_tokens = n
    llama._requires_eval = True
    return True


class SnapshotShelf:
    """Where left conversations' states wait: memory (LRU within a budget) and sealed files."""

    def __init__(self, ram_budget: int = DEFAULT_RAM_BUDGET) -> None:
        self.ram_budget = ram_budget
        self._secret: bytes | None = None  # disk snapshots on: the key files are sealed with
        self._ram: OrderedDict[str, Snapshot] = OrderedDict()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hearth-kv-writer")
        self._pending: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._wanted: Callable[[str], bool] = lambda _key: True

    def configure(self, ram_budget: int, secret: bytes | None, wanted: Callable[[str], bool] | None = None) -> None:
        """``secret``: the store-derived key for files, None to keep snapshots in memory only;
        ``wanted``: whether a conversation still exists (a deleted one's state is never written)."""
        self.ram_budget = ram_budget
        self._secret = secret
        self._wanted = wanted or (lambda _key: True)
        self._fit_ram()

    @property
    def on_disk(self) -> bool:
        return self._secret is not None

    def _file(self, key: str) -> Path:
        return paths.kv_snapshots_dir() / f"{key}.kvs"

    # -- keeping -------------------------------------------------------------------------
    def keep(self, snapshot: Snapshot, wait: bool = False) -> None:
        if not self._still_wanted(snapshot.key):
            return
        if snapshot.size <= self.ram_budget:
            self._ram[snapshot.key] = snapshot
            self._ram.move_to_end(snapshot.key)
            self._fit_ram()
        if self._secret is not None:
            job = self._writer.submit(self._write, snapshot, self._secret)
            with self._lock:
                self._pending[snapshot.key] = job
            if wait:
                job.result()

    def _fit_ram(self) -> None:
        while self._ram and sum(s.size for s in self._ram.values()) > self.ram_budget:
            self._ram.popitem(last=False)

    def _still_wanted(self, key: str) -> bool:
        try:
            return self._wanted(key)
        except Exception:  # the store went away (shutdown): better no snapshot than a wrong one
            log.exception("could not check the conversation of a KV snapshot")
            return False

    def _write(self, snapshot: Snapshot, secret: bytes) -> None:
        if not self._still_wanted(snapshot.key):
            return
        meta = {"key": snapshot.key, "identity": snapshot.identity, "tokens": len(snapshot.tokens)}
        payload = snapshot.tokens.tobytes() + bytes(memoryview(snapshot.state))
        try:
            seal(self._file(snapshot.key), secret, meta, payload)
        except OSError as exc:  # a full or read-only disk: the snapshot stays in memory only
            log.warning("could not write the KV snapshot of %s: %s", snapshot.key, exc)
        self._trim_disk()

    def _trim_disk(self) -> None:
        try:
            files = sorted(paths.kv_snapshots_dir().glob("*.kvs"), key=lambda p: p.stat().st_mtime)
            total = sum(p.stat().st_size for p in files)
            while files and total > DISK_BUDGET:
                oldest = files.pop(0)
                total -= oldest.stat().st_size
                oldest.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not tidy the KV snapshots: %s", exc)

    def flush(self) -> None:
        """Wait for the files being written (at shutdown)."""
        with self._lock:
            jobs = list(self._pending.values())
            self._pending.clear()
        for job in jobs:
            job.result()

    # -- taking back -----------------------------------------------------------------------
    def take(self, key: str, identity: str) -> Snapshot | None:
        """The snapshot of ``key`` made with ``identity``; one made otherwise is discarded."""
        snapshot = self._ram.pop(key, None)
        if snapshot is None and self._secret is not None:
            with self._lock:
                job = self._pending.pop(key, None)
            if job is not None:
                job.result()  # the file of the very last leave is still being written
            snapshot = self._read(key, self._secret)
        if snapshot is not None and snapshot.identity != identity:
            log.info("dropping the KV snapshot of %s: made with another model or context size", key)
            self.forget(key)
            return None
        return snapshot

    def _read(self, key: str, secret: bytes) -> Snapshot | None:
        path = self._file(key)
        if not path.exists():
            return None
        started = time.perf_counter()
        try:
            meta, payload = unseal(path, secret)
            n = int(meta["tokens"])
            tokens = np.frombuffer(bytes(payload[: n * 4]), dtype=np.intc).copy()
            del payload[: n * 4]
        except (SealError, OSError, KeyError, ValueError) as exc:
            log.warning("dropping an unreadable KV snapshot %s: %s", path.name, exc)
            path.unlink(missing_ok=True)
            return None
        log.debug("read the KV snapshot of %s in %.0f ms", key, (time.perf_counter() - started) * 1000)
        return Snapshot(str(meta["key"]), str(meta["identity"]), tokens, payload)

    def forget(self, key: str) -> None:
        self._ram.pop(key, None)
        with self._lock:
            job = self._pending.pop(key, None)
        if job is not None:
            job.result()
        self._file(key).unlink(missing_ok=True)

    def close(self) -> None:
        self.flush()
        self._writer.shutdown(wait=True)


class ConversationCaches(EngineParts):
    """The engine's side of the snapshots: which conversation the cache holds, leaving and entering."""

    snapshots: SnapshotShelf
    _cache_key: str | None
    _kept_from: KeptFrom | None
    _kept_by_key: dict[str, KeptFrom | None]

    # -- KV snapshots -----------------------------------------------------------
    def _identity(self) -> str:
        model = self.loaded
        return identity_of(model.info.path, model.n_ctx)

    def _leave(self, wait: bool = False) -> None:
        """Keep the state of the conversation in the cache, which is about to be replaced."""
        key, self._cache_key = self._cache_key, None
        if key is None or self.model is None:
            return
        self._kept_by_key[key] = self._kept_from
        snapshot = capture(self._llama, key, self._identity())
        if snapshot is not None:
            self.snapshots.keep(snapshot, wait=wait)

    def _enter(self, key: str | None) -> None:
        """Before a turn of conversation ``key``: the cache holds another one, so it is kept, and
        the snapshot of this one (if any, and made with this model) comes back."""
        if key == self._cache_key:
            return
        self._leave()
        self._cache_key = key
        self._kept_from = self._kept_by_key.get(key) if key else None
        if key is None:
            return
        snapshot = self.snapshots.take(key, self._identity())
        if snapshot is not None and not restore(self._llama, snapshot):
            log.warning("llama.cpp refused the KV snapshot of %s; the conversation is read again", key)

    def forget_conversation(self, key: str) -> None:
        """The conversation is gone (deleted): its snapshot goes too, from memory and disk."""
        self._kept_by_key.pop(key, None)
        if self._cache_key == key:
            self._cache_key = None
        self.snapshots.forget(key)
