"""PNG previews of a rendered CV (``cvtex render --png``, the README's theme pictures and
the tests' reference images).

The page is rasterized with PDFium (PyPI ``pypdfium2``, no external program) and written
with Pillow. PDFium is not thread-safe, so renders are serialized by a module lock.
"""

from __future__ import annotations

import threading
from pathlib import Path

from cvtex.diagnostics import Diagnostic, ProfileError
from cvtex.files import write_atomic

_PDFIUM = threading.Lock()


def first_page_png(pdf: Path, png: Path, *, dpi: int = 100) -> Path:
    """Write the first page of ``pdf`` as an RGB PNG to ``png`` and return ``png``.

    ``dpi`` is pixels per inch of the page: a page of ``w`` × ``h`` PostScript points
    (1/72 in) becomes ``ceil(w * dpi / 72)`` × ``ceil(h * dpi / 72)`` pixels (width ×
    height) — an A4 page (595.28 × 841.89 pt) is 827 × 1170 px at 100 dpi, 414 × 585 px
    at 50 dpi. Anti-aliased, on a white background (no alpha channel).

    The PNG is written to a temporary file beside ``png`` and renamed over it (parent
    directories are created), so ``png`` is either the old file or the complete new one.

    Raises :class:`ValueError` for ``dpi`` outside 1–1200, and
    :class:`~cvtex.diagnostics.ProfileError` (naming the file) when ``pdf`` cannot be
    read, is not a PDF or has no page, or when ``png`` cannot be written.
    """
    if not 1 <= dpi <= 1200:
        raise ValueError(f"dpi must be between 1 and 1200, not {dpi}")
    import pypdfium2 as pdfium

    pdf, png = Path(pdf), Path(png)
    try:
        with open(pdf, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise _error(pdf, f"cannot read the PDF: {exc.strerror or exc}") from None
    if b"%PDF-" not in head:
        raise _error(pdf, "not a PDF (no %PDF- header); cannot make a PNG preview")
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(str(pdf))
        except pdfium.PdfiumError as exc:
            raise _error(pdf, f"cannot open the PDF for a preview: {exc}") from None
        try:
            if len(document) == 0:
                raise _error(pdf, "the PDF has no page; cannot make a PNG preview")
            page = document[0]
            try:
                image = page.render(scale=dpi / 72, fill_color=(255, 255, 255, 255)).to_pil().convert("RGB")
            finally:
                page.close()
        finally:
            document.close()
    try:
        write_atomic(png, lambda fh: image.save(fh, format="PNG", optimize=True))
    except OSError as exc:
        raise _error(png, f"cannot write the preview: {exc.strerror or exc}") from None
    return png


def _error(path: Path, message: str) -> ProfileError:
    return ProfileError([Diagnostic(str(path), 0, 0, message)])
