"""Entry point of the bundled app (PyInstaller): the same ``hearth`` command."""

from app.cli.main import main

raise SystemExit(main())
