"""Typed errors for problems in the user's environment.

Rule: anything a user can cause (a missing or broken file, too little memory,
a context that is too small) is raised as a :class:`HearthError` subclass whose
``str()`` is a complete sentence meant for the user, with a hint on what to do.
Clients (CLI, GUI) show that text and nothing else.  Anything else that escapes
is a bug: it goes to the log with its traceback.
"""

from __future__ import annotations


class HearthError(Exception):
    """Base class: ``str(err)`` is user-facing text; ``hint`` says what to do."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class ModelFileError(HearthError):
    """The model file cannot be used; subclasses say why."""

    exit_code = 3


class ModelFileMissingError(ModelFileError):
    pass


class NotAGGUFError(ModelFileError):
    pass


class CorruptModelError(ModelFileError):
    """Truncated or internally inconsistent GGUF."""


class UnsupportedArchitectureError(ModelFileError):
    pass


class InsufficientMemoryError(HearthError):
    """The model plus its context would not fit in the memory available."""

    exit_code = 4

    def __init__(self, message: str, hint: str = "", *, max_context: int | None = None) -> None:
        super().__init__(message, hint)
        self.max_context = max_context


class ContextTooSmallError(HearthError):
    """Even the latest message alone does not fit in the context window."""

    exit_code = 5


class ModelLoadError(HearthError):
    """llama.cpp refused a file that passed our own validation."""

    exit_code = 3


class EngineBusyError(HearthError):
    pass


class NoModelLoadedError(HearthError):
    pass


class CatalogError(HearthError):
    """A catalog file (bundled or the admin's) does not match the schema."""

    exit_code = 6


class UnknownModelError(HearthError):
    """No catalog entry or installed model has that id or quantization."""

    exit_code = 6


class DownloadError(HearthError):
    """A download could not finish; what was fetched so far is kept to resume."""

    exit_code = 7


class NetworkError(DownloadError):
    """The endpoint could not be reached, or kept failing after every retry."""


class RemoteFileNotFoundError(DownloadError):
    pass


class AuthRequiredError(DownloadError):
    """The repository is gated or private and the token is missing or refused."""


class ChecksumMismatchError(DownloadError):
    """The bytes do not match the published sha256; the bad file was deleted."""


class UnverifiableFileError(DownloadError):
    """No sha256 is known for a file from any source, so it is not accepted."""


class InsufficientDiskError(DownloadError):
    """Not enough free disk space for the files still to fetch (or to copy)."""


class DownloadCancelledError(DownloadError):
    exit_code = 130


class CredentialStoreError(HearthError):
    """No usable OS keyring to keep the Hub token in."""

    exit_code = 8


class StoreError(HearthError):
    """The conversation store cannot be opened or written."""

    exit_code = 9


class StoreKeyError(StoreError):
    """No key for the encrypted store (keyring missing or emptied, no passphrase given)."""


class WrongKeyError(StoreError):
    """The key or passphrase does not open the database."""


class StoreTooNewError(StoreError):
    """The database was written by a newer Hearth."""


class StoreFullError(StoreError):
    """The disk (or the database's size limit) is full; the last change was not saved."""


class StoreReadOnlyError(StoreError):
    """The data folder or the database file cannot be written."""
