"""Stage 5 — compile: LaTeX source -> PDF with XeLaTeX, sandboxed, one pass.

XeLaTeX runs in its own build directory with

* ``-no-shell-escape`` and ``openin_any=p`` / ``openout_any=p`` (paranoid: no reading
  or writing of dot files, of parent directories or of absolute paths — ``TEXMFOUTPUT``
  is cleared; kpathsea manual §"Security"), so a profile can neither run programs nor
  read files into the PDF, and writes stay in the build directory;
* ``-interaction=nonstopmode -halt-on-error -file-line-error`` and no standard input;
* ``max_print_line`` raised so log lines are not wrapped at 79 characters;
* a timeout after which the engine's whole process group (xelatex and the xdvipdfmx it
  pipes into) is killed; the same when the build directory grows past
  :data:`MAX_OUTPUT_BYTES` (a runaway loop that writes to the log or makes pages).

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
                "latexmk", "fonts-noto-cjk", "fonts-texgyre", "fonts-font-awesome", "poppler-utils")
INSTALL_COMMAND = "sudo apt-get install --no-install-recommends " + " ".join(APT_PACKAGES)
ENGINE = "xelatex"
#: A CV's build directory holds a few MB; a run that writes more is stopped.
MAX_OUTPUT_BYTES = 256 * 2**20
#: How often (seconds) a running engine's build directory size is checked.
_POLL = 0.25


class EngineMissing(Exception):
    """The TeX engine is not installed. ``str(exc)`` says what to install."""


@dataclass(frozen=True)
class TexError:
    """An error from the log: ``message``, the ``.tex`` ``line`` (0 when unknown or when
    the error is in another ``file``, e.g. a package), and ``context``: the text of the
    line TeX was reading, up to where it stopped."""

    message: str
    line: int = 0
    context: str = ""
    file: str = ""


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
    for name in ("TEXINPUTS", "TEXMFOUTPUT"):
        env.pop(name, None)
    return env


def compile(source: str, build_dir: Path, *, jobname: str = "cv", timeout: float = 60.0,
            max_output_bytes: int = MAX_OUTPUT_BYTES) -> Build:
    """Compile LaTeX ``source`` in ``build_dir`` (created if needed) to ``<jobname>.pdf``.

    Raises :class:`EngineMissing`, or :class:`CompileError` when XeLaTeX reports an
    error, produces no PDF, runs longer than ``timeout`` seconds or makes the build
    directory larger than ``max_output_bytes`` (it is then killed with its process
    group; ``timed_out`` is set on the error).
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
    # kpathsea reports refused paths on stderr only; keep it beside the log
    with open(build_dir / f"{jobname}.stderr", "wb") as stderr:
        proc = subprocess.Popen(cmd, cwd=build_dir, env=sandbox_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    deadline = started + timeout
    try:
        while proc.poll() is None:
            if time.perf_counter() >= deadline:
                raise CompileError(f"XeLaTeX did not finish within {timeout:g} s and was stopped "
                                   "(a theme macro that loops forever?); raise the limit with --timeout",
                                   timed_out=True)
            if _size(build_dir) > max_output_bytes:
                raise CompileError(f"XeLaTeX wrote more than {max_output_bytes / 2**20:g} MB and was stopped "
                                   "(a theme macro that loops forever?)", timed_out=True)
            try:
                proc.wait(timeout=min(_POLL, max(deadline - time.perf_counter(), 0.001)))
            except subprocess.TimeoutExpired:
                pass
    except CompileError as exc:
        _kill_group(proc)
        exc.log = parse_log(_transcript(build_dir, jobname), jobname)
        raise
    except BaseException:  # KeyboardInterrupt: leave no engine behind
        _kill_group(proc)
        raise
    seconds = time.perf_counter() - started
    log = parse_log(_transcript(build_dir, jobname), jobname)
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


def _size(directory: Path) -> int:
    total = 0
    for entry in os.scandir(directory):
        try:
            total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            pass
    return total


def _transcript(build_dir: Path, jobname: str) -> str:
    """The engine's log followed by what it wrote to stderr."""
    return _read_log(build_dir / f"{jobname}.log") + "\n" + _read_log(build_dir / f"{jobname}.stderr")


def _read_log(path: Path) -> str:
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
#: kpathsea refusing a path under openin_any / openout_any = p.
_REFUSED = re.compile(r"Not (reading from|writing to) (.+?) \((openin_any|openout_any) = p\)")
_CONTEXT = re.compile(r"^l\.(\d+) (.*)$", re.M)


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
    found = [(m.start(), m.group(1), int(m.group(2)), m.group(3).strip()) for m in _FILE_LINE_ERROR.finditer(text)]
    found += [(m.start(), "", 0, m.group(1).strip()) for m in _BANG_ERROR.finditer(text)]
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
        if file and not main:
            line = 0
        elif not file:
            # a "! …" error: the l.NN context line says where TeX was in the main file
            line = line_of_context
        report.errors.append(TexError(message, line, context.group(2).strip() if context else "", file))
    return report
