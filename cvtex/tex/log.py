"""What XeLaTeX's log says: errors with their ``.tex`` line, characters no font has,
overfull boxes.

The log is read as ``-file-line-error`` writes it (web2c manual §"Common options"):
``./cv.tex:12: Undefined control sequence.``, or ``! …`` followed by the ``l.NN`` context
line; kpathsea's refusals (``openin_any = p``) are joined to the error they cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TexError:
    """An error from the log: ``message``, the ``.tex`` ``line`` (0 when unknown or when
    the error is in another ``file``, e.g. a package), ``context``: the text of the
    line TeX was reading, up to where it stopped, and ``file_line``: the line in ``file``
    (0 when the log names none)."""

    message: str
    line: int = 0
    context: str = ""
    file: str = ""
    file_line: int = 0


@dataclass(frozen=True)
class MissingChar:
    char: str
    font: str


@dataclass(frozen=True)
class Overfull:
    """An overfull box: ``points`` too wide (an ``hbox``: a line) or too high (a ``vbox``),
    at ``.tex`` lines ``lines``; ``box`` is ``"page"`` when a page's content is taller
    than the page (text past the bottom edge is lost; ``lines`` is then '')."""

    points: float
    lines: str
    box: str = "hbox"


@dataclass
class LogReport:
    """What the engine's log says, parsed."""

    errors: list[TexError] = field(default_factory=list)
    missing_chars: list[MissingChar] = field(default_factory=list)
    overfull: list[Overfull] = field(default_factory=list)


def transcript(build_dir: Path, jobname: str) -> str:
    """The engine's log followed by what it wrote to stderr."""
    return read_log(build_dir / f"{jobname}.log") + "\n" + read_log(build_dir / f"{jobname}.stderr")


def read_log(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


#: ``-file-line-error`` messages: ``./cv.tex:12: Undefined control sequence.`` or, for an
#: error while reading a package, ``/usr/share/…/fontspec.sty:80: …``.
_FILE_LINE_ERROR = re.compile(r"^((?:\.{0,2}/)?[^\s:][^:\n]*\.(?:tex|sty|cls|def|cfg|fd|ldf|clo|code\.tex)):(\d+): (.+)$",
                              re.M)
_BANG_ERROR = re.compile(r"^! (.+)$", re.M)
#: XeTeX's lost-character report: ending in ``!`` in the log (``\tracinglostchars`` 1-2),
#: as an error ending in ``.`` (3, TeX Live 2021+).
_MISSING = re.compile(r"Missing character: There is no (.+?) \(U\+([0-9A-F]{4,6})\) in font (.+)[!.]$", re.M)
_OVERFULL = re.compile(r"^Overfull \\hbox \(([\d.]+)pt too wide\) .*?lines? ([\d\-]+)", re.M)
_OVERFULL_V = re.compile(r"^Overfull \\vbox \(([\d.]+)pt too high\) (has occurred while \\output is active|"
                         r".*?lines? ([\d\-]+))", re.M)
#: Messages that only say TeX stopped; the error before them says why.
_GENERIC = {"Emergency stop.", "==> Fatal error occurred, no output PDF file produced!",
            "Job aborted, no legal \\end found."}
#: kpathsea refusing a path under openin_any / openout_any = p; TeX Live 2025 adds a
#: remark after the setting ("(openin_any = p; no  extended check)").
_REFUSED = re.compile(r"Not (reading from|writing to) (.+?) \((openin_any|openout_any) = p(?:;[^)\n]*)?\)")
_CONTEXT = re.compile(r"^l\.(\d+) (.*)$", re.M)


#: A continuation line of a package's error message (LaTeX kernel, ``\PackageError``):
#: ``(fontspec)                The font "X" cannot be found; …``.
_CONTINUATION = re.compile(r"\(([A-Za-z][\w.-]*)\)[ \t]+(.*)")


def _continued(first: str, text: str, end: int) -> str:
    """An error message with the continuation lines that follow it in the log joined on:
    newer packages (fontspec 2.9, TeX Live 2024) put the whole message on lines of its
    own after ``Package fontspec Error:``."""
    parts = [first.strip()]
    for line in text[end:].lstrip("\n").split("\n"):
        more = _CONTINUATION.fullmatch(line.rstrip())
        if not more:
            break
        parts.append(more.group(2).strip())
    return " ".join(part for part in parts if part)


def parse_log(text: str, jobname: str | None = None) -> LogReport:
    """Parse a TeX log: errors (with ``.tex`` line), missing characters, overfull boxes.

    ``line`` of an error is the line in the main file (``<jobname>.tex``; with ``jobname``
    None: any ``.tex`` file in the build directory, ``./…``), 0 for an error in a package.
    """
    report = LogReport()
    for m in _MISSING.finditer(text):
        item = MissingChar(chr(int(m.group(2), 16)), m.group(3).strip())
        if item not in report.missing_chars:
            report.missing_chars.append(item)
    for m in _OVERFULL.finditer(text):
        report.overfull.append(Overfull(float(m.group(1)), m.group(2)))
    for m in _OVERFULL_V.finditer(text):
        page = m.group(2).startswith("has occurred")
        report.overfull.append(Overfull(float(m.group(1)), "" if page else m.group(3), "page" if page else "vbox"))
    found = [(m.start(), m.group(1), int(m.group(2)), _continued(m.group(3), text, m.end()))
             for m in _FILE_LINE_ERROR.finditer(text)]
    found += [(m.start(), "", 0, _continued(m.group(1), text, m.end())) for m in _BANG_ERROR.finditer(text)]
    found.sort()
    specific = [f for f in found if f[3] not in _GENERIC]
    refused = _REFUSED.search(text)
    if refused and found:  # say why a file could not be read or written (a refusal alone is no error)
        verb = "read" if refused.group(1).startswith("reading") else "write"
        note = f"the sandbox does not let TeX {verb} {refused.group(2)} ({refused.group(3)} = p)"
        first = (specific or found)[0]
        specific = [first[:3] + (f"{first[3]} ({note})",)] + specific[1:]
    context = _CONTEXT.search(text)
    line_of_context = int(context.group(1)) if context else 0
    for _, file, line, message in specific or found:
        main = (file == f"./{jobname}.tex" or file == f"{jobname}.tex") if jobname else file.startswith("./")
        file_line = line
        if file and not main:
            line = 0
        elif not file:
            # a "! …" error: the l.NN context line says where TeX was in the main file
            line = line_of_context
        report.errors.append(TexError(message, line, context.group(2).strip() if context else "", file, file_line))
    return report
