"""The pipeline, stage after stage: profile file -> one PDF per locale.

:func:`render_profile` runs its stages in order, each a function that takes what the one
before gave: :func:`_load_stage` (load, validate, toolchain) -> :func:`_template_stage`
(per locale: localize, template) -> :func:`_look_up` (the build cache) ->
:func:`_compile_stage` (compile and post-process, the locales in parallel, through the
engine pool :class:`cvtex.tex.EnginePool`) -> :func:`_raise_failures` -> :func:`_store`
-> the bilingual merge -> :func:`_write_pdfs` -> :func:`_previews` -> the render record.
Only when every locale compiled are any PDFs written. Any failure raises
:class:`~cvtex.diagnostics.ProfileError` (or :class:`~cvtex.tex.EngineMissing`) and
leaves every earlier output untouched: an invalid profile (every problem at once,
:func:`load_profile`), a theme error, a LaTeX error, a glyph no font has, a timeout, text
that would run off a page (:mod:`cvtex.build.failures`), an output that cannot be written.

Before compiling, each locale's final PDF is looked up in the build cache
(:mod:`cvtex.build.cache`, keyed by the generated LaTeX, the theme's files, the metadata and
outline, cvtex's and the engine's versions): a hit is written as it is, without TeX, the
same way a replayed render record writes it (:func:`cvtex.build.results.cached_output`).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvtex import links, schema, tex
from cvtex import localize as locale
from cvtex import theme as themes
from cvtex.build.failures import PAGE_OVERFLOW_PT, compile_diagnostics, lost_text, toolchain_problem
from cvtex.build.outline import bookmarks, career_bookmarks, letter_bookmarks, letter_metadata, metadata
from cvtex.build.results import CAREER, BilingualOutput, BundleOutput, Output, Result, cached_output, file_name
from cvtex.diagnostics import Diagnostic, ProfileError, display_path, field_path
from cvtex.files import write_atomic
from cvtex.schema import loader

if TYPE_CHECKING:
    from cvtex.tex import Build, EnginePool


@dataclass
class _Job:
    """One document of a render — the CV or a letter, in one locale — as it goes through the
    stages: templated (``tex``, the PDF's ``metadata`` and ``marks``), looked up in the build
    cache (``key``, ``hit``), compiled (``build``, or ``error``; ``lost``: text a page would
    lose) and post-processed (``final`` bytes with ``bookmarks`` written). ``document`` is
    ``""`` for the CV, ``letter-<id>`` for a letter and ``career`` for the 경력기술서
    (:data:`cvtex.build.results.Output.document`); ``view`` is a :class:`cvtex.localize.View`
    (the CV's, or the 경력기술서's: :func:`cvtex.localize.localize_career`) or a
    :class:`cvtex.localize.LetterView`."""

    code: str
    view: Any
    tex: themes.TexSource
    metadata: Any  # a cvtex.build.pdf.Metadata
    marks: list  # cvtex.build.pdf.Bookmark
    document: str = ""
    key: str | None = None
    hit: Any = None  # a cvtex.build.cache.Entry
    build: Build | None = None
    error: Exception | None = None
    lost: list[Diagnostic] = field(default_factory=list)  # :func:`cvtex.build.failures.lost_text` of the build
    final: bytes | None = None
    bookmarks: int = 0
    files: dict[str, Path] = field(default_factory=dict)  # pictures the source includes: {name: path}
    blind: str | None = None  # the blind mode it is rendered in: the render's, or its letter's own

    @property
    def name(self) -> str:
        """What follows ``<stem>-`` in the names of this job's files: ``en``, ``letter-<id>-en``
        (:attr:`cvtex.build.results.Output.name`). Its engine's jobname is ``<stem>-<locale>``."""
        return f"{self.document}-{self.code}" if self.document else self.code

    @property
    def pdf(self) -> bytes:
        """The final PDF, from the build cache or compiled."""
        data = self.hit.pdf if self.hit is not None else self.final
        assert data is not None
        return data


@dataclass
class _Loaded:
    """The load stage's answer: the profile ``path`` read (``doc``) and validated
    (``profile``, ``warnings``), the ``theme`` and the locale ``codes`` to render."""

    path: Path
    doc: loader.Document
    profile: schema.Profile
    warnings: list[Diagnostic]
    theme: themes.Theme
    codes: list[str]
    coverage: Any = None  # what the theme's fonts can set (cvtex.theme.theme_coverage), from validation
    blind: str | None = None  # the blind mode (cvtex.schema.blind): ``profile`` is then the blind copy
    validated: Any = None  # the profile as validated (before a blind copy): a letter's own mode copies it

    @property
    def stem(self) -> str:
        return self.path.stem

    def file(self, name: str, ext: str) -> str:
        """The name of an output file: ``<stem>-<name>.<ext>``, ``<stem>-<name>-blind.<ext>`` for a
        blind render (:func:`cvtex.build.results.file_name`)."""
        return file_name(self.stem, name, ext, self.blind)

    def job_file(self, job: _Job, ext: str) -> str:
        """The name of ``job``'s file: as :meth:`file`, ``-blind`` when the job is blind (the
        render's mode, or a letter's own)."""
        return file_name(self.stem, job.name, ext, job.blind)


class _Clock:
    """The seconds each stage takes (``timings``), and ``progress`` told each stage's name."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.timings: dict[str, float] = {}
        self._progress = progress
        self._last = time.perf_counter()

    def stage(self, name: str | None, done: str | None = None) -> None:
        """Stage ``done`` ended now (its time is kept); stage ``name`` begins."""
        now = time.perf_counter()
        if done:
            self.timings[done] = now - self._last
        self._last = now
        if name and self._progress:
            self._progress(name)


def load_profile(path: Path | str, *, theme: str | None = None, check_glyphs: bool = True,
                 over_limit: str = "error") -> tuple[loader.Document, schema.Profile, list[Diagnostic]]:
    """Load and validate a profile file, without TeX (what ``cvtex validate`` runs).

    ``theme`` (a built-in name or a directory) overrides the profile's ``design.theme``
    (a directory there is relative to the profile file). With ``check_glyphs``, every
    printed character is checked against that theme's fonts with the profile's
    ``design.fonts`` (:mod:`cvtex.theme.fonts`; skipped when fontconfig cannot describe them,
    and, when ``fc-list`` or XeLaTeX is missing, with a warning that says so),
    and every font in ``design.fonts`` must be installed. ``over_limit``: what a 자기소개서
    answer over its limit is, ``"error"`` or ``"warning"`` (:func:`cvtex.schema.validate`).
    Raises :class:`ProfileError`
    with every error and warning found; returns the document, the profile and the
    warnings.
    """
    doc, profile, warnings, _, _ = _load(path, theme, check_glyphs, over_limit)
    return doc, profile, warnings


def profile_theme(profile_path: Path | str, name: str) -> str:
    """The theme a profile's ``design.theme`` names: a built-in name as it is; a directory
    (a value with a ``/``, or a directory beside the profile) relative to the profile file."""
    if "/" in name or "\\" in name or (Path(profile_path).parent / name).is_dir():
        return str(Path(profile_path).parent / Path(name).expanduser())
    return name


def _load(path: Path | str, theme: str | None, check_glyphs: bool,
          over_limit: str = "error") -> tuple[loader.Document, schema.Profile, list[Diagnostic], themes.Theme, Any]:
    """:func:`load_profile`, also returning the theme it checked the glyphs against and that check's
    coverage (``None`` when it did not run)."""
    doc = loader.load(path)
    problems: list[Diagnostic] = []
    coverage = None
    raw_design = doc.data.get("design") if isinstance(doc.data, dict) else None
    raw_theme = raw_design.get("theme") if isinstance(raw_design, dict) else None
    name = theme or (profile_theme(path, raw_theme) if isinstance(raw_theme, str) else None) or "classic"
    try:
        theme_obj = themes.load_theme(name)
    except ProfileError as exc:
        missing = len(exc.diagnostics) == 1 and exc.diagnostics[0].message.startswith("no theme ")
        if theme or not missing:  # given on the command line, or a broken theme: the theme's own errors
            raise
        if name != raw_theme:  # a directory, relative to the profile
            message = (f"no theme '{raw_theme}': no {display_path(Path(name) / 'theme.yaml')} (a theme directory is "
                       f"relative to the profile file); built-in themes: {', '.join(themes.builtin_themes())}")
        else:
            message = exc.diagnostics[0].message + schema.did_you_mean(raw_theme, themes.builtin_themes())
        problems = [doc.diagnostic(("design", "theme"), message, field_name="design.theme")]
    else:
        if check_glyphs:
            raw_locales = doc.data.get("locales")
            codes = [c for c in raw_locales if isinstance(c, str)] if isinstance(raw_locales, list) else []
            overrides = raw_design.get("fonts") if isinstance(raw_design, dict) else None
            coverage = themes.theme_coverage(theme_obj, codes, overrides if isinstance(overrides, dict) else None)
    # a glyph check that cannot run is said, not skipped quietly (--strict makes it an error)
    unchecked = _unchecked_glyphs(path, theme_obj, raw_design) if check_glyphs and coverage is None and not problems \
        else []
    try:
        profile, warnings = schema.validate(doc, supported_locales=locale.supported_locales(), glyphs=coverage,
                                            font_problem=themes.font_problem if check_glyphs else None,
                                            over_limit=over_limit)
    except ProfileError as exc:
        raise ProfileError(schema.by_position(exc.diagnostics + problems + unchecked)) from None
    warnings = unchecked + warnings
    if problems:
        raise ProfileError(schema.by_position(warnings + problems))
    return doc, profile, warnings, theme_obj, coverage


def _unchecked_glyphs(path: Path | str, theme: themes.Theme | None = None, design: Any = None) -> list[Diagnostic]:
    """A warning when the glyph check cannot run here (:func:`cvtex.theme.fonts.coverage_problem`:
    no ``fc-list``, or no XeLaTeX to read the routes from; or a font the theme names is not
    installed, :func:`cvtex.theme.fonts.missing_theme_fonts`: ``cvtex render`` stops there
    with exit 3); ``[]`` when it can."""
    problem = themes.coverage_problem()
    if not problem and theme is not None:
        overrides = design.get("fonts") if isinstance(design, dict) else None
        missing = themes.missing_theme_fonts(theme, [], overrides if isinstance(overrides, dict) else None)
        problem = f"{missing} (cvtex render stops here: exit 3)" if missing else None
    if not problem:
        return []
    return [Diagnostic(str(path), 0, 0, "characters not checked against the theme's fonts: "
                       + problem.replace("\n ", "").replace("\n", " "), severity="warning")]


def render_profile(path: Path | str, *, output_dir: Path | str = "out", locales: list[str] | None = None,
                   theme: str | None = None, keep_tex: bool = False, timeout: float = 60.0,
                   progress: Callable[[str], None] | None = None, cache: bool = True,
                   engine_slots: threading.Semaphore | None = None, bilingual: bool = False,
                   png: bool = False, pool: EnginePool | None = None, bundle: bool = False,
                   blind: str | None = None) -> Result:
    """Render the profile at ``path`` to ``output_dir/<stem>-<locale>.pdf``, and each of its
    letters (:mod:`cvtex.schema.letters`) in each of the letter's locales that is rendered to
    ``output_dir/<stem>-letter-<id>-<locale>.pdf``, in the same theme, compiled alongside the
    CVs (:func:`_template_stage`). A cover letter longer than one page is a warning. When a
    role of the experience a locale prints has ``projects``, that locale's 경력기술서 (career
    description, :func:`cvtex.localize.localize_career`) is written too:
    ``output_dir/<stem>-career-<locale>.pdf``.

    ``locales`` defaults to every locale the profile declares; ``theme`` (a built-in
    name or a theme directory) defaults to the profile's ``design.theme``; ``timeout``
    is per engine run, in seconds. With ``keep_tex`` the compiled source is also written
    as ``<stem>-<locale>.tex`` (a letter's as ``<stem>-letter-<id>-<locale>.tex``).

    With ``bundle``, each letter is also written with the CV of its locale after it, as one
    PDF with a bookmark per document: ``<stem>-application-<id>-<locale>.pdf``
    (:mod:`cvtex.build.bundle`).

    With ``bilingual``, ``<stem>-bilingual.pdf`` is written too: the Korean PDF, then the
    English one (:mod:`cvtex.build.bilingual`); the profile must have both locales (and
    ``locales``, when given, must include both) — else a :class:`ProfileError` before
    anything is compiled. It is merged before any output is written, so it is written
    only when every locale succeeded. With ``png``, every PDF written also gets a preview
    of its first page, ``<stem>-<locale>.png`` (:func:`cvtex.build.preview.first_page_png`;
    from the written PDF, so a cached render gets one too).

    With ``cache`` (the default) a locale whose final PDF is in the build cache
    (:mod:`cvtex.build.cache`) is not compiled (:attr:`Output.cached`), and every PDF compiled
    is stored there. ``engine_slots``, when given, is held during each engine run (a
    batch of profiles shares one, to bound the engines running at once). ``pool``: the
    :class:`cvtex.tex.EnginePool` that compiles, holding engines started ahead for
    jobnames ``<stem>-<locale>`` (:attr:`Output.primed` says which had read the preamble);
    the caller releases it after the render. Without one, the render uses a pool of its
    own and closes it.

    With ``blind`` (a mode of :data:`cvtex.schema.blind.BLIND_MODES`), the blind copy of the
    profile is rendered (:func:`cvtex.schema.blind.blind_profile`: no photo, …) after the leak
    lint (:func:`cvtex.schema.blind.blind_leaks`) found nothing — a leak is a :class:`ProfileError`
    before anything is compiled —, and every file written has a ``-blind`` suffix before its
    extension (:func:`cvtex.build.results.file_name`): ``<stem>-<locale>-blind.pdf``,
    ``<stem>-letter-<id>-<locale>-blind.pdf``, ``<stem>-bilingual-blind.pdf``,
    ``<stem>-application-<id>-<locale>-blind.pdf``; the PDFs' ``/Creator`` names the mode
    (:data:`cvtex.build.results.BLIND_CREATOR`). Raises ``ValueError`` for an unknown mode.

    ``progress``, when given, is called with the name of each stage as it starts
    (``load``, ``template``, ``compile en, ko``, ``finish``, ``preview``); the seconds each
    took are in :attr:`Result.timings`.

    Raises :class:`ProfileError` (invalid profile or theme, LaTeX error, missing glyph,
    timeout) or :class:`~cvtex.tex.EngineMissing`.
    """
    from cvtex.tex import EnginePool

    clock = _Clock(progress)
    clock.stage("load")
    loaded = _load_stage(path, theme, locales, bilingual, blind)
    clock.stage("template", "load")
    jobs = _template_stage(loaded)
    out_dir = Path(output_dir)
    if keep_tex:
        _write_sources(loaded, jobs, out_dir)
    versions = _look_up(loaded, jobs) if cache else None
    todo = [job for job in jobs if job.hit is None]
    clock.stage(_compile_label(jobs, todo), "template")
    with nullcontext(pool) if pool is not None else EnginePool() as engines, \
            tempfile.TemporaryDirectory(prefix="cvtex-") as tmp:
        _compile_stage(loaded, todo, engines, Path(tmp), timeout=timeout, engine_slots=engine_slots)
        _raise_failures(loaded, todo)
        clock.stage("finish", "compile")
        if cache:
            _store(todo)
        merged = _merge_bilingual(loaded.doc, jobs) if bilingual else None
        bundles = _bundle(loaded, jobs) if bundle else []
    loaded.warnings = loaded.warnings + _letter_warnings(loaded, jobs)
    outputs = _write_pdfs(loaded, jobs, out_dir, keep_tex)
    both = _write_bilingual(loaded, merged, out_dir) if merged is not None else None
    applications = _write_bundles(loaded, bundles, out_dir)
    if png:
        clock.stage("preview", "finish")
        _previews([*outputs, *([both] if both else []), *applications])
        clock.stage(None, "preview")
    else:
        clock.stage(None, "finish")
    result = Result(loaded.path, outputs, loaded.warnings, loaded.profile, loaded.theme.path, clock.timings, both,
                    links={job.name: links.profile_links(job.view) for job in jobs},
                    link_policy=links.Policy.from_profile(loaded.profile),
                    sources={job.name: job.tex.text for job in jobs}, bundles=applications)
    # a letter in a blind mode of its own has a name a replay would not give it: no record
    if versions is not None and not (keep_tex or bilingual or png or bundle) \
            and all(job.blind == loaded.blind for job in jobs):
        _save_record(loaded, jobs, result, locales, theme, versions, blind)
    return result


def _load_stage(path: Path | str, theme: str | None, locales: list[str] | None, bilingual: bool,
                blind: str | None = None) -> _Loaded:
    """Load and validate the profile (:func:`load_profile`), choose the locales, and check
    the toolchain: :class:`~cvtex.tex.EngineMissing` for no XeLaTeX or no ``fc-list``. With
    ``blind``: the leaks of free text (:func:`cvtex.schema.blind.blind_leaks`) are a
    :class:`ProfileError` (after the warnings), and the profile is its blind copy."""
    if blind is not None:
        schema.check_blind_mode(blind)
    doc, profile, warnings, theme_obj, coverage = _load(path, theme, check_glyphs=True)
    validated = profile
    if blind is not None:
        leaks = schema.render_leaks(doc, profile, blind)
        if leaks:
            raise ProfileError(schema.by_position(warnings + leaks))
        profile = schema.blind_profile(profile, blind)
    codes = _requested_locales(doc, profile, locales)
    if bilingual:
        from cvtex.build.bilingual import check_request

        check_request(doc, profile.locales, codes)
    tex.find_engine()
    missing = themes.fc_list_problem()
    if missing:  # a missing dependency (exit 3), not a glyph check skipped
        raise tex.EngineMissing(missing)
    absent = themes.missing_theme_fonts(theme_obj, codes, profile.design.fonts)
    if absent is not None:  # a font of the theme missing here: the toolchain (exit 3), not the theme
        raise absent
    return _Loaded(Path(path), doc, profile, warnings, theme_obj, codes, coverage, blind, validated)


def _template_stage(loaded: _Loaded) -> list[_Job]:
    """Each locale localized and templated into LaTeX, with its PDF's metadata and outline;
    then each letter in each of its locales that is rendered (:func:`cvtex.localize.localize_letter`,
    :func:`cvtex.theme.render_letter`), with the CV's header of that locale."""
    jobs = []
    photo = _photo(loaded)
    for code in loaded.codes:
        view = locale.localize(loaded.profile, code, theme_order=loaded.theme.config.section_order,
                               theme_titles=loaded.theme.config.section_titles.get(code))
        files = {photo[0]: photo[1]} if photo and code in loaded.profile.header.photo.locales else {}
        source = _templated(loaded, functools.partial(themes.render, photo=next(iter(files), None)), view)
        jobs.append(_Job(code, view, source, _blind_mark(loaded.blind, metadata(view)), bookmarks(view),
                         files=files, blind=loaded.blind))
    careers = {job.code: locale.localize_career(job.view) for job in jobs}  # the 경력기술서, when projects
    problem = template_problem(loaded.theme, "career.tex.j2") if any(careers.values()) else None
    if problem:
        loaded.warnings = loaded.warnings + [loaded.doc.diagnostic(
            ("sections",), f"the 경력기술서 (career description) is not rendered in this theme: {problem}",
            field_name="sections", severity="warning")]
    for job in [] if problem else list(jobs):
        career = careers[job.code]
        if career is not None:
            source = _templated(loaded, themes.render_career, career)
            jobs.append(_Job(job.code, career, source, _blind_mark(loaded.blind, metadata(career)),
                             career_bookmarks(career), document=CAREER, blind=loaded.blind))
    headers = {job.code: job.view.header for job in jobs if not job.document}
    problem = template_problem(loaded.theme) if loaded.profile.letters else None
    if problem:
        loaded.warnings = loaded.warnings + [
            loaded.doc.diagnostic(("letters", i), f"letters are not rendered in this theme: {problem}",
                                  field_name=f"letters[{i}]",
                                  severity="warning") for i in range(len(loaded.profile.letters))]
        return jobs
    # a letter to an employer that hires blind is localized from the blind copy in its own
    # mode: each mode's copy and headers made once
    copies = {loaded.blind: (loaded.profile, headers)}
    for index, letter in enumerate(loaded.profile.letters):
        mode = letter.blind or loaded.blind
        if mode not in copies:
            own = schema.blind_profile(loaded.validated, mode)
            copies[mode] = (own, {code: locale.localize(own, code).header for code in headers})
        own, own_headers = copies[mode]
        for code in loaded.profile.letter_locales(letter):
            if code in headers:
                view = locale.localize_letter(own, index, code, own_headers[code])
                source = _templated(loaded, themes.render_letter, view)
                jobs.append(_Job(code, view, source, _blind_mark(mode, letter_metadata(view)), letter_bookmarks(view),
                                 document=f"letter-{letter.id}", blind=mode))
    return jobs


def _blind_mark(mode: str | None, meta: Any) -> Any:
    """``meta`` (a :class:`cvtex.build.pdf.Metadata`) with, for a document in a blind ``mode``,
    the mode in its ``creator`` (:data:`cvtex.build.results.BLIND_CREATOR`: ``cvtex check-links``
    reads it)."""
    if mode is None:
        return meta
    from cvtex.build.results import BLIND_CREATOR

    return dataclasses.replace(meta, creator=BLIND_CREATOR.format(creator=meta.creator, mode=mode))


def _photo(loaded: _Loaded) -> tuple[str, Path] | None:
    """The header photo prepared for print (:func:`cvtex.build.photo.prepare`, once per
    photo: cached) as ``(its file name in a build directory, the prepared file)``; ``None``
    when no PDF of this render shows a photo."""
    photo = loaded.profile.header.photo
    if photo is None or not set(photo.locales) & set(loaded.codes):
        return None
    from cvtex.build import photo as photos
    from cvtex.schema.photo import photo_path

    source = photo_path(loaded.doc, photo.path)
    try:
        prepared, key = photos.prepare(source)
    except Exception as exc:  # noqa: BLE001 - validation opened it; changed since, or Pillow cannot decode it
        loc = ("header", "photo", "path") if isinstance(loaded.doc.data["header"]["photo"], dict) \
            else ("header", "photo")
        raise ProfileError([loaded.doc.diagnostic(loc, f"the photo {display_path(source)} cannot be prepared for "
                                                       f"print: {exc}", field_name=field_path(loc))]) from None
    return photos.printed_name(key), prepared


def template_problem(theme: themes.Theme, template: str = "letter.tex.j2") -> str | None:
    """Why ``theme`` cannot set the documents of the shared ``template`` (``letter.tex.j2``:
    letters; ``career.tex.j2``: the 경력기술서), or ``None``: the shared template is built on the
    shared ``cvtex.sty`` and the theme's ``theme.sty``, so a theme with a ``cv.tex.j2`` or
    ``cvtex.sty`` of its own, or without ``theme.sty``, needs a ``template`` of its own."""
    own = {name for name in (template, "cv.tex.j2", "cvtex.sty", "theme.sty") if (theme.path / name).is_file()}
    if template in own or ("theme.sty" in own and not own & {"cv.tex.j2", "cvtex.sty"}):
        return None
    why = ("it has its own " + " and ".join(sorted(own & {"cv.tex.j2", "cvtex.sty"}))) if own & {"cv.tex.j2", "cvtex.sty"} \
        else "it has no theme.sty"
    return f"{why} but no {template} (docs/themes.md, 'Templates'); the CVs are rendered"


def _templated(loaded: _Loaded, render: Callable[..., themes.TexSource], view: Any) -> themes.TexSource:
    try:
        return render(view, loaded.theme, loaded.coverage)
    except ValueError as exc:  # a theme helper given a bad argument, e.g. link() with a non-URL
        raise ProfileError([Diagnostic(str(loaded.theme.path), 0, 0, f"theme template error: {exc}")]) from None


def _write_sources(loaded: _Loaded, jobs: list[_Job], out_dir: Path) -> None:
    """``--keep-tex``: ``<stem>-<name>.tex``, the source each job compiles, and the pictures it
    includes (the header photo, ``photo-<digest>.jpg``)."""
    for job in jobs:
        with _writing(out_dir / loaded.job_file(job, "tex")) as target:
            write_atomic(target, job.tex.text.encode())
        for name, path in job.files.items():  # the pictures it includes, beside it
            with _writing(out_dir / name) as target:
                write_atomic(target, path.read_bytes())


def _look_up(loaded: _Loaded, jobs: list[_Job]) -> tuple[str, str]:
    """Each job's build-cache key and, when the cache has its final PDF, the entry
    (``job.hit``). Returns the engine's version and the theme's digest (the render record
    keeps them)."""
    from cvtex.build import cache as build_cache

    version, digest = build_cache.engine_version(tex.find_engine()), build_cache.theme_digest(loaded.theme.path)
    for job in jobs:
        job.key = build_cache.build_key(tex=job.tex.text, theme_digest=digest, jobname=f"{loaded.stem}-{job.name}",
                                        metadata=job.metadata, bookmarks=job.marks,
                                        cvtex_version=build_cache.package_digest(), engine_version=version)
        job.hit = build_cache.get(job.key)
    return version, digest


def _compile_label(jobs: list[_Job], todo: list[_Job]) -> str:
    """``compile en, ko``, with the documents served from the cache said."""
    hits = [job.name for job in jobs if job.hit is not None]
    note = "" if not hits else " (cached)" if not todo else f" ({', '.join(hits)} cached)"
    return "compile " + ", ".join(job.name for job in todo or jobs) + note


def _compile_stage(loaded: _Loaded, todo: list[_Job], engines: EnginePool, tmp: Path, *, timeout: float,
                   engine_slots: threading.Semaphore | None) -> None:
    """Compile and post-process every job of ``todo``, in parallel (``engine_slots`` bounds
    the engines in a batch); each job gets its ``build`` and ``final`` PDF, or its ``error``
    or ``lost`` text. A locale's CV and letters share one engine run where the ``one-run``
    speed path can take them (:mod:`cvtex.build.onerun`), else each has its own."""
    def one(job: _Job) -> None:
        # every document of a locale under the CV's jobname: a letter edited alone under
        # --watch gets the engine primed with the preamble it shares with the CV (the
        # templates never print \jobname; each compile has its own build directory)
        try:
            with engine_slots or nullcontext():
                job.build = engines.compile(job.tex.text, jobname=f"{loaded.stem}-{job.code}", timeout=timeout,
                                            files=job.files)
        except tex.CompileError as exc:
            job.error = exc
            return
        job.lost = lost_text(loaded.doc, job.name, job.build)
        if not job.lost:
            _finish(job, tmp / f"{loaded.stem}-{job.name}.pdf")

    def shared(jobs: list[_Job], combined: Any) -> None:
        """The ``one-run`` speed path (:mod:`cvtex.build.onerun`): ``jobs`` of one locale in one
        engine run, split; each job compiled alone when that cannot be done."""
        from cvtex.build import onerun
        from cvtex.tex.log import LogReport, read_log

        jobname = f"{loaded.stem}-{jobs[0].code}"
        problem = ""
        try:
            with engine_slots or nullcontext():
                build = engines.compile(combined.text, jobname=jobname, timeout=timeout,
                                        files={k: v for job in jobs for k, v in job.files.items()})
        except tex.CompileError as exc:
            build, problem = None, f"the shared run failed ({str(exc).splitlines()[0] if str(exc) else 'error'})"
        starts = None
        if build is not None and not build.log.missing_chars and not any(
                o.box == "page" and o.points > PAGE_OVERFLOW_PT for o in build.log.overfull):
            starts = onerun.page_starts(read_log(build.build_dir / f"{jobname}.log"), len(jobs))
            problem = "" if starts is not None else "the log has no marks of where each document begins"
        if starts is not None:
            parts = [tmp / f"{loaded.stem}-{job.name}.part.pdf" for job in jobs]
            try:
                onerun.split(build.pdf, starts, parts)
            except Exception as exc:  # noqa: BLE001 - pypdf's errors: the plain way below
                starts, problem = None, f"the PDF could not be split ({exc})"
        if starts is None:  # each document alone: its own messages, or its PDF
            with ThreadPoolExecutor(max_workers=min(len(jobs), max(2, os.cpu_count() or 1))) as threads:
                list(threads.map(one, jobs))
            if problem and all(job.error is None and not job.lost for job in jobs):
                speed.mark_failed([speed.ONE_RUN], problem)
            return
        for index, (job, part) in enumerate(zip(jobs, parts)):
            job.build = dataclasses.replace(build, pdf=part, log=LogReport(
                overfull=onerun.overfull_of(combined, build.log.overfull, index)))
            _finish(job, tmp / f"{loaded.stem}-{job.name}.pdf")

    from cvtex.tex import speed

    tasks = [functools.partial(one, job) for job in todo]
    if todo and speed.allowed(speed.ONE_RUN):
        from cvtex.build import onerun

        tasks = []
        for code in dict.fromkeys(job.code for job in todo):
            jobs = [job for job in todo if job.code == code]
            combined = onerun.combine([job.tex.text for job in jobs], [[m.destination for m in job.marks]
                                                                       for job in jobs]) if len(jobs) > 1 else None
            tasks += [functools.partial(shared, jobs, combined)] if combined is not None else \
                [functools.partial(one, job) for job in jobs]
    if len(tasks) == 1:
        tasks[0]()
    elif tasks:  # at most one engine per CPU (with at least two: a CV's locales), each ~265 MB
        with ThreadPoolExecutor(max_workers=min(len(tasks), max(2, os.cpu_count() or 1))) as threads:
            list(threads.map(lambda task: task(), tasks))


def _finish(job: _Job, final: Path) -> None:
    """Post-process ``job``'s PDF at once (metadata, outline: :func:`cvtex.build.pdf.finish`)
    into ``final``: while the other locale's engine is still running, this uses the core
    it leaves idle. A theme without a section's destination is ``job.error`` (a KeyError)."""
    from cvtex.build import pdf  # not imported by `cvtex validate`

    assert job.build is not None
    try:
        job.bookmarks = pdf.finish(job.build.pdf, final, job.metadata, job.marks)
    except KeyError as exc:
        job.error = exc
        return
    job.final = final.read_bytes()
    # the link check after the render finds this PDF's links in its cache
    links.cache_pdf_contents(job.final)


def _raise_failures(loaded: _Loaded, todo: list[_Job]) -> None:
    """A :class:`ProfileError` with what every failed job means for the user
    (:mod:`cvtex.build.failures`), after the validation warnings; nothing when all succeeded.
    A job that failed for want of a font or a LaTeX package raises that instead
    (:func:`cvtex.build.failures.toolchain_problem`: exit 3)."""
    for job in todo:
        missing = toolchain_problem(job.error, loaded.theme) if isinstance(job.error, tex.CompileError) else None
        if missing is not None:
            raise missing
    problems = [d for job in todo if isinstance(job.error, tex.CompileError)
                for d in compile_diagnostics(loaded.doc, job.name, job.tex, job.error, loaded.stem, loaded.theme)]
    problems += [d for job in todo for d in job.lost]
    if problems:
        raise ProfileError(loaded.warnings + problems)
    for job in todo:
        if isinstance(job.error, KeyError):
            raise ProfileError([Diagnostic(str(loaded.theme.path), 0, 0, f"theme error: {job.error.args[0]} "
                                           "(each section needs \\hypertarget{((( destination(section) )))}{})")])


def _store(todo: list[_Job]) -> None:
    """Every compiled locale's final PDF into the build cache, under its key."""
    from cvtex.build import cache as build_cache

    for job in todo:
        assert job.build is not None and job.final is not None
        if job.key is not None:
            build_cache.put(job.key, build_cache.Entry(job.final, job.bookmarks,
                                                       [[o.points, o.lines, o.box] for o in job.build.log.overfull],
                                                       list(job.build.inputs)))


def _write_pdfs(loaded: _Loaded, jobs: list[_Job], out_dir: Path, keep_tex: bool) -> list[Output]:
    """``<stem>-<name>.pdf`` of every job, from the cache or compiled, and its :class:`Output`."""
    outputs = []
    for job in jobs:
        target = out_dir / loaded.job_file(job, "pdf")
        tex_path = out_dir / loaded.job_file(job, "tex") if keep_tex else None
        with _writing(target):
            write_atomic(target, job.pdf)
        if job.hit is not None:
            outputs.append(cached_output(job.code, target, job.hit, tex_path, document=job.document))
            continue
        assert job.build is not None
        outputs.append(Output(job.code, target, tex_path, job.build.seconds, job.bookmarks, job.build.log.overfull,
                              job.build.log.missing_chars, primed=job.build.primed, fallback=job.build.fallback,
                              inputs=job.build.inputs, document=job.document))
    return outputs


def _write_bilingual(loaded: _Loaded, merged: Any, out_dir: Path) -> BilingualOutput:
    """``<stem>-bilingual.pdf`` from :func:`_merge_bilingual`'s answer."""
    from cvtex.build import bilingual as bi

    target = out_dir / loaded.file(bi.SUFFIX, "pdf")
    with _writing(target):
        write_atomic(target, merged.pdf)
    return BilingualOutput(target, merged.pages, merged.bookmarks)


def _previews(items: list[Output | BilingualOutput]) -> None:
    """``--png``: the first page of each written PDF, beside it."""
    from cvtex.build.preview import first_page_png

    for item in items:
        item.png = first_page_png(item.pdf, item.pdf.with_suffix(".png"))


def _save_record(loaded: _Loaded, jobs: list[_Job], result: Result, locales: list[str] | None,
                 theme: str | None, versions: tuple[str, str], blind: str | None = None) -> None:
    """The render record of this render (:func:`cvtex.build.cache.save_record`), so an
    unchanged ``cvtex render`` replays it (:func:`cvtex.build.record.replay`)."""
    from cvtex.build import cache as build_cache
    from cvtex.schema.photo import photo_path

    key = build_cache.record_key(loaded.path, build_cache.record_options(locales, theme, blind))
    if key is not None:
        version, digest = versions
        photo = loaded.profile.header.photo
        inputs = [str(photo_path(loaded.doc, photo.path).resolve())] if photo is not None else []
        build_cache.save_record(key, result, {job.name: job.key for job in jobs if job.key}, loaded.theme.path,
                                digest, version, inputs)


def render_batch(paths: list[Path] | list[str], *, jobs: int = 1,
                 progress: Callable[[Path | str, str], None] | None = None,
                 **options: Any) -> list[Result | Exception]:
    """:func:`render_profile` for each of ``paths``, ``jobs`` profiles at once; returns,
    in the order of ``paths``, each profile's :class:`Result` or the exception it raised
    (:class:`ProfileError`, :class:`~cvtex.tex.EngineMissing`, …: one profile's failure
    does not stop the others). ``options`` are passed on to :func:`render_profile`.

    With ``jobs`` > 1 the profiles share one limit of ``jobs`` engine runs at once (each
    profile still compiles its locales in parallel when a slot is free), so a batch never
    runs more engines than asked for; with ``jobs`` = 1 profiles render one after the
    other, each with its locales in parallel.
    """
    def one(path, slots=None) -> Result | Exception:
        try:
            return render_profile(path, engine_slots=slots, **options,
                                  progress=(lambda stage: progress(path, stage)) if progress else None)
        except Exception as exc:  # reported by the caller, in order
            return exc

    if jobs <= 1 or len(paths) <= 1:
        return [one(path) for path in paths]
    slots = threading.BoundedSemaphore(jobs)
    with ThreadPoolExecutor(max_workers=min(jobs, len(paths)), thread_name_prefix="cvtex-profile") as threads:
        return list(threads.map(lambda path: one(path, slots), paths))


@contextmanager
def _writing(target: Path):
    """Turn an OSError while writing ``target`` into a :class:`ProfileError`, not a crash."""
    try:
        yield target
    except OSError as exc:
        raise ProfileError([Diagnostic(str(target), 0, 0, f"cannot write the output: "
                                                          f"{exc.strerror or exc}")]) from None


def _merge_bilingual(doc: loader.Document, jobs: list[_Job]) -> Any:
    """The bilingual PDF of the finished ``jobs`` (:func:`cvtex.build.bilingual.merge`)."""
    from pypdf.errors import PyPdfError

    from cvtex.build import bilingual as bi

    by_code = {job.code: job for job in jobs if not job.document}
    parts = []
    for code in bi.LOCALES:
        job = by_code[code]
        parts.append(bi.Part(code, job.pdf, job.view.locale.name, job.metadata))
    try:
        return bi.merge(parts)
    except (ValueError, KeyError, PyPdfError) as exc:
        raise ProfileError([Diagnostic(doc.name, 0, 0, f"cannot make the bilingual PDF: {exc}")]) from None


def _requested_locales(doc: loader.Document, profile: schema.Profile, locales: list[str] | None) -> list[str]:
    if not locales:
        return list(profile.locales)
    unknown = [code for code in locales if code not in profile.locales]
    if unknown:
        raise ProfileError([doc.diagnostic(("locales",), f"--lang {unknown[0]}: the profile's locales are "
                                           f"{', '.join(profile.locales)}", field_name="locales")])
    return list(dict.fromkeys(locales))


def _is_letter(job: _Job) -> bool:
    return job.document.startswith("letter-")


def _letter_warnings(loaded: _Loaded, jobs: list[_Job]) -> list[Diagnostic]:
    """A warning, at the letter, for each cover letter longer than one page (a cover letter
    is one page by convention; it still is written)."""
    from cvtex.build.pdf import page_count

    out = []
    for job in jobs:
        if _is_letter(job) and job.view.kind == "cover-letter":
            pages = page_count(job.pdf)
            if pages > 1:
                loc = ("letters", job.view.index)
                out.append(loaded.doc.diagnostic(loc, f"the {job.code} cover letter '{job.view.id}' runs to {pages} "
                                                 "pages; a cover letter is one page: shorten its paragraphs",
                                                 field_name=f"letters[{job.view.index}]", severity="warning"))
    return out


def _bundle(loaded: _Loaded, jobs: list[_Job]) -> list[Any]:
    """``--bundle``: each letter job with the CV of its locale after it
    (:func:`cvtex.build.bundle.bundle`), one :class:`cvtex.build.bundle.Bundle` per letter and
    locale; a :class:`ProfileError` when pypdf cannot merge them. A letter in a blind mode the
    CV is not in (a letter's own ``blind``) gets no bundle, and a warning at the letter: the CV
    after it would print what the letter's employer may not receive."""
    from pypdf.errors import PyPdfError

    from cvtex.build import bundle as bu

    cvs = {job.code: job for job in jobs if not job.document}
    out = []
    for job in jobs:
        if _is_letter(job):
            cv = cvs[job.code]
            if job.blind != cv.blind:
                index = job.view.index
                loaded.warnings = loaded.warnings + [loaded.doc.diagnostic(
                    ("letters", index, "blind"), f"no application bundle for the {job.code} letter '{job.view.id}': "
                    f"it is blind ({job.blind}) and this render's CV is "
                    f"{f'blind ({cv.blind})' if cv.blind else 'not blind'}; render with --blind {job.blind} --bundle",
                    field_name=f"letters[{index}].blind", severity="warning")]
                continue
            try:
                out.append(bu.bundle(job.view.id, job.code, (job.pdf, job.metadata), (cv.pdf, cv.metadata)))
            except (ValueError, KeyError, PyPdfError) as exc:
                raise ProfileError([Diagnostic(loaded.doc.name, 0, 0,
                                               f"cannot make the application PDF of '{job.view.id}': {exc}")]) from None
    return out


def _write_bundles(loaded: _Loaded, bundles: list[Any], out_dir: Path) -> list[BundleOutput]:
    """``<stem>-application-<id>-<locale>.pdf`` of each of :func:`_bundle`'s answers."""
    outputs = []
    for made in bundles:
        target = out_dir / loaded.file(f"application-{made.letter_id}-{made.code}", "pdf")
        with _writing(target):
            write_atomic(target, made.pdf)
        outputs.append(BundleOutput(made.letter_id, made.code, target, made.pages, made.bookmarks))
    return outputs
