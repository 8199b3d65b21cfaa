"""The JSON Schema of a profile (draft 2020-12), generated from :class:`~cvtex.schema.models.Profile`.

For editors (``# yaml-language-server: $schema=…``), ``cvtex schema``, the committed
``schema/profile.schema.json`` and the generated profile reference
(:mod:`cvtex.schema.reference`). Each field's description, examples and default come from
the models (:func:`cvtex.schema.base.field`).
"""

from __future__ import annotations

from typing import Any

from cvtex.schema.models import Profile

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a profile, generated from :class:`Profile`, for
    editors (``# yaml-language-server: $schema=…``) and ``cvtex schema``. It checks
    structure, field names and formats; :func:`cvtex.schema.validation.validate` checks more (dates in order,
    characters the fonts have, URLs in detail)."""
    generated = Profile.model_json_schema(by_alias=True)
    return {"$schema": JSON_SCHEMA_DIALECT, "title": "cvtex profile",
            "description": "A CV profile for cvtex: one YAML file, rendered to one PDF per locale. "
                           "Generated from cvtex's profile models by `cvtex schema`; do not edit.",
            **{k: v for k, v in generated.items() if k not in ("title", "description")}}


def json_schema_text() -> str:
    """:func:`json_schema` as the text ``cvtex schema`` prints (sorted keys, 2-space indent, final newline)."""
    import json

    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
