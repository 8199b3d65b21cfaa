"""An uncompressed copy of XeLaTeX's format, kept in cvtex's cache: the ``format-copy``
speed path (:mod:`cvtex.tex.speed`).

web2c writes formats gzip-compressed; every engine run of a render loads the copy
instead (:func:`format_copy`), which saves inflating 31 MB per run (:func:`plain_format`
says what was measured and why the copy is safe).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cvtex.files import cache_dir
from cvtex.tex import speed
from cvtex.tex.toolchain import sandbox_env

#: The format XeLaTeX loads (kpathsea's ``fmt`` format, engine ``xetex``).
FORMAT_NAME = "xelatex.fmt"


def plain_format(directory: Path, installed: Path | None = None) -> Path | None:
    """An uncompressed copy of XeLaTeX's format in ``directory`` (made on first use), to
    pass as :func:`cvtex.tex.engine.start`'s ``fmt``; ``None`` when there is none to make (the engine then
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

    installed = installed or installed_format()
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
def installed_format() -> Path | None:
    """Where kpathsea finds :data:`FORMAT_NAME` for XeLaTeX in the engine's environment
    (once per process; a rebuilt format keeps its path)."""
    try:
        out = subprocess.run(["kpsewhich", "-engine=xetex", "-progname=xelatex", FORMAT_NAME], env=sandbox_env(),
                             capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    found = out.stdout.strip()
    return Path(found) if out.returncode == 0 and found else None


def format_copy() -> Path | None:
    """:func:`plain_format` kept under ``formats/`` of the cache: the format file every
    render's engines load (``None``: TeX Live's own, also where the ``format-copy`` speed
    path is off, :mod:`cvtex.tex.speed`)."""
    return plain_format(cache_dir() / "formats") if speed.allowed(speed.FORMAT_COPY) else None
