"""Other systems and a missing toolchain: what to install where (os-release read from files
in tmp_path, real parsing), a missing font or LaTeX package as exit 3 with the command for
this system (fonts hidden from the real fontconfig by a configuration of its own, never a
mock), ``cvtex doctor``'s versions and its piped output, the TeX Live package table
against the files XeLaTeX really reads, and the plain engine path of systems without the
speed paths' capabilities, forced here with ``CVTEX_PLATFORM_LACKS``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cvtex import tex
from cvtex import theme as template
from cvtex.cli import doctor
from cvtex.tex import EnginePool, speed, toolchain

from .conftest import EXAMPLE, PLAIN_ENV, pdf_text, run_cvtex, squash

OS_RELEASES = {
    "debian": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
    "ubuntu": 'NAME="Ubuntu"\nVERSION="24.04 LTS (Noble Numbat)"\nID=ubuntu\nID_LIKE=debian\n'
              'PRETTY_NAME="Ubuntu 24.04 LTS"\n',
    "fedora": "NAME=\"Fedora Linux\"\nVERSION=\"40 (Workstation Edition)\"\nID=fedora\nVERSION_ID=40\n"
              "PRETTY_NAME=\"Fedora Linux 40 (Workstation Edition)\"\n",
    "rocky": 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n',
    "arch": 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n',
    "manjaro": "NAME=\"Manjaro Linux\"\nID=manjaro\nID_LIKE=arch\nPRETTY_NAME='Manjaro Linux'\n",
    "alpine": 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine Linux v3.20"\n',
}
#: The key :func:`cvtex.tex.detect_platform` gives each of :data:`OS_RELEASES`.
EXPECTED = {"debian": "debian", "ubuntu": "debian", "fedora": "fedora", "rocky": "fedora", "arch": "arch",
            "manjaro": "arch", "alpine": "texlive"}
CJK = ("Noto Serif CJK KR", "Noto Sans CJK KR")


def os_release(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"os-release-{name}"
    path.write_text(OS_RELEASES[name], encoding="utf-8")
    return path


def fonts_without_cjk(tmp_path: Path) -> Path:
    """A fontconfig configuration with every font directory of this machine except the ones
    holding Noto CJK: the real fontconfig (and XeTeX, which reads ``FONTCONFIG_FILE`` too)
    then has every font the themes name but the Hangul ones."""
    listed = subprocess.run(["fc-list", "--format", "%{family}\t%{file}\n"], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    dirs = {str(Path(file).parent) for family, _, file in (line.partition("\t") for line in listed)}
    cjk = {str(Path(file).parent) for family, _, file in (line.partition("\t") for line in listed)
           if any(name in family for name in CJK)}
    assert cjk, "this machine has no Noto CJK to hide"
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
                      + "".join(f"  <dir>{d}</dir>\n" for d in sorted(dirs - cjk))
                      + f"  <cachedir>{tmp_path / 'fc-cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    return config


def env_with(**extra: str) -> dict[str, str]:
    """The tests' environment now (its cache directory), plain output, and ``extra``."""
    return {**os.environ, **{k: PLAIN_ENV[k] for k in ("NO_COLOR", "TERM", "COLUMNS")}, **extra}


# --------------------------------------------------------------------------- which system

@pytest.mark.parametrize("name", sorted(OS_RELEASES))
def test_the_system_is_read_from_os_release(tmp_path, name):
    found = toolchain.detect_platform(os_release(tmp_path, name), system="Linux", engine="/usr/bin/xelatex")
    assert found.key == EXPECTED[name]
    assert found.name == toolchain.parse_os_release(OS_RELEASES[name])["PRETTY_NAME"]
    assert found.tlmgr is (EXPECTED[name] == "texlive")


def test_os_release_parsing_follows_its_shell_quoting():
    fields = toolchain.parse_os_release('# comment\n\nA="x \\"y\\" \\$z"\nB=\'single\'\nC=plain\nbroken line\n')
    assert fields == {"A": 'x "y" $z', "B": "single", "C": "plain"}


def test_no_os_release_macos_windows_and_tex_live_from_its_own_installer(tmp_path):
    assert toolchain.detect_platform(tmp_path / "absent", system="Linux", engine="").key == "texlive"
    assert toolchain.detect_platform(tmp_path / "absent", system="Darwin", engine="").key == "macos"
    assert toolchain.detect_platform(tmp_path / "absent", system="Windows", engine="").key == "windows"
    tug = tmp_path / "texlive" / "2025" / "bin" / "x86_64-linux"
    tug.mkdir(parents=True)
    (tug / "xelatex").touch()
    on_debian = toolchain.detect_platform(os_release(tmp_path, "debian"), system="Linux", engine=str(tug / "xelatex"))
    assert (on_debian.key, on_debian.tlmgr) == ("debian", True)
    assert on_debian.tex_command().startswith("tlmgr install ")
    assert "fonts-noto-cjk" in " ".join(on_debian.install_steps())  # fonts still from the system


def test_the_install_commands_of_each_system():
    every = [*toolchain.TEX_PACKAGES, "latexmk"]
    debian = toolchain.Platform("debian", "Debian")
    assert debian.install_steps() == [tex.INSTALL_COMMAND]
    fedora = " ".join(toolchain.Platform("fedora", "Fedora").install_steps())
    assert "sudo dnf install" in fedora and "google-noto-serif-cjk-fonts google-noto-sans-cjk-fonts" in fedora
    assert all(f"texlive-{name}" in fedora.split() for name in every)
    arch = " ".join(toolchain.Platform("arch", "Arch").install_steps())
    assert "sudo pacman -S --needed" in arch and "noto-fonts-cjk" in arch and "texlive-langkorean" in arch
    macos = toolchain.Platform("macos", "macOS").install_steps()
    assert "brew install --cask font-noto-serif-cjk-kr font-noto-sans-cjk-kr" in macos
    # XeTeX on macOS finds fonts by name through the system, not in MacTeX's tree
    assert any(step.startswith("cp ") and "tex-gyre" in step and step.endswith("~/Library/Fonts/") for step in macos)
    texlive = toolchain.Platform("texlive", "Alpine").install_steps()
    assert texlive[0] == "tlmgr install " + " ".join(every)
    assert "tlmgr install tex-gyre fontawesome" in texlive
    assert any("Noto Serif CJK KR" in step and "not part of TeX Live" in step for step in texlive)


def test_the_package_of_a_latex_file_on_each_system():
    assert tex.tex_package_of("kotex.sty") == "cjk-ko" and tex.tex_package_of("xetexko.sty") == "xetexko"
    assert tex.tex_package_of("nosuch.sty") is None
    commands = {key: toolchain.Platform(key, key).tex_command(["enumitem"])
                for key in ("debian", "fedora", "arch", "texlive")}
    assert commands == {"debian": "sudo apt-get install --no-install-recommends texlive-latex-extra",
                        "fedora": "sudo dnf install texlive-enumitem",
                        "arch": "sudo pacman -S --needed texlive-latexextra", "texlive": "tlmgr install enumitem"}


# --------------------------------------------------------------------------- a missing font or package

def test_a_missing_hangul_font_is_exit_3_with_the_install_command_not_the_theme(tmp_path):
    config = fonts_without_cjk(tmp_path)
    env = env_with(FONTCONFIG_FILE=str(config))
    result = run_cvtex("render", str(EXAMPLE), "-o", str(tmp_path / "out"), "--offline", env=env)
    assert result.returncode == 3, result.stderr
    assert "'Noto Serif CJK KR'" in result.stderr and "not installed" in result.stderr
    assert "sudo apt-get install --no-install-recommends fonts-noto-cjk" in result.stderr
    assert "from the theme" not in result.stderr and ".j2" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    # validate checks the profile, not the machine: it says so in a warning, and exits 0
    checked = run_cvtex("validate", str(EXAMPLE), env=env)
    assert checked.returncode == 0, checked.stderr
    assert "warning" in checked.stderr and "'Noto Serif CJK KR'" in checked.stderr and "exit 3" in checked.stderr
    # the command is this system's: Fedora's, read from another os-release
    fedora = run_cvtex("render", str(EXAMPLE), "-o", str(tmp_path / "out"), "--offline",
                       env={**env, "CVTEX_OS_RELEASE": str(os_release(tmp_path, "fedora"))})
    assert fedora.returncode == 3 and "sudo dnf install google-noto-serif-cjk-fonts" in fedora.stderr
    assert "# on Fedora Linux 40" in fedora.stderr


def test_a_font_the_profile_names_stays_a_profile_error(tmp_path):
    profile = tmp_path / "cv.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "\ndesign:" not in text
    profile.write_text(text + "design:\n  fonts: {default: {main: Cvtex Absent Serif}}\n", encoding="utf-8")
    result = run_cvtex("render", str(profile), "-o", str(tmp_path / "out"), "--offline", env=env_with())
    assert result.returncode == 1, result.stderr
    assert "Cvtex Absent Serif" in result.stderr and "cv.yaml:" in result.stderr


def user_theme(tmp_path: Path, extra: str) -> Path:
    """A copy of the classic theme whose theme.sty ends with ``extra`` (before ``\\endinput``)."""
    theme = template.copy_theme(template.load_theme("classic").path, tmp_path / "mytheme")
    sty = theme / "theme.sty"
    text = sty.read_text(encoding="utf-8")
    assert text.endswith("\\endinput\n")
    sty.write_text(text.removesuffix("\\endinput\n") + extra + "\n\\endinput\n", encoding="utf-8")
    return theme


def test_a_font_a_theme_file_loads_that_xetex_cannot_find_is_exit_3(tmp_path):
    """A font only the theme's LaTeX names (not theme.yaml): found missing by the engine,
    turned from fontspec's error into the missing-toolchain error."""
    theme = user_theme(tmp_path, "\\newfontfamily\\cvtexextra{Cvtex Absent Display}")
    result = run_cvtex("render", str(EXAMPLE), "-o", str(tmp_path / "out"), "--offline", "--theme", str(theme),
                       env=env_with())
    assert result.returncode == 3, result.stderr
    assert "'Cvtex Absent Display'" in result.stderr and "is not installed" in result.stderr
    assert "fc-list : family" in result.stderr and "from the theme" not in result.stderr


def test_a_package_error_on_lines_of_its_own_is_read_whole():
    """fontspec 2.9 (TeX Live 2024+, Debian 13) writes its message on continuation lines after
    ``Package fontspec Error:``; the log parser joins them, so the missing font is still found
    (on Debian 12's fontspec 2.8 the message is on the error line itself: the test above)."""
    from cvtex.tex import parse_log

    log = ("./cv-en.tex:12: Package fontspec Error: \n"
           "(fontspec)                The font \"Cvtex Absent Display\" cannot be found; this\n"
           "(fontspec)                may be but usually is not a fontspec bug.\n"
           "\n"
           "For immediate help type H <return>.\n"
           "l.12 \\endinput\n")
    error = parse_log(log, "cv-en").errors[0]
    assert error.message == ('Package fontspec Error: The font "Cvtex Absent Display" cannot be found; this '
                             "may be but usually is not a fontspec bug.")
    assert (error.line, error.context) == (12, "\\endinput")
    other = parse_log("./cv-en.tex:3: Undefined control sequence.\n(not a continuation)\nl.3 \\cvx\n", "cv-en")
    assert other.errors[0].message == "Undefined control sequence."


def test_a_latex_package_that_is_not_installed_is_exit_3(tmp_path):
    theme = user_theme(tmp_path, "\\RequirePackage{cvtexabsentpkg}")
    result = run_cvtex("render", str(EXAMPLE), "-o", str(tmp_path / "out"), "--offline", "--theme", str(theme),
                       env=env_with())
    assert result.returncode == 3, result.stderr
    assert "cvtexabsentpkg.sty" in result.stderr and "apt-file search cvtexabsentpkg.sty" in result.stderr
    assert "from the theme" not in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- the TeX Live package table

def read_by_the_engine(tmp_path: Path) -> list[str]:
    """Every file XeLaTeX reads for the built-in themes (example profile), hyperref and the
    tables cvtex reads out of TeX."""
    from cvtex.build.pipeline import render_profile
    from cvtex.theme import fonts

    files: dict[str, None] = {}
    for name in template.builtin_themes():
        for output in render_profile(EXAMPLE, output_dir=tmp_path / name, theme=name, cache=False).outputs:
            files.update(dict.fromkeys(output.inputs))
    hyperref = tex.compile("\\documentclass{article}\\usepackage{fontspec}\\usepackage{hyperref}\\begin{document}"
                           "\\href{https://example.org}{x}\\end{document}\n", tmp_path / "hyperref", plain=True)
    files.update(dict.fromkeys(hyperref.inputs))
    for table in (fonts._routes_table(), tex.classes_table()):
        assert table is not None
        files.update(dict.fromkeys(table.sources))
    return [f for f in files if re.search(r"/(tex|fonts)/", f)]


@pytest.mark.tex
def test_every_file_xelatex_reads_is_in_the_tex_live_package_table(tmp_path):
    read = read_by_the_engine(tmp_path)
    assert len(read) > 50 and any(f.endswith("/xetexko.sty") for f in read)
    problems = []
    for path in read:
        package = tex.tex_package_of(Path(path).name)
        if package is None:
            problems.append(f"{path}: in no package of cvtex.tex.TEX_PACKAGES")
        elif f"/{package}/" not in path:  # TeX Live keeps a package's files in a directory of its name
            problems.append(f"{path}: listed under {package}")
    assert problems == []
    release = toolchain.parse_os_release(Path("/etc/os-release").read_text(encoding="utf-8")) \
        if Path("/etc/os-release").is_file() else {}
    if (release.get("ID"), release.get("VERSION_ID")) != ("debian", "12") or not shutil.which("dpkg"):
        pytest.skip("the table's Debian packages are Debian 12's: checked with dpkg -S there")
    owners = {}
    for line in subprocess.run(["dpkg", "-S", *[str(Path(p).resolve()) for p in read]], capture_output=True,
                               text=True, check=False).stdout.splitlines():
        package, _, file = line.partition(": ")
        owners[file] = package.split(":")[0]
    wrong = [f"{p}: {owners.get(str(Path(p).resolve()))}, table says {toolchain.TEX_PACKAGES[tex.tex_package_of(Path(p).name)][0]}"
             for p in read if owners.get(str(Path(p).resolve()))
             != toolchain.TEX_PACKAGES[tex.tex_package_of(Path(p).name)][0]]
    assert wrong == []


# --------------------------------------------------------------------------- doctor

def test_doctor_prints_the_versions_for_a_bug_report_and_cuts_nothing_when_piped():
    from cvtex import __version__

    result = run_cvtex("doctor", env={**os.environ, "COLUMNS": "80", "TERM": "dumb", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {cells[0]: cells[1:] for cells in ([c.strip() for c in line.split("│")[1:-1]]
                                              for line in result.stdout.splitlines() if line.startswith("│"))}
    assert rows["cvtex"] == [__version__]
    assert rows["Python"][0].startswith(f"{sys.version_info.major}.{sys.version_info.minor}.")
    assert re.search(r"TeX Live 20\d\d", rows["XeTeX"][0])
    assert re.match(r"\d{4}/\d\d/\d\d v\d", rows["xetexko"][0]) and re.match(r"\d{4}/\d\d/\d\d v\d", rows["kotex"][0])
    assert toolchain.detect_platform().name in rows["system"][0]
    for font in CJK:
        assert re.match(r"ok \d+\.\d{3}  /\S+", " ".join(rows[f"font {font}"]))
    assert "…" not in result.stdout
    kotex = subprocess.run(["kpsewhich", "kotex.sty"], capture_output=True, text=True, check=True).stdout.strip()
    assert kotex in rows["kotex.sty"][1]  # the whole path, on one line
    # fancyhdr's \ProvidesPackage spreads its version over three lines: one here
    assert re.match(r"\d{4}/\d\d/\d\d v[\d.]+ Extensive control of page headers and footers /", rows["fancyhdr.sty"][1])


def test_package_versions_are_one_line(tmp_path):
    sty = tmp_path / "x.sty"
    sty.write_text("\\NeedsTeXFormat{LaTeX2e}[2020/10/01]\n\\ProvidesPackage{x}%\n   [2024/01/02 v1.2\n"
                   "      a package\n   over lines]\n", encoding="utf-8")
    assert doctor.package_version(str(sty)) == "2024/01/02 v1.2 a package over lines"
    sty.write_text("\\ProvidesExplPackage{y}%\n  {2022/01/15}{2.8a}{Font selection}\n", encoding="utf-8")
    assert doctor.package_version(str(sty)) == "2022/01/15 v2.8a"


def test_doctor_with_a_missing_font_gives_this_systems_command(tmp_path):
    env = env_with(FONTCONFIG_FILE=str(fonts_without_cjk(tmp_path)))
    result = run_cvtex("doctor", env=env)
    assert result.returncode == 3
    assert re.search(r"font Noto Serif CJK KR\s*│\s*missing", result.stdout)
    assert "Install what is missing with:\n  sudo apt-get install --no-install-recommends fonts-noto-cjk" \
        in result.stdout
    arch = run_cvtex("doctor", env={**env, "CVTEX_OS_RELEASE": str(os_release(tmp_path, "arch"))})
    assert arch.returncode == 3 and "  # on Arch Linux\n  sudo pacman -S --needed noto-fonts-cjk" in arch.stdout


# --------------------------------------------------------------------------- systems without the speed paths

@pytest.mark.parametrize("system", ["windows", "macos"])
def test_a_render_where_the_speed_paths_cannot_run_takes_the_plain_way(tmp_path, system):
    """``CVTEX_PLATFORM_LACKS`` makes cvtex act as on Windows (no /dev/stdin, no process
    groups, no sched_setaffinity) or macOS (no sched_setaffinity): a real render succeeds,
    doctor says which paths are off and why."""
    env = env_with(CVTEX_PLATFORM_LACKS=system)
    result = run_cvtex("render", str(EXAMPLE), "-o", str(tmp_path), "--offline", "--lang", "ko", env=env)
    assert result.returncode == 0, result.stderr
    assert "한지우" in squash(pdf_text(tmp_path / "example-ko.pdf"))
    status = run_cvtex("doctor", env=env).stdout
    rows = {line.split("│")[1].strip(): line for line in status.splitlines() if line.count("│") == 4}
    assert "off" in rows["affinity"] and "no sched-affinity" in rows["affinity"]
    if system == "windows":
        assert "off" in rows["pipe"] and "CVTEX_PLATFORM_LACKS" in rows["pipe"] and "off" in rows["priming"]
    else:
        assert "active" in rows["pipe"]


def test_without_dev_stdin_no_engine_starts_ahead_and_compiles_are_plain(tmp_path, monkeypatch):
    monkeypatch.setenv(speed.LACKS_ENV, "windows")
    assert tex.pipe_problem() and "CVTEX_PLATFORM_LACKS" in tex.pipe_problem()
    with EnginePool() as pool:
        pool.start("cv", ["en", "ko"])
        assert pool.ready == {}  # nothing on a pipe
        build = pool.compile("\\documentclass{article}\\begin{document}plain\\end{document}\n", jobname="cv-en")
    assert build.pdf.name == "cv-en.pdf" and not build.fallback
    monkeypatch.setenv(speed.LACKS_ENV, "macos")
    with EnginePool() as pool:
        pool.start("cv", ["en"], spare_a_cpu=True)
        assert set(pool.ready) == {"cv-en"} and not pool.ready["cv-en"].pinned  # the pipe, without affinity


def test_a_runaway_engine_is_stopped_without_process_groups(tmp_path, monkeypatch):
    """Windows' way of stopping an engine at its timeout: the process itself (no killpg)."""
    monkeypatch.setenv(speed.LACKS_ENV, speed.PROCESS_GROUPS)
    started = time.monotonic()
    with pytest.raises(tex.CompileError) as failed:
        tex.compile("\\documentclass{article}\\begin{document}\\def\\x{\\x}\\x\\end{document}\n", tmp_path,
                    timeout=3, plain=True)
    assert failed.value.timed_out and time.monotonic() - started < 30


def test_which_compile_errors_are_a_missing_toolchain():
    """The LaTeX kernel's and fontspec's messages, as :func:`cvtex.tex.parse_log` gives them."""
    from cvtex.build.failures import toolchain_problem

    def problem(message: str):
        return toolchain_problem(tex.CompileError(message, tex.LogReport(errors=[tex.TexError(message)])))

    known = problem("LaTeX Error: File `enumitem.sty' not found.")
    assert isinstance(known, tex.PackageMissing) and (known.file, known.package) == ("enumitem.sty", "enumitem")
    assert str(known).endswith(f"\n  {toolchain.detect_platform().tex_command(['enumitem'])}")
    font = problem('Package fontspec Error: The font "Noto Sans CJK KR" cannot be found.')
    assert isinstance(font, tex.FontMissing) and font.family == "Noto Sans CJK KR"
    assert problem("LaTeX Error: File `/etc/passwd.tex' not found.") is None  # the sandbox's refusal, not TeX Live
    assert problem("Undefined control sequence.") is None
