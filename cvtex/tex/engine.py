"""Stage 5 — compile: LaTeX source -> PDF with XeLaTeX, with the engine's speed paths.

:func:`compile` runs XeLaTeX once, sandboxed (:mod:`cvtex.tex.sandbox`), with every speed
path (:mod:`cvtex.tex.speed`) that holds here; :func:`start` starts an engine before its
source exists, for :class:`cvtex.tex.pool.EnginePool`, the one owner of engines started
ahead of a render.

The engine can start before its source exists (:func:`start`): ``<jobname>.tex`` leads
to a pipe it reads while cvtex is still preparing the source, and
:meth:`cvtex.tex.sandbox.Run.compile` writes the source into it — ``cvtex render``
overlaps the engine's start-up with its own imports and validation. :func:`compile` is
both steps at once.

One pass suffices: themes avoid ``\\ref``/``LastPage``/``\\tableofcontents``, and the
outline is added afterwards by :mod:`cvtex.build.pdf` from named destinations.

Each build directory also gets a stand-in for TeX Live's ``load-unicode-xetex-classes.tex``
under that name (kpathsea looks in the working directory first; :func:`classes_stand_in`,
the text is :mod:`cvtex.tex.classes`), and the engine loads an uncompressed copy of TeX
Live's format (:mod:`cvtex.tex.formats`).

The pipe, the stand-in and the format copy are speed paths (:mod:`cvtex.tex.speed`): each is
used where what it relies on holds, and a run that fails with them is run again the plain
way (:meth:`cvtex.tex.sandbox.Run.compile`), so they never cost a render.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Mapping

from cvtex.tex import classes, formats, speed, texdata
from cvtex.tex.sandbox import (
    MAX_OUTPUT_BYTES,
    Build,
    Run,
    kill_group,
    launch,
    place,
    run_plain,
    set_cpus,
)
from cvtex.tex.toolchain import EngineMissing, find_engine, sandbox_env


class PipeUnavailable(OSError):
    """:func:`start` cannot run here: the pipe speed path is off (``str(exc)`` says why)."""


def compile(source: str, build_dir: Path, *, jobname: str = "cv", timeout: float = 60.0,
            max_output_bytes: int = MAX_OUTPUT_BYTES, stand_in: bool = True, fmt: Path | None = None,
            plain: bool = False, files: Mapping[str, Path] | None = None) -> Build:
    """Compile LaTeX ``source`` in ``build_dir`` (created if needed) to ``<jobname>.pdf``:
    :func:`start` followed by :meth:`Run.compile` where the pipe is a speed path in use
    here (:mod:`cvtex.tex.speed`), else from ``<jobname>.tex`` written first.

    With ``stand_in`` (the default), the build directory gets the class table stand-in
    when :func:`classes_stand_in` has one (see module doc); ``fmt`` is a format to load
    instead of TeX Live's (:func:`cvtex.tex.formats.plain_format`). ``plain``: none of
    this, XeLaTeX run as ``xelatex <jobname>.tex`` would be (in the sandbox,
    :func:`cvtex.tex.sandbox.run_plain`). Raises :class:`EngineMissing`, or
    :class:`cvtex.tex.sandbox.CompileError` when XeLaTeX reports an error, produces no
    PDF, runs longer than ``timeout`` seconds or makes the build directory larger than
    ``max_output_bytes`` (it is then killed with its process group; ``timed_out`` is set
    on the error). ``files`` (``{name: path}``, pictures the source includes) are placed in
    ``build_dir`` before the engine reads the source (:func:`cvtex.tex.sandbox.place`).
    """
    if plain:
        return run_plain(source, build_dir, jobname=jobname, timeout=timeout, max_output_bytes=max_output_bytes,
                         files=files)
    place(build_dir, files or {})
    try:
        run = start(build_dir, jobname=jobname, stand_in=stand_in, fmt=fmt)
    except PipeUnavailable:  # from a file written first; a stand-in or a format copy is still retried
        run = _launch(build_dir, jobname, stand_in=stand_in, fmt=fmt, source=source)
    return run.compile(source, timeout=timeout, max_output_bytes=max_output_bytes, files=files)


def _launch(build_dir: Path, jobname: str, *, stand_in: bool, fmt: Path | None, source: str | None) -> Run:
    """:func:`cvtex.tex.sandbox.launch` with the class table stand-in and the format copy
    where their speed paths are allowed (:func:`cvtex.tex.speed.allowed`)."""
    table = classes_table() if stand_in and speed.allowed(speed.CLASS_TABLE) else None
    fmt = fmt if fmt is not None and speed.allowed(speed.FORMAT_COPY) else None
    return launch(build_dir, jobname, stand_in=table, fmt=fmt, source=source,
                  installed_fmt=formats.installed_format() if fmt is not None else None)


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
    back. Measured with en and ko on 2 CPUs: see docs/performance.md.

    ``fmt`` is a format file to load instead of TeX Live's (:func:`cvtex.tex.formats.plain_format`); it and
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
    cpus = sorted(os.sched_getaffinity(0)) if spare_a_cpu and not speed.lacks(speed.SCHED_AFFINITY) else []
    if len(cpus) > 1 and speed.allowed(speed.AFFINITY):
        run.pinned = set_cpus(run.proc.pid, cpus[1:])
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
    ``/dev/stdin`` or POSIX process groups (Windows; :func:`cvtex.tex.speed.lacks`), would
    not. A failed probe is not kept: each process probes again."""
    missing = speed.lacks(speed.DEV_STDIN) or speed.lacks(speed.PROCESS_GROUPS)
    if missing:  # Windows: the engine runs the plain way, from a file written first
        return missing
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
        kill_group(proc)
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


# --------------------------------------------------------------------------- class table

def classes_stand_in() -> str | None:
    """The text of the class table stand-in for the installed TeX Live's
    :data:`~cvtex.tex.classes.CLASSES_NAME` (module doc): made on first use from the
    installed file by a XeLaTeX run (:func:`generate_classes`) and cached while the files
    that run read are unchanged (:mod:`cvtex.tex.texdata`); ``None`` when it cannot be made
    (the engine then reads TeX Live's own file: slower, same result)."""
    found = classes_table()
    return found.text if found is not None else None


def classes_table() -> texdata.Table | None:
    """:func:`classes_stand_in` with the files it was made from (:class:`cvtex.tex.texdata.Table`)."""
    return texdata.table(classes.CLASSES_TABLE, classes.classes_source(), make_classes, "%")


def make_classes(build_dir: Path) -> tuple[str, tuple[str, ...]]:
    """Make the class table in ``build_dir``: ``(text, files the run read)`` (:mod:`cvtex.tex.texdata`'s maker)."""
    runs, inputs = generate_classes(build_dir)
    return classes.classes_text(runs), inputs


def generate_classes(build_dir: Path, timeout: float = 300.0) -> tuple[list[tuple[int, int, str]], tuple[str, ...]]:
    """The ``\\XeTeXcharclass`` assignments TeX Live's ``load-unicode-xetex-classes.tex``
    makes, as XeTeX itself runs it (:func:`cvtex.tex.classes.classes_source`, the plain way)
    in ``build_dir``: ``([(first, last, class name), …], files the run read)``, inclusive,
    sorted. Raises :class:`EngineMissing`, :class:`cvtex.tex.sandbox.CompileError`, or
    ``RuntimeError`` for a class number it did not give."""
    build = run_plain(classes.classes_source(), build_dir, jobname="classes", timeout=timeout)
    return classes.read_runs((build_dir / "classes.txt").read_text(encoding="utf-8")), build.inputs
