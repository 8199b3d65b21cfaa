"""The link check of rendered PDFs: structure offline, status over HTTP
(:func:`check_links`).

Offline (always): the URLs of each PDF's link annotations are compared with the URLs
its profile locale has (:func:`~cvtex.links.extract.profile_links`). A URL the profile
has and the PDF lacks is *missing*, one the PDF has and the profile lacks *extra*, and
an extra URL that is a near copy of a missing one *altered* — the signature of an
escaping bug. Internal links must land on a page of the document (*dangling*
otherwise), and every URL must pass :func:`~cvtex.links.syntax.uri_problem`.

Network (unless ``offline``): each unique http(s) URL (fragment removed, RFC 3986 §3.5 —
the server never sees it) is requested once per run (:func:`~cvtex.links.probe.probe_urls`)
unless the policy excludes it or the cache (:class:`~cvtex.links.cache.LinkCache`) has a
fresh result, and classified (:func:`~cvtex.links.probe.classify`).
"""

from __future__ import annotations

import asyncio
import difflib
import time
from typing import Literal
from urllib.parse import urldefrag

from cvtex.links.cache import LinkCache
from cvtex.links.extract import pdf_contents
from cvtex.links.model import _RANK, LinkResult, PdfContents, PdfLink, Place, Target
from cvtex.links.policy import Policy
from cvtex.links.probe import NetworkSettings, _is_definite, classify, probe_urls
from cvtex.links.report import LinkReport
from cvtex.links.syntax import uri_problem


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
                r.add(verdict.status, verdict.message + _cached_note(probe, verdict.status))
        if cache is not None:
            cache_saved = cache.save()
    order = {id(r): i for i, r in enumerate(results)}
    results.sort(key=lambda r: (-_RANK[r.severity], order[id(r)]))
    return LinkReport(results, offline, [t.label for t in targets], time.perf_counter() - started, cache_saved)


def _cached_note(probe, status: str) -> str:
    """What a verdict from the cache says of itself: `` (cached)``, and for a broken link
    how to ask again (the verdict may be older than the fix)."""
    if not probe.cached:
        return ""
    return " (cached; use --cache-age 0 to ask again)" if status == "broken" else " (cached)"


def check_links(targets: list[Target], *, policy: Policy = Policy(), offline: bool = False,
                settings: NetworkSettings = NetworkSettings(), cache: LinkCache | None = None) -> LinkReport:
    """Check every link of every target PDF: structure always, HTTP unless ``offline``.

    Each unique http(s) URL is requested once for the whole run (:func:`probe_urls`),
    unless ``policy`` excludes it or ``cache`` (:class:`LinkCache`) has a fresh result;
    ``cache=None`` neither reads nor writes a cache. Returns a :class:`LinkReport`;
    raises ``OSError`` or pypdf's ``PdfReadError`` for an unreadable PDF.
    """
    return asyncio.run(check_links_async(targets, policy=policy, offline=offline, settings=settings, cache=cache))
