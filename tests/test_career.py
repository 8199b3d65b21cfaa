"""Issue 23: the 경력기술서 (career description), ``<stem>-career-<lang>.pdf``: written for each
locale whose experience has roles with ``projects``, in the CV's theme, from the real
``cvtex`` and XeLaTeX; its links checked against the real HTTP server of tests/linkserver.py.

Each check is shown failing where it can: the CV next to the 경력기술서 (no projects, a photo),
a profile listed oldest first next to the PDF's newest-first order, a broken project link
next to a good one, a team of 0 people refused at its line and column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from .conftest import ROOT, pdf_text, plain_env, run_cvtex, squash, use_cache_dir
from .linkserver import LinkServer
from .test_photo import images

pytestmark = pytest.mark.tex

HIRE = ROOT / "data" / "experienced-hire.yaml"
EXAMPLE = ROOT / "data" / "example.yaml"


@pytest.fixture(scope="module")
def hire(tmp_path_factory):
    """``cvtex render data/experienced-hire.yaml --offline``: (the process, the output directory)."""
    out = tmp_path_factory.mktemp("career")
    # the data profile's photo is relative to it: render it where it is
    done = run_cvtex("render", str(HIRE), "-o", str(out), "--offline", env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    return done, out


def test_each_locale_gets_its_career_description(hire):
    done, out = hire
    names = sorted(p.name for p in out.glob("*.pdf"))
    assert names == ["experienced-hire-career-en.pdf", "experienced-hire-career-ko.pdf",
                     "experienced-hire-en.pdf", "experienced-hire-ko.pdf"]
    assert re.search(r"wrote \S+experienced-hire-career-ko\.pdf \(ko, career, 2 bookmarks", done.stdout), done.stdout


def test_the_korean_career_description_holds_every_project_field(hire):
    _, out = hire
    text = squash(pdf_text(out / "experienced-hire-career-ko.pdf"))
    for shown in ("김도현", "경력기술서", "달빛페이", "가맹점4만곳의온라인결제·정산서비스.", "결제플랫폼본부", "2021.4.–현재",
                  "시니어백엔드엔지니어", "실시간정산시스템구축", "2023.3.–2024.2.", "역할:기술리드", "투입인원:6명",
                  "사용기술:Kotlin,Kafka,KafkaStreams,PostgreSQL", "담당업무", "이벤트모델과정확히한번", "성과",
                  "일일정산시간6시간→40분.", "멱등결제API재설계", "투입인원:4명", "노을커머스", "주문시스템MSA전환",
                  "투입인원:8명", "배포주기주1회→매일."):
        assert squash(shown) in text, shown
    english = squash(pdf_text(out / "experienced-hire-career-en.pdf"))
    for shown in ("Career Description", "Streaming settlement", "Role: Tech lead", "Team size: 6",
                  "Technologies: Kotlin, Kafka, Kafka Streams, PostgreSQL", "What I did", "Results",
                  "Online payments and settlement for 40,000 merchants."):
        assert squash(shown) in english, shown


def test_projects_are_in_the_career_description_only_and_the_photo_in_the_korean_cv_only(hire):
    _, out = hire
    for code, project in (("en", "Streaming settlement"), ("ko", "실시간 정산 시스템 구축")):
        assert squash(project) not in squash(pdf_text(out / f"experienced-hire-{code}.pdf"))
        assert squash(project) in squash(pdf_text(out / f"experienced-hire-career-{code}.pdf"))
    # the education is the CV's, not the career description's
    assert "한울대학교" in pdf_text(out / "experienced-hire-ko.pdf")
    assert "한울대학교" not in pdf_text(out / "experienced-hire-career-ko.pdf")
    assert len(images(out / "experienced-hire-ko.pdf")) == 1
    assert images(out / "experienced-hire-career-ko.pdf") == []
    assert images(out / "experienced-hire-career-en.pdf") == []


def test_its_title_and_outline(hire):
    _, out = hire
    reader = PdfReader(out / "experienced-hire-career-ko.pdf")
    assert reader.metadata.title == "김도현 경력기술서"
    assert [item.title for item in reader.outline] == ["달빛페이", "노을커머스"]  # an organization each
    assert [reader.get_destination_page_number(item) for item in reader.outline] == [0, 0]
    assert PdfReader(out / "experienced-hire-career-en.pdf").metadata.title == "Dohyun Kim — Career Description"


def hire_copy(directory: Path, name: str, text: str | None = None) -> Path:
    """data/experienced-hire.yaml (or ``text``) written as ``directory/name``, its photo beside it."""
    photo = ROOT / "data" / "experienced-hire-photo.jpg"
    (directory / photo.name).write_bytes(photo.read_bytes())
    path = directory / name
    path.write_text(HIRE.read_text(encoding="utf-8") if text is None else text, encoding="utf-8")
    return path


def oldest_first(tmp_path: Path) -> Path:
    """The data profile with its organizations listed oldest first (its photo copied along)."""
    data = yaml.safe_load(HIRE.read_text(encoding="utf-8"))
    data["sections"][0]["entries"].reverse()
    return hire_copy(tmp_path, "hire.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_organizations_are_newest_first_whatever_the_profile_order(tmp_path):
    path = oldest_first(tmp_path)
    done = run_cvtex("render", str(path), "-o", str(tmp_path / "out"), "--offline", "--lang", "en", env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    career = pdf_text(tmp_path / "out" / "hire-career-en.pdf")
    cv = pdf_text(tmp_path / "out" / "hire-en.pdf")
    assert career.index("Dalbit Pay") < career.index("Noeul Commerce")  # 2021–present before 2017–2021
    assert cv.index("Noeul Commerce") < cv.index("Dalbit Pay")  # the CV keeps the profile's order


def test_a_profile_without_projects_gets_no_career_description(tmp_path):
    done = run_cvtex("render", str(EXAMPLE), "-o", str(tmp_path), "--offline", env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["example-en.pdf", "example-ko.pdf"]


def test_a_team_of_no_one_is_refused_at_its_line_and_column(tmp_path):
    text = HIRE.read_text(encoding="utf-8").replace("team_size: 6", "team_size: 0", 1)
    path = tmp_path / "cv.yaml"
    path.write_text(text, encoding="utf-8")
    line, column = next((i, s.index("team_size: 0") + len("team_size: ") + 1)
                        for i, s in enumerate(text.splitlines(), 1) if "team_size: 0" in s)
    done = run_cvtex("validate", str(path), env=plain_env())
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert f"cv.yaml:{line}:{column}: error: expected greater than or equal to 1" in out, out
    assert "field: sections[0].entries[0].roles[0].projects[0].team_size" in out, out
    assert "Traceback" not in out


# ------------------------------------------------------------------------------ links

@pytest.fixture
def server(tmp_path, monkeypatch):
    use_cache_dir(tmp_path / "cache", monkeypatch)  # every link asked for again
    with LinkServer() as srv:
        yield srv


def linked_profile(tmp_path: Path, server: LinkServer, target: str) -> Path:
    """A one-role profile whose project links to ``target`` on the server."""
    path = tmp_path / "cv.yaml"
    path.write_text(f"""\
locales: [en]
header:
  name: Link Tester
  emails: [tester@example.com]
sections:
  - kind: experience
    entries:
      - organization: Example Corp
        url: '{server.url("/ok")}'
        roles:
          - title: Engineer
            start: 2020-01
            end: present
            projects:
              - name: The project
                url: '{server.url(target)}'
                team_size: 3
""", encoding="utf-8")
    return path


def test_a_broken_project_link_fails_render_and_check_links_in_the_career_pdf(server, tmp_path):
    out = tmp_path / "out"
    field = "sections[0].entries[0].roles[0].projects[0].url"
    path = linked_profile(tmp_path, server, "/missing")
    done = run_cvtex("render", str(path), "-o", str(out), "--report", str(out / "links.json"), env=plain_env())
    assert done.returncode == 4, done.stdout + done.stderr
    report = {e["url"]: e for e in json.loads((out / "links.json").read_text(encoding="utf-8"))["links"]}
    broken = report[server.url("/missing")]
    assert broken["status"] == "broken" and broken["profile"] == [field]
    assert {Path(p["file"]).name for p in broken["pdf"]} == {"cv-career-en.pdf"}  # not in the CV
    assert {Path(p["file"]).name for p in report[server.url("/ok")]["pdf"]} == {"cv-en.pdf", "cv-career-en.pdf"}
    checked = run_cvtex("check-links", str(out / "cv-career-en.pdf"), "--profile", str(path), env=plain_env())
    assert checked.returncode == 4 and "broken" in checked.stdout, checked.stdout + checked.stderr

    good = linked_profile(tmp_path, server, "/ok")
    done = run_cvtex("render", str(good), "-o", str(out), env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    checked = run_cvtex("check-links", str(out / "cv-career-en.pdf"), str(out / "cv-en.pdf"), "--profile", str(good),
                        env=plain_env())
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_blind_render_writes_a_blind_career_description(tmp_path):
    done = run_cvtex("render", str(HIRE), "-o", str(tmp_path), "--offline", "--blind", "public", env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        "experienced-hire-career-en-blind.pdf", "experienced-hire-career-ko-blind.pdf",
        "experienced-hire-en-blind.pdf", "experienced-hire-ko-blind.pdf"]
    assert "(blind copy: public)" in PdfReader(tmp_path / "experienced-hire-career-ko-blind.pdf").metadata.creator


# ------------------------------------------------------------------------------ hostile strings

#: Where the battery puts string i in the 경력기술서 (kind letters of its own, none printed as written).
CAREER_KINDS = {"o": "the organization's description", "p": "a project's name", "r": "a project's role",
                "t": "a technology", "w": "what the owner did", "x": "a result"}


@pytest.fixture(scope="module")
def hostile_career(tmp_path_factory):
    """The literal hostile strings (tests/fixtures/hostile.py) in every field only the 경력기술서
    prints: one organization per string, its one role with one project, rendered in both locales."""
    from cvtex.build.pipeline import render_profile

    from .fixtures.hostile import LITERAL
    from .fixtures.pdfs import marked

    tmp = tmp_path_factory.mktemp("hostile-career")
    entries = [{"organization": f"O{i}", "description": marked(i, "o", s),
                "roles": [{"title": f"R{i}", "start": "2020-01", "end": "2021-01",
                           "projects": [{"name": marked(i, "p", s), "role": marked(i, "r", s), "team_size": 2,
                                         "technologies": [marked(i, "t", s)], "highlights": [marked(i, "w", s)],
                                         "results": [marked(i, "x", s)]}]}]}
               for i, s in enumerate(LITERAL)]
    path = tmp / "hostile.yaml"
    path.write_text(yaml.safe_dump({"locales": ["en", "ko"], "header": {"name": "Hostile Battery"},
                                    "sections": [{"kind": "experience", "entries": entries}]},
                                   allow_unicode=True, width=float("inf"), sort_keys=False), encoding="utf-8")
    result = render_profile(path, output_dir=tmp / "out", cache=False)
    return LITERAL, {o.name: o for o in result.outputs}, path


@pytest.mark.parametrize("code", ["en", "ko"])
def test_hostile_strings_are_typeset_exactly_in_the_career_description(hostile_career, code):
    from .fixtures.pdfs import expected, marked, visible_text, words_off_page

    strings, outputs, _ = hostile_career
    output = outputs[f"career-{code}"]
    text = visible_text(output.pdf)
    wrong = [(i, CAREER_KINDS[k], repr(s)[:60]) for i, s in enumerate(strings) for k in CAREER_KINDS
             if expected(marked(i, k, s), plain="") not in text]
    assert len(strings) > 200 and wrong == []
    assert output.missing_chars == [] and words_off_page(output.pdf) == []
    assert [o for o in output.overfull if o.points > 1] == []
    # the CV prints none of them
    cv = visible_text(outputs[code].pdf)
    assert not any(f"Q{i:03d}{k}" in cv for i in range(len(strings)) for k in CAREER_KINDS)


def test_hostile_links_in_the_career_description_are_its_link_annotations(hostile_career):
    from cvtex.links import pdf_links, profile_links
    from cvtex.localize import localize, localize_career
    from cvtex.build.pipeline import load_profile

    _, outputs, path = hostile_career
    prof = load_profile(path)[1]
    for code in ("en", "ko"):
        expected_urls = {link.url for link in profile_links(localize_career(localize(prof, code)))}
        assert expected_urls, "the battery has markup links"
        assert {link.url for link in pdf_links(outputs[f"career-{code}"].pdf)} == expected_urls


# ------------------------------------------------------------------------------ --watch

def test_watch_rewrites_the_career_description_alone_and_keeps_it_on_an_error(tmp_path, monkeypatch):
    """A real ``cvtex render --watch``: a project's Korean result edited compiles the Korean
    경력기술서 again and takes the CVs and the English one from the build cache; a team of 0
    shows its ``file:line:col`` and leaves every PDF as it was."""
    from .test_authoring import _wait_for
    from .test_letter_watch import watching

    use_cache_dir(tmp_path / "cache", monkeypatch)
    good = HIRE.read_text(encoding="utf-8")
    profile = hire_copy(tmp_path, "hire.yaml")
    out = tmp_path / "out"
    pdfs = {name: out / f"hire-{name}.pdf" for name in ("en", "ko", "career-en", "career-ko")}
    with watching(profile, out, tmp_path, plain_env()) as (proc, err, renders):
        _wait_for(lambda: "watching" in err() and len(renders()) == 1, "the first render", proc)
        assert good.count("일일 정산 시간 6시간 → **40분**.") == 1
        edited = good.replace("일일 정산 시간 6시간 → **40분**.", "일일 정산 시간 6시간 → **35분**.")
        profile.write_text(edited, encoding="utf-8")
        _wait_for(lambda: len(renders()) == 2 and err().count("done; watching") == 1, "the re-render", proc)
        assert squash("6시간 → 35분") in squash(pdf_text(pdfs["career-ko"]))
        wrote = {line.split()[1]: line.endswith(", cached)") for line in renders()[1]}
        assert wrote == {str(pdfs["en"]): True, str(pdfs["ko"]): True, str(pdfs["career-en"]): True,
                         str(pdfs["career-ko"]): False}
        kept = {name: pdf.read_bytes() for name, pdf in pdfs.items()}

        broken = edited.replace("team_size: 6", "team_size: 0", 1)
        line = broken[:broken.index("team_size: 0")].count("\n") + 1
        profile.write_text(broken, encoding="utf-8")
        _wait_for(lambda: "render failed" in err(), "the error", proc)
        assert f"hire.yaml:{line}:28: error: expected greater than or equal to 1" in err(), err()
        assert "field: sections[0].entries[0].roles[0].projects[0].team_size" in err()
        assert {name: pdf.read_bytes() for name, pdf in pdfs.items()} == kept and proc.poll() is None


# ------------------------------------------------------------------------------ edge cases

def test_the_shared_engine_run_gives_the_career_description_compiled_alone(tmp_path, monkeypatch):
    """With the one-run speed path a locale's CV and 경력기술서 compile in one engine run; each
    named destination must still be its document's own (two of one name would be one), so the
    shared run's 경력기술서 is the one compiled alone (CVTEX_PLAIN=one-run)."""
    from cvtex.build.pipeline import render_profile

    profile = hire_copy(tmp_path, "hire.yaml")
    shared = {o.name: o for o in render_profile(profile, output_dir=tmp_path / "one", cache=False).outputs}
    monkeypatch.setenv("CVTEX_PLAIN", "one-run")
    alone = {o.name: o for o in render_profile(profile, output_dir=tmp_path / "alone", cache=False).outputs}
    for name in ("career-en", "career-ko", "en", "ko"):
        a, b = PdfReader(shared[name].pdf), PdfReader(alone[name].pdf)
        assert pdf_text(shared[name].pdf) == pdf_text(alone[name].pdf), name
        assert {k: a.get_destination_page_number(v) for k, v in a.named_destinations.items()} == \
            {k: b.get_destination_page_number(v) for k, v in b.named_destinations.items()}, name
        assert [i.title for i in a.outline] == [i.title for i in b.outline], name
    assert "career.section.experience" in PdfReader(shared["career-ko"].pdf).named_destinations


def test_an_organization_with_an_open_role_has_an_open_span():
    from cvtex.localize import localize, localize_career
    from cvtex.schema import loads, validate

    profile, _ = validate(loads("""\
locales: [en]
header: {name: A}
sections:
  - kind: experience
    entries:
      - organization: Example Corp
        roles:
          - {title: Lead, start: 2023-01, projects: [{name: P}]}
          - {title: Engineer, start: 2019-01, end: 2020-12}
""", "cv.yaml"))
    entry = localize_career(localize(profile, "en")).sections[0].entries[0]
    assert (entry.dates, entry.duration) == ("Jan 2019 –", None)  # not "Jan 2019 – Dec 2020", "2 yrs"


def test_a_theme_that_cannot_set_it_renders_the_cvs_and_says_so(tmp_path):
    """A theme with a cvtex.sty of its own has none of the shared career macros: the CVs are
    rendered, and a warning says why there is no 경력기술서."""
    import shutil

    theme = tmp_path / "own"
    shutil.copytree(ROOT / "themes" / "classic", theme)  # classic's theme.yaml and theme.sty
    (theme / "theme.yaml").write_text((theme / "theme.yaml").read_text(encoding="utf-8").replace(
        "name: classic", "name: own"), encoding="utf-8")
    base = (ROOT / "themes" / "_base" / "cvtex.sty").read_text(encoding="utf-8")
    (theme / "cvtex.sty").write_text(base.split("% ------------------------------------------------------------------ "
                                                "the 경력기술서")[0] + "\\endinput\n", encoding="utf-8")
    done = run_cvtex("render", str(HIRE), "-o", str(tmp_path / "out"), "--offline", "--theme", str(theme),
                     env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the 경력기술서 (career description) is not rendered in this theme: it has its own cvtex.sty but no " \
           "career.tex.j2" in done.stderr, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["experienced-hire-en.pdf",
                                                                         "experienced-hire-ko.pdf"]


def test_check_links_tells_a_cv_named_career_from_a_career_description(tmp_path):
    """A profile named my-career.yaml: its CV my-career-en.pdf is a CV, not a 경력기술서."""
    profile = hire_copy(tmp_path, "my-career.yaml")
    done = run_cvtex("render", str(profile), "-o", str(tmp_path / "out"), "--offline", "--lang", "en", env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "out"
    checked = run_cvtex("check-links", str(out / "my-career-en.pdf"), str(out / "my-career-career-en.pdf"),
                        "--profile", str(profile), "--offline", env=plain_env())
    assert checked.returncode == 0, checked.stdout + checked.stderr
