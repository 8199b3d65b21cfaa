"""Stage 2 — validate: the profile's top-level models (pydantic v2).

A profile is::

    locales: [en, ko]            # the languages to render, first = fallback
    header: {name, name_aliases, headline, location, emails, phone, websites, profiles, keywords}
    title: Text                  # the PDF's Title; default: "{name} — CV" / "{name} 이력서"
    summary: Paragraph
    summary_title: Text          # the summary's heading; default: Summary / 요약
    sections:                    # in print order (cvtex.schema.sections)
      - kind: experience         # experience | education | publications | projects | awards |
        title: {en: …, ko: …}    #   talks | teaching | patents | press | skills | languages | custom
        entries: [...]
    design: {theme, paper, accent_color, font_size, margins, fonts, section_order}
    links: {exclude, accept}     # link-check policy
    letters:                     # cover letters and 자기소개서 (cvtex.schema.letters)
      - {id, kind: cover-letter | self-introduction, locales, …}

Every human-readable field is :data:`~cvtex.schema.text.Text` (at most 300 characters: a title,
a name, a place) or :data:`~cvtex.schema.text.Paragraph` (``summary``, ``highlights``, ``thesis``,
``note``): a string or ``{locale: string}``. Text may use inline markup ``[text](url)``,
``**bold**`` and ``*italic*``. Every other printed string (an author alias, a patent number, a
DOI, an e-mail address, a phone number) is checked like text
(:func:`cvtex.schema.text.printable`). Unknown keys are errors. Each field's description and
example (:func:`~cvtex.schema.base.field`) are what ``cvtex schema`` and the profile reference
show. :func:`cvtex.schema.validation.validate` checks a document against :class:`Profile`.

Titles and their fallback. A text missing in the locale being rendered falls back through the
profile's ``locales`` in order. Titles that have a default of their own are the exception: the
document ``title``, ``summary_title`` and the ``title`` of a section of a built-in kind fall back
to that default, in the locale being rendered (a Korean PDF never prints "Awards" over its 수상
section because the title was given in English only); :func:`title_default` names it. A
``custom`` section has no default title, so its title falls back through the locales.
"""

# No ``from __future__ import annotations``: see cvtex/schema/base.py.
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cvtex.schema import markup
from cvtex.schema.base import LinkItem, Model, at_field, field
from cvtex.schema.dates import Date
from cvtex.schema.letters import Letter
from cvtex.schema.sections import SECTION_KINDS, Section
from cvtex.schema.text import Email, LocaleCode, Paragraph, Phone, PlainStr, Text, Url

EN_KO_NAME = {"en": "Jiwoo Han", "ko": "한지우"}


class SocialProfile(Model):
    """An account on a network: GitHub, LinkedIn, Google Scholar, ORCID, X, …"""

    network: PlainStr = field("The network, in lower case: github, linkedin, google-scholar, orcid, x, youtube, "
                              "blog, … (free text; themes with icons know these names).", "github")
    username: PlainStr | None = field("The account name (for themes and the JSON Resume export; the built-in "
                                      "themes print the URL).", "example", default=None)
    url: Url = field("The profile's address, printed as a link.", "https://github.com/example")


def _photo_shorthand(value: Any) -> Any:
    return {"path": value} if isinstance(value, str) else value


class Photo(Model):
    """An ID photo (증명사진) printed in the header, 3 × 4 cm: a JPEG or PNG file. cvtex
    checks it at validate (:mod:`cvtex.schema.photo`) and prints a copy made for print
    (:mod:`cvtex.build.photo`: EXIF orientation applied, cropped to 3:4, 354 × 472 pixels
    (300 dpi), no metadata). ``photo: me.jpg`` is short for ``photo: {path: me.jpg}``."""

    path: PlainStr = field("The image file, JPEG or PNG, relative to the profile file; at least 354 × 472 pixels "
                           "(3 × 4 cm at 300 dpi), else a warning.", "photo.jpg")
    locales: list[LocaleCode] = field(
        "The PDFs that show it. Default: [ko] — a Korean 이력서 has a photo, an English résumé by convention "
        "does not. [] shows it in none.", ["ko"], ["en", "ko"], default=["ko"])


class Header(Model):
    """Who the CV is about. ``name_aliases`` are other spellings of the owner's name in
    author lists (``J. Park``); they are highlighted in publications.

    The personal fields Korean forms ask for (``photo``, ``birth_date``, ``address``,
    ``name_hanja``) are printed only by themes made for those forms (``korean-form``), and
    never put in a PDF's metadata; ``hometown`` is never printed: ``cvtex validate --blind``
    looks for it in free text (blind hiring, :mod:`cvtex.schema.blind`)."""

    name: Text = field("The owner's name, printed at the top and as the PDF's Author.", EN_KO_NAME)
    name_aliases: list[PlainStr] = field("Other spellings of the name in author lists; highlighted in "
                                         "publications like the name itself.", ["J. Han", "Han, J."], default=[])
    headline: Text | None = field("A line under the name: a role or a field.",
                                  {"en": "Backend Engineer", "ko": "백엔드 엔지니어"}, default=None)
    location: Text | None = field("Where the owner lives or works.", {"en": "Seoul, Korea", "ko": "서울"},
                                  default=None)
    emails: list[Email] = field("E-mail addresses, printed as mailto: links.", ["jiwoo@example.com"], default=[])
    phone: Phone | None = field("A telephone number (digits, spaces, + - . ( )), printed as a tel: link.",
                                "+82 10-0000-0000", default=None)
    websites: list[LinkItem] = field("Web sites: a URL, or {url, label} to print the label instead.",
                                     ["https://example.com", {"url": "https://example.com/blog", "label": "Blog"}],
                                     default=[])
    profiles: list[SocialProfile] = field("Accounts on networks.",
                                            [{"network": "github", "username": "example",
                                              "url": "https://github.com/example"}], default=[])
    keywords: list[Text] = field("The PDF's Keywords. Default: the skill names of the skills sections.",
                                 ["backend", "distributed systems"], default=[])
    photo: Annotated[Photo, BeforeValidator(_photo_shorthand, json_schema_input_type=Union[PlainStr, Photo])] | None = field(
        "An ID photo (증명사진, 3 × 4 cm) for the header: a file path, or {path, locales}. Shown in the ko PDF "
        "only unless locales says otherwise; left out of --blind PDFs.", "photo.jpg",
        {"path": "photo.jpg", "locales": ["ko"]}, default=None)
    birth_date: Date | None = field("The date of birth (생년월일), as Korean forms ask for it; never in the PDF's "
                                    "metadata, left out of --blind PDFs.", "1994-05-17", default=None)
    address: Text | None = field("The postal address (주소) Korean forms ask for; --blind public PDFs print "
                                 "only its first part (the city, 시·도).",
                                 {"en": "Mapo-gu, Seoul", "ko": "서울특별시 마포구"}, default=None)
    name_hanja: PlainStr | None = field("The name in Hanja (한자 성명), printed by Korean forms.", "韓智宇",
                                        default=None)
    hometown: Text | None = field("Where the owner comes from (출신 지역). Never printed: `cvtex validate --blind` "
                                  "reports it where free text mentions it (blind hiring forbids it).",
                                  {"en": "Daegu", "ko": "대구"}, default=None)

    @field_validator("birth_date")
    @classmethod
    def _born_in_the_past(cls, value: Any) -> Any:
        import datetime as dt

        if value is not None and (value.present or (value.year, value.month, value.day) > dt.date.today().timetuple()[:3]):
            raise ValueError(f"'{value}' is not a date of birth: write the day you were born, YYYY-MM-DD")
        return value


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

    main: FontName | None = field("Latin text (the body). Default: the theme's.", "TeX Gyre Heros", default=None)
    sans: FontName | None = field("Latin sans-serif text, where the theme uses it. Default: the theme's.",
                                  "TeX Gyre Heros", default=None)
    hangul: FontName | None = field("Hangul and hanja. Default: the theme's.", "Noto Sans CJK KR", default=None)
    hangul_sans: FontName | None = field("Hangul sans-serif text, where the theme uses it. Default: the theme's.",
                                         "Noto Sans CJK KR", default=None)


class Design(Model):
    """Design overrides; unset values come from the theme's ``theme.yaml``."""

    theme: str = field("A built-in theme (`cvtex themes` lists them) or a theme directory: a path with a '/', "
                       "relative to the profile file, e.g. ./mytheme (`cvtex theme new mytheme --from classic` "
                       "makes one).", "modern", "./mytheme", default="classic")
    paper: Literal["a4", "letter"] | None = field("The paper size. Default: the theme's (a4 for the built-in "
                                                  "themes).", "letter", default=None)
    accent_color: str | None = field("The theme's accent colour, #RRGGBB. Default: the theme's.", "#1F3A5F",
                                     default=None, pattern=r"^#[0-9A-Fa-f]{6}$")
    font_size: Literal["10pt", "11pt", "12pt"] | None = field("The body's font size. Default: the theme's.",
                                                              "11pt", default=None)
    margins: str | None = field("The page margins, a length in mm, cm, in or pt. Default: the theme's.", "18mm",
                                default=None, pattern=r"^\d+(\.\d+)?(mm|cm|in|pt)$")
    fonts: dict[str, FontOverride] = field(
        "Fonts per locale, replacing the theme's role by role. A key is one of the profile's locales, "
        "or 'default' for every locale (a locale's own entry wins).",
        {"ko": {"hangul": "Noto Sans CJK KR"}, "en": {"main": "TeX Gyre Heros"}}, default={})
    section_order: list[str] = field(
        "Section ids (a section's id, or its kind when it has none) printed first, in "
        "this order; the other sections follow in the profile's order. Default: the theme's section_order, "
        "else the profile's order.", ["publications", "experience"], default=[])


class LinkPolicy(Model):
    """Link-check policy: URL patterns (shell globs) not to request, and extra status
    codes to accept per host (``{"www.linkedin.com": [999]}``)."""

    exclude: list[str] = field("URL patterns (shell globs) the link check does not request; their links are "
                               "still compared with the PDF.", ["https://www.linkedin.com/*"], default=[])
    accept: dict[str, list[int]] = field("Extra HTTP status codes that count as ok, per host.",
                                         {"www.linkedin.com": [999]}, default={})


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

    schema_: str | None = field("The JSON Schema for editors (the YAML language server reads the "
                                "`# yaml-language-server: $schema=…` comment instead).", "cvtex.schema.json",
                                default=None, alias="$schema")
    locales: list[Annotated[LocaleCode, AfterValidator(_renderable)]] = field(
        "The languages to render, one PDF each (en, ko); the first is the fallback for text not given in a "
        "language.", ["en", "ko"], ["ko"], min_length=1)
    header: Header = field("Who the CV is about.", {"name": EN_KO_NAME, "emails": ["jiwoo@example.com"]})
    title: Text | None = field(
        "The document's title: the PDF's Title, what a viewer's window, a tab and a search result show (a "
        "bilingual PDF's Title joins its parts'). Give it for what is not a CV: a team page, a portfolio. Plain "
        "text: markup is removed, and a link is refused (nothing in the metadata can be clicked). A "
        "locale without its own text gets the locale's default. Default: the name with the locale's word for a CV "
        "(Jiwoo Han — CV, 한지우 이력서).",
        {"en": "Example Lab — Team", "ko": "예시 연구실 소개"}, "Jiwoo Han — Portfolio", default=None)
    summary: Paragraph | None = field("A paragraph under the header.",
                                      {"en": "Builds **reliable** services.", "ko": "**안정적인** 서비스를 만듭니다."},
                                      default=None)
    summary_title: Text | None = field(
        "The heading over the summary (and its bookmark); needs a summary. A locale without its own text gets "
        "the locale's default. Default: the locale's word for a summary (Summary, 요약).",
        {"en": "About us", "ko": "소개"}, default=None)
    sections: list[Section] = field("The sections, in print order (unless design.section_order).",
                                    [{"kind": "skills", "entries": [{"label": "Languages", "items": ["Go"]}]}],
                                    default=[])
    # model_construct: the all-default values without building the models' validators at
    # import (models are built on first use: ``defer_build``)
    design: Design = field("Design overrides of the theme's defaults.", {"theme": "modern", "paper": "letter"},
                           default=Design.model_construct())
    links: LinkPolicy = field("The link-check policy.", {"exclude": ["https://www.linkedin.com/*"]},
                              default=LinkPolicy.model_construct())
    letters: list[Letter] = field(
        "Cover letters and 자기소개서 (self-introductions), one per application, each with a unique id "
        "(docs/letters.md): two letters with one id are an error (cvtex.schema.validate). Not printed in the CV.",
        [{"id": "example-corp", "kind": "cover-letter", "locales": ["en"],
          "paragraphs": ["I am writing to apply for the **Backend Engineer** position."]}], default=[])

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True, populate_by_name=True,
                              defer_build=True)

    @field_validator("locales")
    @classmethod
    def _unique_locales(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each locale may appear once")
        return value

    @model_validator(mode="after")
    def _no_link_in_title(self) -> "Profile":
        for value in self.title.all() if self.title is not None else ():
            for url in markup.link_targets(value):
                raise at_field("title", f"the document title is the PDF's metadata, where nothing can be clicked, so "
                                        f"the link [..]({url}) would be lost; write the title as plain text")
        return self

    @model_validator(mode="after")
    def _summary_title_has_a_summary(self) -> "Profile":
        if self.summary_title is not None and self.summary is None:
            raise at_field("summary_title", "'summary_title' is the heading of the summary, and the profile has no "
                                            "'summary': add one or remove summary_title")
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> "Profile":
        seen: set[str] = set()
        for section in self.sections:
            sid = section.id or section.kind
            if sid in seen:
                raise ValueError(f"two sections have the id '{sid}': give the second one its own 'id:'")
            seen.add(sid)
        return self

    def letter_locales(self, letter: Any) -> list[str]:
        """The locales ``letter`` (one of :attr:`letters`) is written in: its own
        ``locales``, else the profile's."""
        return list(letter.locales or self.locales)

    def letter(self, letter_id: str) -> Any:
        """The letter with id ``letter_id``; ``KeyError`` when there is none."""
        for letter in self.letters:
            if letter.id == letter_id:
                return letter
        raise KeyError(letter_id)

    def section_id(self, index: int) -> str:
        section = self.sections[index]
        return section.id or section.kind


def title_default(data: Any, loc: tuple[str | int, ...]) -> str | None:
    """What a PDF prints instead of the title at ``loc`` (a location in the raw document
    ``data``, which may be invalid) in a locale the title has no text for, when that is a
    default rather than the title's text in another locale: ``"the locale's default
    document title"``, ``"the locale's default summary heading"``, ``"the default title of
    awards sections"`` (the texts themselves are the locale files', cvtex/localize/locales). ``None`` for every other field, and for a ``custom`` section's title (no
    default: it falls back through the profile's locales)."""
    if loc == ("title",):
        return "the locale's default document title"
    if loc == ("summary_title",):
        return "the locale's default summary heading"
    if len(loc) == 3 and loc[0] == "sections" and loc[2] == "title" and isinstance(loc[1], int):
        sections = data.get("sections") if isinstance(data, dict) else None
        section = sections[loc[1]] if isinstance(sections, list) and 0 <= loc[1] < len(sections) else None
        kind = section.get("kind") if isinstance(section, dict) else None
        if isinstance(kind, str) and kind in SECTION_KINDS and kind != "custom":
            return f"the default title of {kind} sections"
    return None
