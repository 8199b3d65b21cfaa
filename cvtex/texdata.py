"""Data cvtex reads out of the installed TeX: made on first use, kept in the cache.

Two tables come from XeTeX itself rather than from a file shipped with cvtex, because
they depend on the TeX Live that is installed (TeX Live 2022 and 2025 differ):

* ``classes``: the stand-in for TeX Live's ``load-unicode-xetex-classes.tex``
  (:func:`cvtex.engine.classes_stand_in`), a speed path of the engine;
* ``routes``: the font xetexko sets each code point in (:func:`cvtex.fonts.route`), for
  the glyph check of ``cvtex validate``.

Each is one file ``<cache>/tex/<name>`` (:func:`cvtex.cache.cache_dir`): header lines
naming what it was made from, then the data. The header holds a digest of the *recipe*
(the LaTeX document that dumps the table and :data:`RECIPE_VERSION`, cvtex's way of
writing it) and every file the XeLaTeX run read (its ``-recorder`` list,
:func:`cvtex.engine.recorded_inputs`: the format, ``texmf.cnf``, the packages and data
files) with its size and modification time, plus the engine binary. A table is used
while every one of them is unchanged — about 40 ``stat`` calls — and made again
otherwise (a TeX Live update, another TeX Live, another cvtex), as the build cache
judges its entries. Making one is a XeLaTeX run the plain way (no speed path), about
2 s; it is written under a temporary name and renamed, so processes making it at once
never read half of one. When it cannot be made (no XeLaTeX, a failing run, an
unwritable cache) the answer is ``None`` and the caller does without: the engine reads
TeX Live's own file, ``validate`` says the glyph check did not run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .files import cache_dir, write_atomic

#: Bumped when cvtex writes a table differently from the same TeX run.
RECIPE_VERSION = 1
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
_lock = threading.Lock()


def directory() -> Path:
    """``<cache>/tex``: where the tables live."""
    return cache_dir() / "tex"


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


def _digest(recipe: str) -> str:
    return hashlib.sha256(f"{RECIPE_VERSION}\n{recipe}".encode()).hexdigest()


def _table(name: str, recipe: str, make: Callable[[Path], tuple[str, tuple[str, ...]]],
           comment: str) -> Table | None:
    path = directory() / name
    digest = _digest(recipe)
    found = read(path, comment)
    if found is not None and found[0] == digest and _unchanged(found[1]):
        return Table(found[2], tuple(p for p, _ in found[1]))
    from . import engine

    try:
        engine.find_engine()
        with tempfile.TemporaryDirectory(prefix=f"cvtex-{name}-") as tmp:
            body, inputs = make(Path(tmp))
    except Exception:  # noqa: BLE001 - no table is an answer: the caller takes the plain path
        return None
    binary = os.path.realpath(engine.find_engine())
    stamps = [(p, _stamp(p)) for p in dict.fromkeys([binary, *inputs])]
    if any(stamp is None for _, stamp in stamps):
        return None
    header = [f"{comment} {_RECIPE}{digest}"] + [f"{comment} {_SOURCE}{p}\t{s}" for p, s in stamps]
    text = "\n".join(header) + "\n" + body
    try:
        write_atomic(path, lambda fh: fh.write(text.encode("utf-8")))
    except OSError:
        pass  # an unwritable cache: the table still serves this process
    return Table(text, tuple(p for p, _ in stamps))


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


def _stamp(path: str) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def _unchanged(sources: list[tuple[str, str]]) -> bool:
    return all(_stamp(path) == stamp for path, stamp in sources)


def clear() -> None:
    """Remove every cached table (``cvtex doctor`` after a broken TeX Live, tests)."""
    shutil.rmtree(directory(), ignore_errors=True)
    forget()
