"""Blind hiring (cvtex.schema.blind): the blind copy of a profile, the leak lint at the words'
``file:line:col``, and ``cvtex validate --blind`` as a user runs it. No TeX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvtex.schema import (
    BLIND_MODES,
    address_city,
    blind_leaks,
    blind_profile,
    check_blind_mode,
    count,
    load,
    loads,
    school_names,
    validate,
)
from cvtex.schema.blind import FORBIDDEN

from .conftest import DATA, PLAIN_ENV, ROOT, run_cvtex

ANSWER = "저는 1994년생으로 대구에서 자랐고 문제를 끝까지 파고드는 성격입니다."

#: A valid profile with the personal fields, an education entry and a letter; each leak a test
#: needs is put in by replacing one of the marked texts.
BASE = f"""\
locales: [en, ko]
header:
  name: {{en: Jiwoo Han, ko: 한지우}}
  birth_date: 1994-05-17
  hometown: {{en: Daegu, ko: 대구}}
  address: {{en: "12 Example-ro, Mapo-gu, Seoul 04000", ko: 서울특별시 마포구 예시로 12}}
  name_hanja: 韓智宇
summary:
  en: Backend engineer who builds reliable services.
  ko: 안정적인 서비스를 만드는 백엔드 엔지니어입니다.
sections:
  - kind: experience
    entries:
      - organization: {{en: Example Corp, ko: 예시 주식회사}}
        location: {{en: Daegu, ko: 대구}}
        roles:
          - title: {{en: Engineer, ko: 엔지니어}}
            start: 2020-03
            highlights:
              - en: Cut deploy time by 40%.
                ko: 배포 시간을 40% 줄임.
  - kind: education
    entries:
      - institution: {{en: Yonsei University, ko: 연세대학교}}
        degree: {{en: B.S., ko: 학사}}
        area: {{en: Computer Science, ko: 컴퓨터과학}}
        location: {{en: Seoul, ko: 서울}}
        url: https://www.yonsei.ac.kr
        end: 2019-02
letters:
  - id: example-ko
    kind: self-introduction
    locales: [ko]
    company: 대구도시공사
    questions:
      - question: 성장과정을 기술해 주십시오.
        answer: ["{ANSWER}"]
        limit: {{count: {count(ANSWER, "with_spaces")}, rule: with_spaces}}
"""


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, column), 1-based, of the ``nth`` occurrence of ``needle`` in ``text``."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def leaks(text: str, mode: str) -> list:
    doc = loads(text, "cv.yaml")
    profile, _warnings = validate(doc)
    return blind_leaks(doc, profile, mode)


def where(diagnostics: list) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.field) for d in diagnostics]


def test_the_base_profile_is_valid_and_leaks_only_its_letter_answer():
    """The fixture's one leak on purpose: the answer's birth year and hometown (both modes see the
    hometown, only public the birth year); the experience location 대구 is a place of work, not
    where the applicant comes from, and the company 대구도시공사 is the employer's name."""
    pub, priv = leaks(BASE, "public"), leaks(BASE, "private")
    answer = "letters[0].questions[0].answer[0]"
    assert where(pub) == [(*at(BASE, "1994년생"), answer), (*at(BASE, "대구에서"), answer)]
    assert where(priv) == [(*at(BASE, "대구에서"), answer)]
    assert "'1994년생' is the birth year (header.birth_date)" in pub[0].message
    assert "public-sector blind hiring" in pub[0].message
    assert "'대구' is the profile's hometown (header.hometown)" in priv[0].message
    assert "채용절차법 §4조의3 forbids item 2 (출신지역)" in priv[0].message
    assert all(d.severity == "error" for d in pub + priv)


def test_a_school_name_in_a_highlight_is_flagged_at_its_line_and_column():
    """The issue's "done when": the school of the profile's own education entry, placed in an
    experience highlight (inside bold, in the middle of the text), at the line and column of its
    first letter, with the field path; in both locales' texts (the Korean short form 연세대 too)."""
    text = BASE.replace("- en: Cut deploy time by 40%.", "- en: Mentored interns from **yonsei university** labs.") \
               .replace("ko: 배포 시간을 40% 줄임.", "ko: 연세대 연구실 인턴을 지도함.")
    found = [d for d in leaks(text, "public") if "names a school" in d.message]
    highlight = "sections[0].entries[0].roles[0].highlights[0]"
    assert where(found) == [(*at(text, "yonsei university"), highlight + ".en"),
                            (*at(text, "연세대 연구실"), highlight + ".ko")]
    assert "'yonsei university' names a school of the profile's education (sections[1].entries[0].institution)" \
        in found[0].message
    assert "forbids school names" in found[0].message


def test_the_right_occurrence_is_pointed_at_across_folded_lines_and_past_a_link_target():
    """A plain scalar folded over two lines, a link whose URL names the school (not text: not
    counted), and the name twice: each error at its own occurrence."""
    text = BASE.replace(
        "  en: Backend engineer who builds reliable services.",
        "  en: See [my site](https://example.com/daegu) on Yonsei\n    University and Yonsei University, Daegu.")
    found = [d for d in leaks(text, "public") if d.field == "summary.en"]
    assert [(d.line, d.column) for d in found] == [at(text, "Yonsei\n"), at(text, "Yonsei University,"),
                                                   at(text, "Daegu.")]


def test_birth_year_and_hometown_in_the_summary_in_both_locales():
    text = BASE.replace("Backend engineer who builds reliable services.",
                        "Born in 1994 in Daegu; backend engineer.") \
               .replace("안정적인 서비스를 만드는", "94년생, 대구광역시 출신의")
    found = [d for d in leaks(text, "public") if d.field.startswith("summary")]
    assert where(found) == [(*at(text, "1994 in"), "summary.en"), (*at(text, "Daegu;"), "summary.en"),
                            (*at(text, "94년생"), "summary.ko"), (*at(text, "대구광역시"), "summary.ko")]
    private = [d for d in leaks(text, "private") if d.field.startswith("summary")]
    assert where(private) == [(*at(text, "Daegu;"), "summary.en"), (*at(text, "대구광역시"), "summary.ko")]


def test_private_mode_does_not_flag_the_school_name_nor_the_birth_year():
    """채용절차법 §4조의3 lists neither school names nor a birth date."""
    text = BASE.replace("Backend engineer who builds reliable services.",
                        "Yonsei University graduate, born 1994.")
    assert [d.field for d in leaks(text, "public") if d.field == "summary.en"] == ["summary.en"] * 2
    assert [d for d in leaks(text, "private") if d.field == "summary.en"] == []


#: Sentences that tell what the rules forbid: (text, what the message says).
LEAKING = [
    ("키 178cm, 체중 70kg의 건강한 체격입니다.", "a height"),
    ("Height: 178 cm.", "a height"),
    ("체중은 72kg입니다.", "a weight"),
    ("I weigh 70 kg.", "a weight"),
    ("혈액형은 A형입니다.", "a blood type"),
    ("기혼이며 두 아이가 있습니다.", "marital status"),
    ("결혼하여 가정을 꾸렸습니다.", "marital status"),
    ("Married, two children.", "marital status"),
    ("아내와 함께 이사했습니다.", "marital status"),
    ("부모님의 재산이 넉넉하여 걱정 없이 공부했습니다.", "wealth"),
    ("아파트를 소유하고 있습니다.", "wealth"),
    ("아버지께서 교수로 재직하셨습니다.", "a family member's education, job or wealth"),
    ("어머니는 초등학교 교사이십니다.", "a family member's education, job or wealth"),
    ("My father is a civil servant.", "a family member's education, job or wealth"),
    ("My parents both graduated from law school.", "a family member's education, job or wealth"),
    ("고향인 안동에서 자랐습니다.", "where you come from"),
    ("I grew up in Busan.", "where you come from"),
    ("We own a house near the office.", "wealth"),
    ("Net worth: 1 billion won.", "wealth"),
]

#: Ordinary CV sentences near those words: none is a leak.
ORDINARY = [
    "지적 재산권 분쟁 대응 시스템을 설계함.",
    "자산 관리 플랫폼의 정산 배치를 개선함.",
    "부모 노드와 자식 노드를 잇는 트리 인덱스를 구현함.",
    "자매회사 두 곳의 결제 시스템을 통합함.",
    "API 키 128개를 순환하는 비밀 관리 도구를 만듦.",
    "Built a single-page app for marriage registration records at the city office.",
    "Reduced the model's weights from 70 GB to 7 GB.",
    "Owned the home page redesign and the checkout flow.",
    "Led a team of 12 engineers at 3 sites; 180 cm is not in this sentence as a height.",
    "아버지처럼 꼼꼼한 성격이라는 말을 듣습니다.",
    "My father taught me to fix bicycles.",
    "Born to build: shipped 40 releases.",
    "Grew up in a family of musicians and learned discipline.",
]


def summary(sentence: str) -> tuple[str, str]:
    """BASE with ``sentence`` as its summary in the locale of its script (a JSON string: YAML)."""
    key = "ko" if any("\uac00" <= c <= "\ud7a3" for c in sentence) else "en"
    old = "안정적인 서비스를 만드는 백엔드 엔지니어입니다." if key == "ko" else "Backend engineer who builds reliable services."
    return BASE.replace(old, json.dumps(sentence, ensure_ascii=False)), key


@pytest.mark.parametrize("mode", BLIND_MODES)
@pytest.mark.parametrize("sentence, what", LEAKING, ids=[s for s, _ in LEAKING])
def test_each_forbidden_word_is_found(sentence, what, mode):
    text, key = summary(sentence)
    found = [d for d in leaks(text, mode) if d.field == f"summary.{key}" and f"tells {what}" in d.message]
    assert len(found) == 1, [d.message for d in leaks(text, mode)]
    assert ("채용절차법 §4조의3 forbids item" if mode == "private" else "public-sector blind hiring") \
        in found[0].message
    assert (found[0].line, found[0].column) == at(text, found[0].message.split("'")[1])


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_cv_sentences_are_not_leaks(sentence):
    text, key = summary(sentence)
    for mode in BLIND_MODES:
        assert [d.message for d in leaks(text, mode) if d.field == f"summary.{key}"] == []


def test_every_forbidden_pattern_has_a_leaking_example():
    """No pattern of FORBIDDEN goes untested."""
    for rule in FORBIDDEN:
        assert any(rule.pattern.search(s) for s, _ in LEAKING), rule.pattern.pattern


# ------------------------------------------------------------------------------ the data profiles

#: What the data profiles leak in public mode (file -> field paths); every other file, and every
#: file in private mode, leaks nothing. infra-backend.yaml's owner worked at the university they
#: studied at: the organization names the school.
DATA_LEAKS = {"infra-backend.yaml": [f"sections[{i}].entries[{j}].organization.{code}"
                                     for i, j in ((0, 3), (2, 9), (2, 10)) for code in ("en", "ko")]}


@pytest.mark.parametrize("path", DATA, ids=[p.stem for p in DATA])
def test_data_profiles_leak_only_what_is_known(path):
    doc = load(path)
    profile, _ = validate(doc)
    public = blind_leaks(doc, profile, "public")
    assert sorted(d.field for d in public) == sorted(DATA_LEAKS.get(path.name, []))
    assert all("'Yonsei University'" in d.message or "'연세대학교'" in d.message for d in public)
    assert blind_leaks(doc, profile, "private") == []


# ------------------------------------------------------------------------------ the blind copy

def _photo_profile(tmp_path: Path):
    from PIL import Image

    Image.new("RGB", (600, 800), (200, 180, 160)).save(tmp_path / "me.jpg", quality=90)
    text = BASE.replace("  name_hanja: 韓智宇\n", "  name_hanja: 韓智宇\n  photo: me.jpg\n")
    (tmp_path / "cv.yaml").write_text(text, encoding="utf-8")
    profile, _ = validate(load(tmp_path / "cv.yaml"))
    assert profile.header.photo is not None and profile.header.birth_date is not None
    return profile


def test_the_public_copy_leaves_out_what_the_guideline_forbids(tmp_path):
    profile = _photo_profile(tmp_path)
    blind = blind_profile(profile, "public")
    h = blind.header
    assert (h.photo, h.birth_date, h.hometown) == (None, None, None)
    assert h.address.values == {"en": "Seoul", "ko": "서울특별시"}
    assert h.name_hanja == "韓智宇" and h.name == profile.header.name
    school = blind.sections[1].entries[0]
    assert (school.institution, school.location, school.url) == (None, None, None)
    assert school.degree.values == {"en": "B.S.", "ko": "학사"}
    assert school.area.values == {"en": "Computer Science", "ko": "컴퓨터과학"}
    assert str(school.end) == "2019-02"
    assert blind.sections[0] is profile.sections[0]  # other sections untouched
    assert blind.sections[0].entries[0].location.values == {"en": "Daegu", "ko": "대구"}
    # the profile itself is unchanged
    assert profile.header.photo is not None and profile.sections[1].entries[0].institution is not None


def test_the_private_copy_leaves_out_what_the_statute_lists(tmp_path):
    profile = _photo_profile(tmp_path)
    blind = blind_profile(profile, "private")
    assert (blind.header.photo, blind.header.hometown) == (None, None)
    assert blind.header.birth_date == profile.header.birth_date  # not in §4조의3's list
    assert blind.header.address == profile.header.address  # the current address is not 출신지역
    assert blind.sections == profile.sections


def test_an_unknown_mode_is_an_error_naming_the_modes():
    with pytest.raises(ValueError, match=r"'publik' is not a blind mode \(did you mean 'public'\?\); "
                                         r"the modes are public, private"):
        check_blind_mode("publik")
    with pytest.raises(ValueError, match="the modes are public, private"):
        blind_profile(None, "all")
    with pytest.raises(ValueError, match="the modes are public, private"):
        blind_leaks(loads(BASE, "cv.yaml"), None, "")


@pytest.mark.parametrize("address, city", [
    ("서울특별시 마포구 월드컵북로 1", "서울특별시"), ("경기도 성남시 분당구", "경기도"), ("부산광역시,해운대구", "부산광역시"),
    ("Mapo-gu, Seoul", "Seoul"), ("12 Example-ro, Mapo-gu, Seoul 04000", "Seoul"),
    ("1 Example-ro, Mapo-gu, Seoul 04524, South Korea", "Seoul"), ("Seoul", "Seoul"), ("04524", ""),
    # no city last: nothing rather than a district or a street
    ("Seoul, Mapo-gu", ""), ("123 Main St, Apt 4", ""),
])
def test_the_city_of_an_address(address, city):
    assert address_city(address) == city


def test_school_short_forms():
    assert school_names("연세대학교") == ["연세대학교", "연세대"]
    assert school_names("양영디지털고등학교") == ["양영디지털고등학교", "양영디지털고"]
    assert school_names("**KAIST**") == ["KAIST"]
    assert school_names("예대학교") == ["예대학교"]  # one syllable left: no short form


# ------------------------------------------------------------------------------ cvtex validate --blind

def test_validate_blind_through_the_cli(tmp_path):
    text = BASE.replace("- en: Cut deploy time by 40%.", "- en: Mentored interns from Yonsei University labs.")
    (tmp_path / "cv.yaml").write_text(text, encoding="utf-8")
    line, column = at(text, "Yonsei University labs")
    public = run_cvtex("validate", "--blind", "public", "cv.yaml", cwd=tmp_path, env=PLAIN_ENV)
    assert public.returncode == 1, public.stderr
    assert "Traceback" not in public.stderr + public.stdout
    assert (f"cv.yaml:{line}:{column}: error: 'Yonsei University' names a school of the profile's education "
            "(sections[1].entries[0].institution)") in public.stderr
    assert "      field: sections[0].entries[0].roles[0].highlights[0].en" in public.stderr
    assert f"cv.yaml:{at(text, '1994년생')[0]}:{at(text, '1994년생')[1]}: error: '1994년생' is the birth year" \
        in public.stderr
    assert "3 error(s), 0 warning(s)" in public.stderr
    assert "cv.yaml: ok" not in public.stdout

    private = run_cvtex("validate", "--blind", "private", "cv.yaml", cwd=tmp_path, env=PLAIN_ENV)
    assert private.returncode == 1, private.stderr
    assert f"cv.yaml:{at(text, '대구에서')[0]}:{at(text, '대구에서')[1]}: error: '대구' is the profile's hometown" \
        in private.stderr
    assert "1 error(s), 0 warning(s)" in private.stderr

    plain = run_cvtex("validate", "cv.yaml", cwd=tmp_path, env=PLAIN_ENV)
    assert plain.returncode == 0 and "cv.yaml: ok" in plain.stdout, plain.stderr


def test_validate_blind_on_a_clean_profile_is_ok():
    result = run_cvtex("validate", "--blind", "public", str(ROOT / "data" / "example.yaml"), env=PLAIN_ENV)
    assert result.returncode == 0 and result.stdout.rstrip().endswith("example.yaml: ok"), result.stderr


def test_validate_with_a_bad_blind_mode_is_a_usage_error(tmp_path):
    result = run_cvtex("validate", "--blind", "publik", str(ROOT / "data" / "example.yaml"), env=PLAIN_ENV)
    assert result.returncode == 2
    assert "'publik' is not a blind mode (did you mean 'public'?); the modes are public, private" in result.stderr
    assert "--blind" in result.stderr and "Traceback" not in result.stderr


def test_latin_names_match_whole_words_only():
    """A Latin name inside a longer word is not a mention of it (both ends checked)."""
    text, _ = summary("Wrote the NeoDaegu and Daeguland parsers for Yonsei Universitys.")
    assert [d for d in leaks(text, "public") if d.field == "summary.en"] == []
    text, _ = summary("Wrote the parsers for Daegu.")
    assert len([d for d in leaks(text, "public") if d.field == "summary.en"]) == 1
