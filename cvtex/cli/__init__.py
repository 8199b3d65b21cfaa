"""The command line: ``cvtex`` and its commands (:mod:`cvtex.cli.commands`), the render
and link check they share (:mod:`cvtex.cli.rendering`), the ``--watch`` loop
(:mod:`cvtex.cli.watch`), printing and exit codes (:mod:`cvtex.cli.output`) and
``cvtex doctor``'s checks (:mod:`cvtex.cli.doctor`)."""

from cvtex.cli.commands import app, main

__all__ = ["app", "main"]
