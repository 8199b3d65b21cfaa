"""The engine pool (cvtex.tex.pool.EnginePool) is the only code that starts, primes or
stops XeLaTeX processes ahead of a render, and renders compile through it.

The rule is checked on the source (an AST walk over every module of the cvtex package), and
the check is shown to fail on violations planted into a copy of the package. The pool's
own behaviour is tested with real engines here and in test_speed_paths.py /
test_engine_sandbox.py.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from cvtex import tex

from .conftest import ROOT

PACKAGE = ROOT / "cvtex"
#: The modules that implement engine processes: the pool, and the run it is made of.
OWNERS = {"cvtex/tex/pool.py", "cvtex/tex/engine.py", "cvtex/tex/sandbox.py"}
#: Names of cvtex.tex (or its engine and sandbox modules) that start an engine process.
STARTS = {"start", "launch", "Run"}
#: Names that compile a source: renders (cvtex/build, cvtex/cli) go through the pool.
COMPILES = {"compile", "run_plain"}
#: Methods of a run that feed or stop its process.
RUN_METHODS = {"prime", "cancel"}
TEX_MODULES = {"cvtex.tex", "cvtex.tex.engine", "cvtex.tex.sandbox"}


def violations(source: str, module: str) -> list[str]:
    """Where ``source`` (the text of ``module``, a path like ``cvtex/build/pipeline.py``)
    starts, primes or stops an engine process, or, in cvtex/build and cvtex/cli, compiles
    other than through the pool: ``["<module>:<line>: <what>", …]``."""
    if module in OWNERS:
        return []
    rendering = module.startswith(("cvtex/build/", "cvtex/cli/"))
    forbidden = STARTS | (COMPILES if rendering else set())
    tree = ast.parse(source)
    modules: set[str] = set()  # local names bound to cvtex.tex / .engine / .sandbox
    functions: dict[str, str] = {}  # local name -> forbidden name it is bound to
    pools = _pool_names(tree)  # calls on these are the pool's own (pool.prime(...))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in TEX_MODULES:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in TEX_MODULES:
                    modules.add(alias.asname or alias.name)
                elif node.module in TEX_MODULES and alias.name in forbidden:
                    functions[alias.asname or alias.name] = alias.name
                    found.append(f"{module}:{node.lineno}: imports {alias.name} from {node.module}")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value
            dotted = owner.id if isinstance(owner, ast.Name) else ast.unparse(owner)
            if dotted in modules and func.attr in forbidden:
                found.append(f"{module}:{node.lineno}: calls {dotted}.{func.attr}")
            elif func.attr in RUN_METHODS and dotted not in pools:
                found.append(f"{module}:{node.lineno}: calls .{func.attr}() of an engine run")
        elif isinstance(func, ast.Name) and func.id in functions:
            found.append(f"{module}:{node.lineno}: calls {func.id}")
    return found


def _pool_names(tree: ast.AST) -> set[str]:
    """Names an :class:`EnginePool` is bound to: parameters annotated with it, and names
    assigned or bound by ``with`` from an expression that makes one."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None and "EnginePool" in ast.unparse(node.annotation):
            names.add(node.arg)
        elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name) \
                and "EnginePool" in ast.unparse(node.context_expr):
            names.add(node.optional_vars.id)
        elif isinstance(node, ast.Assign) and "EnginePool(" in ast.unparse(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def package_violations(package: Path) -> list[str]:
    """:func:`violations` of every module of the package directory ``package``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        module = "cvtex/" + path.relative_to(package).as_posix()
        found += violations(path.read_text(encoding="utf-8"), module)
    return found


def test_only_the_pool_starts_or_stops_engine_processes():
    assert package_violations(PACKAGE) == []


@pytest.mark.parametrize("planted, module", [
    ("from cvtex import tex\nrun = tex.start(path)\n", "cvtex/cli/rendering.py"),
    ("from cvtex.tex import engine\nengine.start(path, jobname='cv-en')\n", "cvtex/build/pipeline.py"),
    ("from cvtex.tex.engine import start as begin\nbegin(path)\n", "cvtex/theme/fonts.py"),
    ("from cvtex.tex.sandbox import launch\n", "cvtex/links/check.py"),
    ("run.cancel()\n", "cvtex/cli/commands.py"),
    ("runs['en'].prime(prefix)\n", "cvtex/build/pipeline.py"),
    ("from cvtex.tex import EnginePool\npool = EnginePool()\nrun = pool.ready['cv-en']\nrun.cancel()\n",
     "cvtex/cli/rendering.py"),
    ("from cvtex import tex\ntex.compile(source, build_dir)\n", "cvtex/build/pipeline.py"),
    ("import cvtex.tex.engine as e\ne.compile(source, build_dir)\n", "cvtex/cli/rendering.py"),
])
def test_the_check_finds_a_planted_violation(planted, module, tmp_path):
    """Each way of starting, priming, stopping or compiling outside the pool, planted into
    a module of a copy of the package, fails the check; the same text in the pool does not."""
    assert violations(planted, module)
    assert violations(planted, "cvtex/tex/pool.py") == []
    copy = tmp_path / "cvtex"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module.removeprefix("cvtex/")
    target.write_text(target.read_text(encoding="utf-8") + "\n\ndef _planted(path, source, build_dir, run, runs, "
                      "prefix):\n" + "".join(f"    {line}\n" for line in planted.splitlines()), encoding="utf-8")
    assert any(v.startswith(module) for v in package_violations(copy))


def test_a_plain_table_run_outside_the_build_is_allowed():
    """cvtex.theme.fonts makes its table with a plain XeLaTeX run (tex.compile, plain=True):
    a run of its own that ends before it returns, not an engine started ahead."""
    source = "from cvtex import tex\ntex.compile(source, build_dir, plain=True)\n"
    assert violations(source, "cvtex/theme/fonts.py") == []


@pytest.mark.tex
def test_the_pool_stops_what_it_started_and_keeps_primed_runs_until_closed(tmp_path):
    """start -> compile (the run started ahead) -> release -> prime -> close: no process and
    no directory is left behind."""
    source = "\\documentclass{article}\n\\begin{document}\nPool\n\\end{document}\n"
    with tex.EnginePool() as pool:
        pool.start("cv", ["en", "ko"])
        early = pool.ready
        assert set(early) == {"cv-en", "cv-ko"}
        build = pool.compile(source, jobname="cv-en", timeout=120)
        assert build.build_dir == early["cv-en"].build_dir and build.pdf.is_file()
        other = pool.compile(source, jobname="cv-fr", timeout=120)  # no run ahead: a new engine
        assert other.pdf.is_file() and other.build_dir.parent == build.build_dir.parent
        pool.release()
        assert pool.ready == {} and not build.build_dir.exists() and not other.build_dir.exists()
        assert all(run.proc.poll() is not None for run in early.values())
        pool.prime("cv", {"en": source})
        primed = pool.ready["cv-en"]
        assert primed.prefix and primed.proc.poll() is None
        pool.release()  # primed and not used: kept for the next render
        assert pool.ready == {"cv-en": primed}
        again = pool.compile(source, jobname="cv-en", timeout=120)
        assert again.primed and again.build_dir == primed.build_dir
        root = again.build_dir.parent
    assert primed.proc.poll() is not None and not root.exists()
