"""What a render wrote (:func:`cvtex.build.pipeline.render_profile`, or a replay of the same
render from :func:`cvtex.build.cache.replay`): plain data, importable without the schema,
the templates or any PDF library."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvtex.diagnostics import Diagnostic
from cvtex.tex.engine import MissingChar, Overfull


@dataclass
class Output:
    """One written PDF: its locale, path, the ``.tex`` (with ``keep_tex``), the engine's
    seconds, the bookmarks written, and the overfull boxes (lines too wide, boxes too
    high; :class:`cvtex.tex.engine.Overfull`) and missing characters the engine's log reported.
    ``cached``: the PDF came from the build cache (no engine run; ``seconds`` is 0)."""

    locale: str
    pdf: Path
    tex: Path | None
    seconds: float
    bookmarks: int
    overfull: list[Overfull] = field(default_factory=list)
    missing_chars: list[MissingChar] = field(default_factory=list)
    cached: bool = False
    png: Path | None = None
    #: the engine had read the preamble before the render began (:meth:`cvtex.tex.engine.Run.prime`)
    primed: bool = False
    #: '' or, when the engine's speed paths failed and the plain way made this PDF, what
    #: happened (:attr:`cvtex.tex.engine.Build.fallback`)
    fallback: str = ""
    #: the files outside the build directory the engine read (:func:`cvtex.tex.engine.recorded_inputs`;
    #: empty for a cached PDF)
    inputs: tuple[str, ...] = ()


@dataclass
class BilingualOutput:
    """The written ``<stem>-bilingual.pdf`` (``--bilingual``): its path, its locales in
    order with their page counts, the bookmarks written (a top-level one per locale
    included) and, with ``png``, the preview of its first page."""

    pdf: Path
    pages: dict[str, int]
    bookmarks: int
    png: Path | None = None


@dataclass
class Result:
    """What :func:`cvtex.build.pipeline.render_profile` did: the profile file and its validated
    model, outputs per locale, validation warnings, the theme directory used, and the
    seconds each stage took (``timings``: ``load`` = load + validate, ``template``,
    ``compile`` = all locales in parallel — each locale's own time is
    ``Output.seconds`` —, ``finish`` = post-process and write).

    For the link check: ``links`` = per locale, the profile's URLs in that PDF as
    ``(url, field)`` (:func:`cvtex.links.check.profile_links`), ``link_policy`` = the profile's
    ``links:`` settings (``{"exclude": [...], "accept": {host: [codes]}}``).
    ``replayed``: nothing was loaded, validated or templated — the render record of the
    same inputs was replayed (:func:`cvtex.build.cache.replay`; ``model`` is then ``None``).
    ``sources``: the LaTeX source of each locale (empty when replayed)."""

    profile: Path
    outputs: list[Output]
    warnings: list[Diagnostic]
    model: Any = None  # the validated cvtex.schema.models.Profile; None when replayed
    theme: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    bilingual: BilingualOutput | None = None
    links: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    link_policy: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False
    sources: dict[str, str] = field(default_factory=dict)
