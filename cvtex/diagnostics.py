"""Diagnostics: the one shape in which cvtex reports a problem in user input.

Every user-facing error or warning is a :class:`Diagnostic` and prints as::

    cv.yaml:12:9: error: unknown field 'organisation' (did you mean 'organization'?)
       12 |       - organisation: SK Telecom
          |         ^
       field: sections[0].entries[1].organisation

(the GNU ``file:line:column: severity: message`` form, lines and columns 1-based).
"""

from __future__ import annotations

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
        out = [f"{where}: {self.severity}: {self.message}"]
        if self.line and self.source_line:
            gutter = f"{self.line:>5} | "
            out.append(gutter + self.source_line.rstrip("\n"))
            # Columns count characters; tabs keep their width so the caret lines up.
            pad = "".join("\t" if c == "\t" else " " for c in self.source_line[: max(self.column - 1, 0)])
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


def field_path(loc: Iterable[str | int]) -> str:
    """Format a location tuple as a field path: ``('a', 0, 'b')`` -> ``a[0].b``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def source_line(text: str, line: int) -> str:
    """Line ``line`` (1-based) of ``text``, or '' when out of range."""
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def display_path(path: Path | str) -> str:
    """A path as the user typed it relative to the working directory when possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
