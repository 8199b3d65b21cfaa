"""Issue 6: `cvtex render --bilingual` (<stem>-bilingual.pdf: the Korean CV, then the English
one) and `--png` (first-page previews). Real XeLaTeX; the merged PDF is read back with pypdf
and poppler and checked against the single-language PDFs rendered in the same run."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from cvtex.build import bilingual
from cvtex import links
from cvtex.diagnostics import ProfileError
from cvtex.build.pipeline import render_profile
from cvtex.theme import copy_theme, themes_root

from .conftest import DATA, EXAMPLE, PLAIN_ENV, ROOT, pdf_text, run_cvtex, squash
from .test_cache import compiles



def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cvtex(*args, cwd=cwd, env=PLAIN_ENV)


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    """Every data profile rendered with --bilingual --png: {stem: Result}."""
    out = tmp_path_factory.mktemp("bilingual")
    return {path.stem: render_profile(path, output_dir=out, bilingual=True, png=True) for path in DATA}


STEMS = [p.stem for p in DATA]


def parts(result) -> dict[str, Path]:
    return {o.locale: o.pdf for o in result.outputs if not o.document}  # the CVs, not the letters


def outline_tree(reader: PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """The outline as [(title, page index, [(child title, page index), …]), …]."""
    tree: list = []
    for item in reader.outline:
        if isinstance(item, list):
            tree[-1][2].extend((child.title, reader.get_destination_page_number(child)) for child in item)
        else:
            tree.append((item.title, reader.get_destination_page_number(item), []))
    return tree


def raw_destination_names(reader: PdfReader) -> list[str]:
    """The names of the catalog's /Names /Dests tree as stored (duplicates would show)."""
    names: list[str] = []

    def walk(node):
        node = node.get_object()
        if "/Names" in node:
            names.extend(str(n) for n in node["/Names"][::2])
        for kid in node.get("/Kids", []):
            walk(kid)

    walk(reader.root_object["/Names"]["/Dests"])
    return names


@pytest.mark.parametrize("stem", STEMS)
def test_pages_outline_and_page_labels(merged, stem):
    result = merged[stem]
    both = result.bilingual
    assert both is not None and both.pdf.name == f"{stem}-bilingual.pdf"
    pdfs = parts(result)
    counts = {code: len(PdfReader(pdfs[code]).pages) for code in ("ko", "en")}
    reader = PdfReader(both.pdf)
    assert len(reader.pages) == counts["ko"] + counts["en"] and both.pages == counts
    assert list(both.pages) == ["ko", "en"]  # Korean first
    assert reader.page_labels == ([f"ko-{i}" for i in range(1, counts["ko"] + 1)]
                                  + [f"en-{i}" for i in range(1, counts["en"] + 1)])
    tree = outline_tree(reader)
    assert [(title, page) for title, page, _ in tree] == [("한국어", 0), ("English", counts["ko"])]
    for (_, _, children), code, offset in zip(tree, ("ko", "en"), (0, counts["ko"])):
        single = PdfReader(pdfs[code])
        assert children == [(item.title, single.get_destination_page_number(item) + offset)
                            for item in single.outline]
        assert children  # a CV has sections
    assert both.bookmarks == 2 + sum(len(c) for _, _, c in tree)
    assert reader.root_object["/PageMode"] == "/UseOutlines"
    opens = reader.root_object["/OpenAction"]  # the first page, whole, as each part opens
    assert opens[0].idnum == reader.pages[0].indirect_reference.idnum and opens[1:] == ["/Fit"]


@pytest.mark.parametrize("stem", STEMS)
def test_text_of_both_languages_in_order(merged, stem):
    pdfs = parts(merged[stem])
    text = squash(pdf_text(merged[stem].bilingual.pdf))
    assert text == squash(pdf_text(pdfs["ko"]) + pdf_text(pdfs["en"]))


@pytest.mark.parametrize("stem", STEMS)
def test_named_destinations_are_unique_prefixed_and_resolve(merged, stem):
    pdfs = parts(merged[stem])
    reader = PdfReader(merged[stem].bilingual.pdf)
    names = raw_destination_names(reader)
    assert len(names) == len(set(names)) and names == sorted(names)
    offsets = {"ko": 0, "en": len(PdfReader(pdfs["ko"]).pages)}
    expected = {}
    for code, path in pdfs.items():
        single = PdfReader(path)
        for name, dest in single.named_destinations.items():
            expected[f"{code}.{name}"] = (single.get_destination_page_number(dest) + offsets[code], dest.get("/Top"))
    found = {name: (reader.get_destination_page_number(dest), dest.get("/Top"))
             for name, dest in reader.named_destinations.items()}
    assert found == expected
    assert any(name.startswith("ko.section.") for name in found) and any(n.startswith("en.section.") for n in found)
    assert merged[stem].bilingual and links.pdf_contents(merged[stem].bilingual.pdf).bad_destinations == []


@pytest.mark.parametrize("stem", STEMS)
def test_link_annotations_are_the_union_of_both_locales(merged, stem):
    result = merged[stem]
    pdfs = parts(result)
    in_merged = links.pdf_links(result.bilingual.pdf)
    expected = {link.url for code in ("ko", "en") for link in links.expected_links(result.model, code)}
    assert expected and {link.url for link in in_merged} == expected
    # every annotation of each part, on its page of the merged document
    offset = len(PdfReader(pdfs["ko"]).pages)
    moved = ([(l.url, l.page, l.rect) for l in links.pdf_links(pdfs["ko"])]
             + [(l.url, l.page + offset, l.rect) for l in links.pdf_links(pdfs["en"])])
    assert [(l.url, l.page, l.rect) for l in in_merged] == moved


@pytest.mark.parametrize("stem", STEMS)
def test_metadata_and_language(merged, stem):
    pdfs = parts(merged[stem])
    meta = {code: PdfReader(path).metadata for code, path in pdfs.items()}
    reader = PdfReader(merged[stem].bilingual.pdf)
    assert reader.metadata.title == f"{meta['ko'].title} / {meta['en'].title}"
    assert reader.metadata.author == f"{meta['ko'].author} / {meta['en'].author}"
    assert reader.metadata.get("/Creator", "").startswith("cvtex ")
    assert reader.root_object["/Lang"] == "ko-KR"
    assert bilingual.part_locales(reader) == ["ko", "en"]
    assert bilingual.part_locales(PdfReader(pdfs["ko"])) == []


@pytest.mark.parametrize("stem", STEMS)
def test_png_previews_have_the_size_of_the_first_page_at_100_dpi(merged, stem):
    result = merged[stem]
    for pdf, png in [*((o.pdf, o.png) for o in result.outputs), (result.bilingual.pdf, result.bilingual.png)]:
        assert png == pdf.with_suffix(".png") and png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        box = PdfReader(pdf).pages[0].mediabox
        with Image.open(png) as image:
            image.verify()
        with Image.open(png) as image:
            assert image.format == "PNG" and image.mode == "RGB"
            assert image.size == (math.ceil(float(box.width) * 100 / 72), math.ceil(float(box.height) * 100 / 72))
            # not blank: the page's ink shows (a CV's first page is mostly white, but not all)
            assert image.convert("L").getextrema()[0] < 100
    with Image.open(result.bilingual.png) as both, Image.open(parts_png(result, "ko")) as ko:
        assert both.tobytes() == ko.tobytes()  # the bilingual PDF starts with the Korean CV


def parts_png(result, code: str) -> Path:
    return next(o.png for o in result.outputs if o.locale == code)


def test_the_bilingual_pdf_passes_the_link_check_on_the_command_line(merged):
    result = merged["example"]
    with_profile = run("check-links", str(result.bilingual.pdf), "--profile", str(EXAMPLE), "--offline")
    assert with_profile.returncode == 0, with_profile.stdout + with_profile.stderr
    assert "1 PDF(s)" in with_profile.stdout and "missing" not in with_profile.stdout
    alone = run("check-links", str(result.bilingual.pdf), "--offline")
    assert alone.returncode == 0, alone.stdout + alone.stderr
    # a wrong profile is still caught: the structure check compares with the union of its URLs
    other = run("check-links", str(result.bilingual.pdf), "--profile", str(ROOT / "data" / "ai-research.yaml"),
                "--offline")
    assert other.returncode == 4 and "extra" in other.stdout


def test_render_bilingual_png_from_the_cli_checks_the_links_of_the_merged_pdf(tmp_path):
    profile = tmp_path / "cv.yaml"
    shutil.copy(EXAMPLE, profile)
    result = run("render", "cv.yaml", "-o", "out", "--offline", "--bilingual", "--png", "--report", "links.json",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "cv-bilingual.pdf", "cv-bilingual.png", "cv-en.pdf", "cv-en.png", "cv-ko.pdf", "cv-ko.png"]
    ko_pages = len(PdfReader(tmp_path / "out" / "cv-ko.pdf").pages)
    en_pages = len(PdfReader(tmp_path / "out" / "cv-en.pdf").pages)
    assert f"wrote out/cv-bilingual.pdf (ko {ko_pages} + en {en_pages} pages, 14 bookmarks)" in result.stdout
    assert "wrote out/cv-bilingual.png" in result.stdout and "links: 4 in 3 PDFs, all match" in result.stdout
    import json

    report = json.loads((tmp_path / "links.json").read_text(encoding="utf-8"))
    assert "out/cv-bilingual.pdf" in report["pdfs"]


def test_cached_renders_still_write_the_bilingual_pdf_and_the_pngs(tmp_path, engine_log):
    profile = tmp_path / "cv.yaml"
    shutil.copy(EXAMPLE, profile)
    first = render_profile(profile, output_dir=tmp_path / "out", bilingual=True, png=True)
    assert len(compiles(engine_log)) == 2
    merged_bytes = first.bilingual.pdf.read_bytes()
    for path in (tmp_path / "out").iterdir():
        path.unlink()
    second = render_profile(profile, output_dir=tmp_path / "out", bilingual=True, png=True)
    assert [o.cached for o in second.outputs] == [True, True] and len(compiles(engine_log)) == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "cv-bilingual.pdf", "cv-bilingual.png", "cv-en.pdf", "cv-en.png", "cv-ko.pdf", "cv-ko.png"]
    assert len(PdfReader(second.bilingual.pdf).pages) == len(PdfReader(io_bytes(merged_bytes)).pages)
    assert PdfReader(second.bilingual.pdf).page_labels == PdfReader(io_bytes(merged_bytes)).page_labels


def io_bytes(data: bytes):
    import io

    return io.BytesIO(data)


def test_internal_links_are_renamed_with_their_part_and_land_in_it(tmp_path):
    """A theme with an internal link (\\hyperlink to a section's destination): in the merged
    PDF each part's link goes to its own part's section."""
    theme = tmp_path / "linked"
    copy_theme(themes_root() / "classic", theme, with_base=True)  # its own cv.tex.j2, from the shared base
    tex = theme / "cv.tex.j2"
    text = tex.read_text(encoding="utf-8")
    assert "\\begin{document}\n" in text
    tex.write_text(text.replace("\\begin{document}\n", "\\begin{document}\n\\hyperlink{section.skills}{Skills}\\par\n", 1),
                   encoding="utf-8")
    result = render_profile(EXAMPLE, output_dir=tmp_path / "out", theme=str(theme), bilingual=True)
    pdfs = parts(result)
    assert [link.target for link in links.pdf_contents(pdfs["ko"]).internal] == ["section.skills"]
    contents = links.pdf_contents(result.bilingual.pdf)
    ko_pages = len(PdfReader(pdfs["ko"]).pages)
    targets = [(link.target, link.page, link.dest_page) for link in contents.internal]
    single = {code: links.pdf_contents(path).internal[0].dest_page for code, path in pdfs.items()}
    assert targets == [("ko.section.skills", 1, single["ko"]),
                       ("en.section.skills", ko_pages + 1, single["en"] + ko_pages)]
    assert contents.bad_destinations == []
    report = links.check_links([links.Target(result.bilingual.pdf)], offline=True)
    assert not report.errors


def test_bilingual_needs_both_locales_and_writes_nothing_otherwise(tmp_path):
    english = tmp_path / "en.yaml"
    english.write_text(EXAMPLE.read_text(encoding="utf-8").replace("locales: [en, ko]", "locales: [en]"),
                       encoding="utf-8")
    result = run("render", "en.yaml", "-o", "out", "--offline", "--bilingual", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "en.yaml:8:10: error: --bilingual: a bilingual PDF is the ko and en CVs in one file, but the profile " \
           "has no ko locale" in result.stderr
    assert not (tmp_path / "out").exists()
    usage = run("render", str(EXAMPLE), "-o", "out", "--offline", "--bilingual", "--lang", "ko", cwd=tmp_path)
    assert usage.returncode == 2 and "--lang leaves out en" in usage.stderr
    with pytest.raises(ProfileError, match="--lang leaves out en"):
        render_profile(EXAMPLE, output_dir=tmp_path / "out", locales=["ko"], bilingual=True)
    assert not (tmp_path / "out").exists()


def test_a_failed_render_keeps_the_old_bilingual_pdf(tmp_path):
    profile = tmp_path / "cv.yaml"
    shutil.copy(EXAMPLE, profile)
    render_profile(profile, output_dir=tmp_path / "out", bilingual=True)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    theme = tmp_path / "broken"
    copy_theme(themes_root() / "classic", theme, with_base=True)
    tex = theme / "cv.tex.j2"
    # breaks the English PDF only: the Korean one compiles, nothing is written
    tex.write_text(tex.read_text(encoding="utf-8").replace(
        "\\begin{document}\n", "\\begin{document}\n((* if locale.code == 'en' *))\\cvbroken((* endif *))\n", 1),
        encoding="utf-8")
    with pytest.raises(ProfileError, match="Undefined control sequence"):
        render_profile(profile, output_dir=tmp_path / "out", theme=str(theme), bilingual=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before

