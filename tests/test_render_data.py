"""Issue 2: every data profile x every locale, compiled for real and checked."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from cvtex.schema import loader
from cvtex import localize as locale
from cvtex.schema import markup
from cvtex import schema as profile
from cvtex.links import pdf_links, profile_links
from cvtex.localize import Text

from .conftest import DATA, pdf_text, squash

CASES = [(path, code) for path in DATA for code in profile.validate(loader.load(path))[0].locales]
IDS = [f"{p.stem}-{c}" for p, c in CASES]


def view_of(path, code):
    prof, _ = profile.validate(loader.load(path))
    return locale.localize(prof, code)


def texts(value, out=None, skip=None):
    """Every localized text value in a view that its document prints: a CV's without the
    fields only its 경력기술서 prints (:data:`cvtex.localize.view.CAREER_FIELDS`)."""
    from dataclasses import fields, is_dataclass

    from cvtex.localize.view import CAREER_FIELDS, CV, View

    if skip is None:
        skip = CAREER_FIELDS if isinstance(value, View) and value.document == CV else ()
    out = [] if out is None else out
    if isinstance(value, Text):
        out.append(value)
    elif is_dataclass(value):
        for f in fields(value):
            if f.name not in ("locale", "design", "locales", *skip):
                texts(getattr(value, f.name), out, skip)
    elif isinstance(value, list):
        for child in value:
            texts(child, out, skip)
    return out


def test_data_profiles_exist():
    assert {p.stem for p in DATA} >= {"example", "infra-backend", "ai-research"}


@pytest.mark.parametrize("path,code", CASES, ids=IDS)
def test_pdf_contains_every_text_field(rendered, path, code):
    output = rendered[(path.stem, code)]
    text = squash(pdf_text(output.pdf))
    # the default theme (classic) prints neither the hometown (never printed) nor the postal address
    # (a Korean form's field, tests/test_themes.py printed_texts)
    fields = [t for t in texts(view_of(path, code)) if t.path not in ("header.hometown", "header.address")]
    assert len(fields) > 10
    missing = [(t.path, markup.plain(t)) for t in fields if squash(markup.plain(t)) not in text]
    assert missing == []


#: The 경력기술서 of each data profile and locale that has one (a role with projects).
CAREERS = [(path, code) for path, code in CASES if locale.localize_career(view_of(path, code)) is not None]


def test_a_data_profile_has_a_career_description():
    assert {(p.stem, c) for p, c in CAREERS} >= {("experienced-hire", "en"), ("experienced-hire", "ko")}


@pytest.mark.parametrize("path,code", CAREERS, ids=[f"{p.stem}-{c}" for p, c in CAREERS])
def test_the_career_description_has_every_text_and_link_of_its_view(rendered, path, code):
    """The 경력기술서 prints every text of its view (organizations, roles, projects; the header
    but the hometown and the address) and has exactly its links."""
    output = rendered[(path.stem, f"career-{code}")]
    view = locale.localize_career(view_of(path, code))
    text = squash(pdf_text(output.pdf))
    fields = [t for t in texts(view) if t.path not in ("header.hometown", "header.address")]
    assert any(".projects[" in str(t.path) for t in fields)
    missing = [(t.path, markup.plain(t)) for t in fields if squash(markup.plain(t)) not in text]
    assert missing == []
    assert {link.url for link in pdf_links(output.pdf)} == {link.url for link in profile_links(view)}
    assert [b for b in output.overfull if b.points > 1.0] == [] and output.missing_chars == []


@pytest.mark.parametrize("path,code", CASES, ids=IDS)
def test_link_annotations_equal_profile_urls(rendered, path, code):
    output = rendered[(path.stem, code)]
    in_pdf = {link.url for link in pdf_links(output.pdf)}
    expected = {link.url for link in profile_links(view_of(path, code))}
    assert expected, "a data profile without links tests nothing"
    assert in_pdf == expected


@pytest.mark.parametrize("path,code", CASES, ids=IDS)
def test_log_has_no_missing_glyph_or_overfull_box(rendered, path, code):
    output = rendered[(path.stem, code)]
    assert [b for b in output.overfull if b.points > 1.0] == []
    assert output.missing_chars == []


@pytest.mark.parametrize("path,code", CASES, ids=IDS)
def test_metadata_language_and_outline(rendered, path, code):
    output = rendered[(path.stem, code)]
    view = view_of(path, code)
    reader = PdfReader(output.pdf)
    name = markup.plain(view.header.name)
    meta = reader.metadata
    assert meta.title == view.locale.document_title.format(name=name)
    assert meta.author == name
    assert meta.get("/Creator", "").startswith("cvtex ")
    assert reader.root_object["/Lang"] == {"en": "en-US", "ko": "ko-KR"}[code]
    opens = reader.root_object["/OpenAction"]  # the first page, whole
    assert opens[0].idnum == reader.pages[0].indirect_reference.idnum and opens[1:] == ["/Fit"]
    titles = [item.title for item in reader.outline]
    expected = ([view.locale.sections["summary"]] if view.summary else []) + [markup.plain(s.title) for s in view.sections]
    assert titles == expected
    assert output.bookmarks == len(expected)


def test_korean_pdf_uses_korean_name_and_dates(rendered):
    text = pdf_text(rendered[("infra-backend", "ko")].pdf)
    assert "박준범" in text
    assert "현재" in text and "2023. 9." in text
    english = pdf_text(rendered[("infra-backend", "en")].pdf)
    assert "Joonbeom Park" in english and "Sep 2023 – Present" in english
