"""Stage 6c — application bundle: a letter and the CV of its locale -> one PDF
(``cvtex render --bundle``), what an application form that takes one file wants.

The bundle is made the way the bilingual PDF is (:func:`cvtex.build.bilingual.merge`): the
letter's pages, then the CV's; one top-level bookmark per part, titled with the part's PDF
title (``Cover letter — Example Bank``, ``Jiwoo Han — CV``) and holding the part's own
bookmarks (a 자기소개서's questions, the CV's sections); page labels ``letter-1 … cv-1 …``;
named destinations prefixed ``letter.`` and ``cv.``; the document information of both parts
joined, and ``/Lang`` the letter's.
"""

from __future__ import annotations

from dataclasses import dataclass

from cvtex.build import bilingual
from cvtex.build.pdf import Metadata

#: The prefixes of the parts' page labels and destinations, in order.
PARTS = ("letter", "cv")


@dataclass(frozen=True)
class Bundle:
    """A bundle made: the letter's id and locale ``code``, the PDF's bytes, the pages of each
    part (``{"letter": n, "cv": m}``) and the bookmarks written."""

    letter_id: str
    code: str
    pdf: bytes
    pages: dict[str, int]
    bookmarks: int


def bundle(letter_id: str, code: str, letter: tuple[bytes, Metadata], cv: tuple[bytes, Metadata]) -> Bundle:
    """The letter ``letter_id`` in locale ``code`` and the CV of that locale, each as
    ``(final PDF bytes, its metadata)``, in one PDF (module doc). Raises ``ValueError`` for a
    part without pages (pypdf's errors for a damaged one)."""
    parts = [bilingual.Part(prefix, pdf, metadata.title, metadata)
             for prefix, (pdf, metadata) in zip(PARTS, (letter, cv))]
    merged = bilingual.merge(parts)
    return Bundle(letter_id, code, merged.pdf, merged.pages, merged.bookmarks)
