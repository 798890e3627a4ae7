"""SHA-256 of files, as fast as the platform's OpenSSL allows.

``hashlib.file_digest`` reads into one reused buffer and hands it to OpenSSL
without copies; a 1 MiB buffer keeps system calls rare.  Used by ``verify``,
by import, and to re-hash the kept prefix of a resumed download.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
HEX64 = frozenset("0123456789abcdef")


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX64


class _ProgressReader:
    """A raw file wrapper that reports bytes read, for progress bars on long hashes."""

    def __init__(self, raw: Any, on_bytes: Callable[[int], None]) -> None:
        self._raw = raw
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n: int = self._raw.readinto(buffer)
        if n:
            self._on_bytes(n)
        return n


def sha256_file(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    with open(path, "rb", buffering=0) as raw:
        source = _ProgressReader(raw, on_bytes) if on_bytes else raw
        return hashlib.file_digest(source, "sha256", _bufsize=CHUNK).hexdigest()


def sha256_range(raw: Any, length: int, on_bytes: Callable[[int], None] | None = None) -> Any:
    """A running sha256 over the next ``length`` bytes of an open binary file."""
    hasher = hashlib.sha256()
    view = memoryview(bytearray(CHUNK))
    remaining = length
    while remaining > 0:
        n = raw.readinto(view[: min(CHUNK, remaining)])
        if not n:
            break
        hasher.update(view[:n])
        remaining -= n
        if on_bytes:
            on_bytes(n)
    return hasher


def sha256_prefix(path: Path, length: int) -> Any:
    """A running sha256 over the first ``length`` bytes of a file (to resume hashing)."""
    with open(path, "rb", buffering=0) as raw:
        return sha256_range(raw, length)
