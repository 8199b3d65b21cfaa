"""Glyph coverage: can a theme's fonts set every character of a text? Answered without TeX.

XeLaTeX with kotex (the xetexko package) sets each character in one of two fonts, chosen
by the character's ``\\XeTeXcharclass`` (xetexko.sty, "interchartoks"): the Latin font
(``\\setmainfont``) or the Hangul font (``\\setmainhangulfont``; kotex also uses it for
hanja when, as in cvtex's themes, no hanja font is set); combining marks and some ASCII
punctuation stay in the preceding character's font. There is no fallback: a character
missing from the font it is routed to is lost (an error under ``\\tracinglostchars=3``).
So ``'Ж'`` fails even though Noto CJK has it (it is routed to the Latin font), and
``'①'`` works although TeX Gyre Pagella lacks it (it is routed to the Hangul font).

Two pieces of data answer the question:

* which font each code point is routed to — the classes come from Unicode line-breaking
  data (``load-unicode-xetex-classes.tex``) that Python's standard library does not
  have, refined by xetexko and by cvtex's own settings (:data:`cvtex.theme.latex.TEXT_FIDELITY`).
  They are dumped from XeTeX itself on first use and kept in the cache while the TeX
  files they come from are unchanged (:mod:`cvtex.tex.texdata`; ``python -m cvtex.theme.fonts``
  makes them and says what failed), so they are always those of the installed TeX Live;
* which characters each font has — fontconfig's charset of every face of the family
  (``fc-list``; XeTeX finds fonts through fontconfig too). A character counts as present
  only if every face has it (bold and italic text use other faces).

Only the main pair (``main`` + ``hangul``) is checked: body text is set in it. A theme
that sets text in its ``sans`` fonts is still protected by the engine's check at render
time. The pair is the effective one: the theme's fonts with the profile's
``design.fonts`` overrides (:func:`cvtex.theme.config.effective_fonts`). Without ``fc-list``
or XeLaTeX, or when a font is not installed, there is no check here (:func:`theme_coverage`
returns ``None``; :func:`coverage_problem` says why, and cvtex reports it: a missing
``fc-list`` is a missing dependency, not a check quietly skipped).

:func:`font_problem` says whether a font family is installed (fontconfig's family names,
as XeTeX looks them up: case matters), for ``design.fonts`` in a profile; :func:`bold_faces`
names a family's bold faces for the themes' fontspec options (XeTeX's own choice can be a
heavier weight).

One module of ~540 lines, on purpose: routes, charsets and the installed faces answer one
question together, and each piece alone would be a fragment of that answer.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from cvtex.theme.config import effective_fonts

#: Route letters (:func:`route`).
LATIN, HANGUL, HANJA, KEEP = "L", "H", "J", "K"

Ranges = tuple[tuple[int, int], ...]


# --------------------------------------------------------------------------- routes

#: The routes' table name in :mod:`cvtex.tex.texdata`.
_ROUTES_TABLE = "xetexko-routes.txt"


def _routes_table():
    from cvtex.tex import texdata

    return texdata.table(_ROUTES_TABLE, routes_source(), _make_routes, "#")


@lru_cache(maxsize=1)
def _routes() -> tuple[list[int], list[str]] | None:
    found = _routes_table()
    if found is None:
        return None
    starts: list[int] = []
    letters: list[str] = []
    for line in found.text.splitlines():
        if line and not line.startswith("#"):
            start, letter = line.split()
            starts.append(int(start, 16))
            letters.append(letter)
    return starts, letters


def routes_problem() -> str | None:
    """Why :func:`route` cannot answer here (the routes are made from the installed TeX:
    module doc), or ``None`` when it can."""
    if _routes() is not None:
        return None
    from cvtex.tex import engine_path

    if engine_path() is None:
        return "XeLaTeX is not installed, and which font sets a character is read from it"
    return "XeLaTeX could not dump which font sets each character (python -m cvtex.theme.fonts shows why)"


def route(code: int) -> str:
    """The font code point ``code`` is set in: :data:`LATIN`, :data:`HANGUL`, :data:`HANJA`
    or :data:`KEEP` (the preceding character's font). Raises ``LookupError`` where the
    routes cannot be had (:func:`routes_problem`)."""
    table = _routes()
    if table is None:
        raise LookupError(routes_problem())
    starts, letters = table
    return letters[bisect.bisect_right(starts, code) - 1]


def routes_source() -> str:
    """A LaTeX document that writes the route of every code point to ``routes.txt``:
    lines ``<first code point, hex> <letter>``, one per run, after a ``# xetexko …`` line."""
    from cvtex.tex import code_point_runs
    from cvtex.theme.latex import TEXT_FIDELITY

    return r"""\documentclass{article}
\usepackage{fontspec}
\usepackage{kotex}
""" + TEXT_FIDELITY + r"""\makeatletter
\newwrite\cvtex@out \immediate\openout\cvtex@out=routes.txt
\immediate\write\cvtex@out{\@percentchar\space xetexko \csname ver@xetexko.sty\endcsname}
\def\cvtex@let#1#2{\edef\cvtex@v{#2}\expandafter\let\csname cvtex@r@\number\csname XeTeXcharclass#1\endcsname
  \endcsname\cvtex@v}
\@for\cvtex@c:={AA,AO,AC,AP,AM,AH,HG,ID,CJ,SY,OP,CL,MD,FS,EX,LD,VC}\do{%
  \expandafter\let\expandafter\cvtex@f\csname XeKo@font\cvtex@c\endcsname
  \cvtex@let\cvtex@c{\ifx\cvtex@f\XeKo@font@Latin L\else\ifx\cvtex@f\XeKo@font@Hangul H\else
    \ifx\cvtex@f\XeKo@font@CJK J\else\ifx\cvtex@f\relax K\else ?\fi\fi\fi\fi}}
\cvtex@let{CM}{K}\cvtex@let{JJ}{K}
""" + code_point_runs(r"\ifcsname cvtex@r@\the\XeTeXcharclass\count@\endcsname"
                      r"\csname cvtex@r@\the\XeTeXcharclass\count@\endcsname\else ?\the\XeTeXcharclass\count@\fi",
                      r"\cvtex@out") + r"""
\immediate\closeout\cvtex@out
\makeatother
\begin{document}
x
\end{document}
"""


def generate_routes(build_dir: Path, timeout: float = 120.0) -> tuple[str, list[tuple[int, str]], tuple[str, ...]]:
    """Run :func:`routes_source` through the installed XeLaTeX, the plain way, in ``build_dir``.

    Returns ``(xetexko version line, [(first code point, letter), …], files the run read)``.
    Raises :class:`cvtex.tex.EngineMissing`, :class:`cvtex.tex.CompileError`, or
    ``RuntimeError`` for a character class this module does not know.
    """
    from cvtex import tex

    build = tex.compile(routes_source(), build_dir, jobname="routes", timeout=timeout, plain=True)
    lines = (build_dir / "routes.txt").read_text(encoding="utf-8").splitlines()
    version = lines[0].lstrip("% ").strip()
    runs = [(int(start), letter) for start, letter in (line.split() for line in lines[1:])]
    unknown = sorted({letter for _, letter in runs if letter not in (LATIN, HANGUL, HANJA, KEEP)})
    if unknown:
        raise RuntimeError(f"xetexko uses character classes cvtex does not know: {unknown}")
    return version, runs, build.inputs


def _make_routes(build_dir: Path) -> tuple[str, tuple[str, ...]]:
    """The routes table (:mod:`cvtex.tex.texdata`): a ``# xetexko …`` line, a legend, then
    ``<first code point, hex> <letter>`` lines."""
    version, runs, inputs = generate_routes(build_dir)
    header = [
        f"# {version}",
        "# The font XeLaTeX + kotex (xetexko) with cvtex's text_fidelity settings sets each character in:",
        "# from the code point (hex) on, L = the Latin font, H = the Hangul font, J = the hanja font",
        "# (kotex uses the Hangul font when none is set), K = the preceding character's font.",
    ]
    return "\n".join(header + [f"{start:04X} {letter}" for start, letter in runs]) + "\n", inputs


# --------------------------------------------------------------------------- fonts

def _parse_charset(text: str) -> Ranges:
    out = []
    for part in text.split():
        first, _, last = part.partition("-")
        out.append((int(first, 16), int(last or first, 16)))
    return tuple(out)


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


#: Charsets already asked of fontconfig in this process (``None``: it could not tell).
_charsets: dict[str, Ranges | None] = {}
#: Held while fontconfig is asked: renders in parallel (``-j``) never see a half-filled cache.
_charsets_lock = threading.Lock()


def family_charsets(families: Iterable[str]) -> dict[str, Ranges | None]:
    """``{family: charset}`` for each of ``families``: the code points every face of the
    font family has, as sorted inclusive ranges, from fontconfig (``fc-list``); ``None``
    for a family fontconfig cannot describe (``fc-list`` missing or failing, no face of that
    family). The ``fc-list`` runs a process has not made yet go in parallel (each loads
    fontconfig's caches: ~10 ms). Thread-safe."""
    wanted = list(dict.fromkeys(families))
    with _charsets_lock:
        todo = [family for family in wanted if family not in _charsets]
        fc_list = shutil.which("fc-list") if todo else None
        running: dict[str, subprocess.Popen[str]] = {}
        for family in todo:
            pattern = re.sub(r"([-:,\\=])", r"\\\1", family)
            try:
                if fc_list:
                    running[family] = subprocess.Popen([fc_list, "--format", "%{charset}\n", pattern], text=True,
                                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError:
                pass
        found: dict[str, Ranges | None] = dict.fromkeys(todo)
        for family, proc in running.items():
            try:
                out, _ = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                continue
            # the faces of a family (weights, styles) usually share one charset: parse each once
            faces = [_parse_charset(line) for line in dict.fromkeys(out.splitlines()) if line.strip()]
            if proc.returncode == 0 and faces:
                common = faces[0]
                for face in faces[1:]:
                    common = _intersect(common, face)
                found[family] = common
        _charsets.update(found)
        return {family: _charsets[family] for family in wanted}


#: fontconfig's weight of a bold face (``FC_WEIGHT_BOLD``: OpenType ``usWeightClass`` 700).
FC_WEIGHT_BOLD = 200
#: fontconfig's slants: upright, italic and oblique (``FC_SLANT_ROMAN``, ``FC_SLANT_ITALIC``,
#: ``FC_SLANT_OBLIQUE``).
FC_SLANT_ROMAN, FC_SLANT_ITALIC, FC_SLANT_OBLIQUE = 0, 100, 110
#: fontconfig's width of a face that is neither condensed nor expanded (``FC_WIDTH_NORMAL``).
FC_WIDTH_NORMAL = 100
#: A PostScript name fontspec can take between braces as it is (no space, brace, backslash,
#: ``%`` or ``#``; the PostScript names of real fonts are ASCII letters, digits and ``-``).
_POSTSCRIPT_NAME = re.compile(r"[A-Za-z0-9._+-]+")


@dataclass(frozen=True)
class Face:
    """One installed font face, as fontconfig describes it: its family names (localized
    ones too), ``weight`` (fontconfig's scale; ``None`` for a variable font's range),
    ``slant`` (:data:`FC_SLANT_ROMAN`, :data:`FC_SLANT_ITALIC`, :data:`FC_SLANT_OBLIQUE`), ``width``
    (:data:`FC_WIDTH_NORMAL`, 75 condensed…; ``None`` when not known) and PostScript name
    (``''`` when it has none)."""

    families: tuple[str, ...]
    weight: float | None
    slant: int
    width: float | None
    postscript_name: str


@lru_cache(maxsize=1)
def installed_faces() -> tuple[Face, ...] | None:
    """Every font face fontconfig knows (one ``fc-list`` run per process, ~10 ms); ``None``
    when ``fc-list`` is missing or fails."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return None
    try:
        result = subprocess.run([fc_list, "--format", "%{family}\t%{weight}\t%{slant}\t%{width}\t%{postscriptname}\n"],
                                capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    faces = []
    for line in result.stdout.splitlines():
        family, weight, slant, width, name = (line.split("\t") + [""] * 5)[:5]
        families = tuple(f.strip() for f in family.split(",") if f.strip())
        if families:
            faces.append(Face(families, _number(weight), int(_number(slant) or 0), _number(width), name.strip()))
    return tuple(faces)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:  # empty, or a variable font's range such as "[0 210]"
        return None


def installed_families() -> frozenset[str] | None:
    """Every font family name fontconfig knows (a face's localized names too); ``None``
    when ``fc-list`` is missing or fails."""
    faces = installed_faces()
    return None if faces is None else frozenset(name for face in faces for name in face.families)


def bold_faces(family: str) -> dict[str, str]:
    """The bold faces of font ``family`` as fontspec options: ``{"BoldFont": …}`` with
    the PostScript name of its upright face of weight :data:`FC_WEIGHT_BOLD`, and
    ``"BoldItalicFont"`` likewise for its bold italic or bold oblique face; of several,
    the one of normal width (``DejaVu Sans`` has a condensed bold face too; the faces of a
    condensed family such as ``TeX Gyre Heros Cn`` are all condensed). An option is left
    out when the family has no such face (or fontconfig cannot tell): fontspec then looks
    as usual.

    Why: fontspec asks XeTeX for ``<family>/B``, and XeTeX's choice among a family's
    weights is not always Bold. With Debian's fonts-noto-cjk-extra (a recommended package
    of fonts-noto-cjk) installed, Noto Sans CJK KR's ``/B`` is its Black face (weight
    210), 900 rather than 700. fontspec's ``BoldFont`` and ``BoldItalicFont`` font
    options (fontspec manual, "Font selection") name the face instead.
    """
    found: dict[str, tuple[bool, str]] = {}
    for face in installed_faces() or ():
        key = {FC_SLANT_ROMAN: "BoldFont", FC_SLANT_ITALIC: "BoldItalicFont",
               FC_SLANT_OBLIQUE: "BoldItalicFont"}.get(face.slant)
        if (key is None or family not in face.families or face.weight != FC_WEIGHT_BOLD
                or not _POSTSCRIPT_NAME.fullmatch(face.postscript_name)):
            continue
        choice = (face.width not in (None, FC_WIDTH_NORMAL), face.postscript_name)  # normal width first
        found[key] = min(found.get(key, choice), choice)
    return {key: choice[-1] for key, choice in sorted(found.items())}


def font_problem(family: str) -> str | None:
    """Why XeLaTeX could not load font ``family`` — it is not installed (a family differing
    only in case is named, as XeTeX's lookup is case-sensitive; else the closest installed
    name) — or None when it is installed or fontconfig cannot tell."""
    import difflib

    families = installed_families()
    if families is None or family in families:
        return None
    message = f"the font '{family}' is not installed (fc-list has no such family)"
    same = sorted(f for f in families if f.casefold() == family.casefold())
    if same:
        return f"{message}; font names are case-sensitive: did you mean '{same[0]}'?"
    by_fold = {f.casefold(): f for f in sorted(families)}
    close = difflib.get_close_matches(family.casefold(), list(by_fold), n=1, cutoff=0.6)
    if close:
        return f"{message} (did you mean '{by_fold[close[0]]}'?)"
    return f"{message}; `fc-list : family` lists the installed fonts"


def _has(ranges: Ranges, code: int) -> bool:
    i = bisect.bisect_right(ranges, (code, sys.maxunicode + 1)) - 1
    return i >= 0 and ranges[i][0] <= code <= ranges[i][1]


@dataclass(frozen=True)
class FontPair:
    """The two fonts a locale's text is set in: names and charsets."""

    latin: str
    hangul: str
    latin_chars: Ranges
    hangul_chars: Ranges

    def font(self, letter: str) -> tuple[str, Ranges]:
        return (self.latin, self.latin_chars) if letter == LATIN else (self.hangul, self.hangul_chars)


def _letter(ch: str) -> str:
    """The font ``ch`` is set in, as checked: hanja in the Hangul font (no hanja font is set)."""
    letter = route(ord(ch))
    return HANGUL if letter == HANJA else letter


class Coverage:
    """What a theme's fonts can set, for the locales a profile renders.

    :meth:`missing` is what validation calls (see :func:`cvtex.schema.text.check_glyphs`).
    """

    def __init__(self, pairs: list[FontPair], codes: list[str] | tuple[str, ...] = ()) -> None:
        #: the locale code each of ``pairs`` is for, when known (:meth:`only`)
        self.by_locale = dict(zip(codes, pairs))
        self.pairs = list(dict.fromkeys(pairs))
        self._has: dict[tuple[int, str, str], bool] = {}  # (pair index, font letter, char): characters repeat
        # characters every pair sets whatever precedes them: a text made of these alone
        # needs no walk (most texts, once their letters have been seen)
        self._fine: set[str] = {" "}

    def _has_glyph(self, index: int, need: str, ch: str) -> bool:
        known = self._has.get((index, need, ch))
        if known is None:
            known = self._has[index, need, ch] = _has(self.pairs[index].font(need)[1], ord(ch))
        return known

    def _fine_anywhere(self, ch: str) -> bool:
        letter = _letter(ch)
        needed = (LATIN, HANGUL) if letter == KEEP else (letter,)
        return all(self._has_glyph(index, need, ch) for index in range(len(self.pairs)) for need in needed)

    def only(self, code: str) -> "Coverage":
        """The coverage of locale ``code``'s fonts alone (this one when it was not made per
        locale, or has no pair for ``code``)."""
        pair = self.by_locale.get(code)
        if pair is None or len(self.pairs) == 1:
            return self
        return Coverage([pair], [code])

    def missing(self, text: str) -> list[tuple[str, str]]:
        """The characters of ``text`` (as printed) some locale's fonts cannot set, each
        with the name of the font it would be set in: ``[(char, font), …]``, in order."""
        new = set(text) - self._fine
        if not new:
            return []
        self._fine.update(ch for ch in new if self._fine_anywhere(ch))
        if self._fine.issuperset(new):
            return []
        out: list[tuple[str, str]] = []
        for index, pair in enumerate(self.pairs):
            previous = ""
            for ch in text:
                if ch == " " or any(ch == c for c, _ in out):
                    continue
                letter = _letter(ch)
                if letter == KEEP:
                    needed = [previous] if previous else [LATIN, HANGUL]
                else:
                    needed, previous = [letter], letter
                for need in needed:
                    if not self._has_glyph(index, need, ch):
                        out.append((ch, pair.font(need)[0]))
                        break
        return out


#: The Debian/Ubuntu package of ``fc-list``.
FONTCONFIG_PACKAGE = "fontconfig"


def fc_list_problem() -> str | None:
    """``None`` when fontconfig's ``fc-list`` is on ``PATH``; else a message with the
    command that installs it on this system (:func:`cvtex.tex.detect_platform`): cvtex asks
    fontconfig what each font has and which fonts are installed, as XeTeX's fontspec does."""
    if shutil.which("fc-list"):
        return None
    from cvtex.tex import detect_platform

    command = {"debian": f"sudo apt-get install {FONTCONFIG_PACKAGE}", "fedora": "sudo dnf install fontconfig",
               "arch": "sudo pacman -S fontconfig", "macos": "brew install fontconfig"}.get(
        detect_platform().key, "install fontconfig with your system's packages")
    return (f"fontconfig's fc-list is not installed; cvtex needs it to check fonts and glyphs. Install it with:\n"
            f"  {command}")


def theme_font_families(theme, locales: list[str] | tuple[str, ...], overrides: Any = None) -> list[str]:
    """The font families a :class:`cvtex.theme.config.Theme` sets ``locales`` in (every role
    of :class:`~cvtex.theme.config.FontSet`, and its icon font) that the theme itself names:
    a role the profile's ``design.fonts`` ``overrides`` replaces is the profile's (a missing
    one of those is a profile error, :func:`font_problem`). In order, each once."""
    codes = list(locales or list(theme.config.fonts))
    names: list[str] = []
    for code in codes:
        own = effective_fonts(theme.config, None, code).model_dump()
        chosen = effective_fonts(theme.config, overrides, code).model_dump()
        names.extend(family for role, family in own.items() if chosen[role] == family)
    if theme.config.icon_font:
        names.append(theme.config.icon_font)
    return list(dict.fromkeys(names))


def missing_theme_fonts(theme, locales: list[str] | tuple[str, ...], overrides: Any = None):
    """A :class:`cvtex.tex.FontMissing` for the fonts of :func:`theme_font_families` that
    fontconfig does not know (XeTeX's fontspec looks fonts up by family name through it:
    such a font is missing from this machine, not an error of the theme or the profile —
    the missing-toolchain error, exit 3), naming them and the command that installs them
    here (:meth:`cvtex.tex.Platform.font_steps`); ``None`` when all are installed or
    fontconfig cannot tell (no ``fc-list``: :func:`fc_list_problem`)."""
    from cvtex.tex import FontMissing, detect_platform

    families = installed_families()
    if families is None:
        return None
    missing = [family for family in theme_font_families(theme, locales, overrides) if family not in families]
    if not missing:
        return None
    names = ", ".join(f"'{family}'" for family in missing)
    folded = {family.casefold(): family for family in sorted(families)}
    hints = [f"font names are case-sensitive: '{folded[family.casefold()]}' is installed"
             for family in missing if family.casefold() in folded]
    platform = detect_platform()
    message = (f"the font{'s' if len(missing) > 1 else ''} {names} that the theme '{theme.config.name}' sets text in "
               f"{'are' if len(missing) > 1 else 'is'} not installed (fontconfig, which XeTeX asks, does not know "
               f"{'them' if len(missing) > 1 else 'it'}){'; ' + '; '.join(hints) if hints else ''}. "
               f"Install {'them' if len(missing) > 1 else 'it'} with:\n" + platform.install_text(
                   platform.font_steps(missing)))
    return FontMissing(missing[0], message)


def coverage_problem() -> str | None:
    """Why no glyph check can run here (no ``fc-list``, no routes), or ``None``."""
    return fc_list_problem() or routes_problem()


def theme_coverage(theme, locales: list[str] | tuple[str, ...], overrides: Any = None) -> Coverage | None:
    """The :class:`Coverage` of a :class:`cvtex.theme.config.Theme` for ``locales`` (a locale
    without its own fonts uses the theme's ``default`` or first font set, as the
    templates do), with the profile's font ``overrides`` (``design.fonts``: locale or
    ``default`` -> ``{role: family}``; see :func:`cvtex.theme.config.effective_fonts`);
    ``None`` when fontconfig cannot describe every font or the routes cannot be had
    (:func:`coverage_problem`)."""
    if _routes() is None:
        return None
    codes = list(locales or list(theme.config.fonts))
    chosen = [effective_fonts(theme.config, overrides, code) for code in codes]
    charsets = family_charsets(family for fonts in chosen for family in (fonts.main, fonts.hangul))
    if any(charset is None for charset in charsets.values()):
        return None
    pairs = [FontPair(fonts.main, fonts.hangul, charsets[fonts.main], charsets[fonts.hangul])  # type: ignore[arg-type]
             for fonts in chosen]
    return Coverage(pairs, codes)


if __name__ == "__main__":  # python -m cvtex.theme.fonts: make the tables cvtex reads from the installed TeX
    from cvtex import tex
    from cvtex.tex import texdata

    for label, name, get, make in (("class table", tex.CLASSES_TABLE, tex.classes_table, tex.make_classes),
                                   ("routes", _ROUTES_TABLE, _routes_table, _make_routes)):
        texdata.discard(name)  # made again now, and a remembered failure tried again
        if get() is not None:
            print(f"{label}: {texdata.table_path(name)}")
            continue
        with tempfile.TemporaryDirectory(prefix="cvtex-") as tmp:
            try:
                make(Path(tmp))  # the run that failed, again, to show its error
            except Exception as exc:  # noqa: BLE001 - a diagnostic command: say what failed
                sys.exit(f"{label}: {type(exc).__name__}: {exc}")
        sys.exit(f"{label}: not made ({routes_problem() or 'XeLaTeX is not installed'})")
