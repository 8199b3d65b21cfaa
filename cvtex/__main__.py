"""``python -m cvtex`` runs the command line."""

from .cli import main

main()
