"""Every directory Hearth reads or writes, in one place.

Why one module: an app that scatters ``os.path.expanduser`` calls cannot be
relocated, cannot be tested in isolation, and eventually writes somewhere the
user did not expect.  Everything the app writes goes through :func:`user_dirs`;
setting ``HEARTH_HOME=<dir>`` moves *all* of it below that directory (tests and
portable installs rely on this).  Without it, platformdirs puts data where each
OS expects it (XDG on Linux, ``%LOCALAPPDATA%`` on Windows, ``~/Library`` on
macOS).

The machine-wide config dir (where IT drops a policy file) is read-only for the
app and is *not* moved by ``HEARTH_HOME``.  It is a fixed path per OS, never
derived from the environment a user controls (``XDG_CONFIG_DIRS`` would let a
user swap the policy).  ``HEARTH_SITE_CONFIG`` points it elsewhere only while
the machine-wide dir holds no policy: where IT deployed one, nothing in the
user's environment can replace it, and where it did not there is nothing to
lift (tests and staging set it).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Hearth"
APP_AUTHOR = "Hearth"
HOME_ENV = "HEARTH_HOME"
SITE_CONFIG_ENV = "HEARTH_SITE_CONFIG"
POLICY_NAME = "policy.toml"


@dataclass(frozen=True)
class UserDirs:
    """The per-user locations the app writes to."""

    data: Path
    config: Path
    models: Path
    cache: Path
    logs: Path

    def all(self) -> tuple[Path, ...]:
        return (self.data, self.config, self.models, self.cache, self.logs)

    def ensure(self) -> UserDirs:
        """Create every directory (idempotent) and return self."""
        for path in self.all():
            path.mkdir(parents=True, exist_ok=True)
        return self


PRIVATE_UMASK = 0o077  # directories 0700, files 0600


def make_private() -> None:
    """From now on everything Hearth creates is the user's alone (Linux, macOS): the process umask
    becomes 077, and Hearth's own folders (and the files directly in its data, config and log
    folders: the database, its key file, settings, logs) made by an earlier version with wider
    permissions are narrowed.  Called first thing at start, before the log file is opened."""
    if os.name != "posix":
        return  # Windows: the per-user profile folders are private by their ACLs
    os.umask(PRIVATE_UMASK)
    dirs = user_dirs()
    home = hearth_home()
    for folder in ((home,) if home is not None else ()) + dirs.all():
        _narrow(folder, 0o700)
    for folder in (dirs.data, dirs.config, dirs.logs):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_file() and not entry.is_symlink():
                _narrow(entry, 0o600)


def _narrow(path: Path, mode: int) -> None:
    try:
        status = path.stat()
        if status.st_uid == os.getuid() and status.st_mode & 0o077:
            path.chmod(mode)
    except OSError:
        pass  # missing, or not ours to change: nothing to narrow


def hearth_home() -> Path | None:
    """The relocation root from ``HEARTH_HOME``, or None when unset/empty."""
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def user_dirs() -> UserDirs:
    """Resolve the user directories now (environment read on every call)."""
    home = hearth_home()
    if home is not None:
        return UserDirs(
            data=home / "data",
            config=home / "config",
            models=home / "models",
            cache=home / "cache",
            logs=home / "logs",
        )
    dirs = platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR, roaming=False)
    data = Path(dirs.user_data_dir)
    return UserDirs(
        data=data,
        config=Path(dirs.user_config_dir),
        models=data / "models",
        cache=Path(dirs.user_cache_dir),
        logs=Path(dirs.user_log_dir),
    )


def machine_config_dir() -> Path:
    """Where IT puts the machine-wide policy and catalog: one fixed place per OS, writable only by
    administrators (platformdirs would take Linux's from ``XDG_CONFIG_DIRS``, which users set)."""
    if sys.platform == "win32":
        return Path(platformdirs.site_config_dir(APP_NAME, APP_AUTHOR))  # %ProgramData%, from the shell's known folder
    if sys.platform == "darwin":
        return Path("/Library/Application Support") / APP_NAME
    return Path("/etc/xdg") / APP_NAME


def machine_policy_deployed() -> bool:
    return (machine_config_dir() / POLICY_NAME).is_file()


def site_config_dir() -> Path:
    """Machine-wide configuration (policy, admin catalog); never written by the app.  The
    ``HEARTH_SITE_CONFIG`` override counts only where no machine-wide policy is deployed."""
    override = os.environ.get(SITE_CONFIG_ENV, "").strip()
    if override and not machine_policy_deployed():
        return Path(override).expanduser().resolve()
    return machine_config_dir()


def kv_snapshots_dir() -> Path:
    """Encrypted KV-cache snapshots, one file per conversation (``c<id>-*.kvs``): the store removes
    a conversation's files when it deletes the conversation."""
    return user_dirs().cache / "kv"


def package_root() -> Path:
    """The repository / bundle root holding ``models/`` and ``resources/``."""
    return Path(__file__).resolve().parents[2]


def bundled_models_dir() -> Path:
    """Catalog data and fallback chat templates shipped with the app."""
    return package_root() / "models"


def resources_dir() -> Path:
    return package_root() / "resources"


def self_command(*args: str) -> list[str]:
    """The command line that runs this Hearth again with ``args`` (a child process for work that
    may crash llama.cpp): the installed app's own executable, else ``python -m app``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "app", *args]
