"""Issue 3, unit level (no TeX): the rules behind validation's messages."""

from __future__ import annotations

import re

import pytest

from cvtex.theme import latex
from cvtex.diagnostics import Diagnostic, ProfileError, visible
from cvtex.schema import (MAX_DEPTH, MAX_LINE, Position, TextError, clean_text, doi_url, load, loads,
                          normalize_url, validate)


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
