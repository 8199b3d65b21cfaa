"""What a theme's templates print with: the escaping of every value, the helpers they call,
and the record of which profile field went to which place of the LaTeX.

Every value a template prints is escaped on the way out (:func:`finalize`, Jinja2's
``finalize``): localized text goes through :func:`cvtex.theme.latex.markup`, any other string
through :func:`cvtex.theme.latex.escape`. Only :class:`cvtex.theme.latex.LaTeX` values (from the
helpers here) pass unchanged, so a theme cannot forget to escape user text.

The helpers (template globals, :func:`template_globals`): ``destination(section)`` (the
section's named destination), ``link(url, text=None)``, ``url_text(str)``,
``display_url(url)`` (a URL as printed: no scheme, and the IRI its owner wrote —
:func:`cvtex.schema.urls.readable_url` — where the fonts have its characters; ``link`` without a
text prints this), ``join(list, sep)``, ``macro(name, *args)`` (``\\name{arg}…``, each
argument escaped), ``bold(value)``, ``labelled(label, value)``, ``icon(code_point,
actual_text)``, ``tex(str)`` (trusted theme text only), ``bold_faces(family)``,
``text_fidelity`` (:data:`cvtex.theme.latex.TEXT_FIDELITY`) and ``link_setup``
(:data:`cvtex.theme.latex.LINK_SETUP`). ``link`` and ``display_url`` depend on the fonts of
the document being rendered (:class:`Glyphs`).
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from cvtex.localize import Text
from cvtex.schema import Loc
from cvtex.theme import latex


@dataclass
class TexSource:
    """The LaTeX of one document and where each profile field went.

    ``fields`` lists ``(latex, loc)`` for every localized text printed, in output order
    (``loc``: the field's location in the profile document); :meth:`fields_on_line` maps a
    ``.tex`` line back to profile fields.
    """

    text: str
    fields: list[tuple[str, Loc]] = field(default_factory=list)

    def fields_on_line(self, line: int) -> list[Loc]:
        lines = self.text.splitlines()
        if not 0 < line <= len(lines):
            return []
        source = lines[line - 1]
        return list(dict.fromkeys(loc for tex, loc in self.fields if tex and tex in source))

    def fields_containing(self, char: str) -> list[Loc]:
        """Locations of the fields whose text contains ``char`` (for a missing glyph)."""
        return list(dict.fromkeys(loc for tex, loc in self.fields if char in tex))


#: During a render: where :func:`finalize` records each localized text it prints.
_recorder: contextvars.ContextVar[list[tuple[str, Loc]]] = contextvars.ContextVar("cvtex_fields")


def recording(fields: list[tuple[str, Loc]]) -> contextvars.Token:
    """Record the localized texts printed from now on in ``fields`` (undo with :func:`stop_recording`)."""
    return _recorder.set(fields)


def stop_recording(token: contextvars.Token) -> None:
    _recorder.reset(token)


def finalize(value: Any) -> Any:
    """A printed value as LaTeX (module doc). Raises ``TypeError`` for a value that is not
    text or a number (a template printing a whole entry)."""
    if value is None:
        return ""
    if isinstance(value, latex.LaTeX):
        return value
    if isinstance(value, Text):
        out = latex.markup(value)
        recorder = _recorder.get(None)
        if recorder is not None:
            recorder.append((out, value.loc))
        return out
    if hasattr(value, "_fail_with_undefined_error"):  # jinja2's StrictUndefined: say which name
        value._fail_with_undefined_error()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return latex.escape(value)
    raise TypeError(f"a template printed a {type(value).__name__}; print its fields instead")


def section_destination(section_id: str) -> latex.LaTeX:
    """The named destination of a section (``section.<id>``); themes must emit
    ``\\hypertarget{((( destination(section) )))}{}`` (the shared ``\\cvsection`` does) so the
    outline can point at it. Section ids match ``[a-z][a-z0-9-]*`` (schema), so the name
    needs no escaping."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", section_id):
        raise ValueError(f"invalid section id {section_id!r}")
    return latex.LaTeX(f"section.{section_id}")


#: What the document's fonts can set: ``missing(text) -> [(char, font), …]`` (a
#: :class:`cvtex.theme.fonts.Coverage`), ``None`` when fontconfig cannot tell.
Glyphs = Any


def display_url(url: str, glyphs: Glyphs = None, *, fonts_known: bool = False) -> str:
    """:func:`cvtex.theme.latex.display_url` of the IRI form of ``url``
    (:func:`cvtex.schema.urls.readable_url`). With ``fonts_known`` (rendering), characters the
    fonts lack — or all non-ASCII ones when ``glyphs`` is ``None`` (fontconfig cannot tell:
    :func:`cvtex.theme.fonts.theme_coverage`) — are left percent-encoded, so a printed URL
    never loses a character."""
    from cvtex.schema import readable_url

    if not fonts_known:
        return latex.display_url(readable_url(url))
    return latex.display_url(readable_url(url, lambda ch: glyphs is not None and not glyphs.missing(ch)))


def link(url: str, text: Any = None, glyphs: Glyphs = None, *, fonts_known: bool = False) -> latex.LaTeX:
    """A link annotation to ``url`` around ``text`` (escaped), or around the URL as
    printed (:func:`display_url`, breakable)."""
    body = finalize(text) if text else latex.url_text(display_url(url, glyphs, fonts_known=fonts_known))
    return latex.href(url, body)


def join(items: list[Any], sep: str = ", ") -> latex.LaTeX:
    """The non-empty ``items``, escaped, separated by ``sep`` (escaped unless it is LaTeX)."""
    separator = sep if isinstance(sep, latex.LaTeX) else latex.escape(sep)
    return latex.LaTeX(separator.join(finalize(i) for i in items if i))


def macro(name: str, *args: Any) -> latex.LaTeX:
    """``\\name{arg1}{arg2}…``, each argument escaped (``None``: empty). ``name`` is letters only.
    Raises ``ValueError`` for another name."""
    if not re.fullmatch(r"[A-Za-z]+", str(name)):
        raise ValueError(f"macro(): {name!r} is not a LaTeX command name (letters only)")
    return latex.LaTeX(f"\\{name}" + "".join(f"{{{finalize(arg)}}}" for arg in args))


def bold(value: Any) -> latex.LaTeX:
    return latex.LaTeX(f"\\textbf{{{finalize(value)}}}")


def labelled(label: Any, value: Any) -> latex.LaTeX:
    """``label: value``."""
    return latex.LaTeX(f"{finalize(label)}: {finalize(value)}")


def bold_faces(family: str) -> latex.LaTeX:
    """``BoldFont={…},BoldItalicFont={…}`` for fontspec: :func:`cvtex.theme.fonts.bold_faces`
    of ``family`` (``''`` when fontconfig knows no such faces)."""
    from cvtex.theme import fonts

    return latex.LaTeX(",".join(f"{key}={{{name}}}" for key, name in fonts.bold_faces(str(family)).items()))


def icon(code_point: str, actual_text: Any = "") -> latex.LaTeX:
    """An icon: the character ``code_point`` (hex, e.g. ``"F0E0"``: an icon font's glyph,
    usually in the private use area) set by the theme's one-argument macro ``\\cvicon``
    (which selects the icon font, size and colour), and read by text extraction and
    screen readers as ``actual_text`` instead (its plain text, markup removed; ``""``:
    nothing).

    The glyph is wrapped in a marked-content span with ``/ActualText`` (PDF 32000-1
    §14.9.4), written with xdvipdfmx's ``pdf:literal direct`` (the accsupp package's
    driver wraps its span in ``q``/``Q``, which poppler does not pair up), and with
    XeTeX's own per-glyph ActualText (``\\XeTeXgenerateactualtext``) off inside it, as
    that one would name the private-use character. A non-empty ``actual_text`` (a label
    such as ``"Email:"``) also keeps pdftotext from reading the gap left by an icon before
    text as a column gutter. Raises ``ValueError`` for a ``code_point`` that is not one.
    """
    if not re.fullmatch(r"[0-9A-Fa-f]{4,6}", str(code_point)) or int(str(code_point), 16) > 0x10FFFF:
        raise ValueError(f"icon(): {code_point!r} is not a hexadecimal code point")
    from cvtex.schema import markup

    text = markup.plain(actual_text) if isinstance(actual_text, Text) else str(actual_text or "")
    hex_text = "FEFF" + text.encode("utf-16-be").hex().upper()
    return latex.LaTeX(f"\\leavevmode\\special{{pdf:literal direct /Span<</ActualText<{hex_text}>>>BDC}}"
                       f"{{\\XeTeXgenerateactualtext=0 \\cvicon{{\\char\"{code_point.upper()}\\relax}}}}"
                       "\\special{pdf:literal direct EMC}")


def entry_destination(section_id: str, index: int) -> latex.LaTeX:
    """The named destination of entry ``index`` (1-based) of a section: ``section.<id>.<index>``
    (no section's: a section id has no dot). The 경력기술서 writes one at each organization,
    where its outline points. Raises ``ValueError`` for an invalid id or index."""
    if not isinstance(index, int) or index < 1:
        raise ValueError(f"invalid entry index {index!r}")
    return latex.LaTeX(f"{section_destination(section_id)}.{index}")


def template_globals() -> dict[str, Any]:
    """The helpers every template can call (module doc); ``link`` and ``display_url`` here
    do not know the document's fonts: :func:`cvtex.theme.templates.render` passes its own."""
    return dict(link=link, url_text=lambda s: latex.url_text(s), display_url=display_url, join=join, macro=macro,
                bold=bold, destination=lambda section: section_destination(section.id),
                entry_destination=lambda section, index: entry_destination(section.id, index), labelled=labelled,
                icon=icon, tex=lambda s: latex.LaTeX(s), bold_faces=bold_faces,
                text_fidelity=latex.TEXT_FIDELITY, link_setup=latex.LINK_SETUP)


def bound_to(glyphs: Glyphs) -> dict[str, Callable[..., Any]]:
    """``link`` and ``display_url`` for a document whose fonts set what ``glyphs`` says."""
    return dict(link=lambda url, text=None: link(url, text, glyphs, fonts_known=True),
                display_url=lambda url: display_url(url, glyphs, fonts_known=True))
