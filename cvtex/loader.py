"""Stage 1 — load: a YAML file -> a plain mapping plus the source position of every value.

PyYAML composes the node tree (it keeps a start mark per node); cvtex builds the
Python values itself from that tree so that

* every scalar stays a string (no YAML 1.1 surprises: ``no`` stays "no", ``2021-02``
  and ``2013-12-01`` stay dates as written, ``010`` keeps its zero) — the schema
  decides types; only ``null``, ``~`` and the empty plain scalar mean "absent";
* duplicate keys are errors instead of "the last one wins";
* each value's (line, column) is known, keyed by its path (``('sections', 0, 'title')``).

Rule source: YAML 1.2 core schema §10.3.2 for the null forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, ProfileError, display_path, source_line

Loc = tuple[str | int, ...]

#: Plain scalars that mean "no value" (YAML 1.2 core schema).
_NULLS = {"", "~", "null", "Null", "NULL"}
#: A profile is small; this bounds alias expansion ("billion laughs").
MAX_NODES = 200_000


@dataclass(frozen=True)
class Position:
    """A place in a source file; ``line`` and ``column`` are 1-based."""

    line: int
    column: int


@dataclass
class Document:
    """A loaded YAML file.

    ``data`` is the value tree (dict / list / str / None); ``positions`` maps the path of
    every value to where the value starts and ``key_positions`` the path of every mapping
    entry to where its key starts.
    """

    path: Path
    text: str
    data: Any
    positions: dict[Loc, Position] = field(default_factory=dict)
    key_positions: dict[Loc, Position] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return display_path(self.path)

    def locate(self, loc: Loc, *, key: bool = False) -> Position:
        """Position of the deepest known prefix of ``loc`` (the key's, with ``key=True``)."""
        for n in range(len(loc), -1, -1):
            prefix = tuple(loc[:n])
            if key and n == len(loc) and prefix in self.key_positions:
                return self.key_positions[prefix]
            if prefix in self.positions:
                return self.positions[prefix]
        return Position(1, 1)

    def diagnostic(self, loc: Loc, message: str, *, severity: str = "error", key: bool = False,
                   field_name: str = "") -> Diagnostic:
        """A :class:`Diagnostic` pointing at the value (or key) at ``loc``."""
        pos = self.locate(loc, key=key)
        return Diagnostic(
            file=self.name, line=pos.line, column=pos.column, message=message,
            severity=severity, field=field_name, source_line=source_line(self.text, pos.line),  # type: ignore[arg-type]
        )


def load(path: Path | str) -> Document:
    """Read and parse the YAML file at ``path``.

    Raises :class:`ProfileError` (with ``file:line:col``) when the file cannot be read,
    is not valid YAML, has a duplicate key, or is not a mapping at the top.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ProfileError([Diagnostic(display_path(path), 0, 0, f"cannot read file: {reason}")]) from None
    return loads(text, path)


def loads(text: str, path: Path | str = "<string>") -> Document:
    """Parse YAML ``text`` as if read from ``path``; see :func:`load`."""
    doc = Document(path=Path(path), text=text, data=None)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = f"invalid YAML: {exc.problem or exc.context}"
        if exc.context and exc.problem:
            message += f" ({exc.context})"
        raise ProfileError([Diagnostic(doc.name, line, col, message, source_line=source_line(text, line))]) from None
    except yaml.YAMLError as exc:  # reader errors: control characters, bad encoding
        mark = getattr(exc, "position", None)
        raise ProfileError([Diagnostic(doc.name, 0, 0, f"invalid YAML: {exc}")]) from None
    if node is None:
        raise ProfileError([Diagnostic(doc.name, 1, 1, "the file is empty: a profile is a YAML mapping")])
    builder = _Builder(doc)
    doc.data = builder.build(node, ())
    if builder.problems:
        raise ProfileError(builder.problems)
    if not isinstance(doc.data, dict):
        raise ProfileError([doc.diagnostic((), "a profile must be a YAML mapping (key: value lines)")])
    return doc


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.problems: list[Diagnostic] = []

    def _pos(self, node: yaml.Node) -> Position:
        return Position(node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if len(self.problems) == 0 or "too large" not in self.problems[-1].message:
                self.problems.append(self.doc.diagnostic(loc, f"the document is too large (over {MAX_NODES} values "
                                                             "after expanding aliases)"))
            return None
        self.doc.positions[loc] = self._pos(node)
        if isinstance(node, yaml.ScalarNode):
            if node.style is None and node.value in _NULLS:
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(Diagnostic(self.doc.name, *_lc(key_node), "merge keys ('<<') are not supported",
                                                source_line=source_line(self.doc.text, key_node.start_mark.line + 1)))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Diagnostic(self.doc.name, *_lc(key_node), "a key must be plain text",
                                                source_line=source_line(self.doc.text, key_node.start_mark.line + 1)))
                continue
            key = key_node.value
            if key in out:
                first = self.doc.key_positions[loc + (key,)]
                self.problems.append(Diagnostic(
                    self.doc.name, *_lc(key_node),
                    f"duplicate key '{key}' (first given at line {first.line})",
                    source_line=source_line(self.doc.text, key_node.start_mark.line + 1)))
                continue
            self.doc.key_positions[loc + (key,)] = self._pos(key_node)
            out[key] = self.build(value_node, loc + (key,))
        return out


def _lc(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1
