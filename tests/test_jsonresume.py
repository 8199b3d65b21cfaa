"""JSON Resume interchange: ``cvtex import`` and ``cvtex export`` (real subprocesses;
the sample is rendered with real XeLaTeX). The schema and the sample resume are the
official ones, vendored from the npm package resume-schema 1.0.1 (see
tests/fixtures/jsonresume/README.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from .conftest import DATA, ROOT, pdf_text, run_cvtex, squash

FIXTURES = ROOT / "tests" / "fixtures" / "jsonresume"
SAMPLE = FIXTURES / "sample.resume.json"
QUIRKY = FIXTURES / "quirky.resume.json"
SCHEMA = json.loads((FIXTURES / "schema.json").read_text(encoding="utf-8"))


run = run_cvtex


# The schema's formats, checked strictly (jsonschema checks 'uri' and 'date' only with
# optional packages): an absolute URI (RFC 3986 §4.3: scheme ":" and no characters a
# URI cannot contain) and a full date (RFC 3339 full-date).
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+", value))


@FORMATS.checks("date")
def _date(value: object) -> bool:
    import datetime

    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return not isinstance(value, str)
    datetime.date.fromisoformat(value)
    return True


def schema_errors(document: object) -> list[str]:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=FORMATS)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def read_yaml(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def resolve(document: object, path: str) -> object:
    """The value at a JSON path such as ``work[0].highlights[2]``; KeyError if none."""
    node = document
    for name, index in re.findall(r"\.?([^.\[\]]+)|\[(\d+)\]", path):
        node = node[int(index)] if index else node[name]  # type: ignore[index]
    return node


@pytest.fixture(scope="module")
def sample_import(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "cv.yaml"
    result = run("import", str(SAMPLE), "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result


def test_the_strict_format_checker_is_active():
    """The official sample has two URLs that are not URIs ('' and one without a scheme):
    the checker these tests use catches them, so an export that passes is strictly valid."""
    errors = schema_errors(json.loads(SAMPLE.read_text(encoding="utf-8")))
    assert sorted(errors) == ["basics/profiles/0/url: '' is not a 'uri'",
                              "projects/0/url: 'missdirection.example.com' is not a 'uri'"]


@pytest.mark.tex
def test_sample_imports_validates_renders_in_both_languages_and_exports_valid(sample_import, tmp_path):
    profile, imported = sample_import
    assert f"{profile}: ok" in imported.stdout and "Traceback" not in imported.stderr

    validated = run("validate", str(profile))
    assert validated.returncode == 0, validated.stderr
    assert "warning" not in validated.stdout + validated.stderr

    rendered = run("render", str(profile), "-o", str(tmp_path), "--offline")
    assert rendered.returncode == 0, rendered.stderr
    for code, heading in (("en", "Experience"), ("ko", "경력")):
        text = squash(pdf_text(tmp_path / f"cv-{code}.pdf"))
        for value in ("Richard Hendriks", "Pied Piper", "CEO/President", "University of Oklahoma",
                      "Video compression for 3d media", "CoderDojo", "Erlich Bachman", "Miss Direction",
                      heading):
            assert squash(value) in text, (code, value)
    assert squash("봉사 활동") in squash(pdf_text(tmp_path / "cv-ko.pdf"))

    exported = run("export", str(profile), "--format", "jsonresume", "--lang", "en", "-o", str(tmp_path / "r.json"))
    assert exported.returncode == 0, exported.stderr
    assert schema_errors(json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))) == []


def test_import_lists_where_everything_went(sample_import):
    _, result = sample_import
    out = result.stdout
    for line in ("work -> sections[0] (experience", "volunteer -> sections[1] (experience, id volunteer",
                 "education -> sections[2] (education",
                 "interests -> sections[7] (custom, id interests", "references -> sections[8] (custom, id references",
                 "projects -> sections[9] (projects"):
        assert line in out
    # the sample's quirks, each named with its JSON path
    assert "note: projects[0].url: 'missdirection.example.com' has no scheme: written as " \
           "https://missdirection.example.com" in out
    assert "note: basics.profiles[0]: a cvtex profile link needs a url" in out
    assert "note: projects[0].type: cvtex projects have no type; not imported" in out
    assert "note: meta: " in out
    assert "empty in the JSON, left out: basics.profiles[0].url, basics.image" in out


def test_written_yaml_has_comments_naming_json_paths_that_exist(sample_import):
    profile, _ = sample_import
    text = profile.read_text(encoding="utf-8")
    original = json.loads(SAMPLE.read_text(encoding="utf-8"))
    lines = text.splitlines()
    assert any(re.fullmatch(r"\s*- organization: Pied Piper\s+# work\[0\]\.name", line) for line in lines)
    assert any(re.fullmatch(r"\s*venue: Hooli\s+# publications\[0\]\.publisher", line) for line in lines)
    paths = re.findall(r"^(?!\s*#).*?\s#\s(\S+?)(?: \+ \.level)?$", text, flags=re.M)
    assert len(paths) >= 50
    for path in paths:  # every comment names a value of the original document
        resolve(original, path)
    # what had no place is kept, as comments at the top
    header = text.split("locales:")[0]
    assert '#   projects[0].type: "application"' in header
    assert '"lastModified": "2017-12-24T15:53:00"' in header


def test_quirks_are_reported_fixed_and_the_result_validates(tmp_path):
    profile = tmp_path / "q.yaml"
    result = run("import", str(QUIRKY), "-o", str(profile))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    expected_notes = [
        "basics.url: 'example.org' has no scheme: written as https://example.org",
        "basics.profiles[0].url: 'github.com/quinn' has no scheme: written as https://github.com/quinn",
        "basics.email: 'quinn-at-example.com' is not an e-mail address; not imported",
        "basics.image: a web address: cvtex prints a photo from a JPEG or PNG file (header.photo); download it "
        "next to the profile; not imported",
        "basics.pronouns: no matching field in a cvtex profile; not imported",
        "work[0].endDate: missing: the entry is ongoing (end: present)",
        "work[1]: same organization as the entry before: a further role of it",
        "work[2].company: read as 'name' (the JSON Resume 0.x name)",
        "work[2].url: '//old.example.com' has no scheme: written as https://old.example.com",
        "work[2].startDate: '2017-01-15T00:00:00': the time of day is left out (2017-01-15)",
        "work[2].salary: no matching field in a cvtex profile; not imported",
        "education[0].score: the number 3.9 is written as text",
        "certificates[0].url: 'www.cncf.io' has no scheme: written as https://www.cncf.io",
        "hobbies: not a JSON Resume field: a custom section titled 'Hobbies'",
    ]
    for note in expected_notes:
        assert f"note: {note}" in out, note
    assert "empty in the JSON, left out: basics.label, basics.location.address" in out
    assert "certificates -> sections[3] (certifications, id certifications" in out

    data = read_yaml(profile)
    assert data["locales"] == ["en", "ko"]
    assert data["header"]["websites"] == ["https://example.org"]
    assert "headline" not in data["header"] and "emails" not in data["header"]
    assert data["header"]["location"] == "Seoul, KR"
    work = data["sections"][0]["entries"]
    assert [e["organization"] for e in work] == ["Example Co", "Old Co"]
    assert [(r["title"], r["start"], r["end"]) for r in work[0]["roles"]] == [
        ("Senior Engineer", "2021-03-01", "present"), ("Engineer", "2019", "2021-02")]
    assert work[0]["roles"][1]["location"] == "Busan"
    assert (work[1]["url"], work[1]["roles"][0]["start"]) == ("https://old.example.com", "2017-01-15")
    assert data["sections"][2]["entries"][0] == {"institution": "Example University", "area": "Physics",
                                                 "score": "3.9", "start": "2022-09"}
    assert data["sections"][4]["entries"] == [{"label": {"en": "Skills", "ko": "기술"},
                                               "items": ["Go", "Python (Expert)"]}]
    assert data["sections"][6]["title"] == "Hobbies"
    assert [e["title"] for e in data["sections"][6]["entries"]] == ["Chess", "Baduk"]
    header = profile.read_text(encoding="utf-8").split("locales:")[0]
    for kept in ('basics.email: "quinn-at-example.com"', 'basics.image: "https://example.com/quinn.jpg"',
                 'work[2].salary: "lots"'):
        assert kept in header

    validated = run("validate", str(profile))
    assert validated.returncode == 0 and "warning" not in validated.stdout + validated.stderr, validated.stderr
    exported = run("export", str(profile), "--lang", "ko")
    assert exported.returncode == 0, exported.stderr
    assert schema_errors(json.loads(exported.stdout)) == []


def test_round_trip_keeps_what_maps_one_to_one(sample_import, tmp_path):
    profile, _ = sample_import
    result = run("export", str(profile), "--format", "jsonresume", "--lang", "en", "-o", str(tmp_path / "r.json"))
    assert result.returncode == 0, result.stderr
    original = json.loads(SAMPLE.read_text(encoding="utf-8"))
    back = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))

    def pick(item: dict, keys: tuple[str, ...]) -> dict:
        return {k: item[k] for k in keys if item.get(k) not in (None, "")}

    basics = ("name", "label", "email", "phone", "url", "summary")
    assert pick(back["basics"], basics) == pick(original["basics"], basics)
    assert back["basics"]["profiles"] == [original["basics"]["profiles"][1]]  # [0] has no url
    fields = {
        "work": ("name", "description", "position", "url", "location", "startDate", "endDate"),
        "volunteer": ("organization", "position", "url", "startDate", "endDate"),
        "education": ("institution", "url", "area", "studyType", "startDate", "endDate", "score", "courses"),
        "awards": ("title", "date", "awarder", "summary"),
        "publications": ("name", "publisher", "releaseDate", "url", "summary"),
        "languages": ("language", "fluency"),
        "interests": ("name", "keywords"),
        "references": ("name", "reference"),
        "projects": ("name", "description", "startDate", "endDate", "entity", "roles"),
    }
    for key, keys in fields.items():
        assert [pick(i, keys) for i in back[key]] == [pick(i, keys) for i in original[key]], key
    # the organization's description is the entry's (the 경력기술서 prints it); the role's
    # summary is its first highlight (cvtex roles have no summary)
    work = original["work"][0]
    assert back["work"][0]["highlights"] == [work["summary"], *work["highlights"]]
    assert back["volunteer"][0]["highlights"] == [original["volunteer"][0]["summary"],
                                                  *original["volunteer"][0]["highlights"]]
    assert back["projects"][0]["highlights"][:-1] == original["projects"][0]["highlights"]
    assert back["projects"][0]["url"] == "https://" + original["projects"][0]["url"]
    assert [s["keywords"] for s in back["skills"]] == [s["keywords"] for s in original["skills"]]
    assert [s["name"] for s in back["skills"]] == [f"{s['name']} ({s['level']})" for s in original["skills"]]


@pytest.mark.parametrize("path", DATA, ids=lambda p: p.stem)
def test_export_of_the_data_profiles_validates_in_every_locale(path, tmp_path):
    for code in ("en", "ko"):
        result = run("export", str(path), "--format", "jsonresume", "--lang", code)
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        assert schema_errors(document) == [], (code, schema_errors(document))
        assert document["meta"] == {"version": "v1.0.0", "language": code}
    if path.stem == "example":
        en = json.loads(run("export", str(path), "--lang", "en").stdout)
        assert en["basics"]["name"] == "Jiwoo Han"
        assert [w["position"] for w in en["work"]] == ["Senior Software Engineer", "Software Engineer",
                                                      "Research Intern"]
        assert (en["work"][0]["startDate"], "endDate" in en["work"][0]) == ("2022-03", False)  # present
        # markup removed; a link's URL stays after its text
        assert "cutting end-of-day latency from 4 hours to 15 minutes." in en["work"][0]["highlights"][0]
        assert en["work"][1]["highlights"][1] == ("Open-sourced the internal rate limiter as example-limiter "
                                                  "(https://github.com/example).")


def test_import_and_export_usage_errors(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"basics": {"name": "A",}}', encoding="utf-8")
    result = run("import", str(broken))
    # where Python's json module places the error: col 25 (the brace) before Python 3.13, 24 (the comma) since
    with pytest.raises(json.JSONDecodeError) as where:
        json.loads(broken.read_text(encoding="utf-8"))
    assert (where.value.lineno, where.value.colno) in ((1, 24), (1, 25))
    assert result.returncode == 1 and f"broken.json:1:{where.value.colno}: not valid JSON" in result.stderr
    assert not (tmp_path / "broken.yaml").exists()

    nameless = tmp_path / "nameless.json"
    nameless.write_text('{"basics": {"name": ""}, "work": []}', encoding="utf-8")
    result = run("import", str(nameless))
    assert result.returncode == 1 and "basics.name is missing or empty" in result.stderr

    target = tmp_path / "cv.yaml"
    target.write_text("keep me", encoding="utf-8")
    result = run("import", str(SAMPLE), "-o", str(target))
    assert result.returncode == 1 and "exists; not overwriting" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    assert run("import", str(SAMPLE), "-o", str(target), "--force").returncode == 0

    example = str(ROOT / "data" / "example.yaml")
    result = run("export", example, "--format", "europass")
    assert result.returncode == 2
    assert "'europass'isnotaformatcvtexwrites;usejsonresume" in re.sub(r"[\s│╭╮╰╯─]", "", result.stderr)
    result = run("export", example, "--lang", "fr")
    assert result.returncode == 2 and "the profile's locales are en, ko" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_leaves_out_a_section_limited_to_other_locales(tmp_path):
    profile = tmp_path / "cv.yaml"
    profile.write_text(
        "locales: [en, ko]\nheader: {name: {en: Jiwoo Han, ko: 한지우}}\nsections:\n"
        "  - kind: awards\n    locales: [ko]\n    entries:\n      - {title: 우수상, date: 2021}\n"
        "  - kind: awards\n    id: prizes\n    entries:\n      - {title: Best Paper, date: 2022}\n",
        encoding="utf-8")
    en = run("export", str(profile), "--lang", "en")
    ko = run("export", str(profile), "--lang", "ko")
    assert en.returncode == ko.returncode == 0, en.stderr + ko.stderr
    assert [a["title"] for a in json.loads(en.stdout)["awards"]] == ["Best Paper"]
    assert "sections[0]: not exported: the section is only in the ko PDF" in en.stderr
    assert [a["title"] for a in json.loads(ko.stdout)["awards"]] == ["우수상", "Best Paper"]


def test_the_photo_maps_to_basics_image_both_ways(tmp_path):
    """A file name in ``basics.image`` becomes ``header.photo`` (the profile then renders it);
    a profile's photo is exported as that relative reference, and the personal fields JSON
    Resume has no place for are named, not exported."""
    hire = ROOT / "data" / "experienced-hire.yaml"
    exported = run("export", str(hire), "--lang", "ko")
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert document["basics"]["image"] == "experienced-hire-photo.jpg" and schema_errors(document) == []
    for field in ("birth_date", "address", "name_hanja"):  # the profile gives no hometown
        assert f"header.{field}: JSON Resume has no field for the" in exported.stderr, field
    assert "header.hometown" not in exported.stderr
    assert "1991" not in exported.stdout  # the birth date is not exported
    # the organization's description is JSON Resume's work description; projects have no place;
    # the study status (학력 구분) is an extra key, read back by import
    assert document["work"][0]["description"] == "가맹점 4만 곳의 온라인 결제·정산 서비스."
    assert document["education"][0]["status"] == "graduated"
    assert "sections[0].entries[0].roles[0].projects: JSON Resume has no field for a role's projects" \
        in exported.stderr

    (tmp_path / "experienced-hire-photo.jpg").write_bytes((ROOT / "data" / "experienced-hire-photo.jpg").read_bytes())
    source = tmp_path / "me.json"
    source.write_text(json.dumps({"basics": {"name": "Kim Dohyun", "image": "experienced-hire-photo.jpg"},
                                  "education": [{"institution": "Hanul University", "status": "graduated"},
                                                {"institution": "Other", "status": "done"}]}), encoding="utf-8")
    imported = run("import", str(source), "-o", str(tmp_path / "me.yaml"))
    assert imported.returncode == 0, imported.stderr
    assert "note: basics.image: 'experienced-hire-photo.jpg' is a file: the header photo" in imported.stdout
    me = read_yaml(tmp_path / "me.yaml")
    assert me["header"]["photo"] == "experienced-hire-photo.jpg"
    assert [e.get("status") for e in me["sections"][0]["entries"]] == ["graduated", None]
    assert "education[1].status: not one of graduated, expected" in imported.stdout
    assert run("validate", str(tmp_path / "me.yaml")).returncode == 0

    # a file that is not there is the profile's error at validate, with its line
    (tmp_path / "experienced-hire-photo.jpg").unlink()
    checked = run("validate", str(tmp_path / "me.yaml"))
    assert checked.returncode == 1
    assert re.search(r"me\.yaml:\d+:10: error: the photo \S*experienced-hire-photo\.jpg does not exist",
                     checked.stderr), checked.stderr
