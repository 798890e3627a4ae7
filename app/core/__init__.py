"""Hearth's core: engine, models, storage.  Never imports Qt (see .importlinter)."""
