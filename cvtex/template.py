"""Stage 4 — template: a localized view + a theme -> LaTeX source.

A theme is a directory::

    theme.yaml            name, description, design defaults, fonts per locale
    cv.tex.j2             the document (preamble, header, section loop)
    sections/<kind>.tex.j2  one per section kind

Templates are Jinja2 with LaTeX-safe delimiters — ``((( value )))``,
``((* statement *))``, ``((# comment #))`` — in a sandboxed environment with strict
undefined values. Every value a template prints is escaped on the way out
(``finalize``): localized text goes through :func:`cvtex.latex.markup`, any other string
through :func:`cvtex.latex.escape`. Only :class:`cvtex.latex.LaTeX` values (from the
helpers below) pass unchanged, so a theme cannot forget to escape user text.

Helpers available to templates: ``destination(section)`` (the section's named
destination, for ``\\hypertarget``), ``link(url, text=None)``, ``url_text(str)``,
``display_url(url)``, ``join(list, sep)``, ``bold(value)``, ``labelled(label, value)``,
``tex(str)`` (trusted theme text only), and ``text_fidelity`` — settings every theme
emits after loading kotex (:data:`cvtex.latex.TEXT_FIDELITY`).
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import latex
from .diagnostics import Diagnostic, ProfileError
from .loader import Loc
from .locale import Text
from .profile import Design

_FONT_NAME = r"^[A-Za-z0-9][A-Za-z0-9 \-]*$"


class FontSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    main: str = Field(pattern=_FONT_NAME)
    sans: str = Field(pattern=_FONT_NAME)
    hangul: str = Field(pattern=_FONT_NAME)
    hangul_sans: str = Field(pattern=_FONT_NAME)


class ThemeConfig(BaseModel):
    """``theme.yaml``: what a theme declares about itself and its design defaults."""

    model_config = ConfigDict(extra="forbid")
    name: str
    description: str
    paper: Literal["a4", "letter"]
    accent_color: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    font_size: Literal["10pt", "11pt", "12pt"]
    margins: str = Field(pattern=r"^\d+(\.\d+)?(mm|cm|in|pt)$")
    fonts: dict[str, FontSet]
    section_order: list[str] = Field(default=[], description="section ids or kinds placed first, in this order; "
                                     "the rest keep the profile's order (a profile's design.section_order wins)")


@dataclass(frozen=True)
class Theme:
    """A loaded theme: its directory and validated ``theme.yaml``."""

    path: Path
    config: ThemeConfig

    def files(self) -> list[Path]:
        """Every file of the theme, sorted (what the build cache hashes)."""
        return sorted(p for p in self.path.rglob("*") if p.is_file())


def themes_root() -> Path:
    """Where the built-in themes are: ``cvtex/themes`` in an installed wheel, else the
    repository's ``themes/`` next to the package."""
    packaged = Path(str(resources.files("cvtex"))) / "themes"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "themes"


def builtin_themes() -> list[str]:
    return sorted(p.name for p in themes_root().iterdir() if (p / "theme.yaml").is_file())


def load_theme(name_or_path: str) -> Theme:
    """A built-in theme by name, or a theme directory by path (contains a ``/`` or
    exists). Raises :class:`ProfileError` naming the theme and the problem."""
    candidate = Path(name_or_path)
    path = candidate if ("/" in name_or_path or candidate.is_dir()) else themes_root() / name_or_path
    config_file = path / "theme.yaml"
    if not config_file.is_file():
        known = ", ".join(builtin_themes())
        raise ProfileError([Diagnostic(str(path), 0, 0,
                                       f"no theme '{name_or_path}' (no theme.yaml there); built-in themes: {known}")])
    try:
        config = ThemeConfig.model_validate(yaml.safe_load(config_file.read_text("utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ProfileError([Diagnostic(str(config_file), 0, 0, f"invalid theme.yaml: {exc}")]) from None
    return Theme(path.resolve(), config)


# --------------------------------------------------------------------------- rendering

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


_recorder: contextvars.ContextVar[list[tuple[str, Loc]]] = contextvars.ContextVar("cvtex_fields")


def _finalize(value: Any) -> Any:
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
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return latex.escape(value)
    raise TypeError(f"a template printed a {type(value).__name__}; print its fields instead")


def section_destination(section_id: str) -> latex.LaTeX:
    """The named destination of a section (``section.<id>``); themes must emit
    ``\\hypertarget{((( destination(section) )))}{}`` so the outline can point at it.
    Section ids match ``[a-z][a-z0-9-]*`` (schema), so the name needs no escaping."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", section_id):
        raise ValueError(f"invalid section id {section_id!r}")
    return latex.LaTeX(f"section.{section_id}")


def _link(url: str, text: str | None = None) -> latex.LaTeX:
    body = _finalize(text) if text else latex.url_text(latex.display_url(url))
    return latex.href(url, body)


def _join(items: list[Any], sep: str = ", ") -> latex.LaTeX:
    separator = sep if isinstance(sep, latex.LaTeX) else latex.escape(sep)
    return latex.LaTeX(separator.join(_finalize(i) for i in items if i))


def _bold(value: Any) -> latex.LaTeX:
    return latex.LaTeX(f"\\textbf{{{_finalize(value)}}}")


def _labelled(label: Any, value: Any) -> latex.LaTeX:
    return latex.LaTeX(f"{_finalize(label)}: {_finalize(value)}")


@lru_cache(maxsize=16)
def _environment(theme_path: Path):
    """The theme's Jinja2 environment (imported here: ``cvtex validate`` needs no Jinja2)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(theme_path)),
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((#", comment_end_string="#))",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, finalize=_finalize, autoescape=False,
        extensions=["jinja2.ext.do"],
    )
    env.globals.update(link=_link, url_text=lambda s: latex.url_text(s), display_url=latex.display_url,
                       join=_join, bold=_bold, destination=lambda section: section_destination(section.id), labelled=_labelled, tex=lambda s: latex.LaTeX(s),
                       text_fidelity=latex.TEXT_FIDELITY)
    env.filters.update(url_text=lambda s: latex.url_text(s), display_url=latex.display_url)
    return env


def design_values(theme: Theme, design: Design, locale: str) -> SimpleNamespace:
    """Theme defaults overridden by the profile's ``design:``; all values are validated,
    so they are LaTeX-safe as they are."""
    cfg = theme.config
    fonts = cfg.fonts.get(locale) or cfg.fonts.get("default") or next(iter(cfg.fonts.values()))
    accent = design.accent_color or cfg.accent_color
    return SimpleNamespace(
        paper=latex.LaTeX(design.paper or cfg.paper), font_size=latex.LaTeX(design.font_size or cfg.font_size),
        margins=latex.LaTeX(design.margins or cfg.margins), accent=latex.LaTeX(accent.lstrip("#").upper()),
        fonts=SimpleNamespace(**{k: latex.LaTeX(v) for k, v in fonts.model_dump().items()}),
    )


def render(view: SimpleNamespace, theme: Theme) -> TexSource:
    """Fill ``theme``'s ``cv.tex.j2`` with ``view`` (see :func:`cvtex.locale.localize`).

    Raises :class:`ProfileError` for a template error (file and line of the template).
    """
    import jinja2

    env = _environment(theme.path)
    fields: list[tuple[str, Loc]] = []
    token = _recorder.set(fields)
    try:
        template = env.get_template("cv.tex.j2")
        text = template.render(cv=view, header=view.header, sections=view.sections, locale=view.locale,
                               labels=view.locale.labels, design=design_values(theme, view.design, view.locale.code))
    except jinja2.TemplateSyntaxError as exc:
        raise ProfileError([Diagnostic(str(Path(theme.path, exc.name or exc.filename or "?")), exc.lineno or 0, 1,
                                       f"theme template error: {exc.message}")]) from None
    except (jinja2.TemplateError, TypeError) as exc:
        raise ProfileError([Diagnostic(str(theme.path), _template_line(exc), 0,
                                       f"theme template error: {exc}")]) from None
    finally:
        _recorder.reset(token)
    return TexSource(re.sub(r"\n{3,}", "\n\n", text), fields)


def _template_line(exc: BaseException) -> int:
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
