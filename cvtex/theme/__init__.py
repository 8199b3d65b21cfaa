"""Themes: from a localized view to LaTeX source, in a theme's design.

* :mod:`cvtex.theme.files` — where themes are; the files a theme is made of (its own, then
  the shared base's);
* :mod:`cvtex.theme.config` — ``theme.yaml`` and :func:`load_theme`;
* :mod:`cvtex.theme.fonts` — can the theme's fonts set a text? (glyph coverage, without TeX);
* :mod:`cvtex.theme.latex` — escaping, links, inline markup as LaTeX;
* :mod:`cvtex.theme.helpers` — what templates print with; :class:`TexSource`;
* :mod:`cvtex.theme.templates` — :func:`render`: the view through the theme's templates;
  :func:`render_letter`: a letter's; :func:`render_career`: the 경력기술서's.

The names below are this package's public API; each is imported from its module on first
use, so ``import cvtex.theme`` costs nothing (``cvtex validate`` never loads Jinja2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvtex.lazy import exports

_EXPORTS = {
    "config": ("Theme", "ThemeConfig", "FontSet", "Icons", "NetworkIcon", "load_theme", "builtin_themes",
               "effective_fonts", "THEME_PACKAGE"),
    "files": ("themes_root", "base_dir", "source_files", "theme_search_path", "copy_theme"),
    "fonts": ("Coverage", "theme_coverage", "font_problem", "coverage_problem", "fc_list_problem", "bold_faces",
              "theme_font_families", "missing_theme_fonts"),
    "helpers": ("TexSource", "section_destination", "entry_destination"),
    "templates": ("render", "render_letter", "render_career", "design_values", "DesignValues", "Contact"),
}
__getattr__, __dir__, __all__ = exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from cvtex.theme.config import (
        THEME_PACKAGE,
        FontSet,
        Icons,
        NetworkIcon,
        Theme,
        ThemeConfig,
        builtin_themes,
        effective_fonts,
        load_theme,
    )
    from cvtex.theme.files import (
        base_dir,
        copy_theme,
        source_files,
        theme_search_path,
        themes_root,
    )
    from cvtex.theme.fonts import (
        Coverage,
        bold_faces,
        coverage_problem,
        fc_list_problem,
        font_problem,
        missing_theme_fonts,
        theme_coverage,
        theme_font_families,
    )
    from cvtex.theme.helpers import TexSource, entry_destination, section_destination
    from cvtex.theme.templates import Contact, DesignValues, design_values, render, render_career, render_letter

