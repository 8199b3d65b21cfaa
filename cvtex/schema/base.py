"""What every profile model shares: the base class, links, periods, and :func:`field`.

:class:`Model` forbids unknown keys and refuses a ``[..](..)`` link inside the text of a
link; :class:`Dated` gives an entry ``start``/``end`` or ``date``; :class:`Link` is a URL with
a label. :func:`field` declares a field with its description and example, which the JSON
Schema (``cvtex schema``), editors and the generated profile reference all show.
"""

# No ``from __future__ import annotations`` here: pydantic would evaluate every field's
# annotation from a string (an eval per field, ~15 ms per process); evaluated at class
# definition they cost nothing extra.
from typing import Annotated, Any, ClassVar, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError, PydanticUndefined

from cvtex.schema import markup
from cvtex.schema.dates import Date, PartialDate
from cvtex.schema.text import Text, Url


def field(description: str, *examples: Any, default: Any = PydanticUndefined, **constraints: Any) -> Any:
    """A pydantic ``Field`` with ``description`` and ``examples`` (JSON values, each valid for
    the field); ``default`` omitted makes the field required. ``constraints`` are passed on
    (``min_length``, ``pattern``, ``alias``…). Say in ``description`` what an absent value means
    when that is not simply "not printed"."""
    return Field(default, description=description, examples=list(examples), **constraints)


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


def at_field(field_name: str, message: str) -> PydanticCustomError:
    """A model-level error shown at one of its fields (``ctx["field"]``; see
    :mod:`cvtex.schema.positions`)."""
    return PydanticCustomError("value_error", "{message}", {"message": message, "field": field_name})


def _url_shorthand(value: Any) -> Any:
    return {"url": value} if isinstance(value, str) else value


class Link(Model):
    """A URL with an optional label (shown instead of the URL). A plain string is the URL."""

    linked_field: ClassVar[str | None] = "label"

    url: Url = field("The address the link opens: http(s), mailto or tel.", "https://example.com/post")
    label: Text | None = field("The text printed for the link. Default: the URL itself, as its owner wrote it.",
                               "example.com", {"en": "Write-up", "ko": "소개 글"}, default=None)


#: A :class:`Link`, or its URL alone (``- https://example.com``).
LinkItem = Annotated[Link, BeforeValidator(_url_shorthand, json_schema_input_type=Union[Url, Link])]


def url_field(what: str) -> Any:
    """The optional ``url`` of an entry: its ``linked_field`` text becomes the link."""
    return field(f"A web page for the {what}; the {what}'s name or title is printed as the link to it.",
                 "https://example.com", default=None)


def _key(d: PartialDate) -> tuple[int, int, int]:
    return (d.year, d.month or 1, d.day or 1)


class Dated(Model):
    """Mixin for entries with a period: ``start`` … ``end`` (``end: present`` = ongoing)
    or a single ``date``."""

    start: Date | None = field("When the period began: YYYY, YYYY-MM or YYYY-MM-DD. Give start/end or date, "
                               "not both.", "2022-03", default=None)
    end: Date | None = field("When the period ended, or present while it goes on (printed Present, 현재). Without "
                             "it the start is printed followed by a dash.", "present", "2024-02", default=None)
    date: Date | None = field("A single date instead of a period (a paper's publication, an award).",
                              "2021-05", 2019, default=None)

    @model_validator(mode="after")
    def _check_period(self) -> "Dated":
        if self.date and (self.start or self.end):
            raise at_field("date", "give either 'date' or 'start'/'end', not both")
        if self.start and self.start.present:
            raise at_field("start", "'start' cannot be present (write the date you started; 'end: present' if ongoing)")
        if self.start and self.end and not self.end.present and _key(self.end) < _key(self.start):
            raise at_field("end", f"'end' ({self.end}) is before 'start' ({self.start})")
        return self


def by_kind(models: dict[str, Any], error_type: str) -> Any:
    """A type that validates a mapping with the model its ``kind`` names in ``models``
    ({kind: model}): a pydantic tagged union whose unknown or missing kind is one error of
    type ``error_type`` ("'kind' must be one of: …"), which
    :mod:`cvtex.schema.positions` words with a "did you mean"."""

    def kind_of(value: Any) -> str | None:
        kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
        return kind if isinstance(kind, str) and kind in models else None

    return Annotated[
        Union[tuple(Annotated[model, Tag(kind)] for kind, model in models.items())],  # type: ignore[misc]
        Discriminator(kind_of, custom_error_type=error_type,
                      custom_error_message="'kind' must be one of: " + ", ".join(models)),
    ]
