"""Stage 2 — validate: the profile schema (pydantic v2) and :func:`validate`.

A profile is::

    locales: [en, ko]            # the languages to render, first = fallback
    header: {name, name_aliases, headline, location, emails, phone, websites, profiles, keywords}
    summary: Text
    sections:                    # in print order
      - kind: experience         # experience | education | publications | projects | awards |
        title: {en: …, ko: …}    #   talks | teaching | patents | press | skills | languages | custom
        entries: [...]
    design: {theme, paper, accent_color, font_size, margins}
    links: {exclude, accept}     # link-check policy

Every human-readable field is :data:`~cvtex.text.Text`: a string or ``{locale: string}``.
Text may use inline markup ``[text](url)``, ``**bold**`` and ``*italic*``. Unknown keys
are errors. :func:`validate` turns every problem into a :class:`Diagnostic` with
``file:line:col`` and the field path.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from . import markup
from .diagnostics import Diagnostic, ProfileError, field_path
from .loader import Document, Loc
from .text import Date, Email, LocaleCode, LocalizedText, PartialDate, Phone, Text, Url, normalize_url


class Model(BaseModel):
    """Base of every schema model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


def _url_shorthand(value: Any) -> Any:
    return {"url": value} if isinstance(value, str) else value


class Link(Model):
    """A URL with an optional label (shown instead of the URL). A plain string is the URL."""

    url: Url
    label: Text | None = None


LinkItem = Annotated[Link, BeforeValidator(_url_shorthand)]


class SocialProfile(Model):
    """An account on a network: GitHub, LinkedIn, Google Scholar, ORCID, X, …"""

    network: str = Field(description="github, linkedin, google-scholar, orcid, x, youtube, blog, … (free text)")
    username: str | None = None
    url: Url


class Header(Model):
    """Who the CV is about. ``name_aliases`` are other spellings of the owner's name in
    author lists (``J. Park``); they are highlighted in publications."""

    name: Text
    name_aliases: list[str] = []
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
            raise ValueError("give either 'date' or 'start'/'end', not both")
        if self.start and self.start.present:
            raise ValueError("'start' cannot be present")
        if self.start and self.end and not self.end.present and _key(self.end) < _key(self.start):
            raise ValueError(f"'end' ({self.end}) is before 'start' ({self.start})")
        return self


def _key(d: PartialDate) -> tuple[int, int, int]:
    return (d.year, d.month or 1, d.day or 1)


class Role(Dated):
    """One position held at an organization."""

    title: Text
    department: Text | None = None
    team: Text | None = None
    location: Text | None = None
    advisor: Text | None = None
    highlights: list[Text] = []


class ExperienceEntry(Model):
    """An organization and the roles held there (several roles stay grouped)."""

    organization: Text
    department: Text | None = None
    location: Text | None = None
    url: Url | None = None
    roles: list[Role] = Field(min_length=1)


class EducationEntry(Dated):
    institution: Text
    degree: Text | None = None
    area: Text | None = None
    location: Text | None = None
    url: Url | None = None
    score: Text | None = None
    advisor: Text | None = None
    thesis: Text | None = None
    courses: list[Text] = []
    highlights: list[Text] = []


class PublicationEntry(Dated):
    """A paper, article, book or preprint. Authors matching the owner's name or
    ``header.name_aliases`` are highlighted."""

    title: Text
    authors: list[Text] = []
    venue: Text | None = None
    doi: str | None = Field(default=None, pattern=r"^10\.\d{4,9}/\S+$")
    url: Url | None = None
    note: Text | None = None

    @property
    def doi_url(self) -> str | None:
        return normalize_url("https://doi.org/" + self.doi) if self.doi else None


class ProjectEntry(Dated):
    name: Text
    organization: Text | None = None
    role: Text | None = None
    collaborators: list[Text] = []
    summary: Text | None = None
    links: list[LinkItem] = []
    highlights: list[Text] = []


class AwardEntry(Dated):
    title: Text
    issuer: Text | None = None
    url: Url | None = None
    summary: Text | None = None


class TalkEntry(Dated):
    title: Text
    event: Text | None = None
    location: Text | None = None
    url: Url | None = None
    summary: Text | None = None


class TeachingEntry(Dated):
    title: Text
    institution: Text | None = None
    role: Text | None = None
    url: Url | None = None
    summary: Text | None = None


class PatentEntry(Dated):
    title: Text
    status: Text | None = None
    number: str | None = None
    holder: Text | None = None
    inventors: list[Text] = []
    url: Url | None = None


class PressEntry(Dated):
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

    title: Text
    subtitle: Text | None = None
    location: Text | None = None
    url: Url | None = None
    summary: Text | None = None
    highlights: list[Text] = []


class SectionBase(Model):
    """A titled list of entries. ``title`` defaults to the locale's title for the kind;
    ``id`` (default: the kind) names the section's PDF destination and must be unique."""

    kind: str
    id: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*$")
    title: Text | None = None


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
    return kind if kind in SECTION_MODELS else None


Section = Annotated[
    Union[tuple(Annotated[model, Tag(kind)] for kind, model in SECTION_MODELS.items())],  # type: ignore[misc]
    Discriminator(_section_kind, custom_error_type="section_kind",
                  custom_error_message="'kind' must be one of: " + ", ".join(SECTION_KINDS)),
]


class Design(Model):
    """Design overrides; unset values come from the theme's ``theme.yaml``."""

    theme: str = "classic"
    paper: Literal["a4", "letter"] | None = None
    accent_color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$",
                                     description="#RRGGBB")
    font_size: Literal["10pt", "11pt", "12pt"] | None = None
    margins: str | None = Field(default=None, pattern=r"^\d+(\.\d+)?(mm|cm|in|pt)$", description="e.g. 18mm")


class LinkPolicy(Model):
    """Link-check policy: URL patterns (shell globs) not to request, and extra status
    codes to accept per host (``{"www.linkedin.com": [999]}``)."""

    exclude: list[str] = []
    accept: dict[str, list[int]] = {}


class Profile(Model):
    """A whole CV. ``locales`` are the languages to render (the first is the fallback
    for text not given in a language)."""

    schema_: str | None = Field(default=None, alias="$schema", description="JSON Schema URL for editors")
    locales: list[LocaleCode] = Field(min_length=1)
    header: Header
    summary: Text | None = None
    sections: list[Section] = []
    design: Design = Design()
    links: LinkPolicy = LinkPolicy()

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True, populate_by_name=True)

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

def validate(doc: Document, *, supported_locales: tuple[str, ...] | None = None) -> tuple[Profile, list[Diagnostic]]:
    """Validate a loaded document against the schema.

    Returns the :class:`Profile` and the warnings (text not given in every locale).
    Raises :class:`ProfileError` with every error found, each with file, line, column
    and field path; misspelled keys and section kinds get a "did you mean" hint.
    ``supported_locales`` (the locales cvtex has titles and date formats for) makes an
    unsupported output locale an error.
    """
    try:
        profile = Profile.model_validate(doc.data)
    except ValidationError as exc:
        raise ProfileError(_diagnostics(doc, exc)) from None
    problems: list[Diagnostic] = []
    for i, code in enumerate(profile.locales):
        if supported_locales is not None and code not in supported_locales:
            problems.append(doc.diagnostic(("locales", i), f"cvtex cannot render locale '{code}' yet; "
                                           f"supported: {', '.join(supported_locales)}", field_name=f"locales[{i}]"))
    for loc, value in walk(profile):
        if isinstance(value, LocalizedText):
            problems.extend(_check_inline_links(doc, loc, value))
            missing = value.missing(profile.locales)
            if missing and len(missing) < len(profile.locales):
                problems.append(doc.diagnostic(loc, f"no {', '.join(missing)} text: the "
                                               f"{'/'.join(missing)} PDF falls back to another language",
                                               severity="warning", field_name=field_path(loc)))
            extra = [code for code in value.values if code != "*" and code not in profile.locales]
            if extra:
                problems.append(doc.diagnostic(loc + (extra[0],), f"text in '{extra[0]}', which is not one of the "
                                               f"profile's locales ({', '.join(profile.locales)})",
                                               severity="warning", key=True, field_name=field_path(loc)))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ProfileError(problems)
    return profile, problems


def _check_inline_links(doc: Document, loc: Loc, text: LocalizedText) -> list[Diagnostic]:
    out = []
    for code, value in text.values.items():
        for url in markup.link_targets(value):
            try:
                normalize_url(url)
            except ValueError as exc:
                where = loc if code == "*" else loc + (code,)
                out.append(doc.diagnostic(where, f"link [..]({url}): {exc}", field_name=field_path(loc)))
    return out


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
        if kind == "extra_forbidden":
            is_key = True
            name = loc[-1] if loc else "?"
            message = f"unknown field '{name}'" + _did_you_mean(str(name), _fields_at(doc.data, loc[:-1]))
        elif kind == "missing":
            message = f"missing required field '{err['loc'][-1]}'"
        elif kind == "section_kind":
            got = doc.data
            for part in loc:
                got = got[part]
            given = got.get("kind") if isinstance(got, dict) else None
            if given is None:
                message = "a section needs 'kind:' — one of " + ", ".join(SECTION_KINDS)
            else:
                loc = loc + ("kind",)
                message = f"unknown section kind '{given}'" + _did_you_mean(str(given), SECTION_KINDS)
        elif kind == "literal_error" and err["loc"][-1:] != ("kind",):
            message = message.replace("Input should be", "must be")
        elif kind in ("too_short",) and "entries" in str(err["loc"][-1:]):
            message = "a section needs at least one entry"
        elif kind == "too_short":
            message = "needs at least one item"
        elif kind == "string_pattern_mismatch":
            message = f"'{_value_at(doc.data, loc)}' does not match the expected form ({err['ctx']['pattern']})"
        message = message.replace("Input should be", "expected")
        key = (loc, message)
        if key in seen:
            continue
        seen.add(key)
        out.append(doc.diagnostic(loc, message, key=is_key, field_name=field_path(loc)))
    # "missing 'organization'" says nothing new next to "unknown 'organisation' (did you mean 'organization'?)"
    hinted = {(d.field.rsplit(".", 1)[0], d.message.split("did you mean '")[1].rstrip("'?)"))
              for d in out if "did you mean '" in d.message}
    out = [d for d in out if not (d.message.startswith("missing required field '")
                                  and (d.field, d.message.split("'")[1]) in hinted)]
    out.sort(key=lambda d: (d.line, d.column))
    return out


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _fields_at(data: Any, loc: Loc) -> list[str]:
    """The keys the schema allows for the mapping at ``loc`` in the document."""
    annotation: Any = Profile
    node = data
    for part in loc:
        if isinstance(part, str):
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
    if isinstance(node, dict) and node.get("kind") in SECTION_MODELS and any(issubclass(m, SectionBase) for m in found):
        return SECTION_MODELS[node["kind"]]
    return found[0] if found else None


def _did_you_mean(name: str, candidates: Any) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
