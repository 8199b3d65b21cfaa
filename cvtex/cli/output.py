"""What the command line prints (its help text too), and how cvtex's errors become exit codes.

Exit codes (all commands): :data:`EXIT_INVALID` 1 invalid input — a profile or theme
problem, reported as ``file:line:col: error: message``, or a file that cannot be written;
:data:`EXIT_USAGE` 2 wrong usage of the command; :data:`EXIT_TOOLCHAIN` 3 the toolchain is
missing (``cvtex doctor`` says what to install); :data:`EXIT_LINKS` 4 a link in a PDF is
broken or structurally wrong. :func:`exit_codes` is the one place that maps an error to
its code. rich is imported on first print (:class:`_Console`).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperCommand  # the usage line of every command (_Command)

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_TOOLCHAIN = 3
EXIT_LINKS = 4


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


def error(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    """Print ``error: message`` on stderr, in red; the :class:`typer.Exit` to raise with ``code``."""
    err.print(f"error: {message}", markup=False, style="red")
    return typer.Exit(code)


@contextmanager
def exit_codes(debug: bool = False, *, writing: Path | str | None = None, name_from_error: bool = False,
               messages: tuple[type[Exception], ...] = ()):
    """Turn cvtex's errors raised inside the block into what the user sees and an exit code
    (:class:`typer.Exit`):

    * :class:`~cvtex.diagnostics.ProfileError` — its diagnostics (:func:`print_diagnostics`), exit 1;
    * :class:`~cvtex.tex.EngineMissing` — ``error: <what to install>``, exit 3;
    * an exception of a class in ``messages`` (e.g. an unreadable JSON Resume) —
      ``error: <message>``, exit 1;
    * with ``writing`` (the file the block writes), ``OSError`` — ``error: cannot write
      <file>: <reason>``, exit 1; ``name_from_error``: the file the error names, when it
      names one (a parent directory that could not be made).

    With ``debug`` the first three are raised as they are (a traceback)."""
    from cvtex.diagnostics import ProfileError
    from cvtex.tex import EngineMissing

    try:
        yield
    except ProfileError as exc:
        if debug:
            raise
        print_diagnostics(exc.diagnostics)
        raise typer.Exit(EXIT_INVALID) from None
    except EngineMissing as exc:
        if debug:
            raise
        raise error(str(exc), EXIT_TOOLCHAIN) from None
    except OSError as exc:
        if writing is None:
            raise
        shown = (exc.filename if name_from_error else None) or writing
        raise error(f"cannot write {shown}: {exc.strerror or exc}") from None
    except messages as exc:
        if debug:
            raise
        raise error(str(exc)) from None


def print_diagnostics(diagnostics) -> None:
    """Each diagnostic on stderr (errors red, warnings yellow), then the counts."""
    for d in diagnostics:
        err.print(d.format(), markup=False, style="red" if d.severity == "error" else "yellow")
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    if errors or warnings:
        err.print(f"{errors} error(s), {warnings} warning(s)", markup=False)


@contextmanager
def status(quiet: bool, text: str):
    """A spinner on stderr with ``text`` (update it through the yielded callable); only
    when stderr is a terminal and not ``quiet``."""
    if quiet or not err.is_terminal:
        yield lambda _text: None
        return
    with err.status(text) as spinner:
        yield lambda new: spinner.update(new)


def print_render(path: Path, result) -> None:
    """What a render wrote (a :class:`cvtex.build.results.Result`): each PDF with its
    bookmarks and how it was made, the notes of speed paths that failed, the bilingual
    PDF, the application bundles, the previews, and the seconds each stage took (:func:`timings`)."""
    for o in result.outputs:
        wide = [b for b in o.overfull if b.points > 1]
        note = f", {len(wide)} overfull line(s)" if wide else ""
        how = "cached" if o.cached else f"XeLaTeX {o.seconds:.1f} s" + (" after the preamble, read ahead"
                                                                        if o.primed else "")
        what = (f"{o.locale}, letter {o.document[len('letter-'):]}" if o.document.startswith("letter-")
                else f"{o.locale}, {o.document}" if o.document else o.locale)
        out.print(f"wrote {o.pdf} ({what}, {o.bookmarks} bookmarks, {how}{note})", markup=False)
        if o.fallback:
            out.print(f"note: {o.fallback}; they stay off for this run (cvtex doctor lists the speed paths)",
                      markup=False)
    if result.bilingual is not None:
        both = result.bilingual
        pages = " + ".join(f"{code} {n}" for code, n in both.pages.items())
        out.print(f"wrote {both.pdf} ({pages} pages, {both.bookmarks} bookmarks)", markup=False)
    for made in result.bundles:
        pages = " + ".join(f"{'CV' if part == 'cv' else part} {n} p." for part, n in made.pages.items())
        out.print(f"wrote {made.pdf} ({made.locale}: {pages}, {made.bookmarks} bookmarks)", markup=False)
    for item in [*result.outputs, *([result.bilingual] if result.bilingual else []), *result.bundles]:
        if item.png is not None:
            out.print(f"wrote {item.png}", markup=False)
    out.print(f"{path}: {timings(result)}", markup=False)


def timings(result) -> str:
    """``load 0.1 s · template 0.0 s · compile 1.6 s (en 1.5 s, ko 1.6 s) · finish 0.1 s``."""
    t = result.timings
    per_locale = ", ".join(f"{o.name} {'cached' if o.cached else f'{o.seconds:.1f} s'}" for o in result.outputs)
    parts = [f"load {t.get('load', 0):.1f} s", f"template {t.get('template', 0):.1f} s",
             f"compile {t.get('compile', 0):.1f} s ({per_locale})", f"finish {t.get('finish', 0):.1f} s"]
    if "preview" in t:
        parts.append(f"preview {t['preview']:.1f} s")
    return " · ".join(parts)


def emit(text: str, output: Optional[Path]) -> bool:
    """Write ``text`` to ``output``, or to standard output when it is None (returns False);
    an unwritable file is exit 1 with the reason."""
    if output is None:
        sys.stdout.write(text)
        return False
    with exit_codes(writing=output):
        output.write_text(text, encoding="utf-8")
    return True


def help_paragraphs(text: str) -> str:
    """A docstring as help text for typer's rich formatter: paragraphs (separated by a
    blank line), each one line, so that rich wraps them to the terminal's width. typer
    keeps a paragraph's line breaks in rich markup mode (in a command's description
    after the first paragraph, and in the first paragraph where ``cvtex --help`` lists
    the commands), so a hard-wrapped docstring would print its breaks where the source
    has them and leave orphaned words at any other width."""
    import inspect

    return "\n\n".join(" ".join(paragraph.split()) for paragraph in inspect.cleandoc(text).split("\n\n"))


class _Command(TyperCommand):
    """A command whose usage line names its arguments as their help does: ``PROFILE...``,
    ``[FILE]`` (typer would write a required argument as ``{PROFILE...}``)."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument" and param.metavar:
                pieces.append(param.metavar if param.required else f"[{param.metavar}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


def prepare_help(*apps: typer.Typer) -> None:
    """Every command of ``apps``: help text as :func:`help_paragraphs` of its docstring, and
    the usage line of :class:`_Command`."""
    for commands in apps:
        for info in commands.registered_commands:
            info.help = help_paragraphs(info.help or (info.callback.__doc__ if info.callback else "") or "")
            info.cls = _Command
