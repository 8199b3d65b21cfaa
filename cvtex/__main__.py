"""``python -m cvtex`` runs the command line."""

from cvtex.cli import main

main()
