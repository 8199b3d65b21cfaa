#!/usr/bin/env bash
# Install the apt packages cvtex renders with: TeX Live (XeLaTeX, ko.TeX), Noto CJK, TeX Gyre and
# FontAwesome (the modern theme's icons) fonts, fontconfig, poppler. The one list of them:
# scripts/setup.sh, the workflows and action.yml run this.
#   bash scripts/install-tex.sh [EXTRA_PACKAGE...]
# Installs only what is missing (dpkg-query). Needs root or sudo.
# APT_CACHE_DIR=DIR keeps the downloaded .deb files in DIR (the workflows cache it between runs).
set -euo pipefail

# Every file XeLaTeX reads while the test suite renders belongs to one of these or to one of
# their Depends (not Recommends: installs use --no-install-recommends); tests/test_packages.py
# checks it with dpkg -S and apt-cache depends. cvtex/tex/toolchain.py APT_PACKAGES is the same list.
# Names checked: Debian 12 bookworm and Debian 13 trixie with apt-cache policy (2026-12-03; TeX
# Live 2022.20230122 and 2024.20250309); Ubuntu 22.04 jammy and 24.04 noble on packages.ubuntu.com
# (the texlive-* packages are built from Debian's texlive-base/-lang/-extra sources under the same
# names there; no Ubuntu archive is reachable from cvtex's build machines to install them).
APT_PACKAGES=(
  texlive-xetex              # xelatex, fontspec, the format
  texlive-lang-korean        # ko.TeX: kotex.sty, xetexko
  texlive-latex-recommended  # xcolor, fancyhdr, geometry …
  texlive-latex-extra        # enumitem …
  texlive-fonts-recommended  # pzdr.tfm: hyperref's XeTeX driver loads it (a user theme with hyperref)
  latexmk                    # compiles a --keep-tex source on its own (docs/commands.md)
  fonts-noto-cjk             # Noto Serif/Sans CJK KR: the Hangul fonts
  fonts-texgyre              # TeX Gyre Pagella, Termes, Heros: the Latin fonts
  fonts-font-awesome         # the modern theme's icons
  fontconfig                 # fc-list: glyph and font checks (libfontconfig alone has no fc-list)
  poppler-utils              # pdftotext, pdftoppm: tests and previews
  "$@")

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
