"""The installed TeX: where XeLaTeX is, its version, the packages that bring it, what to
install on this system, and the sandboxed environment every XeLaTeX run gets.

The environment (:func:`sandbox_env`) sets kpathsea's ``openin_any=p`` / ``openout_any=p``
(paranoid: no reading or writing of dot files, of parent directories or of absolute paths
— ``TEXMFOUTPUT`` is cleared; kpathsea manual §"Security") and ``shell_escape=f``, so a
profile can neither run programs nor read files into the PDF, and writes stay in the build
directory; ``max_print_line`` is raised so log lines are not wrapped at 79 characters.

What to install (:func:`detect_platform`, :class:`Platform`): the system is read from
``/etc/os-release`` (``ID`` and ``ID_LIKE``, os-release(5); the file ``CVTEX_OS_RELEASE``
names instead, for tests) and ``platform.system()``: Debian/Ubuntu (apt), Fedora (dnf),
Arch (pacman), macOS (Homebrew + MacTeX), Windows, and any other system with TeX Live's own
``tlmgr``. A missing part of the toolchain is an :class:`EngineMissing` (exit 3) whose
message carries the command for this system: :class:`FontMissing` for a font fontconfig
does not know, :class:`PackageMissing` for a LaTeX file TeX cannot find. Only the Debian
commands are run by cvtex's tests and CI; the others follow each system's package names
(docs/troubleshooting.md says what was checked).
"""

from __future__ import annotations

import os
import platform as _platform
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Debian/Ubuntu packages cvtex needs (README "Quick start"; ``cvtex doctor``).
#: The same list as scripts/install-tex.sh (a test holds them equal; that script says why
#: each package is there and where its name was checked).
APT_PACKAGES = ("texlive-xetex", "texlive-lang-korean", "texlive-latex-recommended", "texlive-latex-extra",
                "texlive-fonts-recommended", "latexmk", "fonts-noto-cjk", "fonts-texgyre", "fonts-font-awesome",
                "fontconfig", "poppler-utils")
INSTALL_COMMAND = "sudo apt-get install --no-install-recommends " + " ".join(APT_PACKAGES)
ENGINE = "xelatex"


class EngineMissing(Exception):
    """A part of the toolchain is missing: the TeX engine, or (the subclasses) a font or a
    LaTeX package. ``str(exc)`` says what is missing and the command that installs it on
    this system (exit 3, never blamed on a profile or a theme)."""


class FontMissing(EngineMissing):
    """A font a theme sets text in is not installed: fontconfig (which XeTeX's fontspec
    asks) does not know ``family``. ``str(exc)`` names it and how to install it here."""

    def __init__(self, family: str, message: str) -> None:
        super().__init__(message)
        self.family = family


class PackageMissing(EngineMissing):
    """A LaTeX file (``kotex.sty``…) TeX cannot find: ``file``; ``package`` is the TeX Live
    package (tlmgr name) that has it, when known (:data:`TEX_PACKAGES`)."""

    def __init__(self, file: str, package: str | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.package = package


def engine_path() -> str | None:
    """Path of ``xelatex`` on ``PATH``, or ``None``."""
    return shutil.which(ENGINE)


def find_engine() -> str:
    """Path of ``xelatex``; :class:`EngineMissing` with the install command if absent."""
    path = engine_path()
    if not path:
        raise EngineMissing(f"XeLaTeX is not installed (no '{ENGINE}' on PATH). Install TeX Live with:\n"
                            + detect_platform().install_text())
    return path


def engine_version() -> str:
    """First line of ``xelatex --version`` (part of the build cache key)."""
    out = subprocess.run([find_engine(), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return out.stdout.splitlines()[0] if out.stdout else "unknown"


def sandbox_env() -> dict[str, str]:
    """The environment the engine runs in (see module doc)."""
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", shell_escape="f", max_print_line="100000",
               error_line="254", half_error_line="238")
    # TEXMF_OUTPUT_DIRECTORY (TeX Live 2024+) is -output-directory from the environment: even
    # empty, web2c then writes to "/<jobname>.log"; unset, output stays in the build directory
    for name in ("TEXINPUTS", "TEXMFOUTPUT", "TEXMF_OUTPUT_DIRECTORY"):
        env.pop(name, None)
    return env


# --------------------------------------------------------------------------- what to install here

#: The TeX Live packages (tlmgr names) whose files XeLaTeX reads while cvtex renders — every
#: built-in theme, the tables cvtex reads out of TeX, and hyperref (which user themes load) —
#: ``{tlmgr name: (Debian package, files)}``. The Debian package is Debian 12's (TeX Live
#: 2022: each ``texlive-*`` package is a TeX Live collection). tests/test_platforms.py
#: holds it against the files the engine actually reads (each file listed, under a
#: directory named after its package) and, on Debian 12, against ``dpkg -S``.
TEX_PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "xetex": ("texlive-xetex", ("xelatex", "xetex", "xelatex.fmt")),
    "latex": ("texlive-latex-base", ("article.cls", "atbegshi-ltx.sty", "atveryend-ltx.sty", "fontenc.sty",
                                     "size10.clo", "size11.clo", "size12.clo", "ts1cmr.fd", "tuenc.def")),
    "l3kernel": ("texlive-latex-base", ("expl3.sty",)),
    "l3backend": ("texlive-latex-base", ("l3backend-xetex.def",)),
    "l3packages": ("texlive-latex-base", ("xparse.sty",)),
    "graphics": ("texlive-latex-base", ("keyval.sty", "mathcolor.ltx", "graphicx.sty", "graphics.sty", "trig.sty",
                                        "color.sty")),
    "graphics-cfg": ("texlive-latex-base", ("color.cfg", "graphics.cfg")),
    # the korean-form theme's tables; a tabular is set in math mode, which loads the math
    # fonts of its size (9 pt, 6 pt scripts)
    "tools": ("texlive-latex-base", ("array.sty", "longtable.sty")),
    "colortbl": ("texlive-latex-base", ("colortbl.sty",)),
    "cm": ("texlive-base", tuple(f"{face}{size}.tfm" for face in ("cmr", "cmmi", "cmsy") for size in (9, 6))),
    "graphics-def": ("texlive-base", ("xetex.def",)),
    "iftex": ("texlive-base", ("iftex.sty", "ifvtex.sty")),
    "unicode-data": ("texlive-base", ("EastAsianWidth.txt", "LineBreak.txt", "load-unicode-xetex-classes.tex")),
    "fontspec": ("texlive-latex-recommended", ("fontspec.sty", "fontspec-xetex.sty", "fontspec.cfg")),
    "xcolor": ("texlive-latex-recommended", ("xcolor.sty",)),
    # TeX Live 2024+: loaded by another package cvtex loads (Debian 13 reads it; 12 does not)
    "etoolbox": ("texlive-latex-recommended", ("etoolbox.sty", "etoolbox.def")),
    "enumitem": ("texlive-latex-extra", ("enumitem.sty",)),
    "fancyhdr": ("texlive-latex-base", ("fancyhdr.sty",)),
    "geometry": ("texlive-latex-base", ("geometry.sty",)),
    "kotex-utf": ("texlive-lang-korean", ("kotexutf.sty", "kotex.cfg")),
    "cjk-ko": ("texlive-lang-korean", ("kotex.sty", "kolabels-utf.sty", "konames-utf.sty")),
    "xetexko": ("texlive-xetex", ("xetexko.sty",)),
    "hyperref": ("texlive-latex-base", ("hyperref.sty", "hxetex.def", "nameref.sty", "pd1enc.def", "puenc.def")),
    "url": ("texlive-latex-base", ("url.sty",)),
    "zapfding": ("texlive-fonts-recommended", ("pzdr.tfm",)),
    # hyperref's own dependencies (each its own TeX Live package since the oberdiek bundle was split)
    **{name: ("texlive-latex-base", (f"{name}.sty",)) for name in (
        "atbegshi", "bigintcalc", "bitset", "etexcmds", "gettitlestring", "infwarerr", "intcalc", "kvdefinekeys",
        "ltxcmds", "pdfescape", "pdftexcmds", "stringenc", "uniquecounter", "atveryend", "auxhook", "hycolor",
        "kvoptions", "kvsetkeys", "letltxmacro", "refcount", "rerunfilecheck")},
}
#: Debian's TeX Live packages are TeX Live's collections; Arch Linux names the same
#: collections ``texlive-<collection>`` (since TeX Live 2023).
_ARCH_OF_DEBIAN = {"texlive-base": "texlive-basic", "texlive-latex-base": "texlive-latex",
                   "texlive-latex-recommended": "texlive-latexrecommended",
                   "texlive-latex-extra": "texlive-latexextra", "texlive-xetex": "texlive-xetex",
                   "texlive-lang-korean": "texlive-langkorean", "texlive-fonts-recommended": "texlive-fontsrecommended"}

#: The fonts the built-in themes name: ``{family (or family prefix): {system: package}}``;
#: ``tlmgr`` is the TeX Live package when TeX Live has the font (its fonts are in the TeX
#: tree, where XeTeX finds them by name only once fontconfig — or, on macOS, the system —
#: knows them: :meth:`Platform.font_steps`).
FONT_PACKAGES: dict[str, dict[str, str]] = {
    "Noto Serif CJK KR": {"debian": "fonts-noto-cjk", "fedora": "google-noto-serif-cjk-fonts",
                          "arch": "noto-fonts-cjk", "macos": "font-noto-serif-cjk-kr"},
    "Noto Sans CJK KR": {"debian": "fonts-noto-cjk", "fedora": "google-noto-sans-cjk-fonts",
                         "arch": "noto-fonts-cjk", "macos": "font-noto-sans-cjk-kr"},
    "TeX Gyre": {"debian": "fonts-texgyre", "fedora": "texlive-tex-gyre", "arch": "tex-gyre-fonts",
                 "tlmgr": "tex-gyre"},
    "FontAwesome": {"debian": "fonts-font-awesome", "fedora": "texlive-fontawesome", "arch": "texlive-fontsextra",
                    "tlmgr": "fontawesome"},
}
#: Where TeX Live keeps the fonts of :data:`FONT_PACKAGES`' ``tlmgr`` packages (TDS).
_TEX_FONT_DIRS = {"tex-gyre": "fonts/opentype/public/tex-gyre", "fontawesome": "fonts/opentype/public/fontawesome"}

#: The environment variable naming an os-release file to read instead of ``/etc/os-release``.
OS_RELEASE_ENV = "CVTEX_OS_RELEASE"


def tex_package_of(file: str) -> str | None:
    """The TeX Live package (tlmgr name) of ``file`` (a name such as ``kotex.sty``) among
    those cvtex loads (:data:`TEX_PACKAGES`), or ``None``."""
    return next((name for name, (_, files) in TEX_PACKAGES.items() if file in files), None)


def font_packages(family: str) -> dict[str, str]:
    """``{system: package}`` for font ``family`` (:data:`FONT_PACKAGES`; a TeX Gyre family
    by its prefix); ``{}`` for a font cvtex does not know."""
    if family in FONT_PACKAGES:
        return FONT_PACKAGES[family]
    return next((packages for prefix, packages in FONT_PACKAGES.items() if family.startswith(prefix + " ")), {})


def parse_os_release(text: str) -> dict[str, str]:
    """``KEY=value`` lines of an os-release file (os-release(5): shell-style assignments;
    a value may be in double or single quotes, ``\\`` escapes ``$"\\``` and the quote
    character; ``#`` lines and blank lines are ignored)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            quote, value = value[0], value[1:-1]
            if quote == '"':
                value = re.sub(r'\\([$"\\`])', r"\1", value)
        out[key.strip()] = value
    return out


@dataclass(frozen=True)
class Platform:
    """The system cvtex runs on, as far as installing goes.

    ``key``: ``debian`` (Debian, Ubuntu and their derivatives: apt), ``fedora`` (Fedora,
    RHEL and derivatives: dnf), ``arch`` (Arch and derivatives: pacman), ``macos``
    (Homebrew, MacTeX), ``windows`` or ``texlive`` (any other system: TeX Live's ``tlmgr``);
    ``name``: how the system calls itself (``PRETTY_NAME``); ``tlmgr``: TeX comes from TeX
    Live's own installer (``xelatex`` under ``…/texlive/<year>/bin/``), so TeX packages are
    installed with ``tlmgr`` whatever the system."""

    key: str
    name: str
    tlmgr: bool = False

    def tex_command(self, packages: list[str] | tuple[str, ...] | None = None) -> str:
        """The command that installs the TeX Live packages ``packages`` (tlmgr names;
        default every one cvtex loads, :data:`TEX_PACKAGES`, and latexmk) on this system."""
        names = list(packages if packages is not None else [*TEX_PACKAGES, "latexmk"])
        if self.tlmgr or self.key in ("texlive", "windows"):
            return "tlmgr install " + " ".join(dict.fromkeys(names))
        if self.key == "fedora":  # Fedora packages each TeX Live package as texlive-<name>
            return "sudo dnf install " + " ".join(dict.fromkeys(f"texlive-{name}" for name in names))
        debian = [TEX_PACKAGES[name][0] if name in TEX_PACKAGES else name for name in names]
        if self.key == "debian":
            return "sudo apt-get install --no-install-recommends " + " ".join(dict.fromkeys(debian))
        if self.key == "arch":
            arch = [_ARCH_OF_DEBIAN.get(name, "texlive-binextra" if name == "latexmk" else name) for name in debian]
            return "sudo pacman -S --needed " + " ".join(dict.fromkeys(arch))
        # macOS: MacTeX has all of TeX Live; BasicTeX users add packages with tlmgr
        return "brew install --cask mactex-no-gui   # or, with BasicTeX: sudo tlmgr install " + " ".join(
            dict.fromkeys(names))

    def font_steps(self, families: list[str] | tuple[str, ...]) -> list[str]:
        """The commands that make fonts ``families`` known to fontconfig (and so to XeTeX)
        on this system; a font cvtex does not know gets a sentence instead."""
        steps: list[str] = []
        system_packages: list[str] = []
        tex_fonts: list[str] = []
        unknown: list[str] = []
        for family in dict.fromkeys(families):
            packages = font_packages(family)
            package = packages.get(self.key)
            if package:
                system_packages.append(package)
                if package.startswith("texlive-"):  # a TeX Live package: its fonts are in the TeX tree
                    tex_fonts.append(packages["tlmgr"])
            elif "tlmgr" in packages:
                tex_fonts.append(packages["tlmgr"])
            elif packages:
                unknown.append(f"{family} (not part of TeX Live: install it from your system's packages, "
                               "e.g. Debian's fonts-noto-cjk, or from https://github.com/notofonts/noto-cjk)")
            else:
                unknown.append(f"{family} (a font cvtex does not know: install it so that `fc-list : family` "
                               "lists it)")
        system_packages = list(dict.fromkeys(system_packages))
        tex_fonts = list(dict.fromkeys(tex_fonts))
        if system_packages:
            steps.append({"debian": "sudo apt-get install --no-install-recommends ", "fedora": "sudo dnf install ",
                          "arch": "sudo pacman -S --needed ", "macos": "brew install --cask "}.get(self.key, "")
                         + " ".join(system_packages))
        if tex_fonts:
            if not any(package.startswith("texlive-") for package in system_packages):
                steps.append("tlmgr install " + " ".join(tex_fonts) if self.key != "macos"
                             else "# TeX Live's fonts come with MacTeX (BasicTeX: sudo tlmgr install "
                             + " ".join(tex_fonts) + ")")
            dirs = " ".join(f'"$(kpsewhich -var-value TEXMFDIST)/{_TEX_FONT_DIRS[name]}"/*.otf' for name in tex_fonts)
            if self.key == "macos":  # XeTeX asks the system (Core Text) for fonts by name, not the TeX tree
                steps.append(f"cp {dirs} ~/Library/Fonts/")
            elif self.key != "windows":  # fontconfig reads ~/.local/share/fonts (XDG data directory)
                steps.append(f"mkdir -p ~/.local/share/fonts && cp {dirs} ~/.local/share/fonts/ && fc-cache -f")
        steps.extend(f"# {sentence}" for sentence in unknown)
        return steps

    def tools_command(self) -> str | None:
        """The command that installs fontconfig's ``fc-list`` and poppler (``pdftotext``)."""
        return {"debian": "sudo apt-get install --no-install-recommends fontconfig poppler-utils",
                "fedora": "sudo dnf install fontconfig poppler-utils", "arch": "sudo pacman -S --needed fontconfig "
                "poppler", "macos": "brew install fontconfig poppler"}.get(self.key)

    def install_steps(self) -> list[str]:
        """Every command that installs what cvtex needs on this system, in order."""
        if self.key == "debian" and not self.tlmgr:
            return [INSTALL_COMMAND]
        from_fonts = ["Noto Serif CJK KR", "Noto Sans CJK KR", "TeX Gyre Pagella", "FontAwesome"]
        steps = [self.tex_command(), *self.font_steps(from_fonts)]
        tools = self.tools_command()
        return steps + ([tools] if tools else [])

    def install_text(self, steps: list[str] | None = None) -> str:
        """``steps`` (default :meth:`install_steps`), one per indented line, after the
        system's name when it is not Debian (the command cvtex's own setup runs)."""
        lines = [f"  {step}" for step in (steps if steps is not None else self.install_steps())]
        return "\n".join(lines if self.key == "debian" else [f"  # on {self.name}", *lines])


def detect_platform(os_release: Path | str | None = None, system: str | None = None,
                    engine: str | None = None) -> Platform:
    """The :class:`Platform` cvtex runs on: ``system`` (default ``platform.system()``:
    ``Darwin`` is macOS, ``Windows`` Windows), else the ``ID`` and ``ID_LIKE`` of
    ``os_release`` (default: the file ``$CVTEX_OS_RELEASE`` names, else
    ``/etc/os-release``; a missing or unreadable file gives ``texlive``). ``engine``
    (default: ``xelatex`` on ``PATH``) under ``…/texlive/<year>/bin/`` means TeX Live's own
    installer (:attr:`Platform.tlmgr`)."""
    system = system if system is not None else _platform.system()
    engine = engine if engine is not None else (engine_path() or "")
    tlmgr = bool(re.search(r"[/\\]texlive[/\\]\d{4}[/\\]bin[/\\]", os.path.realpath(engine) if engine else ""))
    if system == "Darwin":
        return Platform("macos", f"macOS {_platform.mac_ver()[0]}".strip(), tlmgr)
    if system == "Windows":
        return Platform("windows", f"Windows {_platform.release()}".strip(), True)
    path = Path(os_release if os_release is not None else os.environ.get(OS_RELEASE_ENV) or "/etc/os-release")
    try:
        fields = parse_os_release(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        fields = {}
    ids = [fields.get("ID", "").lower(), *fields.get("ID_LIKE", "").lower().split()]
    name = fields.get("PRETTY_NAME") or fields.get("NAME") or system or "this system"
    for key, like in (("debian", ("debian", "ubuntu")), ("fedora", ("fedora", "rhel", "centos")),
                      ("arch", ("arch", "archlinux"))):
        if any(i in like for i in ids):
            return Platform(key, name, tlmgr)
    return Platform("texlive", name, True)
