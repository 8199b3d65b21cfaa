"""The engine's speed paths: which are in use here, and why one is not.

cvtex runs XeLaTeX faster than a plain ``xelatex cv.tex`` in a few ways (docs/performance.md).
Each relies on something about the installed TeX or the system, checks it before use,
and otherwise cvtex runs the engine the plain way:

* ``pipe``: engines start before the source is ready and read it from a pipe
  (:func:`cvtex.tex.engine.start`); relies on ``/dev/stdin`` and on XeTeX reading a source
  that is written into the pipe after it started, which is probed once per engine binary
  (:func:`cvtex.tex.engine.pipe_problem`); the engines started ahead of a render are
  :class:`cvtex.tex.pool.EnginePool`'s;
* ``format-copy``: an uncompressed copy of ``xelatex.fmt`` (:func:`cvtex.tex.formats.plain_format`);
  relies on a gzip-compressed format that ``kpsewhich`` finds and a writable cache;
* ``class-table``: a precomputed stand-in for TeX Live's ``load-unicode-xetex-classes.tex``
  (:func:`cvtex.tex.engine.classes_stand_in`); relies on a XeLaTeX run that dumps it from the
  installed file (:mod:`cvtex.tex.texdata`);
* ``affinity``: engines started early keep off the CPU Python needs; relies on Linux's
  ``sched_setaffinity``, more than one CPU, and the pipe;
* ``priming``: ``cvtex render --watch`` engines read the next render's preamble while
  the user edits; relies on the pipe.
* ``one-run``: a locale's CV and letters are compiled in one engine run and split into their
  PDFs (:mod:`cvtex.build.onerun`); relies on documents that share their preamble and on the
  LaTeX kernel's ``\\ReadonlyShipoutCounter`` (2020-10 or later).

A speed path that fails at run time — a compile that fails with it and succeeds the
plain way (:meth:`cvtex.tex.sandbox.Run.compile`) — costs that one plain retry: the render
reports a note, and the paths it used stay off for the rest of the process
(:func:`mark_failed`).

``CVTEX_PLAIN`` turns paths off by hand: ``1`` or ``all`` for every one, or names
separated by commas (``CVTEX_PLAIN=pipe,format-copy``); an unknown name is ignored.

What the system must offer (:func:`lacks`): the pipe needs ``/dev/stdin``, non-blocking
pipes with ``poll`` and POSIX sessions and process groups (``os.setsid``/``os.killpg``, so
an engine and the ``xdvipdfmx`` it starts are stopped together) — Windows has none of them;
affinity needs ``os.sched_setaffinity`` — macOS and Windows lack it. Where one is missing
the path is off and the engine runs the plain way (a ``.tex`` file written first; a
timeout kills the engine process itself). ``CVTEX_PLATFORM_LACKS`` makes cvtex act as if
the system lacked capabilities — :data:`DEV_STDIN`, :data:`PROCESS_GROUPS`,
:data:`SCHED_AFFINITY`, separated by commas, or ``windows`` / ``macos`` for what those
systems lack — so those code paths run and are tested on Linux (tests/test_platforms.py).
``cvtex doctor`` lists each path as active or not, with the reason
(:func:`cvtex.tex.pool.speed_status`). This module holds only the switches: it imports
nothing of cvtex, so every module of :mod:`cvtex.tex` may ask it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

PIPE, FORMAT_COPY, CLASS_TABLE, AFFINITY, PRIMING = "pipe", "format-copy", "class-table", "affinity", "priming"
ONE_RUN = "one-run"
#: Every speed path, with what it does (``cvtex doctor``).
PATHS = {
    PIPE: "engines start before the source is ready and read it from a pipe",
    FORMAT_COPY: "engines load an uncompressed copy of xelatex.fmt",
    CLASS_TABLE: "a precomputed stand-in for TeX Live's load-unicode-xetex-classes.tex",
    AFFINITY: "early engines leave one CPU to cvtex (sched_setaffinity)",
    PRIMING: "--watch engines read the next render's preamble ahead",
    ONE_RUN: "a locale's CV and letters share one engine run (one preamble), split into their PDFs with pypdf",
}
#: The environment variable that turns speed paths off (module doc).
ENV = "CVTEX_PLAIN"
#: The environment variable that simulates a system without some capabilities (module doc).
LACKS_ENV = "CVTEX_PLATFORM_LACKS"
#: Capabilities the speed paths rely on (:func:`lacks`).
DEV_STDIN, PROCESS_GROUPS, SCHED_AFFINITY = "dev-stdin", "process-groups", "sched-affinity"
#: What each system cvtex knows lacks of them (``CVTEX_PLATFORM_LACKS=windows``).
PLATFORM_LACKS = {"windows": (DEV_STDIN, PROCESS_GROUPS, SCHED_AFFINITY), "macos": (SCHED_AFFINITY,)}

_failed: dict[str, str] = {}
_lock = threading.Lock()


def forced_off(name: str) -> bool:
    """Whether ``CVTEX_PLAIN`` turns path ``name`` off."""
    value = os.environ.get(ENV, "").strip().lower()
    if value in ("1", "all", "yes", "true"):
        return True
    return name in {part.strip() for part in value.split(",")}


def _simulated() -> set[str]:
    names = {part.strip().lower() for part in os.environ.get(LACKS_ENV, "").split(",") if part.strip()}
    return {cap for name in names for cap in PLATFORM_LACKS.get(name, (name,))}


def lacks(capability: str) -> str | None:
    """Why this system lacks ``capability`` (:data:`DEV_STDIN`, :data:`PROCESS_GROUPS`,
    :data:`SCHED_AFFINITY`), or ``None`` when it has it. Checked on the running Python
    (``os``, ``select``), or simulated by ``CVTEX_PLATFORM_LACKS`` (module doc)."""
    import select
    import sys

    if capability in _simulated():
        return f"no {capability} ({LACKS_ENV} simulates a system without it)"
    if capability == DEV_STDIN and not (os.path.exists("/dev/stdin") and hasattr(select, "poll")
                                        and hasattr(os, "set_blocking")):
        return f"no /dev/stdin to read from on {sys.platform}"
    if capability == PROCESS_GROUPS and not (hasattr(os, "killpg") and hasattr(os, "setsid")):
        return f"no POSIX process groups on {sys.platform}"
    if capability == SCHED_AFFINITY and not (hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity")):
        return f"no sched_setaffinity on {sys.platform}"
    return None


def allowed(name: str) -> bool:
    """Neither turned off by ``CVTEX_PLAIN`` nor failed in this process. Whether what the
    path relies on holds is the caller's check."""
    return not forced_off(name) and name not in _failed


def mark_failed(names: list[str] | tuple[str, ...], reason: str) -> None:
    """Turn paths ``names`` off for the rest of this process: a compile that used them
    failed and the plain way succeeded (``reason`` says how it failed)."""
    with _lock:
        for name in names:
            _failed.setdefault(name, reason)


def failure(name: str) -> str | None:
    """How path ``name`` failed in this process (:func:`mark_failed`), or ``None``."""
    return _failed.get(name)


def reset() -> None:
    """Forget the paths marked failed in this process."""
    with _lock:
        _failed.clear()


@dataclass(frozen=True)
class PathStatus:
    """A speed path: ``name``, ``active`` and ``detail`` (what it does, or why it is off)."""

    name: str
    active: bool
    detail: str
