"""Check the links of rendered PDFs: every hyperlink, its structure offline and its
status over HTTP.

The modules, in the order a check runs:

* :mod:`~cvtex.links.model` — the data: :data:`STATUSES`, the links of a profile and of a
  PDF, :class:`Target` (a PDF to check), :class:`Probe`, :class:`LinkResult`;
* :mod:`~cvtex.links.extract` — the URLs a localized profile puts in its PDF
  (:func:`profile_links`) and the link annotations a PDF holds (:func:`pdf_contents`,
  pypdf, cached by the PDF's bytes; :func:`cache_pdf_contents` fills that cache ahead);
* :mod:`~cvtex.links.syntax` — RFC 3986 / 6068 / 3966 syntax (:func:`uri_problem`);
* :mod:`~cvtex.links.policy` — exclusions and accepted codes (:class:`Policy`,
  :func:`load_policy`, ``.cvtexignore``);
* :mod:`~cvtex.links.probe` — the requests (:func:`probe_urls`, httpx) and their
  classification (:func:`classify`);
* :mod:`~cvtex.links.cache` — network results kept between runs (:class:`LinkCache`);
* :mod:`~cvtex.links.check` — both checks over a set of PDFs (:func:`check_links`);
* :mod:`~cvtex.links.report` — the outcome (:class:`LinkReport`: table, summary, JSON).

Names are imported from their module on first use, so importing this package costs
nothing; httpx and pypdf are imported only when a request is made or a PDF read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvtex.lazy import exports

if TYPE_CHECKING:
    from cvtex.links.cache import DEFAULT_CACHE_AGE, TRANSIENT_CACHE_AGE, TRANSIENT_ERRORS, LinkCache
    from cvtex.links.check import (
        check_links,
        check_links_async,
        describe_difference,
        structure_results,
    )
    from cvtex.links.extract import (
        cache_pdf_contents,
        expected_links,
        locale_of_pdf,
        pdf_contents,
        pdf_contents_of,
        pdf_links,
        profile_links,
        read_profile,
    )
    from cvtex.links.model import (
        STATUSES,
        InternalLink,
        LinkResult,
        PdfContents,
        PdfLink,
        Place,
        Probe,
        ProfileLink,
        Severity,
        Target,
    )
    from cvtex.links.policy import IGNORE_FILE, Policy, load_policy, read_ignore_file
    from cvtex.links.probe import (
        HEAD_REFUSED,
        PERMANENT_REDIRECTS,
        RETRY_CODES,
        UNVERIFIED_CODES,
        USER_AGENT,
        NetworkSettings,
        Verdict,
        classify,
        probe_urls,
        retry_after,
    )
    from cvtex.links.report import LinkReport
    from cvtex.links.syntax import uri_problem

_MODULES = {
    "model": ["STATUSES", "Severity", "ProfileLink", "PdfLink", "InternalLink", "PdfContents", "Place",
              "LinkResult", "Probe", "Target"],
    "extract": ["profile_links", "pdf_links", "pdf_contents", "pdf_contents_of", "cache_pdf_contents",
                "locale_of_pdf", "read_profile", "expected_links"],
    "syntax": ["uri_problem"],
    "policy": ["Policy", "IGNORE_FILE", "read_ignore_file", "load_policy"],
    "cache": ["LinkCache", "DEFAULT_CACHE_AGE", "TRANSIENT_CACHE_AGE", "TRANSIENT_ERRORS"],
    "probe": ["NetworkSettings", "USER_AGENT", "RETRY_CODES", "HEAD_REFUSED", "UNVERIFIED_CODES",
              "PERMANENT_REDIRECTS", "retry_after", "probe_urls", "Verdict", "classify"],
    "check": ["check_links", "check_links_async", "structure_results", "describe_difference"],
    "report": ["LinkReport"],
}
__getattr__, __dir__, __all__ = exports(__name__, _MODULES)
