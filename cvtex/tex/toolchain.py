"""The installed TeX: where XeLaTeX is, its version, the packages that bring it, and the
sandboxed environment every XeLaTeX run gets.

The environment (:func:`sandbox_env`) sets kpathsea's ``openin_any=p`` / ``openout_any=p``
(paranoid: no reading or writing of dot files, of parent directories or of absolute paths
— ``TEXMFOUTPUT`` is cleared; kpathsea manual §"Security") and ``shell_escape=f``, so a
profile can neither run programs nor read files into the PDF, and writes stay in the build
directory; ``max_print_line`` is raised so log lines are not wrapped at 79 characters.
"""

from __future__ import annotations

import os
import shutil
import subprocess

#: Debian/Ubuntu packages cvtex needs (README "Quick start"; ``cvtex doctor``).
#: The same list as scripts/install-tex.sh (a test holds them equal; that script says why
#: each package is there and where its name was checked).
APT_PACKAGES = ("texlive-xetex", "texlive-lang-korean", "texlive-latex-recommended", "texlive-latex-extra",
                "texlive-fonts-recommended", "latexmk", "fonts-noto-cjk", "fonts-texgyre", "fonts-font-awesome",
                "fontconfig", "poppler-utils")
INSTALL_COMMAND = "sudo apt-get install --no-install-recommends " + " ".join(APT_PACKAGES)
ENGINE = "xelatex"


class EngineMissing(Exception):
    """The TeX engine is not installed. ``str(exc)`` says what to install."""


def engine_path() -> str | None:
    """Path of ``xelatex`` on ``PATH``, or ``None``."""
    return shutil.which(ENGINE)


def find_engine() -> str:
    """Path of ``xelatex``; :class:`EngineMissing` with the install command if absent."""
    path = engine_path()
    if not path:
        raise EngineMissing(f"XeLaTeX is not installed (no '{ENGINE}' on PATH). Install TeX Live with:\n"
                            f"  {INSTALL_COMMAND}")
    return path


def engine_version() -> str:
    """First line of ``xelatex --version`` (part of the build cache key)."""
    out = subprocess.run([find_engine(), "--version"], capture_output=True, text=True, timeout=30, check=False)
    return out.stdout.splitlines()[0] if out.stdout else "unknown"


def sandbox_env() -> dict[str, str]:
    """The environment the engine runs in (see module doc)."""
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", shell_escape="f", max_print_line="100000",
               error_line="254", half_error_line="238")
    # TEXMF_OUTPUT_DIRECTORY (TeX Live 2024+) is -output-directory from the environment: even
    # empty, web2c then writes to "/<jobname>.log"; unset, output stays in the build directory
    for name in ("TEXINPUTS", "TEXMFOUTPUT", "TEXMF_OUTPUT_DIRECTORY"):
        env.pop(name, None)
    return env
