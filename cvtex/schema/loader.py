"""Stage 1 — load: a YAML file -> a plain mapping plus the source position of every value.

PyYAML composes the node tree (it keeps a start mark per node); cvtex builds the
Python values itself from that tree so that

* every scalar stays a string (no YAML 1.1 surprises: ``no`` stays "no", ``2021-02``
  and ``2013-12-01`` stay dates as written, ``010`` keeps its zero) — the schema
  decides types; only ``null``, ``~`` and the empty plain scalar mean "absent";
* duplicate keys are errors instead of "the last one wins";
* each value's (line, column) is known, keyed by its path (``('sections', 0, 'title')``).

Every problem is a :class:`ProfileError` with ``file:line:col``: a file that is not UTF-8
(the byte's position is given; a UTF-8 byte order mark is allowed and dropped), YAML
syntax, a character YAML does not allow in a file (YAML 1.2 §5.1), a duplicate key, a
merge key, nesting deeper than :data:`MAX_DEPTH` levels (at the list or mapping that goes
deeper), more than :data:`MAX_NODES` values.

Lines are counted as editors and YAML 1.2 (§5.4) count them: a line ends at LF, CR or
CRLF only. (PyYAML follows YAML 1.1 and also ends lines at NEL, U+2028 and U+2029, so its
line numbers are not used; positions come from its character offsets.) Columns count
characters from 1.

Rule source: YAML 1.2 core schema §10.3.2 for the null forms.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from cvtex.diagnostics import (
    LINE_BREAK,
    Diagnostic,
    ProfileError,
    display_path,
    source_line,
)

Loc = tuple[str | int, ...]

#: Plain scalars that mean "no value" (YAML 1.2 core schema).
_NULLS = {"", "~", "null", "Null", "NULL"}
#: A profile is small; this bounds alias expansion ("billion laughs").
MAX_NODES = 200_000
#: Deepest nesting of lists and mappings accepted (a profile needs about 8; PyYAML's
#: composer recurses once per level, so this also keeps it far from Python's limit).
MAX_DEPTH = 100


@dataclass(frozen=True)
class Position:
    """A place in a source file; ``line`` and ``column`` are 1-based."""

    line: int
    column: int


@dataclass
class Document:
    """A loaded YAML file.

    ``data`` is the value tree (dict / list / str / None); ``positions`` maps the path of
    every value to where the value starts, ``key_positions`` the path of every mapping
    entry to where its key starts, and ``spans`` the path of every value to its
    ``(start, end)`` character offsets in ``text``.
    """

    path: Path
    text: str
    data: Any
    positions: dict[Loc, Position] = field(default_factory=dict)
    key_positions: dict[Loc, Position] = field(default_factory=dict)
    spans: dict[Loc, tuple[int, int]] = field(default_factory=dict)

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

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in LINE_BREAK.finditer(self.text)]

    def position_of(self, offset: int) -> Position:
        """The line and column of character ``offset`` of :attr:`text` (see module doc)."""
        line = bisect.bisect_right(self._line_starts, offset)
        return Position(line, offset - self._line_starts[line - 1] + 1)

    def diagnostic(self, loc: Loc, message: str, *, severity: str = "error", key: bool = False,
                   field_name: str = "", char: str = "") -> Diagnostic:
        """A :class:`Diagnostic` pointing at the value (or key) at ``loc``; with ``char``,
        at that character inside the value when the source has it as written."""
        pos = self.locate(loc, key=key)
        span = self.spans.get(tuple(loc)) if char and not key else None
        if span is not None and (found := self.text.find(char, span[0], span[1])) >= 0:
            pos = self.position_of(found)
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
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError([Diagnostic(display_path(path), 0, 0,
                                       f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
        good = raw[start:exc.start].decode("utf-8")
        line, column = good.count("\n") + 1, len(good) - (good.rfind("\n") + 1) + 1
        raise ProfileError([Diagnostic(
            display_path(path), line, column,
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02X} here); save it as UTF-8 "
            "(a file in EUC-KR/CP949 or another legacy encoding must be converted)",
            source_line=source_line(good + "\n", line))]) from None
    return loads(text, path)


def loads(text: str, path: Path | str = "<string>") -> Document:
    """Parse YAML ``text`` as if read from ``path``; see :func:`load`."""
    doc = Document(path=Path(path), text=text, data=None)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = doc.position_of(mark.index) if mark else Position(0, 0)
        raise ProfileError([Diagnostic(doc.name, pos.line, pos.column, _yaml_message(doc, exc),
                                       source_line=source_line(text, pos.line))]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow in a stream
        pos = doc.position_of(exc.position)
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        raise ProfileError([Diagnostic(doc.name, pos.line, pos.column,
                                       f"the file contains U+{ord(char):04X}, a control character YAML does not "
                                       "allow (YAML 1.2 §5.1); remove it (inside double quotes write it as an "
                                       "escape such as \\t if you must)",
                                       source_line=source_line(text, pos.line))]) from None
    except yaml.YAMLError as exc:
        raise ProfileError([Diagnostic(doc.name, 0, 0, f"invalid YAML: {exc}")]) from None
    except RecursionError:  # PyYAML's composer recurses once per level: find the place from the events
        index = _too_deep(text)
        pos = doc.position_of(index) if index is not None else Position(1, 1)
        raise ProfileError([Diagnostic(doc.name, pos.line, pos.column, _DEEP,
                                       source_line=source_line(text, pos.line))]) from None
    if node is None:
        raise ProfileError([Diagnostic(doc.name, 1, 1, "the file is empty: a profile is a YAML mapping",
                                       source_line=source_line(text, 1))])
    builder = _Builder(doc)
    doc.data = builder.build(node, ())
    if builder.problems:
        raise ProfileError(builder.problems)
    if not isinstance(doc.data, dict):
        raise ProfileError([doc.diagnostic((), "a profile must be a YAML mapping (key: value lines)")])
    return doc


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree of ``text``: libyaml's parser when PyYAML was built with it
    (about 10x faster; the same nodes and marks), PyYAML's own when it is not or when
    the text is not valid YAML — so errors always come from the one parser whose
    messages and positions cvtex words for authors."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except Exception:  # noqa: BLE001 - YAML errors, and libyaml's own (a lone surrogate:
            pass           # UnicodeEncodeError): PyYAML, the reference, says what is wrong
    return yaml.compose(text, Loader=yaml.SafeLoader)


_DEEP = (f"lists and mappings are nested more than {MAX_DEPTH} levels deep here (a profile needs about 8; "
         "an unclosed '[' or '{' nests everything after it)")


def _too_deep(text: str) -> int | None:
    """The character offset of the first list or mapping nested deeper than
    :data:`MAX_DEPTH` in ``text``, from PyYAML's event stream (its parser keeps a stack
    rather than recursing, so any depth can be read), or ``None`` if there is none."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):  # libyaml's scanner stops at 1000 levels
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.index
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        pass
    return None


def _yaml_message(doc: Document, exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's problem in a profile author's words, saying where an unclosed construct began."""
    problem = exc.problem or exc.context or "syntax error"
    if "'\\t'" in problem and "cannot start any token" in problem:
        return "invalid YAML: a tab cannot indent YAML; indent with spaces"
    if problem.startswith("expected <block end>"):
        problem = "this line is not indented like the lines above it (indent each level by the same spaces)"
    message = f"invalid YAML: {problem}"
    if exc.context and exc.problem:
        context = re.sub(r"^while (parsing|scanning) (an? )?", "", exc.context)
        if exc.context_mark is not None and exc.problem_mark is not None \
                and exc.context_mark.index != exc.problem_mark.index:
            start = doc.position_of(exc.context_mark.index)
            message += f" (in the {context} that starts at line {start.line}, column {start.column})"
        else:
            message += f" ({exc.context})"
    return message


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.problems: list[Diagnostic] = []

    def _pos(self, node: yaml.Node) -> Position:
        return self.doc.position_of(node.start_mark.index)

    def _problem(self, node: yaml.Node, message: str) -> Diagnostic:
        pos = self._pos(node)
        return Diagnostic(self.doc.name, pos.line, pos.column, message, source_line=source_line(self.doc.text, pos.line))

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if len(loc) >= MAX_DEPTH and isinstance(node, yaml.CollectionNode):  # level MAX_DEPTH + 1, the
            # top-level mapping being level 1, as in _too_deep
            if not any(p.message == _DEEP for p in self.problems):
                self.problems.append(self._problem(node, _DEEP))
            return None
        if self.count > MAX_NODES:
            if len(self.problems) == 0 or "too large" not in self.problems[-1].message:
                self.problems.append(self.doc.diagnostic(loc, f"the document is too large (over {MAX_NODES} values "
                                                             "after expanding aliases)"))
            return None
        self.doc.positions[loc] = self._pos(node)
        self.doc.spans[loc] = (node.start_mark.index, node.end_mark.index)
        if isinstance(node, yaml.ScalarNode):
            if not node.style and node.value in _NULLS:  # plain: None from PyYAML, "" from libyaml
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(self._problem(key_node, "merge keys ('<<') are not supported"))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(self._problem(key_node, "a key must be plain text"))
                continue
            key = key_node.value
            if key in out:
                first = self.doc.key_positions[loc + (key,)]
                self.problems.append(self._problem(key_node, f"duplicate key '{key}' (first given at line {first.line})"))
                continue
            self.doc.key_positions[loc + (key,)] = self._pos(key_node)
            out[key] = self.build(value_node, loc + (key,))
        return out

