"""JSON Resume -> profile: each part of a JSON Resume document mapped onto the profile's
header and sections (:func:`import_resume`), with :class:`~cvtex.interop.jsonresume.reader.Reader`
for the values.

The module is one class because the mapping is one table of JSON Resume lists, each
a method; it stays over 500 lines as those methods share the reader's state.
"""

from __future__ import annotations

import re
from typing import Any

from cvtex.interop.jsonresume.common import JsonResumeError
from cvtex.interop.jsonresume.reader import (
    Imported,
    Reader,
    comment_json,
    comment_text,
    section_slug,
)
from cvtex.schema.korean import EDUCATION_STATUSES

#: The locales of an imported profile: both PDFs render; text is the same in both.
IMPORT_LOCALES = ["en", "ko"]

#: Section titles for what JSON Resume has and cvtex has no kind for.
TITLES = {
    "volunteer": {"en": "Volunteering", "ko": "봉사 활동"},
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


class _Importer(Reader):
    """The mapping of a whole document (:meth:`run`), one method per JSON Resume list."""

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
        lines = [f"Imported from {comment_text(self.source)} (JSON Resume) by cvtex import.",
                 "A '# path' comment names the JSON value a line came from.",
                 "Text is the same in every language: to give the Korean PDF its own, write {en: …, ko: …}."]
        if self.result.leftovers:
            lines.append("Not imported (no place in a cvtex profile, or not valid there):")
            lines += [f"  {comment_text(path)}: {comment_json(value)}" for path, value in self.result.leftovers]
        if self.result.empty:
            lines.append("Empty in the JSON (left out): " + ", ".join(comment_text(p) for p in self.result.empty))
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
        image = b.get("image")
        if isinstance(image, str) and image.strip() and "://" not in image and not image.startswith("data:"):
            # a file: the header photo (증명사진), relative to the profile; validate checks it
            self.put(header, "photo", image.strip(), "basics.image")
            self.note("basics.image", f"'{image.strip()}' is a file: the header photo (header.photo, relative to "
                                      "the profile file, shown in the Korean CV; cvtex validate checks it)")
        elif image not in (None, ""):
            self.leftover("basics.image", image, "a web address: cvtex prints a photo from a JPEG or PNG file "
                                                 "(header.photo); download it next to the profile")
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
            # JSON Resume's work description is the organization's ("e.g. Social Media Company"):
            # the entry's, printed in the 경력기술서; a further role's other description is a highlight
            described = self.text(obj.get("description"), f"{p}.description")
            if described and "description" not in entry:
                self.put(entry, "description", described, f"{p}.description")
                self.note(f"{p}.description", "what the organization does: the entry's description, printed in "
                                              "the 경력기술서 (career description), not in the CV")
            elif described and described != entry.get("description"):
                highlights.append((described, f"{p}.description"))
                self.note(f"{p}.description", "a highlight of the role (its organization has another description)")
            summary = self.text(obj.get("summary"), f"{p}.summary")
            if summary:
                highlights.append((summary, f"{p}.summary"))
                self.note(f"{p}.summary", "a highlight of the role (cvtex roles have no summary)")
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
            status = obj.get("status")  # what cvtex export writes (학력 구분)
            if status in EDUCATION_STATUSES:
                self.put(e, "status", status, f"{p}.status")
            elif status not in (None, ""):
                self.leftover(f"{p}.status", status, f"not one of {', '.join(EDUCATION_STATUSES)}")
            self.dates(e, obj, p, ongoing=False)
            self.put(e, "courses", self.seq([(c, None) for c in self.texts(obj.get("courses"), f"{p}.courses")]),
                     f"{p}.courses")
            self.put(e, "highlights", self.seq([(h, None) for h in self.texts(obj.get("highlights"),
                                                                               f"{p}.highlights")]), f"{p}.highlights")
            self.rest(obj, {"institution", "studyType", "area", "location", "advisor", "thesis", "url", "score",
                            "status", "startDate", "endDate", "courses", "highlights"}, p)
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
        """``certificates`` (name, date, issuer, url) -> a ``certifications`` section."""
        def build(obj, p, raw):
            name = self.required(obj, "name", p, raw)
            if name is None:
                return None
            e = self.Map()
            self.put(e, "name", name, f"{p}.name")
            self.put(e, "issuer", self.text(obj.get("issuer"), f"{p}.issuer"), f"{p}.issuer")
            self.put(e, "date", self.date(obj.get("date"), f"{p}.date"), f"{p}.date")
            self.put(e, "url", self.url(obj.get("url"), f"{p}.url"), f"{p}.url")
            self.rest(obj, {"name", "issuer", "date", "url"}, p)
            return e
        entries = self.entries(items, "certificates", build)
        return [self.section("certifications", entries, "certificates")] if entries else []

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
                    seq[-1].yaml_add_eol_comment(comment_text(f"{p}.keywords"), "en")
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
        return [self.section("custom", entries, key, sid=section_slug(key), title=title)]

    @staticmethod
    def text_quiet(value: Any) -> bool:
        return isinstance(value, str) and bool(value.strip())



def import_resume(doc: Any, *, source: str = "resume.json") -> Imported:
    """Map the parsed JSON Resume ``doc`` onto a profile (see the module doc).

    Raises :class:`JsonResumeError` when there is nothing to import (not an object, no
    ``basics.name``).
    """
    return _Importer(source).run(doc)

