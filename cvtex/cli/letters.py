"""What the command line prints of letters: ``cvtex validate``'s table of answer counts
(:func:`print_counts`) and ``cvtex letter``'s text (:func:`letter_text`).

The table is a rich table on a terminal and plain aligned columns otherwise (the pre-commit
hook, CI, a pipe): rich is not imported then, so ``cvtex validate`` stays cheap
(tests/test_batch.py). ``cvtex letter`` prints the answers of a 자기소개서 exactly as they are
counted — :func:`cvtex.schema.counting.pasted_text` — so what is pasted is what was counted.
"""

from __future__ import annotations

import re
import sys
from typing import Any

#: ``letter_text``'s formats.
FORMATS = ("txt", "md")


def _groups(counts: list[Any]) -> list[tuple[tuple[int, str], list[Any]]]:
    """The counts grouped by (letter, locale), in document order."""
    groups: dict[tuple[int, str], list[Any]] = {}
    for c in counts:
        groups.setdefault((c.letter, c.locale), []).append(c)
    return list(groups.items())


def _status(c: Any) -> str:
    from cvtex.schema.letters import FILL

    return "over" if c.over else f"< {FILL:.0%}" if c.short else "ok"


def _filled(c: Any) -> str:
    """The share of the limit used, in whole percent rounded down (so 1001 of 1000 never shows
    100 % next to "over", nor 849 of 1000 85 % next to "< 85 %"), and the status."""
    return f"{c.count * 100 // c.limit}% {_status(c)}"


def print_counts(path: Any, counts: list[Any]) -> None:
    """Print, per letter and locale, each answer's count against its limit: question, count,
    limit, the share filled, and the counting rule (a legend names each rule's meaning,
    :data:`cvtex.schema.counting.RULES`). On standard output; a rich table on a terminal."""
    from cvtex.schema.counting import RULES

    if not counts:
        return
    if sys.stdout.isatty():
        from rich.table import Table
        from rich.text import Text

        from cvtex.cli.output import out

        for (_, code), rows in _groups(counts):
            # Text(...): a profile's words are shown as written, never read as rich markup
            table = Table("#", "question", "count", "limit", "left", "filled", "counted", title_justify="left",
                          title=Text(f"{path}: letter '{rows[0].letter_id}' ({code})"))
            for c in rows:
                style = "red" if c.over else "yellow" if c.short else None
                table.add_row(str(c.question + 1), Text(c.question_text), f"{c.count:,}", f"{c.limit:,}",
                              f"{c.limit - c.count:,}", _filled(c), Text(f"{c.rule}: {RULES[c.rule]}"),
                              style=style)
            out.print(table)
        return
    lines = []
    for (_, code), rows in _groups(counts):
        lines.append(f"{path}: letter '{rows[0].letter_id}' ({code})")
        lines.append(f"  {'#':>2}  {'count':>6}  {'limit':>6}  {'left':>6}  {'filled':<11}  {'counted':<15}  question")
        for c in rows:
            lines.append(f"  {c.question + 1:>2}  {c.count:>6,}  {c.limit:>6,}  {c.limit - c.count:>6,}  "
                         f"{_filled(c):<11}  {c.rule:<15}  {c.question_text}")
    for rule in dict.fromkeys(c.rule for c in counts):
        lines.append(f"  {rule}: {RULES[rule]}")
    sys.stdout.write("\n".join(lines) + "\n")


def letter_text(profile: Any, letter: Any, index: int, locale: str, fmt: str) -> str:
    """The text of ``letter`` (``profile.letters[index]``) in ``locale`` for pasting, as
    ``fmt`` (:data:`FORMATS`).

    A 자기소개서: one block per question, blocks separated by a blank line. ``txt``: the line
    ``[N/M] question``, the line ``count C of L, rule (meaning)``, a blank line, the answer. An
    answer never has a blank line (its paragraphs are joined by one line break, and none is
    blank: a text is never empty, and markup keeps visible text — emphasis and a link's text
    cannot be blank), so the lines after a block's blank line up to the next blank line (or the end) are
    exactly the answer. ``md``: ``## N. question``, the
    count in italics, and the answer in a fenced ``text`` block (exact, and one click to copy
    where Markdown is shown).

    A cover letter: salutation, paragraphs, closing and signature (default: the profile's
    name), separated by blank lines; ``txt`` as pasted (markup removed,
    :func:`~cvtex.schema.counting.pasted_text`), ``md`` with the inline markup kept
    (CommonMark: ``**bold**``, ``[text](url)``)."""
    from cvtex.schema.counting import RULES, pasted_text
    from cvtex.schema.letters import SelfIntroduction

    fallback = tuple(profile.letter_locales(letter))

    def plain(text: Any) -> str:
        return pasted_text([text.get(locale, fallback)])

    if isinstance(letter, SelfIntroduction):
        counts = [c for c in letter.counts(index, [locale])]
        blocks = []
        total = len(counts)
        for c in counts:
            counted = f"count {c.count:,} of {c.limit:,}, {c.rule} ({RULES[c.rule]})"
            if fmt == "md":
                fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", c.text)), default=0))
                blocks.append(f"## {c.question + 1}. {_md_inline(c.question_text)}\n\n*{_md_inline(counted)}*\n\n"
                              f"{fence}text\n{c.text}\n{fence}\n")
            else:
                blocks.append(f"[{c.question + 1}/{total}] {c.question_text}\n{counted}\n\n{c.text}\n")
        head = plain(letter.company) + (f" — {plain(letter.position)}" if letter.position else "")
        title = f"# 자기소개서 — {_md_inline(head)}\n\n" if fmt == "md" else ""
        return title + "\n".join(blocks)
    parts = [letter.salutation, *letter.paragraphs, letter.closing, letter.signature or profile.header.name]
    if fmt == "md":
        return "\n\n".join(p.get(locale, fallback) for p in parts if p is not None) + "\n"
    return "\n\n".join(plain(p) for p in parts if p is not None) + "\n"


def _md_inline(text: str) -> str:
    """Plain ``text`` safe in a Markdown heading: the characters CommonMark could read as
    inline markup backslash-escaped (§2.4)."""
    return re.sub(r"([\\`*_\[\]<>#!|~&])", r"\\\1", text)
