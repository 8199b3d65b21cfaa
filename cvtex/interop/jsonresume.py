"""JSON Resume (https://jsonresume.org, schema v1.0.0) to and from a cvtex profile.

:func:`import_resume` maps a JSON Resume document onto a profile and returns it as
commented YAML (:class:`Imported`): every written value carries a ``# json.path``
comment naming where it came from, and every value that has no place in a profile is
kept as a comment at the top of the file and listed in :attr:`Imported.notes` —
nothing is dropped silently. :func:`export_resume` turns a validated
:class:`~cvtex.schema.models.Profile` into a JSON Resume document in one locale.

Import rules (the README has the full table):

* Text is written as one string (the same in every language): the Korean PDF prints
  it until ``{en: …, ko: …}`` is given. The profile's locales are ``[en, ko]``.
* Empty strings are absent. A URL without a scheme (``example.com/x``) gets
  ``https://``. Dates ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` are kept as written; a
  date-time keeps its date; ``present``/``current``/``now`` end dates are ``present``;
  a work or volunteer entry without ``endDate`` is ongoing (``end: present``), as JSON
  Resume themes print it.
* Consecutive ``work`` (and ``volunteer``) entries of one organization become one
  organization with several roles.
* Fields cvtex has no field for, invalid values (an e-mail address, a phone number, a
  URL, a date cvtex cannot read), unknown keys and unknown top-level lists are reported;
  a top-level list of unknown kind becomes a custom section.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from cvtex.schema.text import PartialDate, normalize_url, parse_date

#: The schema URL JSON Resume v1.0.0 documents name in ``$schema``.
SCHEMA_URL = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"

#: The locales of an imported profile: both PDFs render; text is the same in both.
IMPORT_LOCALES = ["en", "ko"]

#: Section titles for what JSON Resume has and cvtex has no kind for.
TITLES = {
    "volunteer": {"en": "Volunteering", "ko": "봉사 활동"},
    "certificates": {"en": "Certificates", "ko": "자격증"},
    "interests": {"en": "Interests", "ko": "관심 분야"},
    "references": {"en": "References", "ko": "추천인"},
}
#: The label of the skills entry that collects skills without keywords.
OTHER_SKILLS = {"en": "Other", "ko": "기타"}
ALL_SKILLS = {"en": "Skills", "ko": "기술"}
#: The highlight a project's keywords become.
KEYWORDS = {"en": "Keywords: {}", "ko": "키워드: {}"}

#: Keys of older JSON Resume versions (0.x) and their v1.0.0 names.
LEGACY = {
    "basics": {"website": "url", "picture": "image"},
    "work": {"company": "name", "website": "url"},
    "volunteer": {"website": "url"},
    "education": {"gpa": "score"},
    "publications": {"website": "url"},
    "projects": {"website": "url"},
}

_END_WORDS = {"present", "current", "now", "ongoing", "today"}


class JsonResumeError(ValueError):
    """The document cannot be imported at all (not JSON, not an object, no name)."""


@dataclass
class Note:
    """One thing the import did that the user should know: ``path`` is the JSON path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


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


def _safe(text: str) -> str:
    """``text`` fit for a one-line YAML comment: characters that are not printable
    (line and paragraph separators, controls) as ``\\uXXXX``."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _json(value: Any) -> str:
    return _safe(json.dumps(value, ensure_ascii=False))


def _slug(key: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    return slug if re.match(r"^[a-z]", slug or "") else "x-" + (slug or "section")


# --------------------------------------------------------------------------- import

class _Importer:
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

        from cvtex.schema.text import Email, Phone

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
            target.yaml_add_eol_comment(_safe(path), key)

    def seq(self, items: list[tuple[Any, str | None]]) -> Any:
        """A YAML list whose items carry their own path comments (where given)."""
        seq = self.Seq([v for v, _ in items])
        for i, (_, path) in enumerate(items):
            if path and not isinstance(items[i][0], dict):
                seq.yaml_add_eol_comment(_safe(path), i)
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
        section.yaml_add_eol_comment(_safe(path), "kind")
        return section

    # ---- the document

    def run(self, doc: Any) -> Imported:
        if not isinstance(doc, dict):
            raise JsonResumeError("a JSON Resume document is a JSON object ({…}) at the top")
        profile = self.Map()
        profile["locales"] = self.Seq(IMPORT_LOCALES)
        profile["locales"].fa.set_flow_style()
        basics = self.obj(doc.get("basics") or {}, "basics", LEGACY["basics"]) or {}
        header, summary = self.basics(basics)
        profile["header"] = header
        profile.yaml_add_eol_comment("basics", "header")
        self.put(profile, "summary", summary, "basics.summary")
        sections = []
        handlers = {"work": self.work, "volunteer": self.volunteer, "education": self.education,
                    "awards": self.awards, "certificates": self.certificates, "publications": self.publications,
                    "skills": self.skills, "languages": self.languages, "interests": self.interests,
                    "references": self.references, "projects": self.projects}
        for key, value in doc.items():
            if key in ("basics",):
                continue
            if key == "$schema":
                self.note("$schema", "the JSON Resume schema link: not needed in a profile")
                continue
            if key == "meta":
                if value not in (None, {}, ""):
                    self.leftover("meta", value, "JSON Resume tooling data (version, canonical URL, date)")
                continue
            if value is None or value == [] or value == "":
                self.result.empty.append(key)
                continue
            if key in handlers:
                if not isinstance(value, list):
                    self.leftover(key, value, "expected a list")
                    continue
                made = handlers[key](value)
            else:
                made = self.unknown(key, value)
            for section in made:
                where = f"sections[{len(sections)}]"
                n = len(section["entries"])
                self.result.placed.append((key, f"{where} ({section['kind']}, id {section.get('id', section['kind'])}: "
                                                f"{n} entr{'y' if n == 1 else 'ies'})"))
                sections.append(section)
        if sections:
            profile["sections"] = self.Seq(sections)
        self.result.data = profile
        self.result.placed.insert(0, ("basics", "header" + (" and summary" if summary else "")))
        self._header_comment()
        return self.result

    def _header_comment(self) -> None:
        lines = [f"Imported from {_safe(self.source)} (JSON Resume) by cvtex import.",
                 "A '# path' comment names the JSON value a line came from.",
                 "Text is the same in every language: to give the Korean PDF its own, write {en: …, ko: …}."]
        if self.result.leftovers:
            lines.append("Not imported (no place in a cvtex profile, or not valid there):")
            lines += [f"  {_safe(path)}: {_json(value)}" for path, value in self.result.leftovers]
        if self.result.empty:
            lines.append("Empty in the JSON (left out): " + ", ".join(_safe(p) for p in self.result.empty))
        self.result.data.yaml_set_start_comment("\n".join(lines))

    def basics(self, b: dict[str, Any]) -> tuple[Any, str | None]:
        header = self.Map()
        name = self.text(b.get("name"), "basics.name")
        if name is None:
            raise JsonResumeError("basics.name is missing or empty: a CV needs the name of its owner")
        self.put(header, "name", name, "basics.name")
        self.put(header, "headline", self.text(b.get("label"), "basics.label"), "basics.label")
        location = self.location(b.get("location"))
        self.put(header, "location", location, "basics.location")
        email = self.checked("email", b.get("email"), "basics.email")
        if email:
            self.put(header, "emails", self.seq([(email, None)]), "basics.email")
        self.put(header, "phone", self.checked("phone", b.get("phone"), "basics.phone"), "basics.phone")
        url = self.url(b.get("url"), "basics.url")
        if url:
            self.put(header, "websites", self.seq([(url, None)]), "basics.url")
        profiles = []
        raw_profiles = b.get("profiles")
        if raw_profiles not in (None, []) and not isinstance(raw_profiles, list):
            self.leftover("basics.profiles", raw_profiles, "expected a list")
            raw_profiles = []
        for i, raw in enumerate(raw_profiles or []):
            p = f"basics.profiles[{i}]"
            obj = self.obj(raw, p)
            if obj is None:
                continue
            entry = self.Map()
            network = self.text(obj.get("network"), f"{p}.network")
            username = self.text(obj.get("username"), f"{p}.username")
            url = self.url(obj.get("url"), f"{p}.url")
            if url and not network:
                from urllib.parse import urlsplit

                network = (urlsplit(url).hostname or "web").removeprefix("www.")
                self.note(f"{p}.network", f"missing: named after the URL's host ({network})")
            if not url:
                self.leftover(p, raw, "a cvtex profile link needs a url, and this one has none")
                continue
            self.put(entry, "network", network, f"{p}.network" if obj.get("network") else None)
            self.put(entry, "username", username, f"{p}.username")
            self.put(entry, "url", url, f"{p}.url")
            self.rest(obj, {"network", "username", "url"}, p)
            profiles.append(entry)
        if profiles:
            header["profiles"] = self.Seq(profiles)
        if b.get("image") not in (None, ""):
            self.leftover("basics.image", b["image"], "cvtex does not print photos")
        elif "image" in b:
            self.result.empty.append("basics.image")
        summary = self.text(b.get("summary"), "basics.summary")
        self.rest(b, {"name", "label", "location", "email", "phone", "url", "profiles", "image", "summary"},
                  "basics")
        return header, summary

    def location(self, raw: Any) -> str | None:
        if raw is None:
            return None
        if isinstance(raw, str):
            return self.text(raw, "basics.location")
        obj = self.obj(raw, "basics.location")
        if obj is None:
            return None
        keys = ("address", "city", "region", "postalCode", "countryCode")
        parts = []
        for key in keys:
            value = self.text(obj.get(key), f"basics.location.{key}")
            if value:
                parts += [line.strip() for line in value.splitlines() if line.strip()]
        self.rest(obj, set(keys), "basics.location")
        if parts:
            self.note("basics.location", f"written as one line: {', '.join(parts)}")
        return ", ".join(parts) or None

    # ---- work and volunteer

    def work(self, items: list[Any]) -> list[Any]:
        entries = self.organizations(items, "work", "name")
        return [self.section("experience", entries, "work")] if entries else []

    def volunteer(self, items: list[Any]) -> list[Any]:
        entries = self.organizations(items, "volunteer", "organization")
        return [self.section("experience", entries, "volunteer", sid="volunteer", title=TITLES["volunteer"])] \
            if entries else []

    def organizations(self, items: list[Any], key: str, name_key: str) -> list[Any]:
        entries: list[Any] = []
        last_name = None
        for i, raw in enumerate(items):
            p = f"{key}[{i}]"
            obj = self.obj(raw, p, LEGACY.get(key))
            if obj is None:
                continue
            if key == "volunteer" and name_key not in obj and "name" in obj:
                obj[name_key] = obj.pop("name")
                self.note(f"{p}.name", f"read as '{name_key}'")
            org = self.text(obj.get(name_key), f"{p}.{name_key}")
            position = self.text(obj.get("position"), f"{p}.position")
            if org is None and position is None:
                self.leftover(p, raw, f"neither '{name_key}' nor 'position'")
                continue
            if org is None:
                org = position
                self.note(f"{p}.{name_key}", "missing: the position is used as the organization")
            role = self.Map()
            if position is None:
                self.note(f"{p}.position", "missing: the role is titled with the organization")
            self.put(role, "title", position or org, f"{p}.position" if position else f"{p}.{name_key}")
            url = self.url(obj.get("url"), f"{p}.url")
            location = self.text(obj.get("location"), f"{p}.location")
            same = entries and last_name == org
            if same:
                entry = entries[-1]
                self.note(p, "same organization as the entry before: a further role of it")
                if location and location != entry.get("location"):
                    self.put(role, "location", location, f"{p}.location")
                if url and url != entry.get("url"):
                    if "url" in entry:
                        self.leftover(f"{p}.url", obj.get("url"), "the organization already has another url")
                    else:
                        self.put(entry, "url", url, f"{p}.url")
            else:
                entry = self.Map()
                self.put(entry, "organization", org, f"{p}.{name_key}")
                self.put(entry, "location", location, f"{p}.location")
                self.put(entry, "url", url, f"{p}.url")
                entry["roles"] = self.Seq()
                entries.append(entry)
            for extra in ("department", "team", "advisor"):  # what cvtex export writes
                self.put(role, extra, self.text(obj.get(extra), f"{p}.{extra}"), f"{p}.{extra}")
            self.dates(role, obj, p, ongoing=True)
            highlights: list[tuple[str, str | None]] = []
            for lead in ("description", "summary"):
                text = self.text(obj.get(lead), f"{p}.{lead}")
                if text:
                    highlights.append((text, f"{p}.{lead}"))
                    self.note(f"{p}.{lead}", "a highlight of the role (cvtex roles have no summary)")
            highlights += [(h, None) for h in self.texts(obj.get("highlights"), f"{p}.highlights")]
            if highlights:
                self.put(role, "highlights", self.seq(highlights), f"{p}.highlights" if obj.get("highlights")
                         else None)
            entry["roles"].append(role)
            last_name = org
            self.rest(obj, {name_key, "position", "url", "location", "startDate", "endDate", "description",
                            "summary", "highlights", "department", "team", "advisor"}, p)
        return entries

    # ---- the other lists

    def entries(self, items: list[Any], key: str, build) -> list[Any]:
        out = []
        for i, raw in enumerate(items):
            p = f"{key}[{i}]"
            obj = self.obj(raw, p, LEGACY.get(key))
            if obj is None:
                continue
            entry = build(obj, p, raw)
            if entry is not None:
                out.append(entry)
        return out

    def required(self, obj: dict[str, Any], key: str, p: str, raw: Any) -> str | None:
        value = self.text(obj.get(key), f"{p}.{key}")
        if value is None:
            self.leftover(p, raw, f"no '{key}', which cvtex needs for this entry")
        return value

    def education(self, items: list[Any]) -> list[Any]:
        def build(obj, p, raw):
            institution = self.required(obj, "institution", p, raw)
            if institution is None:
                return None
            e = self.Map()
            self.put(e, "institution", institution, f"{p}.institution")
            self.put(e, "degree", self.text(obj.get("studyType"), f"{p}.studyType"), f"{p}.studyType")
            self.put(e, "area", self.text(obj.get("area"), f"{p}.area"), f"{p}.area")
            for extra in ("location", "advisor", "thesis"):
                self.put(e, extra, self.text(obj.get(extra), f"{p}.{extra}"), f"{p}.{extra}")
            self.put(e, "url", self.url(obj.get("url"), f"{p}.url"), f"{p}.url")
            self.put(e, "score", self.text(obj.get("score"), f"{p}.score"), f"{p}.score")
            self.dates(e, obj, p, ongoing=False)
            self.put(e, "courses", self.seq([(c, None) for c in self.texts(obj.get("courses"), f"{p}.courses")]),
                     f"{p}.courses")
            self.put(e, "highlights", self.seq([(h, None) for h in self.texts(obj.get("highlights"),
                                                                               f"{p}.highlights")]), f"{p}.highlights")
            self.rest(obj, {"institution", "studyType", "area", "location", "advisor", "thesis", "url", "score",
                            "startDate", "endDate", "courses", "highlights"}, p)
            return e
        entries = self.entries(items, "education", build)
        return [self.section("education", entries, "education")] if entries else []

    def _award(self, obj, p, raw, title_key: str, issuer_key: str) -> Any:
        title = self.required(obj, title_key, p, raw)
        if title is None:
            return None
        e = self.Map()
        self.put(e, "title", title, f"{p}.{title_key}")
        self.put(e, "issuer", self.text(obj.get(issuer_key), f"{p}.{issuer_key}"), f"{p}.{issuer_key}")
        self.put(e, "date", self.date(obj.get("date"), f"{p}.date"), f"{p}.date")
        self.put(e, "url", self.url(obj.get("url"), f"{p}.url"), f"{p}.url")
        self.put(e, "summary", self.text(obj.get("summary"), f"{p}.summary"), f"{p}.summary")
        self.rest(obj, {title_key, issuer_key, "date", "url", "summary"}, p)
        return e

    def awards(self, items: list[Any]) -> list[Any]:
        entries = self.entries(items, "awards", lambda o, p, r: self._award(o, p, r, "title", "awarder"))
        return [self.section("awards", entries, "awards")] if entries else []

    def certificates(self, items: list[Any]) -> list[Any]:
        entries = self.entries(items, "certificates", lambda o, p, r: self._award(o, p, r, "name", "issuer"))
        return [self.section("awards", entries, "certificates", sid="certificates",
                             title=TITLES["certificates"])] if entries else []

    def publications(self, items: list[Any]) -> list[Any]:
        def build(obj, p, raw):
            title = self.required(obj, "name", p, raw)
            if title is None:
                return None
            e = self.Map()
            self.put(e, "title", title, f"{p}.name")
            authors = self.texts(obj.get("authors"), f"{p}.authors")
            self.put(e, "authors", self.seq([(a, None) for a in authors]), f"{p}.authors")
            self.put(e, "venue", self.text(obj.get("publisher"), f"{p}.publisher"), f"{p}.publisher")
            self.put(e, "date", self.date(obj.get("releaseDate"), f"{p}.releaseDate"), f"{p}.releaseDate")
            self.put(e, "url", self.url(obj.get("url"), f"{p}.url"), f"{p}.url")
            self.put(e, "note", self.text(obj.get("summary"), f"{p}.summary"), f"{p}.summary")
            self.rest(obj, {"name", "authors", "publisher", "releaseDate", "url", "summary"}, p)
            return e
        entries = self.entries(items, "publications", build)
        return [self.section("publications", entries, "publications")] if entries else []

    def skills(self, items: list[Any]) -> list[Any]:
        entries: list[Any] = []
        loose: list[tuple[str, str]] = []  # skills without keywords: one entry
        loose_at = None
        for i, raw in enumerate(items):
            p = f"skills[{i}]"
            obj = self.obj(raw, p) if not isinstance(raw, str) else {"name": raw}
            if obj is None:
                continue
            name = self.text(obj.get("name"), f"{p}.name")
            level = self.text(obj.get("level"), f"{p}.level")
            keywords = self.texts(obj.get("keywords"), f"{p}.keywords")
            self.rest(obj, {"name", "level", "keywords"}, p)
            if not name and not keywords:
                if level:
                    self.leftover(f"{p}.level", level, "a level without a skill name")
                continue
            if keywords:
                e = self.Map()
                label = name or ", ".join(keywords[:1])
                if level:
                    label = f"{label} ({level})"
                    self.note(f"{p}.level", f"added to the label: {label}")
                self.put(e, "label", label, f"{p}.name" + (" + .level" if level else ""))
                self.put(e, "items", self.seq([(k, None) for k in keywords]), f"{p}.keywords")
                entries.append(e)
            else:
                if loose_at is None:
                    loose_at = len(entries)
                    entries.append(None)
                item = f"{name} ({level})" if level else name
                loose.append((item, f"{p}.name" + (" + .level" if level else "")))
                self.note(p, "no keywords: listed with the other skills without keywords")
        if loose_at is not None:
            e = self.Map()
            e["label"] = ALL_SKILLS if len(entries) == 1 else OTHER_SKILLS
            e["items"] = self.seq(loose)
            entries[loose_at] = e
        return [self.section("skills", entries, "skills")] if entries else []

    def languages(self, items: list[Any]) -> list[Any]:
        def build(obj, p, raw):
            language = self.required(obj, "language", p, raw)
            if language is None:
                return None
            e = self.Map()
            self.put(e, "language", language, f"{p}.language")
            self.put(e, "fluency", self.text(obj.get("fluency"), f"{p}.fluency"), f"{p}.fluency")
            self.rest(obj, {"language", "fluency"}, p)
            return e
        entries = self.entries(items, "languages", build)
        return [self.section("languages", entries, "languages")] if entries else []

    def _named_custom(self, items: list[Any], key: str, summary: str, joined: bool, note: str) -> list[Any]:
        """A custom section ``key``: each item's ``name`` -> title, its ``summary`` field ->
        summary (a list of texts joined with ', ' when ``joined``)."""
        def build(obj, p, raw):
            name = self.required(obj, "name", p, raw)
            if name is None:
                return None
            e = self.Map()
            self.put(e, "title", name, f"{p}.name")
            where = f"{p}.{summary}"
            text = (", ".join(self.texts(obj.get(summary), where)) or None) if joined \
                else self.text(obj.get(summary), where)
            self.put(e, "summary", text, where)
            self.rest(obj, {"name", summary}, p)
            return e
        entries = self.entries(items, key, build)
        if not entries:
            return []
        self.note(key, note)
        return [self.section("custom", entries, key, sid=key, title=TITLES[key])]

    def interests(self, items: list[Any]) -> list[Any]:
        return self._named_custom(items, "interests", "keywords", True,
                                  "a custom section (cvtex has no interests kind); keywords joined with ', '")

    def references(self, items: list[Any]) -> list[Any]:
        return self._named_custom(items, "references", "reference", False,
                                  "a custom section (cvtex has no references kind)")

    def projects(self, items: list[Any]) -> list[Any]:
        def build(obj, p, raw):
            name = self.required(obj, "name", p, raw)
            if name is None:
                return None
            e = self.Map()
            self.put(e, "name", name, f"{p}.name")
            self.put(e, "organization", self.text(obj.get("entity"), f"{p}.entity"), f"{p}.entity")
            roles = self.texts(obj.get("roles"), f"{p}.roles")
            self.put(e, "role", ", ".join(roles) or None, f"{p}.roles")
            self.put(e, "summary", self.text(obj.get("description"), f"{p}.description"), f"{p}.description")
            url = self.url(obj.get("url"), f"{p}.url")
            if url:
                self.put(e, "links", self.seq([(url, None)]), f"{p}.url")
            self.dates(e, obj, p, ongoing=False)
            highlights = [(h, None) for h in self.texts(obj.get("highlights"), f"{p}.highlights")]
            keywords = self.texts(obj.get("keywords"), f"{p}.keywords")
            if keywords:
                joined = ", ".join(keywords)
                highlights.append(({code: text.format(joined) for code, text in KEYWORDS.items()},
                                   f"{p}.keywords"))
                self.note(f"{p}.keywords", "the last highlight (cvtex projects have no keywords)")
            if highlights:
                seq = self.seq(highlights)
                if keywords:
                    seq[-1] = self.Map(seq[-1])
                    seq[-1].yaml_add_eol_comment(_safe(f"{p}.keywords"), "en")
                self.put(e, "highlights", seq, f"{p}.highlights" if obj.get("highlights") else None)
            kind = self.text(obj.get("type"), f"{p}.type")
            if kind:
                self.leftover(f"{p}.type", obj.get("type"), "cvtex projects have no type")
            self.rest(obj, {"name", "entity", "roles", "description", "url", "startDate", "endDate", "highlights",
                            "keywords", "type"}, p)
            return e
        entries = self.entries(items, "projects", build)
        return [self.section("projects", entries, "projects")] if entries else []

    def unknown(self, key: str, value: Any) -> list[Any]:
        """A top-level key JSON Resume does not define: a list becomes a custom section."""
        if not isinstance(value, list):
            self.leftover(key, value, "not a JSON Resume field")
            return []
        title_keys = ("title", "name", "organization", "institution", "position", "language")
        sub_keys = ("issuer", "awarder", "publisher", "entity", "organization", "institution", "event")

        def build(obj, p, raw):
            e = self.Map()
            title_key = next((k for k in title_keys if self.text_quiet(obj.get(k))), None)
            if title_key is None:
                self.leftover(p, raw, "no name or title to show")
                return None
            used = {title_key}
            self.put(e, "title", obj[title_key].strip(), f"{p}.{title_key}")
            sub_key = next((k for k in sub_keys if k not in used and self.text_quiet(obj.get(k))), None)
            if sub_key:
                used.add(sub_key)
                self.put(e, "subtitle", obj[sub_key].strip(), f"{p}.{sub_key}")
            if "location" in obj:
                used.add("location")
                self.put(e, "location", self.text(obj.get("location"), f"{p}.location"), f"{p}.location")
            url_key = next((k for k in ("url", "website") if k in obj), None)
            if url_key:
                used.add(url_key)
                self.put(e, "url", self.url(obj.get(url_key), f"{p}.{url_key}"), f"{p}.{url_key}")
            date_key = next((k for k in ("date", "releaseDate") if k in obj), None)
            if date_key:
                used.add(date_key)
                self.put(e, "date", self.date(obj.get(date_key), f"{p}.{date_key}"), f"{p}.{date_key}")
            elif "startDate" in obj or "endDate" in obj:
                used |= {"startDate", "endDate"}
                self.dates(e, obj, p, ongoing=False)
            summary_key = next((k for k in ("summary", "description", "reference") if k in obj), None)
            if summary_key:
                used.add(summary_key)
                self.put(e, "summary", self.text(obj.get(summary_key), f"{p}.{summary_key}"), f"{p}.{summary_key}")
            items: list[tuple[str, str | None]] = []
            for list_key in ("highlights", "keywords"):
                if list_key in obj:
                    used.add(list_key)
                    items += [(h, f"{p}.{list_key}[{i}]") for i, h in
                              enumerate(self.texts(obj.get(list_key), f"{p}.{list_key}"))]
            self.put(e, "highlights", self.seq(items), None)
            self.rest(obj, used, p)
            return e

        entries = []
        for i, raw in enumerate(value):
            p = f"{key}[{i}]"
            if isinstance(raw, str) and raw.strip():
                e = self.Map()
                self.put(e, "title", raw.strip(), p)
                entries.append(e)
                continue
            obj = self.obj(raw, p)
            if obj is not None:
                made = build(obj, p, raw)
                if made is not None:
                    entries.append(made)
        if not entries:
            return []
        title = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).replace("_", " ").replace("-", " ").strip() or key
        title = title[:1].upper() + title[1:]
        self.note(key, f"not a JSON Resume field: a custom section titled '{title}'")
        return [self.section("custom", entries, key, sid=_slug(key), title=title)]

    @staticmethod
    def text_quiet(value: Any) -> bool:
        return isinstance(value, str) and bool(value.strip())


def import_resume(doc: Any, *, source: str = "resume.json") -> Imported:
    """Map the parsed JSON Resume ``doc`` onto a profile (see the module doc).

    Raises :class:`JsonResumeError` when there is nothing to import (not an object, no
    ``basics.name``).
    """
    return _Importer(source).run(doc)


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


# --------------------------------------------------------------------------- export

def export_resume(profile: Any, lang: str) -> tuple[dict[str, Any], list[Note]]:
    """``profile`` (a validated :class:`~cvtex.schema.models.Profile`) as a JSON Resume v1.0.0
    document in locale ``lang`` (text missing in ``lang`` falls back like the PDFs), and
    notes on what JSON Resume has no field for.

    Text is plain: ``**bold**``/``*italic*`` marks are removed and a ``[text](url)`` link
    becomes ``text (url)``. An ongoing period has no ``endDate``. Sections go where
    JSON Resume has a list for them; ``talks``, ``teaching``, ``press`` and custom
    sections become ``projects`` with a ``type``, ``patents`` become ``publications``.
    """
    from cvtex.schema import markup

    fallback = tuple(profile.locales)
    notes: list[Note] = []

    def t(value: Any) -> str | None:
        if value is None:
            return None
        return _plain_with_urls(markup, value.get(lang, fallback))

    def date(d: PartialDate | None) -> str | None:
        return None if d is None or d.present else str(d)

    def period(entry: Any, out: dict[str, Any]) -> None:
        start = entry.start or entry.date
        end = entry.end or entry.date
        out["startDate"] = date(start)
        out["endDate"] = date(end)

    header = profile.header
    basics: dict[str, Any] = {"name": t(header.name), "label": t(header.headline)}
    if header.emails:
        basics["email"] = header.emails[0]
        for extra in header.emails[1:]:
            notes.append(Note("header.emails", f"{extra}: JSON Resume has one e-mail address; not exported"))
    basics["phone"] = header.phone
    profiles: list[dict[str, Any]] = []
    if header.websites:
        basics["url"] = header.websites[0].url
        for site in header.websites[1:]:
            from urllib.parse import urlsplit

            profiles.append(_clean({"network": t(site.label) or urlsplit(site.url).hostname, "url": site.url}))
            notes.append(Note("header.websites", f"{site.url}: a further website, exported as a profile"))
    basics["summary"] = t(profile.summary)
    if header.location:
        basics["location"] = {"address": t(header.location)}
    profiles = [_clean({"network": p.network, "username": p.username, "url": p.url}) for p in header.profiles] \
        + profiles
    basics["profiles"] = profiles
    out: dict[str, Any] = {"$schema": SCHEMA_URL, "basics": _clean(basics)}
    lists: dict[str, list[dict[str, Any]]] = {}

    def add(key: str, item: dict[str, Any]) -> None:
        lists.setdefault(key, []).append(_clean(item))

    for index, section in enumerate(profile.sections):
        if section.locales is not None and lang not in section.locales:
            notes.append(Note(f"sections[{index}]", f"not exported: the section is only in the "
                                                    f"{', '.join(section.locales)} PDF (its 'locales:')"))
            continue
        sid = profile.section_id(index)
        kind = section.kind
        where = f"sections[{index}]"
        for entry in section.entries:
            if kind == "experience":
                for role in entry.roles:
                    item = {"name" if sid != "volunteer" else "organization": t(entry.organization),
                            "position": t(role.title), "url": entry.url,
                            "location": t(role.location) or t(entry.location),
                            "highlights": [t(h) for h in role.highlights],
                            "department": t(role.department) or t(entry.department), "team": t(role.team),
                            "advisor": t(role.advisor)}
                    period(role, item)
                    add("volunteer" if sid == "volunteer" else "work", item)
            elif kind == "education":
                item = {"institution": t(entry.institution), "url": entry.url, "area": t(entry.area),
                        "studyType": t(entry.degree), "score": t(entry.score),
                        "courses": [t(c) for c in entry.courses], "location": t(entry.location),
                        "advisor": t(entry.advisor), "thesis": t(entry.thesis),
                        "highlights": [t(h) for h in entry.highlights]}
                period(entry, item)
                add("education", item)
            elif kind == "publications":
                item = {"name": t(entry.title), "publisher": t(entry.venue),
                        "releaseDate": date(entry.date or entry.end or entry.start),
                        "url": entry.url or entry.doi_url, "summary": t(entry.note),
                        "authors": [t(a) for a in entry.authors], "doi": entry.doi}
                add("publications", item)
            elif kind == "awards" and sid.startswith("certificates"):
                when = entry.date or entry.end or entry.start
                item = {"name": t(entry.title), "issuer": t(entry.issuer), "url": entry.url,
                        "summary": t(entry.summary)}
                if when and when.day:
                    item["date"] = str(when)
                elif when:
                    notes.append(Note(f"{where}", f"certificate '{t(entry.title)}': JSON Resume certificate dates "
                                                  f"are full dates (YYYY-MM-DD); {when} is exported as 'when'"))
                    item["when"] = str(when)
                add("certificates", item)
            elif kind == "awards":
                item = {"title": t(entry.title), "awarder": t(entry.issuer),
                        "date": date(entry.date or entry.end or entry.start), "url": entry.url,
                        "summary": t(entry.summary)}
                add("awards", item)
            elif kind == "skills":
                add("skills", {"name": t(entry.label), "keywords": [t(i) for i in entry.items]})
            elif kind == "languages":
                add("languages", {"language": t(entry.language), "fluency": t(entry.fluency)})
            elif kind == "projects":
                item = {"name": t(entry.name), "description": t(entry.summary),
                        "highlights": [t(h) for h in entry.highlights], "entity": t(entry.organization),
                        "roles": [r.strip() for r in t(entry.role).split(", ")] if entry.role else [],
                        "url": entry.links[0].url if entry.links else None,
                        "collaborators": [t(c) for c in entry.collaborators]}
                for link in entry.links[1:]:
                    notes.append(Note(where, f"project '{t(entry.name)}': JSON Resume has one url; "
                                             f"{link.url} is exported in 'links'"))
                if len(entry.links) > 1:
                    item["links"] = [link.url for link in entry.links]
                period(entry, item)
                add("projects", item)
            elif kind == "patents":
                item = {"name": t(entry.title), "publisher": t(entry.holder),
                        "releaseDate": date(entry.date or entry.end or entry.start), "url": entry.url,
                        "summary": ", ".join(x for x in (t(entry.status), entry.number) if x) or None,
                        "authors": [t(i) for i in entry.inventors], "type": "patent"}
                add("publications", item)
            elif sid.startswith("interests") and kind == "custom":
                summary = t(entry.summary)
                add("interests", {"name": t(entry.title),
                                  "keywords": [k.strip() for k in summary.split(", ")] if summary else []})
            elif sid.startswith("references") and kind == "custom":
                add("references", {"name": t(entry.title), "reference": t(entry.summary)})
            else:  # talks, teaching, press, custom: projects with a type
                title = t(section.title) if section.title is not None else kind
                item = {"name": t(entry.title), "type": kind if kind != "custom" else title,
                        "description": t(getattr(entry, "summary", None)),
                        "entity": t(getattr(entry, "event", None) or getattr(entry, "institution", None)
                                    or getattr(entry, "outlet", None) or getattr(entry, "subtitle", None)),
                        "roles": [t(entry.role)] if getattr(entry, "role", None) else [],
                        "url": entry.url, "location": t(getattr(entry, "location", None)),
                        "highlights": [t(h) for h in getattr(entry, "highlights", [])]}
                period(entry, item)
                add("projects", item)
        if kind in ("talks", "teaching", "press", "custom") and not (
                kind == "custom" and (sid.startswith("interests") or sid.startswith("references"))):
            notes.append(Note(where, f"JSON Resume has no '{sid}' list: its entries are in 'projects' with a 'type'"))
        if kind == "patents":
            notes.append(Note(where, "JSON Resume has no patents list: they are in 'publications' (type: patent)"))
    order = ("work", "volunteer", "education", "awards", "certificates", "publications", "skills", "languages",
             "interests", "references", "projects")
    for key in order:
        if key in lists:
            out[key] = lists[key]
    out["meta"] = {"version": "v1.0.0", "language": lang}
    return out, notes


def _plain_with_urls(markup: Any, text: str) -> str:
    """``text`` without markup; a link keeps its URL after its text: ``text (url)``."""
    def visit(spans) -> str:
        parts = []
        for span in spans:
            if span.kind == "text":
                parts.append(span.text)
            elif span.kind == "link":
                inner = visit(span.children)
                parts.append(inner if inner.strip() == span.url else f"{inner} ({span.url})")
            else:
                parts.append(visit(span.children))
        return "".join(parts)

    return visit(markup.parse(text))


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` without empty values (None, '', [], {})."""
    return {k: v for k, v in item.items() if v not in (None, "", [], {})}
