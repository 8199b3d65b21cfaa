"""Where cvtex keeps its files, and the one way it writes a file another process may read.

:func:`cache_dir` is the cache's root (XDG Base Directory Specification);
:func:`write_atomic` writes a file so that a reader sees the old file or the whole new
one, never part of one (a temporary file in the same directory, then ``os.replace``,
atomic on POSIX: rename(2)). Standard library only: ``cvtex validate`` imports this.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """``$CVTEX_CACHE_DIR``, else ``$XDG_CACHE_HOME/cvtex``, else ``~/.cache/cvtex``
    (XDG Base Directory Specification): the build cache, the link cache and compiled
    theme templates live under it."""
    if os.environ.get("CVTEX_CACHE_DIR"):
        return Path(os.environ["CVTEX_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cvtex"


def write_atomic(target: Path, write) -> None:
    """Call ``write(fileobj)`` on a temporary file beside ``target``, then rename it to
    ``target``. On any error the temporary file is removed and ``target`` is untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

