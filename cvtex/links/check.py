"""Stage 7 — check links: every hyperlink in the rendered PDFs, structure offline and
status over HTTP.

Offline (always):

* :func:`pdf_contents` reads every link annotation of a PDF with pypdf (ISO 32000-1
  §12.5.6.5): URI actions (§12.6.4.7), GoTo actions and ``/Dest`` entries (§12.6.4.2,
  §12.3.2). A URL broken across lines or pages gives one annotation per piece; the
  pieces are one link here, with every page and rectangle kept.
* :func:`profile_links` lists every URL the localized profile puts in its PDF — ``url``
  fields, ``links``/``websites`` lists, ``mailto:`` for each e-mail, ``tel:`` for the
  phone, the DOI resolver URL and ``[text](url)`` links inside text — in its link-policy
  form (:func:`cvtex.schema.text.normalize_url`). A URL the profile has and the PDF lacks is
  *missing*, one the PDF has and the profile lacks *extra*, and an extra URL that is a
  near copy of a missing one *altered* — the signature of an escaping bug.
* Internal links must land on a page of the document (*dangling* otherwise).
* :func:`uri_problem` checks the syntax of each URL: RFC 3986 for http(s), RFC 6068 for
  ``mailto:``, RFC 3966 for ``tel:``.

Network (:func:`probe_urls`, off with ``offline=True``): httpx, asynchronous, each
unique URL (fragment removed, RFC 3986 §3.5 — the server never sees it) once per run,
``HEAD`` first and ``GET`` where ``HEAD`` is refused, redirects followed one hop at a
time, retries for 408, 429 and 5xx honouring ``Retry-After`` (RFC 9110 §10.2.3),
a global and a per-host concurrency limit, results cached on disk (:class:`LinkCache`).
:func:`classify` turns what happened into one of the statuses in :data:`STATUSES`.

:func:`check_links` runs both and returns a :class:`LinkReport` (a rich table with
:meth:`LinkReport.table`, JSON with :meth:`LinkReport.to_json`).
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import email.utils
import errno
import fnmatch
import functools
import json
import random
import re
import socket
import ssl
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any, Iterable, Literal
from urllib.parse import unquote, urldefrag, urlsplit

from cvtex import __version__
from cvtex.diagnostics import Diagnostic, ProfileError, display_path

# --------------------------------------------------------------------------- model

#: Every status a link can have, with its severity. ``error`` fails the command,
#: ``warning`` fails it only with ``--strict``; ``notice`` and ``ok`` never fail it.
STATUSES: dict[str, str] = {
    # structure (offline)
    "missing": "error",       # the profile has the URL, the PDF does not
    "extra": "error",         # the PDF has the URL, the profile does not
    "altered": "error",       # the PDF has a near copy of a profile URL (escaping bug)
    "invalid": "error",       # the URL breaks RFC 3986 / 6068 / 3966 or the link policy
    "dangling": "error",      # an internal link whose destination is not in the document
    "nonstandard": "warning", # works in practice but breaks its RFC (tel: local number)
    # network
    "broken": "error",        # 404, 410, other 4xx, DNS failure, TLS error, refused, loop
    "unverified": "warning",  # 401, 403, 429, 999, 5xx, timeouts: the server did not say
    "redirected": "notice",   # permanently moved: the link works, update it
    "ok": "ok",
    "excluded": "ok",         # not requested: matches an exclusion pattern
    "offline": "ok",          # structure checked, not requested (offline)
}
_RANK = {"error": 3, "warning": 2, "notice": 1, "ok": 0}
#: Which status a link shows when it has several of one severity (first wins).
_PRIORITY = ["missing", "extra", "altered", "invalid", "dangling", "broken", "nonstandard", "unverified",
             "redirected", "excluded", "offline", "ok"]
#: Order of the statuses in summaries.
_DISPLAY = ["ok", "offline", "excluded", "redirected", "unverified", "nonstandard", "broken", "missing", "extra",
            "altered", "invalid", "dangling"]

Severity = Literal["error", "warning", "notice", "ok"]


@dataclass(frozen=True)
class ProfileLink:
    """A URL the profile puts in the PDF and the field it comes from
    (``header.websites[0].url``)."""

    url: str
    field: str


@dataclass(frozen=True)
class PdfLink:
    """A URI link annotation: the URL, its 1-based page and rectangle
    ``(x1, y1, x2, y2)`` in PDF points (1/72 in, origin bottom left)."""

    url: str
    page: int
    rect: tuple[float, float, float, float]


@dataclass(frozen=True)
class InternalLink:
    """A link to a place in the same document.

    ``target`` is the named destination (``section.summary``) or, for an explicit
    destination, ``page <n>``; ``page``/``rect`` locate the annotation (1-based, points);
    ``dest_page`` is the 1-based page the link lands on, ``None`` when it lands nowhere.
    """

    target: str
    page: int
    rect: tuple[float, float, float, float]
    dest_page: int | None


@dataclass(frozen=True)
class PdfContents:
    """Every link of one PDF (:func:`pdf_contents`).

    ``uri``: URI links; ``internal``: GoTo links; ``other``: annotations with any other
    action (``(description, page, rect)``: Launch, GoToR, JavaScript…, which cvtex never
    writes); ``bad_destinations``: ``(name, message)`` for each named destination
    and outline entry that does not resolve to a page.
    """

    uri: list[PdfLink]
    internal: list[InternalLink]
    other: list[tuple[str, int, tuple[float, float, float, float]]]
    bad_destinations: list[tuple[str, str]]


@dataclass(frozen=True)
class Place:
    """Where a link is in a PDF: file (as displayed), 1-based page, rectangle (points)."""

    pdf: str
    page: int
    rect: tuple[float, float, float, float]


@dataclass
class LinkResult:
    """One link of the run — a unique URL (or internal destination) across all PDFs.

    ``status`` is the worst of the statuses found (:data:`STATUSES`), ``messages`` says
    why, one sentence each. ``places`` are the annotations (every piece of a split link),
    ``fields`` the profile fields that hold the URL. ``code`` is the final HTTP status,
    ``location`` the new address of a permanently redirected URL, ``probe`` what the
    network check saw (``None`` offline or for mailto/tel/internal links).
    """

    url: str
    kind: Literal["uri", "internal"] = "uri"
    status: str = "ok"
    messages: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    code: int | None = None
    location: str | None = None
    expected: str | None = None
    probe: "Probe | None" = None

    @property
    def severity(self) -> Severity:
        return STATUSES[self.status]  # type: ignore[return-value]

    def add(self, status: str, message: str = "") -> None:
        """Record a finding; ``status`` becomes the link's status if it is worse."""
        if message and message not in self.messages:
            self.messages.append(message)
        if (_RANK[STATUSES[status]], -_PRIORITY.index(status)) > \
                (_RANK[STATUSES[self.status]], -_PRIORITY.index(self.status)):
            self.status = status


# --------------------------------------------------------------------------- profile

_URL_FIELDS = ("url", "doi_url", "phone_url")


def profile_links(view: SimpleNamespace) -> list[ProfileLink]:
    """Every URL of a localized view (:func:`cvtex.localize.locale.localize`), in document order,
    each normalized by :func:`cvtex.schema.text.normalize_url` and with its field path."""
    from cvtex.schema import markup
    from cvtex.localize.locale import Text
    from cvtex.schema.text import normalize_url

    found: list[ProfileLink] = []

    def visit(value: Any, path: str) -> None:
        if isinstance(value, Text):
            found.extend(ProfileLink(normalize_url(u), value.path) for u in markup.link_targets(value))
        elif isinstance(value, SimpleNamespace):
            for name, child in vars(value).items():
                child_path = f"{path}.{name}" if path else name
                if name in _URL_FIELDS and isinstance(child, str):
                    found.append(ProfileLink(normalize_url(child), child_path))
                elif name == "emails":
                    found.extend(ProfileLink(normalize_url("mailto:" + e), f"{child_path}[{i}]")
                                 for i, e in enumerate(child))
                else:
                    visit(child, child_path)
        elif isinstance(value, list):
            for i, child in enumerate(value):
                visit(child, f"{path}[{i}]")

    visit(SimpleNamespace(header=view.header, summary=view.summary, sections=view.sections), "")
    return found


# --------------------------------------------------------------------------- PDF

def pdf_links(path: Path | str) -> list[PdfLink]:
    """Every URI link annotation in the PDF at ``path``, page by page (a URL split across
    lines appears once per piece). Raises pypdf's ``PdfReadError`` for a damaged file."""
    return pdf_contents(path).uri


def pdf_contents(path: Path | str) -> PdfContents:
    """Every link annotation of the PDF at ``path`` (see :class:`PdfContents`), plus the
    named destinations (catalog ``/Dests`` and ``/Names /Dests`` tree, ISO 32000-1
    §12.3.2.3) and outline entries that do not land on a page.

    What a PDF holds depends on its bytes only, so the result is kept on disk under
    :func:`cvtex.build.cache.cache_dir` ``/pdf-links/<SHA-256 of the file>.json``: a PDF read
    before (an unchanged re-render writes the same bytes) costs a hash, not a pypdf
    parse (~30-60 ms) and pypdf's import (~90 ms). An unreadable or damaged entry is
    parsed again and rewritten.

    Raises pypdf's ``PdfReadError`` (or ``OSError``) when the file cannot be read.
    """
    return pdf_contents_of(Path(path).read_bytes())


def pdf_contents_of(data: bytes) -> PdfContents:
    """:func:`pdf_contents` of a PDF's bytes, through the same cache: ``cvtex render``
    calls it on each final PDF in that locale's engine thread, so the link check that
    follows finds the contents stored. Raises pypdf's ``PdfReadError`` for a damaged
    file."""
    import hashlib
    import io

    from cvtex.build import cache

    # the key covers cvtex's own files too: a reader fixed in a new cvtex reads again
    key = hashlib.sha256(data + cache.package_digest().encode()).hexdigest()
    stored = cache.read_json("pdf-links", key)
    if stored is not None:
        try:
            return _contents_from_json(stored)
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # damaged: read the PDF, store it again
    contents = _read_contents(io.BytesIO(data))  # the bytes already read, not the file again
    cache.write_json("pdf-links", key, asdict(contents))
    return contents


def _contents_from_json(data: dict[str, Any]) -> PdfContents:
    rect = lambda r: tuple(float(x) for x in r)  # noqa: E731
    return PdfContents([PdfLink(str(u["url"]), int(u["page"]), rect(u["rect"])) for u in data["uri"]],
                       [InternalLink(str(i["target"]), int(i["page"]), rect(i["rect"]),
                                     None if i["dest_page"] is None else int(i["dest_page"])) for i in data["internal"]],
                       [(str(d), int(p), rect(r)) for d, p, r in data["other"]],
                       [(str(n), str(m)) for n, m in data["bad_destinations"]])


def _read_contents(path: Path | str | IO[bytes]) -> PdfContents:
    """:func:`pdf_contents` without the cache: pypdf reads the file (a path or bytes)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    reader = PdfReader(path)
    page_numbers = {page.indirect_reference.idnum: n  # type: ignore[union-attr]
                    for n, page in enumerate(reader.pages, start=1) if page.indirect_reference is not None}
    named = reader.named_destinations
    uri: list[PdfLink] = []
    internal: list[InternalLink] = []
    other: list[tuple[str, int, tuple[float, float, float, float]]] = []

    def explicit_page(dest: Any) -> int | None:
        dest = dest.get_object() if isinstance(dest, IndirectObject) else dest
        if isinstance(dest, DictionaryObject) and "/D" in dest:  # a name mapped to {/D [...]}
            dest = dest["/D"].get_object()
        if isinstance(dest, ArrayObject) and dest:
            first = dest[0]
            if isinstance(first, IndirectObject):
                return page_numbers.get(first.idnum)
            if isinstance(first, int) and 0 <= first < len(reader.pages):  # remote-style page index
                return int(first) + 1
        return None

    def resolve(dest: Any) -> tuple[str, int | None]:
        dest = dest.get_object() if isinstance(dest, IndirectObject) else dest
        if isinstance(dest, (ArrayObject, DictionaryObject)):
            page = explicit_page(dest)
            return (f"page {page}" if page else "an explicit destination"), page
        name = _pdf_string(dest)
        if isinstance(dest, NameObject):
            name = name[1:]
        target = named.get(name) or named.get("/" + name)
        if target is None:
            return name, None
        try:
            number = reader.get_destination_page_number(target)
        except Exception:  # noqa: BLE001 - a damaged destination lands nowhere
            return name, None
        return name, (number + 1 if number is not None and number >= 0 else None)

    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") != "/Link":
                continue
            rect = tuple(float(x) for x in annot.get("/Rect", [0, 0, 0, 0]))[:4]
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if action is None and "/Dest" in annot:
                target, dest_page = resolve(annot["/Dest"])
                internal.append(InternalLink(target, number, rect, dest_page))  # type: ignore[arg-type]
            elif isinstance(action, DictionaryObject):
                kind = action.get("/S")
                if kind == "/URI":
                    uri.append(PdfLink(_pdf_string(action.get("/URI", "")), number, rect))  # type: ignore[arg-type]
                elif kind == "/GoTo":
                    target, dest_page = resolve(action.get("/D"))
                    internal.append(InternalLink(target, number, rect, dest_page))  # type: ignore[arg-type]
                else:
                    other.append((f"{str(kind)[1:]} action", number, rect))  # type: ignore[arg-type]

    bad: list[tuple[str, str]] = []
    for name, dest in named.items():
        try:
            ok = reader.get_destination_page_number(dest) >= 0
        except Exception:  # noqa: BLE001
            ok = False
        if not ok:
            bad.append((str(name), f"the named destination '{name}' points to no page of the document"))

    def walk_outline(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk_outline(item)
                continue
            try:
                ok = reader.get_destination_page_number(item) >= 0
            except Exception:  # noqa: BLE001
                ok = False
            if not ok:
                bad.append((f"bookmark {item.title}", f"the bookmark '{item.title}' points to no page of the document"))

    try:
        walk_outline(reader.outline)
    except Exception as exc:  # noqa: BLE001 - a broken outline is itself a finding
        bad.append(("outline", f"the outline cannot be read: {exc}"))
    return PdfContents(uri, internal, other, bad)


def _pdf_string(value: Any) -> str:
    """A PDF string or name as ``str``; URI strings are 7-bit ASCII (ISO 32000-1
    §12.6.4.7), so a byte string is decoded as Latin-1 to keep every byte visible."""
    from pypdf.generic import ByteStringObject

    if isinstance(value, ByteStringObject):
        return bytes(value).decode("latin-1")
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- syntax

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


# --------------------------------------------------------------------------- policy

@dataclass(frozen=True)
class Policy:
    """Which URLs not to request and which extra status codes to accept.

    ``exclude``: shell globs (:func:`fnmatch.fnmatchcase`) matched against the whole URL,
    e.g. ``https://www.linkedin.com/*``. ``accept``: host glob -> status codes that count
    as ok for that host, e.g. ``{"www.linkedin.com": {999}}``.
    """

    exclude: tuple[str, ...] = ()
    accept: dict[str, frozenset[int]] = field(default_factory=dict)

    def excluded_by(self, url: str) -> str | None:
        """The first exclusion pattern matching ``url``, or ``None``."""
        return next((p for p in self.exclude if fnmatch.fnmatchcase(url, p)), None)

    def accepts(self, url: str, code: int) -> bool:
        """Whether ``code`` is accepted for the host of ``url``."""
        if not self.accept:
            return False
        host = (urlsplit(url).hostname or "").lower()
        return any(code in codes for pattern, codes in self.accept.items() if fnmatch.fnmatchcase(host, pattern.lower()))

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> "Policy":
        """The policy of a profile's ``links:`` settings as plain data: ``{"exclude":
        [glob, …], "accept": {host glob: [code, …]}}`` (either key may be absent)."""
        return cls(tuple(settings.get("exclude", ())),
                   {host: frozenset(codes) for host, codes in settings.get("accept", {}).items()})

    def merged(self, other: "Policy") -> "Policy":
        accept = dict(self.accept)
        for host, codes in other.accept.items():
            accept[host] = accept.get(host, frozenset()) | codes
        return Policy(tuple(dict.fromkeys(self.exclude + other.exclude)), accept)


IGNORE_FILE = ".cvtexignore"


def read_ignore_file(path: Path | str) -> Policy:
    """Read a ``.cvtexignore`` file: one rule per line, ``#`` starts a comment::

        https://www.linkedin.com/*        # a URL glob: never requested
        accept www.linkedin.com 999 403   # status codes that count as ok for a host

    Raises :class:`ProfileError` (``file:line:col`` diagnostics) for a malformed rule.
    """
    path = Path(path)
    exclude: list[str] = []
    accept: dict[str, frozenset[int]] = {}
    problems = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        words = line.split()
        if words[0] == "accept":
            codes = [w for w in words[2:]]
            bad = [c for c in codes if not re.fullmatch(r"[1-9][0-9]{2}", c)]
            if len(words) < 3 or bad:
                col = raw.find(bad[0]) + 1 if bad else 1
                problems.append(Diagnostic(display_path(path), number, col, "expected 'accept HOST CODE…' with "
                                           "three-digit status codes", source_line=raw))
                continue
            accept[words[1]] = accept.get(words[1], frozenset()) | {int(c) for c in codes}
        elif len(words) == 1:
            exclude.append(words[0])
        else:
            problems.append(Diagnostic(display_path(path), number, raw.find(words[1]) + 1,
                                       "expected one URL pattern per line (or 'accept HOST CODE…')",
                                       source_line=raw))
    if problems:
        raise ProfileError(problems)
    return Policy(tuple(exclude), accept)


def load_policy(profile: Any | None = None, directories: Iterable[Path | str] = ()) -> Policy:
    """The link policy of a run: the profile's ``links: {exclude, accept}`` settings
    (:class:`cvtex.schema.models.LinkPolicy`) merged with the ``.cvtexignore`` file of each of
    ``directories`` that has one. Raises :class:`ProfileError` for a malformed file."""
    policy = Policy()
    if profile is not None:
        policy = Policy.from_settings({"exclude": profile.links.exclude, "accept": profile.links.accept})
    seen: set[Path] = set()
    for directory in directories:
        candidate = (Path(directory) / IGNORE_FILE).resolve()
        if candidate not in seen and candidate.is_file():
            seen.add(candidate)
            policy = policy.merged(read_ignore_file(candidate))
    return policy


# --------------------------------------------------------------------------- cache

DEFAULT_CACHE_AGE = 86400.0  # s






class LinkCache:
    """Network results on disk: ``<cache dir>/links.json``, ``{"version": 1, "entries":
    {url: probe}}`` with each probe's ``checked_at`` (Unix time, s).

    :meth:`get` returns a probe younger than ``max_age`` seconds (``0``: never).
    Only definite outcomes are stored (ok, redirected, broken — not timeouts, 429 or
    5xx). :meth:`save` merges with what another process may have written meanwhile and
    replaces the file atomically (temporary file + ``os.replace``); a cache that cannot
    be read is ignored, one that cannot be written is skipped (``save`` returns False).
    """

    VERSION = 1

    def __init__(self, path: Path | str | None = None, max_age: float = DEFAULT_CACHE_AGE) -> None:
        from cvtex.build.cache import cache_dir

        self.path = Path(path) if path is not None else cache_dir() / "links.json"
        self.max_age = max_age
        self._entries = self._read()
        self._dirty: dict[str, dict[str, Any]] = {}

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != self.VERSION or not isinstance(data.get("entries"), dict):
            return {}
        return data["entries"]

    def get(self, url: str, now: float | None = None) -> "Probe | None":
        """The cached probe of ``url`` if younger than ``max_age``, else ``None``."""
        entry = self._entries.get(url)
        if entry is None or self.max_age <= 0:
            return None
        now = time.time() if now is None else now
        if not 0 <= now - float(entry.get("checked_at", 0)) <= self.max_age:
            return None
        try:
            probe = Probe.from_dict(entry)
        except (TypeError, ValueError, KeyError):
            return None
        probe.cached = True
        return probe

    def put(self, probe: "Probe") -> None:
        entry = probe.to_dict()
        entry.pop("cached", None)
        self._entries[probe.url] = entry
        self._dirty[probe.url] = entry

    def save(self, keep: float = 30 * 86400.0) -> bool:
        """Write new entries (dropping entries older than ``keep`` s); False on ``OSError``."""
        if not self._dirty:
            return True
        from cvtex.build.pdf import write_atomic

        entries = self._read()
        entries.update(self._dirty)
        now = time.time()
        entries = {u: e for u, e in entries.items() if now - float(e.get("checked_at", 0)) <= keep}
        data = json.dumps({"version": self.VERSION, "entries": entries}, indent=1, sort_keys=True).encode()
        try:
            write_atomic(self.path, lambda fh: fh.write(data))
        except OSError:
            return False
        self._entries, self._dirty = entries, {}
        return True


# --------------------------------------------------------------------------- network

USER_AGENT = f"cvtex/{__version__} (CV link checker; checks the links of a CV PDF once per render)"

#: Status codes after which a request is retried (RFC 9110 §15.5.9 408, RFC 6585 §4 429, §15.6 5xx).
RETRY_CODES = frozenset({408, 429} | set(range(500, 600)))
#: Status codes answering HEAD after which the request is repeated with GET: 405 Method
#: Not Allowed, 501 Not Implemented (RFC 9110 §9.1: servers need not support HEAD) and
#: 403 from servers that take a HEAD request for a bot.
HEAD_REFUSED = frozenset({403, 405, 501})
#: Status codes that say nothing about the link: authentication (401), refusal (403),
#: rate limit (429), LinkedIn's 999 — and retried codes that stayed (408, 5xx).
UNVERIFIED_CODES = frozenset({401, 403, 429, 999, 408} | set(range(500, 600)))
PERMANENT_REDIRECTS = frozenset({301, 308})  # RFC 9110 §15.4.2, §15.4.9


@dataclass(frozen=True)
class NetworkSettings:
    """How :func:`probe_urls` talks to servers.

    ``timeout``: seconds to connect and, separately, to wait for a response;
    ``concurrency``: requests in flight at once; ``per_host``: of those, to one host;
    ``retries``: extra attempts after 408/429/5xx; ``backoff``: seconds before the first
    retry when the server sends no ``Retry-After`` (doubled each time, ±20 % jitter);
    ``max_retry_wait``: longest wait (s) a ``Retry-After`` may ask for before the link is
    left unverified; ``max_redirects``: hops followed.
    """

    timeout: float = 10.0
    concurrency: int = 16
    per_host: int = 4
    retries: int = 2
    backoff: float = 0.5
    max_retry_wait: float = 10.0
    max_redirects: int = 10
    user_agent: str = USER_AGENT


@dataclass
class Probe:
    """What requesting one URL showed.

    ``code``: final HTTP status (``None`` when no response came); ``error``: why not —
    ``dns``, ``dns-temporary``, ``tls``, ``refused``, ``timeout``, ``loop``,
    ``redirects`` (too many), ``network``, ``protocol``, ``invalid``; ``message``: the
    error text; ``hops``: ``[code, location]`` of each redirect followed; ``final_url``:
    the URL that gave ``code``; ``method``: the method of the last request;
    ``attempts``: requests sent; ``waits``: seconds waited before retries (from
    ``Retry-After`` or backoff); ``checked_at``: Unix time; ``cached``: read from cache.
    """

    url: str
    code: int | None = None
    error: str | None = None
    message: str = ""
    hops: list[list[Any]] = field(default_factory=list)
    final_url: str = ""
    method: str = "HEAD"
    attempts: int = 0
    waits: list[float] = field(default_factory=list)
    checked_at: float = 0.0
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Probe":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value: ``delay-seconds`` or an
    ``HTTP-date`` (RFC 9110 §10.2.3, dates per §5.6.7); ``None`` when absent or invalid.
    A date in the past gives 0."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _error_kind(exc: BaseException) -> tuple[str, str]:
    """Classify an httpx exception by what caused it (its chain of causes)."""
    import httpx

    if isinstance(exc, httpx.TooManyRedirects):
        return "redirects", str(exc)
    if isinstance(exc, httpx.TimeoutException):
        what = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for the response"
        return "timeout", f"timed out {what}"
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return "invalid", str(exc)
    chain: list[BaseException] = []
    seen = exc
    while seen is not None and seen not in chain and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            temporary = cause.errno == getattr(socket, "EAI_AGAIN", -3)
            return ("dns-temporary" if temporary else "dns"), f"DNS lookup failed: {cause.strerror or cause}"
        if isinstance(cause, ssl.SSLError):
            return "tls", f"TLS error: {getattr(cause, 'verify_message', None) or cause.reason or cause}"
        if isinstance(cause, ConnectionRefusedError):
            return "refused", "connection refused"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            return "network", f"network unreachable: {cause.strerror}"
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service not known" in lowered or "nodename nor servname" in lowered or "getaddrinfo" in lowered:
            return "dns", f"DNS lookup failed: {text}"
        if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
            return "tls", f"TLS error: {text}"
        if "refused" in lowered:
            return "refused", "connection refused"
        return "network", text
    if isinstance(exc, httpx.RemoteProtocolError):
        return "protocol", f"the server broke the HTTP protocol: {text}"
    return "network", text


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """The TLS context (system or ``SSL_CERT_FILE`` trust store, certifi otherwise):
    built once per process, as loading the CA bundle takes tens of milliseconds."""
    import httpx

    return httpx.create_ssl_context()


def _host_key(target: "str | httpx.Request") -> str:
    """The host a URL or request goes to, as :attr:`httpx.URL.host` spells it (lower
    case, IDNA-decoded): the key of the per-host limit. An ASCII host without a punycode
    label (``xn--``, RFC 3492) from :func:`urllib.parse.urlsplit` is already in that
    form, at a twentieth of the cost of parsing an :class:`httpx.URL`."""
    import httpx

    if not isinstance(target, str):
        return target.url.host
    host = urlsplit(target).hostname or ""
    return host if host.isascii() and "xn--" not in host else httpx.URL(target).host


class _Host:
    """Per-host state: the concurrency slots and the time (``time.monotonic``) before
    which no request may be sent, after a ``Retry-After``."""

    def __init__(self, limit: int) -> None:
        self.slots = asyncio.Semaphore(limit)
        self.not_before = 0.0


async def probe_urls(urls: Iterable[str], settings: NetworkSettings = NetworkSettings()) -> dict[str, Probe]:
    """Request every URL once and return ``{url: Probe}`` for each URL given. URLs that
    differ only in their fragment share one request and one probe (RFC 3986 §3.5: the
    fragment is not sent).

    ``HEAD`` first, then ``GET`` (response body not read) for the same URL when the
    server answers ``HEAD`` with a code in :data:`HEAD_REFUSED`. Redirects are followed
    one hop at a time (httpx builds each next request: RFC 9110 §15.4); a URL seen twice
    in one chain is a loop. 408, 429 and
    5xx are retried ``settings.retries`` times after ``Retry-After`` seconds or an
    exponential backoff; a ``Retry-After`` also holds back other requests to that host.
    Hosts under ``.invalid`` are not looked up (RFC 6761 §6.4: they never resolve).
    Never raises for a network problem: it is recorded in the probe.
    """
    import httpx

    given = list(dict.fromkeys(urls))
    unique = list(dict.fromkeys(urldefrag(u).url for u in given))
    if not unique:
        return {}
    # One client per slot of the global limit, each with a single request in flight:
    # httpcore's pool re-examines every connection it holds (a poll() per connection)
    # each time a request starts or ends, so one shared pool of N connections costs
    # O(N) per request — measured 1.0-1.5 ms of CPU per URL at N = 16, against 0.4 ms
    # with a client per slot (benchmarks/links.py). Checking a client out of the queue
    # is the global limit; the host semaphore is taken first, so a request waiting for
    # a busy host does not hold a slot that another host's request could use.
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    timeout = httpx.Timeout(settings.timeout, pool=None)
    hosts: dict[str, _Host] = {}
    headers = {"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    pool = [httpx.AsyncClient(headers=headers, timeout=timeout, limits=limits, follow_redirects=False,
                              max_redirects=settings.max_redirects, verify=_ssl_context())
            for _ in range(min(settings.concurrency, len(unique)))]
    clients: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
    async with contextlib.AsyncExitStack() as stack:
        for client in pool:
            clients.put_nowait(await stack.enter_async_context(client))

        async def send(target: str | httpx.Request, probe: Probe) -> tuple[httpx.Request, httpx.Response]:
            # ``target`` is the URL itself for the first request: building an httpx
            # Request (~50 µs) waits until a slot is held, or every URL queued behind
            # the first wave would be built before that wave's connections open.
            key = _host_key(target)
            host = hosts.get(key)
            if host is None:
                host = hosts[key] = _Host(settings.per_host)
            attempt = 0
            while True:
                delay = host.not_before - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                async with host.slots:
                    client = await clients.get()
                    try:
                        request = client.build_request("HEAD", target) if isinstance(target, str) else target
                        target = request
                        probe.attempts += 1
                        response = await client.send(request)  # HEAD: no body, the connection is reused
                        if request.method == "HEAD" and response.status_code in HEAD_REFUSED:
                            request = client.build_request("GET", request.url)
                            probe.attempts += 1
                            response = await client.send(request, stream=True)  # the body is never read
                            await response.aclose()
                    finally:
                        clients.put_nowait(client)
                probe.method = request.method
                if response.status_code not in RETRY_CODES or attempt >= settings.retries:
                    return request, response
                asked = retry_after(response.headers.get("Retry-After"))
                wait = asked if asked is not None else settings.backoff * 2 ** attempt * random.uniform(0.8, 1.2)
                if wait > settings.max_retry_wait:
                    probe.message = f"Retry-After asks for {wait:.0f} s, more than the {settings.max_retry_wait:g} s allowed"
                    return request, response
                if asked is not None:
                    host.not_before = max(host.not_before, time.monotonic() + wait)
                probe.waits.append(round(wait, 3))
                attempt += 1
                await asyncio.sleep(wait)

        async def one(url: str) -> Probe:
            probe = Probe(url, checked_at=time.time())
            if (urlsplit(url).hostname or "").lower().rstrip(".").endswith(".invalid"):
                probe.error, probe.message = "dns", "the .invalid domain never resolves (RFC 6761 §6.4)"
                return probe
            seen = {url}
            target: str | httpx.Request = url
            try:
                while True:
                    request, response = await send(target, probe)
                    probe.final_url = str(request.url)
                    if response.next_request is None:
                        probe.code = response.status_code
                        return probe
                    target = response.next_request
                    location = str(target.url)
                    probe.hops.append([response.status_code, location])
                    if location in seen:
                        probe.error, probe.message = "loop", f"redirect loop back to {location}"
                        return probe
                    if len(probe.hops) > settings.max_redirects:
                        probe.error, probe.message = "redirects", f"more than {settings.max_redirects} redirects"
                        return probe
                    seen.add(location)
            except httpx.HTTPError as exc:
                probe.error, probe.message = _error_kind(exc)
                return probe

        results = dict(zip(unique, await asyncio.gather(*(one(u) for u in unique))))
    return {u: results[urldefrag(u).url] for u in given}


@dataclass(frozen=True)
class Verdict:
    """The classification of a probe: ``status`` (:data:`STATUSES`), a one-line
    ``message``, and for a permanent redirect its new ``location``."""

    status: str
    message: str
    location: str | None = None


def classify(probe: Probe, policy: Policy = Policy(), *, network_down: bool = False) -> Verdict:
    """Classify what a request showed (RFC 9110 §15 status code semantics).

    * **ok** — a 2xx (or other non-error) final response, or a code ``policy`` accepts
      for the host; temporary redirects (302, 303, 307) on the way are fine.
    * **redirected** — ok, but the URL itself is permanently redirected (301, 308):
      ``location`` is where the leading run of permanent redirects ends.
    * **broken** — 404, 410 and other 4xx not listed below; DNS failure, TLS error,
      connection refused, redirect loop or too many redirects, an invalid redirect.
    * **unverified** (a warning) — 401, 403, 429, 999, 408 and 5xx after retries,
      timeouts, protocol errors, and DNS failures when ``network_down`` (no host of the
      run could be reached, so the machine is probably offline).
    """
    if probe.error:
        if probe.error in ("dns", "dns-temporary", "network") and (network_down or probe.error == "dns-temporary"):
            return Verdict("unverified", f"{probe.message} — no network? (--offline skips the check)")
        if probe.error in ("dns", "tls", "refused", "loop", "redirects", "invalid"):
            return Verdict("broken", _via(probe) + probe.message)
        return Verdict("unverified", _via(probe) + probe.message)
    code = probe.code or 0
    final = probe.final_url or probe.url
    accepted = policy.accepts(probe.url, code) or policy.accepts(final, code)
    note = f"HTTP {code}" + (f" ({probe.method})" if probe.method == "GET" else "")
    if code in UNVERIFIED_CODES and not accepted:
        reason = {401: "needs a login", 403: "the server refused the check", 429: "rate-limited",
                  408: "the server timed out",
                  999: "the server refused the check"}.get(code, "the server had a problem" if code >= 500 else "")
        extra = f"; {probe.message}" if probe.message else ""
        retried = f" after {len(probe.waits)} retries" if probe.waits else ""
        return Verdict("unverified", f"{_via(probe)}{note}{retried}: {reason}{extra}".rstrip(": "))
    if 400 <= code and not accepted:
        return Verdict("broken", f"{_via(probe)}{note}")
    if accepted and not 200 <= code < 400:
        note += " (accepted by the link policy)"
    if probe.hops and probe.hops[0][0] in PERMANENT_REDIRECTS:
        location, code_moved = probe.hops[0][1], probe.hops[0][0]
        for hop_code, hop_location in probe.hops:
            if hop_code not in PERMANENT_REDIRECTS:
                break
            location = hop_location
        return Verdict("redirected", f"moved permanently ({code_moved}) to {location}: update the link; {note}",
                       location)
    if probe.hops:
        return Verdict("ok", f"{note} after a temporary redirect ({probe.hops[0][0]}) to {final}")
    return Verdict("ok", note)


def _via(probe: Probe) -> str:
    return f"redirected to {probe.final_url}: " if probe.hops and probe.final_url else ""


def _is_definite(probe: Probe, network_down: bool) -> bool:
    """Whether a probe is worth caching: a server's answer that retrying would not change
    (not 408, 429 or 5xx) or a broken link — not a timeout or an unreachable network."""
    if probe.error is None:
        return probe.code not in RETRY_CODES
    return classify(probe, network_down=network_down).status == "broken"


# --------------------------------------------------------------------------- checking

@dataclass
class Target:
    """One PDF to check. ``expected``: the URLs its profile locale puts in it
    (:func:`profile_links`), ``None`` to skip the comparison; ``label``: how the PDF is
    named in messages (default: its path relative to the working directory)."""

    pdf: Path
    expected: list[ProfileLink] | None = None
    label: str = ""

    def __post_init__(self) -> None:
        self.pdf = Path(self.pdf)
        self.label = self.label or display_path(self.pdf)


@dataclass
class LinkReport:
    """The outcome of :func:`check_links`: one :class:`LinkResult` per unique link,
    errors first, then in order of appearance."""

    results: list[LinkResult]
    offline: bool
    pdfs: list[str]
    seconds: float = 0.0
    cache_saved: bool = True

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def errors(self) -> list[LinkResult]:
        return [r for r in self.results if r.severity == "error"]

    @property
    def warnings(self) -> list[LinkResult]:
        return [r for r in self.results if r.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        """True when a link is an error, or with ``strict`` a warning."""
        return bool(self.errors or (strict and self.warnings))

    def by_url(self) -> dict[str, LinkResult]:
        return {r.url: r for r in self.results}

    def summary(self) -> str:
        """``31 links: 28 ok, 1 redirected, 1 broken, 1 unverified`` (statuses present)."""
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        parts = [f"{counts[s]} {s}" for s in _DISPLAY if s in counts]
        mode = " (offline: not requested)" if self.offline else ""
        return f"{len(self.results)} link(s) in {len(self.pdfs)} PDF(s){mode}: " + ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (``--report``), format version 1."""
        return {
            "version": 1,
            "cvtex": __version__,
            "offline": self.offline,
            "pdfs": self.pdfs,
            "seconds": round(self.seconds, 3),
            "summary": {"links": len(self.results), "errors": self.count("error"),
                        "warnings": self.count("warning"),
                        **{s: sum(1 for r in self.results if r.status == s) for s in STATUSES}},
            "links": [{
                "url": r.url,
                "kind": r.kind,
                "status": r.status,
                "severity": r.severity,
                "messages": r.messages,
                "code": r.code,
                "location": r.location,
                "expected": r.expected,
                "pdf": [{"file": p.pdf, "page": p.page, "rect": list(p.rect)} for p in r.places],
                "profile": r.fields,
                "http": None if r.probe is None else {k: v for k, v in r.probe.to_dict().items() if k != "url"},
            } for r in self.results],
        }

    def write_json(self, path: Path | str) -> None:
        """Write :meth:`to_json` to ``path`` atomically (UTF-8, indented)."""
        from cvtex.build.pdf import write_atomic

        data = json.dumps(self.to_json(), ensure_ascii=False, indent=2).encode()
        write_atomic(Path(path), lambda fh: fh.write(data + b"\n"))

    def table(self, *, problems_only: bool = False):
        """A :class:`rich.table.Table`, one row per link: status; the URL with the detail
        below it; where — the PDF pages, then the profile fields. ``problems_only`` keeps
        errors and warnings."""
        from rich.table import Table
        from rich.text import Text as RichText

        style = {"error": "bold red", "warning": "yellow", "notice": "cyan", "ok": "green"}
        table = Table(show_lines=False, expand=False)
        table.add_column("status", no_wrap=True)
        table.add_column("link", overflow="fold", ratio=3)
        table.add_column("where", overflow="fold", ratio=2)
        for r in self.results:
            if problems_only and r.severity in ("ok", "notice"):
                continue
            link = RichText(r.url)
            if r.messages:
                link.append("\n" + "; ".join(r.messages), style="dim" if r.severity == "ok" else "")
            table.add_row(RichText(r.status, style=style[r.severity]), link, RichText(_where(r)))
        return table


def _where(result: LinkResult) -> str:
    pages: dict[str, list[int]] = {}
    for place in result.places:
        pages.setdefault(place.pdf, [])
        if place.page not in pages[place.pdf]:
            pages[place.pdf].append(place.page)
    lines = [", ".join(f"{Path(pdf).name} p.{','.join(map(str, ps))}" for pdf, ps in pages.items())]
    fields = list(dict.fromkeys(result.fields))
    if fields:
        lines.append(", ".join(fields[:3]) + (f" (+{len(fields) - 3} more)" if len(fields) > 3 else ""))
    return "\n".join(line for line in lines if line)


def describe_difference(expected: str, actual: str) -> str:
    """Where ``actual`` differs from ``expected``, in words: ``at character 21 the PDF
    has '\\_' where the profile has '_'`` (1-based character positions)."""
    ops = [op for op in difflib.SequenceMatcher(None, expected, actual, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    parts = []
    for tag, i1, i2, j1, j2 in ops[:3]:
        a, b = expected[i1:i2], actual[j1:j2]
        if tag == "insert":
            parts.append(f"at character {i1 + 1} the PDF adds {b!r}")
        elif tag == "delete":
            parts.append(f"at character {i1 + 1} the PDF drops {a!r}")
        else:
            parts.append(f"at character {i1 + 1} the PDF has {b!r} where the profile has {a!r}")
    if len(ops) > 3:
        parts.append(f"and {len(ops) - 3} more difference(s)")
    return "; ".join(parts)


def _pair_altered(extra: list[str], missing: list[str]) -> dict[str, str]:
    """Match each extra PDF URL with the missing profile URL it is a near copy of
    (similarity ratio ≥ 0.8, best pairs first): ``{pdf_url: profile_url}``."""
    scored = sorted(((difflib.SequenceMatcher(None, m, e, autojunk=False).ratio(), e, m)
                     for e in extra for m in missing), reverse=True)
    pairs: dict[str, str] = {}
    used: set[str] = set()
    for ratio, e, m in scored:
        if ratio >= 0.8 and e not in pairs and m not in used:
            pairs[e] = m
            used.add(m)
    return pairs


def structure_results(targets: list[Target], contents: list[PdfContents] | None = None) -> list[LinkResult]:
    """The offline check of every target, one :class:`LinkResult` per unique URI or
    internal destination (network statuses not yet applied: http(s) links are ``ok``).
    ``contents``: the targets' :func:`pdf_contents`, in order, when already read.

    Raises ``OSError`` or pypdf's ``PdfReadError`` for a PDF that cannot be read.
    """
    results: dict[str, LinkResult] = {}
    if contents is None:
        contents = [pdf_contents(target.pdf) for target in targets]

    def result(url: str, kind: Literal["uri", "internal"] = "uri") -> LinkResult:
        key = ("#" if kind == "internal" else "") + url
        if key not in results:
            results[key] = LinkResult(url if kind == "uri" else "#" + url, kind)
        return results[key]

    for target, content in zip(targets, contents):
        in_pdf: dict[str, list[PdfLink]] = {}
        for link in content.uri:
            in_pdf.setdefault(link.url, []).append(link)
            result(link.url).places.append(Place(target.label, link.page, link.rect))
        for url in in_pdf:
            problem = uri_problem(url)
            if problem:
                result(url).add(problem[0], problem[1])
        for link in content.internal:
            r = result(link.target, "internal")
            r.places.append(Place(target.label, link.page, link.rect))
            if link.dest_page is None:
                r.add("dangling", f"{target.label}: the link to '{link.target}' (page {link.page}) "
                                  "lands on no page: the destination is not in the document")
            elif not any(m.startswith("lands on page") for m in r.messages):
                r.messages.append(f"lands on page {link.dest_page}")
        for description, page, rect in content.other:
            r = result(f"{description} on page {page}", "internal")
            r.places.append(Place(target.label, page, rect))
            r.add("invalid", f"{target.label}: a link with a {description}, which a CV should not have")
        for name, message in content.bad_destinations:
            result(name, "internal").add("dangling", f"{target.label}: {message}")
        if target.expected is None:
            continue
        expected: dict[str, list[str]] = {}
        for link in target.expected:
            expected.setdefault(link.url, []).append(link.field)
        for url, fields in expected.items():
            r = result(url)
            r.fields.extend(f for f in fields if f not in r.fields)
        missing = [u for u in expected if u not in in_pdf]
        extra = [u for u in in_pdf if u not in expected]
        altered = _pair_altered(extra, missing)
        for pdf_url, profile_url in altered.items():
            r = result(pdf_url)
            r.expected = profile_url
            r.fields.extend(f for f in expected[profile_url] if f not in r.fields)
            r.add("altered", f"{target.label}: the link differs from the profile's {profile_url} — "
                             f"{describe_difference(profile_url, pdf_url)} (an escaping bug?)")
        for url in missing:
            if url in altered.values():
                if not result(url).places:
                    results.pop(url, None)  # reported once, as the altered URL
                continue
            result(url).add("missing", f"{target.label}: the profile's link is not in the PDF")
        for url in extra:
            if url not in altered:
                result(url).add("extra", f"{target.label}: the PDF links to a URL the profile does not have")
    return list(results.values())


def _plan(url: str, policy: Policy, offline: bool) -> str | None:
    """What the check does with a link annotation's URI: ``"request"`` it, check its
    ``"syntax"`` only (mailto:, tel:), ``"excluded:<pattern>"`` by the policy, skip it as
    ``"offline"``, or ``None`` — nothing beyond the structure check (another scheme, or
    not a URI a client could request: the syntax message says why)."""
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("mailto", "tel"):
        return "syntax"
    if scheme not in ("http", "https"):
        return None
    problem = uri_problem(url)
    if problem and problem[0] == "invalid":
        return None
    pattern = policy.excluded_by(url)
    if pattern:
        return "excluded:" + pattern
    return "offline" if offline else "request"


async def check_links_async(targets: list[Target], *, policy: Policy = Policy(), offline: bool = False,
                            settings: NetworkSettings = NetworkSettings(),
                            cache: LinkCache | None = None) -> LinkReport:
    """:func:`check_links` for callers already inside an event loop.

    The requests start as soon as the PDFs are read; the structure check runs while
    the first responses are awaited.
    """
    started = time.perf_counter()
    contents = [pdf_contents(target.pdf) for target in targets]
    plan = {url: _plan(url, policy, offline) for c in contents for url in dict.fromkeys(link.url for link in c.uri)}
    to_request = dict.fromkeys(urldefrag(url).url for url, step in plan.items() if step == "request")
    probes = {url: cached for url in to_request
              if cache is not None and (cached := cache.get(url)) is not None}
    fresh = [url for url in to_request if url not in probes]
    network = asyncio.create_task(probe_urls(fresh, settings)) if fresh else None
    await asyncio.sleep(0)  # let the first requests go out before the structure check
    results = structure_results(targets, contents)
    checked: dict[str, list[LinkResult]] = {}
    for r in results:
        step = plan.get(r.url) if r.kind == "uri" and r.places else None
        if step == "syntax":
            if r.status == "ok":
                r.messages.append(f"syntax checked ({'RFC 6068' if r.url[:7].lower() == 'mailto:' else 'RFC 3966'}); "
                                  "not requested")
        elif step == "offline":
            r.add("offline", "not requested (--offline)")
        elif step is not None and step.startswith("excluded:"):
            r.add("excluded", f"not requested: matches the exclusion pattern {step[9:]}")
        elif step == "request":
            checked.setdefault(urldefrag(r.url).url, []).append(r)
    cache_saved = True
    if network is not None:
        probes.update(await network)
    if checked:
        # Every URL that went to the network failed before reaching a server: the
        # machine is offline, which says nothing about the links.
        tried = [probes[u] for u in fresh if "RFC 6761" not in probes[u].message]
        network_down = bool(tried) and all(p.error in ("dns", "dns-temporary", "network") for p in tried)
        for url, rs in checked.items():
            probe = probes[url]
            verdict = classify(probe, policy, network_down=network_down)
            if cache is not None and not probe.cached and _is_definite(probe, network_down):
                cache.put(probe)
            for r in rs:
                r.probe, r.code, r.location = probe, probe.code, verdict.location
                r.add(verdict.status, verdict.message + (" (cached)" if probe.cached else ""))
        if cache is not None:
            cache_saved = cache.save()
    order = {id(r): i for i, r in enumerate(results)}
    results.sort(key=lambda r: (-_RANK[r.severity], order[id(r)]))
    return LinkReport(results, offline, [t.label for t in targets], time.perf_counter() - started, cache_saved)


def check_links(targets: list[Target], *, policy: Policy = Policy(), offline: bool = False,
                settings: NetworkSettings = NetworkSettings(), cache: LinkCache | None = None) -> LinkReport:
    """Check every link of every target PDF: structure always, HTTP unless ``offline``.

    Each unique http(s) URL is requested once for the whole run (:func:`probe_urls`),
    unless ``policy`` excludes it or ``cache`` (:class:`LinkCache`) has a fresh result;
    ``cache=None`` neither reads nor writes a cache. Returns a :class:`LinkReport`;
    raises ``OSError`` or pypdf's ``PdfReadError`` for an unreadable PDF.
    """
    return asyncio.run(check_links_async(targets, policy=policy, offline=offline, settings=settings, cache=cache))


# --------------------------------------------------------------------------- profiles

def locale_of_pdf(pdf: Path | str, locales: dict[str, str]) -> str | None:
    """Which of a profile's locales a PDF is in: by the catalog's ``/Lang`` (``ko-KR``,
    written by :mod:`cvtex.build.pdf`) or else the file name ``<stem>-<locale>.pdf``.
    ``locales`` maps locale code -> BCP 47 language tag. ``None`` when neither tells."""
    from pypdf import PdfReader

    try:
        lang = str(PdfReader(pdf).root_object.get("/Lang", ""))
    except Exception:  # noqa: BLE001 - an unreadable PDF is reported by the check itself
        lang = ""
    for code, tag in locales.items():
        if lang and lang.lower() == tag.lower():
            return code
    stem = Path(pdf).stem
    for code in sorted(locales, key=len, reverse=True):
        if stem.endswith("-" + code) or stem == code:
            return code
    return next(iter(locales)) if len(locales) == 1 else None


def read_profile(path: Path | str) -> Any:
    """The validated :class:`cvtex.schema.models.Profile` at ``path``, for its URLs and link
    policy: the schema only (no theme or font checks). Raises :class:`ProfileError`."""
    from cvtex.schema import loader
    from cvtex.localize import locale
    from cvtex.schema import models as schema

    profile, _ = schema.validate(loader.load(path), supported_locales=locale.supported_locales())
    return profile


def expected_links(profile: Any, code: str) -> list[ProfileLink]:
    """:func:`profile_links` of ``profile`` (a validated :class:`cvtex.schema.models.Profile`)
    in locale ``code``."""
    from cvtex.localize.locale import localize

    return profile_links(localize(profile, code))


