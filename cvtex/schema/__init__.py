"""Stages 1 and 2 — load and validate a profile: YAML with source positions, the profile
models, the field types and their rules, validation with every problem at ``file:line:col``,
and the JSON Schema.

Modules, in the order data flows through them:

* :mod:`~cvtex.schema.loader` — YAML -> a :class:`Document` (plain values + positions);
* :mod:`~cvtex.schema.markup` — inline markup in text: ``[text](url)``, ``**bold**``, ``*italic*``;
* :mod:`~cvtex.schema.urls`, :mod:`~cvtex.schema.dates`, :mod:`~cvtex.schema.text` — the field
  types and their rules (URLs, dates, printed and localized text);
* :mod:`~cvtex.schema.counting` — the one function that counts a 자기소개서 answer;
* :mod:`~cvtex.schema.base`, :mod:`~cvtex.schema.sections`, :mod:`~cvtex.schema.letters`,
  :mod:`~cvtex.schema.models` — the pydantic models, each field with its description and example;
* :mod:`~cvtex.schema.positions` — pydantic errors -> diagnostics at source positions;
* :mod:`~cvtex.schema.validation` — :func:`validate`;
* :mod:`~cvtex.schema.profile_schema` — the JSON Schema; :mod:`~cvtex.schema.reference` — the
  profile reference page of the documentation, generated from it.

The names below are this package's public API; they are imported on first use, so importing
:mod:`cvtex.schema` (or its loader) does not import pydantic.
"""

from __future__ import annotations

from cvtex.lazy import exports

#: public name -> the module that defines it
_EXPORTS = {
    **dict.fromkeys(("Document", "Loc", "Position", "load", "loads", "MAX_DEPTH"), "loader"),
    **dict.fromkeys(("normalize_url", "readable_url", "doi_url", "tel_url", "ALLOWED_SCHEMES",
                     "MAX_URL_LENGTH"), "urls"),
    **dict.fromkeys(("PartialDate", "PRESENT", "parse_date", "Date"), "dates"),
    **dict.fromkeys(("Text", "Paragraph", "PlainStr", "LocalizedText", "LocaleCode", "Url", "Email", "Phone", "Doi",
                     "TextError", "clean_text", "describe_char", "printable", "is_text", "MAX_LINE", "MAX_PARAGRAPH",
                     "LOCALE_PATTERN"), "text"),
    **dict.fromkeys(("Model", "Dated", "Link", "field"), "base"),
    **dict.fromkeys(("SECTION_KINDS", "SECTION_MODELS", "Section", "SectionBase", "ExperienceEntry", "Role",
                     "RoleProject", "EducationEntry", "PublicationEntry", "ProjectEntry", "AwardEntry", "TalkEntry",
                     "TeachingEntry", "PatentEntry", "PressEntry", "SkillEntry", "LanguageEntry", "CustomEntry", "MilitaryEntry",
                     "CertificationEntry", "LanguageTestEntry"), "sections"),
    **dict.fromkeys(("MILITARY_STATUSES", "EDUCATION_STATUSES", "KNOWN_TESTS", "KnownTest", "known_test",
                     "score_problem", "expiry_of", "is_expired", "section_warnings"), "korean"),
    **dict.fromkeys(("Profile", "Header", "Photo", "SocialProfile", "Design", "FontOverride", "LinkPolicy",
                     "FONT_NAME_PATTERN"), "models"),
    **dict.fromkeys(("did_you_mean",), "positions"),
    **dict.fromkeys(("LETTER_KINDS", "LETTER_MODELS", "Letter", "LetterBase", "CoverLetter", "SelfIntroduction",
                     "Question", "Limit", "Recipient", "LetterParagraph", "AnswerCount", "FILL", "unstrippable"),
                    "letters"),
    **dict.fromkeys(("CountRule", "RULES", "count", "pasted_text"), "counting"),
    **dict.fromkeys(("validate", "by_position", "text_values", "walk", "json_resume_problem", "JSON_RESUME_KEYS",
                     "answer_counts", "count_diagnostics"), "validation"),
    **dict.fromkeys(("json_schema", "json_schema_text", "JSON_SCHEMA_DIALECT"), "profile_schema"),
    **dict.fromkeys(("BLIND_MODES", "blind_profile", "blind_leaks", "letter_leaks", "render_leaks",
                     "check_blind_mode", "address_city", "school_names"), "blind"),
}

_MODULES: dict[str, list[str]] = {}
for _name, _module in _EXPORTS.items():
    _MODULES.setdefault(_module, []).append(_name)
__getattr__, __dir__, __all__ = exports(__name__, _MODULES)
