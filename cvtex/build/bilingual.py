"""Stage 6b — bilingual: the final PDFs of several locales -> one PDF, one after the other
(``cvtex render --bilingual``: the Korean CV, then the English one), with pypdf.

The parts are final PDFs (:func:`cvtex.build.pdf.finish`); in the merged document

* **pages** keep their content and link annotations; page labels (ISO 32000-1 §12.4.2,
  ``/PageLabels``) number each part on its own with the locale code as prefix —
  ``ko-1, ko-2, en-1, en-2`` — which viewers show in their page box instead of "3 of 4";
* **named destinations** get the locale code as prefix: ``section.experience`` of the
  Korean part becomes ``ko.section.experience`` (every name of every part, also those
  hyperref writes in a theme that loads it, such as ``page.1``), so the names are unique
  and each still lands on its part's page; an internal link (``/GoTo`` to a name, or
  ``/Dest``) is renamed with them;
* **the outline** has one top-level bookmark per part, titled with the language's name
  (``한국어``, ``English``) and opening the part's first page, holding that part's own
  bookmarks (its sections);
* **document information** joins the parts' (``Title``: each part's title, joined with
  " / "; the same for ``Author`` and ``Subject`` when they differ; ``Keywords`` the union);
  the catalog's ``/Lang`` is the first part's language — a PDF has one document language
  (ISO 32000-1 §14.9.2), and the first part is the one a reader meets first;
* it **opens** as each part does: the first page, whole (``/OpenAction [page 1 /Fit]``,
  ISO 32000-1 §12.3.2.2), with the outline shown (``/PageMode /UseOutlines``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    Fit,
    NameObject,
    TextStringObject,
)

from cvtex.build.pdf import Metadata
from cvtex.diagnostics import ProfileError

if TYPE_CHECKING:
    from cvtex.schema import Document

#: The locales of a bilingual PDF, in order: Korean first, then English.
LOCALES = ("ko", "en")
#: The file name suffix: ``<stem>-bilingual.pdf``.
SUFFIX = "bilingual"


@dataclass(frozen=True)
class Part:
    """One locale's final PDF: ``code`` (the prefix of its destinations and page labels),
    its bytes, the title of its top-level bookmark (the language's name) and its metadata."""

    code: str
    pdf: bytes
    label: str
    metadata: Metadata


@dataclass(frozen=True)
class Merged:
    """A merged PDF: its bytes, the pages of each part (``{code: pages}``, in order), the
    bookmarks written (the top-level ones included) and the named destinations."""

    pdf: bytes
    pages: dict[str, int] = field(default_factory=dict)
    bookmarks: int = 0
    destinations: list[str] = field(default_factory=list)


def destination_name(code: str, name: str) -> str:
    """The name a part's destination ``name`` has in the merged PDF: ``ko.section.summary``."""
    return f"{code}.{name}"


def merge(parts: list[Part]) -> Merged:
    """Merge ``parts`` in order (see the module doc). Raises ``ValueError`` for fewer than
    two parts or a part that has no page."""
    if len(parts) < 2:
        raise ValueError("a bilingual PDF needs at least two parts")
    writer = PdfWriter()
    dests: list[tuple[str, int, ArrayObject]] = []  # (merged name, page index, destination array)
    pages: dict[str, int] = {}
    bookmarks = 0
    for part in parts:
        reader = PdfReader(io.BytesIO(part.pdf))
        count = len(reader.pages)
        if count == 0:
            raise ValueError(f"the {part.code} PDF has no page")
        start = len(writer.pages)
        pages[part.code] = count
        writer.append(reader, import_outline=False)
        for name, dest in reader.named_destinations.items():
            index = page_index(reader, dest)
            if index is not None:
                dests.append((destination_name(part.code, str(name)), start + index, ArrayObject(dest.dest_array)))
        _rename_internal_links(writer, range(start, start + count), part.code)
        set_destinations(writer, dests)  # the part's own names (added by append) replaced
        writer.set_page_label(start, start + count - 1, style="/D", prefix=f"{part.code}-", start=1)
        top = writer.add_outline_item(title=part.label, page_number=start, fit=Fit.fit())
        bookmarks += 1 + _copy_outline(reader, reader.outline, writer, top, start)
    _set_metadata(writer, [p.metadata for p in parts])
    writer.page_mode = "/UseOutlines"
    writer.open_destination = writer.pages[0]  # [page 1 /Fit], as each part opens (cvtex.build.pdf)
    out = io.BytesIO()
    writer.write(out)
    return Merged(out.getvalue(), pages, bookmarks, sorted(name for name, _, _ in dests))


def page_index(reader: PdfReader, dest) -> int | None:
    """The 0-based page a destination or outline item of ``reader`` lands on; ``None`` when
    it lands on no page of the document."""
    try:
        index = reader.get_destination_page_number(dest)
    except Exception:  # noqa: BLE001 - a destination that lands nowhere is dropped
        return None
    return index if index is not None and 0 <= index < len(reader.pages) else None


def set_destinations(writer: PdfWriter, dests: list[tuple[str, int, ArrayObject]]) -> None:
    """Make the writer's named destinations (``/Names /Dests``, a flat sorted name tree)
    exactly ``dests`` (name, 0-based page index of the writer, destination array), each
    pointing at its page of the written document."""
    root = writer.get_named_dest_root()
    del root[:]
    for name, index, array in sorted(dests, key=lambda d: d[0]):
        target = ArrayObject([writer.pages[index].indirect_reference, *array[1:]])
        root.extend([TextStringObject(name), target])


def _rename_internal_links(writer: PdfWriter, indexes: range, code: str) -> None:
    """Give the named targets of the link annotations on pages ``indexes`` the part's prefix."""
    for index in indexes:
        for ref in writer.pages[index].get("/Annots") or []:
            annot = ref.get_object()
            if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo":
                holder, key = action, "/D"
            elif "/Dest" in annot:
                holder, key = annot, "/Dest"
            else:
                continue
            target = holder[key]
            if isinstance(target, (TextStringObject, ByteStringObject, NameObject)):
                name = str(target)[1:] if isinstance(target, NameObject) else _text(target)
                holder[NameObject(key)] = TextStringObject(destination_name(code, name))


def _text(value) -> str:
    return bytes(value).decode("latin-1") if isinstance(value, ByteStringObject) else str(value)


def _copy_outline(reader: PdfReader, items: list, writer: PdfWriter, parent, start: int) -> int:
    """Copy a part's outline under ``parent``, each entry moved to its page in the merged
    document; returns how many entries were written."""
    written, last = 0, None
    for item in items:
        if isinstance(item, list):  # the children of the previous entry
            written += _copy_outline(reader, item, writer, last if last is not None else parent, start)
            continue
        index = page_index(reader, item)
        if index is None:
            continue
        top = item.get("/Top")
        last = writer.add_outline_item(title=str(item.title), page_number=start + index, parent=parent,
                                       fit=Fit.xyz(left=0, top=float(top) if top is not None else None))
        written += 1
    return written


def _joined(values: list[str]) -> str:
    return " / ".join(dict.fromkeys(v for v in values if v))


def _set_metadata(writer: PdfWriter, metadata: list[Metadata]) -> None:
    info = {"/Title": _joined([m.title for m in metadata]), "/Author": _joined([m.author for m in metadata]),
            "/Creator": _joined([m.creator for m in metadata]), "/Subject": _joined([m.subject for m in metadata]),
            "/Keywords": ", ".join(dict.fromkeys(k for m in metadata for k in m.keywords))}
    writer.add_metadata({key: value for key, value in info.items() if value})
    if metadata[0].lang:
        writer.root_object[NameObject("/Lang")] = TextStringObject(metadata[0].lang)


def part_locales(reader: PdfReader) -> list[str]:
    """The locale codes of a merged PDF's parts, in order (from its page labels,
    ``ko-1`` …), or [] for a PDF that is not one (a single locale's PDF)."""
    codes: list[str] = []
    try:
        labels = reader.page_labels
    except Exception:  # noqa: BLE001 - no readable labels: not a merged PDF
        return []
    for label in labels:
        code, sep, number = label.rpartition("-")
        if not (sep and number.isdigit() and code):
            return []
        if code not in codes:
            codes.append(code)
    return codes if len(codes) > 1 else []


def check_request(doc: Document, profile_locales: list[str], codes: list[str]) -> None:
    """``--bilingual`` needs the profile (of ``doc``, with ``profile_locales``) to have, and the
    run (rendering ``codes``) to render, every locale of :data:`LOCALES`; else a
    :class:`~cvtex.diagnostics.ProfileError` at the profile's ``locales``."""
    lacking = [code for code in LOCALES if code not in profile_locales]
    if lacking:
        raise ProfileError([doc.diagnostic(("locales",), f"--bilingual: a bilingual PDF is the {' and '.join(LOCALES)} "
                                           f"CVs in one file, but the profile has no {', '.join(lacking)} locale "
                                           f"(its locales: {', '.join(profile_locales)}); add it or leave out "
                                           "--bilingual", field_name="locales")])
    skipped = [code for code in LOCALES if code not in codes]
    if skipped:
        raise ProfileError([doc.diagnostic(("locales",), f"--bilingual needs the {' and '.join(LOCALES)} PDFs, but "
                                           f"--lang leaves out {', '.join(skipped)}", field_name="locales")])
