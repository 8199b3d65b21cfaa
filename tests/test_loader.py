"""Stage 1: YAML -> values + positions."""

from __future__ import annotations

import pytest

from cvtex.diagnostics import ProfileError
from cvtex.schema import Position, loads


def test_scalars_stay_strings_and_nulls_are_none():
    doc = loads("a: no\nb: 2021-02\nc: 010\nd: ~\ne:\nf: 'null'\ng: 2013-12-01\n")
    assert doc.data == {"a": "no", "b": "2021-02", "c": "010", "d": None, "e": None, "f": "null",
                        "g": "2013-12-01"}


def test_positions_of_values_and_keys_are_one_based():
    doc = loads("top:\n  - name: x\n    list: [a, b]\n")
    assert doc.positions[("top", 0, "name")] == Position(2, 11)
    assert doc.key_positions[("top", 0, "list")] == Position(3, 5)
    assert doc.positions[("top", 0, "list", 1)] == Position(3, 15)
    assert doc.locate(("top", 0, "nonexistent", 3)) == Position(2, 5)


def test_duplicate_key_is_an_error_with_both_lines():
    with pytest.raises(ProfileError) as info:
        loads("a: 1\nb: 2\na: 3\n", "cv.yaml")
    (diag,) = info.value.diagnostics
    assert (diag.file, diag.line, diag.column) == ("cv.yaml", 3, 1)
    assert "duplicate key 'a' (first given at line 1)" in diag.message


def test_yaml_syntax_error_has_line_and_column():
    with pytest.raises(ProfileError) as info:
        loads("a: [1, 2\nb: 3\n", "cv.yaml")
    (diag,) = info.value.diagnostics
    assert diag.file == "cv.yaml" and diag.line == 2 and diag.column >= 1
    assert diag.message.startswith("invalid YAML")
    assert "cv.yaml:2:" in diag.format()


def test_top_level_must_be_a_mapping_and_not_empty():
    with pytest.raises(ProfileError, match="must be a YAML mapping"):
        loads("- a\n- b\n")
    with pytest.raises(ProfileError, match="empty"):
        loads("# only a comment\n")


def test_alias_bomb_is_bounded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh"))
    with pytest.raises(ProfileError, match="too large"):
        loads(bomb)


def test_a_lone_surrogate_is_a_positioned_error_not_a_crash():
    # libyaml (the fast parser) fails on it with a UnicodeEncodeError; PyYAML words the error
    with pytest.raises(ProfileError) as info:
        loads("a: 1\nb: x\ud800\n", "cv.yaml")
    d = info.value.diagnostics[0]
    assert (d.line, d.column) == (2, 5) and "U+D800" in d.message
