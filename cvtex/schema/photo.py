"""The header photo at validate: is the file a usable ID photo (증명사진)?

:func:`photo_diagnostics` opens ``header.photo.path`` (relative to the profile file) with
Pillow and reports, at the photo's ``file:line:col``:

* errors: the file is missing or unreadable, is not an image Pillow can read, is not JPEG or
  PNG, or is a decompression bomb — more pixels than Pillow's ``Image.MAX_IMAGE_PIXELS``
  (about 89 megapixels; Pillow warns above it and refuses above twice it: both are refused
  here, before anything decodes the pixels);
* warnings: fewer pixels than the printed size needs (:data:`PIXELS`, 3 × 4 cm at 300 dpi),
  and a photo that is converted when it is prepared (CMYK, 16 bits per channel, a palette):
  printed as RGB, 8 bits, which is what a note says.

What is printed is a copy made by :mod:`cvtex.build.photo`. Pillow is imported only when a
profile has a photo.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvtex.diagnostics import Diagnostic, display_path
from cvtex.schema.loader import Document

#: The printed size of the photo box, in centimetres (width, height): 3 × 4 cm, the 증명사진
#: size Korean forms ask for.
PRINTED_CM = (3.0, 4.0)
#: Printing resolution, dots per inch.
DPI = 300
#: The pixels the printed size needs at :data:`DPI`: (354, 472).
PIXELS = tuple(round(cm / 2.54 * DPI) for cm in PRINTED_CM)
#: The image formats a photo may have (Pillow's format names).
FORMATS = ("JPEG", "PNG")


class PhotoProblem(ValueError):
    """A photo that cannot be printed; the message says why."""


@dataclass(frozen=True)
class PhotoFacts:
    """What :func:`inspect` found: ``format`` (``JPEG``/``PNG``), ``size`` in pixels as
    shown (EXIF orientation applied: a portrait taken sideways is tall), Pillow's ``mode``
    (``RGB``, ``CMYK``, ``I;16`` …) and ``notes``: what preparing it converts."""

    format: str
    size: tuple[int, int]
    mode: str
    notes: tuple[str, ...]


def inspect(path: Path) -> PhotoFacts:
    """Read the header of the image at ``path`` (the pixels are not decoded).

    Raises :class:`PhotoProblem`: unreadable, not an image, not JPEG/PNG, a decompression
    bomb (Pillow's ``MAX_IMAGE_PIXELS``, and its warning treated as the error)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                fmt, mode, (width, height) = image.format or "", image.mode, image.size
                # 16-bit PNG samples: mode I;16 (grey), or RGB read from RGB;16B (before
                # getexif(), which may read on and clear the tiles)
                sixteen = mode.startswith("I;16") or any(";16" in str(tile.args) for tile in image.tile)
                info = dict(image.info)
                orientation = image.getexif().get(0x0112, 1)  # EXIF Orientation (TIFF tag 274)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise PhotoProblem(f"too many pixels for an image ({exc}); a decompression bomb is refused: use a photo "
                           f"of a few megapixels") from None
    except UnidentifiedImageError:
        raise PhotoProblem("not an image Pillow can read: give a JPEG or PNG file") from None
    except OSError as exc:
        raise PhotoProblem(f"cannot read the photo: {exc.strerror or exc}") from None
    if fmt not in FORMATS:
        raise PhotoProblem(f"a {fmt or 'non-JPEG/PNG'} image: give a JPEG or PNG file")
    if orientation in (5, 6, 7, 8):  # turned a quarter: shown with width and height swapped
        width, height = height, width
    notes = []
    if mode == "CMYK":
        notes.append("CMYK, converted to RGB")
    if sixteen:
        notes.append("16 bits per channel, converted to 8")
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in info):
        notes.append("transparent, put on white")
    return PhotoFacts(fmt, (width, height), mode, tuple(notes))


def photo_path(doc: Document, path: str) -> Path:
    """The photo file ``path`` (as written in the profile ``doc``) on disk: relative to the
    profile file's directory unless absolute; ``~`` is expanded."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else doc.path.parent / candidate


def named_photo(doc: Document) -> Path | None:
    """The photo file the raw document ``doc`` names at ``header.photo`` (valid or not: for
    ``--watch``, which renders again when it changes), or ``None``."""
    header = doc.data.get("header") if isinstance(doc.data, dict) else None
    raw = header.get("photo") if isinstance(header, dict) else None
    path = raw.get("path") if isinstance(raw, dict) else raw
    return photo_path(doc, path) if isinstance(path, str) and path else None


def photo_diagnostics(doc: Document, profile: Any) -> list[Diagnostic]:
    """The problems of ``profile.header.photo`` (a validated profile of ``doc``), at the
    photo's path in ``doc`` (see the module doc); ``[]`` without a photo."""
    photo = profile.header.photo
    if photo is None:
        return []
    raw = doc.data.get("header", {}).get("photo") if isinstance(doc.data, dict) else None
    loc: tuple = ("header", "photo", "path") if isinstance(raw, dict) else ("header", "photo")
    field_name = "header.photo.path" if isinstance(raw, dict) else "header.photo"
    path = photo_path(doc, photo.path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        return [doc.diagnostic(loc, f"the photo {display_path(path)} {what} (a photo's path is relative to the profile file)",
                               field_name=field_name)]
    try:
        facts = inspect(path)
    except PhotoProblem as exc:
        return [doc.diagnostic(loc, f"the photo {display_path(path)}: {exc}", field_name=field_name)]
    out = []
    width, height = facts.size
    need_w, need_h = PIXELS
    if width < need_w or height < need_h:
        dpi = round(min(width / PRINTED_CM[0], height / PRINTED_CM[1]) * 2.54)
        out.append(doc.diagnostic(loc, f"the photo has {width} × {height} pixels: printed 3 × 4 cm that is about "
                                       f"{dpi} dpi; {need_w} × {need_h} pixels make 300 dpi", severity="warning",
                                  field_name=field_name))
    for note in facts.notes:
        out.append(doc.diagnostic(loc, f"the photo is {note} for the PDF", severity="warning", field_name=field_name))
    return out
