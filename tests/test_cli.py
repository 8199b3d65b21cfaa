"""The cvtex command as a user runs it (real subprocesses, real XeLaTeX)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import EXAMPLE, pdf_text, run_cvtex

run = run_cvtex
#: Plain output whatever the terminal: no colours, no wrapping.
PLAIN = dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="300")


def test_render_one_language_with_keep_tex_compiles_standalone_with_latexmk(tmp_path):
    result = run("render", str(EXAMPLE), "--output-dir", str(tmp_path), "--lang", "ko", "--keep-tex", "--offline")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example-ko.pdf", "example-ko.tex"]
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(tmp_path / "example-ko.tex", alone)
    latexmk = subprocess.run(["latexmk", "-norc", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error",
                              "example-ko.tex"], cwd=alone, capture_output=True, text=True, timeout=300)
    assert latexmk.returncode == 0, latexmk.stdout[-2000:]
    assert "한지우" in pdf_text(alone / "example-ko.pdf")
    assert pdf_text(alone / "example-ko.pdf").split() == pdf_text(tmp_path / "example-ko.pdf").split()


def test_render_without_toolchain_says_what_to_install(tmp_path):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))  # the venv only: no xelatex
    result = run("render", str(EXAMPLE), "--output-dir", str(tmp_path), "--offline", env=env)
    assert result.returncode == 3
    assert "apt-get install" in result.stderr and "texlive-xetex" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []


def test_render_without_fc_list_is_a_missing_dependency(tmp_path):
    """TeX is there but fontconfig's fc-list is not (a minimal system: libfontconfig comes
    with XeTeX, the fc-list program does not): exit 3 naming the package, no PDF, not a
    render whose glyph check was quietly skipped."""
    bin_dir = tmp_path / "bin"  # every program on PATH but fontconfig's
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        for tool in Path(folder).glob("*") if Path(folder).is_dir() else ():
            if not tool.name.startswith("fc-") and not (bin_dir / tool.name).exists():
                (bin_dir / tool.name).symlink_to(tool)
    assert shutil.which("xelatex", path=str(bin_dir)) and not shutil.which("fc-list", path=str(bin_dir))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{bin_dir}")
    result = run("render", str(EXAMPLE), "--output-dir", str(tmp_path / "out"), "--offline", env=env)
    assert result.returncode == 3, result.stderr
    assert "fc-list is not installed" in result.stderr and "apt-get install fontconfig" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()


def test_invalid_profile_exits_1_with_diagnostics_and_no_traceback(tmp_path):
    broken = tmp_path / "cv.yaml"
    broken.write_text(EXAMPLE.read_text(encoding="utf-8").replace("institution:", "instituton:"), encoding="utf-8")
    result = run("render", str(broken), "--output-dir", str(tmp_path / "out"), "--offline")
    assert result.returncode == 1
    assert "error: unknown field 'instituton' (did you mean 'institution'?)" in result.stderr
    assert "cv.yaml:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_doctor_reports_the_toolchain():
    result = run("doctor")
    assert result.returncode == 0, result.stdout
    for component in ("XeLaTeX", "kotex.sty", "xetexko.sty", "Noto Serif CJK KR"):
        assert component in result.stdout
    assert "missing" not in result.stdout


def test_pdf_title_and_language_from_the_cli(tmp_path):
    assert run("render", str(EXAMPLE), "-o", str(tmp_path), "--offline").returncode == 0
    titles = {PdfReader(tmp_path / f"example-{c}.pdf").metadata.title for c in ("en", "ko")}
    assert len(titles) == 2 and any(t.endswith("이력서") for t in titles)


def _engines_running(stem: str) -> list[str]:
    """Command lines of running processes that compile ``<stem>-…`` (from /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg.startswith(f"-jobname={stem}-".encode()) for arg in args):
            found.append(b" ".join(args).decode(errors="replace"))
    return found


@pytest.mark.parametrize("valid", [True, False])
def test_render_leaves_no_engine_and_no_build_directory_behind(tmp_path, valid):
    """`cvtex render` of one profile starts en and ko engines before reading it; the ones it
    does not use (here: ko, for a profile with English only; both, for an invalid one) are
    stopped and removed."""
    import tempfile
    import uuid

    stem = f"cv{uuid.uuid4().hex[:8]}"
    profile = tmp_path / f"{stem}.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count("locales: [en, ko]") == 1
    text = text.replace("locales: [en, ko]", "locales: [en]")
    profile.write_text(text if valid else text.replace("institution:", "instituton:"), encoding="utf-8")
    before = set(Path(tempfile.gettempdir()).glob("cvtex-engines-*"))
    result = run("render", str(profile), "--output-dir", str(tmp_path / "out"), "--offline")
    assert result.returncode == (0 if valid else 1), result.stderr
    assert (tmp_path / "out" / f"{stem}-en.pdf").is_file() == valid
    assert _engines_running(stem) == []
    assert set(Path(tempfile.gettempdir()).glob("cvtex-engines-*")) == before


# ------------------------------------------------------------------ version, -h, --help for rich


def test_version_and_short_version_print_only_the_version():
    from cvtex import __version__

    for flag in ("--version", "-V"):
        result = run(flag)
        assert (result.returncode, result.stdout, result.stderr) == (0, f"cvtex {__version__}\n", ""), flag


def _command_docs() -> list[tuple[list[str], str]]:
    """``(argv, help as written)`` for the app, every command and every command group,
    read from the app's registrations (a new command is covered without a change here)."""
    from cvtex.cli.commands import app

    found = [([], app.info.help)]

    def walk(typer_app, prefix: list[str]) -> None:
        for info in typer_app.registered_commands:
            name = info.name or info.callback.__name__.replace("_", "-")
            found.append(([*prefix, name], info.callback.__doc__))
        for group in typer_app.registered_groups:
            found.append(([*prefix, group.name], group.typer_instance.info.help))
            walk(group.typer_instance, [*prefix, group.name])

    walk(app, [])
    return found


def test_every_command_and_group_is_covered_by_the_help_checks():
    names = {" ".join(argv) for argv, _ in _command_docs()}
    assert {"", "render", "check-links", "validate", "doctor", "themes", "theme", "theme new", "new", "schema",
            "import", "export"} <= names


@pytest.mark.parametrize("argv", [argv for argv, _ in _command_docs()], ids=lambda a: " ".join(a) or "cvtex")
def test_h_is_help(argv):
    env = dict(os.environ, COLUMNS="100", TERM="dumb", NO_COLOR="1")
    short, long = run(*argv, "-h", env=env), run(*argv, "--help", env=env)
    assert short.returncode == 0 and long.returncode == 0, short.stderr
    assert short.stdout == long.stdout and "Usage: cvtex" in short.stdout


def _paragraphs_of(doc: str) -> list[str]:
    """A docstring's paragraphs as rich prints them: one line each, markup removed."""
    import inspect

    from rich.text import Text

    return [Text.from_markup(" ".join(p.split())).plain for p in inspect.cleandoc(doc).split("\n\n")]


def _help_problems(output: str, doc: str, width: int, listed: dict[str, str]) -> list[str]:
    """What is wrong with one ``--help`` screen rendered ``width`` columns wide:

    * the description above the panels must be the docstring's paragraphs, in order,
      each re-flowed by rich: a line ends only where the next word would not have fit
      (the text is ``width - 2`` columns wide, after one column of padding);
    * in every panel (commands, arguments, options) each cell of help text is re-flowed
      too: a line of a cell ends only where the next word would not have fit before
      the panel's right edge (``width - 2``, a space before the border), except before
      typer's own ``[default: …]``/``[required]`` lines;
    * the commands panel shows each command's first paragraph (``listed``: name -> it).

    A hard-wrapped docstring fails the first check: its line breaks stay where the
    source has them, so a line ends before a word that would have fitted."""
    from rich.cells import cell_len

    problems = []
    lines = output.splitlines()
    first_panel = next((i for i, line in enumerate(lines) if line.startswith("╭")), len(lines))
    blocks, block = [], []
    for line in lines[:first_panel]:
        if line.strip():
            block.append(line.strip())
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    blocks = [b for b in blocks if not b[0].startswith("Usage:")]
    expected = _paragraphs_of(doc)
    if [" ".join(b) for b in blocks] != expected:
        problems.append(f"description {[' '.join(b) for b in blocks]!r} is not the docstring {expected!r}")
    for b in blocks:
        for this, after in zip(b, b[1:]):
            if cell_len(this) + 1 + cell_len(after.split()[0]) <= width - 2:
                problems.append(f"description line ends early: {this!r} / {after!r}")

    panel: list[str] = []
    for line in lines[first_panel:]:
        if line.startswith("╭"):
            panel = []
        elif line.startswith("╰"):
            problems += _panel_problems(panel, width, listed)
        elif line.startswith("│"):
            panel.append(line)
    return problems


def _panel_problems(panel: list[str], width: int, listed: dict[str, str]) -> list[str]:
    from rich.cells import cell_len

    def indent(line: str) -> int:
        return len(line) - len(line[1:].lstrip()) - 0

    continuation = [indent(line) for line in panel if indent(line) > 4]
    if not continuation:
        return []
    column = min(continuation)  # where the help text starts in every row
    rows: list[tuple[str, list[str]]] = []
    for line in panel:
        head, text = line[1:column].strip(), line[column:].rstrip().rstrip("│").rstrip()
        if head or not rows:
            rows.append((head, [text] if text else []))
        elif text:
            rows[-1][1].append(text)
    problems = []
    for head, texts in rows:
        for this, after in zip(texts, texts[1:]):
            if after.startswith(("[default:", "[required]", "[env var:")):
                continue
            if column + cell_len(this) + 1 + cell_len(after.split()[0]) <= width - 2:
                problems.append(f"panel line ends early: {this!r} / {after!r}")
        name = head.split()[0] if head else ""
        if name in listed and " ".join(texts) != listed[name]:
            problems.append(f"the command list shows {' '.join(texts)!r} for {name}, not {listed[name]!r}")
    return problems


@pytest.mark.parametrize("width", [80, 120])
def test_help_is_reflowed_by_rich_at_80_and_120_columns(width):
    """Every --help screen, as a terminal of that width shows it (a real process with
    COLUMNS and TERM set): no line of a paragraph ends before a word that would have
    fitted (the orphaned words a hard-wrapped docstring leaves), and the text is the
    docstring's."""
    docs = _command_docs()
    env = dict(os.environ, COLUMNS=str(width), TERM="xterm", NO_COLOR="1")
    problems = []
    for argv, doc in docs:
        listed = {a[-1]: _paragraphs_of(d)[0] for a, d in docs if a and a[:-1] == argv}
        result = run(*argv, "--help", env=env)
        assert result.returncode == 0, result.stderr
        assert max(map(len, result.stdout.splitlines())) <= width
        problems += [f"cvtex {' '.join(argv)} --help: {p}" for p in _help_problems(result.stdout, doc, width, listed)]
    assert problems == []


HARD_WRAPPED = """Render each PROFILE to OUTPUT_DIR/<stem>-<lang>.pdf, one PDF per locale,
    then check every link in the PDFs.

    Prints the seconds each stage took (load + validate, template, compile
    per locale, finish, links); --quiet prints errors only (for CI), and
    --offline skips the requests.

    Example: [bold]cvtex render cv.yaml --offline[/]
    """


@pytest.mark.parametrize("width", [80, 120])
def test_help_check_fails_on_a_hard_wrapped_docstring(width):
    """The check above can fail: a command whose docstring is hard-wrapped, shown by
    typer's rich formatter as cvtex's are (in-process, COLUMNS set), is reported; the
    same docstring through :func:`cvtex.cli.output.help_paragraphs` (what cvtex does
    with every command's docstring) is not."""
    import typer
    from typer.testing import CliRunner

    from cvtex.cli.output import help_paragraphs

    def screen(help_text: str) -> str:
        demo = typer.Typer(rich_markup_mode="rich")
        demo.command("render", help=help_text)(lambda: None)
        demo.command("other")(lambda: None)  # two commands: "render" is a subcommand, as in cvtex
        result = CliRunner().invoke(demo, ["render", "--help"],
                                    env={"COLUMNS": str(width), "TERM": "xterm", "NO_COLOR": "1"})
        assert result.exit_code == 0, result.output
        return result.output

    assert _help_problems(screen(HARD_WRAPPED), HARD_WRAPPED, width, {}), screen(HARD_WRAPPED)
    assert _help_problems(screen(help_paragraphs(HARD_WRAPPED)), HARD_WRAPPED, width, {}) == []


def test_placeholders_are_words_not_typer_internals():
    env = dict(os.environ, COLUMNS="120", TERM="dumb", NO_COLOR="1")
    for argv, _ in _command_docs():
        shown = run(*argv, "--help", env=env).stdout
        usage = next(line for line in shown.splitlines() if "Usage:" in line)
        assert "{" not in usage and "}" not in usage, usage
        assert "<int range>" not in shown and "[x>=" not in shown and "<str>" not in shown, argv
        assert "<float>" not in shown, argv
    assert "cvtex render [OPTIONS] PROFILE..." in run("render", "--help", env=env).stdout
    jobs = run("render", EXAMPLE.name, "--jobs", "0", env=env)
    assert jobs.returncode == 2 and "0 is not 1 or more" in jobs.stderr


# ------------------------------------------------------------------ messages


def test_unknown_theme_lists_the_themes_at_the_option_not_at_an_internal_path(tmp_path):
    """exit 2 (a usage error: the command line named it), the built-in themes listed, no
    path inside cvtex's installation."""
    from cvtex.theme import builtin_themes, themes_root

    for argv in (["validate", str(EXAMPLE), "--theme", "classc"],
                 ["render", str(EXAMPLE), "--theme", "classc", "-o", str(tmp_path / "out"), "--offline"],
                 ["theme", "new", str(tmp_path / "mine"), "--from", "classc"]):
        result = run(*argv, env=PLAIN)
        assert result.returncode == 2, (argv, result.stderr)
        said = " ".join(result.stderr.replace("│", " ").split())
        assert "no theme 'classc' (did you mean 'classic'?)" in said, said
        assert f"the built-in themes are {', '.join(builtin_themes())}" in said, said
        assert str(themes_root()) not in result.stderr and "site-packages" not in result.stderr
        assert ("'--from'" if "new" in argv else "'--theme'") in said
    assert not (tmp_path / "out").exists() and not (tmp_path / "mine").exists()
    from cvtex.diagnostics import ProfileError
    from cvtex.theme import load_theme

    with pytest.raises(ProfileError) as raised:
        load_theme("classc")
    assert raised.value.diagnostics[0].file == "classc"


JSON_RESUME = Path(__file__).parent / "fixtures" / "jsonresume" / "sample.resume.json"


@pytest.mark.parametrize("command", ["validate", "render"])
def test_a_json_resume_gets_one_error_that_says_to_import_it(tmp_path, command):
    source = tmp_path / "my resume.json"
    shutil.copy(JSON_RESUME, source)
    extra = ["-o", str(tmp_path / "out"), "--offline"] if command == "render" else []
    result = run(command, source.name, *extra, cwd=tmp_path, env=PLAIN)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == ["my resume.json:1:1: error: this looks like a JSON Resume file (top-level basics, work, "
                      "volunteer; a cvtex profile has header and sections): run `cvtex import 'my resume.json'`"]
    assert "1 error(s), 0 warning(s)" in result.stderr and not (tmp_path / "out").exists()
    imported = run("import", source.name, cwd=tmp_path, env=PLAIN)  # the command it names works
    assert imported.returncode == 0, imported.stderr


def test_a_profile_with_a_stray_json_resume_key_is_not_taken_for_one(tmp_path):
    profile = tmp_path / "cv.yaml"
    profile.write_text(EXAMPLE.read_text(encoding="utf-8") + "work: [x]\nbasics: {}\n", encoding="utf-8")
    result = run("validate", str(profile), env=PLAIN)
    assert result.returncode == 1
    assert "JSON Resume" not in result.stderr and "unknown field 'work'" in result.stderr



# ------------------------------------------------------------------ cvtex new


def test_new_takes_a_name_and_refuses_a_file_without_a_yaml_extension(tmp_path):
    refused = run("new", "Hong Gildong", cwd=tmp_path, env=PLAIN)
    assert refused.returncode == 2
    assert refused.stderr == ("error: 'Hong Gildong' has no .yaml extension; did you mean "
                              "`cvtex new cv.yaml --name \"Hong Gildong\"`?\n")
    resume = run("new", "resume", cwd=tmp_path, env=PLAIN)
    assert resume.returncode == 2 and "did you mean `cvtex new resume.yaml`?" in resume.stderr
    assert list(tmp_path.iterdir()) == []

    made = run("new", "cv.yaml", "--name", "Hong Gildong", "--no-schema", cwd=tmp_path, env=PLAIN)
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "cv.yaml").read_text(encoding="utf-8")
    assert '\n  name: "Hong Gildong"\n' in text and "Minjun Kim" not in text.split("headline:")[0]
    korean = run("new", "ko.yml", "-n", 'Kim "Jay" 김민준: #1', "--no-schema", cwd=tmp_path, env=PLAIN)
    assert korean.returncode == 0, korean.stderr
    from cvtex.build import load_profile

    for path, name in ((tmp_path / "cv.yaml", "Hong Gildong"), (tmp_path / "ko.yml", 'Kim "Jay" 김민준: #1')):
        _, profile, _ = load_profile(path, check_glyphs=False)
        assert profile.header.name.get("en") == profile.header.name.get("ko") == name
