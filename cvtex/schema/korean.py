"""The rules of the section kinds Korean CV forms ask for: military service (병역사항),
certifications (자격사항) and language tests (어학) — :mod:`cvtex.schema.sections` declares
their entries, this module holds what the entries are checked against.

Military service (병역사항). ``status`` is one of :data:`MILITARY_STATUSES`: ``served`` (군필),
``serving`` (복무 중), ``exempt`` (면제), ``not-served`` (미필), ``not-applicable`` (해당 없음:
women, foreign nationals). A date of service after today is an error (a CV states what
happened), except the ``end`` of a ``serving`` entry: the expected discharge date (전역 예정일).

Language tests (어학). :data:`KNOWN_TESTS` are the tests Korean employers list, each with the
form its score takes (:func:`score_problem`) and how long a score counts
(:func:`expiry_of`). A test not known here is allowed and its score printed as written. The
score forms and validity periods, from the publishers:

* TOEIC (Listening & Reading): 10–990 in steps of 5; a score counts for two years from the
  test date (ETS, https://www.ets.org/toeic; YBM, the Korean administrator,
  https://exam.toeic.co.kr: 성적 유효기간 2년).
* TOEIC Speaking: 0–200 in steps of 10, or its level (NL … AH; before 2022 Level 1–8); two
  years (ETS; YBM).
* OPIc: the ACTFL rating NL, NM, NH, IL, IM1, IM2, IM3, IH, AL (IM before it was split in
  three); two years from the test date (ACTFL, https://www.actfl.org; Multicampus, the Korean
  administrator, https://www.opic.or.kr: 성적 유효기간 2년).
* TOEFL iBT: 0–120, or the 1–6 band scale (steps of 0.5) ETS reports since January 2026; two
  years (ETS, https://www.ets.org/toefl). TOEFL ITP (institutional): 310–677, two years.
* TEPS: 0–600 (the New TEPS scale, since May 2018); two years from the test date
  (서울대학교 TEPS관리위원회, https://www.teps.or.kr).
* IELTS: a band from 0 to 9 in steps of 0.5; two years (the IELTS partners,
  https://ielts.org: results are accepted for two years).
* JLPT: N1–N5; no expiry (the Japan Foundation and JEES, https://www.jlpt.jp/e/faq/: the
  certificate has no expiration date).
* HSK: level 1–6 (1–9 in HSK 3.0), written ``6``, ``6급`` or ``Level 6``; two years as proof of
  level for admission (Chinese Testing International, https://www.chinesetest.cn).
* JPT (Japanese Proficiency Test, YBM): 10–990 in steps of 5; two years (https://www.jpt.co.kr).

An entry's own ``expires`` replaces the computed expiry (a test of a kind not listed here
counts only with it). ``today`` is :func:`datetime.date.today` unless a caller gives one.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from cvtex.schema.dates import PartialDate

#: Military service statuses, in the order Korean forms list them.
MILITARY_STATUSES = ("served", "serving", "exempt", "not-served", "not-applicable")
#: Where a study stands (학력사항's 구분): ``graduated`` 졸업, ``expected`` 졸업예정, ``completed``
#: 수료 (coursework done, no degree), ``enrolled`` 재학, ``on-leave`` 휴학, ``withdrawn`` 중퇴.
EDUCATION_STATUSES = ("graduated", "expected", "completed", "enrolled", "on-leave", "withdrawn")
#: The statuses of a study that has ended: its ``end`` cannot be ``present``.
ENDED_STUDIES = ("graduated", "completed", "withdrawn")


def first_day(date: PartialDate) -> _dt.date:
    """The first day a date at year, month or day precision may mean (2024 -> 2024-01-01)."""
    return _dt.date(date.year, date.month or 1, date.day or 1)


def last_day(date: PartialDate) -> _dt.date:
    """The last day a date may mean (2024 -> 2024-12-31, 2024-02 -> 2024-02-29)."""
    if date.day:
        return _dt.date(date.year, date.month, date.day)
    if date.month:
        following = _dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)
        return following - _dt.timedelta(days=1)
    return _dt.date(date.year, 12, 31)


def is_future(date: PartialDate, today: _dt.date | None = None) -> bool:
    """``date`` begins after ``today``: every day it may mean is later (``present`` never is)."""
    return not date.present and first_day(date) > (today or _dt.date.today())


def add_years(date: PartialDate, years: int) -> PartialDate:
    """``date`` ``years`` later, at the same precision (29 February -> 28 February)."""
    day = date.day
    if date.month == 2 and day == 29:
        try:
            _dt.date(date.year + years, 2, 29)
        except ValueError:
            day = 28
    return PartialDate(date.year + years, date.month, day)


def _number(text: str) -> float | None:
    return float(text) if re.fullmatch(r"[0-9]{1,4}(\.[0-9])?", text) else None


def _in_steps(low: float, high: float, step: float, integer: bool = True) -> Callable[[str], bool]:
    def check(score: str) -> bool:
        value = _number(score)
        if value is None or (integer and "." in score):
            return False
        return low <= value <= high and abs((value - low) / step - round((value - low) / step)) < 1e-9
    return check


def _one_of(*levels: str) -> Callable[[str], bool]:
    folded = {level.casefold() for level in levels}
    return lambda score: score.casefold() in folded


def _either(*checks: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda score: any(check(score) for check in checks)


def _level(low: int, high: int) -> Callable[[str], bool]:
    pattern = re.compile(r"(?:level\s*)?([0-9])(?:\s*급)?", re.IGNORECASE)

    def check(score: str) -> bool:
        match = pattern.fullmatch(score)
        return bool(match) and low <= int(match.group(1)) <= high
    return check


_SPEAKING_LEVELS = ("NL", "NM", "NH", "IL", "IM1", "IM2", "IM3", "IH", "AL", "AM", "AH")


@dataclass(frozen=True)
class KnownTest:
    """A language test cvtex knows: its ``name`` as printed in messages, the ``form`` its
    score takes (said in an error), a ``check`` of a score string, and ``valid_years``: how
    long a score counts from the test date (``None``: no expiry)."""

    name: str
    form: str
    check: Callable[[str], bool]
    valid_years: int | None


#: The tests :func:`known_test` recognizes, by their key (see the module doc for sources).
KNOWN_TESTS: dict[str, KnownTest] = {
    "toeic": KnownTest("TOEIC", "a number from 10 to 990 in steps of 5 ('945')", _in_steps(10, 990, 5), 2),
    "toeic-speaking": KnownTest(
        "TOEIC Speaking", "a score from 0 to 200 in steps of 10 ('160'), a level (NL, NM, NH, IL, IM1, IM2, IM3, IH, "
        "AL, AM, AH) or 'Level 1' to 'Level 8'",
        _either(_in_steps(0, 200, 10), _one_of(*_SPEAKING_LEVELS), _one_of(*(f"Level {n}" for n in range(1, 9)))), 2),
    "opic": KnownTest("OPIc", "a rating NL, NM, NH, IL, IM1, IM2, IM3 (or IM), IH or AL",
                      _one_of("NL", "NM", "NH", "IL", "IM", "IM1", "IM2", "IM3", "IH", "AL"), 2),
    "toefl-ibt": KnownTest("TOEFL iBT", "a number from 0 to 120 ('105'), or a band from 1 to 6 in steps of 0.5 "
                                        "('5.5', the scale since January 2026); for TOEFL ITP write 'TOEFL ITP'",
                           _either(_in_steps(0, 120, 1), _in_steps(1, 6, 0.5, integer=False)), 2),
    "toefl-itp": KnownTest("TOEFL ITP", "a number from 310 to 677", _in_steps(310, 677, 1), 2),
    "teps": KnownTest("TEPS", "a number from 0 to 600 ('452')", _in_steps(0, 600, 1), 2),
    "ielts": KnownTest("IELTS", "a band from 0 to 9 in steps of 0.5 ('7.5')", _in_steps(0, 9, 0.5, integer=False), 2),
    "jlpt": KnownTest("JLPT", "a level N1 to N5", _one_of("N1", "N2", "N3", "N4", "N5"), None),
    "hsk": KnownTest("HSK", "a level from 1 to 9: '6', '6급' or 'Level 6'", _level(1, 9), 2),
    "jpt": KnownTest("JPT", "a number from 10 to 990 in steps of 5 ('805')", _in_steps(10, 990, 5), 2),
}

#: Names of the known tests as people write them (folded: :func:`_fold`) -> key.
_NAMES = {
    "toeic": "toeic", "toeiclr": "toeic", "toeiclistening&reading": "toeic", "toeiclisteningandreading": "toeic",
    "토익": "toeic",
    "toeicspeaking": "toeic-speaking", "toeics": "toeic-speaking", "토익스피킹": "toeic-speaking",
    "opic": "opic", "actflopic": "opic", "오픽": "opic", "opicenglish": "opic", "opic영어": "opic",
    "toefl": "toefl-ibt", "toeflibt": "toefl-ibt", "토플": "toefl-ibt",
    "toeflitp": "toefl-itp",
    "teps": "teps", "newteps": "teps", "텝스": "teps",
    "ielts": "ielts", "ieltsacademic": "ielts", "ieltsgeneraltraining": "ielts", "아이엘츠": "ielts",
    "jlpt": "jlpt", "일본어능력시험": "jlpt",
    "hsk": "hsk", "한어수평고시": "hsk", "신hsk": "hsk",
    "jpt": "jpt",
}


def _fold(name: str) -> str:
    """A test name compared: NFKC, case folded, without white space, hyphens and dots."""
    return re.sub(r"[\s\-_.·]+", "", unicodedata.normalize("NFKC", name).casefold())


def known_test(names: list[str]) -> KnownTest | None:
    """The known test one of ``names`` (a test's texts in its languages, markup removed)
    names, else ``None``."""
    for name in names:
        key = _NAMES.get(_fold(name))
        if key:
            return KNOWN_TESTS[key]
    return None


def score_problem(test: KnownTest, score: str) -> str | None:
    """Why ``score`` is not a score of ``test`` (a sentence naming the form), or ``None``."""
    if test.check(score.strip()):
        return None
    return f"'{score}' is not a {test.name} score: write {test.form}; it is printed as written"


def expiry_of(test: KnownTest | None, date: PartialDate | None, expires: PartialDate | None) -> PartialDate | None:
    """When a score stops counting: ``expires`` when given, else the test date plus the
    test's validity (at the test date's precision), else ``None`` (no expiry, or unknown)."""
    if expires is not None:
        return expires
    if test is None or test.valid_years is None or date is None or date.present:
        return None
    return add_years(date, test.valid_years)


def is_expired(expiry: PartialDate, today: _dt.date | None = None) -> bool:
    """Every day ``expiry`` may mean is before ``today`` (a score counts through its expiry)."""
    return last_day(expiry) < (today or _dt.date.today())


def section_warnings(doc: Any, profile: Any, today: _dt.date | None = None) -> list:
    """Warnings about the military service and language test entries of a validated
    ``profile`` (read from the loaded ``doc``, a :class:`cvtex.schema.loader.Document`), as
    :class:`cvtex.diagnostics.Diagnostic` at the field:

    * a language test score past its expiry (:func:`expiry_of`, :func:`is_expired`): at the
      entry's ``expires`` when it has one, else at its test date, saying when it expired;
    * a ``serving`` entry whose expected discharge date (``end``) has passed: at ``end``."""
    from cvtex.diagnostics import field_path

    out = []
    for i, section in enumerate(profile.sections):
        for j, entry in enumerate(section.entries):
            loc: tuple = ("sections", i, "entries", j)
            if section.kind == "language-tests":
                expiry = entry.expiry
                if expiry is None or not is_expired(expiry, today):
                    continue
                at = "expires" if entry.expires is not None else next(
                    name for name in ("date", "end", "start") if getattr(entry, name) is not None)
                rule = "its 'expires'" if entry.expires is not None else (
                    f"{entry.known.name} scores count for {entry.known.valid_years} years from the test date")
                out.append(doc.diagnostic(loc + (at,), f"this {entry.known.name if entry.known else 'test'} score "
                                          f"expired {'on' if expiry.day else 'in'} {expiry} ({rule}): employers may not accept it; take the "
                                          "test again, or remove the entry", severity="warning",
                                          field_name=field_path(loc + (at,))))
            elif section.kind == "military" and entry.status == "serving" and entry.end is not None \
                    and not entry.end.present and last_day(entry.end) < (today or _dt.date.today()):
                out.append(doc.diagnostic(loc + ("end",), f"the expected discharge date {entry.end} has passed: "
                                          "if the service is over, write status: served", severity="warning",
                                          field_name=field_path(loc + ("end",))))
    return out
