"""Issue 3: the hostile string battery (tests/fixtures/hostile.py), validated and compiled for real.

Every string is either refused by validation with the reason its group names, or reaches
both PDFs as exactly the text written, in every field kind of the classic theme, on the
page. All literal strings go into one profile (one compile per locale), so the battery
takes seconds.
"""

from __future__ import annotations

import collections
import re
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

from .fixtures.hostile import (DATES_REFUSED, LITERAL, PARAGRAPH_ONLY, PARAGRAPH_REFUSED, REFUSED, URLS_KEPT,
                               URLS_NORMALIZED, URLS_REFUSED)
from .conftest import pdf_text
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
    too_long = [(s, reason) for reason, strings in PARAGRAPH_REFUSED.items() for s in strings]
    found = outcomes([s for s, _ in too_long], tmp_path, key="summary")
    assert [len(found.get(i, [])) == 1 and reason in found[i][0].message
            for i, (_, reason) in enumerate(too_long)] == [True] * len(too_long)

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


def test_refused_dates_say_why(tmp_path):
    """Issue 21 item 10: month or day 00, other digits than 0-9, spaces around: refused at
    the date, in its field, saying what is allowed."""
    found = outcomes(list(DATES_REFUSED), tmp_path, key="date")
    wrong = [(value, [d.message for d in found.get(i, [])]) for i, (value, reason) in enumerate(DATES_REFUSED.items())
             if len(found.get(i, [])) != 1 or reason not in found[i][0].message]
    assert wrong == []
    calendar = ("2020-13", "2021-02-29")  # the calendar's own words: "month must be in 1..12"
    assert all("YYYY" in found[i][0].message for i, value in enumerate(DATES_REFUSED) if value not in calendar)


def test_long_runs_long_urls_ties_and_slashes_in_real_pdfs(tmp_path):
    """Issue 21 items 7 and 5, in both PDFs: a URL of MAX_URL_LENGTH characters printed in
    the header (it failed XeLaTeX: one source line of 200,000+ characters) is all there and
    is the link; a space before "…" is a tie, so no line starts with the ellipsis; a line
    breaks after a slash between words rather than leaving a gap before a long run."""
    url = "https://example.com/" + "u" * 7980
    bullets_en = [" ".join(["lorem", "ipsum", "dolor", "sit", "amet", "consectetur"] * 3)[:60 + 3 * k].strip()
                  + " and more … the end" for k in range(30)]
    words = "저희 팀은 모바일 기기에서 동작하는 온디바이스 인공지능 모델을 연구하고 개발하며 현재 함께 일할 동료를 찾고".split()
    bullets_ko = [" ".join((words * 3)[:k // 2]) + " " + "가" * (k % 5) + " research/system/mobile engineer를 모집합니다"
                  for k in range(10, 40)]
    data = {"locales": ["en", "ko"], "header": {"name": "Long Runs", "websites": [url]},
            "sections": [{"kind": "custom", "title": "T", "entries": [
                {"title": "t", "highlights": [{"en": e, "ko": k} for e, k in zip(bullets_en, bullets_ko)]}]}]}
    result = render_profile(dump(data, tmp_path / "cv.yaml"), output_dir=tmp_path / "out")
    for output in result.outputs:
        assert url.split("//")[1] in visible_text(output.pdf, "Long Runs")
        assert url in {link.url for link in links.pdf_links(output.pdf)}
        lines = [line.strip() for line in pdf_text(output.pdf).splitlines()]
        assert not [line for line in lines if line.startswith("…")]
        if output.locale == "ko":
            assert sum(line.endswith("/") for line in lines) >= 5  # filled up to a slash
            assert not [line for line in lines if re.search(r"(research|system|mobile|engineer)\w", line)
                        and not re.search(r"(research|system|mobile|engineer)(/|\s|를|$)", line)]
        assert [o for o in output.overfull if o.points > 1] == []
    # the checks above can fail: the same bullets with a plain space before "…" (no tie) and
    # without the slash breaks start a line with "…" and leave lines ending before "research"
    from cvtex.theme import latex

    plain = "\\par\n".join(latex.escape(b).replace("~", " ") for b in bullets_en)
    source = ("\\documentclass{article}\\usepackage{fontspec}"
              "\\begin{document}\\raggedright\\hyphenpenalty=10000\n" + plain + "\n\\end{document}")
    build = tex.compile(source, tmp_path / "control")
    assert [line for line in pdf_text(build.pdf).splitlines() if line.strip().startswith("…")]


def test_a_source_line_longer_than_texs_buffer_fails():
    """Why :data:`cvtex.theme.latex.MAX_SOURCE_LINE` exists: one line of 200,001 characters
    stops XeLaTeX ("Unable to read an entire line"); the same text in lines of that bound
    does not."""
    body = "a\\penalty1000\\relax " * 10600
    with tempfile.TemporaryDirectory() as tmp:
        with pytest.raises(Exception, match="Unable to read an entire line"):
            tex.compile("\\documentclass{article}\\begin{document}" + body + "\\end{document}", Path(tmp))
    from cvtex.theme import latex

    with tempfile.TemporaryDirectory() as tmp:
        tex.compile("\\documentclass{article}\\begin{document}" + latex._source_lines(body) + "\\end{document}",
                    Path(tmp))


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
