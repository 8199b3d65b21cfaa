"""Stage 2 — validate: a loaded document -> a :class:`~cvtex.schema.models.Profile` and its warnings.

:func:`validate` reports every problem at once: the schema's errors (placed at their source
positions by :mod:`cvtex.schema.positions`), references between fields (``design.section_order``
names sections of the profile; ``design.fonts`` keys and a section's ``locales`` are locales of
the profile), and texts missing in some of the profile's locales. It works on the raw document
for the last two, so they are found alongside schema errors. :func:`text_values` and
:func:`walk` visit a document's or a profile's values with their paths.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from pydantic import BaseModel, ValidationError

from cvtex.diagnostics import Diagnostic, ProfileError, field_path, source_line
from cvtex.schema.loader import Document, Loc
from cvtex.schema.korean import section_warnings
from cvtex.schema.models import Profile, title_default
from cvtex.schema.photo import photo_diagnostics
from cvtex.schema.positions import (
    diagnostics,
    did_you_mean,
    field_by_key,
    resolve_model,
)
from cvtex.schema.text import LOCALE_PATTERN, is_text

_BUILD_LOCK = threading.Lock()

#: The top-level keys of a JSON Resume document (schema v1.0.0, jsonresume.org/schema);
#: ``basics`` is the one every JSON Resume has and no cvtex profile does.
JSON_RESUME_KEYS = frozenset({"basics", "work", "volunteer", "education", "awards", "certificates", "publications",
                              "skills", "languages", "interests", "references", "projects", "meta"})


def validate(doc: Document, *, supported_locales: tuple[str, ...] | None = None,
             glyphs: Any = None, font_problem: Any = None,
             over_limit: str = "error") -> tuple[Profile, list[Diagnostic]]:
    """Validate a loaded document against the schema; report every problem at once.

    Returns the :class:`Profile` and the warnings: a text given in some but not all of
    the profile's locales (that PDF falls back to another language, or to the locale's
    default for a title that has one: :func:`~cvtex.schema.models.title_default`), a text in a locale
    the profile does not render. Raises :class:`ProfileError` with every error and
    warning, sorted by position, each with file, line, column and field path; misspelled
    keys and section kinds get a "did you mean" hint.

    ``over_limit="warning"`` makes an answer over its limit a warning instead of an error.
    ``supported_locales`` (the locales cvtex has titles and date formats for) makes an
    unsupported output locale an error. ``glyphs`` (a :class:`cvtex.theme.fonts.Coverage`)
    makes a character the theme's fonts cannot set an error in the field that has it.
    ``font_problem`` (``name -> message or None``, e.g. :func:`cvtex.theme.fonts.font_problem`)
    makes a font in ``design.fonts`` that is not installed an error.

    References between fields are checked on the document itself, so they are reported
    with every other problem: ``design.section_order`` names sections of the profile,
    ``design.fonts`` keys and a section's or a letter's ``locales`` are locales of the
    profile, no two letters have one ``id``.

    Letters (:mod:`cvtex.schema.letters`): a letter's texts are checked against the letter's
    locales, not the profile's — a text in a locale the letter does not declare is an error,
    and so is a 자기소개서 answer missing in one it declares. Every answer is counted
    (:func:`answer_counts`): over its limit is an error at the answer, under
    :data:`~cvtex.schema.letters.FILL` of it a warning (:func:`count_diagnostics`).

    The header photo is opened and checked (:func:`cvtex.schema.photo.photo_diagnostics`): a
    missing file, not an image, a decompression bomb are errors; too few pixels for 300 dpi
    and a conversion (CMYK, 16 bits) warnings.

    Military service and language tests (:func:`cvtex.schema.korean.section_warnings`): a
    language test score past its expiry, and an expected discharge date that has passed,
    are warnings.

    A letter with a ``blind`` mode has its own text checked for leaks in that mode
    (:func:`cvtex.schema.blind.letter_leaks`): each leak is an error at its line and column.

    A JSON Resume document (:func:`json_resume_problem`) is one error at line 1,
    column 1 that says to run ``cvtex import``, instead of an error per key.
    """
    problem = json_resume_problem(doc)
    if problem is not None:
        raise ProfileError([problem])
    with _BUILD_LOCK:  # the models are built on first use (defer_build): once, even with renders in parallel
        Profile.model_rebuild()
    context = {"supported_locales": supported_locales, "glyphs": glyphs, "font_problem": font_problem}
    checked = _reference_checks(doc, supported_locales) + _localization_warnings(doc, supported_locales)
    references = [d for d in checked if d.severity == "error"]
    warnings = by_position([d for d in checked if d.severity != "error"])
    try:
        profile = Profile.model_validate(doc.data, context=context)
    except ValidationError as exc:
        # counted without the glyph check: a letter with a missing glyph still has its count
        counted = count_diagnostics(doc, answer_counts(doc, context={"supported_locales": supported_locales}),
                                    over_limit)
        raise ProfileError(by_position(diagnostics(doc, exc) + references + warnings + counted)) from None
    counted = count_diagnostics(doc, answer_counts(doc, profile), over_limit) + photo_diagnostics(doc, profile)
    counted += section_warnings(doc, profile)
    if any(letter.blind is not None for letter in profile.letters):
        from cvtex.schema.blind import letter_leaks

        counted += letter_leaks(doc, profile)
    errors = references + [d for d in counted if d.severity == "error"]
    warnings = by_position(warnings + [d for d in counted if d.severity != "error"])
    if errors:
        raise ProfileError(by_position(errors + warnings))
    return profile, warnings


def json_resume_problem(doc: Document) -> Diagnostic | None:
    """The error for a document that is a JSON Resume rather than a cvtex profile, else
    ``None``: its top level has neither ``header`` nor ``sections``, and has ``basics``, or
    two of JSON Resume's other top-level keys (:data:`JSON_RESUME_KEYS`), or one of them
    in a ``.json`` file. The error is at 1:1 and names the command that converts it:
    ``cvtex import FILE`` (which reads JSON)."""
    data = doc.data
    if not isinstance(data, dict) or "header" in data or "sections" in data:
        return None
    found = [key for key in data if key in JSON_RESUME_KEYS]
    is_json = doc.path.suffix.lower() == ".json"
    if not ("basics" in found or len(found) >= 2 or (found and is_json)):
        return None
    import shlex

    shown = shlex.quote(doc.name)
    message = (f"this looks like a JSON Resume file (top-level {', '.join(found[:3])}; a cvtex profile has "
               f"header and sections): run `cvtex import {shown}`" if is_json else
               f"this looks like a JSON Resume file (top-level {', '.join(found[:3])}; a cvtex profile has "
               f"header and sections): save it as JSON and run `cvtex import resume.json -o cv.yaml`")
    return Diagnostic(file=doc.name, line=1, column=1, message=message, source_line=source_line(doc.text, 1))


def by_position(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` in file order (by file, line, column; an error before a warning)."""
    return sorted(diagnostics, key=lambda d: (d.file, d.line, d.column, d.severity != "error"))


def _raw_locales(data: Any) -> list[str] | None:
    """The document's ``locales`` when it is a list of locale codes, else None."""
    locales = data.get("locales") if isinstance(data, dict) else None
    if isinstance(locales, list) and locales and all(isinstance(c, str) and re.match(LOCALE_PATTERN, c)
                                                     for c in locales):
        return locales
    return None


def _raw_sections(data: Any) -> list[Any]:
    sections = data.get("sections") if isinstance(data, dict) else None
    return sections if isinstance(sections, list) else []


def _raw_letters(data: Any) -> list[Any]:
    letters = data.get("letters") if isinstance(data, dict) else None
    return letters if isinstance(letters, list) else []


def _raw_letter_locales(letter: Any, locales: list[str]) -> list[str]:
    """The locales a raw letter is written in: its ``locales`` when that is a list of locale
    codes, else the profile's ``locales``."""
    codes = letter.get("locales") if isinstance(letter, dict) else None
    if isinstance(codes, list) and codes and all(isinstance(c, str) and re.match(LOCALE_PATTERN, c) for c in codes):
        return list(codes)
    return locales


def _raw_section_id(section: Any) -> str | None:
    """A raw section's id: its ``id``, else its ``kind`` (None when it has neither)."""
    if not isinstance(section, dict):
        return None
    for key in ("id", "kind"):
        if isinstance(section.get(key), str):
            return section[key]
    return None


def _reference_checks(doc: Document, supported: tuple[str, ...] | None = None) -> list[Diagnostic]:
    """Problems in fields that name other parts of the profile (see :func:`validate`),
    found on the raw document; a part that is itself invalid is left to the schema.

    A section id that is not the profile's is an error. A locale that is not the
    profile's is an error when cvtex has no such locale either (``supported``: a typo
    such as ``kr``), else a warning, like text in such a locale: it is not rendered."""
    out: list[Diagnostic] = []

    def foreign(code: str, loc: Loc, locales: list[str], *, key: bool = False, allowed: tuple[str, ...] = ()) -> None:
        known = supported is None or code in supported
        message = f"'{code}' is not one of the profile's locales ({', '.join(locales)})"
        message += "".join(f" nor '{a}'" for a in allowed)
        if known:
            message += ": ignored until the profile renders it"
        elif code == "kr" and "ko" in locales:
            message += " (did you mean 'ko'? Korean is 'ko'; 'KR' is the country)"
        else:
            message += did_you_mean(code, [*locales, *allowed])
        out.append(doc.diagnostic(loc, message, key=key, field_name=field_path(loc),
                                  severity="warning" if known else "error"))

    data = doc.data if isinstance(doc.data, dict) else {}
    locales = _raw_locales(data)
    ids = [sid for sid in map(_raw_section_id, _raw_sections(data)) if sid is not None]
    design = data.get("design") if isinstance(data.get("design"), dict) else {}
    order = design.get("section_order")
    if isinstance(order, list):
        seen: dict[str, int] = {}
        for i, sid in enumerate(order):
            loc = ("design", "section_order", i)
            if not isinstance(sid, str):
                continue  # the schema says what is wrong with it
            if sid in seen:
                out.append(doc.diagnostic(loc, f"'{sid}' is already listed (item {seen[sid] + 1})",
                                          field_name=field_path(loc)))
            elif sid not in ids:
                hint = did_you_mean(sid, ids)
                if sid == "summary" and not hint:
                    hint = " (the summary is not a section: it comes before the sections)"
                known = f"; the profile's section ids: {', '.join(ids)}" if ids else "; the profile has no sections"
                out.append(doc.diagnostic(loc, f"no section has the id '{sid}'{hint}{known}",
                                          field_name=field_path(loc)))
            seen.setdefault(sid, i)
    fonts = design.get("fonts")
    if isinstance(fonts, dict) and locales:
        for key in fonts:
            if key != "default" and key not in locales:
                foreign(str(key), ("design", "fonts", key), locales, key=True, allowed=("default",))
    header = data.get("header") if isinstance(data.get("header"), dict) else {}
    photo = header.get("photo") if isinstance(header.get("photo"), dict) else {}
    if isinstance(photo.get("locales"), list) and locales:
        for j, code in enumerate(photo["locales"]):
            if isinstance(code, str) and re.match(LOCALE_PATTERN, code) and code not in locales:
                foreign(code, ("header", "photo", "locales", j), locales)
    for part, items in (("sections", _raw_sections(data)), ("letters", _raw_letters(data))):
        for i, item in enumerate(items):
            shown = item.get("locales") if isinstance(item, dict) else None
            if not (isinstance(shown, list) and locales):
                continue
            for j, code in enumerate(shown):
                if not (isinstance(code, str) and re.match(LOCALE_PATTERN, code) and code not in locales):
                    continue
                if part == "sections":
                    foreign(code, (part, i, "locales", j), locales)
                    continue
                loc = (part, i, "locales", j)  # a letter: printed (cvtex letter) and counted, so never ignored
                hint = (" (did you mean 'ko'? Korean is 'ko'; 'KR' is the country)" if code == "kr" and "ko" in locales
                        else did_you_mean(code, locales))
                out.append(doc.diagnostic(loc, f"'{code}' is not one of the profile's locales ({', '.join(locales)})"
                                          f"{hint}: a letter is written in some of the profile's languages (add "
                                          f"'{code}' to the profile's locales to write one in it)",
                                          field_name=field_path(loc)))
    first: dict[str, int] = {}
    for i, letter in enumerate(_raw_letters(data)):
        lid = letter.get("id") if isinstance(letter, dict) else None
        if not isinstance(lid, str):
            continue
        if lid in first:
            line = doc.locate(("letters", first[lid], "id")).line
            loc = ("letters", i, "id")
            out.append(doc.diagnostic(loc, f"the letter id '{lid}' is already used by letters[{first[lid]}] (line "
                                           f"{line}): each letter needs its own id", field_name=field_path(loc)))
        first.setdefault(lid, i)
    return out


def _localization_warnings(doc: Document, supported: tuple[str, ...] | None = None) -> list[Diagnostic]:
    """Warnings for texts missing in some of the profile's locales, or given in a locale
    it does not render; a letter's texts are checked against the letter's locales
    (:func:`_letter_text_problems`, which also finds errors). Works on the raw document,
    so they are reported alongside schema errors; nothing when ``locales`` itself is
    invalid (locales cvtex cannot render, an error of their own, are left out)."""
    locales = _raw_locales(doc.data)
    if locales is None:
        return []
    locales = [c for c in locales if supported is None or c in supported] or locales
    # a section limited to some locales (its 'locales:') needs text in those only
    shown_in: dict[int, list[str]] = {}
    for i, section in enumerate(_raw_sections(doc.data)):
        codes = section.get("locales") if isinstance(section, dict) else None
        if isinstance(codes, list) and codes:
            shown_in[i] = [c for c in locales if c in codes]
    letters = _raw_letters(doc.data)
    out: list[Diagnostic] = []
    for loc, value in text_values(doc.data):
        if loc[:1] == ("letters",) and len(loc) > 1:
            out += _letter_text_problems(doc, loc, value, _raw_letter_locales(letters[loc[1]], locales))
            continue
        if not isinstance(value, dict) or not value:
            continue
        printed = shown_in.get(loc[1], locales) if loc[:1] == ("sections",) and len(loc) > 1 else locales
        missing = [code for code in printed if code not in value]
        if missing and any(code in value for code in locales):
            default = title_default(doc.data, loc)
            instead = f"uses {default} instead" if default else "falls back to another language"
            out.append(doc.diagnostic(loc, f"no {', '.join(missing)} text: the {'/'.join(missing)} PDF {instead}",
                                      severity="warning", field_name=field_path(loc)))
        extra = [code for code in value if code not in locales]
        if extra:
            out.append(doc.diagnostic(loc + (extra[0],), f"text in '{extra[0]}', which is not one of the profile's "
                                      f"locales ({', '.join(locales)})", severity="warning", key=True,
                                      field_name=field_path(loc)))
    return out


def _letter_text_problems(doc: Document, loc: Loc, value: Any, declared: list[str]) -> list[Diagnostic]:
    """A letter's text ``value`` at ``loc`` against the locales the letter is written in
    (``declared``): a text in another locale is an error (it would be neither printed nor
    counted); a 자기소개서 answer paragraph missing in a declared locale is an error (that
    locale's answer would be another language's), any other text missing in one a warning."""
    if not isinstance(value, dict) or not value:
        return []
    out = []
    for code in value:
        if code not in declared:
            out.append(doc.diagnostic(loc + (code,), f"text in '{code}', which this letter is not written in (its "
                                      f"locales: {', '.join(declared)}); remove it, or add '{code}' to the letter's "
                                      "locales", key=True, field_name=field_path(loc)))
    missing = [code for code in declared if code not in value]
    if missing and any(code in value for code in declared):
        field_name = field_path(loc)
        if len(loc) >= 5 and loc[2] == "questions" and loc[4] == "answer":
            out.append(doc.diagnostic(loc, f"no {', '.join(missing)} text in this answer: the letter is written in "
                                      f"{', '.join(declared)}, so each answer needs every one of them (or remove "
                                      f"{'/'.join(missing)} from the letter's locales)", field_name=field_name))
        else:
            out.append(doc.diagnostic(loc, f"no {', '.join(missing)} text: the {'/'.join(missing)} letter falls "
                                      "back to another language", severity="warning", field_name=field_name))
    return out


def answer_counts(doc: Document, profile: Profile | None = None, *, context: dict[str, Any] | None = None) -> list:
    """Every 자기소개서 answer of the document counted in each of its letter's locales: a list
    of :class:`~cvtex.schema.letters.AnswerCount` in document order.

    With ``profile`` (the document validated), from its letters. Without, each letter is
    validated on its own (``context``: the validation context), so answers are counted even
    when another part of the profile is invalid; a letter that is itself invalid is left out
    (its errors are reported by :func:`validate`)."""
    from cvtex.schema.letters import SelfIntroduction

    if profile is not None:
        return [c for i, letter in enumerate(profile.letters) if isinstance(letter, SelfIntroduction)
                for c in letter.counts(i, profile.letter_locales(letter))]
    locales = _raw_locales(doc.data)
    if locales is None:
        return []
    with _BUILD_LOCK:  # built on first use (defer_build): once, even with renders in parallel
        SelfIntroduction.model_rebuild()
    out = []
    for i, raw in enumerate(_raw_letters(doc.data)):
        if not (isinstance(raw, dict) and raw.get("kind") == "self-introduction"):
            continue
        try:
            letter = SelfIntroduction.model_validate(raw, context=context)
        except ValidationError:
            continue
        out += letter.counts(i, _raw_letter_locales(raw, locales))
    return out


def count_diagnostics(doc: Document, counts: list, over_limit: str = "error") -> list[Diagnostic]:
    """For each :class:`~cvtex.schema.letters.AnswerCount` over its limit an error at its
    answer (``over_limit="warning"``: a warning, for ``cvtex letter``, which prints the answer
    to shorten), for each under :data:`~cvtex.schema.letters.FILL` of it a warning."""
    from cvtex.schema.counting import RULES
    from cvtex.schema.letters import FILL

    # an answer that is the same text in several locales (one string for all) is one problem
    same: dict[tuple[Any, str], list[str]] = {}
    for c in counts:
        same.setdefault((c.loc, c.text), []).append(c.locale)
    out = []
    for c in counts:
        locales = same[(c.loc, c.text)]
        if locales[0] != c.locale:
            continue
        how = f"it counts {c.count:,} against a limit of {c.limit:,} ({c.rule}: {RULES[c.rule]})"
        if c.over:
            message = (f"the {'/'.join(locales)} answer is {c.count - c.limit:,} over its limit: {how}; shorten it "
                       "(the form would refuse or cut it)")
        elif c.short:
            message = (f"the {'/'.join(locales)} answer fills {c.share:.0%} of its limit: {how}; job sites advise "
                       f"filling {FILL * 100:.0f}-90 % of a 자기소개서's limit")
        else:
            continue
        out.append(doc.diagnostic(c.loc, message, severity=over_limit if c.over else "warning",
                                  field_name=field_path(c.loc)))
    return out


def text_values(data: Any, annotation: Any = None, loc: Loc = ()):
    """Yield ``(loc, raw value)`` for every :data:`~cvtex.schema.text.Text` field of a raw
    profile document, guided by the schema (works on invalid documents too)."""
    from typing import get_args, get_origin

    annotation = Profile if annotation is None else annotation
    if is_text(annotation):
        yield loc, data
    elif isinstance(data, list):
        stack, item = [annotation], None
        while stack and item is None:
            ann = stack.pop()
            if get_origin(ann) is list:
                item = get_args(ann)[0]
            else:
                stack.extend(get_args(ann))
        if item is not None:
            for i, child in enumerate(data):
                yield from text_values(child, item, loc + (i,))
    elif isinstance(data, dict):
        model = resolve_model(annotation, data)
        for key, child in data.items() if model else ():
            info = field_by_key(model, key)
            if info is not None:
                yield from text_values(child, info.rebuild_annotation(), loc + (key,))


def walk(value: Any, loc: Loc = ()):
    """Yield ``(loc, value)`` for every model field value in ``value``, depth first.

    ``loc`` uses the YAML keys (aliases), so it addresses the source document.
    """
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            child = getattr(value, name)
            if child is None:
                continue
            key = info.alias or name
            yield loc + (key,), child
            yield from walk(child, loc + (key,))
    elif isinstance(value, (list, tuple)):
        for i, child in enumerate(value):
            yield loc + (i,), child
            yield from walk(child, loc + (i,))
