"""Stage 4 — template: a localized view + a theme -> LaTeX source.

A theme is a directory::

    theme.yaml            name, description, design defaults, fonts per locale
    cv.tex.j2             the document (preamble, header, section loop)
    sections/<kind>.tex.j2  one per section kind

Templates are Jinja2 with LaTeX-safe delimiters — ``((( value )))``,
``((* statement *))``, ``((# comment #))`` — in a sandboxed environment with strict
undefined values. Every value a template prints is escaped on the way out
(``finalize``): localized text goes through :func:`cvtex.theme.latex.markup`, any other string
through :func:`cvtex.theme.latex.escape`. Only :class:`cvtex.theme.latex.LaTeX` values (from the
helpers below) pass unchanged, so a theme cannot forget to escape user text.

Helpers available to templates: ``destination(section)`` (the section's named
destination, for ``\\hypertarget``), ``link(url, text=None)``, ``url_text(str)``,
``display_url(url)`` (a URL as printed: no scheme, and the IRI its owner wrote —
:func:`cvtex.schema.text.readable_url` — where the fonts have its characters; ``link`` without
a text prints this), ``join(list, sep)``, ``bold(value)``, ``labelled(label, value)``,
``icon(code_point, actual_text)`` (a glyph of an icon font that text extraction reads as
``actual_text``), ``tex(str)`` (trusted theme text only), ``bold_faces(family)`` (fontspec
options naming a font family's bold faces: :func:`cvtex.theme.fonts.bold_faces`), ``text_fidelity`` —
settings every theme emits after loading kotex (:data:`cvtex.theme.latex.TEXT_FIDELITY`) — and
``link_setup``, which the built-in themes emit instead of loading hyperref
(:data:`cvtex.theme.latex.LINK_SETUP`: ``\\hypertarget``, ``\\hyperlink``, and the named
destinations kept). ``link`` writes its annotation either way (:func:`cvtex.theme.latex.href`).
"""

from __future__ import annotations

import contextvars
import os
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cvtex.theme import latex
from cvtex.diagnostics import Diagnostic, ProfileError
from cvtex.schema.loader import Loc
from cvtex.localize.locale import Text
from cvtex.schema.models import Design

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
    icon_font: str | None = Field(default=None, pattern=_FONT_NAME,
                                  description="an icon font the templates load by name (design.icon_font), for "
                                              "icon(); cvtex doctor checks it is installed")


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
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "themes"


def builtin_themes() -> list[str]:
    return sorted(p.name for p in themes_root().iterdir() if (p / "theme.yaml").is_file())


def load_theme(name_or_path: str | Path) -> Theme:
    """A built-in theme by name, or a theme directory by path (contains a ``/`` or
    exists). Raises :class:`ProfileError` naming the theme and the problem: no such
    theme, or a ``theme.yaml`` that is not valid (each problem at its line and column)
    or a theme without ``cv.tex.j2``."""
    name_or_path = str(name_or_path)
    candidate = Path(name_or_path)
    path = candidate if ("/" in name_or_path or candidate.is_dir()) else themes_root() / name_or_path
    config_file = path / "theme.yaml"
    if not config_file.is_file():
        known = ", ".join(builtin_themes())
        raise ProfileError([Diagnostic(str(path), 0, 0,
                                       f"no theme '{name_or_path}' (no theme.yaml there); built-in themes: {known}")])
    config = _read_config(config_file)
    if not (path / "cv.tex.j2").is_file():
        raise ProfileError([Diagnostic(str(path / "cv.tex.j2"), 0, 0, "the theme has no cv.tex.j2 (the document "
                                       "template; copy one with: cvtex theme new NAME --from classic)")])
    return Theme(path.resolve(), config)


def _read_config(config_file: Path) -> ThemeConfig:
    """``theme.yaml`` validated; every problem a :class:`Diagnostic` at its line and column."""
    from cvtex.diagnostics import field_path
    from cvtex.schema.loader import load
    from cvtex.schema.models import did_you_mean

    doc = load(config_file)  # a ProfileError with file:line:col for bad YAML
    try:
        return ThemeConfig.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc: tuple[str | int, ...] = ()
            node: Any = doc.data
            for part in err["loc"]:  # keep the parts that address the document
                if (isinstance(node, dict) and part in node
                        or isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
                    loc, node = loc + (part,), node[part]
            message = err["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
            key = False
            if err["type"] == "extra_forbidden":
                model = FontSet if "fonts" in loc[:-1] else ThemeConfig
                message = f"unknown field '{loc[-1]}'" + did_you_mean(str(loc[-1]), list(model.model_fields))
                key = True
            elif err["type"] == "missing":
                message = f"missing required field '{err['loc'][-1]}'"
            elif err["type"] == "string_pattern_mismatch":
                message = f"'{node}' does not match the pattern {err['ctx']['pattern']}"
            problems.append(doc.diagnostic(loc, f"invalid theme.yaml: {message}", key=key,
                                           field_name=field_path(loc)))
        raise ProfileError(problems) from None


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
    if hasattr(value, "_fail_with_undefined_error"):  # jinja2's StrictUndefined: say which name
        value._fail_with_undefined_error()
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


#: During :func:`render`: the glyph coverage of the locale's fonts (made on first use).
_coverage: contextvars.ContextVar[Callable[[], Any]] = contextvars.ContextVar("cvtex_coverage")


def _display_url(url: str) -> str:
    """:func:`cvtex.theme.latex.display_url` of the IRI form of ``url``
    (:func:`cvtex.schema.text.readable_url`), with characters the locale's fonts lack — or all
    non-ASCII ones when fontconfig cannot tell (:func:`cvtex.theme.fonts.theme_coverage`) —
    left percent-encoded, so a printed URL never loses a character."""
    from cvtex.schema.text import readable_url

    coverage = _coverage.get(None)
    if coverage is None:  # not rendering: no fonts to ask
        return latex.display_url(readable_url(url))
    glyphs = coverage()
    return latex.display_url(readable_url(url, lambda ch: glyphs is not None and not glyphs.missing(ch)))


def _link(url: str, text: str | None = None) -> latex.LaTeX:
    body = _finalize(text) if text else latex.url_text(_display_url(url))
    return latex.href(url, body)


def _join(items: list[Any], sep: str = ", ") -> latex.LaTeX:
    separator = sep if isinstance(sep, latex.LaTeX) else latex.escape(sep)
    return latex.LaTeX(separator.join(_finalize(i) for i in items if i))


def _bold(value: Any) -> latex.LaTeX:
    return latex.LaTeX(f"\\textbf{{{_finalize(value)}}}")


def _labelled(label: Any, value: Any) -> latex.LaTeX:
    return latex.LaTeX(f"{_finalize(label)}: {_finalize(value)}")


def _bold_faces(family: str) -> latex.LaTeX:
    """``BoldFont={…},BoldItalicFont={…}`` for fontspec: :func:`cvtex.theme.fonts.bold_faces`
    of ``family`` (``''`` when fontconfig knows no such faces)."""
    from cvtex.theme import fonts

    return latex.LaTeX(",".join(f"{key}={{{name}}}" for key, name in fonts.bold_faces(str(family)).items()))


def _icon(code_point: str, actual_text: Any = "") -> latex.LaTeX:
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
    text as a column gutter.
    """
    if not re.fullmatch(r"[0-9A-Fa-f]{4,6}", str(code_point)) or int(str(code_point), 16) > 0x10FFFF:
        raise ValueError(f"icon(): {code_point!r} is not a hexadecimal code point")
    from cvtex.schema import markup

    text = markup.plain(actual_text) if isinstance(actual_text, Text) else str(actual_text or "")
    hex_text = "FEFF" + text.encode("utf-16-be").hex().upper()
    return latex.LaTeX(f"\\leavevmode\\special{{pdf:literal direct /Span<</ActualText<{hex_text}>>>BDC}}"
                       f"{{\\XeTeXgenerateactualtext=0 \\cvicon{{\\char\"{code_point.upper()}\\relax}}}}"
                       "\\special{pdf:literal direct EMC}")


def _bytecode_cache(options: dict[str, Any]):
    """Compiled templates on disk (Jinja2's ``FileSystemBytecodeCache``, checked against
    each template's source checksum; written atomically): compiling a theme's templates
    costs ~60 ms per process, loading them ~2 ms. Jinja's key covers the template and its
    source, not the environment's options, so the directory is specific to this cvtex
    version and these options. ``None`` (no cache) when the directory is not writable."""
    import hashlib

    import jinja2

    from cvtex import __version__
    from cvtex.build.cache import cache_dir

    tag = hashlib.sha256(repr((__version__, sorted(options.items()))).encode()).hexdigest()[:16]
    directory = cache_dir() / "templates" / tag
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(directory)) if os.access(directory, os.W_OK) else None


@lru_cache(maxsize=16)
def _environment(theme_path: Path):
    """The theme's Jinja2 environment (imported here: ``cvtex validate`` needs no Jinja2)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    options = dict(
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((#", comment_end_string="#))",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
        extensions=["jinja2.ext.do"],
    )
    env = SandboxedEnvironment(loader=jinja2.FileSystemLoader(str(theme_path)), undefined=jinja2.StrictUndefined,
                               finalize=_finalize, bytecode_cache=_bytecode_cache(options), **options)
    env.globals.update(link=_link, url_text=lambda s: latex.url_text(s), display_url=_display_url,
                       join=_join, bold=_bold, destination=lambda section: section_destination(section.id),
                       labelled=_labelled, icon=_icon, tex=lambda s: latex.LaTeX(s), bold_faces=_bold_faces,
                       text_fidelity=latex.TEXT_FIDELITY, link_setup=latex.LINK_SETUP)
    env.filters.update(url_text=lambda s: latex.url_text(s), display_url=_display_url)
    return env


def effective_fonts(config: ThemeConfig, overrides: Any, locale: str) -> FontSet:
    """The fonts locale ``locale`` is set in: the theme's font set for it (its ``default``
    or first set when it has none for the locale), with the roles the profile's
    ``design.fonts`` gives replaced — ``overrides`` maps ``default`` and locale codes to
    ``{role: family}`` (a :class:`~cvtex.schema.models.FontOverride` or a plain mapping); the
    locale's own entry wins over ``default``."""
    base = config.fonts.get(locale) or config.fonts.get("default") or next(iter(config.fonts.values()))
    changed: dict[str, str] = {}
    for key in ("default", locale):
        entry = (overrides or {}).get(key)
        if isinstance(entry, BaseModel):
            entry = entry.model_dump(exclude_none=True)
        if isinstance(entry, dict):
            changed.update({role: name for role, name in entry.items()
                            if role in FontSet.model_fields and isinstance(name, str)})
    return base.model_copy(update=changed) if changed else base


def design_values(theme: Theme, design: Design, locale: str) -> SimpleNamespace:
    """Theme defaults overridden by the profile's ``design:``; all values are validated,
    so they are LaTeX-safe as they are."""
    cfg = theme.config
    fonts = effective_fonts(cfg, design.fonts, locale)
    accent = design.accent_color or cfg.accent_color
    return SimpleNamespace(
        paper=latex.LaTeX(design.paper or cfg.paper), font_size=latex.LaTeX(design.font_size or cfg.font_size),
        margins=latex.LaTeX(design.margins or cfg.margins), accent=latex.LaTeX(accent.lstrip("#").upper()),
        fonts=SimpleNamespace(**{k: latex.LaTeX(v) for k, v in fonts.model_dump().items()}),
        icon_font=latex.LaTeX(cfg.icon_font) if cfg.icon_font else None,
    )


def render(view: SimpleNamespace, theme: Theme) -> TexSource:
    """Fill ``theme``'s ``cv.tex.j2`` with ``view`` (see :func:`cvtex.localize.locale.localize`).

    Raises :class:`ProfileError` for a template error (file and line of the template).
    """
    import jinja2

    from cvtex.theme import fonts

    env = _environment(theme.path)
    fields: list[tuple[str, Loc]] = []
    token = _recorder.set(fields)
    coverage = _coverage.set(cache(lambda: fonts.theme_coverage(theme, [view.locale.code], view.design.fonts)))
    try:
        template = env.get_template("cv.tex.j2")
        text = template.render(cv=view, header=view.header, sections=view.sections, locale=view.locale,
                               labels=view.locale.labels, design=design_values(theme, view.design, view.locale.code))
    except jinja2.TemplateSyntaxError as exc:
        file = Path(exc.filename) if exc.filename else Path(theme.path, exc.name or "?")
        raise ProfileError([_template_diagnostic(file, exc.lineno or 0, f"theme template error: {exc.message}")]) \
            from None
    except jinja2.TemplateNotFound as exc:
        file, line = _template_location(exc, theme.path)
        raise ProfileError([_template_diagnostic(file, line, f"theme template error: the theme has no "
                                                 f"{exc.name} (a template includes it)")]) from None
    except (jinja2.TemplateError, TypeError, ValueError) as exc:
        file, line = _template_location(exc, theme.path)
        raise ProfileError([_template_diagnostic(file, line, f"theme template error: {exc}")]) from None
    finally:
        _recorder.reset(token)
        _coverage.reset(coverage)
    return TexSource(re.sub(r"\n{3,}", "\n\n", text), fields)


def _template_location(exc: BaseException, theme_path: Path) -> tuple[Path, int]:
    """The template file and line a runtime error happened at (the innermost ``.j2``
    frame of the traceback: Jinja2 maps its compiled code back to template lines), or the
    theme directory and 0."""
    tb = exc.__traceback__
    file, line = Path(theme_path), 0
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            file, line = Path(name), tb.tb_lineno
        tb = tb.tb_next
    return file, line


def _template_diagnostic(file: Path, line: int, message: str) -> Diagnostic:
    """A diagnostic at ``line`` of a theme file, with that line shown when it can be read."""
    from cvtex.diagnostics import display_path, source_line

    text = ""
    if line and file.is_file():
        try:
            text = source_line(file.read_text("utf-8"), line)
        except (OSError, UnicodeDecodeError):
            text = ""
    column = len(text) - len(text.lstrip()) + 1 if text else 0
    return Diagnostic(display_path(file), line, column if line else 0, message, source_line=text)
