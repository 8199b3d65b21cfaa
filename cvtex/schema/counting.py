"""The one function that counts a 자기소개서 (self-introduction) answer against its limit.

``cvtex validate`` (the count table, the over-limit error, the far-under warning), ``cvtex letter``
and, later, ``cvtex render`` all call :func:`count` on :func:`pasted_text`, so the number a user
sees is the number of exactly the text they paste. This module imports nothing heavy (it is on
``cvtex validate``'s path); markdown-it is imported only by :func:`pasted_text`, through
:func:`cvtex.schema.markup.plain`, on first use.

What is counted: the text a user pastes into the form's ``<textarea>`` — each paragraph's inline
markup removed (``**굵게**`` -> ``굵게``, ``[링크](https://example.com)`` -> ``링크``), Unicode NFC
(UAX #15: a decomposed syllable or ``e`` + U+0301 becomes one character), paragraphs separated by
one line break. cvtex's text fields hold no line breaks of their own (white space is folded to
single spaces, :func:`cvtex.schema.text.clean_text`), so the only line breaks are between
paragraphs, and the only white space is U+0020 SPACE and those line breaks.

The rules, and where each comes from:

* Character rules count what the form's own counter shows: JavaScript's ``value.length`` of the
  textarea, i.e. **UTF-16 code units** (MDN, "String: length": "the length of the string in
  UTF-16 code units", https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/String/length).
  This is what the two big Korean job sites' counters do: 잡코리아
  (https://www.jobkorea.co.kr/service/user/tool/textcount, ``TextCount``: "length = value.length")
  and 사람인 (https://www.saramin.co.kr/zf_user/tools/character-counter, script
  https://www.saramin.co.kr/js/tools/character_counter.js) — both page scripts as read on
  2026-10-09 and recorded in a public Korean counter's test suite (cvtex cannot re-read them: no
  network in the tests). A browser's own ``maxlength`` counts the same units: the HTML standard
  measures a textarea's "API value", whose line breaks are single LFs, since whatwg/html#1712
  (2016, https://github.com/whatwg/html/pull/1712: "changing linebreaks to count as 1 character");
  WebKit aligned in 2023 (https://github.com/WebKit/WebKit/pull/10689: "CRLF, CR, or LF is counted
  as 1 because we limit the API value").

  - ``with_spaces`` (공백 포함): every UTF-16 code unit, spaces included, **a line break = 1**.
  - ``without_spaces`` (공백 제외): the same after removing what JavaScript's ``\\s`` matches —
    ``value.replace(/\\s/g, "").length``, the usual implementation — so spaces **and line breaks**
    are not counted. ``\\s`` is ECMA-262's WhiteSpace (TAB, VT, FF, U+FEFF, every general category
    Zs character) plus LineTerminator (LF, CR, U+2028, U+2029) (ECMA-262, CharacterClassEscape,
    https://tc39.es/ecma262/#sec-characterclassescape).

* Byte rules count what the form **submits**, since a byte limit is a storage limit (an EUC-KR or
  UTF-8 column): the HTML standard submits every line break as CR LF ("form values containing
  newlines are normalized to CRLF", https://gist.github.com/andreubotella/bb62bfe0489baa5fe9a1155e0b37f92d,
  the account of whatwg/html#6624/#6697;
  https://html.spec.whatwg.org/#converting-an-entry-list-to-a-list-of-name-value-pairs), so **a line
  break is 2 bytes**. The 교육행정정보시스템 NEIS counts an Enter as 2 bytes the same way
  (https://github.com/NomaDamas/k-skill, docs/features/korean-character-count.md: "Enter/줄바꿈
  시퀀스 2B"). 사람인's and 잡코리아's byte counters read the textarea value instead and count a line
  break as 1 byte, so cvtex's byte count can be higher than theirs by the number of line breaks
  (paragraphs - 1): on the safe side.

  - ``utf8_bytes``: the UTF-8 encoding (Python's codec) of the submitted text: ASCII 1 byte,
    Hangul and hanja 3, an emoji 4, a line break 2 (NEIS: "한글 3B, ASCII 1B, Enter 2B").
  - ``two_byte_hangul``: the count of the older EUC-KR/CP949 forms and of both job sites' byte
    counters: each UTF-16 code unit at or above U+0080 is 2 bytes, ASCII 1 (잡코리아: "bytes +=
    c >> 11 ? 2 : c >> 7 ? 2 : 1 (per UTF-16 code unit)"; 사람인: "encodeURIComponent(ch).length > 4
    → 2 bytes"), a line break 2 (CR LF, as above). For text within CP949's repertoire (every
    Hangul syllable, the KS X 1001 hanja, ASCII) this equals the length of the CP949 encoding
    (tests/test_counting.py checks it with Python's ``cp949`` codec); beyond it (an emoji) the
    forms' counters still count 2 per code unit, and so does cvtex.

Emoji, hanja and combining marks, consequently: an emoji outside the Basic Multilingual Plane
(😀 U+1F600) is two UTF-16 code units — 2 characters, 4 bytes in both byte rules — as the forms
count it, not one grapheme cluster: counting graphemes would let an answer pass that the form
rejects. (cvtex refuses zero-width joiners, so ZWJ emoji sequences cannot occur.) A hanja in the
BMP (漢 U+6F22) is 1 character, 2 bytes (two_byte_hangul), 3 bytes (UTF-8); one in CJK extension
B and later (𠀀 U+20000) is 2 characters, 4 and 4. A combining sequence counts after NFC: ``e`` +
U+0301 is ``é``, 1 character; a mark with no precomposed form stays a character of its own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Literal

CountRule = Literal["with_spaces", "without_spaces", "utf8_bytes", "two_byte_hangul"]

#: rule -> one-line description, for validate's table and the docs
RULES: dict[CountRule, str] = {
    "with_spaces": "characters, spaces and line breaks included (공백 포함; a line break is 1)",
    "without_spaces": "characters, spaces and line breaks excluded (공백 제외)",
    "utf8_bytes": "UTF-8 bytes: ASCII 1, Hangul and hanja 3, emoji 4, a line break 2 (CR LF)",
    "two_byte_hangul": "bytes of the older forms: ASCII 1, Hangul, hanja and other characters 2 "
                       "(emoji 4), a line break 2 (CR LF)",
}
#: ECMA-262 WhiteSpace other than the general category Zs, and LineTerminator: with Zs, what
#: JavaScript's ``\s`` matches (ECMA-262, CharacterClassEscape).
_JS_SPACE_NOT_ZS = "\t\v\f\ufeff\n\r\u2028\u2029"


def pasted_text(paragraphs: Sequence[str]) -> str:
    """The text a user pastes into a web form, as one ``str``: each paragraph's inline markup
    removed (:func:`cvtex.schema.markup.plain`: link texts kept, URLs dropped), NFC-normalized
    (UAX #15, :func:`unicodedata.normalize`), paragraphs joined with one ``"\\n"``.

    ``cvtex letter --format txt`` prints this text and ``cvtex validate`` counts it. Never raises
    for a ``str`` (unmatched markup is literal text)."""
    from cvtex.schema.markup import plain

    return "\n".join(unicodedata.normalize("NFC", plain(p)) for p in paragraphs)


def _utf16_units(text: str) -> int:
    """JavaScript's ``length``: UTF-16 code units (a lone surrogate is one, as in JavaScript)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _textarea_value(text: str) -> str:
    """``text`` as a textarea holds it (HTML, the "API value"): CR LF and CR become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _submitted(text: str) -> str:
    """``text`` as a form submits it: every line break CR LF (HTML, form submission)."""
    return _textarea_value(text).replace("\n", "\r\n")


def _is_js_space(ch: str) -> bool:
    return ch in _JS_SPACE_NOT_ZS or unicodedata.category(ch) == "Zs"


def count(text: str, rule: CountRule) -> int:
    """The length of ``text`` (normally :func:`pasted_text`; not re-normalized to NFC, but a CR LF
    or a CR counts as the one line break a textarea makes of it) by ``rule``, in characters (UTF-16
    code units) or bytes — see the module docstring for each rule and its source. An answer is over
    its limit when ``count(text, rule) > limit``.

    Raises ``ValueError`` for a rule that is not one of :data:`RULES` (the profile's schema refuses
    those first)."""
    if rule == "with_spaces":
        return _utf16_units(_textarea_value(text))
    if rule == "without_spaces":
        return _utf16_units("".join(ch for ch in text if not _is_js_space(ch)))
    if rule == "utf8_bytes":
        return len(_submitted(text).encode("utf-8", "surrogatepass"))
    if rule == "two_byte_hangul":
        submitted = _submitted(text)
        # ASCII code units 1 byte, every other UTF-16 code unit 2: 2 × units − ASCII characters
        return 2 * _utf16_units(submitted) - len(submitted.encode("ascii", "ignore"))
    raise ValueError(f"unknown counting rule {rule!r}; known: {', '.join(RULES)}")
