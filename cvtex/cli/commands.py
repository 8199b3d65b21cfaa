"""The ``cvtex`` command line (typer).

Exit codes (all commands): 0 success; 1 invalid input — a profile or theme problem,
reported as ``file:line:col: error: message``; 2 wrong usage of the command;
3 the toolchain is missing (``cvtex doctor`` says what to install); 4 a link in a PDF is
broken or structurally wrong (``render``, ``check-links``; with ``--strict`` also an
unverified link) — the PDFs are written.
No user error prints a Python traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode="rich",
                  help="Render CV PDFs in Korean and English from one YAML profile.")
class _Console:
    """A :class:`rich.console.Console` made on first use: importing rich costs ~35 ms,
    which ``cvtex validate`` (the pre-commit hook) does not pay when all is well."""

    def __init__(self, **options) -> None:
        self._options = options
        self._console = None

    def __getattr__(self, name: str):
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


err = _Console(stderr=True, highlight=False, soft_wrap=True)
out = _Console(highlight=False, soft_wrap=True)

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_TOOLCHAIN = 3
EXIT_LINKS = 4


@contextmanager
def _user_errors(debug: bool):
    """Print a ProfileError as diagnostics (exit 1) or EngineMissing as its message (exit 3)."""
    from cvtex.diagnostics import ProfileError
    from cvtex.tex.engine import EngineMissing

    try:
        yield
    except ProfileError as exc:
        if debug:
            raise
        _print_diagnostics(exc.diagnostics)
        raise typer.Exit(EXIT_INVALID) from None
    except EngineMissing as exc:
        if debug:
            raise
        err.print(f"error: {exc}", markup=False, style="red")
        raise typer.Exit(EXIT_TOOLCHAIN) from None


def _print_diagnostics(diagnostics) -> None:
    for d in diagnostics:
        err.print(d.format(), markup=False, style="red" if d.severity == "error" else "yellow")
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    if errors or warnings:
        err.print(f"{errors} error(s), {warnings} warning(s)", markup=False)


@app.command()
def render(
    profiles: list[Path] = typer.Argument(..., help="Profile YAML files.", exists=False),
    output_dir: Path = typer.Option(Path("out"), "--output-dir", "-o", help="Where the PDFs go."),
    lang: Optional[list[str]] = typer.Option(None, "--lang", "-l", help="Locale to render (repeatable); "
                                             "default: every locale of the profile."),
    theme: Optional[str] = typer.Option(None, "--theme", "-t", help="Built-in theme name or theme directory; "
                                        "default: the profile's design.theme."),
    keep_tex: bool = typer.Option(False, "--keep-tex", help="Also write <stem>-<lang>.tex, the compiled source."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds an engine run may take before it is killed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only."),
    offline: bool = typer.Option(False, "--offline", help="Check the PDFs' links without the network "
                                 "(structure and syntax only)."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 4) on link warnings too, such as "
                                "unverified links."),
    report: Optional[Path] = typer.Option(None, "--report", help="Also write the link check as JSON to this file."),
    cache_age: str = typer.Option("1d", "--cache-age", help="Reuse link results younger than this "
                                  "(0, 90s, 30m, 12h, 7d); 0 requests every link again."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Keep running: render again each time a profile or "
                               "its theme changes (an invalid save shows its errors and keeps watching; "
                               "Ctrl-C stops)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Render this many profiles at once (at most this many "
                             "engine runs at once); output stays in the order given."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Compile every PDF, ignoring the build cache "
                                  "(PDFs of unchanged input are otherwise reused without running TeX)."),
    bilingual: bool = typer.Option(False, "--bilingual", help="Also write <stem>-bilingual.pdf: the Korean CV, "
                                   "then the English one, with a bookmark per language and page labels ko-1…, "
                                   "en-1… (the profile needs both locales)."),
    png: bool = typer.Option(False, "--png", help="Also write <stem>-<lang>.png (and <stem>-bilingual.png): "
                             "the first page at 100 dpi."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Render each PROFILE to OUTPUT_DIR/<stem>-<lang>.pdf, one PDF per locale, then
    check every link in the PDFs (over HTTP unless --offline). Prints the seconds each
    stage took (load + validate, template, compile per locale, finish, links); --quiet
    prints errors only (for CI).

    Example: [bold]cvtex render cv.yaml --output-dir out --lang ko --lang en[/]

    Example: [bold]cvtex render cv.yaml --bilingual --png[/]  (also cv-bilingual.pdf and PNG previews)

    Example: [bold]cvtex render cv.yaml --offline --watch[/]  (re-render on every save)
    """
    max_age = _cache_age(cache_age)
    if bilingual and lang:
        from cvtex.build.bilingual import LOCALES

        left_out = [code for code in LOCALES if code not in lang]
        if left_out:
            raise typer.BadParameter(f"--bilingual needs the {' and '.join(LOCALES)} PDFs; --lang leaves out "
                                     f"{', '.join(left_out)}", param_hint="--lang")

    primed: dict = {}  # --watch: engines that have read the last render's preambles (_prime)

    def once() -> tuple[int, set[Path]]:
        return _render_all(profiles, output_dir=output_dir, lang=lang, theme=theme, keep_tex=keep_tex,
                           timeout=timeout, quiet=quiet, offline=offline, strict=strict, report=report,
                           max_age=max_age, debug=debug, jobs=jobs, cache=not no_cache, bilingual=bilingual,
                           png=png, primed=primed if watch else None)

    if watch:
        import signal

        # SIGTERM (a terminal closed, `kill`) ends the watch as Ctrl-C does: the engines
        # waiting for the next save are stopped and their directories removed
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
        try:
            _watch(profiles, once, quiet=quiet)
        finally:
            _stop(primed.values())
        return
    code, _ = once()
    if code:
        raise typer.Exit(code)


@contextmanager
def _status(quiet: bool, text: str):
    """A spinner on stderr with ``text`` (update it through the yielded callable); only
    when stderr is a terminal and not ``quiet``."""
    if quiet or not err.is_terminal:
        yield lambda _text: None
        return
    with err.status(text) as status:
        yield lambda new: status.update(new)


def _render_all(profiles: list[Path], *, output_dir: Path, lang: Optional[list[str]], theme: Optional[str],
                keep_tex: bool, timeout: float, quiet: bool, offline: bool, strict: bool,
                report: Optional[Path], max_age: float, debug: bool, jobs: int = 1,
                cache: bool = True, bilingual: bool = False, png: bool = False,
                primed: Optional[dict] = None) -> tuple[int, set[Path]]:
    """Render every profile (``jobs`` at once) and check the links: the exit code, and the
    theme directories used. With ``primed`` (a dict, ``--watch``): engines primed for
    this render are taken from it, and for one profile rendered anew it is filled with
    the engines of the next one (:func:`_prime`)."""
    codes: list[int] = []
    rendered = []
    replayed: dict[int, object] = {}
    if cache and not (keep_tex or bilingual or png):  # unchanged inputs: replay the record, import nothing heavy
        from cvtex.build.cache import record_options, replay

        for i, path in enumerate(profiles):
            try:
                hit = replay(Path(path), record_options(lang or None, theme), output_dir)
            except OSError:
                hit = None  # the render below reports what cannot be written
            if hit is not None:
                replayed[i] = hit
    todo = [path for i, path in enumerate(profiles) if i not in replayed]
    outcomes = [replayed.get(i) for i in range(len(profiles))]
    if todo:
        with _engines_started(todo, lang, primed) as engines:
            from cvtex.build.pipeline import render_batch

            with _status(quiet, f"{todo[0]}: load") as show:
                fresh = iter(render_batch(todo, jobs=jobs, output_dir=output_dir, locales=lang or None, theme=theme,
                                          keep_tex=keep_tex, timeout=timeout, cache=cache, bilingual=bilingual,
                                          png=png, progress=lambda path, stage: show(f"{path}: {stage}"),
                                          engines=engines))
        outcomes = [outcome if outcome is not None else next(fresh) for outcome in outcomes]
    for path, outcome in zip(profiles, outcomes):
        try:
            with _user_errors(debug):
                if isinstance(outcome, BaseException):
                    raise outcome
                result = outcome
        except typer.Exit as exc:
            codes.append(exc.exit_code)
            continue
        if result.warnings and not quiet:
            _print_diagnostics(result.warnings)
        if not quiet:
            for o in result.outputs:
                wide = [b for b in o.overfull if b.points > 1]
                note = f", {len(wide)} overfull line(s)" if wide else ""
                how = "cached" if o.cached else f"XeLaTeX {o.seconds:.1f} s" + (" after the preamble, read ahead"
                                                                                if o.primed else "")
                out.print(f"wrote {o.pdf} ({o.locale}, {o.bookmarks} bookmarks, {how}{note})", markup=False)
                if o.fallback:
                    out.print(f"note: {o.fallback}; they stay off for this run (cvtex doctor lists the speed paths)",
                              markup=False)
            if result.bilingual is not None:
                both = result.bilingual
                pages = " + ".join(f"{code} {n}" for code, n in both.pages.items())
                out.print(f"wrote {both.pdf} ({pages} pages, {both.bookmarks} bookmarks)", markup=False)
            for item in [*result.outputs, *([result.bilingual] if result.bilingual else [])]:
                if item.png is not None:
                    out.print(f"wrote {item.png}", markup=False)
            out.print(f"{path}: {_timings(result)}", markup=False)
        rendered.append(result)
    if primed is not None and len(profiles) == 1 and rendered and rendered[0].sources:
        _prime(rendered[0], primed)
    links_failed = False
    if rendered:
        from cvtex.links import check as links

        targets = []
        policy = links.Policy()
        with _user_errors(debug):
            for result in rendered:
                policy = policy.merged(links.Policy.from_settings(result.link_policy)).merged(
                    links.load_policy(None, [result.profile.parent, Path.cwd()]))
                expected = {code: [links.ProfileLink(url, where) for url, where in pairs]
                            for code, pairs in result.links.items()}
                targets += [links.Target(o.pdf, expected[o.locale]) for o in result.outputs]
                if result.bilingual is not None:  # every URL of every part
                    targets.append(links.Target(result.bilingual.pdf, [
                        link for code in result.bilingual.pages for link in expected[code]]))
        with _status(quiet, "checking links"):
            links_failed = _check_links(targets, policy, offline=offline, strict=strict, report=report,
                                        max_age=max_age, quiet=quiet, debug=debug)
    themes = {r.theme for r in rendered if r.theme is not None}
    if codes:  # a missing toolchain (3) says more than an invalid profile (1)
        return (EXIT_TOOLCHAIN if EXIT_TOOLCHAIN in codes else codes[0]), themes
    return (EXIT_LINKS if links_failed else 0), themes


#: The locales a profile is taken to have before it is read (cvtex's own pair).
_USUAL_LOCALES = ("en", "ko")
#: The prefix of the temporary directory each engine started ahead of a render gets.
_ENGINES_DIR = "cvtex-engines-"


@contextmanager
def _engines_started(todo: list[Path], lang: Optional[list[str]], primed: Optional[dict] = None):
    """For one profile to render: XeLaTeX already started for each locale of ``--lang``
    (else en and ko), yielded as ``{locale: engine.Run}`` before cvtex imports and runs
    its schema and templates, so each engine loads its format meanwhile, on every CPU but
    the one Python needs (:func:`cvtex.tex.engine.start` with ``spare_a_cpu``; measured on
    infra-backend.yaml: each engine needs ~0.2 s less once its source is written). On the
    way out every run started or taken here is stopped and its directory removed, used by
    the render or not (another locale, a cached PDF, an invalid profile). A batch of
    profiles, or a machine where the engine cannot start, gets ``{}``: the render starts
    its engines itself and reports what is missing. ``primed`` (``--watch``): runs
    already started and primed with the last render's preambles (:func:`_prime`),
    ``{locale: engine.Run}``; they are taken out of it and used first, and one the render
    did not use goes back into it."""
    taken = {code: primed.pop(code) for code in list(primed or {})}
    if len(todo) != 1:
        _stop(taken.values())
        yield {}
        return
    from cvtex.tex import engine
    from cvtex.build.cache import format_copy

    stem = Path(todo[0]).stem
    engines: dict[str, engine.Run] = dict(taken)
    ours = list(taken.values())
    try:
        try:
            fmt = format_copy()
            for code in dict.fromkeys(lang or _USUAL_LOCALES):
                if code not in engines:
                    engines[code] = _start_engine(stem, code, fmt, spare_a_cpu=True)
                    ours.append(engines[code])
        except (engine.EngineMissing, OSError):
            pass
        yield engines
    finally:
        for code, run in taken.items():  # primed, not used (an invalid save): kept for the next
            if primed is not None and engines.get(code) is run and run.proc.poll() is None:
                primed[code] = run
                ours.remove(run)
        _stop(ours)


def _start_engine(stem: str, code: str, fmt: Optional[Path], **options):
    """XeLaTeX started (:func:`cvtex.tex.engine.start`) for locale ``code`` of the profile
    ``stem`` (jobname ``<stem>-<code>``) in a temporary directory of its own
    (:data:`_ENGINES_DIR`), which :func:`_stop` removes. Raises as ``engine.start`` does,
    and leaves no directory then."""
    import shutil
    import tempfile

    from cvtex.tex import engine

    root = Path(tempfile.mkdtemp(prefix=_ENGINES_DIR))
    try:
        return engine.start(root / code, jobname=f"{stem}-{code}", fmt=fmt, **options)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _stop(runs) -> None:
    """Cancel each engine run (a finished one only loses its pipe) and remove its build
    directory when it is one of its own (:func:`_start_engine`)."""
    import shutil

    for run in list(runs):
        run.cancel()
        if run.build_dir.parent.name.startswith(_ENGINES_DIR):
            shutil.rmtree(run.build_dir.parent, ignore_errors=True)


def _prime(result, primed: dict) -> None:
    """Start the engines of the next render of ``result``'s profile now and write them
    the preamble of this render's source (:meth:`cvtex.tex.engine.Run.prime`), into
    ``primed`` (``{locale: engine.Run}``): ``--watch`` keeps them while the user edits,
    and a save that leaves the preamble as it was compiles only the document's body
    (measured in the README's Performance section)."""
    from cvtex.tex import engine
    from cvtex.tex import speed
    from cvtex.build.cache import format_copy

    stem = Path(result.profile).stem
    if not speed.allowed(speed.PRIMING):  # off (CVTEX_PLAIN, or a primed run failed): plain renders
        _stop([primed.pop(code) for code in list(primed)])
        return
    fmt = format_copy()
    for code in [code for code in primed if code not in result.sources]:
        _stop([primed.pop(code)])
    for code, source in result.sources.items():
        prefix = engine.preamble(source)
        kept = primed.pop(code, None)
        if kept is not None and kept.prefix == prefix and kept.proc.poll() is None:
            primed[code] = kept  # not used (a cached PDF): it has read this preamble already
            continue
        if kept is not None:
            _stop([kept])
        if not prefix:
            continue
        try:
            run = _start_engine(stem, code, fmt)
        except (engine.EngineMissing, OSError):
            continue
        try:
            run.prime(prefix)
        except (engine.CompileError, OSError):
            _stop([run])
            continue
        primed[code] = run


def _timings(result) -> str:
    """``load 0.1 s · template 0.0 s · compile 1.6 s (en 1.5 s, ko 1.6 s) · finish 0.1 s``."""
    t = result.timings
    per_locale = ", ".join(f"{o.locale} {'cached' if o.cached else f'{o.seconds:.1f} s'}" for o in result.outputs)
    parts = [f"load {t.get('load', 0):.1f} s", f"template {t.get('template', 0):.1f} s",
             f"compile {t.get('compile', 0):.1f} s ({per_locale})", f"finish {t.get('finish', 0):.1f} s"]
    if "preview" in t:
        parts.append(f"preview {t['preview']:.1f} s")
    return " · ".join(parts)


def _watch(profiles: list[Path], once, *, quiet: bool) -> None:
    """Render, then render again after every change to a profile file or a file of the
    themes used, until Ctrl-C. Watches the directories (editors save by renaming a new
    file over the old one) and keeps only the events for those files."""
    import time

    from watchfiles import watch as changes_of

    files = {p.resolve() for p in profiles}
    code, themes = once()
    while True:
        covered = set(themes)
        dirs = sorted({str(p.parent) for p in files} | {str(t) for t in covered if t.is_dir()})

        def wanted(_change, name: str) -> bool:
            path = Path(name)
            return path in files or any(path.is_relative_to(t) for t in covered)

        err.print(f"watching {len(files)} profile(s) and {len(covered)} theme(s) "
                  f"({'last render failed, exit ' + str(code) if code else 'ok'}); Ctrl-C stops", markup=False)
        restart = False
        for batch in changes_of(*dirs, watch_filter=wanted, raise_interrupt=False):
            names = sorted({Path(name).name for _, name in batch})
            err.print(f"[{time.strftime('%H:%M:%S')}] changed: {', '.join(names)}", markup=False)
            code, new_themes = once()
            if code and not quiet:
                err.print(f"[{time.strftime('%H:%M:%S')}] render failed (exit {code}); fix and save to retry",
                          markup=False, style="red")
            if new_themes - covered:  # the profile now uses another theme: watch it too
                themes = new_themes | covered
                restart = True
                break
            if not quiet and not code:
                err.print(f"[{time.strftime('%H:%M:%S')}] done; watching", markup=False)
        if not restart:
            return  # Ctrl-C


@app.command("check-links")
def check_links(
    pdfs: list[Path] = typer.Argument(..., help="PDF files to check."),
    profile: Optional[Path] = typer.Option(None, "--profile", "-p", help="The profile the PDFs were rendered "
                                           "from: its URLs must be exactly the PDFs' links."),
    offline: bool = typer.Option(False, "--offline", help="Check structure and syntax only; no network."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 4) on warnings too, such as unverified links."),
    report: Optional[Path] = typer.Option(None, "--report", help="Also write the results as JSON to this file."),
    cache_age: str = typer.Option("1d", "--cache-age", help="Reuse link results younger than this "
                                  "(0, 90s, 30m, 12h, 7d); 0 requests every link again."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print problems only."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Check every link annotation in each PDF: compared with the PROFILE's URLs, internal
    links resolved, mailto:/tel: syntax, and each http(s) URL requested once. A bilingual
    PDF (render --bilingual) is compared with the URLs of all its languages.

    Exit 4 when a link is broken or wrong (with --strict also when one is unverified).
    Exclusions and accepted status codes come from the profile's [bold]links:[/] settings
    and a .cvtexignore file (next to the profile and in the current directory).

    Example: [bold]cvtex check-links out/cv-en.pdf out/cv-ko.pdf --profile cv.yaml --report links.json[/]
    """
    from cvtex.links import check as links

    max_age = _cache_age(cache_age)
    missing = [p for p in pdfs if not p.is_file()]
    if missing:
        err.print(f"error: {missing[0]}: no such file", markup=False, style="red")
        raise typer.Exit(EXIT_INVALID)
    expected: list = [None] * len(pdfs)
    with _user_errors(debug):
        if profile is not None:
            from cvtex.localize.locale import get_locale

            from cvtex.build.bilingual import part_locales

            prof = links.read_profile(profile)
            tags = {code: get_locale(code).language_tag for code in prof.locales}
            for i, pdf in enumerate(pdfs):
                parts = _parts_of(pdf, part_locales)
                if parts and all(code in tags for code in parts):  # a bilingual PDF: every part's URLs
                    expected[i] = [link for code in parts for link in links.expected_links(prof, code)]
                    continue
                code = links.locale_of_pdf(pdf, tags)
                if code is None:
                    err.print(f"error: {pdf}: cannot tell which of the profile's locales ({', '.join(tags)}) "
                              "this PDF is in; name it <stem>-<locale>.pdf", markup=False, style="red")
                    raise typer.Exit(EXIT_USAGE)
                expected[i] = links.expected_links(prof, code)
            policy = links.load_policy(prof, [profile.parent, Path.cwd()])
        else:
            policy = links.load_policy(None, [Path.cwd()])
    targets = [links.Target(pdf, exp) for pdf, exp in zip(pdfs, expected)]
    if _check_links(targets, policy, offline=offline, strict=strict, report=report, max_age=max_age,
                    quiet=quiet, debug=debug):
        raise typer.Exit(EXIT_LINKS)


def _parts_of(pdf: Path, part_locales) -> list[str]:
    """The locales of a bilingual PDF's parts ([] for any other PDF, or one that cannot be
    read: the link check reports that)."""
    from pypdf import PdfReader

    try:
        return part_locales(PdfReader(pdf))
    except Exception:  # noqa: BLE001
        return []


def _cache_age(text: str) -> float:
    from cvtex.build.cache import parse_age

    try:
        return parse_age(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--cache-age") from None


def _check_links(targets, policy, *, offline: bool, strict: bool, report: Optional[Path], max_age: float,
                 quiet: bool, debug: bool) -> bool:
    """Run the link check, print the table and summary, write ``report``; True when it failed."""
    from cvtex.links import check as links

    cache = None if offline else links.LinkCache(max_age=max_age)
    try:
        result = links.check_links(targets, policy=policy, offline=offline, cache=cache)
    except Exception as exc:
        from pypdf.errors import PdfReadError  # imported only here: a replayed render reads no PDF

        if debug or not isinstance(exc, (OSError, PdfReadError)):
            raise
            raise
        err.print(f"error: cannot read a PDF: {exc}", markup=False, style="red")
        raise typer.Exit(EXIT_INVALID) from None
    failed = result.failed(strict)
    if not quiet or result.errors or (strict and result.warnings):
        out.print(result.table(problems_only=quiet))
    if not quiet:
        out.print(f"links: {result.summary()} ({result.seconds:.1f} s)", markup=False)
    if not result.cache_saved and not quiet:
        err.print(f"warning: could not write the link cache {cache.path if cache else ''}", markup=False,
                  style="yellow")
    if report is not None:
        try:
            result.write_json(report)
        except OSError as exc:
            err.print(f"error: cannot write {report}: {exc}", markup=False, style="red")
            raise typer.Exit(EXIT_INVALID) from None
        if not quiet:
            out.print(f"wrote {report}", markup=False)
    if failed:
        parts = [f"{len(result.errors)} link(s) broken or wrong"] if result.errors else []
        if strict and result.warnings:
            parts.append(f"{len(result.warnings)} link warning(s), which fail with --strict")
        err.print(f"error: {'; '.join(parts)}", markup=False, style="red")
    return failed


@app.command()
def validate(
    profiles: list[Path] = typer.Argument(..., help="Profile YAML files."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings (text missing in a locale) as errors."),
    theme: Optional[str] = typer.Option(None, "--theme", "-t", help="Check glyphs against this theme's fonts "
                                        "(built-in name or directory); default: the profile's design.theme."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Check profiles without running TeX: every problem at once, as file:line:col.

    Checks the schema (with "did you mean" for typos), dates, URLs,
    e-mail addresses, and that every character is visible and in the
    theme's fonts. Exit status: 0 valid (warnings allowed unless
    --strict); 1 invalid.

    Example: [bold]cvtex validate cv.yaml --strict[/]
    """
    from dataclasses import replace

    from cvtex.build.pipeline import load_profile

    failed = False
    for path in profiles:
        try:
            with _user_errors(debug):
                _, _, warnings = load_profile(path, theme=theme)
        except typer.Exit:
            failed = True
            continue
        if warnings:
            _print_diagnostics([replace(w, severity="error") for w in warnings] if strict else warnings)
            failed = failed or strict
        if not (warnings and strict):
            typer.echo(f"{path}: ok" + (f" ({len(warnings)} warning(s))" if warnings else ""))
    if failed:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def doctor() -> None:
    """Show the engine, ko.TeX and fonts cvtex uses, and how to install what is missing.

    Example: [bold]cvtex doctor[/]
    """
    from cvtex.cli.commands.doctor import checks

    from rich.table import Table

    table = Table("component", "status", "detail")
    missing = False
    for check in checks():
        table.add_row(check.name, "[green]ok[/]" if check.ok else "[red]missing[/]", check.detail)
        missing = missing or not check.ok
    out.print(table)
    from cvtex.tex.speed import status

    paths = Table("speed path", "status", "detail")
    for path in status():
        paths.add_row(path.name, "[green]active[/]" if path.active else "[yellow]off[/]", path.detail)
    out.print(paths)
    if missing:
        from cvtex.tex.engine import INSTALL_COMMAND

        out.print(f"Install what is missing with:\n  {INSTALL_COMMAND}", markup=False)
        raise typer.Exit(EXIT_TOOLCHAIN)


@app.command()
def themes() -> None:
    """List the built-in themes with their descriptions (a table on a terminal, else one
    "name  description" line each).

    Use one with [bold]cvtex render cv.yaml --theme NAME[/] or [bold]design: {theme: NAME}[/] in the
    profile; copy one to change it with [bold]cvtex theme new NAME --from classic[/].
    """
    from cvtex.diagnostics import ProfileError
    from cvtex.theme.templates import builtin_themes, load_theme

    rows = []
    for name in builtin_themes():
        try:
            rows.append((name, load_theme(name).config.description))
        except ProfileError as exc:
            rows.append((name, f"(cannot be used: {exc.diagnostics[0].message})"))
    if out.is_terminal:
        from rich.table import Table

        table = Table("theme", "description")
        for name, description in rows:
            table.add_row(name, description)
        out.print(table)
        out.print("use: cvtex render cv.yaml --theme NAME · copy to change: cvtex theme new NAME --from THEME",
                  markup=False)
        return
    width = max((len(name) for name, _ in rows), default=0)
    for name, description in rows:
        out.print(f"{name:<{width}}  {description}", markup=False)


theme_app = typer.Typer(no_args_is_help=True, help="Make your own theme from a built-in one.")
app.add_typer(theme_app, name="theme")

_THEME_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"


@theme_app.command("new")
def theme_new(
    directory: Path = typer.Argument(..., help="The new theme's directory, e.g. mytheme or themes/mytheme; its "
                                     "last part is the theme's name."),
    from_: str = typer.Option("classic", "--from", help="The built-in theme (or a theme directory) to copy."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Copy a built-in theme into DIRECTORY (theme.yaml, cv.tex.j2, sections/) to change it;
    its theme.yaml gets [bold]name:[/] DIRECTORY's last part. Refuses an existing DIRECTORY.

    Example: [bold]cvtex theme new mytheme --from classic && cvtex render cv.yaml --theme ./mytheme[/]
    """
    import os
    import re
    import shutil
    import tempfile

    from cvtex.theme.templates import load_theme

    name = directory.name
    if not re.fullmatch(_THEME_NAME, name):
        raise typer.BadParameter(f"'{name}' cannot name a theme: use letters, digits, '-', '_' and '.'",
                                 param_hint="DIRECTORY")
    if directory.exists() or directory.is_symlink():
        err.print(f"error: {directory} exists; not overwriting it (choose another directory)", markup=False,
                  style="red")
        raise typer.Exit(EXIT_INVALID)
    with _user_errors(debug):
        source = load_theme(from_)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=directory.parent))
        try:
            copy = staging / name
            shutil.copytree(source.path, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
            config = copy / "theme.yaml"
            text = config.read_text(encoding="utf-8")
            text, found = re.subn(r"(?m)^name:.*$", f"name: {name}", text, count=1)
            config.write_text(text if found else f"name: {name}\n{text}", encoding="utf-8")
            if directory.exists():
                raise FileExistsError(17, "File exists", str(directory))
            os.rename(copy, directory)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        err.print(f"error: cannot write {exc.filename or directory}: {exc.strerror or exc}", markup=False,
                  style="red")
        raise typer.Exit(EXIT_INVALID) from None
    with _user_errors(debug):
        load_theme(str(directory))  # the copy is a valid theme
    shown = str(directory) if ("/" in str(directory) or directory.is_absolute()) else f"./{directory}"
    out.print(f"wrote {shown}/ (theme '{name}', a copy of {source.config.name}: theme.yaml, cv.tex.j2, sections/)",
              markup=False)
    out.print(f"use it: cvtex render cv.yaml --theme {shown}", markup=False)
    out.print(f"   or, in a profile: design: {{theme: {shown}}}  (a path relative to the profile file)",
              markup=False)


#: The schema file ``cvtex new`` writes next to the profile (its first line points at it).
SCHEMA_FILE = "cvtex.schema.json"


@app.command()
def new(
    name: Path = typer.Argument(Path("cv.yaml"), help="The profile file to write."),
    schema_file: bool = typer.Option(True, "--schema/--no-schema", help=f"Also write {SCHEMA_FILE} next to it "
                                     "(for editors; the profile's first line points at it)."),
) -> None:
    """Write a starter bilingual (English + Korean) profile that renders as it is.

    Refuses to overwrite an existing file. Also writes cvtex.schema.json next to the
    profile, so editors with the YAML language server complete and check the fields
    (refresh it after upgrading cvtex with: cvtex schema -o cvtex.schema.json).

    Example: [bold]cvtex new cv.yaml && cvtex render cv.yaml --offline[/]
    """
    from importlib.resources import files

    from cvtex.schema.models import json_schema_text

    text = files("cvtex").joinpath("starter.yaml").read_text(encoding="utf-8")
    if name.exists():
        err.print(f"error: {name} exists; not overwriting it (choose another name: cvtex new NAME)",
                  markup=False, style="red")
        raise typer.Exit(EXIT_INVALID)
    try:
        name.parent.mkdir(parents=True, exist_ok=True)
        with open(name, "x", encoding="utf-8") as fh:
            fh.write(text.replace("cv.yaml", name.name).replace("out/cv-", f"out/{name.stem}-"))
        out.print(f"wrote {name}", markup=False)
        if schema_file:
            (name.parent / SCHEMA_FILE).write_text(json_schema_text(), encoding="utf-8")
            out.print(f"wrote {name.parent / SCHEMA_FILE}", markup=False)
    except OSError as exc:
        err.print(f"error: cannot write {exc.filename or name}: {exc.strerror or exc}", markup=False, style="red")
        raise typer.Exit(EXIT_INVALID) from None
    out.print(f"next: edit {name}, then cvtex render {name} --output-dir out", markup=False)


@app.command()
def schema(
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write it to this file instead of "
                                          "standard output."),
) -> None:
    """Print the JSON Schema of a profile (draft 2020-12), generated from cvtex's models.

    Point editors at it with a first line [bold]# yaml-language-server: $schema=FILE[/] in
    the profile. It checks structure and formats; cvtex validate checks more.

    Example: [bold]cvtex schema -o cvtex.schema.json[/]
    """
    from cvtex.schema.models import json_schema_text

    _emit(json_schema_text(), output)


@app.command("import")
def import_(
    source: Path = typer.Argument(..., help="A JSON Resume file (resume.json, schema v1.0.0)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The profile to write; default: SOURCE "
                                          "with the suffix .yaml."),
    force: bool = typer.Option(False, "--force", help="Overwrite OUTPUT when it exists."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Turn a JSON Resume file into a cvtex profile (locales en and ko), then validate it.

    Prints where each part of the JSON went and every value it fixed (a URL without
    a scheme), left out (empty) or could not place (kept as comments at the top of
    the profile). Each line of the profile has a [bold]# json.path[/] comment.
    Exit status: 0 written and valid; 1 unreadable JSON, an existing OUTPUT, or an
    invalid result.

    Example: [bold]cvtex import resume.json -o cv.yaml && cvtex render cv.yaml[/]
    """
    from cvtex.interop.jsonresume import JsonResumeError, import_resume, read_json
    from cvtex.build.pipeline import load_profile

    target = output or source.with_suffix(".yaml")
    if target.exists() and not force:
        err.print(f"error: {target} exists; not overwriting it (use --force, or -o another name)",
                  markup=False, style="red")
        raise typer.Exit(EXIT_INVALID)
    try:
        result = import_resume(read_json(source), source=source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result.yaml_text(), encoding="utf-8")
    except JsonResumeError as exc:
        if debug:
            raise
        err.print(f"error: {exc}", markup=False, style="red")
        raise typer.Exit(EXIT_INVALID) from None
    except OSError as exc:
        err.print(f"error: cannot write {target}: {exc.strerror or exc}", markup=False, style="red")
        raise typer.Exit(EXIT_INVALID) from None
    out.print(f"wrote {target}", markup=False)
    for path, where in result.placed:
        out.print(f"  {path} -> {where}", markup=False)
    for note in result.notes:
        out.print(f"  note: {note}", markup=False)
    if result.empty:
        out.print(f"  empty in the JSON, left out: {', '.join(result.empty)}", markup=False)
    with _user_errors(debug):
        _, _, warnings = load_profile(target)
    if warnings:
        _print_diagnostics(warnings)
    out.print(f"{target}: ok; next: cvtex render {target}", markup=False)


@app.command("export")
def export(
    profile: Path = typer.Argument(..., help="A profile YAML file."),
    format_: str = typer.Option("jsonresume", "--format", "-f", help="Output format: jsonresume (JSON Resume "
                                "v1.0.0)."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="The locale of the text; default: the "
                                       "profile's first locale."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of standard "
                                          "output."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Write a profile as a JSON Resume document in one language (plain text: markup
    removed, a link's URL kept after its text). Notes on stderr say what JSON Resume
    has no place for and where it went.

    Example: [bold]cvtex export cv.yaml --format jsonresume --lang en -o resume.json[/]
    """
    import json

    from cvtex.interop.jsonresume import export_resume
    from cvtex.build.pipeline import load_profile

    if format_ != "jsonresume":
        raise typer.BadParameter(f"'{format_}' is not a format cvtex writes; use jsonresume", param_hint="--format")
    with _user_errors(debug):
        _, model, _ = load_profile(profile, check_glyphs=False)
    code = lang or model.locales[0]
    if code not in model.locales:
        err.print(f"error: --lang {code}: the profile's locales are {', '.join(model.locales)}",
                  markup=False, style="red")
        raise typer.Exit(EXIT_USAGE)
    data, notes = export_resume(model, code)
    for note in notes:
        err.print(f"note: {note}", markup=False)
    if _emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output):
        out.print(f"wrote {output}", markup=False)


def _emit(text: str, output: Optional[Path]) -> bool:
    """Write ``text`` to ``output``, or to standard output when it is None (returns False);
    an unwritable file is exit 1 with the reason."""
    if output is None:
        sys.stdout.write(text)
        return False
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        err.print(f"error: cannot write {output}: {exc.strerror or exc}", markup=False, style="red")
        raise typer.Exit(EXIT_INVALID) from None
    return True


def main() -> None:
    """The console-script entry point: runs one command in a process that then ends
    (typer raises :class:`SystemExit`). Two garbage-collector settings suit such a
    short-lived process; both are measured on benchmarks/perf.py's profile (2 CPUs):

    - the young generation is collected every 10 000 allocations instead of 700
      (:func:`gc.set_threshold`): the commands import pydantic, PyYAML and the themes'
      models on first use, and ~100 young collections cost ``validate`` ~20 ms of CPU;
    - at the end every object is frozen (:func:`gc.freeze`), so interpreter shutdown
      skips a last collection over the whole heap, which would only free memory the OS
      takes back anyway: from the command's end to the process's end, ``validate``
      75-95 → 10-13 ms and ``render`` 150 → 20 ms.

    Not for a caller that goes on after ``main()`` returns or raises: call :data:`app`."""
    gc.set_threshold(10_000, 10, 10)
    try:
        app()
    finally:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
