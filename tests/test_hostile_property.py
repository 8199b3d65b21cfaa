"""Issue 3, property-based: arbitrary text in every field kind and arbitrary URLs are shown
exactly or refused by validation with a known reason — never a crash, a TeX error or a
different text. Examples that compile are real XeLaTeX runs (both locales), so their
count is bounded; each example puts several texts in every field kind at once.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvtex.theme import latex
from cvtex import links
from cvtex.schema import loader
from cvtex import localize as locale
from cvtex import theme as template
from cvtex.diagnostics import ProfileError
from cvtex.theme.fonts import theme_coverage
from cvtex.schema import SECTION_KINDS, validate
from cvtex.build.pipeline import load_profile, render_profile
from cvtex.schema import clean_text, normalize_url

from .fixtures.pdfs import KINDS, expected, marked, profile_with, visible_text, words_off_page

#: What validation may say when it refuses a text (any other message is a failure).
REASONS = ("control character", "bidirectional control character", "invisible formatting character",
           "is not a character", "no glyph for", "must not be empty", "link [..](", "too long for this field",
           "lone surrogate", "is already the text of the link")

SPECIALS = list("\\{}$&#^_~%*[]()<>|`'\"-/@!?.,;:=+") + ["^^", "\\input{/etc/passwd}", "**", "](", "—", "…", "·",
                                                          "“", "”", "①", "\u00a0", "\t", "\n", "\r", "\u2028"]
PIECES = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # ASCII
    st.sampled_from(SPECIALS),
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul syllables
    st.characters(min_codepoint=0xA0, max_codepoint=0x24F),  # Latin-1 and Latin Extended-A/B
    st.characters(),  # anything (mostly refused: no glyph)
)
TEXTS = st.one_of(
    st.lists(PIECES, min_size=1, max_size=30).map("".join),
    st.builds(lambda a, b, c: f"{a} **{b}** [*{c}*](https://example.com/{len(a)})",
              *(st.lists(PIECES, min_size=n, max_size=8).map("".join) for n in (0, 1, 1))),
)
COMPILING = settings(max_examples=12, deadline=None, derandomize=True, print_blob=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def coverage():
    return theme_coverage(template.load_theme("classic"), ["en", "ko"])


def refusals(texts: list[str], coverage) -> dict[int, str]:
    """Validate each text alone (as a custom entry title): {index: message} of the refused."""
    data = {"locales": ["en", "ko"], "header": {"name": "N"},
            "sections": [{"kind": "custom", "title": "T", "entries": [{"title": t} for t in texts]}]}
    doc = loader.loads(yaml.safe_dump(data, allow_unicode=True), "texts.yaml")
    try:
        validate(doc, glyphs=coverage)
    except ProfileError as exc:
        return {int(d.field.split("entries[")[1].split("]")[0]): d.message for d in exc.diagnostics}
    return {}


@pytest.mark.tex
@COMPILING
@given(texts=st.lists(TEXTS, min_size=1, max_size=4))
def test_any_text_is_shown_exactly_or_refused(coverage, texts):
    refused = refusals(texts, coverage)
    assert all(any(reason in message for reason in REASONS) for message in refused.values()), refused
    shown = [t for i, t in enumerate(texts) if i not in refused]
    if not shown:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "cv.yaml")
        path.write_text(yaml.safe_dump(profile_with(shown, name="Property"), allow_unicode=True), encoding="utf-8")
        for output in render_profile(path, output_dir=Path(tmp, "out")).outputs:
            text = visible_text(output.pdf, name="Property")
            missing = [(i, kind) for i, s in enumerate(shown) for kind in KINDS if expected(marked(i, kind, s)) not in text]
            assert missing == [], (output.locale, shown)
            assert words_off_page(output.pdf) == []
            assert [o for o in output.overfull if o.box == "page"] == []


URL_PATHS = st.lists(st.one_of(st.characters(min_codepoint=0x21, max_codepoint=0x7E), st.sampled_from(
    list("%#~_&") + ["%20", "%7E", "é", "한", " ", "\u202e", "\u200b"])), max_size=30).map("".join)
HOSTS = st.sampled_from(["https://example.com/", "http://example.org:8080/", "https://한국.kr/", "https://bücher.example/"])


@pytest.mark.tex
@COMPILING
@given(urls=st.lists(st.builds(str.__add__, HOSTS, URL_PATHS), min_size=1, max_size=6))
def test_any_url_reaches_the_link_annotation_exactly_or_is_refused(urls):
    kept = []
    for url in urls:
        try:
            kept.append((url, normalize_url(url)))
        except ValueError as exc:
            assert str(exc)  # a message, not a crash
    if not kept:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "cv.yaml")
        path.write_text(yaml.safe_dump(profile_with(["x"], kinds="a", links=[u for u, _ in kept]), allow_unicode=True),
                        encoding="utf-8")
        result = render_profile(path, output_dir=Path(tmp, "out"))
        prof = load_profile(path)[1]
        for output in result.outputs:
            in_pdf = {link.url for link in links.pdf_links(output.pdf)}
            assert in_pdf == {link.url for link in links.profile_links(locale.localize(prof, output.locale))}
            for written, ascii_form in kept:
                assert ascii_form in in_pdf
                if written.isascii() and not set(written) & set('"<>\\^`{|}'):
                    assert ascii_form == written  # % # ~ _ & and everything else ASCII kept exactly


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_escaped_text_has_no_active_character_left(text):
    """What :func:`cvtex.theme.latex.escape` makes of any cleaned text contains TeX's special
    characters only inside the escapes it is made of."""
    try:
        text = clean_text(text)
    except ValueError:
        return
    tex = latex.escape(text)
    inert = re.sub(r"\\(textbackslash|textasciicircum|textasciitilde)\{\}|\\[{}$&#_%]|\{[-\[\]]\}|"
                   r"\\penalty(1000|0)\\relax |%\n|~(?=\S)", "", tex)  # breaks, source line ends, ties
    assert not set(inert) & set("\\{}$&#^_~%"), tex


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.characters(), st.sampled_from(list(":-[]{}&*!|>'\"%@`#,?\n\t ") + ["\ufeff", "<<"])))
       .map("".join))
def test_any_file_content_loads_or_is_a_positioned_error(text):
    try:
        loader.loads(text, "cv.yaml")
    except ProfileError as exc:
        assert exc.diagnostics and all(d.file == "cv.yaml" and d.message for d in exc.diagnostics)


LEAF = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["2021-13", "present", "https://x.y/%", "", "~"]),
                 st.dictionaries(st.sampled_from(["en", "ko", "fr", "x"]), st.text(max_size=8), max_size=3))
FIELDS = ["title", "organization", "url", "start", "end", "date", "roles", "highlights", "summary", "doi", "label",
          "items", "authors", "location", "institution", "name", "kind", "entries", "orgnization"]
NODE = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner,
                                                                                     max_size=4), max_leaves=12)
PROFILES = st.fixed_dictionaries({
    "locales": st.one_of(st.just(["en", "ko"]), st.lists(st.sampled_from(["en", "ko", "ja", "EN"]), max_size=3)),
    "header": st.dictionaries(st.sampled_from(["name", "headline", "emails", "phone", "websites", "nam"]), NODE,
                              max_size=4),
    "sections": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(list(SECTION_KINDS) + ["skill"]),
                                                "entries": st.lists(NODE, max_size=3)}), max_size=3),
})


@settings(max_examples=200, deadline=None)
@given(PROFILES)
def test_any_profile_validates_or_is_a_list_of_positioned_errors(coverage, data):
    doc = loader.loads(yaml.safe_dump(data, allow_unicode=True), "cv.yaml")
    try:
        validate(doc, supported_locales=("en", "ko"), glyphs=coverage)
    except ProfileError as exc:
        errors = [d for d in exc.diagnostics if d.severity == "error"]
        assert errors and all(d.line >= 1 and d.column >= 1 and d.message for d in exc.diagnostics)
