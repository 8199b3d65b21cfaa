"""``cvtex doctor``: is the toolchain cvtex needs installed, and which versions are there?

Prints, in order:

* the versions a bug report needs (:func:`versions`): cvtex, Python, the operating system,
  XeTeX and its TeX Live release (first line of ``xelatex --version``), kotex and xetexko
  (the date and version of their ``\\ProvidesPackage`` line), and fontconfig;
* the checks (:func:`checks`): XeLaTeX, the ko.TeX packages (``kotex.sty``,
  ``xetexko.sty``), the LaTeX packages the built-in themes load, fontconfig's ``fc-list``,
  and the fonts every built-in theme names, its icon font included (through fontconfig,
  which is how XeTeX's fontspec finds fonts by family name), each with its version;
* the speed paths (:func:`cvtex.tex.speed_status`): one that is off makes renders slower,
  never wrong;
* when something is missing, the commands that install it on this system
  (:func:`cvtex.tex.detect_platform`: apt, dnf, pacman, Homebrew + MacTeX, tlmgr), and
  exit 3.

Piped (not a terminal), the tables are as wide as their rows (no path is cut to "…") and
every value is on one line (a ``.sty`` file's version string may hold a line break).
"""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

from cvtex import tex
from cvtex import theme as themes

LATEX_PACKAGES = ("kotex.sty", "xetexko.sty", "fontspec.sty", "xcolor.sty", "enumitem.sty", "fancyhdr.sty",
                  "geometry.sty", "graphicx.sty",
                  # the korean-form theme's tables
                  "longtable.sty", "array.sty", "colortbl.sty",
                  # hyperref's XeTeX driver loads this font for link borders (a user theme with hyperref)
                  "pzdr.tfm")
#: Width of the console when the output is not a terminal: wide enough for any row.
PIPE_WIDTH = 1000


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def one_line(text: str) -> str:
    """``text`` with every run of white space (line breaks too) made one space."""
    return " ".join(text.split())


def _run(*cmd: str, stderr: bool = False) -> str:
    """Standard output of ``cmd`` (with ``stderr``, standard error after it: ``fc-list
    --version`` writes there); ``''`` when it cannot run."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
        return done.stdout + (done.stderr if stderr else "")
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _kpsewhich(name: str) -> str:
    kpsewhich = shutil.which("kpsewhich")
    return _run(kpsewhich, name).strip() if kpsewhich else ""


def package_version(path: str) -> str:
    """The date and version of the LaTeX file at ``path``, from its ``\\ProvidesPackage``
    (or ``\\ProvidesExplPackage``…) line in the first 4000 characters — ``2023/03/05 v3.0 …``,
    on one line — or ``''``."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4000)
    except OSError:
        return ""
    match = re.search(r"\\Provides(?:Package|File|Class)[\s%]*\{[^}]*\}[\s%]*\[(\d{4}/\d{2}/\d{2}[^\]]*)\]", head)
    if match:
        return one_line(match.group(1))
    # expl3 packages: \ProvidesExplPackage {name} {date} {version} {description}
    match = re.search(r"\\ProvidesExpl(?:Package|File)[\s%]*\{[^}]*\}[\s%]*\{([^}]*)\}[\s%]*\{([^}]*)\}", head)
    return one_line(f"{match.group(1)} v{match.group(2)}") if match else ""


def font_versions() -> dict[str, tuple[str, str]]:
    """``{family: (version, file)}`` of every font fontconfig lists (``fc-list``): the
    version is fontconfig's ``fontversion``, the font's 16.16 fixed-point revision (OpenType
    ``head`` table), shown with three decimals."""
    found: dict[str, tuple[str, str]] = {}
    for line in _run("fc-list", "--format", "%{family}|%{fontversion}|%{file}\n").splitlines():
        families, _, rest = line.partition("|")
        version, _, file = rest.partition("|")
        for family in families.split(","):
            try:
                shown = f"{int(version or 0) / 65536:.3f}"
            except ValueError:
                shown = version
            found.setdefault(family.strip(), (shown, file))
    return found


def versions() -> list[tuple[str, str]]:
    """``[(component, version)]`` for a bug report: cvtex, Python, the system, XeTeX (with
    its TeX Live release), kotex, xetexko and fontconfig; ``not installed`` where missing."""
    from cvtex import __version__

    system = tex.detect_platform()
    rows = [("cvtex", __version__),
            ("Python", f"{platform.python_version()} ({sys.executable})"),
            ("system", one_line(f"{system.name} ({platform.system()} {platform.release()} {platform.machine()})")),
            ("XeTeX", one_line(tex.engine_version()) if tex.engine_path() else "not installed")]
    for name, label in (("kotex.sty", "kotex"), ("xetexko.sty", "xetexko")):
        path = _kpsewhich(name)
        rows.append((label, package_version(path) or "unknown" if path else "not installed"))
    fc_list = shutil.which("fc-list")
    rows.append(("fontconfig", one_line(_run(fc_list, "--version", stderr=True)) or "unknown" if fc_list
                 else "not installed"))
    return rows


def wanted_fonts() -> list[str]:
    """Every font family the built-in themes name (their four roles and their icon fonts), sorted."""
    configs = [themes.load_theme(name).config for name in themes.builtin_themes()]
    return sorted({font for config in configs for fonts in config.fonts.values() for font in fonts.model_dump().values()}
                  | {config.icon_font for config in configs if config.icon_font})


def checks() -> list[Check]:
    """Every check, in display order."""
    out: list[Check] = []
    xelatex = shutil.which(tex.ENGINE)
    out.append(Check("XeLaTeX", bool(xelatex), one_line(tex.engine_version()) if xelatex else "not on PATH"))
    for package in LATEX_PACKAGES:
        path = _kpsewhich(package)
        detail = one_line(f"{package_version(path)}  {path}") if path else "not found by kpsewhich"
        out.append(Check(package, bool(path), detail))
    fc_list = shutil.which("fc-list")
    out.append(Check("fontconfig (fc-list)", bool(fc_list), fc_list or "not on PATH"))
    found = font_versions()
    for font in wanted_fonts():
        version, file = found.get(font, ("", ""))
        out.append(Check(f"font {font}", font in found, f"{version}  {file}" if font in found else "not installed"))
    return out


def install_steps(failed: list[Check]) -> list[str]:
    """The commands that install what ``failed`` lacks on this system: the fonts alone when
    only fonts are missing, else everything (:meth:`cvtex.tex.Platform.install_steps`)."""
    system = tex.detect_platform()
    fonts = [check.name.removeprefix("font ") for check in failed if check.name.startswith("font ")]
    if fonts and len(fonts) == len(failed):
        return system.font_steps(fonts)
    return system.install_steps()


def report(console=None) -> int:
    """Print the doctor's report on ``console`` (a :class:`rich.console.Console`; default
    standard output, :data:`PIPE_WIDTH` columns wide when it is not a terminal) and
    return the exit code: 0, or 3 when something is missing."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if console is None:
        console = Console(highlight=False, soft_wrap=True)
        if not console.is_terminal:
            console = Console(highlight=False, soft_wrap=True, width=PIPE_WIDTH)

    def table(*columns: str) -> Table:
        made = Table()
        for column in columns:
            made.add_column(column, overflow="fold")
        return made

    shown = table("version of", "version")
    for name, version in versions():
        shown.add_row(Text(name), Text(version))
    console.print(shown)
    checked = table("component", "status", "detail")
    failed = []
    for check in checks():
        checked.add_row(Text(check.name), "[green]ok[/]" if check.ok else "[red]missing[/]", Text(check.detail))
        if not check.ok:
            failed.append(check)
    console.print(checked)
    paths = table("speed path", "status", "detail")
    for path in tex.speed_status():
        paths.add_row(Text(path.name), "[green]active[/]" if path.active else "[yellow]off[/]", Text(path.detail))
    console.print(paths)
    if failed:
        system = tex.detect_platform()
        console.print(f"Install what is missing with:\n{system.install_text(install_steps(failed))}", markup=False)
        return 3
    return 0
