"""Issue 21, defects 4 and 6: titles the profile sets per locale, and sorting that keeps notes.

* the document ``title`` (the PDF's Title, also in a bilingual PDF) and ``summary_title``
  (the summary's heading and bookmark), per locale;
* a title missing in a locale falls back to that locale's default (a section of a built-in
  kind prints its kind's title, 수상 rather than the English "Honors"); a ``custom`` section
  has no default and falls back through the profile's locales; ``validate`` says which;
* ``newest_first`` (theme.yaml) moves an undated entry together with the dated entry before
  it, keeps equal dates in the profile's order, and academic sorts only what it documents:
  publications.

The renders are real (XeLaTeX, ``cvtex render`` as a process); PDFs are read back with pypdf
(metadata, outline) and poppler's ``pdftotext`` (text).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from cvtex.diagnostics import ProfileError
from cvtex.localize import localize
from cvtex.schema import loads, validate
from cvtex.theme import load_theme
from cvtex.theme.config import builtin_themes
from cvtex.theme.templates import newest_first

from .conftest import PLAIN_ENV, ROOT, pdf_text, run_cvtex, squash

#: A team page, not a CV: its own document title and summary heading; titles given in
#: English only where a default exists (the Korean PDF must print the Korean defaults).
TEAM = """\
locales: [en, ko]
header:
  name: {en: Example Lab, ko: 예시 연구실}
title: {en: Example Lab — Team, ko: 예시 연구실 소개}
summary: {en: We build efficient vision models., ko: 효율적인 비전 모델을 만듭니다.}
summary_title: {en: About us}
sections:
  - kind: publications
    entries:
      - {title: Paper Alpha, date: 2019-05}
      - {title: Extended version of the first paper}
      - {title: Paper Beta, date: 2021-03}
      - {title: Paper Gamma, date: 2021-03}
  - kind: awards
    title: {en: Honors}
    entries:
      - {title: Award Old, date: 2015}
      - {title: Award New, date: 2022}
  - kind: custom
    title: {en: Service}
    entries:
      - {title: Reviewer for Example Journal, date: 2020}
"""


def view(text: str, code: str):
    profile, _ = validate(loads(text, "cv.yaml"))
    return localize(profile, code)


# ------------------------------------------------------------------ the view (no TeX)

def test_titles_the_profile_sets_and_their_per_locale_defaults():
    en, ko = view(TEAM, "en"), view(TEAM, "ko")
    assert (en.title, ko.title) == ("Example Lab — Team", "예시 연구실 소개")
    assert (en.summary_title, ko.summary_title) == ("About us", "요약")  # no ko text: the locale's default
    assert [s.title for s in en.sections] == ["Publications", "Honors", "Service"]
    # awards has a Korean kind title: never the English "Honors"; custom has none: the en text
    assert [s.title for s in ko.sections] == ["논문 및 출판", "수상", "Service"]
    assert type(en.title) is str  # metadata, never typeset: plain text, no field
    assert ko.sections[1].title.path == "sections[1].kind"  # the default names the kind, en's the title
    assert en.sections[1].title.path == "sections[1].title"


def test_without_titles_the_locale_defaults_as_before():
    plain = "locales: [en, ko]\nheader: {name: {en: Jiwoo Han, ko: 한지우}}\nsummary: Hi.\n"
    assert view(plain.replace("summary: Hi.\n", ""), "en").summary_title is None  # nothing to title
    assert (view(plain, "en").title, view(plain, "ko").title) == ("Jiwoo Han — CV", "한지우 이력서")
    assert (view(plain, "en").summary_title, view(plain, "ko").summary_title) == ("Summary", "요약")
    same = plain + "title: Jiwoo Han — Portfolio\nsummary_title: Profile\n"  # one text for every language
    assert {view(same, c).title for c in ("en", "ko")} == {"Jiwoo Han — Portfolio"}
    assert {view(same, c).summary_title for c in ("en", "ko")} == {"Profile"}


def test_validate_says_which_default_a_missing_locale_gets():
    _, warnings = validate(loads(TEAM, "cv.yaml"))
    found = {d.field: (d.line, d.column, d.message) for d in warnings}
    assert "title" not in found  # given in both locales: no warning
    assert found["summary_title"] == (6, 16, "no ko text: the ko PDF uses the locale's default summary heading "
                                             "instead")
    assert found["sections[1].title"][:2] == (15, 12)
    assert found["sections[1].title"][2] == "no ko text: the ko PDF uses the default title of awards sections instead"
    assert found["sections[2].title"][2] == "no ko text: the ko PDF falls back to another language"  # custom
    only_en = TEAM.replace("title: {en: Example Lab — Team, ko: 예시 연구실 소개}", "title: {en: Example Lab — Team}")
    _, warnings = validate(loads(only_en, "cv.yaml"))
    assert [d.message for d in warnings if d.field == "title"] == [
        "no ko text: the ko PDF uses the locale's default document title instead"]


def test_a_summary_title_without_a_summary_is_an_error_at_its_position():
    text = "locales: [en]\nheader: {name: Jiwoo Han}\nsummary_title: About me\n"
    with pytest.raises(ProfileError) as caught:
        validate(loads(text, "cv.yaml"))
    [problem] = caught.value.diagnostics
    assert (problem.line, problem.column, problem.field) == (3, 16, "summary_title")
    assert "has no 'summary'" in problem.message
    validate(loads(text + "summary: Hello.\n", "cv.yaml"))  # with a summary: fine


def test_a_link_in_the_document_title_is_refused_at_its_position():
    """The title is metadata only: a link there could never be clicked."""
    text = "locales: [en]\nheader: {name: Jiwoo Han}\ntitle: {en: 'Lab [site](https://example.com)'}\n"
    with pytest.raises(ProfileError) as caught:
        validate(loads(text, "cv.yaml"))
    [problem] = caught.value.diagnostics
    assert (problem.line, problem.field) == (3, "title")
    assert "the link [..](https://example.com) would be lost" in problem.message
    profile, _ = validate(loads(text.replace("[site](https://example.com)", "**site**"), "cv.yaml"))
    assert localize(profile, "en").title == "Lab site"  # other markup: removed


def test_title_fields_keep_the_text_rules():
    """The new fields are Text: at most 300 characters, no invisible characters."""
    base = "locales: [en]\nheader: {name: Jiwoo Han}\nsummary: Hi.\n"
    for field, value in (("title", "x" * 301), ("summary_title", '"a\\u200bb"')):
        with pytest.raises(ProfileError) as caught:
            validate(loads(base + f"{field}: {value}\n", "cv.yaml"))
        assert [d.field for d in caught.value.diagnostics] == [field]


def test_json_resume_export_names_the_titles_it_cannot_carry():
    from cvtex.interop.jsonresume import export_resume

    profile, _ = validate(loads(TEAM, "cv.yaml"))
    _, notes = export_resume(profile, "en")
    assert {n.path for n in notes} >= {"title", "summary_title"}
    plain, _ = validate(loads("locales: [en]\nheader: {name: Jiwoo Han}\n", "cv.yaml"))
    assert not {n.path for n in export_resume(plain, "en")[1]} & {"title", "summary_title"}


# ------------------------------------------------------------------ sorting (no TeX)

def entry(name: str, when: tuple[int, int, int] | None) -> SimpleNamespace:
    return SimpleNamespace(name=name, sort_date=when)


def names(entries) -> list[str]:
    return [e.name for e in entries]


def test_a_note_moves_with_the_dated_entry_before_it():
    entries = [entry("old", (2019, 5, 0)), entry("note of old", None), entry("note 2 of old", None),
               entry("new", (2021, 3, 0))]
    assert names(newest_first(entries)) == ["new", "old", "note of old", "note 2 of old"]


def test_undated_entries_before_the_first_dated_one_stay_first():
    entries = [entry("forthcoming", None), entry("in preparation", None), entry("old", (2010, 0, 0)),
               entry("new", (2020, 0, 0))]
    assert names(newest_first(entries)) == ["forthcoming", "in preparation", "new", "old"]


def test_equal_dates_keep_the_profile_order_and_precision_orders_within_a_year():
    entries = [entry("b", (2021, 3, 0)), entry("a", (2021, 3, 0)), entry("year only", (2021, 0, 0)),
               entry("may", (2021, 5, 0)), entry("ongoing", (9999, 0, 0)), entry("c", (2021, 3, 0))]
    assert names(newest_first(entries)) == ["ongoing", "may", "b", "a", "c", "year only"]
    assert names(newest_first([])) == []
    assert names(newest_first([entry("only note", None)])) == ["only note"]


def test_the_view_gives_the_date_entries_are_sorted_by():
    text = """\
locales: [en]
header: {name: Jiwoo Han}
sections:
  - kind: projects
    entries:
      - {name: A, start: 2019-05}
      - {name: B, start: 2018, end: present}
      - {name: C, date: 2020-01-02}
      - {name: D}
"""
    assert [e.sort_date for e in view(text, "en").sections[0].entries] == [
        (2019, 5, 0), (9999, 0, 0), (2020, 1, 2), None]


def test_the_docs_say_what_each_built_in_theme_sorts():
    """docs/themes.md's table of what each theme sorts is each theme.yaml's newest_first,
    and academic sorts only the publications its description promises."""
    docs = (ROOT / "docs" / "themes.md").read_text("utf-8")
    table = dict(re.findall(r"^\| ([\w-]+) \| (.+?) \| .+? \|$", docs.split("What each theme sorts", 1)[1], re.M))
    for name in builtin_themes():
        sorted_kinds = re.findall(r"`([\w-]+)`", table[name])
        assert sorted_kinds == load_theme(name).config.newest_first, name
    assert load_theme("academic").config.newest_first == ["publications"]
    assert "publications" in load_theme("academic").config.description


# ------------------------------------------------------------------ real renders

@pytest.fixture(scope="module")
def team_pdfs(tmp_path_factory) -> dict[str, Path]:
    """TEAM rendered with academic (the theme that sorts), en, ko and bilingual."""
    work = tmp_path_factory.mktemp("titles")
    (work / "team.yaml").write_text(TEAM, encoding="utf-8")
    done = run_cvtex("render", "team.yaml", "--theme", "academic", "--offline", "--bilingual", "-q",
                     cwd=work, env=PLAIN_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    return {code: work / "out" / f"team-{code}.pdf" for code in ("en", "ko", "bilingual")}


def outline_titles(items) -> list:
    return [outline_titles(i) if isinstance(i, list) else str(i.title) for i in items]


@pytest.mark.tex
def test_the_pdf_title_and_headings_are_the_profiles_per_locale(team_pdfs):
    en, ko = PdfReader(team_pdfs["en"]), PdfReader(team_pdfs["ko"])
    assert (en.metadata.title, ko.metadata.title) == ("Example Lab — Team", "예시 연구실 소개")
    assert outline_titles(en.outline) == ["About us", "Publications", "Honors", "Service"]
    assert outline_titles(ko.outline) == ["요약", "논문 및 출판", "수상", "Service"]
    en_text, ko_text = squash(pdf_text(team_pdfs["en"])), squash(pdf_text(team_pdfs["ko"]))
    for heading in ("Aboutus", "Honors", "Service"):
        assert heading in en_text
    for heading in ("요약", "수상", "Service"):
        assert heading in ko_text
    for english_only in ("Aboutus", "Honors", "Summary", "CV"):
        assert english_only not in ko_text, english_only
    assert "이력서" not in ko_text


@pytest.mark.tex
def test_the_bilingual_pdf_joins_the_titles_of_its_parts(team_pdfs):
    merged = PdfReader(team_pdfs["bilingual"])
    assert merged.metadata.title == "예시 연구실 소개 / Example Lab — Team"
    assert outline_titles(merged.outline) == ["한국어", ["요약", "논문 및 출판", "수상", "Service"],
                                              "English", ["About us", "Publications", "Honors", "Service"]]


@pytest.mark.tex
def test_academic_sorts_publications_only_and_keeps_a_note_with_its_paper(team_pdfs):
    text = pdf_text(team_pdfs["en"], raw=True)
    papers = re.findall(r"Paper (?:Alpha|Beta|Gamma)|Extended version", text)
    # newest first; Beta and Gamma share a date (profile order); the note follows Alpha
    assert papers == ["Paper Beta", "Paper Gamma", "Paper Alpha", "Extended version"]
    assert re.findall(r"Award (?:Old|New)", text) == ["Award Old", "Award New"]  # awards: the profile's order


@pytest.mark.tex
def test_titles_with_tex_and_pdf_specials_are_kept_as_written(tmp_path):
    """The document title goes into the PDF's Info dictionary (a PDF text string: parentheses
    and backslashes escaped by pypdf, non-Latin-1 as UTF-16), the summary heading through
    the same escaping as every printed text."""
    title = r"Lab (50% & #1) \relax ~ Ünïcode 한글 — “quoted”"
    heading = r"About {us} $x$ \textbf{no} 50% & #1"
    (tmp_path / "odd.yaml").write_text(
        "locales: [en]\nheader: {name: Jiwoo Han}\nsummary: Hello.\n"
        f"title: '{title}'\nsummary_title: '{heading}'\n", encoding="utf-8")
    done = run_cvtex("render", "odd.yaml", "--offline", "-q", cwd=tmp_path, env=PLAIN_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    pdf = tmp_path / "out" / "odd-en.pdf"
    reader = PdfReader(pdf)
    assert reader.metadata.title == title
    assert outline_titles(reader.outline) == [heading]
    assert squash(heading) in squash(pdf_text(pdf))


@pytest.mark.tex
def test_a_link_in_the_summary_heading_is_in_the_pdf_and_the_link_check(tmp_path):
    """The summary heading is printed like a section title: a [..](..) link in it is a link
    annotation, and the link check expects it (no 'missing'/'unexpected' link)."""
    (tmp_path / "linked.yaml").write_text(
        "locales: [en]\nheader: {name: Jiwoo Han}\nsummary: Hello.\n"
        "summary_title: '[About](https://example.com/about) me'\n", encoding="utf-8")
    done = run_cvtex("render", "linked.yaml", "--offline", "-q", cwd=tmp_path, env=PLAIN_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    from cvtex.links import pdf_links

    assert [link.url for link in pdf_links(tmp_path / "out" / "linked-en.pdf")] == ["https://example.com/about"]
