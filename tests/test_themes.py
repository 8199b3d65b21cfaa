"""Issue 6: the built-in themes — every theme x every data profile x every locale,
compiled for real and checked like tests/test_render_data.py does for the default theme,
plus each theme's own promises and reference pictures of the first pages.

Reference pictures: ``tests/reference/<theme>-<profile>-<lang>.png`` is the first page at
:data:`REFERENCE_DPI`, made by :func:`cvtex.build.preview.first_page_png`; the README's pictures
are ``docs/themes/<theme>-<lang>.png`` (data/infra-backend.yaml, :data:`DOCS_DPI`, 64
colours). After an intended change of a theme, regenerate both and review the pictures::

    CVTEX_UPDATE_REFERENCES=1 .venv/bin/pytest tests/test_themes.py

Pictures are compared on the reference platform only — Debian 12 with the font and TeX
package versions in ``tests/reference/platform.txt``, which the update writes — because
another TeX Live or font release moves pixels with no change of cvtex; everywhere else the
same PDFs still get every text, link, glyph, overfull-box, metadata, outline and
page-count check.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageChops
from pypdf import PdfReader

from cvtex.theme import fonts
from cvtex.theme import latex
from cvtex.schema import loader
from cvtex import localize as locale
from cvtex.schema import markup
from cvtex import schema as profile
from cvtex import theme as template
from cvtex.theme import helpers
from cvtex.links import pdf_links, profile_links
from cvtex.build.preview import first_page_png
from cvtex.build.pipeline import render_profile
from cvtex.diagnostics import ProfileError

from .conftest import DATA, ROOT, pdf_text, squash
from .fixtures.pdfs import words_off_page
from .test_render_data import texts, view_of

pytestmark = pytest.mark.tex

BUILT_IN = template.builtin_themes()
#: A theme written the way a user adds one: a theme.yaml and a theme.sty, nothing else
#: (:func:`write_fourth_theme`); every check of the built-in themes runs on it too, except
#: the comparison with reference pictures (it has none).
FOURTH = "fourth"
THEMES = BUILT_IN + [FOURTH]
CASES = [(theme, path, code) for theme in THEMES for path in DATA
         for code in profile.validate(loader.load(path))[0].locales]
IDS = [f"{t}-{p.stem}-{c}" for t, p, c in CASES]
#: Each letter of each data profile in each of its locales, per built-in theme: (theme, path,
#: Output.name), compared with its reference picture like the CVs.
LETTER_CASES = [(theme, path, f"letter-{letter.id}-{code}") for theme in BUILT_IN for path in DATA
                for prof in [profile.validate(loader.load(path))[0]] for letter in prof.letters
                for code in prof.letter_locales(letter)]

#: The 경력기술서 of each data profile and locale that has one (a role with projects), per
#: built-in theme: (theme, path, Output.name).
CAREER_CASES = [(theme, path, f"career-{code}") for theme in BUILT_IN for path in DATA
                for prof in [profile.validate(loader.load(path))[0]] for code in prof.locales
                if locale.localize_career(locale.localize(prof, code)) is not None]
REFERENCES = ROOT / "tests" / "reference"
DOCS = ROOT / "docs" / "themes"
DOCS_PROFILE = ROOT / "data" / "infra-backend.yaml"
UPDATE = os.environ.get("CVTEX_UPDATE_REFERENCES") == "1"
UPDATE_HINT = "if the change is intended: CVTEX_UPDATE_REFERENCES=1 .venv/bin/pytest tests/test_themes.py"
REFERENCE_DPI = 50
DOCS_DPI = 70
#: A pixel differs when one of its channels differs by more than this (of 255): the
#: pictures come from the same PDF renderer, so an unchanged page differs nowhere.
PIXEL_THRESHOLD = 48
#: A picture differs when more than this fraction of its pixels differ: well under one
#: changed word (0.2 % to 0.5 % of a 50 dpi page; a three-letter name 0.05 %; see
#: test_reference_check_can_fail).
TOLERANCE = 0.0003
#: Entries per list section of the every-field profile (experience, education and projects
#: then run over pages; the PDFs have 6 to 10 pages).
ENTRIES = 8
#: Private use area: what an icon font's glyphs map to without ActualText.
PUA = re.compile("[\ue000-\uf8ff]")


FOURTH_YAML = """\
name: fourth
description: A test theme written as a user would, a theme.yaml and a theme.sty only.
paper: letter
accent_color: "#8A3B12"
font_size: 11pt
margins: 0.8in
newest_first: [publications, talks]
fonts:
  default: {main: TeX Gyre Schola, sans: TeX Gyre Adventor, hangul: Noto Serif CJK KR, hangul_sans: Noto Sans CJK KR}
"""
#: Its design: the page, colours, lists, footer and a few macros of cvtex.sty reshaped.
FOURTH_STY = r"""\ProvidesPackage{cvtex-theme}
\cvtexpage{includefoot,footskip=9mm}
\definecolor{muted}{HTML}{6B5E55}
\setlist[itemize]{leftmargin=1.4em,itemsep=1pt,topsep=2pt,label={\color{accent}\textendash}}
\fancyfoot[L]{\footnotesize\color{muted}\cvname}
\fancyfoot[R]{\footnotesize\color{muted}\thepage}
\renewcommand\cvsectionskip{12pt}
\renewcommand\cvsectionheading[1]{{\sffamily\color{accent}\large #1}\par\nobreak
  {\color{accent}\rule{\linewidth}{1.5pt}}\par\nobreak\vspace{4pt}}
\renewcommand\cvqualifier[1]{{\color{muted}#1}}
\renewcommand\cvrow[2]{%
  \cvcolumns{\linewidth}{\raggedright #1\cvif{#2}{\hfill\hspace{1em}{\color{muted}#2}}}{}{}%
  \nopagebreak\@afterheading}
\renewcommand\cvdetailsep{ / }
\renewcommand\cvheader[3]{%
  {\sffamily\fontsize{26pt}{30pt}\selectfont\color{accent}#1}\par
  \cvif{#2}{\vspace{2pt}{\large\itshape #2}\par}%
  \vspace{6pt}{\small #3\par}\vspace{6pt}}
\renewcommand\cvcontact[2]{\mbox{#2}}
\cvsetgap{entry}{4pt}
"""


def test_the_documented_theme_is_the_fourth_theme():
    """docs/themes.md's "A new theme in two files" is the theme these tests render (its
    name aside), so what the page promises of it is tested."""
    docs = (ROOT / "docs" / "themes.md").read_text("utf-8")
    yaml_block = re.search(r"`mytheme/theme.yaml`:\n\n```yaml\n(.*?)```", docs, re.S)
    sty_block = re.search(r"`mytheme/theme.sty`:\n\n```latex\n(.*?)```", docs, re.S)
    assert yaml_block and sty_block
    assert yaml_block.group(1).replace("name: mytheme", "name: fourth").replace(
        "Schoolbook serif on letter paper, rust accent, dates after each title.",
        "A test theme written as a user would, a theme.yaml and a theme.sty only.") == FOURTH_YAML
    assert sty_block.group(1) == FOURTH_STY


def write_fourth_theme(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "theme.yaml").write_text(FOURTH_YAML, encoding="utf-8")
    (directory / "theme.sty").write_text(FOURTH_STY, encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def themed(tmp_path_factory):
    """``themed(theme, profile_path)`` -> ``{Output.name: Output}`` (a locale for the CV): each (theme, profile)
    rendered once per session (all locales, in parallel), on first use, without the build
    cache (every PDF and its engine log come from a real XeLaTeX run). ``FOURTH``: the
    theme :func:`write_fourth_theme` writes, given by its directory."""
    out_dir = tmp_path_factory.mktemp("themed")
    fourth = write_fourth_theme(tmp_path_factory.mktemp("themes") / FOURTH)
    done: dict[tuple[str, str], dict] = {}

    def get(theme: str, path: Path) -> dict:
        key = (theme, str(path))
        if key not in done:
            given = str(fourth) if theme == FOURTH else theme
            result = render_profile(path, output_dir=out_dir / theme, theme=given, cache=False)
            done[key] = {output.name: output for output in result.outputs}  # letters: "letter-<id>-<locale>"
        return done[key]

    return get


# ------------------------------------------------------------------- pictures

def differing_fraction(actual: Path, reference: Path) -> float:
    """The fraction of pixels of two pictures of equal size in which some channel differs
    by more than :data:`PIXEL_THRESHOLD`; 1.0 when the sizes differ."""
    with Image.open(actual) as a_img, Image.open(reference) as b_img:
        a, b = a_img.convert("RGB"), b_img.convert("RGB")
    if a.size != b.size:
        return 1.0
    red, green, blue = ImageChops.difference(a, b).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    counts = largest.histogram()
    return sum(counts[PIXEL_THRESHOLD + 1:]) / (a.width * a.height)


#: Where the reference pictures were made: the system and the versions of the packages that
#: decide the glyphs on the page (tests/reference/platform.txt, written with the pictures).
PLATFORM_FILE = REFERENCES / "platform.txt"
#: The Debian packages whose versions are part of the reference platform: the fonts and TeX.
PLATFORM_PACKAGES = ("fonts-noto-cjk", "fonts-texgyre", "fonts-font-awesome", "texlive-base", "texlive-xetex",
                     "texlive-lang-korean", "texlive-latex-recommended", "texlive-latex-extra")


def this_platform() -> str:
    """The system (``/etc/os-release``'s ID and VERSION_ID) and the version of each of
    :data:`PLATFORM_PACKAGES` (``dpkg-query``; ``-`` where it is not a Debian package), one
    ``name version`` line each."""
    import subprocess

    release = {}
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            release[key] = value.strip('"')
    lines = [f"os {release.get('ID', '?')} {release.get('VERSION_ID', '?')}"]
    for package in PLATFORM_PACKAGES:
        try:
            version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                                     check=False).stdout.strip()
        except OSError:
            version = ""
        lines.append(f"{package} {version or '-'}")
    return "\n".join(lines) + "\n"


def not_the_reference_platform() -> str | None:
    """Why pictures cannot be compared here (another system or other font or TeX package
    versions than the references were made with: glyph outlines and kerning move pixels
    without any change of cvtex), or ``None`` on the reference platform (Debian 12 with the
    versions in tests/reference/platform.txt). The text, link, glyph, overfull-box,
    metadata, outline and page-count checks run everywhere."""
    if UPDATE:
        return None
    reference = PLATFORM_FILE.read_text(encoding="utf-8") if PLATFORM_FILE.is_file() else ""
    here = this_platform()
    if here == reference:
        return None
    differ = sorted(set(here.splitlines()) - set(reference.splitlines()))
    return f"not the reference platform of tests/reference/platform.txt (here: {'; '.join(differ)})"


def assert_like_reference(actual: Path, reference: Path) -> None:
    """Fail, saying how to update, unless ``actual`` matches ``reference`` within tolerance."""
    if not reference.is_file():
        pytest.fail(f"no reference picture {reference.relative_to(ROOT)}; create it with: {UPDATE_HINT}")
    fraction = differing_fraction(actual, reference)
    assert fraction <= TOLERANCE, (
        f"{actual.name} differs from {reference.relative_to(ROOT)} in {fraction:.3%} of its pixels (tolerance "
        f"{TOLERANCE:.3%}): the layout changed. Look at both pictures; {UPDATE_HINT}")


def check_reference(actual: Path, reference: Path) -> None:
    """:func:`assert_like_reference`, or with ``CVTEX_UPDATE_REFERENCES=1`` replace the
    reference with ``actual``."""
    if UPDATE:
        reference.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(actual, reference)
        PLATFORM_FILE.write_text(this_platform(), encoding="utf-8")
        return
    assert_like_reference(actual, reference)


def docs_picture(pdf: Path, png: Path) -> Path:
    """The README's picture of a PDF: first page at :data:`DOCS_DPI`, 64 colours (small)."""
    first_page_png(pdf, png, dpi=DOCS_DPI)
    with Image.open(png) as image:
        image.convert("RGB").quantize(64).save(png, format="PNG", optimize=True)
    return png


# ------------------------------------------------------------------- every theme x data profile x locale

#: Themes that set sections as tables (korean-form in Korean): a cell's lines follow each other
#: in the order the page draws them (pdftotext -raw), each row after the one above; the default
#: extraction reads across the columns line by line, which interleaves the wrapped lines of
#: neighbouring cells.
TABLE_THEMES = {"korean-form": ("ko",)}


def theme_view(path, code, theme):
    """The view ``theme`` prints: the profile in ``code`` with the theme's section titles."""
    prof, _ = profile.validate(loader.load(path))
    if theme == FOURTH:  # its theme.yaml names no section order or titles
        return locale.localize(prof, code)
    config = template.load_theme(theme).config
    return locale.localize(prof, code, theme_order=config.section_order,
                           theme_titles=config.section_titles.get(code))


def printed_texts(view, theme):
    """The view's texts a theme prints (:func:`tests.test_render_data.texts`), without the
    header fields it leaves out by design: ``hometown`` (never printed: only validate
    --blind reads it), ``address`` outside a Korean form, and in a Korean form's 인적사항,
    ``location`` when the address stands in its place."""
    header = view.header
    form = view.locale.code in TABLE_THEMES.get(theme, ())
    skipped = {"header.hometown"} | ({"header.location"} if form and header.address else {"header.address"}
                                     if not form else set())
    return [t for t in texts(view) if t.path not in skipped]


def theme_text(pdf, theme, code):
    """The text of a ``theme`` PDF in reading order: drawing order for a table theme's tables."""
    return pdf_text(pdf, raw=code in TABLE_THEMES.get(theme, ()))


@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_pdf_contains_every_text_field(themed, theme, path, code):
    text = squash(theme_text(themed(theme, path)[code].pdf, theme, code))
    fields = printed_texts(view_of(path, code), theme)
    assert len(fields) > 10
    missing = [(t.path, markup.plain(t)) for t in fields if squash(markup.plain(t)) not in text]
    assert missing == []


@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_link_annotations_equal_profile_urls(themed, theme, path, code):
    in_pdf = {link.url for link in pdf_links(themed(theme, path)[code].pdf)}
    expected = {link.url for link in profile_links(view_of(path, code))}
    assert expected, "a data profile without links tests nothing"
    assert in_pdf == expected


@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_no_missing_glyph_overfull_box_or_text_off_the_page(themed, theme, path, code):
    output = themed(theme, path)[code]
    assert not output.cached
    assert output.overfull == []
    assert output.missing_chars == []
    assert words_off_page(output.pdf) == []


@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_outline_has_every_section(themed, theme, path, code):
    """One bookmark per section, each at the theme's named destination (the post-processor
    fails on a missing one); the order is the theme's, see test_academic_section_order."""
    output = themed(theme, path)[code]
    view = theme_view(path, code, theme)
    titles = sorted(item.title for item in PdfReader(output.pdf).outline)
    expected = ([view.locale.sections["summary"]] if view.summary else []) + [markup.plain(s.title)
                                                                              for s in view.sections]
    assert titles == sorted(expected)
    assert output.bookmarks == len(expected)


@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_contact_details_read_as_text_without_private_use_characters(themed, theme, path, code):
    """Icons (modern) carry ActualText: extracted text has the e-mail addresses and URLs
    of the header, and no private-use character from the icon font — in layout and in
    drawing order."""
    header = view_of(path, code).header
    shown = list(header.emails) + ([header.phone] if header.phone else [])
    shown += [markup.plain(site.label) if site.label else latex.display_url(site.url) for site in header.websites]
    shown += [latex.display_url(p.url) for p in header.profiles]
    assert shown
    for raw in (False, True):
        text = pdf_text(themed(theme, path)[code].pdf, raw=raw)
        assert PUA.findall(text) == []
        assert [s for s in shown if squash(s) not in squash(text)] == []


@pytest.fixture
def reference_platform():
    """Skips a picture comparison off the reference platform (:func:`not_the_reference_platform`)."""
    reason = not_the_reference_platform()
    if reason and os.environ.get("CVTEX_REQUIRE_REFERENCE_PLATFORM") == "1":
        pytest.fail(f"{reason}: this run requires the reference platform (.ci/run on its own machine); if the "
                    f"packages changed on purpose, review the pictures and {UPDATE_HINT}")
    if reason:
        pytest.skip(reason)


@pytest.mark.parametrize("theme,path,code", [case for case in CASES if case[0] != FOURTH],
                         ids=[i for i, case in zip(IDS, CASES) if case[0] != FOURTH])
def test_first_page_matches_reference_picture(themed, theme, path, code, tmp_path, reference_platform):
    actual = first_page_png(themed(theme, path)[code].pdf, tmp_path / f"{theme}-{path.stem}-{code}.png",
                            dpi=REFERENCE_DPI)
    check_reference(actual, REFERENCES / actual.name)


@pytest.mark.parametrize("theme,path,name", LETTER_CASES, ids=[f"{t}-{p.stem}-{n}" for t, p, n in LETTER_CASES])
def test_letter_first_page_matches_reference_picture(themed, theme, path, name, tmp_path, reference_platform):
    """Each letter's first page as its reference picture shows it (a cover letter, a 자기소개서)."""
    actual = first_page_png(themed(theme, path)[name].pdf, tmp_path / f"{theme}-{path.stem}-{name}.png",
                            dpi=REFERENCE_DPI)
    check_reference(actual, REFERENCES / actual.name)


@pytest.mark.parametrize("theme,path,name", CAREER_CASES, ids=[f"{t}-{p.stem}-{n}" for t, p, n in CAREER_CASES])
def test_career_first_page_matches_reference_picture(themed, theme, path, name, tmp_path, reference_platform):
    """Each 경력기술서's first page as its reference picture shows it."""
    actual = first_page_png(themed(theme, path)[name].pdf, tmp_path / f"{theme}-{path.stem}-{name}.png",
                            dpi=REFERENCE_DPI)
    check_reference(actual, REFERENCES / actual.name)


@pytest.mark.parametrize("theme,path,name", CAREER_CASES, ids=[f"{t}-{p.stem}-{n}" for t, p, n in CAREER_CASES])
def test_career_description_prints_every_text_and_link(themed, theme, path, name):
    """Every text of the 경력기술서's view is in its PDF (the shared header, which prints the
    location, not the postal address), its links are exactly the view's, no line is too wide."""
    code = name.rsplit("-", 1)[1]
    output = themed(theme, path)[name]
    view = locale.localize_career(theme_view(path, code, theme))
    text = squash(pdf_text(output.pdf))
    fields = [t for t in texts(view) if t.path not in ("header.hometown", "header.address")]
    assert any(".projects[" in t.path for t in fields)
    assert [(t.path, markup.plain(t)) for t in fields if squash(markup.plain(t)) not in text] == []
    assert {link.url for link in pdf_links(output.pdf)} == {link.url for link in profile_links(view)}
    assert output.overfull == [] and output.missing_chars == [] and words_off_page(output.pdf) == []


def test_every_letter_has_a_reference_case():
    """The data profiles have letters, so the reference comparison above is not empty."""
    assert {name.split("-")[-1] for _, _, name in LETTER_CASES} == {"en", "ko"}
    assert len(LETTER_CASES) == 2 * len(BUILT_IN)
    assert {name for _, _, name in CAREER_CASES} == {"career-en", "career-ko"}
    assert len(CAREER_CASES) == 2 * len(BUILT_IN)


@pytest.mark.parametrize("theme,code", [(t, c) for t in BUILT_IN for c in ("en", "ko")])
def test_readme_pictures_are_current(themed, theme, code, tmp_path, reference_platform):
    """docs/themes/<theme>-<lang>.png (the README's Themes section) show the theme as it is."""
    actual = docs_picture(themed(theme, DOCS_PROFILE)[code].pdf, tmp_path / f"{theme}-{code}.png")
    check_reference(actual, DOCS / actual.name)
    assert f"docs/themes/{theme}-{code}.png" in (ROOT / "README.md").read_text("utf-8")


@pytest.mark.skipif(UPDATE, reason="CVTEX_UPDATE_REFERENCES=1: every platform is the reference")
def test_pictures_are_compared_on_the_reference_platform_only(tmp_path, monkeypatch):
    """Where platform.txt says this platform, pictures are compared; with one package
    version or the system changed in it, they are not, and the reason names it."""
    here = this_platform()
    assert here.startswith("os ") and "fonts-noto-cjk " in here
    other = tmp_path / "platform.txt"
    monkeypatch.setattr(sys.modules[__name__], "PLATFORM_FILE", other)
    other.write_text(here, encoding="utf-8")
    assert not_the_reference_platform() is None
    other.write_text(re.sub(r"(?m)^fonts-noto-cjk .*$", "fonts-noto-cjk 0:not-this-one", here), encoding="utf-8")
    assert "fonts-noto-cjk" in (not_the_reference_platform() or "")
    other.write_text(re.sub(r"(?m)^os .*$", "os not-this-system 0", here), encoding="utf-8")
    assert "os " in (not_the_reference_platform() or "")


def test_reference_check_can_fail(tmp_path):
    """The picture comparison notices one changed word, and a changed accent colour."""
    source = (ROOT / "data" / "example.yaml").read_text("utf-8")
    changed = {
        "word": source.replace("Backend engineer with six years", "Backend engineer with nine years"),
        "accent": source.replace("\nlocales: [en, ko]\n", '\nlocales: [en, ko]\ndesign: {accent_color: "#B91C1C"}\n'),
    }
    reference = REFERENCES / "modern-example-en.png"
    for what, text in changed.items():
        assert text != source, what
        path = tmp_path / what / "example.yaml"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        result = render_profile(path, output_dir=tmp_path / what, theme="modern", locales=["en"], cache=False)
        actual = first_page_png(result.outputs[0].pdf, tmp_path / f"{what}.png", dpi=REFERENCE_DPI)
        assert differing_fraction(actual, reference) > 3 * TOLERANCE, what
        with pytest.raises(AssertionError, match="CVTEX_UPDATE_REFERENCES=1"):
            assert_like_reference(actual, reference)


# ------------------------------------------------------------------- every field, long sections

def every_field_profile(entries: int) -> dict:
    """A bilingual profile with every section kind and every field, ``entries`` entries in
    each list section (long enough to run over pages), and every header contact (phone,
    websites, several networks: all of modern's icons)."""
    def text(en: str, ko: str) -> dict:
        return {"en": en, "ko": ko}

    n = range(entries)
    return {
        "locales": ["en", "ko"],
        "header": {"name": text("Minji Seo", "서민지"), "name_aliases": ["M. Seo"],
                   "headline": text("Research Scientist", "연구원"), "location": text("Daejeon, Korea", "대전"),
                   "emails": ["minji@example.com"], "phone": "+82 10-1234-5678",
                   "websites": [{"url": "https://example.com/minji", "label": "example.com/minji"},
                                "https://blog.example.org"],
                   "profiles": [{"network": "github", "username": "minji", "url": "https://github.com/minji"},
                                {"network": "linkedin", "url": "https://www.linkedin.com/in/minji"},
                                {"network": "google-scholar", "url": "https://scholar.google.com/citations?user=x_1"},
                                {"network": "orcid", "url": "https://orcid.org/0000-0002-1825-0097"},
                                {"network": "Mastodon", "url": "https://mastodon.example/@minji"}]},
        "summary": text("Works on *efficient* vision models; see [the lab](https://lab.example.com).",
                        "효율적인 비전 모델을 연구합니다. [연구실](https://lab.example.com) 참고."),
        "sections": [
            {"kind": "experience", "entries": [
                {"organization": text(f"Org {i}", f"기관 {i}"), "department": text("Vision", "비전"),
                 "location": text("Seoul", "서울"), "url": f"https://org.example.com/{i}",
                 "roles": [{"title": text(f"Role {i}.{j}", f"직무 {i}.{j}"), "team": text("Team", "팀"),
                            "department": text("Dept", "부서"), "location": text("Remote", "원격"),
                            "advisor": text("Prof. Kim", "김 교수"), "start": f"{2000 + i}-0{j + 1}",
                            "end": "present" if i == 0 else f"{2001 + i}-0{j + 1}",
                            "highlights": [text(f"Did thing {k} of role {i}.{j}, at some length to wrap the line "
                                                "in every theme and language.",
                                                f"직무 {i}.{j}의 {k}번째 일을 했으며 줄이 넘어가도록 조금 길게 씁니다.")
                                           for k in range(3)]} for j in range(2)]} for i in n]},
            {"kind": "education", "entries": [
                {"institution": text(f"University {i}", f"대학교 {i}"), "degree": text("Ph.D.", "박사"),
                 "area": text("Computer Science", "컴퓨터과학"), "location": text("Pohang", "포항"),
                 "url": f"https://uni.example.com/{i}", "score": "4.1/4.3",
                 "advisor": text("Prof. Lee", "이 교수"), "thesis": text(f"Thesis {i}", f"학위논문 {i}"),
                 "courses": [text("Vision", "비전"), text("Learning", "학습")],
                 "highlights": [text("Graduated with honors.", "우등 졸업.")],
                 "start": f"{1990 + i}-03", "end": f"{1994 + i}-02"} for i in n]},
            {"kind": "publications", "entries": [
                {"title": f"Paper number {i}: a study", "authors": ["M. Seo", "J. Doe", "A. Roe"],
                 "venue": text(f"Conference {i}", f"학술대회 {i}"), "doi": f"10.1000/xyz.{i}",
                 "url": f"https://papers.example.com/{i}", "note": text("Oral.", "구두 발표."),
                 **({"date": f"{2010 + i}-05"} if i % 4 else {})} for i in n]},
            {"kind": "projects", "entries": [
                {"name": text(f"Project {i}", f"프로젝트 {i}"), "organization": text("Lab", "연구실"),
                 "role": text("Lead", "책임"), "collaborators": ["A. Roe", "B. Poe"],
                 "summary": text("A summary of the project.", "프로젝트 요약."),
                 "links": [{"url": f"https://proj.example.com/{i}", "label": text("Code", "코드")}],
                 "highlights": [text("Shipped it.", "출시.")], "start": f"{2010 + i}", "end": f"{2011 + i}"}
                for i in n]},
            {"kind": "awards", "entries": [
                {"title": text(f"Award {i}", f"상 {i}"), "issuer": text("Society", "학회"),
                 "url": f"https://award.example.com/{i}", "summary": text("For work.", "업적."), "date": f"{2000 + i}"}
                for i in n]},
            {"kind": "talks", "entries": [
                {"title": text(f"Talk {i}?", f"발표 {i}"), "event": text("Workshop", "워크숍"),
                 "location": text("Busan", "부산"), "url": f"https://talk.example.com/{i}",
                 "summary": text("Invited.", "초청."), "date": f"{2000 + i}-11-0{1 + i % 9}"} for i in n]},
            {"kind": "teaching", "entries": [
                {"title": text(f"Course {i}", f"강의 {i}"), "institution": text("School", "학교"),
                 "role": text("Instructor", "강사"), "url": f"https://teach.example.com/{i}",
                 "summary": text("Taught.", "강의함."), "start": f"{2000 + i}-03", "end": f"{2000 + i}-06"}
                for i in n]},
            {"kind": "patents", "entries": [
                {"title": text(f"Patent {i}", f"특허 {i}"), "status": text("Granted", "등록"), "number": f"KR 10-{i}",
                 "holder": text("Company", "회사"), "inventors": ["M. Seo", "J. Doe"],
                 "url": f"https://patent.example.com/{i}", "date": f"{2000 + i}"} for i in n]},
            {"kind": "press", "entries": [
                {"title": text(f"Article {i}", f"기사 {i}"), "outlet": text("Daily", "일보"),
                 "url": f"https://press.example.com/{i}", "date": f"{2000 + i}-01"} for i in n]},
            {"kind": "skills", "entries": [
                {"label": text(f"Skill group {i}", f"기술 {i}"), "items": ["Python", "C++", text("Vision", "비전")]}
                for i in n]},
            {"kind": "languages", "entries": [{"language": text("Korean", "한국어"), "fluency": text("Native", "모국어")},
                                              {"language": text("English", "영어")}]},
            {"kind": "military", "entries": [
                {"status": "served", "branch": text("Army", "육군"), "rank": text("Sergeant", "병장"),
                 "specialty": text("Signal", "정보통신"), "start": "2012-03", "end": "2013-12"},
                {"status": "exempt", "exemption_reason": text("Medical grounds", "질병 사유")}]},
            {"kind": "certifications", "entries": [
                {"name": text(f"Certificate {i}", f"자격증 {i}"), "issuer": text("Agency", "공단"),
                 "number": f"CERT-{i}", "url": f"https://cert.example.com/{i}", "date": f"{2000 + i}-05-01",
                 "expires": f"{2030 + i}-05"} for i in n]},
            {"kind": "language-tests", "entries": [
                {"test": "TOEIC" if i % 2 else text(f"Test {i}", f"시험 {i}"), "score": "905" if i % 2 else f"B{i}+",
                 "language": text("English", "영어"), "number": f"R-{i}", "url": f"https://score.example.com/{i}",
                 "date": f"{2010 + i}-03-01", "expires": f"{2040 + i}-03-01"} for i in n]},
            {"kind": "custom", "title": text("Service", "봉사"), "entries": [
                {"title": text(f"Reviewer {i}", f"심사위원 {i}"), "subtitle": text("Journal", "학술지"),
                 "location": text("Online", "온라인"), "url": f"https://service.example.com/{i}",
                 "summary": text("Reviewed papers.", "논문 심사."), "highlights": [text("Ten papers.", "논문 10편.")],
                 "date": f"{2000 + i}"} for i in n]},
        ],
    }


@pytest.fixture(scope="module")
def every_field_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("every-field") / "every-field.yaml"
    path.write_text(yaml.safe_dump(every_field_profile(ENTRIES), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("theme", THEMES)
def test_every_field_of_every_kind_over_several_pages(themed, every_field_path, theme):
    """Every section kind and field, long sections: all text is on the pages, every link
    is there, nothing too wide, no glyph missing, and the long sections flow across pages
    (entries end with legal break points)."""
    outputs = themed(theme, every_field_path)
    for code, output in outputs.items():
        view = theme_view(every_field_path, code, theme)
        assert output.overfull == [] and output.missing_chars == [], code
        assert words_off_page(output.pdf) == [], code
        assert len(PdfReader(output.pdf).pages) >= 5, code
        text = theme_text(output.pdf, theme, code)
        assert PUA.findall(text) == [], code
        missing = [(t.path, markup.plain(t)) for t in printed_texts(view, theme)
                   if squash(markup.plain(t)) not in squash(text)]
        assert missing == [], code
        assert {link.url for link in pdf_links(output.pdf)} == {link.url for link in profile_links(view)}, code


def test_modern_icons_are_font_glyphs_with_actual_text(themed, every_field_path):
    """The modern PDFs really draw FontAwesome glyphs (so the text checks above test the
    ActualText), one marked-content span per contact item: location, e-mail, phone, two
    websites, five profiles."""
    pdf = themed("modern", every_field_path)["en"].pdf
    page = PdfReader(pdf).pages[0]
    fonts = [str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()]
    assert any("FontAwesome" in name for name in fonts), fonts
    content = page.get_contents().get_data()
    assert content.count(b"/Span<</ActualText<FEFF") == 10
    text = pdf_text(pdf, raw=True)
    assert "Email: minji@example.com" in text and "LinkedIn: linkedin.com/in/minji" in text
    assert "Mastodon: mastodon.example/@minji" in text  # an unknown network: a link icon, its name


#: Weights heavier than Bold in a font's PostScript name (``NotoSansCJKjp-Black``).
HEAVIER_THAN_BOLD = re.compile(r"-(Black|Heavy|ExtraBold|UltraBold)$")


def test_bold_faces_come_from_fontconfig():
    """:func:`cvtex.theme.fonts.bold_faces` names the faces of weight Bold (fontconfig 200) of the
    fonts cvtex's setup installs (DejaVu comes with fontconfig on Debian); nothing for a
    family fontconfig does not know."""
    assert fonts.bold_faces("TeX Gyre Heros") == {"BoldFont": "TeXGyreHeros-Bold",
                                                  "BoldItalicFont": "TeXGyreHeros-BoldItalic"}
    assert fonts.bold_faces("Noto Sans CJK KR") == {"BoldFont": "NotoSansCJKkr-Bold"}
    assert fonts.bold_faces("Noto Serif CJK KR") == {"BoldFont": "NotoSerifCJKkr-Bold"}
    # normal width before condensed; a condensed family's own faces; oblique for italic
    assert fonts.bold_faces("DejaVu Sans") == {"BoldFont": "DejaVuSans-Bold", "BoldItalicFont": "DejaVuSans-BoldOblique"}
    assert fonts.bold_faces("TeX Gyre Heros Cn") == {"BoldFont": "TeXGyreHerosCondensed-Bold",
                                                     "BoldItalicFont": "TeXGyreHerosCondensed-BoldItalic"}
    assert fonts.bold_faces("No Such Family") == {}


@pytest.mark.parametrize("theme", THEMES)
def test_bold_text_is_set_in_the_bold_face(themed, theme):
    """Bold Hangul (the name, the headings) is the Hangul family's Bold face, and no
    embedded font is a heavier weight: XeTeX's own choice for Noto Sans CJK KR's bold is
    its Black face when fonts-noto-cjk-extra is installed (Debian's fonts-noto-cjk
    recommends it), so the themes name the bold faces (``bold_faces``)."""
    reader = PdfReader(themed(theme, DOCS_PROFILE)["ko"].pdf)
    embedded = {re.sub(r"^/([A-Z]{6}\+)?|-Identity-H$", "", str(font.get_object()["/BaseFont"]))
                for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert [name for name in embedded if HEAVIER_THAN_BOLD.search(name)] == [], embedded
    assert any(re.fullmatch(r"NotoS(ans|erif)CJK\w*-Bold", name) for name in embedded), embedded


# ------------------------------------------------------------------- academic

def test_academic_publications_numbered_newest_first_with_the_owner_in_bold(themed, every_field_path):
    """Publications newest first (the only kind academic's theme.yaml sorts): an undated
    entry is a note of the dated entry before it and moves with it, undated entries before
    the first dated one stay first; numbers count down; the owner's alias is bold. Talks
    keep the profile's order."""
    output = themed("academic", every_field_path)["en"]
    order = [int(m) for m in re.findall(r"Paper number (\d+): a study", pdf_text(output.pdf, raw=True))]
    # every fourth paper is undated (0, 4, …); the dated ones are dated in index order
    groups = [[i] + ([i + 1] if (i + 1) % 4 == 0 and i + 1 < ENTRIES else []) for i in range(1, ENTRIES) if i % 4]
    assert order == [0] + [i for group in reversed(groups) for i in group]
    numbers = [int(m) for m in re.findall(r"^\[(\d+)\]", pdf_text(output.pdf, raw=True), re.MULTILINE)]
    assert numbers == list(range(ENTRIES, 0, -1))
    talks = [int(m) for m in re.findall(r"Talk (\d+)\?", pdf_text(output.pdf, raw=True))]
    assert talks == list(range(ENTRIES))
    view = locale.localize(profile.validate(loader.load(every_field_path))[0], "en")
    source = template.render(view, template.load_theme("academic")).text
    assert source.count(r"\cvowner{M. Seo}") == ENTRIES  # the owner's name, in bold:
    assert "\\newcommand\\cvowner[1]{\\textbf{#1}}\n" in source  # (the shared package, in the document)
    assert r"\cvowner{J. Doe}" not in source


def test_academic_section_order_puts_publications_first(themed):
    """NEEDS the theme ``section_order`` wiring (theme.yaml ``section_order: [publications]``
    placed first when the profile has no design.section_order): academic's outline starts
    with the summary, then the publications; the other sections keep the profile's order."""
    path = ROOT / "data" / "example.yaml"
    view = view_of(path, "en")
    titles = [item.title for item in PdfReader(themed("academic", path)["en"].pdf).outline]
    sections = [markup.plain(s.title) for s in view.sections]
    publications = [markup.plain(s.title) for s in view.sections if s.kind == "publications"]
    assert titles == [view.locale.sections["summary"]] + publications + [t for t in sections if t not in publications]


# ------------------------------------------------------------------- themes without TeX

#: The section kinds' entry macros and what ends each entry (shared package and themes):
#: a row keeps with what follows, so an entry must end with a legal break point.
ENTRY_MACROS = {"awards": "cvaward", "custom": "cvcustom", "education": "cveducation", "experience": "cvexperience",
                "languages": "cvlanguage", "patents": "cvpatent", "press": "cvpress", "projects": "cvproject",
                "publications": "cvpublication", "skills": "cvskill", "talks": "cvtalk", "teaching": "cvteaching",
                "military": "cvmilitary", "certifications": "cvcertification", "language-tests": "cvlanguagetest"}


def macro_bodies(text: str) -> dict[str, str]:
    """``{name: body}`` of every ``\\newcommand``/``\\renewcommand`` in a LaTeX package (the
    body: up to the next definition or comment line at the start of a line)."""
    found = {}
    for match in re.finditer(r"^\\(?:re)?newcommand\\(\w+)(.*?)(?=^\\|^%|\Z)", text, re.S | re.M):
        found[match.group(1)] = match.group(2)
    return found


#: A form theme's own templates: korean-form's 인적사항 header and its Korean section tables.
FORM_TEMPLATES = {"korean-form": ("_header.tex.j2", *(f"sections/{kind}.tex.j2" for kind in (
    "awards", "certifications", "education", "experience", "language-tests", "military", "skills")))}


@pytest.mark.parametrize("theme", BUILT_IN)
def test_theme_is_complete(theme):
    """A template for every section kind (the theme's or the shared base's), a one-line
    description for ``cvtex themes``, and the guarantees every theme keeps: text_fidelity
    after kotex, cvtex's link setup instead of hyperref (a sixth of XeLaTeX's work), the
    section destination, break points after entries. A built-in theme is its
    ``theme.yaml`` and ``theme.sty`` only: everything else comes from the shared base —
    except a form theme's own tables (:data:`FORM_TEMPLATES`), each of which sets the other
    locales with the shared base's template it replaces."""
    loaded = template.load_theme(theme)
    own = sorted(p.relative_to(loaded.path).as_posix() for p in loaded.path.rglob("*") if p.is_file())
    assert own == sorted(["theme.sty", "theme.yaml", *FORM_TEMPLATES.get(theme, ())])
    for name in FORM_TEMPLATES.get(theme, ()):
        assert f'((* include "_base/{name}" *))' in (loaded.path / name).read_text("utf-8"), name
    for kind in profile.SECTION_KINDS:
        assert loaded.find(f"sections/{kind}.tex.j2") is not None, kind
    description = loaded.config.description
    assert "\n" not in description and 20 <= len(description) <= 100 and description.endswith(".")
    source = loaded.find("cv.tex.j2").read_text("utf-8")
    preamble = loaded.find("_preamble.tex.j2").read_text("utf-8")
    for document in ("cv.tex.j2", "letter.tex.j2"):  # the CV and every letter: one preamble, one header
        text = loaded.find(document).read_text("utf-8")
        assert '((* include "_preamble.tex.j2" *))' in text and '((* include "_header.tex.j2" *))' in text, document
    shared = loaded.find("cvtex.sty").read_text("utf-8")
    assert "\\RequirePackage{kotex}" in shared and "{hyperref}" not in shared + source + preamble
    assert preamble.index("((( text_fidelity )))") > preamble.index("\\usepackage{cvtex}")
    assert "((( link_setup )))" in preamble and "{hyperref}" not in loaded.find("theme.sty").read_text("utf-8")
    assert "\\cvsection{((( destination(section) )))}" in source
    sections = macro_bodies(shared) | macro_bodies(loaded.find("theme.sty").read_text("utf-8"))
    assert "\\hypertarget{#1}{}" in sections["cvsection"]
    assert "\\pagebreak[0]" in sections["cventryend"]
    for kind, name in ENTRY_MACROS.items():
        shared_template = template.base_dir() / "sections" / f"{kind}.tex.j2"
        assert f"\\{name}{{" in (shared_template if f"sections/{kind}.tex.j2" in FORM_TEMPLATES.get(theme, ())
                                  else loaded.find(f"sections/{kind}.tex.j2")).read_text("utf-8"), kind
        body = sections[name]
        if "\\cvrow" in body or "\\cvdatedrow" in body:  # rows keep with what follows: a break point ends it
            assert "\\pagebreak[0]" in body or "\\cventryend" in body, (theme, name)
    assert "\\cventryend{#1}" in sections["cvdatedentry"]  # a dated entry ends with a break point
    for kind in ("awards", "custom", "press", "teaching", "patents", "military", "certifications",
                 "language-tests"):  # each of these is a dated entry
        assert f"\\cvdatedentry{{{kind}}}" in sections[ENTRY_MACROS[kind]], (theme, kind)


def test_section_templates_hold_no_formatting():
    """The shared section templates call macros only: no spacing, font, colour or page
    break commands (the themes' ``theme.sty`` decides how things look)."""
    base = template.base_dir()
    forbidden = re.compile(r"\\(vspace|hspace|pagebreak|small|large|footnotesize|textbf|textit|emph|color|"
                           r"fontsize|par\b|begin|end|hfill|quad)")
    for path in sorted([base / "cv.tex.j2", *(base / "sections").glob("*.tex.j2")]):
        text = re.sub(r"\(\(#.*?#\)\)", "", path.read_text("utf-8"), flags=re.S)
        found = [m.group() for m in forbidden.finditer(text) if m.group() not in ("\\begin", "\\end")
                 or path.name != "cv.tex.j2"]
        assert found == [], path.name


def test_icon_helper():
    icon = helpers.icon("f0e0", "Email:")
    assert icon.startswith("\\leavevmode\\special{pdf:literal direct /Span<</ActualText<FEFF0045006D00610069006C003A>>>BDC}")
    assert "\\XeTeXgenerateactualtext=0 \\cvicon{\\char\"F0E0\\relax}" in icon
    assert icon.endswith("\\special{pdf:literal direct EMC}")
    assert "<FEFFC11CC6B8>" in helpers.icon("F041", locale.Text("**서울**"))  # markup removed
    assert "<FEFF>" in helpers.icon("F041")
    for bad in ("F0E0}", "xyz", "110000", "F0"):
        with pytest.raises(ValueError):
            helpers.icon(bad)


def test_first_page_png(themed, tmp_path):
    """cvtex.build.preview: an A4 page at 100 dpi is 827 x 1170 pixels (ceil(595.28 / 72 * 100),
    ceil(841.89 / 72 * 100)), RGB, written atomically (nothing else left in the
    directory); a file that is no PDF is a clear error, and nothing is written."""
    from cvtex.diagnostics import ProfileError

    pdf = themed("modern", ROOT / "data" / "example.yaml")["en"].pdf
    target = tmp_path / "out" / "page.png"
    assert first_page_png(pdf, target) == target
    with Image.open(target) as image:
        assert image.format == "PNG" and image.mode == "RGB" and image.size == (827, 1170)
        assert image.getpixel((0, 0)) == (255, 255, 255)
    assert first_page_png(pdf, target, dpi=50) == target  # replaces the file
    with Image.open(target) as image:
        assert image.size == (414, 585)
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.png"]
    not_pdf = tmp_path / "cv.yaml"
    not_pdf.write_text("locales: [en]\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not a PDF"):
        first_page_png(not_pdf, tmp_path / "bad.png")
    with pytest.raises(ProfileError, match="cannot read"):
        first_page_png(tmp_path / "missing.pdf", tmp_path / "bad.png")
    with pytest.raises(ValueError):
        first_page_png(pdf, tmp_path / "bad.png", dpi=0)
    assert not (tmp_path / "bad.png").exists()


# ------------------------------------------------------------------- a theme of one's own, the shared base

def test_a_fourth_theme_is_its_design_only(themed, tmp_path, every_field_path):
    """A theme directory with a theme.yaml and a theme.sty renders with the shared base's
    templates and macros, in its own design: its paper (letter), fonts, footer and
    ``newest_first`` order (every other check of the built-in themes runs on it above)."""
    theme = write_fourth_theme(tmp_path / FOURTH)
    assert sorted(p.name for p in theme.iterdir()) == ["theme.sty", "theme.yaml"]
    loaded = template.load_theme(str(theme))
    assert loaded.find("cv.tex.j2") == template.base_dir() / "cv.tex.j2"
    assert loaded.find("theme.sty") == theme.resolve() / "theme.sty"
    outputs = themed(FOURTH, every_field_path)
    for code, output in outputs.items():
        reader = PdfReader(output.pdf)
        assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [612, 792], code  # letter
        embedded = " ".join(str(f.get_object()["/BaseFont"]) for page in reader.pages
                            for f in page["/Resources"]["/Font"].values())
        assert "TeXGyreSchola" in embedded and "Pagella" not in embedded, code
    text = pdf_text(outputs["en"].pdf, raw=True)
    assert [int(m) for m in re.findall(r"Talk (\d+)\?", text)] == list(range(ENTRIES - 1, -1, -1))  # newest first
    assert [int(m) for m in re.findall(r"Award (\d+)", text)] == list(range(ENTRIES))  # not listed: profile order


def test_a_theme_without_its_design_or_a_document_is_refused(tmp_path):
    theme = tmp_path / "bare"
    theme.mkdir()
    (theme / "theme.yaml").write_text(FOURTH_YAML, encoding="utf-8")
    with pytest.raises(ProfileError, match="the theme has no theme.sty"):
        template.load_theme(str(theme))
    (theme / "theme.yaml").write_text(FOURTH_YAML + "newest_first: [experience]\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="newest_first"):
        template.load_theme(str(theme))


def test_the_build_cache_key_covers_the_shared_base(tmp_path, monkeypatch):
    """Every file a theme uses is in its digest, the shared base's too: a changed byte in
    the base's package or a section template gives another key (and a theme's own file
    of the same name replaces the base's in it)."""
    from cvtex.build import cache
    from cvtex.theme import files

    root = tmp_path / "themes"
    shutil.copytree(template.themes_root(), root)
    monkeypatch.setattr(files, "themes_root", lambda: root)
    names = [name for name, _ in template.source_files(root / "classic")]
    assert names[:2] == ["theme.sty", "theme.yaml"] and "_base/cvtex.sty" in names
    assert "_base/sections/awards.tex.j2" in names
    digest = cache.theme_digest(root / "classic")
    for name in ("cvtex.sty", "sections/awards.tex.j2", "cv.tex.j2"):
        path = root / "_base" / name
        before = path.read_bytes()
        path.write_bytes(before + b"%")
        assert cache.theme_digest(root / "classic") != digest, name
        path.write_bytes(before)
    assert cache.theme_digest(root / "classic") == digest
    (root / "classic" / "cv.tex.j2").write_text("((# its own #))\n", encoding="utf-8")
    # the theme's own file, and the base's it replaces: a theme's template may include it as _base/cv.tex.j2
    assert {"cv.tex.j2", "_base/cv.tex.j2"} <= {name for name, _ in template.source_files(root / "classic")}
