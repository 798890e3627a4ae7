"""Entry point of the bundled app (PyInstaller): the same ``hearth`` command."""

from app.main import main

raise SystemExit(main())
