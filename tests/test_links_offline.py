"""Issue 4, offline half: link annotations of real PDFs against the profile, internal
destinations, URI syntax, policy files. Every PDF here is compiled by XeLaTeX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvtex.build import cache
from cvtex import tex
from cvtex.theme import latex
from cvtex import links
from cvtex.cli.commands import app
from cvtex.diagnostics import ProfileError
from cvtex.links import ProfileLink, Target

from .conftest import DATA, pdf_text, use_cache_dir

PREAMBLE = r"""\documentclass{article}
\usepackage{fontspec}
\usepackage[hidelinks]{hyperref}
\begin{document}
"""


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """No test reads or writes the user's link cache."""
    use_cache_dir(tmp_path / "cache", monkeypatch)


def compile_pdf(tmp_path: Path, body: str, name: str = "doc") -> Path:
    return tex.compile(PREAMBLE + body + "\n\\end{document}\n", tmp_path / name, jobname=name).pdf


# ------------------------------------------------------------------ escaping bug


@pytest.fixture(scope="module")
def escaped_pdf(tmp_path_factory):
    """A PDF whose first link went through an escaping bug: ``\\detokenize`` keeps the
    backslash of ``\\_``, so the annotation says ``a\\_b`` where the profile says ``a_b``."""
    tmp = tmp_path_factory.mktemp("escaped")
    body = (r"\href{\detokenize{https://example.com/a\_b}}{broken} "
            + latex.href("https://example.com/fine_%20~x", "fine") + " "
            + latex.href("https://example.org/only-in-pdf/totally/different", "extra"))
    return compile_pdf(tmp, body)


ESCAPED_EXPECTED = [
    ProfileLink("https://example.com/a_b", "header.websites[0].url"),
    ProfileLink("https://example.com/fine_%20~x", "sections[0].entries[0].url"),
    ProfileLink("mailto:someone@example.com", "header.emails[0]"),
]


def test_the_escaping_bug_really_is_in_the_pdf(escaped_pdf):
    assert {link.url for link in links.pdf_links(escaped_pdf)} == {
        "https://example.com/a\\_b", "https://example.com/fine_%20~x", "https://example.org/only-in-pdf/totally/different"}


def test_url_altered_by_one_escaped_character_is_an_error(escaped_pdf):
    report = links.check_links([Target(escaped_pdf, ESCAPED_EXPECTED)], offline=True)
    by_url = report.by_url()

    altered = by_url["https://example.com/a\\_b"]
    assert altered.status == "altered" and altered.severity == "error"
    assert altered.expected == "https://example.com/a_b"
    assert altered.fields == ["header.websites[0].url"]
    assert len(altered.messages) == 2
    assert "characters no URI may contain (RFC 3986 §2): '\\\\'" in altered.messages[0]
    assert "differs from the profile's https://example.com/a_b — at character 22 the PDF adds '\\\\'" \
        in altered.messages[1]
    # The profile's URL is reported once, as the altered link — not again as missing.
    assert "https://example.com/a_b" not in by_url

    assert by_url["https://example.com/fine_%20~x"].status == "offline"
    assert by_url["https://example.org/only-in-pdf/totally/different"].status == "extra"
    assert by_url["mailto:someone@example.com"].status == "missing"
    assert report.failed() and len(report.errors) == 3
    # Errors come first in the report.
    assert [r.severity for r in report.results] == ["error"] * 3 + ["ok"]


def test_describe_difference_names_the_characters():
    assert links.describe_difference("https://x.org/50%25", "https://x.org/50%2525") == \
        "at character 20 the PDF adds '25'"
    assert links.describe_difference("https://x.org/a~b", "https://x.org/a b") == \
        "at character 16 the PDF has ' ' where the profile has '~'"


# ------------------------------------------------------------------ split links

LONG_URL = "https://example.com/a/very/long/path/that/has/to/break/across/several/lines/of/the/narrow/box"


@pytest.fixture(scope="module")
def split_pdf(tmp_path_factory):
    """A long ``\\href`` in a 3 cm box (xdvipdfmx writes one annotation per line), and a
    long link text that runs over a page break."""
    tmp = tmp_path_factory.mktemp("split")
    words = " ".join(["word"] * 160)
    body = (r"\parbox{3cm}{\raggedright " + latex.href(LONG_URL, latex.url_text(LONG_URL)) + "}\n\n"
            r"\vspace*{17cm}" + "\n\n" + latex.href("https://example.org/across-pages", words))
    return compile_pdf(tmp, body)


def test_split_url_is_one_link_with_every_piece(split_pdf):
    pieces = [link for link in links.pdf_links(split_pdf) if link.url == LONG_URL]
    assert len(pieces) >= 3, "the box should split the link over several lines"
    assert len({piece.rect for piece in pieces}) == len(pieces)

    report = links.check_links([Target(split_pdf, [ProfileLink(LONG_URL, "header.websites[0].url"),
                                                   ProfileLink("https://example.org/across-pages", "summary")])],
                               offline=True)
    assert [r.url for r in report.results] == [LONG_URL, "https://example.org/across-pages"]
    long = report.by_url()[LONG_URL]
    assert long.status == "offline"
    assert [(p.page, p.rect) for p in long.places] == [(p.page, p.rect) for p in pieces]
    across = report.by_url()["https://example.org/across-pages"]
    assert len({p.page for p in across.places}) == 2, "the second link should run over a page break"
    assert not report.failed()


# ------------------------------------------------------------------ without hyperref

#: Every character a URL may hold that TeX or a PDF literal string would treat specially.
AWKWARD_URL = "https://en.wikipedia.org/wiki/Parser_(computing)?a=1&b=%7E~x#f$"


@pytest.mark.parametrize("hyperref", [False, True], ids=["link_setup", "link_setup+hyperref"])
def test_link_setup_links_and_destinations(tmp_path, hyperref):
    """What the built-in themes do (:data:`cvtex.theme.latex.LINK_SETUP`, no hyperref): each
    annotation carries its URL exactly, a section's destination is kept although no link
    points to it (xdvipdfmx drops such names unless told otherwise) and lands on the
    heading's page, and the skip before it still counts for a later ``\\addvspace``. The
    same holds in a theme that also loads hyperref (whose ``\\hypertarget`` then serves)."""
    source = ("\\documentclass{article}\\usepackage{fontspec}\n" + latex.LINK_SETUP
              + ("\\usepackage[hidelinks]{hyperref}\n" if hyperref else "") + "\\begin{document}\n"
              + latex.href(AWKWARD_URL, "awkward") + " " + latex.href("mailto:a@example.com", "mail") + "\n\n"
              "\\par\\addvspace{20pt}\\hypertarget{section.summary}{}Summary\n\n"
              "\\newpage\\par\\addvspace{20pt}\\hypertarget{section.other}{}\\addvspace{5pt}"
              "\\message{[skip after the destination: \\the\\lastskip]}Other\n"
              "\\end{document}\n")
    build = tmp_path / "plain"
    result = tex.compile(source, build, jobname="plain")
    contents = links.pdf_contents(result.pdf)
    assert [link.url for link in contents.uri] == [AWKWARD_URL, "mailto:a@example.com"]
    assert contents.bad_destinations == []
    from pypdf import PdfReader

    reader = PdfReader(result.pdf)
    named = reader.named_destinations
    sections = {name for name in named if name.startswith("section.")}
    assert sections == {"section.summary", "section.other"}
    assert sections == set(named) or hyperref  # hyperref adds its own (page.1, Doc-Start)
    assert [reader.get_destination_page_number(named[n]) for n in ("section.summary", "section.other")] == [0, 1]
    log = (build / "plain.log").read_text(errors="replace")
    assert "[skip after the destination: 20.0pt]" in log
    report = links.check_links([Target(result.pdf, [ProfileLink(AWKWARD_URL, "header.websites[0].url"),
                                                    ProfileLink("mailto:a@example.com", "header.emails[0]")])],
                               offline=True)
    assert not report.failed() and not report.warnings


# ------------------------------------------------------------------ internal links


@pytest.fixture(scope="module")
def internal_pdf(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("internal")
    body = (r"\hypertarget{section.summary}{Summary}" "\n\n"
            r"\hyperlink{section.summary}{back to the summary} and \hyperlink{nowhere}{a dead end}" "\n\n"
            r"\newpage \hyperlink{section.summary}{again}")
    return compile_pdf(tmp, body)


def test_xdvipdfmx_writes_the_dangling_goto(internal_pdf):
    contents = links.pdf_contents(internal_pdf)
    assert {(link.target, link.dest_page) for link in contents.internal} == {("section.summary", 1), ("nowhere", None)}
    assert contents.bad_destinations == []


def test_dangling_internal_destination_is_an_error(internal_pdf):
    report = links.check_links([Target(internal_pdf, [])], offline=True)
    by_url = report.by_url()
    assert by_url["#nowhere"].status == "dangling"
    assert by_url["#nowhere"].kind == "internal"
    assert "lands on no page" in by_url["#nowhere"].messages[0]
    good = by_url["#section.summary"]
    assert good.status == "ok" and good.messages == ["lands on page 1"]
    assert sorted(p.page for p in good.places) == [1, 2]
    assert report.failed() and [r.url for r in report.errors] == ["#nowhere"]


# ------------------------------------------------------------------ syntax


@pytest.mark.parametrize("url", [
    "https://example.com", "http://127.0.0.1:8080/a?b=c&d=%2F#frag", "https://x.org/~user/(a)",
    "mailto:jiwoo.han@example.com", "mailto:a@example.com,b@example.org?subject=CV%20question&body=Hi",
    "mailto:?to=a@example.com", "mailto:%22weird%20name%22@example.com",
    "tel:+82-10-1234-5678", "tel:+1-(201)-555-0123;ext=42", "tel:7042;phone-context=example.com",
])
def test_valid_uris(url):
    assert links.uri_problem(url) is None


@pytest.mark.parametrize("url,status,words", [
    ("https://example.com/a\\_b", "invalid", "RFC 3986 §2"),
    ("https://example.com/a b", "invalid", "RFC 3986 §2"),
    ("https://example.com/100%", "invalid", "RFC 3986 §2.1"),
    ("https://example.com/caf\u00e9", "invalid", "RFC 3986 §2"),
    ("https:example.com", "invalid", "RFC 3986 §3.2"),
    ("http://example.com:99999/", "invalid", "RFC 3986 §3.2.3"),
    ("javascript:alert(1)", "invalid", "not a CV link"),
    ("example.com/page", "invalid", "RFC 3986 §4.3"),
    ("mailto:jiwoo.han", "invalid", "RFC 6068"),
    ("mailto:a@@example.com", "invalid", "RFC 6068"),
    ("mailto:", "invalid", "without an address"),
    ("mailto:a@example.com?subject", "invalid", "header field"),
    ("tel:+82-10-12x4", "invalid", "RFC 3966 §3"),
    ("tel:", "invalid", "RFC 3966 §3"),
    ("tel:010-1234-5678", "nonstandard", "RFC 3966 §5.1.5"),
])
def test_invalid_uris(url, status, words):
    problem = links.uri_problem(url)
    assert problem is not None and problem[0] == status
    assert words in problem[1]


def test_invalid_mailto_in_a_pdf_is_an_error_and_not_requested(tmp_path):
    pdf = compile_pdf(tmp_path, latex.href("https://example.com", "ok") + r" \href{mailto:nobody}{mail}"
                      + " " + latex.href("tel:010-1234-5678", "phone"))
    report = links.check_links([Target(pdf)], offline=True)
    by_url = report.by_url()
    assert by_url["mailto:nobody"].status == "invalid"
    assert by_url["tel:010-1234-5678"].status == "nonstandard"
    assert by_url["https://example.com"].status == "offline"
    assert [r.url for r in report.errors] == ["mailto:nobody"]
    assert [r.url for r in report.warnings] == ["tel:010-1234-5678"]
    assert report.failed()


def test_warnings_fail_only_when_strict(tmp_path):
    pdf = compile_pdf(tmp_path, latex.href("https://example.com", "ok") + " " + latex.href("tel:010-1234-5678", "phone"))
    report = links.check_links([Target(pdf)], offline=True)
    assert [r.status for r in report.results] == ["nonstandard", "offline"]
    assert not report.failed()
    assert report.failed(strict=True)


IRI_PROFILE = """\
locales: [en, ko]
header:
  name: {en: Jiwoo Han, ko: 한지우}
  emails: [jiwoo.han@example.com]
  websites:
    - url: https://한국.example/소개
    - url: https://example.org/문서%20목록/ж
  profiles:
    - {network: blog, username: jiwoo, url: "https://ko.wikipedia.org/wiki/서울특별시"}
sections:
  - kind: experience
    entries:
      - organization: Example
        roles: [{title: Engineer, start: 2020-01}]
"""


@pytest.mark.parametrize("theme", ["classic", "modern", "academic"])
def test_internationalized_urls_print_as_iris_and_link_as_uris(tmp_path, theme):
    """A URL's printed text is the IRI its owner wrote (RFC 3987 §3.2), its annotation the
    ASCII URI, which the link check finds as the profile's. A character the theme's fonts
    lack (Cyrillic ж: not in TeX Gyre) stays percent-encoded: nothing is lost."""
    from cvtex.theme import fonts
    from cvtex import theme as template
    from cvtex.build.pipeline import render_profile

    profile = tmp_path / "cv.yaml"
    profile.write_text(IRI_PROFILE, encoding="utf-8")
    coverage = fonts.theme_coverage(template.load_theme(theme), ["en", "ko"])
    assert coverage is not None and coverage.missing("ж") and not coverage.missing("한국소개문서목록서울특별시")
    result = render_profile(profile, output_dir=tmp_path / "out", theme=theme, cache=False)
    prof = links.read_profile(profile)
    for output in result.outputs:
        text = "".join(pdf_text(output.pdf).split())  # a URL may wrap at a break point
        assert "한국.example/소개" in text
        assert "example.org/문서%20목록/%D0%B6" in text
        assert "ko.wikipedia.org/wiki/서울특별시" in text
        assert "%E" not in text.replace("%D0%B6", "")
        uris = {link.url for link in links.pdf_links(output.pdf)}
        assert {"https://xn--3e0b707e.example/%EC%86%8C%EA%B0%9C",
                "https://example.org/%EB%AC%B8%EC%84%9C%20%EB%AA%A9%EB%A1%9D/%D0%B6",
                "https://ko.wikipedia.org/wiki/%EC%84%9C%EC%9A%B8%ED%8A%B9%EB%B3%84%EC%8B%9C"} <= uris
        report = links.check_links([Target(output.pdf, links.expected_links(prof, output.locale))], offline=True)
        assert report.errors == [] and report.warnings == []


# ------------------------------------------------------------------ the data profiles


def test_every_link_of_every_data_profile_is_reported_offline(rendered):
    for path in DATA:
        prof = links.read_profile(path)
        targets = [Target(rendered[(path.stem, code)].pdf, links.expected_links(prof, code)) for code in prof.locales]
        report = links.check_links(targets, policy=links.load_policy(prof), offline=True)
        expected = {link.url for t in targets for link in t.expected}
        assert {r.url for r in report.results if r.kind == "uri"} == expected
        assert report.errors == [] and report.warnings == []
        for r in report.results:
            scheme = r.url.split(":")[0]
            assert r.status == ("offline" if scheme.startswith("http") else "ok"), (path.stem, r.url, r.status)
            assert {p.pdf for p in r.places} == {t.label for t in targets}, "each link is in every locale's PDF"
            assert r.fields, "each link names its profile field"


def test_check_links_cli_offline_writes_the_json_report(rendered, tmp_path):
    path = next(p for p in DATA if p.stem == "example")
    pdfs = [str(rendered[("example", code)].pdf) for code in ("en", "ko")]
    report = tmp_path / "links.json"
    result = CliRunner().invoke(app, ["check-links", *pdfs, "--profile", str(path), "--offline",
                                      "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "https://github.com/example" in result.output and "offline" in result.output
    data = json.loads(report.read_text())
    assert data["offline"] is True and data["summary"]["errors"] == 0
    statuses = {link["url"]: link["status"] for link in data["links"]}
    assert statuses == {"mailto:jiwoo.han@example.com": "ok", "https://example.com": "offline",
                        "https://github.com/example": "offline", "https://example.org": "offline"}
    github = next(link for link in data["links"] if link["url"] == "https://github.com/example")
    assert github["profile"] == ["header.profiles[0].url", "sections[0].entries[0].roles[1].highlights[1]"]
    assert {p["file"].rsplit("/", 1)[-1] for p in github["pdf"]} == {"example-en.pdf", "example-ko.pdf"}
    assert all(p["page"] == 1 and len(p["rect"]) == 4 for p in github["pdf"])


def test_check_links_cli_fails_with_exit_4_when_the_pdf_is_not_the_profiles(rendered):
    other = next(p for p in DATA if p.stem == "infra-backend")
    pdf = str(rendered[("example", "en")].pdf)
    result = CliRunner().invoke(app, ["check-links", pdf, "--profile", str(other), "--offline"])
    assert result.exit_code == 4
    assert "missing" in result.output and "extra" in result.output
    assert "Traceback" not in result.output


def test_check_links_cli_refuses_a_pdf_of_unknown_locale(rendered, tmp_path):
    renamed = tmp_path / "cv.pdf"
    renamed.write_bytes(Path(rendered[("example", "en")].pdf).read_bytes())
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(renamed))
    del writer.root_object["/Lang"]
    writer.write(renamed)
    path = next(p for p in DATA if p.stem == "example")
    result = CliRunner().invoke(app, ["check-links", str(renamed), "--profile", str(path), "--offline"])
    assert result.exit_code == 2
    assert "cannot tell which of the profile's locales (en, ko)" in result.output


def test_cache_age_is_validated_as_a_usage_error(rendered):
    pdf = str(rendered[("example", "en")].pdf)
    result = CliRunner().invoke(app, ["check-links", pdf, "--cache-age", "soon"])
    assert result.exit_code == 2
    assert "is not an age" in result.output


# ------------------------------------------------------------------ policy, ages, Retry-After


def test_cvtexignore_rules_and_profile_settings_merge(tmp_path):
    (tmp_path / ".cvtexignore").write_text(
        "# comment\nhttps://www.linkedin.com/*   # never requested\n\naccept www.linkedin.com 999 403\n"
        "accept *.example.org 401\n")
    profile_yaml = tmp_path / "cv.yaml"
    profile_yaml.write_text("locales: [en]\nheader: {name: A}\n"
                            "links: {exclude: ['https://private.example.com/*'], accept: {www.linkedin.com: [429]}}\n")
    prof = links.read_profile(profile_yaml)
    policy = links.load_policy(prof, [tmp_path, tmp_path])
    assert policy.exclude == ("https://private.example.com/*", "https://www.linkedin.com/*")
    assert policy.excluded_by("https://www.linkedin.com/in/someone") == "https://www.linkedin.com/*"
    assert policy.excluded_by("https://linkedin.com/in/someone") is None
    assert policy.accept["www.linkedin.com"] == {999, 403, 429}
    assert policy.accepts("https://docs.example.org/x", 401) and not policy.accepts("https://example.com/x", 401)


def test_a_policy_and_profile_links_round_trip_through_a_render_record():
    """The render record is JSON: the policy and the profile's links go in and come back equal."""
    policy = links.Policy(("https://private.example.com/*",), {"www.linkedin.com": frozenset({999, 403})})
    record = json.loads(json.dumps(policy.to_record()))
    assert record == {"exclude": ["https://private.example.com/*"], "accept": {"www.linkedin.com": [403, 999]}}
    assert links.Policy.from_record(record) == policy
    assert links.Policy.from_record({}) == links.Policy()
    for bad in ({"exclude": "https://x.example/*"}, {"accept": [["h", 999]]}, {"accept": {"h": ["x"]}}):
        with pytest.raises((TypeError, ValueError)):
            links.Policy.from_record(bad)
    link = ProfileLink("mailto:a@example.com", "header.emails[0]")
    assert ProfileLink.from_record(json.loads(json.dumps(link.to_record()))) == link
    for bad in (["mailto:a@example.com"], ["mailto:a@example.com", 3]):
        with pytest.raises((TypeError, ValueError)):
            ProfileLink.from_record(bad)


def test_cache_pdf_contents_stores_a_pdfs_links_ahead_and_never_raises(tmp_path, escaped_pdf, monkeypatch):
    use_cache_dir(tmp_path / "cache", monkeypatch)
    assert links.cache_pdf_contents(b"%PDF-1.7 not really") is False
    assert not list((tmp_path / "cache").glob("pdf-links/*.json"))
    assert links.cache_pdf_contents(escaped_pdf.read_bytes()) is True
    (stored,) = (tmp_path / "cache").glob("pdf-links/*.json")
    assert json.loads(stored.read_text())["uri"]


def test_malformed_cvtexignore_gives_file_line_col(tmp_path):
    ignore = tmp_path / ".cvtexignore"
    ignore.write_text("https://ok.example.com/*\naccept host.example.com 99x\nhttps://a.example.com b\n")
    with pytest.raises(ProfileError) as info:
        links.read_ignore_file(ignore)
    diags = info.value.diagnostics
    assert [(d.line, d.column) for d in diags] == [(2, 25), (3, 23)]
    assert "three-digit status codes" in diags[0].message


@pytest.mark.parametrize("text,seconds", [("0", 0), ("90", 90), ("90s", 90), ("30m", 1800), ("12h", 43200),
                                          ("7d", 604800), ("1.5h", 5400)])
def test_parse_age(text, seconds):
    assert cache.parse_age(text) == seconds


def test_retry_after_takes_seconds_or_an_http_date():
    now = 1_700_000_000.0  # 2023-11-14T22:13:20Z
    assert links.retry_after("120", now) == 120
    assert links.retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now) == 60
    assert links.retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now) == 0
    assert links.retry_after("soon", now) is None
    assert links.retry_after(None, now) is None


def test_cache_dir_follows_cvtex_cache_dir_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("CVTEX_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("CVTEX_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "cvtex"
    assert links.LinkCache().path == tmp_path / "xdg" / "cvtex" / "links.json"


@pytest.mark.parametrize("url,redirected", [
    ("http://Example.COM:8080/a", "http://example.com:8080/b"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/next"),
    ("https://XN--BCHER-KVA.example/", "https://bücher.example/next"),
    ("http://[::1]:9/", "http://[::1]:9/elsewhere"),
])
def test_a_url_and_a_redirect_to_its_host_share_one_per_host_limit(url, redirected):
    """The first request of a URL is keyed by its string (no httpx parse until a slot is
    held), redirects by httpx's Request: both must name the host alike."""
    import httpx

    from cvtex.links import probe as links_probe

    assert links_probe._host_key(url) == links_probe._host_key(httpx.Request("HEAD", redirected))
    assert links_probe._host_key(url) != links_probe._host_key(httpx.Request("HEAD", "http://example.org/"))
