"""The one-language view of a letter (:func:`localize_letter`): what a theme's
``letter.tex.j2`` prints, and what the link check compares with a letter's PDF.

A letter's view has the CV's header (:class:`cvtex.localize.view.Header`, from the same
profile, so sender and CV never disagree) and the letter's own fields as
:class:`~cvtex.localize.text.Text` in the requested locale, each knowing its field
(``letters[1].questions[0].answer[1]``). Texts fall back through the letter's locales (its
``locales``, else the profile's). A 자기소개서 question carries its answer's count by the
one counting function (:meth:`cvtex.schema.letters.SelfIntroduction.counts`) and the count
line the locale prints under the question (``612/700자 (공백 포함)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cvtex.localize.locale import Locale, get_locale
from cvtex.localize.text import Text
from cvtex.schema import Design, LocalizedText, markup

_view = dataclass(frozen=True, slots=True, kw_only=True, eq=False)


@_view
class Recipient:
    """Whom a cover letter is addressed to (``address``: one text per line)."""

    name: Text | None
    title: Text | None
    organization: Text | None
    address: list[Text]


@_view
class Question:
    """One 자기소개서 question as printed: its ``number`` (1-based), ``question``,
    ``answer`` paragraphs, the answer's ``count`` by ``rule`` against ``limit`` and the
    locale's ``count_line``; ``id`` names its destination (``question-<number>``)."""

    number: int
    id: str
    question: Text
    answer: list[Text]
    count: int
    limit: int
    rule: str
    count_line: str


@_view
class LetterView:
    """A letter in one locale.

    Every letter: ``id``, ``kind`` (``cover-letter`` or ``self-introduction``), ``index``
    (in the profile's ``letters``), ``header`` (the profile's, localized), ``document``
    (the locale's name of the kind: "Cover letter", "자기소개서"), ``company`` (the
    organization written to, or ``None``), ``title`` (the PDF's Title: ``document —
    company``, plain text), ``locale``, ``locales`` (the letter's, first = fallback) and
    ``design`` (the profile's overrides).

    A cover letter: ``recipient``, ``date`` (written out:
    :meth:`cvtex.localize.Locale.format_letter_date`), ``subject``,
    ``salutation``, ``paragraphs``, ``closing`` and ``signature`` (``header.name`` when the
    letter gives none). A 자기소개서: ``position`` and ``questions``. Fields of the other
    kind are ``None`` or empty.
    """

    id: str
    kind: str
    index: int
    header: Any  # cvtex.localize.view.Header
    document: str
    company: Text | None
    title: str
    locale: Locale
    locales: list[str]
    design: Design
    recipient: Recipient | None = None
    date: str | None = None
    subject: Text | None = None
    salutation: Text | None = None
    paragraphs: list[Text] = None  # type: ignore[assignment]
    closing: Text | None = None
    signature: Text | None = None
    position: Text | None = None
    questions: list[Question] = None  # type: ignore[assignment]


def localize_letter(profile: Any, index: int, code: str, header: Any) -> LetterView:
    """The letter ``profile.letters[index]`` in locale ``code`` (one of the letter's
    locales: :meth:`cvtex.schema.Profile.letter_locales`), with ``header``: the profile's
    header in that locale (:attr:`cvtex.localize.View.header`).

    Raises ``KeyError`` when cvtex has no locale data for ``code``."""
    locale = get_locale(code)
    letter = profile.letters[index]
    fallback = tuple(profile.letter_locales(letter))
    base = ("letters", index)

    def text(value: LocalizedText | None, *loc: str | int) -> Text | None:
        return None if value is None else Text(value.get(code, fallback), base + loc)

    def texts(values: list[LocalizedText], *loc: str | int) -> list[Text]:
        return [Text(v.get(code, fallback), base + loc + (i,)) for i, v in enumerate(values)]

    document = locale.letters[letter.kind]
    common = dict(id=letter.id, kind=letter.kind, index=index, header=header, document=document,
                  locale=locale, locales=list(fallback), design=profile.design)
    if letter.kind == "cover-letter":
        r = letter.recipient
        recipient = None if r is None else Recipient(
            name=text(r.name, "recipient", "name"), title=text(r.title, "recipient", "title"),
            organization=text(r.organization, "recipient", "organization"),
            address=texts(r.address, "recipient", "address"))
        company = recipient.organization if recipient else None
        signature = text(letter.signature, "signature") or header.name
        return LetterView(**common, company=company, title=_title(locale, document, company),
                          recipient=recipient, date=locale.format_letter_date(letter.date) if letter.date else None,
                          subject=text(letter.subject, "subject"), salutation=text(letter.salutation, "salutation"),
                          paragraphs=texts(letter.paragraphs, "paragraphs"), closing=text(letter.closing, "closing"),
                          signature=signature, questions=[])
    counts = [c for c in letter.counts(index, fallback) if c.locale == code]  # as validate counted them
    questions = [
        Question(number=j + 1, id=f"question-{j + 1}", question=text(q.question, "questions", j, "question"),
                 answer=texts(q.answer, "questions", j, "answer"), count=counted.count, limit=counted.limit,
                 rule=counted.rule,
                 count_line=locale.letters[counted.rule].format(count=f"{counted.count:,}",
                                                               limit=f"{counted.limit:,}"))
        for j, (q, counted) in enumerate(zip(letter.questions, counts))]
    company = text(letter.company, "company")
    return LetterView(**common, company=company, title=_title(locale, document, company), paragraphs=[],
                      position=text(letter.position, "position"), questions=questions)


def _title(locale: Locale, document: str, company: Text | None) -> str:
    """The PDF title: ``Cover letter — Example Bank`` (markup removed); the document's
    name alone without a company."""
    if company is None:
        return document
    return locale.letters["title"].format(document=document, company=markup.plain(company))
