"""Stage 2+3: validation of the profile shape and the one-language view."""

from __future__ import annotations

import pytest

from cvtex.diagnostics import ProfileError
from cvtex.schema import loads
from cvtex.localize import get_locale, localize, supported_locales
from cvtex.schema import validate
from cvtex.schema import PRESENT, PartialDate, parse_date

PROFILE = """\
locales: [en, ko]
header:
  name: {en: Joonbeom Park, ko: 박준범}
  name_aliases: [J. Park]
sections:
  - kind: experience
    entries:
      - organization: {en: Yonsei University, ko: 연세대학교}
        roles:
          - {title: {en: Graduate Researcher, ko: 대학원 연구원}, start: 2019-03, end: 2021-02}
          - {title: {en: Undergraduate Researcher, ko: 학부 연구원}, start: 2017-12, end: present}
  - kind: publications
    title: {en: Papers, ko: 논문}
    entries:
      - {title: GAZEL, authors: [J. Park, S. Park], date: 2021-03-22, doi: 10.1109/PERCOM50583.2021.9439113}
"""


def test_dates_are_parsed_at_their_precision():
    assert parse_date("2023") == PartialDate(2023)
    assert parse_date("2023-09") == PartialDate(2023, 9)
    assert parse_date("2023-09-01") == PartialDate(2023, 9, 1)
    assert parse_date("Present") is PRESENT
    for bad in ("2023-13", "2023-02-30", "23-09", "Sep 2023", "2023/09"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_supported_locales_have_titles_for_every_section_kind():
    from cvtex.schema import SECTION_KINDS

    assert {"en", "ko"} <= set(supported_locales())
    for code in supported_locales():
        assert set(SECTION_KINDS) - {"custom"} <= set(get_locale(code).sections)


def test_english_and_korean_views():
    profile, warnings = validate(loads(PROFILE, "cv.yaml"))
    assert warnings == []
    en, ko = localize(profile, "en"), localize(profile, "ko")
    assert (en.header.name, ko.header.name) == ("Joonbeom Park", "박준범")
    assert [r.dates for r in en.sections[0].entries[0].roles] == ["Mar 2019 – Feb 2021", "Dec 2017 – Present"]
    assert [r.dates for r in ko.sections[0].entries[0].roles] == ["2019. 3. – 2021. 2.", "2017. 12. – 현재"]
    assert (en.sections[0].title, ko.sections[0].title) == ("Experience", "경력")
    assert (en.sections[1].title, ko.sections[1].title) == ("Papers", "논문")
    pub = ko.sections[1].entries[0]
    assert pub.dates == "2021. 3. 22."
    assert [(a.name, a.owner) for a in pub.authors] == [("J. Park", True), ("S. Park", False)]
    assert pub.doi_url == "https://doi.org/10.1109/PERCOM50583.2021.9439113"
    assert en.sections[0].entries[0].roles[1].title.path == "sections[0].entries[0].roles[1].title"


def test_missing_translation_falls_back_and_warns():
    text = PROFILE.replace("{en: Yonsei University, ko: 연세대학교}", "{en: Yonsei University}")
    profile, warnings = validate(loads(text, "cv.yaml"))
    assert localize(profile, "ko").sections[0].entries[0].organization == "Yonsei University"
    (warning,) = warnings
    assert warning.severity == "warning" and warning.line == 8
    assert warning.field == "sections[0].entries[0].organization"


def test_schema_errors_are_all_reported_with_positions():
    broken = (PROFILE.replace("organization:", "organisation:").replace("start: 2019-03", "start: 2019-3")
              .replace("kind: publications", "kind: publication"))
    with pytest.raises(ProfileError) as info:
        validate(loads(broken, "cv.yaml"))
    found = [(d.line, d.column, d.message) for d in info.value.diagnostics]
    assert found == [
        (8, 9, "unknown field 'organisation' (did you mean 'organization'?)"),
        (10, 68, "'2019-3' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD with the digits 0-9 (months 01-12, "
                 "days from 01), or present"),
        (12, 11, "unknown section kind 'publication' (did you mean 'publications'?)"),
    ]


def test_end_before_start_and_unsupported_locale_are_errors():
    with pytest.raises(ProfileError, match="'end' \\(2019-01\\) is before 'start' \\(2019-03\\)"):
        validate(loads(PROFILE.replace("end: 2021-02", "end: 2019-01"), "cv.yaml"))
    with pytest.raises(ProfileError, match="cannot render locale 'fr'"):
        validate(loads(PROFILE.replace("[en, ko]", "[en, ko, fr]"), "cv.yaml"), supported_locales=("en", "ko"))


# ------------------------------------------------------------------ the view's types

#: Fields a view class has beyond its model's (see cvtex.localize.view).
VIEW_EXTRAS = {"Dated": {"dates", "duration", "year", "sort_date"}, "Header": {"phone_url", "names"},
               "PublicationEntry": {"doi_url"}, "ExperienceEntry": {"dates", "duration"},
               "MilitaryEntry": {"discharge"}}


def test_each_view_class_has_its_models_fields_and_the_documented_extras():
    """A field added to the schema without its view field would be lost from the view."""
    from dataclasses import fields

    from cvtex.localize import VIEW_OF
    from cvtex.schema import Dated, Model, Profile

    def models(model, seen):  # every model a profile can hold, through its fields' annotations
        import typing

        if model in seen:
            return
        seen.add(model)
        for info in model.model_fields.values():
            stack = [info.annotation]
            while stack:
                hint = stack.pop()
                if isinstance(hint, type) and issubclass(hint, Model):
                    models(hint, seen)
                stack += list(typing.get_args(hint))

    reachable: set = set()
    models(Profile, reachable)
    reachable -= {Profile, *[m for m in reachable if m.__name__ in ("Design", "FontOverride", "LinkPolicy")]}
    # letters are not in the CV's view (cvtex.schema.letters; their own view comes with their PDFs)
    reachable -= {m for m in reachable if m.__module__ == "cvtex.schema.letters"}
    assert reachable and reachable <= set(VIEW_OF), sorted(m.__name__ for m in reachable - set(VIEW_OF))
    for model, view in VIEW_OF.items():
        extras = set(VIEW_EXTRAS.get(model.__name__, ()))
        if issubclass(model, Dated):
            extras |= VIEW_EXTRAS["Dated"]
        assert {f.name for f in fields(view)} == set(model.model_fields) | extras, model.__name__


def test_the_view_is_typed_and_read_only():
    import dataclasses

    from cvtex.localize import Author, ExperienceEntry, Header, PublicationEntry, Role, Section, View

    profile, _ = validate(loads(PROFILE, "cv.yaml"))
    view = localize(profile, "en")
    assert isinstance(view, View) and isinstance(view.header, Header)
    assert all(isinstance(s, Section) for s in view.sections)
    experience, publications = view.sections
    assert isinstance(experience.entries[0], ExperienceEntry) and isinstance(experience.entries[0].roles[0], Role)
    pub = publications.entries[0]
    assert isinstance(pub, PublicationEntry) and all(isinstance(a, Author) for a in pub.authors)
    assert [(a.name, a.owner) for a in pub.authors] == [("J. Park", True), ("S. Park", False)]
    assert (pub.doi_url, pub.year, pub.date) == ("https://doi.org/10.1109/PERCOM50583.2021.9439113", 2021, None)
    assert (experience.id, publications.id, view.header.phone_url) == ("experience", "publications", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.header.name = "someone else"  # type: ignore[misc]
    assert view.locale.labels.with_ == "with" and view.locale.labels.with_ is getattr(view.locale.labels, "with")
    with pytest.raises(AttributeError):
        getattr(view.locale.labels, "without")


def test_a_model_without_a_view_class_is_an_error_not_a_silent_pass_through(monkeypatch):
    from cvtex.localize import view as view_module
    from cvtex.schema import Role

    profile, _ = validate(loads(PROFILE, "cv.yaml"))
    monkeypatch.delitem(view_module.VIEW_OF, Role)
    with pytest.raises(TypeError, match="no view class for Role"):
        localize(profile, "en")


def test_importing_the_packages_imports_no_heavy_module():
    """cvtex.links, cvtex.localize and cvtex.interop load their modules on use: httpx,
    pypdf, ruamel.yaml and the view's classes wait until a check, an import or a render."""
    import json
    import subprocess
    import sys

    code = ("import sys, json, cvtex.links, cvtex.localize, cvtex.interop\n"
            "print(json.dumps(sorted(sys.modules)))")
    modules = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                            check=True).stdout))
    heavy = {"httpx", "httpcore", "pypdf", "ruamel.yaml", "asyncio", "cvtex.localize.view", "cvtex.links.check",
             "cvtex.links.probe", "cvtex.build", "jinja2"}
    assert sorted(heavy & modules) == []
