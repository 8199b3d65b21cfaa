"""Dates in a profile: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (ISO 8601 calendar dates at
reduced precision) or ``present``, and the pydantic field type :data:`Date`."""

from __future__ import annotations

import datetime as _dt
import re
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
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_date(value: Any) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``present`` (any case)."""
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("expected a date: YYYY, YYYY-MM, YYYY-MM-DD or present")
    text = value.strip()
    if text.lower() == "present":
        return PRESENT
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a date: write YYYY, YYYY-MM, YYYY-MM-DD or present")
    year, month, day = (int(g) if g else 0 for g in match.groups())
    try:
        _dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a valid date: {exc}") from None
    return PartialDate(year, month, day)


Date = Annotated[PartialDate, BeforeValidator(parse_date),
                 # An unquoted year is a YAML 1.2 integer to editors (yaml-language-server).
                 WithJsonSchema({"anyOf": [{"type": "string",
                                            "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|[Pp]resent)$"},
                                           {"type": "integer", "minimum": 1, "maximum": 9999}],
                                 "description": "YYYY, YYYY-MM, YYYY-MM-DD or present", "title": "date"})]
