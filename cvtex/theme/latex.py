"""LaTeX for user text: escaping, links, inline markup.

Everything a profile says reaches TeX through these functions, so that every string
is typeset literally:

* :func:`escape` — ``pylatex.utils.escape_latex`` for the ten specials
  ``\\ { } $ & # ^ _ ~ %`` (and ``[ ] -`` made inert), with ``^`` as
  ``\\textasciicircum{}`` so the PDF text is U+005E. Input is already NFC with white
  space folded (:func:`cvtex.schema.text.clean_text`); nothing can form a ``^^`` sequence, a
  control sequence or a comment. The fonts are loaded with ``Ligatures=TeXOff`` so
  ``--``, ``'`` and `````` stay the characters written (fontspec manual §"Ligatures").
  A line may break after a slash between two words (``research/system/mobile``,
  ``\\penalty0``). A piece of a run of non-space characters that is :data:`LONG_RUN` or
  more characters long and has no such break point (a pasted hash, a long URL, a German
  compound) may also break between two characters, the last resort (``\\penalty1000``:
  taken only when the piece does not fit the line, since a break at a space costs
  nothing in ragged-right text; not 9000+, whose squared demerits overflow TeX's
  integers when a run needs dozens of breaks). Not next to East Asian wide characters,
  which break by kotex's own rules (UAX #11 widths), nor before a combining mark or
  conjoining jamo. So no word runs off the page; breaks add no character to the PDF's
  text. A space before closing punctuation (``and more …``) is a tie (:data:`_CLOSING`).
  No source line is longer than about :data:`MAX_SOURCE_LINE` characters, whatever the
  length of the text.
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
_RUN = re.compile(r"\S+")
_BREAK = "\\penalty1000\\relax "
#: After a slash between two words ("research/system", "CI/CD"): a free break, like
#: ``\allowbreak``. In LaTeX's ``\raggedright`` every line stretches without limit (``\rightskip``
#: 0pt plus 1fil), so all breaks have badness 0 and TeX chooses by penalties alone: with any
#: positive penalty here (50, TeX's ``\exhyphenpenalty``, was tried) it still broke at the space
#: before "research/system/mobile" and left a gap at the end of the line in every case of
#: the issue-21 test paragraphs; with 0 it fills the line up to the slash.
_SLASH_BREAK = "\\penalty0\\relax "
#: Conjoining Hangul jamo (medial vowels and final consonants) belong to the syllable before.
_JAMO = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))
#: What may not start a line after a space (a tie, ``~``, keeps it on the line of the word
#: before): closing brackets and final quotes (Unicode general categories Pe, Pf), the
#: ellipsis, and ``! ? : ;`` (French spacing, "and more …", "Seoul (2020 )"). UAX #14 (the
#: Unicode Line Breaking Algorithm), rule LB13, forbids a break before the classes CL, CP,
#: EX and IS "even after spaces"; cvtex keeps the ellipsis (class IN, LB22) and final
#: quotes (Pf) the same way. The tie is
#: LaTeX's ``\nobreakspace`` (a ``\penalty10000`` and the space; LaTeX2e source, ltspace):
#: the PDF's text keeps a space there.
_CLOSING = frozenset("\u2026!?:;")
#: The longest line of LaTeX source that :func:`escape`, :func:`markup` and :func:`url_text`
#: write, in characters, not counting the ``%`` that ends it: a text of any length becomes
#: lines far shorter than TeX's input buffer (``buf_size`` = 200,000 in TeX Live's
#: texmf.cnf; a longer line stops XeLaTeX with "Unable to read an entire line"). Lines end with ``%``, which discards the end of the
#: line and the end-of-line character (TeXbook ch. 8, p. 47: category 14), never before a
#: space (state N skips leading blanks) nor inside a control word, so the tokens TeX reads
#: are the same as from one long line.
MAX_SOURCE_LINE = 1000


def _breakable(before: str, after: str) -> bool:
    """May a long run break between ``before`` and ``after`` (see module doc)?"""
    if unicodedata.east_asian_width(before) in "WF" or unicodedata.east_asian_width(after) in "WF":
        return False
    code = ord(after)
    return not unicodedata.category(after).startswith("M") and not any(lo <= code <= hi for lo, hi in _JAMO)


def _slash_break(run: str, i: int) -> bool:
    """Is ``run[i - 1]`` a slash between two words (``research/system``, ``TCP/IP``): letters
    or digits on both sides, not digits on both (``1/2``, ``2020/21`` stay together)? UAX #14
    gives the slash class SY, which allows a break after it except before a digit (LB13,
    LB25: "SY × NU"); cvtex also keeps ``letter/digit`` breakable (``Python/3``) but never
    ``digit/digit``, a fraction or a date."""
    if run[i - 1] != "/" or i < 2:
        return False
    before, after = run[i - 2], run[i]
    return before.isalnum() and after.isalnum() and not (before.isdigit() and after.isdigit())


def _closing(text: str, i: int) -> bool:
    """Does ``text[i]`` (after a space) belong on the line of the word before (see :data:`_CLOSING`)?"""
    ch = text[i]
    return ch in _CLOSING or unicodedata.category(ch) in ("Pe", "Pf") or text.startswith("...", i)


def _escape(text: str) -> str:
    from pylatex.utils import (
        escape_latex,  # imported on first use: ~13 ms that `cvtex validate` skips
    )

    return str(escape_latex(text)).replace("\\^{}", "\\textasciicircum{}")


def _run_pieces(run: str) -> list[tuple[str, str]]:
    """``run`` (no white space) as ``(break before, piece)`` pairs: breaks after a slash
    between words (:data:`_SLASH_BREAK`), and — the last resort, only inside a piece of
    :data:`LONG_RUN` or more characters that has no other break point — between any two
    characters :func:`_breakable` allows (:data:`_BREAK`)."""
    out: list[tuple[str, str]] = []
    start = 0
    cuts = [i for i in range(2, len(run)) if _slash_break(run, i)] + [len(run)]
    for cut in cuts:
        piece, first = run[start:cut], _SLASH_BREAK if start else ""
        if len(piece) >= LONG_RUN:
            at = 0
            for i in range(1, len(piece)):
                if _breakable(piece[i - 1], piece[i]):
                    out.append((first, piece[at:i]))
                    first, at = _BREAK, i
            piece = piece[at:]
        out.append((first, piece))
        start = cut
    return out


def escape(text: str, *, word_before: bool = False) -> LaTeX:
    """``text`` as LaTeX that typesets exactly ``text`` (see module doc): its break points,
    ties, and source lines of at most :data:`MAX_SOURCE_LINE` characters. ``word_before``:
    ``text`` continues other text (a span after bold text or a link), so a space at its
    start before closing punctuation is a tie too."""
    out, done = [], 0
    for n, match in enumerate(_RUN.finditer(text)):
        start = match.start()
        if (n or word_before) and start and text[start - 1] == " " and _closing(text, start):
            out += [_escape(text[done:start - 1]), "~"]
            done = start
        run = match.group()
        if len(run) < 3 or ("/" not in run and len(run) < LONG_RUN):
            continue
        out.append(_escape(text[done:start]))
        out += [brk + _escape(piece) for brk, piece in _run_pieces(run)]
        done = match.end()
    out.append(_escape(text[done:]))
    return LaTeX(_source_lines("".join(out)))


def _safe_cut(tex: str, at: int) -> bool:
    """May a ``%`` and a line end go between ``tex[at - 1]`` and ``tex[at]`` (see
    :data:`MAX_SOURCE_LINE`)? Not before a space, not after a backslash, not inside or
    right after the name of a control word (a backslash and letters: ASCII, or any
    non-ASCII character, which XeLaTeX makes a letter)."""
    if tex[at].isspace() or tex[at - 1] == "\\":
        return False
    k = at - 1
    while k >= 0 and (tex[k].isalpha() or ord(tex[k]) > 127):
        k -= 1
    return k == at - 1 or k < 0 or tex[k] != "\\"


def _source_lines(tex: str) -> str:
    """``tex`` with ``%`` line ends so that no line is longer than :data:`MAX_SOURCE_LINE`
    (where a safe place exists)."""
    if len(tex) <= MAX_SOURCE_LINE:
        return tex
    out, line = [], 0
    while True:
        newline = tex.find("\n", line, line + MAX_SOURCE_LINE + 2)  # a line may end "%\n" already
        if newline >= 0:
            out.append(tex[line:newline + 1])
            line = newline + 1
            continue
        if len(tex) - line <= MAX_SOURCE_LINE:
            break
        at = line + MAX_SOURCE_LINE
        while at > line + 1 and not _safe_cut(tex, at):
            at -= 1
        if at == line + 1:  # nowhere in the line: the first safe place after it
            at = line + MAX_SOURCE_LINE + 1
            while at < len(tex) and not _safe_cut(tex, at):
                at += 1
            if at >= len(tex):
                break
        out.append(tex[line:at] + "%\n")
        line = at
    out.append(tex[line:])
    return "".join(out)


_URL_BREAKS = re.compile(r"(?<=[/.\-_?&=#:@])(?=[^/])")


def href(url: str, body: str) -> LaTeX:
    """A link to ``url`` around ``body`` (LaTeX; use :func:`escape` for text): the link
    annotation's specials (see module doc). Raises ``ValueError`` for a URL that
    :func:`cvtex.schema.urls.normalize_url` refuses. The visible text is set by the theme's
    ``\\cvlinktext{text}`` (cvtex.sty: the accent colour), so that a reader can tell a link
    from text. It is called as ``\\csname cvlinktext\\endcsname``: where no package defines
    it (a theme of its own with hyperref), that is ``\\relax`` and the text is set as it is."""
    return LaTeX(_link_annotation(f"/S/URI/URI<{normalize_url(url).encode('ascii').hex().upper()}>",
                                  "\\csname cvlinktext\\endcsname{" + body + "}"))


def url_text(url: str) -> LaTeX:
    """A URL or address as visible text, breakable after ``/ . - _ ? & = # : @``."""
    pieces = _URL_BREAKS.split(url)
    return LaTeX(_source_lines("\\allowbreak{}".join(escape(p) for p in pieces)))


def display_url(url: str) -> str:
    """A URL as people write it on paper: no scheme, no ``mailto:``, no trailing slash."""
    shown = re.sub(r"^(https?://(www\.)?|mailto:|tel:)", "", url)
    return shown[:-1] if shown.endswith("/") and shown.count("/") == 1 else shown


def markup(text: str) -> LaTeX:
    """Text with inline markup as LaTeX: links become ``\\href``, ``**x**`` ``\\textbf``,
    ``*x*`` ``\\emph``; everything else is :func:`escape`-d."""
    return LaTeX(_source_lines("".join(_span(s, i > 0) for i, s in enumerate(_markup.parse(text)))))


def _span(span: _markup.Span, word_before: bool) -> str:
    """One span as LaTeX; ``word_before``: text came before it (see :func:`escape`)."""
    if span.kind == "text":
        return escape(span.text, word_before=word_before)
    inner = "".join(_span(c, word_before or i > 0) for i, c in enumerate(span.children))
    if span.kind == "strong":
        return f"\\textbf{{{inner}}}"
    if span.kind == "em":
        return f"\\emph{{{inner}}}"
    return href(span.url, inner)
