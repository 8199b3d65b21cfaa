"""Issue 3: the sandboxed engine and what a failed compile tells the user.

Real XeLaTeX throughout: profile text that looks like TeX, themes that try to read or
write files, loop forever or flood the log, and the log parser on real logs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from cvtex import tex

from cvtex.tex import formats
from cvtex.tex import speed
from cvtex.diagnostics import ProfileError
from cvtex.theme import copy_theme
from cvtex.build.pipeline import render_profile

from .conftest import ROOT, pdf_text, squash

pytestmark = pytest.mark.tex

CVTEX = str(Path(sys.executable).with_name("cvtex"))
CLASSIC = ROOT / "themes" / "classic"
PASSWD_FIRST_LINE = Path("/etc/passwd").read_text().splitlines()[0]


def write_profile(path: Path, **sections) -> Path:
    data = {"locales": ["en", "ko"], "header": {"name": {"en": "Jiwoo Han", "ko": "한지우"}}, **sections}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def theme_copy(tmp_path: Path, name: str, edit) -> Path:
    """A copy of the classic theme with ``edit(text) -> text`` applied to its document
    templates (``cv.tex.j2`` and the ``_preamble.tex.j2`` and ``_header.tex.j2`` it includes);
    the edit must change one of them."""
    theme = tmp_path / name
    copy_theme(CLASSIC, theme, with_base=True)  # its own cv.tex.j2, from the shared base
    changed = False
    for template in (theme / n for n in ("cv.tex.j2", "_preamble.tex.j2", "_header.tex.j2")):
        text = template.read_text(encoding="utf-8")
        template.write_text(edit(text), encoding="utf-8")
        changed = changed or edit(text) != text
    assert changed, "the edit changed no template"
    return theme


def compile_tex(body: str, tmp_path: Path, preamble: str = "", **kwargs) -> tex.Build:
    source = f"\\documentclass{{article}}{preamble}\\begin{{document}}{body}\\end{{document}}\n"
    return tex.compile(source, tmp_path / "build", **kwargs)


# --------------------------------------------------------------------------- profile text

def test_tex_in_a_profile_is_typeset_literally_and_reads_nothing(tmp_path):
    marker = tmp_path / "pwned"
    hostile = (f"\\input{{/etc/passwd}} \\immediate\\write18{{touch {marker}}} "
               "\\openin1=/etc/passwd \\read1 to\\x \\x")
    profile = write_profile(tmp_path / "cv.yaml", summary=hostile,
                            sections=[{"kind": "custom", "title": "\\input{/etc/passwd}",
                                       "entries": [{"title": "\\include{/etc/passwd}", "highlights": [hostile]}]}])
    result = render_profile(profile, output_dir=tmp_path / "out")
    for output in result.outputs:
        text = pdf_text(output.pdf)
        assert squash(hostile) in squash(text)
        assert "\\input{/etc/passwd}" in text and "\\include{/etc/passwd}" in text
        assert PASSWD_FIRST_LINE not in text and "root:" not in text
    assert not marker.exists()


# --------------------------------------------------------------------------- theme code

def test_a_theme_cannot_read_files_outside_the_build_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXMFOUTPUT", "/")  # would widen openin_any=p to everything; the sandbox drops it
    reads = (r"\newread\r\openin\r=/etc/passwd \ifeof\r ABSOLUTE-REFUSED\else\read\r to\x \x\fi"
             r"\openin\r=../../../../../../etc/passwd \ifeof\r PARENT-REFUSED\else\read\r to\x \x\fi")
    text = pdf_text(compile_tex(reads, tmp_path).pdf)
    assert "ABSOLUTE-REFUSED" in text and "PARENT-REFUSED" in text
    assert "root" not in text
    with pytest.raises(tex.CompileError) as info:
        compile_tex(r"\input{/etc/passwd}", tmp_path)
    assert info.value.log.errors[0].message == (
        "LaTeX Error: File `/etc/passwd.tex' not found. (the sandbox does not let TeX read /etc/passwd "
        "(openin_any = p))")


@pytest.mark.parametrize("target", ["{outside}", ".hidden", "../escaped.txt"])
def test_a_theme_cannot_write_files_outside_the_build_directory(tmp_path, target):
    outside = tmp_path / "outside.txt"
    name = target.format(outside=outside)
    with pytest.raises(tex.CompileError) as info:
        compile_tex(rf"\newwrite\w\immediate\openout\w={name} \immediate\write\w{{x}}\immediate\closeout\w x",
                    tmp_path)
    assert info.value.log.errors[0].message.startswith(f"I can't write on file `{name}'.")
    assert "the sandbox does not let TeX write" in info.value.log.errors[0].message
    assert not outside.exists() and not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "build" / ".hidden").exists()


def test_shell_escape_is_off(tmp_path):
    marker = tmp_path / "shell-ran"
    build = compile_tex(rf"\immediate\write18{{touch {marker}}}done", tmp_path)
    assert "done" in pdf_text(build.pdf)
    assert not marker.exists()


def own_processes(tag: str) -> list[str]:
    """Command lines of running processes that mention ``tag`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if tag in cmdline:
                found.append(cmdline)
    return found


def test_a_theme_that_loops_forever_is_killed_at_the_timeout(tmp_path):
    theme = theme_copy(tmp_path, "looping", lambda t: t.replace("\\begin{document}", "\\def\\x{\\x}\\x\n\\begin{document}"))
    stem = f"loop-{uuid.uuid4().hex[:8]}"
    profile = write_profile(tmp_path / f"{stem}.yaml")
    out = tmp_path / "out"
    result = subprocess.run([CVTEX, "render", str(profile), "--theme", str(theme), "--timeout", "3", "-o", str(out)],
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    for code in ("en", "ko"):
        assert (f"error: {code} PDF: XeLaTeX did not finish within 3 s and was stopped (a theme macro that loops "
                "forever?); raise the limit with --timeout") in result.stderr
    assert "Traceback" not in result.stderr
    assert own_processes(stem) == []  # the whole process group is gone
    assert not out.exists() or list(out.glob("*.pdf")) == []


def test_a_runaway_log_is_stopped(tmp_path):
    flood = r"\def\x{\message{" + "flood " * 50 + r"}\x}\x"
    with pytest.raises(tex.CompileError) as info:
        compile_tex(flood, tmp_path, timeout=60, max_output_bytes=2 * 2**20)
    assert info.value.timed_out
    assert str(info.value) == "XeLaTeX wrote more than 2 MB and was stopped (a theme macro that loops forever?)"


# --------------------------------------------------------------------------- failed renders

def test_a_failed_render_keeps_the_previous_pdfs_byte_identical(tmp_path):
    profile = tmp_path / "cv.yaml"
    shutil.copy(ROOT / "data" / "example.yaml", profile)
    out = tmp_path / "out"
    first = render_profile(profile, output_dir=out)
    before = {o.pdf.name: o.pdf.read_bytes() for o in first.outputs}
    assert sorted(before) == ["cv-en.pdf", "cv-ko.pdf"]

    # only the Korean PDF fails: the English one compiled, and must not be written either
    broken = theme_copy(tmp_path, "broken-ko", lambda t: t.replace(
        "\\begin{document}", "\\begin{document}((* if locale.code == 'ko' *))\\cvnosuchmacro((* endif *))"))
    with pytest.raises(ProfileError, match="ko PDF"):
        render_profile(profile, output_dir=out, theme=str(broken))
    # an invalid profile
    profile.write_text(profile.read_text(encoding="utf-8").replace("institution:", "instituton:"), encoding="utf-8")
    with pytest.raises(ProfileError, match="instituton"):
        render_profile(profile, output_dir=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary files left either


def test_text_that_would_run_off_a_page_fails_the_render(tmp_path):
    """A block taller than the page loses its end past the bottom edge: an error, not a
    PDF with text missing."""
    theme = theme_copy(tmp_path, "tall", lambda t: t.replace("\\begin{document}", "\\begin{document}\\vbox to 40cm{}"))
    with pytest.raises(ProfileError) as info:
        render_profile(write_profile(tmp_path / "cv.yaml"), output_dir=tmp_path / "out", theme=str(theme))
    assert [d.message.split(":")[0] for d in info.value.diagnostics] == ["the en PDF would lose text",
                                                                         "the ko PDF would lose text"]
    assert not (tmp_path / "out").exists()


def test_an_unwritable_output_is_a_clear_error(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output directory should be", encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        render_profile(write_profile(tmp_path / "cv.yaml"), output_dir=blocker)
    (error,) = info.value.diagnostics
    assert error.file == str(blocker / "cv-en.pdf") and error.message.startswith("cannot write the output: ")


def test_a_theme_error_names_the_tex_line_and_says_it_is_the_theme(tmp_path):
    theme = theme_copy(tmp_path, "undefined", lambda t: t.replace("\\begin{document}", "\\begin{document}\\cvnosuchmacro"))
    with pytest.raises(ProfileError) as info:
        render_profile(write_profile(tmp_path / "cv.yaml"), output_dir=tmp_path / "out", theme=str(theme))
    tex_file = tmp_path / "cv-en.tex"
    messages = [d.message for d in info.value.diagnostics]
    assert len(messages) == 2 and all("Undefined control sequence. (after '" in m and "\\cvnosuchmacro')" in m
                                      and "that line comes from the theme, not from a profile field" in m
                                      for m in messages)
    line = int(messages[0].split(" at line ")[1].split()[0])
    render_profile(write_profile(tmp_path / "cv.yaml"), output_dir=tmp_path, keep_tex=True)
    assert "\\begin{document}" in tex_file.read_text(encoding="utf-8").splitlines()[line - 1]


def test_a_missing_glyph_validation_cannot_see_is_mapped_to_its_field(tmp_path):
    """Validation checks the fonts body text is set in; a theme that sets text in its sans
    fonts is caught by the engine (\\tracinglostchars=3), and the error names the field
    and points at the character. TeX Gyre Heros lacks U+2012 FIGURE DASH; Pagella has it.
    (classic sets a custom entry's title in bold: the face named is Heros Bold.)"""
    theme = theme_copy(tmp_path, "sans", lambda t: t.replace("\\usepackage{cvtex-theme}\n",
                                                             "\\usepackage{cvtex-theme}\n\\renewcommand{\\familydefault}{\\sfdefault}\n"))
    profile = write_profile(tmp_path / "cv.yaml", sections=[
        {"kind": "custom", "title": "Dates", "entries": [{"title": "Phone 555‒0100"}]}])
    with pytest.raises(ProfileError) as info:
        render_profile(profile, output_dir=tmp_path / "out", theme=str(theme))
    diagnostics = info.value.diagnostics
    assert {d.field for d in diagnostics} == {"sections[0].entries[0].title"}
    assert diagnostics[0].message == ("no glyph for '‒' (U+2012 FIGURE DASH) in TeX Gyre Heros Bold, the font the en PDF "
                                      "sets it in; remove it or use a theme whose fonts have it")
    line = diagnostics[0].source_line
    assert line[diagnostics[0].column - 1] == "‒"


# --------------------------------------------------------------------------- the log parser, on real logs

def test_log_parser_reads_an_overfull_line(tmp_path):
    build = compile_tex(r"\hbox to 2cm{\hskip 5cm}x", tmp_path)
    (box,) = [o for o in build.log.overfull if o.box == "hbox"]
    assert box.points == pytest.approx(85.358, abs=0.01) and box.lines == "1"


def test_log_parser_reads_text_run_off_the_page(tmp_path):
    build = compile_tex(r"\vbox to 40cm{}x", tmp_path)
    (page,) = [o for o in build.log.overfull if o.box == "page"]
    assert page.points > 300 and page.lines == ""


def test_log_parser_reads_an_undefined_control_sequence(tmp_path):
    with pytest.raises(tex.CompileError) as info:
        tex.compile("\\documentclass{article}\n\\begin{document}\nfine\n\\themebug here\n\\end{document}\n",
                       tmp_path / "build")
    (error,) = info.value.log.errors
    assert (error.message, error.line, error.file) == ("Undefined control sequence.", 4, "./cv.tex")
    assert error.context.endswith("\\themebug")


def test_log_parser_reads_a_missing_character(tmp_path):
    with pytest.raises(tex.CompileError) as info:
        compile_tex("a😀b", tmp_path, preamble=r"\usepackage{fontspec}\setmainfont{TeX Gyre Pagella}\tracinglostchars=3")
    (missing,) = info.value.log.missing_chars
    assert missing.char == "😀" and missing.font.startswith("TeXGyrePagella-Regular/OT:")
    assert info.value.log.errors[0].message.startswith("Missing character: There is no 😀 (U+1F600)")


def test_log_parser_keeps_package_lines_apart_from_tex_lines(tmp_path):
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    (build_dir / "themebits.sty").write_text("\\ProvidesPackage{themebits}\n\\brokenmacro\n", encoding="utf-8")
    with pytest.raises(tex.CompileError) as info:
        tex.compile("\\documentclass{article}\n\\usepackage{themebits}\n\\begin{document}x\\end{document}\n",
                       build_dir)
    (error,) = info.value.log.errors
    assert (error.message, error.line, error.file) == ("Undefined control sequence.", 0, "./themebits.sty")


@pytest.fixture
def start():
    """tex.start, each run it made cancelled when the test ends: a failed assertion
    must not leave XeLaTeX waiting on its pipe forever."""
    runs = []

    def start(*args, **kwargs):
        runs.append(tex.start(*args, **kwargs))
        return runs[-1]

    yield start
    for run in runs:
        run.cancel()


def test_an_engine_started_before_its_source_compiles_all_of_it(tmp_path, start):
    """tex.start: XeLaTeX waits on a pipe until the source is written. XeTeX
    sniffs each input's first bytes for a byte-order mark and cannot seek back on a pipe:
    without the mark cvtex writes first, '\\d' of '\\documentclass' would be lost."""
    import stat
    import time

    run = start(tmp_path / "build", jobname="early")
    time.sleep(0.5)
    assert run.proc.poll() is None  # started, waiting for its source
    source = "\\documentclass{article}\n\\begin{document}\nEarly bird\n\\end{document}\n"
    build = run.compile(source, timeout=120)
    assert "Earlybird" in squash(pdf_text(build.pdf))
    tex_file = tmp_path / "build" / "early.tex"
    assert stat.S_ISREG(tex_file.lstat().st_mode) and tex_file.read_text(encoding="utf-8") == source


def test_a_primed_engine_reads_the_preamble_ahead_and_makes_the_same_pdf(tmp_path, start, monkeypatch):
    """Run.prime: the preamble is written (and run) before the source is known; compile()
    then writes only the rest, and the PDF is the one a whole source makes. A source that
    does not begin with the preamble written is refused."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("FORCE_SOURCE_DATE", "1")
    source = ("\\documentclass{article}\n\\usepackage{kotex}\n\\begin{document}\n"
              "Primed 한글\n\\end{document}\n")
    assert tex.preamble(source) == "\\documentclass{article}\n\\usepackage{kotex}\n\\begin{document}\n"
    assert tex.preamble("\\documentclass{article}\n") == ""
    run = start(tmp_path / "primed", jobname="cv")
    run.prime(tex.preamble(source))
    with pytest.raises(ValueError):
        run.prime("again")
    primed = run.compile(source, timeout=120)
    whole = tex.compile(source, tmp_path / "whole", jobname="cv", timeout=120)
    assert primed.pdf.read_bytes() == whole.pdf.read_bytes()
    assert (tmp_path / "primed" / "cv.tex").read_text(encoding="utf-8") == source

    other = start(tmp_path / "other", jobname="cv")
    other.prime(tex.preamble(source))
    with pytest.raises(ValueError):
        other.compile(source.replace("article", "report"), timeout=120)
    assert other.proc.poll() is not None  # stopped, not left waiting


def test_an_engine_that_stops_reading_its_source_reports_its_error(tmp_path, start):
    """An error in the preamble stops XeLaTeX (-halt-on-error) while most of a source
    larger than a pipe holds (64 KiB) is unwritten: the error is reported, not a timeout."""
    run = start(tmp_path / "build", jobname="stops")
    source = ("\\documentclass{article}\n\\undefinedmacro\n" + ("%" + "x" * 99 + "\n") * 5000
              + "\\begin{document}x\\end{document}\n")
    with pytest.raises(tex.CompileError) as info:
        run.compile(source, timeout=60)
    assert not info.value.timed_out and "Undefined control sequence" in str(info.value)
    assert [e.line for e in info.value.log.errors] == [2]
    assert run.proc.poll() is not None


def test_a_cancelled_engine_leaves_no_process_and_no_pipe(tmp_path, start):
    run = start(tmp_path / "build", jobname="gone")
    run.cancel()
    assert run.proc.poll() is not None
    assert not (tmp_path / "build" / "gone.tex").exists()


def test_render_takes_the_engines_started_for_its_locales(tmp_path):
    """render_profile(pool=…): the run the pool started with the locale's jobname compiles
    it; one started under another name is not used, and is stopped when the render is over
    (EnginePool.release)."""
    profile = tmp_path / "cv.yaml"
    shutil.copy(ROOT / "data" / "example.yaml", profile)
    with tex.EnginePool() as pool:
        pool.start("cv", ["en"])
        pool.start("other", ["ko"])
        en, ko = pool.ready["cv-en"], pool.ready["other-ko"]
        result = render_profile(profile, output_dir=tmp_path / "out", cache=False, pool=pool)
        assert set(pool.ready) == {"other-ko"}
        assert [o.locale for o in result.outputs] == ["en", "ko"]
        assert (en.build_dir / "cv-en.pdf").is_file()  # the early engine made the English PDF
        assert "\\begin{document}" in (en.build_dir / "cv-en.tex").read_text(encoding="utf-8")
        pool.release()
        assert pool.ready == {} and not en.build_dir.exists()
        assert ko.proc.poll() is not None and not (ko.build_dir / "other-ko.tex").exists()
    assert "한지우" in pdf_text(tmp_path / "out" / "cv-ko.pdf")


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_an_early_engine_leaves_a_cpu_to_the_process_preparing_its_source(tmp_path, start):
    mine = sorted(os.sched_getaffinity(0))
    run = start(tmp_path / "build", jobname="spare", spare_a_cpu=True)
    assert os.sched_getaffinity(run.proc.pid) == set(mine[1:])
    build = run.compile("\\documentclass{article}\\begin{document}Spare\\end{document}\n", timeout=120)
    assert "Spare" in pdf_text(build.pdf)
    other = start(tmp_path / "other", jobname="all")
    assert os.sched_getaffinity(other.proc.pid) == set(mine)


@pytest.mark.parametrize("after", [0.0, 1.0])
def test_an_early_engine_ends_when_the_process_that_started_it_dies(tmp_path, after):
    """cvtex holds the only write end of the engine's input from the start: killed before
    writing (SIGKILL: no clean-up runs), at once — the engine still loading its format,
    its input not yet opened — or a second later, the kernel closes it and XeLaTeX,
    reading end-of-file, stops. No engine is left waiting for its source forever."""
    import signal
    import time

    code = ("import sys, time\nfrom pathlib import Path\nfrom cvtex import tex\n"
            f"run = tex.start(Path({str(tmp_path / 'build')!r}), jobname='orphan')\n"
            "print(run.proc.pid, flush=True)\ntime.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    time.sleep(after)  # after 1 s the engine has opened its input and waits for the source
    assert Path(f"/proc/{pid}").exists()
    parent.send_signal(signal.SIGKILL)
    parent.wait()

    def alive() -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state != "Z"

    deadline = time.monotonic() + 30
    while alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive():
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the engine outlived the process that started it by 30 s")


def test_the_engine_loads_an_uncompressed_copy_of_its_format_and_makes_the_same_pdf(tmp_path, monkeypatch):
    """tex.plain_format: TeX Live's xelatex.fmt inflated once into the cache; XeLaTeX
    reads it as it is (zlib's transparent gzread) and the PDF does not change by a byte."""
    import gzip

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the same date in both PDFs
    monkeypatch.setenv("FORCE_SOURCE_DATE", "1")
    installed = formats.installed_format()
    assert installed is not None and installed.read_bytes()[:2] == b"\x1f\x8b"  # TeX Live's is gzip-compressed
    fmt = tex.plain_format(tmp_path / "formats")
    assert fmt is not None and fmt.read_bytes() == gzip.decompress(installed.read_bytes())
    inode = fmt.stat().st_ino
    assert tex.plain_format(tmp_path / "formats") == fmt and fmt.stat().st_ino == inode  # made once

    source = "\\documentclass{article}\n\\usepackage{kotex}\n\\begin{document}\n한글 and Latin\n\\end{document}\n"
    plain = tex.compile(source, tmp_path / "plain", jobname="cv", timeout=120, fmt=fmt)
    usual = tex.compile(source, tmp_path / "usual", jobname="cv", timeout=120)
    assert plain.pdf.read_bytes() == usual.pdf.read_bytes()

    broken = tmp_path / "broken" / "xelatex.fmt"  # the engine reads the file it is given, no other
    broken.parent.mkdir()
    broken.write_bytes(fmt.read_bytes()[:4096])
    with pytest.raises(tex.CompileError, match="could not load its format"):
        tex.start(tmp_path / "with-broken", jobname="cv", fmt=broken)._compile(source, timeout=120,
                                                                                 max_output_bytes=2**26)
    # a speed path that fails costs one plain run, not the PDF
    build = tex.compile(source, tmp_path / "with-broken-retried", jobname="cv", timeout=120, fmt=broken)
    assert "format-copy" in build.fallback and "could not load its format" in build.fallback
    assert build.pdf.read_bytes() == usual.pdf.read_bytes()
    assert not speed.allowed(speed.FORMAT_COPY)  # off for the rest of the process


def test_renders_load_the_uncompressed_format_from_the_cache(tmp_path, build_cache_dir):
    """Both ways a render starts its engines use the copy: started early by the command
    line, and by render_profile itself."""
    profile = tmp_path / "cv.yaml"
    shutil.copy(ROOT / "data" / "example.yaml", profile)
    copies = build_cache_dir / "formats"
    copies.unlink()  # a link to the session's copy (tests/conftest.py): this test makes its own
    result = subprocess.run([sys.executable, "-m", "cvtex", "render", str(profile), "--offline", "--no-cache", "-q",
                             "-o", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    made = list(copies.glob("*/xelatex.fmt"))
    assert len(made) == 1
    size = made[0].stat().st_size
    made[0].write_bytes(b"\0" * size)  # damaged, same size: render_profile loads it, falls back, and says so
    damaged = render_profile(profile, output_dir=tmp_path / "out2", cache=False)
    for output in damaged.outputs:
        assert "format-copy" in output.fallback and "could not load its format" in output.fallback, output
        assert squash({"en": "Jiwoo Han", "ko": "한지우"}[output.locale]) in squash(pdf_text(output.pdf))
    assert not made[0].exists()  # removed: the next render makes it again
    speed.reset()
    render_profile(profile, output_dir=tmp_path / "out2", cache=False)
    assert list(copies.glob("*/xelatex.fmt")) == made
    made[0].write_bytes(b"cut short")  # a copy whose size is not the format's is made again
    render_profile(profile, output_dir=tmp_path / "out2", cache=False)
    installed = formats.installed_format()
    assert installed is not None
    inflated = int.from_bytes(installed.read_bytes()[-4:], "little")  # gzip's ISIZE (RFC 1952)
    assert list(copies.glob("*/xelatex.fmt")) == made and made[0].stat().st_size == inflated


def test_a_rebuilt_format_gets_a_new_copy_and_a_bad_one_none(tmp_path):
    """The copy is keyed by the installed file's path, size and mtime: fmtutil rebuilding
    the format gives a new copy and removes the old; a format that is not gzip-compressed,
    a damaged one, or a cache that cannot be written gives None (TeX Live's own is used)."""
    import gzip

    installed = tmp_path / "xelatex.fmt"
    installed.write_bytes(gzip.compress(b"format one " * 1000, compresslevel=1))
    first = tex.plain_format(tmp_path / "formats", installed)
    assert first is not None and first.read_bytes() == b"format one " * 1000
    installed.write_bytes(gzip.compress(b"format two " * 1000, compresslevel=1))
    os.utime(installed, ns=(1, 1))
    second = tex.plain_format(tmp_path / "formats", installed)
    assert second is not None and second != first and second.read_bytes() == b"format two " * 1000
    assert [p.name for p in (tmp_path / "formats").iterdir()] == [second.parent.name]  # the old copy is gone

    installed.write_bytes(b"not compressed")
    assert tex.plain_format(tmp_path / "formats", installed) is None
    installed.write_bytes(gzip.compress(b"damaged " * 1000)[:-12] + b"\0" * 12)  # a wrong CRC-32 and length
    assert tex.plain_format(tmp_path / "formats", installed) is None
    assert not any(p.name.startswith(".fmt-") for p in (tmp_path / "formats").rglob("*"))  # no half copy left
    (tmp_path / "blocked").write_text("a file where the directory would be")
    installed.write_bytes(gzip.compress(b"format three"))
    assert tex.plain_format(tmp_path / "blocked", installed) is None
