"""URLs as cvtex accepts them, and their forms in a PDF: the link annotation and the printed text.

:func:`normalize_url` is the one set of URL rules: ``cvtex validate`` applies it to every URL
of a profile, and the link check (:func:`cvtex.links.syntax.uri_problem`) to every link
annotation of a PDF, so a URL that validates never fails the link check's syntax rules.

* Only ``http``, ``https``, ``mailto`` and ``tel`` (RFC 3986; RFC 6068; RFC 3966); no white
  space or control characters; a ``%`` must start a percent-encoded byte ``%XX`` (RFC 3986
  §2.1: a literal percent sign is written ``%25``).
* http(s): ``//`` and a host (RFC 3986 §3.2.2) that is a DNS name — labels of 1 to 63
  letters, digits and hyphens, not starting or ending with a hyphen (RFC 1123 §2.1), at
  most 253 characters in all (RFC 1035 §2.3.4), a label starting ``xn--`` a valid IDNA
  A-label (RFC 5891 §5.4) — or an IPv4 address, or an IPv6 address in brackets (RFC 3986
  §3.2.2); a port of ASCII digits from 1 to 65535, or none after the colon (RFC 3986 §3.2.3;
  port 0 is reserved, RFC 6335 §6).
* ``mailto:``: addresses are RFC 5322 ``addr-spec`` (§3.4.1; a UTF-8 local part, RFC 6532
  §3.2) whose domain follows the host rules above; header fields are ``name=value`` of
  ``qchar`` (RFC 6068 §2). ``tel:``: a global (``+``…) or local number (RFC 3966 §3).
* At most :data:`MAX_URL_LENGTH` characters in the ASCII form.
* The ASCII form a link annotation holds: an internationalized host (or e-mail domain)
  becomes its IDNA A-labels (RFC 5891, UTS #46 processing, by the ``idna`` package) and other
  non-ASCII characters are percent-encoded as UTF-8 (RFC 3987 §3.1). ASCII is kept exactly
  as written, so ``% # ~ _ &`` reach the PDF's link annotation unchanged.
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
from urllib.parse import quote, unquote, urlsplit, urlunsplit

#: Bidirectional formatting characters (UAX #9 §2: LRE RLE PDF LRO RLO LRI RLI FSI PDI LRM
#: RLM ALM): refused in text and in URLs, where they would reorder what is shown.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BIDI = BIDI_CONTROLS

ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")
#: An e-mail address as cvtex accepts it: local part, '@', a domain with a dot.
EMAIL_PATTERN = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+$")
#: A DOI (DOI Handbook §2.2: the prefix 10.NNNN, a slash, a suffix).
DOI_PATTERN = r"^10\.\d{4,9}/\S+$"
#: The longest URL accepted, in characters of its ASCII (percent-encoded) form: RFC 9110
#: §4.1 recommends that senders and recipients support URIs of at least 8000 octets, so a
#: longer one may not be followed. (xdvipdfmx dropped the link annotation of a 90,000
#: character URL altogether; one of 8000 reaches the PDF: tests/test_validate_units.py.)
MAX_URL_LENGTH = 8000

#: ASCII characters RFC 3986 does not allow anywhere in a URI (§2; RFC 3986 appendix C).
_NOT_IN_URI = set('"<>\\^`{|}')
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# RFC 1123 §2.1 host name label (RFC 952 as relaxed: may start with a digit).
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?")
# RFC 5322 §3.2.3 atext (with UTF-8, RFC 6532 §3.2), §3.4.1 addr-spec local part.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010FFFF]"
_LOCAL_PART = re.compile(rf'(?:{_ATEXT}+(?:\.{_ATEXT}+)*|"(?:[^"\\\r\n]|\\.)*")')
# RFC 6068 §2: qchar = unreserved / pct-encoded / some-delims.
_QCHARS = re.compile(r"^(?:[A-Za-z0-9\-._~!$'()*+,;:@\u0080-\U0010FFFF]|%[0-9A-Fa-f]{2})*$")
# RFC 3966 §3.
_PHONEDIGIT = r"[0-9\-.()]"
_GLOBAL_DIGITS = rf"\+{_PHONEDIGIT}*[0-9]{_PHONEDIGIT}*"
_LOCAL_DIGITS = r"[0-9A-Fa-f*#\-.()]*[0-9A-Fa-f*#][0-9A-Fa-f*#\-.()]*"
_PARAM = r";[A-Za-z0-9\-]+(?:=(?:[\[\]/:&+$A-Za-z0-9\-_.!~*'()]|%[0-9A-Fa-f]{2})+)?"
_TEL_GLOBAL = re.compile(rf"^{_GLOBAL_DIGITS}(?:{_PARAM})*$")
_TEL_LOCAL = re.compile(rf"^{_LOCAL_DIGITS}(?:{_PARAM})*$")


def _encode_non_ascii(part: str) -> str:
    """Percent-encode (UTF-8) non-ASCII characters and the ASCII characters no URI may
    contain (``" < > \\ ^ ` { | }``); every other character is kept as written."""
    return "".join(quote(c, safe="") if ord(c) >= 128 or c in _NOT_IN_URI else c for c in part)


def ascii_host(host: str) -> str:
    """``host`` (a URL's host or an e-mail address's domain) in ASCII, checked.

    Non-ASCII names become IDNA A-labels (RFC 5891 by the ``idna`` package, with UTS #46
    mapping as browsers do); ASCII is returned as written. Raises ``ValueError`` naming the
    rule: an empty host, a label that is not 1-63 letters, digits and hyphens or starts or
    ends with a hyphen (RFC 1123 §2.1), a name longer than 253 characters (RFC 1035
    §2.3.4), an ``xn--`` label that is not a valid A-label (RFC 5891 §5.4), digits and dots
    that are not an IPv4 address, brackets without an IPv6 address (RFC 3986 §3.2.2).
    """
    if not host:
        raise ValueError("the URL has no host (RFC 3986 §3.2.2)")
    if host.startswith("["):
        import ipaddress  # imported on first use, as below: `cvtex validate` rarely needs it

        try:
            ipaddress.IPv6Address(host[1:-1] if host.endswith("]") else "?")
        except ValueError:
            raise ValueError(f"'{host}' is not an IPv6 address in brackets (RFC 3986 §3.2.2)") from None
        return host
    if not host.isascii():
        import idna  # imported on first use: its tables cost ~10 ms that most profiles never need

        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise ValueError(f"'{host}' is not a valid internationalized host name (IDNA 2008, RFC 5891: "
                             f"{exc})") from None
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if all(label.isdigit() for label in labels):
        import ipaddress

        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            raise ValueError(f"'{host}' is neither an IPv4 address nor a host name (RFC 3986 §3.2.2)") from None
        return host
    if len(name) > 253:
        raise ValueError(f"the host name is {len(name)} characters long (at most 253: RFC 1035 §2.3.4)")
    for label in labels:
        if not _LABEL.fullmatch(label):
            shown = f"'{label}'" if label else "an empty label"
            raise ValueError(f"{shown} in the host '{host}' is not a host name label: 1 to 63 letters, digits and "
                             "hyphens, not starting or ending with a hyphen (RFC 1123 §2.1)")
        if label[:4].lower() == "xn--":
            import idna

            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError) as exc:
                raise ValueError(f"'{label}' in the host '{host}' is not a valid IDNA A-label (RFC 5891 §5.4: "
                                 f"{exc})") from None
    return host


def parts_of(url: str) -> str:
    """The authority of an http(s) URL as written (between ``//`` and the path), for messages."""
    return re.split(r"[/?#]", url.split("//", 1)[-1], maxsplit=1)[0]


def _http(url: str, scheme: str) -> str:
    """The ASCII form of an http(s) URL (see :func:`normalize_url`)."""
    if not url[len(scheme) + 1:].startswith("//"):
        raise ValueError(f"'{url}' has no host (RFC 3986 §3.2)")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # Python checks a bracketed host: "Invalid IPv6 URL"
        raise ValueError(f"'{parts_of(url)}' is not a host (RFC 3986 §3.2.2: {exc})") from None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if hostport.startswith("["):
        close = hostport.find("]")
        host, rest = (hostport[:close + 1], hostport[close + 1:]) if close >= 0 else (hostport, "")
        if rest and not rest.startswith(":"):
            raise ValueError(f"'{hostport}' is not a host and port (RFC 3986 §3.2.2)")
        port = rest[1:] if rest else None
    else:
        host, colon, port_text = hostport.partition(":")
        port = port_text if colon else None
    if not host:
        raise ValueError(f"'{url}' has no host (RFC 3986 §3.2)")
    if port is not None and not (re.fullmatch(r"[0-9]*", port) and (port == "" or 1 <= int(port) <= 65535)):
        raise ValueError(f"the port '{port}' is not a number from 1 to 65535 (RFC 3986 §3.2.3; port 0 is "
                         "reserved, RFC 6335 §6)")
    named = ascii_host(host)
    if named == host and url.isascii() and not _NOT_IN_URI & set(url):
        return url
    netloc = _encode_non_ascii(userinfo) + at + named + ("" if port is None else ":" + port)
    return urlunsplit((scheme, netloc, _encode_non_ascii(parts.path),
                       _encode_non_ascii(parts.query), _encode_non_ascii(parts.fragment)))


def _mailto(rest: str) -> str:
    """The ASCII form of a ``mailto:`` URL's part after the colon (see :func:`normalize_url`)."""
    to, question, hfields = rest.partition("?")
    addresses = []
    for written in to.split(",") if to else []:
        address = unquote(written)
        local, at, domain = address.rpartition("@")
        if not at or not _LOCAL_PART.fullmatch(local) or not domain:
            raise ValueError(f"'{address}' is not an e-mail address (RFC 6068 §2, RFC 5322 §3.4.1)")
        if domain.startswith("[") and domain.endswith("]") and not re.search(r"[\[\]\\]", domain[1:-1]):
            named = domain
        else:
            try:
                named = ascii_host(domain)
            except ValueError as exc:
                raise ValueError(f"'{address}' is not an e-mail address: {exc}") from None
        addresses.append(written if named == domain else local + "@" + named)
    has_to_field = False
    for hfield in hfields.split("&") if hfields else []:
        name, eq, value = hfield.partition("=")
        if not eq or not _QCHARS.match(name) or not _QCHARS.match(value):
            raise ValueError(f"'{hfield}' is not a header field name=value (RFC 6068 §2)")
        has_to_field = has_to_field or unquote(name).lower() == "to"
    if not addresses and not has_to_field:
        raise ValueError("mailto: without an address (RFC 6068 §2)")
    return _encode_non_ascii(",".join(addresses) + question + hfields)


def is_local_tel(url: str) -> bool:
    """Whether a ``tel:`` URL (valid for :func:`normalize_url`) is a local number without a
    ``;phone-context=`` parameter (RFC 3966 §5.1.5): it dials only where it was written."""
    rest = url[4:]
    return not _TEL_GLOBAL.match(rest) and ";phone-context=" not in rest.lower()


def normalize_url(url: str) -> str:
    """Check ``url`` against the URL rules (module doc) and return its ASCII form.

    Raises ``ValueError`` naming the problem and its rule: a scheme other than http,
    https, mailto or tel; white space or control characters; a ``%`` that does not start
    ``%XX`` (RFC 3986 §2.1); no host, a host or port that is not one (RFC 3986 §3.2.2,
    §3.2.3; RFC 1123 §2.1; RFC 5891); a malformed address or telephone number; more than
    :data:`MAX_URL_LENGTH` characters.
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
    match = _SCHEME.match(url)
    if not match:
        raise ValueError(f"'{url}' has no scheme: write https://{url}" if "." in url.split("/")[0]
                         else f"'{url}' is not an absolute URL (it needs a scheme such as https:)")
    scheme = match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        raise ValueError(f"the '{scheme}:' scheme is not allowed (not a CV link); use one of "
                         f"{', '.join(ALLOWED_SCHEMES)}")
    url = scheme + url[len(scheme):]
    rest = url[len(scheme) + 1:]
    if scheme in ("http", "https"):
        result = _http(url, scheme)
    elif scheme == "mailto":
        result = "mailto:" + _mailto(rest)
    else:
        if not (_TEL_GLOBAL.match(rest) or _TEL_LOCAL.match(rest)):
            raise ValueError(f"'{rest}' is not a telephone number (RFC 3966 §3: + and digits, - . ( ), "
                             "then ;parameters)")
        result = "tel:" + rest
    if len(result) > MAX_URL_LENGTH:
        raise ValueError(f"the URL is {len(result)} characters long once percent-encoded (at most "
                         f"{MAX_URL_LENGTH}: RFC 9110 §4.1 asks only for support of 8000 octets)")
    return result


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
      U-labels (RFC 5891 §5.5 ToUnicode, by the ``idna`` package: the one
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
            import idna

            try:
                named = idna.decode(host)
            except (idna.IDNAError, UnicodeError):
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
