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
