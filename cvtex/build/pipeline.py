"""The pipeline, stage after stage: profile file -> one PDF per locale.

:func:`render_profile` runs load -> validate -> (per locale, in parallel) localize ->
template -> compile, and only when every locale compiled, post-processes and writes
all PDFs. Any failure raises :class:`~cvtex.diagnostics.ProfileError` (or
:class:`~cvtex.tex.engine.EngineMissing`) and leaves every earlier output untouched: an
invalid profile (every problem at once, :func:`load_profile`), a theme error, a LaTeX
error, a glyph no font has, a timeout, text that would run off a page, an output that
cannot be written.

Before compiling, each locale's final PDF is looked up in the build cache
(:mod:`cvtex.build.cache`, keyed by the generated LaTeX, the theme's files, the metadata and
outline, cvtex's and the engine's versions): a hit is written as it is, without TeX.
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvtex import __version__
from cvtex.tex import engine
from cvtex.theme import fonts
from cvtex.schema import loader
from cvtex.localize import locale
from cvtex.schema import markup
from cvtex.schema import models as schema
from cvtex.theme import templates as template
from cvtex.diagnostics import Diagnostic, ProfileError, display_path, field_path
from cvtex.build.results import BilingualOutput, Output, Result
from cvtex.schema.text import describe_char


@dataclass
class _Job:
    code: str
    view: Any
    tex: template.TexSource
    build: engine.Build | None = None
    error: Exception | None = None
    key: str | None = None
    hit: Any = None  # a cvtex.build.cache.Entry
    final: bytes | None = None
    bookmarks: int = 0
    lost: list[Diagnostic] = field(default_factory=list)  # :func:`_lost_text` of the build
    primed: bool = False  # compiled by an engine that had read the preamble already


def load_profile(path: Path | str, *, theme: str | None = None,
                 check_glyphs: bool = True) -> tuple[loader.Document, schema.Profile, list[Diagnostic]]:
    """Load and validate a profile file, without TeX (what ``cvtex validate`` runs).

    ``theme`` (a built-in name or a directory) overrides the profile's ``design.theme``
    (a directory there is relative to the profile file). With ``check_glyphs``, every
    printed character is checked against that theme's fonts with the profile's
    ``design.fonts`` (:mod:`cvtex.theme.fonts`; skipped when fontconfig cannot describe them,
    and, when ``fc-list`` or XeLaTeX is missing, with a warning that says so),
    and every font in ``design.fonts`` must be installed. Raises :class:`ProfileError`
    with every error and warning found; returns the document, the profile and the
    warnings.
    """
    doc, profile, warnings, _ = _load(path, theme, check_glyphs)
    return doc, profile, warnings


def profile_theme(profile_path: Path | str, name: str) -> str:
    """The theme a profile's ``design.theme`` names: a built-in name as it is; a directory
    (a value with a ``/``, or a directory beside the profile) relative to the profile file."""
    if "/" in name or "\\" in name or (Path(profile_path).parent / name).is_dir():
        return str(Path(profile_path).parent / Path(name).expanduser())
    return name


def _load(path: Path | str, theme: str | None,
          check_glyphs: bool) -> tuple[loader.Document, schema.Profile, list[Diagnostic], template.Theme]:
    """:func:`load_profile`, also returning the theme it checked the glyphs against."""
    doc = loader.load(path)
    problems: list[Diagnostic] = []
    coverage = None
    raw_design = doc.data.get("design") if isinstance(doc.data, dict) else None
    raw_theme = raw_design.get("theme") if isinstance(raw_design, dict) else None
    name = theme or (profile_theme(path, raw_theme) if isinstance(raw_theme, str) else None) or "classic"
    try:
        theme_obj = template.load_theme(name)
    except ProfileError as exc:
        missing = len(exc.diagnostics) == 1 and exc.diagnostics[0].message.startswith("no theme ")
        if theme or not missing:  # given on the command line, or a broken theme: the theme's own errors
            raise
        if name != raw_theme:  # a directory, relative to the profile
            message = (f"no theme '{raw_theme}': no {display_path(Path(name) / 'theme.yaml')} (a theme directory is "
                       f"relative to the profile file); built-in themes: {', '.join(template.builtin_themes())}")
        else:
            message = exc.diagnostics[0].message + schema.did_you_mean(raw_theme, template.builtin_themes())
        problems = [doc.diagnostic(("design", "theme"), message, field_name="design.theme")]
    else:
        if check_glyphs:
            raw_locales = doc.data.get("locales")
            codes = [c for c in raw_locales if isinstance(c, str)] if isinstance(raw_locales, list) else []
            overrides = raw_design.get("fonts") if isinstance(raw_design, dict) else None
            coverage = fonts.theme_coverage(theme_obj, codes, overrides if isinstance(overrides, dict) else None)
    # a glyph check that cannot run is said, not skipped quietly (--strict makes it an error)
    unchecked = _unchecked_glyphs(path) if check_glyphs and coverage is None and not problems else []
    try:
        profile, warnings = schema.validate(doc, supported_locales=locale.supported_locales(), glyphs=coverage,
                                            font_problem=fonts.font_problem if check_glyphs else None)
    except ProfileError as exc:
        raise ProfileError(schema.by_position(exc.diagnostics + problems + unchecked)) from None
    warnings = unchecked + warnings
    if problems:
        raise ProfileError(schema.by_position(warnings + problems))
    return doc, profile, warnings, theme_obj


def _unchecked_glyphs(path: Path | str) -> list[Diagnostic]:
    """A warning when the glyph check cannot run here (:func:`cvtex.theme.fonts.coverage_problem`:
    no ``fc-list``, or no XeLaTeX to read the routes from); ``[]`` when it can, or when
    only the theme's fonts are missing (the engine names them)."""
    problem = fonts.coverage_problem()
    if not problem:
        return []
    return [Diagnostic(str(path), 0, 0, "characters not checked against the theme's fonts: "
                       + problem.replace("\n ", "").replace("\n", " "), severity="warning")]


def render_profile(path: Path | str, *, output_dir: Path | str = "out", locales: list[str] | None = None,
                   theme: str | None = None, keep_tex: bool = False, timeout: float = 60.0,
                   progress: Callable[[str], None] | None = None, cache: bool = True,
                   engine_slots: threading.Semaphore | None = None, bilingual: bool = False,
                   png: bool = False, engines: dict[str, engine.Run] | None = None) -> Result:
    """Render the profile at ``path`` to ``output_dir/<stem>-<locale>.pdf``.

    ``locales`` defaults to every locale the profile declares; ``theme`` (a built-in
    name or a theme directory) defaults to the profile's ``design.theme``; ``timeout``
    is per engine run, in seconds. With ``keep_tex`` the compiled source is also written
    as ``<stem>-<locale>.tex``.

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
    batch of profiles shares one, to bound the engines running at once). ``engines``:
    runs already started by :func:`cvtex.tex.engine.start` (``{locale: run}``, jobname
    ``<stem>-<locale>``), taken out of the mapping when used; the caller cancels those
    left (a locale the profile does not have, a cached one, an invalid profile). A run
    primed with a preamble (:meth:`cvtex.tex.engine.Run.prime`) the locale's source does not
    begin with is taken, cancelled and replaced (:attr:`Output.primed` says which were used).

    ``progress``, when given, is called with the name of each stage as it starts
    (``load``, ``template``, ``compile en, ko``, ``finish``, ``preview``); the seconds each
    took are in :attr:`Result.timings`.

    Raises :class:`ProfileError` (invalid profile or theme, LaTeX error, missing glyph,
    timeout) or :class:`~cvtex.tex.engine.EngineMissing`.
    """
    from cvtex.build import cache as build_cache
    from cvtex.links import check as links
    from cvtex.build import pdf  # not imported by `cvtex validate`

    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def stage(name: str | None, done: str | None) -> None:
        now = time.perf_counter()
        if done:
            timings[done] = now - clock[0]
        clock[0] = now
        if name and progress:
            progress(name)

    stage("load", None)
    doc, profile, warnings, theme_obj = _load(path, theme, check_glyphs=True)
    codes = _requested_locales(doc, profile, locales)
    if bilingual:
        _check_bilingual(doc, profile, codes)
    xelatex = engine.find_engine()
    missing = fonts.fc_list_problem()
    if missing:  # a missing dependency (exit 3), not a glyph check skipped
        raise engine.EngineMissing(missing)
    out_dir = Path(output_dir)
    stem = Path(path).stem

    stage("template", "load")
    views = {code: locale.localize(profile, code, theme_order=theme_obj.config.section_order) for code in codes}
    try:
        jobs = [_Job(code, view, template.render(view, theme_obj)) for code, view in views.items()]
    except ValueError as exc:  # a theme helper given a bad argument, e.g. link() with a non-URL
        raise ProfileError([Diagnostic(str(theme_obj.path), 0, 0, f"theme template error: {exc}")]) from None
    if keep_tex:
        for job in jobs:
            with _writing(out_dir / f"{stem}-{job.code}.tex") as target:
                pdf.write_atomic(target, lambda fh, t=job.tex.text: fh.write(t.encode()))
    finish = {job.code: (_metadata(job.view), _bookmarks(job.view)) for job in jobs}
    if cache:
        version, digest = build_cache.engine_version(xelatex), build_cache.theme_digest(theme_obj.path)
        for job in jobs:
            metadata, marks = finish[job.code]
            job.key = build_cache.build_key(tex=job.tex.text, theme_digest=digest, jobname=f"{stem}-{job.code}",
                                            metadata=metadata, bookmarks=marks,
                                            cvtex_version=build_cache.package_digest(),
                                            engine_version=version)
            job.hit = build_cache.get(job.key)
    todo = [job for job in jobs if job.hit is None]
    hits = [job.code for job in jobs if job.hit is not None]
    note = "" if not hits else " (cached)" if not todo else f" ({', '.join(hits)} cached)"
    stage("compile " + ", ".join(job.code for job in todo or jobs) + note, "template")
    with tempfile.TemporaryDirectory(prefix="cvtex-") as tmp:
        def run(job: _Job) -> None:
            try:
                with engine_slots or nullcontext():
                    jobname = f"{stem}-{job.code}"
                    started = engines.pop(job.code, None) if engines else None
                    if (started is None or started.jobname != jobname or started.proc.poll() is not None
                            or not job.tex.text.startswith(started.prefix)):
                        if started is not None:
                            started.cancel()
                        started = None
                    if started is None:  # started now; without the pipe (speed paths), compiled from a file
                        job.build = engine.compile(job.tex.text, Path(tmp) / job.code, jobname=jobname,
                                                   timeout=timeout, fmt=build_cache.format_copy())
                    else:
                        job.build = started.compile(job.tex.text, timeout=timeout)
                        job.primed = bool(started.prefix) and not job.build.fallback
            except engine.CompileError as exc:
                job.error = exc
                return
            job.lost = _lost_text(doc, job)
            if job.lost:
                return
            # post-processed at once, into the build directory: while the other locale's
            # engine is still running, this uses the core it leaves idle
            final = job.build.build_dir / f"{stem}-{job.code}.final.pdf"
            metadata, marks = finish[job.code]
            try:
                job.bookmarks = pdf.finish(job.build.pdf, final, metadata, marks)
            except KeyError as exc:
                job.error = exc
                return
            job.final = final.read_bytes()
            # the link check after the render reads these links from the pdf-links cache;
            # parsed here, the first locale's parse uses the core the other engine leaves
            # idle, where after the render both would come one after the other
            try:
                links.pdf_contents_of(job.final)
            except Exception:  # noqa: BLE001 - only a head start: the link check reads and reports it again
                pass

        if len(todo) == 1:
            run(todo[0])
        elif todo:
            with ThreadPoolExecutor(max_workers=len(todo)) as pool:
                list(pool.map(run, todo))
        problems = [d for job in todo if isinstance(job.error, engine.CompileError)
                    for d in _compile_diagnostics(doc, job, stem, theme_obj)]
        problems += [d for job in todo for d in job.lost]
        if problems:
            raise ProfileError(warnings + problems)
        for job in todo:
            if isinstance(job.error, KeyError):
                raise ProfileError([Diagnostic(str(theme_obj.path), 0, 0, f"theme error: {job.error.args[0]} "
                                               "(each section needs \\hypertarget{((( destination(section) )))}{})")])
        stage("finish", "compile")
        for job in todo:  # every compiled locale was post-processed before any output is written
            assert job.build is not None and job.final is not None
            if job.key is not None:
                build_cache.put(job.key, build_cache.Entry(job.final, job.bookmarks,
                                                           [[o.points, o.lines, o.box]
                                                            for o in job.build.log.overfull],
                                                           list(job.build.inputs)))
        merged = _merge_bilingual(doc, jobs, finish) if bilingual else None
    outputs = []
    for job in jobs:
        target = out_dir / f"{stem}-{job.code}.pdf"
        data = job.hit.pdf if job.hit is not None else job.final
        with _writing(target):
            pdf.write_atomic(target, lambda fh, data=data: fh.write(data))
        tex_path = out_dir / f"{stem}-{job.code}.tex" if keep_tex else None
        if job.hit is not None:
            outputs.append(Output(job.code, target, tex_path, 0.0, job.hit.bookmarks,
                                  [engine.Overfull(float(p), str(l), str(b)) for p, l, b in job.hit.overfull],
                                  [], cached=True))
        else:
            assert job.build is not None
            outputs.append(Output(job.code, target, tex_path, job.build.seconds, job.bookmarks,
                                  job.build.log.overfull, job.build.log.missing_chars, primed=job.primed,
                                  fallback=job.build.fallback, inputs=job.build.inputs))
    both = None
    if merged is not None:
        from cvtex.build import bilingual as bi

        target = out_dir / f"{stem}-{bi.SUFFIX}.pdf"
        with _writing(target):
            pdf.write_atomic(target, lambda fh: fh.write(merged.pdf))
        both = BilingualOutput(target, merged.pages, merged.bookmarks)
    if png:
        stage("preview", "finish")
        from cvtex.build.preview import first_page_png

        for item in [*outputs, *([both] if both else [])]:
            item.png = first_page_png(item.pdf, item.pdf.with_suffix(".png"))
        stage(None, "preview")
    else:
        stage(None, "finish")
    from cvtex.links.check import profile_links

    result = Result(Path(path), outputs, warnings, profile, theme_obj.path, timings, both,
                    links={job.code: [(link.url, link.field) for link in profile_links(job.view)] for job in jobs},
                    link_policy={"exclude": list(profile.links.exclude),
                                 "accept": {host: list(codes) for host, codes in profile.links.accept.items()}},
                    sources={job.code: job.tex.text for job in jobs})
    if cache and not (keep_tex or bilingual or png):
        key = build_cache.record_key(Path(path), build_cache.record_options(locales, theme))
        if key is not None:
            build_cache.save_record(key, result, {job.code: job.key for job in jobs if job.key}, theme_obj.path,
                                    digest, version)
    return result


def render_batch(paths: list[Path] | list[str], *, jobs: int = 1,
                 progress: Callable[[Path | str, str], None] | None = None,
                 **options: Any) -> list[Result | Exception]:
    """:func:`render_profile` for each of ``paths``, ``jobs`` profiles at once; returns,
    in the order of ``paths``, each profile's :class:`Result` or the exception it raised
    (:class:`ProfileError`, :class:`~cvtex.tex.engine.EngineMissing`, …: one profile's failure
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
    with ThreadPoolExecutor(max_workers=min(jobs, len(paths)), thread_name_prefix="cvtex-profile") as pool:
        return list(pool.map(lambda path: one(path, slots), paths))


@contextmanager
def _writing(target: Path):
    """Turn an OSError while writing ``target`` into a :class:`ProfileError`, not a crash."""
    try:
        yield target
    except OSError as exc:
        raise ProfileError([Diagnostic(str(target), 0, 0, f"cannot write the output: "
                                                          f"{exc.strerror or exc}")]) from None


def _check_bilingual(doc: loader.Document, profile: schema.Profile, codes: list[str]) -> None:
    """``--bilingual`` needs the profile to have, and the run to render, every locale of
    :data:`cvtex.build.bilingual.LOCALES`."""
    from cvtex.build.bilingual import LOCALES

    lacking = [code for code in LOCALES if code not in profile.locales]
    if lacking:
        raise ProfileError([doc.diagnostic(("locales",), f"--bilingual: a bilingual PDF is the {' and '.join(LOCALES)} "
                                           f"CVs in one file, but the profile has no {', '.join(lacking)} locale "
                                           f"(its locales: {', '.join(profile.locales)}); add it or leave out "
                                           "--bilingual", field_name="locales")])
    skipped = [code for code in LOCALES if code not in codes]
    if skipped:
        raise ProfileError([doc.diagnostic(("locales",), f"--bilingual needs the {' and '.join(LOCALES)} PDFs, but "
                                           f"--lang leaves out {', '.join(skipped)}", field_name="locales")])


def _merge_bilingual(doc: loader.Document, jobs: list[_Job], finish: dict[str, Any]) -> Any:
    """The bilingual PDF of the finished ``jobs`` (:func:`cvtex.build.bilingual.merge`)."""
    from pypdf.errors import PyPdfError

    from cvtex.build import bilingual as bi

    by_code = {job.code: job for job in jobs}
    parts = []
    for code in bi.LOCALES:
        job = by_code[code]
        data = job.hit.pdf if job.hit is not None else job.final
        assert data is not None
        parts.append(bi.Part(code, data, job.view.locale.name, finish[code][0]))
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


def _compile_diagnostics(doc: loader.Document, job: _Job, stem: str,
                         theme: template.Theme | None = None) -> list[Diagnostic]:
    """What a failed compile means for the user: a missing glyph names the character and
    points at the profile fields that have it; a timeout says so; any other LaTeX error
    gives the log's message, the ``.tex`` line and what it says, and the profile fields
    on that line, or else the theme template line it comes from (:func:`_theme_line`) —
    never the raw transcript."""
    exc = job.error
    assert isinstance(exc, engine.CompileError)
    where = f"{job.code} PDF"
    if exc.log.missing_chars:
        out = []
        for missing in exc.log.missing_chars:
            message = (f"no glyph for {describe_char(missing.char)} in {missing.font.split('/')[0]}, the font the "
                       f"{where} sets it in; remove it or use a theme whose fonts have it")
            locs = job.tex.fields_containing(missing.char) or [()]
            out.extend(doc.diagnostic(loc, message, field_name=field_path(loc), char=missing.char) for loc in locs)
        return out
    if exc.timed_out:
        return [Diagnostic(doc.name, 0, 0, f"{where}: {exc}")]
    first = exc.log.errors[0] if exc.log.errors else engine.TexError(str(exc))
    locs = job.tex.fields_on_line(first.line) if first.line else []
    line_note = f" at line {first.line} of {stem}-{job.code}.tex (see it with --keep-tex)" if first.line else ""
    context = first.context[-60:].strip()
    near = f" (after '{'…' if len(first.context) > 60 else ''}{context}')" if context else ""
    message = f"LaTeX error in the {where}{line_note}: {first.message}{near}"
    if locs:
        return [doc.diagnostic(loc, message, field_name=field_path(loc)) for loc in locs[:3]]
    lines = job.tex.text.splitlines()
    origin = _theme_line(theme, lines[first.line - 1]) if theme and 0 < first.line <= len(lines) else None
    if origin is not None:
        file, number, text = origin
        return [Diagnostic(display_path(file), number, len(text) - len(text.lstrip()) + 1,
                           f"{message}; that line comes from the theme, not from a profile field: this line of "
                           f"the theme '{theme.config.name}' (profile {doc.name})", source_line=text)]
    if first.line:
        message += "; that line comes from the theme, not from a profile field"
    return [Diagnostic(doc.name, 0, 0, message)]


#: Jinja2 tags in cvtex's theme syntax: ``((( value )))``, ``((* statement *))``, ``((# comment #))``.
_JINJA_TAG = re.compile(r"\(\(\(.*?\)\)\)|\(\(\*.*?\*\)\)|\(\(#.*?#\)\)")


def _theme_line(theme: template.Theme, tex_line: str) -> tuple[Path, int, str] | None:
    """The theme template line that produced ``tex_line`` of the generated LaTeX: the
    line whose literal text (what is left between its Jinja2 tags) appears in it, in
    order — the longest such match over every template of the theme (``cv.tex.j2`` first).
    ``(file, line number, line)``, or None when no template line has 3 or more
    literal characters in the line."""
    target = tex_line.strip()
    if not target:
        return None
    best: tuple[int, Path, int, str] | None = None
    files = sorted((p for p in theme.files() if p.suffix == ".j2"), key=lambda p: (p.name != "cv.tex.j2", str(p)))
    for file in files:
        try:
            lines = file.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, start=1):
            pieces = [piece.strip() for piece in _JINJA_TAG.split(line) if piece.strip()]
            size = sum(len(piece) for piece in pieces)
            if size < 3 or (best is not None and size <= best[0]):
                continue
            at = 0
            for piece in pieces:
                at = target.find(piece, at)
                if at < 0:
                    break
                at += len(piece)
            else:
                best = (size, file, number, line)
    return (best[1], best[2], best[3]) if best else None


#: A page whose content is taller than this much past the text area loses a line or
#: more off its bottom edge (pt; a line of the themes is about 12 pt).
PAGE_OVERFLOW_PT = 12.0


def _lost_text(doc: loader.Document, job: _Job) -> list[Diagnostic]:
    """An error when a page's content runs past its bottom edge: that text would be
    missing from the PDF (an unbreakable block taller than a page, e.g. a title
    hundreds of words long in a theme's two-column row)."""
    assert job.build is not None
    worst = max((o.points for o in job.build.log.overfull if o.box == "page"), default=0.0)
    if worst <= PAGE_OVERFLOW_PT:
        return []
    return [Diagnostic(doc.name, 0, 0, f"the {job.code} PDF would lose text: a block runs {worst:.0f} pt past the "
                                       "bottom of a page because it cannot break across pages (a very long title "
                                       "or name? shorten it, or move the text to a summary or highlights)")]


def _metadata(view):
    """Document information from the localized view (plain text, markup removed):
    a :class:`cvtex.build.pdf.Metadata`."""
    from cvtex.build import pdf

    loc: locale.Locale = view.locale
    name = markup.plain(view.header.name)
    keywords = [markup.plain(k) for k in view.header.keywords] or [
        markup.plain(item) for section in view.sections if section.kind == "skills"
        for entry in section.entries for item in entry.items]
    title = loc.document_title.format(name=name)
    return pdf.Metadata(title=title, author=name,
                        subject=markup.plain(view.header.headline) if view.header.headline else title,
                        keywords=list(dict.fromkeys(keywords))[:30], creator=f"cvtex {__version__}",
                        lang=loc.language_tag)


def _bookmarks(view):
    """One bookmark per printed section, at the theme's ``section.<id>`` destination
    (:class:`cvtex.build.pdf.Bookmark`)."""
    from cvtex.build import pdf

    marks = ([pdf.Bookmark(view.locale.sections["summary"], template.section_destination("summary"))]
             if view.summary else [])
    marks += [pdf.Bookmark(markup.plain(s.title), template.section_destination(s.id)) for s in view.sections]
    return marks
