"""Issue 22: the hostile-string battery (tests/fixtures/hostile.py) in every field of a letter,
validated and typeset in every built-in theme.

The fields: a cover letter's recipient (name, title, organization, an address line), subject,
salutation, a paragraph, closing and signature; a 자기소개서's company, position, a question and
an answer paragraph (limit ``{count: 100000, rule: utf8_bytes}``, so the count refuses nothing).
Each string, in each field, has one of two outcomes:

- refused by validation: exactly one error, at that field (its dotted path, its file, the line
  its value is on, at or after the value's column), with the reason its group in
  tests/fixtures/hostile.py names — and in a paragraph or an answer also the literal strings that
  :func:`cvtex.schema.unstrippable` finds markup in (pasted and counted as written otherwise); or
- typeset faithfully: the letter's PDF text contains it exactly
  (:func:`tests.fixtures.pdfs.expected`), with no missing glyph, no word past the page edge, no
  line more than 1 pt too wide, and each link it has is a link annotation of the PDF.

Never a traceback, a TeX transcript or a half-written PDF: the render of every accepted string is
one :func:`render_profile` call that must succeed. Cover letters are English, 자기소개서 Korean,
and the first letter of each kind is written in both (``locales: [en, ko]``, ``{en: …, ko: …}``
texts): checked in both PDFs. ``cvtex letter --format txt`` prints each accepted answer exactly as
pasted and counted; a hostile string that takes an answer over its limit is refused at the answer.

Outcomes are decided on the strings as written (one cover letter and one 자기소개서 per string);
the PDFs are checked with each string between markers (:func:`tests.fixtures.pdfs.marked`).
To keep the XeLaTeX runs per theme few, the one-value fields of a letter hold several marked
strings each (at most :data:`PACK` characters, and only strings whose text does not change when
they stand next to each other: :func:`packs`) — still about 30 letters of each kind, most of
them for the 280-character strings of ``LONG`` — and the list fields (address lines, paragraphs,
questions and answers) are all in the first, bilingual letter of each kind, one string per item.
"""

from __future__ import annotations

import collections
import unicodedata
from pathlib import Path

import pytest
import yaml

from cvtex import links
from cvtex.build.pipeline import load_profile
from cvtex.diagnostics import Diagnostic, ProfileError, field_path
from cvtex.schema import clean_text, count, loader, markup, normalize_url, unstrippable
from cvtex.theme import builtin_themes

from .conftest import run_cvtex
from .fixtures.hostile import (
    LITERAL,
    LONG,
    PARAGRAPH_ONLY,
    PARAGRAPH_REFUSED,
    REFUSED,
    render_or_failure,
)
from .fixtures.pdfs import expected, marked, visible_text, words_off_page

pytestmark = pytest.mark.tex

NAME = "Hostile Letters"
BIG = {"count": 100000, "rule": "utf8_bytes"}

#: Field kinds of a cover letter (marker letter -> path inside the letter; ``None`` is the item's index).
COVER = {"n": ("recipient", "name"), "t": ("recipient", "title"), "o": ("recipient", "organization"),
         "r": ("recipient", "address", None), "s": ("subject",), "l": ("salutation",), "p": ("paragraphs", None),
         "c": ("closing",), "g": ("signature",)}
#: Field kinds of a 자기소개서.
SELF = {"m": ("company",), "j": ("position",), "q": ("questions", None, "question"),
        "a": ("questions", None, "answer", 0)}
KINDS = {**COVER, **SELF}
#: Paragraph kinds: longer texts allowed, and markup pasting cannot strip refused.
PARAGRAPHS = "pa"
#: One-value kinds: packed (several marked strings in one field).
SINGLE = [k for k, path in KINDS.items() if None not in path]
#: The most characters of a packed one-value field (a heading field takes 300).
PACK = 290

REFUSED_STRINGS = [(s, reason) for reason, strings in REFUSED.items() for s in strings]
PARAGRAPH_REFUSED_STRINGS = [(s, reason) for reason, strings in PARAGRAPH_REFUSED.items() for s in strings]
#: Every string tried, with the kinds it goes in and the reason it must be refused ('' = literal).
STRINGS: list[tuple[str, str, str]] = (
    [(s, "".join(KINDS), "") for s in LITERAL] + [(s, "".join(KINDS), r) for s, r in REFUSED_STRINGS]
    + [(s, PARAGRAPHS, "") for s in PARAGRAPH_ONLY] + [(s, PARAGRAPHS, r) for s, r in PARAGRAPH_REFUSED_STRINGS])
#: The 280-character strings of ``LONG`` (string index -> number in LONG): rendered in every list
#: kind, but each in one one-value kind of each letter family only (number modulo 7 -> the
#: family's one-value kinds in order), as each needs a field of its own there: in all of them,
#: they alone would make 20 letters of each kind more per theme.
LONG_AT = {LITERAL.index(s): n for n, s in enumerate(LONG)}


def dump(data: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, width=float("inf"), sort_keys=False), encoding="utf-8")
    return path


def profile(letters: list[dict]) -> dict:
    return {"locales": ["en", "ko"], "header": {"name": NAME},
            "sections": [{"kind": "custom", "title": "T", "entries": [{"title": "t"}]}], "letters": letters}


def cover(ident: str, locales: list[str]) -> dict:
    return {"id": ident, "kind": "cover-letter", "locales": locales,
            "recipient": {"name": "N", "title": "T", "organization": "O", "address": []}, "subject": "S",
            "salutation": "L", "paragraphs": [], "closing": "C", "signature": "G"}


def intro(ident: str, locales: list[str]) -> dict:
    return {"id": ident, "kind": "self-introduction", "locales": locales, "company": "M", "position": "J",
            "questions": []}


def path_of(kind: str, item: int = 0) -> tuple:
    return tuple(item if part is None else part for part in KINDS[kind])


def put(letter: dict, kind: str, value, item: int = 0) -> None:
    """Set ``letter``'s field of ``kind`` (its ``item``-th item for a list kind) to ``value``."""
    path = path_of(kind, item)
    target = letter
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def written_profile(strings: list[tuple[str, str, str]]) -> tuple[dict, dict]:
    """One cover letter (``letters[2i]``) and one 자기소개서 (``letters[2i + 1]``) per string,
    the string as written in each kind it goes in (a neutral text in the others); and
    {field path: (string index, kind)}."""
    letters, fields = [], {}
    for i, (s, kinds, _) in enumerate(strings):
        c, q = cover(f"c{i}", ["en"]), intro(f"s{i}", ["ko"])
        c["recipient"]["address"], c["paragraphs"] = ["R"], ["P"]
        q["questions"] = [{"question": "Q", "answer": ["A"], "limit": dict(BIG)}]
        for k in kinds:
            put(c if k in COVER else q, k, s)
            fields[field_path(("letters", 2 * i + (k in SELF)) + path_of(k))] = (i, k)
        letters += [c, q]
    return profile(letters), fields


def judged(data: dict, fields: dict, path: Path, theme: str) -> tuple[dict, list[str]]:
    """Validate ``data`` (written to ``path``; ``theme``'s glyph check): ({key of ``fields``:
    [errors at that field]}, [formatted errors not at one field of ``fields``, or not in its
    file, on its value's line, at or after the value's column]). Warnings (an answer far under
    its limit, a letter longer than a page) are not refusals."""
    dump(data, path)
    try:
        load_profile(path, theme=theme)
        return {}, []
    except ProfileError as exc:
        errors: list[Diagnostic] = [d for d in exc.diagnostics if d.severity == "error"]
    doc = loader.load(path)
    found: dict = collections.defaultdict(list)
    stray = []
    for d in errors:
        key = fields.get(d.field)
        at = doc.locate(loader_loc(d.field)) if key else None
        if key is None or Path(d.file).resolve() != path.resolve() or d.line != at.line or d.column < at.column:
            stray.append(d.format())
        else:
            found[key].append(d)
    return dict(found), stray


def loader_loc(dotted: str) -> tuple:
    """``letters[3].recipient.address[0]`` -> ``("letters", 3, "recipient", "address", 0)``."""
    out: list = []
    for part in dotted.replace("]", "").split("."):
        name, *indexes = part.split("[")
        out += [name, *map(int, indexes)]
    return tuple(out)


def shown(field: str) -> str:
    """What a letter field shows in the PDF, white space removed: every letter field takes
    markup, so the CV battery's kinds printed as written do not apply to its kind letters."""
    return expected(field, plain="")


def packs(items: list[tuple[int, str]], kind: str) -> list[list[int]]:
    """``items`` [(string index, string)] in groups whose marked strings share one field of
    ``kind``: at most :data:`PACK` characters together, and only while the text of the joined
    field is the texts of its parts (no markup of one string pairs with another's)."""
    groups: list[list[int]] = []
    current: list[int] = []
    text = ""
    strings = dict(items)
    for i, s in items:
        part = marked(i, kind, s)
        joined = f"{text} {part}" if text else part
        alone = not text or shown(joined) == shown(text) + shown(part)
        if current and (len(joined) > PACK or not alone):
            groups.append(current)
            current, joined = [], part
        current.append(i)
        text = joined
    if current:
        groups.append(current)
    assert all(len(" ".join(marked(i, kind, strings[i]) for i in g)) <= 300 or len(g) == 1 for g in groups)
    return groups


def shown_profile(strings: list[tuple[str, str, str]], refused: dict) -> tuple[dict, dict, list]:
    """The profile rendered: every (string, kind) accepted as written, between markers.
    Returns (data, {field path: (string index, kind)} of every placement, [(letter index in
    ``letters``, letter id, locales, [(string index, kind)])])."""
    accepted = {k: [(i, s) for i, (s, kinds, _) in enumerate(strings) if k in kinds and (i, k) not in refused]
                for k in KINDS}
    for family in (COVER, SELF):
        singles = [k for k in SINGLE if k in family]
        for m, k in enumerate(singles):
            accepted[k] = [(i, s) for i, s in accepted[k] if LONG_AT.get(i, m) % 7 == m]
    plan = {k: packs(accepted[k], k) for k in SINGLE}
    counts = {"cover": max(len(plan[k]) for k in SINGLE if k in COVER),
              "intro": max(len(plan[k]) for k in SINGLE if k in SELF)}
    letters, fields, placed = [], {}, []
    text = {i: s for i, (s, _, _) in enumerate(strings)}
    for family, make, kinds in (("cover", cover, COVER), ("intro", intro, SELF)):
        number = counts[family]
        for n in range(number):
            locales = ["en", "ko"] if n == 0 else ["en"] if family == "cover" else ["ko"]
            letter = make(f"{family}{n}", locales)
            index = len(letters)
            here: list = []

            def value(v: str, locales: list[str] = locales) -> object:
                return {code: v for code in locales} if len(locales) > 1 else v

            for k in kinds:
                if k in SINGLE:
                    group = plan[k][n] if n < len(plan[k]) else []
                    if group:
                        put(letter, k, value(" ".join(marked(i, k, text[i]) for i in group)))
                        fields[field_path(("letters", index) + path_of(k))] = [(i, k) for i in group]
                        here += [(i, k) for i in group]
            # the list kinds (address lines, paragraphs, questions and answers) all in the first letter
            mine = {k: accepted[k] if n == 0 else [] for k in kinds if k not in SINGLE}
            if family == "cover":
                for k in "rp":
                    field = "address" if k == "r" else "paragraphs"
                    target = letter["recipient"] if k == "r" else letter
                    target[field] = [value(marked(i, k, s)) for i, s in mine[k]] or [value("P")]
                    for item, (i, _) in enumerate(mine[k]):
                        fields[field_path(("letters", index) + path_of(k, item))] = [(i, k)]
                        here.append((i, k))
            else:
                questions = sorted({i for k in "qa" for i, _ in mine[k]})
                qs = {i for i, _ in mine["q"]}
                ans = {i for i, _ in mine["a"]}
                for item, i in enumerate(questions):
                    letter["questions"].append({
                        "question": value(marked(i, "q", text[i]) if i in qs else f"F{i:03d}q"),
                        "answer": [value(marked(i, "a", text[i]) if i in ans else f"F{i:03d}a")],
                        "limit": dict(BIG)})
                    for k, chosen in (("q", qs), ("a", ans)):
                        if i in chosen:
                            fields[field_path(("letters", index) + path_of(k, item))] = [(i, k)]
                            here.append((i, k))
                if not questions:
                    letter["questions"] = [{"question": "Q", "answer": [value("A")], "limit": dict(BIG)}]
            letters.append(letter)
            placed.append((index, letter["id"], locales, here))
    return profile(letters), fields, placed


def battery(theme: str, tmp: Path) -> dict:
    """Validate every string in every letter kind as written, then render (``theme``) every
    accepted one between markers. ``refused`` {(string index, kind): [errors]}, ``stray``
    (errors not at one field), ``refused_marked`` (placements accepted as written and refused
    between markers: then nothing is rendered), ``placed``, ``result``, ``failure``."""
    written, fields = written_profile(STRINGS)
    refused, stray = judged(written, fields, tmp / "written.yaml", theme)
    shown, shown_fields, placed = shown_profile(STRINGS, refused)
    flat = {path: tuple(keys) for path, keys in shown_fields.items()}
    refused_marked, stray_marked = judged(shown, flat, tmp / "shown.yaml", theme)
    result, failure = None, None
    if not refused_marked and not stray_marked:
        result, failure = render_or_failure(tmp / "shown.yaml", tmp / "out", theme)
    return {"theme": theme, "refused": refused, "stray": stray + stray_marked, "refused_marked": refused_marked,
            "shown": shown, "placed": placed, "result": result, "failure": failure, "path": tmp / "shown.yaml"}


@pytest.fixture(scope="module", params=builtin_themes())
def letters(request, tmp_path_factory):
    return battery(request.param, tmp_path_factory.mktemp(f"letters-{request.param}"))


def test_refusals_are_once_at_their_field_with_their_reason(letters):
    """Every error is at one string's field, in its file, on its value's line; a refused field
    has one error; each string's outcome is its group's: literal strings are accepted (in a
    paragraph or an answer unless there is markup pasting cannot strip), the others refused
    with their reason. The groups are made for the classic theme's fonts: in the others, a
    glyph their fonts lack or have is refused or typeset instead (and printed)."""
    refused = letters["refused"]
    assert letters["stray"] == []
    assert [(repr(STRINGS[i][0])[:50], k, [d.message for d in ds]) for (i, k), ds in sorted(refused.items())
            if len(ds) != 1] == []
    wrong, fonts = [], set()
    for i, (s, kinds, reason) in enumerate(STRINGS):
        for k in kinds:
            message = refused[(i, k)][0].message if (i, k) in refused else None
            if reason == "no glyph for" and message is None and letters["theme"] != "classic":
                ok = True  # a glyph classic's fonts lack (TeX Gyre has U+E000): typeset, checked below
                fonts.add((repr(s)[:50], "accepted: the theme's font has it"))
            elif reason:
                ok = message is not None and reason in message
            elif k in PARAGRAPHS and unstrippable(s) is not None:
                ok = message is not None and message.startswith(unstrippable(s)[0][:40])
            elif message is not None and message.startswith("no glyph for") and letters["theme"] != "classic":
                ok = True  # the groups are made for classic's fonts: TeX Gyre has no U+2012 FIGURE DASH
                fonts.add((repr(s)[:50], message.split(",")[0]))
            else:
                ok = message is None
            if not ok:
                wrong.append((repr(s)[:50], k, reason, message))
    assert wrong == []
    by_reason = collections.Counter((refused[key][0].message[:30]) for key in refused)
    print(f"\nletters ({letters['theme']}): {len(STRINGS)} strings x up to {len(KINDS)} letter fields; "
          f"{len(refused)} fields refused; " + ", ".join(f"{n} {r!r}" for r, n in by_reason.most_common(8))
          + "".join(f"; not as in classic: {s} ({m})" for s, m in sorted(fonts)))


def test_accepted_strings_render(letters):
    """Every field accepted as written is accepted between markers (also packed), and the
    profile of all of them renders: no traceback, no TeX transcript."""
    assert [(f, [d.message for d in ds]) for f, ds in letters["refused_marked"].items()] == []
    assert letters["failure"] is None, letters["failure"]


def outputs(letters: dict) -> dict:
    if letters["result"] is None:
        pytest.skip("nothing rendered: see test_accepted_strings_render")
    return {o.name: o for o in letters["result"].outputs}


def misprinted(letters: dict, strings: list[str]) -> list[tuple[str, str, str]]:
    """(PDF name, kind, repr) of every placement whose text is not in its letter's PDF
    (``strings``: what each string index should show)."""
    pdfs = outputs(letters)
    wrong = []
    for _, ident, locales, here in letters["placed"]:
        for code in locales:
            name = f"letter-{ident}-{code}"
            text = visible_text(pdfs[name].pdf, name=NAME)
            wrong += [(name, k, repr(strings[i])[:60]) for i, k in here if shown(marked(i, k, strings[i])) not in text]
    return wrong


def test_accepted_strings_are_typeset_exactly(letters):
    pdfs = outputs(letters)
    placed = sum(len(here) * len(locales) for _, _, locales, here in letters["placed"])
    names = [f"letter-{ident}-{code}" for _, ident, locales, _ in letters["placed"] for code in locales]
    assert sorted(names) == sorted(n for n in pdfs if n.startswith("letter-"))  # every letter, every locale
    wrong = misprinted(letters, [s for s, _, _ in STRINGS])
    print(f"\n{letters['theme']}: {placed} fields in {len(names)} letter PDFs, {placed - len(wrong)} exact")
    assert wrong == []


def test_accepted_strings_stay_on_the_page(letters):
    pdfs = outputs(letters)
    problems = []
    for name, output in pdfs.items():
        problems += [(name, "missing", str(m)) for m in output.missing_chars]
        problems += [(name, "off the page", w) for w in words_off_page(output.pdf)]
        problems += [(name, "overfull", o.points, o.lines) for o in output.overfull if o.points > 1]
    assert problems == []


def test_links_in_letters_are_link_annotations(letters):
    """Each link written in an accepted string (``[text](url)``) is a link annotation of each
    PDF of its letter, exactly in its ASCII form."""
    pdfs = outputs(letters)
    missing, checked = [], 0
    for _, ident, locales, here in letters["placed"]:
        for code in locales:
            name = f"letter-{ident}-{code}"
            in_pdf = {link.url for link in links.pdf_links(pdfs[name].pdf)}
            for i, k in here:
                for url in markup.link_targets(STRINGS[i][0]):
                    checked += 1
                    if normalize_url(url) not in in_pdf:
                        missing.append((name, k, url))
    assert checked > 0 and missing == []


def answers(stdout: str) -> list[tuple[str, str, str]]:
    """``cvtex letter --format txt`` of a 자기소개서 split into (question line, count line,
    answer): blocks are "[N/M] question", "count …", a blank line, the answer (no blank line in
    it), separated by one blank line."""
    lines = stdout.split("\n")
    assert lines[-1] == "", "ends with a line break"
    blocks, at = [], 0
    while at < len(lines) - 1:
        head, counted, blank = lines[at:at + 3]
        assert head.startswith("[") and counted.startswith("count ") and blank == "", lines[at:at + 3]
        end = lines.index("", at + 3)
        blocks.append((head, counted, "\n".join(lines[at + 3:end])))
        at = end + 1
    return blocks


def pasted(paragraphs: list[str]) -> str:
    """What a form gets of an answer, as issue 22 says: each paragraph with its white space
    folded and markup removed, NFC, paragraphs joined by one line break."""
    return "\n".join(unicodedata.normalize("NFC", markup.plain(clean_text(p))) for p in paragraphs)


def test_letter_txt_prints_each_hostile_answer_as_pasted(letters):
    """``cvtex letter --format txt`` prints every accepted hostile answer exactly as pasted,
    and the count it prints is that text's count; a string with no markup and no white space
    to fold is printed character for character as written (after NFC)."""
    outputs(letters)
    wrong, literal = [], 0
    for index, ident, locales, here in letters["placed"]:
        letter = letters["shown"]["letters"][index]
        if not any(k == "a" for _, k in here):  # the answers are all in the first 자기소개서
            continue
        for code in locales:
            run = run_cvtex("letter", str(letters["path"]), "--id", ident, "--format", "txt", "--lang", code)
            assert run.returncode == 0, run.stderr
            blocks = answers(run.stdout)
            assert len(blocks) == len(letter["questions"])
            for (head, counted, text), question in zip(blocks, letter["questions"]):
                written = [p[code] if isinstance(p, dict) else p for p in question["answer"]]
                if text != pasted(written):
                    wrong.append((ident, code, head[:30], text[:60], pasted(written)[:60]))
                if not counted.startswith(f"count {count(text, 'utf8_bytes'):,} of 100,000, utf8_bytes"):
                    wrong.append((ident, code, head[:30], counted))
                s = written[0]
                if (markup.plain(s) == s and s == clean_text(s) and "\\" not in s):
                    literal += 1
                    if unicodedata.normalize("NFC", s) != text:
                        wrong.append((ident, code, head[:30], "as written", repr(s)[:60]))
    assert literal > 100 and wrong == []


def test_a_hostile_string_over_the_limit_is_refused_at_the_answer(tmp_path):
    """With each literal string (that an answer accepts) after a first paragraph, one answer per
    string and rule, whose limit is the first paragraph's exact count: the string takes it over,
    an error at the answer's line and field; the first paragraph alone, at the same limit, is
    accepted (the limit is not simply too small)."""
    base = "저는 결제 시스템을 만들어 왔습니다. [링크](https://example.com/x)"
    rules = ["with_spaces", "without_spaces", "utf8_bytes", "two_byte_hangul"]
    strings = [s for s in LITERAL + PARAGRAPH_ONLY if unstrippable(s) is None]
    questions = []
    for n, s in enumerate(strings):
        rule = rules[n % 4]
        limit = {"count": count(pasted([base]), rule), "rule": rule}
        questions += [{"question": f"Q{n} alone", "answer": [base], "limit": limit},
                      {"question": f"Q{n} over", "answer": [base, s], "limit": limit}]
    data = profile([{"id": "over", "kind": "self-introduction", "locales": ["ko"], "company": "회사",
                     "questions": questions}])
    path = dump(data, tmp_path / "over.yaml")
    with pytest.raises(ProfileError) as info:
        load_profile(path, check_glyphs=False)
    doc = loader.load(path)
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    at = {(d.field, d.line, d.column) for d in errors if "over its limit" in d.message}
    want = {(field_path(loc), doc.locate(loc).line, doc.locate(loc).column)
            for loc in (("letters", 0, "questions", 2 * n + 1, "answer") for n in range(len(strings)))}
    assert len(errors) == len(at) == len(strings), [d.format() for d in errors if "over its limit" not in d.message]
    assert at == want


def test_the_checks_fail_on_a_misprint_and_a_stray_refusal(letters, tmp_path):
    """The checks above can fail: the PDFs checked against what an escaping bug would print
    (a lost backslash, a '%' dropping the rest, an HTML escape) miss those strings; an error
    that is not at a string's field (the header's empty name) is stray; output that is not
    blocks of question, count, blank line and answer is not read as answers."""
    if letters["theme"] != "classic":
        pytest.skip("once")
    outputs(letters)
    strings = [s for s, _, _ in STRINGS]
    broken = list(strings)
    targets = {"\\relax": "relax", "50% off & more": "50", "&amp; &lt; &#x41;": "& < A"}
    for s, wrong in targets.items():
        broken[strings.index(s)] = wrong
    missed = {repr(broken[i]) for i in (strings.index(s) for s in targets)}
    assert {r for _, _, r in misprinted(letters, broken)} == missed
    data, fields = written_profile([("ok", "".join(KINDS), "")])
    data["header"]["name"] = ""
    refused, stray = judged(data, fields, tmp_path / "stray.yaml", "classic")
    assert refused == {} and len(stray) == 1 and "header.name" in stray[0]
    assert answers("[1/1] q\ncount 3 of 5, with_spaces\n\na\nb\n") == [("[1/1] q", "count 3 of 5, with_spaces", "a\nb")]
    with pytest.raises(AssertionError):
        answers("[1/1] q\ncount 3 of 5, with_spaces\na\n")  # no blank line before the answer
