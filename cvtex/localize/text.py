"""Localized text that knows where in the profile it came from (:class:`Text`)."""

from __future__ import annotations

from typing import Union

from cvtex.diagnostics import field_path

#: A location in the profile's YAML document: keys and list indexes from the top.
Loc = tuple[Union[str, int], ...]


class Text(str):
    """A localized text value that knows the profile field it came from: ``loc`` is the
    location in the YAML document (``('sections', 0, 'title')``), ``path`` its dotted form
    (``sections[0].title``).

    Text may contain inline markup; templates typeset it through :func:`cvtex.theme.latex.markup`.
    """

    loc: Loc

    def __new__(cls, value: str, loc: Loc = ()) -> Text:
        obj = super().__new__(cls, value)
        obj.loc = loc
        return obj

    @property
    def path(self) -> str:
        return field_path(self.loc)
