"""Where cvtex keeps its files, and the one way it writes a file another process may read.

:func:`cache_dir` is the cache's root (XDG Base Directory Specification);
:func:`write_atomic` writes a file so that a reader sees the old file or the whole new
one, never part of one (a temporary file in the same directory, then ``os.replace``,
atomic on POSIX: rename(2)). :func:`read_json` / :func:`write_json` keep small JSON
records under the cache (the build cache's render records, the link checker's PDF
contents), pruned to the most recently used (:func:`prune`); :func:`package_digest`
stands for cvtex's own files in their keys. Standard library only: ``cvtex validate``
imports this.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable

#: Temporary files older than this (seconds) are left-overs of killed processes (:func:`prune`).
_STALE_TMP = 3600.0


def cache_dir() -> Path:
    """``$CVTEX_CACHE_DIR``, else ``$XDG_CACHE_HOME/cvtex``, else ``~/.cache/cvtex``
    (XDG Base Directory Specification): the build cache, the link cache and compiled
    theme templates live under it."""
    if os.environ.get("CVTEX_CACHE_DIR"):
        return Path(os.environ["CVTEX_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cvtex"


def write_atomic(target: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    """Write ``data`` (bytes, or a function that writes to the binary file it is given)
    to a temporary file beside ``target`` (its directory created if needed), then rename
    it to ``target`` (mode 0644). On any error the temporary file is removed, ``target``
    is untouched and the ``OSError`` is raised."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:
                data(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(kind: str, key: str) -> Any:
    """The JSON value stored under ``<cache dir>/<kind>/<key>.json``, or ``None`` (absent,
    unreadable, not JSON). A hit refreshes the file's mtime (kept longest by pruning)."""
    import json

    path = cache_dir() / kind / f"{key}.json"
    try:
        value = json.loads(path.read_bytes())
        os.utime(path)
    except (OSError, ValueError):
        return None
    return value


def write_json(kind: str, key: str, value: Any, max_entries: int = 1024) -> bool:
    """Store ``value`` as ``<cache dir>/<kind>/<key>.json`` atomically and keep the
    ``max_entries`` most recently used of its kind; False when the cache cannot be
    written (which only costs the work again next time)."""
    import json

    path = cache_dir() / kind / f"{key}.json"
    try:
        write_atomic(path, json.dumps(value, ensure_ascii=False).encode())
        prune(path.parent, max_entries, suffix=".json")
    except OSError:
        return False
    return True


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0


def prune(directory: Path, max_entries: int, suffix: str) -> int:
    """Keep the ``max_entries`` most recently used files named ``*<suffix>`` and remove
    stale temporary files (:func:`write_atomic`'s, older than an hour: left by a killed
    process) in ``directory``; returns how many files were removed."""
    import time

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
        if item.name.endswith(suffix):
            entries.append((st.st_mtime, item.path))
        elif item.name.startswith(".") and item.name.endswith(".tmp") and now - st.st_mtime > _STALE_TMP:
            removed += _unlink(item.path)
    entries.sort(reverse=True)
    for _, path in entries[max_entries:]:
        removed += _unlink(path)
    return removed


@functools.lru_cache(maxsize=1)
def package_digest() -> str:
    """SHA-256 over every file of the cvtex package (its code, locale data and starter
    profile): any change to cvtex, released or not, gives other record keys. (What cvtex
    reads out of the installed TeX is judged by its own sources, :mod:`cvtex.tex.texdata`.)"""
    import hashlib

    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        rel = path.relative_to(root).as_posix().encode()
        data = path.read_bytes()
        h.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()
