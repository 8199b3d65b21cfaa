"""Shared fixtures. Rendering is real: XeLaTeX compiles every PDF these tests read."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = sorted((ROOT / "data").glob("*.yaml"))
EXAMPLE = ROOT / "data" / "example.yaml"
#: The ``cvtex`` console script of the environment running the tests.
CVTEX = str(Path(sys.executable).with_name("cvtex"))
#: Plain output whatever the terminal: no colours, no wrapping.
PLAIN_ENV = dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="300")


def plain_env() -> dict[str, str]:
    """The environment now (with the test's ``CVTEX_CACHE_DIR``), plain and wide output."""
    return dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="300")


def run_cvtex(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``cvtex ARGS…`` as a user runs it: a real process, no standard input, output captured
    as text (``env`` default: the tests' environment, so ``CVTEX_CACHE_DIR`` is inherited)."""
    return subprocess.run([CVTEX, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def squash(text: str) -> str:
    """NFC, with all white space removed: PDF text extraction places spaces by
    heuristics (around Hangul, at line ends), so comparisons ignore them."""
    return "".join(unicodedata.normalize("NFC", text).split())


def pdf_text(path: Path, *, raw: bool = False) -> str:
    """The text of a PDF as poppler's ``pdftotext`` extracts it; with ``raw``, in the
    order the content stream draws it (``-raw``: side-by-side columns are not
    interleaved line by line, page footers come between pages).

    Not pypdf: pypdf 7.1 decodes two-byte glyph codes in the UTF-16 surrogate range
    (glyph ids 0xD800-0xDFFF, which Noto CJK's Hangul glyphs use) as surrogate pairs
    before its ToUnicode lookup, so '철탑' comes out as U+A0271 although the PDF's
    ToUnicode CMap is correct (same family as py-pdf/pypdf#4035).
    """
    return subprocess.run(["pdftotext", *(["-raw"] if raw else []), "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


#: The directories every test's cache shares, in the session's cache (set by
#: :func:`session_cache_dir`): ``formats`` and ``tex``.
_SHARED: list[Path] = []


def use_cache_dir(path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make ``path`` (created) the cache directory (``CVTEX_CACHE_DIR``, inherited by the
    subprocesses tests run). Its ``formats`` and ``tex`` directories link to the
    session's: the uncompressed XeLaTeX format (31 MB, ``engine.plain_format``) and the
    tables read out of the installed TeX (``cvtex.tex.texdata``: ~2 s of XeLaTeX each) are
    made once per test session, not once per test; builds, links and records stay the
    test's own."""
    path.mkdir(parents=True, exist_ok=True)
    for shared in _SHARED:
        if not (path / shared.name).exists():
            (path / shared.name).symlink_to(shared, target_is_directory=True)
    monkeypatch.setenv("CVTEX_CACHE_DIR", str(path))
    return path


@pytest.fixture(scope="session", autouse=True)
def session_cache_dir(tmp_path_factory):
    """The build and link caches in a fresh directory for session fixtures: the user's
    cache is never touched."""
    path = tmp_path_factory.mktemp("cvtex-cache")
    _SHARED[:] = [path / "formats", path / "tex"]
    for shared in _SHARED:
        shared.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CVTEX_CACHE_DIR", str(path))
        yield path


@pytest.fixture(autouse=True)
def speed_paths_reset():
    """A test that makes a speed path fail (cvtex.tex.speed.mark_failed) leaves it failed for
    itself only, not for the tests after it in the same process."""
    yield
    from cvtex.tex import speed

    speed.reset()


@pytest.fixture(autouse=True)
def build_cache_dir(tmp_path_factory, monkeypatch):
    """Each test's own empty cache directory: its first render of anything is cold, a
    real XeLaTeX run, whatever other tests rendered before it."""
    return use_cache_dir(tmp_path_factory.mktemp("cvtex-cache"), monkeypatch)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """Every data profile rendered once in every locale: {(stem, locale): Output}, and each
    of its letters: {(stem, "letter-<id>-<locale>"): Output}."""
    from cvtex.build.pipeline import render_profile

    out_dir = tmp_path_factory.mktemp("rendered")
    outputs = {}
    for path in DATA:
        result = render_profile(path, output_dir=out_dir, keep_tex=True)
        for output in result.outputs:
            outputs[(path.stem, output.name)] = output  # a letter: (stem, "letter-<id>-<locale>")
    return outputs


@pytest.fixture
def engine_log(tmp_path, monkeypatch):
    """A fresh build cache, and an ``xelatex`` wrapper first on PATH that runs the real
    engine and appends ``start <arguments>`` before and ``end <arguments>`` after each
    call to the returned log (short appends with O_APPEND: lines never interleave)."""
    log = tmp_path / "xelatex-calls.log"
    log.touch()
    use_cache_dir(tmp_path / "cache", monkeypatch)
    wrap_xelatex(tmp_path / "bin", monkeypatch, f'echo "start $*" >> "{log}"\n"$REAL" "$@"\nrc=$?\n'
                                                f'echo "end $*" >> "{log}"\nexit $rc\n')
    return log


def wrap_xelatex(bin_dir: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """An ``xelatex`` in ``bin_dir`` (created), first on PATH: the shell ``script``, with
    ``$REAL`` the real engine's path. It shares the real engine's tables
    (:func:`share_tex_tables`); returns the wrapper's path."""
    import shutil

    real = shutil.which("xelatex")
    assert real
    bin_dir.mkdir()
    wrapper = bin_dir / "xelatex"
    wrapper.write_text(f'#!/bin/sh\nREAL="{real}"\n{script}', encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    share_tex_tables(wrapper, real)
    return wrapper


def own_tex_tables(cache: Path) -> Path:
    """The test's own ``tex`` directory in the cache ``cache`` instead of the session's
    (:func:`use_cache_dir`), and nothing this process remembered of the tables."""
    from cvtex.theme import fonts
    from cvtex.tex import texdata

    tex = cache / "tex"
    if tex.is_symlink():
        tex.unlink()
    texdata.forget()
    fonts._routes.cache_clear()
    return tex


#: What the engine runs that read tables out of TeX (cvtex.tex.texdata) have on their command
#: line: they compile no document.
TABLE_JOBS = ("-jobname=routes ", "-jobname=classes ")


def document_run(line: str) -> bool:
    """Whether a line of :func:`engine_log` is about an engine run that compiled a
    document: not ``--version``, not a table of cvtex.tex.texdata."""
    return "-jobname=" in line and not any(job in line for job in TABLE_JOBS)


def share_tex_tables(wrapper: Path, real: str) -> None:
    """An ``xelatex`` wrapper that runs the engine at ``real`` uses that engine's tables
    (``cvtex.tex.texdata`` keeps them per engine path): they are made once per session, and a
    test that counts engine runs counts its own."""
    from cvtex.tex import texdata

    ours, theirs = texdata.engine_directory(str(wrapper)), texdata.engine_directory(real)
    theirs.mkdir(parents=True, exist_ok=True)
    if not ours.exists():
        ours.symlink_to(theirs, target_is_directory=True)
