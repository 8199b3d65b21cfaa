"""The build cache: everything that makes a final PDF -> that PDF, so an unchanged profile
renders without running TeX.

The key (:func:`build_key`) is a SHA-256 over the generated LaTeX source (so every
profile field, locale string and ``design:`` value that reaches the PDF is in it), every
file of the theme (path and bytes), the post-processing inputs (metadata, bookmarks),
the job name, cvtex's version and the engine's version (``xelatex --version``, itself
cached in ``engine-version.json`` keyed by the binary's path, size and mtime, so a cached
render spawns no process at all). Templating still runs on every render (it is cheap);
compiling and post-processing do not when the key is known.

An entry is one file, ``builds/<key>.entry`` under :func:`cache_dir`: a JSON header
line (the PDF's SHA-256 and size, the bookmark count and the log's overfull boxes) and
the final PDF's bytes. It is written to a temporary file in the same directory and
renamed into place (``os.replace``), so two renders at once each publish a complete
entry and a reader never sees half of one; a reader checks the PDF's hash and treats a
damaged entry (truncated, edited) as absent, which re-renders and rewrites it. The cache
keeps the :data:`MAX_ENTRIES` most recently used entries (a hit refreshes the entry's
mtime); older ones are removed after each store.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: How many builds the cache keeps (about 100 KB each for a two-page CV).
MAX_ENTRIES = 256
#: Temporary files older than this (seconds) are left-overs of killed renders.
_STALE_TMP = 3600.0
_SUFFIX = ".entry"


def cache_dir() -> Path:
    """``$CVTEX_CACHE_DIR``, else ``$XDG_CACHE_HOME/cvtex``, else ``~/.cache/cvtex``
    (XDG Base Directory Specification): the build cache, the link cache and compiled
    theme templates live under it."""
    if os.environ.get("CVTEX_CACHE_DIR"):
        return Path(os.environ["CVTEX_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cvtex"


def parse_age(text: str) -> float:
    """A cache age as seconds: ``0``, ``90``, ``90s``, ``30m``, ``12h``, ``7d``.
    Raises ``ValueError`` for anything else."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise ValueError(f"'{text}' is not an age such as 0, 90s, 30m, 12h or 7d")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def builds_dir() -> Path:
    return cache_dir() / "builds"


# --------------------------------------------------------------------------- engine version

def engine_version(xelatex: str | None = None) -> str:
    """:func:`cvtex.engine.engine_version`, remembered on disk per binary (path, size,
    mtime): the first call after a TeX Live update runs ``xelatex --version`` once."""
    from . import engine

    binary = xelatex or engine.find_engine()
    real = os.path.realpath(binary)
    try:
        st = os.stat(real)
    except OSError:
        return engine.engine_version()
    ident = f"{real}:{st.st_size}:{st.st_mtime_ns}"
    store = cache_dir() / "engine-version.json"
    try:
        known = json.loads(store.read_text("utf-8"))
        if isinstance(known, dict) and isinstance(known.get(ident), str):
            return known[ident]
    except (OSError, ValueError):
        known = {}
    version = engine.engine_version()
    try:
        _write_atomic(store, json.dumps({ident: version}).encode())
    except OSError:
        pass
    return version


# --------------------------------------------------------------------------- key

def theme_digest(theme_dir: Path) -> str:
    """SHA-256 over every file of a theme directory: relative path and bytes."""
    h = hashlib.sha256()
    root = Path(theme_dir)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix().encode()
        data = path.read_bytes()
        h.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def build_key(*, tex: str, theme_digest: str, jobname: str, metadata: object, bookmarks: list,
              cvtex_version: str, engine_version: str) -> str:
    """The cache key of one final PDF (see the module doc). ``metadata`` and
    ``bookmarks`` are dataclasses (:class:`cvtex.pdf.Metadata`, :class:`cvtex.pdf.Bookmark`)."""
    parts = {
        "format": 1,
        "cvtex": cvtex_version,
        "engine": engine_version,
        "theme": theme_digest,
        "jobname": jobname,
        "metadata": asdict(metadata),  # type: ignore[call-overload]
        "bookmarks": [asdict(b) for b in bookmarks],
        "tex": hashlib.sha256(tex.encode("utf-8")).hexdigest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --------------------------------------------------------------------------- entries

@dataclass
class Entry:
    """A cached build: the final PDF's bytes, its bookmark count and the overfull boxes
    the engine's log reported (``[points, lines, box]``)."""

    pdf: bytes
    bookmarks: int
    overfull: list[list] = field(default_factory=list)


def entry_path(key: str, directory: Path | None = None) -> Path:
    return (directory or builds_dir()) / f"{key}{_SUFFIX}"


def get(key: str, directory: Path | None = None) -> Entry | None:
    """The entry stored under ``key``, or None (absent, unreadable, or damaged: its PDF
    does not have the size and SHA-256 its header records — the damaged file is removed)."""
    path = entry_path(key, directory)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, sep, body = data.partition(b"\n")
    try:
        meta = json.loads(head)
        ok = (sep == b"\n" and isinstance(meta, dict) and meta.get("size") == len(body)
              and meta.get("sha256") == hashlib.sha256(body).hexdigest() and body.startswith(b"%PDF-"))
    except ValueError:
        ok = False
    if not ok:
        try:
            path.unlink()
        except OSError:
            pass
        return None
    try:
        os.utime(path)  # most recently used: kept longest by prune()
    except OSError:
        pass
    return Entry(body, int(meta.get("bookmarks", 0)), list(meta.get("overfull", [])))


def put(key: str, entry: Entry, directory: Path | None = None, max_entries: int = MAX_ENTRIES) -> bool:
    """Store ``entry`` under ``key`` atomically, then prune; False when the cache
    directory cannot be written (the render still succeeds)."""
    meta = {"sha256": hashlib.sha256(entry.pdf).hexdigest(), "size": len(entry.pdf),
            "bookmarks": entry.bookmarks, "overfull": entry.overfull, "created": time.time()}
    path = entry_path(key, directory)
    try:
        _write_atomic(path, json.dumps(meta).encode() + b"\n" + entry.pdf)
        prune(path.parent, max_entries)
    except OSError:
        return False
    return True


def prune(directory: Path | None = None, max_entries: int = MAX_ENTRIES) -> int:
    """Keep the ``max_entries`` most recently used entries and remove stale temporary
    files; returns how many files were removed."""
    directory = directory or builds_dir()
    entries, removed, now = [], 0, time.time()
    try:
        scan = list(os.scandir(directory))
    except OSError:
        return 0
    for item in scan:
        try:
            st = item.stat(follow_symlinks=False)
        except OSError:
            continue
        if item.name.endswith(_SUFFIX):
            entries.append((st.st_mtime, item.path))
        elif item.name.startswith(".") and item.name.endswith(".tmp") and now - st.st_mtime > _STALE_TMP:
            removed += _unlink(item.path)
    entries.sort(reverse=True)
    for _, path in entries[max_entries:]:
        removed += _unlink(path)
    return removed


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
