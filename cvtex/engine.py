"""Stage 5 — compile: LaTeX source -> PDF with XeLaTeX, sandboxed, one pass.

XeLaTeX runs in its own build directory with

* ``-no-shell-escape`` and ``openin_any=p`` / ``openout_any=p`` (paranoid: no reading
  or writing of dot files or of files outside the working directory tree; kpathsea
  manual §"Security"), so a profile can neither run programs nor read files into the PDF;
* ``-interaction=nonstopmode -halt-on-error -file-line-error`` and no standard input;
* ``max_print_line`` raised so log lines are not wrapped at 79 characters;
* a timeout after which the engine's whole process group is killed.

One pass suffices: themes avoid ``\\ref``/``LastPage``/``\\tableofcontents``, and the
outline is added afterwards by :mod:`cvtex.pdf` from named destinations.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Debian/Ubuntu packages cvtex needs (README "Quick start"; ``cvtex doctor``).
APT_PACKAGES = ("texlive-xetex", "texlive-lang-korean", "texlive-latex-recommended", "texlive-latex-extra",
                "latexmk", "fonts-noto-cjk", "fonts-texgyre", "poppler-utils")
INSTALL_COMMAND = "sudo apt-get install --no-install-recommends " + " ".join(APT_PACKAGES)
ENGINE = "xelatex"


class EngineMissing(Exception):
    """The TeX engine is not installed. ``str(exc)`` says what to install."""


@dataclass(frozen=True)
class TexError:
    """An error from the log: ``message`` and the ``.tex`` ``line`` (0 when unknown)."""

    message: str
    line: int = 0
    context: str = ""


@dataclass(frozen=True)
class MissingChar:
    char: str
    font: str


@dataclass(frozen=True)
class Overfull:
    """An overfull box: ``points`` too wide (pt), at ``.tex`` lines ``lines``."""

    points: float
    lines: str


@dataclass
class LogReport:
    """What the engine's log says, parsed."""

    errors: list[TexError] = field(default_factory=list)
    missing_chars: list[MissingChar] = field(default_factory=list)
    overfull: list[Overfull] = field(default_factory=list)


@dataclass
class Build:
    """A finished compile: the PDF in ``build_dir``, the parsed log, seconds taken."""

    pdf: Path
    log: LogReport
    build_dir: Path
    seconds: float


class CompileError(Exception):
    """XeLaTeX failed (an error, a timeout). ``log`` is the parsed log (may be empty)."""

    def __init__(self, message: str, log: LogReport | None = None, timed_out: bool = False) -> None:
        super().__init__(message)
        self.log = log or LogReport()
        self.timed_out = timed_out


def find_engine() -> str:
    """Path of ``xelatex``; :class:`EngineMissing` with the install command if absent."""
    path = shutil.which(ENGINE)
    if not path:
        raise EngineMissing(f"XeLaTeX is not installed (no '{ENGINE}' on PATH). Install TeX Live with:\n"
                            f"  {INSTALL_COMMAND}")
    return path


def engine_version() -> str:
    """First line of ``xelatex --version`` (part of the build cache key)."""
    out = subprocess.run([find_engine(), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return out.stdout.splitlines()[0] if out.stdout else "unknown"


def sandbox_env() -> dict[str, str]:
    """The environment the engine runs in (see module doc)."""
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", shell_escape="f", max_print_line="100000",
               error_line="254", half_error_line="238", TEXMF_OUTPUT_DIRECTORY="")
    env.pop("TEXINPUTS", None)
    return env


def compile(source: str, build_dir: Path, *, jobname: str = "cv", timeout: float = 60.0) -> Build:
    """Compile LaTeX ``source`` in ``build_dir`` (created if needed) to ``<jobname>.pdf``.

    Raises :class:`EngineMissing`, or :class:`CompileError` when XeLaTeX reports an
    error, produces no PDF, or runs longer than ``timeout`` seconds (it is then killed
    with its process group).
    """
    engine = find_engine()
    build_dir.mkdir(parents=True, exist_ok=True)
    tex_file = build_dir / f"{jobname}.tex"
    tex_file.write_text(source, encoding="utf-8")
    pdf = build_dir / f"{jobname}.pdf"
    pdf.unlink(missing_ok=True)
    cmd = [engine, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
           f"-jobname={jobname}", tex_file.name]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=build_dir, env=sandbox_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise CompileError(f"XeLaTeX did not finish within {timeout:g} s and was stopped "
                           "(a theme macro that loops forever?); raise the limit with --timeout",
                           parse_log(_read_log(build_dir / f"{jobname}.log")), timed_out=True) from None
    seconds = time.perf_counter() - started
    log = parse_log(_read_log(build_dir / f"{jobname}.log"))
    if proc.returncode != 0 or log.errors or not pdf.is_file():
        first = log.errors[0].message if log.errors else f"XeLaTeX exited with status {proc.returncode}"
        raise CompileError(first, log)
    return Build(pdf=pdf, log=log, build_dir=build_dir, seconds=seconds)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _read_log(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


_FILE_LINE_ERROR = re.compile(r"^\./[^:\n]+\.tex:(\d+): (.+)$", re.M)
_BANG_ERROR = re.compile(r"^! (.+)$", re.M)
_MISSING = re.compile(r"Missing character: There is no (.+?) \(U\+([0-9A-F]{4,6})\) in font ([^!\n]+)!")
_OVERFULL = re.compile(r"^Overfull \\hbox \(([\d.]+)pt too wide\) .*?lines? ([\d\-]+)", re.M)
_CONTEXT = re.compile(r"^l\.(\d+) (.*)$", re.M)


def parse_log(text: str) -> LogReport:
    """Parse a TeX log: errors (with ``.tex`` line), missing characters, overfull boxes."""
    report = LogReport()
    for m in _MISSING.finditer(text):
        item = MissingChar(chr(int(m.group(2), 16)), m.group(3).strip())
        if item not in report.missing_chars:
            report.missing_chars.append(item)
    for m in _OVERFULL.finditer(text):
        report.overfull.append(Overfull(float(m.group(1)), m.group(2)))
    errors = [(int(m.group(1)), m.group(2).strip()) for m in _FILE_LINE_ERROR.finditer(text)]
    if not errors:
        errors = [(0, m.group(1).strip()) for m in _BANG_ERROR.finditer(text)]
    context = _CONTEXT.search(text)
    for line, message in errors:
        if not line and context:
            line = int(context.group(1))
        report.errors.append(TexError(message, line, context.group(2).strip() if context else ""))
    return report
