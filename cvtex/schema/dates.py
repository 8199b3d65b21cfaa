"""Dates in a profile: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (ISO 8601-1:2019 §5.2.2 calendar
dates, complete or at reduced precision, extended format) or ``present``, and the pydantic
field type :data:`Date`.

ISO 8601 writes dates with the ASCII digits 0-9 only, months 01-12 and days 01 to the
month's length (§5.2.2; Python's :class:`datetime.date` checks the calendar), so
``2020-00``, ``2020-01-00``, full-width ``２０２０`` and Arabic-Indic ``٢٠٢٠`` are refused, as
is white space around a date (``"present "``: YAML keeps the spaces of a quoted string,
and nothing else in a profile is matched with spaces ignored)."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date at year, month or day precision (``month``/``day`` 0 when absent)."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def present(self) -> bool:
        return self.year == 9999

    def __str__(self) -> str:
        if self.present:
            return "present"
        return "-".join([f"{self.year:04d}"] + [f"{n:02d}" for n in (self.month, self.day) if n])


PRESENT = PartialDate(9999)
# ASCII digits only: ``\d`` would match every Unicode decimal digit (Nd), ``２`` and ``٢`` too.
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$", re.ASCII)
_ALLOWED = "write YYYY, YYYY-MM or YYYY-MM-DD with the digits 0-9 (months 01-12, days from 01), or present"


def parse_date(value: Any) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``present`` (any case).

    Raises ``ValueError`` saying what is allowed (module doc): another form, digits other
    than ASCII 0-9, white space around the date, month or day 00, a day the month does
    not have (``2021-02-30``), year 0000.
    """
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("expected a date: YYYY, YYYY-MM, YYYY-MM-DD or present")
    if value != value.strip():
        raise ValueError(f"'{value}' has white space around the date: remove it ({_ALLOWED})")
    text = value
    if text.lower() == "present":
        return PRESENT
    match = _DATE.match(text)
    if not match:
        other = [ch for ch in text if unicodedata.category(ch) == "Nd" and not "0" <= ch <= "9"]
        if other:
            raise ValueError(f"'{text}' has '{other[0]}' (U+{ord(other[0]):04X} {unicodedata.name(other[0], '')}), "
                             f"not one of the ASCII digits 0-9: {_ALLOWED}")
        raise ValueError(f"'{text}' is not a date: {_ALLOWED}")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month == 0 or day == 0:
        raise ValueError(f"'{text}' is not a valid date: there is no {'month' if month == 0 else 'day'} 00; "
                         f"{_ALLOWED}")
    try:
        _dt.date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a valid date: {exc}") from None
    return PartialDate(year, month or 0, day or 0)  # type: ignore[arg-type]


Date = Annotated[PartialDate, BeforeValidator(parse_date),
                 # An unquoted year is a YAML 1.2 integer to editors (yaml-language-server).
                 WithJsonSchema({"anyOf": [{"type": "string",
                                            # what parse_date accepts but day 31 of a short month
                                            "pattern": r"^((?!0000)[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?"
                                                       r"|[Pp][Rr][Ee][Ss][Ee][Nn][Tt])$"},
                                           {"type": "integer", "minimum": 1, "maximum": 9999}],
                                 "description": "YYYY, YYYY-MM, YYYY-MM-DD or present", "title": "date"})]
