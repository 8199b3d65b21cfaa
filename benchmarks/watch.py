"""The edit -> look loop: seconds from saving a profile to the new PDFs under ``cvtex render
--watch``, next to one cold ``cvtex render`` of the same profile, from one run.

    .venv/bin/python benchmarks/watch.py [--profile data/infra-backend.yaml] [--saves 6]

Each save changes one word of the body (``Learning`` -> ``Learning<n>``), as an edit does,
so the preamble stays as it was and the engines ``--watch`` primed with it after the last
render (:meth:`cvtex.tex.EnginePool.prime`) compile only the body. A render is done when the watch
prints ``done; watching``. Caches live in a temporary directory (``CVTEX_CACHE_DIR``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CVTEX = str(Path(sys.executable).with_name("cvtex"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", type=Path, default=ROOT / "data" / "infra-backend.yaml")
    parser.add_argument("--saves", type=int, default=6)
    args = parser.parse_args()
    text = args.profile.read_text(encoding="utf-8")
    if "Learning" not in text:
        raise SystemExit(f"{args.profile} has no word 'Learning' to edit")
    with tempfile.TemporaryDirectory(prefix="cvtex-watch-") as tmp:
        work = Path(tmp)
        env = dict(os.environ, CVTEX_CACHE_DIR=str(work / "cache"))
        profile = work / args.profile.name
        profile.write_text(text, encoding="utf-8")
        cold = [CVTEX, "render", str(profile), "-o", str(work / "cold"), "--offline", "--no-cache", "--quiet"]
        subprocess.run(cold, env=env, check=True)  # untimed: the format copy, file-system caches
        started = time.perf_counter()
        subprocess.run(cold, env=env, check=True)
        single = time.perf_counter() - started

        log = work / "watch.err"
        with open(log, "w") as err:
            watch = subprocess.Popen([CVTEX, "render", str(profile), "-o", str(work / "out"), "--offline", "--watch"],
                                     env=env, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)

        def renders() -> int:
            return log.read_text(encoding="utf-8").count("watching")

        try:
            deadline = time.monotonic() + 120
            while renders() < 1:
                if watch.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"cvtex --watch did not start: {log.read_text(encoding='utf-8')[-500:]}")
                time.sleep(0.02)
            times = []
            for n in range(args.saves):
                time.sleep(2.0)  # the user reads the PDF and edits; primed engines wait meanwhile
                before = renders()
                started = time.perf_counter()
                profile.write_text(text.replace("Learning", f"Learning{n}"), encoding="utf-8")
                deadline = time.monotonic() + 120
                while renders() == before:
                    if watch.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"cvtex --watch stopped: {log.read_text(encoding='utf-8')[-500:]}")
                    time.sleep(0.005)
                times.append(time.perf_counter() - started)
        finally:
            watch.terminate()
            watch.wait(timeout=30)
    loop = statistics.median(times)
    print(f"{args.profile.name}: save -> new PDFs under --watch, median of {args.saves}: {loop:.2f} s "
          f"({', '.join(f'{t:.2f}' for t in times)}); one cold render: {single:.2f} s -> ratio {loop / single:.2f}")


if __name__ == "__main__":
    main()
