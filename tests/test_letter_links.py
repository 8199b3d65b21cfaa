"""Issue 22: links in letters are checked like the CV's — by ``cvtex render`` (the letter's
PDF and, with ``--bundle``, the application bundle) and by ``cvtex check-links`` on a
letter's or a bundle's PDF — against the real HTTP server of tests/linkserver.py on
127.0.0.1; and rendering the data profile's one-language letters says nothing about a
missing language.

Every command is a real ``cvtex`` process; every PDF is compiled by XeLaTeX. Each failure
is shown on a profile made to break it next to the same profile that passes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from cvtex.build import part_locales

from .conftest import ROOT, run_cvtex, use_cache_dir
from .linkserver import LinkServer

APPLICATION = ROOT / "data" / "application.yaml"
#: The letter's PDF, its application bundle and the CVs, as ``cvtex render`` names them.
LETTER, BUNDLE, CVS = "cv-letter-acme-en-en.pdf", "cv-application-acme-en-en.pdf", ("cv-en.pdf", "cv-ko.pdf")
#: The field of the letter's link (its second paragraph).
FIELD = "letters[0].paragraphs[1]"

pytestmark = pytest.mark.tex


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """A cache of the test's own (builds, link results): every link is asked for again."""
    use_cache_dir(tmp_path / "cache", monkeypatch)


@pytest.fixture(scope="module")
def server():
    with LinkServer() as srv:
        yield srv


def plain_env() -> dict[str, str]:
    """The environment now (with this test's ``CVTEX_CACHE_DIR``), plain and wide output."""
    return dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="300")


def write_profile(tmp_path: Path, server: LinkServer, letter_path: str) -> Path:
    """A profile whose CV links are all fine (``/ok``, ``/cv-only``: 200) and whose cover
    letter (English only) links to ``letter_path`` on the server in its second paragraph."""
    path = tmp_path / "cv.yaml"
    path.write_text(f"""\
locales: [en, ko]
header:
  name: {{en: Link Tester, ko: 링크 테스터}}
  emails: [tester@example.com]
  websites:
    - url: '{server.url("/ok")}'
      label: home
summary:
  en: "See [the page]({server.url("/cv-only")})."
  ko: "[페이지]({server.url("/cv-only")})를 보세요."
letters:
  - id: acme-en
    kind: cover-letter
    locales: [en]
    salutation: Dear Ms. Park,
    paragraphs:
      - I am writing to apply for the **Backend** role.
      - "My project is [here]({server.url(letter_path)})."
    closing: Sincerely,
""", encoding="utf-8")
    return path


def render(profile: Path, out: Path, *options: str):
    """``cvtex render PROFILE -o OUT --report OUT/links.json OPTIONS`` (online link check):
    (the process, {url: the report's entry})."""
    report = out / "links.json"
    result = run_cvtex("render", str(profile), "-o", str(out), "--report", str(report), *options, env=plain_env())
    entries = json.loads(report.read_text(encoding="utf-8"))["links"] if report.exists() else []
    return result, {entry["url"]: entry for entry in entries}


def check_links(*args: str, out: Path):
    """``cvtex check-links ARGS --report`` (online, the test's cache): (process, {url: entry})."""
    report = out / "check.json"
    report.unlink(missing_ok=True)
    result = run_cvtex("check-links", *args, "--report", str(report), env=plain_env())
    entries = json.loads(report.read_text(encoding="utf-8"))["links"] if report.exists() else []
    return result, {entry["url"]: entry for entry in entries}


def places(entry: dict) -> set[tuple[str, int]]:
    """(PDF file name, page) of each place a report entry was found."""
    return {(Path(p["file"]).name, p["page"]) for p in entry["pdf"]}


def table_row(stdout: str, url: str) -> tuple[str, str]:
    """The two lines of the printed link table's row for ``url``: (status | url | PDF pages,
    detail | profile fields)."""
    lines = stdout.splitlines()
    found = [i for i, line in enumerate(lines) if f" {url} " in line]
    assert len(found) == 1, stdout
    return lines[found[0]], lines[found[0] + 1]


# ------------------------------------------------------------------------------ cvtex render

def test_render_fails_on_a_broken_link_in_a_letter_naming_its_field_and_pdf(server, tmp_path):
    out = tmp_path / "out"
    broken = server.url("/missing")
    result, report = render(write_profile(tmp_path, server, "/missing"), out)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "error: 1 link(s) broken or wrong" in result.stderr
    entry = report[broken]
    assert entry["status"] == "broken" and entry["code"] == 404 and entry["profile"] == [FIELD]
    assert places(entry) == {(LETTER, 1)}  # the letter's PDF only: no CV has the letter's link
    assert {url: e["status"] for url, e in report.items() if url != broken} == {
        server.url("/ok"): "ok", server.url("/cv-only"): "ok", "mailto:tester@example.com": "ok"}
    assert places(report[server.url("/cv-only")]) == {(CVS[0], 1), (CVS[1], 1)}
    first, second = table_row(result.stdout, broken)  # what the user reads
    assert "broken" in first and LETTER in first and not any(cv in first for cv in CVS)
    assert "HTTP 404" in second and FIELD in second
    assert server.requests("/missing") >= 1

    # the same letter with a good link passes, its link asked for over HTTP
    server.reset()
    result, report = render(write_profile(tmp_path, server, "/letter-ok"), out)
    assert result.returncode == 0, result.stdout + result.stderr
    entry = report[server.url("/letter-ok")]
    assert entry["status"] == "ok" and entry["profile"] == [FIELD] and places(entry) == {(LETTER, 1)}
    assert server.requests("/letter-ok") >= 1 and server.requests("/missing") == 0
    assert "links: 4 link(s) in 3 PDF(s): 4 ok" in result.stdout


def test_render_checks_the_links_of_an_application_bundle(server, tmp_path):
    """``--bundle``: the bundle's links are the letter's (page 1) and the CV's (page 2), each
    checked; a broken one in the letter is named in both the letter's PDF and the bundle."""
    out = tmp_path / "out"
    result, report = render(write_profile(tmp_path, server, "/missing"), out, "--bundle")
    assert result.returncode == 4, result.stdout + result.stderr
    entry = report[server.url("/missing")]
    assert entry["status"] == "broken" and entry["profile"] == [FIELD]
    assert places(entry) == {(LETTER, 1), (BUNDLE, 1)}
    first, _ = table_row(result.stdout, server.url("/missing"))
    assert f"{LETTER} p.1" in first and f"{BUNDLE} p.1" in first

    result, report = render(write_profile(tmp_path, server, "/letter-ok"), out, "--bundle")
    assert result.returncode == 0, result.stdout + result.stderr  # the bundle has exactly letter + CV links
    assert places(report[server.url("/letter-ok")]) == {(LETTER, 1), (BUNDLE, 1)}
    assert places(report[server.url("/cv-only")]) == {(CVS[0], 1), (CVS[1], 1), (BUNDLE, 2)}
    assert all(e["status"] == "ok" for e in report.values()), report
    assert "links: 4 link(s) in 4 PDF(s): 4 ok" in result.stdout


# ------------------------------------------------------------------------ cvtex check-links

def test_check_links_on_a_letter_and_a_bundle_compares_with_the_letters_links(server, tmp_path):
    """With ``--profile``, a letter's PDF is compared with the letter's links and a bundle's
    with the letter's and the CV's (the bundle's page labels letter-1, cv-1 name its parts,
    not locales); a broken link in the letter is broken there, at the letter's field."""
    out = tmp_path / "out"
    profile = write_profile(tmp_path, server, "/letter-ok")
    rendered = run_cvtex("render", str(profile), "-o", str(out), "--bundle", "--offline", env=plain_env())
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    letter, bundle = out / LETTER, out / BUNDLE
    assert part_locales(PdfReader(bundle)) == ["letter", "cv"]  # parts, which check-links must not take for locales

    for pdf in (letter, bundle):  # without a profile: every link requested
        result, report = check_links(str(pdf), out=out)
        assert result.returncode == 0, result.stdout + result.stderr
        assert report[server.url("/letter-ok")]["status"] == "ok"
    result, report = check_links(str(letter), "--profile", str(profile), out=out)
    assert result.returncode == 0, result.stdout + result.stderr  # not the CV's /cv-only: the letter lacks it
    assert set(report) == {server.url("/ok"), server.url("/letter-ok"), "mailto:tester@example.com"}
    assert report[server.url("/letter-ok")]["profile"] == [FIELD]
    result, report = check_links(str(bundle), "--profile", str(profile), out=out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert report[server.url("/letter-ok")]["profile"] == [FIELD] and places(report[server.url("/letter-ok")]) == {
        (BUNDLE, 1)}
    assert report[server.url("/cv-only")]["profile"] == ["summary"]
    assert places(report[server.url("/cv-only")]) == {(BUNDLE, 2)}

    # the letter's link broken: the letter's PDF and the bundle fail at the letter's field
    write_profile(tmp_path, server, "/missing")
    rendered = run_cvtex("render", str(profile), "-o", str(out), "--bundle", "--offline", env=plain_env())
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    for pdf in (letter, bundle):
        result, report = check_links(str(pdf), "--profile", str(profile), out=out)
        assert result.returncode == 4, result.stdout + result.stderr
        entry = report[server.url("/missing")]
        assert (entry["status"], entry["profile"]) == ("broken", [FIELD]), entry
        assert [url for url, e in report.items() if e["severity"] == "error"] == [server.url("/missing")]

    # a bundle whose name does not say which letter it holds: a usage error, not a wrong comparison
    renamed = out / "application.pdf"
    renamed.write_bytes(bundle.read_bytes())
    result, _ = check_links(str(renamed), "--profile", str(profile), out=out)
    assert result.returncode == 2 and "<stem>-application-<id>-<locale>.pdf" in result.stderr, result.stderr


# --------------------------------------------------------------- one-language letters: no warning

def test_render_says_nothing_about_a_missing_language_for_one_language_letters(tmp_path):
    """data/application.yaml (an English-only cover letter, a Korean-only 자기소개서) renders
    with no warning; its cover letter's salutation given as ``{en: …}`` neither, while the
    letter declares ``locales: [en]``. The control: the same letter without its locales is
    written in the profile's en and ko, and the ko letter's missing salutation is warned about."""
    text = APPLICATION.read_text(encoding="utf-8")
    result = run_cvtex("render", str(APPLICATION), "-o", str(tmp_path / "data"), "--offline", env=plain_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "" and "warning" not in result.stdout and "text:" not in result.stdout
    assert "application-letter-example-bank-en-en.pdf" in result.stdout

    assert text.count("    salutation: Dear Ms. Park,\n") == 1 and text.count("    locales: [en]\n") == 1
    localized = text.replace("    salutation: Dear Ms. Park,\n", '    salutation: {en: "Dear Ms. Park,"}\n')
    declared = tmp_path / "declared.yaml"
    declared.write_text(localized, encoding="utf-8")
    result = run_cvtex("render", str(declared), "-o", str(tmp_path / "out"), "--offline", env=plain_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "" and "warning" not in result.stdout

    undeclared = tmp_path / "undeclared.yaml"
    undeclared.write_text(localized.replace("    locales: [en]\n", "", 1), encoding="utf-8")
    result = run_cvtex("render", str(undeclared), "-o", str(tmp_path / "out"), "--offline", env=plain_env())
    assert result.returncode == 0, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert "warning: no ko text: the ko letter falls back to another language" in said
    assert "field: letters[0].salutation" in said
