"""Hearth's desktop GUI (PySide6): a thin client of app.core."""
