"""Stage 5 — compile: LaTeX source -> PDF with XeLaTeX, sandboxed, one pass.

XeLaTeX runs in its own build directory with

* ``-no-shell-escape`` and ``openin_any=p`` / ``openout_any=p`` (paranoid: no reading
  or writing of dot files, of parent directories or of absolute paths — ``TEXMFOUTPUT``
  is cleared; kpathsea manual §"Security"), so a profile can neither run programs nor
  read files into the PDF, and writes stay in the build directory;
* ``-interaction=nonstopmode -halt-on-error -file-line-error`` and no standard input;
* ``-recorder``: ``<jobname>.fls`` names every file the run read, which the build cache
  checks before it serves a PDF again (:func:`recorded_inputs`);
* ``max_print_line`` raised so log lines are not wrapped at 79 characters;
* a timeout after which the engine's whole process group (xelatex and the xdvipdfmx it
  pipes into) is killed; the same when the build directory grows past
  :data:`MAX_OUTPUT_BYTES` (a runaway loop that writes to the log or makes pages).

The engine can start before its source exists (:func:`start`): ``<jobname>.tex`` leads
to a pipe it reads while cvtex is still preparing the source, and :meth:`Run.compile`
writes the source into it — ``cvtex render`` overlaps the engine's start-up with its own
imports and validation. :func:`compile` is both steps at once.

One pass suffices: themes avoid ``\\ref``/``LastPage``/``\\tableofcontents``, and the
outline is added afterwards by :mod:`cvtex.build.pdf` from named destinations.

Each build directory also gets a stand-in for TeX Live's ``load-unicode-xetex-classes.tex``
under that name (kpathsea looks in the working directory first; :func:`classes_stand_in`):
xetexko ``\\input``s that file, which parses Unicode's LineBreak.txt and EastAsianWidth.txt in TeX
macros — about 40 % of the engine's instructions for a CV, ~0.35 s of CPU. The stand-in
makes the same ``\\XeTeXcharclass`` assignments from a table dumped from the installed file.

``cvtex render`` also gives the engine an uncompressed copy of TeX Live's format
(:func:`plain_format`): inflating the gzip-compressed ``xelatex.fmt`` was a tenth of each run's CPU.

The pipe, the stand-in and the format copy are speed paths (:mod:`cvtex.tex.speed`): each is
used where what it relies on holds, and a run that fails with them is run again the plain
way (:meth:`Run.compile`), so they never cost a render.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cvtex.tex import speed

#: Debian/Ubuntu packages cvtex needs (README "Quick start"; ``cvtex doctor``).
#: The same list as scripts/install-tex.sh (a test holds them equal; that script says why
#: each package is there and where its name was checked).
APT_PACKAGES = ("texlive-xetex", "texlive-lang-korean", "texlive-latex-recommended", "texlive-latex-extra",
                "texlive-fonts-recommended", "latexmk", "fonts-noto-cjk", "fonts-texgyre", "fonts-font-awesome",
                "fontconfig", "poppler-utils")
INSTALL_COMMAND = "sudo apt-get install --no-install-recommends " + " ".join(APT_PACKAGES)
ENGINE = "xelatex"
#: A CV's build directory holds a few MB; a run that writes more is stopped.
MAX_OUTPUT_BYTES = 256 * 2**20
#: How often (seconds) a running engine's build directory size is checked.
_POLL = 0.25
#: TeX Live's file (package unicode-data) that xetexko ``\\input``s to class CJK characters.
CLASSES_NAME = "load-unicode-xetex-classes.tex"
#: The line-breaking classes the TeX Live file assigns (through ``\\XeTeXcharclass<name>``).
CLASS_NAMES = ("ID", "CJ", "OP", "CL", "EX", "IS", "NS", "CM")


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
    #: the files outside ``build_dir`` the engine read (:func:`recorded_inputs`)
    inputs: tuple[str, ...] = ()
    #: '' or, when speed paths failed and the plain way made this PDF, what happened
    #: (:meth:`Run.compile`)
    fallback: str = ""


class CompileError(Exception):
    """XeLaTeX failed (an error, a timeout). ``log`` is the parsed log (may be empty)."""

    def __init__(self, message: str, log: LogReport | None = None, timed_out: bool = False) -> None:
        super().__init__(message)
        self.log = log or LogReport()
        self.timed_out = timed_out


def engine_path() -> str | None:
    """Path of ``xelatex`` on ``PATH``, or ``None``."""
    return shutil.which(ENGINE)


def find_engine() -> str:
    """Path of ``xelatex``; :class:`EngineMissing` with the install command if absent."""
    path = engine_path()
    if not path:
        raise EngineMissing(f"XeLaTeX is not installed (no '{ENGINE}' on PATH). Install TeX Live with:\n"
                            f"  {INSTALL_COMMAND}")
    return path


def engine_version() -> str:
    """First line of ``xelatex --version`` (part of the build cache key)."""
    out = subprocess.run([find_engine(), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return out.stdout.splitlines()[0] if out.stdout else "unknown"


#: The format XeLaTeX loads (kpathsea's ``fmt`` format, engine ``xetex``).
FORMAT_NAME = "xelatex.fmt"


def plain_format(directory: Path, installed: Path | None = None) -> Path | None:
    """An uncompressed copy of XeLaTeX's format in ``directory`` (made on first use), to
    pass as :func:`start`'s ``fmt``; ``None`` when there is none to make (the engine then
    loads TeX Live's own). ``installed``: the format to copy; default: the one kpathsea
    finds for XeLaTeX (``kpsewhich``, once per process).

    web2c writes formats gzip-compressed and reads them through zlib's ``gzread``, which
    reads a file without the gzip header as it is (zlib manual, ``gzread``: "If the input
    file is not in gzip format, gzread copies the given number of bytes into the buffer
    directly from the file"). Inflating the 31 MB ``xelatex.fmt`` is a tenth of the
    engine's CPU time for a CV: measured on infra-backend.yaml (ko), 1.12 → 0.91 s of CPU
    per run, and the PDF is byte-for-byte the same. The copy is named after the installed
    file's path, size and mtime (``<directory>/<digest>/xelatex.fmt``), so a format that
    ``fmtutil`` rebuilds (a TeX Live update) gets a new copy and the old ones are removed.
    It is written under a temporary name and renamed into place, so renders running at
    once never load half of one, and made again when its size is not the one the gzip
    trailer gives (RFC 1952 ``ISIZE``: a copy cut short). Never raises: when ``kpsewhich``
    cannot find the format, the format is not gzip-compressed, or ``directory`` cannot be
    written (space, rights), the answer is ``None``.
    """
    import gzip
    import zlib

    installed = installed or _installed_format()
    if installed is None:
        return None
    try:
        st = installed.stat()
        ident = f"{installed}:{st.st_size}:{st.st_mtime_ns}"
        target = directory / hashlib.sha256(ident.encode()).hexdigest()[:16] / FORMAT_NAME
        with open(installed, "rb") as fh:
            if fh.read(2) != b"\x1f\x8b":
                return None  # stored uncompressed already: nothing to gain
            fh.seek(-4, os.SEEK_END)
            size = int.from_bytes(fh.read(4), "little")  # gzip's ISIZE: the inflated size mod 2**32 (RFC 1952)
        with contextlib.suppress(OSError):
            if target.stat().st_size % 2**32 == size:
                return target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(dir=target.parent, prefix=".fmt-")
        try:
            with os.fdopen(fd, "wb") as out, gzip.open(installed, "rb") as inflated:
                shutil.copyfileobj(inflated, out, 1 << 20)  # gzip checks the CRC-32 at the end
            if os.stat(part).st_size % 2**32 != size:
                raise OSError("more than one gzip member: not a format web2c wrote")
            os.replace(part, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(part)
            raise
        for old in directory.iterdir():  # copies of formats no longer installed
            if old != target.parent and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return target
    except (OSError, EOFError, zlib.error):  # gzip.BadGzipFile is an OSError
        return None


@functools.lru_cache(maxsize=1)
def _installed_format() -> Path | None:
    """Where kpathsea finds :data:`FORMAT_NAME` for XeLaTeX in the engine's environment
    (once per process; a rebuilt format keeps its path)."""
    try:
        out = subprocess.run(["kpsewhich", "-engine=xetex", "-progname=xelatex", FORMAT_NAME], env=sandbox_env(),
                             capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    found = out.stdout.strip()
    return Path(found) if out.returncode == 0 and found else None


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


def compile(source: str, build_dir: Path, *, jobname: str = "cv", timeout: float = 60.0,
            max_output_bytes: int = MAX_OUTPUT_BYTES, stand_in: bool = True, fmt: Path | None = None,
            plain: bool = False) -> Build:
    """Compile LaTeX ``source`` in ``build_dir`` (created if needed) to ``<jobname>.pdf``:
    :func:`start` followed by :meth:`Run.compile` where the pipe is a speed path in use
    here (:mod:`cvtex.tex.speed`), else from ``<jobname>.tex`` written first.

    With ``stand_in`` (the default), the build directory gets the class table stand-in
    when :func:`classes_stand_in` has one (see module doc); ``fmt`` is a format to load
    instead of TeX Live's (:func:`plain_format`). ``plain``: none of this, XeLaTeX run as
    ``xelatex <jobname>.tex`` would be (in the sandbox). Raises :class:`EngineMissing`,
    or :class:`CompileError` when XeLaTeX reports an error, produces no PDF, runs longer
    than ``timeout`` seconds or makes the build directory larger than
    ``max_output_bytes`` (it is then killed with its process group; ``timed_out`` is set
    on the error).
    """
    if not plain:
        try:
            run = start(build_dir, jobname=jobname, stand_in=stand_in, fmt=fmt)
        except PipeUnavailable:
            pass
        else:
            return run.compile(source, timeout=timeout, max_output_bytes=max_output_bytes)
    return _compile_file(source, build_dir, jobname, timeout=timeout, max_output_bytes=max_output_bytes,
                         stand_in=stand_in and not plain, fmt=None if plain else fmt)


class PipeUnavailable(OSError):
    """:func:`start` cannot run here: the pipe speed path is off (``str(exc)`` says why)."""


def _speed_options(stand_in: bool, fmt: Path | None) -> tuple[str | None, Path | None]:
    """The class-table text and the format to use, of those asked for, where their speed
    paths are allowed (:func:`cvtex.tex.speed.allowed`)."""
    table = classes_stand_in() if stand_in and speed.allowed(speed.CLASS_TABLE) else None
    return table, fmt if fmt is not None and speed.allowed(speed.FORMAT_COPY) else None


def _command(engine: str, jobname: str, fmt: Path | None, tex_name: str) -> list[str]:
    return [engine, "-no-shell-escape", "-no-parse-first-line", "-interaction=nonstopmode", "-halt-on-error",
            "-file-line-error", "-recorder", f"-jobname={jobname}", *([f"-fmt={fmt.with_suffix('')}"] if fmt else []),
            tex_name]


def _compile_file(source: str, build_dir: Path, jobname: str, *, timeout: float, max_output_bytes: int,
                  stand_in: bool, fmt: Path | None) -> Build:
    """XeLaTeX on ``<jobname>.tex`` written first: the way without the pipe. With a stand-in
    or a format copy (speed paths), a failure is retried without them (:meth:`Run.compile`)."""
    run = _launch(build_dir, jobname, stand_in=stand_in, fmt=fmt, source=source)
    return run.compile(source, timeout=timeout, max_output_bytes=max_output_bytes)


def _launch(build_dir: Path, jobname: str, *, stand_in: bool, fmt: Path | None, source: str | None) -> "Run":
    """Make ``build_dir`` ready (the stand-in and the format copy where their speed paths
    allow, :func:`_speed_options`) and start XeLaTeX there: on ``<jobname>.tex`` holding
    ``source``, or, with ``source`` None, on a link to the pipe of its standard input."""
    engine = find_engine()
    build_dir.mkdir(parents=True, exist_ok=True)
    table, fmt = _speed_options(stand_in, fmt)
    if table is not None:
        (build_dir / CLASSES_NAME).write_text(table, encoding="utf-8")
    else:  # a build directory used before: the engine must read TeX Live's own file
        (build_dir / CLASSES_NAME).unlink(missing_ok=True)
    tex_file = build_dir / f"{jobname}.tex"
    tex_file.unlink(missing_ok=True)
    if source is None:
        tex_file.symlink_to("/dev/stdin")
    else:
        tex_file.write_text(source, encoding="utf-8")
    (build_dir / f"{jobname}.pdf").unlink(missing_ok=True)
    # kpathsea reports refused paths on stderr only; keep it beside the log
    with open(build_dir / f"{jobname}.stderr", "wb") as stderr:
        proc = subprocess.Popen(_command(engine, jobname, fmt, tex_file.name), cwd=build_dir, env=sandbox_env(),
                                stdin=subprocess.PIPE if source is None else subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    if source is not None:
        return Run(proc, build_dir, jobname, None, fmt=fmt, stand_in=table is not None, fed=True)
    assert proc.stdin is not None
    writer = os.dup(proc.stdin.fileno())  # not inherited by later engines (PEP 446)
    proc.stdin.close()
    os.set_blocking(writer, False)
    return Run(proc, build_dir, jobname, writer, fmt=fmt, stand_in=table is not None)


def start(build_dir: Path, *, jobname: str = "cv", stand_in: bool = True, spare_a_cpu: bool = False,
          fmt: Path | None = None) -> "Run":
    """Start XeLaTeX in ``build_dir`` (created if needed) before its source is known.

    XeLaTeX's standard input is a pipe whose only write end cvtex holds, and
    ``<jobname>.tex`` a symbolic link to ``/dev/stdin``: the engine loads its format and
    starts up (~0.1 s of CPU per run, measured on infra-backend.yaml), opens its input and
    waits for :meth:`Run.compile` (or :meth:`Run.prime`) to write the source. ``cvtex
    render`` starts its engines this way while Python is still importing and validating,
    on the core that is otherwise idle. Should cvtex die at any moment (SIGKILL, a CI
    timeout), the kernel closes the write end and the engine reads end-of-file and stops:
    no TeX is left waiting. (A named pipe would not do: an engine that opens it after
    cvtex died would wait for a writer forever, fifo(7).) kpathsea's ``openin_any=p``
    judges the name ``<jobname>.tex``, not where it leads. ``-no-parse-first-line``:
    web2c would otherwise open the input once more to look for a ``%&format`` line, and
    read the pipe's first line away.

    With ``spare_a_cpu``, until its source is written the engine may use every CPU of this
    process but one (Linux ``sched_setaffinity``; nothing where there is one CPU or no such
    call): the process preparing the source keeps a core to itself instead of sharing it
    three ways with two starting engines. :meth:`Run.compile` gives the engine every CPU
    back. Measured with en and ko on 2 CPUs: see the README's Performance section.

    ``fmt`` is a format file to load instead of TeX Live's (:func:`plain_format`); it and
    the class table stand-in are used where their speed paths are allowed.

    Raises :class:`PipeUnavailable` where the pipe is not a speed path in use here
    (:func:`pipe_problem`, :mod:`cvtex.tex.speed`: then :func:`compile` writes the source
    first), :class:`EngineMissing`, or ``OSError`` when the build directory, the link or
    the pipe cannot be made. A run that is not wanted must be stopped with :meth:`Run.cancel`.
    """
    find_engine()
    if not speed.allowed(speed.PIPE):
        raise PipeUnavailable(f"the pipe is turned off ({speed.ENV} or an earlier failure)")
    problem = pipe_problem()
    if problem:
        raise PipeUnavailable(problem)
    run = _launch(build_dir, jobname, stand_in=stand_in, fmt=fmt, source=None)
    cpus = sorted(os.sched_getaffinity(0)) if spare_a_cpu and hasattr(os, "sched_getaffinity") else []
    if len(cpus) > 1 and speed.allowed(speed.AFFINITY):
        run.pinned = _set_cpus(run.proc.pid, cpus[1:])
    return run


#: What the pipe probe writes to the engine (plain XeTeX in ini mode: no format, ~20 ms):
#: it makes braces braces and writes ``pipe-probe.txt`` from TeX.
_PIPE_PROBE = "\\catcode123=1 \\catcode125=2 \\immediate\\openout1=pipe-probe.txt \\immediate\\write1{ok}" \
              "\\immediate\\closeout1 \\end\n"
#: Seconds the probe waits before it writes: the engine must already be waiting on the pipe.
_PIPE_PROBE_DELAY = 0.1
#: The probe's answer in :mod:`cvtex.tex.texdata`.
_PIPE_TABLE = "pipe-probe"


def pipe_problem() -> str | None:
    """Why :func:`start`'s pipe cannot be used with the installed XeTeX, or ``None`` when it
    can. The answer comes from a probe — XeTeX in ini mode started on a pipe into which a
    byte-order mark and a line of TeX are written a moment later, as :func:`start` and
    :meth:`Run.compile` do — kept in the cache for the engine binary (:mod:`cvtex.tex.texdata`):
    one probe per TeX installation (measured: ~0.15 s). TeX Live 2022 (Debian 12) and
    2025 (Debian 13) pass it; a XeTeX that seeks in its input, or a system without
    ``/dev/stdin``, would not. A failed probe is not kept: each process probes again."""
    if sys.platform != "linux" or not os.path.exists("/dev/stdin"):
        return f"no /dev/stdin to read from on {sys.platform}"
    from cvtex.tex import texdata

    found = texdata.table(_PIPE_TABLE, _PIPE_PROBE, _probe_pipe, "#")
    if found is None:
        return "the probe could not run"
    answer = found.text.rstrip("\n").rsplit("\n", 1)[-1]
    if answer != "ok":  # kept for this process only: the next one probes again
        texdata.discard(_PIPE_TABLE)
        return answer
    return None


def _probe_pipe(build_dir: Path) -> tuple[str, tuple[str, ...]]:
    """:func:`pipe_problem`'s probe in ``build_dir``: ``("ok", ())`` or ``(reason, ())``."""
    xetex = shutil.which("xetex", path=os.path.dirname(find_engine())) or shutil.which("xetex")
    if xetex is None:
        raise EngineMissing("no xetex beside xelatex")
    (build_dir / "probe.tex").symlink_to("/dev/stdin")
    proc = subprocess.Popen([xetex, "-ini", "-no-parse-first-line", "-interaction=batchmode", "-halt-on-error",
                             "probe.tex"], cwd=build_dir, env=sandbox_env(), stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(_PIPE_PROBE_DELAY)
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(("\ufeff" + _PIPE_PROBE).encode("utf-8"))
            proc.stdin.close()
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return "XeTeX did not finish reading its source from a pipe within 10 s", ()
    written = build_dir / "pipe-probe.txt"
    if written.is_file() and written.read_text(encoding="utf-8", errors="replace").strip() == "ok":
        return "ok", ()
    return "XeTeX did not read a source written into its pipe after it started (probe)", ()


def preamble(source: str) -> str:
    """The start of LaTeX ``source`` up to the end of the line with ``\\begin{document}``
    ('' when there is none): what :meth:`Run.prime` writes ahead of the next render of the
    same profile, which begins the same way unless the theme, the design or a value the
    preamble prints (the name in a footer) changed."""
    at = source.find("\\begin{document}")
    end = source.find("\n", at)
    return "" if at < 0 or end < 0 else source[:end + 1]


def _set_cpus(pid: int, cpus: list[int] | set[int]) -> bool:
    """Let process ``pid`` run on ``cpus`` only; False when it is gone or the call fails
    (this only ever speeds things up)."""
    try:
        os.sched_setaffinity(pid, cpus)
    except OSError:
        return False
    return True


@dataclass
class Run:
    """An engine started by :func:`start`, waiting for its source on ``<jobname>.tex``
    (or, with ``fed``, started on a source written first)."""

    proc: subprocess.Popen[bytes]
    build_dir: Path
    jobname: str
    #: cvtex's end of the engine's input pipe (closed once the source is written, or on cancel)
    writer: int | None = None
    #: kept off one CPU until the source is written (``start(spare_a_cpu=True)``)
    pinned: bool = False
    #: the format copy the engine loads, if any (:func:`plain_format`)
    fmt: Path | None = None
    #: the start of the source written ahead by :meth:`prime` ('' when none)
    prefix: str = ""
    #: the build directory has the class table stand-in (:func:`classes_stand_in`)
    stand_in: bool = False
    #: the source was written to ``<jobname>.tex`` before the engine started (no pipe)
    fed: bool = False

    def speed_paths(self) -> list[str]:
        """The speed paths this run uses (:mod:`cvtex.tex.speed` names)."""
        used = [speed.PIPE] if not self.fed else []
        used += [speed.FORMAT_COPY] if self.fmt is not None else []
        used += [speed.CLASS_TABLE] if self.stand_in else []
        return used + ([speed.PRIMING] if self.prefix else [])

    def prime(self, prefix: str, *, timeout: float = 30.0) -> None:
        """Write ``prefix``, the start of the source to come (:func:`preamble`), now: the
        engine reads and runs it — class, packages, fonts, ``\\begin{document}`` — and
        then waits at its end for the rest. :meth:`compile` takes a source that begins
        with ``prefix`` and writes only what follows. ``cvtex render --watch`` primes
        the next render's engines with the last render's preambles while the user edits.
        An engine that ends meanwhile (an error in the preamble) reads no more: whoever
        takes the run sees it ended (``proc.poll()``) and starts another. Raises
        :class:`CompileError` when the engine has not read ``prefix`` after ``timeout``
        seconds, ``ValueError`` when this run's source was begun already."""
        if self.prefix or self.writer is None:
            raise ValueError("this run's source was begun already")
        self._write(("\ufeff" + prefix).encode("utf-8"), time.perf_counter() + timeout)
        self.prefix = prefix

    def compile(self, source: str, *, timeout: float = 60.0, max_output_bytes: int = MAX_OUTPUT_BYTES) -> Build:
        """Write ``source`` to the engine and wait for ``<jobname>.pdf``; ``timeout``
        (seconds) and ``max_output_bytes`` count from now, and so does
        :attr:`Build.seconds`. Afterwards ``<jobname>.tex`` is a regular file holding
        ``source``. Raises :class:`CompileError` as :func:`compile` does.

        A run that used speed paths (:meth:`speed_paths`) and failed other than by its
        time or size limit, or by an error the source itself makes (:func:`_source_error`),
        is run once more the plain way (:func:`compile` with ``plain``) in the same build
        directory (a theme's files may be there), within what is left of ``timeout``:
        when that succeeds, its :class:`Build` is the answer, :attr:`Build.fallback` says
        what failed, the paths used stay off in this process
        (:func:`cvtex.tex.speed.mark_failed`) and the cached format copy and class table are
        removed, to be made again by the next process that wants them; when it fails
        too, its error is raised, as the plain engine reports it."""
        deadline = time.perf_counter() + timeout
        try:
            return self._compile(source, timeout=timeout, max_output_bytes=max_output_bytes)
        except CompileError as exc:
            used = self.speed_paths()
            if exc.timed_out or not used or _source_error(exc.log):
                raise
            first = str(exc)
        plain = compile(source, self.build_dir, jobname=self.jobname, timeout=max(deadline - time.perf_counter(), 1.0),
                        max_output_bytes=max_output_bytes, plain=True)
        plain.fallback = f"XeLaTeX failed with {', '.join(used)} ({first}) and succeeded the plain way"
        speed.mark_failed(used, first)
        if self.fmt is not None:
            shutil.rmtree(self.fmt.parent, ignore_errors=True)
        if self.stand_in:
            from cvtex.tex import texdata

            texdata.discard(_CLASSES_TABLE)
        return plain

    def _compile(self, source: str, *, timeout: float, max_output_bytes: int) -> Build:
        proc, build_dir, jobname = self.proc, self.build_dir, self.jobname
        pdf = build_dir / f"{jobname}.pdf"
        started = time.perf_counter()
        deadline = started + timeout
        try:
            self._feed(source, deadline)
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
            if not (build_dir / f"{jobname}.log").exists():  # it stopped while loading its format
                first = (f"XeLaTeX could not load its format {self.fmt or '(TeX Live’s xelatex.fmt)'} and "
                         f"stopped (status {proc.returncode}); "
                         + (f"delete {self.fmt.parent} and cvtex makes it again" if self.fmt else
                            "rebuild it with `fmtutil-sys --byfmt xelatex`"))
            raise CompileError(first, log)
        inputs = recorded_inputs(build_dir / f"{jobname}.fls", fmt=self.fmt)
        return Build(pdf=pdf, log=log, build_dir=build_dir, seconds=seconds, inputs=inputs)

    def cancel(self) -> None:
        """Stop the engine (and its process group) and remove its input. A run whose process
        was already waited for is left alone (its process id may belong to another by now)."""
        self._close()
        if self.proc.returncode is None:
            _kill_group(self.proc)
        (self.build_dir / f"{self.jobname}.tex").unlink(missing_ok=True)

    def _feed(self, source: str, deadline: float) -> None:
        """Write ``source`` into the pipe, then put a regular file with it in place of the
        link to the pipe. XeTeX reads the first bytes of every input file to detect a byte-order mark
        and seeks back when there is none, which a pipe cannot do: the source goes in
        behind a UTF-8 byte-order mark, which XeTeX reads and drops (``u_open_in`` in
        XeTeX_ext.c). An engine that ends or stops reading (an error in the preamble)
        leaves the rest unwritten: its log says why. Raises :class:`CompileError` when
        ``deadline`` (``time.perf_counter``) passes first. After :meth:`prime`, only the part of
        ``source`` after the prefix is written (``ValueError`` if it does not begin so)."""
        tex_file = self.build_dir / f"{self.jobname}.tex"
        if self.fed:
            return  # the engine reads the file written before it started
        if not source.startswith(self.prefix):
            raise ValueError("the source does not begin with what was written ahead (Run.prime)")
        data = source[len(self.prefix):] if self.prefix else "\ufeff" + source
        if self.pinned:
            self.pinned = not _set_cpus(self.proc.pid, os.sched_getaffinity(0))  # every CPU again
        try:
            if self.writer is None:
                raise CompileError("the engine's source was already written or the run cancelled")
            self._write(data.encode("utf-8"), deadline)
        finally:
            self._close()  # end-of-file for the engine after the source
            regular = tex_file.with_name(tex_file.name + ".part")
            regular.write_text(source, encoding="utf-8")
            os.replace(regular, tex_file)

    def _write(self, data: bytes, deadline: float) -> None:
        """Write ``data`` into the pipe as the engine reads it; an engine that ended reads
        no more (the rest is dropped). :class:`CompileError` when ``deadline`` (``time.perf_counter``) passes."""
        view = memoryview(data)
        writable = select.poll()  # not select(): no limit on the descriptor's number
        writable.register(self.writer, select.POLLOUT)
        while view and self.proc.poll() is None:
            if time.perf_counter() >= deadline:
                raise CompileError("XeLaTeX stopped reading its source and was stopped", timed_out=True)
            if writable.poll(25):  # milliseconds
                try:
                    view = view[os.write(self.writer, view[:65536]):]
                except BlockingIOError:
                    pass
                except BrokenPipeError:  # the engine ended: its log says why
                    return

    def _close(self) -> None:
        if self.writer is not None:
            os.close(self.writer)
            self.writer = None


#: Errors a source cut short would make (what a pipe read only in part gives): retried.
_CUT_SHORT = ("File ended while scanning", "Emergency stop", "no legal \\end found", "Missing \\begin{document}")


def _source_error(log: LogReport) -> bool:
    """Whether the first error of a failed run is one the source makes whatever the speed
    paths: at a line of the main file (:func:`parse_log` gives other files' errors line
    0) or in a package or theme file, other than the class table stand-in, and not an
    error of a source cut short (:data:`_CUT_SHORT`). Such a run is not retried the plain
    way: a typo costs one run."""
    if not log.errors:
        return False
    first = log.errors[0]
    if any(sign in first.message for sign in _CUT_SHORT):
        return False
    if first.file and os.path.basename(first.file) == CLASSES_NAME:
        return False
    return first.line > 0 or bool(first.file)


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
#: kpathsea refusing a path under openin_any / openout_any = p; TeX Live 2025 adds a
#: remark after the setting ("(openin_any = p; no  extended check)").
_REFUSED = re.compile(r"Not (reading from|writing to) (.+?) \((openin_any|openout_any) = p(?:;[^)\n]*)?\)")
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


# --------------------------------------------------------------------------- class table

def classes_stand_in() -> str | None:
    """The text of the class table stand-in for the installed TeX Live's
    :data:`CLASSES_NAME` (module doc): made on first use from the installed file by a
    XeLaTeX run (:func:`generate_classes`) and cached while the files that run read are
    unchanged (:mod:`cvtex.tex.texdata`); ``None`` when it cannot be made (the engine then
    reads TeX Live's own file: slower, same result)."""
    found = _classes_table()
    return found.text if found is not None else None


#: The class table's name in :mod:`cvtex.tex.texdata`.
_CLASSES_TABLE = "unicode-xetex-classes.tex"


def _classes_table():
    from cvtex.tex import texdata

    return texdata.table(_CLASSES_TABLE, classes_source(), _make_classes, "%")


def _make_classes(build_dir: Path) -> tuple[str, tuple[str, ...]]:
    runs, inputs = generate_classes(build_dir)
    return classes_text(runs), inputs


def recorded_inputs(fls: Path, *, fmt: Path | None = None) -> tuple[str, ...]:
    """The files outside the build directory that an engine run read, in the order of
    first reading, each once: the absolute paths of the ``INPUT`` lines of its recorder
    file ``fls`` (``-recorder``, web2c manual §"Common options": ``<jobname>.fls`` lists
    every file opened for reading or writing). A relative path is a file of the build
    directory and is left out, except the :data:`CLASSES_NAME` stand-in, which gives the
    installed files it was made from (:func:`classes_stand_in`); ``fmt``, cvtex's copy of the
    format, gives the installed format it was copied from (:func:`plain_format`). These
    are what the build cache checks before it serves a PDF (:mod:`cvtex.build.cache`). Fonts
    do not appear: XeTeX finds them through fontconfig, which the recorder does not see.
    ``()`` when ``fls`` cannot be read.
    """
    try:
        lines = fls.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return ()
    copy = str(fmt) if fmt is not None else None
    found: dict[str, None] = {}
    for line in lines:
        if not line.startswith("INPUT "):
            continue
        path = line[len("INPUT "):]
        if path == copy:
            installed = _installed_format()
            found[str(installed) if installed is not None else path] = None
        elif os.path.isabs(path):
            found[path] = None
        elif os.path.normpath(path) == CLASSES_NAME:
            table = _classes_table()
            found.update(dict.fromkeys(table.sources if table is not None else ()))
    return tuple(found)


def code_point_runs(value: str, stream: str) -> str:
    """LaTeX (letters ``@``) that writes to the open ``stream`` a line ``<first code point>
    <value>`` for each run of code points U+0000–U+10FFFF with the same ``value``: TeX
    material expanded (``\\edef``) with ``\\count@`` set to the code point, such as
    ``\\the\\XeTeXcharclass\\count@``."""
    return r"""\count@=0 \@tempcnta=0 \edef\cvtex@last{VALUE}
\loop
  \edef\cvtex@now{VALUE}%
  \ifx\cvtex@now\cvtex@last\else
    \immediate\writeSTREAM{\the\@tempcnta\space\cvtex@last}%
    \@tempcnta=\count@ \let\cvtex@last\cvtex@now
  \fi
  \ifnum\count@<"10FFFF \advance\count@\@ne \repeat
\immediate\writeSTREAM{\the\@tempcnta\space\cvtex@last}""".replace("VALUE", value).replace("STREAM", stream)


def classes_source() -> str:
    """A LaTeX document that marks every code point, ``\\input``s TeX Live's
    ``load-unicode-xetex-classes.tex`` with a distinct number for each class name, and
    writes ``classes.txt``: lines ``<first code point> <class name, or - for none>``, one
    per run, after a line naming the file."""
    names = "".join(f"\\chardef\\XeTeXcharclass{name}={i} " for i, name in enumerate(CLASS_NAMES, 1))
    cases = "".join(f"\\or {name}" for name in CLASS_NAMES)
    return r"""\documentclass{article}
\makeatletter
""" + names + r"""
\count@=0
\loop \XeTeXcharclass\count@=4094 \ifnum\count@<"10FFFF \advance\count@\@ne \repeat
\input """ + CLASSES_NAME + r"""
\newwrite\cvtex@out \immediate\openout\cvtex@out=classes.txt
\def\cvtex@name#1{\ifnum#1=4094 -\else\ifcase#1 ?""" + cases + r"""\else ?\fi\fi}
""" + code_point_runs(r"\cvtex@name{\XeTeXcharclass\count@}", r"\cvtex@out") + r"""
\immediate\closeout\cvtex@out
\makeatother
\begin{document}
x
\end{document}
"""


def generate_classes(build_dir: Path, timeout: float = 300.0) -> tuple[list[tuple[int, int, str]], tuple[str, ...]]:
    """The ``\\XeTeXcharclass`` assignments TeX Live's ``load-unicode-xetex-classes.tex``
    makes, as XeTeX itself runs it (:func:`classes_source`, the plain way) in ``build_dir``:
    ``([(first, last, class name), …], files the run read)``, inclusive, sorted. Raises
    :class:`EngineMissing`, :class:`CompileError`, or ``RuntimeError`` for a class number
    it did not give."""
    build = compile(classes_source(), build_dir, jobname="classes", timeout=timeout, plain=True)
    lines = (build_dir / "classes.txt").read_text(encoding="utf-8").split()
    runs = [(int(lines[i]), lines[i + 1]) for i in range(0, len(lines), 2)]
    if any(name == "?" for _, name in runs):
        raise RuntimeError(f"{CLASSES_NAME} assigned a class cvtex does not know")
    ends = [start - 1 for start, _ in runs[1:]] + [0x10FFFF]
    return [(start, end, name) for (start, name), end in zip(runs, ends) if name != "-"], build.inputs


def classes_text(runs: list[tuple[int, int, str]]) -> str:
    """The class table stand-in for ``runs`` (:func:`generate_classes`): it keeps the TeX
    Live file's defaults for class names xetexko has not defined, then assigns each run
    with macros that expand to blocks of 4096, 256, 16 or 1 code points (TeX reads a few
    hundred tokens instead of parsing two data files). A change here that changes the
    text must bump :data:`cvtex.tex.texdata.RECIPE_VERSION`, so cached tables are made again."""
    h = "0123456789ABCDEF"
    lines = [
        f"% A stand-in for TeX Live's {CLASSES_NAME}: the same \\XeTeXcharclass assignments, precomputed",
        "% by cvtex from the installed file (cvtex/engine.py, classes_text).",
        r"\ifx\XeTeXcharclass\undefined \expandafter\endinput \fi",
        r"\begingroup \catcode`\{=1 \catcode`\}=2 \catcode`\#=6 \catcode`\"=12 %",
        r"\ifdefined\XeTeXcharclassID\else \chardef\XeTeXcharclassID=1 \fi",
        r"\ifdefined\XeTeXcharclassCJ\else \let\XeTeXcharclassCJ\XeTeXcharclassID \fi",
        r"\ifdefined\XeTeXcharclassOP\else \chardef\XeTeXcharclassOP=2 \fi",
        r"\ifdefined\XeTeXcharclassCL\else \chardef\XeTeXcharclassCL=3 \fi",
        r"\ifdefined\XeTeXcharclassEX\else \let\XeTeXcharclassEX\XeTeXcharclassCL \fi",
        r"\ifdefined\XeTeXcharclassIS\else \let\XeTeXcharclassIS\XeTeXcharclassCL \fi",
        r"\ifdefined\XeTeXcharclassNS\else \let\XeTeXcharclassNS\XeTeXcharclassCL \fi",
        r"\ifdefined\XeTeXcharclassCM\else \chardef\XeTeXcharclassCM=256 \fi",
        r'\def\cvtexA#1{\global\XeTeXcharclass"#1=\cvtexK}%',
        r"\def\cvtexB#1{" + "".join(rf'\global\XeTeXcharclass"#1{d}=\cvtexK' for d in h) + "}%",
        r"\def\cvtexC#1{" + "".join(rf"\cvtexB{{#1{d}}}" for d in h) + "}%",
        r"\def\cvtexD#1{" + "".join(rf"\cvtexC{{#1{d}}}" for d in h) + "}%",
        r"\def\cvtexS#1{\chardef\cvtexK=\csname XeTeXcharclass#1\endcsname}%",
    ]
    body: list[str] = []
    for first, last, name in runs:
        body.append(rf"\cvtexS{{{name}}}")
        code = first
        while code <= last:
            for size, macro in ((4096, "D"), (256, "C"), (16, "B"), (1, "A")):
                if code % size == 0 and code + size - 1 <= last:
                    body.append(rf"\cvtex{macro}{{{code // size:X}}}")
                    code += size
                    break
    lines += ["".join(body[i:i + 16]) + "%" for i in range(0, len(body), 16)]
    lines.append(r"\endgroup")
    return "\n".join(lines) + "\n"
