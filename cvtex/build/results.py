"""What a render wrote (:func:`cvtex.build.pipeline.render_profile`, or a replay of the same
render from :func:`cvtex.build.record.replay`): plain data, importable without the schema,
the templates or any PDF library. A PDF from the build cache becomes an :class:`Output`
the same way in both (:func:`cached_output`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvtex.diagnostics import Diagnostic
from cvtex.tex import MissingChar, Overfull

if TYPE_CHECKING:
    from cvtex.links import Policy, ProfileLink


#: The suffix of every file a blind render writes (``cvtex render --blind MODE``), before the
#: extension: ``cv-ko-blind.pdf``, ``cv-letter-acme-en-blind.pdf``, ``cv-bilingual-blind.pdf``.
BLIND_SUFFIX = "-blind"
#: :attr:`Output.document` of the 경력기술서 (career description): ``<stem>-career-<locale>.pdf``
CAREER = "career"

#: A blind PDF's ``/Creator`` (document information): the mode it was made in, for
#: ``cvtex check-links --profile`` (which compares its links with that mode's blind copy).
BLIND_CREATOR = "{creator} (blind copy: {mode})"


def file_name(stem: str, name: str, ext: str, blind: str | None = None) -> str:
    """An output file's name: ``<stem>-<name>.<ext>`` (``name``: :attr:`Output.name`,
    ``bilingual``, ``application-<id>-<locale>``), and with a ``blind`` mode
    ``<stem>-<name>-blind.<ext>`` — the one rule for every file a render writes (PDF, ``.tex``,
    ``.png``), so a blind file never replaces a normal one and its name still ends in its
    locale before the suffix."""
    return f"{stem}-{name}{BLIND_SUFFIX if blind else ''}.{ext}"


def unblind_stem(stem: str) -> tuple[str, bool]:
    """A file's stem without :data:`BLIND_SUFFIX` and whether it had it:
    ``cv-letter-acme-en-blind`` -> ``("cv-letter-acme-en", True)``."""
    if stem.endswith(BLIND_SUFFIX):
        return stem[: -len(BLIND_SUFFIX)], True
    return stem, False


@dataclass
class Output:
    """One written PDF — the CV or a letter (``document``) in one locale: its locale, path, the ``.tex`` (with ``keep_tex``), the engine's
    seconds, the bookmarks written, and the overfull boxes (lines too wide, boxes too
    high; :class:`cvtex.tex.Overfull`) and missing characters the engine's log reported.
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
    #: the engine had read the preamble before the render began (:meth:`cvtex.tex.Run.prime`)
    primed: bool = False
    #: '' or, when the engine's speed paths failed and the plain way made this PDF, what
    #: happened (:attr:`cvtex.tex.Build.fallback`)
    fallback: str = ""
    #: the files outside the build directory the engine read (:func:`cvtex.tex.recorded_inputs`;
    #: empty for a cached PDF)
    inputs: tuple[str, ...] = ()
    #: ``""`` for the CV; ``letter-<id>`` for a letter (:mod:`cvtex.schema.letters`);
    #: :data:`CAREER` for the 경력기술서
    document: str = ""

    @property
    def name(self) -> str:
        """What follows ``<stem>-`` in the PDF's name: the locale for the CV (``en``),
        ``letter-<id>-<locale>`` for a letter, ``career-<locale>`` for the 경력기술서; the key of
        :attr:`Result.links`."""
        return f"{self.document}-{self.locale}" if self.document else self.locale


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
class BundleOutput:
    """A written application bundle (``--bundle``): the letter ``letter_id`` and the CV of
    ``locale`` in one PDF, ``<stem>-application-<id>-<locale>.pdf``: its path, the pages of
    each part (``{"letter": n, "cv": m}``, in order), the bookmarks written (a top-level
    one per part included) and, with ``png``, the preview of its first page."""

    letter_id: str
    locale: str
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

    For the link check: ``links`` = per :attr:`Output.name` (a locale's CV, a letter), the profile's URLs in that PDF
    (:func:`cvtex.links.profile_links`), ``link_policy`` = the profile's ``links:``
    settings (:meth:`cvtex.links.Policy.from_profile`).
    ``replayed``: nothing was loaded, validated or templated — the render record of the
    same inputs was replayed (:func:`cvtex.build.record.replay`; ``model`` is then ``None``).
    ``sources``: the LaTeX source of each output, by :attr:`Output.name` (empty when replayed).
    ``bundles``: the application bundles written (``--bundle``)."""

    profile: Path
    outputs: list[Output]
    warnings: list[Diagnostic]
    model: Any = None  # the validated cvtex.schema.models.Profile; None when replayed
    theme: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    bilingual: BilingualOutput | None = None
    links: dict[str, list[ProfileLink]] = field(default_factory=dict)
    link_policy: Policy = field(default_factory=lambda: _no_policy())
    replayed: bool = False
    sources: dict[str, str] = field(default_factory=dict)
    bundles: list[BundleOutput] = field(default_factory=list)


def _no_policy() -> Policy:
    from cvtex.links import (
        Policy,  # not imported with this module: `cvtex validate` needs none
    )

    return Policy()


def cached_output(code: str, pdf: Path, entry: Any, tex: Path | None = None, *, document: str = "") -> Output:
    """The :class:`Output` of ``document`` (:attr:`Output.document`) in locale ``code`` written to ``pdf`` from the build cache's
    ``entry`` (a :class:`cvtex.build.cache.Entry`): no engine run, its recorded bookmarks
    and overfull boxes. A render's cache hit and a replayed record both use it."""
    return Output(code, pdf, tex, 0.0, entry.bookmarks,
                  [Overfull(float(points), str(lines), str(box)) for points, lines, box in entry.overfull],
                  [], cached=True, document=document)
