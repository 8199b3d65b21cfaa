"""Diagnostics: the one shape in which cvtex reports a problem in user input.

Every user-facing error or warning is a :class:`Diagnostic` and prints as::

    cv.yaml:12:9: error: unknown field 'organisation' (did you mean 'organization'?)
       12 |       - organisation: SK Telecom
          |         ^
       field: sections[0].entries[1].organisation

(the GNU ``file:line:column: severity: message`` form, lines and columns 1-based;
columns count characters). In the printed message and source line, characters a
terminal would not show as themselves — controls, format and bidirectional characters
(UAX #9), which could hide or reorder the text — appear as ``<U+202E>``; the caret is
placed by display width (two cells for East Asian wide characters, UAX #11).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in an input file.

    ``line`` and ``column`` are 1-based (0 when unknown); ``field`` is the dotted
    field path such as ``sections[0].entries[2].roles[0].start`` ('' when the problem
    is not about one field); ``source_line`` is the text of that line of the file.
    """

    file: str
    line: int
    column: int
    message: str
    severity: Severity = "error"
    field: str = ""
    source_line: str = ""

    def format(self) -> str:
        """Render as ``file:line:col: severity: message`` plus source excerpt, caret and field."""
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        out = [f"{where}: {self.severity}: {visible(self.message)}"]
        if self.line and self.source_line:
            gutter = f"{self.line:>5} | "
            out.append(gutter + visible(self.source_line.rstrip("\n")))
            # Tabs stay tabs and wide characters count twice, so the caret lines up.
            pad = "".join("\t" if c == "\t" else " " * _width(c) for c in self.source_line[: max(self.column - 1, 0)])
            out.append(" " * (len(gutter) - 2) + "| " + pad + "^")
        if self.field:
            out.append(f"      field: {self.field}")
        return "\n".join(out)


@dataclass
class ProfileError(Exception):
    """Raised when user input (a profile, a theme) cannot be used.

    ``diagnostics`` holds every problem found (at least one error). The CLI prints them
    and exits 1; no PDF is written or replaced.
    """

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.format())

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def format(self) -> str:
        return "\n".join(d.format() for d in self.diagnostics)


def _shown(ch: str) -> str:
    if ch != "\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Cn", "Zl", "Zp"):
        return f"<U+{ord(ch):04X}>"
    return ch


def _width(ch: str) -> int:
    shown = _shown(ch)
    if shown != ch:
        return len(shown)
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def visible(text: str) -> str:
    """``text`` with every control, format, bidi, unassigned or line-separator character
    written as ``<U+XXXX>`` (safe to print on a terminal)."""
    return "".join(_shown(c) for c in text)


def field_path(loc: Iterable[str | int]) -> str:
    """Format a location tuple as a field path: ``('a', 0, 'b')`` -> ``a[0].b``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


#: What ends a line: LF, CR or CRLF (YAML 1.2 §5.4, and editors) — not NEL, U+2028, U+2029.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_line(text: str, line: int) -> str:
    """Line ``line`` (1-based, see :data:`LINE_BREAK`) of ``text``, or '' when out of range."""
    lines = _lines(text)
    return lines[line - 1] if 0 < line <= len(lines) else ""


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> tuple[str, ...]:
    """``text`` split at :data:`LINE_BREAK`, once per text: a file with thousands of
    problems quotes a line for each."""
    return tuple(LINE_BREAK.split(text))


def display_path(path: Path | str) -> str:
    """A path as the user typed it relative to the working directory when possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
