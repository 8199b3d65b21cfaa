"""One XeLaTeX run, sandboxed: a process in its own build directory, its limits, its input
pipe, and the plain retry when a speed path made it fail.

XeLaTeX runs in its own build directory with

* the environment of :func:`cvtex.tex.toolchain.sandbox_env` (``openin_any=p``,
  ``openout_any=p``, no shell escape): a profile can neither run programs nor read files
  into the PDF, and writes stay in the build directory;
* ``-no-shell-escape -interaction=nonstopmode -halt-on-error -file-line-error`` and no
  standard input;
* ``-recorder``: ``<jobname>.fls`` names every file the run read, which the build cache
  checks before it serves a PDF again (:func:`recorded_inputs`);
* a timeout after which the engine's whole process group (xelatex and the xdvipdfmx it
  pipes into) is killed; the same when the build directory grows past
  :data:`MAX_OUTPUT_BYTES` (a runaway loop that writes to the log or makes pages).

:func:`launch` starts the process, on ``<jobname>.tex`` written first or on a pipe the
source is written into later (:class:`Run`); which speed paths a run uses is decided by
:mod:`cvtex.tex.engine`, and who starts runs ahead of a render by :mod:`cvtex.tex.pool`.
:func:`run_plain` is XeLaTeX as ``xelatex <jobname>.tex`` would run it, in the sandbox.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from cvtex.tex import speed, texdata
from cvtex.tex.classes import CLASSES_NAME, CLASSES_TABLE
from cvtex.tex.log import LogReport, parse_log, transcript
from cvtex.tex.toolchain import find_engine, sandbox_env

#: A CV's build directory holds a few MB; a run that writes more is stopped.
MAX_OUTPUT_BYTES = 256 * 2**20
#: How often (seconds) a running engine's build directory size is checked.
_POLL = 0.25


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
    #: the engine had read the source's preamble before the source was written (:meth:`Run.prime`)
    primed: bool = False


class CompileError(Exception):
    """XeLaTeX failed (an error, a timeout). ``log`` is the parsed log (may be empty)."""

    def __init__(self, message: str, log: LogReport | None = None, timed_out: bool = False) -> None:
        super().__init__(message)
        self.log = log or LogReport()
        self.timed_out = timed_out


def place(build_dir: Path, files: Mapping[str, Path]) -> None:
    """Put ``files`` (``{name: path}``: a file name, no directory part, and the file it is)
    into ``build_dir`` (created if needed) for the engine to read as ``name``: a copy (the
    engine may write in its directory; the source, a cached file, stays as it was). Kpathsea's ``openin_any=p`` lets the engine read only files below its
    working directory, so a source's pictures (the header photo) are placed there before
    the engine starts on it. Raises ``ValueError`` for a name with a directory part, and
    ``OSError``."""
    if not files:
        return
    build_dir.mkdir(parents=True, exist_ok=True)
    for name, path in files.items():
        if Path(name).name != name or name.startswith("."):
            raise ValueError(f"place(): {name!r} is not a plain file name")
        target = build_dir / name
        if not target.exists():  # a copy: the engine may write in its directory, never in the source
            shutil.copyfile(path, target)


def run_plain(source: str, build_dir: Path, *, jobname: str = "cv", timeout: float = 60.0,
              max_output_bytes: int = MAX_OUTPUT_BYTES, files: Mapping[str, Path] | None = None) -> Build:
    """XeLaTeX on ``<jobname>.tex`` holding ``source`` in ``build_dir`` (created if needed),
    without any speed path: as ``xelatex <jobname>.tex`` would run, in the sandbox. Raises
    :class:`cvtex.tex.toolchain.EngineMissing`, or :class:`CompileError` when XeLaTeX
    reports an error, produces no PDF, runs longer than ``timeout`` seconds or makes the
    build directory larger than ``max_output_bytes`` (it is then killed with its process
    group; ``timed_out`` is set on the error). ``files`` are placed in ``build_dir`` first
    (:func:`place`)."""
    place(build_dir, files or {})
    run = launch(build_dir, jobname, stand_in=None, fmt=None, source=source)
    return run.compile(source, timeout=timeout, max_output_bytes=max_output_bytes)


def _command(engine: str, jobname: str, fmt: Path | None, tex_name: str) -> list[str]:
    return [engine, "-no-shell-escape", "-no-parse-first-line", "-interaction=nonstopmode", "-halt-on-error",
            "-file-line-error", "-recorder", f"-jobname={jobname}", *([f"-fmt={fmt.with_suffix('')}"] if fmt else []),
            tex_name]


def launch(build_dir: Path, jobname: str, *, stand_in: texdata.Table | None, fmt: Path | None,
           source: str | None, installed_fmt: Path | None = None) -> "Run":
    """Make ``build_dir`` ready and start XeLaTeX there: on ``<jobname>.tex`` holding
    ``source``, or, with ``source`` None, on a link to the pipe of its standard input
    (:meth:`Run.compile` writes the source into it). ``stand_in``: the class table to
    write as :data:`~cvtex.tex.classes.CLASSES_NAME` (else TeX Live's own file is read);
    ``fmt``: a format to load instead of TeX Live's, a copy of ``installed_fmt``
    (:mod:`cvtex.tex.formats`). Raises :class:`cvtex.tex.toolchain.EngineMissing` or
    ``OSError``."""
    engine = find_engine()
    build_dir.mkdir(parents=True, exist_ok=True)
    aliases: dict[str, tuple[str, ...]] = {}
    if stand_in is not None:
        (build_dir / CLASSES_NAME).write_text(stand_in.text, encoding="utf-8")
        aliases[CLASSES_NAME] = stand_in.sources
    else:  # a build directory used before: the engine must read TeX Live's own file
        (build_dir / CLASSES_NAME).unlink(missing_ok=True)
    if fmt is not None and installed_fmt is not None:
        aliases[str(fmt)] = (str(installed_fmt),)
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
                                stdout=subprocess.DEVNULL, stderr=stderr,
                                start_new_session=not speed.lacks(speed.PROCESS_GROUPS))
    if source is not None:
        return Run(proc, build_dir, jobname, None, fmt=fmt, stand_in=stand_in is not None, fed=True,
                   aliases=aliases)
    assert proc.stdin is not None
    writer = os.dup(proc.stdin.fileno())  # not inherited by later engines (PEP 446)
    proc.stdin.close()
    os.set_blocking(writer, False)
    return Run(proc, build_dir, jobname, writer, fmt=fmt, stand_in=stand_in is not None, aliases=aliases)


def set_cpus(pid: int, cpus: list[int] | set[int]) -> bool:
    """Let process ``pid`` run on ``cpus`` only; False when it is gone or the call fails
    (this only ever speeds things up)."""
    if speed.lacks(speed.SCHED_AFFINITY):
        return False
    try:
        os.sched_setaffinity(pid, cpus)
    except OSError:
        return False
    return True


@dataclass
class Run:
    """An engine started by :func:`launch`, waiting for its source on ``<jobname>.tex``
    (or, with ``fed``, started on a source written first). Only :mod:`cvtex.tex.engine`
    and :class:`cvtex.tex.pool.EnginePool` start, prime and cancel runs."""

    proc: subprocess.Popen[bytes]
    build_dir: Path
    jobname: str
    #: cvtex's end of the engine's input pipe (closed once the source is written, or on cancel)
    writer: int | None = None
    #: kept off one CPU until the source is written (:func:`cvtex.tex.engine.start` with ``spare_a_cpu``)
    pinned: bool = False
    #: the format copy the engine loads, if any (:mod:`cvtex.tex.formats`)
    fmt: Path | None = None
    #: the start of the source written ahead by :meth:`prime` ('' when none)
    prefix: str = ""
    #: the build directory has the class table stand-in (:func:`cvtex.tex.engine.classes_stand_in`)
    stand_in: bool = False
    #: the source was written to ``<jobname>.tex`` before the engine started (no pipe)
    fed: bool = False
    #: files of the build directory or copies that stand for installed files
    #: (:func:`recorded_inputs`): ``{path as the recorder names it: installed paths}``
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def speed_paths(self) -> list[str]:
        """The speed paths this run uses (:mod:`cvtex.tex.speed` names)."""
        used = [speed.PIPE] if not self.fed else []
        used += [speed.FORMAT_COPY] if self.fmt is not None else []
        used += [speed.CLASS_TABLE] if self.stand_in else []
        return used + ([speed.PRIMING] if self.prefix else [])

    def prime(self, prefix: str, *, timeout: float = 30.0) -> None:
        """Write ``prefix``, the start of the source to come (:func:`cvtex.tex.engine.preamble`), now: the
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

    def compile(self, source: str, *, timeout: float = 60.0, max_output_bytes: int = MAX_OUTPUT_BYTES,
                files: Mapping[str, Path] | None = None) -> Build:
        """Write ``source`` to the engine and wait for ``<jobname>.pdf``; ``timeout``
        (seconds) and ``max_output_bytes`` count from now, and so does
        :attr:`Build.seconds`. Afterwards ``<jobname>.tex`` is a regular file holding
        ``source``. ``files`` are placed in the build directory before the source is
        written (:func:`place`). Raises :class:`CompileError` as :func:`run_plain` does.

        A run that used speed paths (:meth:`speed_paths`) and failed other than by its
        time or size limit, or by an error the source itself makes (:func:`_source_error`),
        is run once more the plain way (:func:`run_plain`) in the same build
        directory (a theme's files may be there), within what is left of ``timeout``:
        when that succeeds, its :class:`Build` is the answer, :attr:`Build.fallback` says
        what failed, the paths used stay off in this process
        (:func:`cvtex.tex.speed.mark_failed`) and the cached format copy and class table are
        removed, to be made again by the next process that wants them; when it fails
        too, its error is raised, as the plain engine reports it."""
        deadline = time.perf_counter() + timeout
        place(self.build_dir, files or {})
        try:
            build = self._compile(source, timeout=timeout, max_output_bytes=max_output_bytes)
            build.primed = bool(self.prefix)
            return build
        except CompileError as exc:
            used = self.speed_paths()
            if exc.timed_out or not used or _source_error(exc.log):
                raise
            first = str(exc)
        plain = run_plain(source, self.build_dir, jobname=self.jobname,
                          timeout=max(deadline - time.perf_counter(), 1.0), max_output_bytes=max_output_bytes,
                          files=files)
        plain.fallback = f"XeLaTeX failed with {', '.join(used)} ({first}) and succeeded the plain way"
        speed.mark_failed(used, first)
        if self.fmt is not None:
            shutil.rmtree(self.fmt.parent, ignore_errors=True)
        if self.stand_in:
            texdata.discard(CLASSES_TABLE)
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
            kill_group(proc)
            exc.log = parse_log(transcript(build_dir, jobname), jobname)
            raise
        except BaseException:  # KeyboardInterrupt: leave no engine behind
            kill_group(proc)
            raise
        seconds = time.perf_counter() - started
        log = parse_log(transcript(build_dir, jobname), jobname)
        if proc.returncode != 0 or log.errors or not pdf.is_file():
            first = log.errors[0].message if log.errors else f"XeLaTeX exited with status {proc.returncode}"
            if not (build_dir / f"{jobname}.log").exists():  # it stopped while loading its format
                first = (f"XeLaTeX could not load its format {self.fmt or '(TeX Live’s xelatex.fmt)'} and "
                         f"stopped (status {proc.returncode}); "
                         + (f"delete {self.fmt.parent} and cvtex makes it again" if self.fmt else
                            "rebuild it with `fmtutil-sys --byfmt xelatex`"))
            raise CompileError(first, log)
        inputs = recorded_inputs(build_dir / f"{jobname}.fls", self.aliases)
        return Build(pdf=pdf, log=log, build_dir=build_dir, seconds=seconds, inputs=inputs)

    def cancel(self) -> None:
        """Stop the engine (and its process group) and remove its input. A run whose process
        was already waited for is left alone (its process id may belong to another by now)."""
        self._close()
        if self.proc.returncode is None:
            kill_group(self.proc)
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
            self.pinned = not set_cpus(self.proc.pid, os.sched_getaffinity(0))  # every CPU again
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


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc`` and its process group (XeLaTeX and the ``xdvipdfmx`` it pipes into), and
    wait for it. Where there are no POSIX process groups (Windows, :func:`cvtex.tex.speed.lacks`),
    the process itself."""
    if speed.lacks(speed.PROCESS_GROUPS):
        with contextlib.suppress(OSError):
            proc.kill()
    else:
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



def recorded_inputs(fls: Path, aliases: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The files outside the build directory that an engine run read, in the order of
    first reading, each once: the absolute paths of the ``INPUT`` lines of its recorder
    file ``fls`` (``-recorder``, web2c manual §"Common options": ``<jobname>.fls`` lists
    every file opened for reading or writing). A relative path is a file of the build
    directory and is left out. ``aliases`` maps a path as the recorder names it (relative
    ones normalized) to the installed files it stands for: the class table stand-in to the
    files it was made from (:func:`cvtex.tex.engine.classes_stand_in`), cvtex's copy of the
    format to the installed format (:mod:`cvtex.tex.formats`). These are what the build
    cache checks before it serves a PDF (:mod:`cvtex.build.cache`). Fonts do not appear:
    XeTeX finds them through fontconfig, which the recorder does not see. ``()`` when
    ``fls`` cannot be read.
    """
    try:
        lines = fls.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return ()
    aliases = aliases or {}
    found: dict[str, None] = {}
    for line in lines:
        if not line.startswith("INPUT "):
            continue
        path = line[len("INPUT "):]
        key = path if os.path.isabs(path) else os.path.normpath(path)
        if key in aliases:
            found.update(dict.fromkeys(aliases[key]))
        elif os.path.isabs(path):
            found[path] = None
    return tuple(found)
