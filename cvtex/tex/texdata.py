"""Data cvtex reads out of the installed TeX: made on first use, kept in the cache.

Some of what cvtex needs depends on the TeX Live that is installed (TeX Live 2022 and 2025
differ), so it comes from XeTeX itself rather than from a file shipped with cvtex:

* the stand-in for TeX Live's ``load-unicode-xetex-classes.tex``
  (:func:`cvtex.tex.engine.classes_stand_in`), a speed path of the engine;
* the font xetexko sets each code point in (:func:`cvtex.theme.fonts.route`), for the glyph
  check of ``cvtex validate``;
* whether XeTeX reads a source from a pipe (:func:`cvtex.tex.engine.pipe_problem`).

Each is one file ``<cache>/tex/<engine>/<name>`` (:func:`cvtex.files.cache_dir`), where
``<engine>`` is a digest of the engine binary's real path and the ``TEXMF*`` settings
kpathsea reads from the environment, so two TeX installations never share a table. The
file holds header lines naming what it was made from — a digest of the *recipe* (the
LaTeX document that dumps the table and :data:`RECIPE_VERSION`) and every file the
XeLaTeX run read (its ``-recorder`` list, :func:`cvtex.tex.sandbox.recorded_inputs`: the format,
``texmf.cnf``, the packages and data files) with its size and modification time, plus the
engine binary — then the data. A table is used while every one of them is unchanged — about
40 ``stat`` calls — and made again otherwise (a TeX Live update, another cvtex), as the
build cache judges its entries. Making one is a XeLaTeX run the plain way (no speed path),
about 2 s; it is written under a temporary name and renamed, so processes making it at
once never read half of one, and a cache that cannot be written only costs the next
process the same run. When a table cannot be made (no XeLaTeX, a failing run) the answer
is ``None`` and the caller does without: the engine reads TeX Live's own file,
``validate`` says the glyph check did not run. That failure is remembered for a day
(``<name>.failed``, for the same recipe and engine binary), so the pre-commit hook does not
run a failing XeLaTeX on every commit; ``python -m cvtex.theme.fonts`` tries again at once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cvtex.files import cache_dir, write_atomic
from cvtex.tex.toolchain import engine_path

#: Bumped when cvtex writes a table differently from the same TeX run.
RECIPE_VERSION = 1
#: Seconds a failure to make a table is remembered.
FAILURE_MEMORY = 86400.0
#: The header line prefixes (after the file's comment character).
_RECIPE, _SOURCE = "recipe: ", "source: "


@dataclass(frozen=True)
class Table:
    """A table made from the installed TeX: ``text``, the whole file (its header lines are
    comments of the table's language), and ``sources``, the absolute paths of the files
    it was made from."""

    text: str
    sources: tuple[str, ...]


#: What :func:`table` answered in this process, per name (made once, then only read).
_known: dict[str, Table | None] = {}
#: Held while a table is looked up or made (re-entrant: a maker may compile).
_lock = threading.RLock()


def directory() -> Path:
    """``<cache>/tex``: where the tables live (one folder per engine, module doc)."""
    return cache_dir() / "tex"


def engine_directory(engine: str) -> Path:
    """``<cache>/tex/<digest>``: the folder of the tables of the XeLaTeX at path ``engine``
    (its real path and the ``TEXMF*`` and ``TEXFORMATS`` settings of the environment)."""
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("TEXMF") or k == "TEXFORMATS")
    ident = repr((os.path.realpath(engine), settings))
    return directory() / hashlib.sha256(ident.encode()).hexdigest()[:16]


def table(name: str, recipe: str, make: Callable[[Path], tuple[str, tuple[str, ...]]],
          comment: str) -> Table | None:
    """The table ``name`` for the installed TeX, made with ``make`` when the cached one is
    missing or stale; ``None`` when it cannot be had (module doc). Once per process.

    ``recipe``: text that determines the table besides the installed files (the LaTeX
    document ``make`` compiles); ``make(build_dir)`` compiles in ``build_dir`` and returns
    ``(body, inputs)``: the table's text and the files the engine read (absolute paths);
    it may raise anything. ``comment``: the table's comment character (``%`` for TeX,
    ``#`` for a text table), which starts every header line."""
    with _lock:
        if name not in _known:
            _known[name] = _table(name, recipe, make, comment)
        return _known[name]


def forget() -> None:
    """Forget what :func:`table` answered in this process (the next call looks again)."""
    with _lock:
        _known.clear()


def discard(name: str) -> None:
    """Remove the cached table ``name`` of the engine on ``PATH`` and any failure
    remembered for it, and forget it in this process: the next :func:`table` makes it."""
    with _lock:
        _known.pop(name, None)
        engine = engine_path()
        if engine is not None:
            for path in (engine_directory(engine) / name, engine_directory(engine) / f"{name}.failed"):
                path.unlink(missing_ok=True)


def _digest(recipe: str) -> str:
    return hashlib.sha256(f"{RECIPE_VERSION}\n{recipe}".encode()).hexdigest()


def _table(name: str, recipe: str, make: Callable[[Path], tuple[str, tuple[str, ...]]],
           comment: str) -> Table | None:
    engine = engine_path()
    if engine is None:
        return None
    binary = os.path.realpath(engine)
    folder = engine_directory(engine)
    path, failed = folder / name, folder / f"{name}.failed"
    digest = _digest(recipe)
    found = read(path, comment)
    if found is not None and found[0] == digest and _unchanged(found[1]):
        return Table(found[2], tuple(p for p, _ in found[1]))
    mark = f"{digest} {binary}\t{_stamp(binary)}"
    try:
        if failed.read_text(encoding="utf-8").splitlines()[0] == mark and \
                time.time() - failed.stat().st_mtime < FAILURE_MEMORY:
            return None
    except (OSError, IndexError, UnicodeDecodeError):
        pass
    try:
        with tempfile.TemporaryDirectory(prefix=f"cvtex-{name}-") as tmp:
            body, inputs = make(Path(tmp))
    except Exception as exc:  # noqa: BLE001 - no table is an answer: the caller takes the plain path
        _write(failed, f"{mark}\n{type(exc).__name__}: {exc}\n")
        return None
    stamps = [(p, _stamp(p)) for p in dict.fromkeys([binary, *inputs])]
    if any(stamp is None for _, stamp in stamps):
        return None
    header = [f"{comment} {_RECIPE}{digest}"] + [f"{comment} {_SOURCE}{p}\t{s}" for p, s in stamps]
    text = "\n".join(header) + "\n" + body
    _write(path, text)
    failed.unlink(missing_ok=True)
    return Table(text, tuple(p for p, _ in stamps))


def _write(path: Path, text: str) -> None:
    try:
        write_atomic(path, lambda fh: fh.write(text.encode("utf-8")))
    except OSError:
        pass  # an unwritable cache: the answer still serves this process


def read(path: Path, comment: str) -> tuple[str, list[tuple[str, str]], str] | None:
    """``(recipe digest, [(source path, stamp)…], whole text)`` of the table file at
    ``path``; ``None`` when it is missing or has no such header."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    recipe = ""
    sources: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.startswith(comment + " "):
            break
        item = line[len(comment) + 1:]
        if item.startswith(_RECIPE):
            recipe = item[len(_RECIPE):]
        elif item.startswith(_SOURCE):
            source, _, stamp = item[len(_SOURCE):].rpartition("\t")
            sources.append((source, stamp))
    return (recipe, sources, text) if recipe and sources else None


def table_path(name: str) -> Path | None:
    """Where the table ``name`` of the engine on ``PATH`` is kept (``None``: no engine)."""
    engine = engine_path()
    return engine_directory(engine) / name if engine is not None else None


def _stamp(path: str) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def _unchanged(sources: list[tuple[str, str]]) -> bool:
    return all(_stamp(path) == stamp for path, stamp in sources)
