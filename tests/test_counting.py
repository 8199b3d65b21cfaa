"""Issue 22: the one counting function of 자기소개서 answers (cvtex.schema.counting), against counts
worked out by hand. Each rule's source is cited next to its test; the module docstring has them
in full."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvtex.schema import RULES, CountRule, count, pasted_text

# The sources, as cited in cvtex/schema/counting.py:
JOBKOREA = "https://www.jobkorea.co.kr/service/user/tool/textcount"  # length = value.length; ≥U+0080 → 2 bytes
SARAMIN = "https://www.saramin.co.kr/js/tools/character_counter.js"  # encodeURIComponent(ch).length > 4 → 2 bytes
MDN_LENGTH = "https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/String/length"
WHATWG_1712 = "https://github.com/whatwg/html/pull/1712"  # textarea maxlength: a line break is 1 character
ECMA_S = "https://tc39.es/ecma262/#sec-characterclassescape"  # \s = WhiteSpace + LineTerminator
CRLF_SUBMISSION = "https://html.spec.whatwg.org/#converting-an-entry-list-to-a-list-of-name-value-pairs"
NEIS = "https://github.com/NomaDamas/k-skill"  # NEIS bytes: Hangul 3, ASCII 1, Enter 2

#: Two paragraphs, Hangul and Latin mixed, with bold and a link (the markup is not pasted).
ANSWER = ["저는 **Python**으로 일했습니다.", "[GitHub](https://github.com)에 공개했습니다."]
PASTED = "저는 Python으로 일했습니다.\nGitHub에 공개했습니다."
# By hand:
#   paragraph 1 "저는 Python으로 일했습니다.": Hangul 저는 으로 일했습니다 = 2+2+5 = 9, Latin Python = 6,
#                                          spaces 2, period 1 → 18 characters
#   paragraph 2 "GitHub에 공개했습니다.":      Hangul 에 공개했습니다 = 1+6 = 7, Latin GitHub = 6,
#                                          space 1, period 1 → 15 characters
#   one line break between them.
#   Hangul 9+7 = 16; ASCII (letters 12 + spaces 3 + periods 2) = 17; line breaks 1.


def test_pasted_text_is_the_visible_text_nfc_one_line_break_between_paragraphs():
    assert pasted_text(ANSWER) == PASTED
    # markup removed: **굵게** and [링크](https://example.com) count as their visible text
    assert pasted_text(["**굵게**", "[링크](https://example.com)"]) == "굵게\n링크"
    assert pasted_text(["*기울임* \\*별표\\*"]) == "기울임 *별표*"  # a backslash escape pastes the character
    assert pasted_text(["하나"]) == "하나" and pasted_text([]) == ""


def test_with_spaces_counts_utf16_code_units_and_a_line_break_as_one():
    # Sources: 잡코리아 (JOBKOREA) and 사람인 (SARAMIN) show value.length, UTF-16 code units (MDN_LENGTH);
    # a textarea's line break is one LF in that value, and one character for maxlength (WHATWG_1712).
    # 18 + 1 (line break) + 15 = 34
    assert count(PASTED, "with_spaces") == 34
    assert count(pasted_text(["가", "나"]), "with_spaces") == 3  # 가 + line break + 나
    # a CR LF or a lone CR is the one line break a textarea makes of it (its "API value")
    assert count("가\r\n나", "with_spaces") == count("가\r나", "with_spaces") == 3


def test_without_spaces_drops_spaces_and_line_breaks_as_javascripts_backslash_s():
    # Source: value.replace(/\s/g, "").length; \s is ECMA-262 WhiteSpace + LineTerminator (ECMA_S).
    # 34 − 3 spaces − 1 line break = 30   (= Hangul 16 + ASCII letters 12 + periods 2)
    assert count(PASTED, "without_spaces") == 30
    assert count(pasted_text(["가", "나"]), "without_spaces") == 2
    # \s also matches TAB, NO-BREAK SPACE, IDEOGRAPHIC SPACE, BOM: a b c d e remain → 5
    assert count("a\tb\u00a0c\u3000d\ufeffe", "without_spaces") == 5
    # ... but not ZERO WIDTH SPACE or MONGOLIAN VOWEL SEPARATOR (no longer Zs since Unicode 6.3): 2 + 2 = 4
    assert count("a\u200bb\u180e", "without_spaces") == 4


def test_utf8_bytes_count_the_submitted_text_a_line_break_as_crlf():
    # Sources: UTF-8 (Python's codec); a form submits a line break as CR LF (CRLF_SUBMISSION);
    # NEIS counts Hangul 3, ASCII 1, Enter 2 (NEIS).
    # Hangul 16 × 3 = 48, ASCII 17 × 1 = 17, line break 1 × 2 = 2 → 67
    assert count(PASTED, "utf8_bytes") == 67
    assert count(pasted_text(["가", "나"]), "utf8_bytes") == 3 + 2 + 3
    assert count("가\r\n나", "utf8_bytes") == count("가\r나", "utf8_bytes") == 3 + 2 + 3  # one CR LF each


def test_two_byte_hangul_counts_like_the_euc_kr_forms_a_line_break_as_crlf():
    # Sources: 잡코리아 "c >> 7 ? 2 : 1" per UTF-16 code unit (JOBKOREA), 사람인 (SARAMIN); CR LF as submitted
    # (CRLF_SUBMISSION). Hangul 16 × 2 = 32, ASCII 17 × 1 = 17, line break 1 × 2 = 2 → 51
    assert count(PASTED, "two_byte_hangul") == 51
    assert count(pasted_text(["가", "나"]), "two_byte_hangul") == 2 + 2 + 2
    # Within CP949's repertoire it is the CP949 length of the submitted text (Python's cp949 codec):
    for text in (PASTED, "漢字 능력\n한자 ABC 123"):
        assert count(text, "two_byte_hangul") == len(text.replace("\n", "\r\n").encode("cp949"))


def test_an_emoji_counts_as_the_forms_count_it_two_utf16_code_units():
    # 😀 U+1F600 is a surrogate pair: JavaScript length 2 (MDN_LENGTH), 잡코리아 2 × 2 = 4 bytes (JOBKOREA).
    # A code-point or grapheme count (1) would pass an answer the form rejects.
    text = pasted_text(["좋아요😀"])
    assert count(text, "with_spaces") == 3 + 2  # 좋아요 + 😀
    assert count(text, "without_spaces") == 3 + 2
    assert count(text, "utf8_bytes") == 3 * 3 + 4
    assert count(text, "two_byte_hangul") == 3 * 2 + 2 * 2


def test_hanja_is_one_character_two_bytes_or_three_in_utf8():
    # 漢字 능력: hanja 2 + space 1 + Hangul 2
    text = pasted_text(["漢字 능력"])
    assert count(text, "with_spaces") == 5
    assert count(text, "without_spaces") == 4
    assert count(text, "utf8_bytes") == 4 * 3 + 1
    assert count(text, "two_byte_hangul") == 4 * 2 + 1
    # a hanja outside the BMP (𠀀 U+20000, CJK extension B) is a surrogate pair, like an emoji
    assert [count("𠀀", rule) for rule in RULES] == [2, 2, 4, 4]


def test_a_combining_sequence_counts_after_nfc():
    # "Cafe" + U+0301 COMBINING ACUTE ACCENT composes to "Café" (UAX #15): C a f é = 4, not 5
    text = pasted_text(["Cafe\u0301"])
    assert text == "Café"
    assert count(text, "with_spaces") == 4
    assert count(text, "utf8_bytes") == 3 + 2  # é U+00E9 is 2 bytes in UTF-8
    assert count(text, "two_byte_hangul") == 3 + 2
    # Decomposed Hangul (6 conjoining jamo) composes to 한글: 2 characters, not 6
    nfd = unicodedata.normalize("NFD", "한글")
    assert count(nfd, "with_spaces") == 6 and count(pasted_text([nfd]), "with_spaces") == 2
    # a mark with no precomposed form stays a character: q + U+0307 = 2
    assert count(pasted_text(["q\u0307"]), "with_spaces") == 2


@pytest.mark.parametrize(("rule", "limit", "one_more", "step"), [
    ("with_spaces", 34, "!", 1),
    ("without_spaces", 30, "!", 1),
    ("utf8_bytes", 67, "다", 3),
    ("two_byte_hangul", 51, "다", 2),
])
def test_one_character_over_the_limit_is_over(rule: CountRule, limit, one_more, step):
    # the answer is exactly at its limit (counts above), so it passes ...
    assert count(PASTED, rule) == limit and not count(PASTED, rule) > limit
    # ... and one more character at the end of the last paragraph is over by that character's size
    longer = pasted_text([ANSWER[0], ANSWER[1] + one_more])
    assert count(longer, rule) == limit + step > limit


@given(st.lists(st.text(alphabet=st.sampled_from("가힣뷁 abcXYZ019.,!?()漢字"), min_size=1), min_size=1, max_size=5))
def test_every_rule_agrees_with_the_codecs_on_cp949_text(paragraphs):
    text = pasted_text(paragraphs)
    submitted = text.replace("\n", "\r\n")
    assert count(text, "with_spaces") == len(text.encode("utf-16-le")) // 2 == len(text)  # all in the BMP
    assert count(text, "without_spaces") == len(text.replace(" ", "").replace("\n", ""))
    assert count(text, "utf8_bytes") == len(submitted.encode("utf-8"))
    assert count(text, "two_byte_hangul") == len(submitted.encode("cp949"))


def test_the_rules_are_the_literal_and_an_unknown_rule_is_refused():
    assert set(RULES) == set(get_args(CountRule))
    assert all(RULES.values())
    with pytest.raises(ValueError, match="unknown counting rule 'graphemes'; known: with_spaces, without_spaces"):
        count("가", "graphemes")  # type: ignore[arg-type]


def test_importing_the_counter_stays_cheap():
    # `cvtex validate` imports it: no pydantic, markdown-it, pypdf, httpx, jinja2 or rich until used.
    code = ("import sys, cvtex.schema.counting; "
            "print(sorted(m for m in ('pydantic', 'markdown_it', 'pypdf', 'httpx', 'jinja2', 'rich') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
