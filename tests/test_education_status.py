"""Issue 23: an education entry's ``status`` (학력사항's 구분: 졸업, 졸업예정, 수료, 재학, 휴학, 중퇴):
checked at validate with its line and column, printed in the locale's words — in korean-form's
Korean table in a column of its own, elsewhere after the degree and field. Real ``cvtex``
processes and XeLaTeX."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvtex.localize import get_locale
from cvtex.schema import EDUCATION_STATUSES

from .conftest import pdf_text, plain_env, run_cvtex, squash

PROFILE = """\
locales: [en, ko]
header:
  name: {{en: Jiwoo Han, ko: 한지우}}
sections:
  - kind: education
    entries:
      - institution: {{en: Example University, ko: 예시대학교}}
        degree: {{en: M.S., ko: 석사}}
        area: {{en: Computer Science, ko: 컴퓨터공학}}
        status: {status}
        start: 2024-03
        end: {end}
"""


def write(tmp_path: Path, status: str, end: str) -> Path:
    path = tmp_path / "cv.yaml"
    path.write_text(PROFILE.format(status=status, end=end), encoding="utf-8")
    return path


def test_every_status_has_words_in_both_locales():
    for code in ("en", "ko"):
        assert set(get_locale(code).education) == set(EDUCATION_STATUSES), code
    assert [get_locale("ko").education[s] for s in EDUCATION_STATUSES] == ["졸업", "졸업예정", "수료", "재학", "휴학",
                                                                           "중퇴"]


def test_a_finished_study_that_ends_present_is_refused_at_its_status(tmp_path):
    done = run_cvtex("validate", str(write(tmp_path, "graduated", "present")), env=plain_env())
    out = done.stdout + done.stderr
    assert done.returncode == 1
    assert "cv.yaml:10:17: error: status graduated is a study that has ended, and 'end' is present" in out, out
    assert "field: sections[0].entries[0].status" in out
    assert run_cvtex("validate", str(write(tmp_path, "enrolled", "present")), env=plain_env()).returncode == 0


def test_an_unknown_status_is_refused_with_the_choices(tmp_path):
    done = run_cvtex("validate", str(write(tmp_path, "finished", "2026-02")), env=plain_env())
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "cv.yaml:10:17: error:" in out, out
    assert "'graduated'" in out and "'withdrawn'" in out and "Traceback" not in out


@pytest.mark.tex
@pytest.mark.parametrize("theme", ["korean-form", "classic"])
def test_the_status_is_printed_in_each_locale(tmp_path, theme):
    path = write(tmp_path, "expected", "2026-02")
    done = run_cvtex("render", str(path), "-o", str(tmp_path / "out"), "--offline", "--theme", theme, env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    ko = pdf_text(tmp_path / "out" / "cv-ko.pdf", raw=True)
    en = squash(pdf_text(tmp_path / "out" / "cv-en.pdf"))
    if theme == "korean-form":  # the table's 구분 column, read row by row
        assert squash("학위 구분 학점") in squash(ko), ko
        assert squash("석사 졸업예정") in squash(ko), ko
    else:
        assert squash("석사, 컴퓨터공학, 졸업예정") in squash(ko), ko
    assert squash("M.S., Computer Science, Expected to graduate") in en, en

    # without a status nothing is printed for it (the column stays, empty)
    path.write_text(PROFILE.format(status="null", end="2026-02"), encoding="utf-8")
    done = run_cvtex("render", str(path), "-o", str(tmp_path / "out"), "--offline", "--theme", theme, env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "졸업예정" not in pdf_text(tmp_path / "out" / "cv-ko.pdf")
    assert "Expected to graduate" not in pdf_text(tmp_path / "out" / "cv-en.pdf")
