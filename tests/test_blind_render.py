"""``cvtex render --blind public|private`` (docs/blind.md), real renders: the blind copy of
data/experienced-hire.yaml written to ``-blind`` files, without the photo (image XObjects
counted with pypdf) and without the text of every field the mode leaves out, while what it
keeps is printed; a leak in free text refused at its line; a bad mode; the render record kept
apart from a normal render's; the link check of blind PDFs; and the education row of every
theme without its institution.

The data profile is copied with the personal fields a Korean form asks for (a generated photo,
birth date, address, Hanja name, hometown), a school URL and a cover letter, so that every
field the rules name is in it, and rendered in the korean-form theme (which prints them)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from .conftest import PLAIN_ENV, ROOT, pdf_text, run_cvtex, squash, use_cache_dir
from .test_photo import portrait

HIRE = ROOT / "data" / "experienced-hire.yaml"
INFRA = ROOT / "data" / "infra-backend.yaml"

#: What the copy adds to the header (replacing what the data profile may have already).
PERSONAL = {
    "photo": "portrait.jpg",
    "birth_date": "1990-05-17",
    "address": {"en": "235 Pangyoyeok-ro, Bundang-gu, Seongnam, Gyeonggi-do", "ko": "경기도 성남시 분당구 판교역로 235"},
    "name_hanja": "金度賢",
    "hometown": {"en": "Gwangju", "ko": "광주"},
}
SCHOOL_URL = "https://hanul.example.ac.kr"
LETTER = {"id": "agency", "kind": "cover-letter", "locales": ["en"],
          "recipient": {"organization": "Example Public Agency"}, "date": "2026-11-02",
          "salutation": "Dear hiring committee,",
          "paragraphs": ["I am applying for the backend engineer position on your payments platform team."],
          "closing": "Sincerely,"}

#: Text the public copy must not print: the school (every locale, its short form, its place),
#: the address after its city, the hometown. The birth date as printed is added per locale.
SCHOOL = ["Hanul University", "한울대학교", "한울대", "Daejeon", "대전"]
ADDRESS_REST = ["Bundang-gu", "Pangyoyeok-ro", "분당구", "판교역로"]
HOMETOWN = ["Gwangju", "광주"]
#: Text both copies must print: the degree and the major in each locale, and the Hanja name.
KEPT = ["B.S.", "Computer Science and Engineering", "학사", "컴퓨터공학과"]

BLIND_FILES = ["hire-en-blind.pdf", "hire-ko-blind.pdf", "hire-letter-agency-en-blind.pdf",
               "hire-bilingual-blind.pdf", "hire-application-agency-en-blind.pdf",
               "hire-career-en-blind.pdf", "hire-career-ko-blind.pdf"]
#: The 경력기술서 of each locale (the data profile's roles have projects).
CAREER = ["hire-career-en{}.pdf", "hire-career-ko{}.pdf"]


def hire_copy(directory: Path) -> Path:
    """data/experienced-hire.yaml with :data:`PERSONAL`, the school's URL and :data:`LETTER`,
    written as ``hire.yaml`` beside a generated portrait."""
    directory.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(HIRE.read_text(encoding="utf-8"))
    data["header"].update(PERSONAL)
    education = next(s for s in data["sections"] if s["kind"] == "education")
    education["entries"][0]["url"] = SCHOOL_URL
    assert education["entries"][0]["institution"] == {"en": "Hanul University", "ko": "한울대학교"}
    data["letters"] = [LETTER]
    portrait(directory / "portrait.jpg")
    path = directory / "hire.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def render(profile: Path, out: Path, *args: str):
    done = run_cvtex("render", profile.name, "-o", str(out), "--offline", "-t", "korean-form", *args,
                     cwd=profile.parent, env=PLAIN_ENV | {"CVTEX_CACHE_DIR": os.environ["CVTEX_CACHE_DIR"]})
    return done.returncode, done.stdout + done.stderr


def images(pdf: Path) -> int:
    """The image XObjects drawn on the PDF's pages."""
    count = 0
    for page in PdfReader(pdf).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        count += sum(1 for ref in xobjects.values() if ref.get_object()["/Subtype"] == "/Image")
    return count


def printed_birth_dates(profile: Path) -> list[str]:
    """The birth date as the ko and en views of ``profile`` print it (``1990. 5. 17.``)."""
    from cvtex.localize import localize
    from cvtex.schema import load, validate

    model, _ = validate(load(profile))
    return [localize(model, code).header.birth_date for code in ("ko", "en")]


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """The profile copy rendered normally, ``--blind public`` (with ``--bilingual --bundle``)
    and ``--blind private``, each to its own directory: ``{"profile", "normal", "public",
    "private"}``."""
    base = tmp_path_factory.mktemp("blind-render")
    with pytest.MonkeyPatch.context() as mp:
        use_cache_dir(base / "cache", mp)
        profile = hire_copy(base / "profile")
        dirs = {"profile": profile}
        for name, args in (("normal", ()), ("public", ("--blind", "public", "--bilingual", "--bundle")),
                           ("private", ("--blind", "private"))):
            code, output = render(profile, base / name, *args)
            assert code == 0, output
            dirs[name] = base / name
        yield dirs


def text(pdf: Path) -> str:
    return squash(pdf_text(pdf))


# ----------------------------------------------------------------------------- names and photo

def test_blind_pdfs_have_the_blind_names(renders):
    assert sorted(p.name for p in renders["public"].glob("*.pdf")) == sorted(BLIND_FILES)
    assert sorted(p.name for p in renders["private"].glob("*.pdf")) == sorted(
        ["hire-en-blind.pdf", "hire-ko-blind.pdf", "hire-letter-agency-en-blind.pdf",
         *(name.format("-blind") for name in CAREER)])
    assert sorted(p.name for p in renders["normal"].glob("*.pdf")) == sorted(
        ["hire-en.pdf", "hire-ko.pdf", "hire-letter-agency-en.pdf", *(name.format("") for name in CAREER)])


def test_the_photo_is_in_the_normal_ko_pdf_only(renders):
    assert images(renders["normal"] / "hire-ko.pdf") == 1
    assert images(renders["normal"] / "hire-en.pdf") == 0
    for name in BLIND_FILES:
        assert images(renders["public"] / name) == 0, name
    for name in ("hire-ko-blind.pdf", "hire-en-blind.pdf"):
        assert images(renders["private"] / name) == 0, name


def test_the_blind_pdfs_say_their_mode(renders):
    assert PdfReader(renders["public"] / "hire-ko-blind.pdf").metadata["/Creator"].endswith("(blind copy: public)")
    assert PdfReader(renders["private"] / "hire-en-blind.pdf").metadata["/Creator"].endswith("(blind copy: private)")
    assert "blind" not in PdfReader(renders["normal"] / "hire-ko.pdf").metadata["/Creator"]


# ----------------------------------------------------------------------------- what is printed

def test_public_pdfs_print_no_forbidden_field(renders):
    """Every forbidden field's text is printed by the normal render (so the check can see it)
    and by no public PDF; the degree, the major and the city of the address are."""
    births = printed_birth_dates(renders["profile"])
    forbidden = SCHOOL + ADDRESS_REST + births
    normal = "".join(text(p) for p in renders["normal"].glob("*.pdf"))
    # korean-form prints the birth date and the address in its ko 이력서 only (the English
    # résumé has neither), the hometown nowhere
    for needle in [n for n in forbidden if n not in ("Bundang-gu", "Pangyoyeok-ro", births[1])]:
        assert squash(needle) in normal, needle
    for name in BLIND_FILES:
        found = text(renders["public"] / name)
        for needle in forbidden + HOMETOWN:
            assert squash(needle) not in found, (name, needle)
    cvs = text(renders["public"] / "hire-ko-blind.pdf") + text(renders["public"] / "hire-en-blind.pdf")
    for needle in KEPT:
        assert squash(needle) in cvs, needle
    assert squash("경기도") in text(renders["public"] / "hire-ko-blind.pdf")  # the address's city
    assert "金度賢" in text(renders["public"] / "hire-ko-blind.pdf")


def test_private_pdfs_keep_what_private_mode_keeps(renders):
    """The private copy prints the school, the birth date, the whole address and the Hanja
    name (§4조의3 does not list them), not the photo or the hometown."""
    ko = text(renders["private"] / "hire-ko-blind.pdf")
    en = text(renders["private"] / "hire-en-blind.pdf")
    for needle in ["한울대학교", "대전", printed_birth_dates(renders["profile"])[0], "분당구", "판교역로", "金度賢", *KEPT[2:]]:
        assert squash(needle) in ko, needle
    for needle in ["Hanul University", *KEPT[:2]]:
        assert squash(needle) in en, needle
    for needle in HOMETOWN:
        assert squash(needle) not in ko + en, needle


# ----------------------------------------------------------------------------- the link check

def test_check_links_recognises_blind_pdfs(renders):
    """``check-links --profile`` compares each blind PDF (CV, letter, bundle, bilingual) with
    its mode's copy: the public copy has no school URL, and no link is reported missing."""
    pdfs = sorted(renders["public"].glob("*.pdf")) + sorted(renders["private"].glob("*.pdf"))
    done = run_cvtex("check-links", "--offline", "--profile", str(renders["profile"]), *map(str, pdfs),
                     env=PLAIN_ENV | {"CVTEX_CACHE_DIR": str(renders["public"].parent / "cache")})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hanul.example.ac.kr" not in pdf_text(renders["public"] / "hire-en-blind.pdf")
    links = [a.get_object()["/A"].get("/URI") for page in PdfReader(renders["private"] / "hire-en-blind.pdf").pages
             for a in page.get("/Annots") or [] if "/A" in a.get_object()]
    assert SCHOOL_URL in links  # the private copy keeps it: the check compared it too


# ----------------------------------------------------------------------------- refusals

def test_a_bad_mode_is_a_usage_error(tmp_path):
    profile = hire_copy(tmp_path / "p")
    code, output = render(profile, tmp_path / "out", "--blind", "publik")
    assert code == 2, output
    assert "'publik' is not a blind mode" in output and "did you mean 'public'" in output, output
    assert "public, private" in output
    assert not (tmp_path / "out").exists()


def test_a_leak_is_refused_at_its_line_and_nothing_is_written(tmp_path, monkeypatch):
    """infra-backend.yaml names its school as the organization of a job and of two projects:
    ``--blind public`` reports each at its line and column with the field, exit 1, and the
    PDFs already in the output directory are untouched."""
    use_cache_dir(tmp_path / "cache", monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    earlier = {name: f"earlier {name}".encode() for name in ("infra-backend-en-blind.pdf", "infra-backend-ko-blind.pdf",
                                                              "infra-backend-en.pdf")}
    for name, data in earlier.items():
        (out / name).write_bytes(data)
    profile = tmp_path / "infra-backend.yaml"
    shutil.copy(INFRA, profile)
    code, output = render(profile, out, "--blind", "public")
    assert code == 1, output
    lines = INFRA.read_text(encoding="utf-8").splitlines()
    hits = [(n, line.index("Yonsei University") + 1, line.index("연세대학교") + 1)
            for n, line in enumerate(lines, 1) if "organization: {en: Yonsei University" in line]
    assert len(hits) == 3
    for line, col_en, col_ko in hits:
        assert f"infra-backend.yaml:{line}:{col_en}: error: 'Yonsei University' names a school" in output, output
        assert f"infra-backend.yaml:{line}:{col_ko}: error: '연세대학교' names a school" in output, output
    assert "field: sections[0].entries[3].organization.en" in output
    assert "Traceback" not in output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier
    code, output = render(profile, out, "--blind", "private", "--lang", "en")  # the school is allowed there
    assert code == 0, output
    assert (out / "infra-backend-en-blind.pdf").read_bytes() != earlier["infra-backend-en-blind.pdf"]


# ----------------------------------------------------------------------------- the render record

def test_blind_and_normal_renders_have_records_of_their_own(tmp_path, monkeypatch):
    """A blind render's record is never replayed for a normal render, nor the reverse, nor
    for the other mode; each replays as itself (its names, its photo or none)."""
    from cvtex.build import cache
    from cvtex.build.record import replay

    use_cache_dir(tmp_path / "cache", monkeypatch)
    profile = hire_copy(tmp_path / "p")
    monkeypatch.chdir(profile.parent)  # the record is keyed by the working directory, as the render ran

    def replayed(mode, out):
        return replay(profile, cache.record_options(None, "korean-form", mode), tmp_path / out)

    code, output = render(profile, tmp_path / "public", "--blind", "public")
    assert code == 0, output
    assert replayed(None, "r1") is None
    assert replayed("private", "r2") is None
    hit = replayed("public", "r3")
    assert hit is not None and hit.replayed
    assert sorted(o.pdf.name for o in hit.outputs) == sorted(
        ["hire-en-blind.pdf", "hire-ko-blind.pdf", "hire-letter-agency-en-blind.pdf",
         *(name.format("-blind") for name in CAREER)])
    assert images(tmp_path / "r3" / "hire-ko-blind.pdf") == 0
    code, output = render(profile, tmp_path / "normal")
    assert code == 0, output
    hit = replayed(None, "r4")
    assert hit is not None and sorted(p.name for p in (tmp_path / "r4").iterdir()) == sorted(
        ["hire-en.pdf", "hire-ko.pdf", "hire-letter-agency-en.pdf", *(name.format("") for name in CAREER)])
    assert images(tmp_path / "r4" / "hire-ko.pdf") == 1
    hit = replayed("public", "r5")
    assert hit is not None and images(tmp_path / "r5" / "hire-ko-blind.pdf") == 0
    assert not list((tmp_path / "r5").glob("hire-ko.pdf"))


# ----------------------------------------------------------------------------- the themes' education row

@pytest.mark.parametrize("theme", ["classic", "modern", "academic", "korean-form"])
def test_an_education_entry_without_its_school_reads_well(tmp_path, monkeypatch, theme):
    """Public copy, English: the degree and the major are on the row of the dates (no row with
    the dates alone, no empty first line), with no comma after them."""
    use_cache_dir(tmp_path / "cache", monkeypatch)
    profile = hire_copy(tmp_path / "p")
    done = run_cvtex("render", profile.name, "-o", str(tmp_path / "out"), "--offline", "-t", theme, "--lang", "en",
                     "--blind", "public", cwd=profile.parent, env=PLAIN_ENV | {"CVTEX_CACHE_DIR": os.environ["CVTEX_CACHE_DIR"]})
    assert done.returncode == 0, done.stdout + done.stderr
    layout = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(tmp_path / "out" / "hire-en-blind.pdf"), "-"],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    rows = [line for line in layout if "B.S., Computer Science and Engineering" in line]
    assert len(rows) == 1, layout
    assert "Mar 2010 – Feb 2016" in rows[0], rows
    assert "Engineering, Graduated" in rows[0], rows  # the status (학력 구분) after degree and major
    assert not re.search(r",\s*($|Mar 2010|·)", rows[0]), rows  # and no comma left hanging
    assert not any(line.strip() == "Mar 2010 – Feb 2016" for line in layout), layout


# ----------------------------------------------------------------------------- the data profile as it is

def test_the_data_profile_renders_blind_without_its_forbidden_fields(tmp_path, monkeypatch):
    """data/experienced-hire.yaml itself, in the korean-form theme (which prints the personal
    fields): the normal ko PDF has its photo, its birth date, its address and its school; the
    public PDFs have none of them (the city of the address stays, so do degree and major);
    the private PDFs have no photo and keep the rest."""
    from cvtex.localize import localize
    from cvtex.schema import address_city, load, validate

    use_cache_dir(tmp_path / "cache", monkeypatch)
    model, _ = validate(load(HIRE))
    assert model.header.photo is not None and model.header.birth_date is not None and model.header.address
    views = {code: localize(model, code) for code in ("ko", "en")}
    education = [e for s in model.sections if s.kind == "education" for e in s.entries]
    schools = [t for e in education for t in e.institution.all()]
    address = model.header.address.get("ko")
    # written the Korean way: the words after the city (a house number alone, "000", is
    # also in "3,000 requests": not searched)
    rest = [word for word in address.split()[1:] if not word.isdigit()]
    assert address_city(address) == address.split()[0] and rest
    kept = [t for e in education for t in (*e.degree.all(), *e.area.all())]
    pdfs = {}
    for mode, args in (("normal", ()), ("public", ("--blind", "public")), ("private", ("--blind", "private"))):
        done = run_cvtex("render", str(HIRE), "-o", str(tmp_path / mode), "--offline", "-t", "korean-form", *args,
                         env=PLAIN_ENV | {"CVTEX_CACHE_DIR": os.environ["CVTEX_CACHE_DIR"]})
        assert done.returncode == 0, done.stdout + done.stderr
        suffix = "" if mode == "normal" else "-blind"
        pdfs[mode] = {code: tmp_path / mode / f"experienced-hire-{code}{suffix}.pdf" for code in ("ko", "en")}
    assert images(pdfs["normal"]["ko"]) == 1
    assert [images(p) for mode in ("public", "private") for p in pdfs[mode].values()] == [0, 0, 0, 0]
    normal = text(pdfs["normal"]["ko"]) + text(pdfs["normal"]["en"])
    public = text(pdfs["public"]["ko"]) + text(pdfs["public"]["en"])
    private = text(pdfs["private"]["ko"]) + text(pdfs["private"]["en"])
    forbidden = [*schools, views["ko"].header.birth_date, *rest]
    for needle in forbidden:
        assert squash(needle) in normal and squash(needle) in private, needle
        assert squash(needle) not in public, needle
    for needle in [*kept, address.split()[0]]:
        assert squash(needle) in public, needle
