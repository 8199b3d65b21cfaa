"""The class table stand-in, as text: what cvtex writes into a build directory in place
of TeX Live's ``load-unicode-xetex-classes.tex``.

xetexko ``\\input``s that file (package unicode-data), which parses Unicode's LineBreak.txt
and EastAsianWidth.txt in TeX macros — about 40 % of the engine's instructions for a CV,
~0.35 s of CPU. The stand-in makes the same ``\\XeTeXcharclass`` assignments from a table
dumped from the installed file by a XeLaTeX run of :func:`classes_source` (the
``class-table`` speed path, :mod:`cvtex.tex.speed`; the run and the cache are
:func:`cvtex.tex.engine.classes_stand_in`). This module only writes and reads text: it
runs nothing.
"""

from __future__ import annotations

#: TeX Live's file (package unicode-data) that xetexko ``\\input``s to class CJK characters.
CLASSES_NAME = "load-unicode-xetex-classes.tex"
#: The line-breaking classes the TeX Live file assigns (through ``\\XeTeXcharclass<name>``).
CLASS_NAMES = ("ID", "CJ", "OP", "CL", "EX", "IS", "NS", "CM")
#: The class table's name in :mod:`cvtex.tex.texdata`.
CLASSES_TABLE = "unicode-xetex-classes.tex"


def code_point_runs(value: str, stream: str) -> str:
    """LaTeX (letters ``@``) that writes to the open ``stream`` a line ``<first code point>
    <value>`` for each run of code points U+0000–U+10FFFF with the same ``value``: TeX
    material expanded (``\\edef``) with ``\\count@`` set to the code point, such as
    ``\\the\\XeTeXcharclass\\count@``."""
    return r"""\count@=0 \@tempcnta=0 \edef\cvtex@last{VALUE}
\loop
  \edef\cvtex@now{VALUE}%
  \ifx\cvtex@now\cvtex@last\else
    \immediate\writeSTREAM{\the\@tempcnta\space\cvtex@last}%
    \@tempcnta=\count@ \let\cvtex@last\cvtex@now
  \fi
  \ifnum\count@<"10FFFF \advance\count@\@ne \repeat
\immediate\writeSTREAM{\the\@tempcnta\space\cvtex@last}""".replace("VALUE", value).replace("STREAM", stream)


def classes_source() -> str:
    """A LaTeX document that marks every code point, ``\\input``s TeX Live's
    ``load-unicode-xetex-classes.tex`` with a distinct number for each class name, and
    writes ``classes.txt``: lines ``<first code point> <class name, or - for none>``, one
    per run, after a line naming the file."""
    names = "".join(f"\\chardef\\XeTeXcharclass{name}={i} " for i, name in enumerate(CLASS_NAMES, 1))
    cases = "".join(f"\\or {name}" for name in CLASS_NAMES)
    return r"""\documentclass{article}
\makeatletter
""" + names + r"""
\count@=0
\loop \XeTeXcharclass\count@=4094 \ifnum\count@<"10FFFF \advance\count@\@ne \repeat
\input """ + CLASSES_NAME + r"""
\newwrite\cvtex@out \immediate\openout\cvtex@out=classes.txt
\def\cvtex@name#1{\ifnum#1=4094 -\else\ifcase#1 ?""" + cases + r"""\else ?\fi\fi}
""" + code_point_runs(r"\cvtex@name{\XeTeXcharclass\count@}", r"\cvtex@out") + r"""
\immediate\closeout\cvtex@out
\makeatother
\begin{document}
x
\end{document}
"""


def read_runs(text: str) -> list[tuple[int, int, str]]:
    """The ``classes.txt`` that :func:`classes_source` writes, as ``[(first, last, class
    name), …]``: inclusive, sorted, code points without a class left out. Raises
    ``RuntimeError`` for a class number cvtex did not give."""
    lines = text.split()
    runs = [(int(lines[i]), lines[i + 1]) for i in range(0, len(lines), 2)]
    if any(name == "?" for _, name in runs):
        raise RuntimeError(f"{CLASSES_NAME} assigned a class cvtex does not know")
    ends = [start - 1 for start, _ in runs[1:]] + [0x10FFFF]
    return [(start, end, name) for (start, name), end in zip(runs, ends) if name != "-"]


def classes_text(runs: list[tuple[int, int, str]]) -> str:
    """The class table stand-in for ``runs`` (:func:`generate_classes`): it keeps the TeX
    Live file's defaults for class names xetexko has not defined, then assigns each run
    with macros that expand to blocks of 4096, 256, 16 or 1 code points (TeX reads a few
    hundred tokens instead of parsing two data files). A change here that changes the
    text must bump :data:`cvtex.tex.texdata.RECIPE_VERSION`, so cached tables are made again."""
    h = "0123456789ABCDEF"
    lines = [
        f"% A stand-in for TeX Live's {CLASSES_NAME}: the same \\XeTeXcharclass assignments, precomputed",
        "% by cvtex from the installed file (cvtex/tex/classes.py, classes_text).",
        r"\ifx\XeTeXcharclass\undefined \expandafter\endinput \fi",
        r"\begingroup \catcode`\{=1 \catcode`\}=2 \catcode`\#=6 \catcode`\"=12 %",
        r"\ifdefined\XeTeXcharclassID\else \chardef\XeTeXcharclassID=1 \fi",
        r"\ifdefined\XeTeXcharclassCJ\else \let\XeTeXcharclassCJ\XeTeXcharclassID \fi",
        r"\ifdefined\XeTeXcharclassOP\else \chardef\XeTeXcharclassOP=2 \fi",
        r"\ifdefined\XeTeXcharclassCL\else \chardef\XeTeXcharclassCL=3 \fi",
        r"\ifdefined\XeTeXcharclassEX\else \let\XeTeXcharclassEX\XeTeXcharclassCL \fi",
        r"\ifdefined\XeTeXcharclassIS\else \let\XeTeXcharclassIS\XeTeXcharclassCL \fi",
        r"\ifdefined\XeTeXcharclassNS\else \let\XeTeXcharclassNS\XeTeXcharclassCL \fi",
        r"\ifdefined\XeTeXcharclassCM\else \chardef\XeTeXcharclassCM=256 \fi",
        r'\def\cvtexA#1{\global\XeTeXcharclass"#1=\cvtexK}%',
        r"\def\cvtexB#1{" + "".join(rf'\global\XeTeXcharclass"#1{d}=\cvtexK' for d in h) + "}%",
        r"\def\cvtexC#1{" + "".join(rf"\cvtexB{{#1{d}}}" for d in h) + "}%",
        r"\def\cvtexD#1{" + "".join(rf"\cvtexC{{#1{d}}}" for d in h) + "}%",
        r"\def\cvtexS#1{\chardef\cvtexK=\csname XeTeXcharclass#1\endcsname}%",
    ]
    body: list[str] = []
    for first, last, name in runs:
        body.append(rf"\cvtexS{{{name}}}")
        code = first
        while code <= last:
            for size, macro in ((4096, "D"), (256, "C"), (16, "B"), (1, "A")):
                if code % size == 0 and code + size - 1 <= last:
                    body.append(rf"\cvtex{macro}{{{code // size:X}}}")
                    code += size
                    break
    lines += ["".join(body[i:i + 16]) + "%" for i in range(0, len(body), 16)]
    lines.append(r"\endgroup")
    return "\n".join(lines) + "\n"
