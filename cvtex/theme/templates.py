"""Stage 4 — template: a localized view + a theme -> LaTeX source.

Templates are Jinja2 with LaTeX-safe delimiters — ``((( value )))``, ``((* statement *))``,
``((# comment #))`` — in a sandboxed environment with strict undefined values; every
printed value is escaped (:mod:`cvtex.theme.helpers`). A template is looked up in the theme's
directory first and then in the shared base (:attr:`cvtex.theme.config.Theme.search_path`),
so a theme overrides only the files it has.

Before templating, Python does what is data rather than design: the theme's
``newest_first`` sorting of entries, which keeps each entry with its undated notes
(:func:`arrange`, :func:`newest_first`), the header's contact items with the
theme's icons (:func:`contacts`), the design values (:func:`design_values`) and the
locale's labels (:func:`label_items`). The base's ``cv.tex.j2`` writes the shared
package ``cvtex.sty`` and the theme's ``theme.sty`` into the document (``package()``: a
``filecontents*`` environment, so XeLaTeX writes them into its build directory and loads
them from there: the document stays one self-contained file and the engine reads nothing
outside its sandbox).

Template variables: ``header``, ``locale``, ``labels``, ``design`` (:class:`DesignValues`),
``contacts`` (:class:`Contact` list), ``label_items``, ``photo`` (the header photo's file in
the build directory, or ``None``: a letter never has one); in ``cv.tex.j2`` (:func:`render`) ``cv``
(the view) and ``sections`` (arranged), in ``letter.tex.j2`` (:func:`render_letter`) ``letter``
(a :class:`cvtex.localize.LetterView`); the shared ``_preamble.tex.j2`` and ``_header.tex.j2``
are included by both; ``_base/<name>`` names the shared base's file also where the theme
replaces ``<name>`` (a theme's ``sections/<kind>.tex.j2`` may include the base's); helpers: :func:`cvtex.theme.helpers.template_globals` and
``package(name, as_name)``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cvtex.diagnostics import Diagnostic, ProfileError
from cvtex.theme import helpers, latex
from cvtex.theme.config import FontSet, Theme, effective_fonts
from cvtex.theme.files import BASE, base_dir
from cvtex.theme.helpers import TexSource

#: ``render``'s ``coverage`` when the caller has none at hand: made here.
COMPUTE: Any = object()


@dataclass(frozen=True)
class FontValues:
    """The four font families of a document, as LaTeX (validated names)."""

    main: latex.LaTeX
    sans: latex.LaTeX
    hangul: latex.LaTeX
    hangul_sans: latex.LaTeX


@dataclass(frozen=True)
class DesignValues:
    """The theme's design defaults with the profile's ``design:`` applied, as LaTeX (all
    validated, so safe as they are): ``paper`` (``a4``), ``font_size`` (``10pt``),
    ``margins`` (``17mm``), ``accent`` (``1F3A5F``, hex without ``#``), ``fonts``, ``icon_font``."""

    paper: latex.LaTeX
    font_size: latex.LaTeX
    margins: latex.LaTeX
    accent: latex.LaTeX
    fonts: FontValues
    icon_font: latex.LaTeX | None


@dataclass(frozen=True)
class Contact:
    """One item of the header's contact line: ``icon`` (LaTeX from ``icon()``, ``''`` when the
    theme has no icons) and ``text`` (a localized text or a link)."""

    kind: str
    icon: latex.LaTeX
    text: Any


def design_values(theme: Theme, design: Any, locale: str) -> DesignValues:
    """Theme defaults overridden by the profile's ``design:`` (a :class:`cvtex.schema.Design`)."""
    cfg = theme.config
    fonts: FontSet = effective_fonts(cfg, design.fonts, locale)
    accent = design.accent_color or cfg.accent_color
    return DesignValues(
        paper=latex.LaTeX(design.paper or cfg.paper), font_size=latex.LaTeX(design.font_size or cfg.font_size),
        margins=latex.LaTeX(design.margins or cfg.margins), accent=latex.LaTeX(accent.lstrip("#").upper()),
        fonts=FontValues(**{k: latex.LaTeX(v) for k, v in fonts.model_dump().items()}),
        icon_font=latex.LaTeX(cfg.icon_font) if cfg.icon_font else None,
    )


def arrange(sections: list[Any], theme: Theme) -> list[Any]:
    """``sections`` with the entries of each kind in the theme's ``newest_first`` in that
    order (:func:`newest_first`); every other section as the profile has it. The view's
    sections are not changed (copies are returned)."""
    kinds = set(theme.config.newest_first)
    return [_with_entries(s, newest_first(s.entries)) if s.kind in kinds else s for s in sections]


def newest_first(entries: list[Any]) -> list[Any]:
    """``entries`` newest first, moving each dated entry together with its notes.

    A *note* is an undated entry (no ``sort_date``: no date, start or end): it belongs to the
    dated entry before it, and stays right after that entry wherever it goes. Undated entries
    before the first dated one are not notes of anything; they stay first, in their order.
    Dated entries are ordered by ``sort_date`` (of the date, else the end, else the start;
    ``end: present`` is the newest), newest first; the sort is stable, so entries of equal
    dates keep the profile's order, and a date of less precision sorts after the more precise
    ones it contains (``2021-05`` before ``2021``). Entries without a ``sort_date`` attribute
    count as undated."""
    leading: list[Any] = []
    groups: list[list[Any]] = []
    for entry in entries:
        if getattr(entry, "sort_date", None) is None:
            (groups[-1] if groups else leading).append(entry)
        else:
            groups.append([entry])
    groups.sort(key=lambda group: group[0].sort_date, reverse=True)  # stable, also reversed
    return leading + [entry for group in groups for entry in group]


def _with_entries(section: Any, entries: list[Any]) -> Any:
    if dataclasses.is_dataclass(section):
        return dataclasses.replace(section, entries=entries)
    import copy

    clone = copy.copy(section)
    clone.entries = entries
    return clone


def contacts(header: Any, labels: Any, theme: Theme, link: Any) -> list[Contact]:
    """The header's contact items, in order: location, e-mail addresses, phone, websites,
    profiles; each with its icon when the theme has ``icons`` (an e-mail's reads as
    ``Email:``, a profile's as its network's name). ``link`` is the render's link helper."""
    icons = theme.config.icons

    def mark(code: str | None, text: Any) -> latex.LaTeX:
        return helpers.icon(code, text) if icons is not None and code else latex.LaTeX("")

    out = []
    if header.location:
        out.append(Contact("location", mark(icons and icons.location, ""), header.location))
    for email in header.emails:
        out.append(Contact("email", mark(icons and icons.email, f"{labels.email}:"), link("mailto:" + email, email)))
    if header.phone:
        out.append(Contact("phone", mark(icons and icons.phone, f"{labels.phone}:"),
                           link(header.phone_url, header.phone)))
    for site in header.websites:
        out.append(Contact("website", mark(icons and icons.website, f"{labels.website}:"), link(site.url, site.label)))
    for profile in header.profiles:
        known = icons.networks.get(str(profile.network).lower()) if icons is not None else None
        code, name = (known.icon, known.name) if known else (icons and icons.link, profile.network)
        out.append(Contact("profile", mark(code, f"{name}:"), link(profile.url)))
    return out


def label_items(labels: Any) -> list[tuple[str, Any]]:
    """``(key, text)`` for each of the locale's labels (``with`` for the dataclass field ``with_``)."""
    if dataclasses.is_dataclass(labels):
        pairs = [(f.name, getattr(labels, f.name)) for f in dataclasses.fields(labels)]
    else:
        pairs = list(vars(labels).items())
    return [(key.rstrip("_"), text) for key, text in pairs]


def _bytecode_cache(options: dict[str, Any]):
    """Compiled templates on disk (Jinja2's ``FileSystemBytecodeCache``, checked against
    each template's source checksum; written atomically): compiling a theme's templates
    costs ~60 ms per process, loading them ~2 ms. Jinja's key covers the template and its
    source, not the environment's options, so the directory is specific to this cvtex
    version and these options. ``None`` (no cache) when the directory is not writable."""
    import hashlib

    import jinja2

    from cvtex import __version__
    from cvtex.files import cache_dir

    tag = hashlib.sha256(repr((__version__, sorted(options.items()))).encode()).hexdigest()[:16]
    directory = cache_dir() / "templates" / tag
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(directory)) if os.access(directory, os.W_OK) else None


@lru_cache(maxsize=16)
def _environment(search_path: tuple[Path, ...]):
    """The Jinja2 environment of a theme whose files are looked up in ``search_path``
    (imported here: ``cvtex validate`` needs no Jinja2)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    options = dict(
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((#", comment_end_string="#))",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
        extensions=["jinja2.ext.do"],
    )
    # "_base/<name>" is always the shared base's file, also where the theme replaces <name>
    # with its own: a theme's sections/<kind>.tex.j2 may include the base's for some locales
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader([str(p) for p in search_path]),
                                  jinja2.PrefixLoader({BASE: jinja2.FileSystemLoader(str(base_dir()))})])
    env = SandboxedEnvironment(loader=loader,
                               undefined=jinja2.StrictUndefined, finalize=helpers.finalize,
                               bytecode_cache=_bytecode_cache(options), **options)
    env.globals.update(helpers.template_globals())
    env.globals["package"] = lambda name, as_name: _package(env, name, as_name)
    env.filters.update(url_text=lambda s: latex.url_text(s),
                       display_url=jinja2.pass_context(lambda context, url: context["display_url"](url)))
    return env


def _package(env: Any, name: str, as_name: str) -> latex.LaTeX:
    """A LaTeX package of the theme (``theme.sty``, ``cvtex.sty``: the theme's own, else the
    base's) as a ``filecontents*`` environment that writes it as ``<as_name>.sty`` into the
    build directory, so ``\\usepackage{<as_name>}`` loads it (LaTeX kernel, ``filecontents``;
    the engine's sandbox allows writing and reading there). Raises ``ValueError`` for a
    name, or a package whose text would end the environment early."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", as_name):
        raise ValueError(f"package(): {as_name!r} is not a package name")
    source, filename, _ = env.loader.get_source(env, name)
    if "\\end{filecontents*}" in source:
        raise ValueError(f"{filename}: a package cannot contain \\end{{filecontents*}}")
    body = source if source.endswith("\n") else source + "\n"
    return latex.LaTeX(f"\\begin{{filecontents*}}[overwrite]{{{as_name}.sty}}\n{body}\\end{{filecontents*}}\n")


def render(view: Any, theme: Theme, coverage: Any = COMPUTE, *, photo: str | None = None) -> TexSource:
    """Fill ``theme``'s ``cv.tex.j2`` (its own or the base's) with ``view`` (see
    :func:`cvtex.localize.localize`).

    ``coverage``: what the fonts of the profile's locales can set
    (:func:`cvtex.theme.fonts.theme_coverage`, as validation made it; ``None`` when
    fontconfig cannot tell); URLs printed without a text keep the characters the view's
    locale's fonts have (:func:`cvtex.theme.helpers.display_url`). Made here when not given.

    ``photo``: the file name of the header photo in the build directory
    (:func:`cvtex.build.photo.printed_name`) when this CV shows it; the templates' ``photo``.

    Raises :class:`ProfileError` for a template error (file and line of the template).
    """
    return _fill("cv.tex.j2", view, theme, coverage, cv=view, sections=arrange(view.sections, theme),
                 photo=latex.LaTeX(photo) if photo else None)


def render_letter(view: Any, theme: Theme, coverage: Any = COMPUTE) -> TexSource:
    """Fill ``theme``'s ``letter.tex.j2`` (its own or the base's) with a letter's ``view``
    (:func:`cvtex.localize.localize_letter`; the template's ``letter``): the CV's
    preamble and header, then the letter. ``coverage`` and errors as :func:`render`."""
    return _fill("letter.tex.j2", view, theme, coverage, letter=view, photo=None)


def render_career(view: Any, theme: Theme, coverage: Any = COMPUTE) -> TexSource:
    """Fill ``theme``'s ``career.tex.j2`` (its own or the base's) with the 경력기술서's
    (career description) ``view`` (:func:`cvtex.localize.localize_career`; the template's
    ``career`` and ``sections``): the CV's preamble and header without the photo, then each
    organization, role and project. ``coverage`` and errors as :func:`render`."""
    return _fill("career.tex.j2", view, theme, coverage, career=view, sections=view.sections, photo=None)


def _fill(name: str, view: Any, theme: Theme, coverage: Any, **values: Any) -> TexSource:
    """Template ``name`` of ``theme`` filled with the variables every document has (module
    doc) and ``values``."""
    import jinja2

    from cvtex.theme import fonts

    code = view.locale.code
    if coverage is COMPUTE:
        coverage = fonts.theme_coverage(theme, [code], view.design.fonts)
    glyphs = coverage.only(code) if coverage is not None else None
    env = _environment(theme.search_path)
    fields: list[tuple[str, Any]] = []
    token = helpers.recording(fields)
    try:
        bound = helpers.bound_to(glyphs)
        template = env.get_template(name)
        text = template.render(header=view.header, locale=view.locale, labels=view.locale.labels,
                               label_items=label_items(view.locale.labels),
                               design=design_values(theme, view.design, code),
                               contacts=contacts(view.header, view.locale.labels, theme, bound["link"]),
                               **values, **bound)
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
        helpers.stop_recording(token)
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
