"""The header photo as printed: a small JPEG made once per photo and kept in the cache.

:func:`prepare` turns the profile's photo (checked at validate by :mod:`cvtex.schema.photo`)
into what the PDF embeds: the EXIF orientation applied (``ImageOps.exif_transpose``), CMYK,
16-bit, palette and transparent images converted to 8-bit RGB (transparency on white),
cropped to the 3:4 box from the centre and resized to :data:`cvtex.schema.photo.PIXELS` (3 × 4
cm at 300 dpi, Lanczos), saved as a baseline JPEG (quality :data:`QUALITY`) with no
metadata at all: no EXIF (GPS position, camera, date), no XMP, no ICC profile, no comment. A
12-megapixel phone photo (3-5 MB) becomes about 40 KB.

The copy is kept in the cache as ``photos/<sha256>.jpg``, the SHA-256 over the source file's
bytes and :data:`RECIPE` (so a change to how photos are made makes new copies): a render of an
unchanged photo reads nothing but the source's bytes. :func:`printed_name` is the copy's file
name in a build directory, ``photo-<first 16 hex digits>.jpg``: the LaTeX source names it,
so a new photo is a new build-cache key.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cvtex.files import cache_dir, prune, write_atomic
from cvtex.schema.photo import PIXELS

#: JPEG quality of the printed copy (Pillow's scale, 1-95).
QUALITY = 90
#: Changes whenever :func:`prepare` makes different bytes from the same photo.
RECIPE = f"photo-1 {PIXELS[0]}x{PIXELS[1]} q{QUALITY}"
#: How many prepared photos the cache keeps.
MAX_PHOTOS = 64


def photos_dir() -> Path:
    """Where prepared photos are kept: ``photos/`` under :func:`cvtex.files.cache_dir`."""
    return cache_dir() / "photos"


def printed_name(key: str) -> str:
    """The prepared photo's file name in a build directory, for the photo of digest ``key``."""
    return f"photo-{key[:16]}.jpg"


def prepare(source: Path) -> tuple[Path, str]:
    """The prepared copy of the photo file ``source`` (see the module doc) and its digest
    (SHA-256 over :data:`RECIPE` and the file's bytes): from the cache, else made and stored
    there (atomically; a cache that cannot be written gets the copy in a temporary directory).

    Raises ``OSError`` when ``source`` cannot be read, and what Pillow raises for an image
    it cannot decode (validation has refused those already)."""
    raw = source.read_bytes()  # once: the key and the copy come from the same bytes
    key = hashlib.sha256(RECIPE.encode() + b"\0" + raw).hexdigest()
    target = photos_dir() / f"{key}.jpg"
    if target.is_file():
        return target, key
    data = convert(raw)
    try:
        write_atomic(target, data)
        prune(photos_dir(), MAX_PHOTOS, ".jpg")
    except OSError:
        import tempfile

        target = Path(tempfile.mkdtemp(prefix="cvtex-photo-")) / f"{key}.jpg"
        target.write_bytes(data)
    return target, key


def convert(data: bytes) -> bytes:
    """The JPEG bytes of the printed copy of the image ``data`` (see the module doc)."""
    import io
    import warnings

    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened) or opened
            image.load()
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16 bits per channel: scale to 8
        image = image.point(lambda v: v / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    image = image.convert("RGB")  # CMYK, palette, grey: 8-bit RGB (Pillow's conversions)
    image = ImageOps.fit(image, PIXELS, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    image.info = {}  # Pillow writes a comment (COM) it carried over from the source back out
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True)  # no exif=, icc_profile=: none written
    return out.getvalue()
