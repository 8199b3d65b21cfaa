"""Network results kept on disk between runs (:class:`LinkCache`)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from cvtex.links.model import Probe

DEFAULT_CACHE_AGE = 86400.0  # s
#: How long (s) a failure that is often brief is reused, whatever ``max_age`` allows:
#: a DNS lookup that failed (a new domain not yet propagated, a resolver hiccup) and a
#: refused connection (a server restarting). A day of "broken" would outlive the cause.
TRANSIENT_CACHE_AGE = 600.0
#: The :attr:`Probe.error` kinds kept for at most :data:`TRANSIENT_CACHE_AGE`.
TRANSIENT_ERRORS = frozenset({"dns", "refused"})


class LinkCache:
    """Network results on disk: ``<cache dir>/links.json``, ``{"version": 1, "entries":
    {url: probe}}`` with each probe's ``checked_at`` (Unix time, s).

    :meth:`get` returns a probe younger than ``max_age`` seconds (``0``: never), and
    a DNS failure or refused connection (:data:`TRANSIENT_ERRORS`) only when also
    younger than :data:`TRANSIENT_CACHE_AGE`. Only definite outcomes are stored (ok, redirected, broken — not timeouts, 429 or
    5xx). :meth:`save` merges with what another process may have written meanwhile and
    replaces the file atomically (temporary file + ``os.replace``); a cache that cannot
    be read is ignored, one that cannot be written is skipped (``save`` returns False).
    """

    VERSION = 1

    def __init__(self, path: Path | str | None = None, max_age: float = DEFAULT_CACHE_AGE) -> None:
        from cvtex.files import cache_dir

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
        """The cached probe of ``url`` if younger than ``max_age`` (and, for a DNS failure
        or refused connection, than :data:`TRANSIENT_CACHE_AGE`), else ``None``."""
        entry = self._entries.get(url)
        if entry is None or self.max_age <= 0:
            return None
        now = time.time() if now is None else now
        limit = min(self.max_age, TRANSIENT_CACHE_AGE) if entry.get("error") in TRANSIENT_ERRORS else self.max_age
        if not 0 <= now - float(entry.get("checked_at", 0)) <= limit:
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
        from cvtex.files import write_atomic

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
