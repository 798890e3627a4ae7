"""Installed size and start time of the Linux package (issue #6).

Builds the .deb (installers/linux/build-deb.sh), installs it into a temp root
with dpkg-deb, and prints the installed size, then the time to run
``hearth --version`` and to show the main window (``gui --smoke-test``,
offscreen): the first run right after installing (the page cache is dropped
first where the kernel allows it, which makes it a true cold start) and the
best of 5 warm runs.  Run: ``.venv/bin/python bench/installer_bench.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        env = dict(os.environ, PYINSTALLER_CONFIG_DIR=str(out / "pyi-cache"))
        start = time.perf_counter()
        deb = subprocess.run(
            [str(ROOT / "installers/linux/build-deb.sh"), str(out)], check=True, capture_output=True, text=True, env=env
        )
        build_s = time.perf_counter() - start
        package = Path(deb.stdout.strip().splitlines()[-1])
        root = out / "root"
        subprocess.run(["dpkg-deb", "-x", str(package), str(root)], check=True)
        installed = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        print(f"package {package.name}: {package.stat().st_size / 2**20:.1f} MiB (built in {build_s:.0f} s)")
        print(f"installed size: {installed / 2**20:.1f} MiB in {sum(1 for _ in root.rglob('*'))} files")
        app = str(root / "opt/hearth/hearth")
        run_env = dict(os.environ, HEARTH_HOME=str(out / "home"), QT_QPA_PLATFORM="offscreen",
                       PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # fmt: skip
        for label, cmd in (("hearth --version", [app, "--version"]), ("main window shown", [app, "gui", "--smoke-test"])):
            cold = drop_caches()
            first = timed(cmd, run_env)
            warm = min(timed(cmd, run_env) for _ in range(5))
            kind = "cold (page cache dropped)" if cold else "first run (page cache could not be dropped)"
            print(f"{label:20}: {kind} {first:.2f} s, warm best of 5 {warm:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
