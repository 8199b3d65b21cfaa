"""The documentation: the mkdocs-material site builds with ``--strict`` (a broken link or
anchor fails), the profile reference page is what the models generate now, every field of
the models has a description and examples valid for it, and the README stays short."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cvtex.schema import json_schema, loads, validate
from cvtex.schema.reference import PAGE, reference_markdown

from .conftest import ROOT

MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
REFERENCE = ROOT / PAGE
REGENERATE = ".venv/bin/python -m cvtex.schema.reference -o docs/reference/profile.md"


def build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``project`` (its mkdocs.yml and docs/) into ``site``."""
    return subprocess.run([MKDOCS, "build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(site)],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))


def project_copy(tmp_path: Path) -> Path:
    """mkdocs.yml and docs/ copied into ``tmp_path/project``, to break them."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    return project


def test_the_site_builds_strict(tmp_path):
    built = build(ROOT, tmp_path / "site")
    assert built.returncode == 0, built.stdout + built.stderr
    page = (tmp_path / "site" / "reference" / "profile" / "index.html").read_text(encoding="utf-8")
    assert 'id="experienceentry-fields"' in page and "name_aliases" in page
    assert not any(re.search(r"fonts\.(googleapis|gstatic)\.com", p.read_text(encoding="utf-8", errors="replace"))
                   for p in (tmp_path / "site").rglob("*.html")), "the site must not load Google Fonts"


def test_a_broken_link_or_anchor_fails_the_build(tmp_path):
    project = project_copy(tmp_path)
    index = project / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n[gone](no-such-page.md) · "
                     "[no anchor](commands.md#no-such-heading)\n", encoding="utf-8")
    built = build(project, tmp_path / "site")
    assert built.returncode != 0
    assert "no-such-page.md" in built.stderr and "no-such-heading" in built.stderr, built.stderr


def stale(page: str) -> bool:
    """Whether a reference page differs from what the models generate now."""
    return page != reference_markdown()


def test_the_profile_reference_is_generated_from_the_models():
    assert not stale(REFERENCE.read_text(encoding="utf-8")), f"stale: run {REGENERATE}"


def test_a_stale_reference_page_is_caught(tmp_path):
    page = REFERENCE.read_text(encoding="utf-8")
    assert stale(page.replace("The owner's name, printed at the top", "The name, printed at the top"))
    assert stale(page.replace("| `name_aliases` |", "| `aliases` |"))
    assert not stale(page)


# --------------------------------------------------------------------------- field docs

def fields(schema: dict[str, Any]):
    """``(model, field, property schema)`` for every field of every model of the JSON Schema."""
    yield from (("Profile", name, prop) for name, prop in schema["properties"].items())
    for model, definition in schema["$defs"].items():
        yield from ((model, name, prop) for name, prop in definition.get("properties", {}).items())


def undocumented(schema: dict[str, Any]) -> list[str]:
    """The fields without a description or an example, and the examples their own field's
    schema refuses."""
    problems = []
    for model, name, prop in fields(schema):
        if not prop.get("description"):
            problems.append(f"{model}.{name}: no description")
        if not prop.get("examples"):
            problems.append(f"{model}.{name}: no example")
        checker = jsonschema.Draft202012Validator({"$defs": schema["$defs"], **prop},
                                                  format_checker=jsonschema.FormatChecker())
        problems += [f"{model}.{name}: example {example!r}: {error.message}"
                     for example in prop.get("examples", []) for error in checker.iter_errors(example)]
    return sorted(problems)


def test_every_field_has_a_description_and_examples_its_schema_accepts():
    assert undocumented(json_schema()) == []


def test_a_field_without_description_or_with_a_wrong_example_is_caught():
    schema = json_schema()
    broken = copy.deepcopy(schema)
    del broken["$defs"]["Header"]["properties"]["headline"]["description"]
    broken["$defs"]["Role"]["properties"]["start"]["examples"] = ["March 2022"]
    broken["$defs"]["Design"]["properties"]["paper"]["examples"] = []
    assert undocumented(broken) == [
        "Design.paper: no example", "Header.headline: no description",
        "Role.start: example 'March 2022': 'March 2022' is not valid under any of the given schemas"]


def test_a_default_other_than_absent_is_in_the_schema():
    design = json_schema()["$defs"]["Design"]["properties"]
    assert design["theme"]["default"] == "classic" and design["fonts"]["default"] == {}


# --------------------------------------------------------------------------- README

def test_the_readme_is_short():
    assert (ROOT / "README.md").stat().st_size <= 8 * 1024


@pytest.mark.parametrize("page", ["README.md", "docs/getting-started.md"])
def test_the_first_profile_shown_is_valid(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    block = re.search(r"^```yaml\n(.*?)^```", text, re.M | re.S)
    assert block and "locales:" in block.group(1)
    profile, warnings = validate(loads(block.group(1), page))
    assert profile.header.name.get("ko") == "한지우" and warnings == []
