"""The header photo (증명사진): checked at validate, prepared once per photo, embedded in the
PDFs of the locales that show it and in no other, without its metadata."""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from cvtex.build import photo as photos
from cvtex.schema.photo import PIXELS
from tests.conftest import PLAIN_ENV, run_cvtex

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

PROFILE = """\
locales: [en, ko]
header:
  name: {{en: Jiwoo Han, ko: 한지우}}
  emails: [jiwoo@example.com]
  photo: {photo}
sections:
  - kind: skills
    entries: [{{label: Languages, items: [Go, Python]}}]
"""


def portrait(path: Path, size=(1200, 1600), *, mode="RGB", exif: Image.Exif | None = None, fmt="JPEG") -> Path:
    """A drawn portrait at ``path``: a red marker in its top left corner as shown (so a
    rotation is visible), a dark figure in the middle."""
    image = Image.new("RGB", size, (210, 220, 232))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((0, 0, w // 5, h // 8), fill=(220, 20, 20))
    draw.ellipse((w // 3, h // 5, 2 * w // 3, h // 2), fill=(40, 50, 80))
    if mode != "RGB":
        image = image.convert(mode)
    options = {"exif": exif} if exif is not None else {}
    image.save(path, fmt, **options)
    return path


def gps_exif() -> Image.Exif:
    """EXIF with a camera, a date and a GPS position (Seoul City Hall)."""
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"  # Make
    exif[0x0132] = "2025:03:02 10:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)})
    return exif


def write_profile(tmp_path: Path, photo: str) -> Path:
    path = tmp_path / "cv.yaml"
    path.write_text(PROFILE.format(photo=photo), encoding="utf-8")
    return path


def images(pdf: Path) -> list[bytes]:
    """The image XObjects drawn on the PDF's pages: their stream data as stored."""
    found = []
    for page in PdfReader(pdf).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj["/Subtype"] == "/Image":
                found.append(obj.get_data())
    return found


def validate(path: Path) -> tuple[int, str]:
    done = run_cvtex("validate", path.name, cwd=path.parent,
                     env=PLAIN_ENV | {"CVTEX_CACHE_DIR": os.environ["CVTEX_CACHE_DIR"]})
    return done.returncode, done.stdout + done.stderr


# ----------------------------------------------------------------------------- validate

def test_a_missing_photo_is_an_error_at_its_path(tmp_path):
    code, out = validate(write_profile(tmp_path, "{path: me.jpg, locales: [ko]}"))
    assert code == 1
    assert "cv.yaml:5:17: error: the photo me.jpg does not exist" in out, out
    assert "field: header.photo.path" in out


def test_not_an_image_is_an_error(tmp_path):
    (tmp_path / "me.jpg").write_text("this is text, not a JPEG")
    code, out = validate(write_profile(tmp_path, "me.jpg"))
    assert code == 1
    assert "cv.yaml:5:10: error: the photo me.jpg: not an image Pillow can read" in out, out
    assert "field: header.photo" in out


def test_another_image_format_is_an_error(tmp_path):
    portrait(tmp_path / "me.gif", fmt="GIF")
    code, out = validate(write_profile(tmp_path, "me.gif"))
    assert code == 1 and "a GIF image: give a JPEG or PNG file" in out, out


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that claims ``width`` × ``height`` pixels and holds almost none: what a
    decompression bomb looks like before it is decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("side", [10_000, 40_000])  # over Pillow's limit (its warning), over twice it (its error)
def test_a_decompression_bomb_is_refused_before_decoding(tmp_path, side):
    png_header_only(tmp_path / "bomb.png", side, side)
    code, out = validate(write_profile(tmp_path, "bomb.png"))
    assert code == 1 and "a decompression bomb is refused" in out, out


def test_a_small_photo_is_a_warning_with_its_resolution(tmp_path):
    portrait(tmp_path / "small.jpg", (300, 400))
    code, out = validate(write_profile(tmp_path, "small.jpg"))
    assert code == 0, out
    assert "warning: the photo has 300 × 400 pixels: printed 3 × 4 cm that is about 254 dpi; 354 × 472" in out


def test_cmyk_and_16_bit_photos_are_converted_with_a_note(tmp_path):
    portrait(tmp_path / "cmyk.jpg", mode="CMYK")
    code, out = validate(write_profile(tmp_path, "cmyk.jpg"))
    assert code == 0 and "warning: the photo is CMYK, converted to RGB for the PDF" in out, out
    grey = Image.linear_gradient("L").resize((400, 500)).convert("I;16")
    grey = grey.point(lambda v: v * 256)
    grey.save(tmp_path / "deep.png")
    code, out = validate(write_profile(tmp_path, "deep.png"))
    assert code == 0 and "warning: the photo is 16 bits per channel, converted to 8 for the PDF" in out, out
    for name in ("cmyk.jpg", "deep.png"):
        made = Image.open(io.BytesIO(photos.convert((tmp_path / name).read_bytes())))
        assert (made.mode, made.size) == ("RGB", PIXELS)
    deep = Image.open(io.BytesIO(photos.convert((tmp_path / "deep.png").read_bytes())))
    low, high = deep.convert("L").getextrema()
    assert low < 20 and high > 200  # the 16-bit range scaled to 8 bits, not clipped to white


def test_a_photo_locale_that_is_not_the_profiles_is_an_error(tmp_path):
    portrait(tmp_path / "me.jpg")
    code, out = validate(write_profile(tmp_path, "{path: me.jpg, locales: [kr]}"))
    assert code == 1 and "5:35: error: 'kr' is not one of the profile's locales" in out, out


def test_a_birth_date_in_the_future_is_an_error(tmp_path):
    portrait(tmp_path / "me.jpg")
    path = write_profile(tmp_path, "me.jpg")
    later = time.localtime(time.time() + 86400 * 40)
    path.write_text(path.read_text().replace("  photo:", f"  birth_date: {later.tm_year}-{later.tm_mon:02d}-"
                                                         f"{later.tm_mday:02d}\n  photo:"))
    code, out = validate(path)
    assert code == 1 and "is not a date of birth" in out and "field: header.birth_date" in out, out


# ----------------------------------------------------------------------------- preparing

def test_prepared_photo_is_upright_cropped_and_has_no_metadata(tmp_path):
    # stored sideways (as phones do) with EXIF orientation 6: shown turned 90° clockwise
    stored = Image.new("RGB", (1600, 1200), (210, 220, 232))
    ImageDraw.Draw(stored).rectangle((0, 1050, 200, 1200), fill=(220, 20, 20))  # bottom left as stored
    exif = gps_exif()
    exif[0x0112] = 6
    stored.save(tmp_path / "side.jpg", exif=exif, comment=b"GPS 37.5N home")  # a JPEG comment (COM) too
    assert Image.open(tmp_path / "side.jpg").getexif().get_ifd(0x8825)  # the source has a GPS position
    made = Image.open(io.BytesIO(photos.convert((tmp_path / "side.jpg").read_bytes())))
    assert made.size == PIXELS
    r, g, b = made.getpixel((8, 8))  # bottom left as stored is top left as shown
    assert r > 180 and g < 80, (r, g, b)
    assert not made.getexif() and "exif" not in made.info and "icc_profile" not in made.info
    assert not {"xmp", "XML:com.adobe.xmp", "comment"} & set(made.info)
    assert b"37.5N" not in photos.convert((tmp_path / "side.jpg").read_bytes())


def test_a_photo_is_prepared_once_per_content(tmp_path):
    source = portrait(tmp_path / "me.jpg")
    first, key = photos.prepare(source)
    stamp = first.stat().st_mtime_ns
    again, same = photos.prepare(source)
    assert (again, same) == (first, key) and again.stat().st_mtime_ns == stamp  # read from the cache
    portrait(source, (1000, 1400))
    changed, other = photos.prepare(source)
    assert other != key and changed != first
    assert sorted(p.name for p in photos.photos_dir().iterdir()) == sorted([first.name, changed.name])


# ----------------------------------------------------------------------------- rendering

@pytest.mark.tex
def test_the_ko_pdf_has_the_photo_and_the_en_pdf_none(tmp_path):
    portrait(tmp_path / "me.jpg", exif=gps_exif())
    path = write_profile(tmp_path, "me.jpg")
    done = run_cvtex("render", str(path), "-o", str(tmp_path / "out"), "--offline")
    assert done.returncode == 0, done.stderr
    ko, en = tmp_path / "out" / "cv-ko.pdf", tmp_path / "out" / "cv-en.pdf"
    assert len(images(en)) == 0
    (embedded,) = images(ko)
    shown = Image.open(io.BytesIO(embedded))
    assert (shown.format, shown.size) == ("JPEG", PIXELS)
    assert not shown.getexif() and b"ExampleCam" not in ko.read_bytes() and b"Exif" not in embedded
    # shown in both when the profile says so; in none with []
    path.write_text(path.read_text().replace("photo: me.jpg", "photo: {path: me.jpg, locales: [en, ko]}"))
    assert run_cvtex("render", str(path), "-o", str(tmp_path / "out"), "--offline").returncode == 0
    assert (len(images(en)), len(images(ko))) == (1, 1)
    path.write_text(path.read_text().replace("locales: [en, ko]}", "locales: []}"))
    assert run_cvtex("render", str(path), "-o", str(tmp_path / "out"), "--offline").returncode == 0
    assert (len(images(en)), len(images(ko))) == (0, 0)


@pytest.mark.tex
def test_a_phone_photo_keeps_the_pdf_small(tmp_path):
    # 12 megapixels of noise: a JPEG of several MB that no encoder can shrink
    noise = Image.effect_noise((4000, 3000), 80).convert("RGB")
    noise.save(tmp_path / "phone.jpg", quality=95)
    assert (tmp_path / "phone.jpg").stat().st_size > 4_000_000
    path = write_profile(tmp_path, "phone.jpg")
    done = run_cvtex("render", str(path), "-o", str(tmp_path / "out"), "--offline", "--lang", "ko")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "cv-ko.pdf").stat().st_size < 1_000_000


@pytest.mark.tex
def test_a_new_photo_renders_again_and_is_not_replayed(tmp_path):
    source = portrait(tmp_path / "me.jpg")
    path = write_profile(tmp_path, "me.jpg")
    out = tmp_path / "out"
    assert run_cvtex("render", str(path), "-o", str(out), "--offline", "--lang", "ko").returncode == 0
    before = images(out / "cv-ko.pdf")
    assert run_cvtex("render", str(path), "-o", str(out), "--offline", "--lang", "ko").returncode == 0
    assert images(out / "cv-ko.pdf") == before  # unchanged: replayed
    time.sleep(0.01)
    portrait(source, (900, 1200))  # another photo under the same name; the profile is unchanged
    assert run_cvtex("render", str(path), "-o", str(out), "--offline", "--lang", "ko").returncode == 0
    after = images(out / "cv-ko.pdf")
    assert len(after) == 1 and after != before


@pytest.mark.tex
def test_keep_tex_writes_the_photo_beside_the_source(tmp_path):
    portrait(tmp_path / "me.jpg")
    path = write_profile(tmp_path, "me.jpg")
    out = tmp_path / "out"
    assert run_cvtex("render", str(path), "-o", str(out), "--offline", "--keep-tex").returncode == 0
    (name,) = [p.name for p in out.glob("photo-*.jpg")]
    assert f"\\cvheaderphoto{{{name}}}" in (out / "cv-ko.tex").read_text()
    assert "\\cvheaderphoto{" not in (out / "cv-en.tex").read_text().split("\\begin{document}")[1]


@pytest.mark.tex
def test_watch_renders_again_when_the_photo_changes(tmp_path, monkeypatch):
    import subprocess

    from tests.conftest import CVTEX, use_cache_dir
    from tests.test_authoring import _wait_for

    use_cache_dir(tmp_path / "cache", monkeypatch)
    (tmp_path / "photos").mkdir()  # the photo in a directory of its own, not the profile's
    source = portrait(tmp_path / "photos" / "me.jpg")
    path = write_profile(tmp_path, "photos/me.jpg")
    out = tmp_path / "out"
    log_err = tmp_path / "stderr.txt"
    with open(tmp_path / "stdout.txt", "w") as so, open(log_err, "w") as se:
        proc = subprocess.Popen([CVTEX, "render", str(path), "-o", str(out), "--offline", "--watch", "--lang", "ko"],
                                stdin=subprocess.DEVNULL, stdout=so, stderr=se, start_new_session=True,
                                env=PLAIN_ENV | {"CVTEX_CACHE_DIR": os.environ["CVTEX_CACHE_DIR"]})
    try:
        _wait_for(lambda: "watching" in log_err.read_text(), "the first render", proc)
        before = images(out / "cv-ko.pdf")
        portrait(tmp_path / "photos" / "new.jpg", (900, 1200))
        os.replace(tmp_path / "photos" / "new.jpg", source)  # saved as editors do: renamed over the old file
        _wait_for(lambda: "done; watching" in log_err.read_text(), "the render after the photo changed", proc)
        assert "changed: me.jpg" in log_err.read_text()
        after = images(out / "cv-ko.pdf")
        assert len(after) == 1 and after != before
    finally:
        proc.terminate()
        proc.wait(timeout=30)
