"""Themes: where they are, what ``theme.yaml`` may say, and which files a theme is made of.

A theme is a directory with a ``theme.yaml`` (:class:`ThemeConfig`). Its templates and
LaTeX packages are looked up in the theme first and then in the shared base,
``themes/_base`` (:func:`base_dir`; not a theme itself: it has no ``theme.yaml``)::

    themes/_base/cv.tex.j2              the document every theme shares
    themes/_base/sections/<kind>.tex.j2 one per section kind, calling cvtex.sty's macros
    themes/_base/cvtex.sty              the shared package: kotex, fontspec, the CV macros
    themes/<name>/theme.yaml            name, description, design defaults, fonts, options
    themes/<name>/theme.sty             the theme's design: geometry, colours, how the macros look

A theme overrides any file of the base by having one of the same name (a ``cv.tex.j2``
of its own, a section template, even ``cvtex.sty``); a theme made before the shared base
existed (its own ``cv.tex.j2`` and ``sections/``) keeps working as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cvtex.diagnostics import Diagnostic, ProfileError
from cvtex.theme.files import source_files, theme_search_path, themes_root

_FONT_NAME = r"^[A-Za-z0-9][A-Za-z0-9 \-]*$"
_CODE_POINT = r"^[0-9A-Fa-f]{4,6}$"
#: The theme's own LaTeX package (its design), loaded by the base's ``cv.tex.j2``.
THEME_PACKAGE = "theme.sty"
#: The section kinds whose entries have dates (``newest_first`` may name them).
DATED_KINDS = ("awards", "certifications", "custom", "education", "language-tests", "military", "patents", "press",
               "projects", "publications", "talks", "teaching")


class FontSet(BaseModel):
    """The four font families a locale is set in (fontconfig family names)."""

    model_config = ConfigDict(extra="forbid")
    main: str = Field(pattern=_FONT_NAME)
    sans: str = Field(pattern=_FONT_NAME)
    hangul: str = Field(pattern=_FONT_NAME)
    hangul_sans: str = Field(pattern=_FONT_NAME)


class NetworkIcon(BaseModel):
    """The icon of a profile network (``github``) and the name text extraction reads for it."""

    model_config = ConfigDict(extra="forbid")
    icon: str = Field(pattern=_CODE_POINT, description="the icon font's code point, hexadecimal")
    name: str = Field(min_length=1, description="what text extraction and screen readers read, e.g. GitHub")


class Icons(BaseModel):
    """Icons before the header's contact items: code points (hexadecimal) of ``icon_font``."""

    model_config = ConfigDict(extra="forbid")
    location: str = Field(pattern=_CODE_POINT)
    email: str = Field(pattern=_CODE_POINT)
    phone: str = Field(pattern=_CODE_POINT)
    website: str = Field(pattern=_CODE_POINT)
    link: str = Field(pattern=_CODE_POINT, description="a profile whose network is not in networks")
    networks: dict[str, NetworkIcon] = Field(default={}, description="by network name, lower case")


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
    icons: Icons | None = Field(default=None, description="icons of the header's contact items (needs icon_font)")
    section_titles: dict[str, dict[str, str]] = Field(
        default={}, description="per locale, the theme's titles of section kinds, replacing the locale's (a "
                                "Korean form's 학력사항 for 학력); a title the profile gives still wins")
    newest_first: list[Literal[DATED_KINDS]] = Field(  # type: ignore[valid-type]
        default=[], description="section kinds whose entries are printed newest first (by date; an undated entry "
                                "is a note of the dated one before it and moves with it; undated entries before "
                                "the first dated one stay first; equal dates keep the profile's order)")


@dataclass(frozen=True)
class Theme:
    """A loaded theme: its directory and validated ``theme.yaml``."""

    path: Path
    config: ThemeConfig

    @property
    def search_path(self) -> tuple[Path, ...]:
        """Where the theme's templates and packages are looked up, in order: the theme's
        directory, then the shared base."""
        return theme_search_path(self.path)

    def files(self) -> list[Path]:
        """Every file the theme is made of: its own files, then the base's (also those it
        replaces, which its templates may include as ``_base/<name>``), each list sorted. What the build cache hashes
        (:func:`source_files`) and where a LaTeX error's line is looked for."""
        return [path for _, path in source_files(self.path)]

    def find(self, name: str) -> Path | None:
        """The file a template or package ``name`` (``sections/awards.tex.j2``) resolves to:
        the theme's own, else the base's; ``None`` when neither has it."""
        for root in self.search_path:
            if (root / name).is_file():
                return root / name
        return None


def builtin_themes() -> list[str]:
    """The names of the built-in themes (the directories of :func:`themes_root` with a ``theme.yaml``)."""
    return sorted(p.name for p in themes_root().iterdir() if (p / "theme.yaml").is_file())


def load_theme(name_or_path: str | Path) -> Theme:
    """A built-in theme by name, or a theme directory by path (contains a ``/`` or
    exists). Raises :class:`ProfileError` naming the theme and the problem: no such
    theme, a ``theme.yaml`` that is not valid (each problem at its line and column),
    or a theme that has neither its design (``theme.sty``) nor a ``cv.tex.j2`` of its own."""
    name_or_path = str(name_or_path)
    candidate = Path(name_or_path)
    given_path = "/" in name_or_path or candidate.is_dir()
    path = candidate if given_path else themes_root() / name_or_path
    config_file = path / "theme.yaml"
    if not config_file.is_file():
        known = ", ".join(builtin_themes())
        # located at the directory given, or at the name itself: not at cvtex's own themes folder
        raise ProfileError([Diagnostic(str(path) if given_path else name_or_path, 0, 0,
                                       f"no theme '{name_or_path}' (no theme.yaml there); built-in themes: {known}")])
    config = _read_config(config_file)
    if not (path / "cv.tex.j2").is_file() and not (path / THEME_PACKAGE).is_file():
        raise ProfileError([Diagnostic(str(path / THEME_PACKAGE), 0, 0, f"the theme has no {THEME_PACKAGE} (its "
                                       "design: a LaTeX package shaping the shared CV macros) and no cv.tex.j2 of "
                                       "its own; start from one with: cvtex theme new NAME --from classic")])
    if config.icons is not None and config.icon_font is None:
        raise ProfileError([Diagnostic(str(config_file), 0, 0, "invalid theme.yaml: icons needs icon_font (the "
                                       "font the icons' code points are in)")])
    return Theme(path.resolve(), config)


def _read_config(config_file: Path) -> ThemeConfig:
    """``theme.yaml`` validated; every problem a :class:`Diagnostic` at its line and column."""
    from cvtex.diagnostics import field_path
    from cvtex.schema import did_you_mean, load

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
                model = {"fonts": FontSet, "networks": NetworkIcon, "icons": Icons}.get(
                    next((str(p) for p in reversed(loc[:-1]) if p in ("fonts", "networks", "icons")), ""), ThemeConfig)
                message = f"unknown field '{loc[-1]}'" + did_you_mean(str(loc[-1]), list(model.model_fields))
                key = True
            elif err["type"] == "missing":
                message = f"missing required field '{err['loc'][-1]}'"
            elif err["type"] == "string_pattern_mismatch":
                message = f"'{node}' does not match the pattern {err['ctx']['pattern']}"
            problems.append(doc.diagnostic(loc, f"invalid theme.yaml: {message}", key=key,
                                           field_name=field_path(loc)))
        raise ProfileError(problems) from None


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
