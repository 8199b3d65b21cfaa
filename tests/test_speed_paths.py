"""Every speed path falls back to the plain way and never costs a render (cvtex.tex.speed).

Each path is forced off here, by ``CVTEX_PLAIN`` as a user would and, where it can break at
run time, by breaking it for real (a pipe the engine cannot read, a class table that stops
TeX, a damaged format copy is in test_engine_sandbox.py): the PDF is still right, and
``cvtex doctor`` says which paths are active and why not.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cvtex import tex
from cvtex.tex import EnginePool, speed
from cvtex.tex import texdata
from cvtex.build.pipeline import render_profile

from .conftest import EXAMPLE, own_tex_tables, pdf_text, squash, wrap_xelatex

pytestmark = pytest.mark.tex

NAMES = {"en": "Jiwoo Han", "ko": "한지우"}
SOURCE = "\\documentclass{article}\n\\usepackage{kotex}\n\\begin{document}\nPlain 한글\n\\end{document}\n"


def plain_env(**extra: str) -> dict[str, str]:
    """This test's environment (its cache directory), plain output: no colours, no wrapping."""
    return dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="300", **extra)


def assert_example_rendered(result) -> None:
    """Both PDFs of data/example.yaml are there, with their text."""
    assert [o.locale for o in result.outputs] == ["en", "ko"]
    for output in result.outputs:
        text = squash(pdf_text(output.pdf))
        assert squash(NAMES[output.locale]) in text and output.bookmarks == 6


def test_speed_paths_are_active_here_and_doctor_lists_them():
    """Every path holds here (the fallbacks below are forced, not natural), affinity where
    there are two CPUs or more."""
    inactive = {path.name for path in tex.speed_status() if not path.active}
    assert inactive == (set() if len(os.sched_getaffinity(0)) > 1 else {"affinity"}), tex.speed_status()
    doctor = subprocess.run([sys.executable, "-m", "cvtex", "doctor"], capture_output=True, text=True,
                            env=plain_env(CVTEX_PLAIN="pipe"), stdin=subprocess.DEVNULL)
    rows = {line.split("│")[1].strip(): line for line in doctor.stdout.splitlines()
            if line.startswith("│") and line.split("│")[1].strip() in speed.PATHS}
    assert set(rows) == set(speed.PATHS)
    assert "off" in rows["pipe"] and "turned off by CVTEX_PLAIN" in rows["pipe"]
    assert "needs the pipe" in rows["priming"] and "off" in rows["affinity"]
    assert "active" in rows["format-copy"] and "active" in rows["class-table"]


@pytest.fixture
def engine_calls(tmp_path, monkeypatch):
    """An ``xelatex`` first on PATH that waits 0.1 s (cvtex pins an early engine right after
    starting it), then logs one line per call — how it reads its source (``stdin=pipe`` or
    ``file``), whether the build directory has the class table stand-in, the CPUs it may use,
    its arguments — and runs the real engine. Returns a function that reads the lines of
    the CV's own compiles (jobname ``example-…``, not cvtex.tex.texdata's runs)."""
    log = tmp_path / "calls.log"
    wrap_xelatex(tmp_path / "calls-bin", monkeypatch,
                 "sleep 0.1\n"
                 "if [ -p /dev/stdin ]; then how=pipe; else how=file; fi\n"
                 f"if [ -f {tex.CLASSES_NAME} ]; then table=yes; else table=no; fi\n"
                 "cpus=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/$$/status)\n"
                 f'echo "stdin=$how stand-in=$table cpus=$cpus $*" >> "{log}"\n'
                 'exec "$REAL" "$@"\n')

    def calls() -> list[dict[str, str]]:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        found = []
        for line in lines:
            if "-jobname=example-" not in line:
                continue
            stdin, table, cpus, args = line.split(" ", 3)
            found.append({"stdin": stdin.split("=")[1], "stand-in": table.split("=")[1],
                          "cpus": cpus.split("=")[1], "fmt": "yes" if "-fmt=" in args else "no"})
        return found

    return calls


ALL_CPUS = ",".join(map(str, sorted(os.sched_getaffinity(0))))


def cpu_list(text: str) -> set[int]:
    """``0-1,3`` -> {0, 1, 3} (the kernel's Cpus_allowed_list)."""
    out: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        out.update(range(int(first), int(last or first) + 1))
    return out


#: CVTEX_PLAIN -> what each engine of `cvtex render` (one profile, both locales) must show.
EXPECTED = {
    "": {"stdin": "pipe", "stand-in": "yes", "fmt": "yes", "pinned": True},
    "all": {"stdin": "file", "stand-in": "no", "fmt": "no", "pinned": False},
    "pipe": {"stdin": "file", "stand-in": "yes", "fmt": "yes", "pinned": False},
    "format-copy": {"stdin": "pipe", "stand-in": "yes", "fmt": "no", "pinned": True},
    "class-table": {"stdin": "pipe", "stand-in": "no", "fmt": "yes", "pinned": True},
    "affinity": {"stdin": "pipe", "stand-in": "yes", "fmt": "yes", "pinned": False},
}


@pytest.mark.parametrize("off", list(EXPECTED))
def test_a_render_with_a_path_turned_off_is_the_same_render_without_it(off, tmp_path, monkeypatch, engine_calls):
    """`cvtex render` with CVTEX_PLAIN: the PDFs are right, nothing is retried, and each
    engine ran exactly without the paths turned off (and with the others)."""
    if len(cpu_list(ALL_CPUS)) < 2 and EXPECTED[off]["pinned"]:
        pytest.skip("one CPU: early engines are not pinned")
    monkeypatch.setenv("CVTEX_PLAIN", off)
    result = subprocess.run([sys.executable, "-m", "cvtex", "render", str(EXAMPLE), "-o", str(tmp_path / "out"),
                             "--offline", "--no-cache"], capture_output=True, text=True, env=plain_env(),
                            stdin=subprocess.DEVNULL, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "note:" not in result.stdout  # nothing failed: no plain retry
    for code in ("en", "ko"):
        assert squash(NAMES[code]) in squash(pdf_text(tmp_path / "out" / f"example-{code}.pdf"))
    calls = engine_calls()
    assert len(calls) == 2, calls  # one engine per locale
    want = EXPECTED[off]
    for call in calls:
        assert {k: call[k] for k in ("stdin", "stand-in", "fmt")} == {k: want[k] for k in ("stdin", "stand-in", "fmt")}
        pinned = cpu_list(call["cpus"]) < cpu_list(ALL_CPUS)
        assert pinned == want["pinned"], call


def test_without_the_pipe_the_engine_reads_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CVTEX_PLAIN", "pipe")
    with pytest.raises(tex.PipeUnavailable, match="CVTEX_PLAIN"):
        tex.start(tmp_path / "early")
    build = tex.compile(SOURCE, tmp_path / "b")
    assert "Plain한글" in squash(pdf_text(build.pdf)) and not build.fallback
    assert stat.S_ISREG((tmp_path / "b" / "cv.tex").lstat().st_mode)
    assert (tmp_path / "b" / tex.CLASSES_NAME).is_file()  # the other paths still hold
    with EnginePool() as pool:
        pool.start(EXAMPLE.stem, ["en", "ko"])
        assert pool.ready == {}  # cvtex render starts no engine ahead; render_profile compiles from files


def test_without_affinity_early_engines_may_use_every_cpu(tmp_path, monkeypatch):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one CPU: there is no CPU to spare")
    run = tex.start(tmp_path / "pinned", spare_a_cpu=True)
    try:
        assert run.pinned and os.sched_getaffinity(run.proc.pid) != os.sched_getaffinity(0)
    finally:
        run.cancel()
    monkeypatch.setenv("CVTEX_PLAIN", "affinity")
    run = tex.start(tmp_path / "free", spare_a_cpu=True)
    assert not run.pinned and os.sched_getaffinity(run.proc.pid) == os.sched_getaffinity(0)
    assert "Plain한글" in squash(pdf_text(run.compile(SOURCE, timeout=120).pdf))


def test_without_priming_watch_starts_no_engine_ahead(tmp_path, monkeypatch):
    result = render_profile(EXAMPLE, output_dir=tmp_path / "out", cache=False)
    with EnginePool() as pool:
        pool.prime(EXAMPLE.stem, result.sources)
        assert set(pool.ready) == {"example-en", "example-ko"} and all(run.prefix for run in pool.ready.values())
    monkeypatch.setenv("CVTEX_PLAIN", "priming")
    with EnginePool() as pool:
        pool.prime(EXAMPLE.stem, result.sources)
        assert pool.ready == {}


def test_an_engine_that_cannot_read_its_pipe_costs_one_plain_run(tmp_path, monkeypatch):
    """A XeLaTeX that reads nothing from a pipe (what an engine build that seeks in its
    input would do): the render retries each locale the plain way, the PDFs are right,
    the note says what failed, and later compiles in the process skip the pipe."""
    wrap_xelatex(tmp_path / "bin", monkeypatch, 'if [ -p /dev/stdin ]; then exit 0; fi\nexec "$REAL" "$@"\n')
    result = render_profile(EXAMPLE, output_dir=tmp_path / "out", cache=False)
    assert_example_rendered(result)
    for output in result.outputs:
        assert output.fallback.startswith("XeLaTeX failed with pipe"), output.fallback
    assert not speed.allowed(speed.PIPE)
    with pytest.raises(tex.PipeUnavailable):
        tex.start(tmp_path / "later")
    again = render_profile(EXAMPLE, output_dir=tmp_path / "again", cache=False)
    assert_example_rendered(again)
    assert [o.fallback for o in again.outputs] == ["", ""]  # the pipe was not tried again


def test_a_class_table_that_stops_tex_costs_one_plain_run(tmp_path, build_cache_dir, engine_log):
    """A stand-in that is wrong for this TeX (made by another xetexko, say) and makes XeTeX
    stop: the plain retry reads TeX Live's own file; `cvtex render` prints the note."""
    tex_dir = own_tex_tables(Path(os.environ["CVTEX_CACHE_DIR"]))  # this test breaks its own tables
    try:
        assert tex.classes_stand_in() is not None
        table = texdata.table_path("unicode-xetex-classes.tex")
        assert table is not None and table.parent.parent == tex_dir
        broken = table.read_text(encoding="utf-8").replace(r"\begingroup", r"\begingroup\cvtexbroken", 1)
        table.write_text(broken, encoding="utf-8")
        texdata.forget()
        assert "cvtexbroken" in (tex.classes_stand_in() or "")  # its sources are unchanged: it is used
        build = tex.compile(SOURCE, tmp_path / "b")
        assert "class-table" in build.fallback and "Undefined control sequence" in build.fallback
        assert not (tmp_path / "b" / tex.CLASSES_NAME).exists()
        assert "Plain한글" in squash(pdf_text(build.pdf))
        assert not table.exists()  # removed: the next process makes it again
        speed.reset()
        table.write_text(broken, encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "cvtex", "render", str(EXAMPLE), "-o", str(tmp_path / "out"),
                                 "--offline", "--no-cache"], capture_output=True, text=True, env=plain_env(),
                                stdin=subprocess.DEVNULL, timeout=300)
        assert result.returncode == 0, result.stderr
        notes = [line for line in result.stdout.splitlines() if line.startswith("note: XeLaTeX failed with")]
        assert len(notes) == 2 and all("class-table" in note for note in notes)
        for code in ("en", "ko"):
            assert squash(NAMES[code]) in squash(pdf_text(tmp_path / "out" / f"example-{code}.pdf"))
        texdata.forget()
        assert "cvtexbroken" not in (tex.classes_stand_in() or "cvtexbroken")  # made again, right
    finally:
        texdata.forget()


def test_a_source_error_is_the_plain_engines_error(tmp_path):
    """A source that fails the plain way too is reported as it fails there: one error, with
    its line, and no speed path is blamed."""
    with pytest.raises(tex.CompileError) as info:
        tex.compile("\\documentclass{article}\n\\begin{document}\n\\nosuchmacro\n\\end{document}\n", tmp_path / "b")
    (error,) = info.value.log.errors
    assert (error.message, error.line) == ("Undefined control sequence.", 3)
    assert all(speed.allowed(name) for name in speed.PATHS)
