"""Stage 2 — validate: the profile schema (pydantic v2) and :func:`validate`.

A profile is::

    locales: [en, ko]            # the languages to render, first = fallback
    header: {name, name_aliases, headline, location, emails, phone, websites, profiles, keywords}
    summary: Text
    sections:                    # in print order
      - kind: experience         # experience | education | publications | projects | awards |
        title: {en: …, ko: …}    #   talks | teaching | patents | press | skills | languages | custom
        entries: [...]
    design: {theme, paper, accent_color, font_size, margins, fonts, section_order}
    links: {exclude, accept}     # link-check policy

Every human-readable field is :data:`~cvtex.schema.text.Text` (at most 300 characters: a title,
a name, a place) or :data:`~cvtex.schema.text.Paragraph` (``summary``, ``highlights``, ``thesis``,
``note``): a string or ``{locale: string}``.
Text may use inline markup ``[text](url)``, ``**bold**`` and ``*italic*``. Every other
printed string (an author alias, a patent number, a DOI, an e-mail address, a phone
number) is checked like text (:func:`cvtex.schema.text.printable`). Unknown keys are errors.
:func:`validate` turns every problem into a :class:`Diagnostic` with ``file:line:col``
and the field path.
"""

# No ``from __future__ import annotations`` here: pydantic would evaluate every field's
# annotation from a string (an eval per field, ~15 ms per process); evaluated at class
# definition they cost nothing extra.
import re
import threading
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag,
                      ValidationError, ValidationInfo, field_validator, model_validator)

from pydantic_core import PydanticCustomError

from cvtex.schema import markup
from cvtex.diagnostics import Diagnostic, ProfileError, field_path
from cvtex.schema.loader import Document, Loc
from cvtex.schema.text import (LOCALE_PATTERN, Date, Doi, Email, LocaleCode, Paragraph, PartialDate, Phone,
                   PlainStr, Text, Url, doi_url, is_text)


class Model(BaseModel):
    """Base of every schema model: unknown keys are errors, values are immutable.

    ``linked_field`` names the text that is printed as the text of the model's ``url``
    link (a titled entry with a ``url``, a link's ``label``); it may not contain a
    ``[..](..)`` link of its own: a PDF link cannot hold another, so it would be lost.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True, defer_build=True)
    linked_field: ClassVar[str | None] = None

    @model_validator(mode="after")
    def _no_link_in_link(self) -> "Model":
        text = getattr(self, self.linked_field, None) if self.linked_field else None
        if text is not None and getattr(self, "url", None):
            for value in text.all():
                for url in markup.link_targets(value):
                    raise PydanticCustomError(
                        "link_in_link", "{message}",
                        {"message": f"'{self.linked_field}' is already the text of the link to 'url', so the link "
                                    f"[..]({url}) inside it would be lost; remove the [..](..) or the url",
                         "field": self.linked_field})
        return self


def _url_shorthand(value: Any) -> Any:
    return {"url": value} if isinstance(value, str) else value


class Link(Model):
    """A URL with an optional label (shown instead of the URL). A plain string is the URL."""

    linked_field: ClassVar[str | None] = "label"

    url: Url
    label: Text | None = None


LinkItem = Annotated[Link, BeforeValidator(_url_shorthand, json_schema_input_type=Union[Url, Link])]


class SocialProfile(Model):
    """An account on a network: GitHub, LinkedIn, Google Scholar, ORCID, X, …"""

    network: PlainStr = Field(description="github, linkedin, google-scholar, orcid, x, youtube, blog, … (free text)")
    username: PlainStr | None = None
    url: Url


class Header(Model):
    """Who the CV is about. ``name_aliases`` are other spellings of the owner's name in
    author lists (``J. Park``); they are highlighted in publications."""

    name: Text
    name_aliases: list[PlainStr] = []
    headline: Text | None = None
    location: Text | None = None
    emails: list[Email] = []
    phone: Phone | None = None
    websites: list[LinkItem] = []
    profiles: list[SocialProfile] = []
    keywords: list[Text] = Field(default=[], description="PDF Keywords; default: the skill names")


class Dated(Model):
    """Mixin for entries with a period: ``start`` … ``end`` (``end: present`` = ongoing)
    or a single ``date``."""

    start: Date | None = None
    end: Date | None = None
    date: Date | None = None

    @model_validator(mode="after")
    def _check_period(self) -> "Dated":
        if self.date and (self.start or self.end):
            raise _at("date", "give either 'date' or 'start'/'end', not both")
        if self.start and self.start.present:
            raise _at("start", "'start' cannot be present (write the date you started; 'end: present' if ongoing)")
        if self.start and self.end and not self.end.present and _key(self.end) < _key(self.start):
            raise _at("end", f"'end' ({self.end}) is before 'start' ({self.start})")
        return self


def _at(field: str, message: str) -> PydanticCustomError:
    """A model-level error shown at one of its fields (see ``_diagnostics``)."""
    return PydanticCustomError("value_error", "{message}", {"message": message, "field": field})


def _key(d: PartialDate) -> tuple[int, int, int]:
    return (d.year, d.month or 1, d.day or 1)


class Role(Dated):
    """One position held at an organization."""

    title: Text
    department: Text | None = None
    team: Text | None = None
    location: Text | None = None
    advisor: Text | None = None
    highlights: list[Paragraph] = []


class ExperienceEntry(Model):
    """An organization and the roles held there (several roles stay grouped)."""

    linked_field: ClassVar[str | None] = "organization"

    organization: Text
    department: Text | None = None
    location: Text | None = None
    url: Url | None = None
    roles: list[Role] = Field(min_length=1)


class EducationEntry(Dated):

    linked_field: ClassVar[str | None] = "institution"
    institution: Text
    degree: Text | None = None
    area: Text | None = None
    location: Text | None = None
    url: Url | None = None
    score: Text | None = None
    advisor: Text | None = None
    thesis: Paragraph | None = None
    courses: list[Text] = []
    highlights: list[Paragraph] = []


class PublicationEntry(Dated):
    """A paper, article, book or preprint. Authors matching the owner's name or
    ``header.name_aliases`` are highlighted."""

    linked_field: ClassVar[str | None] = "title"

    title: Text
    authors: list[Text] = []
    venue: Text | None = None
    doi: Doi | None = None
    url: Url | None = None
    note: Paragraph | None = None

    @property
    def doi_url(self) -> str | None:
        return doi_url(self.doi) if self.doi else None


class ProjectEntry(Dated):
    name: Text
    organization: Text | None = None
    role: Text | None = None
    collaborators: list[Text] = []
    summary: Paragraph | None = None
    links: list[LinkItem] = []
    highlights: list[Paragraph] = []


class AwardEntry(Dated):

    linked_field: ClassVar[str | None] = "title"
    title: Text
    issuer: Text | None = None
    url: Url | None = None
    summary: Paragraph | None = None


class TalkEntry(Dated):

    linked_field: ClassVar[str | None] = "title"
    title: Text
    event: Text | None = None
    location: Text | None = None
    url: Url | None = None
    summary: Paragraph | None = None


class TeachingEntry(Dated):

    linked_field: ClassVar[str | None] = "title"
    title: Text
    institution: Text | None = None
    role: Text | None = None
    url: Url | None = None
    summary: Paragraph | None = None


class PatentEntry(Dated):

    linked_field: ClassVar[str | None] = "title"
    title: Text
    status: Text | None = None
    number: PlainStr | None = None
    holder: Text | None = None
    inventors: list[Text] = []
    url: Url | None = None


class PressEntry(Dated):

    linked_field: ClassVar[str | None] = "title"
    title: Text
    outlet: Text | None = None
    url: Url | None = None


class SkillEntry(Model):
    label: Text
    items: list[Text] = Field(min_length=1)


class LanguageEntry(Model):
    language: Text
    fluency: Text | None = None


class CustomEntry(Dated):
    """A generic entry for a section no built-in kind fits."""

    linked_field: ClassVar[str | None] = "title"

    title: Text
    subtitle: Text | None = None
    location: Text | None = None
    url: Url | None = None
    summary: Paragraph | None = None
    highlights: list[Paragraph] = []


class SectionBase(Model):
    """A titled list of entries. ``title`` defaults to the locale's title for the kind;
    ``id`` (default: the kind) names the section's PDF destination and must be unique;
    ``locales`` limits the section to the PDFs of those locales (default: every PDF)."""

    kind: str
    id: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*$")
    title: Text | None = None
    locales: list[LocaleCode] | None = Field(
        default=None, min_length=1,
        description="Only the PDFs of these locales have this section, e.g. [ko] for a section only the Korean "
                    "CV shows; each must be one of the profile's locales. Default: every locale.")


class ExperienceSection(SectionBase):
    kind: Literal["experience"]
    entries: list[ExperienceEntry] = Field(min_length=1)


class EducationSection(SectionBase):
    kind: Literal["education"]
    entries: list[EducationEntry] = Field(min_length=1)


class PublicationsSection(SectionBase):
    kind: Literal["publications"]
    entries: list[PublicationEntry] = Field(min_length=1)


class ProjectsSection(SectionBase):
    kind: Literal["projects"]
    entries: list[ProjectEntry] = Field(min_length=1)


class AwardsSection(SectionBase):
    kind: Literal["awards"]
    entries: list[AwardEntry] = Field(min_length=1)


class TalksSection(SectionBase):
    kind: Literal["talks"]
    entries: list[TalkEntry] = Field(min_length=1)


class TeachingSection(SectionBase):
    kind: Literal["teaching"]
    entries: list[TeachingEntry] = Field(min_length=1)


class PatentsSection(SectionBase):
    kind: Literal["patents"]
    entries: list[PatentEntry] = Field(min_length=1)


class PressSection(SectionBase):
    kind: Literal["press"]
    entries: list[PressEntry] = Field(min_length=1)


class SkillsSection(SectionBase):
    kind: Literal["skills"]
    entries: list[SkillEntry] = Field(min_length=1)


class LanguagesSection(SectionBase):
    kind: Literal["languages"]
    entries: list[LanguageEntry] = Field(min_length=1)


class CustomSection(SectionBase):
    kind: Literal["custom"]
    title: Text
    entries: list[CustomEntry] = Field(min_length=1)


SECTION_MODELS: dict[str, type[SectionBase]] = {
    "experience": ExperienceSection, "education": EducationSection, "publications": PublicationsSection,
    "projects": ProjectsSection, "awards": AwardsSection, "talks": TalksSection, "teaching": TeachingSection,
    "patents": PatentsSection, "press": PressSection, "skills": SkillsSection, "languages": LanguagesSection,
    "custom": CustomSection,
}
SECTION_KINDS = tuple(SECTION_MODELS)


def _section_kind(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if isinstance(kind, str) and kind in SECTION_MODELS else None


Section = Annotated[
    Union[tuple(Annotated[model, Tag(kind)] for kind, model in SECTION_MODELS.items())],  # type: ignore[misc]
    Discriminator(_section_kind, custom_error_type="section_kind",
                  custom_error_message="'kind' must be one of: " + ", ".join(SECTION_KINDS)),
]


#: A font family name as fontconfig lists it (``fc-list : family``); the theme's pattern.
FONT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 \-]*$"


def _installed_font(name: str, info: ValidationInfo) -> str:
    """A font must be installed (validation context ``"font_problem"``: a callable giving
    the problem with a family name, or None; no check without it)."""
    check = (info.context or {}).get("font_problem")
    problem = check(name) if check is not None else None
    if problem:
        raise ValueError(problem)
    return name


FontName = Annotated[str, Field(pattern=FONT_NAME_PATTERN), AfterValidator(_installed_font)]


class FontOverride(Model):
    """Fonts replacing the theme's for one locale; a role not given keeps the theme's font.
    Names are font families as ``fc-list : family`` lists them (case matters); each must be
    installed."""

    main: FontName | None = Field(default=None, description="Latin text (the body), e.g. TeX Gyre Heros")
    sans: FontName | None = Field(default=None, description="Latin sans-serif text, where the theme uses it")
    hangul: FontName | None = Field(default=None, description="Hangul and hanja, e.g. Noto Sans CJK KR")
    hangul_sans: FontName | None = Field(default=None, description="Hangul sans-serif text, where the theme uses it")


class Design(Model):
    """Design overrides; unset values come from the theme's ``theme.yaml``."""

    theme: str = Field(default="classic", description="A built-in theme (`cvtex themes` lists them) or a theme "
                       "directory: a path with a '/', relative to the profile file, e.g. ./mytheme "
                       "(`cvtex theme new mytheme --from classic` makes one).")
    paper: Literal["a4", "letter"] | None = None
    accent_color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$",
                                     description="#RRGGBB")
    font_size: Literal["10pt", "11pt", "12pt"] | None = None
    margins: str | None = Field(default=None, pattern=r"^\d+(\.\d+)?(mm|cm|in|pt)$", description="e.g. 18mm")
    fonts: dict[str, FontOverride] = Field(
        default={}, description="Fonts per locale, replacing the theme's role by role: "
        "{ko: {hangul: Noto Sans CJK KR}, en: {main: TeX Gyre Heros}}. A key is one of the profile's locales, "
        "or 'default' for every locale (a locale's own entry wins).")
    section_order: list[str] = Field(
        default=[], description="Section ids (a section's id, or its kind when it has none) printed first, in "
        "this order; the other sections follow in the profile's order. Default: the theme's section_order, "
        "else the profile's order.")


class LinkPolicy(Model):
    """Link-check policy: URL patterns (shell globs) not to request, and extra status
    codes to accept per host (``{"www.linkedin.com": [999]}``)."""

    exclude: list[str] = []
    accept: dict[str, list[int]] = {}


def _renderable(code: str, info: ValidationInfo) -> str:
    """An output locale must be one cvtex has locale data for (validation context
    ``"supported_locales"``; no check without it)."""
    supported = (info.context or {}).get("supported_locales")
    if supported is not None and code not in supported:
        raise ValueError(f"cvtex cannot render locale '{code}' yet; supported: {', '.join(supported)}")
    return code


class Profile(Model):
    """A whole CV. ``locales`` are the languages to render (the first is the fallback
    for text not given in a language)."""

    schema_: str | None = Field(default=None, alias="$schema", description="JSON Schema URL for editors")
    locales: list[Annotated[LocaleCode, AfterValidator(_renderable)]] = Field(min_length=1)
    header: Header
    summary: Paragraph | None = None
    sections: list[Section] = []
    # model_construct: the all-default values without building the models' validators at
    # import (models are built on first use: ``defer_build``)
    design: Design = Design.model_construct()
    links: LinkPolicy = LinkPolicy.model_construct()

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True, populate_by_name=True,
                              defer_build=True)

    @field_validator("locales")
    @classmethod
    def _unique_locales(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each locale may appear once")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> "Profile":
        seen: set[str] = set()
        for section in self.sections:
            sid = section.id or section.kind
            if sid in seen:
                raise ValueError(f"two sections have the id '{sid}': give the second one its own 'id:'")
            seen.add(sid)
        return self

    def section_id(self, index: int) -> str:
        section = self.sections[index]
        return section.id or section.kind


# --------------------------------------------------------------------------- validate

_BUILD_LOCK = threading.Lock()


def validate(doc: Document, *, supported_locales: tuple[str, ...] | None = None,
             glyphs: Any = None, font_problem: Any = None) -> tuple[Profile, list[Diagnostic]]:
    """Validate a loaded document against the schema; report every problem at once.

    Returns the :class:`Profile` and the warnings: a text given in some but not all of
    the profile's locales (that PDF falls back to another language), a text in a locale
    the profile does not render. Raises :class:`ProfileError` with every error and
    warning, sorted by position, each with file, line, column and field path; misspelled
    keys and section kinds get a "did you mean" hint.

    ``supported_locales`` (the locales cvtex has titles and date formats for) makes an
    unsupported output locale an error. ``glyphs`` (a :class:`cvtex.theme.fonts.Coverage`)
    makes a character the theme's fonts cannot set an error in the field that has it.
    ``font_problem`` (``name -> message or None``, e.g. :func:`cvtex.theme.fonts.font_problem`)
    makes a font in ``design.fonts`` that is not installed an error.

    References between fields are checked on the document itself, so they are reported
    with every other problem: ``design.section_order`` names sections of the profile,
    ``design.fonts`` keys and a section's ``locales`` are locales of the profile.
    """
    with _BUILD_LOCK:  # the models are built on first use (defer_build): once, even with renders in parallel
        Profile.model_rebuild()
    context = {"supported_locales": supported_locales, "glyphs": glyphs, "font_problem": font_problem}
    checked = _reference_checks(doc, supported_locales)
    references = [d for d in checked if d.severity == "error"]
    warnings = by_position(_localization_warnings(doc, supported_locales)
                           + [d for d in checked if d.severity != "error"])
    try:
        profile = Profile.model_validate(doc.data, context=context)
    except ValidationError as exc:
        raise ProfileError(by_position(_diagnostics(doc, exc) + references + warnings)) from None
    if references:
        raise ProfileError(by_position(references + warnings))
    return profile, warnings


def by_position(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` in file order (by file, line, column; an error before a warning)."""
    return sorted(diagnostics, key=lambda d: (d.file, d.line, d.column, d.severity != "error"))


def _raw_locales(data: Any) -> list[str] | None:
    """The document's ``locales`` when it is a list of locale codes, else None."""
    locales = data.get("locales") if isinstance(data, dict) else None
    if isinstance(locales, list) and locales and all(isinstance(c, str) and re.match(LOCALE_PATTERN, c)
                                                     for c in locales):
        return locales
    return None


def _raw_sections(data: Any) -> list[Any]:
    sections = data.get("sections") if isinstance(data, dict) else None
    return sections if isinstance(sections, list) else []


def _raw_section_id(section: Any) -> str | None:
    """A raw section's id: its ``id``, else its ``kind`` (None when it has neither)."""
    if not isinstance(section, dict):
        return None
    for key in ("id", "kind"):
        if isinstance(section.get(key), str):
            return section[key]
    return None


def _reference_checks(doc: Document, supported: tuple[str, ...] | None = None) -> list[Diagnostic]:
    """Problems in fields that name other parts of the profile (see :func:`validate`),
    found on the raw document; a part that is itself invalid is left to the schema.

    A section id that is not the profile's is an error. A locale that is not the
    profile's is an error when cvtex has no such locale either (``supported``: a typo
    such as ``kr``), else a warning, like text in such a locale: it is not rendered."""
    out: list[Diagnostic] = []

    def foreign(code: str, loc: Loc, locales: list[str], *, key: bool = False, allowed: tuple[str, ...] = ()) -> None:
        known = supported is None or code in supported
        message = f"'{code}' is not one of the profile's locales ({', '.join(locales)})"
        message += "".join(f" nor '{a}'" for a in allowed)
        if known:
            message += ": ignored until the profile renders it"
        elif code == "kr" and "ko" in locales:
            message += " (did you mean 'ko'? Korean is 'ko'; 'KR' is the country)"
        else:
            message += did_you_mean(code, [*locales, *allowed])
        out.append(doc.diagnostic(loc, message, key=key, field_name=field_path(loc),
                                  severity="warning" if known else "error"))

    data = doc.data if isinstance(doc.data, dict) else {}
    locales = _raw_locales(data)
    ids = [sid for sid in map(_raw_section_id, _raw_sections(data)) if sid is not None]
    design = data.get("design") if isinstance(data.get("design"), dict) else {}
    order = design.get("section_order")
    if isinstance(order, list):
        seen: dict[str, int] = {}
        for i, sid in enumerate(order):
            loc = ("design", "section_order", i)
            if not isinstance(sid, str):
                continue  # the schema says what is wrong with it
            if sid in seen:
                out.append(doc.diagnostic(loc, f"'{sid}' is already listed (item {seen[sid] + 1})",
                                          field_name=field_path(loc)))
            elif sid not in ids:
                hint = did_you_mean(sid, ids)
                if sid == "summary" and not hint:
                    hint = " (the summary is not a section: it comes before the sections)"
                known = f"; the profile's section ids: {', '.join(ids)}" if ids else "; the profile has no sections"
                out.append(doc.diagnostic(loc, f"no section has the id '{sid}'{hint}{known}",
                                          field_name=field_path(loc)))
            seen.setdefault(sid, i)
    fonts = design.get("fonts")
    if isinstance(fonts, dict) and locales:
        for key in fonts:
            if key != "default" and key not in locales:
                foreign(str(key), ("design", "fonts", key), locales, key=True, allowed=("default",))
    for i, section in enumerate(_raw_sections(data)):
        shown = section.get("locales") if isinstance(section, dict) else None
        if not (isinstance(shown, list) and locales):
            continue
        for j, code in enumerate(shown):
            if isinstance(code, str) and re.match(LOCALE_PATTERN, code) and code not in locales:
                foreign(code, ("sections", i, "locales", j), locales)
    return out


def _localization_warnings(doc: Document, supported: tuple[str, ...] | None = None) -> list[Diagnostic]:
    """Warnings for texts missing in some of the profile's locales, or given in a locale
    it does not render. Works on the raw document, so they are reported alongside
    schema errors; nothing when ``locales`` itself is invalid (locales cvtex cannot
    render, an error of their own, are left out)."""
    locales = _raw_locales(doc.data)
    if locales is None:
        return []
    locales = [c for c in locales if supported is None or c in supported] or locales
    # a section limited to some locales (its 'locales:') needs text in those only
    shown_in: dict[int, list[str]] = {}
    for i, section in enumerate(_raw_sections(doc.data)):
        codes = section.get("locales") if isinstance(section, dict) else None
        if isinstance(codes, list) and codes:
            shown_in[i] = [c for c in locales if c in codes]
    out: list[Diagnostic] = []
    for loc, value in text_values(doc.data):
        if not isinstance(value, dict) or not value:
            continue
        printed = shown_in.get(loc[1], locales) if loc[:1] == ("sections",) and len(loc) > 1 else locales
        missing = [code for code in printed if code not in value]
        if missing and any(code in value for code in locales):
            out.append(doc.diagnostic(loc, f"no {', '.join(missing)} text: the {'/'.join(missing)} PDF falls back "
                                      "to another language", severity="warning", field_name=field_path(loc)))
        extra = [code for code in value if code not in locales]
        if extra:
            out.append(doc.diagnostic(loc + (extra[0],), f"text in '{extra[0]}', which is not one of the profile's "
                                      f"locales ({', '.join(locales)})", severity="warning", key=True,
                                      field_name=field_path(loc)))
    return out


def text_values(data: Any, annotation: Any = None, loc: Loc = ()):
    """Yield ``(loc, raw value)`` for every :data:`~cvtex.schema.text.Text` field of a raw
    profile document, guided by the schema (works on invalid documents too)."""
    from typing import get_args, get_origin

    annotation = Profile if annotation is None else annotation
    if is_text(annotation):
        yield loc, data
    elif isinstance(data, list):
        stack, item = [annotation], None
        while stack and item is None:
            ann = stack.pop()
            if get_origin(ann) is list:
                item = get_args(ann)[0]
            else:
                stack.extend(get_args(ann))
        if item is not None:
            for i, child in enumerate(data):
                yield from text_values(child, item, loc + (i,))
    elif isinstance(data, dict):
        model = _resolve_model(annotation, data)
        for key, child in data.items() if model else ():
            info = _field_by_key(model, key)
            if info is not None:
                yield from text_values(child, info.rebuild_annotation(), loc + (key,))


def walk(value: Any, loc: Loc = ()):
    """Yield ``(loc, value)`` for every model field value in ``value``, depth first.

    ``loc`` uses the YAML keys (aliases), so it addresses the source document.
    """
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            child = getattr(value, name)
            if child is None:
                continue
            key = info.alias or name
            yield loc + (key,), child
            yield from walk(child, loc + (key,))
    elif isinstance(value, (list, tuple)):
        for i, child in enumerate(value):
            yield loc + (i,), child
            yield from walk(child, loc + (i,))


def _source_loc(data: Any, loc: tuple[Any, ...]) -> Loc:
    """Map a pydantic error location onto the document: drop union tags and other
    elements that are not keys or indexes of the data."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
    return tuple(out)


def _diagnostics(doc: Document, exc: ValidationError) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[tuple[Loc, str]] = set()
    for err in exc.errors(include_url=False):
        loc = _source_loc(doc.data, err["loc"])
        kind = err["type"]
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        is_key = False
        missing_field = ""
        if kind == "extra_forbidden":
            is_key = True
            name = loc[-1] if loc else "?"
            message = f"unknown field '{name}'" + did_you_mean(str(name), _fields_at(doc.data, loc[:-1]))
        elif kind == "missing":
            message = f"missing required field '{err['loc'][-1]}'"
            missing_field = field_path(loc + (str(err["loc"][-1]),))
        elif kind == "section_kind":
            got = doc.data
            for part in loc:
                got = got[part]
            given = got.get("kind") if isinstance(got, dict) else None
            if given is None:
                message = "a section needs 'kind:' — one of " + ", ".join(SECTION_KINDS)
            else:
                loc = loc + ("kind",)
                message = f"unknown section kind '{given}'" + did_you_mean(str(given), SECTION_KINDS)
        elif kind == "literal_error" and err["loc"][-1:] != ("kind",):
            message = message.replace("Input should be", "must be")
        elif kind in ("too_short",) and "entries" in str(err["loc"][-1:]):
            message = "a section needs at least one entry"
        elif kind == "too_short":
            message = "needs at least one item"
        elif kind == "string_pattern_mismatch":
            pattern = err["ctx"]["pattern"]
            message = f"'{_value_at(doc.data, loc)}' is not {_PATTERNS.get(pattern, f'of the form {pattern}')}"
        message = _TYPE_MESSAGES.get(kind, message.replace("Input should be", "expected"))
        key = (loc, message)
        if key in seen:
            continue
        seen.add(key)
        if (err.get("ctx") or {}).get("field"):
            loc = loc + (err["ctx"]["field"],)
            is_key = False
        char = (err.get("ctx") or {}).get("char", "")
        out.append(doc.diagnostic(loc, message, key=is_key, field_name=missing_field or field_path(loc), char=char))
    # "missing 'organization'" says nothing new next to "unknown 'organisation' (did you mean 'organization'?)"
    def parent(path: str) -> str:
        return path.rsplit(".", 1)[0] if "." in path else ""

    hinted = {(parent(d.field), d.message.split("did you mean '")[1].rstrip("'?)"))
              for d in out if "did you mean '" in d.message}
    out = [d for d in out if not (d.message.startswith("missing required field '")
                                  and (parent(d.field), d.message.split("'")[1]) in hinted)]
    out.sort(key=lambda d: (d.line, d.column))
    return out


#: Messages for pydantic's type errors, in a profile's terms.
_TYPE_MESSAGES = {
    "list_type": "expected a list: [a, b] or one '- item' line per item",
    "dict_type": "expected a mapping: 'key: value' lines or {key: value}",
    "model_type": "expected a mapping: 'key: value' lines or {key: value}",
    "model_attributes_type": "expected a mapping: 'key: value' lines or {key: value}",
    "string_type": "expected text",
}

#: What the schema's string patterns mean, for messages.
_PATTERNS = {
    r"^#[0-9A-Fa-f]{6}$": "a colour written #RRGGBB",
    r"^\d+(\.\d+)?(mm|cm|in|pt)$": "a length such as 18mm (mm, cm, in or pt)",
    r"^[a-z][a-z0-9-]*$": "an id: lowercase letters, digits and '-', starting with a letter",
    FONT_NAME_PATTERN: "a font family name: letters, digits, spaces and '-' (as `fc-list : family` lists it)",
}


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _fields_at(data: Any, loc: Loc) -> list[str]:
    """The keys the schema allows for the mapping at ``loc`` in the document."""
    from typing import get_args, get_origin

    annotation: Any = Profile
    node = data
    for part in loc:
        mapping = [a for a in (annotation, *get_args(annotation)) if get_origin(a) is dict]
        if isinstance(part, str) and mapping:  # a key of a dict[str, Model] field: its value's model
            annotation = get_args(mapping[0])[1]
        elif isinstance(part, str):
            model = _resolve_model(annotation, node)
            info = _field_by_key(model, part) if model else None
            if info is None:
                return []
            annotation = info.annotation
        node = node[part]
    model = _resolve_model(annotation, node)
    return [info.alias or name for name, info in model.model_fields.items()] if model else []


def _field_by_key(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


def _resolve_model(annotation: Any, node: Any) -> type[BaseModel] | None:
    """The model class an annotation such as ``list[Role] | None`` or ``list[Section]``
    gives the mapping ``node`` (a section's model is chosen by its ``kind``)."""
    from typing import get_args

    found: list[type[BaseModel]] = []

    def collect(ann: Any) -> None:
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            found.append(ann)
        for arg in get_args(ann):
            collect(arg)

    collect(annotation)
    kind = node.get("kind") if isinstance(node, dict) else None
    if isinstance(kind, str) and kind in SECTION_MODELS and any(issubclass(m, SectionBase) for m in found):
        return SECTION_MODELS[kind]
    return found[0] if found else None


def did_you_mean(name: str, candidates: Any) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``candidates`` (difflib ratio ≥ 0.6), or ''."""
    import difflib  # on a typo only

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --------------------------------------------------------------------------- JSON Schema

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a profile, generated from :class:`Profile`, for
    editors (``# yaml-language-server: $schema=…``) and ``cvtex schema``. It checks
    structure, field names and formats; :func:`validate` checks more (dates in order,
    characters the fonts have, URLs in detail)."""
    generated = Profile.model_json_schema(by_alias=True)
    return {"$schema": JSON_SCHEMA_DIALECT, "title": "cvtex profile",
            "description": "A CV profile for cvtex: one YAML file, rendered to one PDF per locale. "
                           "Generated from cvtex's profile models by `cvtex schema`; do not edit.",
            **{k: v for k, v in generated.items() if k not in ("title", "description")}}


def json_schema_text() -> str:
    """:func:`json_schema` as the text ``cvtex schema`` prints (sorted keys, 2-space indent, final newline)."""
    import json

    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
