#!/usr/bin/env bash
# Set up cvtex on Debian/Ubuntu and render the bundled example profile.
#   1. TeX Live (XeLaTeX, ko.TeX), Noto CJK and TeX Gyre fonts from apt (skipped when installed);
#   2. a Python virtual environment in .venv with cvtex and its test dependencies;
#   3. cvtex render data/example.yaml -> out/example-en.pdf, out/example-ko.pdf.
# Safe to run again. Needs root or sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(texlive-xetex texlive-lang-korean texlive-latex-recommended texlive-latex-extra latexmk
              fonts-noto-cjk fonts-texgyre poppler-utils python3-venv git)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

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

echo "==> cvtex render data/example.yaml --output-dir out --offline"
.venv/bin/cvtex render data/example.yaml --output-dir out --offline
