"""The link check's data: the statuses a link can have, the links found in a profile and
in a PDF, the PDF to check (:class:`Target`), what a request showed (:class:`Probe`) and
the outcome per link (:class:`LinkResult`).

Rectangles are ``(x1, y1, x2, y2)`` in PDF points (1/72 in, origin bottom left); pages
are 1-based.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from cvtex.diagnostics import display_path

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

    def to_record(self) -> list[str]:
        """``[url, field]``, for a render record (JSON); :meth:`from_record` reads it back."""
        return [self.url, self.field]

    @classmethod
    def from_record(cls, data: list[str]) -> ProfileLink:
        """The link :meth:`to_record` wrote. Raises ``ValueError`` (or ``TypeError``) for
        anything but two strings."""
        url, where = data
        if not isinstance(url, str) or not isinstance(where, str):
            raise TypeError(f"not a profile link record: {data!r}")
        return cls(url, where)


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
