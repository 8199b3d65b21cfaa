"""Issue 3: validation's glyph check (cvtex/theme/fonts.py) agrees with what XeTeX does.

The check answers from two data sources — the xetexko routing table, dumped from the
installed XeTeX on first use (cvtex.tex.texdata), and fontconfig's charsets — so both are
tested against the real engine here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import yaml

from cvtex import tex
from cvtex.theme import fonts
from cvtex.schema import loader
from cvtex import localize as locale
from cvtex import schema as profile
from cvtex import theme as template
from cvtex.tex import texdata
from cvtex.diagnostics import ProfileError
from cvtex.build.pipeline import load_profile

from .conftest import own_tex_tables
from .fixtures.pdfs import profile_with

pytestmark = pytest.mark.tex

#: Characters from many scripts and symbol blocks; some each font has, some only one has,
#: some neither (a character routed to the font that lacks it must be refused).
SAMPLE = ("aZ09 ĳ ß Ł ő ŀ ǅ ẞ ʼ ˈ α Ω ά Ж ё Ә ⁿ ₁ ² ½ ‰ ‒ ― ‖ † • ′ ※ ℃ ℓ № ™ Ⅳ ⅰ ← ⇒ ∀ ∑ √ ≈ ≤ ⊂ ⌘ ① ⑴ ⒜ ─ ┼ ■ ▲ ◆ ○ ★ ☎ ☕ ♠ ♥ ✓ ✔ ✉ ❤ "
          "、 。 〈 》 「 】 〒 ぁ ア ㄱ ㅎ ㆍ ㈜ ㉠ ㎏ 一 漢 鬱 豈 가 힣 ꥠ ퟻ ＡＢ ｱ ￦ 𠀀 𝕏 😀 🇰 ا א क ก ሀ Ꭰ ᠠ "
          "\u0301 \u20dd \ue000 \ufb01 \ufffd")


@pytest.fixture(scope="module")
def coverage():
    cov = fonts.theme_coverage(template.load_theme("classic"), ["en", "ko"])
    assert cov is not None, "fontconfig does not know the classic theme's fonts"
    return cov


def runs_of(log: Path) -> int:
    return log.read_text(encoding="utf-8").count("start ")


def test_the_routes_are_made_from_the_installed_xetexko_and_kept(engine_log, tmp_path):
    """The routing table is what XeTeX says now; it is made once and read after that, and
    made again when a file it was made from changes (a TeX Live update) or cvtex's recipe
    does."""
    tex_dir = own_tex_tables(tmp_path / "cache")
    try:
        assert fonts.route(ord("가")) == fonts.HANGUL
        assert runs_of(engine_log) == 1
        table = texdata.table_path("xetexko-routes.txt")
        assert table is not None and table.parent.parent == tex_dir
        version, runs, _ = fonts.generate_routes(tmp_path / "fresh")
        made = [(int(start, 16), letter) for start, letter in
                (line.split() for line in table.read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith("#"))]
        assert made == runs and f"# {version}" in table.read_text(encoding="utf-8")
        assert version.startswith("xetexko ")
        sources = fonts._routes_table().sources
        kpsewhich = subprocess.run(["kpsewhich", "xetexko.sty", "kotex.sty"], capture_output=True, text=True,
                                   check=True).stdout.split()
        assert set(kpsewhich) <= set(sources)
        runs_before = runs_of(engine_log)

        texdata.forget()
        fonts._routes.cache_clear()
        assert fonts.route(ord("a")) == fonts.LATIN and runs_of(engine_log) == runs_before  # kept: no XeLaTeX

        xetexko = kpsewhich[0]
        text = table.read_text(encoding="utf-8")
        stamp = next(line for line in text.splitlines() if line.startswith(f"# source: {xetexko}\t"))
        table.write_text(text.replace(stamp, f"# source: {xetexko}\t1:2"), encoding="utf-8")  # "updated"
        texdata.forget()
        fonts._routes.cache_clear()
        assert fonts.route(ord("a")) == fonts.LATIN and runs_of(engine_log) == runs_before + 1
        assert stamp in table.read_text(encoding="utf-8")

        text = table.read_text(encoding="utf-8")
        table.write_text(re.sub(r"(?m)^# recipe: .*$", "# recipe: 0", text), encoding="utf-8")  # another cvtex
        texdata.forget()
        fonts._routes.cache_clear()
        assert fonts.route(ord("a")) == fonts.LATIN and runs_of(engine_log) == runs_before + 2
    finally:
        texdata.forget()
        fonts._routes.cache_clear()


def test_without_xelatex_validate_says_the_glyphs_were_not_checked(tmp_path, monkeypatch, build_cache_dir):
    """No XeLaTeX to read the routes from (the pre-commit hook on a machine without TeX):
    validate says so, and does not refuse or accept glyphs it cannot judge."""
    own_tex_tables(build_cache_dir)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "fc-list").symlink_to(shutil.which("fc-list"))
    monkeypatch.setenv("PATH", str(bin_dir))
    try:
        assert fonts.routes_problem() and "XeLaTeX is not installed" in fonts.routes_problem()
        cv = tmp_path / "cv.yaml"
        cv.write_text("locales: [en]\nheader: {name: Живу}\n", encoding="utf-8")
        _, _, warnings = load_profile(cv)
        assert [w.message for w in warnings] == [
            "characters not checked against the theme's fonts: XeLaTeX is not installed, and which font sets a "
            "character is read from it"]
    finally:
        monkeypatch.undo()
        texdata.forget()
        fonts._routes.cache_clear()
    with pytest.raises(ProfileError, match="no glyph for 'Ж'"):
        load_profile(cv)


def test_routes_are_those_xetexko_documents(coverage):
    assert fonts.route(ord("a")) == fonts.LATIN and fonts.route(ord("가")) == fonts.HANGUL
    assert fonts.route(ord("漢")) == fonts.HANJA and fonts.route(0xFE0F) == fonts.KEEP  # variation selector
    assert fonts.route(0x0301) == fonts.LATIN  # combining marks are class 0 in xetexko
    assert fonts.route(ord("①")) == fonts.HANGUL  # xetexko's KS X 1001 symbols
    assert fonts.route(ord("…")) == fonts.LATIN   # cvtex's text_fidelity moves it to the Latin font
    assert coverage.missing("Ж①") == [("Ж", "TeX Gyre Pagella")]
    assert coverage.missing("가\u0301a\u0301") == []  # set in the Latin font, which has U+0301
    assert coverage.missing("ꥠퟻ") == [] and coverage.missing("aퟻ") == [("ퟻ", "TeX Gyre Pagella")]  # keeps the font


def test_answers_do_not_depend_on_what_was_asked_before():
    """Coverage remembers the characters that are fine in every context (its fast path);
    a character fine only after some letters (``ퟻ`` keeps the preceding font) must still
    be judged by its context, whatever was asked before."""
    texts = ["ꥠퟻ", "aퟻ", "ퟻ", "가\u0301a\u0301", "Ж①", SAMPLE, "가.", "a.", "Ж", "①"]

    def fresh():
        return fonts.theme_coverage(template.load_theme("classic"), ["en", "ko"])

    alone = {text: fresh().missing(text) for text in texts}
    for order in (texts, texts[::-1], sorted(texts)):
        shared = fresh()
        assert {text: shared.missing(text) for text in order} == alone
        assert {text: shared.missing(text) for text in order} == alone  # asked again: from memory
    assert alone["ꥠퟻ"] == [] and alone["aퟻ"] == [("ퟻ", "TeX Gyre Pagella")]


@pytest.mark.parametrize("code", ["en", "ko"])
def test_validation_refuses_exactly_what_xetex_cannot_set(coverage, code, tmp_path):
    """Compile SAMPLE in regular, bold and italic with lost characters only logged
    (\\tracinglostchars=1): the characters XeTeX reports missing are exactly those the
    glyph check refuses."""
    chars = [c for c in dict.fromkeys(SAMPLE) if c != " "]
    text = " ".join(chars)
    data = profile_with([text], kinds="begh")  # italic subtitle, bold organization, italic role, bold label
    doc = loader.loads(yaml.safe_dump(data, allow_unicode=True), "sample.yaml")
    prof, _ = profile.validate(doc)  # no glyph check: let TeX see every character
    source = template.render(locale.localize(prof, code), template.load_theme("classic")).text
    assert "\\tracinglostchars=3" in source
    build = tex.compile(source.replace("\\tracinglostchars=3", "\\tracinglostchars=1"), tmp_path / code)
    lost = {m.char for m in build.log.missing_chars}
    refused = {c for c, _ in coverage.missing(text)}
    assert lost == refused
    assert len(refused) >= 15 and len(chars) - len(refused) >= 60  # the sample tests both sides


def test_without_the_fonts_validation_skips_the_glyph_check(tmp_path):
    """A theme whose fonts fontconfig does not know (not installed here): validate cannot
    judge glyphs and leaves them to the engine instead of refusing everything."""
    theme = tmp_path / "uninstalled"
    shutil.copytree(Path(template.themes_root()) / "classic", theme)
    config = theme / "theme.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("TeX Gyre Pagella", "No Such Font Family"),
                      encoding="utf-8")
    assert fonts.theme_coverage(template.load_theme(str(theme)), ["en"]) is None
    cv = tmp_path / "cv.yaml"
    cv.write_text("locales: [en]\nheader: {name: Живу 😀}\n", encoding="utf-8")
    load_profile(cv, theme=str(theme))  # no error
    with pytest.raises(ProfileError, match="no glyph for 'Ж'"):
        load_profile(cv)


# --------------------------------------------------------------------------- the class table stand-in

CLASS_DUMP = r"""\documentclass{article}
\usepackage{fontspec}
\usepackage[OPTION]{kotex}
\makeatletter
\newwrite\cvtex@out \immediate\openout\cvtex@out=table.txt
""" + tex.code_point_runs(r"\the\XeTeXcharclass\count@", r"\cvtex@out") + r"""
\immediate\closeout\cvtex@out
\begin{document}x\end{document}
"""


def test_the_class_table_stand_in_is_current_and_in_use(tmp_path):
    """The stand-in is what XeTeX makes of the installed TeX Live file now, and the engine
    uses it: the build directory has it and the log shows XeTeX read it rather than TeX
    Live's."""
    runs, inputs = tex.generate_classes(tmp_path / "fresh")
    stand_in = tex.classes_stand_in()
    assert stand_in is not None and stand_in.endswith(tex.classes_text(runs))
    assert any(path.endswith("/" + tex.CLASSES_NAME) for path in inputs)
    build = tex.compile(CLASS_DUMP.replace("OPTION", ""), tmp_path / "with")
    assert (build.build_dir / tex.CLASSES_NAME).is_file()
    log = (build.build_dir / "cv.log").read_text(encoding="utf-8", errors="replace")
    assert f"(./{tex.CLASSES_NAME})" in log and "texmf-dist/tex/generic/unicode-data/" + tex.CLASSES_NAME not in log


@pytest.mark.parametrize("option", ["", "hangul"])
def test_with_the_stand_in_xetexko_gets_the_same_class_for_every_code_point(option, tmp_path):
    """The whole \\XeTeXcharclass table after kotex loads (its own classes on top of the
    file's), with the stand-in and with TeX Live's file, is the same."""
    tables = []
    for stand_in in (True, False):
        build = tex.compile(CLASS_DUMP.replace("OPTION", option), tmp_path / str(stand_in), stand_in=stand_in)
        assert (build.build_dir / tex.CLASSES_NAME).is_file() == stand_in
        tables.append((build.build_dir / "table.txt").read_text(encoding="utf-8"))
    assert tables[0] == tables[1]
    assert len(tables[0].splitlines()) > 500  # many runs: CJK, punctuation, Hangul classes


def test_a_stand_in_made_from_other_files_is_made_again(engine_log, tmp_path):
    """The stand-in records the files it was made from (size and mtime); when one differs
    (another TeX Live), it is made again from the installed file before a build uses it."""
    tex_dir = own_tex_tables(tmp_path / "cache")
    try:
        assert tex.classes_stand_in() is not None and runs_of(engine_log) == 1
        table = texdata.table_path("unicode-xetex-classes.tex")
        assert table is not None and table.parent.parent == tex_dir
        text = table.read_text(encoding="utf-8")
        line_break = next(line for line in text.splitlines() if line.startswith("% source: ")
                          and line.split("\t")[0].endswith("/LineBreak.txt"))
        table.write_text(text.replace(line_break, line_break.split("\t")[0] + "\t1:2"), encoding="utf-8")
        texdata.forget()
        build = tex.compile("\\documentclass{article}\\begin{document}x\\end{document}\n", tmp_path / "b")
        assert runs_of(engine_log) == 3  # made again (one run), then the build
        assert (build.build_dir / tex.CLASSES_NAME).read_text(encoding="utf-8") == table.read_text(encoding="utf-8")
        assert line_break in table.read_text(encoding="utf-8")
    finally:
        texdata.forget()


def test_renders_in_parallel_all_get_the_charsets(monkeypatch):
    """`cvtex render -j N` validates profiles in threads: while one thread asks fontconfig,
    another asking for the same fonts waits for the answer instead of reading "unknown"
    (which would silently skip its glyph check)."""
    monkeypatch.setattr(fonts, "_charsets", {})
    families = ["TeX Gyre Pagella", "Noto Serif CJK KR"]
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(fonts.family_charsets(families))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert all(charset is not None for result in results for charset in result.values())
    assert len({tuple(result.items()) for result in results}) == 1
