"""Letters in a profile: cover letters and 자기소개서 (self-introductions), one per application.

A profile's ``letters:`` is a list of letters, each with a unique ``id`` (an application, and
later an application target, names its letter by it) and a ``kind``::

    letters:
      - id: example-corp                 # lowercase letters, digits and '-'
        kind: cover-letter
        locales: [en]                    # default: the profile's locales
        recipient: {name, title, organization, address: [line, …]}
        date: 2026-03-02
        subject: Backend Engineer, Payments
        salutation: Dear Ms. Park,
        paragraphs: [Text with **markup** and [links](https://…), …]
        closing: Sincerely,
        signature: Jiwoo Han             # default: header.name
      - id: example-corp-ko
        kind: self-introduction          # 자기소개서
        locales: [ko]
        company: 예시주식회사
        position: 백엔드 엔지니어
        questions:
          - question: 성장과정을 기술해 주십시오.
            answer: [첫 문단, 둘째 문단]    # paragraphs, pasted joined by a line break
            limit: {count: 500, rule: with_spaces}

The sender block of a cover letter is the profile's ``header``: a letter has no sender fields,
so it never disagrees with the CV. A letter's texts need to be given only in the letter's
``locales`` (an English cover letter and a Korean 자기소개서 are different documents, not
translations); a text in a locale the letter does not declare is an error
(:mod:`cvtex.schema.validation`).

An answer is counted by :func:`cvtex.schema.counting.count` — the one counting function — on
:func:`cvtex.schema.counting.pasted_text`, exactly what is pasted into the company's form.
:meth:`SelfIntroduction.counts` gives an :class:`AnswerCount` per question and locale; validation
makes an answer over its limit an error and one under :data:`FILL` of it a warning.

Letter paragraphs (:data:`LetterParagraph`) are :data:`~cvtex.schema.text.Paragraph` text that
must also survive that pasting: markup cvtex does not read (:func:`unstrippable`: HTML tags and
entities, code spans, images, ``_underscore_`` emphasis, an unpaired ``*``) would be pasted and
counted as written, so it is an error.
"""

# No ``from __future__ import annotations``: see cvtex/schema/base.py.
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from cvtex.schema import markup
from cvtex.schema.base import Model, at_field, by_kind, field
from cvtex.schema.counting import RULES, CountRule, count, pasted_text
from cvtex.schema.dates import Date
from cvtex.schema.text import MAX_PARAGRAPH, LocaleCode, Text, _check_paragraph, _localized, _problem

#: The kinds of letter: a cover letter, and a 자기소개서 (self-introduction: answers to a
#: company's questions, each with a length limit).
LETTER_KINDS = ("cover-letter", "self-introduction")

#: An answer filled to less than this share of its limit is a warning. Job-site advice: JobKorea
#: ("자소서 글자수는 얼마나 채워야 적당할까?", 2017-03-13: "보통 80~90% 정도를 채우면 적당하다 …
#: 최소한의 성의") and getjob.co.kr ("자기소개서 작성분량 맞추어 쓰기": 700자를 넘으면 "정해진
#: 분량의 85%∼90% 정도", shorter limits filled nearly full); docs/letters.md links both.
FILL = 0.85

#: A letter id: what a section id is (lowercase letters, digits and '-', a letter first).
ID_PATTERN = r"^[a-z][a-z0-9-]*$"

# ---------------------------------------------------------------------------- markup

#: A backslash escape (CommonMark §2.4): the escaped character is printed as written, so it
#: is not markup to strip.
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
#: Markup-looking text cvtex's inline markup (cvtex.schema.markup) does not read: pasted and
#: counted as written. (what, pattern, hint)
_FOREIGN = (
    ("an image", re.compile(r"!\[[^\]]*\]\([^)]*\)"), "a form takes text only; remove it"),
    ("HTML", re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>"),
     "use **bold** and *italic*, or write \\< for a literal '<'"),
    ("an HTML entity", re.compile(r"&(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);"),
     "write the character itself, or \\& for a literal '&'"),
    ("a code span", re.compile(r"`[^`]+`"), "remove the backticks, or write \\` for a literal one"),
    ("_underscore_ emphasis", re.compile(r"(?<![\w\x00])_[^_\s](?:[^_]*[^_\s])?_(?!\w)"),
     "cvtex reads *italic* and **bold** only; write \\_ for a literal underscore"),
)


def unstrippable(text: str) -> tuple[str, str] | None:
    """``(message, character)`` for the first markup in ``text`` that
    :func:`cvtex.schema.markup.plain` does not remove, though it looks like markup, so that it
    would be pasted and counted as written; ``None`` when there is none. Backslash-escaped
    characters (CommonMark §2.4) are literal on purpose and never reported.

    Reported: an image ``![..](..)``, an HTML tag, an HTML entity, a code span (backticks),
    ``_underscore_`` emphasis (CommonMark emphasis, which cvtex reads with ``*`` only: see
    :mod:`cvtex.schema.markup`) and a ``*`` left over after the bold and italic marks are
    removed (an unpaired mark)."""
    source = _ESCAPE.sub("\x00", text)
    for what, pattern, hint in _FOREIGN:
        found = pattern.search(source)
        if found:
            shown = found.group(0) if len(found.group(0)) <= 20 else found.group(0)[:19] + "…"
            message = f"{what} ('{shown}') is not markup cvtex reads, so it would be pasted and counted as written; "
            return message + hint, found.group(0)[0]
    # a '*' left after the marks are read, next to a word (not " * " between spaces, which
    # CommonMark keeps as written and the writer meant as written); escaped ones are kept out
    left = markup.plain(text.replace("\\*", "\x00"))
    if re.search(r"\S\*|\*\S", left.replace("\x00", " ")):
        message = ("a '*' is left over after the **bold** and *italic* marks are removed (an unpaired mark), so "
                   "it would be pasted and counted as written; pair it, or write \\* for an asterisk")
        return message, "*"
    return None


def _check_letter_paragraph(value: Any, info: Any) -> str:
    value = _check_paragraph(value, info)
    problem = unstrippable(value)
    if problem is not None:
        raise _problem("markup", problem[0], problem[1])
    return value


#: A paragraph of a letter: :data:`~cvtex.schema.text.Paragraph`, and no markup that pasting
#: cannot strip (:func:`unstrippable`).
LetterParagraph = TypeAliasType("LetterParagraph", _localized(_check_letter_paragraph, MAX_PARAGRAPH))


# ---------------------------------------------------------------------------- limits

def _count_value(value: Any) -> Any:
    """A limit's ``count``: a whole number above zero, written as digits (YAML keeps every
    scalar a string: cvtex.schema.loader)."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and re.fullmatch(r"[0-9]+", text):
        text = int(text)
    if not isinstance(text, int) or isinstance(text, bool) or text < 1:
        raise PydanticCustomError("limit_count", "{message}", {
            "message": f"'{value}' is not a limit: write a whole number above zero with digits only, e.g. 500 "
                       "(no thousands separator, no unit)"})
    return text


def _rule_value(value: Any) -> Any:
    """A limit's ``rule``: one of :data:`cvtex.schema.counting.RULES`, with "did you mean"."""
    if isinstance(value, str) and value in RULES:
        return value
    from cvtex.schema.positions import did_you_mean  # on an error only; positions imports the models

    hint = did_you_mean(str(value).replace(" ", "_").replace("-", "_"), RULES) if isinstance(value, str) else ""
    raise PydanticCustomError("limit_rule", "{message}", {
        "message": f"'{value}' is not a counting rule{hint}; the rules: {', '.join(RULES)}"})


Count = Annotated[int, BeforeValidator(_count_value),
                  WithJsonSchema({"type": "integer", "minimum": 1, "description": "A whole number above zero."})]
Rule = Annotated[CountRule, BeforeValidator(_rule_value)]


class Limit(Model):
    """How long an answer may be: ``count`` counted by ``rule`` (:mod:`cvtex.schema.counting`)."""

    count: Count = field("The most the answer may have, counted by rule: the number the company's form gives.",
                         500, 1000)
    rule: Rule = field("How the form counts: " + "; ".join(f"{k}: {v}" for k, v in RULES.items()) + ".",
                       "with_spaces", "without_spaces")


@dataclass(frozen=True)
class AnswerCount:
    """One answer of a 자기소개서 counted in one locale: ``count`` of ``text`` (the
    :func:`~cvtex.schema.counting.pasted_text`) by ``rule`` against ``limit``. ``letter`` and
    ``question`` are indexes into the profile's ``letters`` and the letter's ``questions``;
    ``question_text`` is the question in that locale, markup removed."""

    letter_id: str
    letter: int
    question: int
    locale: str
    question_text: str
    text: str
    count: int
    limit: int
    rule: CountRule

    @property
    def loc(self) -> tuple[str | int, ...]:
        """The answer's location in the profile document."""
        return ("letters", self.letter, "questions", self.question, "answer")

    @property
    def over(self) -> bool:
        return self.count > self.limit

    @property
    def short(self) -> bool:
        """Filled to less than :data:`FILL` of the limit."""
        return self.count < FILL * self.limit

    @property
    def share(self) -> float:
        """``count / limit`` (1.0 = exactly the limit)."""
        return self.count / self.limit


# ---------------------------------------------------------------------------- letters

class Recipient(Model):
    """Whom a cover letter is addressed to; printed above it."""

    name: Text | None = field("The person's name.", "Minji Park", default=None)
    title: Text | None = field("The person's title or role.", "Engineering Manager", default=None)
    organization: Text | None = field("The company or institution.", {"en": "Example Corp.", "ko": "예시주식회사"},
                                      default=None)
    address: list[Text] = field("The postal address, one line per item.", ["12 Example-ro", "Seoul 04524"],
                                default=[])


class LetterBase(Model):
    """What every letter has: ``id``, ``kind`` and the ``locales`` it is written in."""

    id: str = field("Names the letter (`cvtex letter PROFILE --id ID`, and an application that uses it); unique "
                    "among the profile's letters: lowercase letters, digits and '-'.", "example-corp",
                    pattern=ID_PATTERN)
    kind: str
    locales: list[LocaleCode] | None = field(
        "The languages the letter is written in, each one of the profile's locales; its texts need no other "
        "language, and a text in another is an error. Default: the profile's locales.", ["ko"], ["en"],
        default=None, min_length=1)
    blind: Literal["public", "private"] | None = field(
        "The employer hires blind (docs/blind.md): public (a public institution, 블라인드 채용) or private (an "
        "employer of 30 or more, 채용절차법 §4조의3). The letter's own text is then checked for leaks at validate, "
        "and its PDF is rendered from the profile's blind copy in that mode, named "
        "<stem>-letter-<id>-<lang>-blind.pdf. Default: the render's --blind, if any.", "public", default=None)

    @model_validator(mode="after")
    def _unique_locales(self) -> "LetterBase":
        if self.locales is not None and len(set(self.locales)) != len(self.locales):
            raise at_field("locales", "each locale may appear once")
        return self


def _kind(kind: str, what: str) -> Any:
    return field(f"The letter kind: {kind} ({what}).", kind)


class CoverLetter(LetterBase):
    """A cover letter. The sender block is the profile's ``header`` (name, contact), so a
    letter has no sender fields."""

    kind: Literal["cover-letter"] = _kind("cover-letter", "a cover letter")
    recipient: Recipient | None = field("Whom the letter is addressed to.",
                                        {"name": "Minji Park", "organization": "Example Corp."}, default=None)
    date: Date | None = field("The letter's date: YYYY-MM-DD (or YYYY-MM).", "2026-03-02", default=None)
    subject: Text | None = field("The position applied for, or the letter's subject.",
                                 "Application: Backend Engineer, Payments", default=None)
    salutation: Text | None = field("The greeting before the paragraphs.", "Dear Ms. Park,", default=None)
    paragraphs: list[LetterParagraph] = field(
        "The letter's body, one paragraph per item, with inline markup and links as in other text.",
        ["I am writing to apply for the **Backend Engineer** position."], min_length=1)
    closing: Text | None = field("The words before the signature.", "Sincerely,", default=None)
    signature: Text | None = field("The name signed under the letter. Default: header.name.", "Jiwoo Han",
                                   default=None)

    @model_validator(mode="after")
    def _dated(self) -> "CoverLetter":
        if self.date is not None and self.date.present:
            raise at_field("date", "a letter's date is a day, not 'present': write YYYY-MM-DD")
        return self


class Question(Model):
    """One question of a 자기소개서: the question, the answer, and the form's limit."""

    question: Text = field("The question as the form asks it.",
                           {"ko": "성장과정을 기술해 주십시오.", "en": "Describe your background."})
    answer: list[LetterParagraph] = field(
        "The answer, one paragraph per item; pasted with a line break between paragraphs and counted exactly "
        "so (cvtex letter prints it).", ["저는 …"], min_length=1)
    limit: Limit = field("The form's limit on the answer.", {"count": 500, "rule": "with_spaces"})


class SelfIntroduction(LetterBase):
    """A 자기소개서: a company's questions with their answers, each answer counted against
    its limit by validation."""

    kind: Literal["self-introduction"] = _kind("self-introduction", "자기소개서")
    company: Text = field("The company that asks the questions.", {"ko": "예시주식회사", "en": "Example Corp."})
    position: Text | None = field("The position applied for.", {"ko": "백엔드 엔지니어", "en": "Backend Engineer"},
                                  default=None)
    questions: list[Question] = field("The form's questions, in its order.",
                                      [{"question": "지원동기", "answer": ["…"],
                                        "limit": {"count": 500, "rule": "without_spaces"}}], min_length=1)

    def counts(self, index: int, locales: list[str] | tuple[str, ...]) -> list[AnswerCount]:
        """Every answer counted in each of ``locales`` (the letter's locales:
        :meth:`cvtex.schema.models.Profile.letter_locales`); ``index`` is the letter's index in
        the profile's ``letters``."""
        fallback = tuple(locales)
        out = []
        for code in locales:
            for j, q in enumerate(self.questions):
                text = pasted_text([p.get(code, fallback) for p in q.answer])
                out.append(AnswerCount(self.id, index, j, code, markup.plain(q.question.get(code, fallback)), text,
                                       count(text, q.limit.rule), q.limit.count, q.limit.rule))
        return out


LETTER_MODELS: dict[str, type[LetterBase]] = {"cover-letter": CoverLetter, "self-introduction": SelfIntroduction}


#: One letter of a profile; its ``kind`` picks the model (an unknown kind is one error).
Letter = by_kind(LETTER_MODELS, "letter_kind")
