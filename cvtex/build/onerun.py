"""The ``one-run`` speed path: a locale's CV and letters compiled in one engine run, then
split into their PDFs.

Every document of a locale begins with the same preamble (``_preamble.tex.j2``), and the
preamble is about nine tenths of an engine run's CPU time (fonts, fontspec, ko.TeX; measured
with benchmarks/perf.py, figure 7). On a machine whose cores are all busy, a render with
letters costs one preamble per document; this path pays it once per locale: the documents'
bodies are set one after the other in one run (:func:`combine`: each body a group of its own,
so what a document sets locally ends with it; ``\\clearpage`` and every counter set back to
its value at ``\\begin{document}``, the page number 1 among them, between two bodies; and
``\\ReadonlyShipoutCounter`` — LaTeX kernel 2020-10 — written to the log to mark where each
document begins), and the PDF is cut into one PDF per document
with pypdf (:func:`split`), each with its own pages, link annotations and named
destinations. Each part is then finished as a document compiled alone is
(:func:`cvtex.build.pdf.finish`) and stored in the build cache under its own key.

Like every speed path (:mod:`cvtex.tex.speed`) it falls back to the plain way: the
documents are compiled one by one when their preambles differ (a theme's own templates) or
have what cannot be shared (:data:`_ALONE`: end-of-document hooks, hyperref), their outline
destinations collide, the run fails, a page would lose text or a character
has no glyph (so that every message names its own document and field), or the log lacks
the marks; a run that fails turns the path off for the rest of the process.
``CVTEX_PLAIN=one-run`` turns it off by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

#: Written to the log where each document after the first begins: the pages shipped so far.
MARK = "cvtex-document-begins"
_MARK_RE = re.compile(r"^" + MARK + r" (\d+)$", re.M)
_BEGIN, _END = "\\begin{document}\n", "\\end{document}\n"
#: After ``\begin{document}``: every counter's value kept (``\cl@@ckpt`` lists the counters
#: ``\newcounter`` made), and the first document's group opened.
_SETUP = (r"\makeatletter\begingroup\def\@elt#1{\expandafter\xdef\csname cvtex@c@#1\endcsname{\the\value{#1}}}"
          r"\cl@@ckpt\endgroup\gdef\cvtexrestorecounters{\begingroup\def\@elt##1{\@ifundefined{cvtex@c@##1}{}"
          r"{\setcounter{##1}{\csname cvtex@c@##1\endcsname}}}\cl@@ckpt\endgroup}\makeatother\begingroup%" "\n")
#: Between two documents: the page shipped and the group closed (what a document set
#: locally ends with it), the mark, every counter as it was at ``\begin{document}`` (the
#: page number 1 among them), a new group.
_NEXT = r"\clearpage\endgroup\typeout{" + MARK + r" \the\ReadonlyShipoutCounter}\cvtexrestorecounters\begingroup%" "\n"
#: What a preamble must not have for its documents to share a run: end-of-document hooks run
#: once, at the end of the last document (``\AtEndDocument``, the ``enddocument`` hooks,
#: lastpage's "page x of y"), and hyperref writes destinations of its own (``page.1``) in
#: every document, which would collide.
_ALONE = ("AtEndDocument", "enddocument", "lastpage", "LastPage", "hyperref")


@dataclass(frozen=True)
class Combined:
    """One source for several documents: ``text``; ``starts``, per document, the first line
    of its body in ``text``; ``body_line``, the first line of the body in each document's own
    source (they share the preamble, so it is the same line). Lines are 1-based."""

    text: str
    starts: list[int]
    body_line: int


def combine(sources: list[str], destinations: list[list[str]]) -> Combined | None:
    """The documents of ``sources`` (each a whole LaTeX document) as one, when they share
    their preamble, the preamble has none of :data:`_ALONE` and their named ``destinations``
    (per document) are distinct; else ``None``. Each document's body is a group of its own
    (what it sets locally ends with it) and starts on a new page with every counter as it
    was at ``\\begin{document}`` (the page number 1)."""
    parts = [_split_source(s) for s in sources]
    if any(p is None for p in parts) or len({p[0] for p in parts}) != 1:  # type: ignore[index]
        return None
    if any(word in parts[0][0] for word in _ALONE):  # type: ignore[index]
        return None
    names = [d for ds in destinations for d in ds]
    if len(names) != len(set(names)):
        return None
    preamble = parts[0][0]  # type: ignore[index]
    text = preamble + _BEGIN
    body_line = text.count("\n") + 1
    text += _SETUP
    starts = []
    for i, (_, body) in enumerate(parts):  # type: ignore[misc]
        if i:
            text += _NEXT
        starts.append(text.count("\n") + 1)
        text += body
    return Combined(text + "\\clearpage\\endgroup%\n" + _END, starts, body_line)


def _split_source(source: str) -> tuple[str, str] | None:
    """``(preamble, body)`` of a document: what comes before ``\\begin{document}`` and what
    lies between it and ``\\end{document}``, each there once, the end last."""
    if source.count(_BEGIN) != 1 or source.count(_END) != 1 or not source.endswith(_END):
        return None
    preamble, rest = source.split(_BEGIN)
    return preamble, rest[: -len(_END)]


def page_starts(log: str, documents: int) -> list[int] | None:
    """The 0-based first page of each of ``documents`` from the run's ``log`` (the marks of
    :func:`combine`), or ``None`` when the marks are not all there."""
    marks = [int(m) for m in _MARK_RE.findall(log)]
    if len(marks) != documents - 1:
        return None
    return [0, *marks]


def part_line(combined: Combined, index: int, line: int) -> int | None:
    """The line of document ``index``'s own source that is line ``line`` of the combined
    one; ``None`` for a line outside that document's body. The line that ends a body (the
    separator, or the last document's closing line) is its own ``\\end{document}`` line: a
    paragraph the separator ends is reported up to it."""
    start = combined.starts[index]
    end = combined.starts[index + 1] - 1 if index + 1 < len(combined.starts) else len(combined.text.splitlines()) - 1
    if line < start or line > end:
        return None
    return line - start + combined.body_line


def owner(combined: Combined, line: int) -> int | None:
    """The index of the document whose body has line ``line`` of the combined source."""
    for index in range(len(combined.starts)):
        if part_line(combined, index, line) is not None:
            return index
    return None


def split(pdf: Path, starts: list[int], targets: list[Path]) -> None:
    """Write the pages of each document (from ``starts[i]`` up to the next start) of the
    PDF at ``pdf`` to ``targets[i]``, with the named destinations on those pages. Raises
    ``ValueError`` when a document would have no page, pypdf's errors for a damaged PDF."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject

    from cvtex.build.bilingual import page_index, set_destinations

    reader = PdfReader(pdf)
    total = len(reader.pages)
    bounds = list(zip(starts, [*starts[1:], total]))
    if any(end <= start for start, end in bounds):
        raise ValueError(f"a document has no page (starts {starts}, {total} pages)")
    dests = [(str(name), page_index(reader, dest), ArrayObject(dest.dest_array))
             for name, dest in reader.named_destinations.items()]
    for (start, end), target in zip(bounds, targets):
        writer = PdfWriter()
        for index in range(start, end):
            writer.add_page(reader.pages[index])
        set_destinations(writer, [(name, index - start, array) for name, index, array in dests
                                  if index is not None and start <= index < end])
        with open(target, "wb") as fh:
            writer.write(fh)


def overfull_of(combined: Combined, overfull: list[Any], index: int) -> list[Any]:
    """The overfull boxes of document ``index`` (:class:`cvtex.tex.Overfull`, ``lines`` of
    the combined source: ``12--14`` or ``12``), with the lines of its own source."""
    out = []
    for box in overfull:
        numbers = [int(n) for n in re.findall(r"\d+", box.lines)]
        if not numbers or owner(combined, numbers[0]) != index:
            continue
        mapped = [part_line(combined, index, n) or n for n in numbers]
        out.append(replace(box, lines="--".join(str(n) for n in mapped)))
    return out
