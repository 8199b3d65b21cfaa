"""Field types shared by the schema: localized text, URLs, dates.

Rules and their sources:

* Text is normalized to Unicode NFC (UAX #15) so decomposed Hangul jamo typesets and
  compares as the composed syllables; runs of white space (including CR, LF, TAB,
  U+0085, U+2028, U+2029) become one space — a text field is one paragraph.
* Control characters (C0 other than white space, DEL, C1) and bidirectional
  formatting characters (UAX #9 §2: LRE RLE PDF LRO RLO LRI RLI FSI PDI LRM RLM ALM)
  cannot be typeset visibly and are refused.
* URLs (RFC 3986): only ``http``, ``https``, ``mailto`` and ``tel`` (RFC 6068, RFC 3966);
  no white space; an internationalized host becomes its IDNA A-label (RFC 5891) and
  non-ASCII characters elsewhere are percent-encoded as UTF-8 (RFC 3987 §3.1). ASCII
  is kept exactly as written, so ``% # ~ _ &`` reach the PDF unchanged.
* Dates: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (ISO 8601 calendar dates, reduced
  precision) or ``present``.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, Union
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import AfterValidator, BeforeValidator, Discriminator, Tag, WithJsonSchema

LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"

_WHITESPACE = re.compile(r"[\s\u0085\u2028\u2029]+")
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def clean_text(value: str) -> str:
    """NFC-normalize ``value`` and fold white space; raise ``ValueError`` on characters
    that cannot be typeset (control and bidi formatting characters) or an empty text."""
    value = unicodedata.normalize("NFC", value)
    for ch in value:
        code = ord(ch)
        if ch in "\t\n\r":
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F:
            raise ValueError(f"control character U+{code:04X} cannot be typeset; remove it")
        if ch in _BIDI:
            name = unicodedata.name(ch, "bidi control")
            raise ValueError(f"bidirectional control character U+{code:04X} ({name}) cannot be typeset; remove it")
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"lone surrogate U+{code:04X} is not text")
    value = _WHITESPACE.sub(" ", value).strip()
    if not value:
        raise ValueError("text must not be empty")
    return value


def _check_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return clean_text(value)


CleanStr = Annotated[str, BeforeValidator(_check_text)]


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


_TEXT_SCHEMA = {
    "anyOf": [
        {"type": "string", "minLength": 1},
        {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string", "minLength": 1},
         "propertyNames": {"pattern": LOCALE_PATTERN}},
    ],
    "description": "Text, the same in every language, or a mapping of locale code to text: {en: …, ko: …}.",
}

#: A human-readable field: a string, or ``{locale: string}``.
Text = Annotated[
    Annotated[
        Union[Annotated[CleanStr, Tag("text")], Annotated[dict[LocaleCode, CleanStr], Tag("localized")]],
        Discriminator(_text_kind, custom_error_type="text_type",
                      custom_error_message="expected text, or a mapping of locale to text such as {en: …, ko: …}"),
    ],
    AfterValidator(_to_localized),
    WithJsonSchema(_TEXT_SCHEMA),
]

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


def normalize_url(url: str) -> str:
    """Check ``url`` against the link policy and return its ASCII form.

    Raises ``ValueError`` naming the problem: a scheme other than http, https, mailto or
    tel; white space or control characters; no host for http(s); a malformed address.
    """
    if not isinstance(url, str):
        raise ValueError("expected a URL")
    url = unicodedata.normalize("NFC", url.strip())
    if not url:
        raise ValueError("the URL is empty")
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in _BIDI for c in url):
        raise ValueError("a URL must not contain spaces or control characters (percent-encode a space as %20)")
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


def _check_email(value: Any) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()):
        raise ValueError(f"'{value}' is not an e-mail address")
    return value.strip()


def _check_phone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a telephone number")
    value = clean_text(value)
    digits = re.sub(r"[\s\-.()]", "", value)
    if not re.fullmatch(r"\+?[0-9]{3,20}", digits):
        raise ValueError(f"'{value}' is not a telephone number (digits, spaces, + - . ( ) only)")
    return value


Url = Annotated[str, AfterValidator(normalize_url),
                WithJsonSchema({"type": "string", "pattern": "^(https?|mailto|tel):",
                                "description": "An http(s), mailto or tel URL."})]
Email = Annotated[str, AfterValidator(_check_email), WithJsonSchema({"type": "string", "format": "email"})]
Phone = Annotated[str, AfterValidator(_check_phone), WithJsonSchema({"type": "string"})]


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
                 WithJsonSchema({"type": "string", "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|[Pp]resent)$",
                                 "description": "YYYY, YYYY-MM, YYYY-MM-DD or present"})]
