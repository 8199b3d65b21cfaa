"""Stages 5–7 — build: a profile file -> finished PDFs in the output directory.

:func:`render_profile` (:mod:`cvtex.build.pipeline`) runs the stages as small functions, in
order: load and validate (:mod:`cvtex.schema`), localize (:mod:`cvtex.localize`), fill the
theme (:mod:`cvtex.theme`), look up the build cache (:mod:`cvtex.build.cache`), compile
through the engine pool (:class:`cvtex.tex.EnginePool`), turn a failed compile into
diagnostics (:mod:`cvtex.build.failures`), finish each PDF — metadata, ``/Lang``, outline
(:mod:`cvtex.build.outline`, :mod:`cvtex.build.pdf`) — merge the bilingual PDF
(:mod:`cvtex.build.bilingual`), write PNG previews (:mod:`cvtex.build.preview`) and save
the render record. :func:`replay` answers an unchanged render from that record with the same
result types (:mod:`cvtex.build.results`) and without importing the stages above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvtex.lazy import exports

if TYPE_CHECKING:
    from cvtex.build.bilingual import LOCALES, part_locales
    from cvtex.build.cache import parse_age, record_options
    from cvtex.build.pipeline import load_profile, profile_theme, render_batch, render_profile
    from cvtex.build.preview import first_page_png
    from cvtex.build.record import replay
    from cvtex.build.results import BilingualOutput, Output, Result

__getattr__, __dir__, __all__ = exports(__name__, {
    "pipeline": ("render_profile", "render_batch", "load_profile", "profile_theme"),
    "record": ("replay",),
    "results": ("Result", "Output", "BilingualOutput"),
    "cache": ("record_options", "parse_age"),
    "bilingual": ("LOCALES", "part_locales"),
    "preview": ("first_page_png",),
})
