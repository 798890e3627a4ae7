"""Files no one can read without the store's key: AES-256-GCM in chunks, written atomically.

Used for KV-cache snapshots, which hold a conversation in the model's own form (the tokens and
the attention keys and values computed from them): they are conversation text at rest and get
the same protection as the SQLCipher database.  The ``cryptography`` package does the AES-GCM;
only the framing is ours, and it is what makes a cut or reordered file fail to open:

    MAGIC (8) | version (1) | nonce prefix (8) | chunk* ; chunk = length (4, big-endian) | ciphertext+tag

The nonce of chunk ``i`` is the file's random prefix and ``i``; each chunk's associated data is the
header, ``i`` and whether it is the last one, so dropping, repeating or reordering chunks, or
cutting the file after a chunk, makes decryption fail.  Chunk 0 is a JSON header of the caller's.
Chunks of 8 MiB keep memory at one chunk on top of the payload.
"""

from __future__ import annotations

import json
import os
import secrets
import struct
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"HEARTHSL"
VERSION = 1
CHUNK = 8 << 20
_HEADER = len(MAGIC) + 1 + 8


class SealError(Exception):
    """The file is not one of ours, was cut or changed, or the key is not the one it was sealed with."""


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">I?", index, last)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def seal(path: Path, key: bytes, meta: dict[str, Any], payload: memoryview | bytes) -> None:
    """Write ``meta`` and ``payload`` encrypted to ``path`` (replaced atomically, owner-only)."""
    aes = AESGCM(key)
    prefix = secrets.token_bytes(8)
    header = MAGIC + bytes([VERSION]) + prefix
    view = memoryview(payload).cast("B")
    pieces = [json.dumps(meta).encode("utf-8")]
    count = 1 + (len(view) + CHUNK - 1) // CHUNK
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sealing-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(header)
            for index in range(count):
                plain = pieces[0] if index == 0 else view[(index - 1) * CHUNK : index * CHUNK]
                sealed = aes.encrypt(_nonce(prefix, index), bytes(plain), _aad(header, index, index == count - 1))
                file.write(struct.pack(">I", len(sealed)))
                file.write(sealed)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def unseal(path: Path, key: bytes) -> tuple[dict[str, Any], bytearray]:
    """The meta and payload of a sealed file; :class:`SealError` for anything not intact."""
    aes = AESGCM(key)
    with path.open("rb") as file:
        header = file.read(_HEADER)
        if len(header) != _HEADER or header[: len(MAGIC)] != MAGIC or header[len(MAGIC)] != VERSION:
            raise SealError("not a sealed file of this version")
        prefix = header[len(MAGIC) + 1 :]
        chunks: list[bytes] = []
        while True:
            size = file.read(4)
            if not size:
                break
            if len(size) != 4:
                raise SealError("cut short")
            data = file.read(struct.unpack(">I", size)[0])
            chunks.append(data)
    if not chunks:
        raise SealError("empty")
    meta: dict[str, Any] = {}
    payload = bytearray()
    try:
        for index, data in enumerate(chunks):
            chunks[index] = b""  # one chunk in memory twice at most
            plain = aes.decrypt(_nonce(prefix, index), data, _aad(header, index, index == len(chunks) - 1))
            if index == 0:
                meta = json.loads(plain)
            else:
                payload += plain
    except (InvalidTag, ValueError) as exc:
        raise SealError("changed, cut, or sealed with another key") from exc
    return meta, payload
