"""What ``cvtex render`` does for its profiles, and the link check it shares with
``cvtex check-links``: replay unchanged renders, render the others through one engine
pool, print what was written, check every link."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from cvtex.cli.output import (
    EXIT_INVALID,
    EXIT_LINKS,
    EXIT_TOOLCHAIN,
    err,
    error,
    exit_codes,
    out,
    print_diagnostics,
    print_render,
    status,
)

if TYPE_CHECKING:
    from cvtex.tex import EnginePool

#: The locales a profile is taken to have before it is read (cvtex's own pair).
USUAL_LOCALES = ("en", "ko")


def render_all(profiles: list[Path], *, output_dir: Path, lang: Optional[list[str]], theme: Optional[str],
               keep_tex: bool, timeout: float, quiet: bool, offline: bool, strict: bool,
               report: Optional[Path], max_age: float, debug: bool, jobs: int = 1,
               cache: bool = True, bilingual: bool = False, png: bool = False, verbose: bool = False,
               pool: Optional[EnginePool] = None, bundle: bool = False,
               blind: Optional[str] = None) -> tuple[int, set[Path]]:
    """Render every profile (``jobs`` at once) and check the links: the exit code, and the
    theme directories used. With ``offline`` the link check prints one line (and the
    links that are wrong) unless ``verbose`` (:func:`check_links`'s ``brief``).

    Unchanged profiles are replayed from their render records (:func:`cvtex.build.record.replay`).
    For one profile to render, XeLaTeX is started for each locale of ``--lang`` (else en
    and ko) before cvtex imports and runs its schema and templates, so each engine loads
    its format meanwhile (:meth:`cvtex.tex.EnginePool.start`). ``pool`` (``--watch``): the
    engine pool kept across renders; after rendering one profile anew it is primed with
    the engines of the next render (:meth:`cvtex.tex.EnginePool.prime`). Without one, a
    pool of this call's own is closed before the link check. ``blind``: a blind mode
    (``--blind``): each profile's blind copy, to ``-blind`` files (:func:`cvtex.build.render_profile`)."""
    codes: list[int] = []
    rendered = []
    replayed: dict[int, object] = {}
    if cache and not (keep_tex or bilingual or png or bundle):  # unchanged inputs: replay the record, import nothing heavy
        from cvtex.build import record_options, replay

        for i, path in enumerate(profiles):
            try:
                hit = replay(Path(path), record_options(lang or None, theme, blind), output_dir)
            except OSError:
                hit = None  # the render below reports what cannot be written
            if hit is not None:
                replayed[i] = hit
    todo = [path for i, path in enumerate(profiles) if i not in replayed]
    outcomes = [replayed.get(i) for i in range(len(profiles))]
    if todo:
        from contextlib import nullcontext

        from cvtex.tex import EnginePool

        with nullcontext(pool) if pool is not None else EnginePool() as engines:
            try:
                if len(todo) == 1:  # a batch starts its engines as it goes
                    engines.start(Path(todo[0]).stem, lang or USUAL_LOCALES)
                from cvtex.build import render_batch

                with status(quiet, f"{todo[0]}: load") as show:
                    fresh = iter(render_batch(todo, jobs=jobs, output_dir=output_dir, locales=lang or None,
                                              theme=theme, keep_tex=keep_tex, timeout=timeout, cache=cache,
                                              bilingual=bilingual, png=png, bundle=bundle, blind=blind,
                                              # a batch: each render its own pool (and build
                                              # directories), closed as that profile finishes
                                              pool=engines if len(todo) == 1 else None,
                                              progress=lambda path, stage: show(f"{path}: {stage}")))
            finally:
                engines.release()
        outcomes = [outcome if outcome is not None else next(fresh) for outcome in outcomes]
    for path, outcome in zip(profiles, outcomes):
        try:
            with exit_codes(debug):
                if isinstance(outcome, BaseException):
                    raise outcome
                result = outcome
        except typer.Exit as exc:
            codes.append(exc.exit_code)
            continue
        if result.warnings and not quiet:
            print_diagnostics(result.warnings)
        if not quiet:
            print_render(path, result)
        rendered.append(result)
    if pool is not None and len(profiles) == 1 and rendered and rendered[0].sources:
        done = rendered[0]
        # every document of a locale compiles under the CV's jobname <stem>-<locale> (in one run
        # with one-run, one by one without): engines for the CVs are all the next render uses
        pool.prime(Path(done.profile).stem, {o.name: done.sources[o.name] for o in done.outputs if not o.document})
    links_failed = False
    if rendered:
        from cvtex import links

        targets = []
        policy = links.Policy()
        with exit_codes(debug):
            for result in rendered:
                policy = policy.merged(result.link_policy).merged(
                    links.load_policy(None, [result.profile.parent, Path.cwd()]))
                expected = result.links
                targets += [links.Target(o.pdf, expected[o.name]) for o in result.outputs]
                if result.bilingual is not None:  # every URL of every part
                    targets.append(links.Target(result.bilingual.pdf, [
                        link for code in result.bilingual.pages for link in expected[code]]))
                targets += [links.Target(made.pdf, [*expected[f"letter-{made.letter_id}-{made.locale}"],
                                                    *expected[made.locale]]) for made in result.bundles]
        with status(quiet, "checking links"):
            links_failed = check_links(targets, policy, offline=offline, strict=strict, report=report,
                                       max_age=max_age, quiet=quiet, debug=debug, brief=offline and not verbose)
    themes = {r.theme for r in rendered if r.theme is not None}
    if codes:  # a missing toolchain (3) says more than an invalid profile (1)
        return (EXIT_TOOLCHAIN if EXIT_TOOLCHAIN in codes else codes[0]), themes
    return (EXIT_LINKS if links_failed else 0), themes


def check_links(targets, policy, *, offline: bool, strict: bool, report: Optional[Path], max_age: float,
                quiet: bool, debug: bool, brief: bool = False) -> bool:
    """Run the link check, print the table and summary, write ``report``; True when it failed.

    ``brief`` (``render --offline``): the table has only the links that are wrong (none:
    no table), and the summary is one line, ``links: 29 in 2 PDFs, all match the
    profile; not checked online (--offline)``."""
    from cvtex import links

    cache = None if offline else links.LinkCache(max_age=max_age)
    try:
        result = links.check_links(targets, policy=policy, offline=offline, cache=cache)
    except Exception as exc:
        from pypdf.errors import (
            PdfReadError,  # imported only here: a replayed render reads no PDF
        )

        if debug or not isinstance(exc, (OSError, PdfReadError)):
            raise
        raise error(f"cannot read a PDF: {exc}") from None
    failed = result.failed(strict)
    problems = bool(result.errors or result.warnings)
    if (not quiet and not brief) or result.errors or (strict and result.warnings) or (brief and problems):
        out.print(result.table(problems_only=quiet or brief))
    if not quiet:
        out.print(f"links: {result.brief()}" if brief else f"links: {result.summary()} ({result.seconds:.1f} s)",
                  markup=False)
    if not result.cache_saved and not quiet:
        err.print(f"warning: could not write the link cache {cache.path if cache else ''}", markup=False,
                  style="yellow")
    if report is not None:
        try:
            result.write_json(report)
        except OSError as exc:
            raise error(f"cannot write {report}: {exc}", EXIT_INVALID) from None
        if not quiet:
            out.print(f"wrote {report}", markup=False)
    if failed:
        parts = [f"{len(result.errors)} link(s) broken or wrong"] if result.errors else []
        if strict and result.warnings:
            parts.append(f"{len(result.warnings)} link warning(s), which fail with --strict")
        err.print(f"error: {'; '.join(parts)}", markup=False, style="red")
    return failed
