"""Issue 6: design overrides (fonts per locale, section order, sections per locale),
`cvtex themes`, `cvtex theme new`, user themes (`--theme ./dir`, `design.theme: ./dir`) and
what a broken user theme says. Real XeLaTeX, real PDFs; fonts are read back with poppler's
``pdffonts``, section order from the extracted text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from cvtex import links
from cvtex.schema import loader
from cvtex import localize as locale
from cvtex import schema
from cvtex.diagnostics import ProfileError
from cvtex.build.pipeline import load_profile, render_profile
from cvtex.theme import builtin_themes, copy_theme, themes_root

from .conftest import EXAMPLE, PLAIN_ENV, pdf_text, run_cvtex, squash
from .test_cache import compiles



def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cvtex(*args, cwd=cwd, env=PLAIN_ENV)


def example_with(tmp_path: Path, design: str = "", *, edit=None, name: str = "cv.yaml") -> Path:
    """data/example.yaml with a ``design:`` block appended (and ``edit`` applied to its text)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "\ndesign:" not in text
    text = edit(text) if edit else text
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + (f"design:\n{design}" if design else ""), encoding="utf-8")
    return path


def fonts_of(pdf: Path) -> str:
    """The embedded fonts' PostScript names (poppler's ``pdffonts``), one per line."""
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return "\n".join(line.split()[0].split("+", 1)[-1] for line in listing.splitlines()[2:])


def headings(pdf: Path, titles: list[str]) -> list[str]:
    """``titles`` in the order the PDF's text has them (each must be there once)."""
    text = pdf_text(pdf)
    found = {t: [m.start() for m in re.finditer(rf"(?m)^{re.escape(t)}$", text)] for t in titles}
    return [t for t in sorted((t for t in titles if found[t]), key=lambda t: found[t][0])]


def outline(pdf: Path) -> list[str]:
    return [item.title for item in PdfReader(pdf).outline]


# --------------------------------------------------------------------------- overrides in the PDF

def test_font_overrides_per_locale_are_the_fonts_in_the_pdf(tmp_path):
    plain = render_profile(example_with(tmp_path / "a"), output_dir=tmp_path / "a" / "out")
    fonts = {o.locale: fonts_of(o.pdf) for o in plain.outputs}
    assert "TeXGyrePagella-Regular" in fonts["en"] and "TeXGyreTermes" not in fonts["en"]
    assert "NotoSerifCJK" in fonts["ko"] and "NotoSansCJK" not in fonts["ko"]

    design = ("  fonts:\n"
              "    en: {main: TeX Gyre Termes}\n"
              "    ko: {hangul: Noto Sans CJK KR}\n")
    result = render_profile(example_with(tmp_path / "b", design), output_dir=tmp_path / "b" / "out")
    fonts = {o.locale: fonts_of(o.pdf) for o in result.outputs}
    # English: the Latin font replaced, the Hangul font (punctuation such as '·' is set in it) kept
    assert "TeXGyreTermes-Regular" in fonts["en"] and "TeXGyrePagella" not in fonts["en"]
    assert "NotoSerifCJK" in fonts["en"] and "NotoSansCJK" not in fonts["en"]
    # Korean: the Hangul font replaced, the Latin one kept
    assert "NotoSansCJK" in fonts["ko"] and "NotoSerifCJK" not in fonts["ko"]
    assert "TeXGyrePagella-Regular" in fonts["ko"]
    assert "한지우" in pdf_text(result.outputs[1].pdf)


def test_a_default_font_entry_applies_to_every_locale_and_a_locale_entry_wins(tmp_path):
    design = ("  fonts:\n"
              "    default: {main: TeX Gyre Heros, hangul: Noto Sans CJK KR}\n"
              "    ko: {main: TeX Gyre Termes}\n")
    result = render_profile(example_with(tmp_path, design), output_dir=tmp_path / "out")
    fonts = {o.locale: fonts_of(o.pdf) for o in result.outputs}
    assert "TeXGyreHeros-Regular" in fonts["en"] and "NotoSansCJK" in fonts["en"]
    assert "TeXGyreTermes-Regular" in fonts["ko"] and "TeXGyreHeros" not in fonts["ko"]
    assert "NotoSansCJK" in fonts["ko"] and "NotoSerifCJK" not in fonts["ko"]


def test_section_order_and_sections_limited_to_a_locale(tmp_path):
    design = "  section_order: [skills, publications]\n"
    # education (with a link of its own) only in the Korean PDF
    path = example_with(tmp_path, design, edit=lambda t: t.replace(
        "  - kind: education\n", "  - kind: education\n    locales: [ko]\n", 1).replace(
        "        start: 2015-03\n", "        url: https://university.example.net/cs\n        start: 2015-03\n", 1))
    _, _, warnings = load_profile(path)
    assert warnings == []
    result = render_profile(path, output_dir=tmp_path / "out")
    en, ko = (o.pdf for o in result.outputs)
    # the link check's expectation follows: the section's URL is in the Korean PDF only
    for code, pdf in (("en", en), ("ko", ko)):
        expected = {link.url for link in links.expected_links(result.model, code)}
        assert {link.url for link in links.pdf_links(pdf)} == expected
        assert ("https://university.example.net/cs" in expected) == (code == "ko")
    english = ["Summary", "Experience", "Education", "Publications", "Skills", "Languages"]
    assert headings(en, english) == ["Summary", "Skills", "Publications", "Experience", "Languages"]
    assert outline(en) == ["Summary", "Skills", "Publications", "Experience", "Languages"]
    assert "Example University" not in pdf_text(en)
    assert "education" not in " ".join(PdfReader(en).named_destinations)
    korean = ["요약", "경력", "학력", "논문 및 출판", "기술", "외국어"]
    assert headings(ko, korean) == ["요약", "기술", "논문 및 출판", "경력", "학력", "외국어"]
    assert outline(ko) == ["요약", "기술", "논문 및 출판", "경력", "학력", "외국어"]
    assert squash("예시대학교") in squash(pdf_text(ko))


def test_the_themes_section_order_applies_when_the_profile_sets_none(tmp_path):
    theme = tmp_path / "pubs-first"
    assert run("theme", "new", str(theme)).returncode == 0
    config = theme / "theme.yaml"
    # an id this profile does not have is ignored: a theme does not know the profile
    config.write_text(config.read_text(encoding="utf-8") + "section_order: [patents, publications, languages]\n",
                      encoding="utf-8")
    path = example_with(tmp_path, f"  theme: ./{theme.name}\n")
    result = render_profile(path, output_dir=tmp_path / "out", locales=["en"])
    assert outline(result.outputs[0].pdf) == ["Summary", "Publications", "Languages", "Experience", "Education",
                                              "Skills"]
    # the profile's own order wins over the theme's
    path = example_with(tmp_path, f"  theme: ./{theme.name}\n  section_order: [skills]\n", name="own.yaml")
    result = render_profile(path, output_dir=tmp_path / "out", locales=["en"])
    assert outline(result.outputs[0].pdf) == ["Summary", "Skills", "Experience", "Education", "Publications",
                                              "Languages"]


def test_section_order_units():
    prof, _ = schema.validate(loader.loads(EXAMPLE.read_text(encoding="utf-8").replace(
        "  - kind: skills\n", "  - kind: skills\n    locales: [en]\n", 1)))
    ids = lambda code, order=(): [prof.section_id(i) for i in locale.section_order(prof, code, order)]  # noqa: E731
    assert ids("en") == ["experience", "education", "publications", "skills", "languages"]
    assert ids("ko") == ["experience", "education", "publications", "languages"]
    assert ids("en", ["nope", "languages", "skills"]) == ["languages", "skills", "experience", "education",
                                                          "publications"]
    assert ids("ko", ["skills", "education"]) == ["education", "experience", "publications", "languages"]
    view = locale.localize(prof, "ko", theme_order=["languages"])
    assert [s.id for s in view.sections] == ["languages", "experience", "education", "publications"]
    assert [s.title.loc for s in view.sections][0] == ("sections", 4, "kind")  # fields keep their source place


# --------------------------------------------------------------------------- validation

def diagnostics_of(path: Path) -> list[str]:
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    return [f"{d.line}:{d.column}: {d.severity}: {d.message} [{d.field}]" for d in info.value.diagnostics]


def test_a_font_that_is_not_installed_is_an_error_at_its_line(tmp_path):
    design = ("  fonts:\n"
              "    ko: {hangul: Noto Sans CJK}\n"
              "    en: {main: TeX Gyre Heros, sans: Comic Sans Nowhere}\n")
    path = example_with(tmp_path, design)
    lines = path.read_text(encoding="utf-8").splitlines()
    line = lines.index("    ko: {hangul: Noto Sans CJK}") + 1
    found = diagnostics_of(path)
    assert found[0].startswith(f"{line}:18: error: the font 'Noto Sans CJK' is not installed")
    assert "did you mean 'Noto Sans CJK" in found[0] and found[0].endswith("[design.fonts.ko.hangul]")
    column = lines[line].index("Comic") + 1
    assert found[1].startswith(f"{line + 1}:{column}: error: the font 'Comic Sans Nowhere' is not installed")
    assert found[1].endswith("[design.fonts.en.sans]")
    assert len(found) == 2


def test_design_errors_are_reported_with_the_other_errors_of_the_profile(tmp_path):
    design = "  section_order: [publication]\n  accent_color: blue\n"
    path = example_with(tmp_path, design, edit=lambda t: t.replace("institution:", "instituton:", 1))
    found = diagnostics_of(path)
    assert [re.split(r" \(| \[", f.split(": error: ")[1])[0] for f in found] == [
        "unknown field 'instituton'",
        "no section has the id 'publication'",
        "'blue' is not a colour written #RRGGBB",
    ]
    assert "(did you mean 'publications'?)" in found[1] and found[1].endswith("[design.section_order[0]]")


def test_a_locale_the_profile_does_not_render_is_a_warning_in_fonts_and_section_locales(tmp_path):
    design = "  fonts:\n    ko: {hangul: Noto Sans CJK KR}\n"
    path = example_with(tmp_path, design, edit=lambda t: t.replace("locales: [en, ko]", "locales: [en]").replace(
        "  - kind: skills\n", "  - kind: skills\n    locales: [ko]\n", 1))
    doc = loader.load(path)
    _, warnings = schema.validate(doc, supported_locales=locale.supported_locales())
    own = [w for w in warnings if "ignored" in w.message]
    assert [(w.field, w.severity) for w in own] == [("sections[3].locales[0]", "warning"),
                                                    ("design.fonts.ko", "warning")]


# --------------------------------------------------------------------------- cvtex themes, theme new

def test_cvtex_themes_lists_every_built_in_theme_with_its_description():
    result = run("themes")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    names = builtin_themes()
    assert "classic" in names and len(lines) == len(names)
    for name, line in zip(names, lines):
        description = yaml.safe_load((themes_root() / name / "theme.yaml").read_text(encoding="utf-8"))["description"]
        assert re.fullmatch(rf"{re.escape(name)} +{re.escape(description)}", line), line


def test_theme_new_copies_a_theme_that_renders_and_a_changed_copy_changes_the_pdf(tmp_path):
    result = run("theme", "new", "mine", "--from", "classic", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "cvtex render cv.yaml --theme ./mine" in result.stdout
    theme = tmp_path / "mine"
    classic = themes_root() / "classic"
    assert sorted(p.relative_to(theme) for p in theme.rglob("*")) == sorted(p.relative_to(classic)
                                                                           for p in classic.rglob("*"))
    config = yaml.safe_load((theme / "theme.yaml").read_text(encoding="utf-8"))
    assert config["name"] == "mine"
    assert config["description"] == yaml.safe_load((classic / "theme.yaml").read_text(encoding="utf-8"))["description"]
    assert (theme / "theme.sty").read_bytes() == (classic / "theme.sty").read_bytes()  # its design; the rest: the base

    # it refuses to overwrite, and leaves the directory as it was
    (theme / "theme.sty").write_text((classic / "theme.sty").read_text(encoding="utf-8").replace(
        "\\endinput\n", "\\AtBeginDocument{Made with the mine theme.\\par}\n\\endinput\n"), encoding="utf-8")
    before = {p: p.read_bytes() for p in theme.rglob("*") if p.is_file()}
    again = run("theme", "new", "mine", cwd=tmp_path)
    assert again.returncode == 1 and "exists" in again.stderr and "Traceback" not in again.stderr
    assert {p: p.read_bytes() for p in theme.rglob("*") if p.is_file()} == before

    profile = example_with(tmp_path)
    rendered = run("render", "cv.yaml", "--theme", "./mine", "-o", "out", "--offline", "--lang", "en", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert "Made with the mine theme." in pdf_text(tmp_path / "out" / "cv-en.pdf")
    plain = render_profile(profile, output_dir=tmp_path / "plain", locales=["en"])
    assert "Made with the mine theme." not in pdf_text(plain.outputs[0].pdf)


def test_design_theme_is_a_directory_relative_to_the_profile_file(tmp_path):
    assert run("theme", "new", str(tmp_path / "themes" / "accent")).returncode == 0
    config = tmp_path / "themes" / "accent" / "theme.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace('accent_color: "#1F3A5F"', 'accent_color: "#AA0000"'),
                      encoding="utf-8")
    profile = example_with(tmp_path / "cv", "  theme: ../themes/accent\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("render", str(profile), "-o", "out", "--offline", "--lang", "en", "--keep-tex", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "\\def\\cvtexaccent{AA0000}" in (elsewhere / "out" / "cv-en.tex").read_text(encoding="utf-8")

    missing = example_with(tmp_path / "cv", "  theme: ./nothere\n", name="missing.yaml")
    found = diagnostics_of(missing)
    assert len(found) == 1 and "no theme './nothere'" in found[0] and "relative to the profile file" in found[0]
    assert found[0].endswith("[design.theme]")


# --------------------------------------------------------------------------- broken user themes

def broken_theme(tmp_path: Path, file: str, old: str, new: str) -> Path:
    theme = tmp_path / "broken"  # with its own cv.tex.j2, sections/ and cvtex.sty: copies of the shared base's
    copy_theme(themes_root() / "classic", theme, with_base=True)
    text = (theme / file).read_text(encoding="utf-8")
    assert old in text
    (theme / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return theme


BROKEN = {
    "theme-yaml": ("theme.yaml", "paper: a4\n", "paper: a5\ncolour: red\n",
                   [r"broken/theme\.yaml:3:8: error: invalid theme\.yaml: must be 'a4' or 'letter'",
                    r"broken/theme\.yaml:4:1: error: invalid theme\.yaml: unknown field 'colour'"]),
    "jinja-syntax": ("cv.tex.j2", "\\begin{document}\n", "((* if header.name *))\n\\begin{document}\n",
                     [r"broken/cv\.tex\.j2:\d+:1: error: theme template error: Unexpected end of template.*"]),
    "jinja-undefined": ("sections/skills.tex.j2", "e.label", "e.lable",
                        [r"broken/sections/skills\.tex\.j2:\d+:\d+: error: theme template error: .*'lable'"]),
    "latex": ("cv.tex.j2", "\\begin{document}\n", "\\begin{document}\n\\cvbroken{}\n",
              [r"broken/cv\.tex\.j2:\d+:1: error: LaTeX error in the en PDF at line \d+ of cv-en\.tex .*"
               r"Undefined control sequence.*\\cvbroken.*theme 'classic'.*"]),
    # an error while TeX reads a package of the theme: the log names the package file the
    # source wrote (./cvtex-theme.sty, ./cvtex.sty); the diagnostic names the theme's own file
    "theme-sty": ("theme.sty", "\\definecolor{muted}", "\\cvbroken\n\\definecolor{muted}",
                  [r"broken/theme\.sty:\d+:1: error: LaTeX error in the en PDF: Undefined control sequence.*"
                   r"\\cvbroken.*theme 'classic'.*"]),
    "base-sty": ("cvtex.sty", "\\RequirePackage{fontspec}", "\\cvbroken\n\\RequirePackage{fontspec}",
                 [r"broken/cvtex\.sty:\d+:1: error: LaTeX error in the en PDF: Undefined control sequence.*"
                  r"\\cvbroken.*theme 'classic'.*"]),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_user_theme_names_its_file_and_line_and_keeps_the_old_pdf(tmp_path, case):
    file, old, new, expected = BROKEN[case]
    theme = broken_theme(tmp_path, file, old, new)
    profile = example_with(tmp_path)
    out = tmp_path / "out"
    good = run("render", "cv.yaml", "-o", "out", "--offline", "--lang", "en", cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    before = (out / "cv-en.pdf").read_bytes()

    result = run("render", str(profile), "--theme", str(theme), "-o", "out", "--offline", "--lang", "en",
                 cwd=tmp_path)
    assert result.returncode == 1
    heads = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(heads) == len(expected), result.stderr
    for head, pattern in zip(heads, expected):
        assert re.fullmatch(pattern, head), head
    line = int(heads[0].split(":")[1])
    shown = (theme / file).read_text(encoding="utf-8").splitlines()[line - 1]
    assert f"{line:>5} | {shown}" in result.stderr  # the theme's line is quoted
    assert "Traceback" not in result.stderr + result.stdout
    assert not any(line.startswith(("!", "l.")) or "Transcript written" in line  # no TeX transcript
                   for line in result.stderr.splitlines())
    assert (out / "cv-en.pdf").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["cv-en.pdf"]  # no half-written or temporary file


def test_a_theme_without_section_destinations_is_a_theme_error_and_nothing_is_written(tmp_path):
    """Bookmarks point at each section's named destination; a theme whose sections have
    none fails in post-processing (both locales' engines ran, each in its own thread),
    naming the theme and what each section needs — and writes no PDF."""
    theme = broken_theme(tmp_path, "cvtex.sty", "\\hypertarget{#1}{}", "")
    profile = example_with(tmp_path)
    result = run("render", str(profile), "--theme", str(theme), "-o", "out", "--offline", "--no-cache",
                 cwd=tmp_path)
    assert result.returncode == 1
    heads = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(heads) == 1, result.stderr
    assert re.search(r"broken: error: theme error: the PDF has no destination 'section\.[\w-]+' for the bookmark "
                     r"'[^']+' \(each section needs \\hypertarget", heads[0]), heads[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --------------------------------------------------------------------------- the build cache

def test_a_design_change_renders_again_and_an_unchanged_one_does_not(tmp_path, engine_log):
    path = example_with(tmp_path, "  section_order: [skills]\n")
    render_profile(path, output_dir=tmp_path / "out")
    assert len(compiles(engine_log)) == 2
    assert [o.cached for o in render_profile(path, output_dir=tmp_path / "out").outputs] == [True, True]
    steps = [
        ("  section_order: [skills]\n", "  section_order: [languages]\n", {"en": False, "ko": False}),
        ("  section_order: [languages]\n", "  section_order: [languages]\n  fonts: {ko: {hangul: Noto Sans CJK KR}}\n",
         {"en": True, "ko": False}),  # the Korean font only: English comes from the cache
        ("  - kind: languages\n", "  - kind: languages\n    locales: [ko]\n", {"en": False, "ko": True}),
    ]
    runs = 2
    for old, new, cached in steps:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        result = render_profile(path, output_dir=tmp_path / "out")
        assert {o.locale: o.cached for o in result.outputs} == cached, new
        runs += sum(not c for c in cached.values())
        assert len(compiles(engine_log)) == runs
    assert "Languages" not in outline(tmp_path / "out" / "cv-en.pdf")
    assert outline(tmp_path / "out" / "cv-ko.pdf")[1] == "외국어"
