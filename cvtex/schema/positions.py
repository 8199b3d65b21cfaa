"""Where a schema error is in the profile file, and what it says in a profile's terms.

pydantic reports an error at a location in the validated data (``('sections', 0,
'experience', 'entries', 2, 'title')``, with union tags); :func:`diagnostics` maps each onto the
document's keys and indexes, hence onto ``file:line:col`` (:class:`~cvtex.schema.loader.Document`
keeps the position of every value), and rewrites pydantic's messages: an unknown key gets a
"did you mean" among the keys the schema allows there, an unknown section kind the closest
kind, a pattern the meaning of the pattern, a type error what to write instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from cvtex.diagnostics import Diagnostic, field_path
from cvtex.schema.loader import Document, Loc
from cvtex.schema.letters import LETTER_KINDS, LETTER_MODELS
from cvtex.schema.models import FONT_NAME_PATTERN, Profile
from cvtex.schema.sections import SECTION_KINDS, SECTION_MODELS, SectionBase


def _source_loc(data: Any, loc: tuple[Any, ...]) -> Loc:
    """Map a pydantic error location onto the document: drop union tags and other
    elements that are not keys or indexes of the data."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
    return tuple(out)


def diagnostics(doc: Document, exc: ValidationError) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[tuple[Loc, str]] = set()
    for err in exc.errors(include_url=False):
        loc = _source_loc(doc.data, err["loc"])
        kind = err["type"]
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        is_key = False
        missing_field = ""
        if kind == "extra_forbidden":
            is_key = True
            name = loc[-1] if loc else "?"
            message = f"unknown field '{name}'" + did_you_mean(str(name), _fields_at(doc.data, loc[:-1]))
        elif kind == "missing":
            message = f"missing required field '{err['loc'][-1]}'"
            missing_field = field_path(loc + (str(err["loc"][-1]),))
        elif kind in ("section_kind", "letter_kind"):
            got = doc.data
            for part in loc:
                got = got[part]
            given = got.get("kind") if isinstance(got, dict) else None
            what, kinds = ("section", SECTION_KINDS) if kind == "section_kind" else ("letter", LETTER_KINDS)
            if given is None:
                message = f"a {what} needs 'kind:' — one of " + ", ".join(kinds)
            else:
                loc = loc + ("kind",)
                message = f"unknown {what} kind '{given}'" + did_you_mean(str(given), kinds)
        elif kind == "literal_error" and err["loc"][-1:] != ("kind",):
            message = message.replace("Input should be", "must be")
        elif kind in ("too_short",) and "entries" in str(err["loc"][-1:]):
            message = "a section needs at least one entry"
        elif kind == "too_short":
            message = "needs at least one item"
        elif kind == "string_pattern_mismatch":
            pattern = err["ctx"]["pattern"]
            message = f"'{_value_at(doc.data, loc)}' is not {_PATTERNS.get(pattern, f'of the form {pattern}')}"
        message = _TYPE_MESSAGES.get(kind, message.replace("Input should be", "expected"))
        key = (loc, message)
        if key in seen:
            continue
        seen.add(key)
        if (err.get("ctx") or {}).get("field"):
            loc = loc + (err["ctx"]["field"],)
            is_key = False
        char = (err.get("ctx") or {}).get("char", "")
        out.append(doc.diagnostic(loc, message, key=is_key, field_name=missing_field or field_path(loc), char=char))
    # "missing 'organization'" says nothing new next to "unknown 'organisation' (did you mean 'organization'?)"
    def parent(path: str) -> str:
        return path.rsplit(".", 1)[0] if "." in path else ""

    hinted = {(parent(d.field), d.message.split("did you mean '")[1].rstrip("'?)"))
              for d in out if "did you mean '" in d.message}
    out = [d for d in out if not (d.message.startswith("missing required field '")
                                  and (parent(d.field), d.message.split("'")[1]) in hinted)]
    out.sort(key=lambda d: (d.line, d.column))
    return out


#: Messages for pydantic's type errors, in a profile's terms.
_TYPE_MESSAGES = {
    "list_type": "expected a list: [a, b] or one '- item' line per item",
    "dict_type": "expected a mapping: 'key: value' lines or {key: value}",
    "model_type": "expected a mapping: 'key: value' lines or {key: value}",
    "model_attributes_type": "expected a mapping: 'key: value' lines or {key: value}",
    "string_type": "expected text",
}

#: What the schema's string patterns mean, for messages.
_PATTERNS = {
    r"^#[0-9A-Fa-f]{6}$": "a colour written #RRGGBB",
    r"^\d+(\.\d+)?(mm|cm|in|pt)$": "a length such as 18mm (mm, cm, in or pt)",
    r"^[a-z][a-z0-9-]*$": "an id: lowercase letters, digits and '-', starting with a letter",
    FONT_NAME_PATTERN: "a font family name: letters, digits, spaces and '-' (as `fc-list : family` lists it)",
}


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _fields_at(data: Any, loc: Loc) -> list[str]:
    """The keys the schema allows for the mapping at ``loc`` in the document."""
    from typing import get_args, get_origin

    annotation: Any = Profile
    node = data
    for part in loc:
        mapping = [a for a in (annotation, *get_args(annotation)) if get_origin(a) is dict]
        if isinstance(part, str) and mapping:  # a key of a dict[str, Model] field: its value's model
            annotation = get_args(mapping[0])[1]
        elif isinstance(part, str):
            model = resolve_model(annotation, node)
            info = field_by_key(model, part) if model else None
            if info is None:
                return []
            annotation = info.annotation
        node = node[part]
    model = resolve_model(annotation, node)
    return [info.alias or name for name, info in model.model_fields.items()] if model else []


def field_by_key(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


def resolve_model(annotation: Any, node: Any) -> type[BaseModel] | None:
    """The model class an annotation such as ``list[Role] | None`` or ``list[Section]``
    gives the mapping ``node`` (a section's or a letter's model is chosen by its ``kind``)."""
    from typing import get_args

    found: list[type[BaseModel]] = []

    def collect(ann: Any) -> None:
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            found.append(ann)
        for arg in get_args(ann):
            collect(arg)

    collect(annotation)
    kind = node.get("kind") if isinstance(node, dict) else None
    if isinstance(kind, str) and kind in SECTION_MODELS and any(issubclass(m, SectionBase) for m in found):
        return SECTION_MODELS[kind]
    if isinstance(kind, str) and kind in LETTER_MODELS and LETTER_MODELS[kind] in found:
        return LETTER_MODELS[kind]
    return found[0] if found else None


def did_you_mean(name: str, candidates: Any) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``candidates`` (difflib ratio ≥ 0.6), or ''."""
    import difflib  # on a typo only

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
