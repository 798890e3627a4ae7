"""Hearth's command line: a second client of app.core, beside the GUI."""
