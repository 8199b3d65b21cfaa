"""Issue 23: blind hiring per document — a letter's ``blind: public|private`` in the profile.
Its own text is checked for leaks at every validate (not only with ``--blind``); it is rendered
from the profile's blind copy, named ``-blind`` and marked in ``/Creator`` (so ``check-links``
reads it as blind), while the CVs of the same render stay as they are; ``--bundle`` will not
put the normal CV behind it. Real ``cvtex`` processes and XeLaTeX."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import pdf_text, plain_env, run_cvtex

PROFILE = """\
locales: [ko]
header:
  name: 한지우
  emails: [jiwoo@example.com]
  birth_date: 1994-05-17
sections:
  - kind: education
    entries:
      - institution: 한울대학교
        degree: 학사
        area: 컴퓨터공학
        start: 2013-03
        end: 2019-02
letters:
  - id: agency
    kind: cover-letter
    {blind}
    salutation: 채용 담당자님께,
    paragraphs:
      - 공공기관의 데이터 플랫폼 업무에 지원합니다.
      - {paragraph}
    closing: 감사합니다.
"""
LEAK = "한울대학교에서 분산 시스템을 공부했습니다."
CLEAN = "대학에서 분산 시스템을 공부했습니다."


def write(tmp_path: Path, blind: str, paragraph: str) -> Path:
    path = tmp_path / "cv.yaml"
    path.write_text(PROFILE.format(blind=blind, paragraph=paragraph), encoding="utf-8")
    return path


def test_a_blind_letter_is_linted_at_validate_at_the_leak(tmp_path):
    done = run_cvtex("validate", str(write(tmp_path, "blind: public", LEAK)), env=plain_env())
    out = done.stdout + done.stderr
    assert done.returncode == 1
    assert "cv.yaml:21:9: error: '한울대학교' names a school of the profile's education" in out, out
    assert "field: letters[0].paragraphs[1]" in out
    # the same text in a letter without a mode is not checked; private mode allows school names
    assert run_cvtex("validate", str(write(tmp_path, "blind: null", LEAK)), env=plain_env()).returncode == 0
    assert run_cvtex("validate", str(write(tmp_path, "blind: private", LEAK)), env=plain_env()).returncode == 0
    done = run_cvtex("validate", str(write(tmp_path, "blind: secret", CLEAN)), env=plain_env())
    assert done.returncode == 1 and "cv.yaml:17:12: error:" in done.stdout + done.stderr, done.stdout + done.stderr


@pytest.mark.tex
def test_a_blind_letter_is_rendered_blind_beside_the_normal_cv(tmp_path):
    out = tmp_path / "out"
    path = write(tmp_path, "blind: public", CLEAN)
    done = run_cvtex("render", str(path), "-o", str(out), "--offline", env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == ["cv-ko.pdf", "cv-letter-agency-ko-blind.pdf"]
    letter = out / "cv-letter-agency-ko-blind.pdf"
    assert "(blind copy: public)" in PdfReader(letter).metadata.creator
    assert "(blind copy" not in PdfReader(out / "cv-ko.pdf").metadata.creator
    assert "한울대학교" in pdf_text(out / "cv-ko.pdf") and "한울대학교" not in pdf_text(letter)
    checked = run_cvtex("check-links", str(letter), str(out / "cv-ko.pdf"), "--profile", str(path), "--offline",
                        env=plain_env())
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # --bundle would put the normal CV (with the school) behind the blind letter: no bundle, a warning
    done = run_cvtex("render", str(path), "-o", str(out), "--offline", "--bundle", env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no application bundle for the ko letter 'agency': it is blind (public)" in done.stderr, done.stderr
    assert not list(out.glob("cv-application-*"))
    # with --blind public the CV is blind too, and the bundle is written
    done = run_cvtex("render", str(path), "-o", str(out), "--offline", "--bundle", "--blind", "public", env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    bundle = out / "cv-application-agency-ko-blind.pdf"
    assert bundle.is_file() and "한울대학교" not in pdf_text(bundle)


@pytest.mark.tex
def test_a_letter_in_its_own_mode_is_checked_in_that_mode_under_another_blind(tmp_path):
    """A ``blind: private`` letter may name the school (§4조의3 does not forbid it): ``--blind
    public`` renders the CV public and that letter private, and refuses neither."""
    out = tmp_path / "out"
    path = write(tmp_path, "blind: private", LEAK)
    assert run_cvtex("validate", str(path), "--blind", "public", env=plain_env()).returncode == 0
    done = run_cvtex("render", str(path), "-o", str(out), "--offline", "--blind", "public", env=plain_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(blind copy: private)" in PdfReader(out / "cv-letter-agency-ko-blind.pdf").metadata.creator
    assert "(blind copy: public)" in PdfReader(out / "cv-ko-blind.pdf").metadata.creator
    assert "한울대학교" in pdf_text(out / "cv-letter-agency-ko-blind.pdf")
    assert "한울대학교" not in pdf_text(out / "cv-ko-blind.pdf")
    # the same text in a letter without a mode of its own is the public render's leak
    done = run_cvtex("render", str(write(tmp_path, "blind: null", LEAK)), "-o", str(out), "--offline", "--blind",
                     "public", env=plain_env())
    assert done.returncode == 1 and "cv.yaml:21:9: error: '한울대학교'" in done.stderr, done.stderr
