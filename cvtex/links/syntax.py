"""The syntax of a link target: RFC 3986 for http(s), RFC 6068 for ``mailto:``, RFC 3966
for ``tel:`` (:func:`uri_problem`)."""

from __future__ import annotations

import functools
import re
from urllib.parse import unquote, urlsplit

# RFC 3986 §2 and appendix A: the characters a URI may contain.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")  # RFC 3986 §2; use fullmatch
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# RFC 5322 §3.2.3 atext, §3.4.1 addr-spec (dot-atom or quoted-string local part).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010FFFF]"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_QUOTED = r'"(?:[^"\\\r\n]|\\.)*"'
_LABEL = r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)"
_DOMAIN = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[^\[\]\\]*\])"
_ADDR_SPEC = re.compile(rf"^(?:{_DOT_ATOM}|{_QUOTED})@{_DOMAIN}$")
# RFC 6068 §2: qchar = unreserved / pct-encoded / some-delims.
_QCHARS = re.compile(r"^(?:[A-Za-z0-9\-._~!$'()*+,;:@]|%[0-9A-Fa-f]{2})*$")
# RFC 3966 §3.
_PHONEDIGIT = r"[0-9\-.()]"
_GLOBAL_DIGITS = rf"\+{_PHONEDIGIT}*[0-9]{_PHONEDIGIT}*"
_LOCAL_DIGITS = r"[0-9A-Fa-f*#\-.()]*[0-9A-Fa-f*#][0-9A-Fa-f*#\-.()]*"
_PARAM = r";[A-Za-z0-9\-]+(?:=(?:[\[\]/:&+$A-Za-z0-9\-_.!~*'()]|%[0-9A-Fa-f]{2})+)?"
_TEL_GLOBAL = re.compile(rf"^{_GLOBAL_DIGITS}(?:{_PARAM})*$")
_TEL_LOCAL = re.compile(rf"^{_LOCAL_DIGITS}(?:{_PARAM})*$")


@functools.lru_cache(maxsize=4096)  # a pure function, asked by the plan and the structure check
def uri_problem(url: str) -> tuple[str, str] | None:
    """The syntax problem of a link target, or ``None``.

    Returns ``(status, message)`` with status ``invalid`` (an error) or ``nonstandard``
    (a warning). Rules: only ``http``, ``https``, ``mailto``, ``tel`` (cvtex's link
    policy); http(s) per RFC 3986 — ASCII URI characters only (§2), ``%`` followed by
    two hex digits (§2.1), an authority with a host and a valid port (§3.2);
    ``mailto:`` per RFC 6068 §2 — addresses are RFC 5322 ``addr-spec`` after
    percent-decoding, header fields ``name=value`` of ``qchar``; ``tel:`` per RFC 3966
    §3 — a global number (``+`` and digits) or a local number, which needs a
    ``;phone-context=`` parameter (§5.1.5; reported as ``nonstandard``).
    """
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", url)
    if not match:
        return "invalid", f"'{url}' is not an absolute URI (RFC 3986 §4.3: it needs a scheme)"
    scheme = match.group(1).lower()
    rest = url[len(scheme) + 1:]
    if scheme not in ("http", "https", "mailto", "tel"):
        return "invalid", f"the '{scheme}:' scheme is not a CV link (cvtex allows http, https, mailto, tel)"
    bad = [] if _URI_CHARS.fullmatch(url) else sorted({c for c in url if not _URI_CHARS.fullmatch(c)})
    if bad:
        shown = " ".join(repr(c) for c in bad[:5])
        return "invalid", f"characters no URI may contain (RFC 3986 §2): {shown}"
    if _BAD_PERCENT.search(url):
        return "invalid", "a '%' not followed by two hexadecimal digits (RFC 3986 §2.1)"
    if scheme in ("http", "https"):
        if not rest.startswith("//"):
            return "invalid", f"an {scheme} URI needs '//' and a host (RFC 3986 §3.2)"
        parts = urlsplit(url)
        if not parts.hostname:
            return "invalid", "the URI has no host (RFC 3986 §3.2.2)"
        try:
            parts.port
        except ValueError:
            return "invalid", "the port is not a number from 0 to 65535 (RFC 3986 §3.2.3)"
        return None
    if scheme == "mailto":
        to, _, hfields = rest.partition("?")
        addresses = [unquote(a) for a in to.split(",")] if to else []
        for address in addresses:
            if not _ADDR_SPEC.match(address):
                return "invalid", f"'{address}' is not an e-mail address (RFC 6068 §2, RFC 5322 §3.4.1)"
        has_to_field = False
        for hfield in hfields.split("&") if hfields else []:
            name, eq, value = hfield.partition("=")
            if not eq or not _QCHARS.match(name) or not _QCHARS.match(value):
                return "invalid", f"'{hfield}' is not a header field name=value (RFC 6068 §2)"
            has_to_field = has_to_field or unquote(name).lower() == "to"
        if not addresses and not has_to_field:
            return "invalid", "mailto: without an address (RFC 6068 §2)"
        return None
    # tel
    if _TEL_GLOBAL.match(rest):
        return None
    if _TEL_LOCAL.match(rest):
        if ";phone-context=" in rest.lower():
            return None
        return "nonstandard", (f"'{rest}' is a local number without ';phone-context=' (RFC 3966 §5.1.5); "
                               "write the phone number in international form (+82 10-…) so it dials from anywhere")
    return "invalid", f"'{rest}' is not a telephone number (RFC 3966 §3)"
