"""Issue 22: letters in the profile (cover letters and 자기소개서), their answers counted by
validation, and ``cvtex letter``. No TeX: letters are not rendered yet.

Every check is proven on a profile made to break it: each bad input is refused at its own
``file:line:col`` and field, and the same profile without the fault is valid."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from cvtex.diagnostics import ProfileError
from cvtex.schema import count, loads, pasted_text, unstrippable, validate

from .conftest import PLAIN_ENV, ROOT, run_cvtex
from .test_integrations import hooks  # noqa: F401  (the session fixture: this tree as a hook repository)

APPLICATION = ROOT / "data" / "application.yaml"

HEAD = """\
locales: [en, ko]
header:
  name: {en: Jiwoo Han, ko: 한지우}
"""

COVER = """\
  - id: acme-en
    kind: cover-letter
    locales: [en]
    salutation: Dear Ms. Park,
    paragraphs:
      - I am writing to apply for the **Backend** role at [Acme](https://example.com).
      - Thank you for your time.
    closing: Sincerely,
"""

# 가나다 라마 (6 with spaces) + line break + 바사아자 (4): 11 with spaces, 9 without
SELF = """\
  - id: acme-ko
    kind: self-introduction
    locales: [ko]
    company: 예시
    questions:
      - question: 성장과정
        answer: [가나다 라마, 바사아자]
        limit: {count: 12, rule: with_spaces}
"""


def profile(letters: str = COVER + SELF, head: str = HEAD) -> str:
    return head + "letters:\n" + letters


def problems(text: str) -> list:
    """The diagnostics of validating ``text`` (errors raise: all of them; else the warnings)."""
    try:
        return validate(loads(text, "cv.yaml"))[1]
    except ProfileError as exc:
        return exc.diagnostics


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, column), 1-based, of the ``nth`` occurrence of ``needle`` in ``text``."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def only(diagnostics: list, severity: str = "error"):
    found = [d for d in diagnostics if d.severity == severity]
    assert len(found) == 1, [d.format() for d in diagnostics]
    return found[0]


# ------------------------------------------------------------------------------ the model

def test_a_valid_profile_with_both_kinds_has_no_problem():
    prof, warnings = validate(loads(profile(), "cv.yaml"))
    assert warnings == []
    cover, intro = prof.letters
    assert cover.kind == "cover-letter" and intro.kind == "self-introduction"
    assert prof.letter("acme-ko") is intro and prof.letter_locales(cover) == ["en"]
    assert intro.questions[0].limit.count == 12 and intro.questions[0].limit.rule == "with_spaces"


def test_a_letter_in_one_locale_gets_no_missing_language_warning():
    """The cover letter is English only, the 자기소개서 Korean only: no warning for either. The
    same text outside a letter (the profile renders en and ko) is warned about: the check
    itself still runs."""
    text = profile(COVER.replace("salutation: Dear Ms. Park,", "salutation: {en: Dear Ms. Park,}"))
    assert problems(text) == []
    control = text.replace("  name: {en: Jiwoo Han, ko: 한지우}", "  name: {en: Jiwoo Han}")
    assert only(problems(control), "warning").field == "header.name"


def test_a_letter_without_locales_is_written_in_the_profiles():
    text = profile(COVER.replace("    locales: [en]\n", "").replace("salutation: Dear Ms. Park,",
                                                                    "salutation: {en: Dear Ms. Park,}"))
    warning = only(problems(text), "warning")
    assert warning.field == "letters[0].salutation" and "no ko text" in warning.message


def test_an_id_used_twice_is_an_error_at_the_second():
    text = profile(COVER + SELF.replace("id: acme-ko", "id: acme-en"))
    error = only(problems(text))
    assert (error.line, error.column) == at(text, "acme-en", 1)
    assert error.field == "letters[1].id" and "already used by letters[0] (line 5)" in error.message
    assert problems(profile()) == []


@pytest.mark.parametrize("value", ["0", "-5", "12.5", '"1,000"', "500자", "true", "[500]"])
def test_a_limit_that_is_not_a_positive_whole_number_is_an_error(value):
    text = profile(SELF.replace("count: 12,", f"count: {value},"))
    error = only(problems(text))
    assert (error.line, error.column) == at(text, value)
    assert error.field == "letters[0].questions[0].limit.count"
    assert "is not a limit: write a whole number above zero" in error.message


@pytest.mark.parametrize("value,hint", [("without_space", "without_spaces"), ("with spaces", "with_spaces"),
                                        ("utf-8-bytes", "utf8_bytes"), ("chars", None)])
def test_an_unknown_counting_rule_is_an_error_with_did_you_mean(value, hint):
    text = profile(SELF.replace("rule: with_spaces", f"rule: {value}"))
    error = only(problems(text))
    assert (error.line, error.column) == at(text, value)
    assert error.field == "letters[0].questions[0].limit.rule"
    assert "with_spaces, without_spaces, utf8_bytes, two_byte_hangul" in error.message
    assert (f"(did you mean '{hint}'?)" in error.message) if hint else "did you mean" not in error.message


@pytest.mark.parametrize("answer", [None, "[]", '[""]'])
def test_a_question_without_an_answer_is_an_error(answer):
    line = "        answer: [가나다 라마, 바사아자]\n"
    text = profile(SELF.replace(line, "" if answer is None else f"        answer: {answer}\n"))
    error = only(problems(text))
    assert error.field.startswith("letters[0].questions[0].answer")
    if answer is None:
        assert (error.line, error.column) == at(text, "question: 성장과정") and "'answer'" in error.message
    else:
        assert error.line == at(text, "answer:")[0]


def test_an_answer_in_a_locale_the_letter_does_not_declare_is_an_error():
    text = profile(SELF.replace("answer: [가나다 라마, 바사아자]", "answer: [{ko: 가나다 라마, en: Hello}, 바사아자]"))
    error = only(problems(text))
    assert (error.line, error.column) == at(text, "en: Hello")
    assert error.field == "letters[0].questions[0].answer[0]" and "not written in (its locales: ko)" in error.message
    # a cover letter's text too; and none of it is an error once the letter declares the locale
    text = profile(COVER.replace("closing: Sincerely,", "closing: {en: Sincerely, ko: 드림}"))
    assert only(problems(text)).field == "letters[0].closing"
    assert problems(text.replace("locales: [en]", "locales: [en, ko]")) == []


def test_an_answer_missing_in_a_locale_the_letter_declares_is_an_error():
    intro = SELF.replace("locales: [ko]", "locales: [ko, en]").replace(
        "question: 성장과정", "question: {ko: 성장과정, en: Background}")
    text = profile(intro.replace("answer: [가나다 라마, 바사아자]", "answer: [{ko: 가나다 라마}, {ko: 바사아자, en: x}]"))
    error = only(problems(text))
    assert (error.line, error.column) == at(text, "{ko: 가나다 라마}")
    assert "no en text in this answer" in error.message
    fixed = text.replace("{ko: 가나다 라마}", "{ko: 가나다 라마, en: y}")
    assert [d for d in problems(fixed) if d.severity == "error"] == []


def test_a_letter_locale_the_profile_does_not_have_is_reported():
    text = profile(SELF.replace("locales: [ko]", "locales: [kr]"))
    error = only(problems(text))
    assert error.field == "letters[0].locales[0]" and "did you mean 'ko'?" in error.message


def test_an_unknown_letter_kind_is_an_error_with_did_you_mean():
    text = profile(COVER.replace("kind: cover-letter", "kind: cover-leter"))
    error = only(problems(text))
    assert (error.line, error.column) == at(text, "cover-leter")
    assert "unknown letter kind 'cover-leter' (did you mean 'cover-letter'?)" in error.message


@pytest.mark.parametrize("paragraph,char", [
    ("<b>가나다</b>", "<"), ("가&amp;나", "&"), ("`코드` 가나", "`"), ("![사진](https://example.com/a.png)", "!"),
    ("_강조_ 가나", "_"), ("별*표", "*"), ("**굵게", "*"),
])
def test_markup_the_counter_cannot_strip_is_an_error_at_its_character(paragraph, char):
    text = profile(SELF.replace("answer: [가나다 라마, 바사아자]", f'answer: ["{paragraph}", 바사아자]'))
    error = only(problems(text))
    line, column = at(text, paragraph)
    assert (error.line, error.column) == (line, column + paragraph.index(char))
    assert error.field == "letters[0].questions[0].answer[0]"
    assert "would be pasted and counted as written" in error.message


def test_a_cover_letter_date_is_a_day_not_present():
    text = profile(COVER.replace("    closing:", "    date: present\n    closing:"))
    error = only(problems(text))
    assert error.field == "letters[0].date" and "not 'present'" in error.message
    assert problems(text.replace("date: present", "date: 2026-03-02")) == []


@pytest.mark.parametrize("paragraph", [r"\<b>", r"a \& b &c", r"\`x\`", r"\_x\_", r"5 \* 3", "snake_case_name",
                                       "**굵게** *기울임* [링크](https://example.com)", "A<B, x > y", "[성장] 저는"])
def test_what_the_counter_strips_or_prints_as_written_on_purpose_is_accepted(paragraph):
    assert unstrippable(paragraph) is None


# ------------------------------------------------------------------------------ counting

def test_one_character_over_the_limit_fails_at_the_answer():
    """The answer counts 11 with spaces (6 + a line break + 4): a limit of 11 passes, 10 fails
    at the answer's line and column, with the count, the limit and the rule."""
    ok = profile(SELF.replace("count: 12,", "count: 11,"))
    assert problems(ok) == []
    over = profile(SELF.replace("count: 12,", "count: 10,"))
    error = only(problems(over))
    assert (error.line, error.column) == at(over, "[가나다 라마, 바사아자]")
    assert error.field == "letters[0].questions[0].answer"
    assert "the ko answer is 1 over its limit: it counts 11 against a limit of 10 (with_spaces" in error.message


def test_an_answer_the_same_in_two_locales_is_one_problem():
    text = profile(SELF.replace("locales: [ko]", "locales: [ko, en]").replace("count: 12,", "count: 10,"))
    error = only(problems(text))
    assert error.message.startswith("the ko/en answer is 1 over its limit")


def test_the_count_is_of_the_pasted_text():
    prof, _ = validate(loads(profile(), "cv.yaml"))
    (answer,) = prof.letters[1].counts(1, ["ko"])
    assert answer.text == pasted_text(["가나다 라마", "바사아자"]) == "가나다 라마\n바사아자"
    assert answer.count == count(answer.text, "with_spaces") == 11
    assert (answer.letter, answer.question, answer.loc) == (1, 0, ("letters", 1, "questions", 0, "answer"))


def test_an_answer_far_under_its_limit_is_a_warning():
    """Under 85 % of the limit warns, citing the advice; 85 % exactly does not. Without spaces
    the answer counts 9 (가나다라마 + 바사아자): of 10 is 90 %, of 11 is 82 %."""
    rule = SELF.replace("rule: with_spaces", "rule: without_spaces")
    assert problems(profile(rule.replace("count: 12,", "count: 10,"))) == []
    text = profile(rule.replace("count: 12,", "count: 11,"))
    warning = only(problems(text), "warning")
    assert (warning.line, warning.column) == at(text, "[가나다 라마, 바사아자]")
    assert warning.field == "letters[0].questions[0].answer"
    assert "fills 82% of its limit" in warning.message and "85-90 %" in warning.message
    seventeen = "[가나다 라마 바사아자 가나다 라마 바사아]"  # 9 + 8 without spaces
    assert problems(profile(rule.replace("count: 12,", "count: 20,").replace("[가나다 라마, 바사아자]", seventeen))) == []
    assert only(problems(profile(rule.replace("count: 12,", "count: 21,").replace(
        "[가나다 라마, 바사아자]", seventeen))), "warning")  # 17 of 21 = 81 %


def test_answers_are_counted_even_when_another_part_is_invalid():
    text = profile(SELF.replace("count: 12,", "count: 10,")).replace("  name:", "  nme:")
    diagnostics = problems(text)
    assert {d.field for d in diagnostics if d.severity == "error"} >= {"letters[0].questions[0].answer",
                                                                          "header.nme"}


# ------------------------------------------------------------------------------ the command line

def table_rows(stdout: str) -> list[tuple[int, int, int, str, str]]:
    """(number, count, limit, rule, question) of each row of validate's plain table; checks
    that its "left" is the limit minus the count and its "filled" the share rounded down."""
    rows = []
    for line in stdout.splitlines():
        found = re.match(r"^\s+(\d+)\s+([\d,]+)\s+([\d,]+)\s+(-?[\d,]+)\s+(\d+)% \S+( \S+)?\s+(\w+)\s+(.+)$", line)
        if found:
            n, limit, left = (int(found[i].replace(",", "")) for i in (2, 3, 4))
            assert left == limit - n and int(found[5]) == n * 100 // limit, line
            rows.append((int(found[1]), n, limit, found[7], found[8]))
    return rows


def test_validate_prints_the_count_table_of_the_data_profile():
    result = run_cvtex("validate", str(APPLICATION), cwd=ROOT, env=PLAIN_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no warning: every answer fills 85-100 % of its limit
    assert "letter 'example-bank-ko' (ko)" in result.stdout
    rows = table_rows(result.stdout)
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert {r[3] for r in rows} == {"with_spaces", "without_spaces", "utf8_bytes", "two_byte_hangul"}
    assert all(0.85 * limit <= n <= limit for _, n, limit, _, _ in rows)
    assert rows[0][4] == "성장과정을 기술해 주십시오."
    assert result.stdout.rstrip().endswith("data/application.yaml: ok")


def over_and_under(tmp_path):
    """data/application.yaml with its first answer's limit one under its count and its
    second's far above: (path, text)."""
    text = APPLICATION.read_text(encoding="utf-8")
    prof, _ = validate(loads(text, "application.yaml"))
    first, second = prof.letters[1].counts(1, ["ko"])[:2]
    changed = text.replace(f"limit: {{count: {first.limit}, rule: with_spaces}}",
                           f"limit: {{count: {first.count - 1}, rule: with_spaces}}")
    changed = changed.replace(f"limit: {{count: {second.limit}, rule: without_spaces}}",
                              f"limit: {{count: {second.count * 2}, rule: without_spaces}}")
    path = tmp_path / "cv.yaml"
    path.write_text(changed, encoding="utf-8")
    return path, changed, first


def test_validate_fails_over_the_limit_and_warns_far_under(tmp_path):
    path, text, first = over_and_under(tmp_path)
    result = run_cvtex("validate", "cv.yaml", cwd=tmp_path, env=PLAIN_ENV)
    assert result.returncode == 1
    answer = text.index("answer:", text.index("성장과정을 기술해"))
    line = text.count("\n", 0, answer) + 2  # the answer's first paragraph, on the line after 'answer:'
    assert f"cv.yaml:{line}:11: error: the ko answer is 1 over its limit: it counts {first.count}" in result.stderr
    assert "field: letters[1].questions[0].answer" in result.stderr
    assert "warning: the ko answer fills 50% of its limit" in result.stderr
    assert "1 error(s), 1 warning(s)" in result.stderr
    rows = table_rows(result.stdout)  # the table is printed for a failing profile too
    assert rows[0][1:3] == (first.count, first.count - 1) and "over" in result.stdout
    # without the over-long answer: valid, the warning stays, --strict makes it fail
    fixed = text.replace(f"count: {first.count - 1}, rule: with_spaces", f"count: {first.count}, rule: with_spaces")
    path.write_text(fixed, encoding="utf-8")
    assert run_cvtex("validate", "cv.yaml", cwd=tmp_path, env=PLAIN_ENV).returncode == 0
    assert run_cvtex("validate", "cv.yaml", "--strict", cwd=tmp_path, env=PLAIN_ENV).returncode == 1


def test_validate_with_letters_imports_no_rich_off_a_terminal():
    """The pre-commit path stays cheap with letters too: the table is plain text, no rich."""
    code = ("import sys\n"
            "from cvtex.cli.commands import app\n"
            "try:\n"
            "    app(['validate', 'data/application.yaml'])\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "import json; print(json.dumps(sorted(sys.modules)))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         stdin=subprocess.DEVNULL)
    modules = set(json.loads(run.stdout.splitlines()[-1]))
    assert "cvtex.schema.letters" in modules and "cvtex.cli.letters" in modules
    assert sorted(m for m in modules if m.split(".")[0] in ("rich", "pypdf", "httpx", "jinja2")) == []


def letter_blocks(stdout: str) -> list[tuple[str, str, str]]:
    """(question line, count line, answer) of each block of ``cvtex letter --format txt``: a
    block is its two header lines, a blank line, the answer, a blank line."""
    assert stdout.endswith("\n") and not stdout.endswith("\n\n")
    parts = stdout.removesuffix("\n").split("\n\n")
    assert len(parts) % 2 == 0, stdout
    return [(*parts[i].split("\n"), parts[i + 1]) for i in range(0, len(parts), 2)]


def test_letter_txt_prints_exactly_the_text_validate_counted():
    validated = run_cvtex("validate", str(APPLICATION), cwd=ROOT, env=PLAIN_ENV)
    reported = {number: (n, rule) for number, n, _, rule, _ in table_rows(validated.stdout)}
    result = run_cvtex("letter", str(APPLICATION), "--id", "example-bank-ko", "--format", "txt", env=PLAIN_ENV)
    assert result.returncode == 0, result.stderr
    blocks = letter_blocks(result.stdout)
    assert len(blocks) == len(reported) == 4
    for number, (question, counted, answer) in enumerate(blocks, 1):
        n, rule = reported[number]
        assert question.startswith(f"[{number}/4] ")
        assert count(answer, rule) == n and counted.startswith(f"count {n:,} of ")
        assert "\n" in answer and "**" not in answer  # two paragraphs, markup removed


def test_letter_md_gives_headings_and_fenced_answers():
    result = run_cvtex("letter", str(APPLICATION), "--id", "example-bank-ko", "-f", "md", env=PLAIN_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# 자기소개서 — 예시은행 — 결제 플랫폼 백엔드 엔지니어\n")
    assert re.findall(r"^## (\d)\. ", result.stdout, re.MULTILINE) == ["1", "2", "3", "4"]
    txt = letter_blocks(run_cvtex("letter", str(APPLICATION), "--id", "example-bank-ko", env=PLAIN_ENV).stdout)
    fenced = re.findall(r"^```text\n(.*?)\n```$", result.stdout, re.MULTILINE | re.DOTALL)
    assert fenced == [answer for _, _, answer in txt]


def test_letter_prints_a_cover_letter():
    txt = run_cvtex("letter", str(APPLICATION), "--id", "example-bank-en", env=PLAIN_ENV)
    assert txt.returncode == 0, txt.stderr
    parts = txt.stdout.split("\n\n")
    assert parts[0] == "Dear Ms. Park," and parts[-2:] == ["Sincerely,", "Jiwoo Han\n"]
    assert "as example-limiter." in txt.stdout and "**" not in txt.stdout
    md = run_cvtex("letter", str(APPLICATION), "--id", "example-bank-en", "--format", "md", env=PLAIN_ENV)
    assert "**Senior Backend Engineer**" in md.stdout and "[example-limiter](https://github.com/example)" in md.stdout


def test_letter_refuses_an_unknown_id_a_locale_and_a_format():
    unknown = run_cvtex("letter", str(APPLICATION), "--id", "example-bank", env=PLAIN_ENV)
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "no letter 'example-bank'" in unknown.stderr
    assert "its letters: example-bank-en, example-bank-ko" in unknown.stderr
    lang = run_cvtex("letter", str(APPLICATION), "--id", "example-bank-ko", "--lang", "en", env=PLAIN_ENV)
    assert lang.returncode == 2 and "written in ko" in lang.stderr
    none = run_cvtex("letter", str(APPLICATION), env=PLAIN_ENV)
    assert none.returncode == 2 and "give a letter with --id ID; its letters: example-bank-en," in none.stderr
    fmt = run_cvtex("letter", str(APPLICATION), "--id", "example-bank-ko", "--format", "pdf", env=PLAIN_ENV)
    assert fmt.returncode == 2 and "txt or md" in fmt.stderr


def test_letter_prints_an_answer_over_its_limit_and_fails(tmp_path):
    """The over-long answer is what the user has to shorten: printed, then reported as
    validate reports it, exit 1; another letter of the profile prints as usual."""
    path, _, first = over_and_under(tmp_path)
    result = run_cvtex("letter", str(path), "--id", "example-bank-ko", env=PLAIN_ENV)
    assert result.returncode == 1
    assert f"count {first.count} of {first.count - 1}" in result.stdout and first.text in result.stdout
    assert "error: the ko answer is 1 over its limit" in result.stderr and "1 error(s), 0 warning(s)" in result.stderr
    other = run_cvtex("letter", str(path), "--id", "example-bank-en", env=PLAIN_ENV)
    assert other.returncode == 0 and other.stderr == "" and other.stdout


def test_the_json_resume_export_notes_the_letters():
    result = run_cvtex("export", str(APPLICATION), env=PLAIN_ENV)
    assert result.returncode == 0, result.stderr
    assert "note: letters: JSON Resume has no field for letters" in result.stderr


# ------------------------------------------------------------------------------ the pre-commit hook

def test_the_pre_commit_hook_blocks_an_over_long_answer(request, tmp_path):
    """The real pre-commit, with cvtex's hook installed from this tree: a commit of a profile
    whose answer is one over its limit is refused at the answer's line; one character
    shorter, it is accepted."""
    from .test_integrations import BIN, tool, user_repo

    hook_repo, sha, env, _ = request.getfixturevalue("hooks")  # test_integrations' session fixture
    repo = user_repo(tmp_path, env)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {sha}\n    hooks:\n      - id: cvtex-validate\n", encoding="utf-8")
    assert tool(str(BIN / "pre-commit"), "install", cwd=repo, env=env).returncode == 0
    _, text, first = over_and_under(tmp_path)
    (repo / "cv.yaml").write_text(text, encoding="utf-8")
    tool("git", "add", "-A", cwd=repo, env=env)
    rejected = tool("git", "commit", "-m", "application", cwd=repo, env=env)
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0 and "the ko answer is 1 over its limit" in output, output
    assert re.search(r"cv\.yaml:\d+:11: error", output), output
    fixed = text.replace(f"count: {first.count - 1}, rule: with_spaces", f"count: {first.count}, rule: with_spaces")
    (repo / "cv.yaml").write_text(fixed, encoding="utf-8")
    tool("git", "add", "-A", cwd=repo, env=env)
    accepted = tool("git", "commit", "-m", "application", cwd=repo, env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr



def test_an_over_long_answer_is_reported_with_a_missing_glyph_in_the_same_letter(tmp_path):
    """A letter with another error (a character no font of the theme has) is still counted:
    the over-limit error is reported with the glyph error, not after it is fixed."""
    path, text, first = over_and_under(tmp_path)
    path.write_text(text.replace("어릴 적 저희 집에는", "어릴 적 𓀀 저희 집에는", 1), encoding="utf-8")
    result = run_cvtex("validate", "cv.yaml", cwd=tmp_path, env=PLAIN_ENV)
    assert result.returncode == 1
    assert "no glyph for '𓀀'" in result.stderr
    # one over already; 𓀀 (outside the BMP: 2 UTF-16 code units) and a space add 3
    assert "error: the ko answer is 4 over its limit" in result.stderr


def test_the_terminal_table_shows_questions_as_written(tmp_path):
    """On a terminal (a real pseudo-terminal) the table is rich's; a question's brackets are
    text, not rich markup (which would colour it, drop the brackets, or fail on '[/b]')."""
    import os

    from .conftest import CVTEX

    text = APPLICATION.read_text(encoding="utf-8").replace("지원동기를 기술해 주십시오.", "지원동기 [/b] [red]x[/red]")
    path = tmp_path / "cv.yaml"
    path.write_text(text, encoding="utf-8")
    master, slave = os.openpty()
    try:
        result = subprocess.run([CVTEX, "validate", str(path)], stdout=slave, stderr=subprocess.PIPE, text=True,
                                stdin=subprocess.DEVNULL, env=dict(PLAIN_ENV, COLUMNS="250"), timeout=120)
    finally:
        os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other end is closed and everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert result.returncode == 0, result.stderr
    screen = shown.decode("utf-8")
    # rich's table (it may wrap the question's cell), the brackets as written
    assert "┃" in screen and "지원동기 [/b]" in screen and "[red]x[/red]" in screen
