"""Profile -> JSON Resume v1.0.0 in one locale (:func:`export_resume`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cvtex.interop.jsonresume.common import SCHEMA_URL, Note
from cvtex.schema import PartialDate

if TYPE_CHECKING:
    from cvtex.schema import Profile


def export_resume(profile: Profile, lang: str) -> tuple[dict[str, Any], list[Note]]:
    """``profile`` (a validated :class:`~cvtex.schema.models.Profile`) as a JSON Resume v1.0.0
    document in locale ``lang`` (text missing in ``lang`` falls back like the PDFs), and
    notes on what JSON Resume has no field for.

    Text is plain: ``**bold**``/``*italic*`` marks are removed and a ``[text](url)`` link
    becomes ``text (url)``. An ongoing period has no ``endDate``. Sections go where
    JSON Resume has a list for them; ``talks``, ``teaching``, ``press`` and custom
    sections become ``projects`` with a ``type``, ``patents`` become ``publications``,
    ``certifications`` become ``certificates`` (name, date, issuer, url; number and expiry
    have no field), ``language-tests`` become ``languages`` (the fluency ``TEST SCORE (date)``);
    ``military`` has no counterpart and is left out, with a note.
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
    if header.photo is not None:  # a relative reference (RFC 3986 §4.2): the file, relative to the profile
        basics["image"] = header.photo.path
        notes.append(Note("header.photo", f"written to basics.image as the profile has it ({header.photo.path}: "
                                          "relative to the profile file, not to the JSON)"))
    for key, what in (("birth_date", "birth date"), ("address", "address"), ("name_hanja", "Hanja name"),
                      ("hometown", "hometown")):
        if getattr(header, key) is not None:
            notes.append(Note(f"header.{key}", f"JSON Resume has no field for the {what}; not exported"))
    profiles: list[dict[str, Any]] = []
    if header.websites:
        basics["url"] = header.websites[0].url
        for site in header.websites[1:]:
            from urllib.parse import urlsplit

            profiles.append(_clean({"network": t(site.label) or urlsplit(site.url).hostname, "url": site.url}))
            notes.append(Note("header.websites", f"{site.url}: a further website, exported as a profile"))
    basics["summary"] = t(profile.summary)
    for key, what in (("title", "document title"), ("summary_title", "summary heading")):
        if getattr(profile, key) is not None:
            notes.append(Note(key, f"JSON Resume has no field for the {what}; not exported"))
    if profile.letters:
        notes.append(Note("letters", f"JSON Resume has no field for letters (cover letters, 자기소개서); "
                                     f"{len(profile.letters)} not exported"))
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
        for place, entry in enumerate(section.entries):
            if kind == "experience":
                for held, role in enumerate(entry.roles):
                    item = {"name" if sid != "volunteer" else "organization": t(entry.organization),
                            "description": t(entry.description),
                            "position": t(role.title), "url": entry.url,
                            "location": t(role.location) or t(entry.location),
                            "highlights": [t(h) for h in role.highlights],
                            "department": t(role.department) or t(entry.department), "team": t(role.team),
                            "advisor": t(role.advisor)}
                    period(role, item)
                    add("volunteer" if sid == "volunteer" else "work", item)
                    if role.projects:
                        notes.append(Note(f"{where}.entries[{place}].roles[{held}].projects",
                                          f"JSON Resume has no field for a role's projects (the 경력기술서's); "
                                          f"{len(role.projects)} not exported"))
            elif kind == "education":
                item = {"institution": t(entry.institution), "url": entry.url, "area": t(entry.area),
                        "studyType": t(entry.degree), "score": t(entry.score), "status": entry.status,
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
            elif kind == "certifications" or (kind == "awards" and sid.startswith("certificates")):
                when = entry.date or entry.end or entry.start
                certified = entry.name if kind == "certifications" else entry.title
                item = {"name": t(certified), "issuer": t(entry.issuer), "url": entry.url,
                        "summary": t(getattr(entry, "summary", None))}
                for extra, what in (("number", "number"), ("expires", "expiry")):
                    if getattr(entry, extra, None) is not None:
                        notes.append(Note(f"{where}", f"certificate '{t(certified)}': JSON Resume has no field for "
                                                      f"its {what} ({getattr(entry, extra)}); not exported"))
                if when and when.day:
                    item["date"] = str(when)
                elif when:
                    notes.append(Note(f"{where}", f"certificate '{t(certified)}': JSON Resume certificate dates "
                                                  f"are full dates (YYYY-MM-DD); {when} is exported as 'when'"))
                    item["when"] = str(when)
                add("certificates", item)
            elif kind == "awards":
                item = {"title": t(entry.title), "awarder": t(entry.issuer),
                        "date": date(entry.date or entry.end or entry.start), "url": entry.url,
                        "summary": t(entry.summary)}
                add("awards", item)
            elif kind == "language-tests":
                fluency = f"{t(entry.test)} {entry.score}"
                when = entry.date or entry.end or entry.start
                add("languages", {"language": t(entry.language) or t(entry.test),
                                  "fluency": f"{fluency} ({when})" if when else fluency})
            elif kind == "military":
                pass  # JSON Resume has no field for military service: one note for the section, below
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
        if kind == "language-tests":
            notes.append(Note(where, "JSON Resume has no language test list: each score is a 'languages' entry, "
                                     "fluency 'TEST SCORE (date)' (imported back as a languages entry)"))
        if kind == "military":
            notes.append(Note(where, "JSON Resume has no field for military service (병역사항); not exported"))
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
