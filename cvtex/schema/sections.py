"""The sections of a profile and their entries: one model per section kind.

A section is ``{kind, id, title, locales, entries}``; ``kind`` chooses the entry model
(:data:`SECTION_MODELS`). Every field is declared with :func:`~cvtex.schema.base.field`, so
its description and example reach the JSON Schema and the profile reference.
"""

# No ``from __future__ import annotations``: see cvtex/schema/base.py.
from typing import Any, ClassVar, Literal

from pydantic import model_validator

from cvtex.schema import korean, markup
from cvtex.schema.base import (
    Dated,
    LinkItem,
    Model,
    at_field,
    by_kind,
    field,
    url_field,
)
from cvtex.schema.dates import Date
from cvtex.schema.text import Doi, LocaleCode, Paragraph, PlainStr, Text, Url

EN_KO_TITLE = {"en": "Senior Engineer", "ko": "선임 엔지니어"}


def _highlights(what: str) -> Any:
    return field(f"Achievements or details of the {what}, one paragraph each, printed as a bulleted list.",
                 ["Cut deploy time **40%**.", {"en": "Led the migration to Kafka.", "ko": "Kafka 전환을 주도."}],
                 default=[])


def _location(what: str) -> Any:
    return field(f"Where the {what} is or was: a city, a country.", {"en": "Seoul", "ko": "서울"}, default=None)


def _summary(what: str) -> Any:
    return field(f"A paragraph about the {what}, printed under it.",
                 "Talked about load shedding in latency-critical services.", default=None)


class RoleProject(Dated):
    """A project done in a role, for the 경력기술서 (career description, ``<stem>-career-<lang>.pdf``):
    what Korean employers ask of an experienced hire per project — its period, the owner's
    role, the team's size, the technologies, what the owner did and the results, with numbers."""

    linked_field: ClassVar[str | None] = "name"

    name: Text = field("The project's name.", {"en": "Payment gateway migration", "ko": "결제 게이트웨이 이전"})
    role: Text | None = field("The owner's role in it.", {"en": "Tech lead", "ko": "기술 리드"}, default=None)
    team_size: int | None = field("How many people worked on it, the owner included.", 6, default=None, ge=1,
                                  le=100000)
    technologies: list[Text] = field("The technologies used, printed as a list.", ["Kotlin", "Kafka"], default=[])
    url: Url | None = url_field("project")
    highlights: list[Paragraph] = field("What the owner did, one paragraph each.",
                                        [{"en": "Designed the idempotent retry layer.",
                                          "ko": "멱등 재시도 계층 설계."}], default=[])
    results: list[Paragraph] = field("What came of it, with numbers where there are any.",
                                     [{"en": "Failed payments down **38%**.", "ko": "결제 실패율 **38%** 감소."}],
                                     default=[])


class Role(Dated):
    """One position held at an organization."""

    title: Text = field("The position's title.", EN_KO_TITLE)
    department: Text | None = field("The department, when it differs from the organization's.",
                                    {"en": "Research Division", "ko": "연구본부"}, default=None)
    team: Text | None = field("The team within the organization.", {"en": "Platform Team", "ko": "플랫폼팀"},
                              default=None)
    location: Text | None = _location("role")
    advisor: Text | None = field("A supervisor to name (research positions), printed after the Advisor label.",
                                 "Prof. Minji Kim", default=None)
    highlights: list[Paragraph] = _highlights("role")
    projects: list[RoleProject] = field("Projects done in the role, newest first: each role with projects "
                                        "makes the render write the 경력기술서 (career description) too.",
                                        [{"name": "Payment gateway migration", "start": "2023-01", "end": "2023-09",
                                          "team_size": 6}], default=[])


class ExperienceEntry(Model):
    """An organization and the roles held there (several roles stay grouped)."""

    linked_field: ClassVar[str | None] = "organization"

    organization: Text = field("The employer or institution.", {"en": "Example Corp", "ko": "예시 주식회사"})
    department: Text | None = field("The department, for every role at the organization.",
                                    {"en": "Cloud Division", "ko": "클라우드 사업부"}, default=None)
    location: Text | None = _location("organization")
    url: Url | None = url_field("organization")
    description: Paragraph | None = field("What the organization does, in a sentence: printed under its name "
                                          "in the 경력기술서 (career description).",
                                          {"en": "Online payments for 40,000 merchants.",
                                           "ko": "가맹점 4만 곳의 온라인 결제 서비스."}, default=None)
    roles: list[Role] = field("The positions held there, newest first; at least one.",
                              [{"title": EN_KO_TITLE, "start": "2022-03", "end": "present"}], min_length=1)


class EducationEntry(Dated):
    """A degree or a programme at a school or university."""

    linked_field: ClassVar[str | None] = "institution"

    institution: Text = field("The school or university.", {"en": "Example University", "ko": "예시대학교"})
    degree: Text | None = field("The degree or qualification.", {"en": "B.S.", "ko": "학사"}, default=None)
    area: Text | None = field("The field of study.", {"en": "Computer Science", "ko": "컴퓨터공학"}, default=None)
    location: Text | None = _location("institution")
    url: Url | None = url_field("institution")
    status: Literal["graduated", "expected", "completed", "enrolled", "on-leave", "withdrawn"] | None = field(
        "Where the study stands (학력사항's 구분): graduated (졸업), expected (졸업예정), completed (수료: "
        "coursework done, no degree), enrolled (재학), on-leave (휴학) or withdrawn (중퇴). Printed in the "
        "locale's words after the degree and field.", "graduated", default=None)
    score: Text | None = field("A grade to show, printed after the GPA label; give its scale "
                               "(3.92/4.5: Korean universities grade out of 4.5 or 4.3).", "3.9/4.3", default=None)
    advisor: Text | None = field("The thesis advisor, printed after the Advisor label.", "Prof. Minji Kim",
                                 default=None)
    thesis: Paragraph | None = field("The thesis title.", {"en": "Adaptive Load Shedding for Web Services",
                                                          "ko": "웹 서비스를 위한 적응형 부하 차단"}, default=None)
    courses: list[Text] = field("Courses to list, printed after the Courses label.",
                                ["Operating Systems", "Databases"], default=[])
    highlights: list[Paragraph] = _highlights("studies")

    @model_validator(mode="after")
    def _check_status(self) -> "EducationEntry":
        if self.status in korean.ENDED_STUDIES and self.end is not None and self.end.present:
            raise at_field("status", f"status {self.status} is a study that has ended, and 'end' is present: "
                                     "give the month it ended, or write status: enrolled or expected")
        return self


class PublicationEntry(Dated):
    """A paper, article, book or preprint. Authors matching the owner's name or
    ``header.name_aliases`` are highlighted."""

    linked_field: ClassVar[str | None] = "title"

    title: Text = field("The publication's title; the link to its url or DOI when it has one.",
                        "Adaptive Load Shedding for Latency-Critical Web Services")
    authors: list[Text] = field("The authors in print order; the owner's name and its name_aliases are "
                                "highlighted.", ["J. Han", "M. Lee", "S. Choi"], default=[])
    venue: Text | None = field("The journal, conference or publisher.", "Proceedings of ECS 2019", default=None)
    doi: Doi | None = field("The DOI, without the resolver URL; printed and linked to https://doi.org/.",
                            "10.1109/PERCOM50583.2021.9439113", default=None)
    url: Url | None = url_field("publication")
    note: Paragraph | None = field("A remark printed with the entry: an award, a status, an equal contribution.",
                                   "Best paper award", default=None)

    @property
    def doi_url(self) -> str | None:
        from cvtex.schema.urls import doi_url

        return doi_url(self.doi) if self.doi else None


class ProjectEntry(Dated):
    """A project: its name, role, collaborators and links."""

    name: Text = field("The project's name.", "example-limiter")
    organization: Text | None = field("The organization it was done for or at.", "Example Labs", default=None)
    role: Text | None = field("The owner's role in it.", {"en": "Maintainer", "ko": "메인테이너"}, default=None)
    collaborators: list[Text] = field("People who worked on it too, printed after the With label.",
                                      ["M. Lee"], default=[])
    summary: Paragraph | None = _summary("project")
    links: list[LinkItem] = field("Links to the project: a URL, or {url, label}.",
                                  ["https://github.com/example/limiter",
                                   {"url": "https://example.com/demo", "label": "Demo"}], default=[])
    highlights: list[Paragraph] = _highlights("project")


class AwardEntry(Dated):
    """An award, prize, grant or scholarship."""

    linked_field: ClassVar[str | None] = "title"

    title: Text = field("The award's name.", {"en": "Best Paper Award", "ko": "최우수 논문상"})
    issuer: Text | None = field("Who gave it.", "Example Conference on Systems", default=None)
    url: Url | None = url_field("award")
    summary: Paragraph | None = _summary("award")


class TalkEntry(Dated):
    """A talk, keynote or poster."""

    linked_field: ClassVar[str | None] = "title"

    title: Text = field("The talk's title.", "Load Shedding in Practice")
    event: Text | None = field("The conference, meetup or venue.", "Example Conf 2023", default=None)
    location: Text | None = _location("event")
    url: Url | None = url_field("talk")
    summary: Paragraph | None = _summary("talk")


class TeachingEntry(Dated):
    """A course taught or assisted."""

    linked_field: ClassVar[str | None] = "title"

    title: Text = field("The course.", {"en": "Distributed Systems", "ko": "분산 시스템"})
    institution: Text | None = field("Where it was taught.", "Example University", default=None)
    role: Text | None = field("The owner's role.", {"en": "Teaching Assistant", "ko": "조교"}, default=None)
    url: Url | None = url_field("course")
    summary: Paragraph | None = _summary("course")


class PatentEntry(Dated):
    """A patent or a patent application."""

    linked_field: ClassVar[str | None] = "title"

    title: Text = field("The patent's title.", "Method for adaptive load shedding")
    status: Text | None = field("Its state: filed, pending, granted.", {"en": "Granted", "ko": "등록"}, default=None)
    number: PlainStr | None = field("The application or patent number, printed as written.", "KR 10-2345678",
                                    default=None)
    holder: Text | None = field("The assignee.", "Example Corp", default=None)
    inventors: list[Text] = field("The inventors, printed after the Inventors label.", ["J. Han", "M. Lee"],
                                  default=[])
    url: Url | None = url_field("patent")


class PressEntry(Dated):
    """An article or interview about the owner or their work."""

    linked_field: ClassVar[str | None] = "title"

    title: Text = field("The article's title.", "How Example Corp cut its settlement time")
    outlet: Text | None = field("The newspaper, magazine or site.", "Example Times", default=None)
    url: Url | None = url_field("article")


class SkillEntry(Model):
    """A group of skills under a label."""

    label: Text = field("The group's name.", {"en": "Languages", "ko": "프로그래밍 언어"})
    items: list[Text] = field("The skills, in print order; at least one. They are the PDF's keywords unless "
                              "header.keywords is given.", ["Go", "Python", "SQL"], min_length=1)


class LanguageEntry(Model):
    """A language the owner speaks."""

    language: Text = field("The language.", {"en": "Korean", "ko": "한국어"})
    fluency: Text | None = field("How well.", {"en": "Native", "ko": "모국어"}, default=None)


def _future_date(entry: Dated, allowed: tuple[str, ...] = ()) -> None:
    """An error at the first of ``start``, ``end``, ``date`` (not in ``allowed``) that begins
    after today (:func:`cvtex.schema.korean.is_future`)."""
    for name in ("start", "end", "date"):
        value = getattr(entry, name)
        if name not in allowed and value is not None and korean.is_future(value):
            raise at_field(name, f"'{name}' ({value}) is after today: a date of military service is one that has "
                                 "passed (only the end of status serving, the expected discharge date, may be later)")


class MilitaryEntry(Dated):
    """Military service (병역사항): the status, and for service done or under way the branch,
    rank, specialty and period. No date may be after today, except the ``end`` of a
    ``serving`` entry, printed as the expected discharge date (전역 예정일)."""

    status: Literal["served", "serving", "exempt", "not-served", "not-applicable"] = field(
        "served (군필, Completed), serving (복무 중), exempt (면제, Exempted), not-served (미필) or "
        "not-applicable (해당 없음: e.g. not liable to service). Printed in the locale's words.", "served")
    branch: Text | None = field("The branch of service (군별).", {"en": "Army", "ko": "육군"}, default=None)
    rank: Text | None = field("The rank at discharge, or now (계급).", {"en": "Sergeant", "ko": "병장"},
                              default=None)
    specialty: Text | None = field("The military occupational specialty (병과).",
                                   {"en": "Signal", "ko": "통신"}, default=None)
    exemption_reason: Text | None = field("Why service was exempted (면제 사유); only with status exempt.",
                                          {"en": "Medical", "ko": "질병"}, default=None)

    @model_validator(mode="after")
    def _check_service(self) -> "MilitaryEntry":
        if self.exemption_reason is not None and self.status != "exempt":
            raise at_field("exemption_reason", f"'exemption_reason' is for status exempt, and the status is "
                                               f"'{self.status}': remove it or write status: exempt")
        if self.status == "served" and self.end is not None and self.end.present:
            raise at_field("end", "status served (군필) has ended: write the discharge date, or status: serving")
        _future_date(self, ("end",) if self.status == "serving" else ())
        return self


class CertificationEntry(Dated):
    """A certification or licence (자격증): its name, issuer, number and when it was obtained
    (``date``); ``expires`` when it lapses."""

    linked_field: ClassVar[str | None] = "name"

    name: Text = field("The certification's name.", {"en": "Engineer Information Processing", "ko": "정보처리기사"})
    issuer: Text | None = field("Who issued it.", {"en": "HRD Korea", "ko": "한국산업인력공단"}, default=None)
    number: PlainStr | None = field("The certificate or licence number (자격번호), printed as written.",
                                    "21201010123A", default=None)
    url: Url | None = url_field("certification")
    expires: Date | None = field("When it lapses, if it does: YYYY, YYYY-MM or YYYY-MM-DD; printed after the "
                                 "Valid until label.", "2027-05", default=None)

    @model_validator(mode="after")
    def _check_expiry(self) -> "CertificationEntry":
        _expires_after(self)
        return self


def _expires_after(entry: Any) -> None:
    obtained = entry.date or entry.end or entry.start
    if entry.expires is not None and (entry.expires.present or (
            obtained is not None and not obtained.present
            and korean.last_day(entry.expires) < korean.first_day(obtained))):
        raise at_field("expires", f"'expires' ({entry.expires}) must be a date after {obtained or 'it was obtained'}")


class LanguageTestEntry(Dated):
    """A language test score (어학): the test, the score as written, the test ``date``. The
    score of a known test (TOEIC, TOEIC Speaking, OPIc, TOEFL iBT, TEPS, IELTS, JLPT, HSK, …:
    :mod:`cvtex.schema.korean`) must have that test's form; another test's is printed as
    written. A score counts for the test's validity (two years for most) unless ``expires``
    says otherwise; an expired one is a warning."""

    linked_field: ClassVar[str | None] = "test"

    test: Text = field("The test's name: TOEIC, TOEIC Speaking, OPIc, TOEFL iBT, TEPS, IELTS, JLPT, HSK, or any "
                       "other (its score is then printed as written).", "TOEIC", "OPIc")
    score: PlainStr = field("The score or level, printed exactly as written: 945, IH, N1, 7.5. A known test's score "
                            "must have that test's form.", "945")
    language: Text | None = field("The language tested, when the test's name does not say.",
                                  {"en": "English", "ko": "영어"}, default=None)
    number: PlainStr | None = field("The registration or certificate number of the score report, printed as written.",
                                    "0123456", default=None)
    url: Url | None = url_field("score report")
    expires: Date | None = field("When the score stops counting, if not the test's own rule (two years from the "
                                 "test date for TOEIC, TOEIC Speaking, OPIc, TOEFL, TEPS, IELTS, HSK; none for JLPT).",
                                 "2027-05-26", default=None)

    @model_validator(mode="after")
    def _check_score(self) -> "LanguageTestEntry":
        test = korean.known_test([markup.plain(t) for t in self.test.all()])
        problem = korean.score_problem(test, self.score) if test else None
        if problem:
            raise at_field("score", problem)
        _expires_after(self)
        for name in ("start", "end", "date"):
            value = getattr(self, name)
            if value is not None and korean.is_future(value):
                raise at_field(name, f"'{name}' ({value}) is after today: list a score once it is out")
        return self

    @property
    def known(self) -> "korean.KnownTest | None":
        """The known test this entry's ``test`` names (:func:`cvtex.schema.korean.known_test`)."""
        return korean.known_test([markup.plain(t) for t in self.test.all()])

    @property
    def expiry(self) -> Any:
        """When the score stops counting (:func:`cvtex.schema.korean.expiry_of`), or ``None``."""
        return korean.expiry_of(self.known, self.date or self.end or self.start, self.expires)


class CustomEntry(Dated):
    """A generic entry for a section no built-in kind fits."""

    linked_field: ClassVar[str | None] = "title"

    title: Text = field("The entry's title.", "Example Open Source Fellowship")
    subtitle: Text | None = field("A second line of the title: an organization, a role.", "Mentor", default=None)
    location: Text | None = _location("entry")
    url: Url | None = url_field("entry")
    summary: Paragraph | None = _summary("entry")
    highlights: list[Paragraph] = _highlights("entry")


class SectionBase(Model):
    """A titled list of entries. ``title`` defaults to the locale's title for the kind,
    also in a locale the given title has no text for (see :mod:`cvtex.schema.models`);
    ``id`` (default: the kind) names the section's PDF destination and must be unique;
    ``locales`` limits the section to the PDFs of those locales (default: every PDF)."""

    kind: str
    id: str | None = field("Names the section for design.section_order and its PDF destination; must be unique. "
                           "Give one when a kind appears twice. Default: the kind.", "research",
                           default=None, pattern=r"^[a-z][a-z0-9-]*$")
    title: Text | None = field("The section's heading. A locale without its own text gets the locale's title "
                               "for the kind, not the text of another language. Default: the locale's title for "
                               "the kind (Experience, 경력).", {"en": "Research Experience", "ko": "연구 경력"},
                               default=None)
    locales: list[LocaleCode] | None = field(
        "Only the PDFs of these locales have this section, e.g. [ko] for a section only the Korean "
        "CV shows; each must be one of the profile's locales. Default: every locale.", ["ko"],
        default=None, min_length=1)


def _kind(kind: str) -> Any:
    return field(f"The section kind: {kind}.", kind)


def _entries(model: type[Model], example: dict[str, Any]) -> Any:
    return field(f"The section's entries, in print order ({model.__name__}); at least one.", [example],
                 min_length=1)


_DATED = {"title": "Best Paper Award", "date": "2019-05"}


class ExperienceSection(SectionBase):
    """Jobs and positions: each entry is an organization with its roles."""

    kind: Literal["experience"] = _kind("experience")
    entries: list[ExperienceEntry] = _entries(
        ExperienceEntry, {"organization": "Example Corp", "roles": [{"title": "Engineer", "start": 2020}]})


class EducationSection(SectionBase):
    """Degrees and schools."""

    kind: Literal["education"] = _kind("education")
    entries: list[EducationEntry] = _entries(
        EducationEntry, {"institution": "Example University", "degree": "B.S.", "end": "2019-02"})


class PublicationsSection(SectionBase):
    """Papers, articles, books."""

    kind: Literal["publications"] = _kind("publications")
    entries: list[PublicationEntry] = _entries(
        PublicationEntry, {"title": "Adaptive Load Shedding", "authors": ["J. Han"], "date": "2019-05"})


class ProjectsSection(SectionBase):
    """Projects, open-source work."""

    kind: Literal["projects"] = _kind("projects")
    entries: list[ProjectEntry] = _entries(ProjectEntry, {"name": "example-limiter",
                                                          "links": ["https://github.com/example"]})


class AwardsSection(SectionBase):
    """Awards, prizes, grants."""

    kind: Literal["awards"] = _kind("awards")
    entries: list[AwardEntry] = _entries(AwardEntry, _DATED)


class TalksSection(SectionBase):
    """Talks and posters."""

    kind: Literal["talks"] = _kind("talks")
    entries: list[TalkEntry] = _entries(TalkEntry, {"title": "Load Shedding in Practice", "date": "2023-10"})


class TeachingSection(SectionBase):
    """Courses taught."""

    kind: Literal["teaching"] = _kind("teaching")
    entries: list[TeachingEntry] = _entries(TeachingEntry, {"title": "Distributed Systems", "start": "2020-03",
                                                            "end": "2020-06"})


class PatentsSection(SectionBase):
    """Patents and applications."""

    kind: Literal["patents"] = _kind("patents")
    entries: list[PatentEntry] = _entries(PatentEntry, {"title": "Method for adaptive load shedding",
                                                        "status": "Granted", "date": 2021})


class PressSection(SectionBase):
    """Press coverage."""

    kind: Literal["press"] = _kind("press")
    entries: list[PressEntry] = _entries(PressEntry, {"title": "How Example Corp cut its settlement time",
                                                      "outlet": "Example Times", "date": "2022-11"})


class SkillsSection(SectionBase):
    """Skills in labelled groups."""

    kind: Literal["skills"] = _kind("skills")
    entries: list[SkillEntry] = _entries(SkillEntry, {"label": "Languages", "items": ["Go", "Python"]})


class LanguagesSection(SectionBase):
    """Spoken languages."""

    kind: Literal["languages"] = _kind("languages")
    entries: list[LanguageEntry] = _entries(LanguageEntry, {"language": "Korean", "fluency": "Native"})


class MilitarySection(SectionBase):
    """Military service (병역사항)."""

    kind: Literal["military"] = _kind("military")
    entries: list[MilitaryEntry] = _entries(MilitaryEntry, {"status": "served", "branch": "Army", "rank": "Sergeant",
                                                            "start": "2014-03", "end": "2015-12"})


class CertificationsSection(SectionBase):
    """Certifications and licences (자격사항)."""

    kind: Literal["certifications"] = _kind("certifications")
    entries: list[CertificationEntry] = _entries(CertificationEntry, {"name": "정보처리기사",
                                                                      "issuer": "한국산업인력공단", "date": "2019-08"})


class LanguageTestsSection(SectionBase):
    """Language test scores (어학)."""

    kind: Literal["language-tests"] = _kind("language-tests")
    entries: list[LanguageTestEntry] = _entries(LanguageTestEntry, {"test": "TOEIC", "score": "945",
                                                                    "date": "2025-08-24"})


class CustomSection(SectionBase):
    """A section of your own: a title and generic entries."""

    kind: Literal["custom"] = _kind("custom")
    title: Text = field("The section's heading (required: there is no default title for a custom section). A "
                        "locale without its own text prints the text of the first of the profile's locales that "
                        "has one.", {"en": "Volunteering", "ko": "봉사 활동"})
    entries: list[CustomEntry] = _entries(CustomEntry, {"title": "Example Open Source Fellowship",
                                                        "subtitle": "Mentor", "date": 2023})


SECTION_MODELS: dict[str, type[SectionBase]] = {
    "experience": ExperienceSection, "education": EducationSection, "publications": PublicationsSection,
    "projects": ProjectsSection, "awards": AwardsSection, "talks": TalksSection, "teaching": TeachingSection,
    "patents": PatentsSection, "press": PressSection, "skills": SkillsSection, "languages": LanguagesSection,
    "military": MilitarySection, "certifications": CertificationsSection, "language-tests": LanguageTestsSection,
    "custom": CustomSection,
}
SECTION_KINDS = tuple(SECTION_MODELS)


#: One section of a profile; its ``kind`` picks the model (an unknown kind is one error).
Section = by_kind(SECTION_MODELS, "section_kind")
