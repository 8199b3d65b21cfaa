"""The engine pool: the one owner of every XeLaTeX process started ahead of a render.

``cvtex render`` starts its engines before it imports and validates anything (each loads
its format meanwhile, :func:`cvtex.tex.engine.start`), and ``cvtex render --watch`` keeps
engines that have read the next render's preamble while the user edits
(:meth:`cvtex.tex.sandbox.Run.prime`). :class:`EnginePool` starts those runs, gives them
out to the render that matches them, primes them, and stops them and removes their build
directories; the render asks it for every compile (:meth:`EnginePool.compile`), so no
other module starts or stops an engine process or touches a build directory of one.

Every speed path still falls back to the plain way where it cannot run
(:mod:`cvtex.tex.speed`): where the pipe is off, :meth:`EnginePool.start` starts nothing
and :meth:`EnginePool.compile` compiles from a file; :func:`speed_status` says which paths
are active here and why not (``cvtex doctor``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Mapping

from cvtex.tex import engine, formats, speed
from cvtex.tex.classes import CLASSES_NAME
from cvtex.tex.sandbox import Build, CompileError, Run
from cvtex.tex.toolchain import EngineMissing, engine_path

#: The prefix of the temporary directory that holds a pool's build directories.
ENGINES_DIR = "cvtex-engines-"


class EnginePool:
    """XeLaTeX runs started ahead of a render (``{jobname: run}``, jobname
    ``<profile stem>-<locale>``) and the build directories of every compile it made.
    Thread-safe; a context manager that :meth:`close`\\ s on exit.

    * :meth:`start` — engines for a profile's locales, before the source is known;
    * :meth:`compile` — a source compiled by the run started for its jobname when that run
      is alive and primed with a preamble the source begins with, else by a new engine;
    * :meth:`release` — after a render: every run stopped and every build directory
      removed, except runs primed and not used yet;
    * :meth:`prime` — ``--watch``: runs for the next render that have read this one's preambles;
    * :meth:`close` — every run stopped, every directory removed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready: dict[str, Run] = {}  # started ahead, not given out yet
        self._used: list[Run] = []  # given out to a compile; kept until release (its PDF is read)
        self._dirs: list[Path] = []  # build directories to remove on release
        self._root: Path | None = None

    def __enter__(self) -> EnginePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def ready(self) -> dict[str, Run]:
        """The runs started ahead and not given out yet, ``{jobname: run}`` (a copy)."""
        with self._lock:
            return dict(self._ready)

    def start(self, stem: str, codes: Iterable[str], *, spare_a_cpu: bool = True) -> None:
        """Start XeLaTeX for each locale in ``codes`` of the profile ``stem`` (jobname
        ``<stem>-<locale>``) that has no run yet, with the format copy
        (:func:`cvtex.tex.formats.format_copy`) and, with ``spare_a_cpu``, off the CPU
        Python needs (:func:`cvtex.tex.engine.start`). Never raises: where an engine cannot
        start (no XeLaTeX, the pipe off, :class:`cvtex.tex.engine.PipeUnavailable`), no
        more are started and the render compiles each locale itself."""
        fmt = formats.format_copy()
        for code in dict.fromkeys(codes):
            jobname = f"{stem}-{code}"
            if jobname in self.ready:
                continue
            try:
                run = self._start(jobname, fmt, spare_a_cpu=spare_a_cpu)
            except (EngineMissing, OSError):
                return
            with self._lock:
                self._ready[jobname] = run

    def compile(self, source: str, *, jobname: str, timeout: float = 60.0,
                files: Mapping[str, Path] | None = None) -> Build:
        """Compile ``source`` to ``<jobname>.pdf`` (:class:`cvtex.tex.sandbox.Build`; its
        build directory is the pool's until :meth:`release`): by the run started for
        ``jobname`` when it is alive and the source begins with what it was primed with
        (:attr:`Build.primed` then says so), else by a new engine
        (:func:`cvtex.tex.engine.compile`; a run that does not fit is stopped). Raises as
        :func:`cvtex.tex.engine.compile` does. ``files`` are pictures the source includes
        (:func:`cvtex.tex.sandbox.place`)."""
        run = self._take(jobname, source)
        if run is not None:
            return run.compile(source, timeout=timeout, files=files)
        return engine.compile(source, self._directory(jobname), jobname=jobname, timeout=timeout,
                              fmt=formats.format_copy(), files=files)

    def prime(self, stem: str, sources: dict[str, str]) -> None:
        """For the next render of the profile ``stem``: an engine per document of ``sources``
        (``{name: LaTeX source}``, this render's CVs; a name is a locale, ``en``: jobname
        ``<stem>-<name>``, which the locale's letters and 경력기술서 compile under too) that has
        read the source's preamble (:func:`cvtex.tex.engine.preamble`,
        :meth:`cvtex.tex.sandbox.Run.prime`), so a save that leaves the preamble as it was
        compiles only the document's body. A run primed
        with the same preamble is kept; runs of other documents are stopped. Where the
        ``priming`` speed path is off every run is stopped and none started. Never raises."""
        if not speed.allowed(speed.PRIMING):  # off (CVTEX_PLAIN, or a primed run failed): plain renders
            self._stop_ready(lambda jobname, run: True)
            return
        wanted = {f"{stem}-{code}": source for code, source in sources.items()}
        self._stop_ready(lambda jobname, run: jobname not in wanted)
        fmt = formats.format_copy()
        for jobname, source in wanted.items():
            prefix = engine.preamble(source)
            with self._lock:
                kept = self._ready.pop(jobname, None)
            if kept is not None and kept.prefix == prefix and kept.proc.poll() is None:
                with self._lock:
                    self._ready[jobname] = kept  # not used (a cached PDF): it has read this preamble already
                continue
            if kept is not None:
                self._stop(kept)
            if not prefix:
                continue
            try:
                run = self._start(jobname, fmt)
            except (EngineMissing, OSError):
                continue
            try:
                run.prime(prefix)
            except (CompileError, OSError):
                self._stop(run)
                continue
            with self._lock:
                self._ready[jobname] = run

    def release(self) -> None:
        """After a render: stop every run it was given or did not use (another locale, a
        cached PDF, an invalid profile) and remove the build directories, except runs that
        are primed (:meth:`prime`), alive and not given out: those wait for the next render."""
        self._stop_ready(lambda jobname, run: not run.prefix or run.proc.poll() is not None)
        with self._lock:
            used, self._used = self._used, []
            dirs, self._dirs = self._dirs, []
        for run in used:
            self._stop(run)
        for directory in dirs:
            shutil.rmtree(directory, ignore_errors=True)

    def close(self) -> None:
        """Stop every run and remove every directory of the pool."""
        self._stop_ready(lambda jobname, run: True)
        self.release()
        with self._lock:
            root, self._root = self._root, None
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)

    # ------------------------------------------------------------------ internals

    def _directory(self, jobname: str, *, of_run: bool = False) -> Path:
        """A new build directory for ``jobname``: removed by :meth:`release`, or, ``of_run``
        (a run started ahead), with its run (:meth:`_stop`)."""
        with self._lock:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix=ENGINES_DIR))
            directory = Path(tempfile.mkdtemp(prefix=f"{jobname}-", dir=self._root))
            if not of_run:
                self._dirs.append(directory)
        return directory

    def _start(self, jobname: str, fmt: Path | None, *, spare_a_cpu: bool = False) -> Run:
        """XeLaTeX started in a new build directory; on failure the directory is removed."""
        directory = self._directory(jobname, of_run=True)
        try:
            return engine.start(directory, jobname=jobname, fmt=fmt, spare_a_cpu=spare_a_cpu)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise

    def _take(self, jobname: str, source: str) -> Run | None:
        with self._lock:
            run = self._ready.pop(jobname, None)
            if run is not None:
                self._used.append(run)
        if run is None or run.proc.poll() is not None or not source.startswith(run.prefix):
            if run is not None:
                run.cancel()
            return None
        return run

    def _stop_ready(self, which) -> None:
        """Stop the ready runs ``which(jobname, run)`` chooses."""
        with self._lock:
            chosen = [(jobname, run) for jobname, run in self._ready.items() if which(jobname, run)]
            for jobname, _ in chosen:
                del self._ready[jobname]
        for _, run in chosen:
            self._stop(run)

    def _stop(self, run: Run) -> None:
        """Cancel ``run`` (a finished one only loses its pipe) and remove its build directory."""
        run.cancel()
        shutil.rmtree(run.build_dir, ignore_errors=True)


def speed_status() -> list[speed.PathStatus]:
    """Each speed path here, in :data:`cvtex.tex.speed.PATHS` order: active or not and why.
    Runs the checks each path relies on (the pipe probe, the format copy, the class table:
    each made or probed once, then cached)."""

    def problem(name: str) -> str | None:
        if speed.forced_off(name):
            return f"turned off by {speed.ENV}"
        if speed.failure(name) is not None:
            return f"failed in this process: {speed.failure(name)}"
        if name == speed.AFFINITY and speed.lacks(speed.SCHED_AFFINITY):
            return speed.lacks(speed.SCHED_AFFINITY)
        if name == speed.AFFINITY and len(os.sched_getaffinity(0)) < 2:
            return "one CPU"
        if engine_path() is None:
            return "XeLaTeX is not installed"
        if name == speed.PIPE:
            return engine.pipe_problem()
        if name == speed.FORMAT_COPY and formats.format_copy() is None:
            return "kpsewhich finds no gzip-compressed xelatex.fmt, or the cache is not writable"
        if name == speed.CLASS_TABLE and engine.classes_stand_in() is None:
            return f"it could not be made from {CLASSES_NAME}"
        return None

    found = {name: problem(name) for name in speed.PATHS}
    for name in (speed.AFFINITY, speed.PRIMING):  # both act on engines started on the pipe
        if found[name] is None and found[speed.PIPE] is not None:
            found[name] = "needs the pipe"
    return [speed.PathStatus(name, found[name] is None, found[name] or speed.PATHS[name]) for name in speed.PATHS]
