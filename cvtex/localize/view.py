"""The one-language view of a profile (:func:`localize`): what the theme templates print
and the link check compares with a PDF.

The view mirrors the profile's models (:mod:`cvtex.schema`) field for field, with the
same attribute names, and differs from them in these ways:

* every :class:`~cvtex.schema.LocalizedText` is a :class:`Text` — a ``str`` in the
  requested locale (falling back through the profile's locales in order) that knows its
  field path, so later stages can name the field behind a TeX error or a link;
* ``start``/``end``/``date`` are ``None``: an entry with a period has ``dates`` (the date
  or range as printed, :meth:`~cvtex.localize.Locale.format_period`), ``duration`` (how
  long a period with months lasted, :meth:`~cvtex.localize.Locale.format_duration`), ``year`` (of its
  date, else end, else start) and ``sort_date`` (that date as ``(year, month, day)``, 0 for
  a part not given; ``end: present`` is ``(9999, 0, 0)``, the newest) instead;
* a section's ``id`` is set (its kind when the profile gives none) and its ``title``
  defaults to the locale's title for the section kind, also when the profile's title has
  no text in this locale (a ``custom`` section, which has no kind title, falls back
  through the profile's locales like any text);
* the view has a ``title`` (the document's, a plain ``str`` with markup removed, for the
  PDF's metadata: the profile's ``title``, else the locale's ``document_title`` with the
  owner's name) and a ``summary_title`` (with a summary: the profile's, else the locale's
  title for ``summary``), each falling back to that default in a locale the profile's text
  lacks;
* publication authors are :class:`Author` (``name``, ``owner``: the CV owner's name or
  one of ``header.name_aliases``), and a publication has ``doi_url``;
* an experience entry has ``dates`` and ``duration``: the span of its roles;
* the header has ``phone_url`` (the ``tel:`` URI of ``phone``), ``names`` (the name in each
  of the profile's locales, for a form that prints both) and ``birth_date`` as printed;
* an education entry's ``status`` is the locale's word for it (졸업, Graduated);
* a military service entry's ``status`` is the locale's word for it and it has
  ``discharge`` (the expected discharge date of a ``serving`` entry); a certification's and
  a language test's ``expires`` is a printed date, a language test's computed from the
  test's validity when the profile gives none (:mod:`cvtex.schema.korean`).

Every class is a frozen dataclass with slots and keyword-only fields: a view is built
once per locale and only read. Unset optional values are ``None``, unset lists ``[]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence, Union

from pydantic import BaseModel

from cvtex.localize.locale import Locale, get_locale
from cvtex.localize.text import Loc, Text
from cvtex.schema import (
    SECTION_MODELS,
    Dated,
    Design,
    LocalizedText,
    PartialDate,
    Profile,
    markup,
    tel_url,
)
from cvtex.schema import AwardEntry as _AwardEntry
from cvtex.schema import CertificationEntry as _CertificationEntry
from cvtex.schema import CustomEntry as _CustomEntry
from cvtex.schema import EducationEntry as _EducationEntry
from cvtex.schema import ExperienceEntry as _ExperienceEntry
from cvtex.schema import Header as _Header
from cvtex.schema import LanguageEntry as _LanguageEntry
from cvtex.schema import LanguageTestEntry as _LanguageTestEntry
from cvtex.schema import Link as _Link
from cvtex.schema import MilitaryEntry as _MilitaryEntry
from cvtex.schema import PatentEntry as _PatentEntry
from cvtex.schema import Photo as _Photo
from cvtex.schema import PressEntry as _PressEntry
from cvtex.schema import ProjectEntry as _ProjectEntry
from cvtex.schema import PublicationEntry as _PublicationEntry
from cvtex.schema import Role as _Role
from cvtex.schema import RoleProject as _RoleProject
from cvtex.schema import SkillEntry as _SkillEntry
from cvtex.schema import SocialProfile as _SocialProfile
from cvtex.schema import TalkEntry as _TalkEntry
from cvtex.schema import TeachingEntry as _TeachingEntry

_view = dataclass(frozen=True, slots=True, kw_only=True, eq=False)


@_view
class _Period:
    """What an entry with a period has in the view instead of the model's ``start``,
    ``end`` and ``date`` (each ``None`` here): ``dates``, the date or range as printed,
    ``duration``, how long a period lasted (``3년 11개월``; ``None`` without months),
    ``year``, of its date, else end, else start, and ``sort_date``, that date as ``(year,
    month, day)`` with 0 for a part not given (``None`` for an undated entry)."""

    start: None
    end: None
    date: None
    dates: str | None
    duration: str | None
    year: int | None
    sort_date: tuple[int, int, int] | None


@_view
class Link:
    """A URL with an optional label (``header.websites``, a project's ``links``)."""

    url: str
    label: Text | None


@_view
class SocialProfile:
    """An account on a network (``header.profiles``)."""

    network: str
    username: str | None
    url: str


@_view
class Photo:
    """The header photo as the profile gives it: ``path`` (relative to the profile file)
    and the ``locales`` whose PDFs show it. The file a PDF embeds is made by
    :func:`cvtex.build.photo.prepare`; a template gets its name as ``photo``."""

    path: str
    locales: list[str]


@_view
class Header:
    """Who the CV is about; ``phone_url`` is the ``tel:`` URI of ``phone`` (RFC 3966);
    ``birth_date`` is the date of birth as the locale writes a date (``1994. 5. 17.``,
    ``May 17, 1994``), or ``None``."""

    name: Text
    name_aliases: list[str]
    headline: Text | None
    location: Text | None
    emails: list[str]
    phone: str | None
    websites: list[Link]
    profiles: list[SocialProfile]
    keywords: list[Text]
    names: dict[str, Text]
    photo: Photo | None
    birth_date: str | None
    address: Text | None
    name_hanja: str | None
    hometown: Text | None
    phone_url: str | None


@_view
class RoleProject(_Period):
    name: Text
    role: Text | None
    team_size: int | None
    technologies: list[Text]
    url: str | None
    highlights: list[Text]
    results: list[Text]


@_view
class Role(_Period):
    title: Text
    department: Text | None
    team: Text | None
    location: Text | None
    advisor: Text | None
    highlights: list[Text]
    projects: list[RoleProject]


@_view
class ExperienceEntry:
    """An organization and its roles; ``dates`` and ``duration``: the span of its roles, from
    the earliest start to the latest end (the 경력기술서 prints it by the organization)."""

    organization: Text
    department: Text | None
    location: Text | None
    url: str | None
    description: Text | None
    roles: list[Role]
    dates: str | None
    duration: str | None


@_view
class EducationEntry(_Period):
    institution: Text
    degree: Text | None
    area: Text | None
    status: Text | None
    location: Text | None
    url: str | None
    score: Text | None
    advisor: Text | None
    thesis: Text | None
    courses: list[Text]
    highlights: list[Text]


@_view
class Author:
    """A publication author: ``owner`` when the name is the CV owner's (or an alias)."""

    name: Text
    owner: bool


@_view
class PublicationEntry(_Period):
    title: Text
    authors: list[Author]
    venue: Text | None
    doi: str | None
    url: str | None
    note: Text | None
    doi_url: str | None


@_view
class ProjectEntry(_Period):
    name: Text
    organization: Text | None
    role: Text | None
    collaborators: list[Text]
    summary: Text | None
    links: list[Link]
    highlights: list[Text]


@_view
class AwardEntry(_Period):
    title: Text
    issuer: Text | None
    url: str | None
    summary: Text | None


@_view
class TalkEntry(_Period):
    title: Text
    event: Text | None
    location: Text | None
    url: str | None
    summary: Text | None


@_view
class TeachingEntry(_Period):
    title: Text
    institution: Text | None
    role: Text | None
    url: str | None
    summary: Text | None


@_view
class PatentEntry(_Period):
    title: Text
    status: Text | None
    number: str | None
    holder: Text | None
    inventors: list[Text]
    url: str | None


@_view
class PressEntry(_Period):
    title: Text
    outlet: Text | None
    url: str | None


@_view
class SkillEntry:
    label: Text
    items: list[Text]


@_view
class LanguageEntry:
    language: Text
    fluency: Text | None


@_view
class MilitaryEntry(_Period):
    """Military service: ``status`` in the locale's words (:attr:`~cvtex.localize.Locale.military`,
    a :class:`Text` at the profile's ``status``), ``discharge`` the expected discharge date as
    printed (the ``end`` of a ``serving`` entry; else ``None``)."""

    status: Text
    branch: Text | None
    rank: Text | None
    specialty: Text | None
    exemption_reason: Text | None
    discharge: str | None


@_view
class CertificationEntry(_Period):
    """A certification; ``expires`` is its expiry as printed, or ``None``."""

    name: Text
    issuer: Text | None
    number: str | None
    url: str | None
    expires: str | None


@_view
class LanguageTestEntry(_Period):
    """A language test score; ``score`` as written; ``expires`` is when the score stops
    counting, as printed: the entry's ``expires``, else the known test's validity from the
    test date (:func:`cvtex.schema.korean.expiry_of`), else ``None``."""

    test: Text
    score: str
    language: Text | None
    number: str | None
    url: str | None
    expires: str | None


@_view
class CustomEntry(_Period):
    title: Text
    subtitle: Text | None
    location: Text | None
    url: str | None
    summary: Text | None
    highlights: list[Text]


Entry = Union[ExperienceEntry, EducationEntry, PublicationEntry, ProjectEntry, AwardEntry, TalkEntry,
              TeachingEntry, PatentEntry, PressEntry, SkillEntry, LanguageEntry, MilitaryEntry, CertificationEntry,
              LanguageTestEntry, CustomEntry]


@_view
class Section:
    """A section as printed: ``kind`` (one of :data:`cvtex.schema.SECTION_KINDS`), ``id``
    (never ``None``), ``title``, ``locales`` (as in the profile) and the entries of that
    kind's class (``experience`` -> :class:`ExperienceEntry`, …)."""

    kind: str
    id: str
    title: Text
    locales: list[str] | None
    entries: list[Entry]


@_view
class View:
    """A profile in one locale: ``header``, ``title`` (the document's title, plain text:
    the PDF's Title; never typeset), ``summary``, ``summary_title`` (the summary's heading;
    ``None`` without a summary), ``sections`` (the sections this locale prints, in print
    order), ``locale`` (its language data), ``locales`` (every locale of the profile,
    first = fallback), ``design`` (the profile's design overrides, as validated) and
    ``document``: :data:`CV`, or :data:`CAREER` for the 경력기술서 (:func:`localize_career`),
    which alone prints an organization's ``description`` and a role's ``projects``."""

    header: Header
    title: str
    summary: Text | None
    summary_title: Text | None
    sections: list[Section]
    locale: Locale
    locales: list[str]
    design: Design
    document: str = "cv"


#: :attr:`View.document` of a CV and of a 경력기술서.
CV, CAREER = "cv", "career"
#: The fields only a 경력기술서 prints: a CV's links leave them out (:func:`cvtex.links.profile_links`).
CAREER_FIELDS = ("description", "projects")


#: The view class of each profile model (every section model's view is :class:`Section`).
VIEW_OF: dict[type, type] = {
    _Link: Link, _SocialProfile: SocialProfile, _Photo: Photo, _Header: Header, _Role: Role, _RoleProject: RoleProject,
    _ExperienceEntry: ExperienceEntry,
    _EducationEntry: EducationEntry, _PublicationEntry: PublicationEntry, _ProjectEntry: ProjectEntry,
    _AwardEntry: AwardEntry, _TalkEntry: TalkEntry, _TeachingEntry: TeachingEntry, _PatentEntry: PatentEntry,
    _PressEntry: PressEntry, _SkillEntry: SkillEntry, _LanguageEntry: LanguageEntry, _CustomEntry: CustomEntry,
    _MilitaryEntry: MilitaryEntry, _CertificationEntry: CertificationEntry, _LanguageTestEntry: LanguageTestEntry,
    **{model: Section for model in SECTION_MODELS.values()},
}


def section_order(profile: Profile, code: str, theme_order: Sequence[str] = ()) -> list[int]:
    """The indexes of the sections the ``code`` PDF prints, in print order.

    A section with ``locales:`` is printed only in those locales. The profile's
    ``design.section_order`` (section ids: a section's ``id``, or its kind when it has
    none; validated against the profile) comes first, in its order; without one, the
    theme's ``section_order`` (``theme_order``: each name places the sections with that id
    or of that kind; names the profile does not have are ignored). The other sections follow
    in the profile's order.
    """
    shown = [i for i, s in enumerate(profile.sections) if s.locales is None or code in s.locales]
    ids = {profile.section_id(i): i for i in shown}
    first: list[int] = []
    if profile.design.section_order:
        first = [ids[sid] for sid in dict.fromkeys(profile.design.section_order) if sid in ids]
    else:
        for name in theme_order:
            first += [i for i in shown if i not in first
                      and name in (profile.section_id(i), profile.sections[i].kind)]
    return first + [i for i in shown if i not in first]


def localize(profile: Profile, code: str, *, theme_order: Sequence[str] = (),
             theme_titles: dict[str, str] | None = None) -> View:
    """The profile in locale ``code`` (see the module doc for how the view differs from
    the profile): the sections this locale prints, in print order (:func:`section_order`,
    with the theme's ``theme_order``). ``theme_titles`` (``{kind: title}``, a theme's
    ``section_titles`` for ``code``) replace the locale's default titles of those kinds.

    Raises ``KeyError`` when cvtex has no locale data for ``code``.
    """
    locale = get_locale(code)
    fallback = tuple(profile.locales)
    owner_names = {_fold(n) for n in profile.header.name.all()} | {_fold(a) for a in profile.header.name_aliases}

    def convert(value: Any, loc: Loc) -> Any:
        if isinstance(value, LocalizedText):
            return Text(value.get(code, fallback), loc)
        if isinstance(value, (list, tuple)):
            return [convert(child, loc + (i,)) for i, child in enumerate(value)]
        if isinstance(value, dict):
            return {k: convert(v, loc + (k,)) for k, v in value.items()}
        if type(value) in VIEW_OF:
            return VIEW_OF[type(value)](**values(value, loc))
        if isinstance(value, BaseModel):  # a model added to the schema without its view class
            raise TypeError(f"cvtex.localize.view has no view class for {type(value).__name__}")
        return value

    def values(model: Any, loc: Loc) -> dict[str, Any]:
        """The fields of a view class from its profile model."""
        out = {}
        for name, info in type(model).model_fields.items():
            child = getattr(model, name)
            out[name] = None if isinstance(child, PartialDate) else convert(child, loc + (info.alias or name,))
        if isinstance(model, Dated):
            out["dates"] = locale.format_period(model.start, model.end, model.date)
            out["duration"] = locale.format_duration(model.start, model.end)
            when = model.date or model.end or model.start
            out["year"] = when.year if when else None
            out["sort_date"] = (when.year, when.month, when.day) if when else None
        if isinstance(model, _ExperienceEntry):
            first, last = _span(model.roles)
            out["dates"] = locale.format_period(first, last)
            out["duration"] = locale.format_duration(first, last)
        if isinstance(model, _EducationEntry) and model.status:
            out["status"] = Text(locale.education[model.status], loc + ("status",))
        if isinstance(model, _MilitaryEntry):
            out["status"] = Text(locale.military[model.status], loc + ("status",))
            out["discharge"] = (locale.format_date(model.end) if model.status == "serving" and model.end
                                and not model.end.present else None)
        if isinstance(model, (_CertificationEntry, _LanguageTestEntry)):
            expires = model.expiry if isinstance(model, _LanguageTestEntry) else model.expires
            out["expires"] = locale.format_date(expires) if expires else None
        if isinstance(model, _PublicationEntry):
            out["authors"] = [Author(name=a, owner=_fold(markup.plain(a)) in owner_names) for a in out["authors"]]
            out["doi_url"] = model.doi_url
        return out

    def titled(value: LocalizedText | None, loc: Loc, default: Text) -> Text:
        """A title with a default of its own: its text in ``code`` (or its one text for every
        language), else ``default`` — never its text in another language."""
        if value is not None and (not value.is_localized or code in value.values):
            return Text(value.get(code), loc)
        return default

    born = profile.header.birth_date
    names = {c: Text(profile.header.name.get(c, fallback), ("header", "name")) for c in profile.locales}
    header = Header(**{**values(profile.header, ("header",)), "names": names,
                       "birth_date": locale.format_date(born) if born is not None else None},
                    phone_url=tel_url(profile.header.phone) if profile.header.phone else None)
    sections = []
    for i in section_order(profile, code, theme_order):
        model = profile.sections[i]
        fields_ = values(model, ("sections", i))
        fields_["id"] = profile.section_id(i)
        if model.kind in locale.sections:  # a built-in kind's title; custom has none
            default = (theme_titles or {}).get(model.kind) or locale.sections[model.kind]
            fields_["title"] = titled(model.title, ("sections", i, "title"), Text(default, ("sections", i, "kind")))
        sections.append(Section(**fields_))
    summary = convert(profile.summary, ("summary",)) if profile.summary else None
    name = markup.plain(header.name)
    title = markup.plain(titled(profile.title, ("title",), Text(locale.document_title.format(name=name))))
    summary_title = (titled(profile.summary_title, ("summary_title",), Text(locale.sections["summary"], ("summary",)))
                     if summary else None)
    return View(header=header, title=title, summary=summary, summary_title=summary_title, sections=sections,
                locale=locale, locales=list(profile.locales), design=profile.design)


def localize_career(view: View) -> View | None:
    """The 경력기술서 (career description) of the CV ``view`` (:func:`localize`, one locale):
    a :class:`View` of its experience sections alone, each with its entries newest first (by
    their latest role's date: an ongoing role is the newest; the sort keeps the profile's
    order among equals), no summary, and the locale's ``career["document_title"]`` as its
    ``title`` (the PDF's Title). ``None`` when no role there has ``projects``: without
    projects the document would repeat the CV's experience section."""
    import dataclasses

    sections = [s for s in view.sections if s.kind == "experience"]
    if not any(role.projects for s in sections for entry in s.entries for role in entry.roles):
        return None

    def newest(entry: ExperienceEntry) -> tuple[int, int, int]:
        return max((role.sort_date or (0, 0, 0) for role in entry.roles), default=(0, 0, 0))

    sections = [dataclasses.replace(s, entries=sorted(s.entries, key=newest, reverse=True)) for s in sections]
    title = view.locale.career["document_title"].format(name=markup.plain(view.header.name))
    return dataclasses.replace(view, title=title, summary=None, summary_title=None, sections=sections,
                               document=CAREER)


def _span(roles: Sequence[_Role]) -> tuple[PartialDate | None, PartialDate | None]:
    """The earliest start and the latest end of ``roles`` (a role with only a ``date``: that
    date for both; ``present`` is the latest end; a role with a start and no end leaves the
    end open, ``None``). Partial dates compare as dates (:class:`~cvtex.schema.PartialDate`)."""
    starts = [d for r in roles for d in (r.start or r.date,) if d is not None]
    ends = [d for r in roles for d in (r.end or r.date,) if d is not None]
    if any(r.start is not None and r.end is None and r.date is None for r in roles):
        ends = []  # a role without its end: the span is open too ("2019 –")
    return min(starts, default=None), max(ends, default=None)


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())
