"""Issue 3, unit level (no TeX): the rules behind validation's messages."""

from __future__ import annotations

import re

import pytest

from cvtex.theme import latex
from cvtex.diagnostics import Diagnostic, ProfileError, visible
from cvtex.links import uri_problem
from cvtex.schema import (MAX_DEPTH, MAX_LINE, MAX_PARAGRAPH, MAX_URL_LENGTH, Position, TextError, clean_text,
                          doi_url, load, loads, normalize_url, parse_date, validate)


@pytest.mark.parametrize("url", [
    "https://example.com/a%20b", "https://example.com/%7e%7E", "https://example.com/?q=100%25", "mailto:a@example.com",
    "https://example.com/#%C3%A9", "tel:+82-10-1234-5678",
])
def test_percent_escapes_are_kept_exactly(url):
    assert normalize_url(url) == url


@pytest.mark.parametrize("url", ["https://example.com/100%", "https://example.com/%2", "https://example.com/%zz",
                                 "https://example.com/?q=%", "https://example.com/%%20", "mailto:a@example.com?x=%"])
def test_a_percent_not_followed_by_two_hex_digits_is_refused(url):
    with pytest.raises(ValueError, match=r"does not start a percent-encoded byte such as %20 \(RFC 3986 §2\.1\); "
                                         "write a literal percent sign as %25"):
        normalize_url(url)


def test_internationalized_urls_become_ascii():
    assert normalize_url("https://한국.kr/경로?q=값#조각") == (
        "https://xn--3e0b707e.kr/%EA%B2%BD%EB%A1%9C?q=%EA%B0%92#%EC%A1%B0%EA%B0%81")
    assert normalize_url("https://example.com/a b".replace(" ", "%20")) == "https://example.com/a%20b"


def test_doi_urls_percent_encode_what_the_doi_handbook_requires():
    assert doi_url("10.1109/PERCOM50583.2021.9439113") == "https://doi.org/10.1109/PERCOM50583.2021.9439113"
    assert doi_url("10.1000/a#b%c?d\"e<f>") == "https://doi.org/10.1000/a%23b%25c%3Fd%22e%3Cf%3E"
    assert doi_url("10.1002/(SICI)1097-4636(199812)43:4<464::AID-JBM15>3.0.CO;2-Z") == (
        "https://doi.org/10.1002/(SICI)1097-4636(199812)43:4%3C464::AID-JBM15%3E3.0.CO;2-Z")


@pytest.mark.parametrize("text, folded", [
    ("a\r\nb\tc\u2028d\u2029e\x85f\u00a0g\u3000h", "a b c d e f g h"), ("  x  ", "x"),
    ("\u1112\u1161\u11ab", "한"), ("e\u0301", "é"), ("\u212b", "Å"), ("\uf900", "\u8c48"),
])
def test_text_is_nfc_with_white_space_folded(text, folded):
    assert clean_text(text) == folded


@pytest.mark.parametrize("text, reason, char", [
    ("a\x00", "control character U+0000 cannot be typeset", "\x00"),
    ("\x1b[0m", "control character U+001B cannot be typeset", "\x1b"),
    ("x\u202ey", "bidirectional control character U+202E RIGHT-TO-LEFT OVERRIDE", "\u202e"),
    ("soft\u00adhyphen", "invisible formatting character U+00AD SOFT HYPHEN", "\u00ad"),
    ("\U000e0041", "invisible formatting character U+E0041 TAG LATIN CAPITAL LETTER A", "\U000e0041"),
    ("\ufffe", "U+FFFE is not a character", "\ufffe"),
    ("\ud800", "lone surrogate U+D800", "\ud800"),
])
def test_invisible_characters_are_refused_by_name(text, reason, char):
    with pytest.raises(TextError, match=re.escape(reason)) as info:
        clean_text(text)
    assert info.value.char == char


def test_headings_are_limited_and_paragraphs_are_not():
    long = "x" * (MAX_LINE + 1)
    doc = loads(f"locales: [en]\nheader: {{name: N}}\nsummary: {long}\nsections:\n"
                f"  - {{kind: custom, title: T, entries: [{{title: {long}, highlights: [{long}]}}]}}\n", "cv.yaml")
    with pytest.raises(ProfileError) as info:
        validate(doc)
    (error,) = info.value.diagnostics
    assert error.field == "sections[0].entries[0].title" and error.message.startswith("301 characters is too long")
    assert latex.escape("y" * 25).count("\\penalty1000\\relax ") == 24  # a long run may break anywhere
    assert "\\penalty" not in latex.escape("short words only") + latex.escape("가" * 40)
    # a paragraph has a limit too (TeX's memory and time): MAX_PARAGRAPH visible characters
    ok = loads(f"locales: [en]\nheader: {{name: N}}\nsummary: {'a' * MAX_PARAGRAPH}\nsections: []\n", "cv.yaml")
    validate(ok)
    doc = loads(f"locales: [en]\nheader: {{name: N}}\nsections:\n  - kind: custom\n    title: T\n    entries:\n"
                f"      - {{title: t, highlights: ['**{'b' * (MAX_PARAGRAPH + 1)}**']}}\n", "cv.yaml")
    with pytest.raises(ProfileError) as info:
        validate(doc)
    (error,) = info.value.diagnostics
    assert (error.line, error.column, error.field) == (7, 33, "sections[0].entries[0].highlights[0]")
    assert error.message.startswith(f"{MAX_PARAGRAPH + 1} characters is too long for one paragraph (at most 10000")


@pytest.mark.parametrize("text", ["a" * 10000, "\\" * 6000, "^" * 7000, "가" * 30000, "x " * 20000,
                                  "https://example.com/" + "a/" * 4000, "é" * 9000])
def test_no_source_line_is_longer_than_the_bound(text):
    """Issue 21 item 7: TeX reads a source line into a buffer of 200,000 characters; a long
    run, broken after every character, made lines of 190,000 (``'a' * 10000``) and 210,000
    (6000 backslashes) characters. Now lines end with ``%`` (TeXbook ch. 8: the rest of
    the line and its end are discarded), never before a space or inside a control word,
    so removing the ``%`` line ends gives back the one-line source exactly."""
    for out in (latex.escape(text), latex.markup(text), latex.url_text(text),
                latex.markup(f"**{text}** *{text}*")):
        lines = out.split("\n")
        assert max(map(len, lines)) <= latex.MAX_SOURCE_LINE + 1
        assert all(line.endswith("%") for line in lines[:-1])
        for i, line in enumerate(lines[1:]):
            assert not line[:1].isspace()
            head = re.search(r"\\[A-Za-z]*$", lines[i][:-1])
            assert head is None, (head, line[:20])  # no control word split by a line end
    joined = latex.escape(text).replace("%\n", "")
    latex_one_line = latex._source_lines  # the bound is what breaks lines, nothing else
    try:
        latex._source_lines = lambda tex: tex
        assert latex.escape(text) == joined
    finally:
        latex._source_lines = latex_one_line


def test_break_points_prefer_slashes_and_ties_keep_closing_punctuation():
    """Issue 21 item 5: a slash between words is a free break point (penalty 0, see
    latex._SLASH_BREAK); the per-character breaks are the last resort, only in a piece of
    LONG_RUN or more characters without one; a space before closing punctuation is a tie."""
    assert latex.escape("research/system/mobile engineer를") == (
        "research/\\penalty0\\relax system/\\penalty0\\relax mobile engineer를")
    assert latex.escape("CI/CD") == "CI/\\penalty0\\relax CD"
    assert "\\penalty" not in latex.escape("a/ /b 1/2/ https:// //x")  # not a slash between two words
    assert latex.escape("internationalization/localization").count("\\penalty1000") == 20  # the long piece only
    assert latex.escape("and more …") == "and more~…"
    assert latex.escape("wait ... what ?") == "wait~... what~?"
    assert latex.escape("Seoul (2020 )") == "Seoul (2020~)"
    assert latex.escape("… at the start") == "… at the start"  # no word before: nothing to tie to
    # after bold text, emphasis or a link: the space begins the next span, and is a tie too
    assert latex.markup("**bold** …") == "\\textbf{bold}~…"
    assert latex.markup("*Workshop* )") == "\\emph{Workshop}~)"
    assert latex.markup("see [x](https://a.com) …").endswith("\\special{pdf:eann}~…")


def test_lines_end_at_lf_cr_and_crlf_only():
    """YAML 1.1 (PyYAML) also ends lines at NEL, U+2028 and U+2029; editors do not."""
    doc = loads('a: "x\u2028y\x85z"\r\nb: 1\rc:\n  nme: 2\n', "cv.yaml")
    assert doc.positions[("b",)] == Position(2, 4)
    assert doc.key_positions[("c", "nme")] == Position(4, 3)


def test_deep_nesting_and_raw_controls_are_positioned_errors(tmp_path):
    with pytest.raises(ProfileError, match="nested"):
        loads("a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), "cv.yaml")
    with pytest.raises(ProfileError, match="nested (too deeply|more than)") as info:  # libyaml | PyYAML's recursion
        loads("a: " + "[" * 5000 + "]" * 5000, "cv.yaml")
    assert len(str(info.value)) < 12000  # one source line and a caret, no traceback
    with pytest.raises(ProfileError) as info:
        loads("a: 1\nb: x\x07y\n", "cv.yaml")
    assert (info.value.diagnostics[0].line, info.value.diagnostics[0].column) == (2, 5)
    path = tmp_path / "cp949.yaml"
    path.write_bytes("a: 1\nb: 한글\n".encode("cp949"))
    with pytest.raises(ProfileError, match="not UTF-8") as info:
        load(path)
    assert (info.value.diagnostics[0].line, info.value.diagnostics[0].column) == (2, 4)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbflocales: [en]\n")
    assert load(bom).positions[("locales",)] == Position(1, 10)


def test_printed_diagnostics_show_invisible_characters_and_align_the_caret():
    d = Diagnostic("cv.yaml", 1, 12, "bad \u202e here", source_line="name: 한국\u202e어 x")
    lines = d.format().splitlines()
    assert lines[0] == "cv.yaml:1:12: error: bad <U+202E> here"
    assert lines[1] == "    1 | name: 한국<U+202E>어 x"
    assert lines[2] == "      | " + " " * (6 + 4 + 8 + 2 + 1) + "^"  # under x: 한국 and 어 are two cells wide
    assert visible("tab\tstays") == "tab\tstays"


@pytest.mark.parametrize("url, reason", [
    ("https://example.com:99999/", "the port '99999' is not a number from 1 to 65535 (RFC 3986 §3.2.3; port 0 is "
                                   "reserved, RFC 6335 §6)"),
    ("https://example.com:-1/", "the port '-1' is not a number from 1 to 65535 (RFC 3986 §3.2.3; port 0 is "
                                "reserved, RFC 6335 §6)"),
    ("https://example.com:0/", "the port '0' is not a number from 1 to 65535 (RFC 3986 §3.2.3; port 0 is "
                               "reserved, RFC 6335 §6)"),
    ("https://example.com:+80/", "the port '+80' is not a number"),
    ("https://-/", "'-' in the host '-' is not a host name label"),
    ("https://xn--/", "'xn--' in the host 'xn--' is not a host name label"),
    ("https://xn--zz.example/", "'xn--zz' in the host 'xn--zz.example' is not a valid IDNA A-label (RFC 5891 §5.4"),
    ("https://a..b/", "an empty label in the host 'a..b'"),
    ("https://ex_ample.com/", ("'ex_ample' in the host 'ex_ample.com' is not a host name label: 1 to 63 letters, "
                               "digits and hyphens, not starting or ending with a hyphen (RFC 1123 §2.1)")),
    ("https://" + "a" * 64 + ".com/", "is not a host name label"),
    ("https://" + "a." * 127 + "com/", "the host name is 257 characters long (at most 253: RFC 1035 §2.3.4)"),
    ("https://1.2.3.999/", "'1.2.3.999' is neither an IPv4 address nor a host name"),
    ("https://[zz]/", "is not a host (RFC 3986 §3.2.2"),
    ("https://😀.example/", "is not a valid internationalized host name (IDNA 2008, RFC 5891"),
    ("mailto:a..b@example.com", "'a..b@example.com' is not an e-mail address (RFC 6068 §2, RFC 5322 §3.4.1)"),
    ("mailto:a@-x.com", "'a@-x.com' is not an e-mail address: '-x' in the host"),
    ("mailto:a@example.com?subject", "'subject' is not a header field name=value (RFC 6068 §2)"),
    ("tel:+82;x=", "is not a telephone number (RFC 3966 §3"),
    ("https://example.com/" + "a" * (MAX_URL_LENGTH - 19),
     "the URL is 8001 characters long once percent-encoded (at most 8000: RFC 9110 §4.1"),
    ("https://example.com/" + "한" * 10000, "the URL is 90020 characters long once percent-encoded"),
])
def test_validate_and_the_link_check_refuse_a_url_alike(url, reason):
    """Issue 21 items 8 and 9: one function (normalize_url) judges a URL for ``validate``
    and for the link check (uri_problem, on the ASCII form in a PDF's annotation): ports,
    hosts (RFC 1123 labels, IDNA A-labels, IP addresses), addresses, length — the same
    verdict and the same message."""
    with pytest.raises(ValueError) as info:
        normalize_url(url)
    assert reason in str(info.value)
    in_pdf = url if url.isascii() else "https://example.com/" + "%ED%95%9C" * 10000 if "한" in url else None
    if in_pdf is not None:
        assert uri_problem(in_pdf) == ("invalid", str(info.value))


@pytest.mark.parametrize("url, ascii_form", [
    ("https://example.com:65535/", None), ("https://example.com:1/", None), ("https://example.com:/", None),
    ("http://127.0.0.1:8080/x", None), ("https://[::1]:443/", None), ("http://localhost/", None),
    ("https://EXAMPLE.com./a", None), ("https://xn--3e0b707e.kr/", None), ("https://a-b.c-d.example/", None),
    ("https://example.com/" + "a" * (MAX_URL_LENGTH - 20), None),
    ("https://straße.de/", "https://xn--strae-oqa.de/"),  # IDNA 2008 (UTS #46 nontransitional), as browsers
    ("mailto:jiwoo@한국.kr", "mailto:jiwoo@xn--3e0b707e.kr"),
    ("mailto:a@example.com,b@example.org?subject=Hi%20there&cc=c@example.com", None),
    ("tel:+82-10-1234-5678;ext=12", None),
])
def test_validate_and_the_link_check_accept_a_url_alike(url, ascii_form):
    assert normalize_url(url) == (ascii_form or url.replace("HTTPS", "https"))
    assert uri_problem(normalize_url(url)) is None


def test_the_link_check_has_no_url_rules_of_its_own():
    """The duplication is gone: cvtex/links/syntax.py asks normalize_url and adds only what
    an annotation alone can get wrong (a character no URI holds) and the tel: warning."""
    from pathlib import Path

    from cvtex.links import syntax

    source = Path(syntax.__file__).read_text(encoding="utf-8")
    assert "normalize_url(url)" in source
    for rule in ("_BAD_PERCENT", "urlsplit", ".port", "_ADDR_SPEC", "_LABEL", "_TEL_GLOBAL", "idna"):
        assert rule not in source, rule
    assert uri_problem("https://example.com/a b") == ("invalid", "characters no URI may contain (RFC 3986 §2): ' '")
    assert uri_problem("tel:010-1234-5678")[0] == "nonstandard"


@pytest.mark.parametrize("value, reason", [
    ("2020-00", ("'2020-00' is not a valid date: there is no month 00; write YYYY, YYYY-MM or YYYY-MM-DD with the "
                 "digits 0-9 (months 01-12, days from 01), or present")),
    ("2020-01-00", "'2020-01-00' is not a valid date: there is no day 00"),
    ("２０２０", "'２０２０' has '２' (U+FF12 FULLWIDTH DIGIT TWO), not one of the ASCII digits 0-9"),
    ("٢٠٢٠", "'٢٠٢٠' has '٢' (U+0662 ARABIC-INDIC DIGIT TWO), not one of the ASCII digits 0-9"),
    ("2020-0１", "'2020-0１' has '１' (U+FF11 FULLWIDTH DIGIT ONE)"),
    ("present ", "'present ' has white space around the date: remove it"),
    (" 2020-01", "' 2020-01' has white space around the date"),
    ("2021-02-30", "'2021-02-30' is not a valid date: day is out of range for month"),
    ("2020-1", "'2020-1' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
])
def test_dates_refuse_month_and_day_zero_other_digits_and_spaces(value, reason):
    """Issue 21 item 10 (ISO 8601: ASCII digits, months 01-12, days from 01)."""
    with pytest.raises(ValueError) as info:
        parse_date(value)
    assert str(info.value).startswith(reason)


def test_a_bad_date_is_refused_at_its_place_with_its_field():
    doc = loads('locales: [en]\nheader: {name: N}\nsections:\n  - kind: awards\n    entries:\n'
                '      - {title: A, date: "present "}\n      - {title: B, date: ２０２０}\n', "cv.yaml")
    with pytest.raises(ProfileError) as info:
        validate(doc)
    assert [(d.line, d.column, d.field, d.message.split(":")[0]) for d in info.value.diagnostics] == [
        (6, 26, "sections[0].entries[0].date", "'present ' has white space around the date"),
        (7, 26, "sections[0].entries[1].date",
         "'２０２０' has '２' (U+FF12 FULLWIDTH DIGIT TWO), not one of the ASCII digits 0-9"),
    ]
    assert parse_date("2020") == parse_date(2020) and str(parse_date("PRESENT")) == "present"


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_nesting_is_refused_where_it_gets_too_deep(opening):
    """Issue 21 item 10: 10,000 levels made PyYAML's composer recurse too deep, reported at
    no position; now at the list or mapping that is level MAX_DEPTH + 1."""
    for levels in (10000, MAX_DEPTH + 50):  # past PyYAML's composer (read from its events), and within it
        text = ("locales: [en]\nheader: {name: N}\nx: " + opening * levels + "1"
                + ("]" if opening == "[" else "}") * levels)
        with pytest.raises(ProfileError) as info:
            loads(text, "cv.yaml")
        (d,) = info.value.diagnostics
        # the top-level mapping is level 1: level MAX_DEPTH + 1 is the MAX_DEPTH-th opening on line 3
        assert (d.line, d.column) == (3, 4 + (MAX_DEPTH - 1) * len(opening)), levels
        assert d.message.startswith(f"lists and mappings are nested more than {MAX_DEPTH} levels deep here")
    block = "x:\n" + "".join("  " * i + "- \n" for i in range(1, 3)) + "".join(f"{'  ' * i}a:\n" for i in range(MAX_DEPTH + 5))
    with pytest.raises(ProfileError) as info:
        loads(block + "  " * (MAX_DEPTH + 5) + "b: 1\n", "cv.yaml")
    # "a:" at column 1 (line 4) is a key of the top-level mapping (level 1); the "a:" indented
    # by 2 * i starts the mapping of level i + 1: level MAX_DEPTH + 1 is on line 4 + MAX_DEPTH
    (d,) = info.value.diagnostics
    assert (d.line, d.column) == (4 + MAX_DEPTH, 1 + 2 * MAX_DEPTH) and "nested more than" in d.message


@pytest.mark.parametrize("written, shown, emphasis", [
    ("\\*not italic\\*", "*not italic*", False), ("*italic*", "italic", True), ("\\\\*x*", "\\x", True),
    ("\\[not a link](javascript:x)", "[not a link](javascript:x)", False), ("5\\*3", "5*3", False),
    ("C:\\Users\\x", "C:\\Users\\x", False), ("\\d+\\.", "\\d+.", False), ("\\{\\}", "{}", False),
])
def test_a_backslash_escapes_punctuation_as_in_markdown(written, shown, emphasis):
    """Issue 21 item 11: the README's rule (CommonMark backslash escapes) is what validation
    and the PDF see: the plain text, and the LaTeX (no \\emph for an escaped '*')."""
    from cvtex.schema import markup

    assert markup.plain(written) == shown
    assert ("\\emph{" in latex.markup(written)) == emphasis
    doc = loads(f"locales: [en]\nheader: {{name: N, headline: '{written}'}}\nsections: []\n", "cv.yaml")
    validate(doc)  # an escaped link is text: its target is not judged


@pytest.mark.parametrize("text", ["2020", "2020-00", "2020-13", "2020-12", "2020-01-00", "2020-01-31", "PRESENT",
                                  "present", "Present ", " 2020", "0000", "２０２０", "٢٠٢٠", "2020-1", "20201"])
def test_the_json_schema_date_pattern_agrees_with_validate(text):
    """Editors check dates with the JSON Schema's pattern (schema/profile.schema.json): it
    accepts what parse_date accepts (day 31 of a short month aside, which a pattern cannot
    tell)."""
    import pydantic

    from cvtex.schema.dates import Date, parse_date

    pattern = pydantic.TypeAdapter(Date).json_schema()["anyOf"][0]["pattern"]
    try:
        parse_date(text)
        accepted = True
    except ValueError:
        accepted = False
    assert bool(re.search(pattern, text)) == accepted
