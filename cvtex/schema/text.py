"""Field types shared by the schema: printed text, localized text, and the checked strings
(e-mail address, phone number, DOI, URL).

Rules and their sources:

* Text is normalized to Unicode NFC (UAX #15) so decomposed Hangul jamo typesets and
  compares as the composed syllables; runs of white space (including CR, LF, TAB,
  U+0085, U+2028, U+2029) become one space — a text field is one paragraph.
* Characters that cannot be seen in a PDF are refused, each with a message naming it:
  control characters (C0 other than the white space above, DEL, C1); bidirectional
  formatting characters (UAX #9 §2: LRE RLE PDF LRO RLO LRI RLI FSI PDI LRM RLM ALM);
  every other format character (general category Cf: soft hyphen, zero-width space and
  joiners, word joiner, BOM, tag characters — invisible, so "the text in the PDF" could
  not be checked); unassigned code points and noncharacters (category Cn); lone
  surrogates.
* Glyphs: when validation is given a glyph checker in the pydantic context (key
  ``"glyphs"``, see :class:`cvtex.theme.fonts.Coverage`), every printed string is checked
  against the theme's fonts and a character no font would set is refused.
* URLs, e-mail addresses, phone numbers and DOIs are checked by the rules of
  :mod:`cvtex.schema.urls` (:data:`Url`, :data:`Email`, :data:`Phone`, :data:`Doi`).

Dates are in :mod:`cvtex.schema.dates`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, Union

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Tag,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from cvtex.schema import markup
from cvtex.schema.urls import BIDI_CONTROLS, DOI_PATTERN, EMAIL_PATTERN, normalize_url

LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"

_WHITESPACE = re.compile(r"[\s\u0085\u2028\u2029]+")
_BIDI = BIDI_CONTROLS


class TextError(ValueError):
    """A text cannot be used; ``char`` is the offending character ('' when not one)."""

    def __init__(self, message: str, char: str = "") -> None:
        super().__init__(message)
        self.char = char


#: Line and paragraph breaks folded into a space like other white space (not "controls").
_BREAKS = "\t\n\r\x85"


def describe_char(ch: str) -> str:
    """``'😀' (U+1F600 GRINNING FACE)``; an invisible character without the quoted glyph."""
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
    visible = unicodedata.category(ch)[0] not in "CZM"
    return f"'{ch}' ({code})" if visible else code


def clean_text(value: str) -> str:
    """NFC-normalize ``value`` (UAX #15) and fold white space to single spaces.

    Raises :class:`TextError` (a ``ValueError``) for an empty text or a character that
    cannot be seen in a PDF (see module doc), naming the character.
    """
    value = unicodedata.normalize("NFC", value)
    if not _VISIBLE.issuperset(value):
        _check_chars(value)
    value = _WHITESPACE.sub(" ", value).strip()
    if not value:
        raise TextError("text must not be empty")
    return value


#: Characters :func:`clean_text` has accepted (a character's verdict never changes).
_VISIBLE: set[str] = set(_BREAKS)


def _check_chars(value: str) -> None:
    for ch in dict.fromkeys(value):  # each character once, in order
        if ch in _VISIBLE:
            continue
        code = ord(ch)
        category = unicodedata.category(ch)
        if category == "Cc":
            raise TextError(f"control character {describe_char(ch)} cannot be typeset; remove it", ch)
        if ch in _BIDI:
            raise TextError(f"bidirectional control character {describe_char(ch)} cannot be typeset "
                            "(UAX #9); remove it", ch)
        if category == "Cf":
            raise TextError(f"invisible formatting character {describe_char(ch)} would not show in the PDF; "
                            "remove it", ch)
        if category == "Cs":
            raise TextError(f"lone surrogate U+{code:04X} is not text", ch)
        if category == "Cn":
            raise TextError(f"U+{code:04X} is not a character (unassigned in Unicode "
                            f"{unicodedata.unidata_version}, or a noncharacter)", ch)
        _VISIBLE.add(ch)


def _problem(kind: str, message: str, char: str = "") -> PydanticCustomError:
    """A validation error whose ``ctx`` keeps the offending character (to point at it)."""
    return PydanticCustomError(kind, "{message}", {"message": message, "char": char})


def check_glyphs(text: str, info: ValidationInfo | None) -> None:
    """Refuse a character of ``text`` (as printed: markup removed) that the glyph checker
    in the validation context says no font would set. Without a checker: no check."""
    glyphs = (info.context or {}).get("glyphs") if info is not None else None
    if glyphs is None:
        return
    missing = glyphs.missing(markup.plain(text))
    if missing:
        fonts = list(dict.fromkeys(font for _, font in missing))
        chars = ", ".join(describe_char(ch) for ch, _ in missing[:3]) + (", …" if len(missing) > 3 else "")
        it = "it" if len(missing) == 1 else "them"
        raise _problem("glyph", f"no glyph for {chars} in {' or '.join(fonts)}, the font{'s' if len(fonts) > 1 else ''} "
                                f"the theme sets {it} in; remove {it} or use a theme whose fonts have {it}",
                       missing[0][0])


def printable(value: Any, info: ValidationInfo | None = None) -> str:
    """:func:`clean_text` plus the glyph check; the check behind every printed string."""
    if not isinstance(value, str):
        raise _problem("text_type", "expected text")
    try:
        value = clean_text(value)
    except TextError as exc:
        raise _problem("text", str(exc), exc.char) from None
    check_glyphs(value, info)
    return value


def _check_text(value: Any, info: ValidationInfo) -> str:
    value = printable(value, info)
    problems = []
    for link in markup.links(value):
        try:
            normalize_url(link.url)
        except ValueError as exc:
            problems.append(f"link [..]({link.url}): {exc}")
        else:
            if not markup.plain_span(link).strip():
                problems.append(f"link [..]({link.url}) has no text, so nothing in the PDF could be clicked; "
                                "write [text](url)")
    if problems:
        raise _problem("link", "; ".join(problems))
    return value


#: A text with inline markup (one language): cleaned, links checked, glyphs checked.
CleanStr = Annotated[str, BeforeValidator(_check_text)]
def _with_info(check: Any) -> Any:
    """``check(value, info)`` as a validator pydantic calls with the validation info: it
    passes ``info`` only to a function whose second parameter has no default, and without
    it there is no glyph check (:func:`check_glyphs`)."""
    return lambda value, info: check(value, info)


#: A string printed as written (no markup): an author alias, a patent number, a network.
PlainStr = Annotated[str, BeforeValidator(_with_info(printable)), WithJsonSchema({"type": "string", "minLength": 1})]


@dataclass(frozen=True)
class LocalizedText:
    """A human-readable text: one string for every language, or one per locale.

    ``values`` maps a locale code (``en``, ``ko``, ``ko-KR``…) to the text, or has the
    single key ``"*"`` for a text that is the same in every language.
    """

    values: dict[str, str]

    @property
    def is_localized(self) -> bool:
        return "*" not in self.values

    def get(self, locale: str, fallback: list[str] | tuple[str, ...] = ()) -> str:
        """The text for ``locale``; else for the first of ``fallback`` that has one; else any."""
        if "*" in self.values:
            return self.values["*"]
        for code in (locale, *fallback):
            if code in self.values:
                return self.values[code]
        return next(iter(self.values.values()))

    def missing(self, locales: list[str]) -> list[str]:
        """The locales in ``locales`` that this text has no translation for."""
        return [] if "*" in self.values else [code for code in locales if code not in self.values]

    def all(self) -> list[str]:
        return list(self.values.values())

    def __str__(self) -> str:  # for messages
        return self.get("en")


def _text_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "localized"
    return None


def _to_localized(value: str | dict[str, str]) -> LocalizedText:
    if isinstance(value, str):
        return LocalizedText({"*": value})
    if not value:
        raise ValueError("give the text in at least one language, e.g. {en: …, ko: …}")
    return LocalizedText(dict(value))


LocaleCode = Annotated[str, BeforeValidator(lambda v: v if isinstance(v, str) else str(v)),
                       AfterValidator(lambda v: _check_locale(v))]


def _check_locale(code: str) -> str:
    if not re.match(LOCALE_PATTERN, code):
        raise ValueError(f"'{code}' is not a locale code such as 'en', 'ko' or 'ko-KR' (BCP 47 language[-REGION])")
    return code


#: Most visible characters in a :data:`Text` (a title, a name, a place): themes set such
#: fields in rows that cannot break across pages, so a pasted paragraph would not fit.
MAX_LINE = 300


def _check_length(value: Any, info: ValidationInfo, most: int, why: str) -> str:
    """``value`` checked as text, then refused when more than ``most`` characters show."""
    value = _check_text(value, info)
    shown = len(markup.plain(value))
    if shown > most:
        raise _problem("too_long", f"{shown} characters is too long for {why}")
    return value


def _check_line(value: Any, info: ValidationInfo) -> str:
    return _check_length(value, info, MAX_LINE, f"this field (at most {MAX_LINE}: it is set as a heading, which "
                                                "cannot break across pages); put long text in a summary or highlights")


#: Most visible characters in a :data:`Paragraph` (about three pages of text; a CV's
#: summary is rarely a tenth of it). XeLaTeX breaks a paragraph into lines as a whole: one
#: of 30,000 unbroken characters took 25 s, one of 100,000 exhausted its main memory
#: ("TeX capacity exceeded, sorry [main memory size=5000000]") and 100,000 Hangul
#: syllables did not finish in 60 s; 10,000 of the worst kinds (unbroken Latin, Hangul,
#: backslashes, carets) take 3-6 s (tests/test_validate_units.py).
MAX_PARAGRAPH = 10_000


def _check_paragraph(value: Any, info: ValidationInfo) -> str:
    return _check_length(value, info, MAX_PARAGRAPH, f"one paragraph (at most {MAX_PARAGRAPH}, about three pages; "
                                                     "XeLaTeX sets a paragraph as a whole); split it into highlights "
                                                     "or shorten it")


def _text_schema(max_length: int | None) -> dict[str, Any]:
    string: dict[str, Any] = {"type": "string", "minLength": 1}
    if max_length:
        string["maxLength"] = max_length
    return {
        "anyOf": [string, {"type": "object", "minProperties": 1, "additionalProperties": string,
                           "propertyNames": {"pattern": LOCALE_PATTERN}}],
        "description": "Text, the same in every language, or a mapping of locale code to text: {en: …, ko: …}."
                       + (f" At most {max_length} characters." if max_length else ""),
    }


class _TextMarker:
    """Metadata that marks the :data:`Text` and :data:`Paragraph` annotations (:func:`is_text`)."""


TEXT_MARKER = _TextMarker()


def is_text(annotation: Any) -> bool:
    """Whether a field annotation is :data:`Text` or :data:`Paragraph` (or ``… | None``)."""
    from typing import get_args, get_origin

    if isinstance(annotation, TypeAliasType):
        return is_text(annotation.__value__)
    if get_origin(annotation) is Annotated:
        return any(arg is TEXT_MARKER for arg in get_args(annotation)[1:])
    if get_origin(annotation) is Union:
        return any(is_text(arg) for arg in get_args(annotation))
    return False


def _localized(check: Any, max_length: int | None) -> Any:
    one = Annotated[str, BeforeValidator(check)]
    return Annotated[
        Annotated[
            Union[Annotated[one, Tag("text")], Annotated[dict[LocaleCode, one], Tag("localized")]],
            Discriminator(_text_kind, custom_error_type="text_type",
                          custom_error_message="expected text, or a mapping of locale to text such as {en: …, ko: …}"),
        ],
        AfterValidator(_to_localized),
        WithJsonSchema(_text_schema(max_length)),
        TEXT_MARKER,
    ]


#: A human-readable field: a string, or ``{locale: string}``; at most :data:`MAX_LINE`
#: visible characters (titles, names, places — what themes set as headings). A named type
#: alias: pydantic builds its schema once for the ~70 fields that use it (``$defs/Text`` in
#: the JSON schema), not once per field — half the schema's build time.
Text = TypeAliasType("Text", _localized(_check_line, MAX_LINE))
#: Like :data:`Text`, with the longer limit :data:`MAX_PARAGRAPH`: summaries, highlights,
#: notes, a thesis title — what themes set as paragraphs, which break across lines and pages.
Paragraph = TypeAliasType("Paragraph", _localized(_check_paragraph, MAX_PARAGRAPH))

#: Characters an address may contain (RFC 5322 atext) that would change the meaning of the
#: ``mailto:`` link cvtex makes of it unless percent-encoded (RFC 6068 §2).
_MAILTO_DELIMS = "%#&?"


def _check_email(value: Any, info: ValidationInfo | None = None) -> str:
    value = printable(value, info)
    if not EMAIL_PATTERN.match(value):
        raise _problem("email", f"'{value}' is not an e-mail address")
    for ch in value:
        if ch in _MAILTO_DELIMS:
            raise _problem("email", f"'{ch}' in an e-mail address would change the mailto: link made of it "
                                    "(RFC 6068 §2); cvtex does not support such addresses", ch)
    try:
        normalize_url("mailto:" + value)
    except ValueError as exc:
        raise _problem("email", str(exc)) from None
    return value


def _check_phone(value: Any, info: ValidationInfo | None = None) -> str:
    value = printable(value, info)
    digits = re.sub(r"[\s\-.()]", "", value)
    if not re.fullmatch(r"\+?[0-9]{3,20}", digits):
        raise _problem("phone", f"'{value}' is not a telephone number (digits, spaces, + - . ( ) only)")
    return value


_DOI = re.compile(DOI_PATTERN)


def _check_doi(value: Any, info: ValidationInfo | None = None) -> str:
    value = printable(value, info)
    if not _DOI.match(value):
        resolver = re.match(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", value, re.I)
        hint = (f"write the DOI itself ({value[resolver.end():]}) without '{resolver.group(0)}'" if resolver
                else "a DOI has the form 10.NNNN/suffix")
        raise _problem("doi", f"'{value}' is not a DOI: {hint}")
    return value


Url = Annotated[str, AfterValidator(normalize_url),
                WithJsonSchema({"type": "string", "pattern": "^(https?|mailto|tel):", "title": "URL",
                                "description": "An http(s), mailto or tel URL."})]
Email = Annotated[str, BeforeValidator(_with_info(_check_email)),
                  WithJsonSchema({"type": "string", "format": "email", "title": "e-mail address"})]
Phone = Annotated[str, BeforeValidator(_with_info(_check_phone)), WithJsonSchema({"type": "string", "title": "phone number"})]
Doi = Annotated[str, BeforeValidator(_with_info(_check_doi)),
                WithJsonSchema({"type": "string", "pattern": DOI_PATTERN, "title": "DOI",
                                "description": "A DOI (10.NNNN/suffix), without the resolver URL."})]
