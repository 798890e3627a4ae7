"""The Hub token, kept in the OS keyring and nowhere else.

huggingface-hub would read a token from ``HF_TOKEN`` or from a plain file in
its cache; Hearth never writes the token to a file.  ``hearth models login``
stores it with :mod:`keyring` (Keychain, Windows Credential Manager, Secret
Service); every Hub call gets it passed explicitly as ``token=``.  Where no
keyring backend exists (a headless Linux box), saving fails with a clear
message, and ``HF_TOKEN`` still works for that one session.
"""

from __future__ import annotations

import logging
import os
import secrets

import keyring
import keyring.errors
from keyring.backends import fail

from app.core.errors import CredentialStoreError
from app.core.sentences import say

SERVICE = "Hearth"
log = logging.getLogger(__name__)


def keyring_usable() -> bool:
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend setup (D-Bus down, bad PYTHON_KEYRING_BACKEND) means: no keyring
        log.warning("the OS keyring is not usable: %s", exc)
        return False
    return not isinstance(backend, fail.Keyring) and backend.priority > 0


def _account(endpoint: str) -> str:
    return f"hub-token@{endpoint.rstrip('/')}"


def _usable() -> None:
    if not keyring_usable():
        raise CredentialStoreError(
            say("No OS keyring is available to keep the token safely, and Hearth never stores it in a plain file."),
            say(
                "Install and unlock a keyring (GNOME Keyring, KWallet, KeePassXC's Secret Service), or set "
                "HF_TOKEN in the environment for this session."
            ),
        )


def save_token(endpoint: str, token: str) -> None:
    _usable()
    _store(_account(endpoint), token, "the token")


def delete_token(endpoint: str) -> bool:
    return _forget(_account(endpoint), "the token")


def load_token(endpoint: str) -> str | None:
    """``HF_TOKEN`` first (explicit, per session), then the keyring; None when neither has one."""
    return _read("HF_TOKEN", _account(endpoint))


def _store(account: str, secret: str, what: str) -> None:
    try:
        keyring.set_password(SERVICE, account, secret)
    except keyring.errors.KeyringError as exc:
        raise CredentialStoreError(say("The OS keyring refused to store {what}: {exc}.", what=what, exc=exc)) from None


def _forget(account: str, what: str) -> bool:
    """Delete one secret; False when none was stored."""
    try:
        keyring.delete_password(SERVICE, account)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as exc:
        raise CredentialStoreError(say("The OS keyring refused to delete {what}: {exc}.", what=what, exc=exc)) from None
    return True


def _read(env: str, account: str) -> str | None:
    """The environment variable (one session, explicit) first, then the keyring."""
    value = os.environ.get(env, "").strip()
    if value:
        return value
    try:
        return keyring.get_password(SERVICE, account)
    except keyring.errors.KeyringError:
        return None


# -- the local API's key -------------------------------------------------------------------------
API_KEY_ACCOUNT = "local-api-key"
API_KEY_ENV = "HEARTH_API_KEY"  # for one headless session without a keyring


def api_key(create: bool = True) -> str:
    """The local API's bearer key: generated on first use and kept in the OS keyring."""
    env = os.environ.get(API_KEY_ENV, "").strip()
    if env:
        return env
    _usable_for("the local API's key", f"or set {API_KEY_ENV} for this session")
    key = _read(API_KEY_ENV, API_KEY_ACCOUNT)
    if key or not create:
        return key or ""
    return rotate_api_key()


def rotate_api_key() -> str:
    """A new key; the old one stops working at once (clients need the new one)."""
    _usable_for("the local API's key", f"or set {API_KEY_ENV} for this session")
    key = "hearth-" + secrets.token_urlsafe(32)
    _store(API_KEY_ACCOUNT, key, "the local API's key")
    return key


def _usable_for(what: str, alternative: str) -> None:
    if not keyring_usable():
        raise CredentialStoreError(
            say("No OS keyring is available to keep {what} safely, and Hearth never stores it in a plain file.", what=what),
            say(
                "Install and unlock a keyring (GNOME Keyring, KWallet, KeePassXC's Secret Service), {alternative}.",
                alternative=alternative,
            ),
        )


# -- remote engines' API keys ----------------------------------------------------------------------
ENGINE_TOKEN_ENV = "HEARTH_ENGINE_TOKEN"  # for one headless session without a keyring


def _engine_account(name: str) -> str:
    return f"engine-token@{name.lower()}"


def save_engine_token(name: str, token: str) -> None:
    _usable_for("the engine's API key", f"or set {ENGINE_TOKEN_ENV} for this session")
    _store(_engine_account(name), token, "the API key")


def delete_engine_token(name: str) -> bool:
    return keyring_usable() and _forget(_engine_account(name), "the API key")


def engine_token(name: str) -> str | None:
    """``HEARTH_ENGINE_TOKEN`` first (one headless session), then the keyring; None when neither has one
    (a server started without ``--api-key`` needs none)."""
    if not os.environ.get(ENGINE_TOKEN_ENV, "").strip() and not keyring_usable():
        return None
    return _read(ENGINE_TOKEN_ENV, _engine_account(name))
