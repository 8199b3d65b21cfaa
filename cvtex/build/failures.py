"""What a failed compile means for the user: a diagnostic at the profile field, or at the
theme template line, a LaTeX error comes from — never the raw transcript — and text a page
would lose off its bottom edge. A compile that failed because this machine lacks a font or
a LaTeX package is neither: :func:`toolchain_problem` makes it the missing-toolchain error
(exit 3) with the command that installs what is missing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from cvtex.diagnostics import Diagnostic, display_path, field_path
from cvtex.schema import describe_char
from cvtex.tex import Build, CompileError, TexError

if TYPE_CHECKING:
    from cvtex.schema import Document
    from cvtex.theme import TexSource, Theme

#: fontspec's error for a font XeTeX cannot find by name (fontspec.sty, ``font-not-found``).
_FONT_NOT_FOUND = re.compile(r'The font "([^"]+)" cannot be found')
#: The LaTeX kernel's error for a class or package file TeX cannot find (``\@missingfileerror``).
_FILE_NOT_FOUND = re.compile(r"File `([A-Za-z0-9][A-Za-z0-9._-]*\.(?:sty|cls))' not found")


def toolchain_problem(exc: CompileError, theme: Theme | None = None):
    """The missing-toolchain error (:class:`cvtex.tex.EngineMissing`, exit 3) behind a
    failed compile, or ``None`` when it failed for another reason: for fontspec's "The font
    "X" cannot be found", a :class:`cvtex.tex.FontMissing` naming the font and the
    command that installs it on this system; for the kernel's "File `x.sty' not found"
    (a class or package, by a plain file name), a :class:`cvtex.tex.PackageMissing`
    naming the file, the TeX Live package that has it when cvtex knows it
    (:data:`cvtex.tex.TEX_PACKAGES`; else TeX Live's search) and the command.
    ``theme``: the theme compiled, named in the message."""
    from cvtex.tex import FontMissing, PackageMissing, detect_platform

    first = exc.log.errors[0].message if exc.log.errors else str(exc)
    platform = detect_platform()
    by = f" that the theme '{theme.config.name}' loads" if theme is not None else ""
    font = _FONT_NOT_FOUND.search(first)
    if font:
        family = font.group(1)
        return FontMissing(family, f"the font '{family}'{by.replace('loads', 'sets text in')} is not installed: "
                                   "XeTeX could not find it (fontconfig does not know it). Install it with:\n"
                                   + platform.install_text(platform.font_steps([family])))
    missing = _FILE_NOT_FOUND.search(first)
    if missing:
        from cvtex.tex import tex_package_of

        file = missing.group(1)
        package = tex_package_of(file)
        if package is not None:
            what = f"the TeX Live package '{package}'. Install it with"
            steps = [platform.tex_command([package])]
        else:
            what = ("a TeX Live package cvtex does not know (a typo in the theme? else https://ctan.org/search?phrase="
                    f"{file} names the package; MacTeX and a full TeX Live have every one). Find it with")
            steps = [f"tlmgr search --global --file /{file}   # then: tlmgr install <package>"
                     if platform.key in ("texlive", "windows", "macos") or platform.tlmgr else
                     {"fedora": f"sudo dnf install 'tex({file})'", "debian": f"apt-file search {file}",
                      "arch": f"pacman -F {file}"}.get(platform.key, f"tlmgr search --global --file /{file}")]
        return PackageMissing(file, package, f"the LaTeX file {file}{by} is not installed: it is in {what}:\n"
                                             + platform.install_text(steps))
    return None


def compile_diagnostics(doc: Document, code: str, source: TexSource, exc: CompileError, stem: str,
                        theme: Theme | None = None) -> list[Diagnostic]:
    """What a failed compile means for the user: a missing glyph names the character and
    points at the profile fields that have it; a timeout says so; any other LaTeX error
    gives the log's message, the ``.tex`` line and what it says, and the profile fields
    on that line, or else the theme template line it comes from (:func:`theme_line`) —
    never the raw transcript. ``code``: the PDF's name after the stem (``en``, ``letter-<id>-en``);
    ``source``: the LaTeX it compiled;
    ``stem``: the profile file's stem."""
    where = f"{code} PDF"
    if exc.log.missing_chars:
        out = []
        for missing in exc.log.missing_chars:
            message = (f"no glyph for {describe_char(missing.char)} in {missing.font.split('/')[0]}, the font the "
                       f"{where} sets it in; remove it or use a theme whose fonts have it")
            locs = source.fields_containing(missing.char) or [()]
            out.extend(doc.diagnostic(loc, message, field_name=field_path(loc), char=missing.char) for loc in locs)
        return out
    if exc.timed_out:
        return [Diagnostic(doc.name, 0, 0, f"{where}: {exc}")]
    first = exc.log.errors[0] if exc.log.errors else TexError(str(exc))
    locs = source.fields_on_line(first.line) if first.line else []
    line_note = f" at line {first.line} of {stem}-{code}.tex (see it with --keep-tex)" if first.line else ""
    context = first.context[-60:].strip()
    near = f" (after '{'…' if len(first.context) > 60 else ''}{context}')" if context else ""
    message = f"LaTeX error in the {where}{line_note}: {first.message}{near}"
    if locs:
        return [doc.diagnostic(loc, message, field_name=field_path(loc)) for loc in locs[:3]]
    lines = source.text.splitlines()
    origin = theme_line(theme, lines[first.line - 1]) if theme and 0 < first.line <= len(lines) else None
    if origin is None and theme and first.file and first.file_line:
        origin = package_line(theme, lines, first.file, first.file_line)
    if origin is not None:
        file, number, text = origin
        return [Diagnostic(display_path(file), number, len(text) - len(text.lstrip()) + 1,
                           f"{message}; that line comes from the theme, not from a profile field: this line of "
                           f"the theme '{theme.config.name}' (profile {doc.name})", source_line=text)]
    if first.line:
        message += "; that line comes from the theme, not from a profile field"
    return [Diagnostic(doc.name, 0, 0, message)]


#: Jinja2 tags in cvtex's theme syntax: ``((( value )))``, ``((* statement *))``, ``((# comment #))``.
_JINJA_TAG = re.compile(r"\(\(\(.*?\)\)\)|\(\(\*.*?\*\)\)|\(\(#.*?#\)\)")


def theme_line(theme: Theme, tex_line: str) -> tuple[Path, int, str] | None:
    """The theme template line that produced ``tex_line`` of the generated LaTeX: the
    line whose literal text (what is left between its Jinja2 tags) appears in it, in
    order — the longest such match over every template of the theme (``cv.tex.j2`` first).
    ``(file, line number, line)``, or None when no template line has 3 or more
    literal characters in the line."""
    target = tex_line.strip()
    if not target:
        return None
    best: tuple[int, Path, int, str] | None = None
    files = sorted((p for p in theme.files() if p.suffix == ".j2"), key=lambda p: (p.name != "cv.tex.j2", str(p)))
    for file in files:
        try:
            lines = file.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, start=1):
            pieces = [piece.strip() for piece in _JINJA_TAG.split(line) if piece.strip()]
            size = sum(len(piece) for piece in pieces)
            if size < 3 or (best is not None and size <= best[0]):
                continue
            at = 0
            for piece in pieces:
                at = target.find(piece, at)
                if at < 0:
                    break
                at += len(piece)
            else:
                best = (size, file, number, line)
    return (best[1], best[2], best[3]) if best else None


def package_line(theme: Theme, tex_lines: list[str], file: str, number: int) -> tuple[Path, int, str] | None:
    """The theme's LaTeX package line behind an error the log places at line ``number`` of
    ``file`` (e.g. ``./cvtex-theme.sty``): the source writes each package it loads into the
    build directory, verbatim, with a ``filecontents*`` environment (LaTeX kernel,
    ``filecontents``), so line ``number`` of that file is line ``number`` of the theme's
    ``.sty`` (the theme's own or the base's) whose text it wrote. ``tex_lines``: the
    generated LaTeX. ``(file, line number, line)``, or None when the file is no package the
    source wrote, or none of the theme's files has that text."""
    name = file.removeprefix("./")
    begin = f"\\begin{{filecontents*}}[overwrite]{{{name}}}"
    try:
        start = next(i for i, line in enumerate(tex_lines) if line.strip() == begin) + 1
        end = tex_lines.index("\\end{filecontents*}", start)
    except (StopIteration, ValueError):
        return None
    body = tex_lines[start:end]
    if not 0 < number <= len(body):
        return None
    for path in (p for p in theme.files() if p.suffix == ".sty"):
        try:
            if path.read_text("utf-8").splitlines() == body:
                return path, number, body[number - 1]
        except (OSError, UnicodeDecodeError):
            continue
    return None


#: A page whose content is taller than this much past the text area loses a line or
#: more off its bottom edge (pt; a line of the themes is about 12 pt).
PAGE_OVERFLOW_PT = 12.0


def lost_text(doc: Document, code: str, build: Build) -> list[Diagnostic]:
    """An error when a page's content runs past its bottom edge: that text would be
    missing from the PDF (an unbreakable block taller than a page, e.g. a title
    hundreds of words long in a theme's two-column row). ``code``: the PDF's name after the
    profile's stem (:attr:`cvtex.build.results.Output.name`: ``en``, ``letter-<id>-en``)."""
    worst = max((o.points for o in build.log.overfull if o.box == "page"), default=0.0)
    if worst <= PAGE_OVERFLOW_PT:
        return []
    hint = ("a very long word or line in the letter? shorten it" if code.startswith("letter-") else
            "a very long title or name? shorten it, or move the text to a summary or highlights")
    return [Diagnostic(doc.name, 0, 0, f"the {code} PDF would lose text: a block runs {worst:.0f} pt past the "
                                       f"bottom of a page because it cannot break across pages ({hint})")]
