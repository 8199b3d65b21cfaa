"""Issue 21: the layout audit — pages measured, not compared as pixels.

Every built-in theme x locale x profile (the data profiles and the stress profile
``tests/fixtures/layout/stress.yaml``: long wrapping titles in every section kind, mixed
Hangul/Latin runs, long URLs, every field, 6-10 pages) is rendered for real once per module,
with the letters of the profiles (``data/application.yaml``'s cover letter and 자기소개서, each
in its locale: ``<stem>-letter-<id>-<lang>.pdf``, measured like the CVs), and each PDF goes
through the five checks of :mod:`tests.fixtures.layout`, one test each:

a. even line pitch: no line closer to the line above it than the leading of its size
   (LaTeX's size file times kotex's ``\\linespread`` in Korean);
b. no text outside the text block (the theme's margins and footskip; the footer in its place)
   and no text over other text;
c. no page but the last more than 30 % empty;
d. every link drawn in another colour than the body text, or underlined;
e. no section heading (the PDF outline's titles) as the last line of a page.

Each check is proven to fail on a small real page made to break it (``tests/fixtures/layout/*.tex``,
compiled with the real ``xelatex``), and a clean page passes them all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from cvtex import schema as profile
from cvtex import theme as template
from cvtex.build.pipeline import render_profile
from cvtex.schema import loader

from .conftest import DATA, ROOT
from .fixtures import layout

pytestmark = pytest.mark.tex

FIXTURES = ROOT / "tests" / "fixtures" / "layout"
STRESS = FIXTURES / "stress.yaml"
THEMES = template.builtin_themes()
PROFILES = DATA + [STRESS]


def documents(path: Path) -> list[tuple[str, str]]:
    """What a render of ``path`` writes: ``(name, kind)`` — name as
    :attr:`cvtex.build.results.Output.name` — of each locale's CV (``("en", "cv")``), then of
    each letter in each of its locales that the profile renders
    (``("letter-<id>-en", "cover-letter")``), then the 경력기술서 of each locale whose
    experience has projects (``("career-en", "career")``)."""
    from cvtex.localize import localize, localize_career

    prof = profile.validate(loader.load(path))[0]
    return [*((code, "cv") for code in prof.locales),
            *((f"letter-{letter.id}-{code}", letter.kind) for letter in prof.letters
              for code in prof.letter_locales(letter) if code in prof.locales),
            *((f"career-{code}", "career") for code in prof.locales
              if localize_career(localize(prof, code)) is not None)]


CASES = [(theme, path, name) for theme in THEMES for path in PROFILES for name, _ in documents(path)]
IDS = [f"{t}-{p.stem}-{c}" for t, p, c in CASES]
#: The PDFs with an outline, whose headings check e looks for: all but the cover letters
#: (one page without headings; tests/test_letter_render.py checks their outline is empty).
HEADED = [(theme, path, name) for theme in THEMES for path in PROFILES for name, kind in documents(path)
          if kind != "cover-letter"]
HEADED_IDS = [f"{t}-{p.stem}-{c}" for t, p, c in HEADED]
#: Problems a failure message lists (the count is always given).
SHOWN = 12


@dataclass(frozen=True)
class Audited:
    """One rendered PDF, measured: its pages, text block, leading and section titles."""

    pdf: Path
    pages: list[layout.Page]
    block: layout.TextBlock
    leading: layout.Leading
    titles: list[str]


def footskip(theme: template.Theme) -> str:
    """The footskip the theme gives geometry (``\\cvtexpage{includefoot,footskip=7mm}`` in its
    theme.sty)."""
    sty = theme.find(template.THEME_PACKAGE)
    assert sty is not None
    match = re.search(r"\\cvtexpage\{[^}]*footskip=([\d.]+\s*(?:mm|cm|in|pt|bp))", sty.read_text("utf-8"))
    assert match, f"{sty}: no footskip in \\cvtexpage"
    return match.group(1)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """``audited(theme, profile_path)`` -> ``{name: Audited}`` (:attr:`cvtex.build.results.Output.name`:
    ``en``, ``letter-<id>-en``): each (theme, profile) rendered once per module (all locales
    and letters in one render, through cvtex's build cache)."""
    out_dir = tmp_path_factory.mktemp("layout-audit")
    done: dict[tuple[str, Path], dict[str, Audited]] = {}

    def get(theme_name: str, path: Path) -> dict[str, Audited]:
        if (theme_name, path) not in done:
            theme = template.load_theme(theme_name)
            design = profile.validate(loader.load(path))[0].design
            result = render_profile(path, output_dir=out_dir / theme_name, theme=theme_name)
            done[(theme_name, path)] = {}
            for output in result.outputs:
                values = template.design_values(theme, design, output.locale)
                pages = layout.read_pages(output.pdf)
                block = layout.TextBlock.from_geometry(pages[0].width, pages[0].height, str(values.margins),
                                                       footskip(theme))
                spread = layout.kotex_linespread() if output.locale == "ko" else 1.0
                titles = [item.title for item in PdfReader(output.pdf).outline]
                done[(theme_name, path)][output.name] = Audited(output.pdf, pages, block,
                                                                layout.Leading(str(values.font_size), spread), titles)
        return done[(theme_name, path)]

    return get


def report(what: str, problems: list[str]) -> str:
    shown = "\n  ".join(problems[:SHOWN])
    more = f"\n  … and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    return f"{len(problems)} {what}:\n  {shown}{more}"


# ------------------------------------------------------------------- every theme x profile x locale

@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_line_pitch_is_never_below_the_leading(audited, theme, path, code):
    a = audited(theme, path)[code]
    problems = layout.tight_line_pitches(a.pages, a.leading)
    assert problems == [], report("lines closer than the leading to the line above (check a)", problems)


@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_no_text_outside_the_text_block(audited, theme, path, code):
    a = audited(theme, path)[code]
    problems = layout.text_outside_block(a.pages, a.block)
    assert problems == [], report(f"lines outside the text block {a.block} (check b)", problems)


@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_no_text_over_other_text(audited, theme, path, code):
    a = audited(theme, path)[code]
    problems = layout.overlapping_text(a.pages)
    assert problems == [], report("places where text is drawn over text (check b)", problems)


@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_no_page_but_the_last_is_more_than_30_percent_empty(audited, theme, path, code):
    a = audited(theme, path)[code]
    problems = layout.empty_pages(a.pages, a.block)
    assert problems == [], report("pages left too empty (check c)", problems)


@pytest.mark.parametrize("theme,path,code", CASES, ids=IDS)
def test_links_are_visibly_marked(audited, theme, path, code):
    a = audited(theme, path)[code]
    assert sum(len(page.links) for page in a.pages) > 0, "no link annotation: the check would test nothing"
    problems = layout.unmarked_links(a.pages)
    assert problems == [], report("links that look like body text (check d)", problems)


@pytest.mark.parametrize("theme,path,code", HEADED, ids=HEADED_IDS)
def test_headings_never_end_a_page(audited, theme, path, code):
    a = audited(theme, path)[code]
    found = layout.headings(a.pages, a.titles)
    starts = {layout.reading_key(line.text) for line in found}
    missing = [t for t in a.titles if not any(layout.reading_key(t).startswith(start) for start in starts)]
    assert a.titles and missing == [], f"headings not found on the pages: {missing}"
    problems = layout.headings_ending_pages(a.pages, a.block, a.titles)
    assert problems == [], report("headings at the bottom of a page (check e)", problems)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("code", ["en", "ko"])
def test_stress_profile_runs_over_pages_and_its_leading_is_the_model(audited, theme, code):
    """The stress profile is long (4 pages or more), and the leading the checks assume
    (:class:`layout.Leading`: LaTeX's size file x kotex's linespread) is what TeX did: the most
    common pitch between two body-size lines of its pages (its wrapped paragraphs)."""
    a = audited(theme, STRESS)[code]
    assert len(a.pages) >= 4
    size = layout.body_size(a.pages)
    measured = layout.mode_pitch(a.pages, size)
    assert measured is not None and abs(measured - a.leading(size)) <= layout.PITCH_TOLERANCE, (measured,
                                                                                                a.leading(size))


# ------------------------------------------------------------------- each check can fail

def compile_page(name: str, directory: Path) -> list[layout.Page]:
    """``tests/fixtures/layout/<name>.tex`` compiled by the real ``xelatex`` in ``directory``
    (no shell escape), measured."""
    xelatex = shutil.which("xelatex")
    assert xelatex, "xelatex is not installed"
    run = subprocess.run([xelatex, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                          str(FIXTURES / f"{name}.tex")], cwd=directory, capture_output=True, text=True,
                         env={**os.environ, "TEXINPUTS": f"{FIXTURES}:"}, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-2000:]
    return layout.read_pages(directory / f"{name}.pdf")


#: The negative pages' geometry (tests/fixtures/layout/preamble.tex) and leading (10pt article).
NEGATIVE_MARGINS, NEGATIVE_FOOTSKIP, NEGATIVE_LEADING = "20mm", "10mm", layout.Leading("10pt")


def negative_block(pages: list[layout.Page]) -> layout.TextBlock:
    return layout.TextBlock.from_geometry(pages[0].width, pages[0].height, NEGATIVE_MARGINS, NEGATIVE_FOOTSKIP)


def all_checks(pages: list[layout.Page], titles: list[str]) -> dict[str, list[str]]:
    block = negative_block(pages)
    return {"pitch": layout.tight_line_pitches(pages, NEGATIVE_LEADING),
            "outside": layout.text_outside_block(pages, block), "overlap": layout.overlapping_text(pages),
            "empty": layout.empty_pages(pages, block), "links": layout.unmarked_links(pages),
            "headings": layout.headings_ending_pages(pages, block, titles)}


def test_a_clean_page_passes_every_check(tmp_path):
    """Control: a page with a heading, paragraphs and a coloured and an underlined link passes
    all checks, and its paragraphs are set at the leading the model gives (12 pt at 10 pt)."""
    pages = compile_page("clean", tmp_path)
    assert all_checks(pages, ["Heading Title"]) == {k: [] for k in ("pitch", "outside", "overlap", "empty", "links",
                                                                  "headings")}
    size = layout.body_size(pages)
    assert abs(size - 10 * layout.PT) < 0.05
    assert abs(layout.mode_pitch(pages, size) - NEGATIVE_LEADING(size)) <= layout.PITCH_TOLERANCE
    assert abs(NEGATIVE_LEADING(size) - 12 * layout.PT) < 1e-9
    assert len(layout.headings(pages, ["Heading Title"])) == 1


def test_check_a_finds_the_inverted_spacing_of_a_wrapped_row(tmp_path):
    """classic's old row: the award's wrapped line at 12 pt, the next award closer under it."""
    pages = compile_page("pitch", tmp_path)
    problems = layout.tight_line_pitches(pages, NEGATIVE_LEADING)
    assert len(problems) == 1, problems
    assert "'Ministry of Science and ICT' (it is 12.0 pt under its own line above) to '2019 T Academy" in problems[0]
    pitch = float(re.search(r"baseline pitch ([\d.]+) pt", problems[0]).group(1))
    assert pitch < 12 * layout.PT - layout.PITCH_TOLERANCE


def test_check_b_finds_text_outside_the_text_block(tmp_path):
    pages = compile_page("outside", tmp_path)
    problems = layout.text_outside_block(pages, negative_block(pages))
    assert len(problems) == 2, problems
    assert "'Marginword' ends at x" in problems[0] and "right of the block's" in problems[0]
    assert "'A last line in the footer’s space.' baseline below the block's bottom" in problems[1]


def test_check_b_finds_text_over_text(tmp_path):
    pages = compile_page("overlap", tmp_path)
    problems = layout.overlapping_text(pages)
    assert len(problems) == 2, problems
    assert "overlaps 'T' of 'This line is pulled up" in problems[0]
    assert "'W' drawn over 'W'" in problems[1]


def test_check_c_finds_a_page_left_empty(tmp_path):
    pages = compile_page("empty", tmp_path)
    assert len(pages) == 2
    problems = layout.empty_pages(pages, negative_block(pages))
    assert len(problems) == 1 and problems[0].startswith("page 1: "), problems
    assert "'The last line of the first page.'" in problems[0]


def test_check_d_finds_a_link_drawn_as_body_text(tmp_path):
    """Of three links, only the one in the body colour without an underline is reported."""
    pages = compile_page("links", tmp_path)
    assert sorted(link.uri for page in pages for link in page.links) == [
        "https://example.com/coloured", "https://example.com/plain", "https://example.com/underlined"]
    problems = layout.unmarked_links(pages)
    assert len(problems) == 1 and "link https://example.com/plain drawn as body text" in problems[0], problems


def test_check_e_finds_a_heading_at_the_bottom_of_a_page(tmp_path):
    pages = compile_page("heading", tmp_path)
    problems = layout.headings_ending_pages(pages, negative_block(pages), ["Heading Title"])
    assert len(problems) == 1 and "the heading 'Heading Title' is the last line of the page" in problems[0], problems
    assert layout.headings_ending_pages(pages, negative_block(pages), ["Another Title"]) == []
