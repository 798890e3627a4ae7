"""One paths module; HEARTH_HOME relocates everything; the test guard bites."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from app.core import logging_setup, paths
from tests.write_guard import guard


def test_hearth_home_relocates_every_user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path / "h"))
    dirs = paths.user_dirs().ensure()
    for d in dirs.all():
        assert d.is_dir()
        assert d.is_relative_to(tmp_path / "h")
    assert len(set(dirs.all())) == 5


def test_without_hearth_home_platformdirs_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTH_HOME", raising=False)
    dirs = paths.user_dirs()  # resolved only, nothing created
    assert "Hearth" in str(dirs.data)
    assert dirs.models.parent == dirs.data


def test_site_config_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_SITE_CONFIG", str(tmp_path))
    assert paths.site_config_dir() == tmp_path.resolve()
    monkeypatch.delenv("HEARTH_SITE_CONFIG")
    assert "Hearth" in str(paths.site_config_dir())


def test_log_file_lives_in_the_logs_dir(hearth_home: Path) -> None:
    log_path = logging_setup.setup()
    assert log_path.is_relative_to(hearth_home)
    assert logging_setup.setup() == log_path  # idempotent: no second handler


def test_write_guard_catches_a_write_outside_the_temp_home() -> None:
    violations = guard["violations"]
    before = len(violations)  # type: ignore[arg-type]
    outside = Path(tempfile.gettempdir()) / f"hearth-guard-probe-{os.getpid()}"
    try:
        with open(outside, "w") as fh:  # the guard must record this
            fh.write("x")
        recorded = violations[before:]  # type: ignore[index]
        assert str(outside) in recorded
    finally:
        del violations[before:]  # type: ignore[arg-type]
        outside.unlink(missing_ok=True)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows profiles are private by ACL")
def test_everything_written_is_the_users_alone(models, tmp_path: Path) -> None:
    """A chat (store, key file, settings, logs, network log) leaves only 0700 folders and 0600 files,
    and folders and files an older version made 0755/0644 are narrowed at the next start."""
    import subprocess
    import sys

    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "data").chmod(0o755)
    old = home / "data" / "store.json"
    old.write_text("{}")
    old.chmod(0o644)
    env = dict(os.environ, HEARTH_HOME=str(home))
    root = Path(__file__).resolve().parents[1]
    for args in (["policy", "show"], ["chat", "--model", str(models()), "--prompt", "hi", "--max-tokens", "2"]):
        done = subprocess.run(
            [sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=root, env=env, timeout=120
        )
        assert done.returncode in (0, 1), done.stderr  # policy show: 0; chat: 0
    modes = {str(p.relative_to(tmp_path)): oct(p.stat().st_mode & 0o777) for p in [home, *home.rglob("*")]}
    assert any(name.endswith(".db") for name in modes) and any("hearth.log" in name for name in modes)
    assert {mode for name, mode in modes.items() if (tmp_path / name).is_dir()} == {"0o700"}, modes
    assert {mode for name, mode in modes.items() if (tmp_path / name).is_file()} == {"0o600"}, modes
