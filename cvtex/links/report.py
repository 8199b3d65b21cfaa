"""The outcome of a link check (:class:`LinkReport`): counts, a summary line, a rich
table and the JSON report (``--report``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvtex import __version__
from cvtex.links.model import _DISPLAY, STATUSES, LinkResult, Severity


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

    def brief(self) -> str:
        """One line for a check whose PDFs all have their profile's URLs to compare with
        (``render``): ``29 in 2 PDFs, all match the profile; not checked online
        (--offline)``, or what is wrong: ``29 in 2 PDFs: 1 missing, 1 nonstandard; …``
        (statuses that are errors or warnings, in summary order)."""
        counts: dict[str, int] = {}
        for r in self.results:
            if r.severity in ("error", "warning"):
                counts[r.status] = counts.get(r.status, 0) + 1
        state = (": " + ", ".join(f"{counts[s]} {s}" for s in _DISPLAY if s in counts) if counts
                 else ", all match the profile")
        online = "not checked online (--offline)" if self.offline else "checked online"
        pdfs = f"{len(self.pdfs)} PDF" + ("" if len(self.pdfs) == 1 else "s")
        return f"{len(self.results)} in {pdfs}{state}; {online}"

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
        from cvtex.files import write_atomic

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
