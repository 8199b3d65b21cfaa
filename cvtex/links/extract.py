"""Where the links come from: the URLs a localized profile puts in its PDF
(:func:`profile_links`), and every link annotation a PDF holds (:func:`pdf_contents`,
read with pypdf and kept in the ``pdf-links`` cache).

A PDF link annotation (ISO 32000-1 §12.5.6.5) is a URI action (§12.6.4.7), a GoTo
action or a ``/Dest`` entry (§12.6.4.2, §12.3.2). A URL broken across lines or pages
gives one annotation per piece.
"""

from __future__ import annotations

from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from cvtex.links.model import InternalLink, PdfContents, PdfLink, ProfileLink

if TYPE_CHECKING:
    from cvtex.localize import View
    from cvtex.schema import Profile


_URL_FIELDS = ("url", "doi_url", "phone_url")


def profile_links(view: View) -> list[ProfileLink]:
    """Every URL a localized view (:func:`cvtex.localize.localize`, or a letter's:
    :func:`cvtex.localize.localize_letter`) puts in its PDF, in
    document order, each normalized by :func:`cvtex.schema.urls.normalize_url` and with its
    field path (``header.websites[0].url``) — a CV's without the fields only its 경력기술서
    prints (:data:`cvtex.localize.view.CAREER_FIELDS`): the ``url``, ``doi_url`` and ``phone_url``
    fields, ``mailto:`` for each of ``emails``, and each ``[text](url)`` link inside a
    :class:`~cvtex.localize.Text`. Raises ``ValueError`` for a URL the schema would have
    refused (a view of a validated profile has none)."""
    from cvtex.localize import Text
    from cvtex.localize.view import CAREER_FIELDS, CV
    from cvtex.schema import markup, normalize_url

    found: list[ProfileLink] = []
    # what a CV does not print (an organization's description, a role's projects: the 경력기술서's)
    skipped = CAREER_FIELDS if getattr(view, "document", None) == CV else ()

    def visit(value: Any, path: str) -> None:
        if isinstance(value, Text):
            found.extend(ProfileLink(normalize_url(u), value.path) for u in markup.link_targets(value))
        elif is_dataclass(value):
            for f in fields(value):
                if f.name in skipped:
                    continue
                child = getattr(value, f.name)
                child_path = f"{path}.{f.name}" if path else f.name
                if f.name in _URL_FIELDS and isinstance(child, str):
                    found.append(ProfileLink(normalize_url(child), child_path))
                elif f.name == "emails":
                    found.extend(ProfileLink(normalize_url("mailto:" + e), f"{child_path}[{i}]")
                                 for i, e in enumerate(child))
                else:
                    visit(child, child_path)
        elif isinstance(value, list):
            for i, child in enumerate(value):
                visit(child, f"{path}[{i}]")

    visit(view.header, "header")
    if hasattr(view, "sections"):
        visit(view.summary_title, "summary_title")
        visit(view.summary, "summary")
        visit(view.sections, "sections")
    else:  # a letter (cvtex.localize.LetterView): what its template prints after the header
        for name in ("recipient", "subject", "salutation", "paragraphs", "closing", "signature", "company",
                     "position", "questions"):
            visit(getattr(view, name), f"letters[{view.index}].{name}")
    return found


def pdf_links(path: Path | str) -> list[PdfLink]:
    """Every URI link annotation in the PDF at ``path``, page by page (a URL split across
    lines appears once per piece). Raises pypdf's ``PdfReadError`` for a damaged file."""
    return pdf_contents(path).uri


def pdf_contents(path: Path | str) -> PdfContents:
    """Every link annotation of the PDF at ``path`` (see :class:`PdfContents`), plus the
    named destinations (catalog ``/Dests`` and ``/Names /Dests`` tree, ISO 32000-1
    §12.3.2.3) and outline entries that do not land on a page.

    What a PDF holds depends on its bytes only, so the result is kept on disk under
    :func:`cvtex.files.cache_dir` ``/pdf-links/<SHA-256 of the file>.json``: a PDF read
    before (an unchanged re-render writes the same bytes) costs a hash, not a pypdf
    parse (~30-60 ms) and pypdf's import (~90 ms). An unreadable or damaged entry is
    parsed again and rewritten.

    Raises pypdf's ``PdfReadError`` (or ``OSError``) when the file cannot be read.
    """
    return pdf_contents_of(Path(path).read_bytes())


def pdf_contents_of(data: bytes) -> PdfContents:
    """:func:`pdf_contents` of a PDF's bytes, through the same cache. Raises pypdf's
    ``PdfReadError`` for a damaged file."""
    import hashlib
    import io

    from cvtex.files import package_digest, read_json, write_json

    # the key covers cvtex's own files too: a reader fixed in a new cvtex reads again
    key = hashlib.sha256(data + package_digest().encode()).hexdigest()
    stored = read_json("pdf-links", key)
    if stored is not None:
        try:
            return _contents_from_json(stored)
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # damaged: read the PDF, store it again
    contents = _read_contents(io.BytesIO(data))  # the bytes already read, not the file again
    write_json("pdf-links", key, asdict(contents))
    return contents


def cache_pdf_contents(data: bytes) -> bool:
    """Read the link annotations of a PDF's bytes into the ``pdf-links`` cache ahead of the
    link check, which then finds them stored (:func:`pdf_contents` of the written file)
    instead of parsing the PDF after the render. ``cvtex render`` calls it on each final
    PDF in that locale's engine thread, where it uses a core the other engine leaves
    idle. Returns False, and raises nothing, when the bytes are not a readable PDF: the
    link check reads and reports that file itself."""
    try:
        pdf_contents_of(data)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds for a damaged file
        return False
    return True


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


def read_profile(path: Path | str) -> Profile:
    """The validated :class:`cvtex.schema.models.Profile` at ``path``, for its URLs and link
    policy: the schema only (no theme or font checks). Raises :class:`ProfileError`."""
    from cvtex import schema
    from cvtex.localize import supported_locales
    from cvtex.schema import loader

    profile, _ = schema.validate(loader.load(path), supported_locales=supported_locales())
    return profile


def expected_links(profile: Profile, code: str, letter: int | None = None, *,
                   career: bool = False) -> list[ProfileLink]:
    """:func:`profile_links` of ``profile`` (a validated :class:`cvtex.schema.models.Profile`)
    in locale ``code``: its CV's, or with ``letter`` (an index into ``profile.letters``, ``code``
    one of that letter's locales) the letter's (:func:`cvtex.localize.localize_letter`), or
    with ``career`` its 경력기술서's (:func:`cvtex.localize.localize_career`; none when the
    profile has no projects, and so no 경력기술서)."""
    from cvtex.localize import localize, localize_career, localize_letter

    view = localize(profile, code)
    if career:
        career_view = localize_career(view)
        return profile_links(career_view) if career_view is not None else []
    return profile_links(view if letter is None else localize_letter(profile, letter, code, view.header))
