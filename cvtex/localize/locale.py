"""Language data for each output locale: section titles, labels, month names and date
patterns (:class:`Locale`, :func:`get_locale`), read from ``locales/<code>.yaml`` beside
this module; date forms follow the sources named in those files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from cvtex.schema import PartialDate


@dataclass(frozen=True, slots=True)
class Labels:
    """The words themes print before or beside a value, in one language. ``with_`` is
    the YAML key ``with`` (a Python keyword); templates write ``labels.with``."""

    advisor: str
    with_: str
    thesis: str
    courses: str
    score: str
    inventors: str
    holder: str
    doi: str
    email: str
    phone: str
    website: str
    page: str
    certificate: str
    registration: str
    expires: str
    discharge: str
    exemption: str

    def __getattr__(self, name: str) -> str:
        if name == "with":
            return self.with_
        raise AttributeError(f"'Labels' object has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class Locale:
    """Language data for one output locale (``cvtex/localize/locales/<code>.yaml``):
    ``code`` (``en``), ``language_tag`` (BCP 47, ``en-US``: the PDF's ``/Lang``), ``name``
    (``English``), ``document_title`` (``{name} — CV``: the PDF title), ``months`` (12
    short month names), the date patterns ``date_year``/``date_month``/``date_day``
    (:meth:`str.format` fields ``year``, ``month``, ``month_name``, ``day``), ``present``
    (an ongoing end), ``range`` (``{start} – {end}``), ``list_separator``, ``sections``
    (section kind -> default title; ``summary`` too), ``labels`` (:class:`Labels`), ``military``
    (each military service status, :data:`cvtex.schema.korean.MILITARY_STATUSES`, in words),
    ``education`` (each study status, :data:`cvtex.schema.korean.EDUCATION_STATUSES`, in words) and
    ``letters``: each letter kind's document name (``cover-letter``, ``self-introduction``),
    the letter PDF's ``title`` pattern (fields ``document``, ``company``), a letter's date
    (:meth:`format_letter_date`) and, per counting
    rule (:data:`cvtex.schema.counting.RULES`), the count line printed under a 자기소개서
    question (fields ``count``, ``limit``); ``durations`` (:meth:`format_duration`) and ``career``:
    the 경력기술서's (career description) heading ``title``, its PDF's ``document_title``
    (field ``name``) and the labels of a project's details (``team_size``: field ``n``)."""

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
    labels: Labels
    military: dict[str, str]
    education: dict[str, str]
    letters: dict[str, str]
    durations: dict[str, str]
    career: dict[str, str]

    def format_date(self, date: PartialDate) -> str:
        """``2023-09`` -> 'Sep 2023' (en) / '2023. 9.' (ko); ``present`` -> 'Present' / '현재'."""
        if date.present:
            return self.present
        fields = {"year": date.year, "month": date.month, "day": date.day,
                  "month_name": self.months[date.month - 1] if date.month else ""}
        pattern = self.date_day if date.day else self.date_month if date.month else self.date_year
        return pattern.format(**fields)

    def format_letter_date(self, date: PartialDate) -> str:
        """A letter's date, written out: ``2026-03-02`` -> 'March 2, 2026' (en) /
        '2026년 3월 2일' (ko); a month alone 'March 2026' / '2026년 3월' (the ``letters``
        patterns ``date_day``, ``date_month`` and the space-separated ``months``)."""
        if not date.month:
            return str(date.year)
        pattern = self.letters["date_day"] if date.day else self.letters["date_month"]
        return pattern.format(year=date.year, month=date.month, day=date.day,
                              month_name=self.letters["months"].split()[date.month - 1])

    def format_duration(self, start: PartialDate | None, end: PartialDate | None,
                        today: tuple[int, int] | None = None) -> str | None:
        """How long the period from ``start`` to ``end`` lasted, both months counted
        (``2019-03`` to ``2023-02`` is 48 months: '4 yrs' / '4년'; ``2021-03`` to ``2023-01``
        '1 yr 11 mos' / '1년 11개월'); ``end: present`` counts to ``today`` (``(year, month)``,
        default: this month). ``None`` without a start and an end, or when either has no
        month. The ``durations`` patterns of the locale file (``year``, ``years``, ``month``,
        ``months``, ``join``)."""
        import datetime as dt

        from cvtex.schema import PartialDate

        if start is None or end is None or not start.month or not (end.month or end.present):
            return None
        if end.present:
            now = today or (dt.date.today().year, dt.date.today().month)
            end = PartialDate(*now)
        months = (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1
        if months <= 0:
            return None
        years, rest = divmod(months, 12)
        parts = [self.durations["year" if years == 1 else "years"].format(n=years)] if years else []
        parts += [self.durations["month" if rest == 1 else "months"].format(n=rest)] if rest else []
        return self.durations["join"].join(parts)

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
    """The locale codes cvtex ships data for (``cvtex/localize/locales/*.yaml``)."""
    files = resources.files("cvtex.localize").joinpath("locales").iterdir()
    return tuple(sorted(f.name[:-5] for f in files if f.name.endswith(".yaml")))


@lru_cache(maxsize=None)
def get_locale(code: str) -> Locale:
    """Load the locale data for ``code``; ``KeyError`` if cvtex has none."""
    if code not in supported_locales():
        raise KeyError(code)
    raw = yaml.safe_load(resources.files("cvtex.localize").joinpath("locales", f"{code}.yaml").read_text("utf-8"))
    raw["months"] = tuple(raw["months"])
    raw["labels"] = Labels(**{("with_" if k == "with" else k): v for k, v in raw["labels"].items()})
    return Locale(**raw)
