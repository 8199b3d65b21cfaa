"""``cvtex validate`` as a user runs it (real subprocesses): broken profiles and the exact
transcript each gives — messages, lines, columns, carets, field paths, exit status —
locked in ``tests/fixtures/validate/<name>.expected``.

A profile whose first line is ``# args: …`` is validated with those extra arguments.
After an intended change of the messages, regenerate the transcripts with
``CVTEX_UPDATE_FIXTURES=1 .venv/bin/pytest tests/test_validate_cli.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

CVTEX = str(Path(sys.executable).with_name("cvtex"))
FIXTURES = ROOT / "tests" / "fixtures" / "validate"
CASES = sorted(FIXTURES.glob("*.yaml"))
#: Plain output whatever the terminal: no colours, no wrapping.
ENV = dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="300")


def cvtex(*args: str, cwd: Path = FIXTURES, env: dict[str, str] = ENV) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CVTEX, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def transcript(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    extra = first[len("# args:"):].split() if first.startswith("# args:") else []
    args = ["validate", *extra, path.name]
    result = cvtex(*args)
    return (f"$ cvtex {' '.join(args)}\nexit {result.returncode}\n--- stdout\n{result.stdout}"
            f"--- stderr\n{result.stderr}")


def test_there_are_fixtures():
    assert len(CASES) >= 15


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_validate_transcript_is_locked(path):
    actual = transcript(path)
    expected = path.with_suffix(".expected")
    if os.environ.get("CVTEX_UPDATE_FIXTURES"):
        expected.write_text(actual, encoding="utf-8")
    assert "Traceback" not in actual
    assert actual == expected.read_text(encoding="utf-8")


def test_every_message_has_the_gnu_form_and_a_caret_under_its_column():
    """Every ``file:line:col: severity: message`` is followed by that line of the file and
    a caret under the column (wide Hangul counts as two cells; tabs stay tabs)."""
    checked = 0
    for expected in FIXTURES.glob("*.expected"):
        lines = expected.read_text(encoding="utf-8").splitlines()
        source = Path(expected.with_suffix(".yaml")).read_bytes().decode("utf-8", "replace")
        source_lines = re.split(r"\r\n|\r|\n", source)
        for i, line in enumerate(lines):
            m = re.match(r"^([\w.-]+\.yaml):(\d+):(\d+): (error|warning): ", line)
            if not m:
                continue
            number, column = int(m.group(2)), int(m.group(3))
            if not source_lines[number - 1]:
                continue  # nothing to show for an empty line
            gutter, caret = lines[i + 1], lines[i + 2]
            assert gutter.startswith(f"{number:>5} | "), (expected.name, line)
            assert caret.endswith("^") and caret.startswith("      | "), (expected.name, line)
            prefix = source_lines[number - 1][:column - 1]
            cells = sum(1 if c == "\t" else 2 if "\uac00" <= c <= "\ud7a3" or "\u3131" <= c <= "\u318e" else 1
                        for c in prefix)
            assert len(caret) - len("      | ") - 1 == cells, (expected.name, line)
            checked += 1
    assert checked >= 50


def test_the_new_user_gets_three_precise_errors():
    """The issue's acceptance run: a typo'd key, a wrong date and a '%' in a URL."""
    result = cvtex("validate", "new-user.yaml")
    assert result.returncode == 1
    heads = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert heads == [
        "new-user.yaml:5:3: error: unknown field 'emials' (did you mean 'emails'?)",
        "new-user.yaml:10:14: error: '%' in 'https://example.com/growth-100%' does not start a percent-encoded "
        "byte such as %20 (RFC 3986 §2.1); write a literal percent sign as %25",
        "new-user.yaml:13:20: error: '2021-13' is not a valid date: month must be in 1..12",
    ]
    assert "      field: sections[0].entries[0].roles[0].start" in result.stderr


def test_several_profiles_are_all_checked_and_any_error_fails(tmp_path):
    example = ROOT / "data" / "example.yaml"
    result = cvtex("validate", "new-user.yaml", str(example), "duplicate-key.yaml")
    assert result.returncode == 1
    assert f"{example}: ok" in result.stdout
    assert "new-user.yaml:5:3: error" in result.stderr and "duplicate-key.yaml:5:3: error" in result.stderr


def test_a_missing_file_or_a_directory_is_a_clear_error(tmp_path):
    result = cvtex("validate", "no-such-profile.yaml", str(tmp_path))
    assert result.returncode == 1
    assert "no-such-profile.yaml: error: cannot read file: No such file or directory" in result.stderr
    assert f"{tmp_path}: error: cannot read file: Is a directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_needs_no_tex(tmp_path):
    """The pre-commit path: with only the virtual environment on PATH (no xelatex, no
    fc-list) the schema is still checked; the glyph check cannot run, and validate says so
    and what to install (a warning: --strict refuses it)."""
    env = dict(ENV, PATH=str(Path(sys.executable).parent))
    ok = cvtex("validate", str(ROOT / "data" / "example.yaml"), env=env)
    assert ok.returncode == 0
    assert ok.stderr.count(": warning: ") == 1
    assert ("example.yaml: warning: characters not checked against the theme's fonts: fontconfig's fc-list is not "
            "installed" in ok.stderr and "apt-get install fontconfig" in ok.stderr)
    strict = cvtex("validate", "--strict", str(ROOT / "data" / "example.yaml"), env=env)
    assert strict.returncode == 1 and "error: characters not checked" in strict.stderr
    broken = cvtex("validate", "new-user.yaml", env=env)
    assert broken.returncode == 1 and broken.stderr.count(": error: ") == 3


def test_debug_shows_the_traceback_a_user_error_otherwise_hides():
    result = cvtex("validate", "--debug", "new-user.yaml")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "ProfileError" in result.stderr
