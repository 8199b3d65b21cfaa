"""``cvtex doctor``: is the toolchain cvtex needs installed?

Checks XeLaTeX, the ko.TeX packages (``kotex.sty``, ``xetexko.sty``), the LaTeX packages
the built-in themes load, fontconfig's ``fc-list`` and the fonts every built-in theme names,
its icon font included (through fontconfig, which is how XeTeX's fontspec finds fonts by
family name). The speed paths (:func:`cvtex.tex.speed_status`) are listed apart: one that is
off makes renders slower, never wrong.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from cvtex import tex
from cvtex import theme as themes

LATEX_PACKAGES = ("kotex.sty", "xetexko.sty", "fontspec.sty", "xcolor.sty", "enumitem.sty", "fancyhdr.sty",
                  "geometry.sty",
                  # hyperref's XeTeX driver loads this font for link borders (a user theme with hyperref)
                  "pzdr.tfm")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _run(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def checks() -> list[Check]:
    """Every check, in display order."""
    out: list[Check] = []
    xelatex = shutil.which(tex.ENGINE)
    out.append(Check("XeLaTeX", bool(xelatex), tex.engine_version() if xelatex else "not on PATH"))
    kpsewhich = shutil.which("kpsewhich")
    for package in LATEX_PACKAGES:
        path = _run(kpsewhich, package).strip() if kpsewhich else ""
        out.append(Check(package, bool(path), _package_version(path) if path else "not found by kpsewhich"))
    fc_list = shutil.which("fc-list")
    out.append(Check("fontconfig (fc-list)", bool(fc_list), fc_list or "not on PATH: Debian package fontconfig"))
    versions: dict[str, str] = {}
    for line in _run("fc-list", "--format", "%{family}|%{fontversion}|%{file}\n").splitlines():
        families, _, rest = line.partition("|")
        version, _, file = rest.partition("|")
        for family in families.split(","):
            # fontconfig's fontversion is the font's 16.16 fixed-point revision (OpenType 'head').
            versions.setdefault(family.strip(), f"{int(version or 0) / 65536:.3f}  {file}")
    configs = [themes.load_theme(name).config for name in themes.builtin_themes()]
    wanted = sorted({font for config in configs for fonts in config.fonts.values() for font in fonts.model_dump().values()}
                    | {config.icon_font for config in configs if config.icon_font})
    for font in wanted:
        out.append(Check(f"font {font}", font in versions, versions.get(font, "not installed")))
    return out


def _package_version(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4000)
    except OSError:
        return path
    match = re.search(r"\[(\d{4}/\d{2}/\d{2}[^\]]*)\]", head)
    return f"{match.group(1)}  {path}" if match else path
