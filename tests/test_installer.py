"""The Linux package, built with PyInstaller + dpkg-deb, installed into a temp root
and smoke-tested: --version, a one-shot chat on a generated model, the GUI offscreen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not shutil.which("dpkg-deb"):
        pytest.skip("dpkg-deb is not installed (the .deb is built on Debian/Ubuntu)")
    out = tmp_path_factory.mktemp("deb")
    env = dict(os.environ, PYINSTALLER_CONFIG_DIR=str(out / "pyinstaller-cache"))  # nothing outside the temp dirs
    build = subprocess.run(
        [str(ROOT / "installers/linux/build-deb.sh"), str(out)], capture_output=True, text=True, env=env, timeout=1200
    )
    assert build.returncode == 0, build.stderr[-3000:]
    deb = Path(build.stdout.strip().splitlines()[-1])
    info = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Package", "Version", "Architecture"], capture_output=True, text=True, check=True
    )
    assert "Package: hearth" in info.stdout and "Version: 0." in info.stdout
    return deb


@pytest.fixture(scope="module")
def installed(deb: Path) -> Path:
    root = deb.parent / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def run(root: Path, *args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # The bundle cannot import the tests' keyring: use the passphrase path (a headless box's case).
    environment = dict(os.environ, HEARTH_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    environment.update(HEARTH_PASSPHRASE="installer test", **env)
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(root / "opt/hearth/hearth"), *args], capture_output=True, text=True, env=environment, timeout=120, cwd=home
    )


def test_package_layout(installed: Path) -> None:
    assert (installed / "usr/bin/hearth").is_symlink() and os.readlink(installed / "usr/bin/hearth") == "/opt/hearth/hearth"
    desktop = (installed / "usr/share/applications/hearth.desktop").read_text()
    assert "Exec=hearth gui" in desktop and "Icon=hearth" in desktop
    assert (installed / "usr/share/icons/hicolor/scalable/apps/hearth.svg").exists()
    assert (installed / "etc/xdg/Hearth/README").exists() and (installed / "usr/share/doc/hearth/policy.example.toml").exists()
    assert list((installed / "opt/hearth/_internal").rglob("libllama*.so*")), "llama.cpp's shared library is bundled"
    assert (installed / "opt/hearth/_internal/models/catalog.json").exists()


def test_installed_app_runs(installed: Path, models, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert run(installed, "--version", home=home).stdout.startswith("hearth ")
    assert run(installed, "--backend", home=home).stdout.strip() in ("CPU", "CUDA", "Metal", "GPU")
    model = models.family("r1-distill-qwen", quant="Q8_0")
    chat = run(installed, "chat", "--model", str(model), "--prompt", "hello", "--max-tokens", "4", "--json", home=home)
    assert chat.returncode == 0, chat.stderr
    assert json.loads(chat.stdout.splitlines()[-1])["type"] == "done"
    assert "saved as conversation 1" in chat.stderr  # the encrypted store works from the bundle (sqlcipher3)
    listed = run(installed, "models", "list", "--json", home=home)
    assert listed.returncode == 0 and len(json.loads(listed.stdout)["catalog"]) >= 11
    served = serve_once(installed, model, home)
    assert served["object"] == "list" and len(served["data"]) == 1, served  # the local API works from the bundle
    gui = run(installed, "gui", "--smoke-test", home=home, QT_QPA_PLATFORM="offscreen")
    assert gui.returncode == 0 and "window shown: Hearth" in gui.stdout, gui.stderr
    assert int(gui.stdout.rsplit("code colours: ", 1)[1].split()[0]) >= 3  # Pygments' lexers made it into the bundle


def serve_once(root: Path, model: Path, home: Path) -> dict[str, object]:
    """Start the bundle's ``hearth serve`` on a free loopback port, ask it for its models, stop it."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = dict(os.environ, HEARTH_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       HEARTH_PASSPHRASE="installer test", HEARTH_API_KEY="installer-key")  # fmt: skip
    environment.pop("PYTHONPATH", None)
    with subprocess.Popen(
        [str(root / "opt/hearth/hearth"), "serve", "--port", str(port), "--model", str(model)],
        env=environment, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:  # fmt: skip
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/models", headers={"Authorization": "Bearer installer-key"}
            )
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        return dict(json.loads(response.read()))
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
                    time.sleep(0.2)
        finally:
            proc.terminate()
            proc.communicate(timeout=30)


def test_the_icons_are_rendered_from_the_svg(tmp_path: Path) -> None:
    """installers/make_icons.py: the Windows .ico and the macOS iconset, read back at their sizes."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    script = str(ROOT / "installers" / "make_icons.py")
    made = subprocess.run([sys.executable, script, str(tmp_path)], capture_output=True, text=True, timeout=120, env=env)
    assert made.returncode == 0, made.stderr
    from PySide6.QtGui import QImageReader

    ico = QImageReader(str(tmp_path / "hearth.ico"))
    assert bytes(ico.format().data()) == b"ico" and ico.read().width() == 256
    sizes = sorted(QImageReader(str(p)).size().width() for p in (tmp_path / "hearth.iconset").glob("*.png"))
    assert sizes == [16, 32, 32, 64, 128, 256, 256, 512, 512, 1024]


def test_the_deb_installs_with_apt_in_a_fresh_debian(deb: Path, tmp_path: Path) -> None:
    """For real: a minimal Debian 12 made by debootstrap, then apt-get install of the .deb (its
    Depends resolved, its maintainer script run), the command on the PATH, the window's smoke test
    (offscreen), the backend line, and apt-get remove."""
    if os.geteuid() != 0 or not shutil.which("debootstrap") or not shutil.which("chroot"):
        pytest.skip("needs root, debootstrap and chroot (a throwaway Debian root)")
    root = tmp_path / "debian"
    made = subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(root), "http://deb.debian.org/debian"],
                          capture_output=True, text=True, timeout=900)  # fmt: skip
    if made.returncode != 0:
        pytest.skip(f"debootstrap could not make a Debian root here: {made.stderr.strip()[-300:]}")
    shutil.copy(deb, root / "tmp" / deb.name)
    shutil.copy("/etc/resolv.conf", root / "etc" / "resolv.conf")

    def inside(*command: str, **env: str) -> subprocess.CompletedProcess[str]:
        environment = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", **env}
        return subprocess.run(["chroot", str(root), "env", "-i", *(f"{k}={v}" for k, v in environment.items()), *command],
                              capture_output=True, text=True, timeout=900)  # fmt: skip

    assert inside("apt-get", "update", "-q").returncode == 0
    install = inside("apt-get", "install", "-y", "-q", "--no-install-recommends", f"/tmp/{deb.name}")
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    assert "Setting up hearth" in install.stdout
    assert inside("sh", "-c", "command -v hearth").stdout.strip() == "/usr/bin/hearth"
    assert inside("hearth", "--version").stdout.startswith("hearth 0.")
    subprocess.run(["mount", "--bind", "/proc", str(root / "proc")], check=True)
    try:
        app = {"HOME": "/root", "HEARTH_HOME": "/tmp/home", "QT_QPA_PLATFORM": "offscreen", "HEARTH_PASSPHRASE": "deb test",
               "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # fmt: skip
        smoke = inside("hearth", "gui", "--smoke-test", **app)
        assert smoke.returncode == 0 and "window shown: Hearth" in smoke.stdout, smoke.stderr[-3000:]
        assert inside("hearth", "--backend", **app).stdout.strip()  # CPU here; CUDA or Metal where built so
    finally:
        subprocess.run(["umount", str(root / "proc")], check=False)
    assert inside("apt-get", "remove", "-y", "-q", "hearth").returncode == 0
    assert not (root / "opt" / "hearth").exists() and not (root / "usr" / "bin" / "hearth").exists()
