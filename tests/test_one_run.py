"""The ``one-run`` speed path (cvtex.build.onerun): a locale's CV and letters compiled in one
engine run and split into their PDFs — the same documents as compiled alone, and the plain
way wherever the path cannot take them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from cvtex.build import onerun
from cvtex.build.pipeline import render_profile
from cvtex.diagnostics import ProfileError
from cvtex.links import pdf_links
from cvtex.tex import Overfull, speed

from .conftest import ROOT, pdf_text
from .test_cache import compiles

APPLICATION = ROOT / "data" / "application.yaml"
NAMES = ["en", "ko", "letter-example-bank-en-en", "letter-example-bank-ko-ko"]


@pytest.fixture(autouse=True)
def _paths_on():
    """Each test starts with every speed path allowed and leaves none marked failed."""
    speed.reset()
    yield
    speed.reset()


def profile_copy(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = APPLICATION.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1
        text = text.replace(old, new)
    target = tmp_path / "application.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def pages_png(pdf: Path, directory: Path) -> list[Path]:
    directory.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(directory / "p")], check=True)
    return sorted(directory.glob("p*.png"))


def outline(reader: PdfReader) -> list[tuple[str, int]]:
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def test_a_cold_render_with_letters_runs_the_engine_once_per_locale(tmp_path, engine_log):
    result = render_profile(profile_copy(tmp_path), output_dir=tmp_path / "out")
    assert sorted(o.name for o in result.outputs) == NAMES
    assert len(compiles(engine_log)) == 2  # en: CV + cover letter; ko: CV + 자기소개서


def test_without_the_path_each_document_has_its_own_run(tmp_path, engine_log, monkeypatch):
    monkeypatch.setenv("CVTEX_PLAIN", "one-run")
    render_profile(profile_copy(tmp_path), output_dir=tmp_path / "out")
    assert len(compiles(engine_log)) == 4


@pytest.mark.parametrize("theme", ["classic", "academic"])  # academic's 자기소개서 runs to two pages
def test_each_part_is_the_document_compiled_alone(tmp_path, monkeypatch, theme):
    """Text (page footers with their page numbers included), pages as pictures, outline,
    named destinations, link annotations and metadata: the same from the shared run as from
    a run of each document alone (CVTEX_PLAIN=one-run)."""
    shared = render_profile(profile_copy(tmp_path), output_dir=tmp_path / "one", theme=theme, cache=False)
    monkeypatch.setenv("CVTEX_PLAIN", "one-run")
    alone = render_profile(profile_copy(tmp_path), output_dir=tmp_path / "alone", theme=theme, cache=False)
    assert [o.name for o in shared.outputs] == [o.name for o in alone.outputs] == NAMES
    pages = 0
    for one, other in zip(shared.outputs, alone.outputs):
        assert pdf_text(one.pdf) == pdf_text(other.pdf), one.name
        a, b = PdfReader(one.pdf), PdfReader(other.pdf)
        assert len(a.pages) == len(b.pages), one.name
        pages += len(a.pages)
        assert outline(a) == outline(b) and one.bookmarks == other.bookmarks, one.name
        assert {k: a.get_destination_page_number(v) for k, v in a.named_destinations.items()} == \
            {k: b.get_destination_page_number(v) for k, v in b.named_destinations.items()}, one.name
        assert [(x.url, x.page, x.rect) for x in pdf_links(one.pdf)] == \
            [(x.url, x.page, x.rect) for x in pdf_links(other.pdf)], one.name
        assert (a.metadata.title, a.root_object["/Lang"]) == (b.metadata.title, b.root_object["/Lang"])
        for x, y in zip(pages_png(one.pdf, tmp_path / "png" / "one" / one.name),
                        pages_png(other.pdf, tmp_path / "png" / "alone" / one.name)):
            with Image.open(x) as i, Image.open(y) as j:
                assert ImageChops.difference(i.convert("RGB"), j.convert("RGB")).getbbox() is None, (one.name, x)
        assert [(o.points, o.lines) for o in one.overfull] == [(o.points, o.lines) for o in other.overfull]
    assert pages > len(NAMES) if theme == "academic" else pages == len(NAMES)


def test_colliding_destinations_are_compiled_apart(tmp_path, engine_log):
    """A CV section whose id is a 자기소개서 question's destination (section.question-1): the ko
    documents are compiled one by one, and each outline still lands on its own page."""
    path = profile_copy(tmp_path, "  - kind: skills\n", "  - kind: skills\n    id: question-1\n")
    result = render_profile(path, output_dir=tmp_path / "out")
    assert len(compiles(engine_log)) == 3  # en shared; ko CV and 자기소개서 apart
    ko = PdfReader(next(o.pdf for o in result.outputs if o.name == "ko"))
    assert any(title in ("기술", "Skills") for title, _ in outline(ko))
    assert "section.question-1" in ko.named_destinations
    speech = PdfReader(next(o.pdf for o in result.outputs if o.name == "letter-example-bank-ko-ko"))
    assert [t for t, _ in outline(speech)][0].startswith("1. ")


def test_a_failing_shared_run_falls_back_and_names_the_document(tmp_path, engine_log):
    """A theme whose letter template calls an undefined macro: the shared en run fails, each
    document is compiled alone, the CV compiles and the error names the letter's PDF; the
    path stays on (the failure is the document's, not the path's)."""
    theme = tmp_path / "mine"
    shutil.copytree(ROOT / "themes" / "classic", theme)
    (theme / "theme.yaml").write_text((theme / "theme.yaml").read_text().replace("name: classic", "name: mine"))
    letter = (ROOT / "themes" / "_base" / "letter.tex.j2").read_text(encoding="utf-8")
    (theme / "letter.tex.j2").write_text(letter.replace("\\cvletterbegin\n", "\\cvletterbegin\\cvnosuchmacro\n"))
    with pytest.raises(ProfileError) as caught:
        render_profile(profile_copy(tmp_path), output_dir=tmp_path / "out", theme=str(theme), locales=["en"])
    text = "\n".join(d.message for d in caught.value.diagnostics)
    assert "letter-example-bank-en-en" in text and "cvnosuchmacro" in text
    assert len(compiles(engine_log)) == 3  # the shared run, then the CV and the letter alone
    assert not (tmp_path / "out").exists()  # nothing written: a render writes all of its PDFs or none
    assert speed.failure(speed.ONE_RUN) is None


def test_a_run_without_the_marks_turns_the_path_off(tmp_path, engine_log):
    """A theme that silences \\typeout: the log has no marks of where each document begins, so
    the documents are compiled alone (correct PDFs) and the path is off for the process."""
    theme = tmp_path / "quiet"
    shutil.copytree(ROOT / "themes" / "classic", theme)
    (theme / "theme.yaml").write_text((theme / "theme.yaml").read_text().replace("name: classic", "name: quiet"))
    sty = (theme / "theme.sty").read_text(encoding="utf-8")
    (theme / "theme.sty").write_text(sty.replace("\\endinput", "\\renewcommand\\typeout[1]{}\n\\endinput"))
    result = render_profile(profile_copy(tmp_path), output_dir=tmp_path / "out", theme=str(theme), locales=["en"])
    assert len(compiles(engine_log)) == 3
    assert "no marks" in speed.failure(speed.ONE_RUN)
    assert [len(PdfReader(o.pdf).pages) for o in result.outputs] == [1, 1]
    assert "Dear Ms. Park," in pdf_text(result.outputs[1].pdf) and "Dear Ms. Park," not in pdf_text(
        result.outputs[0].pdf)


# ---------------------------------------------------------------------------- the pieces

DOC = "\\documentclass{article}\n\\usepackage{x}\n\\begin{document}\n{body}\\end{document}\n"


def test_combine_joins_bodies_after_one_preamble_and_maps_lines_back():
    first = DOC.replace("{body}", "one\ntwo\n")
    second = DOC.replace("{body}", "three\n")
    combined = onerun.combine([first, second], [["section.a"], ["section.b"]])
    lines = combined.text.splitlines()
    assert combined.text.count("\\begin{document}") == 1 and combined.text.endswith("\\end{document}\n")
    assert lines[combined.starts[0] - 1] == "one" and lines[combined.starts[1] - 1] == "three"
    assert combined.body_line == 4  # the first body line of each document's own source
    assert onerun.part_line(combined, 1, combined.starts[1]) == 4 and onerun.owner(combined, combined.starts[1]) == 1
    assert onerun.part_line(combined, 0, combined.starts[0] + 1) == 5  # "two"
    assert onerun.owner(combined, 1) is None  # the preamble is no document's body
    boxes = [Overfull(3.0, f"{combined.starts[1]}--{combined.starts[1]}"), Overfull(2.0, str(combined.starts[0]))]
    assert [(b.points, b.lines) for b in onerun.overfull_of(combined, boxes, 1)] == [(3.0, "4--4")]
    assert [(b.points, b.lines) for b in onerun.overfull_of(combined, boxes, 0)] == [(2.0, "4")]


def test_combine_refuses_what_it_cannot_join():
    first = DOC.replace("{body}", "one\n")
    assert onerun.combine([first, first.replace("{x}", "{y}")], [[], []]) is None  # two preambles
    assert onerun.combine([first, first], [["section.a"], ["section.a"]]) is None  # one destination twice
    assert onerun.combine([first, first + "% after the end\n"], [[], []]) is None  # not a whole document
    assert onerun.combine([first, first], [[], []]) is not None


def test_page_starts_reads_the_marks():
    log = f"...\n{onerun.MARK} 3\n...\n{onerun.MARK} 5\n"
    assert onerun.page_starts(log, 3) == [0, 3, 5]
    assert onerun.page_starts(log, 2) is None and onerun.page_starts("", 2) is None


def state_theme(tmp_path: Path, sty_extra: str = "") -> Path:
    """classic with a cv.tex.j2 and letter.tex.j2 of its own: the CV sets its page style
    to empty (a local setting), and every section heading is numbered by a counter of the
    theme's (global, like every LaTeX counter)."""
    theme = tmp_path / "stateful"
    shutil.copytree(ROOT / "themes" / "classic", theme)
    (theme / "theme.yaml").write_text((theme / "theme.yaml").read_text().replace("name: classic", "name: stateful"))
    base = ROOT / "themes" / "_base"
    cv = (base / "cv.tex.j2").read_text(encoding="utf-8")
    (theme / "cv.tex.j2").write_text(cv.replace('((* include "_header.tex.j2" *))\n',
                                                '((* include "_header.tex.j2" *))\n\\pagestyle{empty}\n'))
    (theme / "letter.tex.j2").write_text((base / "letter.tex.j2").read_text(encoding="utf-8"))
    sty = (theme / "theme.sty").read_text(encoding="utf-8")
    (theme / "theme.sty").write_text(sty.replace("\\endinput", "\\newcounter{cvheading}\n\\let\\cvplainheading"
                                                 "\\cvsectionheading\n\\renewcommand\\cvsectionheading[1]{\\stepcounter"
                                                 "{cvheading}\\cvplainheading{\\thecvheading. #1}}\n" + sty_extra
                                                 + "\\endinput"))
    return theme


def test_what_one_document_sets_does_not_reach_the_next(tmp_path, engine_log, monkeypatch):
    """The CV's empty page style ends with the CV (each body is a group), and the theme's
    heading counter starts again in the 자기소개서 (every counter is set back to its value at
    \\begin{document}): the shared run gives the documents the theme gives alone."""
    theme = state_theme(tmp_path)
    shared = render_profile(profile_copy(tmp_path), output_dir=tmp_path / "one", theme=str(theme), cache=False)
    assert len(compiles(engine_log)) == 2
    monkeypatch.setenv("CVTEX_PLAIN", "one-run")
    alone = render_profile(profile_copy(tmp_path), output_dir=tmp_path / "alone", theme=str(theme), cache=False)
    for one, other in zip(shared.outputs, alone.outputs):
        assert pdf_text(one.pdf) == pdf_text(other.pdf), one.name
    speech = pdf_text(next(o.pdf for o in shared.outputs if o.document and o.locale == "ko"))
    cover = pdf_text(next(o.pdf for o in shared.outputs if o.document and o.locale == "en"))
    assert "1. 1. 성장과정" in speech.replace("\n", " ")  # the theme's number, then the question's
    assert "Jiwoo Han · 1" in cover and "Jiwoo Han · 1" not in pdf_text(shared.outputs[0].pdf)


def test_a_preamble_with_an_end_of_document_hook_is_compiled_apart(tmp_path, engine_log):
    """\\AtEndDocument runs once, at the end of a run: such a theme's documents are
    compiled one by one, and each ends with what the hook writes."""
    theme = state_theme(tmp_path, "\\AtEndDocument{\\par ENDMARK}\n")
    result = render_profile(profile_copy(tmp_path), output_dir=tmp_path / "out", theme=str(theme), cache=False)
    assert len(compiles(engine_log)) == 4
    assert all("ENDMARK" in pdf_text(o.pdf) for o in result.outputs)
