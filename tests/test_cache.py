"""Issue 7: the build cache. Real XeLaTeX; whether the engine ran is proven by counting
its calls (a logging ``xelatex`` wrapper first on PATH), never by timing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from cvtex.build import cache
from cvtex.theme import copy_theme
from cvtex.build.pipeline import render_profile

from .conftest import ROOT, document_run, pdf_text

pytestmark = pytest.mark.tex

CVTEX = [sys.executable, "-m", "cvtex"]


def compiles(log: Path) -> list[str]:
    """The logged engine runs that compiled a document (not ``--version``)."""
    return [line for line in log.read_text(encoding="utf-8").splitlines()
            if line.startswith("start ") and document_run(line)]


def profile_copy(tmp_path: Path, name: str = "cv.yaml") -> Path:
    target = tmp_path / name
    shutil.copy(ROOT / "data" / "example.yaml", target)
    return target


def pdfs(result) -> dict[str, bytes]:
    return {o.locale: o.pdf.read_bytes() for o in result.outputs}


def test_unchanged_profile_is_served_from_the_cache_without_running_tex(tmp_path, engine_log):
    profile = profile_copy(tmp_path)
    first = render_profile(profile, output_dir=tmp_path / "out")
    assert [o.cached for o in first.outputs] == [False, False]
    assert len(compiles(engine_log)) == 2
    before = pdfs(first)
    for o in first.outputs:
        o.pdf.unlink()  # the output is rewritten from the cache, not left in place

    second = render_profile(profile, output_dir=tmp_path / "out", keep_tex=True)
    assert len(compiles(engine_log)) == 2  # no engine run
    assert [o.cached for o in second.outputs] == [True, True]
    assert [o.seconds for o in second.outputs] == [0.0, 0.0]
    assert [o.bookmarks for o in second.outputs] == [o.bookmarks for o in first.outputs]
    assert pdfs(second) == before  # byte-identical
    assert (tmp_path / "out" / "cv-ko.tex").is_file()  # templating still runs
    assert "한지우" in pdf_text(tmp_path / "out" / "cv-ko.pdf")


def test_a_changed_byte_in_the_profile_renders_again(tmp_path, engine_log):
    profile = profile_copy(tmp_path)
    render_profile(profile, output_dir=tmp_path / "out")
    assert len(compiles(engine_log)) == 2
    text = profile.read_text(encoding="utf-8")
    # one byte of a text both languages print ("J. Han" -> "J. Hen" in name_aliases is not
    # printed; the e-mail address is)
    assert text.count("jiwoo.han@example.com") == 1
    profile.write_text(text.replace("jiwoo.han@example.com", "jiwoo.hen@example.com"), encoding="utf-8")
    result = render_profile(profile, output_dir=tmp_path / "out")
    assert [o.cached for o in result.outputs] == [False, False]
    assert len(compiles(engine_log)) == 4
    assert "jiwoo.hen@example.com" in pdf_text(result.outputs[0].pdf)

    # a byte of the Korean text only: English comes from the cache, Korean is compiled
    text = profile.read_text(encoding="utf-8")
    assert text.count("ko: 한지우") == 1
    profile.write_text(text.replace("ko: 한지우", "ko: 한지후"), encoding="utf-8")
    result = render_profile(profile, output_dir=tmp_path / "out")
    assert {o.locale: o.cached for o in result.outputs} == {"en": True, "ko": False}
    assert len(compiles(engine_log)) == 5
    assert "한지후" in pdf_text(tmp_path / "out" / "cv-ko.pdf")


@pytest.mark.parametrize("theme_file", ["cv.tex.j2", "sections/awards.tex.j2", "theme.yaml"])
def test_a_changed_byte_in_a_theme_file_renders_again(tmp_path, engine_log, theme_file):
    """Even a byte that does not change the generated LaTeX (a template comment, a
    section template the profile does not use): every theme file is in the key."""
    theme = tmp_path / "mytheme"
    copy_theme(ROOT / "themes" / "classic", theme, with_base=True)
    profile = profile_copy(tmp_path)
    render_profile(profile, output_dir=tmp_path / "out", theme=str(theme))
    assert [o.cached for o in render_profile(profile, output_dir=tmp_path / "out", theme=str(theme)).outputs] \
        == [True, True]
    assert len(compiles(engine_log)) == 2
    with open(theme / theme_file, "ab") as fh:
        fh.write(b"\n" if theme_file == "theme.yaml" else b"((# x #))")
    result = render_profile(profile, output_dir=tmp_path / "out", theme=str(theme))
    assert [o.cached for o in result.outputs] == [False, False]
    assert len(compiles(engine_log)) == 4


def test_no_cache_compiles_every_time(tmp_path, engine_log):
    profile = profile_copy(tmp_path)
    render_profile(profile, output_dir=tmp_path / "out")
    result = render_profile(profile, output_dir=tmp_path / "out", cache=False)
    assert [o.cached for o in result.outputs] == [False, False]
    assert len(compiles(engine_log)) == 4
    run = subprocess.run([*CVTEX, "render", str(profile), "-o", str(tmp_path / "out"), "--offline", "--no-cache"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert len(compiles(engine_log)) == 6
    run = subprocess.run([*CVTEX, "render", str(profile), "-o", str(tmp_path / "out"), "--offline"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert len(compiles(engine_log)) == 6
    assert "(en, 6 bookmarks, cached)" in run.stdout and "(ko, 6 bookmarks, cached)" in run.stdout


def test_a_damaged_cache_entry_is_detected_and_rendered_again(tmp_path, engine_log):
    profile = profile_copy(tmp_path)
    first = render_profile(profile, output_dir=tmp_path / "out")
    entries = sorted((tmp_path / "cache" / "builds").glob("*.entry"))
    assert len(entries) == 2
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[: len(data) // 2])  # truncated
    data = bytearray(entries[1].read_bytes())
    data[-100] ^= 0x01  # one flipped bit, same size
    entries[1].write_bytes(bytes(data))

    result = render_profile(profile, output_dir=tmp_path / "out")
    assert [o.cached for o in result.outputs] == [False, False]
    assert len(compiles(engine_log)) == 4
    for o in result.outputs:
        assert o.pdf.read_bytes().startswith(b"%PDF-")
        assert len(PdfReader(o.pdf, strict=True).pages) == len(PdfReader(first.outputs[0].pdf).pages)
    # the entries were rewritten whole
    third = render_profile(profile, output_dir=tmp_path / "out")
    assert [o.cached for o in third.outputs] == [True, True]
    assert len(compiles(engine_log)) == 4


def test_two_renders_of_the_same_profile_at_once_both_succeed(tmp_path, engine_log):
    profile = profile_copy(tmp_path)
    out = tmp_path / "out"
    procs = [subprocess.Popen([*CVTEX, "render", str(profile), "-o", str(out), "--offline", "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["cv-en.pdf", "cv-ko.pdf"]  # no temporary files left
    for name, text in (("cv-en.pdf", "Jiwoo Han"), ("cv-ko.pdf", "한지우")):
        PdfReader(out / name, strict=True)
        assert text in pdf_text(out / name)
    entries = sorted((tmp_path / "cache" / "builds").iterdir())
    assert len(entries) == 2 and all(e.suffix == ".entry" for e in entries)
    assert all(cache.get(e.stem, e.parent) is not None for e in entries)
    # and the next render uses them
    result = render_profile(profile, output_dir=out)
    assert [o.cached for o in result.outputs] == [True, True]


def test_the_engine_version_is_remembered_on_disk(tmp_path, engine_log):
    xelatex = str(engine_log.parent / "bin" / "xelatex")  # the wrapper: never touch the real binary
    assert shutil.which("xelatex") == xelatex
    version = cache.engine_version(xelatex)
    assert "XeTeX" in version
    runs = engine_log.read_text(encoding="utf-8").count("start --version")
    assert runs == 1
    assert cache.engine_version(xelatex) == version
    assert engine_log.read_text(encoding="utf-8").count("start --version") == 1
    # another binary (a TeX Live update changes size or mtime): asked again
    os.utime(xelatex, ns=(0, 0))
    assert cache.engine_version(xelatex) == version
    assert engine_log.read_text(encoding="utf-8").count("start --version") == 2


def test_keys_differ_for_every_input():
    from cvtex.build.pdf import Bookmark, Metadata

    base = dict(tex="\\documentclass{article}", theme_digest="t", jobname="cv-en", metadata=Metadata("T", "A"),
                bookmarks=[Bookmark("Work", "section.work")], cvtex_version="0.1.0", engine_version="XeTeX 3")
    key = cache.build_key(**base)
    assert cache.build_key(**base) == key
    for name, value in [("tex", "\\documentclass{article} "), ("theme_digest", "u"), ("jobname", "cv-ko"),
                        ("metadata", Metadata("T", "A", lang="ko-KR")), ("bookmarks", [Bookmark("Work", "x")]),
                        ("cvtex_version", "0.1.1"), ("engine_version", "XeTeX 4")]:
        assert cache.build_key(**{**base, name: value}) != key, name


def test_theme_digest_covers_paths_and_bytes(tmp_path):
    theme = tmp_path / "t"
    copy_theme(ROOT / "themes" / "classic", theme, with_base=True)
    digest = cache.theme_digest(theme)
    (theme / "sections" / "awards.tex.j2").rename(theme / "sections" / "award.tex.j2")
    assert cache.theme_digest(theme) != digest
    (theme / "sections" / "award.tex.j2").rename(theme / "sections" / "awards.tex.j2")
    assert cache.theme_digest(theme) == digest


def test_the_cache_keeps_the_newest_entries(tmp_path):
    directory = tmp_path / "builds"
    for i in range(5):
        assert cache.put(f"{i:064x}", cache.Entry(b"%PDF-1.5 " + bytes([i]), 1), directory, max_entries=3)
        os.utime(cache.entry_path(f"{i:064x}", directory), (1000 + i, 1000 + i))
    cache.prune(directory, max_entries=3)
    assert sorted(p.name[:64] for p in directory.glob("*.entry")) == [f"{i:064x}" for i in (2, 3, 4)]
    assert cache.get(f"{2:064x}", directory).pdf == b"%PDF-1.5 \x02"  # a hit makes it the newest
    cache.put(f"{9:064x}", cache.Entry(b"%PDF-1.5 x", 1), directory, max_entries=3)
    assert sorted(p.name[:64] for p in directory.glob("*.entry")) == [f"{i:064x}" for i in (2, 4, 9)]
    assert cache.get(f"{7:064x}", directory) is None


def test_an_entry_is_served_only_while_its_recorded_inputs_are_unchanged(tmp_path):
    directory = tmp_path / "builds"
    package = tmp_path / "fancyhdr.sty"
    package.write_text("% v1\n", encoding="utf-8")
    key = "a" * 64
    assert cache.put(key, cache.Entry(b"%PDF-1.5 x", 1, [], [str(package)]), directory)
    header = json.loads(cache.entry_path(key, directory).read_bytes().partition(b"\n")[0])
    assert header["inputs"][0] == [str(package), 5, package.stat().st_mtime_ns]
    assert [i[0] for i in header["inputs"][1:]] == cache.font_caches()  # fontconfig's caches: the fonts
    assert cache.get(key, directory).inputs == [str(package), *cache.font_caches()]

    st = package.stat()
    os.utime(package, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # rewritten by an update: same size
    assert cache.get(key, directory) is None
    assert cache.entry_path(key, directory).is_file()  # stale, not damaged: the next put replaces it
    assert cache.put(key, cache.Entry(b"%PDF-1.5 x", 1, [], [str(package)]), directory)
    assert cache.get(key, directory) is not None
    package.write_text("% v2, longer\n", encoding="utf-8")
    assert cache.get(key, directory) is None
    assert cache.put(key, cache.Entry(b"%PDF-1.5 x", 1, [], [str(package)]), directory)
    package.unlink()
    assert cache.get(key, directory) is None
    # an input absent when the entry was made must still be absent
    assert cache.put(key, cache.Entry(b"%PDF-1.5 x", 1, [], [str(package)]), directory)
    assert cache.get(key, directory) is not None
    package.write_text("% v1\n", encoding="utf-8")
    assert cache.get(key, directory) is None


def test_a_tex_live_update_renders_again(tmp_path, engine_log, monkeypatch):
    """A package the engine read changes (an update of TeX Live), then the format is
    rebuilt (fmtutil): each time the unchanged profile compiles again. The package and the
    format are copies that kpathsea finds first (TEXMFHOME, TEXFORMATS)."""
    from cvtex import tex
    from cvtex.tex import formats as tex_formats

    texmf = tmp_path / "texmf"
    package = texmf / "tex" / "latex" / "fancyhdr" / "fancyhdr.sty"
    package.parent.mkdir(parents=True)
    installed_package = subprocess.run(["kpsewhich", "fancyhdr.sty"], capture_output=True, text=True).stdout.strip()
    shutil.copy(installed_package, package)
    formats = tmp_path / "formats"
    formats.mkdir()
    installed_format = tex_formats.installed_format()
    assert installed_format is not None
    fmt = formats / installed_format.name
    shutil.copy(installed_format, fmt)
    monkeypatch.setenv("TEXMFHOME", str(texmf))
    monkeypatch.setenv("TEXFORMATS", f"{formats}:")
    tex_formats.installed_format.cache_clear()  # found once per process; this test moves it
    formats_link = tmp_path / "cache" / "formats"
    if formats_link.is_symlink():  # the session's format copies (conftest): this test's copies stay its own
        formats_link.unlink()
    try:
        assert tex_formats.installed_format() == fmt
        profile = profile_copy(tmp_path)
        out = tmp_path / "out"
        assert [o.cached for o in render_profile(profile, output_dir=out).outputs] == [False, False]
        for entry in (tmp_path / "cache" / "builds").glob("*.entry"):
            inputs = [i[0] for i in json.loads(entry.read_bytes().partition(b"\n")[0])["inputs"]]
            assert str(package) in inputs and str(fmt) in inputs, inputs
            assert not any(str(tmp_path / "cache") in i for i in inputs)  # cvtex's format copy: the installed one
            assert all(os.path.isabs(i) for i in inputs)  # nothing of the build directory
            table = tex.classes_table()
            assert table is not None  # the build directory's stand-in: the installed files it was made from
            assert any(p.endswith("/" + tex.CLASSES_NAME) for p in table.sources)
            assert set(table.sources) - {os.path.realpath(tex.find_engine())} <= set(inputs)
        assert [o.cached for o in render_profile(profile, output_dir=out).outputs] == [True, True]
        assert len(compiles(engine_log)) == 2

        with open(package, "a", encoding="utf-8") as fh:
            fh.write("% a TeX Live update\n")
        assert [o.cached for o in render_profile(profile, output_dir=out).outputs] == [False, False]
        assert [o.cached for o in render_profile(profile, output_dir=out).outputs] == [True, True]
        assert len(compiles(engine_log)) == 4

        copies = {p.parent.name for p in (tmp_path / "cache" / "formats").glob("*/*.fmt")}
        st = fmt.stat()
        os.utime(fmt, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # fmtutil wrote it again
        assert [o.cached for o in render_profile(profile, output_dir=out).outputs] == [False, False]
        assert len(compiles(engine_log)) == 6
        assert {p.parent.name for p in (tmp_path / "cache" / "formats").glob("*/*.fmt")} - copies  # a new copy
        assert [o.cached for o in render_profile(profile, output_dir=out).outputs] == [True, True]
        assert len(compiles(engine_log)) == 6
    finally:
        monkeypatch.undo()
        tex_formats.installed_format.cache_clear()


def test_an_unwritable_cache_does_not_fail_the_render(tmp_path, engine_log, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("CVTEX_CACHE_DIR", str(blocker))
    result = render_profile(profile_copy(tmp_path), output_dir=tmp_path / "out")
    assert [o.cached for o in result.outputs] == [False, False]
    assert all(o.pdf.read_bytes().startswith(b"%PDF-") for o in result.outputs)


# --------------------------------------------------------------------------- render records

def replay_of(profile: Path, out: Path, *, lang=None, theme=None):
    from cvtex.build.record import replay

    return replay(profile, cache.record_options(lang, theme), out)


def test_an_unchanged_render_is_replayed_without_loading_the_profile(tmp_path, engine_log):
    """The second `cvtex render` of unchanged inputs replays the first one's record: the
    same PDFs (byte for byte), output and link check, and neither the schema, the templates
    nor a PDF library is imported."""
    profile = profile_copy(tmp_path)
    text = profile.read_text(encoding="utf-8")
    headline = "headline: {en: Backend Engineer, ko: 백엔드 엔지니어}"
    assert text.count(headline) == 1
    profile.write_text(text.replace(headline, "headline: {en: Backend Engineer}"),  # a warning: no Korean
                       encoding="utf-8")
    out = tmp_path / "out"
    code = ("import json, sys\n"
            "from cvtex.cli.commands import app\n"
            f"sys.argv = ['cvtex', 'render', {str(profile)!r}, '-o', {str(out)!r}, '--offline', '--verbose']\n"  # --verbose: the whole link table
            "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('cvtex', 'pypdf', 'jinja2', 'pydantic'))))\n")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ, COLUMNS="200"))
    assert first.returncode == 0, first.stderr
    assert len(compiles(engine_log)) == 2
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    for pdf in out.glob("*.pdf"):
        pdf.unlink()  # written again by the replay
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ, COLUMNS="200"))
    assert second.returncode == 0, second.stderr
    assert len(compiles(engine_log)) == 2
    assert {p.name: p.read_bytes() for p in out.glob("*.pdf")} == before
    assert "headline" in first.stderr and second.stderr == first.stderr  # the warning, replayed
    first_lines, second_lines = first.stdout.splitlines()[:-1], second.stdout.splitlines()[:-1]
    assert [line for line in second_lines if line.startswith("wrote")] == [
        f"wrote {out / 'cv-en.pdf'} (en, 6 bookmarks, cached)", f"wrote {out / 'cv-ko.pdf'} (ko, 6 bookmarks, cached)"]
    table = [line for line in first_lines if not line.startswith(("wrote", f"{profile}:"))]
    assert len(table) > 5 and [line for line in second_lines if not line.startswith(("wrote", f"{profile}:"))] \
        == table  # the same link table and summary
    imported = set(json.loads(second.stdout.splitlines()[-1]))
    assert "cvtex.build.cache" in imported
    assert not imported & {"cvtex.schema.models", "cvtex.build.pipeline", "cvtex.theme.templates", "cvtex.localize.locale", "pypdf", "jinja2",
                           "pydantic"}, sorted(imported)


def test_a_replay_needs_every_input_unchanged(tmp_path, engine_log):
    theme = tmp_path / "mytheme"
    copy_theme(ROOT / "themes" / "classic", theme, with_base=True)
    profile = profile_copy(tmp_path)
    out = tmp_path / "out"
    render_profile(profile, output_dir=out, theme=str(theme))
    assert replay_of(profile, out, theme=str(theme)).replayed
    assert replay_of(profile, out) is None  # another --theme
    assert replay_of(profile, out, lang=["ko"], theme=str(theme)) is None  # another --lang

    with open(theme / "sections" / "awards.tex.j2", "ab") as fh:  # a theme file
        fh.write(b"((# x #))")
    assert replay_of(profile, out, theme=str(theme)) is None
    render_profile(profile, output_dir=out, theme=str(theme))
    assert replay_of(profile, out, theme=str(theme)).replayed

    profile.write_bytes(profile.read_bytes() + b"\n")  # one byte of the profile
    assert replay_of(profile, out, theme=str(theme)) is None
    render_profile(profile, output_dir=out, theme=str(theme))
    assert replay_of(profile, out, theme=str(theme)).replayed

    for entry in (tmp_path / "cache" / "builds").glob("*.entry"):  # the build cache emptied
        entry.unlink()
    assert replay_of(profile, out, theme=str(theme)) is None
    render_profile(profile, output_dir=out, theme=str(theme))
    records = list((tmp_path / "cache" / "renders").glob("*.json"))
    for record in records:  # a damaged record
        record.write_text("{not json", encoding="utf-8")
    assert replay_of(profile, out, theme=str(theme)) is None
    assert len(compiles(engine_log)) == 6  # first render, theme change, profile change


def test_the_record_key_covers_the_profile_options_and_cvtex(tmp_path, monkeypatch):
    profile = profile_copy(tmp_path)
    key = cache.record_key(profile, cache.record_options(None, None))
    assert key == cache.record_key(profile, cache.record_options(None, None))
    assert key != cache.record_key(profile, cache.record_options(["en"], None))
    assert key != cache.record_key(profile, cache.record_options(None, "modern"))
    (tmp_path / "elsewhere").mkdir()
    copy = profile_copy(tmp_path / "elsewhere")
    assert key != cache.record_key(copy, cache.record_options(None, None))  # same bytes, another file
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert key != cache.record_key(profile, cache.record_options(None, None))  # messages name files from here
    cache.package_digest.cache_clear()
    from cvtex import files

    monkeypatch.setattr(files, "__file__", str(shutil.copytree(ROOT / "cvtex", tmp_path / "pkg") / "files.py"))
    same = cache.package_digest()
    (tmp_path / "pkg" / "localize" / "locales" / "ko.yaml").write_bytes((tmp_path / "pkg" / "localize" / "locales" / "ko.yaml").read_bytes() + b"#")
    cache.package_digest.cache_clear()
    assert cache.package_digest() != same  # a byte of cvtex's own data
    cache.package_digest.cache_clear()


def test_pdf_link_contents_are_remembered_by_the_pdf_bytes(tmp_path, engine_log):
    from cvtex import links

    profile = profile_copy(tmp_path)
    result = render_profile(profile, output_dir=tmp_path / "out")
    pdf = result.outputs[0].pdf
    read = links.pdf_contents(pdf)
    stored = list((tmp_path / "cache" / "pdf-links").glob("*.json"))
    assert stored and links.pdf_contents(pdf) == read
    for entry in stored:
        entry.write_text('{"uri": [{"url": 1}]}', encoding="utf-8")  # damaged: read again
    assert links.pdf_contents(pdf) == read
    assert links.pdf_contents(pdf).uri and all(isinstance(u.rect, tuple) for u in read.uri)


def test_a_render_leaves_each_pdfs_link_contents_for_the_link_check(tmp_path, engine_log):
    """Read in each locale's engine thread: the link check after the render hashes the
    PDF and finds what it holds, without a second pypdf parse on the way out."""
    import hashlib

    from cvtex.links import extract as links_extract

    result = render_profile(profile_copy(tmp_path), output_dir=tmp_path / "out", cache=False)
    assert len(result.outputs) == 2
    for output in result.outputs:
        data = output.pdf.read_bytes()
        key = hashlib.sha256(data + cache.package_digest().encode()).hexdigest()
        stored = cache.read_json("pdf-links", key)
        assert stored is not None, f"{output.locale}: no pdf-links entry for the written PDF"
        fresh = links_extract._read_contents(output.pdf)
        assert fresh.uri and links_extract._contents_from_json(stored) == fresh
