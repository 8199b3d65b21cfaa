"""Issue 3: the hostile string battery (tests/fixtures/hostile.py), validated and compiled for real.

Every string is either refused by validation with the reason its group names, or reaches
both PDFs as exactly the text written, in every field kind of the classic theme, on the
page. All literal strings go into one profile (one compile per locale), so the battery
takes seconds.
"""

from __future__ import annotations

import collections
import tempfile
from pathlib import Path

import pytest
import yaml

from cvtex import tex
from cvtex import links
from cvtex.schema import loader
from cvtex import localize as locale
from cvtex.diagnostics import ProfileError, field_path
from cvtex.build.pipeline import load_profile, render_profile
from cvtex.schema import normalize_url

from .fixtures.hostile import LITERAL, PARAGRAPH_ONLY, REFUSED, URLS_KEPT, URLS_NORMALIZED, URLS_REFUSED
from .fixtures.pdfs import KINDS, expected, marked, profile_with, visible_text, words_off_page

pytestmark = pytest.mark.tex

REFUSED_STRINGS = [(s, reason) for reason, strings in REFUSED.items() for s in strings]
URLS = URLS_KEPT + list(URLS_NORMALIZED)


def dump(data: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=float("inf"), sort_keys=False), encoding="utf-8")
    return path


def outcomes(strings: list[str], tmp_path: Path, key: str = "title") -> dict[int, list]:
    """Validate one profile with each string as a custom entry's ``key`` (with the theme's
    glyph check): {entry index: [diagnostics]}; also checks each points at its entry."""
    data = {"locales": ["en", "ko"], "header": {"name": "Outcomes"},
            "sections": [{"kind": "custom", "title": "T", "entries": [{"title": "t", key: s} for s in strings]}]}
    path = dump(data, tmp_path / "outcomes.yaml")
    found: dict[int, list] = collections.defaultdict(list)
    try:
        load_profile(path)
    except ProfileError as exc:
        doc = loader.load(path)
        for d in exc.diagnostics:
            loc = ("sections", 0, "entries", int(d.field.split("entries[")[1].split("]")[0]), key)
            assert d.field == field_path(loc), d.format()
            assert d.line == doc.locate(loc).line, d.format()
            found[loc[3]].append(d)
    return found


def test_every_string_has_its_expected_outcome(tmp_path):
    """Literal strings validate; every other string is refused, once, in its own field,
    with its reason; the paragraph-only strings are literal in a summary and too long
    for a heading."""
    strings = LITERAL + [s for s, _ in REFUSED_STRINGS]
    found = outcomes(strings, tmp_path)
    wrong = [(repr(s), [d.message for d in found.get(i, [])]) for i, s in enumerate(LITERAL) if found.get(i)]
    for i, (s, reason) in enumerate(REFUSED_STRINGS, start=len(LITERAL)):
        messages = [d.message for d in found.get(i, [])]
        if len(messages) != 1 or reason not in messages[0]:
            wrong.append((repr(s), messages))
    assert wrong == []

    as_summary = outcomes(PARAGRAPH_ONLY, tmp_path, key="summary")
    as_title = outcomes(PARAGRAPH_ONLY, tmp_path, key="title")
    assert dict(as_summary) == {}
    assert sorted(as_title) == list(range(len(PARAGRAPH_ONLY)))
    assert all("too long for this field (at most 300" in d.message for ds in as_title.values() for d in ds)

    by_reason = collections.Counter(reason for _, reason in REFUSED_STRINGS)
    print(f"\nhostile battery: {len(strings) + len(PARAGRAPH_ONLY)} strings tried; {len(LITERAL)} literal in "
          f"{len(KINDS)} field kinds, {len(PARAGRAPH_ONLY)} literal in paragraphs and refused in headings; "
          f"{len(REFUSED_STRINGS)} refused: " + ", ".join(f"{n} {r}" for r, n in by_reason.items()))


@pytest.fixture(scope="module")
def battery(tmp_path_factory):
    """The literal battery in every field kind, the paragraph-only strings in paragraph
    kinds, and the URL battery, rendered in both locales."""
    tmp = tmp_path_factory.mktemp("battery")
    strings = LITERAL + PARAGRAPH_ONLY
    data = profile_with(LITERAL, links=URLS)
    extra = profile_with(PARAGRAPH_ONLY, kinds="cd")["sections"][0]["entries"]
    for i, entry in enumerate(extra, start=len(LITERAL)):  # renumber the paragraph-only markers
        entry.update(title=f"E{i}", summary=marked(i, "c", strings[i]), highlights=[marked(i, "d", strings[i])])
    data["sections"][0]["entries"] += extra
    path = dump(data, tmp / "battery.yaml")
    result = render_profile(path, output_dir=tmp / "out")
    return strings, result, {o.locale: o for o in result.outputs}, path


@pytest.mark.parametrize("code", ["en", "ko"])
def test_battery_is_literal_in_every_field_kind(battery, code):
    strings, _, outputs, _ = battery
    text = visible_text(outputs[code].pdf)
    missing = [(i, kind, repr(s)[:60]) for i, s in enumerate(strings)
               for kind in (KINDS if i < len(LITERAL) else "cd")
               if expected(marked(i, kind, s)) not in text]
    assert missing == []


@pytest.mark.parametrize("code", ["en", "ko"])
def test_battery_stays_on_the_page(battery, code):
    _, _, outputs, _ = battery
    output = outputs[code]
    assert words_off_page(output.pdf) == []
    assert [o for o in output.overfull if o.points > 1] == []
    assert output.missing_chars == []


@pytest.mark.parametrize("code", ["en", "ko"])
def test_battery_links_are_exact(battery, code):
    _, result, outputs, path = battery
    prof = load_profile(path)[1]
    # a link broken across lines is several annotations: compare the sets of URLs
    in_pdf = {link.url for link in links.pdf_links(outputs[code].pdf)}
    assert in_pdf == {link.url for link in links.profile_links(locale.localize(prof, code))}
    for url in URLS_KEPT:
        assert normalize_url(url) in in_pdf
        if url.startswith(("https://example.com/a_b", "https://example.com/~user")):
            assert url in in_pdf  # % # ~ _ & exactly as written
    for written, annotation in URLS_NORMALIZED.items():
        assert annotation in in_pdf


def test_refused_urls_say_why(tmp_path):
    found = outcomes(list(URLS_REFUSED), tmp_path, key="url")
    wrong = [(url, [d.message for d in found.get(i, [])]) for i, (url, reason) in enumerate(URLS_REFUSED.items())
             if len(found.get(i, [])) != 1 or reason not in found[i][0].message]
    assert wrong == []


def test_off_page_detector_sees_text_past_the_edge():
    """The page checks above are meaningful: pdftotext drops the glyphs past the page edge
    (so the text comparison fails) and the word crossing the edge is reported."""
    source = r"\documentclass{article}\begin{document}\noindent visible\hspace*{14cm}\mbox{PASTTHEEDGE}\end{document}"
    with tempfile.TemporaryDirectory() as tmp:
        build = tex.compile(source, Path(tmp))
        text = visible_text(build.pdf)
        assert "visible" in text and "PASTTHEEDGE" not in text
        assert [word[:4] for word in words_off_page(build.pdf)] == ["PAST"]


def test_a_link_inside_a_linked_title_is_refused(tmp_path):
    entries = [{"title": "See [the paper](https://example.com/p)", "url": "https://example.com/e"},
               {"title": "See [the paper](https://example.com/p)"}]
    data = {"locales": ["en"], "header": {"name": "N", "websites": [{"url": "https://example.com",
                                                                   "label": "[x](https://example.org)"}]},
            "sections": [{"kind": "custom", "title": "T", "entries": entries}]}
    with pytest.raises(ProfileError) as info:
        load_profile(dump(data, tmp_path / "cv.yaml"))
    assert [(d.field, d.message.split(",")[0]) for d in info.value.diagnostics] == [
        ("header.websites[0].label", "'label' is already the text of the link to 'url'"),
        ("sections[0].entries[0].title", "'title' is already the text of the link to 'url'"),
    ]
