"""The values of a JSON Resume document as a profile takes them, each step noted: text,
URLs, dates, e-mail addresses and phone numbers checked as cvtex's schema checks them,
objects with JSON Resume 0.x keys renamed, and the commented YAML (ruamel.yaml) they are
written to (:class:`Reader`). :mod:`cvtex.interop.jsonresume.importer` maps the document's
parts onto a profile with it.

ruamel.yaml is imported when a :class:`Reader` is made, not with this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cvtex.interop.jsonresume.common import JsonResumeError, Note
from cvtex.schema import normalize_url, parse_date

_END_WORDS = {"present", "current", "now", "ongoing", "today"}


@dataclass
class Imported:
    """The result of :func:`import_resume`: the profile (ruamel.yaml round-trip data
    with comments), where each part of the JSON went (``placed``: JSON path, profile
    path) and the notes (fixes, skipped empty values, what was not imported)."""

    data: Any
    placed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    leftovers: list[tuple[str, Any]] = field(default_factory=list)

    def yaml_text(self) -> str:
        import io

        from ruamel.yaml import YAML

        yaml = YAML()
        yaml.width = 4096  # one line per value: each keeps its "# path" comment
        yaml.indent(mapping=2, sequence=4, offset=2)
        buf = io.StringIO()
        yaml.dump(self.data, buf)
        return buf.getvalue()


def comment_text(text: str) -> str:
    """``text`` fit for a one-line YAML comment: characters that are not printable
    (line and paragraph separators, controls) as ``\\uXXXX``."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def comment_json(value: Any) -> str:
    return comment_text(json.dumps(value, ensure_ascii=False))


def section_slug(key: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    return slug if re.match(r"^[a-z]", slug or "") else "x-" + (slug or "section")



class Reader:
    """The state of one import: its result (:class:`Imported`) and the section ids used;
    each method reads one kind of value, noting every fix and every value left out."""

    def __init__(self, source: str) -> None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        self.Map, self.Seq = CommentedMap, CommentedSeq
        self.source = source
        self.result = Imported(data=None)
        self.section_ids: set[str] = set()

    # ---- reporting

    def note(self, path: str, message: str) -> None:
        self.result.notes.append(Note(path, message))

    def leftover(self, path: str, value: Any, why: str) -> None:
        """A value with no place in the profile: kept as a comment, and reported."""
        self.result.leftovers.append((path, value))
        self.note(path, f"{why}; not imported (kept as a comment at the top of the file)")

    # ---- values

    def text(self, value: Any, path: str) -> str | None:
        """A string value, stripped; ``None`` (and noted) when empty or not text."""
        if value is None:
            return None
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            self.leftover(path, value, f"expected text, found {type(value).__name__}")
            return None
        if isinstance(value, (int, float)):
            self.note(path, f"the number {value!r} is written as text")
            value = str(value)
        if not value.strip():
            self.result.empty.append(path)
            return None
        return value.strip()

    def texts(self, value: Any, path: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
            self.note(path, "a single text where a list was expected: read as a list of one")
        if not isinstance(value, list):
            self.leftover(path, value, "expected a list of texts")
            return []
        out = [self.text(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return [t for t in out if t is not None]

    def url(self, value: Any, path: str) -> str | None:
        url = self.text(value, path)
        if url is None:
            return None
        if url.startswith("//"):
            fixed = "https:" + url
        elif not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", url) or re.match(r"^[^/:]+\.[^/:]+:\d+(/|$)", url):
            fixed = "https://" + url
        else:
            fixed = url
        try:
            normalize_url(fixed)
        except ValueError as exc:
            self.leftover(path, value, f"'{url}' is not a URL cvtex can link ({exc})")
            return None
        if fixed != url:
            self.note(path, f"'{url}' has no scheme: written as {fixed}")
        return fixed

    def date(self, value: Any, path: str, *, end: bool = False) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        if end and text.lower() in _END_WORDS:
            return "present"
        match = re.match(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)[T ]\d{2}:\d{2}", text)
        if match:
            self.note(path, f"'{text}': the time of day is left out ({match.group(1)})")
            text = match.group(1)
        try:
            parse_date(text)
        except ValueError as exc:
            self.leftover(path, value, f"{exc}")
            return None
        return text

    def checked(self, kind: str, value: Any, path: str) -> str | None:
        """An e-mail address or phone number as cvtex's schema checks it."""
        from pydantic import TypeAdapter, ValidationError

        from cvtex.schema import Email, Phone

        text = self.text(value, path)
        if text is None:
            return None
        try:
            TypeAdapter(Email if kind == "email" else Phone).validate_python(text)
        except ValidationError as exc:
            self.leftover(path, value, exc.errors()[0]["msg"])
            return None
        return text

    # ---- building blocks

    def obj(self, value: Any, path: str, legacy: dict[str, str] | None = None) -> dict[str, Any] | None:
        """A JSON object with legacy keys renamed; ``None`` (and noted) otherwise."""
        if not isinstance(value, dict):
            if isinstance(value, str) and not value.strip():
                self.result.empty.append(path)
            else:
                self.leftover(path, value, "expected an object")
            return None
        out = dict(value)
        for old, new in (legacy or {}).items():
            if old in out and new not in out:
                out[new] = out.pop(old)
                self.note(f"{path}.{old}", f"read as '{new}' (the JSON Resume 0.x name)")
        return out

    def rest(self, obj: dict[str, Any], used: set[str], path: str) -> None:
        """Report the keys of ``obj`` not in ``used``."""
        for key, value in obj.items():
            if key in used:
                continue
            if value is None or (isinstance(value, (str, list, dict)) and not value):
                self.result.empty.append(f"{path}.{key}")
                continue
            self.leftover(f"{path}.{key}", value, "no matching field in a cvtex profile")

    def put(self, target: Any, key: str, value: Any, path: str | None) -> None:
        if value is None or value == [] or value == "":
            return
        target[key] = value
        if path:
            target.yaml_add_eol_comment(comment_text(path), key)

    def seq(self, items: list[tuple[Any, str | None]]) -> Any:
        """A YAML list whose items carry their own path comments (where given)."""
        seq = self.Seq([v for v, _ in items])
        for i, (_, path) in enumerate(items):
            if path and not isinstance(items[i][0], dict):
                seq.yaml_add_eol_comment(comment_text(path), i)
        return seq

    def dates(self, target: Any, obj: dict[str, Any], path: str, *, ongoing: bool) -> None:
        start = self.date(obj.get("startDate"), f"{path}.startDate")
        end = self.date(obj.get("endDate"), f"{path}.endDate", end=True)
        if start and end and end != "present" and parse_date(end) < parse_date(start):
            self.leftover(f"{path}.endDate", obj.get("endDate"), f"the end ({end}) is before the start ({start})")
            end = None
        if start and end is None and ongoing and obj.get("endDate") in (None, ""):
            end = "present"
            self.note(f"{path}.endDate", "missing: the entry is ongoing (end: present), as JSON Resume themes show it")
        self.put(target, "start", start, f"{path}.startDate")
        self.put(target, "end", end, f"{path}.endDate" if obj.get("endDate") not in (None, "")
                 else f"{path}: no endDate, so ongoing")

    def section(self, kind: str, entries: list[Any], path: str, *, sid: str | None = None,
                title: Any = None) -> Any:
        section = self.Map()
        section["kind"] = kind
        wanted = sid or kind
        sid_final = wanted
        n = 2
        while sid_final in self.section_ids:
            sid_final = f"{wanted}-{n}"
            n += 1
        self.section_ids.add(sid_final)
        if sid_final != kind:
            section["id"] = sid_final
        if title is not None:
            section["title"] = title
        section["entries"] = self.Seq(entries)
        section.yaml_add_eol_comment(comment_text(path), "kind")
        return section


def read_json(path) -> Any:
    """Parse a JSON file; :class:`JsonResumeError` with line and column when it is not JSON."""
    from pathlib import Path

    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise JsonResumeError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise JsonResumeError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonResumeError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None

