"""The syntax of a link target (:func:`uri_problem`): the URL rules ``cvtex validate`` applies
(:func:`cvtex.schema.urls.normalize_url`: scheme, host, port, length, ``mailto:`` and ``tel:``),
applied to a PDF's link annotations, plus what only a link annotation can get wrong: a
character no URI may hold (RFC 3986 §2; the annotation holds the URI, not the IRI)."""

from __future__ import annotations

import functools
import re

from cvtex.schema.urls import is_local_tel, normalize_url

# RFC 3986 §2 and appendix A: the characters a URI may contain.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")  # RFC 3986 §2; use fullmatch


@functools.lru_cache(maxsize=4096)  # a pure function, asked by the plan and the structure check
def uri_problem(url: str) -> tuple[str, str] | None:
    """The syntax problem of a link target, or ``None``.

    Returns ``(status, message)`` with status ``invalid`` (an error) or ``nonstandard``
    (a warning). Invalid: a character no URI may contain (RFC 3986 §2: the annotation
    holds a URI, which is ASCII), or whatever :func:`cvtex.schema.urls.normalize_url`
    refuses, with its message — the same function ``cvtex validate`` checks a profile's
    URLs with (scheme, ``%XX``, host, port, length, ``mailto:`` per RFC 6068, ``tel:`` per
    RFC 3966). Nonstandard: a local ``tel:`` number without ``;phone-context=`` (RFC 3966
    §5.1.5), which dials only where it was written.
    """
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", url):
        return "invalid", f"'{url}' is not an absolute URI (RFC 3986 §4.3: it needs a scheme)"
    if not _URI_CHARS.fullmatch(url):
        bad = sorted({c for c in url if not _URI_CHARS.fullmatch(c)})
        return "invalid", f"characters no URI may contain (RFC 3986 §2): {' '.join(repr(c) for c in bad[:5])}"
    try:
        normalize_url(url)
    except ValueError as exc:
        return "invalid", str(exc)
    if url[:4].lower() == "tel:" and is_local_tel(url):
        return "nonstandard", (f"'{url[4:]}' is a local number without ';phone-context=' (RFC 3966 §5.1.5); "
                               "write the phone number in international form (+82 10-…) so it dials from anywhere")
    return None
