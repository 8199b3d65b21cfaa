"""URLs as cvtex accepts them, and their forms in a PDF: the link annotation and the printed text.

* Only ``http``, ``https``, ``mailto`` and ``tel`` (RFC 3986; RFC 6068; RFC 3966); no white
  space or control characters; a ``%`` must start a percent-encoded byte ``%XX`` (RFC 3986
  §2.1: a literal percent sign is written ``%25``).
* :func:`normalize_url` gives the ASCII form a link annotation holds: an internationalized host
  becomes its IDNA A-label (RFC 5891) and other non-ASCII characters are percent-encoded as
  UTF-8 (RFC 3987 §3.1). ASCII is kept exactly as written, so ``% # ~ _ &`` reach the PDF's
  link annotation unchanged.
* :func:`readable_url` turns that form back into the IRI its owner wrote (RFC 3987 §3.2), for
  a URL printed as text.
* :func:`doi_url` and :func:`tel_url` make the URLs of a DOI and a telephone number.

Pure functions on strings; the pydantic field types built on them are in
:mod:`cvtex.schema.text`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable
from urllib.parse import quote, urlsplit, urlunsplit

#: Bidirectional formatting characters (UAX #9 §2: LRE RLE PDF LRO RLO LRI RLI FSI PDI LRM
#: RLM ALM): refused in text and in URLs, where they would reorder what is shown.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BIDI = BIDI_CONTROLS

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")
#: An e-mail address as cvtex accepts it: local part, '@', a domain with a dot.
EMAIL_PATTERN = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+$")
_EMAIL = EMAIL_PATTERN
_TEL = re.compile(r"^\+?[0-9][0-9\-.()]*[0-9]$")
#: A DOI (DOI Handbook §2.2: the prefix 10.NNNN, a slash, a suffix).
DOI_PATTERN = r"^10\.\d{4,9}/\S+$"


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


#: Characters of a DOI that must or should be percent-encoded in a URL (DOI Handbook
#: §2.5.2.4 "Encoding rules for URL"): % " # space ? and < > { } ^ [ ] ` | \\.
_DOI_SAFE = "".join(c for c in map(chr, range(0x21, 0x7F)) if c not in '%"#?<>{}^[]`|\\')


def doi_url(doi: str) -> str:
    """The resolver URL of ``doi``: ``https://doi.org/`` + the DOI, percent-encoded."""
    return normalize_url("https://doi.org/" + quote(doi, safe=_DOI_SAFE))


def tel_url(phone: str) -> str:
    """The ``tel:`` URL of a phone number as written (RFC 3966 global number if it has +)."""
    return "tel:" + re.sub(r"[\s()]", "", phone).replace(".", "-")
