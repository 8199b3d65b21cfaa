"""The ``cvtex`` commands (typer): each parses its options and calls the stage it runs;
``render``'s work is :mod:`cvtex.cli.rendering`, its ``--watch`` loop :mod:`cvtex.cli.watch`,
and what is printed, with the mapping of errors to exit codes, :mod:`cvtex.cli.output`.

Exit codes (all commands): 0 success; 1 invalid input — a profile or theme problem,
reported as ``file:line:col: error: message``; 2 wrong usage of the command;
3 the toolchain is missing (``cvtex doctor`` says what to install); 4 a link in a PDF is
broken or structurally wrong (``render``, ``check-links``; with ``--strict`` also an
unverified link) — the PDFs are written.
No user error prints a Python traceback unless ``--debug`` is given.

Longer than cvtex's other modules (~575 lines) on purpose: every command's signature, options
and help text is here, so the whole command line reads in one file; the work each does is in
the modules named above and in the stages it calls.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Optional

import typer

from cvtex.cli.output import (
    EXIT_INVALID,
    EXIT_LINKS,
    EXIT_USAGE,
    emit,
    err,
    error,
    exit_codes,
    out,
    prepare_help,
    print_diagnostics,
)
from cvtex.cli.rendering import check_links as run_link_check
from cvtex.cli.rendering import render_all

#: ``--cache-age``'s help (render, check-links).
CACHE_AGE_HELP = ("Reuse link results younger than this (0, 90s, 30m, 12h, 7d); 0 requests every link again. "
                  "A DNS failure or a refused connection is reused for at most 10 minutes.")

#: ``-h`` as well as ``--help``, on the app and (inherited by click's contexts) on every command.
HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode="rich", context_settings=HELP_OPTIONS,
                  help="Render CV PDFs in Korean and English from one YAML profile.")


def _print_version(value: bool) -> None:
    if value:
        from cvtex import __version__

        typer.echo(f"cvtex {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", "-V", callback=_print_version, is_eager=True,
                                 help="Print cvtex's version (cvtex X.Y.Z) and exit."),
) -> None:
    """Render CV PDFs in Korean and English from one YAML profile."""


@app.command()
def render(
    profiles: list[Path] = typer.Argument(..., help="Profile YAML files.", exists=False, metavar="PROFILE..."),
    output_dir: Path = typer.Option(Path("out"), "--output-dir", "-o", help="Where the PDFs go.", metavar="DIR"),
    lang: Optional[list[str]] = typer.Option(None, "--lang", "-l", help="Locale to render (repeatable); "
                                             "default: every locale of the profile.", metavar="LOCALE"),
    theme: Optional[str] = typer.Option(None, "--theme", "-t", help="Built-in theme name or theme directory; "
                                        "default: the profile's design.theme.", metavar="THEME"),
    keep_tex: bool = typer.Option(False, "--keep-tex", help="Also write <stem>-<lang>.tex (and each letter's), the compiled source."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds an engine run may take before it is killed.",
                                  metavar="SECONDS"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only."),
    verbose: bool = typer.Option(False, "--verbose", help="Print every link in a table, also with "
                                 "--offline (which otherwise prints one line unless a link is wrong)."),
    offline: bool = typer.Option(False, "--offline", help="Check the PDFs' links without the network "
                                 "(structure and syntax only)."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 4) on link warnings too, such as "
                                "unverified links."),
    report: Optional[Path] = typer.Option(None, "--report", help="Also write the link check as JSON to this file.",
                                          metavar="FILE"),
    cache_age: str = typer.Option("1d", "--cache-age", help=CACHE_AGE_HELP, metavar="AGE"),
    watch: bool = typer.Option(False, "--watch", "-w", help="Keep running: render again each time a profile or "
                               "its theme changes (an invalid save shows its errors and keeps watching; "
                               "Ctrl-C stops)."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Render this many profiles at once, 1 or more (at most this "
                             "many engine runs at once); output stays in the order given.", metavar="N"),
    no_cache: bool = typer.Option(False, "--no-cache", help="Compile every PDF, ignoring the build cache "
                                  "(PDFs of unchanged input are otherwise reused without running TeX)."),
    bilingual: bool = typer.Option(False, "--bilingual", help="Also write <stem>-bilingual.pdf: the Korean CV, "
                                   "then the English one, with a bookmark per language and page labels ko-1…, "
                                   "en-1… (the profile needs both locales)."),
    png: bool = typer.Option(False, "--png", help="Also write <stem>-<lang>.png (and one per letter, bilingual "
                             "PDF and bundle): the first page at 100 dpi."),
    bundle: bool = typer.Option(False, "--bundle", help="Also write <stem>-application-<id>-<lang>.pdf for each "
                                "letter: the letter, then the CV of its language, in one PDF with a bookmark per "
                                "document."),
    blind: Optional[str] = typer.Option(None, "--blind", help="Render the blind copy, without what blind hiring "
                                        "forbids (public: photo, birth date, school names, address after the city, "
                                        "hometown; private: photo, hometown), to <stem>-<lang>-blind.pdf (and "
                                        "-blind for every other file), after the leak check of validate --blind: "
                                        "a leak in free text is an error and nothing is written; docs/blind.md.",
                                        metavar="public|private"),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Render each PROFILE to OUTPUT_DIR/<stem>-<lang>.pdf, one PDF per locale, and each of
    its letters to <stem>-letter-<id>-<lang>.pdf in the letter's locales, then check every
    link in the PDFs (over HTTP unless --offline). Prints the seconds each
    stage took (load + validate, template, compile per locale, finish, links); --quiet
    prints errors only (for CI).

    A profile whose roles have projects also gets its 경력기술서 (career description),
    <stem>-career-<lang>.pdf.

    Example: [bold]cvtex render cv.yaml --output-dir out --lang ko --lang en[/]

    Example: [bold]cvtex render cv.yaml --bilingual --png[/]  (also cv-bilingual.pdf and PNG previews)

    Example: [bold]cvtex render cv.yaml --bundle[/]  (also cv-application-<id>-<lang>.pdf: letter + CV)

    Example: [bold]cvtex render cv.yaml --blind public[/]  (cv-en-blind.pdf, cv-ko-blind.pdf: no photo, no schools)

    Example: [bold]cvtex render cv.yaml --offline --watch[/]  (re-render on every save)
    """
    max_age = _cache_age(cache_age)
    if jobs < 1:
        raise typer.BadParameter(f"{jobs} is not 1 or more", param_hint="'--jobs' / '-j'")
    _check_theme(theme)
    _check_blind(blind)
    if bilingual and lang:
        from cvtex.build import LOCALES

        left_out = [code for code in LOCALES if code not in lang]
        if left_out:
            raise typer.BadParameter(f"--bilingual needs the {' and '.join(LOCALES)} PDFs; --lang leaves out "
                                     f"{', '.join(left_out)}", param_hint="--lang")

    options = dict(output_dir=output_dir, lang=lang, theme=theme, keep_tex=keep_tex, timeout=timeout, quiet=quiet,
                   offline=offline, strict=strict, report=report, max_age=max_age, debug=debug, jobs=jobs,
                   cache=not no_cache, bilingual=bilingual, png=png, verbose=verbose, bundle=bundle, blind=blind)
    if watch:
        import signal

        from cvtex.cli.watch import watch as watch_loop
        from cvtex.tex import EnginePool

        # SIGTERM (a terminal closed, `kill`) ends the watch as Ctrl-C does: the engines
        # waiting for the next save are stopped and their directories removed (the pool closes)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
        with EnginePool() as pool:  # engines that have read the last render's preambles wait here
            watch_loop(profiles, lambda: render_all(profiles, **options, pool=pool), quiet=quiet)
        return
    code, _ = render_all(profiles, **options)
    if code:
        raise typer.Exit(code)


@app.command("check-links")
def check_links(
    pdfs: list[Path] = typer.Argument(..., help="PDF files to check.", metavar="PDF..."),
    profile: Optional[Path] = typer.Option(None, "--profile", "-p", help="The profile the PDFs were rendered "
                                           "from: its URLs must be exactly the PDFs' links.", metavar="PROFILE"),
    offline: bool = typer.Option(False, "--offline", help="Check structure and syntax only; no network."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 4) on warnings too, such as unverified links."),
    report: Optional[Path] = typer.Option(None, "--report", help="Also write the results as JSON to this file.",
                                          metavar="FILE"),
    cache_age: str = typer.Option("1d", "--cache-age", help=CACHE_AGE_HELP, metavar="AGE"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print problems only."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Check every link annotation in each PDF: compared with the PROFILE's URLs, internal
    links resolved, mailto:/tel: syntax, and each http(s) URL requested once. A bilingual
    PDF (render --bilingual) is compared with the URLs of all its languages; a letter's PDF
    (<stem>-letter-<id>-<lang>.pdf) with its letter's, a 경력기술서 (<stem>-career-<lang>.pdf)
    with its experience's, an application bundle (render --bundle,
    <stem>-application-<id>-<lang>.pdf) with its letter's and its CV's; a blind PDF (render
    --blind, <stem>-<lang>-blind.pdf) with the blind copy's in the mode its /Creator names.

    Exit 4 when a link is broken or wrong (with --strict also when one is unverified).
    Exclusions and accepted status codes come from the profile's [bold]links:[/] settings
    and a .cvtexignore file (next to the profile and in the current directory).

    Example: [bold]cvtex check-links out/cv-en.pdf out/cv-ko.pdf --profile cv.yaml --report links.json[/]
    """
    from cvtex import links

    max_age = _cache_age(cache_age)
    missing = [p for p in pdfs if not p.is_file()]
    if missing:
        raise error(f"{missing[0]}: no such file")
    expected: list = [None] * len(pdfs)
    with exit_codes(debug):
        if profile is not None:
            from cvtex.build import part_locales
            from cvtex.localize import get_locale

            prof = links.read_profile(profile)
            tags = {code: get_locale(code).language_tag for code in prof.locales}
            full = prof
            for i, pdf in enumerate(pdfs):
                prof = _blind_copy(pdf, full)  # a blind PDF (render --blind): the links of the blind copy
                letter = _letter_of(pdf, prof)
                if letter is not None:  # a letter's PDF: its URLs; an application bundle: the CV's too
                    kind, index, code = letter
                    expected[i] = links.expected_links(prof, code, letter=index)
                    if kind == "application":
                        expected[i] += links.expected_links(prof, code)
                    continue
                career = _career_of(pdf, tags, profile.stem)
                if career is not None:  # a 경력기술서 (<stem>-career-<code>.pdf): its URLs
                    expected[i] = links.expected_links(prof, career, career=True)
                    continue
                parts = _parts_of(pdf, part_locales)
                if parts == ["letter", "cv"]:  # cvtex.build.bundle.PARTS: a bundle's parts, not locales
                    raise error(f"{pdf}: an application bundle (letter + CV), but its name does not say which of "
                                "the profile's letters it holds; name it <stem>-application-<id>-<locale>.pdf",
                                EXIT_USAGE)
                if parts and all(code in tags for code in parts):  # a bilingual PDF: every part's URLs
                    expected[i] = [link for code in parts for link in links.expected_links(prof, code)]
                    continue
                code = links.locale_of_pdf(pdf, tags)
                if code is None:
                    raise error(f"{pdf}: cannot tell which of the profile's locales ({', '.join(tags)}) "
                                "this PDF is in; name it <stem>-<locale>.pdf", EXIT_USAGE)
                expected[i] = links.expected_links(prof, code)
            policy = links.load_policy(full, [profile.parent, Path.cwd()])
        else:
            policy = links.load_policy(None, [Path.cwd()])
    targets = [links.Target(pdf, exp) for pdf, exp in zip(pdfs, expected)]
    if run_link_check(targets, policy, offline=offline, strict=strict, report=report, max_age=max_age,
                    quiet=quiet, debug=debug):
        raise typer.Exit(EXIT_LINKS)


def _letter_of(pdf: Path, profile) -> Optional[tuple[str, int, str]]:
    """``(kind, index, code)`` when the name of ``pdf`` is that of a letter's PDF
    (``<stem>-letter-<id>-<code>.pdf``: kind ``"letter"``) or of an application bundle
    (``<stem>-application-<id>-<code>.pdf``: ``"application"``) for ``profile.letters[index]``
    in one of its locales, as ``cvtex render`` names them, with or without the ``-blind`` suffix
    of ``render --blind`` (:func:`cvtex.build.results.file_name`); else None (a CV's PDF)."""
    from cvtex.build.results import unblind_stem

    stem, _ = unblind_stem(pdf.stem)
    found = [(len(letter.id), kind, index, code) for index, letter in enumerate(profile.letters)
             for code in profile.letter_locales(letter) for kind in ("letter", "application")
             if stem.endswith(f"-{kind}-{letter.id}-{code}")]
    return max(found)[1:] if found else None  # the longest id: "a-b" over "b"


def _career_of(pdf: Path, codes, profile_stem: str) -> Optional[str]:
    """The locale when the name of ``pdf`` is that of a 경력기술서 (``<stem>-career-<code>.pdf``,
    :data:`cvtex.build.results.CAREER`, with or without the ``-blind`` suffix), else None. The
    CV of a profile whose name ends in ``-career`` (``my-career-en.pdf``) is the CV."""
    from cvtex.build.results import CAREER, unblind_stem

    stem, _ = unblind_stem(pdf.stem)
    if any(stem == f"{profile_stem}-{code}" for code in codes):
        return None
    return next((code for code in codes if stem.endswith(f"-{CAREER}-{code}")), None)


def _blind_copy(pdf: Path, profile):
    """``profile``'s blind copy (:func:`cvtex.schema.blind_profile`) in the mode that the
    ``/Creator`` of ``pdf`` names (:data:`cvtex.build.results.BLIND_CREATOR`, written by
    ``render --blind``); ``profile`` itself for any other PDF, or one that cannot be read."""
    import re

    from pypdf import PdfReader

    from cvtex.schema import BLIND_MODES, blind_profile

    try:
        creator = str((PdfReader(pdf).metadata or {}).get("/Creator", ""))
    except Exception:  # noqa: BLE001 - the link check reports an unreadable PDF
        return profile
    found = re.search(r"\(blind copy: (\w+)\)$", creator)
    return blind_profile(profile, found.group(1)) if found and found.group(1) in BLIND_MODES else profile


def _parts_of(pdf: Path, part_locales) -> list[str]:
    """The locales of a bilingual PDF's parts ([] for any other PDF, or one that cannot be
    read: the link check reports that)."""
    from pypdf import PdfReader

    try:
        return part_locales(PdfReader(pdf))
    except Exception:  # noqa: BLE001
        return []


def _check_blind(mode: Optional[str]) -> None:
    """A ``--blind`` MODE that is not one of :data:`cvtex.schema.blind.BLIND_MODES` is a usage
    error (exit 2) naming the modes (render, validate)."""
    if mode is None:
        return
    from cvtex.schema import check_blind_mode

    try:
        check_blind_mode(mode)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--blind'") from None


def _check_theme(name: Optional[str], option: str = "--theme") -> None:
    """A theme NAME given on the command line that is neither a built-in theme nor a
    path (has a ``/`` or is a directory, :func:`cvtex.theme.load_theme`'s rule) is a usage
    error (exit 2) listing the built-in themes, at the option that gave it."""
    if name is None or "/" in name or "\\" in name or Path(name).is_dir():
        return
    from cvtex.schema import did_you_mean
    from cvtex.theme import builtin_themes

    known = builtin_themes()
    if name not in known:
        raise typer.BadParameter(f"no theme '{name}'{did_you_mean(name, known)}; the built-in themes are "
                                 f"{', '.join(known)} (cvtex themes describes them), or give a theme directory "
                                 "such as ./mytheme", param_hint=f"'{option}'")


def _cache_age(text: str) -> float:
    from cvtex.build import parse_age

    try:
        return parse_age(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--cache-age") from None


@app.command()
def validate(
    profiles: list[Path] = typer.Argument(..., help="Profile YAML files.", metavar="PROFILE..."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings (text missing in a locale) as errors."),
    theme: Optional[str] = typer.Option(None, "--theme", "-t", help="Check glyphs against this theme's fonts "
                                        "(built-in name or directory); default: the profile's design.theme.",
                                        metavar="THEME"),
    blind: Optional[str] = typer.Option(None, "--blind", help="Also report free text that tells what blind "
                                        "hiring forbids (public: school names, birth year, hometown, family, "
                                        "physical data; private: what 채용절차법 §4조의3 lists), as errors; "
                                        "docs/blind.md.", metavar="public|private"),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Check profiles without running TeX: every problem at once, as file:line:col.

    Checks the schema (with "did you mean" for typos), dates, URLs,
    e-mail addresses, and that every character is visible and in the
    theme's fonts. Prints each 자기소개서 answer's count against its limit
    (a table); an answer over its limit is an error, one under 85 % of it
    a warning. With --blind, free text that tells what the blind mode
    forbids is an error at the words. Exit status: 0 valid (warnings
    allowed unless --strict); 1 invalid.

    Example: [bold]cvtex validate cv.yaml --strict[/]
    """
    from dataclasses import replace

    from cvtex.build import load_profile
    from cvtex.cli.letters import print_counts
    from cvtex.schema import answer_counts

    _check_theme(theme)
    _check_blind(blind)
    if blind is not None:
        from cvtex.schema import by_position, render_leaks
    failed = False
    for path in profiles:
        try:
            with exit_codes(debug):
                doc, model, warnings = load_profile(path, theme=theme)
        except typer.Exit:
            failed = True
            print_counts(path, _raw_counts(path))
            continue
        print_counts(path, answer_counts(doc, model))
        leaks = render_leaks(doc, model, blind) if blind is not None else []
        if warnings or leaks:
            shown = [replace(w, severity="error") for w in warnings] if strict else warnings
            print_diagnostics(by_position(shown + leaks) if leaks else shown)
            failed = failed or (strict and bool(warnings)) or bool(leaks)
        if not (warnings and strict) and not leaks:
            typer.echo(f"{path}: ok" + (f" ({len(warnings)} warning(s))" if warnings else ""))
    if failed:
        raise typer.Exit(EXIT_INVALID)


def _raw_counts(path: Path) -> list:
    """The answer counts of an invalid profile's letters that are valid themselves
    (:func:`cvtex.schema.answer_counts`), [] when the file cannot be read as YAML."""
    from cvtex.diagnostics import ProfileError
    from cvtex.schema import answer_counts, load

    try:
        return answer_counts(load(path))
    except (ProfileError, OSError):
        return []


@app.command()
def letter(
    profile: Path = typer.Argument(..., help="A profile YAML file.", metavar="PROFILE"),
    letter_id: Optional[str] = typer.Option(None, "--id", help="The letter's id (required; without it the "
                                            "profile's letter ids are listed).", metavar="ID"),
    format_: str = typer.Option("txt", "--format", "-f", help="txt (plain text, as pasted) or md (Markdown).",
                                metavar="FORMAT"),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="The locale, when the letter is written in "
                                       "several; default: its first.", metavar="LOCALE"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of standard "
                                          "output.", metavar="FILE"),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Print a letter for pasting into a web form: a 자기소개서's answers exactly as
    cvtex validate counted them, one block per question (the question, its count, a blank
    line, the answer; a blank line between blocks); a cover letter's salutation, paragraphs,
    closing and signature. txt is the pasted text (markup removed); md gives each question as a heading
    and each answer in a fenced block. No clipboard: pipe it, or copy from the terminal.

    Example: [bold]cvtex letter cv.yaml --id example-bank-ko --format txt[/]
    """
    from cvtex.build import load_profile
    from cvtex.cli.letters import FORMATS, letter_text

    if format_ not in FORMATS:
        raise typer.BadParameter(f"'{format_}' is not a letter format; use {' or '.join(FORMATS)}",
                                 param_hint="'--format' / '-f'")
    with exit_codes(debug):
        # an answer over its limit is what the user needs to see to shorten it: printed, then exit 1
        doc, model, _ = load_profile(profile, check_glyphs=False, over_limit="warning")
    ids = [item.id for item in model.letters]
    known = f"its letters: {', '.join(ids)}" if ids else "it has no letters (a profile's 'letters:')"
    if letter_id is None:
        raise error(f"give a letter with --id ID; {known}", EXIT_USAGE)
    if letter_id not in ids:
        from cvtex.schema import did_you_mean

        raise error(f"{profile} has no letter '{letter_id}'{did_you_mean(letter_id, ids)}; {known}", EXIT_USAGE)
    index = ids.index(letter_id)
    chosen = model.letters[index]
    locales = model.letter_locales(chosen)
    code = lang or locales[0]
    if code not in locales:
        raise error(f"--lang {code}: the letter '{letter_id}' is written in {', '.join(locales)}", EXIT_USAGE)
    text = letter_text(model, chosen, index, code, format_)
    if emit(text, output):
        out.print(f"wrote {output}", markup=False)
    counts = chosen.counts(index, [code]) if hasattr(chosen, "counts") else []
    over = [c for c in counts if c.over]
    if over:  # printed above for shortening, and refused like validate refuses it
        from cvtex.schema import count_diagnostics

        print_diagnostics(count_diagnostics(doc, over))
        raise typer.Exit(EXIT_INVALID)


@app.command()
def doctor() -> None:
    """Show the engine, ko.TeX and fonts cvtex uses, and how to install what is missing.

    Example: [bold]cvtex doctor[/]
    """
    from cvtex.cli.doctor import report

    code = report()
    if code:
        raise typer.Exit(code)


@app.command()
def themes() -> None:
    """List the built-in themes with their descriptions (a table on a terminal, else one
    "name  description" line each).

    Use one with [bold]cvtex render cv.yaml --theme NAME[/] or [bold]design: {theme: NAME}[/] in the
    profile; copy one to change it with [bold]cvtex theme new NAME --from classic[/].
    """
    from cvtex.diagnostics import ProfileError
    from cvtex.theme import builtin_themes, load_theme

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
                                     "last part is the theme's name.", metavar="DIRECTORY"),
    from_: str = typer.Option("classic", "--from", help="The built-in theme (or a theme directory) to copy.",
                              metavar="THEME"),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Copy a built-in theme into DIRECTORY (theme.yaml, theme.sty: its design; the templates
    come from the shared base unless the copy has its own) to change it;
    its theme.yaml gets [bold]name:[/] DIRECTORY's last part. Refuses an existing DIRECTORY.

    Example: [bold]cvtex theme new mytheme --from classic && cvtex render cv.yaml --theme ./mytheme[/]
    """
    import os
    import re
    import shutil
    import tempfile

    from cvtex.theme import copy_theme, load_theme

    name = directory.name
    if not re.fullmatch(_THEME_NAME, name):
        raise typer.BadParameter(f"'{name}' cannot name a theme: use letters, digits, '-', '_' and '.'",
                                 param_hint="DIRECTORY")
    if directory.exists() or directory.is_symlink():
        raise error(f"{directory} exists; not overwriting it (choose another directory)")
    _check_theme(from_, "--from")
    with exit_codes(debug):
        source = load_theme(from_)
    with exit_codes(writing=directory, name_from_error=True):
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=directory.parent))
        try:
            copy = copy_theme(source.path, staging / name)
            config = copy / "theme.yaml"
            text = config.read_text(encoding="utf-8")
            text, found = re.subn(r"(?m)^name:.*$", f"name: {name}", text, count=1)
            config.write_text(text if found else f"name: {name}\n{text}", encoding="utf-8")
            if directory.exists():
                raise FileExistsError(17, "File exists", str(directory))
            os.rename(copy, directory)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    with exit_codes(debug):
        load_theme(str(directory))  # the copy is a valid theme
    shown = str(directory) if ("/" in str(directory) or directory.is_absolute()) else f"./{directory}"
    out.print(f"wrote {shown}/ (theme '{name}', a copy of {source.config.name}: "
              f"{', '.join(sorted(p.name for p in directory.iterdir()))})",
              markup=False)
    out.print(f"use it: cvtex render cv.yaml --theme {shown}", markup=False)
    out.print(f"   or, in a profile: design: {{theme: {shown}}}  (a path relative to the profile file)",
              markup=False)


#: The schema file ``cvtex new`` writes next to the profile (its first line points at it).
SCHEMA_FILE = "cvtex.schema.json"


#: The line of cvtex/starter.yaml that ``cvtex new --name`` replaces.
STARTER_NAME_LINE = "  name: {en: Minjun Kim, ko: 김민준}\n"


@app.command()
def new(
    path: Path = typer.Argument(Path("cv.yaml"), help="The profile file to write (.yaml or .yml).",
                                metavar="FILE"),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="Your full name, put into the profile's "
                                       "header.name (the same in every language; edit it into {en: …, ko: …} "
                                       "to give it per language).", metavar="NAME"),
    schema_file: bool = typer.Option(True, "--schema/--no-schema", help=f"Also write {SCHEMA_FILE} next to it "
                                     "(for editors; the profile's first line points at it)."),
) -> None:
    """Write a starter bilingual (English + Korean) profile that renders as it is.

    Refuses to overwrite an existing file, and a FILE without a .yaml or .yml
    extension (exit 2). Also writes cvtex.schema.json next to the profile, so editors
    with the YAML language server complete and check the fields (refresh it after
    upgrading cvtex with: cvtex schema -o cvtex.schema.json).

    Example: [bold]cvtex new cv.yaml --name "Hong Gildong" && cvtex render cv.yaml --offline[/]
    """
    from importlib.resources import files

    if path.suffix.lower() not in (".yaml", ".yml"):
        looks_like_a_name = "/" not in str(path) and (any(c.isspace() for c in str(path)) or not str(path).isascii())
        hint = (f"cvtex new cv.yaml --name {_shell_word(str(path))}" if looks_like_a_name and name is None
                else f"cvtex new {_shell_word(str(path) + '.yaml')}"
                + (f" --name {_shell_word(name)}" if name is not None else ""))
        raise error(f"'{path}' has no .yaml extension; did you mean `{hint}`?", EXIT_USAGE)
    text = files("cvtex").joinpath("starter.yaml").read_text(encoding="utf-8")
    if name is not None:
        if not name.strip() or any(not c.isprintable() for c in name):
            raise typer.BadParameter("give a name of printable characters, e.g. --name \"Hong Gildong\"",
                                     param_hint="'--name' / '-n'")
        import yaml

        quoted = yaml.safe_dump(name.strip(), allow_unicode=True, default_style='"', width=1 << 20).strip()
        text = text.replace(STARTER_NAME_LINE, f"  name: {quoted}\n")
    if path.exists():
        raise error(f"{path} exists; not overwriting it (choose another name: cvtex new FILE)")
    from cvtex.schema import json_schema_text

    with exit_codes(writing=path, name_from_error=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(text.replace("cv.yaml", path.name).replace("out/cv-", f"out/{path.stem}-"))
        out.print(f"wrote {path}", markup=False)
        if schema_file:
            (path.parent / SCHEMA_FILE).write_text(json_schema_text(), encoding="utf-8")
            out.print(f"wrote {path.parent / SCHEMA_FILE}", markup=False)
    out.print(f"next: edit {path}, then cvtex render {path} --output-dir out", markup=False)


def _shell_word(text: str) -> str:
    """``text`` as one word of a shell command: as it is when it needs no quoting, in
    double quotes when that suffices (``"Hong Gildong"``), else in POSIX single quotes."""
    import re
    import shlex

    if re.fullmatch(r"[\w./@%+=:,-]+", text):
        return text
    if not re.search(r'["$`\\!]', text):
        return f'"{text}"'
    return shlex.quote(text)


@app.command()
def schema(
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write it to this file instead of "
                                          "standard output.", metavar="FILE"),
) -> None:
    """Print the JSON Schema of a profile (draft 2020-12), generated from cvtex's models.

    Point editors at it with a first line [bold]# yaml-language-server: $schema=FILE[/] in
    the profile. It checks structure and formats; cvtex validate checks more.

    Example: [bold]cvtex schema -o cvtex.schema.json[/]
    """
    from cvtex.schema import json_schema_text

    emit(json_schema_text(), output)


@app.command("import")
def import_(
    source: Path = typer.Argument(..., help="A JSON Resume file (resume.json, schema v1.0.0).", metavar="SOURCE"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The profile to write; default: SOURCE "
                                          "with the suffix .yaml.", metavar="OUTPUT"),
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
    from cvtex.build import load_profile
    from cvtex.interop import JsonResumeError, import_resume, read_json

    target = output or source.with_suffix(".yaml")
    if target.exists() and not force:
        raise error(f"{target} exists; not overwriting it (use --force, or -o another name)")
    with exit_codes(debug, writing=target, messages=(JsonResumeError,)):
        result = import_resume(read_json(source), source=source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result.yaml_text(), encoding="utf-8")
    out.print(f"wrote {target}", markup=False)
    for path, where in result.placed:
        out.print(f"  {path} -> {where}", markup=False)
    for note in result.notes:
        out.print(f"  note: {note}", markup=False)
    if result.empty:
        out.print(f"  empty in the JSON, left out: {', '.join(result.empty)}", markup=False)
    with exit_codes(debug):
        _, _, warnings = load_profile(target)
    if warnings:
        print_diagnostics(warnings)
    out.print(f"{target}: ok; next: cvtex render {target}", markup=False)


@app.command("export")
def export(
    profile: Path = typer.Argument(..., help="A profile YAML file.", metavar="PROFILE"),
    format_: str = typer.Option("jsonresume", "--format", "-f", help="Output format: jsonresume (JSON Resume "
                                "v1.0.0).", metavar="FORMAT"),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="The locale of the text; default: the "
                                       "profile's first locale.", metavar="LOCALE"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of standard "
                                          "output.", metavar="FILE"),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Write a profile as a JSON Resume document in one language (plain text: markup
    removed, a link's URL kept after its text). Notes on stderr say what JSON Resume
    has no place for and where it went.

    Example: [bold]cvtex export cv.yaml --format jsonresume --lang en -o resume.json[/]
    """
    import json

    from cvtex.build import load_profile
    from cvtex.interop import export_resume

    if format_ != "jsonresume":
        raise typer.BadParameter(f"'{format_}' is not a format cvtex writes; use jsonresume", param_hint="--format")
    with exit_codes(debug):
        _, model, _ = load_profile(profile, check_glyphs=False)
    code = lang or model.locales[0]
    if code not in model.locales:
        raise error(f"--lang {code}: the profile's locales are {', '.join(model.locales)}", EXIT_USAGE)
    data, notes = export_resume(model, code)
    for note in notes:
        err.print(f"note: {note}", markup=False)
    if emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output):
        out.print(f"wrote {output}", markup=False)


prepare_help(app, theme_app)  # the docstrings stay wrapped for the source's sake


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
