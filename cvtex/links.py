"""Stage 7 — check links: the URLs a profile promises and the link annotations a PDF has.

:func:`profile_links` lists every URL the localized profile puts in its PDF — ``url``
fields, ``links``/``websites`` lists, ``mailto:`` for each e-mail, ``tel:`` for the
phone, the DOI resolver URL (``https://doi.org/<doi>``) and ``[text](url)`` links inside
text — each in its link-policy form (:func:`cvtex.text.normalize_url`).
:func:`pdf_links` reads the link annotations of a PDF (ISO 32000-1 §12.5.6.5, URI
actions §12.6.4.7). Comparing the two catches escaping bugs offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pypdf import PdfReader

from . import markup
from .locale import Text
from .text import normalize_url


@dataclass(frozen=True)
class ProfileLink:
    """A URL the profile puts in the PDF and the field it comes from."""

    url: str
    field: str


@dataclass(frozen=True)
class PdfLink:
    """A URI link annotation: the URL, its 1-based page and rectangle (PDF points)."""

    url: str
    page: int
    rect: tuple[float, float, float, float]


_URL_FIELDS = ("url", "doi_url", "phone_url")


def profile_links(view: SimpleNamespace) -> list[ProfileLink]:
    """Every URL of a localized view (see module doc), in document order."""
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


def pdf_links(path: Path | str) -> list[PdfLink]:
    """Every URI link annotation in the PDF at ``path``, page by page."""
    out: list[PdfLink] = []
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if action is not None and action.get("/S") == "/URI":
                rect = tuple(float(x) for x in annot.get("/Rect", [0, 0, 0, 0]))
                out.append(PdfLink(str(action["/URI"]), number, rect))  # type: ignore[arg-type]
    return out
