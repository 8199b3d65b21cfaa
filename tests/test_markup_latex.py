"""Inline markup and LaTeX escaping (the text side; tests/test_render_data.py compiles)."""

from __future__ import annotations

from cvtex.theme import latex
from cvtex.schema import markup


def test_markup_spans():
    spans = markup.parse("a **b** *c* [d](https://x.y/a_b%20#f) __init__ 5\\*3")
    kinds = [s.kind for s in spans]
    assert kinds == ["text", "strong", "text", "em", "text", "link", "text"]
    assert spans[5].url == "https://x.y/a_b%20#f"
    assert markup.plain("a **b** [d](https://x.y) __init__ _x_") == "a b d __init__ _x_"
    assert markup.link_targets("[a](https://a.b) and [c](mailto:x@y.z)") == ["https://a.b", "mailto:x@y.z"]


def test_escape_covers_every_special():
    assert latex.escape("\\ { } $ & # ^ _ ~ %") == (  # '}' closes: a tie keeps it after '{' (see below)
        r"\textbackslash{} \{~\} \$ \& \# \textasciicircum{} \_ \textasciitilde{} \%")
    assert latex.escape("^^41") == r"\textasciicircum{}\textasciicircum{}41"


def test_href_writes_the_url_as_a_hex_string_and_markup_nests():
    """The URI goes into the annotation as a PDF hexadecimal string: no character of a
    URL needs TeX or PDF escaping (tests/test_links_offline.py compiles these)."""
    url = "https://a.com/x%20y#f_g~h&i=$(1)"
    assert latex.href(url, "t") == (
        r"\leavevmode\special{pdf:bann<</Type/Annot/Subtype/Link/Border[0 0 0]/A<</S/URI/URI<"
        + url.encode().hex().upper() + r">>>>>}{\csname cvlinktext\endcsname{t}}\special{pdf:eann}")
    assert latex.markup("see [**x**](https://a.b/c_d) & more") == (
        "see " + latex.href("https://a.b/c_d", r"\textbf{x}") + r" \& more")


def test_readable_url_prints_the_iri_its_owner_wrote():
    """RFC 3987 §3.2: percent-encoded UTF-8 and IDNA A-labels back to characters, for the
    printed text of a link; whatever would change the URL or not show stays encoded."""
    from cvtex.schema import normalize_url, readable_url

    def shown(url: str, settable=None) -> str:
        return readable_url(normalize_url(url), settable)

    assert shown("https://한국.example/소개") == "https://한국.example/소개"
    assert normalize_url("https://한국.example/소개") == "https://xn--3e0b707e.example/%EC%86%8C%EA%B0%9C"
    assert shown("https://ko.wikipedia.org/wiki/서울?q=한#절") == "https://ko.wikipedia.org/wiki/서울?q=한#절"
    assert shown("https://user@한국.example:8080/") == "https://user@한국.example:8080/"
    assert shown("mailto:a@example.com?subject=안녕") == "mailto:a@example.com?subject=안녕"
    # encoded ASCII would change the URL; lowercase hex is decoded too
    assert shown("https://e.com/a%20b%2Fc%25%ec%84%9c") == "https://e.com/a%20b%2Fc%25서"
    # not UTF-8, or cut short: left as written
    assert shown("https://e.com/%FF%EC%84%9C/%EC%84") == "https://e.com/%FF서/%EC%84"
    # RLO (bidi formatting, §4.1), no-break space (Z*), a private-use character: kept encoded
    assert shown("https://e.com/%E2%80%AE%C2%A0%EE%80%80x") == "https://e.com/%E2%80%AE%C2%A0%EE%80%80x"
    # a character the fonts lack stays encoded, in the path and in the host
    assert shown("https://ko.wikipedia.org/wiki/서울", lambda ch: ch != "울") == \
        "https://ko.wikipedia.org/wiki/서%EC%9A%B8"
    assert shown("https://한국.example/", lambda ch: ch != "국") == "https://xn--3e0b707e.example/"
    # not a valid A-label: as written; an IPv6 host is left alone
    assert readable_url("https://xn--zz.example/") == "https://xn--zz.example/"
    assert readable_url("https://[::1]:80/%EC%84%9C") == "https://[::1]:80/서"
    assert readable_url("https://example.com/a_b") == "https://example.com/a_b"
