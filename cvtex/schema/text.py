"""Field types shared by the schema: localized text, URLs, dates.

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
* URLs (RFC 3986): only ``http``, ``https``, ``mailto`` and ``tel`` (RFC 6068, RFC 3966);
  no white space; a ``%`` must start a percent-encoded byte ``%XX`` (RFC 3986 §2.1: a
  literal percent sign is written ``%25``); an internationalized host becomes its IDNA
  A-label (RFC 5891) and non-ASCII characters elsewhere are percent-encoded as UTF-8
  (RFC 3987 §3.1). ASCII is kept exactly as written, so ``% # ~ _ &`` reach the PDF's link
  annotation unchanged. Printed as text, such a URL is shown the other way round, as the
  IRI its owner wrote (:func:`readable_url`, RFC 3987 §3.2).
* Dates: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (ISO 8601 calendar dates, reduced
  precision) or ``present``.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, Callable, Union
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import AfterValidator, BeforeValidator, Discriminator, Tag, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from cvtex.schema import markup

LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"

_WHITESPACE = re.compile(r"[\s\u0085\u2028\u2029]+")
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


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
#: A string printed as written (no markup): an author alias, a patent number, a network.
PlainStr = Annotated[str, BeforeValidator(printable), WithJsonSchema({"type": "string", "minLength": 1})]


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


def _check_line(value: Any, info: ValidationInfo) -> str:
    value = _check_text(value, info)
    shown = len(markup.plain(value))
    if shown > MAX_LINE:
        raise _problem("too_long", f"{shown} characters is too long for this field (at most {MAX_LINE}: it is set "
                                   "as a heading, which cannot break across pages); put long text in a summary or "
                                   "highlights")
    return value


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
#: Like :data:`Text`, without a length limit: summaries, highlights, notes, a thesis title
#: — what themes set as paragraphs, which break across lines and pages.
Paragraph = TypeAliasType("Paragraph", _localized(_check_text, None))

# --------------------------------------------------------------------------- URLs

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+$")
_TEL = re.compile(r"^\+?[0-9][0-9\-.()]*[0-9]$")


#: ASCII characters RFC 3986 does not allow anywhere in a URI (§2; RFC 3986 appendix C).
_NOT_IN_URI = set('"<>\\^`{|}')


def _encode_non_ascii(part: str) -> str:
    """Percent-encode (UTF-8) non-ASCII characters and the ASCII characters no URI may
    contain (``" < > \\ ^ ` { | }``); every other character is kept as written."""
    return "".join(quote(c, safe="") if ord(c) >= 128 or c in _NOT_IN_URI else c for c in part)


_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def normalize_url(url: str) -> str:
    """Check ``url`` against the link policy and return its ASCII form.

    Raises ``ValueError`` naming the problem: a scheme other than http, https, mailto or
    tel; white space or control characters; a ``%`` that does not start ``%XX`` (RFC 3986
    §2.1); no host for http(s); a malformed address.
    """
    if not isinstance(url, str):
        raise ValueError("expected a URL")
    url = unicodedata.normalize("NFC", url.strip())
    if not url:
        raise ValueError("the URL is empty")
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in _BIDI for c in url):
        raise ValueError("a URL must not contain spaces or control characters (percent-encode a space as %20)")
    bad = _BAD_PERCENT.search(url)
    if bad:
        left, right = (0, len(url)) if len(url) <= 60 else (max(bad.start() - 30, 0), bad.start() + 10)
        shown = ("…" if left else "") + url[left:right] + ("…" if right < len(url) else "")
        raise ValueError(f"'%' in '{shown}' does not start a percent-encoded byte such as %20 (RFC 3986 §2.1); "
                         "write a literal percent sign as %25")
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", url)
    if not match:
        raise ValueError(f"'{url}' has no scheme: write https://{url}" if "." in url.split("/")[0]
                         else f"'{url}' is not an absolute URL (it needs a scheme such as https:)")
    scheme = match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        raise ValueError(f"the '{scheme}:' scheme is not allowed; use one of {', '.join(ALLOWED_SCHEMES)}")
    url = scheme + url[len(scheme):]
    if scheme in ("http", "https"):
        parts = urlsplit(url)
        host = parts.hostname or ""
        if not host or not url[len(scheme) + 1:].startswith("//"):
            raise ValueError(f"'{url}' has no host")
        netloc = parts.netloc
        if not host.isascii():
            try:
                ascii_host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise ValueError(f"'{host}' is not a valid internationalized host name") from None
            netloc = netloc.replace(parts.netloc.rsplit("@", 1)[-1].split(":")[0], ascii_host)
        return urlunsplit((scheme, _encode_non_ascii(netloc), _encode_non_ascii(parts.path),
                           _encode_non_ascii(parts.query), _encode_non_ascii(parts.fragment))) \
            if not url.isascii() or _NOT_IN_URI & set(url) else url
    rest = url[len(scheme) + 1:]
    if scheme == "mailto":
        address = rest.split("?", 1)[0]
        if not all(_EMAIL.match(a) for a in address.split(",")):
            raise ValueError(f"'{address}' is not an e-mail address")
    elif scheme == "tel" and not _TEL.match(rest.split(";", 1)[0]):
        raise ValueError(f"'{rest}' is not a telephone number (RFC 3966: digits, + - . ( ) only)")
    return scheme + ":" + _encode_non_ascii(rest)


def _ucschar(code: int) -> bool:
    """Whether RFC 3987 §2.2 allows the code point in an IRI (``ucschar``: no controls,
    surrogates, private use or noncharacters)."""
    return (0xA0 <= code <= 0xD7FF or 0xF900 <= code <= 0xFDCF or 0xFDF0 <= code <= 0xFFEF
            or (0x10000 <= code <= 0xEFFFD and code & 0xFFFF <= 0xFFFD and not 0xE0000 <= code <= 0xE0FFF))


_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def readable_url(url: str, settable: Callable[[str], bool] | None = None) -> str:
    """``url`` — ASCII, as :func:`normalize_url` returns it — as the IRI people read and
    type (RFC 3987 §3.2, "Converting URIs to IRIs"): for the text of a link, where
    ``https://xn--3e0b707e.kr/%EC%86%8C%EA%B0%9C`` would be unreadable on paper.

    * Percent-encoded octets that are UTF-8 for a non-ASCII character (decoded by Python's
      strict UTF-8 codec) become that character — unless RFC 3987 forbids it in an IRI
      (§2.2 ``ucschar``; §4.1 bidirectional formatting characters), it is a space, a
      control or a format character (Unicode general categories Z* and C*), or
      ``settable`` (a predicate: whether the fonts have the glyph) refuses it.
    * Everything else stays as written: ``%20``, ``%2F`` and other encoded ASCII (decoded,
      they would change what the URL means or where it ends), octets that are not UTF-8.
    * In an http(s) URL, a host with IDNA A-labels (``xn--…``) is shown with its
      U-labels (RFC 5891 §5.5 ToUnicode, by Python's ``idna`` codec: the one
      :func:`normalize_url` encodes with), when every character of it may be shown.

    The link annotation keeps ``url`` itself; this changes only what is printed.
    """
    if "%" not in url and "xn--" not in url.lower():
        return url

    def shown(ch: str) -> bool:
        return (_ucschar(ord(ch)) and unicodedata.category(ch)[0] not in "CZ" and ch not in _BIDI
                and (settable is None or settable(ch)))

    def decode(match: re.Match[str]) -> str:
        encoded = match.group(0)
        octets = bytes.fromhex(encoded.replace("%", ""))
        out: list[str] = []
        at = 0
        while at < len(octets):
            lead = octets[at]
            size = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
            try:
                ch = octets[at:at + size].decode("utf-8") if size else ""
            except UnicodeDecodeError:
                ch = ""
            if len(ch) == 1 and shown(ch):
                out.append(ch)
                at += size
            else:
                out.append(encoded[3 * at:3 * at + 3])
                at += 1
        return "".join(out)

    scheme, _, rest = url.partition(":")
    head = scheme + ":"
    if scheme in ("http", "https") and rest.startswith("//"):
        netloc = urlsplit(url).netloc
        rest = rest[2 + len(netloc):]
        user, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
        if "xn--" in host.lower():
            try:
                named = host.encode("ascii").decode("idna")
            except UnicodeError:
                named = host
            if all(ch.isascii() or shown(ch) for ch in named):
                host = named
        head += "//" + user + at + host + colon + port
    return head + _PERCENT_RUN.sub(decode, rest)


#: Characters an address may contain (RFC 5322 atext) that would change the meaning of the
#: ``mailto:`` link cvtex makes of it unless percent-encoded (RFC 6068 §2).
_MAILTO_DELIMS = "%#&?"


def _check_email(value: Any, info: ValidationInfo | None = None) -> str:
    value = printable(value, info)
    if not _EMAIL.match(value):
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


_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def _check_doi(value: Any, info: ValidationInfo | None = None) -> str:
    value = printable(value, info)
    if not _DOI.match(value):
        resolver = re.match(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", value, re.I)
        hint = (f"write the DOI itself ({value[resolver.end():]}) without '{resolver.group(0)}'" if resolver
                else "a DOI has the form 10.NNNN/suffix")
        raise _problem("doi", f"'{value}' is not a DOI: {hint}")
    return value


#: Characters of a DOI that must or should be percent-encoded in a URL (DOI Handbook
#: §2.5.2.4 "Encoding rules for URL"): % " # space ? and < > { } ^ [ ] ` | \\.
_DOI_SAFE = "".join(c for c in map(chr, range(0x21, 0x7F)) if c not in '%"#?<>{}^[]`|\\')


def doi_url(doi: str) -> str:
    """The resolver URL of ``doi``: ``https://doi.org/`` + the DOI, percent-encoded."""
    return normalize_url("https://doi.org/" + quote(doi, safe=_DOI_SAFE))


Url = Annotated[str, AfterValidator(normalize_url),
                WithJsonSchema({"type": "string", "pattern": "^(https?|mailto|tel):",
                                "description": "An http(s), mailto or tel URL."})]
Email = Annotated[str, BeforeValidator(_check_email), WithJsonSchema({"type": "string", "format": "email"})]
Phone = Annotated[str, BeforeValidator(_check_phone), WithJsonSchema({"type": "string"})]
Doi = Annotated[str, BeforeValidator(_check_doi),
                WithJsonSchema({"type": "string", "pattern": r"^10\.\d{4,9}/\S+$",
                                "description": "A DOI (10.NNNN/suffix), without the resolver URL."})]


def tel_url(phone: str) -> str:
    """The ``tel:`` URL of a phone number as written (RFC 3966 global number if it has +)."""
    return "tel:" + re.sub(r"[\s()]", "", phone).replace(".", "-")


# --------------------------------------------------------------------------- dates

@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date at year, month or day precision (``month``/``day`` 0 when absent)."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def present(self) -> bool:
        return self.year == 9999

    def __str__(self) -> str:
        if self.present:
            return "present"
        return "-".join([f"{self.year:04d}"] + [f"{n:02d}" for n in (self.month, self.day) if n])


PRESENT = PartialDate(9999)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(value: Any) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``present`` (any case)."""
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("expected a date: YYYY, YYYY-MM, YYYY-MM-DD or present")
    text = value.strip()
    if text.lower() == "present":
        return PRESENT
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a date: write YYYY, YYYY-MM, YYYY-MM-DD or present")
    year, month, day = (int(g) if g else 0 for g in match.groups())
    try:
        _dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a valid date: {exc}") from None
    return PartialDate(year, month, day)


Date = Annotated[PartialDate, BeforeValidator(parse_date),
                 # An unquoted year is a YAML 1.2 integer to editors (yaml-language-server).
                 WithJsonSchema({"anyOf": [{"type": "string",
                                            "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|[Pp]resent)$"},
                                           {"type": "integer", "minimum": 1, "maximum": 9999}],
                                 "description": "YYYY, YYYY-MM, YYYY-MM-DD or present"})]
