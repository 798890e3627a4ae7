"""A keyring backend for tests only: stores secrets in a JSON file inside the
temp Hearth home, so a ``hearth`` subprocess sees what the test stored.
Selected with ``PYTHON_KEYRING_BACKEND=tests.fake_keyring.FileKeyring``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @staticmethod
    def _file() -> Path:
        return Path(os.environ["HEARTH_HOME"]) / "test-keyring.json"

    def _load(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self._file().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._file().write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._file().write_text(json.dumps(data), encoding="utf-8")
