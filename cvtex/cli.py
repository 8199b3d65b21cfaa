"""The ``cvtex`` command line (typer).

Exit codes (all commands): 0 success; 1 invalid input — a profile or theme problem,
reported as ``file:line:col: error: message``; 2 wrong usage of the command;
3 the toolchain is missing (``cvtex doctor`` says what to install).
No user error prints a Python traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode="rich",
                  help="Render CV PDFs in Korean and English from one YAML profile.")
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

EXIT_INVALID = 1
EXIT_TOOLCHAIN = 3


@contextmanager
def _user_errors(debug: bool):
    """Print a ProfileError as diagnostics (exit 1) or EngineMissing as its message (exit 3)."""
    from .diagnostics import ProfileError
    from .engine import EngineMissing

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
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Render each PROFILE to OUTPUT_DIR/<stem>-<lang>.pdf, one PDF per locale.

    Example: [bold]cvtex render cv.yaml --output-dir out --lang ko --lang en[/]
    """
    from .render import render_profile

    failed = False
    for path in profiles:
        try:
            with _user_errors(debug):
                result = render_profile(path, output_dir=output_dir, locales=lang or None, theme=theme,
                                        keep_tex=keep_tex, timeout=timeout)
        except typer.Exit:
            failed = True
            continue
        if result.warnings and not quiet:
            _print_diagnostics(result.warnings)
        if not quiet:
            for o in result.outputs:
                wide = [b for b in o.overfull if b.points > 1]
                note = f", {len(wide)} overfull line(s)" if wide else ""
                out.print(f"wrote {o.pdf} ({o.locale}, {o.bookmarks} bookmarks, XeLaTeX {o.seconds:.1f} s{note})",
                          markup=False)
    if failed:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def validate(
    profiles: list[Path] = typer.Argument(..., help="Profile YAML files."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Check profiles without running TeX: every problem, as file:line:col.

    Example: [bold]cvtex validate cv.yaml --strict[/]
    """
    from .render import load_profile

    failed = False
    for path in profiles:
        try:
            with _user_errors(debug):
                _, _, warnings = load_profile(path)
        except typer.Exit:
            failed = True
            continue
        if warnings:
            _print_diagnostics(warnings)
            failed = failed or strict
    if failed:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def doctor() -> None:
    """Show the engine, ko.TeX and fonts cvtex uses, and how to install what is missing.

    Example: [bold]cvtex doctor[/]
    """
    from .doctor import checks

    from rich.table import Table

    table = Table("component", "status", "detail")
    missing = False
    for check in checks():
        table.add_row(check.name, "[green]ok[/]" if check.ok else "[red]missing[/]", check.detail)
        missing = missing or not check.ok
    out.print(table)
    if missing:
        from .engine import INSTALL_COMMAND

        out.print(f"Install what is missing with:\n  {INSTALL_COMMAND}", markup=False)
        raise typer.Exit(EXIT_TOOLCHAIN)


def main() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    sys.exit(main())
