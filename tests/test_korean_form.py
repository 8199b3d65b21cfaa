"""The korean-form theme: the table-form 이력서 in Korean (the 인적사항 table beside the photo
box, one table per section whose header row is repeated on every page it continues on), a
plain résumé in English. Every check the other built-in themes pass runs on it too
(tests/test_themes.py, tests/test_layout_audit.py, the hostile batteries); these are its own."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import ROOT, pdf_text, run_cvtex, squash

pytestmark = pytest.mark.tex

HIRE = ROOT / "data" / "experienced-hire.yaml"


def page_texts(pdf: Path) -> list[str]:
    """Each page's text in drawing order (pdftotext -raw), squashed."""
    count = len(PdfReader(pdf).pages)
    return [squash(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout) for n in range(1, count + 1)]


def images(pdf: Path) -> int:
    """How many image XObjects the PDF's pages draw."""
    found = 0
    for page in PdfReader(pdf).pages:
        for ref in (page["/Resources"].get("/XObject") or {}).values():
            found += ref.get_object()["/Subtype"] == "/Image"
    return found


def test_a_table_over_a_page_break_repeats_its_header_row(tmp_path):
    header = "취득일자격증명발행처자격번호유효기간"
    profile = {
        "locales": ["ko"],
        "header": {"name": "김도현", "emails": ["dohyun@example.com"]},
        "sections": [{"kind": "certifications", "entries": [
            {"name": f"자격증 {i:02d}", "issuer": "한국산업인력공단", "number": f"CERT-{i:04d}",
             "date": f"{2000 + i % 20}-05-01"} for i in range(70)]}],
    }
    path = tmp_path / "cv.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    done = run_cvtex("render", str(path), "-o", str(tmp_path / "out"), "--offline", "--theme", "korean-form")
    assert done.returncode == 0, done.stderr
    pages = page_texts(tmp_path / "out" / "cv-ko.pdf")
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert text.count(header) == 1, f"page {number} has no header row"
        assert text.index(header) < text.index("자격증"), f"page {number}: the header row is not at the top"
    # every row once, in order, row by row: a row's cells read together
    rows = [f"{i:02d}한국산업인력공단CERT-{i:04d}" for i in range(70)]
    text = "".join(pages)
    assert all(text.count(row) == 1 for row in rows)
    positions = [text.index(f"자격증{i:02d}") for i in range(70)]
    # newest first (theme.yaml: newest_first), equal dates in the profile's order
    order = sorted(range(70), key=lambda i: (-(2000 + i % 20), i))
    assert [positions[i] for i in order] == sorted(positions)


def test_the_korean_form_prints_the_personal_fields_and_the_photo_in_korean_only(tmp_path):
    done = run_cvtex("render", str(HIRE), "-o", str(tmp_path), "--offline", "--theme", "korean-form")
    assert done.returncode == 0, done.stderr
    ko, en = tmp_path / "experienced-hire-ko.pdf", tmp_path / "experienced-hire-en.pdf"
    assert (images(ko), images(en)) == (1, 0)
    korean, english = squash(pdf_text(ko, raw=True)), squash(pdf_text(en, raw=True))
    data = yaml.safe_load(HIRE.read_text(encoding="utf-8"))["header"]
    for label, value in (("성명", "김도현(金度賢)"), ("영문", "DohyunKim"), ("생년월일", "1991.5.17."),
                         ("주소", squash(data["address"]["ko"]))):
        assert label + value in korean, label
    assert korean.startswith("이력서")
    for private in ("1991", "May17", squash(data["address"]["en"]), "金度賢"):
        assert private not in english, private  # an English résumé: no birth date, address or Hanja name
    # the metadata (the info dictionary, uncompressed in the file) carries none of them
    info = str(PdfReader(ko).metadata)
    assert "김도현" in info and not any(value in info for value in ("1991", "金度賢", "판교", "성남"))
    assert not any(value.encode() in ko.read_bytes() for value in ("1991-05-17", "1991. 5. 17.", "金度賢"))
