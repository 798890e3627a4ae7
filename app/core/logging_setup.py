"""Logging to a rotating file in the user's log dir.

Bugs (unexpected exceptions) and llama.cpp's own output end up here, never
on the terminal, so a user sees clean messages and a developer still gets a
full trace from ``hearth.log``.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from app.core import paths

LOG_FILE = "hearth.log"
_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def setup(level: int | None = None) -> Path:
    """Idempotent; returns the log file path.  ``HEARTH_LOG_LEVEL`` overrides the level."""
    log_dir = paths.user_dirs().logs
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / LOG_FILE
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "baseFilename", None) == str(log_path):
            return log_path
    env_level = logging.getLevelName(os.environ.get("HEARTH_LOG_LEVEL", "INFO").upper())
    handler = logging.handlers.RotatingFileHandler(log_path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(level or (env_level if isinstance(env_level, int) else logging.INFO))
    return log_path
