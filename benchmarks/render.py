"""Render benchmark: `cvtex render` vs plain `latexmk -pdfxe` on the same .tex files.

For every profile in data/, cvtex renders all its locales (one command per profile,
engine runs in parallel, plus validation, templating and pypdf post-processing); the
baseline compiles the very .tex files cvtex generated (`--keep-tex`) with
`latexmk -pdfxe`, one after the other, each in a fresh directory. cvtex runs with
`--no-cache` (every PDF compiled; the build cache is in a temporary directory). Both are measured in
this process, alternating, best of --repeat runs; the script prints seconds and the
ratio cvtex / latexmk (lower is better).

    .venv/bin/python benchmarks/render.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CVTEX = str(Path(sys.executable).with_name("cvtex"))


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(profiles: list[Path], repeat: int, work: Path) -> tuple[list[float], list[float], int]:
    """Seconds of each run, cvtex (``--no-cache``: every PDF compiled) and latexmk, and
    the number of documents."""
    sources = work / "sources"
    subprocess.run([CVTEX, "render", *map(str, profiles), "-o", str(sources), "--keep-tex", "--quiet",
                    "--offline", "--no-cache"], check=True)
    tex_files = sorted(sources.glob("*.tex"))
    cvtex_runs, latexmk_runs = [], []
    for i in range(repeat):
        total = 0.0
        for profile in profiles:
            total += timed([CVTEX, "render", str(profile), "-o", str(work / f"cvtex{i}"), "--quiet",
                            "--offline", "--no-cache"], ROOT)
        cvtex_runs.append(total)
        total = 0.0
        for tex in tex_files:
            build = work / f"latexmk{i}" / tex.stem
            build.mkdir(parents=True)
            shutil.copy(tex, build)
            total += timed(["latexmk", "-norc", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error",
                            tex.name], build)
        latexmk_runs.append(total)
    return cvtex_runs, latexmk_runs, len(tex_files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    profiles = sorted((ROOT / "data").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CVTEX_CACHE_DIR"] = str(Path(tmp) / "cache")  # never the user's cache
        cvtex_runs, latexmk_runs, documents = measure(profiles, args.repeat, Path(tmp))
    best_cvtex, best_latexmk = min(cvtex_runs), min(latexmk_runs)
    print(f"profiles: {len(profiles)}, documents: {documents}, repeats: {args.repeat}")
    print(f"cvtex render  : {best_cvtex:6.2f} s (best; median {statistics.median(cvtex_runs):.2f} s)")
    print(f"latexmk -pdfxe: {best_latexmk:6.2f} s (best; median {statistics.median(latexmk_runs):.2f} s)")
    print(f"ratio cvtex / latexmk: {best_cvtex / best_latexmk:.2f} (target <= 0.55)")


if __name__ == "__main__":
    main()
