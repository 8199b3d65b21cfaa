"""Issue 22: the letters of ``data/application.yaml`` (an English cover letter, a Korean
자기소개서), rendered for real in every built-in theme and checked like the CVs are
(tests/test_render_data.py, tests/test_themes.py): every text in the extracted text, the
자기소개서's count lines under their questions and its answers exactly as ``cvtex letter
--format txt`` prints them for pasting; no missing glyph, no overfull box; link annotations
equal to the letter's URLs; metadata, ``/Lang`` and outline; the files written (``--lang``,
``--keep-tex``); the application bundle (``--bundle``); the build cache and the render
record; and a cover letter that runs over a page.

Each theme is rendered once per module (:func:`themed`, a cold build cache of its own, so
every PDF comes with a real engine log); the other renders of the module hit that cache.
Each check is proven to fail: on the other letter's PDF (:func:`test_the_checks_fail_on_the_wrong_letter`)
and on a theme whose letter template is broken on purpose (:func:`broken`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from cvtex import links
from cvtex import localize as locale
from cvtex import schema as profile
from cvtex import theme as template
from cvtex.build.pipeline import render_profile
from cvtex.build.results import Result
from cvtex.diagnostics import ProfileError
from cvtex.localize import LetterView
from cvtex.schema import loader, markup
from cvtex.theme.files import themes_root

from .conftest import ROOT, pdf_text, run_cvtex, squash, use_cache_dir
from .fixtures import layout
from .test_layout_audit import footskip
from .test_render_data import texts

pytestmark = pytest.mark.tex

APPLICATION = ROOT / "data" / "application.yaml"
STEM = APPLICATION.stem
THEMES = template.builtin_themes()
COVER, SELF = "letter-example-bank-en-en", "letter-example-bank-ko-ko"
LETTERS = [COVER, SELF]
#: What each letter's PDF says about itself (issue 22: "title 자기소개서 — <company>",
#: "Cover letter — <company>"; /Author the header's name; /Subject the subject or position).
EXPECTED_METADATA = {
    COVER: {"/Title": "Cover letter — Example Bank", "/Author": "Jiwoo Han",
            "/Subject": "Application: Senior Backend Engineer, Payments", "/Lang": "en-US"},
    SELF: {"/Title": "자기소개서 — 예시은행", "/Author": "한지우", "/Subject": "결제 플랫폼 백엔드 엔지니어",
           "/Lang": "ko-KR"},
}
#: Every file a render of the profile writes with --keep-tex: each CV and each letter in its
#: one declared locale (no English 자기소개서, no Korean cover letter).
NAMES = ["en", "ko", COVER, SELF]


def env_with(cache_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``cvtex`` process: plain output and the cache ``cache_dir``."""
    return dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="300", CVTEX_CACHE_DIR=str(cache_dir), **extra)


# ------------------------------------------------------------------- the letters' views

@cache
def validated() -> profile.Profile:
    return profile.validate(loader.load(APPLICATION))[0]


def letter_view(name: str) -> LetterView:
    """The :class:`LetterView` of the output ``name`` (``letter-<id>-<lang>``), with the CV's
    header of that locale, as the pipeline makes it."""
    prof = validated()
    for index, letter in enumerate(prof.letters):
        for code in prof.letter_locales(letter):
            if f"letter-{letter.id}-{code}" == name:
                return locale.localize_letter(prof, index, code, locale.localize(prof, code).header)
    raise KeyError(name)


def test_the_data_profile_has_one_letter_of_each_kind_in_one_locale_each():
    prof = validated()
    assert [(letter.id, letter.kind, prof.letter_locales(letter)) for letter in prof.letters] == [
        ("example-bank-en", "cover-letter", ["en"]), ("example-bank-ko", "self-introduction", ["ko"])]
    assert len(letter_view(SELF).questions) == 4
    assert len({q.rule for q in letter_view(SELF).questions}) == 4  # limits counted in four ways


# ------------------------------------------------------------------- renders, once per module

@dataclass
class Rendered:
    """A render of the profile in one theme: its result, outputs by :attr:`Output.name`, output
    directory and build cache (``CVTEX_CACHE_DIR``, which later renders of the theme reuse)."""

    theme: str
    result: Result
    outputs: dict
    out: Path
    cache: Path


def render_in(theme: str, tmp_path_factory, cache_dir: Path, **options) -> Rendered:
    out = tmp_path_factory.mktemp(f"letters-{Path(theme).name}")
    with pytest.MonkeyPatch.context() as mp:
        use_cache_dir(cache_dir, mp)
        result = render_profile(APPLICATION, output_dir=out, theme=theme, keep_tex=True, **options)
    return Rendered(theme, result, {o.name: o for o in result.outputs}, out, cache_dir)


@pytest.fixture(scope="module")
def themed(tmp_path_factory):
    """``themed(theme)`` -> :class:`Rendered`: the profile rendered once per module in that
    theme, with ``--keep-tex``, into a build cache of its own that starts empty: every PDF is
    compiled, so its engine log (overfull boxes, missing characters) is real."""
    done: dict[str, Rendered] = {}

    def get(theme: str) -> Rendered:
        if theme not in done:
            done[theme] = render_in(theme, tmp_path_factory, tmp_path_factory.mktemp(f"cache-{theme}"))
            assert not any(o.cached for o in done[theme].result.outputs)
        return done[theme]

    return get


#: The shared base's letter template, broken three ways for the negative checks: the cover
#: letter's closing not printed, each count line printed after its answer instead of under its
#: question, a link the profile does not have, and a rule 5 pt wider than the line.
BREAKAGES = [
    (r'\cvletterclosing{((( letter.closing or "" )))}', r"\cvletterclosing{}"),
    (r"{((( q.count_line )))}" + "\n", "{}\n"),
    ("((* endfor *))\n((* endfor *))", "((* endfor *))\n\\cvanswer{((( q.count_line )))}\n((* endfor *))"),
    ("\\begin{document}\n", ("\\begin{document}\n((( link(\"https://example.org/not-in-the-profile\", \"x\") )))"
                             "\\par\\noindent\\rule{\\dimexpr\\linewidth+5pt\\relax}{0.4pt}\\par\n")),
]


def broken_theme(directory: Path, breakages=BREAKAGES) -> Path:
    """classic with its own ``letter.tex.j2``: the base's with ``breakages`` applied."""
    directory.mkdir(parents=True)
    for name in ("theme.yaml", "theme.sty"):
        shutil.copy(themes_root() / "classic" / name, directory / name)
    text = (themes_root() / "_base" / "letter.tex.j2").read_text(encoding="utf-8")
    for old, new in breakages:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (directory / "letter.tex.j2").write_text(text, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """The profile rendered in :func:`broken_theme` (the checks below must fail on its letters)."""
    theme = broken_theme(tmp_path_factory.mktemp("themes") / "broken")
    return render_in(str(theme), tmp_path_factory, tmp_path_factory.mktemp("cache-broken"))


@pytest.fixture(scope="module")
def pasted(tmp_path_factory) -> dict[int, str]:
    """``cvtex letter data/application.yaml --id example-bank-ko --format txt`` (a real
    process): each question's answer as printed for pasting, by question number. A block is
    ``[n/4] question``, ``count …``, a blank line, the answer, a blank line."""
    run = run_cvtex("letter", str(APPLICATION), "--id", "example-bank-ko", "--format", "txt",
                    env=env_with(tmp_path_factory.mktemp("cache-letter")))
    assert run.returncode == 0, run.stderr
    parts = run.stdout.removesuffix("\n").split("\n\n")
    assert len(parts) == 8, run.stdout
    answers = {}
    for head, answer in zip(parts[::2], parts[1::2]):
        match = re.match(r"\[(\d)/4\] ", head)
        assert match, head
        answers[int(match.group(1))] = answer
    return answers


# ------------------------------------------------------------------- what the checks measure

def missing_texts(pdf: Path, view: LetterView) -> list[tuple]:
    """Every Text of ``view`` (field path, plain text) not in the PDF's extracted text."""
    text = squash(pdf_text(pdf))
    return [(t.path, markup.plain(t)) for t in texts(view) if squash(markup.plain(t)) not in text]


def body_text(pdf: Path, theme: str, code: str) -> str:
    """The PDF's text (squashed) without the page footers: each page extracted by
    ``pdftotext`` cropped above half-way between the text block's bottom and the footer's
    baseline (the theme's margins and footskip: :class:`tests.fixtures.layout.TextBlock`)."""
    theme_obj = template.load_theme(theme)
    values = template.design_values(theme_obj, validated().design, code)
    out = []
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        block = layout.TextBlock.from_geometry(width, height, str(values.margins), footskip(theme_obj))
        assert block.foot is not None
        cut = (block.bottom + block.foot) / 2
        out.append(subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(number), "-l", str(number), "-x", "0",
                                   "-y", "0", "-W", str(int(width) + 1), "-H", str(int(cut)), str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout)
    return squash("".join(out))


def headings(view: LetterView) -> list[str]:
    """Each question's heading as printed: ``1. question``."""
    return [f"{q.number}. {markup.plain(q.question)}" for q in view.questions]


def answers_in(body: str, view: LetterView) -> dict[int, str]:
    """Each question's answer as the PDF's text has it (squashed): what comes between the
    question's heading and count line and the next question's heading (the end of the text
    for the last). A heading or count line not found: that question is missing."""
    found, marks = {}, [squash(h) for h in headings(view)]
    for q, mark in zip(view.questions, marks):
        start = body.find(mark + squash(q.count_line))
        if start < 0:
            continue
        start += len(mark + squash(q.count_line))
        following = [body.find(m, start) for m in marks[q.number:]]
        end = min([i for i in following if i >= 0], default=len(body))
        found[q.number] = body[start:end]
    return found


def link_counts(pdf: Path) -> Counter:
    return Counter(link.url for link in links.pdf_links(pdf))


def profile_link_counts(view) -> Counter:
    return Counter(link.url for link in links.profile_links(view))


def metadata_of(pdf: Path) -> dict[str, str]:
    reader = PdfReader(pdf)
    meta = reader.metadata
    return {"/Title": meta.title, "/Author": meta.author, "/Subject": meta.subject,
            "/Lang": reader.root_object.get("/Lang")}


def outline_titles(pdf: Path) -> list:
    """The outline: a title per top-level bookmark, a list of titles for the children."""
    def walk(items):
        return [walk(item) if isinstance(item, list) else item.title for item in items]

    return walk(PdfReader(pdf).outline)


def expected_outline(name: str) -> list[str]:
    return [] if name == COVER else headings(letter_view(name))


# ------------------------------------------------------------------- every theme x letter

CASES = [(theme, name) for theme in THEMES for name in LETTERS]
IDS = [f"{theme}-{name}" for theme, name in CASES]


@pytest.mark.parametrize("theme,name", CASES, ids=IDS)
def test_pdf_contains_every_text_of_the_letter(themed, theme, name):
    output = themed(theme).outputs[name]
    view = letter_view(name)
    assert len(texts(view)) > 10
    assert missing_texts(output.pdf, view) == []


@pytest.mark.parametrize("theme", THEMES)
def test_count_lines_are_under_their_questions_and_answers_are_the_pasted_text(themed, theme, pasted):
    """The 자기소개서: each question's heading, then its count line (``237/250자 (공백 포함)``),
    then exactly the answer ``cvtex letter --format txt`` prints (white space aside), then the
    next question."""
    view = letter_view(SELF)
    body = body_text(themed(theme).outputs[SELF].pdf, theme, "ko")
    assert [q.count_line for q in view.questions][:2] == ["237/250자 (공백 포함)", "181/200자 (공백 제외)"]
    found = answers_in(body, view)
    assert sorted(found) == [1, 2, 3, 4]
    assert found == {number: squash(answer) for number, answer in pasted.items()}


@pytest.mark.parametrize("theme", THEMES)
def test_the_cover_letter_reads_as_cvtex_letter_prints_it(themed, theme, tmp_path):
    """Salutation, paragraphs, closing and signature: the last text of the page (footer aside),
    in the order ``cvtex letter --id example-bank-en --format txt`` prints them."""
    run = run_cvtex("letter", str(APPLICATION), "--id", "example-bank-en", "--format", "txt",
                    env=env_with(tmp_path / "cache"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Dear Ms. Park,\n\n") and run.stdout.endswith("Sincerely,\n\nJiwoo Han\n")
    body = body_text(themed(theme).outputs[COVER].pdf, theme, "en")
    assert body.endswith(squash(run.stdout))


@pytest.mark.parametrize("theme,name", CASES, ids=IDS)
def test_no_missing_glyph_or_overfull_box(themed, theme, name):
    output = themed(theme).outputs[name]
    assert not output.cached  # the engine's own log
    assert [b for b in output.overfull if b.points > 1.0] == []
    assert output.missing_chars == []


@pytest.mark.parametrize("theme,name", CASES, ids=IDS)
def test_link_annotations_equal_the_letters_urls(themed, theme, name):
    """Each URL as many times as the letter prints it (the cover letter's header and its
    paragraph both link github.com/example)."""
    expected = profile_link_counts(letter_view(name))
    assert expected and link_counts(themed(theme).outputs[name].pdf) == expected
    assert set(expected) == {link.url for link in themed(theme).result.links[name]}  # what `cvtex render` checks


@pytest.mark.parametrize("theme,name", CASES, ids=IDS)
def test_metadata_language_outline_and_pages(themed, theme, name):
    output = themed(theme).outputs[name]
    reader = PdfReader(output.pdf)
    assert metadata_of(output.pdf) == EXPECTED_METADATA[name]
    assert reader.metadata.get("/Creator", "").startswith("cvtex ")
    assert outline_titles(output.pdf) == expected_outline(name)
    assert output.bookmarks == len(expected_outline(name))
    if name == COVER:
        assert len(reader.pages) == 1
        assert not any("letters[" in d.field for d in themed(theme).result.warnings)  # no "runs over a page"
    else:
        assert outline_titles(output.pdf)[0] == "1. 성장과정을 기술해 주십시오."
        # each bookmark opens the page its question is on
        for item, heading in zip(reader.outline, headings(letter_view(name))):
            page = reader.get_destination_page_number(item)
            assert squash(heading) in squash(pdf_text_page(output.pdf, page + 1))


def pdf_text_page(pdf: Path, number: int) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(number), "-l", str(number), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("theme", THEMES)
def test_exactly_the_expected_files_are_written(themed, theme):
    """Each letter in its one locale only (no English 자기소개서, no Korean cover letter), with
    its LaTeX source (``keep_tex``), which is what was compiled."""
    r = themed(theme)
    assert sorted(p.name for p in r.out.iterdir()) == sorted(f"{STEM}-{name}.{ext}" for name in NAMES
                                                             for ext in ("pdf", "tex"))
    assert sorted(r.outputs) == sorted(NAMES)
    for name in LETTERS:
        tex = r.out / f"{STEM}-{name}.tex"
        assert r.outputs[name].tex == tex and tex.read_text(encoding="utf-8") == r.result.sources[name]
    assert "\\cvletterparagraph{" in r.result.sources[COVER] and "\\cvquestion{" in r.result.sources[SELF]


@pytest.mark.parametrize("code", ["en", "ko"])
def test_lang_renders_only_that_locales_letter_and_keep_tex_writes_it(themed, tmp_path, code):
    """``cvtex render --lang <code> --keep-tex`` (a real process): the CV and the one letter of
    that locale, each with its ``.tex``; nothing said about the other letter's language."""
    r = themed("classic")
    letter = {"en": COVER, "ko": SELF}[code]
    run = run_cvtex("render", str(APPLICATION), "-o", str(tmp_path / "out"), "--offline", "--lang", code,
                    "--keep-tex", env=env_with(r.cache))
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{STEM}-{name}.{ext}" for name in (code, letter) for ext in ("pdf", "tex"))
    assert (tmp_path / "out" / f"{STEM}-{letter}.tex").read_text(encoding="utf-8") == r.result.sources[letter]
    assert (tmp_path / "out" / f"{STEM}-{letter}.pdf").read_bytes() == r.outputs[letter].pdf.read_bytes()
    assert run.stderr == ""  # no warning (no "missing language" for a letter that declares its locale)


# ------------------------------------------------------------------- the application bundle

@pytest.mark.parametrize("theme", THEMES)
def test_the_bundle_is_the_letter_then_the_cv(themed, theme, tmp_path):
    """``cvtex render --bundle --offline`` (a real process): for each letter,
    ``<stem>-application-<id>-<lang>.pdf`` = the letter's pages then the CV's, labelled
    ``letter-1…`` and ``cv-1…``, two top-level bookmarks titled with the parts' titles
    holding the parts' own bookmarks, ``/Lang`` the letter's; its links are the letter's and
    the CV's, and the offline link check passes over it (and fails when it expects the
    letter's links only)."""
    r = themed(theme)
    out = tmp_path / "out"
    run = run_cvtex("render", str(APPLICATION), "-o", str(out), "--offline", "--bundle", "--theme", theme,
                    env=env_with(r.cache))
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^links: \d+ in 6 PDFs, all match the profile", run.stdout, re.MULTILINE), run.stdout  # 4 + 2 bundles
    bundles = sorted(out.glob(f"{STEM}-application-*.pdf"))
    assert [p.name for p in bundles] == [f"{STEM}-application-example-bank-en-en.pdf",
                                         f"{STEM}-application-example-bank-ko-ko.pdf"]
    for pdf, name, code in zip(bundles, LETTERS, ("en", "ko")):
        letter, cv = r.outputs[name].pdf, r.outputs[code].pdf
        letter_pages, cv_pages = len(PdfReader(letter).pages), len(PdfReader(cv).pages)
        reader = PdfReader(pdf)
        assert len(reader.pages) == letter_pages + cv_pages
        assert reader.page_labels == ([f"letter-{i}" for i in range(1, letter_pages + 1)]
                                      + [f"cv-{i}" for i in range(1, cv_pages + 1)])
        parts = [(PdfReader(p).metadata.title, outline_titles(p)) for p in (letter, cv)]
        expected = [item for title, marks in parts for item in ([title, marks] if marks else [title])]
        assert outline_titles(pdf) == expected
        assert [t for t in outline_titles(pdf) if isinstance(t, str)] == [EXPECTED_METADATA[name]["/Title"],
                                                                         PdfReader(cv).metadata.title]
        assert reader.root_object["/Lang"] == EXPECTED_METADATA[name]["/Lang"]
        assert link_counts(pdf) == link_counts(letter) + link_counts(cv)
        both = [*r.result.links[name], *r.result.links[code]]
        assert not links.check_links([links.Target(pdf, both)], offline=True).errors
        assert links.check_links([links.Target(pdf, [])], offline=True).errors  # the check reads the bundle


# ------------------------------------------------------------------- build cache and render record

@pytest.mark.parametrize("theme", THEMES)
def test_a_second_render_takes_the_letters_from_the_build_cache(themed, theme, tmp_path, monkeypatch):
    r = themed(theme)
    monkeypatch.setenv("CVTEX_CACHE_DIR", str(r.cache))
    again = render_profile(APPLICATION, output_dir=tmp_path, theme=theme)
    assert {o.name: o.cached for o in again.outputs} == {name: True for name in NAMES}
    for o in again.outputs:
        assert o.pdf.read_bytes() == r.outputs[o.name].pdf.read_bytes()
        assert o.bookmarks == r.outputs[o.name].bookmarks


def render_process(args: list[str], cache_dir: Path) -> tuple[subprocess.CompletedProcess, set[str]]:
    """``cvtex ARGS…`` in a process of its own (the command line's ``app``, as the console script
    runs it), and the cvtex modules it had imported when done (``cvtex.build.pipeline`` when
    it rendered; not when it replayed a render record: tests/test_cache.py)."""
    code = ("import json, sys\n"
            "from cvtex.cli.commands import app\n"
            f"sys.argv = ['cvtex', *{args!r}]\n"
            "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('cvtex'))))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env_with(cache_dir),
                         stdin=subprocess.DEVNULL, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return run, set(json.loads(run.stdout.splitlines()[-1]))


def test_render_replays_with_the_letters_and_an_edited_letter_alone_recompiles(tmp_path):
    """A second ``cvtex render`` (real processes, build cache on) replays the first one's
    record — it imports no pipeline — and writes the letters again, byte for byte; then an
    edit of the cover letter's text alone compiles that letter only."""
    cache_dir = Path(os.environ["CVTEX_CACHE_DIR"])  # this test's own, empty (conftest)
    out = tmp_path / "out"
    args = ["render", str(APPLICATION), "-o", str(out), "--offline"]
    _, modules = render_process(args, cache_dir)
    assert "cvtex.build.pipeline" in modules
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert sorted(before) == sorted(f"{STEM}-{name}.pdf" for name in NAMES)
    for name in LETTERS:
        (out / f"{STEM}-{name}.pdf").unlink()
    second, modules = render_process(args, cache_dir)
    assert "cvtex.build.record" in modules and "cvtex.build.pipeline" not in modules  # replayed
    assert {p.name: p.read_bytes() for p in out.glob("*.pdf")} == before
    wrote = [line for line in second.stdout.splitlines() if line.startswith("wrote ")]
    assert wrote == [f"wrote {out / f'{STEM}-en.pdf'} (en, 4 bookmarks, cached)",
                     f"wrote {out / f'{STEM}-ko.pdf'} (ko, 4 bookmarks, cached)",
                     f"wrote {out / f'{STEM}-{COVER}.pdf'} (en, letter example-bank-en, 0 bookmarks, cached)",
                     f"wrote {out / f'{STEM}-{SELF}.pdf'} (ko, letter example-bank-ko, 4 bookmarks, cached)"]
    assert "links: 3 in 4 PDFs, all match the profile" in second.stdout  # the letters' links checked too

    edited = tmp_path / "edited" / APPLICATION.name  # the same stem: the same jobnames
    edited.parent.mkdir()
    text = APPLICATION.read_text(encoding="utf-8")
    old = "Thank you for\n        your time and consideration."
    assert text.count(old) == 1
    edited.write_text(text.replace(old, "Thank you for\n        your kind consideration."), encoding="utf-8")
    result = render_profile(edited, output_dir=tmp_path / "out2")
    assert {o.name: o.cached for o in result.outputs} == {"en": True, "ko": True, COVER: False, SELF: True}
    assert "yourkindconsideration." in squash(pdf_text(tmp_path / "out2" / f"{STEM}-{COVER}.pdf"))


# ------------------------------------------------------------------- a cover letter over one page

def test_a_cover_letter_over_one_page_is_a_warning_at_the_letter(tmp_path):
    """The cover letter with its paragraphs eight times over: a warning at ``letters[0]``
    (file:line:col of its ``- id:`` line) naming the letter, and the PDF still written (two
    pages: the one-page check of :func:`test_metadata_language_outline_and_pages` would fail
    on it)."""
    text = APPLICATION.read_text(encoding="utf-8")
    start = text.index("    paragraphs:\n") + len("    paragraphs:\n")
    end = text.index("    closing: Sincerely,")
    long = tmp_path / APPLICATION.name
    long.write_text(text[:start] + text[start:end] * 8 + text[end:], encoding="utf-8")
    lines = text.splitlines()
    line = lines.index("  - id: example-bank-en") + 1
    result = render_profile(long, output_dir=tmp_path / "out", locales=["en"])
    warnings = [d for d in result.warnings if d.field == "letters[0]"]
    assert len(warnings) == 1, [d.format() for d in result.warnings]
    w = warnings[0]
    assert (w.file, w.line, w.column, w.severity) == (str(long), line, 5, "warning"), w.format()
    assert "cover letter 'example-bank-en' runs to 2 pages" in w.message
    pdf = tmp_path / "out" / f"{STEM}-{COVER}.pdf"
    assert len(PdfReader(pdf).pages) == 2
    assert sorted(o.name for o in result.outputs) == ["en", COVER]
    assert w.format().startswith(f"{long}:{line}:5: warning: the en cover letter 'example-bank-en' runs to 2 pages")


# ------------------------------------------------------------------- each check can fail

def test_the_checks_fail_on_the_wrong_letter(themed):
    """Every check above, given the other letter's PDF, reports it."""
    r = themed("classic")
    cover, self_intro = r.outputs[COVER].pdf, r.outputs[SELF].pdf
    assert len(missing_texts(self_intro, letter_view(COVER))) > 10
    assert len(missing_texts(cover, letter_view(SELF))) > 10
    assert link_counts(self_intro) != profile_link_counts(letter_view(COVER))  # github.com/example once, not twice
    assert metadata_of(self_intro) != EXPECTED_METADATA[COVER]
    assert outline_titles(cover) != expected_outline(SELF)
    assert answers_in(body_text(cover, "classic", "en"), letter_view(SELF)) == {}


def test_the_checks_fail_on_a_broken_letter_template(broken, pasted):
    """:func:`broken_theme`'s letters: the closing is missing from the text, the count lines are
    not under their questions, the answers are not the pasted text, the links are not the
    letter's and a box is overfull; the CVs of the same render pass."""
    cover, self_intro = broken.outputs[COVER], broken.outputs[SELF]
    assert missing_texts(cover.pdf, letter_view(COVER)) == [("letters[0].closing", "Sincerely,")]
    assert missing_texts(self_intro.pdf, letter_view(SELF)) == []  # the count line is not a Text
    assert answers_in(body_text(self_intro.pdf, broken.theme, "ko"), letter_view(SELF)) == {}
    for output in (cover, self_intro):
        counts = link_counts(output.pdf)
        assert counts["https://example.org/not-in-the-profile"] == 1
        assert counts != profile_link_counts(letter_view(output.name))
        assert [round(b.points) for b in output.overfull if b.points > 1.0] == [5]
    assert all(missing_texts(broken.outputs[code].pdf, locale.localize(validated(), code)) == [] for code in ("en", "ko"))


def test_a_missing_glyph_in_a_letter_fails_the_render(tmp_path):
    """A letter with a character no font of the theme has stops the render (no PDF written):
    the ``missing_chars == []`` check above is the second line behind it."""
    theme = broken_theme(tmp_path / "glyph", [("\\begin{document}\n", "\\begin{document}\n\\symbol{\"E000}\\par\n")])
    with pytest.raises(ProfileError) as caught:
        render_profile(APPLICATION, output_dir=tmp_path / "out", theme=str(theme), locales=["en"])
    message = "\n".join(d.format() for d in caught.value.diagnostics)
    assert "error: no glyph for U+E000 in TeXGyrePagella-Regular, the font the letter-example-bank-en-en PDF " \
           "sets it in" in message, message
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------- review fixes

def test_recipient_lines_that_begin_with_a_star_or_bracket_are_printed(tmp_path):
    """Recipient lines are broken with \\newline, which reads nothing after it: a line that
    begins with '*' or '[' is printed as written (after \\\\ the '*' was taken for its starred
    form and lost, and a line of '*' alone stopped the render)."""
    text = APPLICATION.read_text(encoding="utf-8").replace(
        'address: ["100 Example-daero, Jung-gu", "Seoul 04500"]',
        'address: ["100 Example-daero, Jung-gu", "* Tower B", "*", "[Annex] 3F", "Seoul 04500"]')
    assert "* Tower B" in text
    path = tmp_path / "application.yaml"
    path.write_text(text, encoding="utf-8")
    result = render_profile(path, output_dir=tmp_path / "out", locales=["en"], cache=False)
    letter = next(o for o in result.outputs if o.document)
    lines = pdf_text(letter.pdf).splitlines()
    start = lines.index("100 Example-daero, Jung-gu")
    assert lines[start:start + 5] == ["100 Example-daero, Jung-gu", "* Tower B", "*", "[Annex] 3F", "Seoul 04500"]


def test_a_theme_with_its_own_cv_template_keeps_its_cvs_and_says_letters_are_not_rendered(tmp_path):
    """A theme with a cv.tex.j2 of its own (no letter.tex.j2) cannot set letters on the
    shared letter template: the CVs are written as before, and each letter gets a warning at
    its line instead of failing the whole render."""
    theme = tmp_path / "own"
    shutil.copytree(themes_root() / "classic", theme)
    (theme / "theme.yaml").write_text((theme / "theme.yaml").read_text().replace("name: classic", "name: own"))
    cv = (themes_root() / "_base" / "cv.tex.j2").read_text(encoding="utf-8")
    (theme / "cv.tex.j2").write_text(cv.replace("\\begin{document}", "% own\n\\begin{document}"))
    result = render_profile(APPLICATION, output_dir=tmp_path / "out", theme=str(theme), cache=False)
    assert sorted(o.name for o in result.outputs) == ["en", "ko"]
    warned = [w for w in result.warnings if "letters are not rendered in this theme" in w.message]
    assert [w.field for w in warned] == ["letters[0]", "letters[1]"] and all(w.line > 0 for w in warned)
    assert "own cv.tex.j2" in warned[0].message
    (theme / "letter.tex.j2").write_text((themes_root() / "_base" / "letter.tex.j2").read_text(encoding="utf-8"))
    again = render_profile(APPLICATION, output_dir=tmp_path / "again", theme=str(theme), cache=False)
    assert sorted(o.name for o in again.outputs) == sorted(NAMES)
    assert not [w for w in again.warnings if "not rendered" in w.message]
