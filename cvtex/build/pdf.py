"""Stage 6 — post-process: the engine's PDF -> the final PDF (pypdf).

* Document information (PDF 1.7, ISO 32000-1 §14.3.3): Title, Author, Subject,
  Keywords, Creator. Set here rather than with ``\\hypersetup`` because commas and
  ``=`` in user text break hyperref's key–value parser.
* ``/Lang`` in the catalog (ISO 32000-1 §14.9.2; BCP 47 tag such as ``ko-KR``).
* ``/OpenAction``: the first page, whole (``/Fit``; ISO 32000-1 §12.3.2.2), as hyperref's
  default ``pdfstartview`` gave before the themes stopped loading it.
* The outline: one bookmark per section, pointing at the section's named destination
  (``section.<id>``, written by the theme's ``\\hypertarget``), and ``/PageMode
  /UseOutlines`` so viewers show it.
* The file is written to a temporary name in the output directory and renamed over the
  destination (``os.replace``, atomic on POSIX): a failure never leaves a half-written
  PDF or replaces an earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cvtex.files import write_atomic


@dataclass(frozen=True)
class Metadata:
    """What goes into the document information dictionary and the catalog."""

    title: str
    author: str
    subject: str = ""
    keywords: list[str] = field(default_factory=list)
    creator: str = ""
    lang: str = ""


@dataclass(frozen=True)
class Bookmark:
    """An outline entry: ``title`` and the named destination it opens."""

    title: str
    destination: str


def finish(source: Path, target: Path, metadata: Metadata, bookmarks: list[Bookmark]) -> int:
    """Write ``source`` with ``metadata`` and ``bookmarks`` to ``target`` atomically.

    Returns the number of bookmarks written. Raises ``KeyError`` naming a bookmark whose
    destination the PDF lacks (a theme without the section's ``\\hypertarget``).
    """
    from pypdf import PdfReader, PdfWriter  # imported here: write_atomic needs no pypdf
    from pypdf.generic import Fit, NameObject, TextStringObject

    reader = PdfReader(source)
    writer = PdfWriter(clone_from=reader)
    info = {"/Title": metadata.title, "/Author": metadata.author, "/Creator": metadata.creator}
    if metadata.subject:
        info["/Subject"] = metadata.subject
    if metadata.keywords:
        info["/Keywords"] = ", ".join(metadata.keywords)
    writer.add_metadata(info)
    if metadata.lang:
        writer.root_object[NameObject("/Lang")] = TextStringObject(metadata.lang)
    if "/OpenAction" not in writer.root_object and len(writer.pages):
        writer.open_destination = writer.pages[0]  # [page 1 /Fit]
    destinations = reader.named_destinations
    for mark in bookmarks:
        dest = destinations.get(mark.destination)
        if dest is None:
            raise KeyError(f"the PDF has no destination '{mark.destination}' for the bookmark '{mark.title}'")
        page = reader.get_destination_page_number(dest)
        top = dest.get("/Top")
        writer.add_outline_item(title=mark.title, page_number=page,
                                fit=Fit.xyz(left=0, top=float(top) if top is not None else None))
    if bookmarks:
        writer.page_mode = "/UseOutlines"
    write_atomic(target, writer.write)
    return len(bookmarks)


def page_count(pdf: bytes) -> int:
    """The number of pages of the PDF ``pdf`` (bytes). Raises pypdf's ``PdfReadError`` for a
    damaged file."""
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
