"""The command line: ``cvtex`` and its commands (:mod:`cvtex.cli.commands`)."""

from cvtex.cli.commands import app, main

__all__ = ["app", "main"]
