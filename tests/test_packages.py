"""The install list is complete: every file XeLaTeX reads while cvtex renders belongs to a
package that ``scripts/install-tex.sh`` installs, or to one of their ``Depends``.

A fresh machine set up by ``scripts/setup.sh`` (``--no-install-recommends``) has those
packages and nothing else; a build machine may have more, installed by hand or as a
``Recommends``, and a render that reads from one of those works there only. The files come
from the engine's ``-recorder`` lists (:attr:`cvtex.build.results.Output.inputs`) of every
built-in theme × data profile × locale, a document that loads hyperref (as user themes may),
the tables cvtex reads out of TeX (:mod:`cvtex.tex.texdata`) and the font files fontconfig gives
for every font the built-in themes name. Owners come from ``dpkg -S``, the allowed packages
from ``apt-cache depends --recurse`` without Recommends and Suggests.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cvtex import tex
from cvtex.theme import fonts
from cvtex import theme as template
from cvtex.build.pipeline import render_profile

from .conftest import DATA, ROOT

pytestmark = pytest.mark.tex

INSTALL_SCRIPT = ROOT / "scripts" / "install-tex.sh"
#: Files no package owns that tex-common's triggers make from the installed packages
#: (update-texmf writes texmf.cnf; fmtutil and mktexlsr write formats and ls-R).
GENERATED = ("/var/lib/texmf/", "/etc/texmf/web2c/")


def script_packages() -> list[str]:
    """The APT_PACKAGES array of scripts/install-tex.sh, comments removed."""
    text = INSTALL_SCRIPT.read_text(encoding="utf-8")
    body = re.search(r"^APT_PACKAGES=\((.*?)^\s*\"\$@\"\)", text, re.M | re.S)
    assert body, "no APT_PACKAGES=( … \"$@\") in scripts/install-tex.sh"
    return [word for line in body.group(1).splitlines() for word in line.split("#", 1)[0].split()]


def test_the_python_and_the_shell_lists_are_the_same():
    """``cvtex doctor`` prints cvtex.tex.toolchain.INSTALL_COMMAND; setup.sh runs install-tex.sh."""
    assert script_packages() == list(tex.APT_PACKAGES)
    assert tex.INSTALL_COMMAND.endswith(" ".join(tex.APT_PACKAGES))


def owners(paths: list[str]) -> dict[str, set[str]]:
    """``{path: {package, …}}`` from ``dpkg -S`` (a path no package owns is absent). A path
    is looked up as it is and as its real path (``/usr/share/texmf`` links)."""
    found: dict[str, set[str]] = {}
    names = {p: [p, str(Path(p).resolve())] for p in paths}
    wanted = sorted({n for pair in names.values() for n in pair})
    out = subprocess.run(["dpkg", "-S", *wanted], capture_output=True, text=True, check=False).stdout
    by_file: dict[str, set[str]] = {}
    for line in out.splitlines():
        packages, sep, file = line.partition(": ")
        if sep and not line.startswith("diversion "):
            by_file.setdefault(file.strip(), set()).update(p.strip().split(":")[0] for p in packages.split(","))
    for path, candidates in names.items():
        for candidate in candidates:
            if candidate in by_file:
                found.setdefault(path, set()).update(by_file[candidate])
    return found


def allowed_packages(roots: list[str]) -> set[str]:
    """``roots`` and everything they depend on (Depends and Pre-Depends, every alternative),
    recursively: what ``apt-get install --no-install-recommends`` may bring."""
    out = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                          "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *roots],
                         capture_output=True, text=True, check=True).stdout
    return {line.strip().split(":")[0] for line in out.splitlines() if line and not line[0].isspace()
            and not line.startswith("<")}


@pytest.fixture(scope="module")
def read_files(tmp_path_factory) -> dict[str, str]:
    """``{absolute path: what read it}``."""
    out = tmp_path_factory.mktemp("packages")
    files: dict[str, str] = {}
    for theme in template.builtin_themes():
        for path in DATA:
            for output in render_profile(path, output_dir=out / theme, theme=theme, cache=False).outputs:
                for file in output.inputs:
                    files.setdefault(file, f"{theme} × {path.name} ({output.locale})")
    hyperref = tex.compile("\\documentclass{article}\\usepackage{fontspec}\\usepackage{hyperref}\\begin{document}"
                              "\\href{https://example.org}{x}\\end{document}\n", out / "hyperref", plain=True)
    files.update(dict.fromkeys((f for f in hyperref.inputs if f not in files), "a document with hyperref"))
    assert fonts.route(ord("a")) == fonts.LATIN and tex.classes_stand_in() is not None
    for name, table in (("routes", fonts._routes_table()), ("class table", tex.classes_table())):
        assert table is not None
        files.update(dict.fromkeys((f for f in table.sources if f not in files), f"cvtex's {name}"))
    families = sorted({family for name in template.builtin_themes() for role in
                       template.load_theme(name).config.fonts.values() for family in role.model_dump().values()}
                      | {c.icon_font for c in (template.load_theme(n).config for n in template.builtin_themes())
                         if c.icon_font})
    for family in families:
        listed = subprocess.run(["fc-list", "--format", "%{file}\n", f"{family}"], capture_output=True, text=True,
                                check=True).stdout.split()
        assert listed, f"fontconfig has no font {family!r}"
        files.update(dict.fromkeys((f for f in listed if f not in files), f"font {family}"))
    return files


def debian_tex() -> str | None:
    """Why this test cannot judge here (not a Debian/Ubuntu system, or a TeX Live that did
    not come from its packages, e.g. TUG's installer), or ``None``."""
    if not (shutil.which("dpkg") and shutil.which("apt-cache")):
        return "not a Debian/Ubuntu system"
    xelatex = tex.engine_path()
    if xelatex is None or subprocess.run(["dpkg", "-S", str(Path(xelatex).resolve())], capture_output=True,
                                         check=False).returncode != 0:
        return f"XeLaTeX ({xelatex}) does not come from a Debian package"
    return None


@pytest.mark.skipif(debian_tex() is not None, reason=str(debian_tex()))
def test_every_file_xelatex_reads_comes_from_the_installed_packages(read_files):
    assert len(read_files) > 50 and any(f.endswith("xetexko.sty") for f in read_files)
    assert any(f.endswith("/pzdr.tfm") for f in read_files)  # hyperref's XeTeX driver: texlive-fonts-recommended
    allowed = allowed_packages(script_packages())
    assert {"texlive-xetex", "texlive-base", "tex-common"} <= allowed
    owned = owners(sorted(read_files))
    problems = []
    for path, reader in sorted(read_files.items()):
        packages = owned.get(path)
        if packages is None:
            if not path.startswith(GENERATED):
                problems.append(f"{path} (read by {reader}) belongs to no package")
        elif not packages & allowed:
            problems.append(f"{path} (read by {reader}) comes from {', '.join(sorted(packages))}, "
                            "which scripts/install-tex.sh does not install")
    assert problems == []


@pytest.mark.skipif(debian_tex() is not None, reason=str(debian_tex()))
def test_the_check_notices_a_file_of_another_package(read_files):
    """The same check with texlive-fonts-recommended left out of the list: pzdr.tfm is then
    a file no listed package brings (what a fresh Debian 12 machine showed)."""
    allowed = allowed_packages([p for p in script_packages() if p != "texlive-fonts-recommended"])
    pzdr = [path for path in read_files if path.endswith("/pzdr.tfm")]
    owned = owners(pzdr)
    assert pzdr and all(owned[path] and not owned[path] & allowed for path in pzdr)
