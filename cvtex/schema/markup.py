"""Inline markup inside text fields: ``[text](url)``, ``**bold**``, ``*italic*``, and
backslash escapes.

Parsed by markdown-it-py (CommonMark inline rules, only *link*, *emphasis* and
*escape* enabled). A backslash before an ASCII punctuation character prints that
character and takes its markup meaning away (CommonMark spec §2.4, "Backslash escapes"):
``\\*not italic\\*`` prints ``*not italic*``, ``\\[x](y)`` prints ``[x](y)``, ``\\\\`` one
backslash — what Markdown users expect. Any other backslash is printed as written
(``C:\\Users``, ``\\d+``). Every other character — ``<``, ``#``, ``&``… — is literal text.
Emphasis written with underscores (``_x_``, ``__init__``) stays literal, as do link
targets exactly as written (no normalization: the link policy in
:func:`cvtex.schema.urls.normalize_url` judges them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True)
class Span:
    """One piece of inline text: ``kind`` is 'text', 'strong', 'em' or 'link'
    (``url`` set); 'strong', 'em' and 'link' have ``children``."""

    kind: str
    text: str = ""
    url: str = ""
    children: tuple["Span", ...] = field(default=())


@lru_cache(maxsize=1)
def _parser() -> "MarkdownIt":
    """The inline parser, made on first use: most texts have no markup, and importing
    markdown-it costs tens of milliseconds that ``cvtex validate`` would pay for nothing."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero").enable(["link", "emphasis", "escape"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.normalizeLinkText = lambda text: text  # type: ignore[method-assign]
    return md


@lru_cache(maxsize=8192)
def parse(text: str) -> tuple[Span, ...]:
    """Parse ``text`` into spans. Never fails: unmatched markup is literal text."""
    if not any(c in text for c in "*[_\\"):
        return (Span("text", text),)
    tokens = _parser().parseInline(text)[0].children or []
    stack: list[tuple[Span, list[Span]]] = [(Span("root"), [])]
    for tok in tokens:
        if tok.type == "text":
            stack[-1][1].append(Span("text", tok.content))
        elif tok.type in ("strong_open", "em_open") and "_" in tok.markup:
            stack[-1][1].append(Span("text", tok.markup))
        elif tok.type in ("strong_close", "em_close") and "_" in tok.markup:
            stack[-1][1].append(Span("text", tok.markup))
        elif tok.type in ("strong_open", "em_open", "link_open"):
            kind = {"strong_open": "strong", "em_open": "em", "link_open": "link"}[tok.type]
            stack.append((Span(kind, url=str(tok.attrs.get("href", ""))), []))
        elif tok.type in ("strong_close", "em_close", "link_close"):
            head, children = stack.pop()
            stack[-1][1].append(Span(head.kind, url=head.url, children=tuple(_merge(children))))
        else:  # softbreak and anything unexpected: keep the source text
            stack[-1][1].append(Span("text", tok.content or " "))
    return tuple(_merge(stack[0][1]))


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if span.kind == "text" and out and out[-1].kind == "text":
            out[-1] = Span("text", out[-1].text + span.text)
        else:
            out.append(span)
    return out


def plain(text: str) -> str:
    """The text a reader sees: markup removed, link texts kept."""
    return "".join(_plain(s) for s in parse(text))


def _plain(span: Span) -> str:
    return span.text if span.kind == "text" else "".join(_plain(c) for c in span.children)


def plain_span(span: Span) -> str:
    """The text a reader sees of one span."""
    return _plain(span)


def links(text: str) -> list[Span]:
    """The ``[text](url)`` link spans in ``text``, in order (``span.url``, ``span.children``)."""
    out: list[Span] = []

    def visit(spans: tuple[Span, ...]) -> None:
        for span in spans:
            if span.kind == "link":
                out.append(span)
            visit(span.children)

    visit(parse(text))
    return out


def link_targets(text: str) -> list[str]:
    """The URLs of the ``[text](url)`` links in ``text``, in order."""
    return [span.url for span in links(text)]
