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
