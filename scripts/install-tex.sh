#!/usr/bin/env bash
# Install the apt packages cvtex renders with: TeX Live (XeLaTeX, ko.TeX), Noto CJK, TeX Gyre and
# FontAwesome (the modern theme's icons) fonts, poppler. The one list of them: scripts/setup.sh,
# the workflows and action.yml run this.
#   bash scripts/install-tex.sh [EXTRA_PACKAGE...]
# Installs only what is missing (dpkg-query). Needs root or sudo.
# APT_CACHE_DIR=DIR keeps the downloaded .deb files in DIR (the workflows cache it between runs).
set -euo pipefail

APT_PACKAGES=(texlive-xetex texlive-lang-korean texlive-latex-recommended texlive-latex-extra latexmk
              fonts-noto-cjk fonts-texgyre fonts-font-awesome poppler-utils "$@")

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
apt_opts=(-y -qq --no-install-recommends)
if [ -n "${APT_CACHE_DIR:-}" ]; then
  mkdir -p "$APT_CACHE_DIR/partial"
  apt_opts+=(-o "Dir::Cache::Archives=$APT_CACHE_DIR" -o APT::Keep-Downloaded-Packages=true)
fi
echo "==> apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install "${apt_opts[@]}" "${missing[@]}" >/dev/null
