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


class UnknownEngineError(HearthError):
    """No engine of that name is configured (by the policy or by the user)."""

    exit_code = 6


class RemoteEngineError(HearthError):
    """A remote engine (an on-prem OpenAI-compatible server) failed; subclasses say how."""

    exit_code = 13


class RemoteUnreachableError(RemoteEngineError):
    """No connection could be made (after the retries)."""


class RemoteTLSError(RemoteEngineError):
    """The server's certificate could not be verified."""


class RemoteTimeoutError(RemoteEngineError):
    """The server stopped sending for longer than the stall limit."""


class RemoteAuthError(RemoteEngineError):
    """401/403: the API key is missing or refused."""


class RemoteModelNotFoundError(RemoteEngineError):
    """404: the server does not serve that model (or the URL is not an OpenAI-compatible API)."""


class RemoteBusyError(RemoteEngineError):
    """429: the server asks to slow down."""

    def __init__(self, message: str, hint: str = "", *, retry_after_s: float | None = None) -> None:
        super().__init__(message, hint)
        self.retry_after_s = retry_after_s


class RemoteServerError(RemoteEngineError):
    """5xx, an error inside the stream, or a reply that is not the protocol."""


class RemoteRequestError(RemoteEngineError):
    """400/422: the server rejected the request."""


class RemoteContextError(RemoteEngineError, ContextTooSmallError):
    """The conversation is longer than the server's context (exit 5, as for a local model)."""

    exit_code = 5
