"""Issue 7: `cvtex render PROFILE… -j N` (several profiles at once, a cap on engine runs,
output in the order given) and a cheap `cvtex validate` (no heavy imports)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, document_run

CVTEX = [sys.executable, "-m", "cvtex"]


def most_at_once(log: Path) -> tuple[int, int]:
    """(engine runs that compiled a document, the most running at the same time)."""
    running = peak = total = 0
    for line in log.read_text(encoding="utf-8").splitlines():
        if not document_run(line):  # the engine-version probe, cvtex.tex.texdata's tables
            continue
        started = line.startswith("start ")
        running += 1 if started else -1
        total += started
        peak = max(peak, running)
    return total, peak


def copies(tmp_path: Path, names: list[str]) -> list[Path]:
    text = (ROOT / "data" / "example.yaml").read_text(encoding="utf-8")
    paths = []
    for i, name in enumerate(names):
        path = tmp_path / "profiles" / f"{name}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text.replace("Jiwoo Han", f"Jiwoo Han {i}"), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.tex
def test_jobs_render_every_profile_in_order_with_at_most_n_engines(tmp_path, engine_log):
    paths = copies(tmp_path, ["zeta", "alpha", "mid"])  # not in sorted order
    out = tmp_path / "out"
    run = subprocess.run([*CVTEX, "render", *map(str, paths), "-o", str(out), "-j", "2", "--offline"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    wrote = [line.split()[1] for line in run.stdout.splitlines() if line.startswith("wrote ")]
    assert wrote == [str(out / f"{n}-{c}.pdf") for n in ("zeta", "alpha", "mid") for c in ("en", "ko")]
    total, peak = most_at_once(engine_log)
    assert total == 6 and peak <= 2
    for name in ("zeta", "alpha", "mid"):
        assert (out / f"{name}-ko.pdf").read_bytes().startswith(b"%PDF-")
    # again: every PDF from the cache, no engine run
    run = subprocess.run([*CVTEX, "render", *map(str, paths), "-o", str(out), "-j", "2", "--offline"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count(", cached)") == 6
    assert most_at_once(engine_log)[0] == 6


@pytest.mark.tex
def test_one_invalid_profile_in_a_batch_fails_it_and_the_others_are_written(tmp_path, engine_log):
    good_a, bad, good_b = copies(tmp_path, ["a", "b", "c"])
    bad.write_text(bad.read_text(encoding="utf-8").replace("institution:", "instituton:"), encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([*CVTEX, "render", str(good_a), str(bad), str(good_b), "-o", str(out), "-j", "2",
                          "--offline", "--quiet"], capture_output=True, text=True)
    assert run.returncode == 1
    assert "instituton" in run.stderr and "Traceback" not in run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a-en.pdf", "a-ko.pdf", "c-en.pdf", "c-ko.pdf"]


def test_render_batch_keeps_order_and_returns_errors(tmp_path):
    """No TeX: every profile is invalid or missing; the results come back in order."""
    from cvtex.diagnostics import ProfileError
    from cvtex.build.pipeline import render_batch

    missing = tmp_path / "missing.yaml"
    broken = tmp_path / "broken.yaml"
    broken.write_text("locales: [en]\nheader: {nme: x}\n", encoding="utf-8")
    results = render_batch([missing, broken, missing], jobs=2, output_dir=tmp_path / "out")
    assert [type(r) for r in results] == [ProfileError] * 3
    assert "nme" in str([d.message for d in results[1].diagnostics])
    assert str(missing) in results[0].diagnostics[0].file


def test_validate_imports_no_pdf_http_or_template_library():
    """`cvtex validate` (the pre-commit path) stays cheap: no pypdf, httpx, Jinja2, pylatex,
    and on success no rich either."""
    code = ("import sys\n"
            "from cvtex.cli.commands import app\n"
            "try:\n"
            "    app(['validate', 'data/example.yaml'])\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "import json; print(json.dumps(sorted(sys.modules)))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    modules = set(json.loads(run.stdout.splitlines()[-1]))
    assert "cvtex.schema.models" in modules  # it did validate
    heavy = {"pypdf", "httpx", "httpcore", "jinja2", "cvtex.build.pdf", "cvtex.build.cache", "rich",
             "rich.console", "pylatex", "watchfiles", "pypdfium2", "PIL"}
    assert sorted(heavy & modules) == []
    # the link check: its package's public names may be looked up, but none of its modules is loaded
    assert sorted(m for m in modules if m.startswith("cvtex.links.")) == []
