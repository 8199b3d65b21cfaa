"""LaTeX for user text: escaping, links, inline markup.

Everything a profile says reaches TeX through these functions, so that every string
is typeset literally:

* :func:`escape` — ``pylatex.utils.escape_latex`` for the ten specials
  ``\\ { } $ & # ^ _ ~ %`` (and ``[ ] -`` made inert), with ``^`` as
  ``\\textasciicircum{}`` so the PDF text is U+005E. Input is already NFC with white
  space folded (:func:`cvtex.text.clean_text`); nothing can form a ``^^`` sequence, a
  control sequence or a comment. The fonts are loaded with ``Ligatures=TeXOff`` so
  ``--``, ``'`` and `````` stay the characters written (fontspec manual §"Ligatures").
  In a run of :data:`LONG_RUN` or more non-space characters (a pasted hash, a long
  URL, a German compound) a line may also break between two characters
  (``\\penalty1000``: taken only when the run does not fit the line, since a break at
  a space costs nothing in ragged-right text; not 9000+, whose squared demerits overflow
  TeX's integers when a run needs dozens of breaks). Not next to East Asian wide
  characters, which break by kotex's own rules (UAX #11 widths), nor before a combining
  mark or conjoining jamo. So no word runs off the page; breaks add no character to the
  PDF's text.
* :func:`href` — hyperref's ``\\href``. Inside a macro argument the URL's ``% # & _ ~``
  must be escaped and ``$`` written ``\\string$`` (hyperref manual, "\\href"); the PDF
  link annotation then carries the URL exactly. URLs here have passed
  :func:`cvtex.text.normalize_url`, so they are ASCII without ``{ } \\ ^`` or spaces.
* :func:`markup` — ``[text](url)``, ``**bold**``, ``*italic*`` (:mod:`cvtex.markup`).
"""

from __future__ import annotations

import re
import unicodedata


from . import markup as _markup
from .text import normalize_url


class LaTeX(str):
    """A string that is already LaTeX source: templates emit it unchanged."""


#: Settings every theme emits after loading kotex (template global ``text_fidelity``):
#: a character no font has is an error (``\\tracinglostchars=3``, XeTeX in TeX Live
#: 2021+); every run of text carries its Unicode text as ``/ActualText`` (ISO 32000-1
#: §14.9.4; ``\\XeTeXgenerateactualtext=1``), so text extraction gives the characters
#: written even where a font shares one glyph between code points (Noto CJK draws ①
#: with the glyph of ➀ and ⼀ with that of 一; the font's ToUnicode can name only one);
#: and the punctuation xetexko hands to the Hangul font by its character class
#: (xetexko.sty: ‘ ’ “ ” as CJK opening/closing marks, … and · as CJK symbols) is set
#: with the Latin font instead (class 0). With the Hangul font they get full-width
#: spacing ("What’ s") and Noto CJK's shared glyphs map back to other code points
#: (U+2026 comes out as U+22EF), so the PDF text would not be the text written.
TEXT_FIDELITY = LaTeX("\\tracinglostchars=3\n\\XeTeXgenerateactualtext=1\n"
                      + "".join(f'\\XeTeXcharclass"{code}=0 ' for code in ("2018", "2019", "201C", "201D",
                                                                          "2026", "00B7"))
                      + "\n")


#: Runs of at least this many non-space characters may break between characters.
LONG_RUN = 20
_LONG = re.compile(r"\S{%d,}" % LONG_RUN)
_BREAK = "\\penalty1000\\relax "
#: Conjoining Hangul jamo (medial vowels and final consonants) belong to the syllable before.
_JAMO = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))


def _breakable(before: str, after: str) -> bool:
    """May a long run break between ``before`` and ``after`` (see module doc)?"""
    if unicodedata.east_asian_width(before) in "WF" or unicodedata.east_asian_width(after) in "WF":
        return False
    code = ord(after)
    return not unicodedata.category(after).startswith("M") and not any(lo <= code <= hi for lo, hi in _JAMO)


def _escape(text: str) -> str:
    from pylatex.utils import escape_latex  # imported on first use: ~13 ms that `cvtex validate` skips

    return str(escape_latex(text)).replace("\\^{}", "\\textasciicircum{}")


def escape(text: str) -> LaTeX:
    """``text`` as LaTeX that typesets exactly ``text`` (see module doc)."""
    out, done = [], 0
    for match in _LONG.finditer(text):
        run, start, pieces = match.group(), 0, []
        for i in range(1, len(run)):
            if _breakable(run[i - 1], run[i]):
                pieces.append(run[start:i])
                start = i
        pieces.append(run[start:])
        out += [_escape(text[done:match.start()]), _BREAK.join(_escape(p) for p in pieces)]
        done = match.end()
    out.append(_escape(text[done:]))
    return LaTeX("".join(out))


_URL_SPECIALS = {"%": r"\%", "#": r"\#", "&": r"\&", "_": r"\_", "~": r"\~", "$": r"\string$"}
_URL_BREAKS = re.compile(r"(?<=[/.\-_?&=#:@])(?=[^/])")


def url_target(url: str) -> LaTeX:
    """The first argument of ``\\href`` for ``url`` (see module doc)."""
    url = normalize_url(url)
    return LaTeX("".join(_URL_SPECIALS.get(c, c) for c in url))


def href(url: str, body: str) -> LaTeX:
    """``\\href{url}{body}``; ``body`` is LaTeX (use :func:`escape` for text)."""
    return LaTeX(f"\\href{{{url_target(url)}}}{{{body}}}")


def url_text(url: str) -> LaTeX:
    """A URL or address as visible text, breakable after ``/ . - _ ? & = # : @``."""
    pieces = _URL_BREAKS.split(url)
    return LaTeX("\\allowbreak{}".join(escape(p) for p in pieces))


def display_url(url: str) -> str:
    """A URL as people write it on paper: no scheme, no ``mailto:``, no trailing slash."""
    shown = re.sub(r"^(https?://(www\.)?|mailto:|tel:)", "", url)
    return shown[:-1] if shown.endswith("/") and shown.count("/") == 1 else shown


def markup(text: str) -> LaTeX:
    """Text with inline markup as LaTeX: links become ``\\href``, ``**x**`` ``\\textbf``,
    ``*x*`` ``\\emph``; everything else is :func:`escape`-d."""
    return LaTeX("".join(_span(s) for s in _markup.parse(text)))


def _span(span: _markup.Span) -> str:
    if span.kind == "text":
        return escape(span.text)
    inner = "".join(_span(c) for c in span.children)
    if span.kind == "strong":
        return f"\\textbf{{{inner}}}"
    if span.kind == "em":
        return f"\\emph{{{inner}}}"
    return href(span.url, inner)
