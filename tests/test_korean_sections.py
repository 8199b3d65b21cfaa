"""Issue 23: the section kinds Korean CV forms ask for — military service (병역사항),
certifications (자격사항), language tests (어학) — validated at file:line:col, rendered for real
in every built-in theme and both locales, and mapped to and from JSON Resume.

Dates are computed from today (:func:`datetime.date.today`), as the rules are
(:mod:`cvtex.schema.korean`): a military date after today, a score past its validity.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from cvtex import theme as template
from cvtex.build.pipeline import load_profile, render_profile
from cvtex.diagnostics import ProfileError
from cvtex.interop.jsonresume import export_resume, import_resume
from cvtex.links import pdf_links, profile_links
from cvtex.localize import localize
from cvtex.schema import korean, loader, parse_date, validate

from .conftest import ROOT, pdf_text, run_cvtex, squash

TODAY = dt.date.today()


def days(n: int) -> str:
    """Today plus ``n`` days, YYYY-MM-DD."""
    return (TODAY + dt.timedelta(days=n)).isoformat()


def years_ago(n: int, extra_days: int = 0) -> str:
    """The day ``n`` years (and ``extra_days`` days) before today, YYYY-MM-DD."""
    then = korean.add_years(parse_date(TODAY.isoformat()), -n)
    return (dt.date(then.year, then.month, then.day) - dt.timedelta(days=extra_days)).isoformat()


def text(en: str, ko: str) -> dict:
    return {"en": en, "ko": ko}


#: An unknown test's score, with TeX specials: printed exactly as written.
ODD_SCORE = "B2+ & 100% #1"


def korean_profile() -> dict:
    """A bilingual profile with the three kinds, every field, a serving entry whose expected
    discharge is after today, an exempt entry, and an unknown test."""
    return {
        "locales": ["en", "ko"],
        "header": {"name": text("Dohyun Kim", "김도현")},
        "sections": [
            {"kind": "military", "entries": [
                {"status": "served", "branch": text("Army", "육군"), "rank": text("Sergeant", "병장"),
                 "specialty": text("Signal", "정보통신"), "start": "2012-03", "end": "2013-12"},
                {"status": "serving", "branch": text("Navy", "해군"), "rank": text("Corporal", "상병"),
                 "start": years_ago(1)[:7], "end": days(200)[:7]},
                {"status": "exempt", "exemption_reason": text("Medical grounds", "질병 사유")}]},
            {"kind": "certifications", "entries": [
                {"name": text("Engineer Information Processing", "정보처리기사"),
                 "issuer": text("HRD Korea", "한국산업인력공단"), "number": "16201030487Q", "date": "2016-08-19"},
                {"name": "AWS Certified Solutions Architect", "issuer": "Amazon Web Services", "number": "AWS-7Q2X9K",
                 "url": "https://certs.example.com/aws", "date": "2024-11-02", "expires": "2099-11-02"}]},
            {"kind": "language-tests", "entries": [
                {"test": "TOEIC", "score": "905", "language": text("English", "영어"), "number": "0231459",
                 "url": "https://scores.example.com/toeic", "date": days(-30)},
                {"test": "JLPT", "score": "N2", "language": text("Japanese", "일본어"), "date": "2019-12-01"},
                {"test": "Zertifikat Deutsch", "score": ODD_SCORE, "language": text("German", "독일어"),
                 "date": days(-60)}]},
        ],
    }


def dump(data: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf")), encoding="utf-8")
    return path


def in_order(haystack: str, needles: list[str]) -> list[str]:
    """The needles not found in ``haystack`` after the ones before them (squashed)."""
    missing, at = [], 0
    for needle in needles:
        found = haystack.find(squash(needle), at)
        if found < 0:
            missing.append(needle)
        else:
            at = found + len(squash(needle))
    return missing


def expected_rows(view) -> list[list[str]]:
    """Per entry of a view of :func:`korean_profile`, the texts of its row in reading order
    (the dates aside: modern prints them in a left column), as the view's locale prints them."""
    labels = view.locale.labels
    military, certifications, tests = (s.entries for s in view.sections)
    rows = []
    for e in military:
        rows.append([e.status, *(x for x in (e.branch, e.rank, e.specialty) if x)]
                    + ([labels.discharge, e.discharge] if e.discharge else [])
                    + ([labels.exemption, e.exemption_reason] if e.exemption_reason else []))
    for e in certifications:
        rows.append([e.name, e.issuer, labels.certificate, e.number] + ([labels.expires, e.expires] if e.expires else []))
    for e in tests:
        rows.append([e.test, e.score, e.language] + ([labels.registration, e.number] if e.number else [])
                    + ([labels.expires, e.expires] if e.expires else []))
    return rows


@pytest.fixture(scope="module")
def korean_pdfs(tmp_path_factory):
    """{(theme, locale): Output} of :func:`korean_profile` in every built-in theme."""
    tmp = tmp_path_factory.mktemp("korean")
    path = dump(korean_profile(), tmp / "korean.yaml")
    outputs = {}
    for theme in BASE_THEMES:
        assert template.load_theme(theme).find("sections/military.tex.j2") == template.base_dir() / "sections" / \
            "military.tex.j2"
        result = render_profile(path, output_dir=tmp / theme, theme=theme, cache=False)
        outputs.update({(theme, o.locale): o for o in result.outputs})
    return path, outputs


#: The built-in themes printed through the shared base's section templates and macros (a
#: theme with section templates of its own, such as a table form, is tested with that theme).
BASE_THEMES = ("classic", "modern", "academic")
THEME_LOCALES = [(t, c) for t in BASE_THEMES for c in ("en", "ko")]


@pytest.mark.tex
@pytest.mark.parametrize("theme,code", THEME_LOCALES, ids=[f"{t}-{c}" for t, c in THEME_LOCALES])
def test_each_kind_prints_its_rows_in_reading_order(korean_pdfs, theme, code):
    """Each entry's texts in the order of its row, the entries in the profile's order, each
    section under its localized title; the dates as the locale writes them (Korean: 2012. 3.);
    the expected discharge date of the serving entry and the computed TOEIC expiry printed;
    clean pages (no overfull box, no missing glyph); the entries' urls are link annotations."""
    path, outputs = korean_pdfs
    output = outputs[(theme, code)]
    raw = squash(pdf_text(output.pdf, raw=True))
    view = localize(validate(loader.load(path))[0], code)
    rows = expected_rows(view)
    flat = [piece for row in rows for piece in row]
    assert in_order(raw, [s.title for s in view.sections]) == []
    assert in_order(raw, flat) == []
    for section in view.sections:
        for entry in section.entries:
            assert entry.dates is None or squash(entry.dates) in raw
    assert ("2012. 3. – 2013. 12." if code == "ko" else "Mar 2012 – Dec 2013") in pdf_text(output.pdf, raw=True)
    toeic = view.sections[2].entries[0]
    assert toeic.expires == view.locale.format_date(korean.add_years(parse_date(days(-30)), 2))
    assert output.overfull == [] and output.missing_chars == []
    assert {link.url for link in pdf_links(output.pdf)} == {link.url for link in profile_links(view)} \
        >= {"https://certs.example.com/aws", "https://scores.example.com/toeic"}
    # the check fails when the order is broken: the last row before the first
    assert in_order(raw, rows[-1] + rows[0]) != []


@pytest.mark.tex
def test_an_unknown_test_prints_its_score_as_written(korean_pdfs):
    """'Zertifikat Deutsch' is no known test: its score, with TeX specials, is in every PDF
    exactly as written, and validation has nothing to say about it."""
    path, outputs = korean_pdfs
    _, warnings = validate(loader.load(path))
    assert warnings == []
    for output in outputs.values():
        assert f"Zertifikat Deutsch {ODD_SCORE}" in pdf_text(output.pdf, raw=True), output.pdf


def problems(tmp_path: Path, entries: list[dict], kind: str) -> tuple[Path, list]:
    """Validate a profile with one section of ``kind``; (its path, every diagnostic)."""
    path = dump({"locales": ["en", "ko"], "header": {"name": "T"}, "sections": [{"kind": kind, "entries": entries}]},
                tmp_path / "p.yaml")
    try:
        _, _, warnings = load_profile(path, check_glyphs=False)
    except ProfileError as exc:
        return path, exc.diagnostics
    return path, warnings


def position(path: Path, loc: tuple) -> tuple[int, int]:
    pos = loader.load(path).locate(loc)
    return pos.line, pos.column


@pytest.mark.parametrize("status,field", [("served", "end"), ("served", "start"), ("not-served", "start"),
                                          ("serving", "start")])
def test_a_date_of_military_service_after_today_is_an_error_at_that_date(tmp_path, status, field):
    entry = {"status": status, "start": "2012-03", "end": "2013-12"} | {field: days(40)}
    if field == "start":
        entry["end"] = days(400)
    path, found = problems(tmp_path, [entry], "military")
    loc = ("sections", 0, "entries", 0, field)
    assert [(d.severity, d.field, (d.line, d.column)) for d in found] == [
        ("error", f"sections[0].entries[0].{field}", position(path, loc))]
    assert "is after today" in found[0].message


def test_the_end_of_a_serving_entry_may_be_after_today(tmp_path):
    """The expected discharge date: no error; once it has passed, a warning at it."""
    _, found = problems(tmp_path, [{"status": "serving", "start": "2026-01", "end": days(100)}], "military")
    assert found == []
    path, found = problems(tmp_path, [{"status": "serving", "start": "2020-01", "end": days(-10)}], "military")
    assert [(d.severity, d.field, (d.line, d.column)) for d in found] == [
        ("warning", "sections[0].entries[0].end", position(path, ("sections", 0, "entries", 0, "end")))]
    assert "has passed" in found[0].message
    # today itself is not after today
    _, found = problems(tmp_path, [{"status": "served", "start": "2020-01", "end": days(0)}], "military")
    assert found == []


@pytest.mark.parametrize("status", ["served", "serving", "not-served", "not-applicable"])
def test_an_exemption_reason_needs_status_exempt(tmp_path, status):
    path, found = problems(tmp_path, [{"status": status, "exemption_reason": "Medical"}], "military")
    assert [(d.field, (d.line, d.column)) for d in found] == [
        ("sections[0].entries[0].exemption_reason",
         position(path, ("sections", 0, "entries", 0, "exemption_reason")))]
    assert "is for status exempt" in found[0].message
    _, found = problems(tmp_path, [{"status": "exempt", "exemption_reason": "Medical"}], "military")
    assert found == []


def test_an_unknown_military_status_names_the_statuses(tmp_path):
    path, found = problems(tmp_path, [{"status": "done"}], "military")
    assert [(d.field, (d.line, d.column)) for d in found] == [
        ("sections[0].entries[0].status", position(path, ("sections", 0, "entries", 0, "status")))]
    assert all(s in found[0].message for s in korean.MILITARY_STATUSES)


#: (test, a score of its form, scores not of its form)
SCORES = [
    ("TOEIC", "945", ["947", "5", "995", "945점", "9 45", "945.0"]),
    ("토익", "10", ["0"]),
    ("TOEIC Speaking", "160", ["165", "210", "IM4"]),
    ("TOEIC Speaking", "IM3", ["Level 9"]),
    ("OPIc", "IH", ["AM", "AH", "IM4", "9"]),
    ("OPIc", "im2", ["I H"]),
    ("TOEFL iBT", "105", ["121", "105.5"]),
    ("TOEFL", "5.5", ["6.5", "5.25"]),
    ("TOEFL ITP", "550", ["300", "700"]),
    ("TEPS", "452", ["601", "-1"]),
    ("IELTS", "7.5", ["7.25", "9.5", "10"]),
    ("IELTS", "7", ["B2"]),
    ("JLPT", "N1", ["N6", "1", "N0"]),
    ("HSK", "6급", ["10", "HSK", "0"]),
    ("HSK", "Level 5", ["Level 10"]),
]


@pytest.mark.parametrize("test,good,bad", SCORES, ids=[f"{t}-{g}" for t, g, _ in SCORES])
def test_a_known_tests_score_must_have_its_form(tmp_path, test, good, bad):
    """A score of the test's form validates; any other is an error at the score, naming the
    form; an unknown test takes any score."""
    _, found = problems(tmp_path, [{"test": test, "score": good, "date": days(-5)}], "language-tests")
    assert found == []
    for score in bad:
        path, found = problems(tmp_path, [{"test": test, "score": score, "date": days(-5)}], "language-tests")
        assert [(d.severity, d.field, (d.line, d.column)) for d in found] == [
            ("error", "sections[0].entries[0].score", position(path, ("sections", 0, "entries", 0, "score")))], score
        assert f"is not a {korean.known_test([test]).name} score: write" in found[0].message
        _, found = problems(tmp_path, [{"test": "Some Other Test", "score": score, "date": days(-5)}],
                            "language-tests")
        assert found == [], score


def test_a_malformed_toeic_score_is_reported_by_cvtex_validate(tmp_path):
    """What a user sees: file:line:col, the field, the form; no traceback."""
    path = tmp_path / "cv.yaml"
    path.write_text("locales: [en, ko]\nheader: {name: T}\nsections:\n  - kind: language-tests\n    entries:\n"
                    f"      - test: TOEIC\n        score: \"947\"\n        date: {days(-3)}\n", encoding="utf-8")
    result = run_cvtex("validate", str(path))
    assert result.returncode == 1
    assert f"{path}:7:16: error: '947' is not a TOEIC score: write a number from 10 to 990 in steps of 5" \
        in result.stderr
    assert "field: sections[0].entries[0].score" in result.stderr and "Traceback" not in result.stderr


def test_an_expired_score_is_a_warning_at_its_date_and_a_fresh_one_has_none(tmp_path):
    old = years_ago(2, extra_days=1)  # two years and a day: expired yesterday
    path, found = problems(tmp_path, [{"test": "TOEIC", "score": "905", "date": old},
                                      {"test": "OPIc", "score": "IH", "date": years_ago(2)},
                                      {"test": "JLPT", "score": "N1", "date": "2001-12-02"},
                                      {"test": "IELTS", "score": "7.0", "date": "2024-01-05",
                                       "expires": days(-1)}], "language-tests")
    expired_on = korean.add_years(parse_date(old), 2)
    assert [(d.severity, d.field, (d.line, d.column)) for d in found] == [
        ("warning", "sections[0].entries[0].date", position(path, ("sections", 0, "entries", 0, "date"))),
        ("warning", "sections[0].entries[3].expires", position(path, ("sections", 0, "entries", 3, "expires")))]
    assert f"this TOEIC score expired on {expired_on} (TOEIC scores count for 2 years from the test date)" \
        in found[0].message
    assert f"expired on {days(-1)} (its 'expires')" in found[1].message
    # a fresh score (a day under two years old, a month old, expiry given as today) has none
    _, found = problems(tmp_path, [{"test": "TOEIC", "score": "905", "date": years_ago(2, extra_days=-1)},
                                   {"test": "TEPS", "score": "452", "date": days(-30)},
                                   {"test": "IELTS", "score": "7.0", "date": "2024-01-05", "expires": days(0)}],
                        "language-tests")
    assert found == []
    # a month-precision date: expired only once the whole month two years on has passed
    month = dt.date(TODAY.year - 2, TODAY.month, 1).isoformat()[:7]
    _, found = problems(tmp_path, [{"test": "TOEIC", "score": "905", "date": month}], "language-tests")
    assert found == []


def test_expiry_rules():
    """The validity computation at each precision, and leap days."""
    assert korean.expiry_of(korean.KNOWN_TESTS["toeic"], parse_date("2024-02-29"), None) == parse_date("2026-02-28")
    assert korean.expiry_of(korean.KNOWN_TESTS["opic"], parse_date("2025-05"), None) == parse_date("2027-05")
    assert korean.expiry_of(korean.KNOWN_TESTS["jlpt"], parse_date("2019-12-01"), None) is None
    assert korean.expiry_of(None, parse_date("2019-12-01"), parse_date("2020")) == parse_date("2020")
    assert korean.is_expired(parse_date("2026-05"), dt.date(2026, 6, 1))
    assert not korean.is_expired(parse_date("2026-05"), dt.date(2026, 5, 31))
    assert korean.is_future(parse_date("2027"), dt.date(2026, 12, 31))
    assert not korean.is_future(parse_date("2026-12"), dt.date(2026, 12, 3))


def test_an_expiry_before_the_date_is_an_error(tmp_path):
    path, found = problems(tmp_path, [{"name": "X", "date": "2020-05", "expires": "2019"}], "certifications")
    assert [(d.field, (d.line, d.column)) for d in found] == [
        ("sections[0].entries[0].expires", position(path, ("sections", 0, "entries", 0, "expires")))]


def test_the_data_profile_has_every_new_kind():
    """data/experienced-hire.yaml (rendered by every data-profile test) has the three kinds."""
    profile, _ = validate(loader.load(ROOT / "data" / "experienced-hire.yaml"))
    kinds = {s.kind for s in profile.sections}
    assert {"military", "certifications", "language-tests"} <= kinds


def test_certificates_round_trip_through_json_resume(tmp_path):
    """certifications -> JSON Resume certificates (name, date, issuer, url) -> certifications;
    what JSON Resume has no field for is named in a note; military service is left out with a
    note; a language test becomes a languages entry."""
    path = dump(korean_profile(), tmp_path / "k.yaml")
    profile, _ = validate(loader.load(path))
    exported, notes = export_resume(profile, "en")
    assert exported["certificates"] == [
        {"name": "Engineer Information Processing", "issuer": "HRD Korea", "date": "2016-08-19"},
        {"name": "AWS Certified Solutions Architect", "issuer": "Amazon Web Services",
         "url": "https://certs.example.com/aws", "date": "2024-11-02"}]
    said = [str(n) for n in notes]
    assert any("sections[0]: JSON Resume has no field for military service" in n for n in said)
    assert any("its number (16201030487Q); not exported" in n for n in said)
    assert {"language": "English", "fluency": f"TOEIC 905 ({days(-30)})"} in exported["languages"]
    assert "military" not in json.dumps(exported, ensure_ascii=False).lower()

    imported = import_resume(json.loads(json.dumps(exported)))
    (tmp_path / "back.yaml").write_text(imported.yaml_text(), encoding="utf-8")
    back, _ = validate(loader.load(tmp_path / "back.yaml"))
    certifications = [s for s in back.sections if s.kind == "certifications"]
    assert len(certifications) == 1
    assert [(e.name.get("en"), e.issuer.get("en"), str(e.date), e.url) for e in certifications[0].entries] == [
        ("Engineer Information Processing", "HRD Korea", "2016-08-19", None),
        ("AWS Certified Solutions Architect", "Amazon Web Services", "2024-11-02", "https://certs.example.com/aws")]
    again, _ = export_resume(back, "en")
    assert again["certificates"] == exported["certificates"]


def test_the_view_has_every_new_entry_class():
    """localize raises for a model without its view class: each new entry has one."""
    from cvtex.localize import VIEW_OF
    from cvtex.schema import CertificationEntry, LanguageTestEntry, MilitaryEntry

    assert {MilitaryEntry, CertificationEntry, LanguageTestEntry} <= set(VIEW_OF)


def test_a_score_or_number_with_a_character_the_fonts_lack_is_refused_at_its_field(tmp_path):
    """A score and a number are printed as written (PlainStr) and checked against the
    theme's fonts like text: academic's TeX Gyre Termes has no bold '∫' (U+222B), which
    would otherwise fail the render of the bold score."""
    path = dump({"locales": ["en"], "header": {"name": "T"}, "sections": [{"kind": "language-tests", "entries": [
        {"test": "Some Test", "score": "∫ 12", "number": "N∫1", "date": 2020}]}]}, tmp_path / "p.yaml")
    with pytest.raises(ProfileError) as caught:
        load_profile(path, theme="academic")
    score_line, score_column = position(path, ("sections", 0, "entries", 0, "score"))
    number_line, number_column = position(path, ("sections", 0, "entries", 0, "number"))
    assert [(d.field, (d.line, d.column)) for d in caught.value.diagnostics] == [  # at the character
        ("sections[0].entries[0].score", (score_line, score_column)),
        ("sections[0].entries[0].number", (number_line, number_column + 1))]
    assert all("no glyph for '∫'" in d.message for d in caught.value.diagnostics)
