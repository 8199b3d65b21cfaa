"""The pipeline, stage after stage: profile file -> one PDF per locale.

:func:`render_profile` runs load -> validate -> (per locale, in parallel) localize ->
template -> compile, and only when every locale compiled, post-processes and writes
all PDFs. Any failure raises :class:`~cvtex.diagnostics.ProfileError` (or
:class:`~cvtex.engine.EngineMissing`) and leaves every earlier output untouched.
"""

from __future__ import annotations

import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, engine, loader, locale, markup, pdf, profile as schema, template
from .diagnostics import Diagnostic, ProfileError, field_path


@dataclass
class Output:
    """One written PDF: its locale, path, the ``.tex`` (with ``keep_tex``), the engine's
    seconds, the bookmarks written, and the overfull boxes and missing characters the
    engine's log reported."""

    locale: str
    pdf: Path
    tex: Path | None
    seconds: float
    bookmarks: int
    overfull: list[engine.Overfull] = field(default_factory=list)
    missing_chars: list[engine.MissingChar] = field(default_factory=list)


@dataclass
class Result:
    """What :func:`render_profile` did: outputs per locale and validation warnings."""

    profile: Path
    outputs: list[Output]
    warnings: list[Diagnostic]


@dataclass
class _Job:
    code: str
    view: Any
    tex: template.TexSource
    build: engine.Build | None = None
    error: Exception | None = None


def load_profile(path: Path | str) -> tuple[loader.Document, schema.Profile, list[Diagnostic]]:
    """Load and validate a profile file; raises :class:`ProfileError`."""
    doc = loader.load(path)
    profile, warnings = schema.validate(doc, supported_locales=locale.supported_locales())
    return doc, profile, warnings


def render_profile(path: Path | str, *, output_dir: Path | str = "out", locales: list[str] | None = None,
                   theme: str | None = None, keep_tex: bool = False, timeout: float = 60.0) -> Result:
    """Render the profile at ``path`` to ``output_dir/<stem>-<locale>.pdf``.

    ``locales`` defaults to every locale the profile declares; ``theme`` (a built-in
    name or a theme directory) defaults to the profile's ``design.theme``; ``timeout``
    is per engine run, in seconds. With ``keep_tex`` the compiled source is also written
    as ``<stem>-<locale>.tex``.

    Raises :class:`ProfileError` (invalid profile or theme, LaTeX error, missing glyph,
    timeout) or :class:`~cvtex.engine.EngineMissing`.
    """
    doc, profile, warnings = load_profile(path)
    codes = _requested_locales(doc, profile, locales)
    theme_obj = template.load_theme(theme or profile.design.theme)
    engine.find_engine()
    out_dir = Path(output_dir)
    stem = Path(path).stem

    views = {code: locale.localize(profile, code) for code in codes}
    jobs = [_Job(code, view, template.render(view, theme_obj)) for code, view in views.items()]
    if keep_tex:
        for job in jobs:
            pdf.write_atomic(out_dir / f"{stem}-{job.code}.tex", lambda fh, t=job.tex.text: fh.write(t.encode()))
    with tempfile.TemporaryDirectory(prefix="cvtex-") as tmp, ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        def run(job: _Job) -> None:
            try:
                job.build = engine.compile(job.tex.text, Path(tmp) / job.code, jobname=f"{stem}-{job.code}",
                                           timeout=timeout)
            except engine.CompileError as exc:
                job.error = exc

        list(pool.map(run, jobs))
        problems = [d for job in jobs if job.error for d in _compile_diagnostics(doc, job, stem)]
        if problems:
            raise ProfileError(warnings + problems)
        outputs = []
        for job in jobs:
            assert job.build is not None
            target = out_dir / f"{stem}-{job.code}.pdf"
            try:
                count = pdf.finish(job.build.pdf, target, _metadata(job.view), _bookmarks(job.view))
            except KeyError as exc:
                raise ProfileError([Diagnostic(str(theme_obj.path), 0, 0, f"theme error: {exc.args[0]} "
                                               "(each section needs \\hypertarget{((( destination(section) )))}{})")])
            outputs.append(Output(job.code, target, out_dir / f"{stem}-{job.code}.tex" if keep_tex else None,
                                  job.build.seconds, count, job.build.log.overfull,
                                  job.build.log.missing_chars))
    return Result(Path(path), outputs, warnings)


def _requested_locales(doc: loader.Document, profile: schema.Profile, locales: list[str] | None) -> list[str]:
    if not locales:
        return list(profile.locales)
    unknown = [code for code in locales if code not in profile.locales]
    if unknown:
        raise ProfileError([doc.diagnostic(("locales",), f"--lang {unknown[0]}: the profile's locales are "
                                           f"{', '.join(profile.locales)}", field_name="locales")])
    return list(dict.fromkeys(locales))


def _compile_diagnostics(doc: loader.Document, job: _Job, stem: str) -> list[Diagnostic]:
    exc = job.error
    assert isinstance(exc, engine.CompileError)
    where = f"{job.code} PDF"
    if exc.log.missing_chars:
        out = []
        for missing in exc.log.missing_chars:
            name = unicodedata.name(missing.char, "unnamed character")
            message = (f"no font of the theme has the character '{missing.char}' (U+{ord(missing.char):04X} {name}) "
                       f"needed in the {where}; remove it or choose fonts that have it")
            locs = job.tex.fields_containing(missing.char) or [()]
            out.extend(doc.diagnostic(loc, message, field_name=field_path(loc)) for loc in locs)
        return out
    if exc.timed_out:
        return [Diagnostic(doc.name, 0, 0, f"{where}: {exc}")]
    first = exc.log.errors[0] if exc.log.errors else engine.TexError(str(exc))
    locs = job.tex.fields_on_line(first.line) if first.line else []
    line_note = f" at line {first.line} of {stem}-{job.code}.tex (see it with --keep-tex)" if first.line else ""
    message = f"LaTeX error in the {where}{line_note}: {first.message}"
    if locs:
        return [doc.diagnostic(loc, message, field_name=field_path(loc)) for loc in locs[:3]]
    return [Diagnostic(doc.name, 0, 0, message)]


def _metadata(view) -> pdf.Metadata:
    """Document information from the localized view (plain text, markup removed)."""
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


def _bookmarks(view) -> list[pdf.Bookmark]:
    """One bookmark per printed section, at the theme's ``section.<id>`` destination."""
    marks = ([pdf.Bookmark(view.locale.sections["summary"], template.section_destination("summary"))]
             if view.summary else [])
    marks += [pdf.Bookmark(markup.plain(s.title), template.section_destination(s.id)) for s in view.sections]
    return marks
