"""Blind hiring: the profile without what an employer may not receive, and the lint that finds
those facts in free text (``cvtex render --blind MODE``, ``cvtex validate --blind MODE``).

Two modes (:data:`BLIND_MODES`), each with the rule it follows (docs/blind.md cites them):

``private`` — 채용절차의 공정화에 관한 법률 (채용절차법) 제4조의3 (in force since 2019-07-17;
  employers with 30 or more staff, §3): an employer may not ask for, in the 응시원서, 이력서 or
  자기소개서, what the job does not need of

  1. the applicant's physical conditions: 용모 (appearance), 키 (height), 체중 (weight) …;
  2. the applicant's 출신지역 (where they come from), 혼인여부 (marital status), 재산 (wealth);
  3. the education, occupation and wealth of the applicant's 직계 존비속 (parents,
     grandparents, children) and 형제자매 (siblings).

  The blind copy leaves out ``header.photo`` (it shows the 용모 of item 1; the statute does not
  name photos, and the Ministry's reading is that one may be asked for to identify the applicant:
  cvtex leaves it out all the same, it carries nothing the job needs) and ``header.hometown``
  (출신지역; the current address is not 출신지역 in the Ministry's reading, so ``address`` stays).
  A birth date is not in the statute's list: it stays. The profile has no field for items 2
  (marital status, wealth) and 3: the lint looks for them in text.

``public`` — 공공기관 블라인드 채용 (the government's public-sector blind hiring guideline,
  2017-07-05, 고용노동부 and others; public institutions from July 2017, local public
  enterprises from August 2017): application forms have no photo, no school record (학력: school
  names; degree and major may be asked), no 출신지역, no family relations (가족관계), no physical
  conditions; a school or region revealed in free text can fail the applicant. Public
  institutions with 30 or more staff are also employers under 채용절차법 (§3 exempts only the
  state and local governments hiring civil servants), so ``public`` forbids everything
  ``private`` does, and in addition the blind copy leaves out ``header.birth_date`` (the
  guideline asks for the personal data the job needs only; the 2017 coverage does not list a
  birth date by name), every part of ``header.address`` after its city (:func:`address_city`),
  and each education entry's ``institution``, ``location`` and ``url`` (they name the school;
  ``degree``, ``area``, dates, score, thesis, courses and highlights stay). ``name_hanja``
  stays: a Hanja name says nothing the rules list.

The lint (:func:`blind_leaks`) reports, as errors at the character where each starts: in both
modes the profile's ``hometown`` and the words of :data:`FORBIDDEN` (physical data, marital
status, wealth, family members' education, jobs or wealth, where-I-come-from phrases); in
``public`` also the names of the schools in the profile's education entries and the birth year.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cvtex.diagnostics import Diagnostic, field_path, source_line
from cvtex.schema import markup
from cvtex.schema.loader import Document, Loc
from cvtex.schema.text import LocalizedText, clean_text

#: The blind modes, in the order the docs list them.
BLIND_MODES = ("public", "private")

#: What each mode's rule is called in messages.
RULES = {
    "public": "public-sector blind hiring (공공기관 블라인드 채용, 2017)",
    "private": "채용절차법 §4조의3",
}

#: What each mode leaves out of the profile (:func:`blind_profile`), as field paths; for the docs
#: and the tests. ``sections[].entries[]`` are the entries of ``education`` sections.
REMOVED = {
    "public": ("header.photo", "header.birth_date", "header.hometown", "header.address (after its city)",
               "education: sections[].entries[].institution", "education: sections[].entries[].location",
               "education: sections[].entries[].url"),
    "private": ("header.photo", "header.hometown"),
}


def check_blind_mode(mode: Any) -> str:
    """``mode`` when it is one of :data:`BLIND_MODES`; else ``ValueError`` naming the modes (and
    the nearest one: "did you mean")."""
    if isinstance(mode, str) and mode in BLIND_MODES:
        return mode
    from cvtex.schema.positions import did_you_mean

    hint = did_you_mean(mode, BLIND_MODES) if isinstance(mode, str) else ""
    raise ValueError(f"'{mode}' is not a blind mode{hint}; the modes are {', '.join(BLIND_MODES)}")


# ---------------------------------------------------------------------------- the blind copy

#: Trailing parts of an English address that are the country, not a city (compared casefolded).
_COUNTRIES = {"korea", "south korea", "republic of korea", "rok", "s. korea", "대한민국", "한국"}
_HANGUL = re.compile(r"[가-힣]")


def address_city(text: str) -> str:
    """The city (시·도) of a postal address, what ``--blind public`` keeps of it:

    * written the Korean way (it starts with a Hangul syllable): the part before the first
      space or comma — ``서울특별시 마포구 월드컵북로 1`` -> ``서울특별시``;
    * else, the English way (smallest part first): the last comma-separated part that is not a
      country (Korea, South Korea, Republic of Korea, 대한민국), without a postal code (a word of
      four or more digits and dashes) — ``Mapo-gu, Seoul`` -> ``Seoul``; ``1 Example-ro, Mapo-gu, Seoul 04524, South
      Korea`` -> ``Seoul``.

    Markup is removed first. '' when nothing is left (``04524``), or when that part is a
    district, neighbourhood or street (``Seoul, Mapo-gu``, ``123 Main St, Apt 4``)."""
    text = markup.plain(text).strip()
    if _HANGUL.match(text):
        return re.split(r"[\s,]", text, maxsplit=1)[0]
    parts = [p.strip() for p in text.split(",") if p.strip()]
    while len(parts) > 1 and parts[-1].casefold() in _COUNTRIES:
        parts.pop()
    last = " ".join(w for w in (parts[-1] if parts else "").split() if not re.fullmatch(r"[0-9][0-9-]{3,}", w))
    # a district, a neighbourhood or a street is not a city: better nothing than more than the city
    return "" if re.search(r"-(gu|dong|ro|gil|eup|myeon|ri)$|[0-9]", last, re.I) else last


def _city(address: LocalizedText | None) -> LocalizedText | None:
    if address is None:
        return None
    cities = {code: address_city(text) for code, text in address.values.items()}
    cities = {code: city for code, city in cities.items() if city}
    return LocalizedText(cities) if cities else None


def blind_profile(profile: Any, mode: str) -> Any:
    """A copy of the validated :class:`~cvtex.schema.models.Profile` ``profile`` without what
    ``mode`` (one of :data:`BLIND_MODES`) forbids (module doc, :data:`REMOVED`); the profile
    itself is not changed (models are frozen; copies share the unchanged parts).

    An education entry's ``institution`` becomes ``None`` in ``public`` mode (the model requires
    it: the copy is made with ``model_copy``, which does not validate): themes print the degree
    and area where the school would be. Raises ``ValueError`` for an unknown mode
    (:func:`check_blind_mode`)."""
    mode = check_blind_mode(mode)
    removed: dict[str, Any] = {"photo": None, "hometown": None}
    if mode == "private":
        return profile.model_copy(update={"header": profile.header.model_copy(update=removed)})
    removed |= {"birth_date": None, "address": _city(profile.header.address)}
    sections = [section.model_copy(update={"entries": [
        entry.model_copy(update={"institution": None, "location": None, "url": None}) for entry in section.entries]})
        if section.kind == "education" else section for section in profile.sections]
    return profile.model_copy(update={"header": profile.header.model_copy(update=removed), "sections": sections})


# ---------------------------------------------------------------------------- forbidden words

@dataclass(frozen=True)
class Forbidden:
    """Words a rule forbids: ``what`` they tell (for the message), ``pattern`` (on text with
    markup removed), and what each mode's rule calls it (``private``: the item of §4조의3)."""

    what: str
    pattern: re.Pattern[str]
    private: str
    public: str
    #: with ``family``: the pattern finds a family member, and a word of :data:`_FAMILY_CONTEXT`
    #: must be in the same sentence for it to count
    family: bool = False


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_NB = r"(?<![가-힣])"  # not right after a Hangul syllable (a word's start)
_PHYSICAL = ("item 1 (physical conditions: 용모·키·체중)", "physical conditions (신체조건)")
_ORIGIN = ("item 2 (출신지역)", "출신지역")
_MARRIED = ("item 2 (혼인여부)", "family relations (가족관계)")
_WEALTH = ("item 2 (재산)", "wealth (재산)")
_FAMILY = ("item 3 (family members' 학력·직업·재산)", "family relations (가족관계)")

#: The words the lint reports in both modes, each with the rule that forbids it. Kept narrow on
#: purpose (tests/test_blind.py checks ordinary CV sentences do not trip them): a height or a
#: weight only with its number and unit, marital status only by its words, a family member only
#: with an education, job or wealth word in the same sentence.
FORBIDDEN: tuple[Forbidden, ...] = (
    Forbidden("a height", _re(_NB + r"(?:키|신장)\s*(?:는|은|가|이|:)?\s*[0-9]{3}(?:\.[0-9]+)?\s*(?:cm|㎝|센티)"),
              *_PHYSICAL),
    Forbidden("a height", _re(r"\b(?:height|tall)\b:?\s*(?:of\s*)?[0-9]{3}(?:\.[0-9]+)?\s?cm\b"
                              r"|\b[0-9]{3}(?:\.[0-9]+)?\s?cm\s+tall\b"), *_PHYSICAL),
    Forbidden("a weight", _re(_NB + r"(?:체중|몸무게)\s*(?:는|은|이|:)?\s*[0-9]{2,3}(?:\.[0-9]+)?\s*(?:kg|㎏|킬로)"),
              *_PHYSICAL),
    Forbidden("a weight", _re(r"\bweigh(?:t|s|ing)?\b:?\s*[0-9]{2,3}(?:\.[0-9]+)?\s?(?:kg|lbs?|pounds)\b"),
              *_PHYSICAL),
    Forbidden("a blood type", _re(r"혈액형|\bblood type\b"), *_PHYSICAL),
    Forbidden("marital status", _re(_NB + r"(?:기혼|미혼)(?!모)|(?:결혼|혼인)\s*(?:여부|상태|했|하였|하여|해서|하고|생활)"
                                    + r"|" + _NB + r"(?:배우자|아내|남편)(?![가-힣])|" + _NB
                                    + r"(?:배우자|아내|남편)(?=[은는이가와과의를도])"), *_MARRIED),
    Forbidden("marital status", _re(r"\b(?:married|unmarried|divorced|widowed|spouse|marital status)\b"
                                    r"|\bmy (?:wife|husband)\b"), *_MARRIED),
    Forbidden("wealth", _re(r"(?<!지적)(?<!지적 )재산(?!권)|(?:아파트|주택|부동산|건물)\s*(?:을|를)?\s*(?:소유|보유)"),
              *_WEALTH),
    Forbidden("wealth", _re(r"\bnet worth\b|\bown(?:s|ed)? (?:a|an|my|our) (?:house|home|apartment|building)\b"),
              *_WEALTH),
    Forbidden("where you come from", _re(r"고향|출신\s*지역|출생지|본적|(?:태어나고|태어나|나고)\s*자란"), *_ORIGIN),
    Forbidden("where you come from", _re(r"\bhometown\b|\bborn and raised\b|\bnative of\b"
                                         r"|\b(?:grew up|born) in (?=(?-i:[A-Z]))"), *_ORIGIN),
    Forbidden("a family member's education, job or wealth",
              _re(_NB + r"(?:부모님|아버지|어머니|아버님|어머님|아빠|엄마|부친|모친|형님|누나|오빠|언니|남동생|여동생|동생"
                        r"|형제|자매(?!회사|결연|사|기관|학교)|할아버지|할머니|조부모)"),
              *_FAMILY, family=True),
    Forbidden("a family member's education, job or wealth",
              _re(r"\b(?:my|our) (?:late )?(?:father|mother|parents|dad|mom|brother|sister|siblings?|grandfather"
                  r"|grandmother|grandparents|son|daughter)\b"), *_FAMILY, family=True),
)

#: Education, job and wealth words that make a family member a leak (same sentence).
_FAMILY_CONTEXT = _re(
    r"직업|학력|재산|직장|교수|의사|약사|변호사|판사|공무원|교사|선생님|교직|사업|자영업|회사원|대기업|임원|대표|사장|군인|경찰"
    r"|졸업|대학|박사|석사|학사|부자|재력|자산|건물주|연봉|월급|소득|재직|근무|운영|종사"
    r"|\b(?:profession|occupation|job|works?|worked|working|professor|doctor|physician|lawyer|judge|teacher"
    r"|civil servant|business\w*|CEO|executive|engineer|officer|graduated?|degree|university|college|PhD"
    r"|wealth\w*|rich|income|salary|property|owns?|owned)\b")
_SENTENCE_END = re.compile(r"[.!?。]\s|[.!?。]$")


def _in_sentence_with_context(text: str, start: int) -> bool:
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    end_match = _SENTENCE_END.search(text, start)
    end = end_match.start() + 1 if end_match else len(text)
    return _FAMILY_CONTEXT.search(text, begin, end) is not None


# ---------------------------------------------------------------------------- the profile's own terms

_KO_SHORT = (("대학교", "대"), ("고등학교", "고"), ("중학교", "중"))
_LATIN = re.compile(r"[A-Za-z0-9]")


def school_names(text: str) -> list[str]:
    """The names a school's ``institution`` text is found by: the name (markup removed) and,
    for a Korean name ending in 대학교, 고등학교 or 중학교 with at least two syllables before it,
    its short form (연세대학교 -> 연세대, 양영디지털고등학교 -> 양영디지털고)."""
    name = markup.plain(text).strip()
    out = [name]
    for suffix, short in _KO_SHORT:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2 and _HANGUL.search(name[-len(suffix) - 1]):
            out.append(name[: -len(suffix)] + short)
    return out


def _term_pattern(term: str) -> re.Pattern[str]:
    """``term`` as written, white space as any white space, Latin letters in any case; a Latin
    start or end must not touch another letter or digit, a Hangul start not another syllable
    (Korean particles follow a word directly, so a Hangul end may)."""
    body = r"\s+".join(re.escape(w) for w in term.split())
    before = r"(?<![A-Za-z0-9])" if _LATIN.match(term[0]) else (_NB if _HANGUL.match(term[0]) else "")
    after = r"(?![A-Za-z0-9])" if _LATIN.match(term[-1]) else ""
    return re.compile(before + body + after, re.IGNORECASE)


def _year_patterns(year: int) -> re.Pattern[str]:
    """A birth year as a year token: ``1994`` (not inside a longer number), ``94년생``,
    ``94년 출생``, ``94년도생``, ``born in '94``."""
    yy = f"{year % 100:02d}"
    born = r"\s*년\s*(?:도\s*)?(?:생|출생)"
    return re.compile(rf"(?<![0-9]){year}(?![0-9])(?:{born})?|(?<![0-9]){yy}{born}"
                      rf"|\bborn in ['’]{yy}(?![0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class _Term:
    """A fact of the profile the lint looks for: ``pattern``, the message's ``what`` and ``rule``."""

    pattern: re.Pattern[str]
    what: str
    rule: str
    skip_places: bool = False  # not in ``location`` fields (a place of work or study)


def _profile_terms(doc: Document, profile: Any, mode: str) -> list[_Term]:
    terms: list[_Term] = []
    header = profile.header
    if header.hometown is not None:
        for text in dict.fromkeys(markup.plain(t).strip() for t in header.hometown.all()):
            terms.append(_Term(_term_pattern(text), "'{}' is the profile's hometown (header.hometown)",
                               f"{RULES[mode]} forbids "
                               + (_ORIGIN[0] if mode == "private" else f"{_ORIGIN[1]} (so does 채용절차법 §4조의3, "
                                                                       f"{_ORIGIN[0]})"), skip_places=True))
    if mode != "public":
        return terms
    if header.birth_date is not None:
        terms.append(_Term(_year_patterns(header.birth_date.year), "'{}' is the birth year (header.birth_date)",
                           f"{RULES[mode]} leaves the birth date out"))
    for i, section in enumerate(profile.sections):
        if section.kind != "education":
            continue
        for j, entry in enumerate(section.entries):
            where = field_path(("sections", i, "entries", j, "institution"))
            for text in dict.fromkeys(n for t in entry.institution.all() for n in school_names(t)):
                terms.append(_Term(_term_pattern(text), f"'{{}}' names a school of the profile's education ({where})",
                                   f"{RULES[mode]} forbids school names (학력: degree and major are kept)"))
    return terms


# ---------------------------------------------------------------------------- the lint

def _linted(doc: Document, mode: str) -> Iterator[tuple[Loc, str]]:
    """``(loc, text)`` for every text value the lint reads: each locale's string of every
    :data:`~cvtex.schema.text.Text` field of the document (a localized text's string at
    ``loc + (code,)``), except the fields that are not the applicant's free text or that the
    blind copy leaves out: ``header`` name, location, address and hometown; section titles and
    ``summary_title``; a letter's recipient, company, position and questions (the employer's
    words); and, in ``public`` mode, an education entry's institution and location."""
    from cvtex.schema.validation import text_values

    sections = doc.data.get("sections") if isinstance(doc.data, dict) else None
    for loc, value in text_values(doc.data):
        if loc[:1] == ("header",) and loc[1:2] in (("name",), ("location",), ("address",), ("hometown",)):
            continue
        if loc == ("summary_title",) or (len(loc) == 3 and loc[0] == "sections" and loc[2] == "title"):
            continue
        if loc[:1] == ("letters",) and any(k in loc for k in ("recipient", "company", "position", "question")):
            continue
        if (mode == "public" and len(loc) == 5 and loc[0] == "sections" and loc[4] in ("institution", "location")
                and isinstance(sections, list) and isinstance(sections[loc[1]], dict)
                and sections[loc[1]].get("kind") == "education"):
            continue
        items = value.items() if isinstance(value, dict) else [((), value)]
        for code, text in items:
            if isinstance(text, str):
                yield (loc + (code,) if code != () else loc), text


def blind_leaks(doc: Document, profile: Any, mode: str) -> list[Diagnostic]:
    """Errors for what free text tells that ``mode`` forbids (module doc): each at the
    ``file:line:col`` of the character where the leaking words start (the start of the value
    when the source cannot be matched: an escape sequence in a double-quoted string), with
    the field path and a message saying what it tells and which rule forbids it. Reads the
    text with markup removed (a link's text, not its URL); ``doc`` is the document ``profile``
    was validated from. In document order. Raises ``ValueError`` for an unknown mode."""
    mode = check_blind_mode(mode)
    terms = _profile_terms(doc, profile, mode)
    out: list[Diagnostic] = []
    for loc, raw in _linted(doc, mode):
        try:
            text = markup.plain(clean_text(raw))
        except ValueError:
            continue
        found: list[tuple[int, int, str]] = []
        place = any(part == "location" for part in loc if isinstance(part, str))
        for term in terms:
            if term.skip_places and place:
                continue
            for m in term.pattern.finditer(text):
                found.append((m.start(), m.end(), f"{term.what.format(m.group(0))}: {term.rule}"))
        for rule in FORBIDDEN:
            for m in rule.pattern.finditer(text):
                if rule.family and not _in_sentence_with_context(text, m.start()):
                    continue
                forbids = (f"forbids {rule.private}" if mode == "private" else
                           f"forbids {rule.public} (so does 채용절차법 §4조의3, {rule.private})")
                found.append((m.start(), m.end(), f"'{m.group(0)}' tells {rule.what}: {RULES[mode]} {forbids}"))
        end = -1
        for start, stop, message in sorted(found, key=lambda f: (f[0], -f[1])):
            if start < end:  # inside a longer leak already reported (연세대학교 / 연세대)
                continue
            end = stop
            out.append(_at(doc, loc, text, start, stop, message + "; rewrite it (a blind copy prints this text as written)"))
    return out


_LETTER_FIELD = re.compile(r"letters\[(\d+)\]")


def _letter_mode(profile: Any, field: str) -> str | None:
    """The ``blind`` mode of the letter whose field ``field`` is (``letters[2].paragraphs[0]``),
    or ``None`` for a field outside the letters and a letter without a mode of its own."""
    found = _LETTER_FIELD.match(field)
    return profile.letters[int(found.group(1))].blind if found else None


def render_leaks(doc: Document, profile: Any, mode: str) -> list[Diagnostic]:
    """What ``--blind mode`` refuses (:func:`blind_leaks`), but in a letter with a ``blind``
    mode of its own: that letter is rendered and checked (:func:`letter_leaks`) in its own mode."""
    return [d for d in blind_leaks(doc, profile, mode) if _letter_mode(profile, d.field) in (None, mode)]


def letter_leaks(doc: Document, profile: Any) -> list[Diagnostic]:
    """The leaks (:func:`blind_leaks`) in the own text of each letter that has a ``blind`` mode,
    in that mode: a letter to an employer that hires blind is checked at every validate, not
    only with ``--blind``. ``doc`` is the document ``profile`` was validated from."""
    modes = sorted({letter.blind for letter in profile.letters if letter.blind is not None})
    return [d for mode in modes for d in blind_leaks(doc, profile, mode) if _letter_mode(profile, d.field) == mode]


def _at(doc: Document, loc: Loc, text: str, start: int, stop: int, message: str) -> Diagnostic:
    """The error at the source character where ``text[start:stop]`` (``text``: the value as
    read, markup removed) starts: the same occurrence of those words in the value's source
    (their n-th, skipping link targets), white space, ``*`` and ``[ ]`` allowed between words."""
    diagnostic = doc.diagnostic(loc, message, field_name=field_path(loc))
    span = doc.spans.get(tuple(loc))
    if span is None:
        return diagnostic
    words = text[start:stop].split()
    loose = re.compile(r"(?:\s|\*|\[|\])+".join(re.escape(w) for w in words), re.IGNORECASE)
    nth = sum(1 for m in loose.finditer(text) if m.start() < start)
    source = doc.text[span[0]:span[1]]
    targets = [(m.start(), m.end()) for m in re.finditer(r"\]\([^)]*\)", source)]
    hits = [m.start() for m in loose.finditer(source) if not any(a <= m.start() < b for a, b in targets)]
    if not hits:
        return diagnostic
    pos = doc.position_of(span[0] + hits[min(nth, len(hits) - 1)])
    return dataclasses.replace(diagnostic, line=pos.line, column=pos.column,
                               source_line=source_line(doc.text, pos.line))
