"""LaTeX for user text: escaping, links, inline markup.

Everything a profile says reaches TeX through these functions, so that every string
is typeset literally:

* :func:`escape` — ``pylatex.utils.escape_latex`` for the ten specials
  ``\\ { } $ & # ^ _ ~ %`` (and ``[ ] -`` made inert), with ``^`` as
  ``\\textasciicircum{}`` so the PDF text is U+005E. Input is already NFC with white
  space folded (:func:`cvtex.schema.text.clean_text`); nothing can form a ``^^`` sequence, a
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
* :func:`href` — a link annotation without hyperref: ``\\special{pdf:bann …}`` before
  the link text and ``\\special{pdf:eann}`` after it, which xdvipdfmx turns into one
  ``/Link`` annotation per line or page the text spans (dvipdfmx manual, "pdf:bann";
  hyperref's XeTeX driver, hxetex.def, writes the same two specials). The URI is a PDF
  hexadecimal string (ISO 32000-1 §7.3.4.3) of the URL's bytes, so no character of a URL
  (``% # ( ) \\``…) needs TeX or PDF escaping and the annotation carries the URL
  exactly. URLs here have passed :func:`cvtex.schema.urls.normalize_url`: ASCII, the URI action's
  requirement (ISO 32000-1 §12.6.4.7). The output works whether or not a theme loads
  hyperref.
* :data:`LINK_SETUP` — what themes emit instead of loading hyperref (a sixth of XeLaTeX's
  instructions for a CV, ~0.1 s of CPU): ``\\hypertarget`` for the section destinations, the way hyperref
  places them, ``\\hyperlink`` to them, and xdvipdfmx told to keep named destinations no
  link points to. A theme that wants more of hyperref (``\\url``, a literal ``\\href``)
  loads it as well; hyperref's definitions then take the place of these.
* :func:`markup` — ``[text](url)``, ``**bold**``, ``*italic*`` (:mod:`cvtex.schema.markup`).
"""

from __future__ import annotations

import re
import unicodedata

from cvtex.schema import markup as _markup
from cvtex.schema import normalize_url


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


def _link_annotation(action: str, body: str) -> str:
    """``body`` (LaTeX) inside xdvipdfmx's link specials: a borderless ``/Link``
    annotation whose action dictionary holds ``action`` (``/S/URI/URI<…>``,
    ``/S/GoTo/D(…)``; ISO 32000-1 §12.5.6.5, §12.6.4), as hxetex.def writes it."""
    return ("\\leavevmode\\special{pdf:bann<</Type/Annot/Subtype/Link/Border[0 0 0]/A<<" + action + ">>>>}{"
            + body + "}\\special{pdf:eann}")


#: What a theme emits in its preamble instead of loading hyperref (template global
#: ``link_setup``). Unless hyperref defined them, it defines hyperref's two commands for
#: internal links: ``\hyperlink{name}{text}``, a link annotation whose action goes to the
#: named destination (``/GoTo``, as hxetex.def writes it), and ``\hypertarget{name}{text}``,
#: which writes the named destination ``name`` where it stands, as hyperref does for an
#: anchor (hyperref.sty ``\Hy@SaveLastskip``/``\Hy@RestoreLastskip``, hxetex.def
#: ``\@pdfm@dest``): in vertical mode after ``\addvspace`` the skip is moved behind the
#: destination, so that no page can break between the destination and the heading below
#: it and a later ``\addvspace`` still sees it. Names are ``section.<id>``
#: (:func:`cvtex.theme.helpers.section_destination`), which need no escaping in a PDF string.
#: ``C 0x0010`` keeps every named destination: xdvipdfmx drops those no link in the
#: document points to (dvipdfmx.cfg, "compatibility flags"), and the outline that points
#: to them is added after it ran (:mod:`cvtex.build.pdf`).
LINK_SETUP = LaTeX(r"""\special{dvipdfmx:config C 0x0010}%
\makeatletter
\def\cvtex@anchor#1{%
  \let\cvtex@restoreskip\relax
  \ifvmode
    \ifdim\lastskip=\z@
      \ifnum\lastnodetype=\@ne\else\let\cvtex@restoreskip\nobreak\fi
    \else
      \skip@=-\lastskip
      \edef\cvtex@restoreskip{\nobreak\vskip\the\skip@\vskip\the\lastskip\relax}%
    \fi
  \else\ifhmode
    \ifdim\lastskip=\z@
      \let\cvtex@restoreskip\nobreak
    \else
      \skip@=-\lastskip
      \edef\cvtex@restoreskip{\nobreak\hskip\the\skip@\hskip\the\lastskip\relax}%
    \fi
  \fi\fi
  \special{pdf:dest (#1) [@thispage /XYZ @xpos @ypos null]}%
  \cvtex@restoreskip}
\providecommand*\hypertarget[2]{\cvtex@anchor{#1}#2}
""" + r"\providecommand*\hyperlink[2]{" + _link_annotation("/S/GoTo/D(#1)", "#2") + "}\n\\makeatother\n")


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
    from pylatex.utils import (
        escape_latex,  # imported on first use: ~13 ms that `cvtex validate` skips
    )

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


_URL_BREAKS = re.compile(r"(?<=[/.\-_?&=#:@])(?=[^/])")


def href(url: str, body: str) -> LaTeX:
    """A link to ``url`` around ``body`` (LaTeX; use :func:`escape` for text): the link
    annotation's specials (see module doc). Raises ``ValueError`` for a URL that
    :func:`cvtex.schema.urls.normalize_url` refuses."""
    return LaTeX(_link_annotation(f"/S/URI/URI<{normalize_url(url).encode('ascii').hex().upper()}>", body))


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
