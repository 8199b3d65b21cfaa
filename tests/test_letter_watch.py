"""Issue 22: ``cvtex render --watch`` re-renders letters. A real ``cvtex render --watch
--offline`` process on a copy of data/application.yaml: a save that changes a cover
letter's paragraph rewrites that letter's PDF with the new text while the CVs and the
other letter come from the build cache; a save that puts a 자기소개서 answer one character
over its limit shows the error at ``file:line:col`` and keeps watching, the last good
PDFs left as they were; the next good save renders again."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cvtex.schema import loads, validate

from .conftest import CVTEX, ROOT, pdf_text, squash, use_cache_dir
from .test_authoring import _wait_for

pytestmark = pytest.mark.tex

APPLICATION = ROOT / "data" / "application.yaml"
#: The PDFs of app.yaml: the CVs, the English cover letter, the Korean 자기소개서.
NAMES = ("en", "ko", "letter-example-bank-en-en", "letter-example-bank-ko-ko")


def first_answer(text: str):
    """The count of the 자기소개서's first answer in ``text`` (:class:`cvtex.schema.letters.AnswerCount`,
    counted by the one function validate and render use)."""
    profile, _ = validate(loads(text, "app.yaml"), over_limit="warning")  # counted even when over
    return profile.letters[1].counts(1, ["ko"])[0]


def render_lines(stdout: str, profile: Path) -> list[list[str]]:
    """The ``wrote …`` lines of each render printed so far (a render ends with its
    ``<profile>: load …`` timings line)."""
    renders, current = [], []
    for line in stdout.splitlines():
        if line.startswith("wrote "):
            current.append(line)
        elif line.startswith(f"{profile}: load "):
            renders.append(current)
            current = []
    return renders


@contextlib.contextmanager
def watching(profile: Path, out_dir: Path, logs: Path, env: dict[str, str]) -> Iterator[
        tuple[subprocess.Popen, Callable[[], str], Callable[[], list[list[str]]]]]:
    """A real ``cvtex render PROFILE -o OUT_DIR --offline --watch``, its output in ``logs``:
    ``(process, its stderr so far, the wrote lines of each render so far)``; terminated at
    the end."""
    log_out, log_err = logs / "stdout.txt", logs / "stderr.txt"
    with open(log_out, "w") as so, open(log_err, "w") as se:
        proc = subprocess.Popen([CVTEX, "render", str(profile), "-o", str(out_dir), "--offline", "--watch"],
                                stdin=subprocess.DEVNULL, stdout=so, stderr=se, start_new_session=True, env=env)
    try:
        yield (proc, lambda: log_err.read_text(encoding="utf-8"),
               lambda: render_lines(log_out.read_text(encoding="utf-8"), profile))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_watch_rerenders_a_letter_and_keeps_the_last_good_one_over_its_limit(tmp_path, monkeypatch):
    use_cache_dir(tmp_path / "cache", monkeypatch)
    profile = tmp_path / "app.yaml"
    good = APPLICATION.read_text(encoding="utf-8")
    profile.write_text(good, encoding="utf-8")
    out_dir = tmp_path / "out"
    pdfs = {name: out_dir / f"app-{name}.pdf" for name in NAMES}
    env = dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="300")
    with watching(profile, out_dir, tmp_path, env) as (proc, err, renders):
        _wait_for(lambda: "watching" in err() and len(renders()) == 1, "the first render", proc)
        first = {name: pdf.read_bytes() for name, pdf in pdfs.items()}
        assert "Thank you for" in pdf_text(pdfs["letter-example-bank-en-en"])

        # a cover letter's paragraph edited: that letter compiled again, the rest from the cache
        assert good.count("Thank you for") == 1
        edited = good.replace("Thank you for", "Many thanks for")
        profile.write_text(edited, encoding="utf-8")
        _wait_for(lambda: len(renders()) == 2 and err().count("done; watching") == 1, "the letter's re-render", proc)
        assert "Many thanks for" in pdf_text(pdfs["letter-example-bank-en-en"])
        assert "Thank you for" not in pdf_text(pdfs["letter-example-bank-en-en"])
        wrote = {line.split()[1]: line for line in renders()[1]}
        assert set(wrote) == {str(pdf) for pdf in pdfs.values()}
        for name, pdf in pdfs.items():
            cached = wrote[str(pdf)].endswith(", cached)")
            assert cached == (name != "letter-example-bank-en-en"), wrote[str(pdf)]
            assert (pdf.read_bytes() == first[name]) == cached, name
        second = {name: pdf.read_bytes() for name, pdf in pdfs.items()}

        # one character over the first answer's limit: the error at its line, the PDFs kept
        before = first_answer(edited)
        assert edited.count("알게 되었습니다.") == 1 and before.count <= before.limit
        extra = "가" * (before.limit - before.count + 1)
        over = edited.replace("알게 되었습니다.", extra + "알게 되었습니다.")
        assert first_answer(over).count == before.limit + 1
        profile.write_text(over, encoding="utf-8")
        _wait_for(lambda: "render failed" in err(), "the error of the over-long answer", proc)
        answer = over.index("answer:", over.index("성장과정을 기술해"))
        line = over.count("\n", 0, answer) + 2  # the answer's first paragraph, on the line after 'answer:'
        assert (f"app.yaml:{line}:11: error: the ko answer is 1 over its limit: it counts {before.limit + 1} "
                f"against a limit of {before.limit}") in err()
        assert "field: letters[1].questions[0].answer" in err()
        assert {name: pdf.read_bytes() for name, pdf in pdfs.items()} == second  # the last good PDFs stay
        assert len(renders()) == 2 and proc.poll() is None

        # still watching: at the limit exactly, the 자기소개서 is compiled again with the new text
        at_limit = edited.replace("알게 되었습니다.", extra[1:] + "알게 되었습니다.")
        assert first_answer(at_limit).count == before.limit
        profile.write_text(at_limit, encoding="utf-8")
        _wait_for(lambda: len(renders()) == 3 and err().count("done; watching") == 2, "the render after the fix",
                  proc)
        korean = pdfs["letter-example-bank-ko-ko"]
        assert korean.read_bytes() != second["letter-example-bank-ko-ko"]
        assert squash(extra[1:] + "알게 되었습니다.") in squash(pdf_text(korean))
        assert [line.endswith(", cached)") for line in renders()[2]] == [True, True, True, False]
