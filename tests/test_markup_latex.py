"""Inline markup and LaTeX escaping (the text side; tests/test_render_data.py compiles)."""

from __future__ import annotations

from cvtex import latex, markup


def test_markup_spans():
    spans = markup.parse("a **b** *c* [d](https://x.y/a_b%20#f) __init__ 5\\*3")
    kinds = [s.kind for s in spans]
    assert kinds == ["text", "strong", "text", "em", "text", "link", "text"]
    assert spans[5].url == "https://x.y/a_b%20#f"
    assert markup.plain("a **b** [d](https://x.y) __init__ _x_") == "a b d __init__ _x_"
    assert markup.link_targets("[a](https://a.b) and [c](mailto:x@y.z)") == ["https://a.b", "mailto:x@y.z"]


def test_escape_covers_every_special():
    assert latex.escape("\\ { } $ & # ^ _ ~ %") == (
        r"\textbackslash{} \{ \} \$ \& \# \textasciicircum{} \_ \textasciitilde{} \%")
    assert latex.escape("^^41") == r"\textasciicircum{}\textasciicircum{}41"


def test_href_writes_the_url_as_a_hex_string_and_markup_nests():
    """The URI goes into the annotation as a PDF hexadecimal string: no character of a
    URL needs TeX or PDF escaping (tests/test_links_offline.py compiles these)."""
    url = "https://a.com/x%20y#f_g~h&i=$(1)"
    assert latex.href(url, "t") == (
        r"\leavevmode\special{pdf:bann<</Type/Annot/Subtype/Link/Border[0 0 0]/A<</S/URI/URI<"
        + url.encode().hex().upper() + r">>>>>}{t}\special{pdf:eann}")
    assert latex.markup("see [**x**](https://a.b/c_d) & more") == (
        "see " + latex.href("https://a.b/c_d", r"\textbf{x}") + r" \& more")
