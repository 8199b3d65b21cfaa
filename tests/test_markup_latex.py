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


def test_href_escapes_url_specials_and_markup_nests():
    assert latex.href("https://a.com/x%20y#f_g~h&i=$", "t") == r"\href{https://a.com/x\%20y\#f\_g\~h\&i=\string$}{t}"
    assert latex.markup("see [**x**](https://a.b/c_d) & more") == (
        r"see \href{https://a.b/c\_d}{\textbf{x}} \& more")
