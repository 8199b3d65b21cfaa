"""The link policy: which URLs not to request and which extra status codes count as ok,
from a profile's ``links:`` settings and ``.cvtexignore`` files (:func:`load_policy`)."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urlsplit

from cvtex.diagnostics import Diagnostic, ProfileError, display_path

if TYPE_CHECKING:
    from cvtex.schema import Profile


@dataclass(frozen=True)
class Policy:
    """Which URLs not to request and which extra status codes to accept.

    ``exclude``: shell globs (:func:`fnmatch.fnmatchcase`) matched against the whole URL,
    e.g. ``https://www.linkedin.com/*``. ``accept``: host glob -> status codes that count
    as ok for that host, e.g. ``{"www.linkedin.com": frozenset({999})}``.

    A policy is kept in a render record as JSON (:meth:`to_record`,
    :meth:`from_record`), so a replayed render checks its links with the same policy.
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

    def to_record(self) -> dict[str, Any]:
        """The policy as JSON-ready data: ``{"exclude": [glob, …], "accept": {host glob:
        [code, …]}}`` (codes sorted); :meth:`from_record` reads it back equal."""
        return {"exclude": list(self.exclude), "accept": {host: sorted(codes) for host, codes in self.accept.items()}}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Policy:
        """The policy :meth:`to_record` wrote (either key may be absent). Raises
        ``TypeError`` or ``ValueError`` for data of another shape."""
        exclude, accept = data.get("exclude", []), data.get("accept", {})
        if not isinstance(exclude, list) or not all(isinstance(p, str) for p in exclude) \
                or not isinstance(accept, dict):
            raise TypeError(f"not a link policy record: {data!r}")
        return cls(tuple(exclude), {str(host): frozenset(int(c) for c in codes) for host, codes in accept.items()})

    @classmethod
    def from_profile(cls, profile: Profile) -> Policy:
        """The policy of a validated profile's ``links: {exclude, accept}`` settings
        (:class:`cvtex.schema.models.LinkPolicy`)."""
        return cls(tuple(profile.links.exclude),
                   {host: frozenset(codes) for host, codes in profile.links.accept.items()})

    def merged(self, other: Policy) -> Policy:
        """Both policies: the exclusions of both (this one's first, no repeats) and, per
        host glob, the status codes of both."""
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


def load_policy(profile: Profile | None = None, directories: Iterable[Path | str] = ()) -> Policy:
    """The link policy of a run: the profile's ``links: {exclude, accept}`` settings
    (:class:`cvtex.schema.models.LinkPolicy`) merged with the ``.cvtexignore`` file of each of
    ``directories`` that has one. Raises :class:`ProfileError` for a malformed file."""
    policy = Policy() if profile is None else Policy.from_profile(profile)
    seen: set[Path] = set()
    for directory in directories:
        candidate = (Path(directory) / IGNORE_FILE).resolve()
        if candidate not in seen and candidate.is_file():
            seen.add(candidate)
            policy = policy.merged(read_ignore_file(candidate))
    return policy
