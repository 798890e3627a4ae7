"""The machine-wide policy at its real location, and what a user can (not) do about it.

Each check runs ``hearth`` in a private mount namespace (``unshare -m``) where a temporary folder
is bind-mounted over ``/etc/xdg``: the app reads ``/etc/xdg/Hearth/policy.toml`` exactly as on a
deployed workstation, and the real machine is not touched.  Every way round it that a user's own
environment offers (``HEARTH_POLICY``, ``HEARTH_SITE_CONFIG``, ``XDG_CONFIG_DIRS``) is tried.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.gguf_factory import TinySpec
from tests.hub_fixtures import tiny_catalog_data

ROOT = Path(__file__).resolve().parents[1]
MACHINE_POLICY = "/etc/xdg/Hearth/policy.toml"
LOCKED = """
offline = true
allow_downloads = false
allowed_models = ["test-tiny:Q8_0"]
locked_settings = ["temperature"]

[settings]
temperature = 0.2
"""


def _namespaces_work() -> bool:
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind / /mnt 2>/dev/null || mount -t tmpfs t /mnt"], capture_output=True
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    shutil.which("unshare") is None or not _namespaces_work(),
    reason="needs a private mount namespace (unshare -m, as root) to put a policy at /etc/xdg/Hearth",
)


@pytest.fixture
def machine(tmp_path: Path, models: Any) -> Path:
    """What IT deployed: /etc/xdg/Hearth with the policy and an admin catalog naming the test model."""
    etc_xdg = tmp_path / "etc-xdg"
    (etc_xdg / "Hearth").mkdir(parents=True)
    (etc_xdg / "Hearth" / "policy.toml").write_text(textwrap.dedent(LOCKED), encoding="utf-8")
    model = models(TinySpec(quant="Q8_0", seed=11))
    catalog = tiny_catalog_data({"tiny-Q8_0.gguf": model.read_bytes()})
    (etc_xdg / "Hearth" / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
    return etc_xdg


def hearth_on_the_machine(etc_xdg: Path | None, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``hearth ARGS`` with ``etc_xdg`` as the machine's /etc/xdg (None: the machine has no policy)."""
    command = shlex.join([sys.executable, "-m", "app", *args])
    if etc_xdg is None:
        script = f"mount -t tmpfs none /etc/xdg && exec {command}"  # an empty /etc/xdg: nothing deployed
    else:
        script = f"mount --bind {shlex.quote(str(etc_xdg))} /etc/xdg && exec {command}"
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    """A user's environment: their own home, none of the test suite's overrides."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("HEARTH_SITE_CONFIG", "HEARTH_POLICY", "XDG_CONFIG_DIRS")}
    env["HEARTH_HOME"] = str(home)
    return env


def user_attempts(tmp_path: Path, models: Any) -> dict[str, dict[str, str]]:
    """Every way a user's own environment could try to replace the machine's policy."""
    mine = tmp_path / "mine"
    (mine / "Hearth").mkdir(parents=True)
    open_policy = mine / "Hearth" / "policy.toml"
    open_policy.write_text("offline = false\nallow_downloads = true\nallowed_models = ['*']\n", encoding="utf-8")
    (mine / "policy.toml").write_text(open_policy.read_text(), encoding="utf-8")
    catalog = tiny_catalog_data({"tiny-Q8_0.gguf": models(TinySpec(quant="Q8_0", seed=11)).read_bytes()})
    (mine / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
    return {
        "HEARTH_POLICY=/nonexistent": {"HEARTH_POLICY": "/nonexistent"},
        "HEARTH_POLICY=/dev/null": {"HEARTH_POLICY": "/dev/null"},
        "HEARTH_POLICY=own file": {"HEARTH_POLICY": str(open_policy)},
        "HEARTH_SITE_CONFIG=own folder": {"HEARTH_SITE_CONFIG": str(mine)},
        "XDG_CONFIG_DIRS=own folder": {"XDG_CONFIG_DIRS": str(mine)},
    }


def test_the_machine_policy_is_read_from_its_real_place(machine: Path, user_env: dict[str, str]) -> None:
    shown = hearth_on_the_machine(machine, "policy", "show", "--json", env=user_env)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["path"] == MACHINE_POLICY and data["valid"] and data["machine_policy"] == MACHINE_POLICY
    assert data["values"]["offline"] is True and data["values"]["settings"] == {"temperature": 0.2}
    assert data["sources"]["offline"] == MACHINE_POLICY and data["sources"]["max_context"] == "default"
    text = hearth_on_the_machine(machine, "policy", "show", env=user_env).stdout
    assert f"policy file: {MACHINE_POLICY}" in text and "the only policy" in text


def test_a_user_cannot_lift_the_machine_policy(machine: Path, user_env: dict[str, str], tmp_path: Path, models: Any) -> None:
    for label, override in user_attempts(tmp_path, models).items():
        env = dict(user_env, **override)
        data = json.loads(hearth_on_the_machine(machine, "policy", "show", "--json", env=env).stdout)
        assert data["path"] == MACHINE_POLICY, label
        assert data["values"]["offline"] is True and data["values"]["allow_downloads"] is False, label
        assert data["values"]["allowed_models"] == ["test-tiny:Q8_0"], label
        if not label.startswith("XDG"):  # XDG_CONFIG_DIRS is never read at all
            assert data["ignored_overrides"], label
        download = hearth_on_the_machine(machine, "models", "download", "test-tiny", "--quant", "Q8_0", env=env)
        assert download.returncode == 12 and "offline" in download.stderr, (label, download.stderr)
    assert not list((Path(user_env["HEARTH_HOME"]) / "models").rglob("*.gguf"))  # nothing was installed


def test_locked_settings_and_models_hold_for_the_terminal_chat(
    machine: Path, user_env: dict[str, str], models: Any, tmp_path: Path
) -> None:
    model = shutil.copyfile(models(TinySpec(quant="Q8_0", seed=11)), tmp_path / "tiny-Q8_0.gguf")
    imported = hearth_on_the_machine(machine, "models", "import", str(model), env=user_env)
    assert imported.returncode == 0, imported.stderr
    ask = ("chat", "--model", "test-tiny:Q8_0", "--prompt", "hi", "--max-tokens", "2", "--no-save")
    hot = hearth_on_the_machine(machine, *ask, "--temperature", "1.5", env=user_env)
    assert hot.returncode == 12 and "locked to 0.2" in hot.stderr
    (Path(user_env["HEARTH_HOME"]) / "config").mkdir(exist_ok=True)
    (Path(user_env["HEARTH_HOME"]) / "config" / "settings.json").write_text('{"temperature": 1.5}')
    fine = hearth_on_the_machine(machine, *ask[:-1], env=user_env)  # stored this time; settings.json's 1.5 is no flag
    assert fine.returncode == 0, fine.stderr
    stored = json.loads(hearth_on_the_machine(machine, "conversations", "show", "1", "--json", env=user_env).stdout)
    assert stored["settings"]["sampling"]["temperature"] == 0.2  # the answer was sampled at the policy's value
    other = shutil.copyfile(models(TinySpec(quant="F16", seed=2)), tmp_path / "other-F16.gguf")
    denied = hearth_on_the_machine(machine, "chat", "--model", str(other), "--prompt", "hi", "--no-save", env=user_env)
    assert denied.returncode == 12 and "does not allow the model local-other:F16" in denied.stderr


def test_without_a_machine_policy_the_overrides_serve_tests_and_staging(user_env: dict[str, str], tmp_path: Path) -> None:
    staging = tmp_path / "staging.toml"
    staging.write_text("max_context = 1024\n", encoding="utf-8")
    data = json.loads(
        hearth_on_the_machine(None, "policy", "show", "--json", env=dict(user_env, HEARTH_POLICY=str(staging))).stdout
    )
    assert data["path"] == str(staging) and data["values"]["max_context"] == 1024 and data["ignored_overrides"] == []
