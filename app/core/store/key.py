"""The key of the encrypted conversation store, and where it lives.

Two ways, chosen on first run and recorded (not the key, only the way) in
``store.json`` beside the database:

* ``keyring`` (the normal case): a random 256-bit key, created once, kept in
  the OS keyring and handed to SQLCipher as a raw key (no KDF needed).
* ``passphrase``: where no usable keyring exists (a headless Linux box), the
  user sets a passphrase (terminal prompt, GUI dialog, or
  ``HEARTH_PASSPHRASE`` for automation); SQLCipher derives the key from it
  with its own PBKDF2-HMAC-SHA512 and a per-database salt.

There is never a silent fallback to an unencrypted database or to a key in a
plain file: without a keyring and without a passphrase, opening fails with a
message saying what to do.

Key rotation writes the new key to the keyring under a *pending* name first,
re-keys the database, then promotes it; an interruption at any point leaves a
key that opens the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors

from app.core.errors import StoreKeyError
from app.core.privacy.secrets import keyring_usable
from app.core.sentences import say

log = logging.getLogger(__name__)

SERVICE = "Hearth"
ACCOUNT = "conversation-store-key"
PENDING = "conversation-store-key-pending"
PASSPHRASE_ENV = "HEARTH_PASSPHRASE"
# SQLCipher 4's defaults for a passphrase: PBKDF2-HMAC-SHA512, 256,000 rounds, a 16-byte salt
# at the start of the database file, a 256-bit key.
KDF_ROUNDS = 256_000
SALT_BYTES = 16


def derived_raw_key(key: StoreKey, database: Path) -> StoreKey | None:
    """The raw page key SQLCipher derives from a passphrase, derived once here.

    SQLCipher runs its KDF (~0.1 s of CPU) on every connection, and Hearth opens one per
    thread: the streaming flusher opens one for every answer.  With the derived key and the
    file's salt given as a raw key (``x'<key><salt>'``) further connections skip the KDF.
    hashlib does the derivation (no crypto of our own); the store only uses the result after
    SQLCipher accepted it, and falls back to the passphrase otherwise.
    """
    if key.source != "passphrase":
        return None
    try:
        with database.open("rb") as file:
            salt = file.read(SALT_BYTES)
    except OSError:
        return None
    if len(salt) < SALT_BYTES:
        return None
    raw = hashlib.pbkdf2_hmac("sha512", key.passphrase_text.encode("utf-8"), salt, KDF_ROUNDS, 32)
    return StoreKey(f"\"x'{raw.hex()}{salt.hex()}'\"", "derived")


_ahead: dict[tuple[str, str], Future[StoreKey | None]] = {}


def derive_ahead(database: Path) -> None:
    """Start deriving the raw key of a passphrase store (``HEARTH_PASSPHRASE``) on a thread.

    The window's launch calls this first, before importing Qt: PBKDF2's 256,000 rounds (~0.2 s
    of one core; hashlib lets go of the interpreter while it runs) then run on the other core
    beside the imports and the window's building, instead of inside the store's first open.
    Nothing starts for a store whose key is in the keyring, or where no passphrase is set.
    """
    text = os.environ.get(PASSPHRASE_ENV)
    if not text or KeyManager(database).source() != "passphrase":
        return
    key = StoreKey.passphrase(text)
    future: Future[StoreKey | None] = Future()
    _ahead[(key.pragma_value, str(database))] = future

    def run() -> None:
        try:
            future.set_result(derived_raw_key(key, database))
        except BaseException as exc:  # handed to whoever opens the store (who then uses the passphrase)
            future.set_exception(exc)

    threading.Thread(target=run, name="hearth-store-key", daemon=True).start()


def derived_ahead(key: StoreKey, database: Path) -> StoreKey | None:
    """The raw key :func:`derive_ahead` derived from ``key`` (waiting for it), once; else None."""
    future = _ahead.pop((key.pragma_value, str(database)), None)
    if future is None:
        return None
    try:
        return future.result()
    except Exception:
        log.warning("the store key derived ahead failed; the passphrase opens the store", exc_info=True)
        return None


@dataclass(frozen=True)
class StoreKey:
    """What to give SQLCipher's ``PRAGMA key``: a raw hex key or a passphrase."""

    pragma_value: str
    source: str  # "keyring" or "passphrase" ("derived": a passphrase's raw key, for more connections)

    @classmethod
    def raw(cls, hex_key: str) -> StoreKey:
        return cls(f"\"x'{hex_key}'\"", "keyring")

    @classmethod
    def passphrase(cls, text: str) -> StoreKey:
        return cls("'" + text.replace("'", "''") + "'", "passphrase")

    @property
    def passphrase_text(self) -> str:
        """The passphrase a ``passphrase`` key was made from (its SQL quoting undone)."""
        return self.pragma_value[1:-1].replace("''", "'")


def _get(account: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, account)
    except keyring.errors.KeyringError:
        return None


def _set(account: str, value: str) -> None:
    try:
        keyring.set_password(SERVICE, account, value)
    except keyring.errors.KeyringError as exc:
        raise StoreKeyError(say("The OS keyring refused to store the conversation key: {exc}.", exc=exc)) from None


def _delete(account: str) -> None:
    with suppress(keyring.errors.KeyringError):
        keyring.delete_password(SERVICE, account)


class KeyManager:
    """Finds, creates, rotates and forgets the store key for one database."""

    def __init__(self, db_path: Path, passphrase: str | None = None) -> None:
        self.db_path = db_path
        self.marker = db_path.with_name("store.json")
        self._passphrase = passphrase
        self._backed_up = False

    def _marker(self) -> dict[str, str]:
        try:
            data = json.loads(self.marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def source(self) -> str | None:
        value = self._marker().get("key_source")
        return value if value in ("keyring", "passphrase") else None

    def _accounts(self) -> tuple[str, str]:
        """Keyring names for this database: each store (each HEARTH_HOME) has its own key."""
        store_id = self._marker().get("store_id", "")
        suffix = f":{store_id}" if store_id else ""
        return ACCOUNT + suffix, PENDING + suffix

    def _path_account(self) -> str:
        """A second keyring name for the same key, from the database's path alone: losing
        ``store.json`` (which holds the random store id) must not lock an intact database."""
        digest = hashlib.sha256(str(self.db_path.resolve()).encode()).hexdigest()[:16]
        return f"{ACCOUNT}:path:{digest}"

    def opened_with(self, key: StoreKey) -> None:
        """The database opened with ``key``: keep the path-named copy of a keyring key, and write a
        lost ``store.json`` again."""
        if key.source != "keyring" or self._backed_up:
            return
        self._backed_up = True  # once per store, not per connection (each thread opens its own)
        hex_key = key.pragma_value[3:-2]
        try:
            if _get(self._path_account()) != hex_key:
                _set(self._path_account(), hex_key)
        except Exception:  # a copy for a rainy day: never a reason to fail an open
            log.warning("could not keep a second copy of the store key in the keyring", exc_info=True)
        if not self.marker.exists():
            with suppress(OSError):
                self.marker.write_text(json.dumps({"key_source": "keyring", "store_id": ""}), encoding="utf-8")

    def _record(self, source: str) -> None:
        """Written before the key: a folder that cannot take this file gets no keyring entry."""
        self.marker.parent.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(json.dumps({"key_source": source, "store_id": secrets.token_hex(8)}), encoding="utf-8")

    def passphrase(self) -> str | None:
        return self._passphrase or os.environ.get(PASSPHRASE_ENV) or None

    def candidates(self) -> list[StoreKey]:
        """Keys to try for an existing database, best first."""
        source = self.source() or ("keyring" if keyring_usable() else "passphrase")
        if source == "passphrase":
            text = self.passphrase()
            if not text:
                raise StoreKeyError(
                    say("The conversation store is protected by a passphrase."),
                    say("Enter it when asked, or set {PASSPHRASE_ENV} for unattended use.", PASSPHRASE_ENV=PASSPHRASE_ENV),
                )
            return [StoreKey.passphrase(text)]
        accounts = (*self._accounts(), self._path_account())
        keys = [StoreKey.raw(k) for k in dict.fromkeys(filter(None, map(_get, accounts)))]
        if not keys:
            raise StoreKeyError(
                say("The key of the conversation store is missing from the OS keyring, so the conversations cannot be read."),
                say("If the keyring was reset, the conversations are lost; 'hearth conversations purge --all' starts over."),
            )
        return keys

    def create(self) -> StoreKey:
        """First run: a random key in the keyring, or the user's passphrase when there is no keyring."""
        if keyring_usable():
            hex_key = secrets.token_hex(32)
            self._record("keyring")
            try:
                _set(self._accounts()[0], hex_key)
                _set(self._path_account(), hex_key)
            except StoreKeyError:
                self.marker.unlink(missing_ok=True)
                raise
            return StoreKey.raw(hex_key)
        text = self.passphrase()
        if not text:
            raise StoreKeyError(
                say("No OS keyring is available to keep the conversation key, and Hearth never stores it in a plain file."),
                say(
                    "Choose a passphrase (Hearth asks for it), or set {PASSPHRASE_ENV} for unattended use.",
                    PASSPHRASE_ENV=PASSPHRASE_ENV,
                ),
            )
        self._record("passphrase")
        return StoreKey.passphrase(text)

    def begin_rotation(self, new_passphrase: str | None = None) -> StoreKey:
        if self.source() == "passphrase":
            if not new_passphrase:
                raise StoreKeyError(say("A new passphrase is needed to rotate the key of a passphrase-protected store."))
            return StoreKey.passphrase(new_passphrase)
        hex_key = secrets.token_hex(32)
        _set(self._accounts()[1], hex_key)
        return StoreKey.raw(hex_key)

    def finish_rotation(self, key: StoreKey) -> None:
        if key.source == "keyring":
            current, pending = self._accounts()
            _set(current, key.pragma_value[3:-2])
            _set(self._path_account(), key.pragma_value[3:-2])
            _delete(pending)
        else:
            self._passphrase = key.passphrase_text

    def forget(self) -> None:
        """Delete everything: the key and the marker (the database is deleted by the store)."""
        for account in (*self._accounts(), self._path_account()):
            _delete(account)
        self.marker.unlink(missing_ok=True)
