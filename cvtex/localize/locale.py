"""Stage 3 — localize: a :class:`~cvtex.schema.models.Profile` -> a one-language view.

The view is a tree of :class:`types.SimpleNamespace` (attribute access, every schema
field present, ``None`` when unset) in which

* every :class:`~cvtex.schema.text.LocalizedText` is a :class:`Text` — a ``str`` in the
  requested locale (falling back through the profile's locales in order) that knows its
  field path, so later stages can name the field behind a TeX error or a link;
* every entry with a period gets ``dates``: the formatted date or date range;
* section titles default to the locale's title for the section kind;
* publication authors are ``{name, owner}`` (``owner``: the CV owner's name or alias).

Locale data (section titles, month names, date patterns) lives in
``cvtex/locales/<code>.yaml``; date forms follow the sources named in those files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import SimpleNamespace
from typing import Any, Sequence

import yaml
from pydantic import BaseModel

from cvtex.schema import markup
from cvtex.diagnostics import field_path
from cvtex.schema.models import Dated, Profile, PublicationEntry
from cvtex.schema.text import LocalizedText, PartialDate, tel_url


class Text(str):
    """A localized text value that knows the profile field it came from: ``loc`` is the
    location in the YAML document (``('sections', 0, 'title')``), ``path`` its dotted form.

    Text may contain inline markup; templates typeset it through :func:`cvtex.theme.latex.markup`.
    """

    loc: tuple[str | int, ...]

    def __new__(cls, value: str, loc: tuple[str | int, ...] = ()) -> "Text":
        obj = super().__new__(cls, value)
        obj.loc = loc
        return obj

    @property
    def path(self) -> str:
        return field_path(self.loc)


@dataclass(frozen=True)
class Locale:
    """Language data for one output locale (see ``cvtex/locales/*.yaml``)."""

    code: str
    language_tag: str
    name: str
    document_title: str
    months: tuple[str, ...]
    date_year: str
    date_month: str
    date_day: str
    present: str
    range: str
    list_separator: str
    sections: dict[str, str]
    labels: SimpleNamespace

    def format_date(self, date: PartialDate) -> str:
        """``2023-09`` -> 'Sep 2023' (en) / '2023. 9.' (ko); ``present`` -> 'Present' / '현재'."""
        if date.present:
            return self.present
        fields = {"year": date.year, "month": date.month, "day": date.day,
                  "month_name": self.months[date.month - 1] if date.month else ""}
        pattern = self.date_day if date.day else self.date_month if date.month else self.date_year
        return pattern.format(**fields)

    def format_period(self, start: PartialDate | None, end: PartialDate | None,
                      date: PartialDate | None = None) -> str | None:
        """A date or range as printed; ``None`` when the entry has no date."""
        if date:
            return self.format_date(date)
        if start and end:
            if start == end:
                return self.format_date(start)
            return self.range.format(start=self.format_date(start), end=self.format_date(end))
        if start:
            return self.range.format(start=self.format_date(start), end="").rstrip()
        if end:
            return self.format_date(end)
        return None


def supported_locales() -> tuple[str, ...]:
    """The locale codes cvtex ships data for (``cvtex/locales/*.yaml``)."""
    files = resources.files("cvtex.localize").joinpath("locales").iterdir()
    return tuple(sorted(f.name[:-5] for f in files if f.name.endswith(".yaml")))


@lru_cache(maxsize=None)
def get_locale(code: str) -> Locale:
    """Load the locale data for ``code``; ``KeyError`` if cvtex has none."""
    if code not in supported_locales():
        raise KeyError(code)
    raw = yaml.safe_load(resources.files("cvtex.localize").joinpath("locales", f"{code}.yaml").read_text("utf-8"))
    raw["months"] = tuple(raw["months"])
    raw["labels"] = SimpleNamespace(**raw["labels"])
    return Locale(**raw)


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


def localize(profile: Profile, code: str, *, theme_order: Sequence[str] = ()) -> SimpleNamespace:
    """The profile in locale ``code``: ``view.header``, ``view.summary``,
    ``view.sections`` (each with ``kind``, ``id``, ``title``, ``entries``; the sections
    this locale prints, in print order: :func:`section_order`, with the theme's
    ``theme_order``), ``view.locale`` (:class:`Locale`) and ``view.locales`` (all the
    profile's codes).

    Raises ``KeyError`` when cvtex has no locale data for ``code``.
    """
    locale = get_locale(code)
    fallback = tuple(profile.locales)
    owner_names = {_fold(n) for n in profile.header.name.all()} | {_fold(a) for a in profile.header.name_aliases}

    def convert(value: Any, loc: tuple[str | int, ...]) -> Any:
        if isinstance(value, LocalizedText):
            return Text(value.get(code, fallback), loc)
        if isinstance(value, BaseModel):
            out = {}
            for name, info in type(value).model_fields.items():
                key = info.alias or name
                child = getattr(value, name)
                out[name] = None if isinstance(child, PartialDate) else convert(child, loc + (key,))
            if isinstance(value, Dated):
                out["dates"] = locale.format_period(value.start, value.end, value.date)
                out["year"] = (value.date or value.end or value.start).year if (value.date or value.start or value.end) else None
            if isinstance(value, PublicationEntry):
                out["authors"] = [SimpleNamespace(name=a, owner=_fold(markup.plain(a)) in owner_names)
                                  for a in out["authors"]]
                out["doi_url"] = value.doi_url
            return SimpleNamespace(**out)
        if isinstance(value, (list, tuple)):
            return [convert(child, loc + (i,)) for i, child in enumerate(value)]
        if isinstance(value, dict):
            return {k: convert(v, loc + (k,)) for k, v in value.items()}
        return value

    header = convert(profile.header, ("header",))
    header.phone_url = tel_url(profile.header.phone) if profile.header.phone else None
    sections = []
    for i in section_order(profile, code, theme_order):
        section = profile.sections[i]
        view = convert(section, ("sections", i))
        view.id = profile.section_id(i)
        if view.title is None:
            view.title = Text(locale.sections[section.kind], ("sections", i, "kind"))
        sections.append(view)
    summary = convert(profile.summary, ("summary",)) if profile.summary else None
    return SimpleNamespace(header=header, summary=summary, sections=sections, locale=locale,
                           locales=list(profile.locales), design=profile.design)


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())
