"""Authoring a CV: cvtex new, cvtex schema (and the committed copy), render --watch, the
progress display and --quiet, --help examples, shell completion (real subprocesses)."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from cvtex.schema import json_schema_text

from .conftest import CVTEX, DATA, EXAMPLE, ROOT, pdf_text
from .conftest import run_cvtex as run

SCHEMA = ROOT / "schema" / "profile.schema.json"


def test_committed_schema_is_current():
    """schema/profile.schema.json is what `cvtex schema` prints now; regenerate it with
    `.venv/bin/cvtex schema -o schema/profile.schema.json` when the models change."""
    printed = run("schema")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == json_schema_text()
    assert SCHEMA.read_text(encoding="utf-8") == printed.stdout, \
        "stale: run .venv/bin/cvtex schema -o schema/profile.schema.json"


def _yaml_like_an_editor(path: Path):
    """The profile as the YAML language server sees it (YAML 1.2: an unquoted 2020-06-12 is a
    string; ruamel.yaml still makes it a date, so it is turned back into its text)."""
    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value.isoformat() if isinstance(value, dt.date) else value

    return plain(YAML(typ="safe").load(path.read_text(encoding="utf-8")))


def test_schema_is_valid_and_accepts_every_data_profile():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for path in DATA:
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../schema/profile.schema.json\n"), path
        errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(_yaml_like_an_editor(path))]
        assert errors == [], path
    checked = subprocess.run([str(Path(sys.executable).with_name("check-jsonschema")), "--schemafile", str(SCHEMA),
                              *map(str, DATA)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_schema_rejects_what_editors_should_flag(tmp_path):
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    good = _yaml_like_an_editor(EXAMPLE)
    assert not list(validator.iter_errors(good))
    typo = json.loads(json.dumps(good))
    typo["header"]["headlin"] = typo["header"].pop("headline")
    bad_date = json.loads(json.dumps(good))
    bad_date["sections"][0]["entries"][0]["roles"][0]["start"] = "March 2022"
    bad_kind = json.loads(json.dumps(good))
    bad_kind["sections"][0]["kind"] = "experiense"
    for broken in (typo, bad_date, bad_kind):
        assert list(validator.iter_errors(broken))
    year_as_number = json.loads(json.dumps(good))
    year_as_number["sections"][2]["entries"][0]["date"] = 2019  # `date: 2019` unquoted, in YAML 1.2
    assert not list(validator.iter_errors(year_as_number))


def test_new_writes_a_starter_that_validates_and_renders(tmp_path):
    made = run("new", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cv.yaml", "cvtex.schema.json"]
    text = (tmp_path / "cv.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=cvtex.schema.json\n")
    assert (tmp_path / "cvtex.schema.json").read_text(encoding="utf-8") == json_schema_text()
    assert not list(jsonschema.Draft202012Validator(json.loads(json_schema_text()))
                    .iter_errors(_yaml_like_an_editor(tmp_path / "cv.yaml")))
    strict = run("validate", "cv.yaml", "--strict", cwd=tmp_path)
    assert strict.returncode == 0 and "cv.yaml: ok" in strict.stdout, strict.stderr
    rendered = run("render", "cv.yaml", "--offline", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    for code, words in (("en", "Minjun Kim"), ("ko", "김민준")):
        assert words in pdf_text(tmp_path / "out" / f"cv-{code}.pdf")


def test_new_refuses_to_overwrite_and_takes_a_name(tmp_path):
    (tmp_path / "cv.yaml").write_text("mine\n", encoding="utf-8")
    refused = run("new", cwd=tmp_path)
    assert refused.returncode == 1 and "cv.yaml exists" in refused.stderr
    assert (tmp_path / "cv.yaml").read_text(encoding="utf-8") == "mine\n"
    named = run("new", "cvs/resume.yaml", "--no-schema", cwd=tmp_path)
    assert named.returncode == 0, named.stderr
    assert sorted(p.name for p in (tmp_path / "cvs").iterdir()) == ["resume.yaml"]
    assert "cvtex render resume.yaml -o out" in (tmp_path / "cvs" / "resume.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["render", "validate", "check-links", "doctor", "new", "schema"])
def test_every_command_help_shows_an_example(command):
    result = run(command, "--help", env=dict(os.environ, COLUMNS="200", TERM="dumb"))
    assert result.returncode == 0, result.stderr
    assert f"Example: cvtex {command}" in " ".join(result.stdout.split()), result.stdout


def test_shell_completion_installs_and_completes(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), SHELL="/bin/bash", PATH=f"{Path(CVTEX).parent}:{os.environ['PATH']}")
    installed = run("--install-completion", "bash", env=env)
    assert installed.returncode == 0, installed.stderr
    script = tmp_path / ".bash_completions" / "cvtex.sh"
    assert script.is_file()
    completed = subprocess.run(["bash", "-c", f'source "{script}"; COMP_WORDS=(cvtex re); COMP_CWORD=1; '
                                '_cvtex_completion cvtex; echo "${COMPREPLY[@]}"'],
                               capture_output=True, text=True, env=env, timeout=60)
    assert completed.stdout.split() == ["render"], completed.stderr


def test_render_prints_stage_times_and_quiet_prints_nothing(tmp_path):
    loud = run("render", str(EXAMPLE), "-o", str(tmp_path / "a"), "--offline")
    assert loud.returncode == 0, loud.stderr
    line = next(line for line in loud.stdout.splitlines() if line.startswith(f"{EXAMPLE}: "))
    for stage in ("load ", "template ", "compile ", "(en ", ", ko ", "finish "):
        assert stage in line, line
    assert "links: " in loud.stdout
    quiet = run("render", str(EXAMPLE), "-o", str(tmp_path / "b"), "--offline", "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["example-en.pdf", "example-ko.pdf"]


def test_progress_shows_stage_and_language_on_a_terminal(tmp_path):
    master, slave = pty.openpty()
    # --no-cache: a compile to watch (from the build cache, an earlier test's render, the stage
    # can end before the spinner draws its first frame)
    proc = subprocess.Popen([CVTEX, "render", str(EXAMPLE), "-o", str(tmp_path), "--offline", "--no-cache"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave,
                            env=dict(os.environ, TERM="xterm", COLUMNS="120"))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=300) == 0
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "compile en, ko" in shown and str(EXAMPLE) in shown


def _wait_for(predicate, what: str, proc: subprocess.Popen, limit: float = 180.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        assert proc.poll() is None, f"cvtex --watch exited ({proc.returncode}) while waiting for {what}"
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_watch_rerenders_on_save_and_survives_a_broken_save(tmp_path):
    profile = tmp_path / "cv.yaml"
    good = EXAMPLE.read_text(encoding="utf-8")
    profile.write_text(good, encoding="utf-8")
    out_dir = tmp_path / "out"
    pdf = out_dir / "cv-en.pdf"
    log_out, log_err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with open(log_out, "w") as so, open(log_err, "w") as se:
        proc = subprocess.Popen([CVTEX, "render", str(profile), "-o", str(out_dir), "--offline", "--watch"],
                                stdin=subprocess.DEVNULL, stdout=so, stderr=se, start_new_session=True)

    def err() -> str:
        return log_err.read_text(encoding="utf-8")

    try:
        _wait_for(lambda: "watching" in err() and pdf.exists(), "the first render", proc)
        first = pdf.read_bytes()
        assert "Jiwoo Han" in pdf_text(pdf)

        profile.write_text(good.replace("institution:", "instituton:"), encoding="utf-8")
        _wait_for(lambda: "render failed" in err(), "the error of the broken save", proc)
        line = 1 + good[:good.index("institution:")].count("\n")
        assert f"cv.yaml:{line}:" in err() and "unknown field 'instituton'" in err()
        assert pdf.read_bytes() == first  # a failed render keeps the last good PDF

        profile.write_text(good.replace("Jiwoo Han", "Seoyeon Park"), encoding="utf-8")
        _wait_for(lambda: pdf.read_bytes() != first and "Seoyeon Park" in pdf_text(pdf), "the re-render", proc)
        _wait_for(lambda: err().count("watching") >= 1 and "done; watching" in err(), "watching again", proc)
        assert "changed: cv.yaml" in err()
        assert log_out.read_text(encoding="utf-8").count(f"{profile}: load ") == 2  # stage times, per render
        assert "read ahead" not in log_out.read_text(encoding="utf-8")  # the name is in the preamble's footer

        # a save that leaves the preamble as it was: the engines waiting since the last
        # render have read it already and compile only the body
        second = pdf.read_bytes()
        profile.write_text(good.replace("Jiwoo Han", "Seoyeon Park").replace("twelve services", "twenty services")
                           .replace("4시간에서 15분으로", "4시간에서 10분으로"), encoding="utf-8")
        _wait_for(lambda: pdf.read_bytes() != second and "twenty services" in pdf_text(pdf), "the body edit", proc)
        _wait_for(lambda: err().count("done; watching") >= 2, "watching after the body edit", proc)
        assert log_out.read_text(encoding="utf-8").count("after the preamble, read ahead") == 2  # en and ko
        assert proc.poll() is None
        waiting = [int(pid) for pid in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
        assert len(waiting) == 2  # the engines primed for the next save
        build_dirs = [Path(os.readlink(f"/proc/{pid}/cwd")) for pid in waiting]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    deadline = time.monotonic() + 30  # SIGTERM stops them and removes their directories
    while any(Path(f"/proc/{pid}").exists() for pid in waiting) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in waiting)
    assert not any(d.exists() for d in build_dirs)
